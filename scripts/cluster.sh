#!/usr/bin/env bash
# cluster.sh - a local OrleansRegistry cluster on loopback, for tests and for people.
#
#   scripts/cluster.sh up --silos N --dir DIR [--base-port P] [--blobs azure|fs]
#       installs what is missing (redis-server, Azurite), starts Redis, Azurite (data under DIR),
#       N gateway silos in cluster mode and the edge; returns when all are ready. Writes
#       DIR/edge.url, DIR/silo-K.url and DIR/silo-K.pid (the silo process itself).
#   scripts/cluster.sh add-silo --dir DIR      one more silo (next K), same files
#   scripts/cluster.sh down --dir DIR          stops everything it started, nothing else
#
# `up` again on the same DIR after `down` brings the same data back. Ports: Redis P, Azurite P+1,
# edge P+2, silo K: HTTP P+100+K, silo P+200+K, gateway P+300+K (P defaults to 17000).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/services.sh
source "$ROOT/scripts/lib/services.sh"
CONFIGURATION=${CONFIGURATION:-Release}
SERVER_DLL=$ROOT/src/OrleansRegistry.Server/bin/$CONFIGURATION/net10.0/OrleansRegistry.Server.dll
EDGE_DLL=$ROOT/src/OrleansRegistry.Edge/bin/$CONFIGURATION/net10.0/OrleansRegistry.Edge.dll

usage() { sed -n '2,14p' "$0" >&2; exit 2; }

cmd=${1:-}; shift || true
silos=1 dir='' base=17000 blobs=azure
while [[ $# -gt 0 ]]; do
  case $1 in
    --silos) silos=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    --blobs) blobs=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ -n $dir ]] || usage
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

save_env() {
  cat >"$dir/cluster.env" <<ENV
base=$base
blobs=$blobs
ENV
}

load_env() {
  [[ -f $dir/cluster.env ]] || { echo "no cluster in $dir (run up first)" >&2; exit 1; }
  # shellcheck source=/dev/null
  source "$dir/cluster.env"
}

build() {
  [[ -f $SERVER_DLL && -f $EDGE_DLL ]] && return 0
  echo "building ($CONFIGURATION)" >&2
  dotnet build "$ROOT/OrleansRegistry.sln" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly >&2
}

# wait_ready URL SECONDS: until GET URL/readyz answers 200
wait_ready() {
  local url=$1 limit=$2 i
  for ((i = 0; i < limit * 5; i++)); do
    curl -sf --max-time 2 "$url/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

common_args() {
  local redis=$((base)) azurite=$((base + 1))
  printf '%s\n' \
    "--Registry:Cluster:Clustering=Redis" \
    "--Registry:Cluster:GrainStorage=AzureBlob" \
    "--ConnectionStrings:Redis=127.0.0.1:$redis" \
    "--ConnectionStrings:AzureBlob=$(azurite_connection "$azurite")"
}

start_silo() {
  local k=$1 http=$((base + 100 + $1)) args
  mapfile -t args < <(common_args)
  if [[ $blobs == fs ]]; then
    args+=("--Registry:Cluster:BlobStorage=FileSystem" "--Registry:DataPath=$dir/shared")
  else
    args+=("--Registry:Cluster:BlobStorage=AzureBlob" "--Registry:DataPath=$dir/silo-$k")
  fi
  # setsid without a fork (no job control here): $! is the dotnet process itself, so kill -9 of
  # silo-K.pid is a real crash of that silo.
  setsid dotnet "$SERVER_DLL" --urls "http://127.0.0.1:$http" \
    --Registry:Silo:AdvertisedAddress=127.0.0.1 \
    --Registry:Silo:SiloPort=$((base + 200 + k)) --Registry:Silo:GatewayPort=$((base + 300 + k)) \
    "${args[@]}" >>"$dir/silo-$k.log" 2>&1 </dev/null &
  echo $! >"$dir/silo-$k.pid"
  echo "http://127.0.0.1:$http" >"$dir/silo-$k.url"
}

start_edge() {
  local port=$((base + 2))
  setsid dotnet "$EDGE_DLL" --urls "http://127.0.0.1:$port" \
    --ConnectionStrings:Redis="127.0.0.1:$base" >>"$dir/edge.log" 2>&1 </dev/null &
  echo $! >"$dir/edge.pid"
  echo "http://127.0.0.1:$port" >"$dir/edge.url"
}

next_silo() {
  local k=1
  while [[ -f $dir/silo-$k.url ]]; do k=$((k + 1)); done
  echo "$k"
}

# routed_count: how many silos the edge routes to
routed_count() {
  curl -sf --max-time 2 "$(cat "$dir/edge.url")/_edge/silos" | grep -o '"http' | wc -l
}

wait_routed() {
  local want=$1 i
  for ((i = 0; i < 150; i++)); do
    [[ $(routed_count 2>/dev/null || echo 0) -ge $want ]] && return 0
    sleep 0.2
  done
  echo "the edge does not route to $want silos" >&2
  return 1
}

up() {
  ensure_redis
  ensure_azurite
  build
  save_env
  rm -f "$dir"/silo-*.url
  start_redis "$base" "$dir/redis"
  start_azurite $((base + 1)) "$dir/azurite"
  local k
  for ((k = 1; k <= silos; k++)); do start_silo "$k"; done
  for ((k = 1; k <= silos; k++)); do
    wait_ready "$(cat "$dir/silo-$k.url")" 90 || { tail -n 40 "$dir/silo-$k.log" >&2; exit 1; }
  done
  start_edge
  wait_ready "$(cat "$dir/edge.url")" 60 || { tail -n 40 "$dir/edge.log" >&2; exit 1; }
  wait_routed "$silos"
  echo "cluster up: edge $(cat "$dir/edge.url"), $silos silos"
}

add_silo() {
  load_env
  local k; k=$(next_silo)
  start_silo "$k"
  wait_ready "$(cat "$dir/silo-$k.url")" 90 || { tail -n 40 "$dir/silo-$k.log" >&2; exit 1; }
  echo "silo $k up: $(cat "$dir/silo-$k.url")"
}

down() {
  load_env
  stop_pidfile "$dir/edge.pid"
  local f
  for f in "$dir"/silo-*.pid; do [[ -e $f ]] && stop_pidfile "$f"; done
  stop_pidfile "$dir/azurite/azurite.pid"
  if [[ -f $dir/redis/redis.pid ]]; then
    redis-cli -p "$base" shutdown >/dev/null 2>&1 || stop_pidfile "$dir/redis/redis.pid"
    rm -f "$dir/redis/redis.pid"
  fi
  echo "cluster down"
}

case $cmd in
  up) up ;;
  add-silo) add_silo ;;
  down) down ;;
  *) usage ;;
esac
