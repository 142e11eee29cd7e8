"""The server as a process: restart on the same database, fixtures, durations, the command line."""
import json
import re
import os
import pathlib
import signal
import subprocess
import time

import pytest

from conftest import BINARY, REPO, create_stack, online_instance

DEMO = REPO / "fixtures/demo.json"


def test_state_survives_a_restart(start_server, tmp_path):
    database = str(tmp_path / "state.db")
    first = start_server("--db", database)
    c = first.client()
    stack = create_stack(c)
    layer = c.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    instance = online_instance(c, stack, layer)
    app = c.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    c.update_app(AppId=app, Name="Shop v2")
    deployment = c.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"})["DeploymentId"]
    assert first.stop() == 0

    second = start_server("--db", database)
    c = second.client()
    assert [s["StackId"] for s in c.describe_stacks()["Stacks"]] == [stack]
    assert c.describe_instances(InstanceIds=[instance])["Instances"][0]["Status"] == "online"
    assert c.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]["Status"] == "successful"
    assert len(c.describe_commands(DeploymentId=deployment)["Commands"]) == 1
    # The earlier release was kept too, so a rollback still succeeds.
    rollback = c.create_deployment(StackId=stack, AppId=app, Command={"Name": "rollback"})["DeploymentId"]
    assert c.describe_deployments(DeploymentIds=[rollback])["Deployments"][0]["Status"] == "successful"


def test_sigint_stops_the_server_cleanly(start_server, tmp_path):
    server = start_server("--db", str(tmp_path / "int.db"))
    assert server.stop(signal.SIGINT) == 0


def test_the_demo_fixtures_load_once_however_often_they_are_given(start_server, tmp_path):
    database = str(tmp_path / "fixtures.db")
    server = start_server("--db", database, "--fixtures", str(DEMO), "--fixtures", str(DEMO))
    c = server.client()
    fixture = json.loads(DEMO.read_text())["Stacks"][0]
    stack, = c.describe_stacks()["Stacks"]
    assert stack["StackId"] == fixture["StackId"] and stack["Name"] == fixture["Name"]
    instances = c.describe_instances(StackId=stack["StackId"])["Instances"]
    assert len(instances) == len(fixture["Instances"])
    assert {i["Status"] for i in instances} == {"online"}
    assert len(c.describe_layers(StackId=stack["StackId"])["Layers"]) == len(fixture["Layers"])
    app = fixture["Apps"][0]["AppId"]
    deployment = c.create_deployment(StackId=stack["StackId"], AppId=app, Command={"Name": "deploy"})["DeploymentId"]
    assert len(c.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]["InstanceIds"]) == len(instances)
    server.stop()
    again = start_server("--db", database, "--fixtures", str(DEMO))
    assert len(again.client().describe_stacks()["Stacks"]) == 1


def test_a_bad_fixtures_file_stops_the_start_with_a_message(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"Stacks": [{"StackId": "s1", "Name": "x", "Region": "us-east-1"}]}')
    result = subprocess.run([str(BINARY), "--in-memory", "--port", "0", "--fixtures", str(bad)],
                            capture_output=True, text=True, timeout=30, env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
    assert result.returncode == 2
    assert "bad.json" in result.stderr and "ValidationException" in result.stderr


def test_durations_make_the_lifecycle_observable(start_server):
    server = start_server("--in-memory", "--deployment-seconds", "1", "--instance-step-seconds", "0.2")
    c = server.client()
    stack = create_stack(c)
    layer = c.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    instance = c.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    c.start_instance(InstanceId=instance)
    seen = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status = c.describe_instances(InstanceIds=[instance])["Instances"][0]["Status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "online":
            break
        time.sleep(0.05)
    assert seen[0] == "requested" and seen[-1] == "online" and "booting" in seen
    deployment = c.create_deployment(StackId=stack, Command={"Name": "configure"})["DeploymentId"]
    d = c.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]
    assert d["Status"] == "running" and "CompletedAt" not in d
    assert c.describe_commands(DeploymentId=deployment)["Commands"][0]["Status"] == "pending"
    time.sleep(1.2)
    d = c.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]
    assert d["Status"] == "successful" and d["Duration"] == 1


def test_help_version_and_bad_flags():
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    help_text = subprocess.run([str(BINARY), "--help"], capture_output=True, text=True, timeout=30, env=env)
    assert help_text.returncode == 0
    for option in ["--host", "--port", "--db", "--in-memory", "--fixtures", "--deployment-seconds",
                   "--instance-step-seconds", "--log-level", "--version"]:
        assert option in help_text.stdout
    version = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True, timeout=30, env=env)
    assert version.returncode == 0 and version.stdout.strip()
    bad = subprocess.run([str(BINARY), "--no-such-flag"], capture_output=True, text=True, timeout=30, env=env)
    assert bad.returncode == 64 and "no-such-flag" in bad.stderr
    busy = subprocess.run([str(BINARY), "--port", "70000"], capture_output=True, text=True, timeout=30, env=env)
    assert busy.returncode == 64 and "--port" in busy.stderr


def test_a_clean_stop_leaves_the_whole_state_in_the_database_file(start_server, tmp_path):
    """The .db file alone is the state after SIGTERM: nothing is left behind in the WAL."""
    database = tmp_path / "clean.db"
    first = start_server("--db", str(database), "--fixtures", str(DEMO))
    c = first.client()
    stack = create_stack(c, name="after-the-fixtures")
    deployment = c.create_deployment(StackId=stack, Command={"Name": "configure"})["DeploymentId"]
    assert first.stop() == 0
    wal = tmp_path / "clean.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    (copy_dir / "only.db").write_bytes(database.read_bytes())  # the .db file alone
    second = start_server("--db", str(copy_dir / "only.db"))
    c = second.client()
    assert sorted(s["Name"] for s in c.describe_stacks()["Stacks"]) == ["after-the-fixtures", "demo"]
    assert len(c.describe_instances(StackId=json.loads(DEMO.read_text())["Stacks"][0]["StackId"])["Instances"]) == 3
    assert c.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]["Status"] == "successful"


def run_binary(*args, cwd=None):
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=30, cwd=cwd,
                          env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))


def test_a_start_on_a_busy_port_writes_nothing(start_server, tmp_path):
    holder = start_server("--in-memory")
    database = tmp_path / "never.db"
    result = run_binary("--port", str(holder.port), "--db", str(database), "--fixtures", str(DEMO))
    assert result.returncode == 2 and "Address already in use" in result.stderr
    assert not database.exists(), "the database must not even be created when the port is taken"


FIXTURE_STACK = {"StackId": "s1", "Name": "x", "Region": "us-east-1",
                 "ServiceRoleArn": "arn:aws:iam::000000000000:role/r",
                 "DefaultInstanceProfileArn": "arn:aws:iam::000000000000:instance-profile/p"}


@pytest.mark.parametrize("document, expected", [
    ({"Stacks": [{**FIXTURE_STACK, "Instance": []}]}, "Stacks[0]: unknown key Stacks[0].Instance"),
    ({"Stacks": [{**FIXTURE_STACK, "layers": []}]}, "Stacks[0]: unknown key Stacks[0].layers"),
    ({"Stacks": {}}, "Stacks must be a list, not object"),
    ({"stacks": []}, "unknown key stacks at the top level"),
    ({"Stacks": [{**FIXTURE_STACK, "Layers": [{"LayerId": "l1", "Type": "custom", "Name": "W", "Shortname": 5}]}]},
     "Stacks[0].Layers[0]: SerializationException: Expected a string at 'shortname' but found number"),
    ({"Stacks": [{**FIXTURE_STACK, "ConfigurationManager": {"Name": "Chef", "Verison": "12"}}]},
     "unknown key Stacks[0].ConfigurationManager.Verison"),
    ({"Stacks": [{**FIXTURE_STACK, "Apps": [{"AppId": "a1", "StackId": "other", "Name": "A", "Type": "php"}]}]},
     "Stacks[0].Apps[0]: StackId is not given here"),
    ({"Region": "0", "Stacks": []}, "Region at the top level must be a region name"),
])
def test_a_fixtures_typo_stops_the_start_naming_file_key_and_place(tmp_path, document, expected):
    bad = tmp_path / "typo.json"
    bad.write_text(json.dumps(document))
    database = tmp_path / "typo.db"
    result = run_binary("--db", str(database), "--port", "0", "--fixtures", str(bad))
    assert result.returncode == 2, result.stderr
    assert "typo.json" in result.stderr and expected in result.stderr, result.stderr


def test_fixtures_load_all_or_nothing(tmp_path, start_server):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"Stacks": [FIXTURE_STACK]}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Stacks": [{**FIXTURE_STACK, "StackId": "s2", "Layers": [{"LayerId": "l", "Type": "nope"}]}]}))
    database = tmp_path / "partial.db"
    result = run_binary("--db", str(database), "--port", "0", "--fixtures", str(good), "--fixtures", str(bad))
    assert result.returncode == 2 and "bad.json" in result.stderr
    server = start_server("--db", str(database))
    assert server.client().describe_stacks()["Stacks"] == [], "the good file must not be half of a failed start"


@pytest.mark.parametrize("args, expected", [
    (["--port", "-1"], "--port must be between 0 and 65535, not -1"),
    (["--deployment-seconds", "nan"], "--deployment-seconds must be a number of seconds, 0 or more, not nan"),
    (["--instance-step-seconds", "-2"], "--instance-step-seconds must be a number of seconds, 0 or more, not -2.0"),
    (["--idle-timeout", "inf"], "--idle-timeout must be a positive number of seconds, not inf"),
])
def test_bad_option_values_say_what_is_wrong(args, expected):
    result = run_binary(*args)
    assert result.returncode == 64 and expected in result.stderr, result.stderr


def test_a_refused_call_is_logged_with_its_error_type(start_server):
    server = start_server("--in-memory", "--log-level", "info")
    status, _, _ = server.raw(b'{"StackIds": ["nope"]}')
    assert status == 400
    server.stop()
    assert re.search(r"DescribeStacks 400 ResourceNotFoundException [\d.]+ms", server.log_text()), server.log_text()
