// The phase runner. A command builds its phase list (pkg/plan), then:
//
//   const session = await Session.start({ command: 'apply', state, output, dryRun, concurrency, debug });
//   const ctx: ApplyContext = { ...session.ctx, cluster, pool };   // ApplyContext extends PhaseContext
//   await session.execute(phases, ctx);   // prints the summary; throws RunFailedError (exit 1/2) on failure
//
// Inside a phase: `await ctx.forEachHost(hosts, async (h) => ...)` fans out under --concurrency and
// records each host's outcome; `ctx.onLine` goes to the SSH pool so every host line lands in
// logs/<run-id>/<host>.log; in dryRun() say what would happen with `ctx.intent(host, text)`.
export { Run, type RunOptions } from './runner.js';
export { RunFailedError, Session, type SessionOptions } from './session.js';
export { hostName, type ForEachHostOptions, type HostRef, type HostResult, type Phase, type PhaseContext } from './types.js';
