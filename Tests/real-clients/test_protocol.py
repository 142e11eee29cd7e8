"""The wire: AWS JSON 1.1 errors, HTTP/1.1 framing, limits, and a server that keeps serving."""
import json
import re
import socket

from conftest import UUID, create_stack

DESCRIBE = "OpsWorks_20130218.DescribeStacks"


def exchange(server, data, read_until_close=True, timeout=5):
    """Sends raw bytes on one connection and returns everything the server sent back."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as connection:
        connection.sendall(data)
        if not read_until_close:
            return connection.recv(65536)
        chunks = []
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks)


def post(target, body, extra=b""):
    return (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + target.encode() + b"\r\n" + extra
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def assert_still_serving(server):
    status, _, body = server.raw(b"{}")
    assert status == 200 and "Stacks" in body


def test_success_carries_the_aws_headers(server):
    status, headers, body = server.raw(b"{}")
    assert status == 200 and body == {"Stacks": body["Stacks"]}
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert UUID.match(headers["x-amzn-RequestId"])


def test_unknown_and_missing_targets(server):
    for target in ["OpsWorks_20130218.LaunchRocket", "DynamoDB_20120810.ListTables", None]:
        status, headers, body = server.raw(b"{}", target=target)
        assert status == 400 and body["__type"] == "UnknownOperationException"
        assert headers["x-amzn-ErrorType"] == "UnknownOperationException" and UUID.match(headers["x-amzn-RequestId"])


def test_bodies_that_are_not_a_json_object(server):
    for body in [b"not json", b"[1,2]", b'"text"', b'{"a":', b"\xff\xfe{}", b'{"StackIds": ["\\ud800"]}']:
        status, _, parsed = server.raw(body)
        assert status == 400 and parsed["__type"] == "SerializationException", body
    assert_still_serving(server)


def test_members_of_the_wrong_type_are_a_400_not_a_500(server):
    cases = [
        ("DescribeStacks", {"StackIds": "one"}, "SerializationException"),
        ("DescribeStacks", {"StackIds": [1]}, "SerializationException"),
        ("CreateDeployment", {"StackId": 5, "Command": {"Name": "deploy"}}, "SerializationException"),
        ("CreateDeployment", {"StackId": "s", "Command": "deploy"}, "SerializationException"),
        ("CreateDeployment", {"StackId": "s", "Command": {"Name": "deploy", "Args": {"a": "b"}}}, "SerializationException"),
        ("CreateStack", {"Name": "n", "Region": "us-east-1", "ServiceRoleArn": "arn:x", "DefaultInstanceProfileArn": "arn:y",
                         "UseCustomCookbooks": "yes"}, "SerializationException"),
        ("CreateDeployment", {"Command": {"Name": "deploy"}}, "ValidationException"),
        ("CreateDeployment", {"StackId": None, "Command": {"Name": "deploy"}}, "ValidationException"),
        ("CreateDeployment", {"StackId": "s", "Command": {}}, "ValidationException"),
    ]
    for operation, body, code in cases:
        status, headers, parsed = server.raw(json.dumps(body).encode(), target=f"OpsWorks_20130218.{operation}")
        assert status == 400 and parsed["__type"] == code, (operation, body, parsed)
        assert headers["x-amzn-ErrorType"] == code


def test_a_missing_required_member_is_named_in_the_message(server):
    status, _, parsed = server.raw(b'{"Command": {"Name": "deploy"}}', target="OpsWorks_20130218.CreateDeployment")
    assert status == 400 and parsed == {
        "__type": "ValidationException",
        "message": "1 validation error detected: Value null at 'stackId' failed to satisfy constraint: Member must not be null"}


def test_an_unknown_command_name_lists_the_enum(server):
    status, _, parsed = server.raw(b'{"StackId": "s", "Command": {"Name": "launch"}}', target="OpsWorks_20130218.CreateDeployment")
    assert status == 400 and parsed["__type"] == "ValidationException"
    assert "Value 'launch' at 'command.name' failed to satisfy constraint: Member must satisfy enum value set: [install_dependencies," in parsed["message"]


def test_an_empty_body_stands_for_an_empty_object(server):
    status, _, body = server.raw(b"")
    assert status == 200 and "Stacks" in body


def test_keep_alive_serves_many_requests_on_one_connection(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        for _ in range(3):
            connection.sendall(post(DESCRIBE, b"{}"))
            reply = connection.recv(65536)
            assert reply.startswith(b"HTTP/1.1 200 OK") and b"Connection: close" not in reply


def test_connection_close_is_honoured(server):
    reply = exchange(server, post(DESCRIBE, b"{}", b"Connection: close\r\n"))
    assert reply.startswith(b"HTTP/1.1 200 OK") and b"Connection: close" in reply


def test_pipelined_requests_are_answered_in_order(server):
    targets = ["DescribeStacks", "LaunchRocket", "DescribeStacks"]
    data = b"".join(post(f"OpsWorks_20130218.{t}", b"{}") for t in targets) + post(DESCRIBE, b"{}", b"Connection: close\r\n")
    reply = exchange(server, data)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", reply)
    assert statuses == [b"200", b"400", b"200", b"200"]


def test_chunked_bodies_are_decoded(server):
    body = b'{"StackIds": ["chunky"]}'
    chunked = b"5\r\n" + body[:5] + b"\r\n" + hex(len(body) - 5)[2:].encode() + b"\r\n" + body[5:] + b"\r\n0\r\n\r\n"
    data = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + DESCRIBE.encode()
            + b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked)
    reply = exchange(server, data)
    assert b"400 Bad Request" in reply and b"Unable to find stack with ID chunky" in reply


def test_expect_100_continue_gets_an_interim_response(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + DESCRIBE.encode()
                           + b"\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        assert connection.recv(65536).startswith(b"HTTP/1.1 100 Continue")
        connection.sendall(b"{}")
        assert connection.recv(65536).startswith(b"HTTP/1.1 200 OK")


def test_a_20_mb_body_is_refused_with_413_and_the_server_goes_on(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + DESCRIBE.encode()
                           + b"\r\nContent-Length: 20000000\r\n\r\n")
        reply = connection.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413") and b"RequestEntityTooLargeException" in reply
    assert_still_serving(server)


def test_a_truncated_body_does_not_disturb_the_server(server):
    reply = exchange(server, post(DESCRIBE, b'{"StackIds": ')[:-5] , timeout=1)
    assert reply == b""  # the server waits for the rest; the client gave up
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + DESCRIBE.encode() + b"\r\nContent-Length: 100\r\n\r\n{}")
        connection.shutdown(socket.SHUT_WR)
    assert_still_serving(server)


def test_malformed_requests_get_400_and_close(server):
    for data in [b"GARBAGE\r\n\r\n", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                 b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
                 b"POST / HTTP/1.1\r\nBad Header\r\n\r\n", b"POST / HTTP/1.1\r\n\r\n"]:
        reply = exchange(server, data)
        assert reply.startswith(b"HTTP/1.1 400") and b"Connection: close" in reply, data
    assert_still_serving(server)


def test_the_health_and_reset_endpoints(server, client):
    status, _, body = server.raw(b"", target=None, method="GET", path="/_opsworks-local/health")
    assert status == 200 and body["status"] == "ok"
    create_stack(client)
    server.reset()
    assert client.describe_stacks()["Stacks"] == []
