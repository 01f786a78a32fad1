// Every problem found in a Clusterfile, each pinned to a position, reported together as
// `FILE:LINE:COL: message` lines in file order.
import type { LineCounter, Node } from 'yaml';
import { redact } from '../secret/secret.js';

interface Problem {
  offset: number;
  seq: number;
  message: string;
}

export class Problems {
  readonly #items: Problem[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  /** Record a problem at a node (its start) or a source offset. */
  add(at: Node | number | undefined, message: string): void {
    const offset = typeof at === 'number' ? at : (at?.range?.[0] ?? 0);
    this.#items.push({ offset, seq: this.#items.length, message: redact(message) });
  }

  get count(): number {
    return this.#items.length;
  }

  /** `FILE:LINE:COL: message` for a source offset, e.g. for "first listed at" hints. */
  where(offset: number): string {
    const { line, col } = this.lines.linePos(offset);
    return `${line}:${col}`;
  }

  formatted(): string[] {
    return [...this.#items]
      .sort((a, b) => a.offset - b.offset || a.seq - b.seq)
      .map((p) => `${this.file}:${this.where(p.offset)}: ${p.message}`);
  }
}
