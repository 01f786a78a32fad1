// kubeadm's membership facts, read in one command: what /etc/kubernetes and the kubelet binary say
// about the host. A joined host has kubelet.conf and the kubelet's config.yaml; a control plane has the apiserver static pod; a
// stacked etcd member has the etcd static pod; the CA it trusts is pki/ca.crt.
import { literal } from '../../shell/quote.js';
import { HostError } from '../../errors/errors.js';
import type { ExecResult, HostExec } from '../../host/exec.js';
import { parseFactLines, runQuery, type FactsQuery } from '../../host/facts.js';
import { KUBELET_VERSION_CACHE } from './host-files.js';
import type { MemberFacts } from '../runtime.js';

// A constant script: it reads facts and interpolates nothing from input (its one path is sealts' own constant).
const GATHER = literal(
  [
    // kubelet.conf alone is not enough: the first master holds the one sealts made before kubeadm init
    // runs. kubeadm writes the kubelet's config.yaml in kubelet-start, of init and join alike, so a
    // host stopped before that (an interrupted init) is not taken for a joined node.
    'if test -f /etc/kubernetes/kubelet.conf && test -f /var/lib/kubelet/config.yaml; then echo joined=1; else echo joined=0; fi',
    'if test -f /etc/kubernetes/manifests/kube-apiserver.yaml; then echo controlPlane=1; else echo controlPlane=0; fi',
    'if test -f /etc/kubernetes/manifests/etcd.yaml; then echo etcd=1; else echo etcd=0; fi',
    'echo "caSha256=$(sha256sum /etc/kubernetes/pki/ca.crt 2>/dev/null | cut -d" " -f1)"',
    // `kubelet --version` prints "Kubernetes vX.Y.Z"; only asked of a host that has one. Of the
    // kubelet that runs, when one does: an upgrade installs the new binary before it restarts the
    // kubelet, and a re-run after a failure in between must see the old one still running.
    // (Only a kubelet binary: a script under that name, like the test stand-in, runs as its interpreter.)
    'k=/usr/bin/kubelet; p=$(pgrep -xo kubelet 2>/dev/null)',
    'case "$(readlink "/proc/${p:-0}/exe" 2>/dev/null)" in */kubelet|*/kubelet" (deleted)") k=/proc/$p/exe ;; esac',
    // Asked once per binary: the answer is kept with the binary's identity (device, inode, size,
    // mtime, ctime: any replacement or re-link changes one), so an unchanged host starts no kubelet
    // process for its facts. The one write facts make, in sealts' own dir, only once it exists.
    `c=${KUBELET_VERSION_CACHE}; id=$(stat -Lc "%d:%i:%s:%Y:%Z" "$k" 2>/dev/null); v=`,
    'if [ -n "$id" ] && [ "$(head -n 1 "$c" 2>/dev/null)" = "$id" ]; then v=$(sed -n 2p "$c"); fi',
    'if test -x /usr/bin/kubelet && [ -z "$v" ]; then v=$($k --version 2>/dev/null); if [ -n "$id" ] && [ -n "$v" ] && [ -d "${c%/*}" ]; then printf "%s\\n%s\\n" "$id" "$v" > "$c.tmp" && mv -f "$c.tmp" "$c"; fi; fi',
    'if test -x /usr/bin/kubelet; then echo "kubelet=$v"; fi',
    'if systemctl is-active --quiet kubelet 2>/dev/null; then echo kubeletActive=1; fi',
    // The apiserver's image tag is the version its control plane runs (kubeadm writes it there).
    'echo "apiserver=$(sed -n "s/^[[:space:]]*image:[[:space:]]*//p" /etc/kubernetes/manifests/kube-apiserver.yaml 2>/dev/null | head -n 1)"',
    'exit 0',
  ].join('; '),
);

/** The membership query: alone (gatherMemberFacts) or with the host's facts in one command. */
export const MEMBER_FACTS: FactsQuery<MemberFacts> = { command: GATHER, parse: readMemberFacts };

export function gatherMemberFacts(h: HostExec): Promise<MemberFacts> {
  return runQuery(h, MEMBER_FACTS);
}

function readMemberFacts(host: string, r: ExecResult): MemberFacts {
  if (r.code !== 0) throw new HostError(host, 'gather facts', `kubeadm facts: exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const kv = parseFactLines(r.stdout);
  const version = /\bv\d+\.\d+\.\d+\S*/.exec(kv.get('kubelet') ?? '')?.[0];
  return {
    joined: kv.get('joined') === '1',
    controlPlane: kv.get('controlPlane') === '1',
    etcdMember: kv.get('etcd') === '1',
    caSha256: kv.get('caSha256') || undefined,
    version,
    kubeletActive: kv.get('kubeletActive') === '1',
    controlPlaneVersion: /:(v\d+\.\d+\.\d+)[^:]*$/.exec(kv.get('apiserver') ?? '')?.[1],
  };
}
