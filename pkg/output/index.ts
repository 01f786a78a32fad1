// Everything a run shows or records: progress on stderr, per-host log files, the final summary.
export { OUTPUT_FORMATS, type OutputFormat } from './format.js';
export { chalkFor, wantsColor, type StreamLike } from './color.js';
export { HostLogs, type LogKind } from './host-logs.js';
export { createProgress, PlainProgress, SilentProgress, type Progress, type ProgressOptions } from './progress.js';
export {
  failedHosts,
  formatMs,
  renderSummaryText,
  type HostOutcome,
  type PhaseStatus,
  type PhaseSummary,
  type RunSummary,
} from './summary.js';
export { confirm, type ConfirmOptions } from './confirm.js';
