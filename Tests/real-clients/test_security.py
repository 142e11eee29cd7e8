"""SigV4 verification (opt-in), SQL-looking input stored as text, and no internals in responses."""
import pytest

from conftest import create_stack, error_of
from harness import api_request

KEY, SECRET = "AKIDOPSWORKSLOCAL", "local-secret"


@pytest.fixture
def verifying(start_server):
    return start_server("--in-memory", "--verify-signatures", "--credentials", f"{KEY}:{SECRET}")


def client_for(server, key, secret):
    import boto3
    return boto3.client("opsworks", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


def test_a_correctly_signed_botocore_request_passes(verifying):
    c = client_for(verifying, KEY, SECRET)
    stack = create_stack(c)
    assert c.describe_stacks(StackIds=[stack])["Stacks"][0]["StackId"] == stack


def test_a_wrong_secret_is_an_invalid_signature(verifying):
    code, message = error_of(lambda: client_for(verifying, KEY, "wrong").describe_stacks())
    assert code == "InvalidSignatureException" and "signature" in message


def test_an_unknown_key_is_an_unrecognized_client(verifying):
    code, message = error_of(lambda: client_for(verifying, "AKIDSTRANGER", SECRET).describe_stacks())
    assert code == "UnrecognizedClientException" and message == "The security token included in the request is invalid."


def test_a_missing_authorization_header_is_refused(verifying):
    status, headers, body = verifying.raw(b"{}")
    assert status == 400 and body["__type"] == "MissingAuthenticationTokenException"


def test_a_request_outside_the_clock_skew_window_is_refused(verifying):
    import socket
    data = api_request("DescribeStacks", {}, key=KEY, extra_headers=b"Connection: close\r\n")  # dated 2025-01-01
    with socket.create_connection(("127.0.0.1", verifying.port), timeout=5) as connection:
        connection.sendall(data)
        reply = connection.recv(65536)
    assert b"400 Bad Request" in reply and b"InvalidSignatureException" in reply and b"Signature expired" in reply


def test_signatures_are_not_checked_by_default(client):
    assert client.describe_stacks()["Stacks"] == []


def test_quotes_semicolons_and_sql_are_stored_and_returned_as_text(client):
    name = "x'); DROP TABLE stacks; --"
    stack = create_stack(client, name=name, CustomJson='{"q": "\\";--"}', DefaultSshKeyName="' OR '1'='1")
    described, = client.describe_stacks(StackIds=[stack])["Stacks"]
    assert described["Name"] == name and described["DefaultSshKeyName"] == "' OR '1'='1"
    layer = client.create_layer(StackId=stack, Type="custom", Name="Robert'); DELETE FROM layers;--", Shortname="bobby")["LayerId"]
    assert client.describe_layers(LayerIds=[layer])["Layers"][0]["Name"] == "Robert'); DELETE FROM layers;--"
    assert error_of(lambda: client.describe_stacks(StackIds=["' OR 1=1 --"])) == (
        "ResourceNotFoundException", "Unable to find stack with ID ' OR 1=1 --")
    assert len(client.describe_stacks()["Stacks"]) == 1
