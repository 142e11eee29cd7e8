#!/usr/bin/env bash
# Creates .venv with the last SDK releases that still ship the OpsWorks model.
# botocore is pinned too: left alone, pip would pick a newer one without the service.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
want="boto3==1.40.18 botocore==1.40.18 awscli==1.42.18 pytest==8.4.2 selenium==4.35.0"
stamp="$venv/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check $want
echo "$want" > "$stamp"
