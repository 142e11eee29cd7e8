#!/usr/bin/env python3
"""Cascades are atomic under SIGKILL: clients stop stacks (every instance walks its lifecycle),
clone stacks (layers, their scaling and apps copied), delete instances with an Elastic IP and a
volume (released with DeleteElasticIp/DeleteVolumes, or kept registered), deregister registered
machines (their address goes with them) and delete stacks that hold registrations (Elastic IPs,
volumes, RDS, ECS, permissions), while the server is killed at a random moment. After a restart
on the same database each cascade is whole or absent, every acknowledged one is whole, and
`PRAGMA integrity_check` says ok.

    .venv/bin/python scripts/hardening/cascade_crash_test.py --trials 10
"""
import argparse
import http.client
import json
import pathlib
import random
import sqlite3
import tempfile
import threading
import time

import _path  # noqa: F401
from harness import PROFILE, ROLE, Connection, Server

STACKS = 30
INSTANCES_PER_STACK = 3


def build(port, rng):
    """Stacks with two layers (one with load-based scaling), an app, instances online; stopped
    instances to delete, each with an Elastic IP and a volume; registered machines with an
    address; empty stacks holding registrations. Returns the IDs the writers act on."""
    connection = Connection(port)
    world = {"stacks": [], "deletable": [], "release": {}, "attached": {}, "registered": [], "holders": []}
    connection.call("CreateUserProfile", {"IamUserArn": "arn:aws:iam::000000000000:user/crash"})
    addresses = iter(range(1, 60000))

    def address():
        number = next(addresses)
        return f"10.9.{number // 256}.{number % 256}"
    for number in range(STACKS):
        _, stack = connection.call("CreateStack", {"Name": f"s{number}", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE})
        stack_id = stack["StackId"]
        layers = [connection.call("CreateLayer", {"StackId": stack_id, "Type": "custom", "Name": name, "Shortname": name})[1]["LayerId"] for name in ("web", "api")]
        connection.call("SetLoadBasedAutoScaling", {"LayerId": layers[0], "Enable": True})
        connection.call("CreateApp", {"StackId": stack_id, "Name": "Shop", "Type": "php"})
        for _ in range(INSTANCES_PER_STACK):
            _, instance = connection.call("CreateInstance", {"StackId": stack_id, "LayerIds": layers, "InstanceType": "t3.small"})
            connection.call("StartInstance", {"InstanceId": instance["InstanceId"]})
            _, stopped = connection.call("CreateInstance", {"StackId": stack_id, "LayerIds": layers, "InstanceType": "t3.small"})
            ip = address()
            connection.call("RegisterElasticIp", {"ElasticIp": ip, "StackId": stack_id})
            connection.call("AssociateElasticIp", {"ElasticIp": ip, "InstanceId": stopped["InstanceId"]})
            _, volume = connection.call("RegisterVolume", {"StackId": stack_id, "Ec2VolumeId": "vol-%08x" % next(addresses)})
            connection.call("UpdateVolume", {"VolumeId": volume["VolumeId"], "MountPoint": "/mnt/data"})
            connection.call("AssignVolume", {"VolumeId": volume["VolumeId"], "InstanceId": stopped["InstanceId"]})
            world["deletable"].append(stopped["InstanceId"])
            world["attached"][stopped["InstanceId"]] = [("elastic-ip", ip), ("volume", volume["VolumeId"])]
            world["release"][stopped["InstanceId"]] = rng.random() < 0.5
            _, machine = connection.call("RegisterInstance", {"StackId": stack_id, "Hostname": f"m{next(addresses)}"})
            ip = address()
            connection.call("RegisterElasticIp", {"ElasticIp": ip, "StackId": stack_id})
            connection.call("AssociateElasticIp", {"ElasticIp": ip, "InstanceId": machine["InstanceId"]})
            world["registered"].append(machine["InstanceId"])
        world["stacks"].append(stack_id)
        _, holder = connection.call("CreateStack", {"Name": f"h{number}", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE})
        holder_id = holder["StackId"]
        connection.call("RegisterElasticIp", {"ElasticIp": address(), "StackId": holder_id})
        connection.call("RegisterVolume", {"StackId": holder_id, "Ec2VolumeId": "vol-%08x" % next(addresses)})
        connection.call("RegisterRdsDbInstance", {"StackId": holder_id, "RdsDbInstanceArn": f"arn:aws:rds:us-east-1:000000000000:db:d{number}", "DbUser": "u", "DbPassword": "p"})
        connection.call("RegisterEcsCluster", {"StackId": holder_id, "EcsClusterArn": f"arn:aws:ecs:us-east-1:000000000000:cluster/c{number}"})
        connection.call("SetPermission", {"StackId": holder_id, "IamUserArn": "arn:aws:iam::000000000000:user/crash", "Level": "deploy"})
        world["holders"].append(holder_id)
    connection.close()
    return world


def writer(port, jobs, releases, acknowledged, lock, deadline):
    try:
        connection = Connection(port, timeout=5)
        while time.monotonic() < deadline:
            with lock:
                if not jobs:
                    return
                kind, target = jobs.pop()
            if kind == "stop":
                status, body = connection.call("StopStack", {"StackId": target})
            elif kind == "clone":
                status, body = connection.call("CloneStack", {"SourceStackId": target, "ServiceRoleArn": ROLE, "Name": f"clone-of-{target}",
                                                              "CloneAppIds": []})
            elif kind == "deregister":
                status, body = connection.call("DeregisterInstance", {"InstanceId": target})
            elif kind == "delete-stack":
                status, body = connection.call("DeleteStack", {"StackId": target})
            else:
                release = releases[target]
                status, body = connection.call("DeleteInstance", {"InstanceId": target, "DeleteElasticIp": release, "DeleteVolumes": release})
            if status == 200:
                with lock:
                    acknowledged.append((kind, target, body.get("StackId")))
    except (OSError, ValueError, http.client.HTTPException):
        pass  # killed under us


def check(database, acknowledged, world):
    """Each cascade whole or absent; the acknowledged ones whole."""
    problems = []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        # StopStack: a stack's instances all walk the same way (every timeline starts with the
        # first status of the last transition).
        for stack_id, firsts in db.execute("""SELECT i.stack_id, group_concat(DISTINCT substr(i.timeline, 1, instr(i.timeline, '@') - 1))
                                             FROM instances i JOIN stacks s ON s.scope = i.scope AND s.id = i.stack_id
                                             WHERE json_extract(s.doc, '$.Name') NOT LIKE 'clone-of-%' AND i.timeline NOT LIKE 'stopped@%'
                                             AND json_extract(i.doc, '$.RegisteredBy') IS NULL
                                             GROUP BY i.stack_id"""):
            if "," in firsts:
                problems.append(f"stack {stack_id} half stopped: {firsts}")
        # CloneStack: a clone has both layers and the source's scaling, or does not exist.
        for stack_id, layers, scaled in db.execute("""SELECT s.id, (SELECT count(*) FROM layers l WHERE l.scope = s.scope AND l.stack_id = s.id),
                                                      (SELECT count(*) FROM load_based_scaling b JOIN layers l ON l.scope = b.scope AND l.id = b.layer_id
                                                       WHERE l.stack_id = s.id)
                                                      FROM stacks s WHERE json_extract(s.doc, '$.Name') LIKE 'clone-of-%'"""):
            if (layers, scaled) != (2, 1):
                problems.append(f"clone {stack_id} partial: {layers} layers, {scaled} scaled")
        # DeleteInstance: no link or schedule outlives its instance; every instance keeps both layers.
        orphans = db.execute("SELECT count(*) FROM instance_layers l WHERE NOT EXISTS (SELECT 1 FROM instances i WHERE i.scope = l.scope AND i.id = l.instance_id)").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} layer links of deleted instances")
        partial = db.execute("""SELECT count(*) FROM instances i WHERE json_extract(i.doc, '$.RegisteredBy') IS NULL
                                AND (SELECT count(*) FROM instance_layers l WHERE l.scope = i.scope AND l.instance_id = i.id) != 2""").fetchone()[0]
        if partial:
            problems.append(f"{partial} instances without both layer links")
        # Registrations: an attachment names an instance that exists and names it back; a
        # registration's stack exists.
        for ip, instance_id, named in db.execute("""SELECT r.id, r.instance_id, json_extract(i.doc, '$.ElasticIp') FROM registrations r
                                                  LEFT JOIN instances i ON i.scope = r.scope AND i.id = r.instance_id
                                                  WHERE r.kind = 'elastic-ip' AND r.instance_id IS NOT NULL"""):
            if named != ip:
                problems.append(f"Elastic IP {ip} attached to {instance_id}, which names {named}")
        stray = db.execute("""SELECT count(*) FROM registrations r WHERE r.instance_id IS NOT NULL
                              AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.scope = r.scope AND i.id = r.instance_id)""").fetchone()[0]
        if stray:
            problems.append(f"{stray} registrations attached to deleted instances")
        for table in ("registrations", "permissions"):
            orphans = db.execute(f"SELECT count(*) FROM {table} t WHERE t.stack_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stacks s WHERE s.scope = t.scope AND s.id = t.stack_id)").fetchone()[0]
            if orphans:
                problems.append(f"{orphans} {table} of deleted stacks")
        # DeleteInstance, whole or absent: a remaining instance keeps its address and volume;
        # a deleted one released both (DeleteElasticIp/DeleteVolumes) or left both registered, unattached.
        for instance_id, resources in world["attached"].items():
            exists = db.execute("SELECT 1 FROM instances WHERE id = ?", (instance_id,)).fetchone() is not None
            for kind, resource_id in resources:
                row = db.execute("SELECT instance_id FROM registrations WHERE kind = ? AND id = ?", (kind, resource_id)).fetchone()
                expected = (instance_id,) if exists else None if world["release"][instance_id] else (None,)
                if row != expected:
                    problems.append(f"{kind} {resource_id} of instance {instance_id} (there: {exists}): {row}, expected {expected}")
        for kind, target, clone in acknowledged:
            if kind in ("delete", "deregister") and db.execute("SELECT 1 FROM instances WHERE id = ?", (target,)).fetchone():
                problems.append(f"acknowledged {kind} {target} undone")
            if kind == "delete-stack" and db.execute("SELECT 1 FROM stacks WHERE id = ?", (target,)).fetchone():
                problems.append(f"acknowledged DeleteStack {target} undone")
            if kind == "clone" and not db.execute("SELECT 1 FROM stacks WHERE id = ?", (clone,)).fetchone():
                problems.append(f"acknowledged CloneStack {clone} lost")
            if kind == "stop":
                moving = db.execute("""SELECT count(*) FROM instances WHERE stack_id = ? AND timeline NOT LIKE 'stopping@%' AND timeline NOT LIKE 'stopped@%'
                                       AND json_extract(doc, '$.RegisteredBy') IS NULL""", (target,)).fetchone()[0]
                if moving:
                    problems.append(f"acknowledged StopStack {target} left {moving} instances running")
    return integrity, problems


def trial(workdir, number, rng, clients=8):
    database = workdir / f"cascade-{number}.db"
    server = Server(["--db", str(database), "--log-level", "error"], workdir)
    world = build(server.port, rng)
    jobs = [("stop", s) for s in world["stacks"]] + [("clone", s) for s in world["stacks"]] * 5 + [("delete", i) for i in world["deletable"]] \
        + [("deregister", i) for i in world["registered"]] + [("delete-stack", s) for s in world["holders"]]
    rng.shuffle(jobs)
    acknowledged, lock = [], threading.Lock()
    deadline = time.monotonic() + 30
    threads = [threading.Thread(target=writer, args=(server.port, jobs, world["release"], acknowledged, lock, deadline)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(rng.uniform(0.005, 0.12))
    server.process.kill()
    server.process.wait(timeout=10)
    for thread in threads:
        thread.join(timeout=10)
    server.log.close()
    restarted = Server(["--db", str(database), "--log-level", "error"], workdir)  # recovery runs on open
    assert restarted.stop() == 0
    integrity, problems = check(database, acknowledged, world)
    return {"acknowledged": len(acknowledged), "integrity": integrity, "problems": problems}


def run(trials, seed=None, workdir=None):
    rng = random.Random(seed)
    workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="opsworks-cascade-"))
    results = [trial(workdir, number, rng) for number in range(trials)]
    summary = {"trials": trials, "acknowledged": sum(r["acknowledged"] for r in results),
               "problems": [p for r in results for p in r["problems"]], "integrity_ok": all(r["integrity"] == "ok" for r in results)}
    return summary, results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    summary, results = run(args.trials, args.seed)
    for number, result in enumerate(results, 1):
        print(f"trial {number:2}: acknowledged {result['acknowledged']}, integrity {result['integrity']}, problems {result['problems']}")
    print(json.dumps({k: v for k, v in summary.items() if k != "problems"} | {"problems": len(summary["problems"])}))
    ok = not summary["problems"] and summary["integrity_ok"]
    print("cascade crash test: " + ("ok" if ok else "FAILED"))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
