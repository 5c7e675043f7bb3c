#!/usr/bin/env bash
# benchmarks/profile.sh SCENARIO[,SCENARIO...] - where the embedded server's CPU goes under one load.
# Starts the Release server (core $SERVER_CPU, fresh data directory, DOTNET_PerfMapEnabled=1 so perf
# can name JIT-compiled frames), seeds it, then runs the scenario(s) with the load generator on core
# $LOAD_CPU while `perf record -e cpu-clock -g` samples the server, and, when the dotnet-counters
# global tool is installed, records System.Runtime counters. Prints the hottest symbols, the share of
# each library and the counters; stops what it started. Needs perf (Debian: linux-perf).
# Environment: BENCH_PORT (5420; silo ports 12420/12421), DURATION (5), SERVER_CPU (0), LOAD_CPU (1),
# PERF_FREQ (499), KEEP (0). Output: artifacts/bench/profile-<scenario>-<time>.{txt,data}.
set -euo pipefail
# The comparison measures the request path, not the rate limiter (distribution has none).
export Registry__RateLimit__Enabled=false

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCENARIOS=${1:?usage: profile.sh SCENARIO[,SCENARIO...]}
PORT=${BENCH_PORT:-5420}
SILO_PORT=$((12400 + PORT % 100))
DURATION=${DURATION:-5}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
command -v perf >/dev/null || { echo "perf is missing (apt-get install -y linux-perf)" >&2; exit 1; }
mkdir -p "$ROOT/artifacts/bench"
base=$ROOT/artifacts/bench/profile-${SCENARIOS//,/+}-$(date +%Y%m%d-%H%M%S)
WORK=$(mktemp -d /tmp/orleans-registry-profile.XXXXXX)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

server_pid=
cleanup() {
  set +e
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; wait "$server_pid" 2>/dev/null; fi
  rm -f "/tmp/perf-$server_pid.map" "/tmp/perfinfo-$server_pid.map"
  [[ ${KEEP:-0} == 1 ]] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LOADTEST=(taskset -c "$LOAD_CPU" dotnet "$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll")
# W^X double mapping and ReadyToRun images hide managed frames from perf: both off while profiling,
# and tiering off so that every frame is optimized code (what a warmed-up server runs).
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 DOTNET_TieredCompilation=0 taskset -c "$SERVER_CPU" dotnet "$ROOT/src/OrleansRegistry.Server/bin/Release/net10.0/OrleansRegistry.Server.dll" \
  --urls "http://127.0.0.1:$PORT" --Registry:DataPath="$WORK/data" \
  --Registry:Silo:SiloPort=$SILO_PORT --Registry:Silo:GatewayPort=$((SILO_PORT + 1)) \
  --Logging:LogLevel:Default=Warning >"$WORK/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
"${LOADTEST[@]}" seed --url "http://127.0.0.1:$PORT"
# warm the JIT (tier-1) on the same path before sampling
"${LOADTEST[@]}" run --url "http://127.0.0.1:$PORT" --scenarios "$SCENARIOS" --duration 2 --warmup 1 --push-iterations 1 --kubelets 20 >/dev/null

counters_pid=
if command -v dotnet-counters >/dev/null || [[ -x $HOME/.dotnet/tools/dotnet-counters ]]; then
  PATH=$PATH:$HOME/.dotnet/tools timeout $((DURATION * 6 + 60)) dotnet-counters collect -p "$server_pid" --refresh-interval 1 \
    --counters System.Runtime --format csv -o "$base.counters.csv" >/dev/null 2>&1 &
  counters_pid=$!
fi
perf record -e cpu-clock -F "${PERF_FREQ:-499}" -g -p "$server_pid" -o "$base.data" -- sleep $((DURATION * 6 + 30)) 2>"$WORK/perf.log" &
perf_pid=$!
sleep 1
"${LOADTEST[@]}" run --url "http://127.0.0.1:$PORT" --target orleans --scenarios "$SCENARIOS" --duration "$DURATION" --warmup 0 \
  --server-pid "$server_pid" | tee "$base.txt"
kill -INT "$perf_pid" 2>/dev/null; wait "$perf_pid" 2>/dev/null || true
[[ -n $counters_pid ]] && { kill -INT "$counters_pid" 2>/dev/null; wait "$counters_pid" 2>/dev/null || true; }

{
  echo "== by library (self time)"
  perf report -i "$base.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -12 || true
  echo "== hottest symbols (self time)"
  perf report -i "$base.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-200 | head -30 || true
  echo "== where the server's CPU goes (share of samples whose stack passes through each part)"
  perf script -i "$base.data" 2>/dev/null | python3 "$ROOT/benchmarks/perf-buckets.py" || true
  if [[ -s $base.counters.csv ]]; then
    echo "== System.Runtime counters during the run (max of each)"
    awk -F, 'NR > 1 { k = $3; v = $NF + 0; if (!(k in m) || v > m[k]) m[k] = v } END { for (k in m) printf "%-75s %.1f\n", k, m[k] }' "$base.counters.csv" | sort || true
  fi
} | tee -a "$base.txt"
echo "profile: $base.txt (perf data: $base.data)"
