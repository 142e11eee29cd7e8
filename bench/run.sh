#!/usr/bin/env bash
# The benchmark suite, in one command (not part of CI; scripts/test.sh runs its --smoke form):
#   bench/run.sh            full run: about 3 minutes, prints the table, writes bench/results/*.json
#   bench/run.sh --smoke    a few seconds: checks that the suite runs and prints its table
# Installs wrk and nginx (Debian) and moto 5.1.11 (PyPI, into bench/.venv-moto) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
want="moto[server]==5.1.11 boto3==1.40.18 botocore==1.40.18"
if [ "$(cat bench/.venv-moto/.installed 2>/dev/null)" != "$want" ]; then
  python3 -m venv bench/.venv-moto
  bench/.venv-moto/bin/pip install --quiet --disable-pip-version-check $want
  echo "$want" > bench/.venv-moto/.installed
fi

swift build -c release --product opsworks-local 2>&1 | grep -E "error|warning: " || true
python3 bench/bench.py --binary "$(swift build -c release --show-bin-path)/opsworks-local" "$@"
# Every implemented operation at 1 and 16 connections (--smoke: 16 only, 1 s a run).
python3 bench/sweep.py --binary "$(swift build -c release --show-bin-path)/opsworks-local" $([ "${1:-}" = "--smoke" ] && echo --smoke)
# CreateDeployment at 16 connections with 50 event streams open, against none (--smoke: 1 s, 5 streams).
(cd bench && python3 streams.py --binary "$(cd .. && swift build -c release --show-bin-path)/opsworks-local" \
  $([ "${1:-}" = "--smoke" ] && echo "--seconds 1 --rounds 1 --streams 5"))
