"""DeleteApp, DeleteInstance, DeleteLayer, DeleteStack: the teardown every integration suite runs,
with the preconditions and cascades of ops-behaviour §12."""
import pytest

from conftest import create_stack, error_of, online_instance


@pytest.fixture
def layer(client, stack):
    return client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]


def test_a_suite_tears_down_what_it_built_in_dependency_order(client, stack, layer):
    instance = online_instance(client, stack, layer)
    app = client.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    deployment = client.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"})["DeploymentId"]

    client.delete_app(AppId=app)
    assert error_of(lambda: client.describe_apps(AppIds=[app])) == ("ResourceNotFoundException", f"Unable to find app with ID {app}")
    # Past deployments keep their AppId, by stack and by ID; by the deleted app there is nothing to find.
    assert client.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]["AppId"] == app
    assert [d["DeploymentId"] for d in client.describe_deployments(StackId=stack)["Deployments"]] == [deployment]
    assert error_of(lambda: client.describe_deployments(AppId=app))[0] == "ResourceNotFoundException"

    client.stop_instance(InstanceId=instance)
    client.get_waiter("instance_stopped").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    client.delete_instance(InstanceId=instance, DeleteElasticIp=True, DeleteVolumes=True)
    assert error_of(lambda: client.describe_instances(InstanceIds=[instance]))[0] == "ResourceNotFoundException"
    assert client.describe_instances(LayerId=layer)["Instances"] == []
    assert len(client.describe_commands(DeploymentId=deployment)["Commands"]) == 1, "its commands stay visible"

    client.delete_layer(LayerId=layer)
    assert error_of(lambda: client.describe_layers(LayerIds=[layer]))[0] == "ResourceNotFoundException"

    client.delete_stack(StackId=stack)
    assert error_of(lambda: client.describe_stacks(StackIds=[stack])) == ("ResourceNotFoundException", f"Unable to find stack with ID {stack}")
    assert error_of(lambda: client.describe_deployments(DeploymentIds=[deployment]))[0] == "ResourceNotFoundException"
    assert client.describe_stacks()["Stacks"] == []


def test_only_an_empty_stack_is_deleted(client, stack, layer):
    client.create_app(StackId=stack, Name="Shop", Type="php")
    client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")
    code, message = error_of(lambda: client.delete_stack(StackId=stack))
    assert code == "ValidationException"
    assert message == f"Stack {stack} is not empty: it has 1 layer, 1 app, 1 instance. Delete them first; only an empty stack can be deleted."
    assert len(client.describe_stacks(StackIds=[stack])["Stacks"]) == 1


def test_a_layer_with_instances_is_not_deleted(client, stack, layer):
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    code, message = error_of(lambda: client.delete_layer(LayerId=layer))
    assert code == "ValidationException" and instance in message and "delete them" in message


def test_only_a_stopped_instance_is_deleted(client, stack, layer):
    instance = online_instance(client, stack, layer)
    assert error_of(lambda: client.delete_instance(InstanceId=instance)) == (
        "ValidationException", f"Instance {instance} is online. You must stop an instance before you can delete it.")


def test_a_deleted_layer_takes_its_scaling_elb_and_tags_along(client, stack, layer):
    arn = client.describe_layers(LayerIds=[layer])["Layers"][0]["Arn"]
    client.tag_resource(ResourceArn=arn, Tags={"role": "web"})
    client.attach_elastic_load_balancer(ElasticLoadBalancerName="web-lb", LayerId=layer)
    client.set_load_based_auto_scaling(LayerId=layer, Enable=True)
    client.delete_layer(LayerId=layer)
    assert client.describe_elastic_load_balancers(StackId=stack)["ElasticLoadBalancers"] == []
    # The name is free again, and a new layer starts with nothing.
    again = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    client.attach_elastic_load_balancer(ElasticLoadBalancerName="web-lb", LayerId=again)
    assert client.describe_load_based_auto_scaling(LayerIds=[again])["LoadBasedAutoScalingConfigurations"][0]["Enable"] is False
    assert error_of(lambda: client.list_tags(ResourceArn=arn))[0] == "ResourceNotFoundException"


def test_a_deleted_stacks_tags_do_not_come_back_with_its_id(client):
    stack = create_stack(client)
    arn = client.describe_stacks(StackIds=[stack])["Stacks"][0]["Arn"]
    client.tag_resource(ResourceArn=arn, Tags={"env": "test"})
    client.delete_stack(StackId=stack)
    assert error_of(lambda: client.list_tags(ResourceArn=arn))[0] == "ResourceNotFoundException"


@pytest.mark.parametrize("call, kind", [
    (lambda c: c.delete_stack(StackId="nope"), "stack"),
    (lambda c: c.delete_layer(LayerId="nope"), "layer"),
    (lambda c: c.delete_app(AppId="nope"), "app"),
    (lambda c: c.delete_instance(InstanceId="nope"), "instance"),
])
def test_deleting_what_is_not_there_is_resource_not_found(client, call, kind):
    assert error_of(lambda: call(client)) == ("ResourceNotFoundException", f"Unable to find {kind} with ID nope")


def test_the_instance_terminated_waiter_sees_a_deleted_instance(client, stack, layer):
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    client.delete_instance(InstanceId=instance)
    client.get_waiter("instance_terminated").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 3})
