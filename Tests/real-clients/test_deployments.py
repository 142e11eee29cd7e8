"""CreateDeployment, DescribeDeployments and DescribeCommands: targets, lifecycle and every error."""
import time

import pytest
from botocore.exceptions import WaiterError

from conftest import CHEF_11, ISO_DATE, RESOURCE_ID, create_stack, error_of, online_instance


@pytest.fixture
def world(client, stack):
    """A stack with two layers, three instances (two online) and an app; another stack beside it."""
    client.update_stack(StackId=stack, **CHEF_11)
    web = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    db = client.create_layer(StackId=stack, Type="db-master", Name="DB", Shortname="db-master")["LayerId"]
    web1 = online_instance(client, stack, web)
    web2 = online_instance(client, stack, web)
    stopped = client.create_instance(StackId=stack, LayerIds=[db], InstanceType="t3.small")["InstanceId"]
    app = client.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    other = create_stack(client, name="other")
    other_layer = client.create_layer(StackId=other, Type="custom", Name="Web", Shortname="web")["LayerId"]
    other_instance = client.create_instance(StackId=other, LayerIds=[other_layer], InstanceType="t3.small")["InstanceId"]
    other_app = client.create_app(StackId=other, Name="Other", Type="php")["AppId"]
    return dict(client=client, stack=stack, web=web, db=db, web1=web1, web2=web2, stopped=stopped, app=app,
                other=other, other_layer=other_layer, other_instance=other_instance, other_app=other_app)


def deploy(w, **arguments):
    arguments.setdefault("StackId", w["stack"])
    return w["client"].create_deployment(**arguments)["DeploymentId"]


def test_deployment_ids_sort_in_creation_order(world):
    first = deploy(world, Command={"Name": "configure"})
    time.sleep(0.002)  # IDs made within one millisecond are in random order
    second = deploy(world, Command={"Name": "configure"})
    assert RESOURCE_ID.match(first) and RESOURCE_ID.match(second) and first < second


def test_deploy_targets_every_online_instance_by_default(world):
    c = world["client"]
    dep = deploy(world, AppId=world["app"], Command={"Name": "deploy", "Args": {"migrate": ["true"]}}, Comment="v1",
                 CustomJson='{"shop": {"version": 2}}')
    assert RESOURCE_ID.match(dep)
    c.get_waiter("deployment_successful").wait(DeploymentIds=[dep], WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    d, = c.describe_deployments(DeploymentIds=[dep])["Deployments"]
    assert d["StackId"] == world["stack"] and d["AppId"] == world["app"]
    assert d["Status"] == "successful" and d["Duration"] == 0
    assert ISO_DATE.match(d["CreatedAt"]) and ISO_DATE.match(d["CompletedAt"])
    assert sorted(d["InstanceIds"]) == sorted([world["web1"], world["web2"]])
    assert d["Command"] == {"Name": "deploy", "Args": {"migrate": ["true"]}}
    assert d["CustomJson"] == '{"shop": {"version": 2}}' and d["Comment"] == "v1"
    assert d["IamUserArn"].startswith("arn:aws:iam::000000000000:")
    commands = c.describe_commands(DeploymentId=dep)["Commands"]
    assert sorted(x["InstanceId"] for x in commands) == sorted(d["InstanceIds"])
    for command in commands:
        assert command["DeploymentId"] == dep and command["Type"] == "deploy"
        assert command["Status"] == "successful" and command["ExitCode"] == 0
        assert ISO_DATE.match(command["CompletedAt"])


def test_listed_layers_and_instances_are_the_targets(world):
    c = world["client"]
    by_layer = deploy(world, Command={"Name": "configure"}, LayerIds=[world["db"]])
    d, = c.describe_deployments(DeploymentIds=[by_layer])["Deployments"]
    assert d["InstanceIds"] == [world["stopped"]] and "AppId" not in d
    # The stopped instance cannot run the command: it is skipped, the deployment still succeeds.
    command, = c.describe_commands(DeploymentId=by_layer)["Commands"]
    assert command["Status"] == "skipped" and d["Status"] == "successful"

    both = deploy(world, Command={"Name": "setup"}, InstanceIds=[world["web1"]], LayerIds=[world["web"]])
    d, = c.describe_deployments(DeploymentIds=[both])["Deployments"]
    assert sorted(d["InstanceIds"]) == sorted([world["web1"], world["web2"]])
    assert len(c.describe_commands(DeploymentId=both)["Commands"]) == 2


def test_every_command_name_is_accepted_with_its_arguments(world):
    c = world["client"]
    stack_commands = {
        "install_dependencies": {}, "update_custom_cookbooks": {}, "configure": {}, "setup": {},
        "update_dependencies": {"upgrade_os_to": ["Amazon Linux 2"], "allow_reboot": ["true"]},
        "execute_recipes": {"recipes": ["phpapp::appsetup", "nginx"]},
    }
    for name, args in stack_commands.items():
        dep = deploy(world, Command={"Name": name, "Args": args})
        assert c.describe_deployments(DeploymentIds=[dep])["Deployments"][0]["Command"] == {"Name": name, "Args": args}
    for name in ["deploy", "start", "stop", "restart", "undeploy"]:
        dep = deploy(world, AppId=world["app"], Command={"Name": name})
        assert c.describe_commands(DeploymentId=dep)["Commands"][0]["Type"] == name


def rollback_status(world):
    c = world["client"]
    dep = deploy(world, AppId=world["app"], Command={"Name": "rollback"})
    commands = {command["Status"] for command in c.describe_commands(DeploymentId=dep)["Commands"]}
    return c.describe_deployments(DeploymentIds=[dep])["Deployments"][0]["Status"], commands


def test_a_rollback_goes_back_one_kept_release_and_fails_past_the_last(world):
    """A rollback re-links the instances' previous release and leaves the app as DescribeApps
    shows it; past the kept releases the command fails, the call does not (fidelity audit, finding 13)."""
    c = world["client"]
    assert rollback_status(world) == ("failed", {"failed"})
    c.update_app(AppId=world["app"], Name="Shop v2")
    assert rollback_status(world) == ("successful", {"successful"})
    assert c.describe_apps(AppIds=[world["app"]])["Apps"][0]["Name"] == "Shop v2"
    assert rollback_status(world) == ("failed", {"failed"})


def test_an_app_keeps_at_most_four_earlier_releases(world):
    c = world["client"]
    for version in range(2, 8):
        c.update_app(AppId=world["app"], Name=f"Shop v{version}")
    assert [rollback_status(world)[0] for _ in range(5)] == ["successful"] * 4 + ["failed"]
    assert c.describe_apps(AppIds=[world["app"]])["Apps"][0]["Name"] == "Shop v7"


@pytest.mark.parametrize("arguments, code, words", [
    (dict(StackId="nope", Command={"Name": "configure"}), "ResourceNotFoundException", "Unable to find stack with ID nope"),
    (dict(Command={"Name": "launch"}), "ValidationException", "launch"),
    (dict(Command={"Name": "deploy"}), "ValidationException", "deploy command needs an AppId"),
    (dict(Command={"Name": "undeploy"}), "ValidationException", "undeploy command needs an AppId"),
    (dict(AppId="nope", Command={"Name": "deploy"}), "ResourceNotFoundException", "Unable to find app with ID nope"),
    (dict(AppId="{other_app}", Command={"Name": "deploy"}), "ValidationException", "{other_app}"),
    (dict(Command={"Name": "configure"}, InstanceIds=["nope"]), "ResourceNotFoundException", "Unable to find instance with ID nope"),
    (dict(Command={"Name": "configure"}, InstanceIds=["{other_instance}"]), "ValidationException", "{other_instance}"),
    (dict(Command={"Name": "configure"}, LayerIds=["nope"]), "ResourceNotFoundException", "Unable to find layer with ID nope"),
    (dict(Command={"Name": "configure"}, LayerIds=["{other_layer}"]), "ValidationException", "{other_layer}"),
    (dict(Command={"Name": "execute_recipes"}), "ValidationException", "recipes"),
    (dict(Command={"Name": "execute_recipes", "Args": {"recipe": ["a::b"]}}), "ValidationException", "recipe"),
    (dict(Command={"Name": "execute_recipes", "Args": {"recipes": []}}), "ValidationException", "recipes"),
    (dict(Command={"Name": "update_dependencies", "Args": {"upgrade_os_to": ["Amazon Linux 2"]}}), "ValidationException", "allow_reboot"),
    (dict(Command={"Name": "update_dependencies", "Args": {"allow_reboot": ["maybe"]}}), "ValidationException", "allow_reboot"),
    (dict(Command={"Name": "update_dependencies", "Args": {"reboot": ["true"]}}), "ValidationException", "reboot"),
    (dict(AppId="{app}", Command={"Name": "deploy", "Args": {"migrate": ["soon"]}}), "ValidationException", "migrate"),
    (dict(Command={"Name": "configure"}, CustomJson="[1, 2]"), "ValidationException", "CustomJson"),
    (dict(Command={"Name": "configure"}, CustomJson="{not json"), "ValidationException", "CustomJson"),
])
def test_create_deployment_errors(world, arguments, code, words):
    def resolve(value):  # "{app}" names a resource of the world fixture
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in world:
            return world[value[1:-1]]
        return value
    got_code, message = error_of(lambda: deploy(world, **{k: resolve(v) for k, v in arguments.items()}))
    assert got_code == code
    assert resolve(words) in message


def test_a_failing_recipe_fails_the_deployment_and_the_waiter(world):
    c = world["client"]
    dep = deploy(world, Command={"Name": "execute_recipes", "Args": {"recipes": ["opsworks_local::fail"]}})
    d, = c.describe_deployments(DeploymentIds=[dep])["Deployments"]
    assert d["Status"] == "failed"
    assert {x["Status"] for x in c.describe_commands(DeploymentId=dep)["Commands"]} == {"failed"}
    assert {x["ExitCode"] for x in c.describe_commands(DeploymentId=dep)["Commands"]} == {1}
    with pytest.raises(WaiterError):
        c.get_waiter("deployment_successful").wait(DeploymentIds=[dep], WaiterConfig={"Delay": 1, "MaxAttempts": 2})


def test_describe_deployments_by_stack_app_or_ids(world):
    c = world["client"]
    first = deploy(world, AppId=world["app"], Command={"Name": "deploy"})
    second = deploy(world, Command={"Name": "configure"})
    assert [d["DeploymentId"] for d in c.describe_deployments(StackId=world["stack"])["Deployments"]] == [second, first]
    assert [d["DeploymentId"] for d in c.describe_deployments(AppId=world["app"])["Deployments"]] == [first]
    assert [d["DeploymentId"] for d in c.describe_deployments(DeploymentIds=[first, second])["Deployments"]] == [first, second]
    assert c.describe_deployments(StackId=world["other"])["Deployments"] == []


def test_describe_deployments_errors(world):
    c = world["client"]
    assert error_of(lambda: c.describe_deployments())[0] == "ValidationException"
    assert error_of(lambda: c.describe_deployments(StackId=world["stack"], AppId=world["app"]))[0] == "ValidationException"
    assert error_of(lambda: c.describe_deployments(DeploymentIds=["nope"])) == (
        "ResourceNotFoundException", "Unable to find deployment with ID nope")
    assert error_of(lambda: c.describe_deployments(StackId="nope")) == ("ResourceNotFoundException", "Unable to find stack with ID nope")
    assert error_of(lambda: c.describe_deployments(AppId="nope")) == ("ResourceNotFoundException", "Unable to find app with ID nope")


def test_describe_commands_by_deployment_instance_or_ids(world):
    c = world["client"]
    dep = deploy(world, Command={"Name": "configure"}, InstanceIds=[world["web1"]])
    command, = c.describe_commands(DeploymentId=dep)["Commands"]
    assert [x["CommandId"] for x in c.describe_commands(InstanceId=world["web1"])["Commands"]] == [command["CommandId"]]
    assert c.describe_commands(CommandIds=[command["CommandId"]])["Commands"] == [command]
    assert c.describe_commands(InstanceId=world["web2"])["Commands"] == []


def test_describe_commands_errors(world):
    c = world["client"]
    assert error_of(lambda: c.describe_commands())[0] == "ValidationException"
    assert error_of(lambda: c.describe_commands(DeploymentId="a", InstanceId="b"))[0] == "ValidationException"
    assert error_of(lambda: c.describe_commands(DeploymentId="nope")) == ("ResourceNotFoundException", "Unable to find deployment with ID nope")
    assert error_of(lambda: c.describe_commands(InstanceId="nope")) == ("ResourceNotFoundException", "Unable to find instance with ID nope")
    assert error_of(lambda: c.describe_commands(CommandIds=["nope"])) == ("ResourceNotFoundException", "Unable to find command with ID nope")
