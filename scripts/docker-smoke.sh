#!/usr/bin/env bash
# Builds the image, runs it, waits for its health check, makes one call per API and
# exports the state through the admin API, then stops and removes the container.
#
#   scripts/docker-smoke.sh            (from anywhere; builds the repository's Dockerfile)
#
# Settings (environment):
#   DOCKER             docker client to use (default: docker)
#   IMAGE              tag to build and run (default: mock-server:smoke)
#   DOCKER_NETWORK     network of the build and the container (default: host, which needs
#                      no bridge; the server then binds MOCK_SERVER_HOST:MOCK_SERVER_PORT)
#   MOCK_SERVER_HOST   address the server binds and the checks call (default 127.0.0.1)
#   MOCK_SERVER_PORT   port (default: a free one)
#   KEEP_IMAGE=0       remove the image and its build stage at the end (default: keep them, later builds reuse layers)
#
# Prints the image size and the time from `docker run` to the first healthy answer, and
# exits non-zero naming the first check that failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DOCKER=${DOCKER:-docker}
IMAGE=${IMAGE:-mock-server:smoke}
NETWORK=${DOCKER_NETWORK:-host}
HOST=${MOCK_SERVER_HOST:-127.0.0.1}
PORT=${MOCK_SERVER_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE="http://$HOST:$PORT"
CONTAINER="mock-server-smoke-$$"
STARTED=""

say() { printf 'docker-smoke: %s\n' "$*"; }
fail() {
  say "FAIL: $*"
  if [ -n "$STARTED" ]; then
    say "container log (last 30 lines):"
    "$DOCKER" logs --tail 30 "$CONTAINER" 2>&1 | sed 's/^/    /' || true
  fi
  exit 1
}
cleanup() {
  [ -n "$STARTED" ] && "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 || true
  if [ "${KEEP_IMAGE:-1}" = 0 ]; then
    "$DOCKER" rmi "$IMAGE" >/dev/null 2>&1 || true
    # the build stage's untagged image too (only ours: it carries the stage label)
    "$DOCKER" image prune -f --filter label=vendor-api-sandbox.stage=build >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
now() { python3 -c 'import time; print(time.monotonic())'; }
seconds_since() { python3 -c "import sys, time; print(f'{time.monotonic() - float(sys.argv[1]):.2f}')" "$1"; }

# call NAME EXPECTED_STATUS CURL_ARGS... : one request; its body is left in $BODY
call() {
  local name=$1 expected=$2 status
  shift 2
  status=$(curl -sS -o "$WORK/body" -w '%{http_code}' --max-time 10 "$@") || fail "$name: no answer"
  BODY=$(cat "$WORK/body")
  [ "$status" = "$expected" ] || fail "$name: HTTP $status, expected $expected: ${BODY:0:300}"
  say "$name: $status"
}
json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

command -v curl >/dev/null || fail "curl is needed"
"$DOCKER" info >/dev/null 2>&1 || fail "no docker daemon answers to '$DOCKER info'"
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT

say "building $IMAGE from $ROOT"
build_start=$(now)
"$DOCKER" build --network "$NETWORK" -t "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { tail -25 "$WORK/build.log"; fail "docker build"; }
say "built in $(seconds_since "$build_start") s; image size $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.1f MB", $1 / 1000000}')"

run_start=$(now)
"$DOCKER" run -d --name "$CONTAINER" --network "$NETWORK" --health-interval 1s \
  -e MOCK_SERVER_HOST="$HOST" -e MOCK_SERVER_PORT="$PORT" "$IMAGE" >/dev/null || fail "docker run"
STARTED=1
healthy=""
for _ in $(seq 1 300); do
  if curl -sf -o /dev/null --max-time 1 "$BASE/__admin/health"; then healthy=1; break; fi
  [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$CONTAINER")" = true ] || fail "the container stopped"
  sleep 0.02
done
[ -n "$healthy" ] || fail "GET /__admin/health never answered"
say "answered health $(seconds_since "$run_start") s after docker run"

call "GET /__admin/health" 200 "$BASE/__admin/health"
[ "$(json_field '["status"]' <<<"$BODY")" = ok ] || fail "health status is not ok: $BODY"
call "casavi POST /authenticate" 200 -X POST "$BASE/casavi/authenticate" -H 'content-type: application/json' \
  -d '{"key": "demo-key", "secret": "demo-secret"}'
TOKEN=$(json_field '["token"]' <<<"$BODY")
call "casavi GET /contacts" 200 "$BASE/casavi/contacts" -H "token: $TOKEN"
call "afosto POST /cat/channels" 200 -X POST "$BASE/afosto/cat/channels" -H 'Authorization: Bearer demo-afosto-token' \
  -H 'content-type: application/json' -d '{"name": "Smoke test"}'
call "relay GET /orders" 200 "$BASE/relay/orders" -H 'Authorization: Bearer demo-relay-key'
call "messages GET /api/v3/case-messages" 200 \
  "$BASE/messages/api/v3/case-messages?accessToken=demo-partner-token&guid=1e0abcb7-b94c-4072-a9c0-37072a1ef015"
call "GET /__admin/state" 200 "$BASE/__admin/state"
[ "$(json_field '.keys().__len__()' <<<"$BODY")" = 4 ] || fail "the state export does not hold four APIs"
grep -q '"Smoke test"' <<<"$BODY" || fail "the state export lacks the channel written above"
call "GET /__admin/ui" 200 -D "$WORK/headers" "$BASE/__admin/ui"
grep -qi "^content-security-policy: default-src 'none'" "$WORK/headers" || fail "the inspector page lacks its Content-Security-Policy"
call "GET /__admin/ui/panels/requests.js" 200 "$BASE/__admin/ui/panels/requests.js"

user=$("$DOCKER" exec "$CONTAINER" id -u)
[ "$user" != 0 ] || fail "the container runs as root"
say "runs as uid $user"
status=""
for _ in $(seq 1 30); do
  status=$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$CONTAINER")
  [ "$status" = starting ] || break
  sleep 0.5
done
[ "$status" = healthy ] || fail "docker health status is '$status'"
say "docker health: $status"

"$DOCKER" stop -t 10 "$CONTAINER" >/dev/null || fail "docker stop"
code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$CONTAINER")
[ "$code" = 0 ] || fail "the server exited with $code on SIGTERM"
say "stopped cleanly"
say "PASS"
