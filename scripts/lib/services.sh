# lib/services.sh - install and run the services the cluster mode and its tests need, on loopback:
# Debian's redis-server and Azurite (npm). Sourced by cluster.sh and test.sh.

TOOLS_DIR=${ORLEANS_REGISTRY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/orleans-registry}
AZURITE_VERSION=3.37.0
AZURITE_BIN=$TOOLS_DIR/azurite-$AZURITE_VERSION/node_modules/.bin/azurite-blob
# Azurite's fixed development account (public, documented by Azurite; not a secret).
AZURITE_ACCOUNT=devstoreaccount1
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  echo "installing redis-server (Debian)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
}

ensure_azurite() {
  [[ -x $AZURITE_BIN ]] && return 0
  echo "installing azurite $AZURITE_VERSION (npm)" >&2
  mkdir -p "$TOOLS_DIR/azurite-$AZURITE_VERSION"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/azurite-$AZURITE_VERSION" "azurite@$AZURITE_VERSION" >/dev/null
}

# wait_port PORT [SECONDS]: until something accepts connections on 127.0.0.1:PORT
wait_port() {
  local port=$1 limit=${2:-30} i
  for ((i = 0; i < limit * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# start_redis PORT DIR: appendonly so a stopped cluster comes back with its membership history
start_redis() {
  local port=$1 dir=$2
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly yes --save '' \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  wait_port "$port" 20
}

# start_azurite PORT DIR: blob service only, data on disk under DIR
start_azurite() {
  local port=$1 dir=$2
  mkdir -p "$dir"
  setsid "$AZURITE_BIN" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir" \
    --skipApiVersionCheck --loose --silent >"$dir/azurite.log" 2>&1 </dev/null &
  echo $! >"$dir/azurite.pid"
  # Not a job of the calling shell: its end must not print "Killed" after a script's last line.
  disown $!
  wait_port "$port" 60
}

azurite_connection() {
  echo "DefaultEndpointsProtocol=http;AccountName=$AZURITE_ACCOUNT;AccountKey=$AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$1/$AZURITE_ACCOUNT;"
}

# stop_pidfile FILE: SIGTERM, then SIGKILL after 10 s
stop_pidfile() {
  local file=$1 pid i
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
