// A plan as runnable phases: the dry run reports each step's intents through the same runner as apply.
// `run` is bound by the apply engine (pkg/runtime) per step id; unbound steps refuse to run.
import { NotImplementedError } from '../errors/errors.js';
import type { Phase, PhaseContext } from '../phase/types.js';
import type { PlanStep, StepId } from './plan.js';

export type StepRunners<C extends PhaseContext> = Partial<Record<StepId, (ctx: C, step: PlanStep) => Promise<void>>>;

export function planPhases<C extends PhaseContext>(steps: readonly PlanStep[], runners: StepRunners<C> = {}): Array<Phase<C>> {
  return steps.map((s) => ({
    title: s.title,
    shouldRun: () => s.needed,
    dryRun: (ctx: C) => {
      if (s.local) ctx.intent(undefined, s.local);
      for (const h of s.hosts) ctx.intent(h.host, h.intent);
    },
    run: async (ctx: C) => {
      const runner = runners[s.id];
      if (!runner) throw new NotImplementedError(`phase ${s.title}`);
      await runner(ctx, s);
    },
  }));
}
