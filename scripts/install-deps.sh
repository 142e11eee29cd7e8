#!/usr/bin/env bash
# Installs the system packages the build and the tests need, when they are missing:
# libsqlite3-dev (the CSQLite system library), pkg-config, python3-venv for the real-client
# suite, Go with Debian's aws-sdk-go-v2 (built offline in GOPATH mode) for the Go SDK tests, and
# chromium with chromium-driver for the dashboard's browser tests.
set -euo pipefail
missing=()
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
command -v go >/dev/null || missing+=(golang-go)
[ -d /usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/service/opsworks ] || missing+=(golang-github-aws-aws-sdk-go-v2-dev)
# The dashboard is tested in a real browser: Debian's, driven by Selenium; nothing downloads one.
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
