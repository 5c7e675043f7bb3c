#!/usr/bin/env bash
# charts/orleans-registry/tests/run.sh - the chart's test, without Helm or a cluster:
# renders every template with Go's text/template + sprig + the Helm functions the chart uses,
# with the default values and with tests/values-all.yaml, checks the manifests, and validates
# the values against values.schema.json (tests/render/*.go).
# Installs Debian's Go toolchain, sprig and yaml.v3 when missing; builds in GOPATH mode against
# /usr/share/gocode, so nothing is downloaded. Ends with "N passed, M failed"; exits non-zero on failure.
#   bash charts/orleans-registry/tests/run.sh [--out DIR]   (DIR gets the rendered manifests)
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CHART=$(cd "$HERE/.." && pwd)
GOCODE=/usr/share/gocode/src

missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[[ -d $GOCODE/github.com/Masterminds/sprig ]] || missing+=(golang-github-masterminds-sprig-dev)
[[ -d $GOCODE/gopkg.in/yaml.v3 ]] || missing+=(golang-gopkg-yaml.v3-dev)
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >/tmp/orleans-registry-chart-apt.log 2>&1; then
    tail -n 20 /tmp/orleans-registry-chart-apt.log
    echo "chart: 0 passed, 1 failed"
    exit 1
  fi
fi

out_args=()
if [[ ${1:-} == --out && -n ${2:-} ]]; then
  out_args=(-out "$2")
fi

cd "$HERE/render"
export GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= GOTOOLCHAIN=local
export GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/orleans-registry-chart-gocache}
go run . -chart "$CHART" "${out_args[@]}"
