#!/usr/bin/env bash
# Installs the Debian packages sealts' fleet, tests and benchmarks use, only those missing.
# Runs as root on Debian (the CI and developer machines). Services are not started on the machine
# itself (a policy-rc.d may forbid it); the fleet starts its own daemons inside each host.
set -euo pipefail
pkgs=(
  openssh-server openssh-client sshpass   # real sshd on every fleet host; sshpass for OpenSSH password tests
  tini systemd systemd-sysv dbus          # the two init choices of a fleet host
  iproute2 iptables nftables kmod procps psmisc util-linux sudo  # namespaces, links, NAT, VIP rules
  python3 python3-yaml                    # fleet host init (test/fleet/*.py); the stand-ins of test/standins parse YAML
  containerd runc busybox-static          # containers inside a host
  openssl ca-certificates curl            # PKI checks
  pssh ansible                            # benchmark rivals
  gcc libc6-dev binutils                  # the static pause binary (scripts/kube-bins.sh)
  containernetworking-plugins             # CNI plugins (bridge, host-local, loopback, portmap) shipped in the rootfs
  conntrack socat ethtool ebtables        # what kubeadm's preflight and kubelet look for on a host
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
