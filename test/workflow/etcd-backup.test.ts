// What `sealts etcd restore` accepts as a snapshot: only one with its header, of this cluster,
// whose sha256 is the one recorded when it was taken. (Backup and restore themselves run on the real
// HA cluster: test/e2e/real-ha.test.ts.)
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readBackup } from '../../pkg/workflow/phases/etcd-restore.js';

let dir: string;
const data = Buffer.from('a snapshot (any bytes: the check is on the file, not on etcd)');
const header = (over: object = {}) => JSON.stringify({ cluster: 'prod', kubernetesVersion: 'v1.36.3', takenAt: 'x', from: '198.18.0.11', members: [], sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length, ...over });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealts-etcd-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('etcd restore: the snapshot it is given', () => {
  it('is read when its header matches', async () => {
    await writeFile(join(dir, 'ok.db'), data);
    await writeFile(join(dir, 'ok.db.json'), header());
    assert.deepEqual(await readBackup(join(dir, 'ok.db'), 'prod'), data);
  });

  it('is refused without a header, for another cluster, or changed since the backup', async () => {
    await writeFile(join(dir, 'bare.db'), data);
    await assert.rejects(readBackup(join(dir, 'bare.db'), 'prod'), /bare\.db\.json: missing/);
    await assert.rejects(readBackup(join(dir, 'ok.db'), 'staging'), /a snapshot of cluster prod, not of staging/);
    await writeFile(join(dir, 'changed.db'), Buffer.concat([data, Buffer.from('!')]));
    await writeFile(join(dir, 'changed.db.json'), header());
    await assert.rejects(readBackup(join(dir, 'changed.db'), 'prod'), /changed\.db: sha256 \S+ is not the \S+ its header records/);
    await assert.rejects(readBackup(join(dir, 'none.db'), 'prod'), /none\.db: no such snapshot/);
  });
});
