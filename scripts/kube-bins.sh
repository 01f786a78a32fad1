#!/usr/bin/env bash
# Builds, for one Kubernetes version, every binary a real sealts rootfs carries, from the Go module
# proxy only: kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy
# (one `go build`), etcd + etcdctl + etcdutl, pause (the module's own pause.c, static), CoreDNS (only the
# plugins kubeadm's Corefile uses) and containerd (containerd, shim, ctr). Versions come from the one
# table, pkg/versions/kubernetes.json.
#
#   scripts/kube-bins.sh [VERSION]      prints the cache directory on stdout, progress on stderr
#
# Cache: $SEALTS_KUBE_CACHE (default /var/cache/sealts-kube)/VERSION/bin, one stamp per component,
# so a warm run costs a few stats and a half-built cache resumes where it stopped. A dead or refusing
# proxy fails a step with its message; every network step is bounded by `timeout`, never a hang.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
table="$here/pkg/versions/kubernetes.json"
export PATH="/usr/local/go/bin:$PATH"
VERSION=${1:-${KUBE_VERSION:-$(node -p "require('$table').default")}}
CACHE=${SEALTS_KUBE_CACHE:-/var/cache/sealts-kube}
out="$CACHE/$VERSION"
bin="$out/bin"
# Only the proxy: "direct" would fall back to VCS hosts that this machine cannot reach (a hang).
export GOPROXY=${GOPROXY_SEALTS:-$(go env GOPROXY | sed 's/,direct$//; s/|direct$//')}
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
NET_TIMEOUT=${SEALTS_NET_TIMEOUT:-1200}
BUILD_TIMEOUT=${SEALTS_BUILD_TIMEOUT:-5400}

field() { node -e "const t=require('$table').releases['$VERSION'];if(!t){console.error('kube-bins: '+'$VERSION'+' is not in pkg/versions/kubernetes.json');process.exit(2)}const v=$1;if(v===undefined)process.exit(3);console.log(v)"; }
field "t.pause" >/dev/null
etcd_v=$(field "t.etcd.module"); pause_v=$(field "t.pause")
coredns_v=$(field "t.coredns.built"); containerd_v=$(field "t.containerd.module")

start=$(date +%s)
say() { echo "kube-bins $VERSION [$(( $(date +%s) - start ))s] $*" >&2; }
fail() { echo "kube-bins $VERSION: $*" >&2; exit 1; }
net() { timeout "$NET_TIMEOUT" "$@" || fail "'$*' failed or timed out after ${NET_TIMEOUT}s (is the Go module proxy $GOPROXY reachable?)"; }
build() { timeout "$BUILD_TIMEOUT" go build -trimpath "$@" || fail "go build $* failed"; }
done_() { [ -f "$out/stamps/$1" ]; }
stamp() { mkdir -p "$out/stamps"; date -u +%FT%TZ >"$out/stamps/$1"; }
mkdir -p "$bin" "$out/work"

# A module of our own that requires one published module; prints nothing.
module() { # dir module@version
  rm -rf "$1"; mkdir -p "$1"; (cd "$1" && go mod init sealts.local/build >/dev/null 2>&1 && net go get "$2" >&2)
}

minor=$(echo "$VERSION" | cut -d. -f2)
k8s="$out/work/kubernetes"
if ! done_ kubernetes; then
  say "kubernetes: fetching k8s.io/kubernetes@$VERSION and its staging modules"
  rm -rf "$k8s"; mkdir -p "$k8s"; cd "$k8s"
  go mod init sealts.local/kube >/dev/null 2>&1
  gomod=$(net go mod download -json "k8s.io/kubernetes@$VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [ -f "$gomod" ] || fail "the proxy did not give k8s.io/kubernetes@$VERSION"
  staging=$(echo "$VERSION" | sed 's/^v1\./v0./')
  # k8s.io/kubernetes replaces each staging module with ./staging/...; a consumer must name the
  # published v0.MINOR.PATCH of each instead.
  for mod in $(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*#\1#p' "$gomod"); do
    go mod edit -replace "$mod=$mod@$staging"
  done
  go mod edit -require "k8s.io/kubernetes@$VERSION"
  net go get "k8s.io/kubernetes/cmd/kubeadm@$VERSION" "k8s.io/kubernetes/cmd/kubelet@$VERSION" \
    "k8s.io/kubernetes/cmd/kube-apiserver@$VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$VERSION" "k8s.io/kubernetes/cmd/kube-proxy@$VERSION" \
    "k8s.io/kubernetes/cmd/kubectl@$VERSION" >&2
  say "kubernetes: building 7 commands (about 32 CPU-minutes cold)"
  pkg=k8s.io/component-base/version
  ld="-s -w -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitVersion=$VERSION -X $pkg.gitCommit=0000000000000000000000000000000000000000 -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  ld="$ld -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$VERSION"
  build -o "$bin/" -ldflags "$ld" k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kubectl k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy
  stamp kubernetes
fi
say "kubernetes: ready"

if ! done_ pause; then
  src=$(cd "$k8s" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c
  [ -f "$src" ] || fail "no $src in the k8s.io/kubernetes module"
  gcc -Os -static -DVERSION="v$pause_v" -o "$bin/pause" "$src" && strip "$bin/pause" || fail "gcc pause.c failed (is gcc installed?)"
  stamp pause
fi
say "pause $pause_v: ready"

if ! done_ etcd; then
  say "etcd $etcd_v: fetching and building"
  module "$out/work/etcd" "go.etcd.io/etcd/server/v3@$etcd_v"
  (cd "$out/work/etcd" && net go get "go.etcd.io/etcd/etcdctl/v3@$etcd_v" >&2 &&
    build -o "$bin/etcd" -ldflags "-s -w" go.etcd.io/etcd/server/v3 &&
    build -o "$bin/etcdctl" -ldflags "-s -w" go.etcd.io/etcd/etcdctl/v3) || exit 1
  stamp etcd
fi
say "etcd $etcd_v: ready"

# etcdutl: offline snapshot restore (etcdctl no longer restores since etcd 3.6): `sealts etcd restore`.
if ! done_ etcdutl; then
  say "etcdutl $etcd_v: fetching and building"
  [ -f "$out/work/etcd/go.mod" ] || module "$out/work/etcd" "go.etcd.io/etcd/server/v3@$etcd_v"
  (cd "$out/work/etcd" && net go get "go.etcd.io/etcd/etcdutl/v3@$etcd_v" >&2 &&
    build -o "$bin/etcdutl" -ldflags "-s -w" go.etcd.io/etcd/etcdutl/v3) || exit 1
  stamp etcdutl
fi
say "etcdutl $etcd_v: ready"

if ! done_ coredns; then
  say "coredns $coredns_v: fetching and building (only the plugins of kubeadm's Corefile)"
  d="$out/work/coredns"; module "$d" "github.com/coredns/coredns@$coredns_v"
  # dnsserver's directive list fixes the plugin order; a plugin not linked is simply unknown.
  cat >"$d/main.go" <<'GO'
package main

import (
	_ "github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func main() { coremain.Run() }
GO
  (cd "$d" && net go mod tidy >&2 && build -o "$bin/coredns" -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=sealts" .) || exit 1
  stamp coredns
fi
say "coredns $coredns_v: ready"

if ! done_ containerd; then
  say "containerd $containerd_v: fetching and building"
  d="$out/work/containerd"; module "$d" "github.com/containerd/containerd/v2@$containerd_v"
  (cd "$d" && build -o "$bin/" -tags "no_btrfs no_devmapper no_zfs no_aufs urfave_cli_no_docs" \
    -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$containerd_v" \
    github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
    github.com/containerd/containerd/v2/cmd/ctr) || exit 1
  stamp containerd
fi
say "containerd $containerd_v: ready"

"$bin/kubeadm" version -o short | grep -qx "$VERSION" || fail "built kubeadm reports $("$bin/kubeadm" version -o short), not $VERSION"
say "all built in $(( $(date +%s) - start ))s: $(du -sh "$bin" | cut -f1) in $bin"
echo "$out"
