#!/bin/bash
# Moves itself into the given cgroups, then execs the command (same PID): how a host's init and
# every command run in a host start inside that host's cgroup subtree.
#   join-cgroups.sh CGROUP_PROCS_FILE... -- COMMAND [ARG...]
set -euo pipefail
while [[ $1 != -- ]]; do
  echo $$ >"$1"
  shift
done
shift
exec "$@"
