#!/usr/bin/env bash
# benchmarks/targets.sh - issue 5's targets that compare this registry with itself (opt-in; not part
# of compare.sh's default run, never part of the test command):
#
#   cache     manifest GET by tag and by digest, manifest bytes cache on (default 64 MiB) against
#             off (Registry:Cache:ManifestBytes=0): the before/after of the cache, same run
#   auth      manifest GET by tag with token auth on (examples/auth/auth.json, a cached token, user
#             alice on team/app) against auth off; target >= 0.8x
#   rss       peak VmRSS of the server while one 1 GiB upload streams (POST, one PATCH, PUT ?digest=);
#             target <= 200 MiB
#   tags      one tag push into a repository of 50,000 tags against one into an empty repository
#             (seeds 50,000 manifest PUTs through the API first, with bounded concurrency); target <= 2x
#
# Three Release servers (embedded default, fresh data directories) run at once on core $SERVER_CPU:
# auth off and cache on (BENCH_PORT), cache off (+2), auth on (+4); silo/gateway ports 12700 + (port % 100)
# and +1. Only one is under load at a time; the load generator runs on core $LOAD_CPU. For each of
# $ROUNDS rounds the request-rate pairs run alternately (A B A B); medians are printed.
#
# Environment: BENCH_PORT (5710), ROUNDS (3), DURATION (5), PARTS (cache,auth,rss,tags), UPLOAD_MIB (1024),
# SEED_TAGS (50000), SEED_CONCURRENCY (16), TAG_PUSHES (40), SERVER_CPU (0), LOAD_CPU (1), SKIP_BUILD, KEEP.
# Results: artifacts/bench/targets-<time>.jsonl and .md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PORT:-5710}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
PARTS=${PARTS:-cache,auth,rss,tags}
UPLOAD_MIB=${UPLOAD_MIB:-1024}
SEED_TAGS=${SEED_TAGS:-50000}
SEED_CONCURRENCY=${SEED_CONCURRENCY:-16}
TAG_PUSHES=${TAG_PUSHES:-40}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$ROOT/artifacts/bench"
stamp=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/artifacts/bench/targets-$stamp.jsonl}
: >"$OUT"
WORK=$(mktemp -d /tmp/orleans-registry-targets.XXXXXX)
SERVER_DLL=$ROOT/src/OrleansRegistry.Server/bin/Release/net10.0/OrleansRegistry.Server.dll
LT_DLL=$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll
LOADTEST=(taskset -c "$LOAD_CPU" dotnet "$LT_DLL")

declare -A PIDS=() URLS=()
cleanup() {
  set +e
  for name in "${!PIDS[@]}"; do
    kill "${PIDS[$name]}" 2>/dev/null && wait "${PIDS[$name]}" 2>/dev/null
  done
  [[ ${KEEP:-0} == 1 ]] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/src/OrleansRegistry.Server/OrleansRegistry.Server.csproj"
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/benchmarks/OrleansRegistry.LoadTest/OrleansRegistry.LoadTest.csproj"
fi

# start NAME PORT_OFFSET EXTRA_ARGS...: one embedded server pinned to the server core
start() {
  local name=$1 port=$((PORT + $2)); shift 2
  local silo=$((12700 + port % 100))
  for p in $port $silo $((silo + 1)); do
    if ss -ltn | awk '{print $4}' | grep -q ":$p\$"; then echo "port $p is in use; set BENCH_PORT" >&2; exit 1; fi
  done
  mkdir -p "$WORK/$name"
  taskset -c "$SERVER_CPU" dotnet "$SERVER_DLL" --urls "http://127.0.0.1:$port" --Registry:DataPath="$WORK/$name" \
    --Registry:Silo:SiloPort=$silo --Registry:Silo:GatewayPort=$((silo + 1)) \
    --Logging:LogLevel:Default=Warning "$@" >"$WORK/$name.log" 2>&1 &
  PIDS[$name]=$!
  URLS[$name]=http://127.0.0.1:$port
  for _ in $(seq 300); do
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
    kill -0 "${PIDS[$name]}" 2>/dev/null || { cat "$WORK/$name.log"; exit 1; }
    sleep 0.2
  done
  echo "$name did not come up" >&2; tail -n 30 "$WORK/$name.log"; exit 1
}

has() { [[ ",$PARTS," == *",$1,"* ]]; }

# run NAME ROUND SCENARIOS [ARGS...]
run() {
  local name=$1 round=$2 scenarios=$3; shift 3
  "${LOADTEST[@]}" run --url "${URLS[$name]}" --target "$name" --round "$round" --scenarios "$scenarios" \
    --duration "$DURATION" --server-pid "${PIDS[$name]}" --out "$OUT" "$@"
}

echo "== start (servers on core $SERVER_CPU, load on core $LOAD_CPU)"
start cache-on 0
has cache && start cache-off 2 --Registry:Cache:ManifestBytes=0
has auth && start auth-on 4 --Registry:Auth:ConfigPath="$ROOT/examples/auth/auth.json"

echo "== seed"
AUTH_ARGS=(--repo team/app --user alice --password alice-pass)
"${LOADTEST[@]}" seed --url "${URLS[cache-on]}" --large-mib 1
has cache && "${LOADTEST[@]}" seed --url "${URLS[cache-off]}" --large-mib 1
if has auth; then
  "${LOADTEST[@]}" seed --url "${URLS[cache-on]}" --repo team/app --large-mib 1
  "${LOADTEST[@]}" seed --url "${URLS[auth-on]}" --large-mib 1 "${AUTH_ARGS[@]}"
fi

echo "== warm-up (not recorded)"
for name in "${!URLS[@]}"; do
  args=(); [[ $name == auth-on ]] && args=("${AUTH_ARGS[@]}")
  "${LOADTEST[@]}" run --url "${URLS[$name]}" --target warmup --scenarios manifest-tag,manifest-digest --duration 2 "${args[@]}" >/dev/null
done

for round in $(seq "$ROUNDS"); do
  echo "== round $round"
  if has cache; then
    run cache-off "$round" manifest-tag,manifest-digest
    run cache-on "$round" manifest-tag,manifest-digest
  fi
  if has auth; then
    run cache-on "$round" manifest-tag --repo team/app --target auth-off
    run auth-on "$round" manifest-tag "${AUTH_ARGS[@]}"
  fi
done

if has rss; then
  echo "== upload RSS ($UPLOAD_MIB MiB)"
  run cache-on 1 upload-rss --upload-mib "$UPLOAD_MIB" --timeout 900
fi

if has tags; then
  echo "== tag push into $SEED_TAGS tags against an empty repository"
  run cache-on 1 tag-push-50k --seed-tags "$SEED_TAGS" --seed-concurrency "$SEED_CONCURRENCY" --tag-pushes "$TAG_PUSHES" --timeout 1800
fi

echo "== medians ($OUT)"
python3 - "$OUT" <<'PY' | tee "${OUT%.jsonl}.md"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["Scenario"], r["Target"]), []).append(r)
med = {}
print("| scenario | target | unit | median | p50 ms | p99 ms | rounds | server CPU | note |")
print("|---|---|---|---:|---:|---:|---:|---:|---|")
for (s, t), rs in sorted(groups.items()):
    v = statistics.median(r["Value"] for r in rs)
    med[(s, t)] = v
    print(f"| {s} | {t} | {rs[0]['Unit']} | {v:.1f} | {statistics.median(r['P50Ms'] for r in rs):.2f} | "
          f"{statistics.median(r['P99Ms'] for r in rs):.2f} | {len(rs)} | {statistics.median(r['ServerCpuPercent'] for r in rs):.0f}% | {rs[-1].get('Note') or ''} |")
print()
for s in ("manifest-tag", "manifest-digest"):
    if (s, "cache-on") in med and (s, "cache-off") in med:
        print(f"- {s}: cache on / off = {med[(s, 'cache-on')] / med[(s, 'cache-off')]:.2f}x")
if ("manifest-tag", "auth-on") in med and ("manifest-tag", "auth-off") in med:
    print(f"- manifest-tag: auth on / off = {med[('manifest-tag', 'auth-on')] / med[('manifest-tag', 'auth-off')]:.2f}x (target >= 0.8x)")
PY
