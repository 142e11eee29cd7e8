"""The Docker image's build, replayed without a Docker engine (none runs on these machines).

The build stage's COPY lines are copied into a fresh folder exactly as written and its swift
RUN lines run there, so a file the manifest needs but the image leaves out fails here, not on a
user's `docker build`. The built binary then serves the fixtures the compose file loads.
"""
import os
import re
import shutil
import subprocess

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


def test_the_build_stage_builds_from_exactly_what_it_copies(tmp_path):
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
