"""The Docker image's build, replayed without a Docker engine (none runs on these machines).

The build stage's COPY lines are copied into a fresh folder exactly as written and its swift
RUN lines run there, so a file the manifest needs but the image leaves out fails here, not on a
user's `docker build`. The built binary then serves the fixtures the compose file loads.
"""
import os
import re
import shutil
import subprocess

import pytest

from harness import REPO, Server

DOCKERFILE = REPO / "docker/Dockerfile"


def build_stage():
    """The instructions of the first stage, as (instruction, arguments), line continuations joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    first_stage = re.split(r"(?m)^FROM ", text)[1]
    return [tuple(line.split(None, 1)) for line in first_stage.splitlines()[1:]
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_image_uses_the_swift_version_the_project_is_tested_with():
    image = re.search(r"(?m)^FROM swift:(\d+\.\d+(?:\.\d+)?)-", DOCKERFILE.read_text()).group(1)
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True, timeout=60).stdout
    tested = re.search(r"Swift version (\d+\.\d+(?:\.\d+)?)", swift).group(1)
    assert image == tested, f"docker/Dockerfile builds with Swift {image}, the project is tested with {tested}"


def replay_copy(arguments, workdir):
    """`COPY source... destination` as Docker does it: a folder's contents go into the
    destination; a file goes into a destination that ends in / or else becomes it."""
    *sources, destination = arguments.split()
    assert not any(s.startswith("--") for s in sources), "the build stage copies from the context only"
    for source in sources:
        origin, target = REPO / source, workdir / destination
        if origin.is_dir():
            shutil.copytree(origin, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".build*", "__pycache__"))
        else:
            if destination.endswith("/"):
                target = target / origin.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(origin, target)


@pytest.fixture
def scratch(tmp_path):
    """A folder for a whole build, removed afterwards: pytest keeps its last runs' folders, and
    each of these holds a few hundred MB."""
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_build_stage_builds_from_exactly_what_it_copies(scratch):
    tmp_path = scratch
    workdir = tmp_path / "src"
    workdir.mkdir()
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    ran_build = False
    for instruction, arguments in build_stage():
        if instruction == "COPY":
            replay_copy(arguments, workdir)
        elif instruction == "RUN" and arguments.startswith("swift "):
            result = subprocess.run(arguments, shell=True, cwd=workdir, capture_output=True, text=True, timeout=900, env=env)
            assert result.returncode == 0, f"RUN {arguments}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            ran_build = ran_build or arguments.startswith("swift build")
    assert ran_build, "the build stage has no swift build line to replay"

    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=workdir,
                              capture_output=True, text=True, timeout=120).stdout.strip()
    binary = os.path.join(bin_path, "opsworks-local")
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, env=env)
    assert version.returncode == 0 and version.stdout.strip()
    # The compose file starts the image with the demo fixtures that the image ships.
    compose = (REPO / "docker/compose.yaml").read_text()
    assert "dockerfile: docker/Dockerfile" in compose and "/fixtures/demo.json" in compose
    assert re.search(r"(?m)^COPY --from=build /src/fixtures /fixtures$", DOCKERFILE.read_text())
    server = Server(["--in-memory", "--fixtures", str(workdir / "fixtures/demo.json")], tmp_path, binary=binary)
    try:
        assert [s["Name"] for s in server.client().describe_stacks()["Stacks"]] == ["demo"]
    finally:
        assert server.stop() == 0


CONSUMER_MANIFEST = """// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "consumer",
    dependencies: [.package(url: "{url}", from: "0.1.0")],
    targets: [.executableTarget(name: "consumer", dependencies: [.product(name: "OpsWorksLocal", package: "opsworks-local")])]
)
"""

CONSUMER_MAIN = """import OpsWorksLocal

let emulator = try OpsWorksLocalServer()
emulator.start()
print("serving on \\(emulator.endpointURL)")
emulator.stop()
print("stopped")
"""


def test_a_package_depending_on_a_release_builds_and_runs_the_library(scratch):
    """SwiftPM refuses unsafe flags in a versioned dependency: a tagged clone of this repository,
    depended on by version as a user's package would, must build and run OpsWorksLocal."""
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    tmp_path = scratch
    clone = tmp_path / "opsworks-local"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    subprocess.run(["git", "-C", str(clone), "tag", "0.1.0"], check=True, timeout=30)
    consumer = tmp_path / "consumer"
    (consumer / "Sources/consumer").mkdir(parents=True)
    (consumer / "Package.swift").write_text(CONSUMER_MANIFEST.format(url=clone.as_uri()))
    (consumer / "Sources/consumer/main.swift").write_text(CONSUMER_MAIN)
    built = subprocess.run(["swift", "build"], cwd=consumer, capture_output=True, text=True, timeout=900, env=env)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    ran = subprocess.run(["swift", "run", "--skip-build", "consumer"], cwd=consumer, capture_output=True, text=True, timeout=120, env=env)
    assert ran.returncode == 0, ran.stderr
    assert re.search(r"^serving on http://127\.0\.0\.1:\d+$", ran.stdout, re.M) and ran.stdout.rstrip().endswith("stopped")
