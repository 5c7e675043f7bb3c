#!/usr/bin/env bash
# scripts/test.sh - runs every test of OrleansRegistry on a fresh machine:
#   1. installs what the tests need (Debian's registry clients and fixtures, via
#      ../shared/e2e/setup.sh, once per machine; redis-server and Azurite),
#   2. builds the solution (Release),
#   3. starts Azurite for the Azure provider's contract tests and runs every xunit project
#      (unit, grain, HTTP-on-Kestrel, process-level and cluster tests: the cluster tests start
#      their own Redis, Azurite, silos and edge through scripts/cluster.sh),
#   4. runs the real-client flows of ../shared/e2e/e2e.sh against the embedded server, then
#      through the edge of a 3-silo cluster,
#   5. renders and checks the Helm chart (charts/orleans-registry/tests/run.sh).
# Ends with one line "N passed, M failed" over all of them; exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/services.sh
source "$ROOT/scripts/lib/services.sh"
SHARED=${SHARED_DIR:-$(cd "$ROOT/.." && pwd)/shared}
export OCI_E2E_HOME=${OCI_E2E_HOME:-/tmp/oci-e2e}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LOGS=$ROOT/artifacts/test-logs
mkdir -p "$LOGS"
cd "$ROOT"

passed=0 failed=0
# Every failure is repeated, with what its logs say, just above the final line: CI shows the tail.
failures=()
fail() { echo "FAIL $*"; failed=$((failed + 1)); failures+=("FAIL $*"); }
# note_failures LINES...: failures counted elsewhere, kept for the summary
note_failures() { local l; for l in "$@"; do [[ -n $l ]] && failures+=("$l"); done; }

# ------------------------------------------------------------ prerequisites ---
need_setup=0
for tool in skopeo podman buildah ctr containerd docker dockerd jq curl docker-registry; do
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

if ! ensure_redis >"$LOGS/redis-install.log" 2>&1; then cat "$LOGS/redis-install.log"; fail "setup: redis-server"; fi
if ! ensure_azurite >"$LOGS/azurite-install.log" 2>&1; then cat "$LOGS/azurite-install.log"; fail "setup: azurite"; fi

# Everything started below is stopped on exit, whatever happens.
cleanup_cmds=()
cleanup() { local c; for c in "${cleanup_cmds[@]}"; do eval "$c"; done; }
trap cleanup EXIT

# -------------------------------------------------------------------- build ---
echo "== build"
if ! dotnet build OrleansRegistry.sln -c Release -nologo -clp:ErrorsOnly >"$LOGS/build.log" 2>&1; then
  cat "$LOGS/build.log"
  echo "0 passed, 1 failed"
  exit 1
fi

# -------------------------------------------------------------------- xunit ---
azurite_port=${AZURITE_TEST_PORT:-10000}
azurite_dir=$(mktemp -d /tmp/orleans-registry-azurite.XXXXXX)
cleanup_cmds+=("stop_pidfile '$azurite_dir/azurite.pid'; rm -rf '$azurite_dir'")
start_azurite "$azurite_port" "$azurite_dir" || fail "setup: azurite did not start on 127.0.0.1:$azurite_port"
export AZURITE_BLOB_ENDPOINT=http://127.0.0.1:$azurite_port/$AZURITE_ACCOUNT

echo "== dotnet test"
dotnet test OrleansRegistry.sln -c Release --no-build -nologo 2>&1 | tee "$LOGS/dotnet-test.log"
test_rc=${PIPESTATUS[0]}
# one summary line per test assembly: "Passed!  - Failed:     0, Passed:    35, Skipped: ..."
read -r tp tf < <(sed -nE 's/.*Failed: *([0-9]+), Passed: *([0-9]+).*/\2 \1/p' "$LOGS/dotnet-test.log" |
  awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
passed=$((passed + tp)); failed=$((failed + tf))
mapfile -t lines < <(grep -E '^\s+Failed [A-Za-z]' "$LOGS/dotnet-test.log" | sed -E 's/^\s+/FAIL xunit: /')
note_failures "${lines[@]}"
if [[ $test_rc -ne 0 && $tf -eq 0 ]]; then fail "dotnet test exited $test_rc"; fi

# ---------------------------------------------------------------------- e2e ---
# run_e2e NAME HOST:PORT: the 31 real-client flows (docker through a private dockerd among them), counted into the totals
run_e2e() {
  local name=$1 target=$2 ep ef
  # scripts/lib/e2e-path/ctr: ctr's output in one write (see there: a SIGPIPE race of e2e.sh's pipelines)
  PATH="$ROOT/scripts/lib/e2e-path:$PATH" bash "$SHARED/e2e/e2e.sh" "$target" 2>"$LOGS/e2e-$name.stderr" | tee "$LOGS/e2e-$name.log"
  read -r ep ef < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$LOGS/e2e-$name.log" | tail -n 1)
  if [[ -z ${ep:-} ]]; then fail "e2e $name: no summary line"; else passed=$((passed + ep)); failed=$((failed + ef)); fi
  # a failed flow's own log (e2e.sh keeps it and says where on stderr)
  local logs flow line
  logs=$(sed -nE 's/^e2e: logs kept in (.*)$/\1/p' "$LOGS/e2e-$name.stderr" | tail -n 1)
  while read -r line; do
    flow=$(sed -E 's/^FAIL ([^:]+):.*/\1/' <<<"$line")
    note_failures "FAIL e2e $name: ${line#FAIL }"
    [[ -n $logs && -f $logs/$flow.log ]] && mapfile -t lines < <(tail -n 8 "$logs/$flow.log" | cut -c1-300 | sed 's/^/    /') &&
      note_failures "${lines[@]}"
  done < <(grep '^FAIL ' "$LOGS/e2e-$name.log")
}

echo "== e2e: real clients against the embedded server"
port=${E2E_PORT:-5055}
data=$(mktemp -d /tmp/orleans-registry-e2e.XXXXXX)
"${ROOT}/scripts/lib/run-embedded.sh" start "$port" "$data" >"$LOGS/e2e-server.log" 2>&1
cleanup_cmds+=("'${ROOT}/scripts/lib/run-embedded.sh' stop '$port' '$data'; rm -rf '$data'")
if curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
  run_e2e embedded "127.0.0.1:$port"
else
  tail -n 30 "$data/server.log"
  fail "e2e: the server did not come up on 127.0.0.1:$port"
fi

echo "== e2e: real clients through the edge of a 3-silo cluster (Redis, Azurite)"
cluster_dir=$(mktemp -d /tmp/orleans-registry-cluster.XXXXXX)
cleanup_cmds+=("bash '$ROOT/scripts/cluster.sh' down --dir '$cluster_dir' >/dev/null 2>&1; rm -rf '$cluster_dir'")
started=$SECONDS
if bash "$ROOT/scripts/cluster.sh" up --silos 3 --dir "$cluster_dir" --base-port 18000 >"$LOGS/cluster-up.log" 2>&1; then
  echo "cluster.sh up --silos 3: $((SECONDS - started)) s"
  run_e2e cluster "$(sed 's|^http://||' "$cluster_dir/edge.url")"
else
  cat "$LOGS/cluster-up.log"
  fail "e2e: cluster.sh up --silos 3 failed"
fi
bash "$ROOT/scripts/cluster.sh" down --dir "$cluster_dir" >/dev/null 2>&1

# -------------------------------------------------------------------- chart ---
echo "== chart: render every template and check it"
bash "$ROOT/charts/orleans-registry/tests/run.sh" 2>&1 | tee "$LOGS/chart.log"
read -r cp cf < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$LOGS/chart.log" | tail -n 1)
if [[ -z ${cp:-} ]]; then fail "chart: no summary line"; else passed=$((passed + cp)); failed=$((failed + cf)); fi
mapfile -t lines < <(grep '^FAIL ' "$LOGS/chart.log" | sed 's/^FAIL /FAIL chart: /')
note_failures "${lines[@]}"

# Stop everything now, not in the EXIT trap: nothing may print after the final line.
cleanup
cleanup_cmds=()

if ((${#failures[@]})); then
  echo "== what failed (logs in $LOGS)"
  printf '%s\n' "${failures[@]}"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
