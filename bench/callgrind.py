#!/usr/bin/env python3
"""Instructions per API call, counted by valgrind's callgrind: repeatable where wall-clock rates
swing between runs, so it is how code changes on the request path are compared.

    bench/callgrind.py BINARY [--calls 300]

Runs BINARY (an opsworks-local build, release for figures that mean anything) under callgrind
three times on an in-memory store with the demo fixtures: once idle, once answering N
DescribeDeployments, once N CreateDeployments, each on one keep-alive connection from 127.0.0.1;
an operation's figure is (its run - the idle run) / N.
"""
import argparse
import http.client
import json
import os
import pathlib
import re
import subprocess
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
DEMO = json.loads((REPO / "fixtures/demo.json").read_text())["Stacks"][0]
CALLS = {
    "DescribeDeployments": {"StackId": DEMO["StackId"]},
    "CreateDeployment": {"StackId": DEMO["StackId"], "AppId": DEMO["Apps"][0]["AppId"], "Command": {"Name": "deploy"}},
}
HEADERS = {"Content-Type": "application/x-amz-json-1.1",
           "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20250101/us-east-1/opsworks/aws4_request, "
                            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0",
           "X-Amz-Date": "20250101T000000Z"}


def instructions(binary, operation, count, workdir):
    out = pathlib.Path(workdir) / f"callgrind.{operation or 'idle'}.out"
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "--port", "0", "--in-memory",
         "--log-level", "warning", "--fixtures", str(REPO / "fixtures/demo.json")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
    try:
        line = server.stdout.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        if operation:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            body = json.dumps(CALLS[operation]).encode()
            for _ in range(count):
                connection.request("POST", "/", body=body, headers={**HEADERS, "X-Amz-Target": f"OpsWorks_20130218.{operation}"})
                response = connection.getresponse()
                response.read()
                assert response.status == 200, response.status
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=120)
    summary = subprocess.run(["callgrind_annotate", str(out)], capture_output=True, text=True).stdout
    return int(re.search(r"([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", summary).group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--calls", type=int, default=300)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        idle = instructions(arguments.binary, None, 0, workdir)
        for operation in CALLS:
            total = instructions(arguments.binary, operation, arguments.calls, workdir)
            print(f"{operation}: {(total - idle) / arguments.calls / 1000:.1f}k instructions per call")


if __name__ == "__main__":
    main()
