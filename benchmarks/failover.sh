#!/usr/bin/env bash
# benchmarks/failover.sh - what clients see when a silo dies: a 3-silo cluster (filesystem blobs),
# load through the edge for $DURATION s, kill -9 of silo 2 after $KILL_AFTER s; the failed requests
# and their kinds. Runs twice: the retries on (the defaults: the edge resends what did not get
# through, silos run body-less requests again) and off (Edge:RetryOnOtherSilos=0,
# Registry:Cluster:TransientRetryWindow=0). Never part of the test command.
#
# Environment: SCENARIO (manifest-tag; mix for pulls, pushes and tags), DURATION (20), KILL_AFTER (6),
# CONNECTIONS (16), BASE_PORT (19000), SKIP_BUILD (0).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCENARIO=${SCENARIO:-manifest-tag}
DURATION=${DURATION:-20}
KILL_AFTER=${KILL_AFTER:-6}
CONNECTIONS=${CONNECTIONS:-16}
BASE=${BASE_PORT:-19000}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 CONFIGURATION=Release
export Registry__RateLimit__Enabled=false
LOADTEST=(dotnet "$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll")
WORK=$(mktemp -d /tmp/orleans-registry-failover.XXXXXX)
trap 'bash "$ROOT/scripts/cluster.sh" down --dir "$WORK/cluster" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/OrleansRegistry.sln" >/dev/null
fi

once() { # once LABEL [env assignments...]
  local label=$1; shift
  bash "$ROOT/scripts/cluster.sh" down --dir "$WORK/cluster" >/dev/null 2>&1 || true
  rm -rf "$WORK/cluster"
  env "$@" bash "$ROOT/scripts/cluster.sh" up --silos 3 --dir "$WORK/cluster" --base-port "$BASE" --blobs fs >/dev/null
  local edge; edge=$(cat "$WORK/cluster/edge.url")
  "${LOADTEST[@]}" seed --url "$edge" >/dev/null
  "${LOADTEST[@]}" run --url "$edge" --scenarios "$SCENARIO" --duration "$DURATION" --warmup 1 --connections "$CONNECTIONS" \
    --target "$label" --out "$WORK/$label.jsonl" >"$WORK/$label.log" 2>&1 &
  local load=$!
  sleep "$KILL_AFTER"
  kill -9 "$(cat "$WORK/cluster/silo-2.pid")"
  wait "$load" || true
  python3 - "$WORK/$label.jsonl" "$label" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"{sys.argv[2]:>12}: {r['scenario']} {r['requests']} requests, {r['errors']} failed")
PY
  # The kinds of failure: method, status, and the path's shape (digests and ids folded).
  grep -o "$label: .*" "$WORK/$label.log" | sed -E 's/[0-9a-f]{32,64}/X/g; s/mix-[0-9a-f-]+/mix-X/g; s/\?[^ ]*:/:/' | cut -c1-140 | sort | uniq -c | sort -rn | head -5 || true
}

echo "== $SCENARIO for ${DURATION} s through the edge of 3 silos, kill -9 of silo 2 after ${KILL_AFTER} s"
once retries-on
once retries-off Edge__RetryOnOtherSilos=0 Registry__Cluster__TransientRetryWindow=00:00:00
