"""Tags of stacks and layers, load-based scaling and Elastic Load Balancers of layers: what
Terraform reads on every refresh of a stack or a layer (ops-behaviour §10, §2, §13)."""
import json
import subprocess

import pytest

from conftest import REPO, create_stack, error_of, online_instance


@pytest.fixture
def layer(client, stack):
    return client.create_layer(StackId=stack, Type="custom", Name="Web", Shortname="web")["LayerId"]


def stack_arn(client, stack):
    return client.describe_stacks(StackIds=[stack])["Stacks"][0]["Arn"]


def test_tags_are_found_by_kind_and_id_whatever_form_of_the_arn(client, stack):
    arn = stack_arn(client, stack)
    assert arn.endswith(f":stack/{stack}/")
    assert client.list_tags(ResourceArn=arn)["Tags"] == {}
    # Terraform builds the ARN itself, the account empty under skip_requesting_account_id;
    # the User Guide writes it without the trailing slash.
    client.tag_resource(ResourceArn=f"arn:aws:opsworks:us-east-1::stack/{stack}/", Tags={"team": "web", "env": "test"})
    client.tag_resource(ResourceArn=arn.rstrip("/"), Tags={"env": "prod"})
    assert client.list_tags(ResourceArn=arn)["Tags"] == {"env": "prod", "team": "web"}
    client.untag_resource(ResourceArn=arn, TagKeys=["team", "never-set"])
    assert client.list_tags(ResourceArn=arn)["Tags"] == {"env": "prod"}


def test_layer_tags_are_the_layers_own(client, stack, layer):
    layer_arn = client.describe_layers(LayerIds=[layer])["Layers"][0]["Arn"]
    client.tag_resource(ResourceArn=stack_arn(client, stack), Tags={"env": "test"})
    client.tag_resource(ResourceArn=layer_arn, Tags={"role": "web"})
    assert client.list_tags(ResourceArn=layer_arn)["Tags"] == {"role": "web"}


@pytest.mark.parametrize("tags, problem", [
    ({"": "x"}, "a key must be 1 to 127 characters"),
    ({"k" * 128: "x"}, "a key must be 1 to 127 characters"),
    ({"k": "v" * 256}, "longer than 255 characters"),
    ({"aws:owner": "x"}, "keys starting with aws: are reserved"),
    ({"Opsworks:x": "x"}, "keys starting with opsworks: are reserved"),
    ({"bad*key": "x"}, "may hold only letters, digits, spaces"),
])
def test_tags_break_the_documented_limits_with_a_validation_error(client, stack, tags, problem):
    code, message = error_of(lambda: client.tag_resource(ResourceArn=stack_arn(client, stack), Tags=tags))
    assert code == "ValidationException" and problem in message, message


def test_at_most_40_tags_counting_those_a_layer_inherits(client, stack, layer):
    layer_arn = client.describe_layers(LayerIds=[layer])["Layers"][0]["Arn"]
    client.tag_resource(ResourceArn=stack_arn(client, stack), Tags={f"s{n}": "x" for n in range(30)})
    client.tag_resource(ResourceArn=layer_arn, Tags={f"l{n}": "x" for n in range(10)})
    code, message = error_of(lambda: client.tag_resource(ResourceArn=layer_arn, Tags={"one-more": "x"}))
    assert code == "ValidationException" and "at most 40 tags" in message


def test_arns_that_name_no_stack_or_layer_here(client, stack):
    assert error_of(lambda: client.list_tags(ResourceArn=f"arn:aws:opsworks:us-east-1:000000000000:stack/nope/")) == (
        "ResourceNotFoundException", "Unable to find stack with ID nope")
    assert error_of(lambda: client.list_tags(ResourceArn=f"arn:aws:opsworks:us-east-1:111111111111:stack/{stack}/"))[0] == "ResourceNotFoundException"
    for arn in ["nonsense", f"arn:aws:opsworks:us-east-1:000000000000:instance/{stack}", f"arn:aws:ec2:us-east-1:000000000000:stack/{stack}/"]:
        code, message = error_of(lambda: client.list_tags(ResourceArn=arn))
        assert code == "ValidationException" and "is not the ARN of an OpsWorks stack or layer" in message


def test_list_tags_refuses_paging_members(client, stack):
    code, message = error_of(lambda: client.list_tags(ResourceArn=stack_arn(client, stack), MaxResults=5))
    assert code == "ValidationException" and "MaxResults" in message


def test_a_layer_never_configured_has_load_based_scaling_disabled_with_the_default_thresholds(client, layer):
    configuration, = client.describe_load_based_auto_scaling(LayerIds=[layer])["LoadBasedAutoScalingConfigurations"]
    assert configuration == {
        "LayerId": layer, "Enable": False,
        "UpScaling": {"InstanceCount": 1, "ThresholdsWaitTime": 5, "IgnoreMetricsTime": 5, "CpuThreshold": 80.0},
        "DownScaling": {"InstanceCount": 1, "ThresholdsWaitTime": 10, "IgnoreMetricsTime": 10, "CpuThreshold": 30.0},
    }


def test_set_load_based_scaling_replaces_what_it_is_given(client, layer):
    up = {"InstanceCount": 2, "ThresholdsWaitTime": 3, "IgnoreMetricsTime": 4, "CpuThreshold": 70.5, "MemoryThreshold": -1.0, "Alarms": ["high"]}
    assert client.set_load_based_auto_scaling(LayerId=layer, Enable=True, UpScaling=up)["ResponseMetadata"]["HTTPStatusCode"] == 200
    configuration, = client.describe_load_based_auto_scaling(LayerIds=[layer])["LoadBasedAutoScalingConfigurations"]
    assert configuration["Enable"] is True and configuration["UpScaling"] == up
    assert configuration["DownScaling"]["CpuThreshold"] == 30.0, "what was not given stays"
    client.set_load_based_auto_scaling(LayerId=layer, Enable=False)
    assert client.describe_load_based_auto_scaling(LayerIds=[layer])["LoadBasedAutoScalingConfigurations"][0]["UpScaling"] == up


def test_load_based_scaling_rules(client, stack, layer):
    code, message = error_of(lambda: client.set_load_based_auto_scaling(LayerId=layer, UpScaling={"Alarms": [f"a{n}" for n in range(6)]}))
    assert code == "ValidationException" and "at most 5 alarms" in message
    code, _ = error_of(lambda: client.set_load_based_auto_scaling(LayerId=layer, UpScaling={"ThresholdsWaitTime": 101}))
    assert code == "ValidationException"
    assert error_of(lambda: client.set_load_based_auto_scaling(LayerId="nope"))[0] == "ResourceNotFoundException"
    assert error_of(lambda: client.describe_load_based_auto_scaling(LayerIds=[layer, "nope"]))[0] == "ResourceNotFoundException"
    windows = create_stack(client, name="win", DefaultOs="Microsoft Windows Server 2012 R2 Base",
                           ConfigurationManager={"Name": "Chef", "Version": "12.2"})
    windows_layer = client.create_layer(StackId=windows, Type="custom", Name="W", Shortname="w")["LayerId"]
    code, message = error_of(lambda: client.set_load_based_auto_scaling(LayerId=windows_layer, Enable=True))
    assert code == "ValidationException" and "Windows" in message


def test_an_elb_serves_one_layer_and_shows_its_online_instances(client, stack, layer):
    assert client.describe_elastic_load_balancers(LayerIds=[layer])["ElasticLoadBalancers"] == []
    instance = online_instance(client, stack, layer)
    ec2_id = client.describe_instances(InstanceIds=[instance])["Instances"][0]["Ec2InstanceId"]
    client.attach_elastic_load_balancer(ElasticLoadBalancerName="web-lb", LayerId=layer)
    balancer, = client.describe_elastic_load_balancers(StackId=stack)["ElasticLoadBalancers"]
    assert balancer["ElasticLoadBalancerName"] == "web-lb" and balancer["LayerId"] == layer and balancer["StackId"] == stack
    assert balancer["Region"] == "us-east-1" and balancer["Ec2InstanceIds"] == [ec2_id]
    assert balancer["DnsName"].startswith("web-lb-") and balancer["DnsName"].endswith(".us-east-1.elb.amazonaws.com")
    assert client.describe_elastic_load_balancers(LayerIds=[layer])["ElasticLoadBalancers"] == [balancer], "stable across calls"

    other = client.create_layer(StackId=stack, Type="custom", Name="Api", Shortname="api")["LayerId"]
    code, message = error_of(lambda: client.attach_elastic_load_balancer(ElasticLoadBalancerName="web-lb", LayerId=other))
    assert code == "ValidationException" and "attached to another layer" in message
    code, message = error_of(lambda: client.attach_elastic_load_balancer(ElasticLoadBalancerName="second", LayerId=layer))
    assert code == "ValidationException" and "already has the Elastic Load Balancer web-lb" in message
    code, _ = error_of(lambda: client.attach_elastic_load_balancer(ElasticLoadBalancerName="not_an_elb!", LayerId=other))
    assert code == "ValidationException"

    assert error_of(lambda: client.detach_elastic_load_balancer(ElasticLoadBalancerName="web-lb", LayerId=other))[0] == "ResourceNotFoundException"
    client.detach_elastic_load_balancer(ElasticLoadBalancerName="web-lb", LayerId=layer)
    assert client.describe_elastic_load_balancers(StackId=stack)["ElasticLoadBalancers"] == []
    client.attach_elastic_load_balancer(ElasticLoadBalancerName="web-lb", LayerId=other)  # Terraform's Detach(old), Attach(new)
    assert [b["LayerId"] for b in client.describe_elastic_load_balancers(StackId=stack)["ElasticLoadBalancers"]] == [other]


def test_describe_elastic_load_balancers_takes_exactly_one_of_its_members(client, stack, layer):
    for arguments in [{}, {"StackId": stack, "LayerIds": [layer]}]:
        assert error_of(lambda: client.describe_elastic_load_balancers(**arguments))[0] == "ValidationException"
    assert error_of(lambda: client.describe_elastic_load_balancers(StackId="nope"))[0] == "ResourceNotFoundException"


def test_a_stopped_instance_reports_an_empty_reported_os(client, stack, layer):
    """Terraform dereferences ReportedOs.Family on every read (fidelity audit, finding 1)."""
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    assert client.describe_instances(InstanceIds=[instance])["Instances"][0]["ReportedOs"] == {}


def test_the_aws_cli_tags_a_stack_and_lists_its_tags(server, client, stack):
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
           "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    aws = [str(REPO / ".venv/bin/aws"), "opsworks", "--endpoint-url", server.url]
    arn = stack_arn(client, stack)
    tagged = subprocess.run(aws + ["tag-resource", "--resource-arn", arn, "--tags", "team=web"], env=env, capture_output=True, text=True, timeout=60)
    assert tagged.returncode == 0, tagged.stderr
    listed = subprocess.run(aws + ["list-tags", "--resource-arn", arn], env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and json.loads(listed.stdout) == {"Tags": {"team": "web"}}
    scaling = subprocess.run(aws + ["describe-load-based-auto-scaling", "--layer-ids", "nope"], env=env, capture_output=True, text=True, timeout=60)
    assert scaling.returncode == 255 and "ResourceNotFoundException" in scaling.stderr and "Unable to find layer with ID nope" in scaling.stderr
