#!/usr/bin/env bash
# benchmarks/edge.sh - issue 5's "through the edge with two silos" figures, measured in one run:
#
#   1. starts a 2-silo cluster on the filesystem blob provider (scripts/cluster.sh up --silos 2
#      --blobs fs: Redis, Azurite for grain state, two gateway silos and the edge, all on 127.0.0.1),
#   2. seeds it through the edge with the load generator, warms up both targets (not recorded),
#   3. for each of $ROUNDS rounds runs every request-rate scenario against (a) silo 1 served
#      directly and (b) the edge, which load-balances over both silos, alternately (A B A B ...),
#      and records the CPU seconds every process used during each run (/proc/PID/stat),
#   4. prints the table of medians with the edge/direct ratio, and the CPU table,
#   5. runs $PROFILE_SCENARIO through the edge once more while `perf record -e cpu-clock -g` samples
#      the edge process, and prints where the edge's CPU goes (by library, hottest symbols, and
#      grouped by part of the proxy hop: perf-buckets.py --edge),
#   6. stops everything it started (cluster.sh down), on exit, error or Ctrl-C.
# HTTP (silos, edge), Redis and Azurite listen on 127.0.0.1; the silos' Orleans silo and gateway ports
# listen on every address (cluster mode's documented behavior: docs/configuration.md), while they
# advertise 127.0.0.1.
#
# Placement on this 2-core machine: the load generator is pinned to core 1 (taskset -c $LOAD_CPU);
# Redis, Azurite, the silos and the edge are not pinned (cluster.sh starts them; the scheduler
# spreads them over both cores, core 1 included). Direct runs load silo 1 (and silo 2 when a grain
# call lands there); edge runs load the edge and both silos, on the same two cores. So the CPU table
# (CPU seconds of each process during each run, start-up and the load generator's 1 s warm-up
# included) is part of the result: it says where the cores went.
#
# Rate limiting off; logging as the hosts' appsettings.json say (requests are not logged).
#
# Runtime settings: with PROFILE=1 (default) the whole cluster runs with DOTNET_PerfMapEnabled=1
# DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 DOTNET_TieredCompilation=0 (exported before
# cluster.sh starts it, so silos and edge inherit them), as profile.sh runs its server: perf can name
# JIT frames and every frame is fully optimized JIT code. That is slightly slower than the default
# runtime (no tiered PGO), but silos and edge run alike, so the ratio compares like with like. The
# load generator runs with the default runtime settings. PROFILE=0: no profile, default runtime.
#
# Environment: ROUNDS (3), DURATION (5 s per scenario), BASE_PORT (21000; cluster.sh's ports: Redis
# P, Azurite P+1, edge P+2, silo K HTTP P+100+K, silo P+200+K, gateway P+300+K), SCENARIOS
# (manifest-tag,manifest-digest,blob-head,blob-get,blob-range), PROFILE (1), PROFILE_SCENARIO
# (manifest-tag), PERF_FREQ (499), LOAD_CPU (1), SKIP_BUILD (0), KEEP (0: remove the cluster's
# directory). Results: artifacts/bench/edge-<time>.jsonl (the load generator's), .cpu.jsonl, .md
# (the tables), .profile.txt and .perf.data. Never part of the test command. Needs perf for the
# profile (Debian: linux-perf).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
BASE=${BASE_PORT:-21000}
SCENARIOS=${SCENARIOS:-manifest-tag,manifest-digest,blob-head,blob-get,blob-range}
PROFILE=${PROFILE:-1}
PROFILE_SCENARIO=${PROFILE_SCENARIO:-manifest-tag}
PERF_FREQ=${PERF_FREQ:-499}
LOAD_CPU=${LOAD_CPU:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 CONFIGURATION=Release
# The comparison measures the request path, not the rate limiter.
export Registry__RateLimit__Enabled=false

LT_DLL=$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll
# The load generator on its own core, with the runtime's default settings whatever PROFILE says.
LOADTEST=(env -u DOTNET_PerfMapEnabled -u DOTNET_EnableWriteXorExecute -u DOTNET_ReadyToRun -u DOTNET_TieredCompilation
  taskset -c "$LOAD_CPU" dotnet "$LT_DLL")
mkdir -p "$ROOT/artifacts/bench"
base=$ROOT/artifacts/bench/edge-$(date +%Y%m%d-%H%M%S)
OUT=$base.jsonl
CPU_OUT=$base.cpu.jsonl
: >"$OUT"
: >"$CPU_OUT"
WORK=$(mktemp -d /tmp/orleans-registry-edge.XXXXXX)
DIR=$WORK/cluster

perf_pid=
dotnet_pids=()
cleanup() {
  set +e
  if [[ -n $perf_pid ]] && kill -0 "$perf_pid" 2>/dev/null; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null; fi
  [[ -f $DIR/cluster.env ]] && bash "$ROOT/scripts/cluster.sh" down --dir "$DIR" >/dev/null 2>&1
  local p
  for p in "${dotnet_pids[@]}"; do rm -f "/tmp/perf-$p.map" "/tmp/perfinfo-$p.map"; done
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $PROFILE == 1 ]]; then
  command -v perf >/dev/null || { echo "perf is missing (apt-get install -y linux-perf), or run with PROFILE=0" >&2; exit 1; }
fi
for p in "$BASE" $((BASE + 1)) $((BASE + 2)) $((BASE + 101)) $((BASE + 102)) $((BASE + 201)) $((BASE + 202)) $((BASE + 301)) $((BASE + 302)); do
  if ss -ltn | awk '{print $4}' | grep -q ":$p\$"; then echo "port $p is in use; set BASE_PORT" >&2; exit 1; fi
done

# ------------------------------------------------------------------- build ---
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== build (Release)"
  dotnet build "$ROOT/OrleansRegistry.sln" -c Release -nologo -clp:ErrorsOnly --disable-build-servers
fi
for f in "$LT_DLL" "$ROOT/src/OrleansRegistry.Server/bin/Release/net10.0/OrleansRegistry.Server.dll" \
  "$ROOT/src/OrleansRegistry.Edge/bin/Release/net10.0/OrleansRegistry.Edge.dll"; do
  [[ -f $f ]] || { echo "$f is missing: build first (or drop SKIP_BUILD)" >&2; exit 1; }
done

# ------------------------------------------------------------------- start ---
if [[ $PROFILE == 1 ]]; then
  # Inherited by every process cluster.sh starts (setsid dotnet ...): silos and edge alike.
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 DOTNET_TieredCompilation=0
  runtime="perf map on, W^X/ReadyToRun/tiering off (silos and edge alike)"
else
  runtime="default runtime settings"
fi
echo "== start: 2-silo cluster, filesystem blobs, base port $BASE ($runtime); load generator on core $LOAD_CPU"
bash "$ROOT/scripts/cluster.sh" up --silos 2 --dir "$DIR" --base-port "$BASE" --blobs fs
edge_url=$(cat "$DIR/edge.url")
silo_url=$(cat "$DIR/silo-1.url")
edge_pid=$(cat "$DIR/edge.pid")
silo1_pid=$(cat "$DIR/silo-1.pid")
silo2_pid=$(cat "$DIR/silo-2.pid")
services_pids=("$(cat "$DIR/redis/redis.pid")" "$(cat "$DIR/azurite/azurite.pid")")
dotnet_pids=("$edge_pid" "$silo1_pid" "$silo2_pid")
echo "edge $edge_url (pid $edge_pid), silo 1 $silo_url (pid $silo1_pid), silo 2 $(cat "$DIR/silo-2.url") (pid $silo2_pid)"

url() { [[ $1 == direct ]] && echo "$silo_url" || echo "$edge_url"; }
front_pid() { [[ $1 == direct ]] && echo "$silo1_pid" || echo "$edge_pid"; }

echo "== seed through the edge"
"${LOADTEST[@]}" seed --url "$edge_url"

echo "== warm-up (not recorded)"
for t in direct edge; do
  "${LOADTEST[@]}" run --url "$(url $t)" --target "$t" --scenarios "$SCENARIOS" --duration 1 --warmup 0.5 >/dev/null ||
    echo "   (warm-up of $t reported errors)"
done

# ----------------------------------------------------------------- helpers ---
TICKS=$(getconf CLK_TCK)
TIMEFORMAT='%R %U %S' # bash's time: wall, user and system seconds of the load generator
# cpu_ticks PID...: utime + stime of the processes together, in clock ticks (0 for a process gone)
cpu_ticks() {
  local p sum=0 stat f
  for p in "$@"; do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    stat=${stat##*) } # after the command name: field 3 (state) is the first
    read -r -a f <<<"$stat"
    sum=$((sum + f[11] + f[12]))
  done
  echo "$sum"
}
snapshot() { echo "$(cpu_ticks "$edge_pid") $(cpu_ticks "$silo1_pid") $(cpu_ticks "$silo2_pid") $(cpu_ticks "${services_pids[@]}")"; }

# measure TARGET SCENARIO ROUND [OUT]: one load-generator run, its line, and a CPU record in $CPU_OUT
measure() {
  local t=$1 s=$2 r=$3 out=${4:-$OUT} before after wall user sys rc=0
  before=$(snapshot)
  { time "${LOADTEST[@]}" run --url "$(url "$t")" --target "$t" --round "$r" --scenarios "$s" \
    --duration "$DURATION" --server-pid "$(front_pid "$t")" --out "$out" >"$WORK/run.log" 2>&1; } 2>"$WORK/time.log" || rc=$?
  after=$(snapshot)
  grep -E "^$t " "$WORK/run.log" || tail -n 5 "$WORK/run.log"
  [[ $rc == 0 ]] || echo "   ($t $s reported errors)"
  read -r wall user sys <"$WORK/time.log"
  python3 - "$CPU_OUT" "$s" "$t" "$r" "$TICKS" "$wall" "$user" "$sys" "$before" "$after" <<'PY'
import json, sys
out, s, t, r, ticks, wall, user, sys_ = sys.argv[1:9]
b, a = [list(map(int, x.split())) for x in sys.argv[9:11]]
d = [(y - x) / int(ticks) for x, y in zip(b, a)]
row = {"scenario": s, "target": t, "round": int(r), "wallSeconds": float(wall),
       "loadgenCpuSeconds": round(float(user) + float(sys_), 2), "edgeCpuSeconds": d[0],
       "silo1CpuSeconds": d[1], "silo2CpuSeconds": d[2], "servicesCpuSeconds": d[3]}
open(out, "a").write(json.dumps(row) + "\n")
print(f"{'':15}cpu s: load generator {row['loadgenCpuSeconds']:.2f}, edge {d[0]:.2f}, silo 1 {d[1]:.2f}, "
      f"silo 2 {d[2]:.2f}, Redis+Azurite {d[3]:.2f} in {float(wall):.1f} s")
PY
}

# --------------------------------------------------------------------- run ---
echo "== run: $ROUNDS rounds of [$SCENARIOS], ${DURATION}s each, direct silo 1 then edge; load average $(cut -d' ' -f1-3 /proc/loadavg)"
IFS=, read -r -a scenario_list <<<"$SCENARIOS"
for round in $(seq "$ROUNDS"); do
  echo "-- round $round"
  for s in "${scenario_list[@]}"; do
    for t in direct edge; do measure "$t" "$s" "$round"; done
  done
done

# ------------------------------------------------------------------ report ---
echo
{
  echo "Medians of $ROUNDS round(s), ${DURATION} s each; $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $runtime."
  echo
  python3 - "$OUT" "$CPU_OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
med = statistics.median
order = []
for r in rows:
    if r["scenario"] not in order:
        order.append(r["scenario"])

def pick(rs, s, t):
    return [r for r in rs if r["scenario"] == s and r["target"] == t]

def cell(rs):
    return f"{med(r['value'] for r in rs):.1f} (p50 {med(r['p50Ms'] for r in rs):.1f} / p99 {med(r['p99Ms'] for r in rs):.1f} ms)"

print("| scenario | unit | silo 1 direct | through the edge (2 silos) | edge / direct | errors | rounds |")
print("|---|---|---:|---:|---:|---:|---:|")
for s in order:
    a, b = pick(rows, s, "direct"), pick(rows, s, "edge")
    if not a or not b:
        continue
    av, bv = med(r["value"] for r in a), med(r["value"] for r in b)
    ratio = f"{bv / av:.2f}×" if av else "—"
    errors = sum(r["errors"] for r in a + b)
    print(f"| {s} | {a[0]['unit']} | {cell(a)} | {cell(b)} | {ratio} | {errors} | {min(len(a), len(b))} |")

print()
print("CPU seconds each process used during one run (medians; the load generator's whole invocation: start-up,")
print("1 s warm-up and the measured seconds), and all of them as a share of the machine's cores over that wall time:")
print()
print("| scenario | target | wall s | load generator | edge | silo 1 | silo 2 | Redis + Azurite | all, % of 2 cores |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
keys = ["loadgenCpuSeconds", "edgeCpuSeconds", "silo1CpuSeconds", "silo2CpuSeconds", "servicesCpuSeconds"]
for s in order:
    for t in ("direct", "edge"):
        rs = pick(cpu, s, t)
        if not rs:
            continue
        wall = med(r["wallSeconds"] for r in rs)
        vals = [med(r[k] for r in rs) for k in keys]
        share = 100 * med(sum(r[k] for k in keys) / r["wallSeconds"] for r in rs) / 2
        print(f"| {s} | {t} | {wall:.1f} | " + " | ".join(f"{v:.2f}" for v in vals) + f" | {share:.0f}% |")
PY
} | tee "$base.md"
echo "raw results: $OUT, $CPU_OUT; tables: $base.md"

# ----------------------------------------------------------------- profile ---
[[ $PROFILE == 1 ]] || exit 0
echo
echo "== profile: $PROFILE_SCENARIO through the edge, perf record -e cpu-clock -F $PERF_FREQ -g -p $edge_pid (the edge only)"
perf record -e cpu-clock -F "$PERF_FREQ" -g -p "$edge_pid" -o "$base.perf.data" -- sleep $((DURATION * 6 + 30)) 2>"$WORK/perf.log" &
perf_pid=$!
sleep 1
CPU_OUT=$WORK/profile.cpu.jsonl measure edge "$PROFILE_SCENARIO" 0 "$WORK/profile.jsonl" | tee "$base.profile.txt"
kill -INT "$perf_pid" 2>/dev/null
wait "$perf_pid" 2>/dev/null || true
perf_pid=
# the JIT symbols, for a later `perf report` (copy it back to /tmp/perf-PID.map first)
cp "/tmp/perf-$edge_pid.map" "$base.perf-$edge_pid.map" 2>/dev/null || true
{
  echo "== the edge by library (self time)"
  perf report -i "$base.perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -12 || true
  echo "== the edge's hottest symbols (self time)"
  perf report -i "$base.perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-200 | head -30 || true
  echo "== where the edge's CPU goes (each sample in one part, the innermost frame that names one: adds up to 100%)"
  perf script -i "$base.perf.data" 2>/dev/null | python3 "$ROOT/benchmarks/perf-buckets.py" --edge || true
} | tee -a "$base.profile.txt"
echo "profile: $base.profile.txt (perf data: $base.perf.data, JIT symbols: $base.perf-$edge_pid.map)"
