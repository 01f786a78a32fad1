// kubeadm's upgrade commands as sealts runs them: a failure after this master's control plane is
// upgraded (the addon check racing the kubelet's mirror pods) is re-run; any earlier failure is not,
// and the error says why in kubeadm's words, not its closing "To see the stack trace" hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecResult, HostExec } from '../../pkg/host/exec.js';
import { HostError } from '../../pkg/errors/errors.js';
import { upgradeApply, upgradeNode } from '../../pkg/runtime/kubeadm/upgrade.js';

const HINT = 'To see the stack trace of this error execute with --v=5 or higher';
const UPGRADED = '[upgrade/staticpods] Component "kube-scheduler" upgraded successfully!\n[upgrade/control-plane] The control plane instance for this node was successfully upgraded!\n';
const MIRROR_RACE: ExecResult = {
  code: 1,
  stdout: UPGRADED,
  stderr: `error: error execution phase addon/coredns: failed to determine whether all the control plane instances have been upgraded: cannot find kube-apiserver image for current control plane instance host-11\n${HINT}\n`,
};
const ROLLED_BACK: ExecResult = {
  code: 1,
  stdout: '[upgrade/staticpods] Waiting for the kubelet to restart the component\n',
  stderr: `error: error execution phase control-plane: couldn't complete the static pod upgrade: static Pod hash for component kube-apiserver on Node host-11 did not change after 5m0s\n${HINT}\n`,
};
const OK: ExecResult = { code: 0, stdout: UPGRADED, stderr: '' };

/** A host whose kubeadm upgrade answers in turn from `upgrades`; plan always succeeds. */
function host(upgrades: ExecResult[]): HostExec & { calls: string[] } {
  const calls: string[] = [];
  return {
    host: '198.18.73.11',
    calls,
    async exec(cmd) {
      calls.push(String(cmd));
      if (String(cmd).startsWith('kubeadm upgrade plan')) return { code: 0, stdout: '', stderr: '' };
      const next = upgrades.shift();
      assert.ok(next, `one kubeadm run too many: ${cmd}`);
      return next;
    },
    upload: async () => assert.fail('an upgrade uploads nothing'),
  };
}

const flags = { patches: true, ignorePreflightErrors: ['SystemVerification'] };
const applies = (h: { calls: string[] }) => h.calls.filter((c) => c.startsWith('kubeadm upgrade apply'));

test('upgrade apply: a failure after the control plane was upgraded is run again until it passes', async () => {
  const h = host([MIRROR_RACE, MIRROR_RACE, OK]);
  await upgradeApply(h, 'v1.37.2', flags, 0);
  assert.equal(h.calls[0], 'kubeadm upgrade plan v1.37.2 --ignore-preflight-errors SystemVerification');
  assert.equal(applies(h).length, 3);
  assert.ok(applies(h).every((c) => c === applies(h)[0]), 'the same command each time');
});

test('upgrade apply: the error says why in kubeadm\'s words once the re-runs are spent', async () => {
  const h = host([MIRROR_RACE, MIRROR_RACE, MIRROR_RACE, MIRROR_RACE]);
  await assert.rejects(upgradeApply(h, 'v1.37.2', flags, 0), (e: unknown) => e instanceof HostError
    && e.message === '198.18.73.11: kubeadm upgrade apply: exit 1: error: error execution phase addon/coredns: failed to determine whether all the control plane instances have been upgraded: cannot find kube-apiserver image for current control plane instance host-11');
  assert.equal(applies(h).length, 4, 'the first run and 3 re-runs');
});

test('upgrade apply and node: a failure before the control plane was upgraded is never re-run', async () => {
  const a = host([ROLLED_BACK]);
  await assert.rejects(upgradeApply(a, 'v1.37.2', flags, 0), /kubeadm upgrade apply: exit 1: error: error execution phase control-plane: couldn't complete the static pod upgrade/);
  assert.equal(applies(a).length, 1);
  const n = host([ROLLED_BACK]);
  await assert.rejects(upgradeNode(n, flags, 0), /kubeadm upgrade node: exit 1: .*did not change after 5m0s$/);
  assert.deepEqual(n.calls, ['kubeadm upgrade node --certificate-renewal=false --patches /etc/sealts/patches --ignore-preflight-errors SystemVerification']);
});
