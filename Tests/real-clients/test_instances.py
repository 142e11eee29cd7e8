"""Instances through boto3: defaults, hostnames, the start and stop sequences and their waiters."""
from conftest import ISO_DATE, create_stack, error_of, online_instance


def test_create_instance_is_stopped_with_a_layer_dependent_hostname(client, stack):
    layer = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    first = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    second = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    named = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", Hostname="special")["InstanceId"]
    instances = {i["InstanceId"]: i for i in client.describe_instances(StackId=stack)["Instances"]}
    assert [instances[i]["Hostname"] for i in (first, second, named)] == ["web1", "web2", "special"]
    one = instances[first]
    assert one["Status"] == "stopped"
    assert one["Arn"] == f"arn:aws:opsworks:us-east-1:000000000000:instance/{first}"
    assert one["Architecture"] == "x86_64" and one["InfrastructureClass"] == "ec2"
    assert one["InstallUpdatesOnBoot"] is True and one["LayerIds"] == [layer]
    assert one["InstanceType"] == "t3.small" and ISO_DATE.match(one["CreatedAt"])
    assert "Ec2InstanceId" not in one
    assert [i["InstanceId"] for i in client.describe_instances(LayerId=layer)["Instances"]] == [first, second, named]


def test_start_and_stop_with_the_waiters(client, stack):
    layer = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    instance = online_instance(client, stack, layer)
    described, = client.describe_instances(InstanceIds=[instance])["Instances"]
    assert described["Status"] == "online"
    assert described["Ec2InstanceId"].startswith("i-") and described["PrivateIp"].startswith("10.")
    client.stop_instance(InstanceId=instance)
    client.get_waiter("instance_stopped").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert client.describe_instances(InstanceIds=[instance])["Instances"][0]["Status"] == "stopped"


def test_instance_errors(client, stack):
    layer = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    other_stack = create_stack(client, name="other")
    other_layer = client.create_layer(StackId=other_stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    assert error_of(lambda: client.create_instance(StackId="nope", LayerIds=[layer], InstanceType="t3.small")) == (
        "ResourceNotFoundException", "Unable to find stack with ID nope")
    assert error_of(lambda: client.create_instance(StackId=stack, LayerIds=["nope"], InstanceType="t3.small")) == (
        "ResourceNotFoundException", "Unable to find layer with ID nope")
    code, message = error_of(lambda: client.create_instance(StackId=stack, LayerIds=[other_layer], InstanceType="t3.small"))
    assert code == "ValidationException" and other_layer in message
    client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", Hostname="dup")
    code, message = error_of(lambda: client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", Hostname="dup"))
    assert code == "ValidationException" and "dup" in message
    assert error_of(lambda: client.start_instance(InstanceId="nope")) == ("ResourceNotFoundException", "Unable to find instance with ID nope")
    assert error_of(lambda: client.stop_instance(InstanceId="nope")) == ("ResourceNotFoundException", "Unable to find instance with ID nope")
    assert error_of(lambda: client.describe_instances(InstanceIds=["nope"])) == ("ResourceNotFoundException", "Unable to find instance with ID nope")
    assert error_of(lambda: client.describe_instances())[0] == "ValidationException"
    assert error_of(lambda: client.describe_instances(StackId=stack, LayerId=layer))[0] == "ValidationException"
