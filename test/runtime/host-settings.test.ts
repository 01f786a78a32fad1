// What host facts decide, and that the kubeadm documents and containerd's config say the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { HostFacts } from '../../pkg/host/facts.js';
import { containerdConfig, hostSettings, SEALTS_RESOLV_CONF } from '../../pkg/runtime/host-settings.js';
import { initDocuments, joinDocuments, kubeletPatch, toYaml } from '../../pkg/runtime/kubeadm/config.js';
import { Secret } from '../../pkg/secret/secret.js';
import { testCluster } from './cluster-fixture.js';
import { hostFacts } from '../plan/facts-fixture.js';

const base: HostFacts = hostFacts();

test('a cgroup v2 host with every capability and a real resolver changes nothing', () => {
  const c = testCluster();
  const s = hostSettings(c.hosts[0]!, base);
  assert.deepEqual(s.notes, []);
  assert.equal(kubeletPatch(s), undefined);
  assert.match(containerdConfig(s, 'registry.k8s.io/pause:3.10.2'), /restrict_oom_score_adj = false/);
  const docs = initDocuments({ cluster: c, host: c.hosts[0]!, nodeName: 'h', proxyMode: 'iptables', settings: s });
  assert.equal(docs[0]!.patches, undefined);
  assert.equal((docs[0]!.nodeRegistration as Record<string, unknown>).ignorePreflightErrors, undefined);
});

test('this machine\'s facts: cgroup v1, no CAP_SYS_RESOURCE, loopback resolver, fixed conntrack', () => {
  const c = testCluster();
  const host = c.hosts[2]!;
  const s = hostSettings(host, { ...base, cgroupVersion: 1, capSysResource: false, nameservers: ['127.0.0.1'], conntrackMaxSettable: false });
  assert.equal(s.notes.length, 4);
  assert.deepEqual(kubeletPatch(s), { failCgroupV1: false, resolvConf: SEALTS_RESOLV_CONF });
  assert.match(s.resolvConfContent!, new RegExp(`^nameserver ${host.ip.replaceAll('.', '\\.')}$`, 'm'));
  assert.match(containerdConfig(s, 'registry.k8s.io/pause:3.10.2'), /restrict_oom_score_adj = true/);
  assert.match(containerdConfig(s, 'registry.k8s.io/pause:3.10.2'), /sandbox = 'registry.k8s.io\/pause:3.10.2'/);
  const join = joinDocuments({ cluster: c, host, nodeName: 'n', proxyMode: 'iptables', settings: s, token: new Secret('abcdef.0123456789abcdef'), caCertHash: `sha256:${'0'.repeat(64)}`, localImages: { corednsTag: 'v1.14.3' } }, false)[0]!;
  assert.deepEqual(join.patches, { directory: '/etc/sealts/patches' });
  assert.deepEqual((join.nodeRegistration as Record<string, unknown>).ignorePreflightErrors, ['SystemVerification']);
  assert.equal((join.nodeRegistration as Record<string, unknown>).imagePullPolicy, 'Never');
  const init = parseAllDocuments(toYaml(initDocuments({ cluster: c, host: c.hosts[0]!, nodeName: 'm', proxyMode: 'iptables', settings: s, localImages: { corednsTag: 'v1.14.3' }, conntrackMaxFixed: true }))).map((d) => d.toJS());
  assert.deepEqual(init.find((d) => d.kind === 'ClusterConfiguration').dns, { imageTag: 'v1.14.3' });
  assert.deepEqual(init.find((d) => d.kind === 'KubeProxyConfiguration').conntrack, { maxPerCore: 0 });
});

test('systemd-resolved\'s upstream file is preferred to a file of sealts\'', () => {
  const s = hostSettings(testCluster().hosts[0]!, { ...base, nameservers: ['127.0.0.53'], resolvedUpstream: true });
  assert.equal(s.resolvConf, '/run/systemd/resolve/resolv.conf');
  assert.equal(s.resolvConfContent, undefined);
});
