# benchmarks/lib/embedded.sh - sourced by the benchmarks that run several embedded servers side by side
# (targets.sh, events.sh): PIDS and URLS by name, everything stopped on exit, and
#   start NAME PORT_OFFSET EXTRA_ARGS...   one Release server on 127.0.0.1:$PORT+offset pinned to core
#                                          $SERVER_CPU, data in $WORK/NAME, silo ports $SILO_BASE + (port % 100) and +1
# The caller sets PORT, SILO_BASE, SERVER_CPU, WORK and SERVER_DLL first.

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

start() {
  local name=$1 port=$((PORT + $2)); shift 2
  local silo=$((SILO_BASE + port % 100))
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
