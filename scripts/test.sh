#!/usr/bin/env bash
# Runs every test: the Swift unit and end-to-end tests, the fuzz corpora replayed, the real-client
# suite (boto3/botocore 1.40.18 and awscli 1.42.18 against the built server, with the short forms
# of the hardening scripts), the Swift suites under ThreadSanitizer, each fuzzer for a minute, and
# the benchmark suite's smoke run.
# Installs what it needs. `scripts/test.sh --quick` skips the sanitizer and the fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."
# A crashing Swift binary can hang in swift-backtrace; tests want it to die at once.
export SWIFT_BACKTRACE=enable=no
quick=false
[ "${1:-}" = "--quick" ] && quick=true

bash scripts/install-deps.sh
bash scripts/setup-python.sh

swift build --build-tests
# Every suite is Swift Testing; without XCTest the run does not end on "Executed 0 tests".
swift test --skip-build --disable-xctest
bin="$(swift build --show-bin-path)"

# Every input that ever crashed a fuzzer stays in the corpus and must keep passing.
"$bin/fuzz-http-parser" Fuzz/corpus/http
"$bin/fuzz-request-path" Fuzz/corpus/request

if ! $quick; then
  bash scripts/sanitize.sh thread
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
  # The benchmark suite's smoke form: it must run and print its table; no times are judged.
  bash bench/run.sh --smoke
fi

# Last, so that its summary closes the run.
OPSWORKS_LOCAL_BIN="$bin/opsworks-local" \
  .venv/bin/python -m pytest Tests/real-clients -q -p no:cacheprovider
