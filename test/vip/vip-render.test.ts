import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseVipMode, HEALTH_FUNCTIONS, IPVS_LINK, IPVS_SCRIPT_TEXT, renderApplyScript, renderTargets, renderUnit, vipCurrent, withHostsEntry } from '../../pkg/vip/index.js';
import { APPLY_SCRIPT, IPTABLES_UNIT } from '../../pkg/vip/iptables.js';
import { IPVS_SCRIPT } from '../../pkg/vip/ipvs.js';
import { UNIT_FILE, UNIT_NAME } from '../../pkg/vip/watch.js';
import { and, or, sh } from '../../pkg/shell/quote.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const t = { vip: '198.18.40.200', port: 6443, masters: ['198.18.40.11', '198.18.40.12', '198.18.40.13'] };

/** The rules the node's script renders for these masters (it runs here with sh, as on a node). */
function renderRules(masters: readonly string[]): string {
  return execFileSync('sh', ['-c', renderApplyScript(t), 'vip-iptables.sh', 'rules', ...masters], { encoding: 'utf8' });
}

test('iptables rules spread VIP:6443 evenly over the masters; last rule catches the rest', () => {
  const rules = renderRules(t.masters).split('\n');
  assert.deepEqual(rules.slice(0, 2), ['*nat', ':SEALTS-VIP - [0:0]']);
  assert.equal(rules[2], '-A SEALTS-VIP -d 198.18.40.200/32 -p tcp --dport 6443 -m statistic --mode random --probability 0.33333 -j DNAT --to-destination 198.18.40.11:6443');
  assert.equal(rules[3], '-A SEALTS-VIP -d 198.18.40.200/32 -p tcp --dport 6443 -m statistic --mode random --probability 0.50000 -j DNAT --to-destination 198.18.40.12:6443');
  assert.equal(rules[4], '-A SEALTS-VIP -d 198.18.40.200/32 -p tcp --dport 6443 -j DNAT --to-destination 198.18.40.13:6443');
  assert.equal(rules[5], 'COMMIT');
  // a master that stopped answering is left out: the one left takes everything
  assert.deepEqual(renderRules([t.masters[1]!]).split('\n').slice(2, 3), ['-A SEALTS-VIP -d 198.18.40.200/32 -p tcp --dport 6443 -j DNAT --to-destination 198.18.40.12:6443']);
  assert.throws(() => renderApplyScript({ ...t, masters: [] }), /no masters/);
});

test('the script hooks OUTPUT and PREROUTING only when missing, and its values are quoted', () => {
  const s = renderApplyScript(t);
  assert.match(s, /hooked\(\) \{ iptables -w -t nat -C "\$1" -d "\$VIP\/32" -p tcp --dport "\$PORT" -j "\$CHAIN" 2>\/dev\/null; \}/);
  assert.match(s, /hook\(\) \{ hooked "\$1" \|\| iptables -w -t nat -I "\$1" 1/);
  // each watch round also loads the rules again when a hook went missing (a flushed nat table)
  assert.match(s, /if \{ \[ "\$\*" != "\$cur" \] \|\| ! hooked OUTPUT \|\| ! hooked PREROUTING; \} && load "\$@"/);
  assert.match(s, /hook OUTPUT && hook PREROUTING/);
  // each watch round, the VIP connections to the masters left out are forgotten (the fleet test moves them)
  assert.match(s, /load "\$@"; then cur="\$\*"; echo "sealts-vip: \$VIP:\$PORT -> \$cur"; fi; \[ -z "\$cur" \] \|\| forget \$cur;/);
  assert.match(s, /conntrack -D -p tcp --orig-dst "\$VIP" --dport "\$PORT" --reply-src "\$m"/);
  assert.match(s, /^MASTERS='198.18.40.11 198.18.40.12 198.18.40.13'$/m);
});

test('the watch leaves a master out after 3 failed rounds in a row, takes it back on its first answer, and fails open', () => {
  // `alive` scripted per round: the words of round i are the masters that answer in it.
  const rounds = ['a b c', 'a c', 'a c', 'a b c', 'a c', 'a c', 'a c', 'a c', 'a b c', '', '', '', ''];
  const script = [
    String(HEALTH_FUNCTIONS),
    'MASTERS="a b c" round=0',
    'alive() { eval "answering=\\$r$round"; case " $answering " in *" $1 "*) return 0 ;; esac; return 1; }',
    ...rounds.map((r, i) => `r${i}=${JSON.stringify(r)}`),
    `while [ "$round" -lt ${rounds.length} ]; do healthy; echo "$UP" | xargs; round=$((round + 1)); done`,
  ].join('\n');
  const up = execFileSync('sh', ['-c', script], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(up, [
    'a b c', 'a b c', 'a b c', // two failed rounds: b stays in
    'a b c', 'a b c', 'a b c', // its answer reset the count
    'a c', 'a c', // the third failed round in a row leaves it out
    'a b c', // one answer brings it back
    'a b c', 'a b c', 'a b c', // no master answers: all of them stay (fail open)
    'a b c',
  ]);
});

test('a node runs this VIP when its facts show the mode\'s files as setup writes them, the unit active and the hosts line', () => {
  const sha = (c: string) => createHash('sha256').update(c).digest('hex');
  const want = { mode: 'iptables', ...t } as const;
  const current = {
    fileSums: { [APPLY_SCRIPT]: sha(renderApplyScript(t)), [UNIT_FILE]: sha(IPTABLES_UNIT) },
    activeUnits: [UNIT_NAME],
    hostsEntries: ['198.18.40.200 apiserver.cluster.local # sealts'],
  };
  assert.ok(vipCurrent(current, want));
  assert.equal(vipCurrent({ ...current, activeUnits: [] }, want), false, 'unit not active');
  assert.equal(vipCurrent({ ...current, fileSums: { ...current.fileSums, [APPLY_SCRIPT]: sha('edited') } }, want), false, 'script changed');
  assert.equal(vipCurrent({ ...current, fileSums: { [APPLY_SCRIPT]: current.fileSums[APPLY_SCRIPT]! } }, want), false, 'no unit file');
  assert.equal(vipCurrent({ ...current, fileSums: { ...current.fileSums, [IPVS_SCRIPT]: sha('x') } }, want), false, "the other mode's file is still there");
  assert.equal(vipCurrent(current, { ...want, masters: t.masters.slice(1) }), false, 'masters changed');
  assert.equal(vipCurrent({ ...current, hostsEntries: [] }, want), false, 'no hosts line');
  assert.equal(vipCurrent({ ...current, hostsEntries: ['198.18.40.201 apiserver.cluster.local # sealts'] }, want), false, 'hosts line on another address');
  assert.equal(vipCurrent({ ...current, hostsEntries: [...current.hostsEntries, ...current.hostsEntries] }, want), false, 'two lines');
});

// ipvs mode runs against test/vip's ipvsadm and ip stand-ins (this kernel has neither ip_vs nor
// dummy links), locally: the ip stand-in refuses, rather than passes to the real ip, anything it
// does not handle, so nothing here touches the machine's network.
async function standinBin(): Promise<{ dir: string; env: NodeJS.ProcessEnv; calls(): string[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-ipvs-'));
  await mkdir(path.join(dir, 'bin'));
  for (const [name, file] of [['ipvsadm', 'ipvsadm-standin'], ['ip', 'ip-standin']] as const) await copyFile(path.join(HERE, file), path.join(dir, 'bin', name));
  const env = { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, SEALTS_STANDIN_NET_DIR: path.join(dir, 'state'), SEALTS_STANDIN_NO_REAL_IP: '1' };
  const calls = () => readFileSync(path.join(dir, 'state', 'calls.log'), 'utf8').trim().split('\n');
  return { dir, env, calls };
}

function run(argv: string[], env: NodeJS.ProcessEnv): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('ipvs: the script and the unit are constants; the values go in the targets file, one a line', () => {
  for (const v of [t.vip, ...t.masters]) assert.ok(!IPVS_SCRIPT_TEXT.includes(v));
  assert.equal(renderTargets(t), '198.18.40.200\n6443\n198.18.40.11\n198.18.40.12\n198.18.40.13\n');
  assert.throws(() => renderTargets({ ...t, masters: [] }), /no masters/);
  assert.throws(() => renderTargets({ ...t, masters: ['198.18.40.11\n198.18.40.66'] }), /not an address/);
  assert.throws(() => renderTargets({ ...t, vip: '$(reboot)' }), /not an address/);
  const unit = renderUnit('x', '/etc/sealts/vip-ipvs.sh', ['/etc/sealts/vip-ipvs.targets']);
  assert.match(unit, /^ExecStartPre=\/bin\/sh \/etc\/sealts\/vip-ipvs.sh once \/etc\/sealts\/vip-ipvs.targets$/m);
  assert.match(unit, /^ExecStart=\/bin\/sh \/etc\/sealts\/vip-ipvs.sh watch \/etc\/sealts\/vip-ipvs.targets$/m);
  assert.throws(() => renderUnit('x', '/etc/sealts/vip ipvs.sh'), /not a plain path/);
});

test('the ipvsadm stand-in checks its arguments like ipvsadm and lists what was added', async () => {
  const s = await standinBin();
  try {
    const ipvsadm = (...a: string[]) => run(['ipvsadm', ...a], s.env);
    for (const bad of [
      ['-A', '-t', '198.18.40.200'], // no port
      ['-A', '-t', '198.18.40.300:6443'],
      ['-A', '-t', '198.18.40.200:6443', '-m'], // -m is for real servers
      ['-a', '-t', '198.18.40.200:6443'], // no -r
      ['-a', '-t', '198.18.40.200:6443', '-r', '198.18.40.11:6443', '-m', '-g'],
      ['-A', '-D', '-t', '198.18.40.200:6443'],
      ['-A', '-t', '198.18.40.200:6443', '-s', 'fastest'],
      ['-t', '198.18.40.200:6443'],
    ]) {
      assert.equal(ipvsadm(...bad).code, 2, bad.join(' '));
    }
    assert.equal(ipvsadm('-a', '-t', '198.18.40.200:6443', '-r', '198.18.40.11:6443', '-m').code, 1, 'no such service yet');
    assert.equal(ipvsadm('-A', '-t', '198.18.40.200:6443', '-s', 'rr').code, 0);
    assert.match(ipvsadm('-A', '-t', '198.18.40.200:6443', '-s', 'rr').stderr, /Service already exists/);
    assert.equal(ipvsadm('-a', '-t', '198.18.40.200:6443', '-r', '198.18.40.11:6443', '-m').code, 0);
    const list = ipvsadm('-L', '-n', '-t', '198.18.40.200:6443');
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^TCP {2}198\.18\.40\.200:6443 rr\n {2}-> 198\.18\.40\.11:6443 +Masq +1 /m);
    assert.equal(ipvsadm('-d', '-t', '198.18.40.200:6443', '-r', '198.18.40.12:6443').code, 1, 'no such destination');
    assert.equal(ipvsadm('-C').code, 0);
    assert.equal(ipvsadm('-L', '-n', '-t', '198.18.40.200:6443').code, 1);
    assert.ok(s.calls().every((l) => /^ipvsadm .* => \d+$/.test(l)));
    assert.equal(run(['ip', 'route', 'show'], s.env).code, 2, 'the ip stand-in does not pass other commands to the real ip here');
  } finally {
    await rm(s.dir, { recursive: true, force: true });
  }
});

test('ipvs script once: the VIP on the dummy link, every master a real server; re-run changes nothing; new masters before old go', async () => {
  const s = await standinBin();
  try {
    const script = path.join(s.dir, 'vip-ipvs.sh');
    const targets = path.join(s.dir, 'targets');
    writeFileSync(script, IPVS_SCRIPT_TEXT);
    const once = (masters: string[]) => {
      writeFileSync(targets, renderTargets({ ...t, masters }));
      const r = run(['sh', script, 'once', targets], s.env);
      assert.equal(r.code, 0, r.stderr);
    };
    once(t.masters);
    const reals = () => [...run(['ipvsadm', '-L', '-n', '-t', '198.18.40.200:6443'], s.env).stdout.matchAll(/-> (\d\S+) +Masq/g)].map((m) => m[1]);
    assert.deepEqual(reals(), t.masters.map((m) => `${m}:6443`));
    assert.match(run(['ip', '-4', '-o', 'addr', 'show', 'dev', IPVS_LINK], s.env).stdout, / inet 198\.18\.40\.200\/32 /);
    assert.match(run(['ip', 'link', 'show', IPVS_LINK], s.env).stdout, /<BROADCAST,NOARP,UP,LOWER_UP>/);
    assert.ok(s.calls().includes('ipvsadm -A -t 198.18.40.200:6443 -s rr => 0'));

    const before = s.calls().length;
    once(t.masters);
    assert.deepEqual(s.calls().slice(before).filter((l) => !/ -L | show /.test(l)), [], 'nothing added or removed');

    const mark = s.calls().length;
    once(['198.18.40.12', '198.18.40.13', '198.18.40.14']);
    assert.deepEqual(reals(), ['198.18.40.12:6443', '198.18.40.13:6443', '198.18.40.14:6443']);
    const changes = s.calls().slice(mark).filter((l) => / -[ad] /.test(l));
    assert.deepEqual(changes, ['ipvsadm -a -t 198.18.40.200:6443 -r 198.18.40.14:6443 -m => 0', 'ipvsadm -d -t 198.18.40.200:6443 -r 198.18.40.11:6443 => 0']);

    assert.equal(run(['sh', script, 'sync', targets], s.env).code, 2, 'usage');
    writeFileSync(targets, '198.18.40.200\n6443\n');
    assert.match(run(['sh', script, 'once', targets], s.env).stderr, /no masters/);
  } finally {
    await rm(s.dir, { recursive: true, force: true });
  }
});

test('the VIP mode from the node\'s facts: auto takes ipvs only with ip_vs and ipvsadm; an explicit ipvs without them is refused', () => {
  assert.deepEqual(chooseVipMode('auto', { ipvs: true, ipvsadm: true }), { mode: 'ipvs', reason: 'auto: the kernel has ip_vs and ipvsadm is installed' });
  assert.deepEqual(chooseVipMode('auto', { ipvs: true, ipvsadm: false }), { mode: 'iptables', reason: 'auto: the node lacks ipvsadm, using iptables DNAT' });
  assert.equal(chooseVipMode('auto', { ipvs: false, ipvsadm: false }).reason, 'auto: the node lacks the ip_vs kernel module and ipvsadm, using iptables DNAT');
  assert.equal(chooseVipMode('ipvs', { ipvs: true, ipvsadm: true }).problem, undefined);
  assert.match(chooseVipMode('ipvs', { ipvs: false, ipvsadm: true }).problem!, /^vip\.mode ipvs: the node lacks the ip_vs kernel module; install it there, or use vip\.mode iptables/);
  assert.deepEqual(chooseVipMode('iptables', { ipvs: true, ipvsadm: true }), { mode: 'iptables', reason: 'vip.mode is iptables in the Clusterfile' });
});

test('a failing setup step is not swallowed by a later or()', () => {
  const seq = and(sh(['false']), or(sh(['true']), sh(['true'])));
  assert.notEqual(spawnSync('sh', ['-c', seq]).status, 0);
  assert.equal(spawnSync('sh', ['-c', and(or(sh(['false']), sh(['true'])), sh(['true']))]).status, 0);
});

test('hosts entries: set, replace, remove only sealts lines', () => {
  const base = '127.0.0.1 localhost\n10.0.0.5 apiserver.cluster.local\n';
  const one = withHostsEntry(base, 'apiserver.cluster.local', '198.18.40.200');
  assert.equal(one, base + '198.18.40.200 apiserver.cluster.local # sealts\n');
  const two = withHostsEntry(one, 'apiserver.cluster.local', '198.18.40.11');
  assert.equal(two, base + '198.18.40.11 apiserver.cluster.local # sealts\n');
  assert.equal(withHostsEntry(two, 'apiserver.cluster.local', undefined), base, "the user's own line stays");
  assert.equal(withHostsEntry('a b', 'x', undefined), 'a b\n');
});
