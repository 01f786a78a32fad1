// `sealts exec/cp --hosts` trusts what the clusters trust (fleet 67): a host listed in a cluster's
// state.json is checked against that cluster's known_hosts too, so a changed key is refused with the
// same line `--cluster` gives; with the right key on record, or no cluster listing the host, it runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { emptyState } from '../../pkg/state/index.js';
import { sealts as runSealts } from '../cli/helpers.js';

let fleet: Fleet;
let home: string;
let a: FleetHost;
let b: FleetHost;
const prodKnownHosts = () => path.join(home, 'prod', 'known_hosts');
const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

before(async () => {
  fleet = await fleetUp({ id: 67, n: 2, init: 'tini' });
  [a, b] = fleet.hosts as [FleetHost, FleetHost];
  home = await mkdtemp(path.join(os.tmpdir(), 'sealts-cluster-kh-'));
  // Cluster "prod" lists host a (state.json) and has a stored Clusterfile for `--cluster prod`.
  await mkdir(path.join(home, 'prod'), { mode: 0o700 });
  const state = emptyState('prod');
  state.hosts[a.ip] = { roles: ['master'], joinedAt: state.createdAt };
  await writeFile(path.join(home, 'prod', 'state.json'), JSON.stringify(state));
  await writeFile(
    path.join(home, 'prod', 'Clusterfile'),
    ['apiVersion: sealts.io/v1', 'kind: Cluster', 'metadata: {name: prod}', 'spec:', `  image: ${home}`, `  ssh: {pk: ${fleet.keyPath}}`, '  hosts:', `    - {ips: [${a.ip}], roles: [master]}`, ''].join('\n'),
  );
});

after(async () => {
  await fleet?.down();
  if (home) await rm(home, { recursive: true, force: true });
});

/** HOME is the temp dir too, so the machine's ~/.ssh/known_hosts plays no part. */
function sealts(args: string[]) {
  return runSealts(args, { SEALTS_HOME: home, HOME: home });
}

async function sealtsOwnKnownHosts(): Promise<string> {
  return readFile(path.join(home, 'known_hosts'), 'utf8').catch(() => '');
}

describe('--hosts checks the known_hosts of the clusters listing the host', () => {
  test('a key other than the one prod recorded is refused, as with --cluster; an unrelated host still runs', async () => {
    const key = path.join(home, 'throwaway');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const [type, blob] = (await readFile(`${key}.pub`, 'utf8')).split(' ');
    await writeFile(prodKnownHosts(), `${a.ip} ${type} ${blob}\n`);

    const r = await sealts(['exec', '--hosts', `${a.ip},${b.ip}`, '--pk', fleet.keyPath, '--', 'hostname']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, `${b.ip} | host-12\n`);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    assert.equal(errors.length, 1, r.stderr);
    const refusal = new RegExp(
      `^error: 1 host\\(s\\) failed: ${re(a.ip)}: connect: root@${re(a.ip)}:22: HOST KEY CHANGED: ${re(a.ip)} presented ssh-ed25519 SHA256:\\S+, ` +
        `but known_hosts has ssh-ed25519 SHA256:\\S+ \\(${re(prodKnownHosts())}:1\\); refusing to connect \\(.*remove the old key.*\\)$`,
    );
    assert.match(errors[0]!, refusal);

    const viaCluster = await sealts(['exec', '--cluster', 'prod', '--', 'true']);
    assert.equal(viaCluster.code, 1, viaCluster.stderr);
    assert.equal(viaCluster.stderr.trim(), errors[0], 'the same line as --cluster');

    const cp = path.join(home, 'payload.txt');
    await writeFile(cp, 'x\n');
    const copied = await sealts(['cp', '--hosts', a.ip, '--pk', fleet.keyPath, cp, '/root/kh-dest']);
    assert.equal(copied.code, 1);
    assert.match(copied.stderr.trim(), refusal);
    assert.equal((await fleet.run(a, ['test', '-e', '/root/kh-dest'])).code, 1, 'nothing was copied to a');

    // Nothing recorded for a anywhere; b (known to no cluster) was trusted on first use in sealts' own file.
    assert.equal(await readFile(prodKnownHosts(), 'utf8'), `${a.ip} ${type} ${blob}\n`);
    const own = await sealtsOwnKnownHosts();
    assert.doesNotMatch(own, new RegExp(`^${re(a.ip)} `, 'm'));
    assert.match(own, new RegExp(`^${re(b.ip)} `, 'm'));
  });

  test('with the host\'s real key on record in prod it runs, without trusting anything new; a corrupt other state only warns', async () => {
    const real = (await readFile(fleet.knownHostsPath, 'utf8')).split('\n').filter((l) => l.startsWith(`${a.ip},`));
    assert.ok(real.length > 0);
    await writeFile(prodKnownHosts(), real.map((l) => `${a.ip} ${l.split(' ').slice(1).join(' ')}`).join('\n') + '\n');
    await mkdir(path.join(home, 'junk'), { recursive: true });
    await writeFile(path.join(home, 'junk', 'state.json'), '{ not json');

    const r = await sealts(['exec', '--hosts', `${a.ip},${b.ip}`, '--pk', fleet.keyPath, '--', 'hostname']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), [`${a.ip} | host-11`, `${b.ip} | host-12`]);
    assert.match(r.stderr, /^warning: cluster junk: cannot read its hosts \(.*junk\/state\.json: corrupt state file .*\); checking its known_hosts for every host$/m);
    assert.doesNotMatch(r.stderr, /trusting new host key/);
    assert.doesNotMatch(await sealtsOwnKnownHosts(), new RegExp(`^${re(a.ip)} `, 'm'));
  });
});
