import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { execFileSync } from 'node:child_process';
import { ipvsadmCommand, renderLvscareManifest, renderApplyScript, withHostsEntry } from '../../pkg/vip/index.js';

const t = { vip: '10.103.97.2', port: 6443, masters: ['198.18.40.11', '198.18.40.12', '198.18.40.13'] };

/** The rules the node's script renders for these masters (it runs here with sh, as on a node). */
function renderRules(masters: readonly string[]): string {
  return execFileSync('sh', ['-c', renderApplyScript(t), 'vip-iptables.sh', 'rules', ...masters], { encoding: 'utf8' });
}

test('iptables rules spread VIP:6443 evenly over the masters; last rule catches the rest', () => {
  const rules = renderRules(t.masters).split('\n');
  assert.deepEqual(rules.slice(0, 2), ['*nat', ':SEALTS-VIP - [0:0]']);
  assert.equal(rules[2], '-A SEALTS-VIP -d 10.103.97.2/32 -p tcp --dport 6443 -m statistic --mode random --probability 0.33333 -j DNAT --to-destination 198.18.40.11:6443');
  assert.equal(rules[3], '-A SEALTS-VIP -d 10.103.97.2/32 -p tcp --dport 6443 -m statistic --mode random --probability 0.50000 -j DNAT --to-destination 198.18.40.12:6443');
  assert.equal(rules[4], '-A SEALTS-VIP -d 10.103.97.2/32 -p tcp --dport 6443 -j DNAT --to-destination 198.18.40.13:6443');
  assert.equal(rules[5], 'COMMIT');
  // a master that stopped answering is left out: the one left takes everything
  assert.deepEqual(renderRules([t.masters[1]!]).split('\n').slice(2, 3), ['-A SEALTS-VIP -d 10.103.97.2/32 -p tcp --dport 6443 -j DNAT --to-destination 198.18.40.12:6443']);
  assert.throws(() => renderApplyScript({ ...t, masters: [] }), /no masters/);
});

test('the script hooks OUTPUT and PREROUTING only when missing, and its values are quoted', () => {
  const s = renderApplyScript(t);
  assert.match(s, /iptables -w -t nat -C "\$1" -d "\$VIP\/32" -p tcp --dport "\$PORT" -j "\$CHAIN" 2>\/dev\/null \|\| iptables -w -t nat -I "\$1" 1/);
  assert.match(s, /hook OUTPUT && hook PREROUTING/);
  assert.match(s, /^MASTERS='198.18.40.11 198.18.40.12 198.18.40.13'$/m);
});

test('ipvs: ipvsadm virtual server with every master, lvscare static pod', () => {
  const cmd = ipvsadmCommand(t);
  assert.match(cmd, /ipvsadm -A -t 10.103.97.2:6443 -s rr/);
  for (const m of t.masters) assert.ok(cmd.includes(`ipvsadm -a -t 10.103.97.2:6443 -r ${m}:6443 -m`));
  const pod = parse(renderLvscareManifest(t, 'registry.example.com/lvscare:v4')) as any;
  assert.equal(pod.kind, 'Pod');
  assert.equal(pod.spec.hostNetwork, true);
  const c = pod.spec.containers[0];
  assert.equal(c.image, 'registry.example.com/lvscare:v4');
  assert.deepEqual(c.args.slice(0, 3), ['care', '--vs', '10.103.97.2:6443']);
  assert.equal(c.args.filter((a: string) => a === '--rs').length, 3);
  assert.equal(c.securityContext.privileged, true);
});

test('hosts entries: set, replace, remove only sealts lines', () => {
  const base = '127.0.0.1 localhost\n10.0.0.5 apiserver.cluster.local\n';
  const one = withHostsEntry(base, 'apiserver.cluster.local', '10.103.97.2');
  assert.equal(one, base + '10.103.97.2 apiserver.cluster.local # sealts\n');
  const two = withHostsEntry(one, 'apiserver.cluster.local', '198.18.40.11');
  assert.equal(two, base + '198.18.40.11 apiserver.cluster.local # sealts\n');
  assert.equal(withHostsEntry(two, 'apiserver.cluster.local', undefined), base, "the user's own line stays");
  assert.equal(withHostsEntry('a b', 'x', undefined), 'a b\n');
});
