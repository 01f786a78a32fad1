// The fleet's network: a bridge in the machine's namespace, a netns + veth pair per host.
// Nothing is routed out: forwarding stays as the machine has it (off; never enabled here) and
// FORWARD rules drop anything entering or leaving the bridge towards another interface.
import { readFile } from 'node:fs/promises';
import { must, run } from './exec.js';
import { bridgeIp, bridgeName, netnsName, vethName } from './layout.js';

export interface HostNet {
  name: string;
  ip: string;
  octet: number;
}

function dropRules(id: number): string[][] {
  const br = bridgeName(id);
  const tag = ['-m', 'comment', '--comment', `sealts-fleet-${id}`, '-j', 'DROP'];
  return [
    ['FORWARD', '-i', br, '!', '-o', br, ...tag],
    ['FORWARD', '-o', br, '!', '-i', br, ...tag],
  ];
}

/** The fleet must never become a path off this machine: forwarding is never enabled here, and said loudly if found on. */
export async function warnIfForwarding(): Promise<void> {
  const v4 = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
  if (v4 !== '0') {
    // Not fatal: the DROP rules below still stop fleet traffic, but say so loudly.
    process.stderr.write('fleet: warning: net.ipv4.ip_forward is on in the machine namespace; fleet traffic is still dropped by FORWARD rules\n');
  }
}

export async function createBridge(id: number): Promise<void> {
  const br = bridgeName(id);
  await must(['ip', '-batch', '-'], {
    input: [`link add ${br} type bridge`, `addr add ${bridgeIp(id)}/24 dev ${br}`, `link set ${br} up`].join('\n') + '\n',
  });
  // IPv6 is not part of the fleet; no link-local chatter, nothing to route.
  await run(['sysctl', '-q', '-w', `net.ipv6.conf.${br}.disable_ipv6=1`]);
  for (const rule of dropRules(id)) await must(['iptables', '-w', '-I', ...rule]);
}

export async function removeBridge(id: number): Promise<void> {
  for (const rule of dropRules(id)) {
    // -D removes one copy; repeat until none is left (a crashed `up` may have inserted twice).
    while ((await run(['iptables', '-w', '-D', ...rule])).code === 0);
  }
  await run(['ip', 'link', 'del', bridgeName(id)]);
}

/** Creates every host's netns and veth pair with two `ip -batch` runs in total plus one per host. */
export async function createHostLinks(id: number, hosts: readonly HostNet[]): Promise<void> {
  const br = bridgeName(id);
  const outer = hosts.flatMap((h) => [
    `netns add ${netnsName(id, h.name)}`,
    `link add ${vethName(id, h.octet)} type veth peer name eth0 netns ${netnsName(id, h.name)}`,
    `link set ${vethName(id, h.octet)} master ${br} up`,
  ]);
  await must(['ip', '-batch', '-'], { input: outer.join('\n') + '\n' });
  await Promise.all(
    hosts.map((h) =>
      must(['ip', '-n', netnsName(id, h.name), '-batch', '-'], {
        input: [
          'link set lo up',
          `addr add ${h.ip}/24 dev eth0`,
          'link set eth0 up',
          `route add default via ${bridgeIp(id)}`,
        ].join('\n') + '\n',
      }),
    ),
  );
}

export async function linkDown(id: number, h: HostNet): Promise<void> {
  await must(['ip', 'link', 'set', vethName(id, h.octet), 'down']);
}

export async function linkUp(id: number, h: HostNet): Promise<void> {
  await must(['ip', 'link', 'set', vethName(id, h.octet), 'up']);
}

/**
 * Token-bucket limit on both directions of a host's link: the outer veth end shapes traffic to the
 * host, the host's eth0 shapes traffic from it. kbit <= 0 clears the limit.
 */
export async function rateLimit(id: number, h: HostNet, kbit: number): Promise<void> {
  const devices: string[][] = [
    ['tc', 'qdisc', '{verb}', 'dev', vethName(id, h.octet), 'root'],
    ['tc', '-n', netnsName(id, h.name), 'qdisc', '{verb}', 'dev', 'eth0', 'root'],
  ];
  const withVerb = (argv: string[], verb: string): string[] => argv.map((a) => (a === '{verb}' ? verb : a));
  for (const dev of devices) {
    if (kbit <= 0) {
      await run(withVerb(dev, 'del')); // fails harmlessly when there is no limit
      continue;
    }
    // burst: at least a few full-size packets, so even small rates pass data smoothly.
    const burst = Math.max(4096, Math.ceil((kbit * 1000) / 8 / 100));
    await must([...withVerb(dev, 'replace'), 'tbf', 'rate', `${kbit}kbit`, 'burst', String(burst), 'latency', '400ms']);
  }
}
