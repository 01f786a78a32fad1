// What a run does, decided from the hosts' facts: `decide(cluster, observed)` -> Plan (pure).
export { decide, refuseOn, sha256Hex, type Facts, type Observed, type Plan, type Problem } from './plan.js';
export { rolloutOf, type Rollout } from './rollout.js';
export { preflightProblems } from './preflight.js';
