import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { HostError } from '../../pkg/errors/errors.js';
import { createProgress, HostLogs } from '../../pkg/output/index.js';
import { Run, RunFailedError, Session, type Phase, type PhaseContext } from '../../pkg/phase/index.js';
import { openState } from '../../pkg/state/index.js';

const silent = await createProgress({ silent: true });
const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ ip: `198.18.50.${11 + i}` }));

function newRun(over: Partial<ConstructorParameters<typeof Run>[0]> = {}): Run {
  return new Run({ command: 'test', dryRun: false, concurrency: 4, progress: silent, ...over });
}

/** A phase that records run/dryRun calls into `calls`. */
function recorder(title: string, calls: string[], over: Partial<Phase> = {}): Phase {
  return {
    title,
    run: async () => {
      calls.push(`run:${title}`);
    },
    dryRun: () => {
      calls.push(`dry:${title}`);
    },
    ...over,
  };
}

/** Captures what a stream receives. */
function capture(): PassThrough & { text(): string } {
  const s = new PassThrough() as PassThrough & { text(): string };
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.text = () => Buffer.concat(chunks).toString('utf8');
  return s;
}

describe('phase runner', () => {
  it('runs phases in order and skips those whose shouldRun is false', async () => {
    const calls: string[] = [];
    const run = newRun();
    const summary = await run.execute(
      [recorder('a', calls), recorder('b', calls, { shouldRun: () => false }), recorder('c', calls, { shouldRun: async () => true })],
      run.ctx,
    );
    assert.deepEqual(calls, ['run:a', 'run:c']);
    assert.deepEqual(
      summary.phases.map((p) => [p.title, p.status]),
      [['a', 'ok'], ['b', 'skipped'], ['c', 'ok']],
    );
    assert.equal(summary.ok, true);
  });

  it('dry run calls dryRun, never run, and records intents', async () => {
    const calls: string[] = [];
    const run = newRun({ dryRun: true });
    const intents: Phase = {
      title: 'say',
      run: async () => assert.fail('run must not be called in a dry run'),
      dryRun: (ctx) => ctx.intent('198.18.50.11', 'would do a thing'),
    };
    const summary = await run.execute([recorder('a', calls), intents, recorder('b', calls)], run.ctx);
    assert.deepEqual(calls, ['dry:a', 'dry:b']);
    assert.deepEqual(summary.phases[1]?.intents, [{ host: '198.18.50.11', text: 'would do a thing' }]);
    assert.equal(summary.dryRun, true);
  });

  it('stops at the first failed phase; later phases are not run', async () => {
    const calls: string[] = [];
    const run = newRun();
    const boom: Phase = { title: 'boom', run: async () => Promise.reject(new Error('kaput')), dryRun: () => {} };
    const summary = await run.execute([recorder('a', calls), boom, recorder('c', calls)], run.ctx);
    assert.deepEqual(calls, ['run:a']);
    assert.deepEqual(summary.phases.map((p) => p.status), ['ok', 'failed', 'not-run']);
    assert.deepEqual(summary.errors, [{ phase: 'boom', message: 'kaput' }]);
    assert.equal(summary.ok, false);
  });

  for (const limit of [1, 3, 7]) {
    it(`forEachHost never has more than --concurrency ${limit} hosts in flight`, async () => {
      const run = newRun({ concurrency: limit });
      let inFlight = 0;
      let max = 0;
      const seen: string[] = [];
      const phase: Phase = {
        title: 'fan',
        dryRun: () => {},
        run: async (ctx) => {
          await ctx.forEachHost(hosts(12), async (h) => {
            inFlight++;
            max = Math.max(max, inFlight);
            await sleep(15);
            seen.push(h.ip);
            inFlight--;
          });
        },
      };
      const summary = await run.execute([phase], run.ctx);
      assert.equal(max, limit);
      assert.equal(seen.length, 12);
      assert.equal(summary.phases[0]?.hosts.length, 12);
    });
  }

  it('one failing host does not stop the others; the phase fails naming each failed host', async () => {
    const run = newRun({ concurrency: 2 });
    const done: string[] = [];
    const phase: Phase = {
      title: 'Join nodes',
      dryRun: () => {},
      run: async (ctx) => {
        await ctx.forEachHost(hosts(5), async (h) => {
          await sleep(5);
          if (h.ip.endsWith('.12')) throw new HostError(h.ip, 'kubeadm join', 'token expired');
          if (h.ip.endsWith('.14')) throw new Error('connection reset');
          done.push(h.ip);
        });
      },
    };
    const summary = await run.execute([phase], run.ctx);
    assert.deepEqual(done.sort(), ['198.18.50.11', '198.18.50.13', '198.18.50.15']);
    assert.equal(summary.ok, false);
    assert.deepEqual(summary.errors, [
      { phase: 'Join nodes', host: '198.18.50.12', message: 'kubeadm join: token expired' },
      { phase: 'Join nodes', host: '198.18.50.14', message: 'connection reset' },
    ]);
    assert.deepEqual(summary.phases[0]?.hosts.filter((h) => !h.ok).map((h) => h.host), ['198.18.50.12', '198.18.50.14']);
  });

  it('failFast stops starting queued hosts; tolerateFailures returns failures instead of throwing', async () => {
    const run = newRun({ concurrency: 1 });
    const started: string[] = [];
    const results: Array<{ name: string; ok: boolean }> = [];
    const phase: Phase = {
      title: 'p',
      dryRun: () => {},
      run: async (ctx) => {
        await assert.rejects(
          ctx.forEachHost(
            hosts(4),
            async (h) => {
              started.push(h.ip);
              throw new Error('no');
            },
            { failFast: true },
          ),
          /1 host\(s\) failed: 198\.18\.50\.11: no/,
        );
        const r = await ctx.forEachHost(hosts(2), async (h) => (h.ip.endsWith('.11') ? 'fine' : Promise.reject(new Error('bad'))), { tolerateFailures: true });
        results.push(...r.map((x) => ({ name: x.name, ok: x.ok })));
      },
    };
    const summary = await run.execute([phase], run.ctx);
    assert.deepEqual(started, ['198.18.50.11']);
    assert.deepEqual(results, [
      { name: '198.18.50.11', ok: true },
      { name: '198.18.50.12', ok: false },
    ]);
    assert.equal(summary.ok, true);
  });

  it('every host line from onLine lands in that host\'s log file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealts-logs-'));
    try {
      const logs = new HostLogs(dir);
      const run = newRun({ hostLogs: logs });
      const phase: Phase = {
        title: 'Connect',
        dryRun: () => {},
        run: async (ctx) => {
          await ctx.forEachHost(hosts(2), async (h) => {
            ctx.onLine(h.ip, 'cmd', `hostname # on ${h.ip}`);
            ctx.onLine(h.ip, 'stdout', `out-${h.ip}`);
          });
        },
      };
      await run.execute([phase], run.ctx);
      await logs.close();
      const log11 = await readFile(join(dir, '198.18.50.11.log'), 'utf8');
      assert.match(log11, /^\d{4}-\d\d-\d\dT[\d:.]+Z info   phase Connect: start$/m);
      assert.match(log11, /Z cmd    hostname # on 198\.18\.50\.11$/m);
      assert.match(log11, /Z stdout out-198\.18\.50\.11$/m);
      assert.match(log11, /Z info   phase Connect: ok$/m);
      assert.doesNotMatch(log11, /198\.18\.50\.12/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an interrupt stops the running phase even right after a quick one (its hosts named), and starts nothing after', async () => {
    const calls: string[] = [];
    const run = newRun();
    const hold: Phase = {
      title: 'Hold',
      dryRun: () => {},
      run: async (ctx) => {
        await ctx.forEachHost(hosts(2), () => new Promise<void>(() => {}));
      },
    };
    // 'Quick' ends with no await between it and 'Hold': the interrupt must still reach 'Hold'.
    const done = run.execute([recorder('Quick', calls), hold, recorder('After', calls)], run.ctx);
    await sleep(50);
    const e = run.interrupt('SIGTERM');
    const summary = await done;
    assert.equal(e.exitCode, 143);
    assert.equal(summary.ok, false);
    assert.deepEqual(calls, ['run:Quick']);
    assert.deepEqual(summary.errors, [{ phase: 'Hold', message: 'interrupted by SIGTERM during "Hold" on 198.18.50.11, 198.18.50.12' }]);
    assert.deepEqual(summary.phases.map((p) => p.status), ['ok', 'failed', 'not-run']);
  });

  it('a context spread into a command context keeps working (methods survive the spread)', async () => {
    interface MyCtx extends PhaseContext {
      extra: string;
    }
    const run = newRun();
    const ctx: MyCtx = { ...run.ctx, extra: 'x' };
    let got = '';
    const phase: Phase<MyCtx> = {
      title: 'p',
      dryRun: () => {},
      run: async (c) => {
        await c.forEachHost(hosts(1), async () => {
          got = c.extra;
        });
      },
    };
    const s = await run.execute([phase], ctx);
    assert.equal(got, 'x');
    assert.equal(s.phases[0]?.hosts.length, 1);
  });
});

describe('session output', () => {
  let home: string;
  const saved = process.env.SEALTS_HOME;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'sealts-session-'));
    process.env.SEALTS_HOME = home;
  });
  after(async () => {
    if (saved === undefined) delete process.env.SEALTS_HOME;
    else process.env.SEALTS_HOME = saved;
    await rm(home, { recursive: true, force: true });
  });

  const fanOut = (fail: string[]): Phase => ({
    title: 'Work',
    dryRun: () => {},
    run: async (ctx) => {
      await ctx.forEachHost(hosts(3), async (h) => {
        ctx.info(`working on ${h.ip}`);
        ctx.onLine(h.ip, 'stdout', 'chatter that must not reach stdout');
        if (fail.includes(h.ip)) throw new Error(`disk full on ${h.ip}`);
      });
    },
  });

  it('-o json prints exactly one JSON document on stdout and nothing else; progress goes to stderr', async () => {
    const stdout = capture();
    const stderr = capture();
    const session = await Session.start({ command: 'apply', state: openState('jsonc'), output: 'json', dryRun: false, concurrency: 2, debug: true, stdout, stderr });
    const summary = await session.execute([fanOut([])], session.ctx);
    stdout.end();
    const parsed = JSON.parse(stdout.text());
    assert.deepEqual(parsed, JSON.parse(JSON.stringify(summary)));
    assert.equal(parsed.ok, true);
    assert.equal(parsed.cluster, 'jsonc');
    assert.equal(parsed.phases[0].hosts.length, 3);
    assert.equal(typeof parsed.durationMs, 'number');
    assert.match(stderr.text(), /working on 198\.18\.50\.11/);
    assert.match(stderr.text(), /chatter that must not reach stdout/); // --debug echoes host lines to stderr
    assert.ok(parsed.logDir.startsWith(join(home, 'jsonc', 'logs')));
    assert.match(await readFile(join(parsed.logDir, '198.18.50.13.log'), 'utf8'), /stdout chatter/);
  });

  it('a failed host: one JSON document with each failed host named, RunFailedError with exit code 1', async () => {
    const stdout = capture();
    const session = await Session.start({ command: 'apply', state: openState('failing'), output: 'json', dryRun: false, concurrency: 3, debug: false, stdout, stderr: capture() });
    await assert.rejects(session.execute([fanOut(['198.18.50.11', '198.18.50.13'])], session.ctx), (e: unknown) => {
      assert.ok(e instanceof RunFailedError);
      assert.equal(e.exitCode, 1);
      assert.equal(e.message, 'apply failed on 2 host(s): 198.18.50.11: disk full on 198.18.50.11; 198.18.50.13: disk full on 198.18.50.13');
      return true;
    });
    stdout.end();
    const parsed = JSON.parse(stdout.text());
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.errors.map((e: { host: string }) => e.host), ['198.18.50.11', '198.18.50.13']);
  });

  it('text output ends with a summary naming each failed host, without colour when not a TTY', async () => {
    const stdout = capture();
    const session = await Session.start({ command: 'apply', output: 'text', dryRun: false, concurrency: 3, debug: false, stdout, stderr: capture() });
    await assert.rejects(session.execute([fanOut(['198.18.50.12'])], session.ctx), RunFailedError);
    stdout.end();
    const text = stdout.text();
    assert.match(text, /^FAILED  Work \(\d+ms\)$/m);
    assert.match(text, /^ {2}198\.18\.50\.12: \[Work\] disk full on 198\.18\.50\.12$/m);
    assert.doesNotMatch(text, /\x1b\[/);
  });
});
