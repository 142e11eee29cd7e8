#!/usr/bin/env python3
"""Cascades are atomic under SIGKILL: clients stop stacks (every instance walks its lifecycle),
clone stacks (layers, their scaling and apps copied) and delete instances (with DeleteElasticIp
and DeleteVolumes) while the server is killed at a random moment. After a restart on the same
database each cascade is whole or absent, every acknowledged one is whole, and
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


def build(port):
    """Stacks with two layers (one with load-based scaling), an app, instances online; and
    stopped instances to delete. Returns the IDs the writers act on."""
    connection = Connection(port)
    world = {"stacks": [], "deletable": []}
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
            world["deletable"].append(stopped["InstanceId"])
        world["stacks"].append(stack_id)
    connection.close()
    return world


def writer(port, jobs, acknowledged, lock, deadline):
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
            else:
                status, body = connection.call("DeleteInstance", {"InstanceId": target, "DeleteElasticIp": True, "DeleteVolumes": True})
            if status == 200:
                with lock:
                    acknowledged.append((kind, target, body.get("StackId")))
    except (OSError, ValueError, http.client.HTTPException):
        pass  # killed under us


def check(database, acknowledged):
    """Each cascade whole or absent; the acknowledged ones whole."""
    problems = []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        # StopStack: a stack's instances all walk the same way (every timeline starts with the
        # first status of the last transition).
        for stack_id, firsts in db.execute("""SELECT i.stack_id, group_concat(DISTINCT substr(i.timeline, 1, instr(i.timeline, '@') - 1))
                                             FROM instances i JOIN stacks s ON s.scope = i.scope AND s.id = i.stack_id
                                             WHERE json_extract(s.doc, '$.Name') NOT LIKE 'clone-of-%' AND i.timeline NOT LIKE 'stopped@%'
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
        partial = db.execute("SELECT count(*) FROM instances i WHERE (SELECT count(*) FROM instance_layers l WHERE l.scope = i.scope AND l.instance_id = i.id) != 2").fetchone()[0]
        if partial:
            problems.append(f"{partial} instances without both layer links")
        for kind, target, clone in acknowledged:
            if kind == "delete" and db.execute("SELECT 1 FROM instances WHERE id = ?", (target,)).fetchone():
                problems.append(f"acknowledged DeleteInstance {target} undone")
            if kind == "clone" and not db.execute("SELECT 1 FROM stacks WHERE id = ?", (clone,)).fetchone():
                problems.append(f"acknowledged CloneStack {clone} lost")
            if kind == "stop":
                moving = db.execute("SELECT count(*) FROM instances WHERE stack_id = ? AND timeline NOT LIKE 'stopping@%' AND timeline NOT LIKE 'stopped@%'", (target,)).fetchone()[0]
                if moving:
                    problems.append(f"acknowledged StopStack {target} left {moving} instances running")
    return integrity, problems


def trial(workdir, number, rng, clients=8):
    database = workdir / f"cascade-{number}.db"
    server = Server(["--db", str(database), "--log-level", "error"], workdir)
    world = build(server.port)
    jobs = [("stop", s) for s in world["stacks"]] + [("clone", s) for s in world["stacks"]] * 5 + [("delete", i) for i in world["deletable"]]
    rng.shuffle(jobs)
    acknowledged, lock = [], threading.Lock()
    deadline = time.monotonic() + 30
    threads = [threading.Thread(target=writer, args=(server.port, jobs, acknowledged, lock, deadline)) for _ in range(clients)]
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
    integrity, problems = check(database, acknowledged)
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
