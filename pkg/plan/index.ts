// What an apply would do: `planApply(cluster, state)` -> ordered steps; `planPhases(steps)` -> runner phases.
export { planApply, stepHosts, type HostIntent, type PlanStep, type StepId } from './plan.js';
export { planPhases, type StepRunners } from './phases.js';
