#!/usr/bin/env bash
# scripts/test.sh - runs every test of OrleansRegistry on a fresh machine:
#   1. installs what the tests need (Debian's registry clients and fixtures, via
#      ../shared/e2e/setup.sh, once per machine),
#   2. builds the solution (Release),
#   3. runs every xunit project (unit, grain, HTTP-on-Kestrel, process-level tests),
#   4. starts the embedded server and runs the real-client flows of ../shared/e2e/e2e.sh.
# Ends with one line "N passed, M failed" over all of them; exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_DIR:-$(cd "$ROOT/.." && pwd)/shared}
export OCI_E2E_HOME=${OCI_E2E_HOME:-/tmp/oci-e2e}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LOGS=$ROOT/artifacts/test-logs
mkdir -p "$LOGS"
cd "$ROOT"

passed=0 failed=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# ------------------------------------------------------------ prerequisites ---
need_setup=0
for tool in skopeo podman buildah ctr containerd jq curl docker-registry; do
  command -v "$tool" >/dev/null 2>&1 || need_setup=1
done
[[ -f $OCI_E2E_HOME/fixtures/digests.env ]] || need_setup=1
if [[ $need_setup == 1 ]]; then
  echo "== installing registry clients and fixtures (../shared/e2e/setup.sh)"
  if ! bash "$SHARED/e2e/setup.sh" >"$LOGS/setup.log" 2>&1; then
    tail -n 30 "$LOGS/setup.log"
    fail "setup: ../shared/e2e/setup.sh failed"
  fi
fi

# -------------------------------------------------------------------- build ---
echo "== build"
if ! dotnet build OrleansRegistry.sln -c Release -nologo -clp:ErrorsOnly >"$LOGS/build.log" 2>&1; then
  cat "$LOGS/build.log"
  echo "0 passed, 1 failed"
  exit 1
fi

# -------------------------------------------------------------------- xunit ---
echo "== dotnet test"
dotnet test OrleansRegistry.sln -c Release --no-build -nologo 2>&1 | tee "$LOGS/dotnet-test.log"
test_rc=${PIPESTATUS[0]}
# one summary line per test assembly: "Passed!  - Failed:     0, Passed:    35, Skipped: ..."
read -r tp tf < <(sed -nE 's/.*Failed: *([0-9]+), Passed: *([0-9]+).*/\2 \1/p' "$LOGS/dotnet-test.log" |
  awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
passed=$((passed + tp)); failed=$((failed + tf))
if [[ $test_rc -ne 0 && $tf -eq 0 ]]; then fail "dotnet test exited $test_rc"; fi

# ---------------------------------------------------------------------- e2e ---
echo "== e2e: real clients against the embedded server"
port=${E2E_PORT:-5055}
data=$(mktemp -d /tmp/orleans-registry-e2e.XXXXXX)
server=(dotnet "$ROOT/src/OrleansRegistry.Server/bin/Release/net10.0/OrleansRegistry.Server.dll"
  --urls "http://127.0.0.1:$port" --Registry:DataPath="$data"
  --Registry:Silo:SiloPort=$((port + 100)) --Registry:Silo:GatewayPort=$((port + 200)))
"${server[@]}" >"$LOGS/e2e-server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$data"' EXIT
up=0
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { up=1; break; }
  sleep 0.2
done
if [[ $up == 1 ]]; then
  bash "$SHARED/e2e/e2e.sh" "127.0.0.1:$port" 2>"$LOGS/e2e.stderr" | tee "$LOGS/e2e.log"
  read -r ep ef < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$LOGS/e2e.log" | tail -n 1)
  if [[ -z ${ep:-} ]]; then fail "e2e: no summary line"; else passed=$((passed + ep)); failed=$((failed + ef)); fi
else
  tail -n 30 "$LOGS/e2e-server.log"
  fail "e2e: the server did not come up on 127.0.0.1:$port"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
