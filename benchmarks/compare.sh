#!/usr/bin/env bash
# benchmarks/compare.sh - the side-by-side comparison of issue 5: the reference registry
# (distribution 2.8.2 from Debian, filesystem storage) against this registry's embedded default
# (Release build, filesystem storage, fresh data directory), same machine, same run, same workload.
#
#   1. builds the server and the load generator (Release),
#   2. starts both registries on 127.0.0.1, each pinned to core $SERVER_CPU with taskset,
#   3. seeds both with the same image (a config, a 50 MiB layer, three small layers) and warms both up,
#   4. for each of $ROUNDS rounds, runs every scenario on both, alternately (A B A B ...), with the
#      load generator pinned to core $LOAD_CPU; the request-rate scenarios are run a second time
#      with wrk (GET) and ab (HEAD) when they are installed, to show whether the C# generator limits;
#      each round also measures the disk's own write+fsync rate with dd conv=fsync,
#   5. prints the table of medians and ratios, and stops everything it started.
#
# Environment: BENCH_PORT (5410: reference on it, ours on +1; silo ports 12410/12411, or
# BENCH_SILO_PORT and +1), ROUNDS (3),
# DURATION (5 s per request-rate scenario), KUBELETS (200), KUBELET_CONCURRENCY (32), SCENARIOS
# (all), SERVER_CPU (0), LOAD_CPU (1), SKIP_BUILD (0), KEEP (0: remove the data directories).
# Results: artifacts/bench/compare-<time>.jsonl and .md. Never part of the test command.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_DIR:-$(cd "$ROOT/.." && pwd)/shared}
PORT_A=${BENCH_PORT:-5410}
PORT_B=$((PORT_A + 1))
SILO_PORT=${BENCH_SILO_PORT:-$((12400 + PORT_A % 100))}
GATEWAY_PORT=$((SILO_PORT + 1))
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
KUBELETS=${KUBELETS:-200}
KUBELET_CONCURRENCY=${KUBELET_CONCURRENCY:-32}
SCENARIOS=${SCENARIOS:-manifest-tag,manifest-digest,blob-head,blob-get,blob-range,push-mono,push-chunked,pull-storm,mix}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
A=distribution B=orleans
CONTAINERD_ACCEPT='application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, */*'
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The comparison measures the request path, not the rate limiter (distribution has none).
export Registry__RateLimit__Enabled=false

mkdir -p "$ROOT/artifacts/bench"
stamp=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/artifacts/bench/compare-$stamp.jsonl}
: >"$OUT"
WORK=$(mktemp -d /tmp/orleans-registry-bench.XXXXXX)
export OCI_E2E_HOME=$WORK # the reference registry keeps its state here, fresh each run

orleans_pid=
cleanup() {
  set +e
  bash "$SHARED/e2e/peer-registry.sh" stop "$PORT_A" >/dev/null 2>&1
  if [[ -n $orleans_pid ]] && kill -0 "$orleans_pid" 2>/dev/null; then
    kill "$orleans_pid"
    wait "$orleans_pid" 2>/dev/null
  fi
  [[ ${KEEP:-0} == 1 ]] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v docker-registry >/dev/null || { echo "docker-registry is missing: run ../shared/e2e/setup.sh" >&2; exit 1; }
for p in $PORT_A $PORT_B $SILO_PORT $GATEWAY_PORT; do
  if ss -ltn | awk '{print $4}' | grep -q ":$p\$"; then echo "port $p is in use; set BENCH_PORT" >&2; exit 1; fi
done

# ------------------------------------------------------------------- build ---
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== build (Release)"
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/src/OrleansRegistry.Server/OrleansRegistry.Server.csproj"
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/benchmarks/OrleansRegistry.LoadTest/OrleansRegistry.LoadTest.csproj"
fi
SERVER_DLL=$ROOT/src/OrleansRegistry.Server/bin/Release/net10.0/OrleansRegistry.Server.dll
LOADTEST=(taskset -c "$LOAD_CPU" dotnet "$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll")

# ------------------------------------------------------------------- start ---
echo "== start: $A on 127.0.0.1:$PORT_A, $B on 127.0.0.1:$PORT_B, both on core $SERVER_CPU; load on core $LOAD_CPU"
taskset -c "$SERVER_CPU" bash "$SHARED/e2e/peer-registry.sh" start "$PORT_A"
pid_a=$(cat "$WORK/peer-$PORT_A/registry.pid")
mkdir -p "$WORK/orleans-data"
taskset -c "$SERVER_CPU" dotnet "$SERVER_DLL" --urls "http://127.0.0.1:$PORT_B" --Registry:DataPath="$WORK/orleans-data" \
  --Registry:Silo:SiloPort=$SILO_PORT --Registry:Silo:GatewayPort=$GATEWAY_PORT \
  --Logging:LogLevel:Default=Warning >"$WORK/orleans.log" 2>&1 &
orleans_pid=$!
for _ in $(seq 150); do
  curl -sf "http://127.0.0.1:$PORT_B/v2/" >/dev/null 2>&1 && break
  kill -0 "$orleans_pid" 2>/dev/null || { cat "$WORK/orleans.log"; exit 1; }
  sleep 0.2
done
curl -sf "http://127.0.0.1:$PORT_B/v2/" >/dev/null || { echo "$B did not come up" >&2; tail -n 30 "$WORK/orleans.log"; exit 1; }
pid_b=$orleans_pid
url() { [[ $1 == "$A" ]] && echo "http://127.0.0.1:$PORT_A" || echo "http://127.0.0.1:$PORT_B"; }
pid() { [[ $1 == "$A" ]] && echo "$pid_a" || echo "$pid_b"; }

echo "== seed"
for t in $A $B; do "${LOADTEST[@]}" seed --url "$(url $t)"; done
big=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$PORT_B/v2/bench/app/manifests/v1" |
  grep -o '"digest":"sha256:[0-9a-f]*","size":52428800' | cut -d'"' -f4)
manifest_digest=$(curl -sf -o /dev/null -D - -H "Accept: $CONTAINERD_ACCEPT" "http://127.0.0.1:$PORT_B/v2/bench/app/manifests/v1" |
  tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')

# Unrecorded warm-up of both servers (JIT tiering, grain activation, page cache): without it the
# first scenario of round 1 measures a cold server.
echo "== warm-up (not recorded)"
for t in $A $B; do
  "${LOADTEST[@]}" run --url "$(url $t)" --target "$t" --scenarios manifest-tag,manifest-digest,blob-head,blob-range,blob-get \
    --duration 1 --warmup 0.5 >/dev/null || true
done

# ----------------------------------------------------------------- helpers ---
cpu_seconds() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }

# to_ms 5.43ms | 812.00us | 1.20s -> milliseconds
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }

emit() { # scenario target round generator value p50 p99 requests errors seconds server_cpu_pct
  printf '{"scenario":"%s","target":"%s","round":%s,"unit":"req/s","generator":"%s","value":%s,"p50Ms":%s,"p99Ms":%s,"requests":%s,"errors":%s,"seconds":%s,"serverCpuPercent":%s,"clientCpuPercent":-1}\n' \
    "$@" >>"$OUT"
  printf '%-14s %-16s %10.1f req/s  p50 %8.2f ms  p99 %8.2f ms  (%s) server-cpu=%.0f%%\n' "$2" "$1" "$5" "$6" "$7" "$4" "${11}"
}

# native generator: wrk for GET (manifest by tag / digest), ab for HEAD (wrk waits for a HEAD body)
native() { # scenario target round
  local s=$1 t=$2 r=$3 u cpu0 cpu1 out
  u=$(url "$t")
  cpu0=$(cpu_seconds "$(pid "$t")")
  case $s in
    manifest-tag | manifest-digest)
      local ref=v1; [[ $s == manifest-digest ]] && ref=$manifest_digest
      out=$(taskset -c "$LOAD_CPU" timeout $((DURATION + 30)) wrk -t1 -c64 -d"${DURATION}s" --latency -H "Accept: $CONTAINERD_ACCEPT" "$u/v2/bench/app/manifests/$ref")
      cpu1=$(cpu_seconds "$(pid "$t")")
      local rps p50 p99 n err secs
      rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
      p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
      p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
      n=$(awk '/requests in/ {print $1}' <<<"$out")
      secs=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' <<<"$out")
      err=$(awk '/Non-2xx/ {print $NF} /Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out" | awk '{s += $1} END {print s + 0}')
      emit "$s" "$t" "$r" wrk "$rps" "$p50" "$p99" "$n" "$err" "$secs" "$(awk -v a="$cpu0" -v b="$cpu1" -v d="$secs" 'BEGIN {printf "%.1f", 100 * (b - a) / d}')" ;;
    blob-head)
      out=$(taskset -c "$LOAD_CPU" timeout $((DURATION + 30)) ab -q -i -k -c 64 -t "$DURATION" -n 5000000 "$u/v2/bench/app/blobs/$big" 2>&1)
      cpu1=$(cpu_seconds "$(pid "$t")")
      local rps p50 p99 n err secs
      rps=$(awk '/^Requests per second/ {print $4}' <<<"$out")
      p50=$(awk '$1=="50%" {print $2}' <<<"$out")
      p99=$(awk '$1=="99%" {print $2}' <<<"$out")
      n=$(awk '/^Complete requests/ {print $3}' <<<"$out")
      secs=$(awk '/^Time taken for tests/ {print $5}' <<<"$out")
      err=$(awk '/^Failed requests/ {f = $3} /^Non-2xx/ {x = $3} END {print f + x}' <<<"$out")
      emit "$s" "$t" "$r" ab "$rps" "${p50:-0}" "${p99:-0}" "$n" "$err" "$secs" "$(awk -v a="$cpu0" -v b="$cpu1" -v d="$secs" 'BEGIN {printf "%.1f", 100 * (b - a) / d}')" ;;
  esac
}

disk_rate() { # MiB/s of a 128 MiB write with fsync, on the filesystem holding both data directories
  local line bytes secs
  line=$(dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=128 conv=fsync 2>&1 | tail -n 1)
  rm -f "$WORK/dd.bin"
  bytes=$(awk '{print $1}' <<<"$line")
  secs=$(awk -F', ' '{split($3, a, " "); print a[1]}' <<<"$line")
  awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", b / 1048576 / s}'
}

# --------------------------------------------------------------------- run ---
echo "== run: $ROUNDS rounds of [$SCENARIOS], ${DURATION}s each; load average $(cut -d' ' -f1-3 /proc/loadavg)"
IFS=, read -r -a scenario_list <<<"$SCENARIOS"
for round in $(seq "$ROUNDS"); do
  echo "-- round $round"
  rate=$(disk_rate)
  printf '{"scenario":"disk-write-fsync","target":"disk","round":%s,"unit":"MiB/s","generator":"dd","value":%s}\n' "$round" "$rate" >>"$OUT"
  echo "disk           write+fsync      $rate MiB/s (dd bs=1M count=128 conv=fsync)"
  for s in "${scenario_list[@]}"; do
    for t in $A $B; do
      "${LOADTEST[@]}" run --url "$(url "$t")" --target "$t" --round "$round" --scenarios "$s" --duration "$DURATION" \
        --kubelets "$KUBELETS" --kubelet-concurrency "$KUBELET_CONCURRENCY" --server-pid "$(pid "$t")" --out "$OUT" ||
        echo "   ($t $s reported errors)"
    done
    case $s in
      manifest-tag | manifest-digest) command -v wrk >/dev/null && for t in $A $B; do native "$s" "$t" "$round"; done ;;
      blob-head) command -v ab >/dev/null && for t in $A $B; do native "$s" "$t" "$round"; done ;;
    esac
  done
done

# ------------------------------------------------------------------ report ---
echo
echo "== results ($(nproc) cores; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)); raw: $OUT"
"${LOADTEST[@]}" report "$OUT" | tee "${OUT%.jsonl}.md"
