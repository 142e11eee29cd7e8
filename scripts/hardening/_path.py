"""Lets the hardening scripts import the harness the real-client suite uses."""
import pathlib
import sys

HARNESS = pathlib.Path(__file__).resolve().parents[2] / "Tests/real-clients"
if str(HARNESS) not in sys.path:
    sys.path.insert(0, str(HARNESS))
