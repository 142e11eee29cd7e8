#!/usr/bin/env python3
"""The benchmark suite: opsworks-local beside moto 5.1.11 and nginx, on loopback, in one run.

Prints one table with every figure and its ratios (ours / moto, ours / nginx) and writes it as
JSON under bench/results/. Run it through bench/run.sh, which installs what it needs.
Every server listens on 127.0.0.1; every load run is bounded in time (and in count where noted).
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

BENCH = pathlib.Path(__file__).resolve().parent
REPO = BENCH.parent
DEMO = json.loads((REPO / "fixtures/demo.json").read_text())["Stacks"][0]
STACK, APP = DEMO["StackId"], DEMO["Apps"][0]["AppId"]
ROLE = "arn:aws:iam::000000000000:role/aws-opsworks-service-role"
PROFILE = "arn:aws:iam::000000000000:instance-profile/aws-opsworks-ec2-role"
CREATE_DEPLOYMENT = {"StackId": STACK, "AppId": APP, "Command": {"Name": "deploy"}}
CREATE_STACK = {"Name": "bench", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, operation, body, timeout=5):
    """One API call on a fresh connection; returns (status, parsed body)."""
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("POST", "/", json.dumps(body), {
        "X-Amz-Target": f"OpsWorks_20130218.{operation}", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/opsworks/aws4_request, SignedHeaders=host, Signature=0"})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data or b"{}")


def wait_for_answer(port, deadline):
    """Polls DescribeStacks until the server answers 200; returns the moment it did."""
    while time.monotonic() < deadline:
        try:
            if call(port, "DescribeStacks", {}, timeout=1)[0] == 200:
                return time.monotonic()
        except OSError:
            time.sleep(0.001)
    raise RuntimeError(f"no answer on port {port}")


def rss_mib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class Process:
    """A server under test; `ready` is when it first answered an OpsWorks call."""

    def __init__(self, command, port, env=None, answers_opsworks=True):
        self.port = port
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env=dict(os.environ, **(env or {})))
        self.started = time.monotonic()
        deadline = time.monotonic() + 60
        if answers_opsworks:
            self.ready = wait_for_answer(port, deadline)
            return
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.01)
        self.ready = time.monotonic()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def ours(binary, database, *extra):
    port = free_port()
    return Process([str(binary), "--port", str(port), "--db", str(database), "--log-level", "error",
                    "--fixtures", str(REPO / "fixtures/demo.json"), *extra], port, env={"SWIFT_BACKTRACE": "enable=no"})


def moto(venv):
    port = free_port()
    return Process([str(venv / "bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)], port)


def nginx(workdir):
    port = free_port()
    prefix = workdir / "nginx"
    prefix.mkdir(exist_ok=True)
    conf = (BENCH / "nginx.conf.template").read_text().replace("PREFIX", str(prefix)).replace("PORT", str(port))
    (prefix / "nginx.conf").write_text(conf)
    return Process(["nginx", "-c", str(prefix / "nginx.conf"), "-p", str(prefix)], port, answers_opsworks=False)


LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(port, operation, body, connections, seconds):
    """wrk, 1 thread, keep-alive; returns requests/s and latencies in ms."""
    env = dict(os.environ, OPERATION=operation, BODY=json.dumps(body))
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
                          "-s", str(BENCH / "request.lua"), f"http://127.0.0.1:{port}/"],
                         capture_output=True, text=True, env=env, timeout=seconds + 60).stdout
    def latency(pattern):
        match = re.search(pattern + r"\s+([\d.]+)(us|ms|s)\b", out)
        return round(float(match.group(1)) * LATENCY_UNITS[match.group(2)], 3) if match else None
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    requests = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": round(float(rps.group(1))) if rps else 0, "requests": int(requests.group(1)) if requests else 0,
            "p50_ms": latency(r"\n\s+50%"), "p99_ms": latency(r"\n\s+99%"),
            "max_ms": max_latency(out),
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(1) if errors else None}


def max_latency(out):
    match = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", out)
    return round(float(match.group(1)) * LATENCY_UNITS[match.group(2)], 3) if match else None


def startup_ms(make, runs=10):
    """Launch to the first answered DescribeStacks, median of `runs` launches."""
    times = []
    for _ in range(runs):
        server = make()
        times.append((server.ready - server.started) * 1000)
        server.stop()
    return round(statistics.median(times), 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(REPO / ".build/release/opsworks-local"))
    parser.add_argument("--moto-venv", default=str(BENCH / ".venv-moto"))
    parser.add_argument("--seconds", type=int, default=5, help="length of each load run")
    parser.add_argument("--stored", type=int, default=100_000, help="deployments for the memory and growth figures")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="a few seconds in all: checks the suite runs, asserts nothing on times")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.stored, args.startup_runs = 1, 2_000, 2
    binary, seconds = pathlib.Path(args.binary), args.seconds
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="opsworks-bench-"))
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": {"cores": os.cpu_count()}, "seconds_per_run": seconds, "ours": {}, "moto": {}, "nginx": {}}
    r = results["ours"]

    # Throughput and latency on a database that holds the demo stack and one deployment.
    server = ours(binary, workdir / "throughput.db")
    status, created = call(server.port, "CreateDeployment", CREATE_DEPLOYMENT)
    assert status == 200, created
    describe_deployment = {"DeploymentIds": [created["DeploymentId"]]}
    for connections in (1, 16):
        r[f"DescribeStacks@{connections}"] = wrk(server.port, "DescribeStacks", {"StackIds": [STACK]}, connections, seconds)
        r[f"DescribeDeployments@{connections}"] = wrk(server.port, "DescribeDeployments", describe_deployment, connections, seconds)
        r[f"CreateDeployment@{connections}"] = wrk(server.port, "CreateDeployment", CREATE_DEPLOYMENT, connections, seconds)
    server.stop()

    # Memory idle, then after N deployments; and the rates with N stored.
    server = ours(binary, workdir / "growth.db")
    time.sleep(0.5)
    r["rss_idle_mib"] = round(rss_mib(server.process.pid), 1)
    r["stored_deployments"] = fill(server.port, workdir / "growth.db", args.stored)
    r["rss_after_stored_mib"] = round(rss_mib(server.process.pid), 1)
    r[f"CreateDeployment@16 with {args.stored} stored"] = wrk(server.port, "CreateDeployment", CREATE_DEPLOYMENT, 16, seconds)
    r[f"DescribeDeployments@16 with {args.stored} stored"] = wrk(server.port, "DescribeDeployments", describe_deployment_of(server.port), 16, seconds)
    server.stop()
    r["startup_ms"] = startup_ms(lambda: ours(binary, workdir / f"start-{time.monotonic_ns()}.db"), args.startup_runs)

    # moto 5.1.11: the last emulator with OpsWorks (DescribeStacks and CreateStack only).
    venv = pathlib.Path(args.moto_venv)
    if (venv / "bin/moto_server").exists():
        m = results["moto"]
        server = moto(venv)
        call(server.port, "CreateStack", CREATE_STACK)
        m["rss_after_one_call_mib"] = round(rss_mib(server.process.pid), 1)
        for connections in (1, 16):
            m[f"DescribeStacks@{connections}"] = wrk(server.port, "DescribeStacks", {}, connections, seconds)
            m[f"CreateStack@{connections}"] = wrk(server.port, "CreateStack", CREATE_STACK, connections, seconds)
        server.stop()
        m["startup_ms"] = startup_ms(lambda: moto(venv), args.startup_runs)

    # nginx with a fixed response: the ceiling for an HTTP server on this machine.
    if shutil.which("nginx"):
        server = nginx(workdir)
        for connections in (1, 16):
            results["nginx"][f"fixed@{connections}"] = wrk(server.port, "DescribeStacks", {}, connections, seconds)
        server.stop()

    report(results)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{results['date'].replace(':', '')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"\nwritten: {path}")
    shutil.rmtree(workdir, ignore_errors=True)


def stored_deployments(database):
    import sqlite3
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM deployments").fetchone()[0]


def fill(port, database, count):
    """CreateDeployment at 16 connections in short runs until `count` are stored (60 runs at most)."""
    stored = stored_deployments(database)
    for _ in range(60):
        if stored >= count:
            break
        run = wrk(port, "CreateDeployment", CREATE_DEPLOYMENT, 16, 2)
        assert run["non2xx"] == 0, run
        stored = stored_deployments(database)
    return stored


def describe_deployment_of(port):
    _, answer = call(port, "DescribeDeployments", {"StackId": STACK})
    return {"DeploymentIds": [answer["Deployments"][0]["DeploymentId"]]}


def report(results):
    r, m, n = results["ours"], results["moto"], results["nginx"]
    def rate(run):
        return run["rps"] if run else None
    def ratio(a, b):
        return f"{a / b:.2f}x" if a and b else "-"
    rows = []
    for name in ["DescribeStacks", "DescribeDeployments", "CreateDeployment"]:
        for connections in (1, 16):
            run = r.get(f"{name}@{connections}")
            moto_name = {"DescribeStacks": "DescribeStacks", "CreateDeployment": "CreateStack"}.get(name)
            moto_run = m.get(f"{moto_name}@{connections}") if moto_name else None
            nginx_run = n.get(f"fixed@{connections}")
            rows.append((f"{name} @{connections} conn", f"{rate(run)} req/s  p50 {run['p50_ms']} ms  p99 {run['p99_ms']} ms  max {run['max_ms']} ms",
                         f"{moto_name} {rate(moto_run)} req/s p99 {moto_run['p99_ms']} ms" if moto_run else "-",
                         f"{rate(nginx_run)} req/s" if nginx_run else "-",
                         ratio(rate(run), rate(moto_run)), ratio(rate(run), rate(nginx_run))))
    for key, value in r.items():
        if " stored" in key:
            base = r[key.split(" with")[0]]
            rows.append((key, f"{value['rps']} req/s  p99 {value['p99_ms']} ms", "-", "-", "-", f"{value['rps'] / base['rps']:.0%} of empty"))
    rows.append(("start-up (median)", f"{r['startup_ms']} ms", f"{m.get('startup_ms', '-')} ms", "-", ratio(r["startup_ms"], m.get("startup_ms")), "-"))
    rows.append(("RSS idle", f"{r['rss_idle_mib']} MiB", "-", "-", "-", "-"))
    rows.append((f"RSS after {r['stored_deployments']} deployments", f"{r['rss_after_stored_mib']} MiB",
                 f"{m.get('rss_after_one_call_mib', '-')} MiB after one call", "-", ratio(r["rss_after_stored_mib"], m.get("rss_after_one_call_mib")), "-"))
    widths = [max(len(str(row[i])) for row in rows + [HEADER]) for i in range(len(HEADER))]
    for row in [HEADER] + rows:
        print(" | ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
    errors = {k: v["non2xx"] for k, v in {**r, **m}.items() if isinstance(v, dict) and v.get("non2xx")}
    if errors:
        print(f"\nnon-2xx responses: {errors}")


HEADER = ("figure", "opsworks-local", "moto 5.1.11", "nginx (fixed body)", "ours / moto", "ours / nginx")

if __name__ == "__main__":
    main()
