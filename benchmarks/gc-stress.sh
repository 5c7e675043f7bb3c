#!/usr/bin/env bash
# benchmarks/gc-stress.sh - the long form of the garbage collection stress test
# (tests/OrleansRegistry.IntegrationTests/Lifecycle/GcStressTests.cs, 20 s of load in CI): the same
# pushers, mounts, deletes, index pushes and grace-straddling pauses against collection every second,
# embedded and as a 3-silo cluster with a silo killed, for GC_STRESS_SECONDS (default 300) of load each.
# Needs what the test command installs (redis-server, Azurite: run scripts/test.sh once).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export GC_STRESS_SECONDS=${GC_STRESS_SECONDS:-300}
if [[ ${SKIP_BUILD:-0} != 1 ]]; then dotnet build "$ROOT/OrleansRegistry.sln" -c Release -nologo -clp:ErrorsOnly; fi
dotnet test "$ROOT/tests/OrleansRegistry.IntegrationTests" -c Release --no-build -nologo \
  --filter "FullyQualifiedName~GcStressTests" --logger "console;verbosity=detailed" 2>&1 |
  grep -E "load:|tags reach|Passed|Failed|Error Message" 
