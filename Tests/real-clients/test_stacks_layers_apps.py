"""Stacks, layers and apps through boto3: defaults, identity, uniqueness and errors."""
from conftest import CHEF_11, ISO_DATE, PROFILE, RESOURCE_ID, ROLE, create_stack, error_of


def test_create_stack_fills_in_the_documented_defaults(client):
    stack_id = create_stack(client, name="shop")
    assert RESOURCE_ID.match(stack_id)
    stack, = client.describe_stacks(StackIds=[stack_id])["Stacks"]
    assert stack["Name"] == "shop"
    assert stack["Arn"] == f"arn:aws:opsworks:us-east-1:000000000000:stack/{stack_id}/"
    assert stack["HostnameTheme"] == "Layer_Dependent"
    # Linux stacks are Chef 12 by default [Model-doc StackConfigurationManager], in the default VPC.
    assert stack["ConfigurationManager"] == {"Name": "Chef", "Version": "12"} and stack["DefaultOs"] == "Amazon Linux 2"
    assert stack["VpcId"].startswith("vpc-") and stack["DefaultSubnetId"].startswith("subnet-")
    assert stack["DefaultAvailabilityZone"] == "us-east-1a"
    assert stack["UseOpsworksSecurityGroups"] is True
    assert stack["DefaultRootDeviceType"] == "instance-store"
    assert stack["CustomCookbooksSource"] == {}
    assert stack["ServiceRoleArn"] == ROLE and stack["DefaultInstanceProfileArn"] == PROFILE
    assert ISO_DATE.match(stack["CreatedAt"])


def test_create_stack_keeps_every_member_it_was_given(client):
    stack_id = create_stack(
        client, VpcId="vpc-0123456789abcdef0", DefaultSubnetId="subnet-0123abcd", Attributes={"Color": "rgb(45, 114, 184)"},
        DefaultOs="Ubuntu 14.04 LTS", HostnameTheme="Planets_and_Moons", CustomJson='{"a": 1}',
        ConfigurationManager={"Name": "Chef", "Version": "11.10"}, ChefConfiguration={"ManageBerkshelf": True, "BerkshelfVersion": "3.2.0"},
        UseCustomCookbooks=True, CustomCookbooksSource={"Type": "git", "Url": "https://example.com/c.git", "Revision": "main"},
        DefaultSshKeyName="key", DefaultRootDeviceType="ebs", AgentVersion="4039-20200430042739",
    )
    stack, = client.describe_stacks(StackIds=[stack_id])["Stacks"]
    assert stack["VpcId"] == "vpc-0123456789abcdef0" and stack["DefaultSubnetId"] == "subnet-0123abcd"
    assert stack["Attributes"] == {"Color": "rgb(45, 114, 184)"}
    assert stack["HostnameTheme"] == "Planets_and_Moons"
    assert stack["CustomJson"] == '{"a": 1}'
    assert stack["ChefConfiguration"] == {"ManageBerkshelf": True, "BerkshelfVersion": "3.2.0"}
    assert stack["CustomCookbooksSource"]["Url"] == "https://example.com/c.git"
    assert stack["DefaultRootDeviceType"] == "ebs" and stack["AgentVersion"] == "4039-20200430042739"


def test_describe_stacks_lists_all_or_the_named_ones(client):
    first, second = create_stack(client, name="a"), create_stack(client, name="b")
    assert [s["StackId"] for s in client.describe_stacks()["Stacks"]] == [first, second]
    assert [s["StackId"] for s in client.describe_stacks(StackIds=[second])["Stacks"]] == [second]


def test_describe_stacks_errors(client):
    assert error_of(lambda: client.describe_stacks(StackIds=[])) == (
        "ValidationException", "Please provide no arguments or, one or more stack IDs")
    assert error_of(lambda: client.describe_stacks(StackIds=["foobar"])) == (
        "ResourceNotFoundException", "Unable to find stack with ID foobar")


def test_create_stack_rejects_bad_values(client):
    code, message = error_of(lambda: client.create_stack(Name="x", Region="nowhere", ServiceRoleArn=ROLE, DefaultInstanceProfileArn=PROFILE))
    assert code == "ValidationException" and "nowhere" in message
    code, message = error_of(lambda: client.create_stack(Name="x", Region="us-east-1", ServiceRoleArn="role", DefaultInstanceProfileArn=PROFILE))
    assert code == "ValidationException" and message == "Service Role Arn: role is not the ARN of an IAM role (arn:aws:iam::<account>:role/<name>)"
    code, message = error_of(lambda: create_stack(client, HostnameTheme="Dogs"))
    assert code == "ValidationException" and "Dogs" in message
    code, message = error_of(lambda: create_stack(client, DefaultRootDeviceType="floppy"))
    assert code == "ValidationException" and "defaultRootDeviceType" in message


def test_state_is_scoped_by_region_and_account(server, client):
    stack_id = create_stack(client)
    assert server.client(region="eu-west-1").describe_stacks()["Stacks"] == []
    other_account = server.client(key="123456789012")
    assert other_account.describe_stacks()["Stacks"] == []
    assert error_of(lambda: other_account.describe_stacks(StackIds=[stack_id]))[0] == "ResourceNotFoundException"
    mine = create_stack(other_account)
    arn = other_account.describe_stacks(StackIds=[mine])["Stacks"][0]["Arn"]
    assert arn.startswith("arn:aws:opsworks:us-east-1:123456789012:stack/")


def test_create_layer_fills_in_defaults(client, stack):
    client.update_stack(StackId=stack, **CHEF_11)
    layer_id = client.create_layer(StackId=stack, Type="php-app", Name="PHP App Server", Shortname="php-app",
                                   Attributes={"RubyVersion": "2.7"}, CustomRecipes={"Setup": ["web::setup"]})["LayerId"]
    layer, = client.describe_layers(LayerIds=[layer_id])["Layers"]
    assert layer["Arn"] == f"arn:aws:opsworks:us-east-1:000000000000:layer/{layer_id}"
    assert layer["StackId"] == stack and layer["Type"] == "php-app"
    assert layer["DefaultSecurityGroupNames"] == ["AWS-OpsWorks-PHP-App-Server"]
    assert layer["Attributes"]["RubyVersion"] == "2.7"
    assert "MysqlRootPassword" in layer["Attributes"] and layer["Attributes"]["MysqlRootPassword"] is None
    assert layer["CustomRecipes"]["Setup"] == ["web::setup"] and layer["CustomRecipes"]["Deploy"] == []
    assert layer["InstallUpdatesOnBoot"] is True and layer["EnableAutoHealing"] is True
    assert ISO_DATE.match(layer["CreatedAt"])
    assert [l["LayerId"] for l in client.describe_layers(StackId=stack)["Layers"]] == [layer_id]


def test_layer_uniqueness_rules(client, stack):
    client.update_stack(StackId=stack, **CHEF_11)
    client.create_layer(StackId=stack, Type="php-app", Name="PHP", Shortname="php-app")
    code, message = error_of(lambda: client.create_layer(StackId=stack, Type="custom", Name="PHP", Shortname="other"))
    assert code == "ValidationException" and "PHP" in message
    code, message = error_of(lambda: client.create_layer(StackId=stack, Type="custom", Name="Other", Shortname="php-app"))
    assert code == "ValidationException" and "php-app" in message
    code, message = error_of(lambda: client.create_layer(StackId=stack, Type="php-app", Name="PHP 2", Shortname="php-app"))
    assert code == "ValidationException" and "php-app" in message
    # Custom layers are not limited to one per stack.
    client.create_layer(StackId=stack, Type="custom", Name="C1", Shortname="c1")
    client.create_layer(StackId=stack, Type="custom", Name="C2", Shortname="c2")
    code, message = error_of(lambda: client.create_layer(StackId=stack, Type="custom", Name="Bad", Shortname="has space"))
    assert code == "ValidationException" and "has space" in message


def test_layer_errors(client, stack):
    assert error_of(lambda: client.create_layer(StackId="nope", Type="custom", Name="W", Shortname="w")) == (
        "ResourceNotFoundException", "Unable to find stack with ID nope")
    assert error_of(lambda: client.describe_layers(LayerIds=["nope"])) == (
        "ResourceNotFoundException", "Unable to find layer with ID nope")
    assert error_of(lambda: client.describe_layers(StackId="nope")) == (
        "ResourceNotFoundException", "Unable to find stack with ID nope")
    assert error_of(lambda: client.describe_layers())[0] == "ValidationException"
    code, message = error_of(lambda: client.create_layer(StackId=stack, Type="teapot", Name="W", Shortname="w"))
    assert code == "ValidationException" and "teapot" in message


def test_create_app_derives_a_shortname_and_defaults(client, stack):
    app_id = client.create_app(StackId=stack, Name="My Shop", Type="php",
                               Environment=[{"Key": "A", "Value": "1"}, {"Key": "S", "Value": "secret", "Secure": True}])["AppId"]
    app, = client.describe_apps(AppIds=[app_id])["Apps"]
    assert app["Shortname"] == "my_shop" and app["Name"] == "My Shop" and app["Type"] == "php"
    assert app["EnableSsl"] is False and app["SslConfiguration"] == {}
    assert app["Environment"] == [{"Key": "A", "Value": "1", "Secure": False}, {"Key": "S", "Value": "*****FILTERED*****", "Secure": True}]
    assert ISO_DATE.match(app["CreatedAt"])
    second = client.create_app(StackId=stack, Name="My Shop", Type="php")["AppId"]
    assert client.describe_apps(AppIds=[second])["Apps"][0]["Shortname"] == "my_shop_2"
    assert [a["AppId"] for a in client.describe_apps(StackId=stack)["Apps"]] == [app_id, second]


def test_update_app_changes_the_app(client, stack):
    app_id = client.create_app(StackId=stack, Name="Shop", Type="php", AppSource={"Type": "git", "Url": "u1"})["AppId"]
    assert client.update_app(AppId=app_id, Name="Shop 2", AppSource={"Type": "git", "Url": "u2"}) is not None
    app, = client.describe_apps(AppIds=[app_id])["Apps"]
    assert app["Name"] == "Shop 2" and app["AppSource"]["Url"] == "u2" and app["Shortname"] == "shop"
    assert error_of(lambda: client.update_app(AppId="nope", Name="x")) == (
        "ResourceNotFoundException", "Unable to find app with ID nope")


def test_app_errors(client, stack):
    assert error_of(lambda: client.create_app(StackId="nope", Name="S", Type="php")) == (
        "ResourceNotFoundException", "Unable to find stack with ID nope")
    code, message = error_of(lambda: client.create_app(StackId=stack, Name="S", Type="cobol"))
    assert code == "ValidationException" and "cobol" in message
    client.create_app(StackId=stack, Name="S", Shortname="s", Type="php")
    assert error_of(lambda: client.create_app(StackId=stack, Name="T", Shortname="s", Type="php"))[0] == "ValidationException"
    assert error_of(lambda: client.describe_apps())[0] == "ValidationException"
    assert error_of(lambda: client.describe_apps(AppIds=["nope"])) == (
        "ResourceNotFoundException", "Unable to find app with ID nope")


def test_app_exists_waiter(client, stack):
    app_id = client.create_app(StackId=stack, Name="S", Type="static")["AppId"]
    client.get_waiter("app_exists").wait(AppIds=[app_id], WaiterConfig={"Delay": 1, "MaxAttempts": 3})
