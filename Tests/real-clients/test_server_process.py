"""The server as a process: restart on the same database, fixtures, durations, the command line."""
import json
import os
import pathlib
import signal
import subprocess
import time

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
    # The earlier app version was kept too, so a rollback still works.
    c.create_deployment(StackId=stack, AppId=app, Command={"Name": "rollback"})
    assert c.describe_apps(AppIds=[app])["Apps"][0]["Name"] == "Shop"


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
