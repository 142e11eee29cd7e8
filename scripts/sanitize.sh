#!/usr/bin/env bash
# Runs the Swift test suites under a sanitizer: thread (data races) or address (memory errors).
#   scripts/sanitize.sh thread|address
# Each sanitizer builds into its own folder, so the normal build stays as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-thread}
case "$kind" in thread|address) ;; *) echo "usage: $0 thread|address" >&2; exit 64 ;; esac
export SWIFT_BACKTRACE=enable=no
# halt_on_error: the first report fails the run instead of scrolling past.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=0"
swift build --build-tests --sanitize="$kind" --scratch-path ".build-$kind"
OPSWORKS_LOCAL_BIN="$(swift build --sanitize="$kind" --scratch-path ".build-$kind" --show-bin-path)/opsworks-local" \
  swift test --skip-build --disable-xctest --sanitize="$kind" --scratch-path ".build-$kind"
