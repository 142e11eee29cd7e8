"""Storage faults: a full database, a lock held by another process, a read-only file and a
corrupt one. The server answers an AWS-shaped 500 InternalFailure (or refuses to start with a
clear message), logs the cause, loses nothing committed, and recovers when the fault clears."""
import os
import pathlib
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from harness import BINARY, PROFILE, ROLE, Connection, Server

STACK = {"Region": "us-east-1", "ServiceRoleArn": ROLE, "DefaultInstanceProfileArn": PROFILE}
LEAKS = ["/", "SQL", "INSERT", "sqlite", "Traceback", ".swift"]


def assert_internal_failure(status, body, words):
    assert status == 500 and body["__type"] == "InternalFailure", body
    assert words in body["message"]
    assert not any(leak in body["message"] for leak in LEAKS), body


def start(args, *, wrapper=()):
    """Runs the binary expecting it to refuse to start; returns (exit code, stderr)."""
    result = subprocess.run([*wrapper, str(BINARY), "--port", "0", *args], capture_output=True, text=True, timeout=30,
                            env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
    return result.returncode, result.stderr


def test_a_full_database_refuses_writes_keeps_reads_and_recovers(start_server, tmp_path):
    database = str(tmp_path / "full.db")
    server = start_server("--db", database, "--max-db-mib", "1")
    c = Connection(server.port)
    acknowledged = 0
    for number in range(20000):
        status, body = c.call("CreateStack", {"Name": f"stack-{number}", "CustomJson": "{\"pad\": \"" + "x" * 200 + "\"}", **STACK})
        if status != 200:
            break
        acknowledged += 1
    assert_internal_failure(status, body, "full")
    status, body = c.call("DescribeStacks", {})
    assert status == 200 and len(body["Stacks"]) == acknowledged
    c.close()
    server.stop()
    assert "full" in server.log_text()  # the cause is in the log, not in the response

    again = start_server("--db", database)
    c = Connection(again.port)
    assert c.call("CreateStack", {"Name": "after", **STACK})[0] == 200
    assert len(c.call("DescribeStacks", {})[1]["Stacks"]) == acknowledged + 1


def test_a_lock_held_by_another_process_fails_writes_then_clears(start_server, tmp_path):
    database = str(tmp_path / "locked.db")
    server = start_server("--db", database)
    c = Connection(server.port)
    assert c.call("CreateStack", {"Name": "before", **STACK})[0] == 200
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        status, body = c.call("CreateStack", {"Name": "during", **STACK})
        assert_internal_failure(status, body, "locked")
        assert c.call("DescribeStacks", {})[0] == 200  # reads go on beside the writer (WAL)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert c.call("CreateStack", {"Name": "after", **STACK})[0] == 200
    assert [s["Name"] for s in c.call("DescribeStacks", {})[1]["Stacks"]] == ["before", "after"]


@pytest.fixture
def shared_dir():
    """A folder another user can use too, for running the server without root's privileges."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="opsworks-fault-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_read_only_database_is_refused_at_start_and_works_once_writable(shared_dir):
    # Root writes through any file mode, so the server runs as nobody where the suite runs as root.
    wrapper = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups") if os.geteuid() == 0 else ()
    database = shared_dir / "ro.db"
    server = Server(["--db", str(database)], shared_dir, wrapper=wrapper)
    assert Connection(server.port).call("CreateStack", {"Name": "kept", **STACK})[0] == 200
    assert server.stop() == 0
    database.chmod(0o444)
    code, stderr = start(["--db", str(database)], wrapper=wrapper)
    assert code == 2 and "read-only" in stderr and str(database) in stderr
    database.chmod(0o666)
    server = Server(["--db", str(database)], shared_dir, wrapper=wrapper)
    assert [s["Name"] for s in Connection(server.port).call("DescribeStacks", {})[1]["Stacks"]] == ["kept"]
    assert server.stop() == 0


def test_a_corrupt_file_is_refused_at_start_with_a_clear_message(tmp_path):
    database = tmp_path / "corrupt.db"
    database.write_bytes(os.urandom(8192))
    code, stderr = start(["--db", str(database)])
    assert code == 2 and "not a database" in stderr and "corrupt.db" in stderr
    assert database.read_bytes() != b""  # left as it was, for the user to look at
