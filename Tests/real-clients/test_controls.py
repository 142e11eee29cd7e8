"""Test control under /_opsworks-local/: the manual clock, repeatable IDs, fault rules and state
snapshots, each seen through boto3 as a test would use them."""
import json
import socket
import time

import botocore.config
import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from conftest import CHEF_11, create_stack, error_of, online_instance


def control(server, method, path, body=None):
    status, _, parsed = server.raw(json.dumps(body).encode() if body is not None else b"", target=None,
                                   method=method, path="/_opsworks-local/" + path)
    return status, parsed


def demo_stack(client):
    stack = create_stack(client, **CHEF_11)
    layer = client.create_layer(StackId=stack, Type="php-app", Name="PHP", Shortname="php-app")["LayerId"]
    app = client.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    return stack, layer, app


# MARK: - The clock

def test_a_manual_clock_holds_a_deployment_running_until_it_is_advanced(start_server):
    server = start_server("--in-memory", "--clock", "manual", "--deployment-seconds", "30")
    client = server.client()
    assert control(server, "GET", "clock") == (200, {"now": "2026-01-01T00:00:00+00:00", "mode": "manual"})
    stack, layer, app = demo_stack(client)
    instances = [online_instance(client, stack, layer) for _ in range(3)]
    deployment = client.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"})["DeploymentId"]
    time.sleep(0.3)  # wall time passes; simulated time does not
    described = client.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]
    assert described["Status"] == "running" and "CompletedAt" not in described
    assert control(server, "POST", "clock", {"advanceSeconds": 29})[0] == 200
    assert client.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]["Status"] == "running"
    commands = client.describe_commands(DeploymentId=deployment)["Commands"]
    # Each command runs its own course: acknowledged a little after the start, ended by itself.
    assert {c["InstanceId"] for c in commands} == set(instances)
    assert len({c["AcknowledgedAt"] for c in commands}) >= 1
    assert control(server, "POST", "clock", {"advanceSeconds": 1}) == (200, {"now": "2026-01-01T00:00:30+00:00", "mode": "manual"})
    done = client.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]
    assert done["Status"] == "successful" and done["Duration"] == 30
    assert done["CompletedAt"] == "2026-01-01T00:00:30+00:00"
    assert {c["Status"] for c in client.describe_commands(DeploymentId=deployment)["Commands"]} == {"successful"}


def test_a_command_log_grows_while_the_command_runs(start_server):
    server = start_server("--in-memory", "--clock", "manual", "--deployment-seconds", "30")
    client = server.client()
    stack, layer, app = demo_stack(client)
    online_instance(client, stack, layer)
    deployment = client.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"})["DeploymentId"]
    command = client.describe_commands(DeploymentId=deployment)["Commands"][0]["CommandId"]
    control(server, "POST", "clock", {"advanceSeconds": 12})
    status, _, _ = server.raw(b"", target=None, method="GET", path=f"/_opsworks-local/logs/{command}")
    partial = log_text(server, command)
    control(server, "POST", "clock", {"advanceSeconds": 18})
    whole = log_text(server, command)
    assert "Processing recipe opsworks_custom_cookbooks::load" in partial and "Chef Run complete" not in partial
    assert whole.startswith(partial.rstrip("\n")) and "Chef Run complete in 30 seconds" in whole


def log_text(server, command):
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", f"/_opsworks-local/logs/{command}")
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    assert response.status == 200, text
    return text


def test_the_clock_can_be_set_and_refuses_what_it_cannot_do(start_server, server):
    manual = start_server("--in-memory", "--clock", "manual")
    assert control(manual, "POST", "clock", {"set": "2030-06-01T12:00:00Z"}) == (200, {"now": "2030-06-01T12:00:00+00:00", "mode": "manual"})
    client = manual.client()
    stack = create_stack(client)
    assert client.describe_stacks(StackIds=[stack])["Stacks"][0]["CreatedAt"] == "2030-06-01T12:00:00+00:00"
    for body, words in [({"advanceSeconds": -1}, "0 or more"), ({"set": "tomorrow"}, "2026-01-01T00:00:00Z"),
                        ({}, "one of them"), ({"advance": 1}, "unknown key advance")]:
        status, error = control(manual, "POST", "clock", body)
        assert status == 400 and words in error["message"], (body, error)
    status, error = control(server, "POST", "clock", {"advanceSeconds": 1})
    assert status == 400 and "--clock manual" in error["message"]
    assert control(server, "GET", "clock")[1]["mode"] == "system"


# MARK: - Repeatable IDs

def run_scripted_session(server):
    """The same calls every time; returns every raw response body."""
    import http.client
    bodies = []
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)

    def call(operation, body):
        connection.request("POST", "/", body=json.dumps(body), headers={
            "X-Amz-Target": f"OpsWorks_20130218.{operation}", "Content-Type": "application/x-amz-json-1.1"})
        response = connection.getresponse()
        data = response.read()
        # The one difference between two runs is the port each server got (LogUrl names it).
        bodies.append((response.status, response.getheader("x-amzn-RequestId"), data.replace(f"127.0.0.1:{server.port}".encode(), b"HOST")))
        return json.loads(data)

    stack = call("CreateStack", {"Name": "seeded", "Region": "us-east-1", "ServiceRoleArn": "arn:aws:iam::000000000000:role/r",
                                 "DefaultInstanceProfileArn": "arn:aws:iam::000000000000:instance-profile/p",
                                 "ConfigurationManager": {"Name": "Chef", "Version": "11.10"}, "DefaultOs": "Amazon Linux 2018.03"})["StackId"]
    layer = call("CreateLayer", {"StackId": stack, "Type": "custom", "Name": "Web", "Shortname": "web"})["LayerId"]
    app = call("CreateApp", {"StackId": stack, "Name": "Shop", "Type": "other"})["AppId"]
    instance = call("CreateInstance", {"StackId": stack, "LayerIds": [layer], "InstanceType": "t3.small"})["InstanceId"]
    call("StartInstance", {"InstanceId": instance})
    deployment = call("CreateDeployment", {"StackId": stack, "AppId": app, "Command": {"Name": "deploy"}})["DeploymentId"]
    for operation, body in [("DescribeStacks", {}), ("DescribeLayers", {"StackId": stack}), ("DescribeApps", {"StackId": stack}),
                            ("DescribeInstances", {"StackId": stack}), ("DescribeDeployments", {"StackId": stack}),
                            ("DescribeCommands", {"DeploymentId": deployment}), ("DescribeStacks", {"StackIds": ["nope"]})]:
        call(operation, body)
    connection.close()
    return bodies


def test_with_a_seed_and_a_manual_clock_two_runs_answer_byte_for_byte_alike(start_server):
    first = run_scripted_session(start_server("--in-memory", "--seed", "42", "--clock", "manual"))
    second = run_scripted_session(start_server("--in-memory", "--seed", "42", "--clock", "manual"))
    assert first == second
    other = run_scripted_session(start_server("--in-memory", "--seed", "43", "--clock", "manual"))
    assert [body for _, _, body in other] != [body for _, _, body in first]
    stack_id = json.loads(first[0][2])["StackId"]
    assert len(stack_id) == 36 and stack_id[14] == "4", stack_id  # still a (version 4) UUID


def test_a_reset_of_a_seeded_server_starts_the_ids_again(start_server):
    server = start_server("--in-memory", "--seed", "7", "--clock", "manual")
    first = run_scripted_session(server)
    server.reset()
    control(server, "POST", "clock", {"set": "2026-01-01T00:00:00Z"})
    assert run_scripted_session(server) == first


# MARK: - Faults

def test_a_throttling_rule_of_count_two_is_retried_into_one_success(server):
    server.reset()
    control(server, "DELETE", "faults")
    status, rule = control(server, "POST", "faults", {"operation": "DescribeStacks", "status": 400, "type": "ThrottlingException",
                                                     "message": "Rate exceeded", "count": 2})
    assert status == 200 and rule["id"]
    client = server.client(retries={"mode": "standard", "max_attempts": 3})
    response = client.describe_stacks()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2 and response["Stacks"] == []
    assert control(server, "GET", "faults") == (200, {"rules": []})  # spent
    # Without retries, the client sees the injected error itself.
    control(server, "POST", "faults", {"operation": "*", "status": 503, "type": "ServiceUnavailable", "message": "Try later", "count": 1})
    code, message = error_of(lambda: server.client(retries={"mode": "standard", "total_max_attempts": 1}).describe_stacks())
    assert (code, message) == ("ServiceUnavailable", "Try later")


def test_rules_match_an_access_key_and_list_their_hits(server):
    server.reset()
    control(server, "DELETE", "faults")
    control(server, "POST", "faults", {"operation": "DescribeStacks", "accessKey": "AKIDBAD", "status": 400,
                                       "type": "AccessDeniedException", "message": "no"})
    assert server.client(key="AKIDGOOD").describe_stacks()["Stacks"] == []
    assert error_of(lambda: server.client(key="AKIDBAD", retries={"total_max_attempts": 1}).describe_stacks())[0] == "AccessDeniedException"
    rules = control(server, "GET", "faults")[1]["rules"]
    assert [(r["accessKey"], r["hits"]) for r in rules] == [("AKIDBAD", 1)]
    assert control(server, "DELETE", "faults") == (200, {"removed": 1})


def test_latency_and_closed_connections(server):
    server.reset()
    control(server, "DELETE", "faults")
    control(server, "POST", "faults", {"operation": "DescribeStacks", "latencyMs": 300, "count": 1})
    started = time.monotonic()
    server.client().describe_stacks()
    assert time.monotonic() - started >= 0.3
    control(server, "POST", "faults", {"operation": "DescribeStacks", "closeConnection": True, "count": 1})
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        server.client(retries={"mode": "standard", "total_max_attempts": 1}).describe_stacks()
    assert server.client().describe_stacks()["Stacks"] == []


def test_a_probability_rule_hits_the_same_calls_on_every_seeded_run(start_server):
    def pattern():
        server = start_server("--in-memory", "--seed", "5")
        control(server, "POST", "faults", {"operation": "DescribeStacks", "status": 500, "type": "InternalFailure", "probability": 0.5})
        client = server.client(retries={"mode": "standard", "total_max_attempts": 1})
        outcomes = []
        for _ in range(20):
            try:
                client.describe_stacks()
                outcomes.append("ok")
            except ClientError:
                outcomes.append("fault")
        return outcomes
    first = pattern()
    assert 0 < first.count("fault") < 20
    assert pattern() == first


def test_bad_rules_are_refused_with_what_is_wrong(server):
    for body, words in [({"status": 400, "type": "X"}, "needs an operation"),
                        ({"operation": "DescribeStackz", "status": 400, "type": "X"}, "not an OpsWorks operation"),
                        ({"operation": "*", "status": 200, "type": "X"}, "400 to 599"),
                        ({"operation": "*", "status": 400}, "needs a type"),
                        ({"operation": "*", "latencyMs": 5, "closeConnection": True}, "does one thing"),
                        ({"operation": "*", "latencyMs": 5, "count": 0}, "1 or more"),
                        ({"operation": "*", "latencyMs": 5, "probability": 2}, "between 0 and 1"),
                        ({"operation": "*", "latncyMs": 5}, "unknown key latncyMs"),
                        ({"instanceStart": {}, "outcome": "exploded"}, "setup_failed"),
                        ({"deployment": {"command": "deploy"}, "outcome": "successful"}, "outcome is failed")]:
        status, error = control(server, "POST", "faults", body)
        assert status == 400 and words in error["message"], (body, error)
    assert control(server, "GET", "faults") == (200, {"rules": []})


def test_outcome_rules_fail_chosen_commands_and_starts(server):
    server.reset()
    control(server, "DELETE", "faults")
    client = server.client()
    stack, layer, app = demo_stack(client)
    good, bad = online_instance(client, stack, layer), online_instance(client, stack, layer)
    control(server, "POST", "faults", {"deployment": {"command": "deploy", "instanceIds": [bad]}, "outcome": "failed", "count": 1})
    deployment = client.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"})["DeploymentId"]
    assert client.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]["Status"] == "failed"
    commands = {c["InstanceId"]: c for c in client.describe_commands(DeploymentId=deployment)["Commands"]}
    assert (commands[good]["Status"], commands[good]["ExitCode"]) == ("successful", 0)
    assert (commands[bad]["Status"], commands[bad]["ExitCode"]) == ("failed", 1)
    again = client.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"})["DeploymentId"]
    assert client.describe_deployments(DeploymentIds=[again])["Deployments"][0]["Status"] == "successful"  # count spent

    for outcome in ["setup_failed", "start_failed", "connection_lost"]:
        instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
        control(server, "POST", "faults", {"instanceStart": {"instanceIds": [instance]}, "outcome": outcome})
        client.start_instance(InstanceId=instance)
        assert client.describe_instances(InstanceIds=[instance])["Instances"][0]["Status"] == outcome
    control(server, "DELETE", "faults")


# MARK: - Snapshots

def test_a_state_snapshot_loads_back_into_an_identical_state(start_server, tmp_path):
    original = start_server("--in-memory", "--clock", "manual", "--deployment-seconds", "30", "--seed", "11")
    client = original.client()
    stack, layer, app = demo_stack(client)
    client.tag_resource(ResourceArn=client.describe_stacks(StackIds=[stack])["Stacks"][0]["Arn"], Tags={"team": "shop"})
    instances = [online_instance(client, stack, layer) for _ in range(2)]
    client.update_app(AppId=app, AppSource={"Type": "git", "Url": "https://example.com/shop.git", "Revision": "v2"})
    finished = client.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"})["DeploymentId"]
    control(original, "POST", "clock", {"advanceSeconds": 30})
    running = client.create_deployment(StackId=stack, Command={"Name": "configure"}, Comment="half way")["DeploymentId"]
    control(original, "POST", "clock", {"advanceSeconds": 10})
    status, snapshot = control(original, "GET", "state")
    assert status == 200 and snapshot["OpsWorksLocalState"]["Clock"] == "2026-01-01T00:00:40+00:00"
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))

    restored = start_server("--in-memory", "--clock", "manual", "--deployment-seconds", "30", "--fixtures", str(path))
    assert control(restored, "GET", "state") == (200, snapshot)

    def view(server):
        c = server.client()
        return [
            c.describe_stacks(), c.describe_layers(StackId=stack), c.describe_apps(StackId=stack),
            c.describe_instances(StackId=stack), c.describe_deployments(StackId=stack),
            c.describe_commands(DeploymentId=finished), c.describe_commands(DeploymentId=running),
            c.list_tags(ResourceArn=c.describe_stacks(StackIds=[stack])["Stacks"][0]["Arn"]),
        ]
    def strip(server, responses):
        text = json.dumps([{k: v for k, v in r.items() if k != "ResponseMetadata"} for r in responses], default=str)
        return json.loads(text.replace(f"127.0.0.1:{server.port}", "HOST"))  # LogUrls name each server's port
    before, after = strip(original, view(original)), strip(restored, view(restored))
    for one, other in zip(before, after):
        assert one == other
    assert [d["Status"] for d in after[4]["Deployments"]] == ["running", "successful"]
    # The restored state goes on: the rollback finds the kept version, the running deployment ends.
    control(restored, "POST", "clock", {"advanceSeconds": 20})
    assert restored.client().describe_deployments(DeploymentIds=[running])["Deployments"][0]["Status"] == "successful"
    assert len(instances) == 2


def test_a_broken_snapshot_stops_the_start_naming_the_place(start_server, tmp_path):
    from harness import Server
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"OpsWorksLocalState": {"Version": 1, "Tables": {"stacks": [{"scope": "000000000000/us-east-1", "id": "s", "dock": {}}]}}}))
    with pytest.raises(RuntimeError) as raised:
        start_server("--in-memory", "--fixtures", str(path))
    assert "Tables.stacks[0]: unknown column dock" in str(raised.value)
