#!/bin/sh
# Prepares a host for Kubernetes from an unpacked sealts rootfs: installs the binaries, the kubelet
# unit and its kubeadm drop-in, sysctls and module lists, imports images, enables kubelet.
# Idempotent: every file it replaces is backed up once and recorded, so clean.sh can undo it exactly.
set -eu

ROOTFS=$(cd "$(dirname "$0")/.." && pwd)
STATE=/var/lib/sealts/installed
LIST="$STATE/files"
mkdir -p "$STATE/backup"
touch "$LIST"

UNITS_CHANGED=

# install SRC DEST MODE: back up an existing DEST the first time, then install SRC over it.
# An identical DEST is left alone (mode fixed): a re-run changes nothing and reloads nothing.
put() {
  src=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    chmod "$mode" "$dest"
    return 0
  fi
  case $dest in /etc/systemd/*) UNITS_CHANGED=1 ;; esac
  if ! grep -qxF "$dest" "$LIST"; then
    if [ -e "$dest" ] || [ -L "$dest" ]; then
      mkdir -p "$STATE/backup$(dirname "$dest")"
      cp -a "$dest" "$STATE/backup$dest"
    fi
    echo "$dest" >> "$LIST"
  fi
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$src" "$dest.sealts-tmp"
  mv -f "$dest.sealts-tmp" "$dest"
}

for f in "$ROOTFS"/bin/*; do
  [ -f "$f" ] || continue
  case "$(basename "$f")" in .*) continue ;; esac
  put "$f" "/usr/bin/$(basename "$f")" 0755
done

put "$ROOTFS/etc/kubelet.service" /etc/systemd/system/kubelet.service 0644
put "$ROOTFS/etc/10-kubeadm.conf" /etc/systemd/system/kubelet.service.d/10-kubeadm.conf 0644
put "$ROOTFS/etc/99-sealts-kubernetes.conf" /etc/sysctl.d/99-sealts-kubernetes.conf 0644
put "$ROOTFS/etc/sealts-kubernetes-modules.conf" /etc/modules-load.d/sealts-kubernetes.conf 0644

# Modules: a kernel without one (e.g. no IPVS) is not fatal here; preflight decides what is required.
grep -v '^#' "$ROOTFS/etc/sealts-kubernetes-modules.conf" | while read -r m; do
  [ -n "$m" ] || continue
  modprobe "$m" 2>/dev/null || echo "init.sh: warning: kernel module $m not loaded" >&2
done

# -e: keys the kernel lacks (no br_netfilter) are skipped instead of failing the run.
sysctl -e -q -p /etc/sysctl.d/99-sealts-kubernetes.conf || echo "init.sh: warning: some sysctls not applied" >&2

for img in "$ROOTFS"/images/*.tar; do
  [ -f "$img" ] || continue
  ctr -n k8s.io images import "$img" >/dev/null
done

for m in "$ROOTFS"/manifests/*.yaml; do
  [ -f "$m" ] || continue
  put "$m" "/etc/kubernetes/manifests/$(basename "$m")" 0644
done

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  # One reload, and only when a unit file changed (it is the costliest step here); enabling only
  # links the unit, so it needs no second reload.
  [ -z "$UNITS_CHANGED" ] || systemctl daemon-reload
  systemctl --no-reload enable kubelet.service >/dev/null 2>&1
fi
echo "init.sh: done"
