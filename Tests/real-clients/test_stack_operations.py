"""StartStack, StopStack, RebootInstance, CloneStack, DescribeStackSummary,
DescribeStackProvisioningParameters, GetHostnameSuggestion, DescribeAgentVersions,
DescribeOperatingSystems, DescribeServiceErrors, time-based scaling and RAID arrays
(ops-behaviour §1, §4, §6, §11)."""
import re

import pytest

from conftest import ROLE, create_stack, error_of, online_instance, RESOURCE_ID

UUID_FORM = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def layer(client, stack):
    return client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]


def statuses(client, stack):
    return sorted(i["Status"] for i in client.describe_instances(StackId=stack)["Instances"])


def test_start_and_stop_stack_move_the_24_7_instances_only(client, stack, layer):
    for _ in range(2):
        client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")
    timer = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", AutoScalingType="timer")["InstanceId"]
    client.start_stack(StackId=stack)
    described = {i["InstanceId"]: i["Status"] for i in client.describe_instances(StackId=stack)["Instances"]}
    assert described.pop(timer) == "stopped" and set(described.values()) == {"online"}
    client.stop_stack(StackId=stack)
    assert statuses(client, stack) == ["stopped"] * 3
    assert error_of(lambda: client.start_stack(StackId="nope"))[0] == "ResourceNotFoundException"


def test_reboot_takes_an_online_instance_only(client, stack, layer):
    instance = online_instance(client, stack, layer)
    client.reboot_instance(InstanceId=instance)
    assert client.describe_instances(InstanceIds=[instance])["Instances"][0]["Status"] == "online"
    client.stop_instance(InstanceId=instance)
    code, message = error_of(lambda: client.reboot_instance(InstanceId=instance))
    assert code == "ValidationException" and "is stopped" in message
    assert error_of(lambda: client.reboot_instance(InstanceId="nope"))[0] == "ResourceNotFoundException"


def test_the_summary_counts_layers_apps_and_instances_by_status(client, stack, layer):
    online_instance(client, stack, layer)
    client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")
    client.create_app(StackId=stack, Name="Shop", Type="php")
    summary = client.describe_stack_summary(StackId=stack)["StackSummary"]
    arn = client.describe_stacks(StackIds=[stack])["Stacks"][0]["Arn"]
    assert summary == {"StackId": stack, "Name": "demo", "Arn": arn, "LayersCount": 1, "AppsCount": 1,
                       "InstancesCount": {"Online": 1, "Stopped": 1}}


def test_provisioning_parameters_are_what_aws_opsworks_register_reads(client, stack):
    answer = client.describe_stack_provisioning_parameters(StackId=stack)
    assert answer["AgentInstallerUrl"] == f"https://opsworks-instance-agent-us-east-1.s3.amazonaws.com/{stack}/opsworks-agent-installer.tgz"
    assert set(answer["Parameters"]) == {
        "agent_installer_base_url", "agent_installer_tgz", "assets_download_bucket", "charlie_public_key",
        "instance_service_endpoint", "instance_service_port", "instance_service_region", "instance_service_ssl_verify_peer",
        "instance_service_use_ssl", "ops_works_endpoint", "ops_works_port", "ops_works_region", "ops_works_ssl_verify_peer",
        "ops_works_use_ssl", "verbose", "wait_between_runs"}
    assert answer["Parameters"]["ops_works_endpoint"] == "opsworks.us-east-1.amazonaws.com"
    assert (answer["Parameters"]["verbose"], answer["Parameters"]["wait_between_runs"]) == ("false", "30")


def test_hostname_suggestions_follow_the_theme_and_reserve_nothing(client, stack, layer):
    suggestion = client.get_hostname_suggestion(LayerId=layer)
    assert (suggestion["LayerId"], suggestion["Hostname"]) == (layer, "web1")
    assert client.get_hostname_suggestion(LayerId=layer)["Hostname"] == "web1"
    assert client.get_hostname_suggestion(LayerId=layer)["Hostname"] == "web1", "nothing is reserved"
    client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")
    assert client.get_hostname_suggestion(LayerId=layer)["Hostname"] == "web2"
    baked = create_stack(client, name="baked", HostnameTheme="Baked_Goods")
    baked_layer = client.create_layer(StackId=baked, Type="custom", Name="W", Shortname="w")["LayerId"]
    suggestion = client.get_hostname_suggestion(LayerId=baked_layer)["Hostname"]
    created = client.create_instance(StackId=baked, LayerIds=[baked_layer], InstanceType="t3.small")["InstanceId"]
    assert client.describe_instances(InstanceIds=[created])["Instances"][0]["Hostname"] == suggestion == "babka"
    assert client.get_hostname_suggestion(LayerId=baked_layer)["Hostname"] == "bagel"
    assert error_of(lambda: client.get_hostname_suggestion(LayerId="nope"))[0] == "ResourceNotFoundException"


def test_agent_versions_by_stack_or_configuration_manager(client, stack):
    by_stack = client.describe_agent_versions(StackId=stack)["AgentVersions"]
    assert by_stack and {v["ConfigurationManager"]["Version"] for v in by_stack} == {"12"}
    windows = client.describe_agent_versions(ConfigurationManager={"Name": "Chef", "Version": "12.2"})["AgentVersions"]
    assert "71400020160128114716" in [v["Version"] for v in windows]
    code, message = error_of(lambda: client.describe_agent_versions())
    assert code == "ValidationException" and message == "You must specify a stack ID or a configuration manager."
    assert error_of(lambda: client.describe_agent_versions(StackId="nope"))[0] == "ResourceNotFoundException"


def test_operating_systems_list_linux_and_windows_with_their_chef_versions(client):
    systems = {os["Name"]: os for os in client.describe_operating_systems()["OperatingSystems"]}
    assert systems["Amazon Linux 2"]["Type"] == "Linux"
    assert systems["Amazon Linux 2"]["ConfigurationManagers"] == [{"Name": "Chef", "Version": "12"}]
    assert systems["Microsoft Windows Server 2012 R2 Base"]["Type"] == "Windows"
    assert all(os["Supported"] is True and os["Id"] == os["Name"] for os in systems.values())


def test_service_errors_are_empty_and_unknown_ids_are_not_found(client, stack):
    assert client.describe_service_errors(StackId=stack)["ServiceErrors"] == []
    assert error_of(lambda: client.describe_service_errors(ServiceErrorIds=["x"])) == (
        "ResourceNotFoundException", "Unable to find service error with ID x")
    assert error_of(lambda: client.describe_service_errors())[0] == "ValidationException"


def test_a_time_based_instance_keeps_its_weekly_schedule(client, stack, layer):
    timer = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", AutoScalingType="timer")["InstanceId"]
    plain = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    schedule = {"Monday": {"9": "on", "10": "on"}, "Friday": {"17": "off"}}
    client.set_time_based_auto_scaling(InstanceId=timer, AutoScalingSchedule=schedule)
    configurations = client.describe_time_based_auto_scaling(InstanceIds=[timer, plain])["TimeBasedAutoScalingConfigurations"]
    assert configurations == [{"InstanceId": timer, "AutoScalingSchedule": schedule}]
    for bad in [{"Monday": {"24": "on"}}, {"Monday": {"9": "maybe"}}]:
        assert error_of(lambda: client.set_time_based_auto_scaling(InstanceId=timer, AutoScalingSchedule=bad))[0] == "ValidationException"
    code, message = error_of(lambda: client.set_time_based_auto_scaling(InstanceId=plain, AutoScalingSchedule=schedule))
    assert code == "ValidationException" and "not a time-based instance" in message


def test_raid_arrays_come_with_an_instance_of_a_layer_that_configures_them(client, stack):
    layer = client.create_layer(StackId=stack, Type="custom", Name="Db", Shortname="db", VolumeConfigurations=[
        {"MountPoint": "/mnt/data", "RaidLevel": 0, "NumberOfDisks": 2, "Size": 100, "VolumeType": "standard"},
        {"MountPoint": "/mnt/logs", "NumberOfDisks": 1, "Size": 10}])["LayerId"]
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    assert client.describe_raid_arrays(StackId=stack)["RaidArrays"] == []
    client.start_instance(InstanceId=instance)
    array, = client.describe_raid_arrays(InstanceId=instance)["RaidArrays"]
    hostname = client.describe_instances(InstanceIds=[instance])["Instances"][0]["Hostname"]
    assert (array["Name"], array["RaidLevel"], array["NumberOfDisks"], array["Size"], array["MountPoint"], array["Device"]) == (
        f"Created for {hostname}", 0, 2, 100, "/mnt/data", "/dev/md0")
    assert UUID_FORM.match(array["RaidArrayId"]) and array["StackId"] == stack
    assert client.describe_raid_arrays(RaidArrayIds=[array["RaidArrayId"]])["RaidArrays"] == [array]
    assert error_of(lambda: client.describe_raid_arrays(RaidArrayIds=["nope"]))[0] == "ResourceNotFoundException"


def test_clone_stack_copies_the_settings_layers_and_chosen_apps_but_no_instances(client, stack, layer):
    client.update_stack(StackId=stack, DefaultSshKeyName="key", Attributes={"Color": "rgb(1, 2, 3)"})
    client.set_load_based_auto_scaling(LayerId=layer, Enable=True)
    online_instance(client, stack, layer)
    shop = client.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    client.create_app(StackId=stack, Name="Blog", Type="php")
    clone = client.clone_stack(SourceStackId=stack, ServiceRoleArn=ROLE, Name="copy", CloneAppIds=[shop])["StackId"]
    assert RESOURCE_ID.match(clone) and clone != stack
    described = client.describe_stacks(StackIds=[clone])["Stacks"][0]
    assert (described["Name"], described["DefaultSshKeyName"], described["Attributes"]["Color"]) == ("copy", "key", "rgb(1, 2, 3)")
    assert described["Arn"].endswith(f":stack/{clone}/")
    layers = client.describe_layers(StackId=clone)["Layers"]
    assert [(l["Name"], l["Shortname"]) for l in layers] == [("Web", "web")] and layers[0]["LayerId"] != layer
    assert client.describe_load_based_auto_scaling(LayerIds=[layers[0]["LayerId"]])["LoadBasedAutoScalingConfigurations"][0]["Enable"] is True
    assert [a["Name"] for a in client.describe_apps(StackId=clone)["Apps"]] == ["Shop"]
    assert client.describe_instances(StackId=clone)["Instances"] == []
    assert len(client.describe_layers(StackId=stack)["Layers"]) == 1, "the source is unchanged"


def test_clone_stack_rules(client, stack):
    other = create_stack(client, name="other")
    foreign_app = client.create_app(StackId=other, Name="X", Type="php")["AppId"]
    assert error_of(lambda: client.clone_stack(SourceStackId=stack, ServiceRoleArn=ROLE, CloneAppIds=[foreign_app]))[0] == "ValidationException"
    assert error_of(lambda: client.clone_stack(SourceStackId="nope", ServiceRoleArn=ROLE))[0] == "ResourceNotFoundException"
    code, message = error_of(lambda: client.clone_stack(SourceStackId=stack, ServiceRoleArn=ROLE, DefaultOs="Microsoft Windows Server 2012 R2 Base"))
    assert code == "ValidationException" and "Linux and Windows" in message
