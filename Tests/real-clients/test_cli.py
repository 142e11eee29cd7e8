"""The AWS CLI v1 (awscli 1.42.18) against the server."""
import json
import os
import pathlib
import subprocess
import sys
import time

from conftest import PROFILE, ROLE

AWS = pathlib.Path(sys.executable).parent / "aws"


def aws(server, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return subprocess.run([str(AWS), "opsworks", "--endpoint-url", server.url, "--region", "us-east-1", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def run_each(server, commands):
    """Runs each (arguments, output member) in order: JSON with that member is printed, or
    nothing for an operation without output."""
    for arguments, member in commands:
        result = aws(server, *arguments)
        assert result.returncode == 0, (arguments, result.stderr)
        if member:
            assert member in json.loads(result.stdout), (arguments, result.stdout)
        else:
            assert result.stdout.strip() == "", (arguments, result.stdout)


def test_cli_create_deployment_prints_a_deployment_id(server, client):
    stack = client.create_stack(Name="cli", Region="us-east-1", ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE)["StackId"]
    app = client.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    result = aws(server, "create-deployment", "--stack-id", stack, "--app-id", app, "--command", "Name=deploy")
    assert result.returncode == 0, result.stderr
    deployment_id = json.loads(result.stdout)["DeploymentId"]
    result = aws(server, "describe-deployments", "--deployment-ids", deployment_id)
    assert json.loads(result.stdout)["Deployments"][0]["Status"] == "successful"


def test_cli_reports_an_unknown_stack_at_once(server):
    started = time.monotonic()
    result = aws(server, "create-deployment", "--stack-id", "S", "--app-id", "A", "--command", "Name=deploy")
    assert result.returncode != 0
    assert "An error occurred (ResourceNotFoundException)" in result.stderr
    assert "Unable to find stack with ID S" in result.stderr
    assert time.monotonic() - started < 10, "no retries: the CLI should fail on the first answer"


def test_every_operation_added_for_the_whole_api_runs_from_the_cli(server, client):
    """Each operation of the API part 1, as `aws opsworks <command>` spells it, answered with what
    the CLI prints: JSON with the output's member, or nothing for operations without output."""
    from conftest import online_instance
    stack = client.create_stack(Name="cli", Region="us-east-1", ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE)["StackId"]
    layer = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    instance = online_instance(client, stack, layer)
    timer = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small", AutoScalingType="timer")["InstanceId"]
    spare = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    app = client.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    arn = client.describe_stacks(StackIds=[stack])["Stacks"][0]["Arn"]
    schedule = json.dumps({"Monday": {"9": "on"}})
    commands = [
        (["tag-resource", "--resource-arn", arn, "--tags", "team=web"], None),
        (["list-tags", "--resource-arn", arn], "Tags"),
        (["untag-resource", "--resource-arn", arn, "--tag-keys", "team"], None),
        (["attach-elastic-load-balancer", "--elastic-load-balancer-name", "cli-lb", "--layer-id", layer], None),
        (["describe-elastic-load-balancers", "--layer-ids", layer], "ElasticLoadBalancers"),
        (["detach-elastic-load-balancer", "--elastic-load-balancer-name", "cli-lb", "--layer-id", layer], None),
        (["set-load-based-auto-scaling", "--layer-id", layer, "--enable"], None),
        (["describe-load-based-auto-scaling", "--layer-ids", layer], "LoadBasedAutoScalingConfigurations"),
        (["set-time-based-auto-scaling", "--instance-id", timer, "--auto-scaling-schedule", schedule], None),
        (["describe-time-based-auto-scaling", "--instance-ids", timer], "TimeBasedAutoScalingConfigurations"),
        (["update-stack", "--stack-id", stack, "--name", "cli-2"], None),
        (["update-layer", "--layer-id", layer, "--name", "Web 2"], None),
        (["update-instance", "--instance-id", spare, "--instance-type", "t3.medium"], None),
        (["reboot-instance", "--instance-id", instance], None),
        (["describe-stack-summary", "--stack-id", stack], "StackSummary"),
        (["describe-stack-provisioning-parameters", "--stack-id", stack], "Parameters"),
        (["get-hostname-suggestion", "--layer-id", layer], "Hostname"),
        (["describe-agent-versions", "--stack-id", stack], "AgentVersions"),
        (["describe-operating-systems"], "OperatingSystems"),
        (["describe-service-errors", "--stack-id", stack], "ServiceErrors"),
        (["describe-raid-arrays", "--stack-id", stack], "RaidArrays"),
        (["clone-stack", "--source-stack-id", stack, "--service-role-arn", ROLE], "StackId"),
        (["stop-stack", "--stack-id", stack], None),
        (["start-stack", "--stack-id", stack], None),
        (["stop-stack", "--stack-id", stack], None),
        (["delete-app", "--app-id", app], None),
        (["delete-instance", "--instance-id", spare, "--delete-elastic-ip", "--delete-volumes"], None),
    ]
    run_each(server, commands)
    # The stack is emptied and deleted last, as a teardown does.
    for other in (instance, timer):
        assert aws(server, "delete-instance", "--instance-id", other).returncode == 0
    assert aws(server, "delete-layer", "--layer-id", layer).returncode == 0
    assert aws(server, "delete-stack", "--stack-id", stack).returncode == 0
    assert "ResourceNotFoundException" in aws(server, "describe-stacks", "--stack-ids", stack).stderr


def test_every_operation_of_the_api_part_2_runs_from_the_cli(server, client):
    """The 32 operations of users, permissions and registered resources, as the CLI spells them."""
    stack = client.create_stack(Name="cli", Region="us-east-1", ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE)["StackId"]
    layer = client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    windows = client.create_stack(Name="win", Region="us-east-1", ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE,
                                  DefaultOs="Microsoft Windows Server 2012 R2 Base", ConfigurationManager={"Name": "Chef", "Version": "12.2"})["StackId"]
    windows_layer = client.create_layer(StackId=windows, Type="custom", Name="W", Shortname="w")["LayerId"]
    windows_instance = client.create_instance(StackId=windows, LayerIds=[windows_layer], InstanceType="t3.large")["InstanceId"]
    client.start_instance(InstanceId=windows_instance)
    user, rds, ecs = "arn:aws:iam::000000000000:user/cli", "arn:aws:rds:us-east-1:000000000000:db:cli", "arn:aws:ecs:us-east-1:000000000000:cluster/cli"
    volume = client.register_volume(StackId=stack, Ec2VolumeId="vol-0000000a")["VolumeId"]
    registered = client.register_instance(StackId=stack, Hostname="cli-machine")["InstanceId"]
    commands = [
        (["create-user-profile", "--iam-user-arn", user], "IamUserArn"),
        (["update-user-profile", "--iam-user-arn", user, "--ssh-username", "cli"], None),
        (["describe-user-profiles", "--iam-user-arns", user], "UserProfiles"),
        (["describe-my-user-profile"], "UserProfile"),
        (["update-my-user-profile", "--ssh-public-key", "ssh-rsa AAAA"], None),
        (["set-permission", "--stack-id", stack, "--iam-user-arn", user, "--level", "deploy", "--allow-ssh"], None),
        (["describe-permissions", "--stack-id", stack], "Permissions"),
        (["grant-access", "--instance-id", windows_instance, "--valid-for-in-minutes", "60"], "TemporaryCredential"),
        (["register-elastic-ip", "--elastic-ip", "203.0.113.20", "--stack-id", stack], "ElasticIp"),
        (["update-elastic-ip", "--elastic-ip", "203.0.113.20", "--name", "cli"], None),
        (["associate-elastic-ip", "--elastic-ip", "203.0.113.20", "--instance-id", instance], None),
        (["describe-elastic-ips", "--instance-id", instance], "ElasticIps"),
        (["disassociate-elastic-ip", "--elastic-ip", "203.0.113.20"], None),
        (["deregister-elastic-ip", "--elastic-ip", "203.0.113.20"], None),
        (["register-volume", "--stack-id", stack, "--ec2-volume-id", "vol-0000000b"], "VolumeId"),
        (["update-volume", "--volume-id", volume, "--mount-point", "/mnt/cli"], None),
        (["assign-volume", "--volume-id", volume, "--instance-id", instance], None),
        (["describe-volumes", "--stack-id", stack], "Volumes"),
        (["unassign-volume", "--volume-id", volume], None),
        (["deregister-volume", "--volume-id", volume], None),
        (["register-rds-db-instance", "--stack-id", stack, "--rds-db-instance-arn", rds, "--db-user", "u", "--db-password", "p"], None),
        (["update-rds-db-instance", "--rds-db-instance-arn", rds, "--db-user", "v"], None),
        (["describe-rds-db-instances", "--stack-id", stack], "RdsDbInstances"),
        (["deregister-rds-db-instance", "--rds-db-instance-arn", rds], None),
        (["register-ecs-cluster", "--ecs-cluster-arn", ecs, "--stack-id", stack], "EcsClusterArn"),
        (["describe-ecs-clusters", "--stack-id", stack], "EcsClusters"),
        (["deregister-ecs-cluster", "--ecs-cluster-arn", ecs], None),
        (["register-instance", "--stack-id", stack, "--hostname", "cli-other", "--private-ip", "192.0.2.9"], "InstanceId"),
        (["assign-instance", "--instance-id", registered, "--layer-ids", layer], None),
        (["unassign-instance", "--instance-id", registered], None),
        (["deregister-instance", "--instance-id", registered], None),
        (["delete-user-profile", "--iam-user-arn", user], None),
    ]
    run_each(server, commands)
    assert "Unable to find user with ARN" in aws(server, "set-permission", "--stack-id", stack, "--iam-user-arn", user).stderr
