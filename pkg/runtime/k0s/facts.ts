// k0s' membership facts, read in one command. A host is a k0s controller or worker when its unit is
// installed; it has joined once k0s made what only a started member has (a controller: the admin
// kubeconfig k0s writes; a worker: the kubelet's kubeconfig from the bootstrap). The CA it trusts is
// pki/ca.crt; its version is the k0s binary's, and for a running k0s, the running binary's.
import { literal } from '../../shell/quote.js';
import { HostError } from '../../errors/errors.js';
import type { ExecResult, HostExec } from '../../host/exec.js';
import { parseFactLines, runQuery, type FactsQuery } from '../../host/facts.js';
import type { MemberFacts } from '../runtime.js';
import { ADMIN_CONF, CONTROLLER_UNIT, PKI_DIR, UNIT_DIR, WORKER_KUBECONFIG, WORKER_UNIT } from './paths.js';

// A constant script: it reads facts and interpolates nothing from input.
const GATHER = literal(
  [
    `if test -f ${UNIT_DIR}/${CONTROLLER_UNIT}.service; then echo controller=1; fi`,
    `if test -f ${UNIT_DIR}/${WORKER_UNIT}.service; then echo worker=1; fi`,
    `if test -f ${ADMIN_CONF}; then echo admin=1; fi`,
    `if test -f ${WORKER_KUBECONFIG}; then echo kubelet=1; fi`,
    // A controller's CA is pki/ca.crt; a worker's, where it has none there, the one its kubelet's kubeconfig embeds.
    `if test -f ${PKI_DIR}/ca.crt; then echo "caSha256=$(sha256sum ${PKI_DIR}/ca.crt | cut -d" " -f1)"; elif test -f ${WORKER_KUBECONFIG}; then echo "caSha256=$(sed -n "s/^ *certificate-authority-data: *//p" ${WORKER_KUBECONFIG} | head -n 1 | base64 -d 2>/dev/null | sha256sum | cut -d" " -f1)"; fi`,
    `if systemctl is-active --quiet ${CONTROLLER_UNIT} 2>/dev/null || systemctl is-active --quiet ${WORKER_UNIT} 2>/dev/null; then echo active=1; fi`,
    // An upgrade replaces the binary before the unit restarts: the version is the running one's when k0s runs.
    'p=$(systemctl show -p MainPID --value k0scontroller 2>/dev/null); [ "${p:-0}" != 0 ] || p=$(systemctl show -p MainPID --value k0sworker 2>/dev/null)',
    // (Only a k0s binary: a script under that name, like the test stand-in, runs as its interpreter.)
    'k=$(command -v k0s); case "$(readlink "/proc/${p:-0}/exe" 2>/dev/null)" in */k0s|*/k0s" (deleted)") k=/proc/$p/exe ;; esac',
    'if [ -n "$k" ]; then echo "version=$($k version 2>/dev/null)"; fi',
    'exit 0',
  ].join('; '),
);

/** The membership query: alone (gatherMemberFacts) or with the host's facts in one command. */
export const MEMBER_FACTS: FactsQuery<MemberFacts> = { command: GATHER, parse: readMemberFacts };

export function gatherMemberFacts(h: HostExec): Promise<MemberFacts> {
  return runQuery(h, MEMBER_FACTS);
}

function readMemberFacts(host: string, r: ExecResult): MemberFacts {
  if (r.code !== 0) throw new HostError(host, 'gather facts', `k0s facts: exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const kv = parseFactLines(r.stdout);
  const controller = kv.get('controller') === '1';
  const joined = controller ? kv.get('admin') === '1' : kv.get('worker') === '1' && kv.get('kubelet') === '1';
  const version = /\bv\d+\.\d+\.\d+\+k0s\.\d+/.exec(kv.get('version') ?? '')?.[0];
  return {
    joined,
    controlPlane: controller && joined,
    // sealts renders storage etcd: every controller holds a member.
    etcdMember: controller && joined,
    caSha256: kv.get('caSha256') || undefined,
    version: joined ? version : undefined,
    kubeletActive: kv.get('active') === '1',
    controlPlaneVersion: controller && joined ? version : undefined,
  };
}
