// `sealts status`: each recorded host as it is now: reachable over SSH, its membership facts
// (control plane, kubelet running, version), and whether the control plane lists it as a Node
// (asked once, through the first recorded master whose facts say it runs a control plane).
import { writeDocument } from '../output/document.js';
import { connectHost, type HostExec } from '../host/exec.js';
import { runtimeFor, type MemberFacts } from '../runtime/index.js';
import { withCluster, type RunFlags } from './open.js';

export interface HostStatus {
  ip: string;
  roles: string[];
  hostname?: string;
  reachable: boolean;
  controlPlane?: boolean;
  kubelet: 'active' | 'inactive' | 'unknown';
  version?: string;
  /** none: the host runs no kubelet (a k0s controller without a worker), so it is no Node. */
  node: 'registered' | 'missing' | 'unknown' | 'none';
  error?: string;
}

export interface StatusRequest {
  flags: RunFlags;
  stdout?: NodeJS.WritableStream;
}

export async function clusterStatus(o: StatusRequest): Promise<HostStatus[]> {
  return withCluster({ flags: o.flags, lock: false, command: 'status' }, async ({ state, stateFile, cluster, pool: poolOf }) => {
    const pool = await poolOf(() => {});
    const execs = new Map<string, HostExec>();
    const rt = runtimeFor({
      cluster,
      exec: (h) => execs.get(h.ip)!,
      nodeName: (h) => stateFile!.hosts[h.ip]?.hostname ?? h.ip,
      pkiDir: await state.pkiDir(),
      forEach: async (hs, fn) => {
        await Promise.all(hs.map(fn));
      },
      proxyMode: () => 'iptables',
    });
    const member = new Map<string, MemberFacts>();
    const rows: HostStatus[] = await Promise.all(
      Object.entries(stateFile!.hosts).map(async ([ip, h]) => {
        const row: HostStatus = { ip, roles: h.roles, hostname: h.hostname, reachable: false, kubelet: 'unknown', node: 'unknown' };
        const spec = cluster.hosts.find((x) => x.ip === ip);
        if (!spec) return { ...row, error: 'not in the stored Clusterfile' };
        try {
          const x = await connectHost(pool, spec);
          execs.set(ip, x);
          row.reachable = true;
          const m = await rt.facts(x);
          member.set(ip, m);
          row.controlPlane = m.controlPlane;
          row.kubelet = m.kubeletActive ? 'active' : 'inactive';
          row.version = m.version;
        } catch (e) {
          row.error = (e as Error).message.split('\n')[0];
        }
        return row;
      }),
    );
    const via = cluster.hosts.find((h) => member.get(h.ip)?.controlPlane);
    if (via) {
      const out = await rt.kubectl(via, ['get', 'nodes', '-o', 'name']).catch(() => undefined);
      if (out !== undefined) {
        const names = new Set(out.split('\n').map((l) => l.replace(/^node\//, '').trim()));
        for (const row of rows) {
          const spec = cluster.hosts.find((x) => x.ip === row.ip);
          if (spec && !rt.runsNode(spec)) row.node = 'none';
          else row.node = row.hostname && names.has(row.hostname) ? 'registered' : 'missing';
        }
      }
    }
    const out = o.stdout ?? process.stdout;
    if (o.flags.output !== 'text') writeDocument(o.flags.output, { cluster: cluster.name, hosts: rows }, out);
    else {
      out.write(`cluster ${cluster.name}\n`);
      for (const r of rows) out.write(`${r.ip.padEnd(16)} ${r.roles.join(',').padEnd(7)} ${(r.hostname ?? '-').padEnd(14)} ${r.reachable ? 'reachable' : 'UNREACHABLE'} kubelet=${r.kubelet} node=${r.node}${r.version ? ` ${r.version}` : ''}${r.error ? `  (${r.error})` : ''}\n`);
    }
    return rows;
  });
}
