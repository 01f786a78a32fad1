#!/bin/sh
# Undoes init.sh exactly, and what running Kubernetes left: stops kubelet, every pod and containerd,
# unmounts what they mounted, removes the pod network (CNI bridge, netns, sealts' routes and NAT) and
# the iptables chains of kube-proxy, kubelet and CNI, then removes every file init.sh installed and
# puts back the originals it backed up. Safe to run twice and on a host init.sh never touched.
set -eu

STATE=/var/lib/sealts/installed
LIST="$STATE/files"
# The routing-table protocol number sealts' pod-network routes carry (pkg/network).
ROUTE_PROTO=211

SYSTEMD=
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then SYSTEMD=1; fi

if [ -n "$SYSTEMD" ]; then
  systemctl stop kubelet.service >/dev/null 2>&1 || true
  systemctl disable kubelet.service >/dev/null 2>&1 || true
  # With the systemd cgroup driver every pod is a unit under kubepods.slice: stopping the slice
  # kills every container process, whatever containerd still knows.
  systemctl stop kubepods.slice >/dev/null 2>&1 || true
fi
# Kubernetes' containers live in containerd's k8s.io namespace; other namespaces are not ours.
if command -v ctr >/dev/null 2>&1 && ctr version >/dev/null 2>&1; then
  for t in $(ctr -n k8s.io tasks ls -q 2>/dev/null); do ctr -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
  for t in $(ctr -n k8s.io tasks ls -q 2>/dev/null); do ctr -n k8s.io tasks delete -f "$t" >/dev/null 2>&1 || true; done
  for c in $(ctr -n k8s.io containers ls -q 2>/dev/null); do ctr -n k8s.io containers delete "$c" >/dev/null 2>&1 || true; done
fi
# Only a containerd sealts installed is stopped and has its data removed; one the host had before
# (another tool's) keeps its images and state.
OUR_CONTAINERD=
if [ -f /etc/systemd/system/containerd.service ] && grep -q 'installed by sealts' /etc/systemd/system/containerd.service; then OUR_CONTAINERD=1; fi
if [ -n "$SYSTEMD" ] && [ -n "$OUR_CONTAINERD" ]; then
  systemctl stop containerd.service >/dev/null 2>&1 || true
  systemctl disable containerd.service >/dev/null 2>&1 || true
fi
# Shims outlive containerd (KillMode=process): end ours, and anything left in the pods' cgroups.
[ -z "$OUR_CONTAINERD" ] || pkill -9 -x containerd-shim-runc-v2 2>/dev/null || true
for d in /sys/fs/cgroup/pids/kubepods.slice /sys/fs/cgroup/unified/kubepods.slice /sys/fs/cgroup/kubepods.slice; do
  [ -d "$d" ] || continue
  find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null || true
done

# Mounts under the kubelet's tree, CNI's netns and our containerd's trees, deepest first. The
# directories themselves may be mount points the machine made (e.g. /var/lib/containerd on its own
# disk): kept.
roots="/var/lib/kubelet /run/netns /run/kubernetes"
[ -z "$OUR_CONTAINERD" ] || roots="$roots /run/containerd /var/lib/containerd"
for root in $roots; do
  grep -o "^[^ ]* $root/[^ ]*" /proc/self/mounts 2>/dev/null | cut -d' ' -f2 | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
done
for ns in /run/netns/cni-*; do
  [ -e "$ns" ] || continue
  ip netns delete "$(basename "$ns")" 2>/dev/null || rm -f "$ns"
done

# The pod network: the CNI bridge (its veths went with the netns), sealts' routes to other nodes'
# pod ranges, and every iptables chain of kube-proxy (KUBE-*), kubelet, CNI (CNI-*) and sealts' pod NAT.
ip link delete cni0 2>/dev/null || true
ip route flush proto "$ROUTE_PROTO" 2>/dev/null || true
for cmd in iptables ip6tables; do
  command -v "$cmd-save" >/dev/null 2>&1 || continue
  rules=$("$cmd-save" 2>/dev/null) || continue
  printf '%s\n' "$rules" | grep -qE 'KUBE-|CNI-|SEALTS-POD' || continue
  printf '%s\n' "$rules" | grep -vE 'KUBE-|CNI-|SEALTS-POD' | "$cmd-restore" 2>/dev/null || true
done
if command -v nft >/dev/null 2>&1; then
  for fam in ip ip6; do
    nft delete table "$fam" kube-proxy 2>/dev/null || true
    # iptables-nft made these tables for the chains above; one left with no rule and no chain of
    # its own does nothing, and is removed.
    for t in filter nat mangle raw; do
      body=$(nft list table "$fam" "$t" 2>/dev/null) || continue
      printf '%s\n' "$body" | grep -vE '^\s*(table|chain|type|policy|\}|$)' | grep -q . && continue
      printf '%s\n' "$body" | grep -E '^\s*chain ' | grep -qvE 'chain (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ' && continue
      printf '%s\n' "$body" | grep -E 'policy' | grep -qv 'policy accept' && continue
      nft delete table "$fam" "$t" 2>/dev/null || true
    done
  done
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
# What our containerd kept: content, snapshots, state (the mount point itself stays). Then what the
# pods and CNI left.
if [ -n "$OUR_CONTAINERD" ]; then
  if [ -d /var/lib/containerd ]; then find /var/lib/containerd -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true; fi
  rm -rf /run/containerd /opt/containerd
fi
rm -rf /var/lib/cni /var/log/pods /var/log/containers /run/xtables.lock /etc/cni/net.d
# Made by the kubelet (flexvolume plugin dir) and by kube-proxy's /lib/modules mount when missing:
# removed only where nothing else lives in them.
for d in /usr/libexec/kubernetes/kubelet-plugins/volume/exec /usr/libexec/kubernetes/kubelet-plugins/volume /usr/libexec/kubernetes/kubelet-plugins /usr/libexec/kubernetes /lib/modules; do
  rmdir "$d" 2>/dev/null || true
done
# directories init.sh may have created, only when nothing else lives there
for d in /etc/systemd/system/kubelet.service.d /etc/kubernetes/manifests /etc/kubernetes /etc/containerd /opt/cni/bin /opt/cni /etc/cni; do
  rmdir "$d" 2>/dev/null || true
done
rm -rf "$STATE"
rmdir /var/lib/sealts 2>/dev/null || true

if [ -n "$SYSTEMD" ]; then
  systemctl daemon-reload
  systemctl reset-failed >/dev/null 2>&1 || true
fi
echo "clean.sh: done"
