"""SigV4 verification (opt-in), SQL-looking input stored as text, and no internals in responses."""
import pytest

from conftest import create_stack, error_of
from harness import api_request

KEY, SECRET = "AKIDOPSWORKSLOCAL", "local-secret"


@pytest.fixture
def verifying(start_server):
    return start_server("--in-memory", "--verify-signatures", "--credentials", f"{KEY}:{SECRET}", "--log-level", "notice")


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


def signed_harness_call(server, path, key, secret, method="POST"):
    """A call to a /_opsworks-local/ endpoint, SigV4-signed by botocore as for the API."""
    import http.client
    import json
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    request = AWSRequest(method=method, url=f"{server.url}{path}", data=b"")
    SigV4Auth(Credentials(key, secret), "opsworks", "us-east-1").add_auth(request)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path, body=b"", headers=dict(request.headers.items()))
    response = connection.getresponse()
    body = json.loads(response.read() or b"null")
    connection.close()
    return response.status, body


def test_with_verification_a_reset_needs_a_signature_of_a_known_key(verifying):
    c = client_for(verifying, KEY, SECRET)
    create_stack(c)
    status, _, body = verifying.raw(b"", target=None, path="/_opsworks-local/reset")
    assert status == 403 and body["__type"] == "MissingAuthenticationTokenException"
    assert signed_harness_call(verifying, "/_opsworks-local/reset", KEY, "wrong")[0] == 403
    status, body = signed_harness_call(verifying, "/_opsworks-local/reset", "AKIDSTRANGER", SECRET)
    assert status == 403 and body["__type"] == "UnrecognizedClientException"
    assert len(c.describe_stacks()["Stacks"]) == 1, "a refused reset changes nothing"
    status, body = signed_harness_call(verifying, "/_opsworks-local/reset", KEY, SECRET)
    assert status == 200 and body["status"] == "reset"
    assert c.describe_stacks()["Stacks"] == []
    # Health changes nothing: it stays open, for readiness probes.
    assert verifying.raw(b"", target=None, method="GET", path="/_opsworks-local/health")[0] == 200
    verifying.stop()
    log = verifying.log_text()
    assert "POST /_opsworks-local/reset 403 key=-" in log and "POST /_opsworks-local/reset 403 key=AKIDSTRANGER" in log
    assert f"POST /_opsworks-local/reset 200 key={KEY}" in log


def test_a_reset_goes_back_to_the_fixtures(start_server):
    import json
    from conftest import REPO
    demo = json.loads((REPO / "fixtures/demo.json").read_text())["Stacks"][0]
    server = start_server("--in-memory", "--fixtures", str(REPO / "fixtures/demo.json"))
    c = server.client()
    create_stack(c, name="extra")
    c.update_app(AppId=demo["Apps"][0]["AppId"], Name="renamed")
    server.reset()
    stacks = c.describe_stacks()["Stacks"]
    assert [s["StackId"] for s in stacks] == [demo["StackId"]]
    assert c.describe_apps(AppIds=[demo["Apps"][0]["AppId"]])["Apps"][0]["Name"] == "Shop"
    assert {i["Status"] for i in c.describe_instances(StackId=demo["StackId"])["Instances"]} == {"online"}


def raw_with_authorization(server, authorization):
    return server.raw(b"{}", headers={"Authorization": authorization})


@pytest.mark.parametrize("authorization, code, message", [
    ("garbage", "IncompleteSignatureException",
     "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
     "Authorization header requires 'SignedHeaders' parameter. Authorization=garbage"),
    ("AWS4-HMAC-SHA256 Credential=", "IncompleteSignatureException",
     "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
     "Authorization=AWS4-HMAC-SHA256 Credential="),
    ("AWS4-HMAC-SHA256 Credential=K/20250101/" + "a" * 5000 + "/opsworks/aws4_request, SignedHeaders=host, Signature=0",
     "InvalidSignatureException", "Credential should be scoped to a valid region, not '" + "a" * 5000 + "'. "),
    ("AWS4-HMAC-SHA256 Credential=K/20250101/0/127/aws4_request, SignedHeaders=host, Signature=0",
     "InvalidSignatureException", "Credential should be scoped to a valid region, not '0'. "),
    ("AWS4-HMAC-SHA256 Credential=K/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
     "InvalidSignatureException", "Credential should be scoped to correct service: 'opsworks'. "),
])
def test_a_malformed_authorization_header_is_refused_even_without_verification(client, server, authorization, code, message):
    status, headers, body = raw_with_authorization(server, authorization)
    assert (status, body["__type"], body["message"], headers["x-amzn-ErrorType"]) == (400, code, message, code)
    assert client.describe_stacks()["Stacks"] == [], "nothing was created in a region named by a bad scope"


def test_a_client_configured_with_a_non_region_hears_about_it(server, client):
    """boto3 with region_name="localhost" signs for region "localhost": refused, not a region of its own."""
    bad = server.client(region="localhost")
    code, message = error_of(lambda: bad.describe_stacks())
    assert (code, message) == ("InvalidSignatureException", "Credential should be scoped to a valid region, not 'localhost'. ")


def test_no_authorization_header_is_us_east_1_and_the_default_account(server, client):
    create_stack(client)
    status, _, body = server.raw(b"{}")
    assert status == 200 and len(body["Stacks"]) == 1
