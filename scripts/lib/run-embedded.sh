#!/usr/bin/env bash
# run-embedded.sh start|stop PORT DATA_DIR - the embedded server (Release build) on 127.0.0.1:PORT
# with its data in DATA_DIR; start returns once /v2/ answers. Silo ports are PORT+100 and PORT+200.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cmd=$1 port=$2 data=$3
case $cmd in
  start)
    mkdir -p "$data"
    setsid dotnet "$ROOT/src/OrleansRegistry.Server/bin/${CONFIGURATION:-Release}/net10.0/OrleansRegistry.Server.dll" \
      --urls "http://127.0.0.1:$port" --Registry:DataPath="$data" \
      --Registry:Silo:SiloPort=$((port + 100)) --Registry:Silo:GatewayPort=$((port + 200)) \
      >"$data/server.log" 2>&1 </dev/null &
    echo $! >"$data/server.pid"
    for _ in $(seq 150); do
      curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && exit 0
      sleep 0.2
    done
    exit 1 ;;
  stop)
    pid=$(cat "$data/server.pid" 2>/dev/null) || exit 0
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    exit 0 ;;
esac
