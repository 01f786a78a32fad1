#!/bin/sh
# Build the real kubeadm from the Go module proxy as a TEST ORACLE (never shipped, never product code).
# k8s.io/kubernetes replaces its staging modules with ./staging/...; a build module must replace each
# with the published v0.<minor>.<patch> (REFERENCE-kubeadm.md "Building the real binaries").
# Prints the binary's path; cached in $SEALTS_ORACLE_CACHE (default /var/cache/sealts-oracles).
set -eu
# v1.32.2: the newest 1.32 whose staging modules (k8s.io/cri-client ...) the module proxy here serves.
VERSION=${KUBEADM_VERSION:-v1.32.2}
CACHE=${SEALTS_ORACLE_CACHE:-/var/cache/sealts-oracles}
OUT="$CACHE/kubeadm-$VERSION"
export PATH="/usr/local/go/bin:$PATH"
if [ -x "$OUT" ]; then echo "$OUT"; exit 0; fi
mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
go mod init sealts.local/oracle >/dev/null 2>&1
gomod=$(go mod download -json "k8s.io/kubernetes@$VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[ -f "$gomod" ] || { echo "cannot download k8s.io/kubernetes@$VERSION" >&2; exit 1; }
staging=$(echo "$VERSION" | sed 's/^v1\./v0./')
# every "k8s.io/x => ./staging/src/k8s.io/x" line of kubernetes' own go.mod
for mod in $(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*#\1#p' "$gomod"); do
  go mod edit -replace "$mod=$mod@$staging"
done
go mod edit -require "k8s.io/kubernetes@$VERSION"
go get "k8s.io/kubernetes/cmd/kubeadm@$VERSION" >&2
minor=$(echo "$VERSION" | cut -d. -f2)
pkg=k8s.io/component-base/version
go build -trimpath -o "$work/kubeadm" -ldflags "-s -w -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitVersion=$VERSION -X $pkg.gitCommit=0000000000000000000000000000000000000000 -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z" k8s.io/kubernetes/cmd/kubeadm >&2
mv "$work/kubeadm" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo "$OUT"
