"""Terraform's wire behaviour, replayed (Terraform itself cannot be installed here): for each
resource of the provider (hashicorp/terraform-provider-aws <= 5.x, internal/service/opsworks),
the create -> read -> update -> read -> delete -> read sequence with the requests it sends and
the reads it makes afterwards (ops-behaviour §13), each ending in ResourceNotFound where the
provider waits for it. A read fails the way the provider fails: on any error, on a member it
dereferences that is missing, on a count it does not expect."""
import time

import pytest

from conftest import PROFILE, ROLE, create_stack, error_of

STACK_DEFAULTS = dict(  # what the provider always sends
    ChefConfiguration={"ManageBerkshelf": False}, ConfigurationManager={"Name": "Chef", "Version": "11.10"},
    DefaultOs="Ubuntu 12.04 LTS", HostnameTheme="Layer_Dependent", UseCustomCookbooks=False, UseOpsworksSecurityGroups=True,
)


def gone(call):
    """What the provider's CheckDestroy and waiters look for."""
    assert error_of(call)[0] == "ResourceNotFoundException"


def read_stack(client, stack_id):
    """resourceStackRead: DescribeStacks(StackIds=[id]) must find it, then ListTags(Arn), always."""
    stacks = client.describe_stacks(StackIds=[stack_id])["Stacks"]
    assert len(stacks) == 1
    stack = stacks[0]
    for member in ["Arn", "Name", "Region", "DefaultInstanceProfileArn", "ServiceRoleArn", "DefaultOs", "HostnameTheme",
                   "ConfigurationManager", "UseCustomCookbooks", "UseOpsworksSecurityGroups", "AgentVersion", "Attributes"]:
        assert member in stack, member
    return stack, client.list_tags(ResourceArn=stack["Arn"])["Tags"]


@pytest.mark.parametrize("vpc", [None, ("vpc-0a1b2c3d", "subnet-0a1b2c3d")])
def test_aws_opsworks_stack(client, vpc):
    region = "us-east-1"
    extra = dict(VpcId=vpc[0], DefaultSubnetId=vpc[1]) if vpc else {}
    stack_id = client.create_stack(Name="tf-stack", Region=region, ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE,
                                   **STACK_DEFAULTS, **extra)["StackId"]
    # Tags go through an ARN the provider builds: the stack's region, an empty account under
    # skip_requesting_account_id.
    client.tag_resource(ResourceArn=f"arn:aws:opsworks:{region}::stack/{stack_id}/", Tags={"Name": "tf", "env": "test"})
    stack, tags = read_stack(client, stack_id)
    assert tags == {"Name": "tf", "env": "test"}
    assert stack["ConfigurationManager"] == {"Name": "Chef", "Version": "11.10"} and stack["ChefConfiguration"] == {"ManageBerkshelf": False}
    if vpc:
        assert (stack["VpcId"], stack["DefaultSubnetId"]) == vpc

    client.update_stack(StackId=stack_id, Name="tf-stack-2", DefaultSshKeyName="tf-key", Attributes={"Color": "rgb(209, 105, 41)"})
    client.untag_resource(ResourceArn=stack["Arn"], TagKeys=["env"])
    client.tag_resource(ResourceArn=stack["Arn"], Tags={"team": "ops"})
    stack, tags = read_stack(client, stack_id)
    assert (stack["Name"], stack["DefaultSshKeyName"], stack["Attributes"]["Color"]) == ("tf-stack-2", "tf-key", "rgb(209, 105, 41)")
    assert tags == {"Name": "tf", "team": "ops"}

    client.delete_stack(StackId=stack_id)
    gone(lambda: client.describe_stacks(StackIds=[stack_id]))


def tf_stack(client):
    return client.create_stack(Name="tf", Region="us-east-1", ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE, **STACK_DEFAULTS)["StackId"]


def read_layer(client, layer_id):
    """resourceLayerRead: DescribeLayers, then ELBs (0 or 1), load-based scaling (0 or 1), tags."""
    layer, = client.describe_layers(LayerIds=[layer_id])["Layers"]
    balancers = client.describe_elastic_load_balancers(LayerIds=[layer_id])["ElasticLoadBalancers"]
    assert len(balancers) <= 1
    scaling = client.describe_load_based_auto_scaling(LayerIds=[layer_id])["LoadBasedAutoScalingConfigurations"]
    assert len(scaling) <= 1
    return layer, balancers, scaling, client.list_tags(ResourceArn=layer["Arn"])["Tags"]




@pytest.mark.parametrize("layer_type, shortname", [("custom", "tf-custom"), ("php-app", "php-app")])
def test_aws_opsworks_layer(client, layer_type, shortname):
    stack_id = tf_stack(client)
    layer_id = client.create_layer(
        StackId=stack_id, Type=layer_type, Name=f"tf {layer_type}", Shortname=shortname, CustomRecipes={},
        Attributes={}, AutoAssignElasticIps=False, AutoAssignPublicIps=False, CustomSecurityGroupIds=[], EnableAutoHealing=True,
        InstallUpdatesOnBoot=True, Packages=["git"], UseEbsOptimizedInstances=False, VolumeConfigurations=[],
        LifecycleEventConfiguration={"Shutdown": {"DelayUntilElbConnectionsDrained": True, "ExecutionTimeout": 120}},
    )["LayerId"]
    client.attach_elastic_load_balancer(ElasticLoadBalancerName="tf-elb", LayerId=layer_id)
    client.set_load_based_auto_scaling(LayerId=layer_id, Enable=False,
                                       UpScaling={"InstanceCount": 1, "ThresholdsWaitTime": 5, "IgnoreMetricsTime": 5, "CpuThreshold": 80.0},
                                       DownScaling={"InstanceCount": 1, "ThresholdsWaitTime": 10, "IgnoreMetricsTime": 10, "CpuThreshold": 30.0})
    arn = client.describe_layers(LayerIds=[layer_id])["Layers"][0]["Arn"]
    client.tag_resource(ResourceArn=arn, Tags={"role": layer_type})
    layer, balancers, scaling, tags = read_layer(client, layer_id)
    assert (layer["Type"], layer["Shortname"], layer["Packages"]) == (layer_type, shortname, ["git"])
    assert [b["ElasticLoadBalancerName"] for b in balancers] == ["tf-elb"] and scaling[0]["Enable"] is False
    assert tags == {"role": layer_type}
    assert layer["LifecycleEventConfiguration"]["Shutdown"] == {"DelayUntilElbConnectionsDrained": True, "ExecutionTimeout": 120}

    # Update: changed members only, CustomRecipes with the changed events only; ELB swapped.
    client.update_layer(LayerId=layer_id, Name=f"tf {layer_type} 2", CustomRecipes={"Setup": ["tf::setup"]})
    client.update_layer(LayerId=layer_id, CustomRecipes={"Deploy": ["tf::deploy"]})
    client.detach_elastic_load_balancer(ElasticLoadBalancerName="tf-elb", LayerId=layer_id)
    client.attach_elastic_load_balancer(ElasticLoadBalancerName="tf-elb-2", LayerId=layer_id)
    client.set_load_based_auto_scaling(LayerId=layer_id, Enable=True)
    layer, balancers, scaling, _ = read_layer(client, layer_id)
    assert layer["Name"] == f"tf {layer_type} 2"
    assert (layer["CustomRecipes"]["Setup"], layer["CustomRecipes"]["Deploy"]) == (["tf::setup"], ["tf::deploy"])
    assert [b["ElasticLoadBalancerName"] for b in balancers] == ["tf-elb-2"] and scaling[0]["Enable"] is True

    client.delete_layer(LayerId=layer_id)
    gone(lambda: client.describe_layers(LayerIds=[layer_id]))
    client.delete_stack(StackId=stack_id)


def test_aws_opsworks_application(client):
    stack_id = tf_stack(client)
    app_id = client.create_app(
        StackId=stack_id, Name="tf-app", Shortname="", Type="other", Description="tf", DataSources=[{}],
        AppSource={"Type": "git", "Url": "https://github.com/aws/opsworks-example-cookbooks.git", "Revision": "master",
                   "Username": "", "Password": "", "SshKey": ""},
        Domains=["example.com"], EnableSsl=False, Attributes={"DocumentRoot": "public"},
        Environment=[{"Key": "key1", "Value": "value1", "Secure": True}],
    )["AppId"]
    app, = client.describe_apps(AppIds=[app_id])["Apps"]
    assert app["Shortname"] == "tf_app" and app["Type"] == "other"  # derived: Shortname "" is none
    assert app["AppSource"] == {"Type": "git", "Url": "https://github.com/aws/opsworks-example-cookbooks.git", "Revision": "master"}
    assert app["Environment"] == [{"Key": "key1", "Value": "*****FILTERED*****", "Secure": True}]

    client.update_app(AppId=app_id, Name="tf-app", Type="rails", Description="tf 2", DataSources=[{}], Domains=["example.com", "sub.example.com"],
                      EnableSsl=True, SslConfiguration={"Certificate": "cert", "PrivateKey": "key"}, Attributes={"RailsEnv": "staging"},
                      Environment=[{"Key": "key1", "Value": "value2", "Secure": False}],
                      AppSource={"Type": "git", "Url": "https://github.com/aws/opsworks-example-cookbooks.git", "Revision": "main"})
    app, = client.describe_apps(AppIds=[app_id])["Apps"]
    assert (app["Type"], app["EnableSsl"], app["Domains"], app["Environment"][0]["Value"]) == ("rails", True, ["example.com", "sub.example.com"], "value2")

    client.delete_app(AppId=app_id)
    gone(lambda: client.describe_apps(AppIds=[app_id]))


def wait_for(client, instance_id, status, seconds=10):
    """The provider's poll (10 s delay, 3 s min); the emulator's lifecycles are instant by default."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        instance = client.describe_instances(InstanceIds=[instance_id])["Instances"][0]
        if instance["Status"] == status:
            return instance
        time.sleep(0.1)
    pytest.fail(f"instance {instance_id} never reached {status}")


def read_instance(client, instance_id):
    """resourceInstanceRead dereferences ReportedOs.Family, Tenancy and the root device unconditionally."""
    instance, = client.describe_instances(InstanceIds=[instance_id])["Instances"]
    assert isinstance(instance["ReportedOs"], dict) and "Tenancy" in instance and "Hostname" in instance
    return instance


def test_aws_opsworks_instance(client):
    stack_id = tf_stack(client)
    layer_id = client.create_layer(StackId=stack_id, Type="custom", Name="tf", Shortname="tf")["LayerId"]
    instance_id = client.create_instance(
        StackId=stack_id, LayerIds=[layer_id], InstanceType="t2.micro", AgentVersion="INHERIT", Architecture="x86_64",
        EbsOptimized=False, InstallUpdatesOnBoot=True, Os="Ubuntu 12.04 LTS", RootDeviceType="ebs",
        BlockDeviceMappings=[{"DeviceName": "ROOT_DEVICE", "Ebs": {"VolumeType": "gp2", "VolumeSize": 8, "DeleteOnTermination": True}}],
    )["InstanceId"]
    stopped = read_instance(client, instance_id)
    assert (stopped["Status"], stopped["ReportedOs"], stopped["AgentVersion"]) == ("stopped", {}, "INHERIT")
    client.start_instance(InstanceId=instance_id)  # state = "running"
    online = wait_for(client, instance_id, "online")
    assert online["ReportedOs"]["Family"] == "debian"

    # running -> stopped: UpdateInstance on the online instance first, then StopInstance.
    client.update_instance(InstanceId=instance_id, AgentVersion="INHERIT", Architecture="x86_64", InstallUpdatesOnBoot=False,
                           Hostname=online["Hostname"], Os="Ubuntu 12.04 LTS", InstanceType="t2.small", LayerIds=[layer_id])
    client.stop_instance(InstanceId=instance_id)
    wait_for(client, instance_id, "stopped")
    instance = read_instance(client, instance_id)
    assert (instance["InstanceType"], instance["InstallUpdatesOnBoot"]) == ("t2.small", False)

    client.delete_instance(InstanceId=instance_id, DeleteElasticIp=True, DeleteVolumes=True)
    gone(lambda: client.describe_instances(InstanceIds=[instance_id]))


def read_user_profile(client, arn):
    """resourceUserProfileRead: DescribeUserProfiles(IamUserArns=[arn]); RNF means gone."""
    profile, = client.describe_user_profiles(IamUserArns=[arn])["UserProfiles"]
    return profile


def test_aws_opsworks_user_profile(client):
    arn = "arn:aws:iam::000000000000:user/tf-user"
    # Create sends CreateUserProfile, then UpdateUserProfile with the same members.
    members = dict(IamUserArn=arn, SshUsername="tf-user", SshPublicKey="ssh-rsa AAAA", AllowSelfManagement=False)
    client.create_user_profile(**members)
    client.update_user_profile(**members)
    profile = read_user_profile(client, arn)
    assert (profile["SshUsername"], profile["SshPublicKey"], profile["AllowSelfManagement"]) == ("tf-user", "ssh-rsa AAAA", False)
    client.update_user_profile(IamUserArn=arn, SshUsername="tf-user-2", SshPublicKey="ssh-rsa BBBB", AllowSelfManagement=True)
    assert read_user_profile(client, arn)["SshUsername"] == "tf-user-2"
    client.delete_user_profile(IamUserArn=arn)
    gone(lambda: read_user_profile(client, arn))
    gone(lambda: client.delete_user_profile(IamUserArn=arn))  # the provider ignores it


def test_aws_opsworks_permission(client):
    stack_id = tf_stack(client)
    arn = "arn:aws:iam::000000000000:user/tf-perm"
    # The provider retries SetPermission on exactly this text while IAM propagates.
    assert error_of(lambda: client.set_permission(StackId=stack_id, IamUserArn=arn, AllowSsh=True, AllowSudo=True, Level="manage")) == \
        ("ResourceNotFoundException", f"Unable to find user with ARN {arn}")
    client.create_user_profile(IamUserArn=arn)
    client.set_permission(StackId=stack_id, IamUserArn=arn, AllowSsh=True, AllowSudo=True, Level="manage")
    permission, = client.describe_permissions(IamUserArn=arn, StackId=stack_id)["Permissions"]  # exactly one
    assert (permission["Level"], permission["AllowSsh"], permission["AllowSudo"]) == ("manage", True, True)
    client.set_permission(StackId=stack_id, IamUserArn=arn, AllowSsh=False, AllowSudo=True)  # Level only when it changes
    permission, = client.describe_permissions(IamUserArn=arn, StackId=stack_id)["Permissions"]
    assert (permission["Level"], permission["AllowSsh"]) == ("manage", False)
    # Delete is a no-op in the provider; the profile's deletion takes the permission away.
    client.delete_user_profile(IamUserArn=arn)
    gone(lambda: client.describe_permissions(IamUserArn=arn, StackId=stack_id))


def test_aws_opsworks_rds_db_instance(client):
    stack_id = tf_stack(client)
    arn = "arn:aws:rds:us-east-1:000000000000:db:tf-db"

    def read():
        """DescribeRdsDbInstances(StackId), scanning for the ARN; absent means removed from state."""
        return [db for db in client.describe_rds_db_instances(StackId=stack_id)["RdsDbInstances"] if db["RdsDbInstanceArn"] == arn]

    client.register_rds_db_instance(StackId=stack_id, RdsDbInstanceArn=arn, DbUser="tf", DbPassword="secret-1")
    db, = read()
    assert (db["DbUser"], db["StackId"]) == ("tf", stack_id)
    client.update_rds_db_instance(RdsDbInstanceArn=arn, DbPassword="secret-2")  # only the changed member
    assert read()[0]["DbUser"] == "tf"
    client.deregister_rds_db_instance(RdsDbInstanceArn=arn)
    assert read() == []
    gone(lambda: client.deregister_rds_db_instance(RdsDbInstanceArn=arn))  # ignored by the provider
    client.delete_stack(StackId=stack_id)


def test_aws_opsworks_ecs_cluster_layer(client):
    stack_id = tf_stack(client)
    cluster = "arn:aws:ecs:us-east-1:000000000000:cluster/tf-cluster"
    # RegisterEcsCluster before CreateLayer; the layer carries the cluster in its attributes.
    client.register_ecs_cluster(EcsClusterArn=cluster, StackId=stack_id)
    layer_id = client.create_layer(StackId=stack_id, Type="ecs-cluster", Name="tf ecs", Shortname="ecs-cluster", CustomRecipes={},
                                   Attributes={"EcsClusterArn": cluster}, EnableAutoHealing=True, InstallUpdatesOnBoot=True)["LayerId"]
    layer, balancers, scaling, tags = read_layer(client, layer_id)
    assert layer["Attributes"]["EcsClusterArn"] == cluster and balancers == [] and len(scaling) == 1
    # Delete: DeleteLayer, then DeregisterEcsCluster.
    client.delete_layer(LayerId=layer_id)
    client.deregister_ecs_cluster(EcsClusterArn=cluster)
    gone(lambda: client.describe_layers(LayerIds=[layer_id]))
    assert client.describe_ecs_clusters(StackId=stack_id)["EcsClusters"] == []
    client.delete_stack(StackId=stack_id)


def test_the_terraform_sweeper_empties_the_region(client):
    """The sweeper's order: list every stack and what it holds, delete in dependency order."""
    for n in range(2):
        stack = create_stack(client, f"sweep{n}")
        layer = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
        client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")
        client.create_app(StackId=stack, Name="Shop", Type="php")
        client.register_rds_db_instance(StackId=stack, RdsDbInstanceArn=f"arn:aws:rds:us-east-1:000000000000:db:sweep{n}", DbUser="u", DbPassword="p")
    client.create_user_profile(IamUserArn="arn:aws:iam::000000000000:user/tf-sweep")
    for stack in client.describe_stacks()["Stacks"]:
        stack_id = stack["StackId"]
        for app in client.describe_apps(StackId=stack_id)["Apps"]:
            client.delete_app(AppId=app["AppId"])
        for instance in client.describe_instances(StackId=stack_id)["Instances"]:
            client.delete_instance(InstanceId=instance["InstanceId"], DeleteElasticIp=True, DeleteVolumes=True)
        for layer in client.describe_layers(StackId=stack_id)["Layers"]:
            client.delete_layer(LayerId=layer["LayerId"])
        for db in client.describe_rds_db_instances(StackId=stack_id)["RdsDbInstances"]:
            client.deregister_rds_db_instance(RdsDbInstanceArn=db["RdsDbInstanceArn"])
        client.delete_stack(StackId=stack_id)
    for profile in client.describe_user_profiles()["UserProfiles"]:
        client.delete_user_profile(IamUserArn=profile["IamUserArn"])
    assert client.describe_stacks()["Stacks"] == [] and client.describe_user_profiles()["UserProfiles"] == []
