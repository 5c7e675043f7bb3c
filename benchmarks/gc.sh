#!/usr/bin/env bash
# benchmarks/gc.sh - what garbage collection costs on the hot paths, and what one pass over many blobs
# takes (opt-in; never part of the test command):
#
#   hot paths  manifest GET by tag (64 connections) and push-image (config + 4 KiB layer + manifest by a
#              new tag, 4 at a time): "gc-on" (a pass every 2 s over $SEED blobs seeded first, grace 1 h so
#              nothing goes) against "gc-off" (Registry:Gc:Enabled=false, the same seed). Both servers run
#              at once on core $SERVER_CPU, the load on core $LOAD_CPU; rounds alternate; medians, and the
#              rounds' own ratios (report --goals gc: both paths within 5 %).
#   one pass   a third server in token mode: $PASS_BLOBS distinct blobs in 100 repositories, then
#              POST /api/v1/gc twice (the first also fills the blob index with the manifests stored before
#              it had them); each run's duration as the run reports it, and the server's peak VmRSS during
#              the pass against its VmRSS before.
#
# Environment: BENCH_PORT (5830), ROUNDS (4), DURATION (5), SEED (20000), PASS_BLOBS (100000),
# PARTS (hot,pass), GC_ARGS (more settings of gc-on, e.g. --Registry:Gc:Parallelism=1), SERVER_CPU (0), LOAD_CPU (1), SKIP_BUILD,
# KEEP; PASS_BLOBS=0 skips the pass. Results: artifacts/bench/gc-<time>.jsonl and .md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PORT:-5830}
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-5}
SEED=${SEED:-20000}
PASS_BLOBS=${PASS_BLOBS:-100000}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$ROOT/artifacts/bench"
stamp=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/artifacts/bench/gc-$stamp.jsonl}
: >"$OUT"
WORK=$(mktemp -d /tmp/orleans-registry-gc.XXXXXX)
SERVER_DLL=$ROOT/src/OrleansRegistry.Server/bin/Release/net10.0/OrleansRegistry.Server.dll
LT_DLL=$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll
LOADTEST=(taskset -c "$LOAD_CPU" dotnet "$LT_DLL")

SILO_BASE=12830
# shellcheck source=lib/embedded.sh
source "$ROOT/benchmarks/lib/embedded.sh"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/src/OrleansRegistry.Server/OrleansRegistry.Server.csproj"
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/benchmarks/OrleansRegistry.LoadTest/OrleansRegistry.LoadTest.csproj"
fi

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

if [[ ${PARTS:-hot,pass} == *hot* ]]; then
echo "== hot paths: start and seed $SEED blobs each"
start gc-on 0 --Registry:Gc:Interval=00:00:02 --Registry:Gc:Grace=01:00:00 ${GC_ARGS:-}
start gc-off 2 --Registry:Gc:Enabled=false
for name in gc-on gc-off; do
  "${LOADTEST[@]}" seed-blobs --url "${URLS[$name]}" --repo bench/gc --count "$SEED" --seed-concurrency 16
  "${LOADTEST[@]}" seed --url "${URLS[$name]}" --large-mib 1
done

run() {
  "${LOADTEST[@]}" run --url "${URLS[$1]}" --target "$1" --round "$2" --scenarios manifest-tag,push-image \
    --duration "$DURATION" --server-pid "${PIDS[$1]}" --out "$OUT"
}
for ((round = 1; round <= ROUNDS; round++)); do
  echo "== round $round of $ROUNDS"
  if ((round % 2)); then run gc-on "$round"; run gc-off "$round"; else run gc-off "$round"; run gc-on "$round"; fi
done

echo "== report"
"${LOADTEST[@]}" report "$OUT" --baseline gc-off --candidate gc-on --goals gc | tee "${OUT%.jsonl}.md"
for name in gc-on gc-off; do kill "${PIDS[$name]}"; wait "${PIDS[$name]}" 2>/dev/null || true; unset "PIDS[$name]"; done
fi

[[ ${PARTS:-hot,pass} == *pass* ]] && ((PASS_BLOBS > 0)) || exit 0
echo "== one pass over $PASS_BLOBS blobs"
cat >"$WORK/auth.json" <<'JSON'
{ "users": [ { "name": "root", "password": "bench-root", "admin": true } ] }
JSON
# Tokens outlive the seeding (the load generator does not renew them).
start gc-pass 4 --Registry:Auth:ConfigPath="$WORK/auth.json" --Registry:Auth:TokenLifetime=02:00:00 \
  --Registry:Gc:Enabled=false --Registry:Gc:Grace=01:00:00
"${LOADTEST[@]}" seed-blobs --url "${URLS[gc-pass]}" --repo bench/gc --count "$PASS_BLOBS" --seed-concurrency 16 \
  --user root --password bench-root
for pass in 1 2; do
  before=$(rss_kib "${PIDS[gc-pass]}")
  peak=$before
  curl -sf -u root:bench-root -X POST "${URLS[gc-pass]}/api/v1/gc" -H 'Content-Type: application/json' -d '{"dryRun":false}' \
    -o "$WORK/run-$pass.json" &
  curl_pid=$!
  while kill -0 "$curl_pid" 2>/dev/null; do
    now=$(rss_kib "${PIDS[gc-pass]}"); ((now > peak)) && peak=$now
    sleep 0.1
  done
  wait "$curl_pid"
  python3 - "$WORK/run-$pass.json" "$pass" "$before" "$peak" <<'PY' | tee -a "${OUT%.jsonl}.md"
import json, sys
run = json.load(open(sys.argv[1])); before, peak = int(sys.argv[3]), int(sys.argv[4])
print(f"pass {sys.argv[2]}: {run['storedBlobsSeen']} stored blobs and {run['repositories']} repositories in "
      f"{run['durationSeconds']:.1f} s ({run['storedBlobsSeen'] / max(run['durationSeconds'], 1e-9):.0f} blobs/s); "
      f"VmRSS {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB (+{(peak - before) / 1024:.0f} MiB); "
      f"deleted {run['blobsDeleted']}, errors {len(run['errors'])}")
PY
done
