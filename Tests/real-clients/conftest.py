"""Starts the built opsworks-local binary for the real-client suite and hands out boto3 clients.

The binary comes from OPSWORKS_LOCAL_BIN, else .build/debug/opsworks-local (scripts/test.sh
builds it first). Every server listens on 127.0.0.1 on a port the kernel picks.
"""
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
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("OPSWORKS_LOCAL_BIN", REPO / ".build/debug/opsworks-local"))
ROLE = "arn:aws:iam::000000000000:role/aws-opsworks-service-role"
PROFILE = "arn:aws:iam::000000000000:instance-profile/aws-opsworks-ec2-role"


class Server:
    """One running opsworks-local process."""

    def __init__(self, args, workdir):
        if not BINARY.exists():
            raise RuntimeError(f"{BINARY} is missing: build it with `swift build` first")
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        self.log = open(workdir / f"server-{time.monotonic_ns()}.log", "w+")
        self.process = subprocess.Popen(
            [str(BINARY), "--host", "127.0.0.1", "--port", "0", "--log-level", "warning", *args],
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


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("opsworks-local")


@pytest.fixture(scope="session")
def server(workdir):
    running = Server(["--db", str(workdir / "suite.db")], workdir)
    yield running
    assert running.stop() == 0, "the server should exit 0 on SIGTERM"


@pytest.fixture
def start_server(workdir):
    """Starts extra servers for one test (persistence, durations); stops them afterwards."""
    started = []

    def start(*args):
        running = Server(list(args), workdir)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def client(server):
    server.reset()
    return server.client()


@pytest.fixture
def stack(client):
    return create_stack(client)


def create_stack(client, name="demo", **extra):
    return client.create_stack(Name=name, Region="us-east-1", ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE, **extra)["StackId"]


def online_instance(client, stack_id, layer_id, **extra):
    instance = client.create_instance(StackId=stack_id, LayerIds=[layer_id], InstanceType="t3.small", **extra)["InstanceId"]
    client.start_instance(InstanceId=instance)
    client.get_waiter("instance_online").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    return instance


def error_of(call):
    """Runs a call expected to fail; returns (code, message) of the ClientError."""
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
