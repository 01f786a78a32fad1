// What every lifecycle operation receives from its command: the global flags, already validated.
import type { OutputFormat } from '../output/format.js';

export interface RunFlags {
  /** --cluster; undefined = the only cluster in the sealts home. */
  cluster?: string;
  concurrency: number;
  dryRun: boolean;
  output: OutputFormat;
  yes: boolean;
  debug: boolean;
}
