// `make fleet-up N=5 ID=0` / `make fleet-down ID=0`: the fleet from the command line.
//   npx tsx test/fleet/cli.ts up --n 5 --id 0 [--init tini|systemd]
//   npx tsx test/fleet/cli.ts down --id 0
//   npx tsx test/fleet/cli.ts status --id 0
import { Command, InvalidArgumentError } from 'commander';
import { fleetDown, fleetUp, openFleet, type InitKind } from './index.js';
import { sshBanner } from './host.js';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
}

async function alreadyUp(id: number, n: number, init: string): Promise<boolean> {
  try {
    const fleet = await openFleet(id);
    if (fleet.hosts.length !== n || fleet.init !== init) return false;
    for (const h of fleet.hosts) {
      await fleet.initPid(h); // throws unless the host's tracked launcher is alive
      if (!(await sshBanner(h.ip))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

const program = new Command('fleet').description('emulated SSH host fleet for sealts tests');

program
  .command('up')
  .option('--n <n>', 'number of hosts', int, 5)
  .option('--id <id>', 'fleet id 0..255', int, 0)
  .option('--init <init>', 'tini or systemd', 'tini')
  .option('--force', 'recreate the fleet even if it is already up as asked')
  .action(async (o: { n: number; id: number; init: string; force?: boolean }) => {
    const started = Date.now();
    // Idempotent: a fleet already up with this size and init is kept (its keys stay valid).
    if (!o.force && (await alreadyUp(o.id, o.n, o.init))) {
      console.log(`fleet ${o.id}: already up (${o.n} ${o.init} hosts); --force recreates it`);
      return;
    }
    const fleet = await fleetUp({ id: o.id, n: o.n, init: o.init as InitKind });
    console.log(`fleet ${fleet.id}: ${fleet.hosts.length} ${fleet.init} hosts up in ${Date.now() - started} ms`);
    for (const h of fleet.hosts) console.log(`  ${h.name} ${h.ip}`);
    console.log(`  key: ${fleet.keyPath}\n  known_hosts: ${fleet.knownHostsPath}\n  inventory: ${fleet.stateDir}/inventory.json`);
  });

program
  .command('down')
  .option('--id <id>', 'fleet id 0..255', int, 0)
  .action(async (o: { id: number }) => {
    const started = Date.now();
    await fleetDown(o.id);
    console.log(`fleet ${o.id}: down in ${Date.now() - started} ms`);
  });

program
  .command('status')
  .option('--id <id>', 'fleet id 0..255', int, 0)
  .action(async (o: { id: number }) => {
    const fleet = await openFleet(o.id);
    for (const h of fleet.hosts) console.log(`${h.name} ${h.ip} ssh=${(await sshBanner(h.ip)) ? 'up' : 'down'}`);
  });

program.parseAsync().catch((e: unknown) => {
  console.error(`fleet: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
