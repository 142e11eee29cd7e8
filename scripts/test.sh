#!/usr/bin/env bash
# Runs every test: the Swift unit and end-to-end tests, then the real-client suite
# (boto3/botocore 1.40.18 and awscli 1.42.18 against the built server). Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
# A crashing Swift binary can hang in swift-backtrace; tests want it to die at once.
export SWIFT_BACKTRACE=enable=no

bash scripts/install-deps.sh
bash scripts/setup-python.sh

swift build --build-tests
swift test --skip-build

OPSWORKS_LOCAL_BIN="$(swift build --show-bin-path)/opsworks-local" \
  .venv/bin/python -m pytest Tests/real-clients -q -p no:cacheprovider
