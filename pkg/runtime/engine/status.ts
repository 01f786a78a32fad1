// `sealts status`: each recorded host as it is now: reachable over SSH, kubelet active, and whether
// the control plane lists it as a Node (asked once, on the first master that answers).
import { stringify } from 'yaml';
import { masters as mastersOf } from '../../clusterfile/types.js';
import { sh } from '../../shell/quote.js';
import { hostExecOf, targetOf } from '../../ssh/index.js';
import type { HostExec } from '../exec.js';
import { ADMIN_CONF } from '../kubeadm/host-files.js';
import { openApplied, poolFor } from './open-cluster.js';

export interface HostStatus {
  ip: string;
  roles: string[];
  hostname?: string;
  reachable: boolean;
  kubelet: 'active' | 'inactive' | 'unknown';
  node: 'registered' | 'missing' | 'unknown';
  error?: string;
}

export interface StatusOptions {
  cluster?: string;
  output: 'text' | 'json' | 'yaml';
  concurrency: number;
  stdout?: NodeJS.WritableStream;
}

export async function clusterStatus(o: StatusOptions): Promise<HostStatus[]> {
  const { state, stateFile, cluster } = await openApplied(o.cluster);
  const pool = await poolFor(state, () => {});
  const execs = new Map<string, HostExec>();
  try {
    const rows: HostStatus[] = await Promise.all(
      Object.entries(stateFile.hosts).map(async ([ip, h]) => {
        const row: HostStatus = { ip, roles: h.roles, hostname: h.hostname, reachable: false, kubelet: 'unknown', node: 'unknown' };
        const spec = cluster.hosts.find((x) => x.ip === ip);
        if (!spec) return { ...row, error: 'not in the stored Clusterfile' };
        try {
          const x = hostExecOf(await pool.connect(targetOf(spec)));
          execs.set(ip, x);
          row.reachable = true;
          row.kubelet = (await x.exec(sh(['systemctl', 'is-active', '--quiet', 'kubelet']))).code === 0 ? 'active' : 'inactive';
        } catch (e) {
          row.error = (e as Error).message.split('\n')[0];
        }
        return row;
      }),
    );
    const cp = mastersOf(cluster).map((m) => execs.get(m.ip)).find(Boolean);
    if (cp) {
      const r = await cp.exec(sh(['kubectl', '--kubeconfig', ADMIN_CONF, 'get', 'nodes', '-o', 'name']));
      if (r.code === 0) {
        const names = new Set(r.stdout.split('\n').map((l) => l.replace(/^node\//, '').trim()));
        for (const row of rows) row.node = row.hostname && names.has(row.hostname) ? 'registered' : 'missing';
      }
    }
    const out = o.stdout ?? process.stdout;
    if (o.output === 'json') out.write(JSON.stringify({ cluster: cluster.name, hosts: rows }, null, 2) + '\n');
    else if (o.output === 'yaml') out.write(stringify({ cluster: cluster.name, hosts: rows }));
    else {
      out.write(`cluster ${cluster.name}\n`);
      for (const r of rows) out.write(`${r.ip.padEnd(16)} ${r.roles.join(',').padEnd(7)} ${(r.hostname ?? '-').padEnd(14)} ${r.reachable ? 'reachable' : 'UNREACHABLE'} kubelet=${r.kubelet} node=${r.node}${r.error ? `  (${r.error})` : ''}\n`);
    }
    return rows;
  } finally {
    await pool.closeAll();
  }
}
