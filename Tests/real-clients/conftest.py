"""Starts the built opsworks-local binary for the real-client suite and hands out boto3 clients.

The binary comes from OPSWORKS_LOCAL_BIN, else .build/debug/opsworks-local (scripts/test.sh
builds it first). Every server listens on 127.0.0.1 on a port the kernel picks.
"""
import re

import pytest

from harness import BINARY, PROFILE, REPO, ROLE, Server  # noqa: F401 (re-exported for the tests)

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


# Built-in layers need a Chef 11 stack; a Linux stack is Chef 12 unless it says otherwise, and
# Amazon Linux 2 (the default OS) runs only Chef 12.
CHEF_11 = {"ConfigurationManager": {"Name": "Chef", "Version": "11.10"}, "DefaultOs": "Amazon Linux 2018.03"}

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
# Request ids are random (version 4) UUIDs, as AWS's are; resource IDs are time-ordered
# (version 7) UUIDs of the same form, so that new rows append to the indexes (README, "IDs").
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RESOURCE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
