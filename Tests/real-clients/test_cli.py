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
