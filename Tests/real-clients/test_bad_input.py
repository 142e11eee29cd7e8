"""Bad input, table-driven: over 100 malformed HTTP requests and over 100 invalid API payloads.
Each gets its documented 4xx (with the right `__type` where it reaches the AWS layer), the server
stays up, and the database is byte-for-byte what it was."""
import hashlib
import json
import re
import socket
import sqlite3

import botocore.session
import pytest

from harness import PROFILE, ROLE, Connection, Server, api_request

TABLES = ["stacks", "layers", "apps", "app_versions", "instances", "instance_layers", "deployments", "commands",
          "registrations", "permissions"]
TARGET = b"X-Amz-Target: OpsWorks_20130218.DescribeStacks\r\n"


def head(request_line=b"POST / HTTP/1.1", headers=b"Host: x\r\n" + TARGET):
    return request_line + b"\r\n" + headers + b"\r\n"


def http_cases():
    """(name, bytes, expected status)."""
    cases = []
    for line in [b"GARBAGE", b"POST", b"POST /", b"POST / HTTP/1.1 extra", b"POST  / HTTP/1.1", b"POST /  HTTP/1.1",
                 b" POST / HTTP/1.1", b"PO(ST / HTTP/1.1", b"POST / http/1.1", b"POST / HTTP/1", b"POST / HTTP/1.x",
                 b"POST / HTTP/11.1", b"POST / HTTPS/1.1", b"POST\t/\tHTTP/1.1", b"POST /a b HTTP/1.1", b"POST / HTTP/1.1\r",
                 b"\x00POST / HTTP/1.1", b"POST /\x7f HTTP/1.1", b"POST /\xff HTTP/1.1", b":: / HTTP/1.1"]:
        cases.append((f"request line {line!r}", head(request_line=line), 400))
    cases.append(("HTTP/2.0", head(request_line=b"POST / HTTP/2.0"), 505))
    cases.append(("HTTP/0.9", head(request_line=b"POST / HTTP/0.9"), 505))
    for value in [b"abc", b"-1", b"1.5", b"0x10", b"1 2", b"+5", b"", b" ", b"99999999999999999999", b"1,2", b"5, 6", b"\xff"]:
        cases.append((f"Content-Length {value!r}", head(headers=b"Host: x\r\n" + TARGET + b"Content-Length: " + value + b"\r\n"), 400))
    for first, second in [(b"1", b"2"), (b"10", b"1"), (b"0", b"5"), (b"2", b"02x")]:
        cases.append((f"duplicate Content-Length {first!r}/{second!r}",
                      head(headers=b"Host: x\r\n" + TARGET + b"Content-Length: " + first + b"\r\nContent-Length: " + second + b"\r\n"), 400))
    for te in [b"chunked", b"Chunked", b"gzip, chunked", b"chunked, chunked", b"identity"]:
        expected = 400
        cases.append((f"Content-Length with Transfer-Encoding {te!r}",
                      head(headers=b"Host: x\r\n" + TARGET + b"Content-Length: 2\r\nTransfer-Encoding: " + te + b"\r\n") + b"{}", expected))
    for te in [b"gzip", b"deflate", b"chunked, gzip", b"compress"]:
        cases.append((f"Transfer-Encoding {te!r}", head(headers=b"Host: x\r\n" + TARGET + b"Transfer-Encoding: " + te + b"\r\n"), 501))
    chunked = b"Host: x\r\n" + TARGET + b"Transfer-Encoding: chunked\r\n"
    for body in [b"zz\r\n{}\r\n0\r\n\r\n", b"-2\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n", b"1\r\n{}\r\n0\r\n\r\n",
                 b"\r\n{}\r\n0\r\n\r\n", b"2 2\r\n{}\r\n0\r\n\r\n", b"0x2\r\n{}\r\n0\r\n\r\n", b"ffffffffffffffffff\r\n",
                 b"2\r\n{}\n0\r\n\r\n", b"g\r\n", b"2;\x00q\r\n{}\r\n0\r\n\r\n", b"+2\r\n{}\r\n0\r\n\r\n"]:
        cases.append((f"chunked body {body[:12]!r}", head(headers=chunked) + body, 400))
    for size in [17 * 1024, 64 * 1024, 1024 * 1024]:
        cases.append((f"header of {size} bytes", head(headers=b"Host: x\r\nX-Big: " + b"a" * size + b"\r\n"), 431))
    cases.append(("2000 headers", head(headers=b"Host: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(2000))), 431))
    for where, data in [
        ("NUL in a header value", head(headers=b"Host: x\r\nX-A: a\x00b\r\n")),
        ("NUL in a header name", head(headers=b"Host: x\r\nX-\x00A: b\r\n")),
        ("NUL in the target", head(request_line=b"POST /\x00 HTTP/1.1")),
        ("NUL in the method", head(request_line=b"PO\x00ST / HTTP/1.1")),
        ("NUL line", b"\x00\r\n\r\n"),
        ("control character in a value", head(headers=b"Host: x\r\nX-A: a\x01b\r\n")),
        ("DEL in a value", head(headers=b"Host: x\r\nX-A: a\x7fb\r\n")),
        ("escape in a value", head(headers=b"Host: x\r\nX-A: \x1b[31m\r\n")),
    ]:
        cases.append((where, data, 400))
    for where, data in [
        ("non-UTF-8 header name", head(headers=b"Host: x\r\nX-\xc3\x28: v\r\n")),
        ("non-UTF-8 method", head(request_line=b"P\xc3\x28ST / HTTP/1.1")),
        ("space before colon", head(headers=b"Host: x\r\nX-A : v\r\n")),
        ("obs-fold", head(headers=b"Host: x\r\nX-A: v\r\n  folded\r\n")),
        ("no colon", head(headers=b"Host: x\r\nNoColon\r\n")),
        ("empty name", head(headers=b"Host: x\r\n: v\r\n")),
        ("no Host", head(headers=TARGET)),
        ("two Hosts", head(headers=b"Host: x\r\nHost: y\r\n")),
        ("bare LF", b"POST / HTTP/1.1\nHost: x\n\n"),
        ("bare CR", b"POST / HTTP/1.1\rHost: x\r\n\r\n"),
        ("LF between headers", b"POST / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n"),
        ("tab before colon", head(headers=b"Host: x\r\nX-A\t: v\r\n")),
    ]:
        cases.append((where, data, 400))
    good = api_request("DescribeStacks", {})
    for garbage in [b"GARBAGE\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n",
                    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n", b"\xff\xfe\xfd\r\n\r\n"]:
        cases.append((f"pipelined garbage {garbage[:10]!r}", good + garbage, 400))
    # The AWS layer: right framing, wrong content.
    for name, body, kind in [
        ("non-UTF-8 body", b'{"StackIds": ["\xff"]}', "SerializationException"),
        ("truncated JSON", b'{"StackIds": ["a"', "SerializationException"),
        ("a JSON array", b"[]", "SerializationException"),
        ("a JSON string", b'"x"', "SerializationException"),
        ("a JSON number", b"1", "SerializationException"),
        ("JSON null", b"null", "SerializationException"),
        ("two JSON values", b"{}{}", "SerializationException"),
        ("a BOM", b"\xef\xbb\xbf{}", "SerializationException"),
    ]:
        cases.append((name, api_request("DescribeStacks", body, extra_headers=b"Connection: close\r\n"), (400, kind)))
    for target in [b"OpsWorks_20130218.", b"OpsWorks_20130218.describeStacks", b"OpsWorks_20130218", b"opsworks_20130218.DescribeStacks",
                   b"OpsWorks_20130218.DescribeStacks.Extra", b"DynamoDB_20120810.ListTables", b"\xff"]:
        cases.append((f"target {target!r}", b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Amz-Target: " + target + b"\r\nContent-Length: 2\r\n\r\n{}",
                      (400, "UnknownOperationException")))
    return cases


def model_cases():
    """(operation, body, expected __type): wrong JSON types for every member of every implemented
    operation's input, per the service model, plus the special cases of the issue."""
    model = botocore.session.get_session().get_service_model("opsworks")
    # Every operation of the model that has input (two, DescribeMyUserProfile and
    # DescribeOperatingSystems, take none).
    implemented = [name for name in model.operation_names if model.operation_model(name).input_shape is not None]
    wrong = {"string": [7, True, [], {}], "boolean": ["true", 1, []], "integer": ["1", 1.5, True], "list": ["x", {}, 3],
             "map": [[], "x", 1], "structure": ["x", [], 1]}
    cases = []
    for operation in implemented:
        shape = model.operation_model(operation).input_shape
        for member, member_shape in shape.members.items():
            for value in wrong[member_shape.type_name]:
                cases.append((operation, {member: value}, "SerializationException"))
            if member_shape.type_name == "list":
                cases.append((operation, {member: [None]}, "ValidationException"))
                if member_shape.member.type_name == "string":
                    cases.append((operation, {member: [{"a": 1}]}, "SerializationException"))
        for member in shape.required_members:
            cases.append((operation, {member: None}, "ValidationException"))
    huge = "s" * (1024 * 1024)
    deep = {"StackIds": ["x"]}
    nested = "[" * 100 + "]" * 100
    cases += [
        ("DescribeStacks", {"StackIds": [huge]}, "ResourceNotFoundException"),
        ("DescribeStacks", {"StackIds": [f"id-{n}" for n in range(100_000)]}, "ResourceNotFoundException"),
        ("DescribeStacks", {"StackIds": [""]}, "ResourceNotFoundException"),
        ("CreateDeployment", {"StackId": "", "Command": {"Name": "deploy"}}, "ResourceNotFoundException"),
        ("CreateDeployment", {"StackId": "s", "Command": {"Name": ""}}, "ValidationException"),
        ("CreateDeployment", {"StackId": "s", "Command": {"Name": "deploy", "Args": {"migrate": "true"}}}, "SerializationException"),
        ("CreateDeployment", {"StackId": "s", "Command": {"Name": "deploy", "Args": {"migrate": [1]}}}, "SerializationException"),
        ("CreateDeployment", {"Unknown": 1, "Command": {"Name": "deploy"}}, "ValidationException"),
        ("CreateStack", {"Name": "x", "Unknown": {"a": [1, 2]}}, "ValidationException"),
        ("CreateStack", {"Name": "x", "Attributes": {"Colour": "red"}, **{k: "arn:x" for k in ["ServiceRoleArn", "DefaultInstanceProfileArn"]}, "Region": "us-east-1"}, "ValidationException"),
        ("DescribeStacks", json.loads(json.dumps(deep)), "ResourceNotFoundException"),
        ("DescribeStacks", nested, "SerializationException"),
        ("DescribeStacks", '{"StackIds": ["\\ud800"]}', "SerializationException"),
        ("DescribeStacks", '{"StackIds": ["\\uZZZZ"]}', "SerializationException"),
        ("DescribeStacks", '{"StackIds": ["\\x41"]}', "SerializationException"),
        ("DescribeStacks", '{"StackIds": ["a\u0001"]}', "SerializationException"),
        ("DescribeStacks", '{"StackIds": [1e999]}', "SerializationException"),
        ("DescribeStacks", '{"StackIds": [01]}', "SerializationException"),
        ("CreateDeployment", {"StackId": "s", "Command": {"Name": "configure"}, "CustomJson": "[1]"}, "ResourceNotFoundException"),
        ("DescribeStacks", {"StackIds": []}, "ValidationException"),
        ("DescribeDeployments", {}, "ValidationException"),
        ("DescribeCommands", {}, "ValidationException"),
        ("DescribeLayers", {"StackId": "a", "LayerIds": ["b"]}, "ValidationException"),
    ]
    return cases


def snapshot(database):
    """A digest of every row of every table, read beside the running server (WAL)."""
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        for table in TABLES:
            for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bad-input")
    database = workdir / "bad.db"
    server = Server(["--db", str(database), "--request-timeout", "1"], workdir)
    c = Connection(server.port)
    _, stack = c.call("CreateStack", {"Name": "s", "Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE})
    c.call("CreateLayer", {"StackId": stack["StackId"], "Type": "custom", "Name": "Web", "Shortname": "web"})
    c.call("CreateUserProfile", {"IamUserArn": "arn:aws:iam::000000000000:user/alice"})
    c.call("RegisterElasticIp", {"ElasticIp": "203.0.113.1", "StackId": stack["StackId"]})
    c.close()
    before = snapshot(database)
    yield server
    assert snapshot(database) == before, "bad input changed the database"
    status, body = Connection(server.port).call("DescribeStacks", {})
    assert status == 200 and len(body["Stacks"]) == 1, "the server must still serve"
    assert server.stop() == 0


def exchange(port, data, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the end of a large request: the answer is still there to read
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


HTTP_CASES = http_cases()
MODEL_CASES = model_cases()


def test_the_tables_are_large_enough():
    assert len(HTTP_CASES) >= 100 and len(MODEL_CASES) >= 100


@pytest.mark.parametrize("name, data, expected", HTTP_CASES, ids=[c[0] for c in HTTP_CASES])
def test_malformed_http(populated, name, data, expected):
    reply = exchange(populated.port, data)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", reply)
    assert statuses, f"no answer to {name}"
    status, kind = expected if isinstance(expected, tuple) else (expected, None)
    assert int(statuses[-1]) == status, reply[:300]
    if status != 200:
        body = reply[reply.rindex(b"\r\n\r\n") + 4:]
        parsed = json.loads(body)
        assert "__type" in parsed and "message" in parsed
        if kind:
            assert parsed["__type"] == kind


@pytest.mark.parametrize("truncated", [
    api_request("CreateStack", {"Name": "x"})[:-3],
    api_request("DescribeStacks", {})[:-1],
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{}",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
    b"POST / HTTP/1.1\r\nHost: x\r\n",
])
def test_a_truncated_request_times_out_with_408(populated, truncated):
    reply = exchange(populated.port, truncated)
    assert reply.startswith(b"HTTP/1.1 408 ") and b"RequestTimeoutException" in reply


@pytest.mark.parametrize("operation, body, kind", MODEL_CASES, ids=[f"{c[0]}-{str(c[1])[:40]}" for c in MODEL_CASES])
def test_invalid_payloads(populated, operation, body, kind):
    payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    reply = exchange(populated.port, api_request(operation, payload, extra_headers=b"Connection: close\r\n"))
    assert reply.startswith(b"HTTP/1.1 400 "), reply[:300]
    parsed = json.loads(reply[reply.index(b"\r\n\r\n") + 4:])
    assert parsed["__type"] == kind, parsed["message"][:300]
