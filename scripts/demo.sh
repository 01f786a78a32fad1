#!/usr/bin/env bash
# `make demo`: show sealts working on this machine, with the built CLI (make builds it first).
#
# Today: validate and plan the example HA Clusterfile (apply is not built yet, and this script
# never pretends it is). When apply lands, `main` switches to `lifecycle`: fleet up -> apply ->
# status -> delete --all -> fleet down, with the fleet torn down even when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

SEALTS=(node dist/cmd/sealts.js)
CLUSTERFILE=${CLUSTERFILE:-clusterfiles/ha.yaml}
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

# The whole job on the local fleet. Not called until `sealts apply` exists (see main).
lifecycle() {
  fleet_up
  validate_and_plan
  step "sealts apply -f $CLUSTERFILE"
  "${SEALTS[@]}" apply -f "$CLUSTERFILE"
  step "sealts status"
  "${SEALTS[@]}" status
  step "sealts delete --all --yes"
  "${SEALTS[@]}" delete --all --yes
}

main() {
  "${SEALTS[@]}" --version >/dev/null
  validate_and_plan
  printf '\nsealts apply is not implemented yet: the demo stops after validating and planning.\n'
}

main "$@"
