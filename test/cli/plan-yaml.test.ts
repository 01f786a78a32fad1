// `sealts plan -o yaml|json` shows the kubeadm documents apply would write (issue 6 item 3): the
// defaulted Clusterfile first, then each host's file, secrets only as placeholders.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { ORACLE, validate } from '../runtime/kubeadm-oracle.js';
import { REPO, sealts } from './helpers.js';

const HA = 'clusterfiles/fleet/ha.yaml';
let home: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'sealts-plan-yaml-'));
  env = { SEALTS_HOME: home };
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

/** `# IP: PATH` header -> that file's text, from `plan -o yaml` output. */
function filesOf(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^# (\S+): (\S+)\n/gm;
  const heads = [...stdout.matchAll(re)];
  for (const [i, m] of heads.entries()) {
    const end = heads[i + 1]?.index ?? stdout.length;
    out.set(`${m[1]}: ${m[2]}`, stdout.slice(m.index + m[0].length, end).replace(/\n---\n$/, '\n'));
  }
  return out;
}

type Doc = { apiVersion: string; kind: string } & Record<string, unknown>;
function docs(text: string): Doc[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Doc);
}
function kind(ds: Doc[], k: string): Doc {
  const d = ds.find((x) => x.kind === k);
  assert.ok(d, `no ${k} in:\n${ds.map((x) => x.kind).join(', ')}`);
  return d;
}

describe('plan -o yaml shows the rendered kubeadm documents', () => {
  let stdout: string;
  before(async () => {
    const r = await sealts(['plan', '-f', HA, '-o', 'yaml', '--offline'], env);
    assert.equal(r.code, 0, r.stderr);
    stdout = r.stdout;
  });

  it('the defaulted Clusterfile comes first, then every host\'s file', () => {
    const first = parse(stdout.split(/^---$/m)[0]!) as { kind: string; spec: { vip: { address: string } } };
    assert.equal(first.kind, 'Cluster');
    assert.match(first.spec.vip.address, /^\d+\.\d+\.\d+\.\d+$/, 'the VIP, defaulted or given');
    const files = [...filesOf(stdout).keys()];
    assert.deepEqual(files, [
      '198.18.0.11: /etc/sealts/kubeadm-init.yaml',
      ...[12, 13, 14, 15, 16].map((n) => `198.18.0.${n}: /etc/sealts/kubeadm-join.yaml`),
    ]);
  });

  it('master0 gets Init, Cluster, Kubelet and KubeProxy configurations for v1.36 (v1beta4)', () => {
    const init = docs(filesOf(stdout).get('198.18.0.11: /etc/sealts/kubeadm-init.yaml')!);
    assert.deepEqual(init.map((d) => d.kind), ['InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration']);
    const cc = kind(init, 'ClusterConfiguration') as Doc & { controlPlaneEndpoint: string; networking: { podSubnet: string }; apiServer: { certSANs: string[] }; etcd: { local: { extraArgs: Array<{ name: string; value: string }>; dataDir: string } } };
    assert.equal(cc.apiVersion, 'kubeadm.k8s.io/v1beta4');
    assert.equal(kind(init, 'InitConfiguration').apiVersion, 'kubeadm.k8s.io/v1beta4');
    assert.match(stdout, /^controlPlaneEndpoint: apiserver\.cluster\.local:6443$/m);
    assert.equal(cc.controlPlaneEndpoint, 'apiserver.cluster.local:6443');
    assert.equal(cc.networking.podSubnet, '198.19.0.0/17');
    assert.ok(cc.apiServer.certSANs.includes('k8s.example.test'), 'the Clusterfile\'s SANs');
    const vip = (parse(stdout.split(/^---$/m)[0]!) as { spec: { vip: { address: string } } }).spec.vip.address;
    assert.ok(cc.apiServer.certSANs.includes(vip), `the VIP ${vip} is a SAN`);
    // ha.yaml's own ClusterConfiguration is merged over ours, field by field
    assert.deepEqual(cc.etcd.local.extraArgs, [{ name: 'quota-backend-bytes', value: '4294967296' }]);
    assert.equal(cc.etcd.local.dataDir, '/var/lib/etcd', 'our fields the user did not set stay');
  });

  it('joins carry placeholders, never a token or certificate key', () => {
    const files = filesOf(stdout);
    const master = kind(docs(files.get('198.18.0.12: /etc/sealts/kubeadm-join.yaml')!), 'JoinConfiguration') as Doc & {
      discovery: { bootstrapToken: { token: string; apiServerEndpoint: string; caCertHashes: string[] } };
      controlPlane?: { certificateKey: string };
    };
    assert.equal(master.apiVersion, 'kubeadm.k8s.io/v1beta4');
    assert.equal(master.discovery.bootstrapToken.apiServerEndpoint, 'apiserver.cluster.local:6443');
    assert.equal(master.discovery.bootstrapToken.token, '<bootstrap-token>');
    assert.equal(master.controlPlane?.certificateKey, '<certificate-key>');
    const node = kind(docs(files.get('198.18.0.14: /etc/sealts/kubeadm-join.yaml')!), 'JoinConfiguration') as Doc & { controlPlane?: unknown };
    assert.equal(node.controlPlane, undefined, 'a worker joins without control-plane fields');
    // nothing shaped like a real bootstrap token or a 64-hex certificate key anywhere
    assert.doesNotMatch(stdout, /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
    assert.doesNotMatch(stdout, /\b[0-9a-f]{64}\b/);
  });

  it('an older Kubernetes version gets kubeadm.k8s.io/v1beta3 documents', async () => {
    const text = (await readFile(join(REPO, HA), 'utf8'))
      .replace('version: v1.36.3', 'version: v1.29.4')
      .replace(/^image: \.\.\/rootfs/m, '')
      .replace('image: ../rootfs', `image: ${join(REPO, 'rootfs')}`)
      .replace('pk: ../.fleet/id_ed25519', `pk: ${join(REPO, '.fleet/id_ed25519')}`)
      .replace(/^apiVersion: kubeadm\.k8s\.io\/v1beta4$/m, 'apiVersion: kubeadm.k8s.io/v1beta3')
      .replace(/extraArgs:\n\s+- name: quota-backend-bytes\n\s+value: "4294967296"/, 'extraArgs:\n      quota-backend-bytes: "4294967296"');
    const file = join(home, 'old.yaml');
    await writeFile(file, text);
    const r = await sealts(['plan', '-f', file, '-o', 'yaml', '--offline'], env);
    assert.equal(r.code, 0, r.stderr);
    const init = docs(filesOf(r.stdout).get('198.18.0.11: /etc/sealts/kubeadm-init.yaml')!);
    assert.equal(kind(init, 'InitConfiguration').apiVersion, 'kubeadm.k8s.io/v1beta3');
    const cc = kind(init, 'ClusterConfiguration') as Doc & { kubernetesVersion: string; etcd: { local: { extraArgs: Record<string, string> } } };
    assert.equal(cc.apiVersion, 'kubeadm.k8s.io/v1beta3');
    assert.equal(cc.kubernetesVersion, 'v1.29.4');
    assert.deepEqual(cc.etcd.local.extraArgs, { 'quota-backend-bytes': '4294967296' }, 'v1beta3 extraArgs are a map');
  });

  it('the real kubeadm accepts master0\'s printed documents', { skip: existsSync(ORACLE) ? false : `oracle ${ORACLE} not built (make oracles)` }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealts-plan-oracle-'));
    try {
      const res = validate(filesOf(stdout).get('198.18.0.11: /etc/sealts/kubeadm-init.yaml')!, dir, 'init.yaml');
      assert.ok(res.ok, `kubeadm config validate refused the printed init config:\n${res.out}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('plan -o json carries the rendered documents', () => {
  it('`rendered` maps host -> path -> text (offline: every host as new)', async () => {
    const r = await sealts(['plan', '-f', HA, '-o', 'json', '--offline'], env);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { command: string; offline: boolean; rendered: Record<string, Record<string, string>> };
    assert.equal(doc.command, 'plan');
    assert.equal(doc.offline, true);
    assert.deepEqual(Object.keys(doc.rendered), [11, 12, 13, 14, 15, 16].map((n) => `198.18.0.${n}`));
    const init = docs(doc.rendered['198.18.0.11']!['/etc/sealts/kubeadm-init.yaml']!);
    assert.equal((kind(init, 'ClusterConfiguration') as Doc & { controlPlaneEndpoint: string }).controlPlaneEndpoint, 'apiserver.cluster.local:6443');
    assert.match(doc.rendered['198.18.0.13']!['/etc/sealts/kubeadm-join.yaml']!, /token: <bootstrap-token>/);
  });
});
