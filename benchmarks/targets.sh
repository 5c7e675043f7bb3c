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
# The targets measure the request path, not the rate limiter (off by default since issue 13; kept
# explicit so that a configuration turning it on does not leak in).
export Registry__RateLimit__Enabled=false

mkdir -p "$ROOT/artifacts/bench"
stamp=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/artifacts/bench/targets-$stamp.jsonl}
: >"$OUT"
WORK=$(mktemp -d /tmp/orleans-registry-targets.XXXXXX)
SERVER_DLL=$ROOT/src/OrleansRegistry.Server/bin/Release/net10.0/OrleansRegistry.Server.dll
LT_DLL=$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll
LOADTEST=(taskset -c "$LOAD_CPU" dotnet "$LT_DLL")

SILO_BASE=12700
# shellcheck source=lib/embedded.sh
source "$ROOT/benchmarks/lib/embedded.sh"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/src/OrleansRegistry.Server/OrleansRegistry.Server.csproj"
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/benchmarks/OrleansRegistry.LoadTest/OrleansRegistry.LoadTest.csproj"
fi


has() { [[ ",$PARTS," == *",$1,"* ]]; }

CONTAINERD_ACCEPT='application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, */*'

# wrk_run SERVER TARGET ROUND SCENARIO PATH [BEARER]: the same GET with wrk (-t1 -c64), as a JSON line
wrk_run() {
  command -v wrk >/dev/null || return 0
  local name=$1 target=$2 round=$3 scenario=$4 path=$5 token=${6:-}
  local headers=(-H "Accept: $CONTAINERD_ACCEPT")
  [[ -n $token ]] && headers+=(-H "Authorization: Bearer $token")
  local cpu0 cpu1 out
  cpu0=$(awk '{print $14 + $15}' "/proc/${PIDS[$name]}/stat")
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"${DURATION}s" --latency "${headers[@]}" "${URLS[$name]}$path")
  cpu1=$(awk '{print $14 + $15}' "/proc/${PIDS[$name]}/stat")
  python3 - "$scenario" "$target" "$round" "$DURATION" "$cpu0" "$cpu1" "$out" >>"$OUT" <<'PY'
import json, re, sys
scenario, target, rnd, dur, c0, c1, out = sys.argv[1:]
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not m: return -1
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
print(json.dumps({"scenario": scenario, "target": target, "round": int(rnd), "unit": "req/s", "value": rps,
  "p50Ms": ms("50%"), "p99Ms": ms("99%"), "requests": int(re.search(r"(\d+) requests in", out).group(1)),
  "errors": int(non2xx.group(1)) if non2xx else 0, "seconds": float(dur),
  "serverCpuPercent": (int(c1) - int(c0)) / float(dur), "generator": "wrk", "note": "wrk -t1 -c64"}))
PY
  tail -n 1 "$OUT" | cut -c1-200
}

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

TOKEN=
if has auth; then
  TOKEN=$(curl -sf -u alice:alice-pass "${URLS[auth-on]}/token?service=orleans-registry&scope=repository:team/app:pull" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
fi
DIGEST=$(curl -sf -o /dev/null -D - -H "Accept: $CONTAINERD_ACCEPT" "${URLS[cache-on]}/v2/bench/app/manifests/v1" |
  tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')

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
    wrk_run cache-off cache-off "$round" manifest-tag /v2/bench/app/manifests/v1
    wrk_run cache-on cache-on "$round" manifest-tag /v2/bench/app/manifests/v1
    wrk_run cache-off cache-off "$round" manifest-digest "/v2/bench/app/manifests/$DIGEST"
    wrk_run cache-on cache-on "$round" manifest-digest "/v2/bench/app/manifests/$DIGEST"
  fi
  if has auth; then
    run cache-on "$round" manifest-tag --repo team/app --target auth-off
    run auth-on "$round" manifest-tag "${AUTH_ARGS[@]}"
    wrk_run cache-on auth-off "$round" manifest-tag /v2/team/app/manifests/v1
    wrk_run auth-on auth-on "$round" manifest-tag /v2/team/app/manifests/v1 "$TOKEN"
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
    groups.setdefault((r["scenario"], r.get("generator", "loadtest"), r["target"]), []).append(r)
med = {}
print("| scenario | generator | target | unit | median | p50 ms | p99 ms | rounds | server CPU | note |")
print("|---|---|---|---|---:|---:|---:|---:|---:|---|")
for (s, g, t), rs in sorted(groups.items()):
    v = statistics.median(r["value"] for r in rs)
    med[(s, g, t)] = v
    print(f"| {s} | {g} | {t} | {rs[0]['unit']} | {v:.1f} | {statistics.median(r['p50Ms'] for r in rs):.2f} | "
          f"{statistics.median(r['p99Ms'] for r in rs):.2f} | {len(rs)} | {statistics.median(r['serverCpuPercent'] for r in rs):.0f}% | {rs[-1].get('note') or ''} |")
print()
for g in ("loadtest", "wrk"):
    for s in ("manifest-tag", "manifest-digest"):
        if (s, g, "cache-on") in med and (s, g, "cache-off") in med:
            print(f"- {s} ({g}): cache on / off = {med[(s, g, 'cache-on')] / med[(s, g, 'cache-off')]:.2f}x")
    if ("manifest-tag", g, "auth-on") in med and ("manifest-tag", g, "auth-off") in med:
        print(f"- manifest-tag ({g}): auth on / off = {med[('manifest-tag', g, 'auth-on')] / med[('manifest-tag', g, 'auth-off')]:.2f}x (target >= 0.8x)")
PY
