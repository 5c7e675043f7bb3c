#!/usr/bin/env bash
# benchmarks/events.sh - what the event log and one webhook cost on the hot paths, side by side in one
# run, and how long a push takes to reach a webhook receiver (opt-in; never part of the test command):
#
#   pulls    manifest GET by tag (64 connections), events on + one webhook against everything off
#   pushes   push-image (config + 4 KiB layer + manifest by a new tag, 4 at a time), same pair
#   lag      for every push event the receiver got during the on-server's push rounds: arrival time
#            minus the event's time (the intent, written before the push's own records); p50, p99
#
# Two Release embedded servers run at once on core $SERVER_CPU: "events-on" (the defaults, and a webhook
# to a loopback receiver declared in Registry:Notifications:Webhooks) and "events-off"
# (Registry:Events:Enabled=false, Registry:Extensions:Notifications:Enabled=false). The load generator
# runs on core $LOAD_CPU, the receiver (python3) on the same. Rounds alternate (A B A B); medians.
#
# Environment: BENCH_PORT (5810; silo ports 12810-12813, receiver +9), ROUNDS (5), DURATION (5),
# SERVER_CPU (0), LOAD_CPU (1), SKIP_BUILD, KEEP. Results: artifacts/bench/events-<time>.jsonl and .md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PORT:-5810}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$ROOT/artifacts/bench"
stamp=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/artifacts/bench/events-$stamp.jsonl}
: >"$OUT"
WORK=$(mktemp -d /tmp/orleans-registry-events.XXXXXX)
SERVER_DLL=$ROOT/src/OrleansRegistry.Server/bin/Release/net10.0/OrleansRegistry.Server.dll
LT_DLL=$ROOT/benchmarks/OrleansRegistry.LoadTest/bin/Release/net10.0/OrleansRegistry.LoadTest.dll
LOADTEST=(taskset -c "$LOAD_CPU" dotnet "$LT_DLL")
RECEIVER_PORT=$((PORT + 9))

SILO_BASE=12800
# shellcheck source=lib/embedded.sh
source "$ROOT/benchmarks/lib/embedded.sh"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/src/OrleansRegistry.Server/OrleansRegistry.Server.csproj"
  dotnet build -c Release -nologo -clp:ErrorsOnly "$ROOT/benchmarks/OrleansRegistry.LoadTest/OrleansRegistry.LoadTest.csproj"
fi

# The receiver: answers 204 at once; for each push event, appends "<lag ms>" (now - event time).
cat >"$WORK/receiver.py" <<'PY'
import json, re, sys, time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
out = open(sys.argv[2], "a", buffering=1)
class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as any real receiver
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = time.time()
        self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers()
        e = json.loads(body)
        if e.get("type") == "io.orleansregistry.artifact.pushed":
            t = re.sub(r"(\.\d{6})\d+", r"\1", e["time"]).replace("Z", "+00:00")
            out.write(f"{(now - datetime.fromisoformat(t).timestamp()) * 1000:.3f}\n")
    def log_message(self, *args): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
: >"$WORK/lag.txt"
taskset -c "$LOAD_CPU" python3 "$WORK/receiver.py" "$RECEIVER_PORT" "$WORK/lag.txt" &
PIDS[receiver]=$!


echo "== start (servers on core $SERVER_CPU, load and receiver on core $LOAD_CPU)"
start events-on 0 \
  --Registry:Notifications:Webhooks:0:Name=bench --Registry:Notifications:Webhooks:0:Url="http://127.0.0.1:$RECEIVER_PORT/hook" \
  --Registry:Notifications:Webhooks:0:Secret=bench-secret --Registry:Outbound:AllowedNetworks:0=127.0.0.0/8
start events-off 2 --Registry:Events:Enabled=false --Registry:Extensions:Notifications:Enabled=false

echo "== seed"
for name in events-on events-off; do "${LOADTEST[@]}" seed --url "${URLS[$name]}" --large-mib 1; done

run() {
  local name=$1 round=$2 scenarios=$3
  "${LOADTEST[@]}" run --url "${URLS[$name]}" --target "$name" --round "$round" --scenarios "$scenarios" \
    --duration "$DURATION" --server-pid "${PIDS[$name]}" --out "$OUT"
}

for ((round = 1; round <= ROUNDS; round++)); do
  echo "== round $round of $ROUNDS"
  for pair in "events-on events-off" "events-off events-on"; do
    [[ $((round % 2)) == 1 && $pair == "events-off events-on" ]] && continue
    [[ $((round % 2)) == 0 && $pair == "events-on events-off" ]] && continue
    for name in $pair; do run "$name" "$round" manifest-tag,push-image; done
  done
done
sleep 3

echo "== report"
"${LOADTEST[@]}" report "$OUT" --baseline events-off --candidate events-on --goals overhead | tee "${OUT%.jsonl}.md"
python3 - "$WORK/lag.txt" <<'PY' | tee -a "${OUT%.jsonl}.md"
import sys
lags = sorted(float(l) for l in open(sys.argv[1]) if l.strip())
if not lags:
    print("delivery lag: no push events received"); sys.exit(0)
q = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))]
print(f"\ndelivery lag of {len(lags)} push events (event time -> receiver): p50 {q(0.5):.1f} ms, p99 {q(0.99):.1f} ms, max {lags[-1]:.1f} ms")
PY
