// What the `exec` and `cp` commands use: host selection, prompts and the fan-out runners.
export { parseRoles, passwordFromEnv, selectTargets, type HostSelection, type Selected } from './adhoc.js';
export { promptSecret } from './prompt.js';
export { copyToHosts, execOnHosts, type AdhocSettings, type CopyReport, type ExecReport } from './adhoc-run.js';
