// logs/<run-id>/<host>.log: every command sent to a host and every line it printed, timestamped.
// Lines arrive already redacted from pkg/ssh; they are redacted again here because phases log too.
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../secret/secret.js';

export type LogKind = 'cmd' | 'exit' | 'stdout' | 'stderr' | 'info' | 'warn';

export class HostLogs {
  readonly dir: string;
  readonly #streams = new Map<string, WriteStream>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The log file of one host (the name is made safe for a file name). */
  pathOf(host: string): string {
    return join(this.dir, `${host.replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
  }

  line(host: string, kind: LogKind, text: string): void {
    let s = this.#streams.get(host);
    if (!s) {
      s = createWriteStream(this.pathOf(host), { flags: 'a', mode: 0o600 });
      this.#streams.set(host, s);
    }
    s.write(`${new Date().toISOString()} ${kind.padEnd(6)} ${redact(text)}\n`);
  }

  /** Flush and close every file; safe to call twice. */
  async close(): Promise<void> {
    const all = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.all(all.map((s) => new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())))));
  }
}
