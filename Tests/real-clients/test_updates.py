"""UpdateStack, UpdateLayer, UpdateInstance: the members given replace, the rest stays, with the
merge rules Terraform's updates depend on and the changes the service refused (ops-behaviour §1, §2, §4)."""
import pytest

from conftest import CHEF_11, ROLE, create_stack, error_of, online_instance


@pytest.fixture
def layer(client, stack):
    return client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web",
                               Attributes={"BundlerVersion": "2.0"},
                               CustomRecipes={"Setup": ["web::setup"], "Deploy": ["web::deploy"]})["LayerId"]


def test_update_stack_replaces_what_it_is_given(client, stack):
    before = client.describe_stacks(StackIds=[stack])["Stacks"][0]
    client.update_stack(StackId=stack, Name="renamed", Attributes={"Color": "rgb(1, 2, 3)"}, DefaultSshKeyName="key",
                        HostnameTheme="Baked_Goods", CustomJson='{"a": 1}', ServiceRoleArn=ROLE)
    after = client.describe_stacks(StackIds=[stack])["Stacks"][0]
    assert (after["Name"], after["Attributes"]["Color"], after["DefaultSshKeyName"], after["HostnameTheme"], after["CustomJson"]) == (
        "renamed", "rgb(1, 2, 3)", "key", "Baked_Goods", '{"a": 1}')
    for member in ["Region", "Arn", "CreatedAt", "DefaultOs", "ServiceRoleArn", "DefaultInstanceProfileArn", "ConfigurationManager"]:
        assert after[member] == before[member], member


@pytest.mark.parametrize("changes, problem", [
    ({"Name": ""}, "Name: must be 1 to 64 characters"),
    ({"Name": "n" * 65}, "Name: must be 1 to 64 characters"),
    ({"ServiceRoleArn": "arn:aws:iam::000000000000:role/other"}, "you cannot update a stack's service role"),
    ({"DefaultOs": "Microsoft Windows Server 2012 R2 Base"}, "cannot switch between Linux and Windows"),
    ({"HostnameTheme": "Pokemon"}, "HostnameTheme Pokemon is not one of"),
    ({"CustomJson": "[1]"}, "CustomJson must be a JSON object"),
])
def test_update_stack_refuses_what_the_service_refused(client, stack, changes, problem):
    code, message = error_of(lambda: client.update_stack(StackId=stack, **changes))
    assert code == "ValidationException" and problem in message, message


def test_the_chef_version_is_fixed_once_an_app_has_environment_variables(client, stack):
    client.update_stack(StackId=stack, **CHEF_11)
    client.create_app(StackId=stack, Name="Shop", Type="php", Environment=[{"Key": "MODE", "Value": "x"}])
    code, message = error_of(lambda: client.update_stack(StackId=stack, ConfigurationManager={"Name": "Chef", "Version": "12"}))
    assert code == "ValidationException" and "environment variables" in message


def test_update_layer_merges_custom_recipes_per_event_and_attributes_per_key(client, layer):
    # Terraform sends only the events that changed.
    client.update_layer(LayerId=layer, CustomRecipes={"Configure": ["web::configure"]}, Attributes={"RubyVersion": "3.2"},
                        Packages=["nginx"], EnableAutoHealing=False)
    described = client.describe_layers(LayerIds=[layer])["Layers"][0]
    assert described["CustomRecipes"] == {"Setup": ["web::setup"], "Configure": ["web::configure"], "Deploy": ["web::deploy"],
                                          "Undeploy": [], "Shutdown": []}
    assert described["Attributes"]["BundlerVersion"] == "2.0" and described["Attributes"]["RubyVersion"] == "3.2"
    assert described["Packages"] == ["nginx"] and described["EnableAutoHealing"] is False
    client.update_layer(LayerId=layer, Name="Front", Shortname="front")
    described = client.describe_layers(LayerIds=[layer])["Layers"][0]
    assert (described["Name"], described["Shortname"], described["Packages"]) == ("Front", "front", ["nginx"])


def test_update_layer_keeps_names_unique_and_built_in_short_names_fixed(client, stack, layer):
    other = client.create_layer(StackId=stack, Type="custom", Name="Api", Shortname="api")["LayerId"]
    assert "already a layer named Web" in error_of(lambda: client.update_layer(LayerId=other, Name="Web"))[1]
    assert "already a layer with the short name web" in error_of(lambda: client.update_layer(LayerId=other, Shortname="web"))[1]
    client.update_layer(LayerId=layer, Name="Web")  # its own name is no clash
    client.update_stack(StackId=stack, **CHEF_11)
    php = client.create_layer(StackId=stack, Type="php-app", Name="PHP", Shortname="php-app")["LayerId"]
    code, message = error_of(lambda: client.update_layer(LayerId=php, Shortname="renamed"))
    assert code == "ValidationException" and "defined by OpsWorks Stacks" in message
    assert error_of(lambda: client.update_layer(LayerId="nope", Name="x"))[0] == "ResourceNotFoundException"


def test_update_instance_in_any_status_and_its_layers_move(client, stack, layer):
    other = client.create_layer(StackId=stack, Type="custom", Name="Api", Shortname="api")["LayerId"]
    instance = online_instance(client, stack, layer)
    # Terraform updates a running instance before stopping it.
    client.update_instance(InstanceId=instance, InstanceType="m5.large", LayerIds=[other], Hostname="api1",
                           AgentVersion="INHERIT", Architecture="x86_64", InstallUpdatesOnBoot=False)
    described = client.describe_instances(InstanceIds=[instance])["Instances"][0]
    assert (described["InstanceType"], described["LayerIds"], described["Hostname"], described["InstallUpdatesOnBoot"]) == (
        "m5.large", [other], "api1", False)
    assert described["Status"] == "online"
    assert [i["InstanceId"] for i in client.describe_instances(LayerId=other)["Instances"]] == [instance]
    assert client.describe_instances(LayerId=layer)["Instances"] == []


@pytest.mark.parametrize("changes, problem", [
    ({"LayerIds": []}, "at least one layer"),
    ({"AmiId": "ami-12345678"}, "You cannot apply a new AMI"),
    ({"EbsOptimized": True}, "cannot be updated"),
    ({"AutoScalingType": "load"}, "cannot be modified"),
    ({"Hostname": "-bad-"}, "must be 1 to 63 letters"),
    ({"Os": "Microsoft Windows Server 2012 R2 Base"}, "cannot switch between Linux and Windows"),
])
def test_update_instance_refuses_what_is_fixed_at_creation(client, stack, layer, changes, problem):
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    code, message = error_of(lambda: client.update_instance(InstanceId=instance, **changes))
    assert code == "ValidationException" and problem in message, message


def test_update_instance_hostnames_stay_unique_and_layers_stay_in_the_stack(client, stack, layer):
    first = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", Hostname="one")["InstanceId"]
    second = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", Hostname="two")["InstanceId"]
    assert "already an instance with the hostname one" in error_of(lambda: client.update_instance(InstanceId=second, Hostname="one"))[1]
    client.update_instance(InstanceId=first, Hostname="one")
    elsewhere = create_stack(client, name="other")
    foreign = client.create_layer(StackId=elsewhere, Type="custom", Name="X", Shortname="x")["LayerId"]
    assert error_of(lambda: client.update_instance(InstanceId=first, LayerIds=[foreign]))[0] == "ValidationException"
    assert error_of(lambda: client.update_instance(InstanceId=first, LayerIds=["nope"]))[0] == "ResourceNotFoundException"
