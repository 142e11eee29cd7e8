"""The findings of ../shared/reference/fidelity-audit.md, each as the client sees it: what the real
service returned or refused, per the audit's sources. Numbers are the audit's."""
import urllib.request

import pytest

from conftest import CHEF_11, PROFILE, ROLE, create_stack, error_of, online_instance

STACK_ARGS = dict(ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE)


@pytest.fixture
def layer(client, stack):
    return client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]


def app_of(client, app_id):
    return client.describe_apps(AppIds=[app_id])["Apps"][0]


def test_2_an_empty_shortname_is_no_shortname(client, stack):
    first = client.create_app(StackId=stack, Name="Shop", Type="php", Shortname="")["AppId"]
    second = client.create_app(StackId=stack, Name="Blog", Type="php", Shortname="")["AppId"]
    assert (app_of(client, first)["Shortname"], app_of(client, second)["Shortname"]) == ("shop", "blog")


def test_3_an_app_source_of_type_other_is_accepted(client, stack):
    app = client.create_app(StackId=stack, Name="Shop", Type="other", AppSource={"Type": "other"})["AppId"]
    assert app_of(client, app)["AppSource"] == {"Type": "other"}


def test_4_environment_limits_are_on_size_and_form_not_count(client, stack):
    many = [{"Key": f"K{n}", "Value": "v"} for n in range(30)]
    assert len(app_of(client, client.create_app(StackId=stack, Name="Many", Type="php", Environment=many)["AppId"])["Environment"]) == 30
    too_large = [{"Key": f"K{n}", "Value": "v" * 250} for n in range(90)]
    assert error_of(lambda: client.create_app(StackId=stack, Name="Big", Type="php", Environment=too_large)) == (
        "ValidationException", "Environment: is too large (maximum is 20KB).")
    for variable in [{"Key": "A-B", "Value": "x"}, {"Key": "1A", "Value": "x"}, {"Key": "A", "Value": "v" * 300}]:
        assert error_of(lambda: client.create_app(StackId=stack, Name="Bad", Type="php", Environment=[variable]))[0] == "ValidationException"


def test_5_arns_carry_the_stacks_region(client):
    stack = create_stack(client, name="classic")
    client.update_stack(StackId=stack, Name="classic")
    west = client.create_stack(Name="west", Region="us-west-2", **STACK_ARGS)["StackId"]
    assert client.describe_stacks(StackIds=[west])["Stacks"][0]["Arn"] == f"arn:aws:opsworks:us-west-2:000000000000:stack/{west}/"
    layer = client.create_layer(StackId=west, Type="custom", Name="W", Shortname="w")["LayerId"]
    assert client.describe_layers(LayerIds=[layer])["Layers"][0]["Arn"].startswith("arn:aws:opsworks:us-west-2:")
    instance = client.create_instance(StackId=west, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    assert client.describe_instances(InstanceIds=[instance])["Instances"][0]["Arn"].startswith("arn:aws:opsworks:us-west-2:")
    # Terraform tags through the ARN it builds from the stack's region, and reads it back by DescribeStacks' Arn.
    client.tag_resource(ResourceArn=f"arn:aws:opsworks:us-west-2::stack/{west}/", Tags={"k": "v"})
    assert client.list_tags(ResourceArn=client.describe_stacks(StackIds=[west])["Stacks"][0]["Arn"])["Tags"] == {"k": "v"}


def test_6_secrets_come_back_filtered(client):
    stack = create_stack(client, CustomCookbooksSource={"Type": "git", "Url": "https://x/c.git", "Password": "p", "SshKey": "k"}, **CHEF_11)
    assert client.describe_stacks(StackIds=[stack])["Stacks"][0]["CustomCookbooksSource"] == {
        "Type": "git", "Url": "https://x/c.git", "Password": "*****FILTERED*****", "SshKey": "*****FILTERED*****"}
    db = client.create_layer(StackId=stack, Type="db-master", Name="DB", Shortname="db-master", Attributes={"MysqlRootPassword": "secret"})["LayerId"]
    assert client.describe_layers(LayerIds=[db])["Layers"][0]["Attributes"]["MysqlRootPassword"] == "*****FILTERED*****"
    app = client.create_app(StackId=stack, Name="Shop", Type="php", AppSource={"Type": "git", "Url": "u", "Password": "p"})["AppId"]
    assert app_of(client, app)["AppSource"]["Password"] == "*****FILTERED*****"


def test_7_linux_stacks_are_chef_12_and_take_no_built_in_layers(client, stack):
    assert client.describe_stacks(StackIds=[stack])["Stacks"][0]["ConfigurationManager"] == {"Name": "Chef", "Version": "12"}
    code, message = error_of(lambda: client.create_layer(StackId=stack, Type="php-app", Name="PHP", Shortname="php-app"))
    assert code == "ValidationException" and "not available in Chef 12 stacks" in message
    windows = create_stack(client, name="win", DefaultOs="Microsoft Windows Server 2012 R2 Base")
    assert client.describe_stacks(StackIds=[windows])["Stacks"][0]["ConfigurationManager"]["Version"] == "12.2"


@pytest.mark.parametrize("arguments, words", [
    (dict(Name="x", Region="xx-fake-9"), "Region: xx-fake-9 is not a region"),
    (dict(Name="x", Region="eu-west-2"), "must be in us-east-1 or a classic region"),
    (dict(Name=""), "Name: must be 1 to 64 characters"),
    (dict(Name="n" * 65), "Name: must be 1 to 64 characters"),
    (dict(Name="x", VpcId="vpc-0123abcd"), "You must specify a value for DefaultSubnetId"),
    (dict(Name="x", DefaultSubnetId="subnet-0123abcd"), "DefaultSubnetId needs the VpcId"),
    (dict(Name="x", VpcId="notavpc", DefaultSubnetId="subnet-0123abcd"), "is not a VPC ID"),
    (dict(Name="x", DefaultAvailabilityZone="eu-west-1a"), "is not a zone of us-east-1"),
    (dict(Name="x", ServiceRoleArn=PROFILE), "is not the ARN of an IAM role"),
    (dict(Name="x", DefaultOs="Windows 95"), "Windows 95 is not an operating system"),
    (dict(Name="x", ConfigurationManager={"Name": "Puppet", "Version": "1"}), "Configuration Manager"),
    (dict(Name="x", ConfigurationManager={"Name": "Chef", "Version": "99"}), "Chef::99 is not supported"),
    (dict(Name="x", ConfigurationManager={"Name": "Chef", "Version": "12.2"}), "Default Os: Amazon Linux 2 is unsupported with Chef::12.2."),
    (dict(Name="x", DefaultOs="Ubuntu 14.04 LTS", ConfigurationManager={"Name": "Chef", "Version": "11.4"}), "Default Os: Ubuntu 14.04 LTS is unsupported with Chef::11.4."),
    (dict(Name="x", DefaultOs="Microsoft Windows Server 2012 R2 Base", ConfigurationManager={"Name": "Chef", "Version": "11.10"}), "unsupported with Chef::11.10"),
    (dict(Name="x", DefaultOs="Microsoft Windows Server 2012 R2 Base", AgentVersion="LATEST"), "Agent Version: can only be set for Chef 11.10 and Chef 12"),
    (dict(Name="x", AgentVersion="banana"), "Agent Version: banana"),
])
def test_8_create_stack_checks_what_the_service_checked(client, arguments, words):
    arguments = {"Region": "us-east-1", **STACK_ARGS, **arguments}
    code, message = error_of(lambda: client.create_stack(**arguments))
    assert code == "ValidationException" and words in message, message


def test_8_the_eu_west_1_endpoint_keeps_eu_west_1_stacks(server):
    europe = server.client(region="eu-west-1")
    europe.create_stack(Name="x", Region="eu-west-1", **STACK_ARGS)
    assert error_of(lambda: europe.create_stack(Name="x", Region="us-east-1", **STACK_ARGS))[0] == "ValidationException"


@pytest.mark.parametrize("arguments, words", [
    (dict(Os="Plan9"), "Plan9 is not an operating system"),
    (dict(AmiId="ami-12345678"), "an AmiId needs Os set to Custom"),
    (dict(Os="Custom"), "a Custom operating system needs an AmiId"),
    (dict(InstanceType="huge.enormous"), "huge.enormous is not a valid EC2 instance type"),
    (dict(Os="Microsoft Windows Server 2012 R2 Base"), "cannot override a Linux stack"),
    (dict(AvailabilityZone="eu-west-1a"), "is not a zone of us-east-1"),
    (dict(Tenancy="shared-ish"), "shared-ish is not one of dedicated, default, host"),
])
def test_9_create_instance_checks_os_ami_type_zone_and_tenancy(client, stack, layer, arguments, words):
    arguments = {"StackId": stack, "LayerIds": [layer], "InstanceType": "t3.small", **arguments}
    code, message = error_of(lambda: client.create_instance(**arguments))
    assert code == "ValidationException" and words in message, message


@pytest.mark.parametrize("arguments, words", [
    (dict(Type="custom", Name="n" * 33, Shortname="n"), "Name: must be at most 32"),
    (dict(Type="rails-app", Name="R", Shortname="myrails"), "short names are defined by OpsWorks Stacks: rails-app"),
    (dict(Type="ecs-cluster", Name="E", Shortname="ecs-cluster"), "needs the EcsClusterArn"),
    (dict(Type="custom", Name="V", Shortname="v", VolumeConfigurations=[{"MountPoint": "/m", "NumberOfDisks": 1, "Size": 2000, "VolumeType": "standard"}]), "1 to 1024 GiB"),
    (dict(Type="custom", Name="V", Shortname="v", VolumeConfigurations=[{"MountPoint": "/m", "NumberOfDisks": 1, "Size": 10, "RaidLevel": 7}]), "RAID level 7"),
    (dict(Type="custom", Name="V", Shortname="v", CloudWatchLogsConfiguration={"Enabled": True, "LogStreams": [{"File": "/var/log/x"}]}), "LogGroupName"),
])
def test_10_create_layer_checks_names_types_volumes_and_log_streams(client, arguments, words):
    stack = create_stack(client, **CHEF_11)
    code, message = error_of(lambda: client.create_layer(StackId=stack, **arguments))
    assert code == "ValidationException" and words in message, message


def test_11_12_21_instance_defaults(client, stack):
    layer = client.create_layer(StackId=stack, Type="custom", Name="W", Shortname="w",
                                CustomInstanceProfileArn="arn:aws:iam::000000000000:instance-profile/layer")["LayerId"]
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    described = client.describe_instances(InstanceIds=[instance])["Instances"][0]
    assert (described["AgentVersion"], described["Tenancy"]) == ("INHERIT", "default")
    assert described["InstanceProfileArn"] == "arn:aws:iam::000000000000:instance-profile/layer"


def test_21_a_partial_lifecycle_configuration_keeps_the_default_timeout(client, stack):
    layer = client.create_layer(StackId=stack, Type="custom", Name="W", Shortname="w",
                                LifecycleEventConfiguration={"Shutdown": {"DelayUntilElbConnectionsDrained": True}})["LayerId"]
    assert client.describe_layers(LayerIds=[layer])["Layers"][0]["LifecycleEventConfiguration"] == {
        "Shutdown": {"ExecutionTimeout": 120, "DelayUntilElbConnectionsDrained": True}}


def test_13_a_rollback_leaves_describe_apps_unchanged(client, stack, layer):
    online_instance(client, stack, layer)
    app = client.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    client.update_app(AppId=app, Name="Shop v2")
    client.create_deployment(StackId=stack, AppId=app, Command={"Name": "rollback"})
    assert app_of(client, app)["Name"] == "Shop v2"


def test_14_chef_12_stacks_run_no_install_dependencies_nor_start_stop_restart(client, stack, layer):
    app = client.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    for name in ["install_dependencies", "start", "stop", "restart"]:
        arguments = {"StackId": stack, "Command": {"Name": name}, **({"AppId": app} if name != "install_dependencies" else {})}
        code, message = error_of(lambda: client.create_deployment(**arguments))
        assert code == "ValidationException" and "not available on Chef::12 stacks" in message
    code, message = error_of(lambda: client.create_deployment(StackId=stack, Command={"Name": "configure"}, CustomJson='{"a": "' + "x" * 125_000 + '"}'))
    assert code == "ValidationException" and "maximum is 120KB" in message
    chef11 = create_stack(client, name="old", **CHEF_11)
    client.create_deployment(StackId=chef11, Command={"Name": "install_dependencies"})


def test_15_vpc_and_default_vpc_stacks_have_zones_and_subnets(client):
    default = client.describe_stacks(StackIds=[create_stack(client)])["Stacks"][0]
    assert default["VpcId"].startswith("vpc-") and default["DefaultSubnetId"].startswith("subnet-") and default["DefaultAvailabilityZone"] == "us-east-1a"
    vpc = create_stack(client, name="vpc", VpcId="vpc-0123abcd", DefaultSubnetId="subnet-0456cdef")
    zone = client.describe_stacks(StackIds=[vpc])["Stacks"][0]["DefaultAvailabilityZone"]
    assert zone in {"us-east-1a", "us-east-1b", "us-east-1c"}
    layer = client.create_layer(StackId=vpc, Type="custom", Name="W", Shortname="w")["LayerId"]
    instance = client.create_instance(StackId=vpc, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    assert client.describe_instances(InstanceIds=[instance])["Instances"][0]["AvailabilityZone"] == zone


def test_16_stop_instance_force_removes_an_ebs_backed_instance(client, stack, layer):
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", RootDeviceType="ebs")["InstanceId"]
    client.start_instance(InstanceId=instance)
    client.stop_instance(InstanceId=instance, Force=True)
    assert error_of(lambda: client.describe_instances(InstanceIds=[instance]))[0] == "ResourceNotFoundException"


def test_17_30_reported_os_agent_and_dns_follow_the_instance(client):
    west = client.create_stack(Name="west", Region="us-west-2", DefaultOs="Ubuntu 18.04 LTS", **STACK_ARGS)["StackId"]
    layer = client.create_layer(StackId=west, Type="custom", Name="W", Shortname="w")["LayerId"]
    instance = online_instance(client, west, layer)
    described = client.describe_instances(InstanceIds=[instance])["Instances"][0]
    assert described["ReportedOs"] == {"Family": "debian", "Name": "ubuntu", "Version": "18.04"}
    assert described["PrivateDns"].endswith(".us-west-2.compute.internal") and described["PublicDns"].endswith(".us-west-2.compute.amazonaws.com")
    assert described["ReportedAgentVersion"] == "4039-20200430042739"


def test_18_update_app_judges_ssl_on_the_app_that_results(client, stack):
    app = client.create_app(StackId=stack, Name="Shop", Type="php", SslConfiguration={"Certificate": "c", "PrivateKey": "k"})["AppId"]
    client.update_app(AppId=app, EnableSsl=True)
    assert app_of(client, app)["EnableSsl"] is True
    plain = client.create_app(StackId=stack, Name="Plain", Type="php")["AppId"]
    assert error_of(lambda: client.update_app(AppId=plain, EnableSsl=True))[0] == "ValidationException"


def test_19_29_empty_source_members_are_dropped_and_secure_defaults_to_false(client, stack):
    app = client.create_app(StackId=stack, Name="Shop", Type="php", Environment=[{"Key": "A", "Value": "1"}],
                            AppSource={"Type": "git", "Url": "u", "Revision": "r", "Username": "", "Password": "", "SshKey": ""})["AppId"]
    described = app_of(client, app)
    assert described["AppSource"] == {"Type": "git", "Url": "u", "Revision": "r"}
    assert described["Environment"] == [{"Key": "A", "Value": "1", "Secure": False}]


def test_20_data_source_types_are_checked_and_an_empty_one_is_none(client, stack):
    assert error_of(lambda: client.create_app(StackId=stack, Name="M", Type="php", DataSources=[{"Type": "Mongo"}]))[0] == "ValidationException"
    client.create_app(StackId=stack, Name="T", Type="php", DataSources=[{}])  # what Terraform sends


def test_22_an_instances_commands_come_newest_first(client, stack, layer):
    instance = online_instance(client, stack, layer)
    first = client.create_deployment(StackId=stack, Command={"Name": "configure"})["DeploymentId"]
    second = client.create_deployment(StackId=stack, Command={"Name": "configure"})["DeploymentId"]
    assert [c["DeploymentId"] for c in client.describe_commands(InstanceId=instance)["Commands"]] == [second, first]


def test_23_a_finished_command_has_a_log_url_this_server_answers(server, client, stack, layer):
    online_instance(client, stack, layer)
    deployment = client.create_deployment(StackId=stack, Command={"Name": "execute_recipes", "Args": {"recipes": ["web::warm"]}}, Comment="warm up")["DeploymentId"]
    command, = client.describe_commands(DeploymentId=deployment)["Commands"]
    assert command["LogUrl"] == f"http://127.0.0.1:{server.port}/_opsworks-local/logs/{command['CommandId']}"
    with urllib.request.urlopen(command["LogUrl"], timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        log = response.read().decode()
    assert "Starting chef-client" in log and "recipe[web::warm]" in log and "warm up" in log and "Chef Run complete" in log
    failing = client.create_deployment(StackId=stack, Command={"Name": "execute_recipes", "Args": {"recipes": ["opsworks_local::fail"]}})["DeploymentId"]
    with urllib.request.urlopen(client.describe_commands(DeploymentId=failing)["Commands"][0]["LogUrl"], timeout=10) as response:
        assert "FATAL" in response.read().decode()
    status, _, body = server.raw(b"", target=None, method="GET", path="/_opsworks-local/logs/nope")
    assert status == 404 and body["__type"] == "NotFoundException"


def test_24_chef_11_layers_list_the_standard_recipes(client):
    stack = create_stack(client, **CHEF_11)
    layer = client.create_layer(StackId=stack, Type="custom", Name="W", Shortname="w")["LayerId"]
    recipes = client.describe_layers(LayerIds=[layer])["Layers"][0]["DefaultRecipes"]
    assert recipes["Deploy"] == ["deploy::default"] and "opsworks_initial_setup" in recipes["Setup"]
    assert recipes["Shutdown"] == ["opsworks_shutdown::default"] and recipes["Undeploy"] == []


def test_25_describe_calls_refuse_a_missing_identifier_in_the_services_words(client, stack):
    assert error_of(lambda: client.describe_layers()) == ("ValidationException", "Please provide one or more layer IDs or a stack ID")
    assert error_of(lambda: client.describe_apps()) == ("ValidationException", "Please provide one or more app IDs or a stack ID")
    assert error_of(lambda: client.describe_instances(StackId=stack, LayerId="l")) == (
        "ValidationException", "Please provide either one or more instance IDs or one stack ID or one layer ID")
