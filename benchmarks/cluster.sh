#!/usr/bin/env bash
# benchmarks/cluster.sh - cluster-mode figures of issue 3, measured in one run on this machine:
#   A  monolithic push (128 MiB) straight to one silo: the embedded default (filesystem storage, file
#      grain state), and silo 1 of the cluster below (same providers as B), the two references;
#   B  chunked push (16 x 8 MiB PATCH) through the edge of a 2-silo cluster with filesystem storage
#      (the edge sends every chunk to the upload's home silo, named in its URL);
#   then push and pull (50 MiB blob GET, 4 connections) through the edge, to the filesystem
#   provider and to Azurite. After warm-up rounds, A and B alternate for $ROUNDS rounds; the table
#   gives medians and the B/A ratio (target: at least 0.8). Azurite ingests only 30-50 MiB/s (an
#   emulator limit): its rows say nothing about Azure itself. Never part of the test command.
#
# Environment: ROUNDS (7), WARMUP_ROUNDS (3), BASE_PORT (19000: clusters use BASE_PORT and
# BASE_PORT+500, the single silo BASE_PORT+900), SKIP_BUILD (0).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-7}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-3}
BASE=${BASE_PORT:-19000}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 CONFIGURATION=Release
# The comparison measures the request path, not the rate limiter (distribution has none).
export Registry__RateLimit__Enabled=false
LOADTEST=(dotnet "$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll")
WORK=$(mktemp -d /tmp/orleans-registry-cluster-bench.XXXXXX)
OUT=$ROOT/artifacts/bench/cluster-$(date +%Y%m%d-%H%M%S).jsonl
mkdir -p "$(dirname "$OUT")"
: >"$OUT"

cleanup() {
  set +e
  bash "$ROOT/scripts/lib/run-embedded.sh" stop $((BASE + 900)) "$WORK/single" >/dev/null 2>&1
  bash "$ROOT/scripts/cluster.sh" down --dir "$WORK/fs" >/dev/null 2>&1
  bash "$ROOT/scripts/cluster.sh" down --dir "$WORK/azure" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/OrleansRegistry.sln" >/dev/null
fi

echo "== start: one embedded silo; a 2-silo cluster on the filesystem provider; a 2-silo cluster on Azurite"
bash "$ROOT/scripts/lib/run-embedded.sh" start $((BASE + 900)) "$WORK/single"
bash "$ROOT/scripts/cluster.sh" up --silos 2 --dir "$WORK/fs" --base-port "$BASE" --blobs fs
bash "$ROOT/scripts/cluster.sh" up --silos 2 --dir "$WORK/azure" --base-port $((BASE + 500)) --blobs azure
single=http://127.0.0.1:$((BASE + 900))
edge_fs=$(cat "$WORK/fs/edge.url")
silo_fs=$(cat "$WORK/fs/silo-1.url")
edge_azure=$(cat "$WORK/azure/edge.url")

run() { # run TARGET URL SCENARIOS ROUND [extra args]
  local target=$1 url=$2 scenarios=$3 round=$4; shift 4
  "${LOADTEST[@]}" run --url "$url" --scenarios "$scenarios" --target "$target" --round "$round" --out "$OUT" "$@" >/dev/null
}

echo "== seed (every run discovers the seeded image first)"
for url in "$single" "$edge_fs" "$edge_azure"; do "${LOADTEST[@]}" seed --url "$url" >/dev/null; done

# Fresh processes spend much of their CPU in the JIT for the first few dozen pushes (tier-1
# recompilation: a third to a half of a silo's CPU by perf, ~3% once warm): warm-up rounds first,
# not recorded.
echo "== $WARMUP_ROUNDS warm-up rounds (not recorded)"
for ((r = 1; r <= WARMUP_ROUNDS; r++)); do
  for target in "$single" "$silo_fs" "$edge_fs"; do
    "${LOADTEST[@]}" run --url "$target" --scenarios push-mono,push-chunked --target warmup --out /dev/null >/dev/null
  done
done

# Each round starts with another target (1-2-3, 2-3-1, 3-1-2, ...): the disk's speed changes after
# sustained writes, so a fixed order would hand the same position's disadvantage to one target.
targets=("single-mono $single push-mono" "cluster-silo-mono $silo_fs push-mono" "cluster-fs-chunked $edge_fs push-chunked")
for ((r = 1; r <= ROUNDS; r++)); do
  echo "== round $r"
  for ((i = 0; i < 3; i++)); do
    read -r name url scenario <<<"${targets[$(((r - 1 + i) % 3))]}"
    run "$name" "$url" "$scenario" "$r"
  done
done

echo "== through the edge: push and pull, filesystem and Azurite"
run edge-fs "$edge_fs" push-mono,blob-get 1
run edge-azurite "$edge_azure" push-mono,push-chunked,blob-get 1 --push-iterations 1

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["target"], r["scenario"]), []).append(r)
print("| target | scenario | unit | median | p50 ms | p99 ms | errors | rounds |")
print("|---|---|---|---:|---:|---:|---:|---:|")
med = {}
for (target, scenario), rs in groups.items():
    m = statistics.median(r["value"] for r in rs)
    med[(target, scenario)] = m
    print(f"| {target} | {scenario} | {rs[0]['unit']} | {m:.1f} | {statistics.median(r['p50Ms'] for r in rs):.1f} | "
          f"{statistics.median(r['p99Ms'] for r in rs):.1f} | {sum(r['errors'] for r in rs)} | {len(rs)} |")
# The ratio of the medians is the figure; the same ratio within each round shows its spread.
b = med.get(("cluster-fs-chunked", "push-chunked"))
by_round = {(r["target"], r["round"]): r["value"] for r in rows if r["scenario"].startswith("push-")}
for key, what in ((("single-mono", "push-mono"), "the embedded silo"), (("cluster-silo-mono", "push-mono"), "silo 1 of the cluster, directly")):
    a = med.get(key)
    if a and b:
        rounds = sorted({n for (t, n) in by_round if t == key[0]} & {n for (t, n) in by_round if t == "cluster-fs-chunked"})
        per_round = [by_round[("cluster-fs-chunked", n)] / by_round[(key[0], n)] for n in rounds]
        spread = f"; per round {min(per_round):.2f}-{max(per_round):.2f}" if per_round else ""
        print(f"chunked push through the 2-silo cluster / monolithic push to {what}: {b / a:.2f}{spread} (target >= 0.80)")
PY
echo "raw results: $OUT"
