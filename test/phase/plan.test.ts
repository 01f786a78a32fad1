import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClusterfile } from '../../pkg/clusterfile/index.js';
import { NotImplementedError } from '../../pkg/errors/errors.js';
import { createProgress } from '../../pkg/output/index.js';
import { Run } from '../../pkg/phase/index.js';
import { planApply, planPhases, stepHosts, type PlanStep } from '../../pkg/plan/index.js';
import { emptyState, type StateFile } from '../../pkg/state/index.js';

const cluster = parseClusterfile(
  `apiVersion: sealts.io/v1
kind: Cluster
metadata: { name: plantest }
spec:
  image: ../rootfs
  ssh: { user: root, pk: /root/.ssh/id_ed25519 }
  vip: { mode: iptables }
  hosts:
    - ips: [198.18.50.11-198.18.50.13]
      roles: [master]
    - ips: [198.18.50.21-198.18.50.22]
      roles: [node]
`,
  'plan.yaml',
);

const hostsOf = (steps: PlanStep[], id: PlanStep['id']) => steps.find((s) => s.id === id)!.hosts.map((h) => h.host);
const needed = (steps: PlanStep[]) => steps.filter((s) => s.needed).map((s) => s.id);

function stateWith(hosts: Record<string, 'master' | 'node'>): StateFile {
  const s = emptyState('plantest');
  for (const [ip, role] of Object.entries(hosts)) s.hosts[ip] = { roles: [role], joinedAt: '2026-01-01T00:00:00Z' };
  return s;
}

describe('plan', () => {
  it('a new cluster: init master0, join the other masters and every node, VIP on nodes', () => {
    const steps = planApply(cluster);
    assert.deepEqual(
      steps.map((s) => s.id),
      ['connect', 'gather-facts', 'push-rootfs', 'certs', 'init-master0', 'join-masters', 'join-nodes', 'vip', 'pod-network', 'delete-hosts', 'kubeconfig', 'save-state'],
    );
    assert.deepEqual(hostsOf(steps, 'init-master0'), ['198.18.50.11']);
    assert.deepEqual(hostsOf(steps, 'join-masters'), ['198.18.50.12', '198.18.50.13']);
    assert.deepEqual(hostsOf(steps, 'join-nodes'), ['198.18.50.21', '198.18.50.22']);
    assert.deepEqual(hostsOf(steps, 'vip'), ['198.18.50.21', '198.18.50.22']);
    assert.match(steps.find((s) => s.id === 'vip')!.hosts[0]!.intent, /10\.103\.97\.2:6443 to 3 master\(s\) \(iptables\)/);
    assert.ok(!needed(steps).includes('delete-hosts'));
  });

  it('a re-apply of the same cluster joins nothing and inits nothing', () => {
    const steps = planApply(cluster, stateWith({ '198.18.50.11': 'master', '198.18.50.12': 'master', '198.18.50.13': 'master', '198.18.50.21': 'node', '198.18.50.22': 'node' }));
    for (const id of ['init-master0', 'join-masters', 'join-nodes', 'delete-hosts'] as const) assert.ok(!needed(steps).includes(id), id);
  });

  it('a grown cluster joins only the new hosts; a host gone from the Clusterfile is removed', () => {
    const steps = planApply(cluster, stateWith({ '198.18.50.11': 'master', '198.18.50.21': 'node', '198.18.50.99': 'node' }));
    assert.ok(!needed(steps).includes('init-master0'));
    assert.deepEqual(hostsOf(steps, 'join-masters'), ['198.18.50.12', '198.18.50.13']);
    assert.deepEqual(hostsOf(steps, 'join-nodes'), ['198.18.50.22']);
    assert.deepEqual(hostsOf(steps, 'delete-hosts'), ['198.18.50.99']);
    assert.match(steps.find((s) => s.id === 'certs')!.local!, /add SANs for new masters/);
  });

  it('as phases: the dry run reports every intent; unneeded steps are skipped; unbound steps refuse to run', async () => {
    const steps = planApply(cluster);
    const dry = new Run({ command: 'plan', dryRun: true, concurrency: 4, progress: createProgress({ silent: true }) });
    const summary = await dry.execute(planPhases(steps), dry.ctx);
    assert.equal(summary.ok, true);
    assert.deepEqual(summary.phases.find((p) => p.title === 'Join nodes')?.intents.map((i) => i.host), ['198.18.50.21', '198.18.50.22']);
    assert.equal(summary.phases.find((p) => p.title === 'Remove hosts no longer in the Clusterfile')?.status, 'skipped');

    const ran: string[] = [];
    const real = new Run({ command: 'apply', dryRun: false, concurrency: 4, progress: createProgress({ silent: true }) });
    const result = await real.execute(
      planPhases(steps, {
        connect: async (ctx, step) => {
          await ctx.forEachHost(stepHosts(step), async (h) => void ran.push(`${h.ssh.user}@${h.ip}`));
        },
      }),
      real.ctx,
    );
    assert.deepEqual(ran.sort(), ['root@198.18.50.11', 'root@198.18.50.12', 'root@198.18.50.13', 'root@198.18.50.21', 'root@198.18.50.22']);
    assert.deepEqual(result.phases.map((p) => p.status).slice(0, 3), ['ok', 'failed', 'not-run']);
    assert.ok(real.failure instanceof NotImplementedError);
    assert.equal(result.errors[0]?.message, 'phase Gather host facts: not implemented yet');
  });
});
