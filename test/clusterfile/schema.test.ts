// schema/cluster.schema.json is generated from the validator's field table and must be in sync;
// the schema accepts every example document and rejects the mistakes the validator rejects.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { referenceMarkdown, SCHEMA_FILE, schemaText, toJsonSchema } from '../../pkg/clusterfile/index.js';
import { REPO } from './helpers.js';
import { schemaErrors } from './json-schema-check.js';

test(`${SCHEMA_FILE} is what the code generates (regenerate: node --import tsx scripts/write-schema.ts)`, async () => {
  assert.equal(await readFile(path.join(REPO, SCHEMA_FILE), 'utf8'), schemaText());
});

test('the schema carries the defaults, enums and descriptions of the field table', () => {
  const s = toJsonSchema() as { then: { properties: { spec: { properties: Record<string, { properties: Record<string, Record<string, unknown>> }> } } } };
  const spec = s.then.properties.spec.properties;
  assert.equal(spec.network!.properties.podCIDR!.default, '100.64.0.0/10');
  assert.equal(spec.network!.properties.serviceCIDR!.default, '10.96.0.0/22');
  assert.equal(spec.vip!.properties.address!.default, '10.103.97.2');
  assert.deepEqual(spec.vip!.properties.mode!.enum, ['auto', 'ipvs', 'iptables']);
  assert.deepEqual(spec.runtime!.properties.type!.enum, ['kubeadm', 'k0s']);
  assert.equal(spec.pki!.properties.caValidityDays!.default, 3650);
  assert.equal(spec.ssh!.properties.passwd!.writeOnly, true);
  assert.equal(typeof spec.ssh!.properties.passwdFromEnv!.description, 'string');
});

test('every document of every example conforms to the schema', async () => {
  const schema = toJsonSchema();
  const examples = (await readdir(path.join(REPO, 'clusterfiles'), { recursive: true })).filter((f) => f.endsWith('.yaml'));
  assert.ok(examples.some((f) => f.startsWith('fleet/')) && examples.some((f) => !f.includes('/')), 'real-machine and fleet examples');
  for (const f of examples) {
    const text = await readFile(path.join(REPO, 'clusterfiles', f), 'utf8');
    for (const doc of parseAllDocuments(text) as unknown as { toJS(): unknown }[]) {
      assert.deepEqual(schemaErrors(schema, doc.toJS()), [], f);
    }
  }
});

test('the schema rejects what the validator rejects', () => {
  const schema = toJsonSchema();
  const base = {
    apiVersion: 'sealts.io/v1',
    kind: 'Cluster',
    metadata: { name: 'demo' },
    spec: { image: '../rootfs', ssh: { passwd: 'x' }, hosts: [{ ips: ['198.18.0.11'], roles: ['master'] }] },
  };
  assert.deepEqual(schemaErrors(schema, base), []);
  const bad = (spec: Record<string, unknown>) => schemaErrors(schema, { ...base, spec: { ...base.spec, ...spec } });
  assert.deepEqual(bad({ ssh: { prot: 22 } }), ['$.spec.ssh.prot: additionalProperties']);
  assert.deepEqual(bad({ ssh: { port: '22' } }), ['$.spec.ssh.port: type']);
  assert.deepEqual(bad({ runtime: { type: 'k3s' } }), ['$.spec.runtime.type: enum']);
  assert.deepEqual(bad({ runtime: { version: '1.30' } }), ['$.spec.runtime.version: pattern']);
  assert.deepEqual(bad({ vip: { mode: 'lvs' } }), ['$.spec.vip.mode: enum']);
  assert.deepEqual(bad({ network: { podCIDR: '10.0.0.0' } }), ['$.spec.network.podCIDR: pattern']);
  assert.deepEqual(bad({ hosts: [{ ips: [], roles: ['mastr'] }] }), ['$.spec.hosts[0].ips: minItems', '$.spec.hosts[0].roles[0]: enum']);
  assert.deepEqual(schemaErrors(schema, { ...base, metadata: {} }), ['$.metadata.name: required']);
  assert.deepEqual(schemaErrors(schema, { apiVersion: 'v1', kind: 'ConfigMap' }), ['$.kind: enum']);
});

test('the Markdown field reference comes from the same table', () => {
  const md = referenceMarkdown();
  assert.ok(md.includes('| `spec.network.serviceCIDR` | string | `10.96.0.0/22` | Addresses for services. |'));
  assert.ok(md.includes('| `spec.hosts[].roles` | list of master \\| node (required) |  | master (control plane) or node (worker). |'));
  assert.ok(md.includes('| `spec.ssh.sudoPasswdFromEnv` |'));
  assert.equal(md.split('\n').filter((l) => l.startsWith('| `spec.hosts[]` ')).length, 0);
});
