#!/bin/sh
# Prepares a host for Kubernetes from an unpacked sealts rootfs: installs the binaries, the container
# runtime (containerd + runc, when the rootfs carries them) with the config sealts rendered for this
# host, the CNI plugins, the kubelet unit and its kubeadm drop-in, sysctls and module lists; starts
# containerd; imports the images this host's role runs (skipping those already there); enables kubelet.
#
#   init.sh [master|node]      (default: master, i.e. every image)
#
# Idempotent: every file it replaces is backed up once and recorded, so clean.sh can undo it exactly.
set -eu

ROOTFS=$(cd "$(dirname "$0")/.." && pwd)
ROLE=${1:-master}
STATE=/var/lib/sealts/installed
LIST="$STATE/files"
# Rendered by sealts for this host (facts decide them), put there right before this script runs.
HOST_INPUT=/etc/sealts/host
mkdir -p "$STATE/backup"
touch "$LIST"

UNITS_CHANGED=
CONTAINERD_CHANGED=

# put SRC DEST MODE: back up an existing DEST the first time, then install SRC over it (a hard link
# when SRC is on the same filesystem: the rootfs copy and the installed binary then share their
# blocks, which halves what a host holds). An identical DEST is left alone: a re-run changes nothing.
put() {
  src=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && [ ! -L "$dest" ] && cmp -s "$src" "$dest"; then
    [ "$(stat -c %a "$dest")" = "${mode#0}" ] || chmod "$mode" "$dest"
    return 1
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
  rm -f "$dest.sealts-tmp"
  if [ "$(stat -c %a "$src")" = "${mode#0}" ] && ln "$src" "$dest.sealts-tmp" 2>/dev/null; then :; else
    install -m "$mode" "$src" "$dest.sealts-tmp"
  fi
  mv -f "$dest.sealts-tmp" "$dest"
  return 0
}

for f in "$ROOTFS"/bin/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  case "$name" in .*) continue ;; esac
  if put "$f" "/usr/bin/$name" 0755; then
    case "$name" in containerd|containerd-shim-runc-v2|runc) CONTAINERD_CHANGED=1 ;; esac
  fi
done

for f in "$ROOTFS"/cni/*; do
  [ -f "$f" ] || continue
  put "$f" "/opt/cni/bin/$(basename "$f")" 0755 || true
done

# The kubelet's unit only with a kubelet: a k0s rootfs has none (k0s runs its own kubelet).
HAS_KUBELET=
if [ -f "$ROOTFS/bin/kubelet" ]; then
  HAS_KUBELET=1
  put "$ROOTFS/etc/kubelet.service" /etc/systemd/system/kubelet.service 0644 || true
  put "$ROOTFS/etc/10-kubeadm.conf" /etc/systemd/system/kubelet.service.d/10-kubeadm.conf 0644 || true
fi
put "$ROOTFS/etc/99-sealts-kubernetes.conf" /etc/sysctl.d/99-sealts-kubernetes.conf 0644 || true
put "$ROOTFS/etc/sealts-kubernetes-modules.conf" /etc/modules-load.d/sealts-kubernetes.conf 0644 || true

HAS_CONTAINERD=
if [ -f "$ROOTFS/bin/containerd" ]; then
  HAS_CONTAINERD=1
  [ -f "$HOST_INPUT/containerd.toml" ] || { echo "init.sh: $HOST_INPUT/containerd.toml missing (sealts renders it)" >&2; exit 1; }
  put "$HOST_INPUT/containerd.toml" /etc/containerd/config.toml 0644 && CONTAINERD_CHANGED=1
  put "$ROOTFS/etc/containerd.service" /etc/systemd/system/containerd.service 0644 && CONTAINERD_CHANGED=1
fi

# Modules: load what is missing, quietly. A warning here would only be noise on hosts without
# /proc/modules (containers, built-in modules); ip_vs is a fact sealts gathers (the VIP mode), and
# what else the kernel lacks, kubeadm's own preflight and containerd's start report.
grep -v '^#' "$ROOTFS/etc/sealts-kubernetes-modules.conf" | while read -r m; do
  [ -n "$m" ] || continue
  [ -d "/sys/module/$m" ] || modprobe -q "$m" 2>/dev/null || true
done

# -e: keys the kernel lacks are skipped; a read-only /proc/sys (a namespace host) is not fatal when
# the values already hold, which preflight checked.
sysctl -e -q -p /etc/sysctl.d/99-sealts-kubernetes.conf 2>/dev/null || true

SYSTEMD=
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then SYSTEMD=1; fi

if [ -n "$SYSTEMD" ]; then
  # One reload, and only when a unit file changed (it is the costliest step here); enabling only
  # links the unit, so it needs no second reload.
  [ -z "$UNITS_CHANGED" ] || systemctl daemon-reload
  [ -z "$HAS_KUBELET" ] || systemctl --no-reload enable kubelet.service >/dev/null 2>&1
fi

if [ -n "$HAS_CONTAINERD" ] && [ -z "$SYSTEMD" ]; then
  echo "init.sh: this rootfs runs containerd and the kubelet as systemd units, and systemd does not run this host" >&2
  exit 1
fi
if [ -n "$HAS_CONTAINERD" ]; then
  systemctl --no-reload enable containerd.service >/dev/null 2>&1
  if [ -n "$CONTAINERD_CHANGED" ] && systemctl -q is-active containerd.service; then
    systemctl restart containerd.service
  else
    systemctl start containerd.service
  fi
  i=0
  until ctr version >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 150 ] || { echo "init.sh: containerd did not answer within 30 s" >&2; journalctl -u containerd -n 20 --no-pager >&2 || true; exit 1; }
    sleep 0.2
  done
fi

# Images: images/refs lists "ROLE FILE REF"; a node imports only role "all", a master every one.
# An image already in containerd's k8s.io namespace under its name is not imported again.
if [ -f "$ROOTFS/images/refs" ]; then
  have=$(ctr -n k8s.io images ls -q 2>/dev/null || true)
  while read -r role file ref; do
    [ -n "$ref" ] || continue
    [ "$role" = all ] || [ "$ROLE" = master ] || continue
    printf '%s\n' "$have" | grep -qxF "$ref" && continue
    ctr -n k8s.io images import "$ROOTFS/$file" >/dev/null
  done < "$ROOTFS/images/refs"
fi
for img in "$ROOTFS"/images/*.tar; do
  [ -f "$img" ] || continue
  ctr -n k8s.io images import "$img" >/dev/null
done

for m in "$ROOTFS"/manifests/*.yaml; do
  [ -f "$m" ] || continue
  put "$m" "/etc/kubernetes/manifests/$(basename "$m")" 0644 || true
done
echo "init.sh: done"
