#!/usr/bin/env python3
"""Concurrency: 64 clients run a mix of creates, updates and describes across several stacks;
afterwards every count must be exact, no request may fail and every response must parse.

    .venv/bin/python scripts/hardening/load_mix.py --clients 64 --rounds 50
"""
import argparse
import http.client
import json
import pathlib
import tempfile
import threading
import time

import _path  # noqa: F401
from harness import PROFILE, ROLE, Connection, Server


def client_work(port, number, stacks, rounds, report):
    """One client: its own app in a stack it shares with others, updated and deployed each round."""
    stack = stacks[number % len(stacks)]
    counts = {"apps": 0, "instances": 0, "deployments": 0, "updates": 0, "describes": 0, "failures": []}
    try:
        c = Connection(port)
        def call(operation, body, expect):
            status, answer = c.call(operation, body)
            if status != 200 or not all(key in answer for key in expect):
                counts["failures"].append((operation, status, answer))
            return answer
        app = call("CreateApp", {"StackId": stack["StackId"], "Name": f"app-{number}", "Type": "php"}, ["AppId"])["AppId"]
        counts["apps"] += 1
        for round_number in range(rounds):
            call("UpdateApp", {"AppId": app, "Name": f"app-{number}-v{round_number}"}, [])
            counts["updates"] += 1
            call("CreateInstance", {"StackId": stack["StackId"], "LayerIds": [stack["LayerId"]], "InstanceType": "t3.small"}, ["InstanceId"])
            counts["instances"] += 1
            call("CreateDeployment", {"StackId": stack["StackId"], "AppId": app, "Command": {"Name": "deploy"}}, ["DeploymentId"])
            counts["deployments"] += 1
            call("DescribeDeployments", {"AppId": app}, ["Deployments"])
            call("DescribeStacks", {"StackIds": [stack["StackId"]]}, ["Stacks"])
            call("DescribeApps", {"AppIds": [app]}, ["Apps"])
            counts["describes"] += 3
        c.close()
    except (OSError, ValueError, http.client.HTTPException) as error:
        counts["failures"].append(("connection", repr(error)))
    counts["number"] = number
    counts["app"] = app if counts["apps"] else None
    counts["stack"] = stack["StackId"]
    report[number] = counts


def run(clients=64, rounds=50, stack_count=4, workdir=None):
    workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="opsworks-load-"))
    server = Server(["--db", f"{workdir}/load.db", "--log-level", "error"], workdir)
    try:
        setup = Connection(server.port)
        stacks = []
        for number in range(stack_count):
            _, stack = setup.call("CreateStack", {"Name": f"s{number}", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE})
            _, layer = setup.call("CreateLayer", {"StackId": stack["StackId"], "Type": "custom", "Name": "Web", "Shortname": "web"})
            stacks.append({"StackId": stack["StackId"], "LayerId": layer["LayerId"]})
        report = {}
        started = time.monotonic()
        threads = [threading.Thread(target=client_work, args=(server.port, n, stacks, rounds, report)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        elapsed = time.monotonic() - started
        # A fresh connection: the setup one sat idle through the run and may have timed out.
        setup.close()
        setup = Connection(server.port)
        failures = [f for r in report.values() for f in r["failures"]]
        mismatches = []
        # Exact counts per stack: what the clients were told was created is what is stored.
        for stack in stacks:
            mine = [r for r in report.values() if r["stack"] == stack["StackId"]]
            _, apps = setup.call("DescribeApps", {"StackId": stack["StackId"]})
            _, instances = setup.call("DescribeInstances", {"StackId": stack["StackId"]})
            _, deployments = setup.call("DescribeDeployments", {"StackId": stack["StackId"]})
            for name, got, want in [("apps", len(apps["Apps"]), sum(r["apps"] for r in mine)),
                                    ("instances", len(instances["Instances"]), sum(r["instances"] for r in mine)),
                                    ("deployments", len(deployments["Deployments"]), sum(r["deployments"] for r in mine))]:
                if got != want:
                    mismatches.append((stack["StackId"], name, got, want))
            # Each app carries its client's last update.
            names = {a["AppId"]: a["Name"] for a in apps["Apps"]}
            for r in mine:
                if r["app"] and names.get(r["app"]) != f"app-{r['number']}-v{rounds - 1}":
                    mismatches.append((r["app"], "name", names.get(r["app"])))
        requests = sum(r["apps"] + r["updates"] + r["instances"] + r["deployments"] + r["describes"] for r in report.values())
        return {"clients": clients, "rounds": rounds, "requests": requests, "seconds": round(elapsed, 2),
                "failures": len(failures), "mismatches": mismatches, "first_failures": failures[:3],
                "finished_clients": len(report)}
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    summary = run(args.clients, args.rounds)
    print(json.dumps(summary))
    ok = summary["failures"] == 0 and not summary["mismatches"] and summary["finished_clients"] == args.clients
    print("load mix: " + ("ok" if ok else "FAILED"))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
