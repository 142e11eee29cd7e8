"""COVERAGE.md is what scripts/coverage.py writes from the model and the code, and every
implemented operation is called by some test."""
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


def test_unimplemented_operations_answer_501_and_implemented_ones_do_not(server):
    coverage = load_coverage()
    implemented = coverage.implemented_operations()
    import botocore.session
    for operation in botocore.session.get_session().get_service_model("opsworks").operation_names:
        status, _, body = server.raw(b"{}", target=f"OpsWorks_20130218.{operation}")
        if operation in implemented:
            assert status != 501, operation
        else:
            assert (status, body["__type"]) == (501, "NotImplementedException"), operation
