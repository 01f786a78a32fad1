// sealts' built-in pod network ("sealts-bridge"): on each host a CNI bridge whose host-local range is
// the node's own spec.podCIDR (allocated by the controller manager), a route to every other host's
// pod range via that host's address (all hosts on one L2 network, as flannel's host-gw mode needs),
// and a NAT rule for pod traffic that leaves the pod network. sealts rewrites the whole set on every
// apply, join and delete, so routes follow the hosts as they come and go.
//
// Why not flannel or kube-router: both build from the module proxy, but each needs its own image
// with iptables/ipset, a DaemonSet and RBAC, and a CNI plugin binary that is not served here; the
// routes they would keep are exactly what sealts already knows from its hosts.
import { literal, sh } from '../shell/quote.js';
import type { PutFile } from '../host/put-files.js';

export const CNI_CONFLIST = '/etc/cni/net.d/10-sealts-bridge.conflist';
/** Routing-table protocol number marking sealts' routes (clean.sh flushes exactly these). */
export const ROUTE_PROTO = 211;
export const MASQ_CHAIN = 'SEALTS-POD-MASQ';

export interface PodRange {
  node: string;
  ip: string;
  podCIDR: string;
}

export function conflist(podCIDR: string): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'sealts-bridge',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          // NAT is sealts' own rule (below): the bridge plugin's would also hide pod addresses from
          // pods on other hosts.
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: podCIDR }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  ) + '\n';
}

/**
 * "$1" this host's pod range ("-": it runs no pods), "$2" the cluster's pod CIDR, then "CIDR VIA"
 * pairs: the routes to the other hosts' ranges. Replaces sealts' routes with exactly those, and
 * keeps one NAT chain for the host's own pods.
 */
const APPLY = literal(
  [
    'set -e',
    'own=$1 cluster=$2; shift 2',
    'want=""',
    `while [ $# -gt 1 ]; do ip route replace "$1" via "$2" proto ${ROUTE_PROTO}; want="$want $1 "; shift 2; done`,
    `ip route show proto ${ROUTE_PROTO} | while read -r dst _; do case "$want" in *" $dst "*) ;; *) ip route del "$dst" proto ${ROUTE_PROTO} || true ;; esac; done`,
    '[ "$own" != - ] || exit 0',
    `iptables -w -t nat -N ${MASQ_CHAIN} 2>/dev/null || true`,
    `iptables -w -t nat -C POSTROUTING -j ${MASQ_CHAIN} 2>/dev/null || iptables -w -t nat -A POSTROUTING -j ${MASQ_CHAIN}`,
    `iptables -w -t nat -F ${MASQ_CHAIN}`,
    `iptables -w -t nat -A ${MASQ_CHAIN} -d "$cluster" -j RETURN`,
    `iptables -w -t nat -A ${MASQ_CHAIN} -d 224.0.0.0/4 -j RETURN`,
    `iptables -w -t nat -A ${MASQ_CHAIN} -s "$own" -j MASQUERADE`,
  ].join('\n'),
);

/**
 * The files and the one command that put a host's pod network in step with `all`. A host that runs
 * no pods (`self` only its address: a k0s controller without a worker) gets the routes alone, so its
 * apiserver still reaches pods (webhooks, metrics).
 */
export function hostNetwork(self: PodRange | { ip: string }, all: readonly PodRange[], clusterPodCIDR: string): { files: PutFile[]; command: ReturnType<typeof sh> } {
  const routes = all.filter((r) => r.ip !== self.ip).flatMap((r) => [r.podCIDR, r.ip]);
  const own = 'podCIDR' in self ? self.podCIDR : undefined;
  return {
    files: own ? [{ path: CNI_CONFLIST, content: conflist(own), mode: 0o644 }] : [],
    command: sh(['sh', '-c', APPLY, 'sh', own ?? '-', clusterPodCIDR, ...routes]),
  };
}

/** `kubectl get nodes` output (custom-columns NAME,PODCIDR,IP) -> ranges; nodes without one are left out. */
export function parsePodRanges(text: string): PodRange[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[0] !== 'NAME' && /\//.test(f[1]!))
    .map(([node, podCIDR, ip]) => ({ node: node!, podCIDR: podCIDR!, ip: ip!.split(',')[0]! }));
}
