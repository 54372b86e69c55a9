#!/usr/bin/env bash
# Build the Go otr3 interop peer offline, in GOPATH mode, against Debian's otr3 sources
# (golang-github-twstrike-otr3-dev). shim/otr3_export.go is added to the otr3 package
# with `go build -overlay`; the installed sources are not modified.
#   cabi-tests/peers/otr3_peer/build.sh OUTPUT
# Exits 3 (and builds nothing) when go or the otr3 sources are missing.
set -eu
out=${1:?usage: build.sh OUTPUT}
here=$(cd "$(dirname "$0")" && pwd)
gopath=${OTR3_GOPATH:-/usr/share/gocode}
src="$gopath/src/github.com/twstrike/otr3"
command -v go >/dev/null 2>&1 || { echo "build.sh: go not found (apt-get install golang-go)" >&2; exit 3; }
[ -f "$src/conversation.go" ] || { echo "build.sh: no otr3 sources in $src (apt-get install golang-github-twstrike-otr3-dev)" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '{"Replace":{"%s/zz_peer_export.go":"%s/shim/otr3_export.go"}}\n' "$src" "$here" > "$tmp/overlay.json"
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
cache=${GOCACHE:-$(go env GOCACHE 2>/dev/null || true)}
case "$cache" in ""|off) cache=$(dirname "$out")/go-cache ;; esac
cd "$here"
GO111MODULE=off GOPATH="$gopath" GOFLAGS= GOPROXY=off GOCACHE="$cache" \
    go build -overlay "$tmp/overlay.json" -o "$out" .
