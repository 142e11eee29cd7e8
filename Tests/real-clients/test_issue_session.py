"""The Python session of the issue, unchanged but for the endpoint's port."""
import boto3


def test_the_documented_session_runs_end_to_end(server):
    server.reset()
    c = boto3.client("opsworks", endpoint_url=server.url, region_name="us-east-1",
                     aws_access_key_id="x", aws_secret_access_key="x")
    stack = c.create_stack(Name="demo", Region="us-east-1",
                           ServiceRoleArn="arn:aws:iam::000000000000:role/svc",
                           DefaultInstanceProfileArn="arn:aws:iam::000000000000:instance-profile/ec2")["StackId"]
    layer = c.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]
    inst = c.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    c.start_instance(InstanceId=inst)
    c.get_waiter("instance_online").wait(InstanceIds=[inst])
    app = c.create_app(StackId=stack, Name="Shop", Type="php")["AppId"]
    dep = c.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"}, Comment="v1")["DeploymentId"]
    c.get_waiter("deployment_successful").wait(DeploymentIds=[dep])

    deployment, = c.describe_deployments(DeploymentIds=[dep])["Deployments"]
    assert deployment["Status"] == "successful"
    assert deployment["InstanceIds"] == [inst]
    assert deployment["Comment"] == "v1"
    assert deployment["Command"] == {"Name": "deploy", "Args": {}}

    command, = c.describe_commands(DeploymentId=dep)["Commands"]
    assert command["InstanceId"] == inst
    assert command["Status"] == "successful"
    assert command["Type"] == "deploy"
    assert command["ExitCode"] == 0
