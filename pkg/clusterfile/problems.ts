// Every problem found in a Clusterfile, each pinned to a position, reported together as
// `FILE:LINE:COL: message` lines in file order.
import type { LineCounter, Node } from 'yaml';
import type { InputProblem } from '../errors/errors.js';
import { oneLine } from '../errors/show.js';
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
    this.#items.push({ offset, seq: this.#items.length, message: oneLine(redact(message)) });
  }

  get count(): number {
    return this.#items.length;
  }

  /** `FILE:LINE:COL: message` for a source offset, e.g. for "first listed at" hints. */
  where(offset: number): string {
    const { line, col } = this.lines.linePos(offset);
    return `${line}:${col}`;
  }

  /** Every problem in file order, with its line and column. */
  list(): InputProblem[] {
    return [...this.#items]
      .sort((a, b) => a.offset - b.offset || a.seq - b.seq)
      .map((p) => {
        const { line, col } = this.lines.linePos(p.offset);
        return { file: this.file, line, column: col, message: p.message };
      });
  }
}
