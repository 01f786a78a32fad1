// The one summary of a run: what `-o json` prints (alone) on stdout, and what text mode ends with.
import type { ChalkInstance } from 'chalk';

export type PhaseStatus = 'ok' | 'failed' | 'skipped' | 'not-run';

export interface HostOutcome {
  host: string;
  ok: boolean;
  durationMs: number;
  error?: string;
}

export interface PhaseSummary {
  title: string;
  status: PhaseStatus;
  durationMs: number;
  /** Per-host results of the phase's fan-outs (empty for phases that do not touch hosts one by one). */
  hosts: HostOutcome[];
  /** Dry run: what the phase would do ("host: intent" or a phase-wide line). */
  intents: Array<{ host?: string; text: string }>;
  error?: string;
}

export interface RunSummary {
  command: string;
  cluster?: string;
  runId?: string;
  logDir?: string;
  dryRun: boolean;
  ok: boolean;
  durationMs: number;
  phases: PhaseSummary[];
  /** Every failure, each naming its phase and (when known) its host. */
  errors: Array<{ phase: string; host?: string; message: string }>;
  /** plan: the files apply would write, host IP -> { remote path -> text } (secrets as placeholders). */
  rendered?: Record<string, Record<string, string>>;
}

export function failedHosts(s: RunSummary): string[] {
  return [...new Set(s.errors.flatMap((e) => (e.host ? [e.host] : [])))];
}

export function renderSummaryText(s: RunSummary, c: ChalkInstance): string {
  const lines = s.dryRun ? planLines(s, c) : resultLines(s, c);
  if (s.ok) {
    lines.push(c.green(s.dryRun ? `${s.command}: ${s.phases.filter((p) => p.status === 'ok').length} of ${s.phases.length} phases would run` : `${s.command} finished in ${formatMs(s.durationMs)}`));
  } else {
    lines.push(c.red(`${s.command} failed after ${formatMs(s.durationMs)}:`));
    for (const e of s.errors) lines.push(c.red(`  ${e.host ? `${e.host}: ` : ''}[${e.phase}] ${e.message}`));
  }
  if (s.logDir) lines.push(c.dim(`logs: ${s.logDir}`));
  return lines.join('\n') + '\n';
}

/** A dry run reads as a plan: each phase, then what it would do per host. */
function planLines(s: RunSummary, c: ChalkInstance): string[] {
  const lines: string[] = [];
  for (const [i, p] of s.phases.entries()) {
    const n = `${i + 1}.`.padEnd(4);
    if (p.status === 'skipped') {
      lines.push(c.dim(`${n}${p.title}: nothing to do`));
      continue;
    }
    lines.push(`${n}${c.bold(p.title)}${p.status === 'failed' ? c.red(' FAILED') : ''}`);
    for (const it of p.intents) lines.push(`    ${it.host ? `${it.host}: ` : ''}${it.text}`);
  }
  return lines;
}

/** A real run: one status line per phase. */
function resultLines(s: RunSummary, c: ChalkInstance): string[] {
  return s.phases.map((p) => {
    const mark =
      p.status === 'ok' ? c.green('ok     ') : p.status === 'failed' ? c.red('FAILED ') : p.status === 'skipped' ? c.dim('skipped') : c.dim('not run');
    return `${mark} ${p.title}${p.status === 'ok' || p.status === 'failed' ? c.dim(` (${formatMs(p.durationMs)})`) : ''}`;
  });
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
