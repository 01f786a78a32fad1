// clusterKnownHosts: which clusters' known_hosts an ad-hoc `--hosts` run checks for each IP.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selectTargets } from '../../pkg/ssh/adhoc.js';
import { clusterKnownHosts, emptyState, openState } from '../../pkg/state/index.js';

let home: string;
const savedHome = process.env.SEALTS_HOME;
const kh = (cluster: string) => join(home, cluster, 'known_hosts');

async function cluster(name: string, ips: string[]): Promise<void> {
  const s = emptyState(name);
  for (const ip of ips) s.hosts[ip] = { roles: ['node'], joinedAt: s.createdAt };
  await openState(name).write(s);
}

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'sealts-known-by-'));
  process.env.SEALTS_HOME = home;
  await cluster('alpha', ['10.0.0.1', '10.0.0.2']);
  await cluster('beta', ['10.0.0.2']);
  await cluster('gamma', []);
  await mkdir(join(home, 'applying'), { recursive: true }); // a Clusterfile, no state.json yet
  await writeFile(join(home, 'applying', 'Clusterfile'), 'x');
  await mkdir(join(home, '.archive', 'old'), { recursive: true });
  await writeFile(join(home, '.archive', 'old', 'state.json'), '{}');
});
after(async () => {
  if (savedHome === undefined) delete process.env.SEALTS_HOME;
  else process.env.SEALTS_HOME = savedHome;
  await rm(home, { recursive: true, force: true });
});

describe('clusterKnownHosts', () => {
  it('lists the known_hosts of every cluster whose state lists the IP, and none for other IPs', async () => {
    const r = await clusterKnownHosts(['10.0.0.1', '10.0.0.2', '10.0.0.9']);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(Object.fromEntries(r.byIp), {
      '10.0.0.1': [kh('alpha')],
      '10.0.0.2': [kh('alpha'), kh('beta')],
      '10.0.0.9': [],
    });
  });

  it('an empty or missing sealts home knows nothing', async () => {
    process.env.SEALTS_HOME = join(home, 'nowhere');
    try {
      assert.deepEqual(Object.fromEntries((await clusterKnownHosts(['10.0.0.1'])).byIp), { '10.0.0.1': [] });
    } finally {
      process.env.SEALTS_HOME = home;
    }
  });

  it('a corrupt state.json is a warning naming it; its known_hosts is checked for every IP', async () => {
    await mkdir(join(home, 'broken'));
    await writeFile(join(home, 'broken', 'state.json'), '{"schemaVersion": 1, "clus');
    try {
      const r = await clusterKnownHosts(['10.0.0.1', '10.0.0.9']);
      assert.equal(r.warnings.length, 1);
      assert.match(r.warnings[0]!, /^cluster broken: cannot read its hosts \(.*broken\/state\.json: corrupt state file .*\); checking its known_hosts for every host$/);
      assert.deepEqual(Object.fromEntries(r.byIp), { '10.0.0.1': [kh('alpha'), kh('broken')], '10.0.0.9': [kh('broken')] });
    } finally {
      await rm(join(home, 'broken'), { recursive: true });
    }
  });
});

describe('selectTargets --hosts', () => {
  it('gives each target its clusters\' known_hosts and passes warnings on; sealts\' own file still records', async () => {
    await mkdir(join(home, 'broken'));
    await writeFile(join(home, 'broken', 'state.json'), 'not json');
    const warnings: string[] = [];
    try {
      const sel = await selectTargets({ hosts: '10.0.0.1,10.0.0.2:2222,10.0.0.9', warn: (l) => warnings.push(l) });
      assert.deepEqual(
        sel.targets.map((t) => [t.ip, t.port, t.knownHostsFiles]),
        [
          ['10.0.0.1', 22, [kh('alpha'), kh('broken')]],
          ['10.0.0.2', 2222, [kh('alpha'), kh('beta'), kh('broken')]],
          ['10.0.0.9', 22, [kh('broken')]],
        ],
      );
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /^cluster broken: /);
      assert.equal(sel.hostKeys.recordUnknownTo, join(home, 'known_hosts'));
    } finally {
      await rm(join(home, 'broken'), { recursive: true });
    }
    const plain = await selectTargets({ hosts: '10.0.0.9' });
    assert.equal(plain.targets[0]!.knownHostsFiles, undefined);
  });
});
