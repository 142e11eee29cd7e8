#!/usr/bin/env python3
"""The sweep: every implemented operation under wrk at 1 and 16 keep-alive connections, in one run
on one server, beside the two references of the issue: at 16 connections each read should keep
at least half of DescribeStacks' rate and each write at least half of CreateDeployment's.

    python3 bench/sweep.py --binary .build/release/opsworks-local [--seconds 2] [--smoke]

Writes that must differ per request (names, IDs to delete) take a body template whose %N the
wrk script numbers; deletions consume pools of resources loaded as fixtures. A write's rate
counts its successful answers only (a pool can run dry near a run's end: the table says when).
Everything runs on 127.0.0.1; each run is bounded by wrk's duration.
"""
import argparse
import json
import pathlib
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

BENCH = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from bench import CREATE_DEPLOYMENT, PROFILE, ROLE, STACK, APP, call, ours  # noqa: E402

POOL = 60_000          # resources of each deletable kind
HOSTS = 6_000          # stacks that hold the layer, app and instance pools, POOL / HOSTS each
PER_HOST = POOL // HOSTS


def pool_fixtures(path):
    """Empty stacks to delete, and host stacks with layers, apps and stopped instances to delete."""
    base = {"Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE}
    stacks = [{"StackId": f"pool-stack-{n}", "Name": f"pool {n}", **base} for n in range(1, POOL + 1)]
    for host in range(HOSTS):
        numbers = range(host * PER_HOST + 1, (host + 1) * PER_HOST + 1)
        stacks.append({"StackId": f"pool-host-{host}", "Name": f"host {host}", **base,
                       "Layers": [{"LayerId": "pool-home-%d" % host, "Type": "custom", "Name": "home", "Shortname": "home"}]
                       + [{"LayerId": f"pool-layer-{n}", "Type": "custom", "Name": f"l{n}", "Shortname": f"l{n}"} for n in numbers],
                       "Apps": [{"AppId": f"pool-app-{n}", "Name": f"a{n}", "Type": "php"} for n in numbers],
                       "Instances": [{"InstanceId": f"pool-instance-{n}", "LayerIds": [f"pool-home-{host}"], "InstanceType": "t3.small",
                                      "Hostname": f"h{n}"} for n in numbers]})
    path.write_text(json.dumps({"Stacks": stacks}))


# Operations that walk the resources another operation of the same round made or walked.
SHARED_POOLS = {
    "AttachElasticLoadBalancer": "layer", "DetachElasticLoadBalancer": "layer", "DeleteLayer": "layer",
    "CreateUserProfile": "user", "DeleteUserProfile": "user",
    "RegisterElasticIp": "eip", "DeregisterElasticIp": "eip",
    "RegisterRdsDbInstance": "rds", "DeregisterRdsDbInstance": "rds",
    "RegisterEcsCluster": "ecs", "DeregisterEcsCluster": "ecs",
}


# Operations on IDs the server made: listed from the database (read-only, beside the server)
# just before their run, one "ID [layer ID]" line each.
LISTED = {
    "DeregisterVolume": "SELECT id FROM registrations WHERE kind = 'volume' AND instance_id IS NULL ORDER BY rowid",
    "AssignInstance": """SELECT i.id, 'pool-home-' || substr(i.stack_id, 11) FROM instances i WHERE json_extract(i.doc, '$.RegisteredBy') IS NOT NULL
                         AND json_array_length(i.doc, '$.LayerIds') = 0 AND i.stack_id LIKE 'pool-host-%' ORDER BY i.rowid""",
    "UnassignInstance": "SELECT id FROM instances WHERE json_extract(doc, '$.RegisteredBy') IS NOT NULL AND json_array_length(doc, '$.LayerIds') > 0 ORDER BY rowid",
    "DeregisterInstance": "SELECT id FROM instances WHERE json_extract(doc, '$.RegisteredBy') IS NOT NULL ORDER BY rowid",
}


def listed(database, operation):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return [" ".join(str(value) for value in row) for row in db.execute(LISTED[operation])]


def sweep_wrk(port, operation, body, connections, seconds, offset, lines=""):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(BENCH / "request.lua"),
                          f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=seconds + 60,
                         env={"OPERATION": operation, "BODY": json.dumps(body), "OFFSET": str(offset), "MODULUS": str(HOSTS),
                              "LINES": str(lines), "PATH": "/usr/bin:/bin"}).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    refused = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return {"requests": requests, "refused": refused, "ok_rps": round((requests - refused) / seconds)}


def operations(world):
    """(operation, kind, body) for every implemented operation; %N is numbered per request."""
    s, layer, app, instance, timer, small = world["stack"], world["layer"], APP, world["instance"], world["timer"], world["small"]
    arn = world["arn"]
    reads = [
        ("DescribeStacks", {"StackIds": [s]}), ("DescribeLayers", {"StackId": s}), ("DescribeApps", {"StackId": s}),
        ("DescribeInstances", {"StackId": s}), ("DescribeDeployments", {"DeploymentIds": [world["deployment"]]}),
        ("DescribeCommands", {"DeploymentId": world["deployment"]}), ("ListTags", {"ResourceArn": arn}),
        ("DescribeElasticLoadBalancers", {"StackId": s}), ("DescribeLoadBasedAutoScaling", {"LayerIds": [layer]}),
        ("DescribeTimeBasedAutoScaling", {"InstanceIds": [timer]}), ("DescribeStackSummary", {"StackId": s}),
        ("DescribeStackProvisioningParameters", {"StackId": s}), ("GetHostnameSuggestion", {"LayerId": layer}),
        ("DescribeAgentVersions", {"StackId": s}), ("DescribeOperatingSystems", {}), ("DescribeServiceErrors", {"StackId": s}),
        ("DescribeRaidArrays", {"StackId": s}),
        ("DescribeUserProfiles", {"IamUserArns": [world["user"]]}), ("DescribeMyUserProfile", {}),
        ("DescribePermissions", {"StackId": s, "IamUserArn": world["user"]}), ("DescribeElasticIps", {"StackId": s}),
        ("DescribeVolumes", {"StackId": s}), ("DescribeRdsDbInstances", {"StackId": s}), ("DescribeEcsClusters", {"StackId": s}),
        ("GrantAccess", {"InstanceId": world["windows"]}),
    ]
    writes = [
        ("CreateDeployment", CREATE_DEPLOYMENT),
        ("CreateStack", {"Name": "bench %N", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE}),
        # Spread over the pool's host stacks, as creations are spread over stacks in life: each
        # of these checks names against the rest of its stack.
        ("CreateLayer", {"StackId": "pool-host-%M", "Type": "custom", "Name": "layer %N", "Shortname": "layer-%N"}),
        ("CreateApp", {"StackId": "pool-host-%M", "Name": "app %N", "Type": "php"}),
        ("CreateInstance", {"StackId": "pool-host-%M", "LayerIds": ["pool-home-%M"], "InstanceType": "t3.small", "Hostname": "bench-%N"}),
        ("UpdateStack", {"StackId": s, "DefaultSshKeyName": "key-%N"}),
        ("UpdateLayer", {"LayerId": layer, "Packages": ["pkg-%N"]}),
        ("UpdateApp", {"AppId": app, "Description": "release %N"}),
        ("UpdateInstance", {"InstanceId": instance, "SshKeyName": "key-%N"}),
        ("StartInstance", {"InstanceId": instance}), ("StopInstance", {"InstanceId": world["stopped"]}),
        ("RebootInstance", {"InstanceId": instance}), ("StartStack", {"StackId": s}), ("StopStack", {"StackId": small}),  # five instances, online, walked to stopped
        ("TagResource", {"ResourceArn": arn, "Tags": {"release": "%N"}}), ("UntagResource", {"ResourceArn": arn, "TagKeys": ["absent"]}),
        ("SetLoadBasedAutoScaling", {"LayerId": layer, "Enable": True}),
        ("SetTimeBasedAutoScaling", {"InstanceId": timer, "AutoScalingSchedule": {"Monday": {"9": "on"}}}),
        ("CloneStack", {"SourceStackId": world["source"], "ServiceRoleArn": ROLE, "Name": "clone %N"}),
        ("AttachElasticLoadBalancer", {"ElasticLoadBalancerName": "lb-%N", "LayerId": "pool-layer-%N"}),
        ("DetachElasticLoadBalancer", {"ElasticLoadBalancerName": "lb-%N", "LayerId": "pool-layer-%N"}),
        ("DeleteStack", {"StackId": "pool-stack-%N"}), ("DeleteLayer", {"LayerId": "pool-layer-%N"}),
        ("DeleteApp", {"AppId": "pool-app-%N"}), ("DeleteInstance", {"InstanceId": "pool-instance-%N"}),
        # Users and permissions; the world's user is the one updated, the pool's are deleted.
        ("CreateUserProfile", {"IamUserArn": "arn:aws:iam::000000000000:user/bench-%N"}),
        ("UpdateUserProfile", {"IamUserArn": world["user"], "SshPublicKey": "ssh-rsa %N"}),
        ("UpdateMyUserProfile", {"SshPublicKey": "ssh-rsa %N"}),
        ("SetPermission", {"StackId": s, "IamUserArn": world["user"], "Level": "deploy"}),
        ("DeleteUserProfile", {"IamUserArn": "arn:aws:iam::000000000000:user/bench-%N"}),
        # Registrations go to the pool's host stacks; the world's own are updated and moved.
        ("RegisterElasticIp", {"ElasticIp": "%I", "StackId": "pool-host-%M"}),
        ("UpdateElasticIp", {"ElasticIp": world["eip"], "Name": "ip-%N"}),
        ("AssociateElasticIp", {"ElasticIp": world["eip"], "InstanceId": instance}),
        ("DisassociateElasticIp", {"ElasticIp": world["eip"]}),
        ("DeregisterElasticIp", {"ElasticIp": "%I"}),
        ("RegisterVolume", {"StackId": "pool-host-%M", "Ec2VolumeId": "vol-%H"}),
        ("UpdateVolume", {"VolumeId": world["volume"], "Name": "v%N"}),
        ("AssignVolume", {"VolumeId": world["volume"], "InstanceId": world["small_instance"]}),
        ("UnassignVolume", {"VolumeId": world["volume"]}),
        ("DeregisterVolume", {"VolumeId": "%L"}),
        ("RegisterRdsDbInstance", {"StackId": "pool-host-%M", "RdsDbInstanceArn": "arn:aws:rds:us-east-1:000000000000:db:d%N", "DbUser": "u", "DbPassword": "p"}),
        ("UpdateRdsDbInstance", {"RdsDbInstanceArn": world["rds"], "DbUser": "u%N"}),
        ("DeregisterRdsDbInstance", {"RdsDbInstanceArn": "arn:aws:rds:us-east-1:000000000000:db:d%N"}),
        # One cluster per stack: the empty pool stacks of the upper half, which DeleteStack never reaches.
        ("RegisterEcsCluster", {"EcsClusterArn": "arn:aws:ecs:us-east-1:000000000000:cluster/c%N", "StackId": "pool-stack-%N"}),
        ("DeregisterEcsCluster", {"EcsClusterArn": "arn:aws:ecs:us-east-1:000000000000:cluster/c%N"}),
        ("RegisterInstance", {"StackId": "pool-host-%M", "Hostname": "machine-%N", "PrivateIp": "%I"}),
        ("AssignInstance", {"InstanceId": "%L", "LayerIds": ["%K"]}),
        ("UnassignInstance", {"InstanceId": "%L"}),
        ("DeregisterInstance", {"InstanceId": "%L"}),
    ]
    return [(name, "read", body) for name, body in reads] + [(name, "write", body) for name, body in writes]


def setup(port):
    def ok(operation, body):
        status, answer = call(port, operation, body)
        assert status == 200, (operation, answer)
        return answer
    world = {"stack": STACK}
    world["layer"] = ok("DescribeLayers", {"StackId": STACK})["Layers"][0]["LayerId"]
    instances = ok("DescribeInstances", {"StackId": STACK})["Instances"]
    world["instance"] = instances[0]["InstanceId"]
    world["stopped"] = ok("CreateInstance", {"StackId": STACK, "LayerIds": [world["layer"]], "InstanceType": "t3.small"})["InstanceId"]
    world["timer"] = ok("CreateInstance", {"StackId": STACK, "LayerIds": [world["layer"]], "InstanceType": "t3.small", "AutoScalingType": "timer"})["InstanceId"]
    world["deployment"] = ok("CreateDeployment", CREATE_DEPLOYMENT)["DeploymentId"]
    world["arn"] = ok("DescribeStacks", {"StackIds": [STACK]})["Stacks"][0]["Arn"]
    ok("AttachElasticLoadBalancer", {"ElasticLoadBalancerName": "demo-lb", "LayerId": world["layer"]})
    world["small"] = ok("CreateStack", {"Name": "small", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE})["StackId"]
    small_layer = ok("CreateLayer", {"StackId": world["small"], "Type": "custom", "Name": "w", "Shortname": "w"})["LayerId"]
    for _ in range(5):
        started = ok("CreateInstance", {"StackId": world["small"], "LayerIds": [small_layer], "InstanceType": "t3.small"})["InstanceId"]
        ok("StartInstance", {"InstanceId": started})
    world["small_instance"] = started
    # What the operations of users and registrations act on.
    world["user"] = ok("CreateUserProfile", {"IamUserArn": "arn:aws:iam::000000000000:user/bench"})["IamUserArn"]
    world["eip"] = ok("RegisterElasticIp", {"ElasticIp": "203.0.113.1", "StackId": STACK})["ElasticIp"]
    # The volume moves between instances of the small stack, which StopStack has stopped by then.
    world["volume"] = ok("RegisterVolume", {"StackId": world["small"], "Ec2VolumeId": "vol-0fffffff"})["VolumeId"]
    ok("UpdateVolume", {"VolumeId": world["volume"], "MountPoint": "/mnt/bench"})
    world["rds"] = "arn:aws:rds:us-east-1:000000000000:db:bench"
    ok("RegisterRdsDbInstance", {"StackId": STACK, "RdsDbInstanceArn": world["rds"], "DbUser": "u", "DbPassword": "p"})
    ok("RegisterEcsCluster", {"EcsClusterArn": "arn:aws:ecs:us-east-1:000000000000:cluster/bench", "StackId": STACK})
    windows = ok("CreateStack", {"Name": "windows", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE,
                                 "DefaultOs": "Microsoft Windows Server 2012 R2 Base", "ConfigurationManager": {"Name": "Chef", "Version": "12.2"}})["StackId"]
    windows_layer = ok("CreateLayer", {"StackId": windows, "Type": "custom", "Name": "w", "Shortname": "w"})["LayerId"]
    world["windows"] = ok("CreateInstance", {"StackId": windows, "LayerIds": [windows_layer], "InstanceType": "t3.large"})["InstanceId"]
    ok("StartInstance", {"InstanceId": world["windows"]})
    world["source"] = ok("CreateStack", {"Name": "source", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE})["StackId"]
    ok("CreateLayer", {"StackId": world["source"], "Type": "custom", "Name": "w", "Shortname": "w"})
    return world


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(BENCH.parent / ".build/release/opsworks-local"))
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="16 connections only, 1 s a run: checks the sweep runs")
    args = parser.parse_args()
    connection_counts = (16,) if args.smoke else (1, 16)
    seconds = 1 if args.smoke else args.seconds
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="opsworks-sweep-"))
    pools = workdir / "pools.json"
    pool_fixtures(pools)
    server = ours(pathlib.Path(args.binary), workdir / "sweep.db", "--fixtures", str(pools))
    try:
        world = setup(server.port)
        next_number, results = {"ecs": POOL // 2}, {}
        for connections in connection_counts:
            rounds = {}
            for name, kind, body in operations(world):
                # Detach and DeleteLayer walk the pool layers this round's Attach walked; each
                # deregistration the resources its registration made this round.
                pool = SHARED_POOLS.get(name, name)
                start = rounds.get(pool, next_number.get(pool, 0)) if pool in SHARED_POOLS.values() else next_number.get(pool, 0)
                rounds.setdefault(pool, start)
                lines = ""
                if name in LISTED:
                    start, lines = 0, workdir / f"{name}.lines"
                    lines.write_text("".join(f"{row}\n" for row in listed(workdir / "sweep.db", name)))
                run = sweep_wrk(server.port, name, body, connections, seconds, start, lines)
                next_number[pool] = max(next_number.get(pool, 0), start + run["requests"])
                results[(name, connections)] = dict(run, kind=kind)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, connection_counts)


def report(results, connection_counts):
    reference = {"read": results[("DescribeStacks", 16)]["ok_rps"], "write": results[("CreateDeployment", 16)]["ok_rps"]}
    print("| operation | kind | " + " | ".join(f"@{c} req/s" for c in connection_counts) + " | @16 / reference | refused @16 |")
    print("|---|---|" + "---|" * len(connection_counts) + "---|---|")
    below = []
    for (name, connections), run in results.items():
        if connections != 16:
            continue
        ratio = run["ok_rps"] / reference[run["kind"]] if reference[run["kind"]] else 0
        if ratio < 0.5:
            below.append(name)
        rates = " | ".join(str(results[(name, c)]["ok_rps"]) for c in connection_counts)
        print(f"| {name} | {run['kind']} | {rates} | {ratio:.2f} | {run['refused']} |")
    print(f"\nreferences at 16 connections: reads DescribeStacks {reference['read']} req/s, writes CreateDeployment {reference['write']} req/s")
    print("below half of their reference: " + (", ".join(below) if below else "none"))


if __name__ == "__main__":
    main()
