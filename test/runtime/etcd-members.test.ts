// The etcd member removal without a fleet: parsing the gateway's member list, choosing the leaving
// master's member (never a staying one's), and the list/remove exchange against a scripted host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostError } from '../../pkg/errors/errors.js';
import { membersOfLeaving, parseMemberList, removeEtcdMember, type EtcdMember } from '../../pkg/runtime/kubeadm/etcd-members.js';
import type { ExecResult, HostExec } from '../../pkg/host/exec.js';
import type { ShellCommand } from '../../pkg/shell/quote.js';

// IDs above 2^53, as etcd's are: they must survive as strings.
const LIST = JSON.stringify({
  header: { cluster_id: '14841639068965178418', member_id: '10276657743932975437', raft_term: '2' },
  members: [
    { ID: '10276657743932975437', name: 'host-11', peerURLs: ['https://198.18.73.11:2380'], clientURLs: ['https://198.18.73.11:2379'] },
    { ID: '18249187646912138824', name: 'host-12', peerURLs: ['https://198.18.73.12:2380'], clientURLs: ['https://198.18.73.12:2379'] },
    { ID: '9372538179322589801', peerURLs: ['https://198.18.73.13:2380'] }, // added, never started: no name
  ],
});
const m1 = { name: 'host-11', ip: '198.18.73.11' };
const m2 = { name: 'host-12', ip: '198.18.73.12' };
const m3 = { name: 'host-13', ip: '198.18.73.13' };

test('parseMemberList keeps uint64 IDs exact and tolerates an unstarted member', () => {
  const ms = parseMemberList(LIST);
  assert.deepEqual(ms.map((m) => m.id), ['10276657743932975437', '18249187646912138824', '9372538179322589801']);
  assert.equal(ms[2]!.name, '');
  assert.deepEqual(ms[2]!.peerURLs, ['https://198.18.73.13:2380']);
  assert.deepEqual(parseMemberList('{"members":[]}'), []);
});

test('parseMemberList refuses what is not a member list (numbers would have lost precision)', () => {
  assert.throws(() => parseMemberList('{"header":{}}'), /no members list/);
  assert.throws(() => parseMemberList('{"members":[{"ID":10276657743932975437,"name":"x"}]}'), /not a decimal string/);
  assert.throws(() => parseMemberList('not json'));
});

test('membersOfLeaving matches by node name or by a peer URL on the IP, and nothing else', () => {
  const ms = parseMemberList(LIST);
  assert.deepEqual(membersOfLeaving(ms, m2, [m1, m3]).map((m) => m.id), ['18249187646912138824']);
  assert.deepEqual(membersOfLeaving(ms, m3, [m1, m2]).map((m) => m.id), ['9372538179322589801'], 'the unnamed member by its peer URL');
  assert.deepEqual(membersOfLeaving(ms, { name: 'renamed', ip: '198.18.73.11' }, [m2]).map((m) => m.id), ['10276657743932975437']);
  assert.deepEqual(membersOfLeaving(ms, { name: 'host-19', ip: '198.18.73.19' }, [m1, m2]), [], 'already gone');
  // 198.18.73.1 is a prefix of .11/.12/.13 but not their address
  assert.deepEqual(membersOfLeaving(ms, { name: 'host-1', ip: '198.18.73.1' }, [m1, m2]), []);
});

test('membersOfLeaving never picks a member that also fits a master that stays', () => {
  const ms: EtcdMember[] = [{ id: '1', name: 'host-12', peerURLs: ['https://198.18.73.11:2380'] }];
  assert.throws(() => membersOfLeaving(ms, { name: 'host-12', ip: '198.18.73.12' }, [m1]), /fits both 198\.18\.73\.12 and 198\.18\.73\.11, which stays/);
});

test('membersOfLeaving reads IPv6 peer URLs', () => {
  const ms: EtcdMember[] = [{ id: '7', name: '', peerURLs: ['https://[fd00::12]:2380'] }];
  assert.deepEqual(membersOfLeaving(ms, { name: 'x', ip: 'fd00::12' }, []).map((m) => m.id), ['7']);
});

/** A host whose curl answers from a script keyed by the gateway path; records each command. */
function scriptedHost(answers: Record<string, ExecResult | ((cmd: string) => ExecResult)>): HostExec & { calls: string[] } {
  const calls: string[] = [];
  return {
    host: '198.18.73.11',
    calls,
    async exec(cmd: ShellCommand) {
      calls.push(cmd);
      const key = Object.keys(answers).find((k) => cmd.includes(k));
      assert.ok(key, `unexpected command ${cmd}`);
      const a = answers[key]!;
      return typeof a === 'function' ? a(cmd) : a;
    },
    upload: async () => assert.fail('member removal uploads nothing'),
  };
}

const ok = (body: string, status = 200): ExecResult => ({ code: 0, stdout: `${body}\n${status}`, stderr: '' });

test('removeEtcdMember removes the leaving member by its ID, with the etcd client certificate', async () => {
  const h = scriptedHost({ '/v3/cluster/member/list': ok(LIST), '/v3/cluster/member/remove': ok('{"members":[]}') });
  assert.deepEqual(await removeEtcdMember(h, m2, [m1, m3]), ['18249187646912138824']);
  assert.equal(h.calls.length, 2);
  assert.match(h.calls[1]!, /'\{"ID":"18249187646912138824"\}'/);
  for (const c of h.calls) {
    assert.match(c, /--cacert \/etc\/kubernetes\/pki\/etcd\/ca\.crt --cert \/etc\/kubernetes\/pki\/apiserver-etcd-client\.crt --key \/etc\/kubernetes\/pki\/apiserver-etcd-client\.key/);
    assert.match(c, /https:\/\/127\.0\.0\.1:2379\/v3\/cluster\/member\//);
  }
});

test('removeEtcdMember: already gone (reset removed it) or removed meanwhile is success', async () => {
  const gone = scriptedHost({ '/v3/cluster/member/list': ok('{"members":[]}') });
  assert.deepEqual(await removeEtcdMember(gone, m2, [m1]), []);
  assert.equal(gone.calls.length, 1, 'no remove call');
  const raced = scriptedHost({ '/v3/cluster/member/list': ok(LIST), '/v3/cluster/member/remove': ok('{"error":"etcdserver: member not found","code":5}', 404) });
  assert.deepEqual(await removeEtcdMember(raced, m2, [m1, m3]), []);
});

test('removeEtcdMember failures are HostErrors naming the master it ran on and the step', async () => {
  const refused = scriptedHost({ '/v3/cluster/member/list': { code: 35, stdout: '', stderr: 'curl: (35) OpenSSL/3.0 alert certificate required' } });
  await assert.rejects(removeEtcdMember(refused, m2, [m1]), (e: unknown) => e instanceof HostError && /^198\.18\.73\.11: etcd member list: curl .*exit 35: curl: \(35\)/.test(e.message));
  const noQuorum = scriptedHost({ '/v3/cluster/member/list': ok(LIST), '/v3/cluster/member/remove': ok('{"error":"etcdserver: unhealthy cluster","code":14}', 503) });
  await assert.rejects(removeEtcdMember(noQuorum, m2, [m1, m3]), (e: unknown) => e instanceof HostError && e.message === '198.18.73.11: etcd member remove 198.18.73.12: HTTP 503: etcdserver: unhealthy cluster');
  const garbage = scriptedHost({ '/v3/cluster/member/list': ok('<html>') });
  await assert.rejects(removeEtcdMember(garbage, m2, [m1]), (e: unknown) => e instanceof HostError && /etcd member list/.test(e.message));
});
