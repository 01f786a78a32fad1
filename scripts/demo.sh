#!/usr/bin/env bash
# `make demo`: show sealts working on this machine, with the built CLI (make builds it first).
#
# The main job on the built-in emulated fleet (test/fleet), with REAL Kubernetes (the binaries
# scripts/kube-bins.sh built from the Go module proxy; make builds them first): fleet up -> rootfs
# build -> plan -> apply -> status -> kubeconfig -> kubectl get nodes -o wide (all Ready) -> re-apply
# -> delete --all -> fleet down.
set -euo pipefail
cd "$(dirname "$0")/.."

SEALTS=(node dist/cmd/sealts.js)
CLUSTERFILE=${CLUSTERFILE:-clusterfiles/fleet/ha.yaml}
FLEET_ID=${FLEET_ID:-0}
FLEET_N=${FLEET_N:-6}
# The demo's state stays out of the user's ~/.sealts, and is removed at the end.
export SEALTS_HOME=${SEALTS_HOME:-$(mktemp -d -t sealts-demo.XXXXXX)}
FLEET_STARTED=0

cleanup() {
  if [ "$FLEET_STARTED" = 1 ]; then fleet_down; fi
  case "$SEALTS_HOME" in */sealts-demo.*) rm -rf "$SEALTS_HOME" ;; esac
}
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*"; }

validate_and_plan() {
  step "sealts plan -f $CLUSTERFILE   (validate, then what apply would do)"
  "${SEALTS[@]}" plan -f "$CLUSTERFILE"
  step "sealts plan -f $CLUSTERFILE -o yaml   (the Clusterfile with every default filled in)"
  "${SEALTS[@]}" plan -f "$CLUSTERFILE" -o yaml
}

fleet_up() {
  step "emulated fleet $FLEET_ID: $FLEET_N systemd hosts on 198.18.$FLEET_ID.0/24"
  FLEET_STARTED=1
  npx tsx test/fleet/cli.ts up --n "$FLEET_N" --id "$FLEET_ID" --init systemd
}

fleet_down() {
  step "fleet $FLEET_ID down"
  npx tsx test/fleet/cli.ts down --id "$FLEET_ID"
  FLEET_STARTED=0
}

# The whole job on the local fleet: a real rootfs, apply, status, kubeconfig, the nodes as kubectl
# sees them, re-apply (converges: nothing redone), delete --all; the fleet is torn down even when a
# step fails.
lifecycle() {
  local started work name version bins
  started=$(date +%s)
  read -r name version < <(npx tsx scripts/demo-prepare.ts --peek "$CLUSTERFILE")
  step "Kubernetes $version binaries (scripts/kube-bins.sh: built from the Go module proxy once, then cached)"
  bins=$(scripts/kube-bins.sh "$version")
  fleet_up
  work=$(mktemp -d -t sealts-demo-work.XXXXXX)
  npx tsx scripts/demo-prepare.ts "$work" "$CLUSTERFILE" >/dev/null
  CLUSTERFILE="$work/Clusterfile"
  # Host keys are checked from the first connection: the fleet wrote every host's key.
  mkdir -p -m 700 "$SEALTS_HOME/$name"
  cp .fleet/known_hosts "$SEALTS_HOME/$name/known_hosts"
  step "sealts rootfs build --kube-bins $bins   (binaries, images, containerd, CNI plugins)"
  "${SEALTS[@]}" rootfs build --kube-bins "$bins" --kubernetes-version "$version" -o "$work/rootfs"
  validate_and_plan
  step "sealts apply -f Clusterfile"
  "${SEALTS[@]}" apply -f "$CLUSTERFILE" --yes
  step "sealts status"
  "${SEALTS[@]}" status
  step "sealts kubeconfig --out $work/admin.conf"
  "${SEALTS[@]}" kubeconfig --out "$work/admin.conf"
  step "kubectl get nodes -o wide   (the real kubectl, from this machine to master0)"
  "$bins/bin/kubectl" --kubeconfig "$work/admin.conf" wait --for=condition=Ready node --all --timeout=300s >/dev/null
  "$bins/bin/kubectl" --kubeconfig "$work/admin.conf" get nodes -o wide
  "$bins/bin/kubectl" --kubeconfig "$work/admin.conf" -n kube-system get pods -o wide
  printf '\ncluster up and every node Ready %s s after the demo started\n' "$(( $(date +%s) - started ))"
  step "sealts apply again   (converges: no init or join is redone)"
  "${SEALTS[@]}" apply -f "$CLUSTERFILE" --yes
  step "sealts delete --all --yes"
  "${SEALTS[@]}" delete --all --yes
  rm -rf "$work"
}

main() {
  "${SEALTS[@]}" --version >/dev/null
  lifecycle
  printf '\nsealts demo finished: the cluster was created, converged and removed on the emulated fleet.\n'
}

main "$@"
