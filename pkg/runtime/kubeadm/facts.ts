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
    // sha256sum reads the file on stdin: no cut, the client takes the hash from its first word.
    'c=/etc/kubernetes/pki/ca.crt; if test -f $c; then echo "caSha256=$(sha256sum 2>/dev/null < $c)"; fi',
    // `kubelet --version` prints "Kubernetes vX.Y.Z"; only asked of a host that has one. Of the
    // kubelet that runs, when one does: an upgrade installs the new binary before it restarts the
    // kubelet, and a re-run after a failure in between must see the old one still running. One
    // systemctl says whether kubelet.service is active (its lines are printed as facts) and its
    // main process; one stat tells the binary from the running one: the same identity is the same
    // file; a running binary with no links left is the one an upgrade replaced; anything else (a
    // script under that name, like the test stand-in, runs as its interpreter) is not a kubelet.
    's=$(systemctl show -p ActiveState -p MainPID kubelet.service 2>/dev/null); echo "$s"',
    'p=; case $s in *MainPID=[1-9]*) p=${s#*MainPID=}; p=${p%%[!0-9]*} ;; esac',
    // Asked once per binary: the answer is kept with the binary's identity (device, inode, size,
    // mtime, ctime: any replacement or re-link changes one), so an unchanged host starts no kubelet
    // process for its facts. The one write facts make, in sealts' own dir, only once it exists.
    'k=/usr/bin/kubelet; id=',
    'if test -x $k; then set -- $(stat -Lc "%d:%i:%s:%Y:%Z %h" $k ${p:+/proc/$p/exe} 2>/dev/null); id=$1; if [ -n "$3" ] && [ "$3" != "$1" ] && [ "$4" = 0 ]; then k=/proc/$p/exe; id=$3; fi; fi',
    `c=${KUBELET_VERSION_CACHE}; v=`,
    'if [ -n "$id" ] && test -f $c; then { read -r a; read -r b; } < $c; [ "$a" != "$id" ] || v=$b; fi',
    'if [ -n "$id" ] && [ -z "$v" ]; then v=$($k --version 2>/dev/null); if [ -n "$v" ] && [ -d "${c%/*}" ]; then printf "%s\\n%s\\n" "$id" "$v" > "$c.tmp" && mv -f "$c.tmp" "$c"; fi; fi',
    'if [ -n "$id" ]; then echo "kubelet=$v"; fi',
    // The apiserver's image tag is the version its control plane runs (kubeadm writes it there).
    'a=/etc/kubernetes/manifests/kube-apiserver.yaml',
    `if test -f $a; then echo "apiserver=$(sed -n '/^[[:space:]]*image:[[:space:]]*/{s///p;q;}' $a 2>/dev/null)"; fi`,
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
    caSha256: /^[0-9a-f]{64}\b/.exec(kv.get('caSha256') ?? '')?.[0],
    version,
    kubeletActive: kv.get('ActiveState') === 'active',
    controlPlaneVersion: /:(v\d+\.\d+\.\d+)[^:]*$/.exec(kv.get('apiserver') ?? '')?.[1],
  };
}
