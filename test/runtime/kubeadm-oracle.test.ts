// The rendered kubeadm documents checked by the REAL kubeadm (`kubeadm config validate`, strict:
// unknown fields and wrong types are errors). The binary is the test oracle built by
// test/oracles/build-kubeadm.sh (`make oracles`, run before `make test`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Secret } from '../../pkg/secret/secret.js';
import { initDocuments, joinDocuments, toYaml } from '../../pkg/runtime/kubeadm/config.js';
import { testCluster } from './cluster-fixture.js';
import { ORACLE, ORACLE_VERSION as VERSION, validate } from './kubeadm-oracle.js';

test('real kubeadm accepts the rendered init and join documents (v1beta4), and rejects a broken one', { skip: existsSync(ORACLE) ? false : `oracle ${ORACLE} not built (make oracles)` }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-oracle-'));
  try {
    const cluster = testCluster({
      runtime: { type: 'kubeadm', version: VERSION },
      overrides: [{ apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', body: { apiServer: { extraArgs: [{ name: 'audit-log-maxage', value: '7' }] } } }],
    });
    const token = new Secret('abcdef.0123456789abcdef');
    const base = { cluster, host: cluster.hosts[0]!, nodeName: 'host-11', proxyMode: 'ipvs' as const, token };
    const init = validate(toYaml(initDocuments({ ...base, certificateKey: new Secret('c'.repeat(64)) })), dir, 'init.yaml');
    assert.ok(init.ok, `init config refused:\n${init.out}`);
    const caCertHash = `sha256:${'d'.repeat(64)}`;
    const worker = validate(toYaml(joinDocuments({ ...base, host: cluster.hosts[2]!, nodeName: 'host-21', caCertHash }, false)), dir, 'join.yaml');
    assert.ok(worker.ok, `worker join config refused:\n${worker.out}`);
    const cp = validate(toYaml(joinDocuments({ ...base, host: cluster.hosts[1]!, nodeName: 'host-12', caCertHash, certificateKey: new Secret('e'.repeat(64)) }, true)), dir, 'cp.yaml');
    assert.ok(cp.ok, `control-plane join config refused:\n${cp.out}`);
    // the oracle really checks: map-form extraArgs are wrong for v1beta4
    const broken = toYaml(initDocuments(base)).replace(/extraArgs:\n(\s+)- name: bind-address\n\s+value: 0\.0\.0\.0/, 'extraArgs:\n$1bind-address: 0.0.0.0');
    assert.notEqual(broken, toYaml(initDocuments(base)), 'the test did break the document');
    assert.equal(validate(broken, dir, 'broken.yaml').ok, false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
