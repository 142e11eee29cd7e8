"""The Go SDK (aws-sdk-go-v2 from Debian's packages) against the server: Tests/go-sdk, run by `go test`."""
import os
import shutil
import subprocess

from conftest import REPO

GO_TESTS = REPO / "Tests/go-sdk"


def test_the_go_sdk_runs_the_whole_flow(server, tmp_path):
    server.reset()
    go = shutil.which("go")
    assert go, "go is missing: scripts/install-deps.sh installs golang-go and golang-github-aws-aws-sdk-go-v2-dev"
    # GOPATH mode, offline: the SDK and its dependencies come from Debian's /usr/share/gocode.
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",  
               GOCACHE=os.environ.get("GOCACHE", str(REPO / ".build-go/cache")), GOPROXY="off",
               OPSWORKS_LOCAL_ENDPOINT=server.url)
    result = subprocess.run([go, "test", "-count=1", "-v", "."], cwd=GO_TESTS, env=env,
                            capture_output=True, text=True, timeout=600)
    print(result.stdout[-5000:])
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert "--- PASS: TestTheWholeFlow" in result.stdout and "--- PASS: TestStackOperations" in result.stdout
