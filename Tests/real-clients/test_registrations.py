"""The last 32 operations through boto3: user profiles and permissions, Elastic IPs, volumes, RDS
DB instances, ECS clusters and registered instances, with the rules the service documents and
what DeleteInstance, DeregisterInstance and DeleteStack do to registered resources."""
import json

import botocore.session
import pytest

from conftest import CHEF_11, create_stack, error_of, online_instance

ACCOUNT = "000000000000"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:shop"
ECS = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/shop"


@pytest.fixture
def layer(client, stack):
    return client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]


# Users and permissions


def test_a_user_profile_is_created_described_updated_and_deleted(client):
    assert client.create_user_profile(IamUserArn=USER, SshUsername="alice.smith")["IamUserArn"] == USER
    [profile] = client.describe_user_profiles(IamUserArns=[USER])["UserProfiles"]
    # Punctuation other than - and _ is removed; no key yet, so no SshPublicKey member.
    assert profile == {"IamUserArn": USER, "Name": "alice", "SshUsername": "alicesmith", "AllowSelfManagement": False}
    client.update_user_profile(IamUserArn=USER, SshPublicKey="ssh-rsa AAAA", AllowSelfManagement=True)
    [profile] = client.describe_user_profiles()["UserProfiles"]
    assert profile["SshPublicKey"] == "ssh-rsa AAAA" and profile["AllowSelfManagement"] is True
    assert error_of(lambda: client.create_user_profile(IamUserArn=USER))[0] == "ValidationException"
    client.delete_user_profile(IamUserArn=USER)
    assert error_of(lambda: client.describe_user_profiles(IamUserArns=[USER])) == ("ResourceNotFoundException", f"Unable to find user with ARN {USER}")
    assert error_of(lambda: client.delete_user_profile(IamUserArn=USER))[0] == "ResourceNotFoundException"
    assert error_of(lambda: client.update_user_profile(IamUserArn=USER))[0] == "ResourceNotFoundException"


def test_a_profile_without_ssh_username_takes_the_iam_user_name(client):
    client.create_user_profile(IamUserArn=f"arn:aws:iam::{ACCOUNT}:user/division/Bob.Ops")
    [profile] = client.describe_user_profiles()["UserProfiles"]
    assert (profile["Name"], profile["SshUsername"]) == ("Bob.Ops", "bobops")


@pytest.mark.parametrize("arn", ["alice", "arn:aws:iam::000000000000:role/alice", "arn:aws:iam::123:user/alice", "arn:aws:s3:::bucket"])
def test_a_user_profile_needs_a_user_arn(client, arn):
    assert error_of(lambda: client.create_user_profile(IamUserArn=arn))[0] == "ValidationException"


def test_a_federated_user_can_have_a_profile(client):
    arn = f"arn:aws:sts::{ACCOUNT}:federated-user/carol"
    client.create_user_profile(IamUserArn=arn)
    assert client.describe_user_profiles(IamUserArns=[arn])["UserProfiles"][0]["Name"] == "carol"


def test_my_user_profile_is_the_access_keys_user(server):
    client = server.client(key="AKIDMYSELF")
    server.reset()
    me = f"arn:aws:iam::{ACCOUNT}:user/AKIDMYSELF"
    assert client.describe_my_user_profile()["UserProfile"] == {"IamUserArn": me, "Name": "AKIDMYSELF", "SshUsername": "akidmyself"}
    client.update_my_user_profile(SshPublicKey="ssh-ed25519 AAAA")
    assert client.describe_my_user_profile()["UserProfile"]["SshPublicKey"] == "ssh-ed25519 AAAA"
    assert client.describe_user_profiles(IamUserArns=[me])["UserProfiles"][0]["SshPublicKey"] == "ssh-ed25519 AAAA"
    # The caller cannot delete itself or set its own level (Terraform's sweeper skips "Cannot delete self").
    assert error_of(lambda: client.delete_user_profile(IamUserArn=me)) == ("ValidationException", "Cannot delete self")
    stack = create_stack(client)
    assert error_of(lambda: client.set_permission(StackId=stack, IamUserArn=me, Level="manage"))[0] == "ValidationException"
    # The deployments it makes name it too.
    deployment = client.create_deployment(StackId=stack, Command={"Name": "update_custom_cookbooks"})["DeploymentId"]
    assert client.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]["IamUserArn"] == me


def test_permissions_default_to_iam_only_and_keep_what_is_not_sent(client, stack):
    other = create_stack(client, "other")
    assert error_of(lambda: client.set_permission(StackId=stack, IamUserArn=USER, Level="deploy")) == \
        ("ResourceNotFoundException", f"Unable to find user with ARN {USER}")
    client.create_user_profile(IamUserArn=USER)
    implicit = {"StackId": stack, "IamUserArn": USER, "AllowSsh": False, "AllowSudo": False, "Level": "iam_only"}
    assert client.describe_permissions(IamUserArn=USER, StackId=stack)["Permissions"] == [implicit]
    client.set_permission(StackId=stack, IamUserArn=USER, AllowSsh=True, AllowSudo=True, Level="manage")
    client.set_permission(StackId=stack, IamUserArn=USER, AllowSudo=False)  # Level and AllowSsh stay
    [permission] = client.describe_permissions(IamUserArn=USER, StackId=stack)["Permissions"]
    assert permission == {**implicit, "AllowSsh": True, "Level": "manage"}
    by_user = client.describe_permissions(IamUserArn=USER)["Permissions"]
    assert [(p["StackId"], p["Level"]) for p in by_user] == [(stack, "manage"), (other, "iam_only")]
    assert [p["IamUserArn"] for p in client.describe_permissions(StackId=other)["Permissions"]] == [USER]
    assert error_of(lambda: client.set_permission(StackId=stack, IamUserArn=USER, Level="admin"))[0] == "ValidationException"
    assert error_of(lambda: client.describe_permissions())[0] == "ValidationException"
    assert error_of(lambda: client.describe_permissions(StackId="nope"))[0] == "ResourceNotFoundException"
    # A deleted profile takes its permissions with it.
    client.delete_user_profile(IamUserArn=USER)
    assert client.describe_permissions(StackId=stack)["Permissions"] == []


def test_grant_access_is_for_online_instances_of_windows_stacks(client, stack, layer):
    linux = online_instance(client, stack, layer)
    assert error_of(lambda: client.grant_access(InstanceId=linux))[0] == "ValidationException"
    windows = create_stack(client, "win", DefaultOs="Microsoft Windows Server 2012 R2 Base", ConfigurationManager={"Name": "Chef", "Version": "12.2"})
    win_layer = client.create_layer(StackId=windows, Type="custom", Name="W", Shortname="w")["LayerId"]
    instance = client.create_instance(StackId=windows, LayerIds=[win_layer], InstanceType="t3.large")["InstanceId"]
    assert error_of(lambda: client.grant_access(InstanceId=instance))[0] == "ValidationException"  # stopped
    client.start_instance(InstanceId=instance)
    credential = client.grant_access(InstanceId=instance, ValidForInMinutes=120)["TemporaryCredential"]
    assert credential["InstanceId"] == instance and credential["ValidForInMinutes"] == 120
    assert credential["Username"] and len(credential["Password"]) >= 16
    assert error_of(lambda: client.grant_access(InstanceId="nope"))[0] == "ResourceNotFoundException"


# Elastic IPs


def test_an_elastic_ip_is_registered_associated_and_released(client, stack, layer):
    instance = online_instance(client, stack, layer)
    assert client.register_elastic_ip(ElasticIp="203.0.113.10", StackId=stack)["ElasticIp"] == "203.0.113.10"
    assert client.describe_elastic_ips(StackId=stack)["ElasticIps"] == [{"Ip": "203.0.113.10", "Domain": "vpc", "Region": "us-east-1"}]
    other = create_stack(client, "other")
    assert error_of(lambda: client.register_elastic_ip(ElasticIp="203.0.113.10", StackId=other))[0] == "ValidationException"
    assert error_of(lambda: client.register_elastic_ip(ElasticIp="203.0.113.300", StackId=stack))[0] == "ValidationException"
    client.update_elastic_ip(ElasticIp="203.0.113.10", Name="front")
    client.associate_elastic_ip(ElasticIp="203.0.113.10", InstanceId=instance)
    [address] = client.describe_elastic_ips(InstanceId=instance)["ElasticIps"]
    assert address["Name"] == "front" and address["InstanceId"] == instance
    [described] = client.describe_instances(InstanceIds=[instance])["Instances"]
    assert described["ElasticIp"] == "203.0.113.10" and described["PublicIp"] == "203.0.113.10"
    assert error_of(lambda: client.deregister_elastic_ip(ElasticIp="203.0.113.10"))[0] == "ValidationException"
    client.disassociate_elastic_ip(ElasticIp="203.0.113.10")
    assert "ElasticIp" not in client.describe_instances(InstanceIds=[instance])["Instances"][0]
    assert client.describe_elastic_ips(Ips=["203.0.113.10"])["ElasticIps"][0].get("InstanceId") is None
    client.deregister_elastic_ip(ElasticIp="203.0.113.10")
    assert error_of(lambda: client.describe_elastic_ips(Ips=["203.0.113.10"])) == \
        ("ResourceNotFoundException", "Unable to find Elastic IP with address 203.0.113.10")
    # Registered again, now with the other stack.
    client.register_elastic_ip(ElasticIp="203.0.113.10", StackId=other)
    assert error_of(lambda: client.describe_elastic_ips(StackId=stack, Ips=["203.0.113.10"]))[0] == "ValidationException"
    assert error_of(lambda: client.update_elastic_ip(ElasticIp="203.0.113.10", Name="n" * 33))[0] == "ValidationException"
    assert error_of(lambda: client.associate_elastic_ip(ElasticIp="203.0.113.10"))[0] == "ValidationException"


def test_delete_instance_releases_or_keeps_the_address(client, stack, layer):
    keep = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    release = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    for ip, instance in [("203.0.113.1", keep), ("203.0.113.2", release)]:
        client.register_elastic_ip(ElasticIp=ip, StackId=stack)
        client.associate_elastic_ip(ElasticIp=ip, InstanceId=instance)
    client.delete_instance(InstanceId=keep, DeleteElasticIp=False)
    client.delete_instance(InstanceId=release, DeleteElasticIp=True)
    assert client.describe_elastic_ips(StackId=stack)["ElasticIps"] == [{"Ip": "203.0.113.1", "Domain": "vpc", "Region": "us-east-1"}]


# Volumes


def test_a_volume_is_registered_mounted_assigned_and_deregistered(client, stack, layer):
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    volume = client.register_volume(StackId=stack, Ec2VolumeId="vol-0123456789abcdef0")["VolumeId"]
    [described] = client.describe_volumes(VolumeIds=[volume])["Volumes"]
    assert described["Ec2VolumeId"] == "vol-0123456789abcdef0" and described["Status"] == "available"
    assert error_of(lambda: client.register_volume(StackId=stack, Ec2VolumeId="vol-0123456789abcdef0"))[0] == "ValidationException"
    assert error_of(lambda: client.register_volume(StackId=stack, Ec2VolumeId="volume-1"))[0] == "ValidationException"
    assert error_of(lambda: client.register_volume(StackId=stack))[0] == "ValidationException"
    # No mount point yet.
    assert error_of(lambda: client.assign_volume(VolumeId=volume, InstanceId=instance))[0] == "ValidationException"
    client.update_volume(VolumeId=volume, Name="data", MountPoint="/mnt/data")
    client.assign_volume(VolumeId=volume, InstanceId=instance)
    [assigned] = client.describe_volumes(InstanceId=instance)["Volumes"]
    assert (assigned["Status"], assigned["InstanceId"], assigned["Device"], assigned["MountPoint"]) == ("in-use", instance, "/dev/sdi", "/mnt/data")
    assert error_of(lambda: client.deregister_volume(VolumeId=volume))[0] == "ValidationException"
    client.start_instance(InstanceId=instance)
    assert error_of(lambda: client.unassign_volume(VolumeId=volume))[0] == "ValidationException"  # the instance is online
    client.stop_instance(InstanceId=instance)
    client.unassign_volume(VolumeId=volume)
    assert client.describe_volumes(StackId=stack)["Volumes"][0]["Status"] == "available"
    client.deregister_volume(VolumeId=volume)
    assert error_of(lambda: client.describe_volumes(VolumeIds=[volume])) == ("ResourceNotFoundException", f"Unable to find volume with ID {volume}")
    assert error_of(lambda: client.update_volume(VolumeId=volume, Name="x"))[0] == "ResourceNotFoundException"


def test_layer_volume_configurations_make_volumes_when_the_instance_comes_up(client, stack):
    layer = client.create_layer(StackId=stack, Type="custom", Name="Db", Shortname="db", VolumeConfigurations=[
        {"MountPoint": "/srv/raid", "RaidLevel": 1, "NumberOfDisks": 2, "Size": 10},
        {"MountPoint": "/srv/logs", "NumberOfDisks": 1, "Size": 5, "VolumeType": "gp2"}])["LayerId"]
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    assert client.describe_volumes(InstanceId=instance)["Volumes"] == []
    client.start_instance(InstanceId=instance)
    volumes = client.describe_volumes(InstanceId=instance)["Volumes"]
    assert len(volumes) == 3 and {v["Status"] for v in volumes} == {"in-use"}
    [raid] = client.describe_raid_arrays(InstanceId=instance)["RaidArrays"]
    members = client.describe_volumes(RaidArrayId=raid["RaidArrayId"])["Volumes"]
    assert len(members) == 2 and all(v["Size"] == 10 for v in members)
    assert client.describe_volumes(VolumeIds=[volumes[2]["VolumeId"]])["Volumes"][0]["MountPoint"] == "/srv/logs"
    assert [v["VolumeId"] for v in client.describe_volumes(InstanceId=instance)["Volumes"]] == [v["VolumeId"] for v in volumes]


# RDS


def test_an_rds_db_instance_is_registered_updated_and_deregistered(client, stack):
    client.register_rds_db_instance(StackId=stack, RdsDbInstanceArn=RDS, DbUser="shop", DbPassword="secret")
    [db] = client.describe_rds_db_instances(StackId=stack)["RdsDbInstances"]
    assert db["RdsDbInstanceArn"] == RDS and db["DbInstanceIdentifier"] == "shop" and db["DbUser"] == "shop"
    assert db["DbPassword"] == "*****FILTERED*****" and db["Region"] == "us-east-1" and db["Engine"] == "mysql"
    assert db["Address"].startswith("shop.") and db["Address"].endswith(".us-east-1.rds.amazonaws.com") and db["MissingOnRds"] is False
    assert client.describe_rds_db_instances(StackId=stack)["RdsDbInstances"][0]["Address"] == db["Address"]
    client.update_rds_db_instance(RdsDbInstanceArn=RDS, DbUser="app")
    assert client.describe_rds_db_instances(StackId=stack, RdsDbInstanceArns=[RDS])["RdsDbInstances"][0]["DbUser"] == "app"
    assert error_of(lambda: client.register_rds_db_instance(StackId=create_stack(client, "b"), RdsDbInstanceArn=RDS, DbUser="u", DbPassword="p"))[0] == "ValidationException"
    west = RDS.replace("us-east-1", "us-west-2")
    assert error_of(lambda: client.register_rds_db_instance(StackId=stack, RdsDbInstanceArn=west, DbUser="u", DbPassword="p"))[0] == "ValidationException"
    assert error_of(lambda: client.register_rds_db_instance(StackId=stack, RdsDbInstanceArn="shop", DbUser="u", DbPassword="p"))[0] == "ValidationException"
    client.deregister_rds_db_instance(RdsDbInstanceArn=RDS)
    assert client.describe_rds_db_instances(StackId=stack)["RdsDbInstances"] == []
    assert error_of(lambda: client.deregister_rds_db_instance(RdsDbInstanceArn=RDS)) == \
        ("ResourceNotFoundException", f"Unable to find RDS DB instance with ARN {RDS}")


def test_an_apps_rds_data_source_must_be_registered_with_its_stack(client, stack):
    source = [{"Type": "RdsDbInstance", "Arn": RDS, "DatabaseName": "shop"}]
    assert error_of(lambda: client.create_app(StackId=stack, Name="Shop", Type="php", DataSources=source))[0] == "ValidationException"
    client.register_rds_db_instance(StackId=stack, RdsDbInstanceArn=RDS, DbUser="u", DbPassword="p")
    app = client.create_app(StackId=stack, Name="Shop", Type="php", DataSources=source)["AppId"]
    assert client.describe_apps(AppIds=[app])["Apps"][0]["DataSources"] == source


# ECS


def test_an_ecs_cluster_layer_needs_a_cluster_registered_with_its_stack(client, stack):
    attributes = {"EcsClusterArn": ECS}
    assert error_of(lambda: client.create_layer(StackId=stack, Type="ecs-cluster", Name="E", Shortname="ecs-cluster", Attributes=attributes))[0] == "ValidationException"
    assert client.register_ecs_cluster(EcsClusterArn=ECS, StackId=stack)["EcsClusterArn"] == ECS
    [cluster] = client.describe_ecs_clusters(StackId=stack)["EcsClusters"]
    assert (cluster["EcsClusterArn"], cluster["EcsClusterName"], cluster["StackId"]) == (ECS, "shop", stack) and cluster["RegisteredAt"]
    layer = client.create_layer(StackId=stack, Type="ecs-cluster", Name="E", Shortname="ecs-cluster", Attributes=attributes)["LayerId"]
    # One cluster per stack, one stack per cluster.
    assert error_of(lambda: client.register_ecs_cluster(EcsClusterArn=ECS.replace("shop", "two"), StackId=stack))[0] == "ValidationException"
    assert error_of(lambda: client.register_ecs_cluster(EcsClusterArn=ECS, StackId=create_stack(client, "b")))[0] == "ValidationException"
    assert error_of(lambda: client.register_ecs_cluster(EcsClusterArn=ECS, StackId="nope"))[0] == "ResourceNotFoundException"
    # Terraform's order: the layer first, then the cluster.
    client.delete_layer(LayerId=layer)
    client.deregister_ecs_cluster(EcsClusterArn=ECS)
    assert client.describe_ecs_clusters(StackId=stack)["EcsClusters"] == []
    assert error_of(lambda: client.deregister_ecs_cluster(EcsClusterArn=ECS))[0] == "ResourceNotFoundException"


def test_describe_ecs_clusters_pages_with_botocores_paginator(client):
    stacks = [create_stack(client, f"s{n}") for n in range(3)]
    for n, stack in enumerate(stacks):
        client.register_ecs_cluster(EcsClusterArn=ECS.replace("shop", f"c{n}"), StackId=stack)
    pages = list(client.get_paginator("describe_ecs_clusters").paginate(StackId=stacks[1], PaginationConfig={"PageSize": 1}))
    assert [c["EcsClusterName"] for page in pages for c in page["EcsClusters"]] == ["c1"]
    by_arn = client.describe_ecs_clusters(EcsClusterArns=[ECS.replace("shop", "c2"), ECS.replace("shop", "c0")])["EcsClusters"]
    assert [c["StackId"] for c in by_arn] == [stacks[2], stacks[0]]
    assert error_of(lambda: client.describe_ecs_clusters())[0] == "ValidationException"


# Registered instances


def test_a_machine_is_registered_assigned_unassigned_and_deregistered(client, stack, layer):
    instance = client.register_instance(StackId=stack, PrivateIp="192.0.2.0", PublicIp="198.51.100.7", RsaPublicKey="ssh-rsa AAAA")["InstanceId"]
    client.get_waiter("instance_registered").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    [registered] = client.describe_instances(InstanceIds=[instance])["Instances"]
    assert registered["Hostname"] == "ip-192-0-2-0" and registered["InfrastructureClass"] == "on-premises"
    assert registered["RegisteredBy"] == f"arn:aws:iam::{ACCOUNT}:user/x" and registered["Os"] == "Custom"
    assert (registered["PrivateIp"], registered["PublicIp"], registered["LayerIds"]) == ("192.0.2.0", "198.51.100.7", [])
    assert error_of(lambda: client.register_instance(StackId=stack, Hostname="IP-192-0-2-0"))[0] == "ValidationException"
    client.assign_instance(InstanceId=instance, LayerIds=[layer])
    client.get_waiter("instance_online").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    assert client.describe_instances(LayerId=layer)["Instances"][0]["InstanceId"] == instance
    # An online registered instance is a deployment target like any other.
    deployment = client.create_deployment(StackId=stack, Command={"Name": "configure"})["DeploymentId"]
    assert client.describe_deployments(DeploymentIds=[deployment])["Deployments"][0]["InstanceIds"] == [instance]
    client.unassign_instance(InstanceId=instance)
    client.get_waiter("instance_registered").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    assert client.describe_instances(LayerId=layer)["Instances"] == []
    assert error_of(lambda: client.delete_instance(InstanceId=instance))[0] == "ValidationException"
    client.deregister_instance(InstanceId=instance)
    assert error_of(lambda: client.describe_instances(InstanceIds=[instance]))[0] == "ResourceNotFoundException"


def test_instances_created_by_opsworks_are_not_assigned_or_unassigned(client, stack, layer):
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    assert error_of(lambda: client.assign_instance(InstanceId=instance, LayerIds=[layer]))[0] == "ValidationException"
    assert error_of(lambda: client.unassign_instance(InstanceId=instance))[0] == "ValidationException"
    # DeregisterInstance takes any instance, with its address.
    client.register_elastic_ip(ElasticIp="203.0.113.5", StackId=stack)
    client.associate_elastic_ip(ElasticIp="203.0.113.5", InstanceId=instance)
    client.deregister_instance(InstanceId=instance)
    assert client.describe_elastic_ips(StackId=stack)["ElasticIps"] == []


def test_a_registered_ec2_instance_joins_custom_layers_only(client):
    stack = create_stack(client, "chef11", **CHEF_11)
    builtin = client.create_layer(StackId=stack, Type="php-app", Name="PHP", Shortname="php-app")["LayerId"]
    identity = {"Document": '{"instanceId": "i-0123456789abcdef0", "region": "us-east-1"}', "Signature": "sig"}
    instance = client.register_instance(StackId=stack, Hostname="worker", InstanceIdentity=identity)["InstanceId"]
    [registered] = client.describe_instances(InstanceIds=[instance])["Instances"]
    assert registered["InfrastructureClass"] == "ec2" and registered["Ec2InstanceId"] == "i-0123456789abcdef0"
    assert error_of(lambda: client.assign_instance(InstanceId=instance, LayerIds=[builtin]))[0] == "ValidationException"


def test_delete_stack_deregisters_what_the_stack_holds(client, stack):
    client.create_user_profile(IamUserArn=USER)
    client.set_permission(StackId=stack, IamUserArn=USER, Level="show")
    client.register_elastic_ip(ElasticIp="203.0.113.9", StackId=stack)
    client.register_volume(StackId=stack, Ec2VolumeId="vol-0000000f")
    client.register_rds_db_instance(StackId=stack, RdsDbInstanceArn=RDS, DbUser="u", DbPassword="p")
    client.register_ecs_cluster(EcsClusterArn=ECS, StackId=stack)
    client.delete_stack(StackId=stack)
    other = create_stack(client, "next")
    # Each resource can be registered with another stack now.
    client.register_elastic_ip(ElasticIp="203.0.113.9", StackId=other)
    client.register_volume(StackId=other, Ec2VolumeId="vol-0000000f")
    client.register_rds_db_instance(StackId=other, RdsDbInstanceArn=RDS, DbUser="u", DbPassword="p")
    client.register_ecs_cluster(EcsClusterArn=ECS, StackId=other)
    assert client.describe_permissions(IamUserArn=USER)["Permissions"] == \
        [{"StackId": other, "IamUserArn": USER, "AllowSsh": False, "AllowSudo": False, "Level": "iam_only"}]


def test_start_and_stop_stack_leave_registered_machines_alone(client, stack, layer):
    machine = client.register_instance(StackId=stack, Hostname="machine")["InstanceId"]
    created = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    client.start_stack(StackId=stack)
    statuses = {i["InstanceId"]: i["Status"] for i in client.describe_instances(StackId=stack)["Instances"]}
    assert statuses == {machine: "registered", created: "online"}
    client.stop_stack(StackId=stack)
    statuses = {i["InstanceId"]: i["Status"] for i in client.describe_instances(StackId=stack)["Instances"]}
    assert statuses == {machine: "registered", created: "stopped"}


def test_an_address_associated_with_another_stacks_instance_moves_to_that_stack(client, stack, layer):
    other = create_stack(client, "other")
    other_layer = client.create_layer(StackId=other, Type="custom", Name="Web", Shortname="web")["LayerId"]
    there = client.create_instance(StackId=other, LayerIds=[other_layer], InstanceType="t3.small")["InstanceId"]
    here = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    client.register_elastic_ip(ElasticIp="203.0.113.60", StackId=stack)
    client.associate_elastic_ip(ElasticIp="203.0.113.60", InstanceId=here)
    client.associate_elastic_ip(ElasticIp="203.0.113.60", InstanceId=there)
    assert client.describe_elastic_ips(StackId=stack)["ElasticIps"] == []
    assert client.describe_elastic_ips(StackId=other)["ElasticIps"][0]["InstanceId"] == there
    assert "ElasticIp" not in client.describe_instances(InstanceIds=[here])["Instances"][0]


def shape_errors(shape, value, path="$"):
    """Where `value` leaves the model's shape: a member the shape does not have, or a value of
    another JSON type. botocore drops unknown members silently, so the raw answer is read."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not an object"]
        errors = [f"{path}.{key}: not in {shape.name}" for key in value if key not in shape.members]
        return errors + [e for key, item in value.items() if key in shape.members for e in shape_errors(shape.members[key], item, f"{path}.{key}")]
    if kind == "list":
        return [f"{path}: not a list"] if not isinstance(value, list) else [e for n, item in enumerate(value) for e in shape_errors(shape.member, item, f"{path}[{n}]")]
    if kind == "map":
        return [f"{path}: not a map"] if not isinstance(value, dict) else [e for key, item in value.items() for e in shape_errors(shape.value, item, f"{path}.{key}")]
    expected = {"string": str, "boolean": bool, "integer": int, "long": int, "double": (int, float), "float": (int, float)}[kind]
    ok = isinstance(value, expected) and not (kind in ("integer", "long", "double", "float") and isinstance(value, bool))
    return [] if ok else [f"{path}: {value!r} is not a {kind}"]


def test_every_answer_of_the_new_operations_is_exactly_the_models_shape(server, client, stack, layer):
    """Model-exact outputs, read off the wire: every member the answer has is the model's, of its type."""
    model = botocore.session.get_session().get_service_model("opsworks")
    instance = online_instance(client, stack, layer)
    windows = create_stack(client, "win", DefaultOs="Microsoft Windows Server 2012 R2 Base", ConfigurationManager={"Name": "Chef", "Version": "12.2"})
    windows_layer = client.create_layer(StackId=windows, Type="custom", Name="W", Shortname="w")["LayerId"]
    windows_instance = online_instance(client, windows, windows_layer)
    volumes = client.create_layer(StackId=stack, Type="custom", Name="Db", Shortname="db",
                                  VolumeConfigurations=[{"MountPoint": "/srv", "RaidLevel": 0, "NumberOfDisks": 2, "Size": 5}])["LayerId"]
    online_instance(client, stack, volumes)
    client.create_user_profile(IamUserArn=USER, SshPublicKey="ssh-rsa A")
    client.set_permission(StackId=stack, IamUserArn=USER, Level="show")
    client.register_elastic_ip(ElasticIp="203.0.113.70", StackId=stack)
    client.update_elastic_ip(ElasticIp="203.0.113.70", Name="front")
    client.associate_elastic_ip(ElasticIp="203.0.113.70", InstanceId=instance)
    volume = client.register_volume(StackId=stack, Ec2VolumeId="vol-0000000e")["VolumeId"]
    client.update_volume(VolumeId=volume, Name="data", MountPoint="/mnt/data")
    client.register_rds_db_instance(StackId=stack, RdsDbInstanceArn=RDS, DbUser="u", DbPassword="p")
    client.register_ecs_cluster(EcsClusterArn=ECS, StackId=stack)
    machine = client.register_instance(StackId=stack, Hostname="machine", PrivateIp="192.0.2.5",
                                       InstanceIdentity={"Document": '{"instanceId": "i-0123456789abcdef1"}', "Signature": "s"})["InstanceId"]
    calls = [
        ("DescribeUserProfiles", {}), ("DescribeUserProfiles", {"IamUserArns": [USER]}), ("DescribeMyUserProfile", {}),
        ("DescribePermissions", {"StackId": stack}), ("DescribePermissions", {"IamUserArn": USER}),
        ("GrantAccess", {"InstanceId": windows_instance}),
        ("DescribeElasticIps", {"StackId": stack}), ("DescribeVolumes", {"StackId": stack}),
        ("DescribeRdsDbInstances", {"StackId": stack}), ("DescribeEcsClusters", {"StackId": stack, "MaxResults": 1}),
        ("DescribeInstances", {"InstanceIds": [machine, instance]}),
        ("CreateUserProfile", {"IamUserArn": USER + "2"}), ("RegisterElasticIp", {"ElasticIp": "203.0.113.71", "StackId": stack}),
        ("RegisterVolume", {"StackId": stack, "Ec2VolumeId": "vol-0000000f"}),
        ("RegisterEcsCluster", {"EcsClusterArn": ECS.replace("shop", "other"), "StackId": windows}),
        ("RegisterInstance", {"StackId": stack, "Hostname": "machine-2"}),
    ]
    for operation, body in calls:
        status, _, answer = server.raw(json.dumps(body).encode(), target=f"OpsWorks_20130218.{operation}")
        assert status == 200 or operation == "RegisterEcsCluster", (operation, answer)
        if status != 200:
            continue
        shape = model.operation_model(operation).output_shape
        assert shape is not None and answer, (operation, answer)
        assert shape_errors(shape, answer) == [], operation
        # Something to check: each answer's list or member is there and not empty.
        assert any(v not in ([], {}, None) for v in answer.values()), (operation, answer)
