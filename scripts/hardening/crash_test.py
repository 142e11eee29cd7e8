#!/usr/bin/env python3
"""Durability under SIGKILL: 16 connections create deployments, the server is killed at a random
moment, restarted on the same database, and every DeploymentId a client was given must be there
with its commands, and `PRAGMA integrity_check` must say ok.

    .venv/bin/python scripts/hardening/crash_test.py --trials 20
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
from harness import REPO, Connection, Server

DEMO = REPO / "fixtures/demo.json"
FIXTURE = json.loads(DEMO.read_text())["Stacks"][0]
STACK, APP = FIXTURE["StackId"], FIXTURE["Apps"][0]["AppId"]
TARGETS = len(FIXTURE["Instances"])


def writer(port, acknowledged, refused, lock, stop, deadline):
    """Creates deployments until stopped; records each ID the server acknowledged."""
    try:
        connection = Connection(port, timeout=5)
        while not stop.is_set() and time.monotonic() < deadline:
            status, body = connection.call("CreateDeployment", {"StackId": STACK, "AppId": APP, "Command": {"Name": "deploy"}})
            with lock:
                (acknowledged if status == 200 else refused).append(body.get("DeploymentId", body))
    except (OSError, ValueError, http.client.HTTPException):
        pass  # the server was killed under us


def trial(database, workdir, clients, rng):
    server = Server(["--db", str(database), "--fixtures", str(DEMO), "--log-level", "error"], workdir)
    acknowledged, refused, lock, stop = [], [], threading.Lock(), threading.Event()
    deadline = time.monotonic() + 30
    threads = [threading.Thread(target=writer, args=(server.port, acknowledged, refused, lock, stop, deadline)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(rng.uniform(0.2, 1.5))
    server.process.kill()  # SIGKILL: no chance to flush or close anything
    server.process.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    server.log.close()

    restarted = Server(["--db", str(database), "--log-level", "error"], workdir)
    connection = Connection(restarted.port)
    found = 0
    for start in range(0, len(acknowledged), 100):
        batch = acknowledged[start:start + 100]
        status, body = connection.call("DescribeDeployments", {"DeploymentIds": batch})
        if status == 200:
            found += len(body["Deployments"])
        else:  # some ID is missing: count them one by one
            for deployment_id in batch:
                status, _ = connection.call("DescribeDeployments", {"DeploymentIds": [deployment_id]})
                found += status == 200
    connection.close()
    assert restarted.stop() == 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        counts = dict(db.execute("SELECT deployment_id, count(*) FROM commands GROUP BY deployment_id").fetchall())
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    without_commands = sum(1 for deployment_id in acknowledged if counts.get(deployment_id) != TARGETS)
    return {"acknowledged": len(acknowledged), "refused": len(refused), "lost": len(acknowledged) - found,
            "without_all_commands": without_commands, "integrity": integrity}


def run(trials, clients=16, seed=None, workdir=None):
    rng = random.Random(seed)
    workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="opsworks-crash-"))
    database = workdir / "crash.db"
    results = [trial(database, workdir, clients, rng) for _ in range(trials)]
    summary = {
        "trials": trials,
        "acknowledged": sum(r["acknowledged"] for r in results),
        "lost": sum(r["lost"] for r in results),
        "without_all_commands": sum(r["without_all_commands"] for r in results),
        "refused": sum(r["refused"] for r in results),
        "integrity_ok": all(r["integrity"] == "ok" for r in results),
    }
    return summary, results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    summary, results = run(args.trials, args.clients, args.seed)
    for number, result in enumerate(results, 1):
        print(f"trial {number:2}: {result}")
    print(json.dumps(summary))
    ok = summary["lost"] == 0 and summary["without_all_commands"] == 0 and summary["refused"] == 0 and summary["integrity_ok"]
    print("crash test: " + ("ok" if ok else "FAILED"))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
