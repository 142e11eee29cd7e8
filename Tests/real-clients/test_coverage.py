"""COVERAGE.md is what scripts/coverage.py writes from the model and the code, every operation
is called by some test, and every operation of the model has a handler."""
import importlib.util

from conftest import REPO


def load_coverage():
    spec = importlib.util.spec_from_file_location("coverage_script", REPO / "scripts/coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_md_is_current():
    coverage = load_coverage()
    assert (REPO / "COVERAGE.md").read_text() == coverage.render(), \
        "COVERAGE.md is stale: run .venv/bin/python scripts/coverage.py and commit it"


def test_every_implemented_operation_has_a_test_that_calls_it():
    coverage = load_coverage()
    rows = [line.split(" | ") for line in coverage.render().splitlines() if line.startswith("| ") and "| yes |" in line]
    untested = [row[0].lstrip("| ") for row in rows if row[2].rstrip(" |") == "-"]
    assert untested == []


def test_every_operation_of_the_model_has_a_handler(server):
    """No operation answers 501 NotImplementedException any more: each one reaches its handler,
    which answers an empty body with a result or one of the model's two errors."""
    import botocore.session
    for operation in botocore.session.get_session().get_service_model("opsworks").operation_names:
        status, _, body = server.raw(b"{}", target=f"OpsWorks_20130218.{operation}")
        assert status in (200, 400), (operation, status, body)
        if status == 400:
            assert body["__type"] in ("ValidationException", "ResourceNotFoundException"), (operation, body)
