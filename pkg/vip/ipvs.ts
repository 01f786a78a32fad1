// VIP in ipvs mode, as sealer/sealos do it: an IPVS virtual server VIP:6443 with every master as a
// real server (set once with ipvsadm so the node can join), then an lvscare-style static pod that
// keeps it in line with the masters' health. This kernel has no IPVS, so these are rendered and
// unit-tested only; the fleet proves the iptables mode.
import { stringify } from 'yaml';
import { and, or, sh, type ShellCommand } from '../shell/quote.js';
import type { VipTarget } from './iptables.js';

export const LVSCARE_MANIFEST = '/etc/kubernetes/manifests/kube-lvscare.yaml';

/** Create (or recreate) the virtual server with every master as a masqueraded real server. */
export function ipvsadmCommand(t: VipTarget): ShellCommand {
  const vs = `${t.vip}:${t.port}`;
  return and(
    or(sh(['ipvsadm', '-D', '-t', vs]), sh(['true'])),
    sh(['ipvsadm', '-A', '-t', vs, '-s', 'rr']),
    ...t.masters.map((m) => sh(['ipvsadm', '-a', '-t', vs, '-r', `${m}:${t.port}`, '-m'])),
  );
}

export function ipvsRemoveCommand(t: VipTarget): ShellCommand {
  return or(sh(['ipvsadm', '-D', '-t', `${t.vip}:${t.port}`]), sh(['true']));
}

/** The static pod that watches the masters and keeps the IPVS rules current. */
export function renderLvscareManifest(t: VipTarget, image: string): string {
  const args = ['care', '--vs', `${t.vip}:${t.port}`, ...t.masters.flatMap((m) => ['--rs', `${m}:${t.port}`]), '--health-path', '/healthz', '--health-schem', 'https'];
  return stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-lvscare', namespace: 'kube-system', labels: { app: 'kube-lvscare' } },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      containers: [
        {
          name: 'kube-lvscare',
          image,
          command: ['/usr/bin/lvscare'],
          args,
          securityContext: { privileged: true },
          volumeMounts: [{ name: 'lib-modules', mountPath: '/lib/modules', readOnly: true }],
        },
      ],
      volumes: [{ name: 'lib-modules', hostPath: { path: '/lib/modules' } }],
    },
  });
}
