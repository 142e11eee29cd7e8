#!/usr/bin/env bash
# Builds the libFuzzer targets (-sanitize=fuzzer,address) and runs each for a bounded time.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]    (default 60 s; both targets)
# Inputs that crash are saved in .build-fuzz/artifacts/; copy one into Fuzz/corpus/<target>/ as a
# regression test (the replay runs in scripts/test.sh). Exits non-zero when a target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(http-parser request-path)
declare -A corpus=([http-parser]=http [request-path]=request)

flags=(--scratch-path .build-fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)
for target in "${targets[@]}"; do
  swift build "${flags[@]}" --product "fuzz-$target" 2>&1 | grep -E "error|warning: " || true
done
bin=$(swift build "${flags[@]}" --show-bin-path)
mkdir -p .build-fuzz/artifacts
status=0
for target in "${targets[@]}"; do
  work=".build-fuzz/corpus/$target"
  mkdir -p "$work"
  log=".build-fuzz/fuzz-$target.log"
  # The working corpus grows across runs; the seeds in the repo stay small.
  if "$bin/fuzz-$target" "$work" "Fuzz/corpus/${corpus[$target]}" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -artifact_prefix=".build-fuzz/artifacts/$target-" -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=CRASHED
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz-$target: $result after ${seconds}s, $runs executions (log: $log)"
  [ "$result" = ok ] || tail -30 "$log"
done
exit $status
