#!/usr/bin/env bash
# A demo in five minutes: starts opsworks-local with the demo stack and lifecycles at demo speed,
# prints the dashboard's URL, then walks a deployment through with the AWS CLI while the page
# shows it: an instance started, the app deployed to every online instance, each command on its
# own course. The server keeps running for the audience until Ctrl-C.
#   scripts/demo.sh [--port N] [--once]     (--once: stop after the walk, for tests)
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no
port=4580
once=false
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --once) once=true; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
done

bash scripts/setup-python.sh
binary="${OPSWORKS_LOCAL_BIN:-}"
if [ -z "$binary" ]; then
  swift build --product opsworks-local >&2
  binary="$(swift build --show-bin-path)/opsworks-local"
fi
log="$(mktemp -t opsworks-local-demo.XXXXXX)"
"$binary" --in-memory --port "$port" --fixtures fixtures/demo.json \
  --deployment-seconds 12 --instance-step-seconds 2 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$log" && break; sleep 0.1; done
grep -q "listening on" "$log" || { cat "$log" >&2; exit 1; }

export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL_OPSWORKS="http://127.0.0.1:$port"
aws=".venv/bin/aws"
stack=2f18b4cb-4de5-4429-a149-ff7da9f0d8ee
app=7d0a4b8e-1f3c-4e2a-8b6d-5c9e0f1a2b3c
echo "Dashboard: http://127.0.0.1:$port/  (open it in a browser now; it updates by itself)"
$once || sleep 5

echo "== a fourth instance, started: requested -> pending -> booting -> running_setup -> online"
layer=$($aws opsworks describe-layers --stack-id $stack --query 'Layers[0].LayerId' --output text)
instance=$($aws opsworks create-instance --stack-id $stack --layer-ids "$layer" --instance-type t3.small --query InstanceId --output text)
$aws opsworks start-instance --instance-id "$instance"
$aws opsworks wait instance-online --instance-ids "$instance"
echo "   $instance is online"

echo "== the app deployed to every online instance"
deployment=$($aws opsworks create-deployment --stack-id $stack --app-id $app --command Name=deploy \
  --comment "demo release" --query DeploymentId --output text)
for _ in $(seq 40); do
  status=$($aws opsworks describe-deployments --deployment-ids "$deployment" --query 'Deployments[0].Status' --output text)
  commands=$($aws opsworks describe-commands --deployment-id "$deployment" --query 'Commands[].Status' --output text | tr '\t' ' ')
  echo "   deployment $status; commands: $commands"
  [ "$status" = running ] || break
  sleep 1
done
echo "== done: deployment $deployment is $status"
$once && exit 0
echo "The server runs on for the audience; Ctrl-C stops it."
wait $server
