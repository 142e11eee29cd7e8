"""What the real-client suite and the hardening scripts share: the built binary, a running
server process, and raw requests on the wire. Everything talks to 127.0.0.1 only."""
import http.client
import json
import os
import pathlib
import re
import signal
import subprocess
import time

import boto3
import botocore.config

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("OPSWORKS_LOCAL_BIN", REPO / ".build/debug/opsworks-local"))
ROLE = "arn:aws:iam::000000000000:role/aws-opsworks-service-role"
PROFILE = "arn:aws:iam::000000000000:instance-profile/aws-opsworks-ec2-role"


class Server:
    """One running opsworks-local process."""

    def __init__(self, args, workdir, wrapper=(), binary=BINARY):
        if not pathlib.Path(binary).exists():
            raise RuntimeError(f"{binary} is missing: build it with `swift build` first")
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        self.log = open(workdir / f"server-{time.monotonic_ns()}.log", "w+")
        self.process = subprocess.Popen(
            [*wrapper, str(binary), "--host", "127.0.0.1", "--port", "0", "--log-level", "warning", *args],
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=env, cwd=workdir,
        )
        line = self.process.stdout.readline()  # the ready line; empty if the process died
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.process.kill()
            self.log.seek(0)
            raise RuntimeError(f"server did not start: {line!r} {self.log.read()}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def client(self, region="us-east-1", key="x", **config):
        return boto3.client(
            "opsworks", endpoint_url=self.url, region_name=region,
            aws_access_key_id=key, aws_secret_access_key="x",
            config=botocore.config.Config(**config) if config else None,
        )

    def raw(self, body, target="OpsWorks_20130218.DescribeStacks", method="POST", path="/", headers=None):
        """A request as bytes on the wire; returns (status, headers, parsed JSON body or None)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        all_headers = {"Content-Type": "application/x-amz-json-1.1"}
        if target is not None:
            all_headers["X-Amz-Target"] = target
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, dict(response.getheaders()), parsed

    def reset(self):
        status, _, _ = self.raw(b"", target=None, path="/_opsworks-local/reset")
        assert status == 200

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        return self.process.returncode

    def log_text(self):
        with open(self.log.name) as log:
            return log.read()


def read_rss_peak_kib(pid):
    """The process's peak resident set size (VmHWM), in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def api_request(operation, body, region="us-east-1", key="AKIDLOCAL", extra_headers=b""):
    """The bytes of a request shaped as botocore sends it (unsigned, which the server accepts by default)."""
    payload = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: OpsWorks_20130218." + operation.encode()
            + b"\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Date: 20250101T000000Z\r\n"
            + b"Authorization: AWS4-HMAC-SHA256 Credential=" + key.encode() + b"/20250101/" + region.encode()
            + b"/opsworks/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0\r\n"
            + extra_headers + b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)


class Connection:
    """One keep-alive connection that sends API calls and parses the answers."""

    def __init__(self, port, timeout=30):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, operation, body):
        payload = json.dumps(body).encode()
        self.http.request("POST", "/", body=payload, headers={
            "X-Amz-Target": f"OpsWorks_20130218.{operation}", "Content-Type": "application/x-amz-json-1.1"})
        response = self.http.getresponse()
        data = response.read()
        return response.status, json.loads(data)

    def close(self):
        self.http.close()
