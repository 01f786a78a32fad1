#!/bin/sh
# Undoes init.sh exactly: disables kubelet, removes every file init.sh installed and puts back the
# originals it backed up. Safe to run twice and on a host init.sh never touched.
set -eu

STATE=/var/lib/sealts/installed
LIST="$STATE/files"

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl stop kubelet.service >/dev/null 2>&1 || true
  systemctl disable kubelet.service >/dev/null 2>&1 || true
fi

if [ -f "$LIST" ]; then
  # newest first, so nested installs unwind in reverse order
  tac "$LIST" | while read -r dest; do
    [ -n "$dest" ] || continue
    rm -f "$dest"
    if [ -e "$STATE/backup$dest" ] || [ -L "$STATE/backup$dest" ]; then
      mv -f "$STATE/backup$dest" "$dest"
    fi
  done
fi
# directories init.sh may have created, only when nothing else lives there
for d in /etc/systemd/system/kubelet.service.d /etc/kubernetes/manifests /etc/kubernetes; do
  rmdir "$d" 2>/dev/null || true
done
rm -rf "$STATE"
rmdir /var/lib/sealts 2>/dev/null || true

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi
echo "clean.sh: done"
