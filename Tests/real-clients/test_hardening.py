"""Short forms of the hardening scripts in scripts/hardening (the full runs are documented there).
Time bounds here are generous: CI machines are busy; the scripts hold the strict ones."""
import sys

from harness import REPO

sys.path.insert(0, str(REPO / "scripts/hardening"))
import cascade_crash_test  # noqa: E402
import crash_test  # noqa: E402
import load_mix  # noqa: E402
import slow_clients  # noqa: E402


def test_no_acknowledged_deployment_is_lost_to_sigkill(tmp_path):
    summary, results = crash_test.run(trials=3, clients=16, seed=7, workdir=tmp_path)
    assert summary["acknowledged"] > 0
    assert summary["lost"] == 0, results
    assert summary["without_all_commands"] == 0, results
    assert summary["refused"] == 0, results
    assert summary["integrity_ok"], results


def test_cascades_are_whole_or_absent_after_sigkill(tmp_path):
    summary, results = cascade_crash_test.run(trials=4, seed=11, workdir=tmp_path)
    assert summary["acknowledged"] > 0
    assert summary["problems"] == [], results
    assert summary["integrity_ok"], results


def test_64_concurrent_clients_leave_exact_counts(tmp_path):
    summary = load_mix.run(clients=64, rounds=3, workdir=tmp_path)
    assert summary["finished_clients"] == 64
    assert summary["failures"] == 0, summary["first_failures"]
    assert summary["mismatches"] == []


def test_a_normal_client_is_served_beside_1000_slow_ones(tmp_path):
    summary = slow_clients.latency_under_load(connections=1000, requests=50, workdir=tmp_path)
    assert summary["requests"] == 50 and summary["open_during_test"] == 1000
    assert summary["max_ms"] < 1000, summary
    assert summary["peak_rss_mib"] < 256, summary


def test_idle_connections_close_and_the_cap_refuses_cleanly(tmp_path):
    summary = slow_clients.idle_timeout_and_cap(idle_seconds=1, cap=20, workdir=tmp_path)
    assert summary["idle_closed_after_s"] is not None and summary["idle_closed_after_s"] < 5, summary
    assert summary["over_cap_status"] == "503" and summary["over_cap_is_aws_shaped"], summary
