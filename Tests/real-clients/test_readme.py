"""Every command and snippet in README.md runs as written.

The fenced blocks are taken out of the README and run in order, as a newcomer would type them in
one terminal: shell blocks in bash from the repository's folder, with what one block exports
seen by the next; Python blocks by the `python` on that terminal's PATH. The environment starts
without AWS settings and with an empty home folder, as on a machine that never had AWS
credentials. A block marked `<!-- readme-test: server -->` starts the server as
`swift run opsworks-local ...` would, with the binary the test command built, in a folder of its
own (so its `./opsworks-local.db` is a new one), and the next such block replaces it; a block
marked `<!-- readme-test: skip, <why> -->` is not run, and says why in the README itself.
"""
import os
import re
import shlex
import signal
import subprocess

import pytest

from harness import BINARY, REPO

README = REPO / "README.md"
FENCE = re.compile(r"^```(\w*)\s*$")
DIRECTIVE = re.compile(r"^<!-- readme-test: (server|skip, .+) -->$")
PORT = 4580


def blocks():
    """(language, code, directive or None, line number) of every fenced block."""
    found, lines = [], README.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening:
            directive = DIRECTIVE.match(lines[index - 1]) if index else None
            end = index + 1
            while end < len(lines) and lines[end].rstrip() != "```":
                end += 1
            assert end < len(lines), f"README.md:{index + 1}: a fence that never closes"
            found.append((opening.group(1), "\n".join(lines[index + 1:end]), directive and directive.group(1), index + 1))
            index = end
        index += 1
    return found


def test_every_code_block_is_fenced_and_has_a_known_role():
    in_fence, previous = False, ""
    for number, line in enumerate(README.read_text().splitlines(), 1):
        if FENCE.match(line) or line.rstrip() == "```":
            in_fence = not in_fence
        elif not in_fence and line.startswith("    ") and previous.strip() == "":
            pytest.fail(f"README.md:{number}: an indented code block; fence it so that this test sees it: {line!r}")
        previous = line
    for language, code, directive, number in blocks():
        assert language in ("sh", "python", "text", "swift"), f"README.md:{number}: a block of unknown language {language!r}"
        if language == "swift":
            assert directive and directive.startswith("skip"), f"README.md:{number}: a Swift block must say how it is tested"
        if directive == "server":
            assert language == "sh" and code.startswith("swift run opsworks-local"), f"README.md:{number}"


class Terminal:
    """One shell session's state across blocks: its environment, carried by `export -p`."""

    def __init__(self, tmp_path):
        self.state = tmp_path / "exported.sh"
        home = tmp_path / "home"
        home.mkdir()
        keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_CA_BUNDLE"}
        self.env = dict(keep, HOME=str(home), SWIFT_BACKTRACE="enable=no")
        self.state.write_text("")
        self.tmp_path = tmp_path

    def run(self, script, number):
        path = self.tmp_path / f"block-{number}.sh"
        path.write_text(f"set -eo pipefail\nsource {shlex.quote(str(self.state))}\n{script}\n"
                        f"export -p > {shlex.quote(str(self.state))}\n")
        result = subprocess.run(["bash", str(path)], cwd=REPO, env=self.env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"README.md:{number} failed ({result.returncode}):\n{script}\n{result.stdout}\n{result.stderr}"
        return result.stdout


class ReadmeServer:
    """The server a `swift run opsworks-local ...` block starts, in a folder of its own."""

    def __init__(self, command, tmp_path, number):
        arguments = shlex.split(command)[3:]
        folder = tmp_path / f"server-{number}"
        folder.mkdir()
        (folder / "fixtures").symlink_to(REPO / "fixtures")  # the README's paths are the repository's
        self.log = open(folder / "server.log", "w+")
        self.process = subprocess.Popen([str(BINARY), *arguments], cwd=folder, stdout=subprocess.PIPE, stderr=self.log,
                                        text=True, env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
        line = self.process.stdout.readline()
        if f"listening on http://127.0.0.1:{PORT}" not in line:
            self.stop()
            self.log.seek(0)
            pytest.fail(f"README.md:{number}: `{command}` did not start on {PORT} (is the port taken?): {line!r} {self.log.read()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)
        self.log.close()
        return self.process.returncode


def test_the_readme_runs_as_written(tmp_path):
    terminal, server, outputs = Terminal(tmp_path), None, []
    try:
        for language, code, directive, number in blocks():
            if language in ("text", "swift") or (directive or "").startswith("skip"):
                continue
            if directive == "server":
                if server:
                    assert server.stop() == 0
                server = ReadmeServer(code, tmp_path, number)
            elif language == "sh":
                outputs.append(terminal.run(code, number))
            else:
                snippet = tmp_path / f"snippet-{number}.py"
                snippet.write_text(code)
                outputs.append(terminal.run(f"python {shlex.quote(str(snippet))}", number))
        assert server, "the README starts a server"
        assert server.stop() == 0
    finally:
        if server:
            server.stop()
    everything = "\n".join(outputs)
    # What the newcomer should see: the demo stack, a deployment of the demo app, boto3's account
    # of what it did, and the harness endpoints' answers.
    assert "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee\tdemo" in everything
    assert re.search(r'"DeploymentId": "[0-9a-f-]{36}"', everything)
    assert re.search(r"\tsuccessful\tfirst deploy", everything)
    assert re.search(r"deployment [0-9a-f-]{36} is successful, 1 command\(s\) on instance [0-9a-f-]{36}", everything)
    assert '"status":"ok"' in everything and '"status":"reset"' in everything
    # Test control: a deployment held running by the manual clock, then done; a throttled call
    # retried into a success; a snapshot.
    assert '"now":"2026-01-01T00:00:00+00:00","mode":"manual"' in everything
    assert "running\n" in everything and "successful\t30" in everything
    assert '"type":"ThrottlingException"' in everything and '{"removed":2}' not in everything
    assert '{"OpsWorksLocalState":' in everything


def test_the_aws_cli_and_boto3_take_the_endpoint_from_the_environment(server):
    """AWS_ENDPOINT_URL_OPSWORKS and AWS_ENDPOINT_URL, which the README relies on."""
    server.reset()
    server.client().create_stack(Name="from-env", Region="us-east-1", ServiceRoleArn="arn:aws:iam::000000000000:role/r",
                                 DefaultInstanceProfileArn="arn:aws:iam::000000000000:instance-profile/p")
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1")
    venv = REPO / ".venv/bin"
    for variable in ("AWS_ENDPOINT_URL_OPSWORKS", "AWS_ENDPOINT_URL"):
        env = dict(base, **{variable: server.url})
        cli = subprocess.run([str(venv / "aws"), "opsworks", "describe-stacks", "--query", "Stacks[].Name", "--output", "text"],
                             env=env, capture_output=True, text=True, timeout=60)
        assert (cli.returncode, cli.stdout.strip()) == (0, "from-env"), f"awscli with {variable}: {cli.stderr}"
        sdk = subprocess.run([str(venv / "python"), "-c", "import boto3; print(boto3.client('opsworks').describe_stacks()['Stacks'][0]['Name'])"],
                             env=env, capture_output=True, text=True, timeout=60)
        assert (sdk.returncode, sdk.stdout.strip()) == (0, "from-env"), f"boto3 with {variable}: {sdk.stderr}"
