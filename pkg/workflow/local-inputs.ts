// Bad local input is found before any host is contacted: every SSH key (and bastion key) the
// Clusterfile names must be readable and usable with the passphrase it gives, and the rootfs image
// must be there and look like one. All problems together, each at its FILE:LINE:COL, exit 2.
import type { Cluster } from '../clusterfile/types.js';
import { formatProblem, UserError, type InputProblem } from '../errors/errors.js';
import { rootfsImageProblem } from '../rootfs/probe.js';
import { keyFileProblem } from '../ssh/auth.js';

export interface LocalInputNeeds {
  /** The command logs in to the hosts. */
  keys: boolean;
  /** The command may push the rootfs. */
  image: boolean;
}

export async function checkLocalInputs(cluster: Cluster, needs: LocalInputNeeds): Promise<void> {
  const files = (cluster.localFiles ?? []).filter((f) => (f.kind === 'key' ? needs.keys : needs.image));
  const problems: InputProblem[] = [];
  for (const f of files) {
    const why = f.kind === 'key' ? await keyFileProblem(f.path, f.passphrase) : await rootfsImageProblem(f.path);
    if (why) problems.push({ file: f.file, line: f.line, column: f.column, message: `${f.field}: ${why}` });
  }
  if (problems.length === 0) return;
  const first = problems[0]!;
  throw UserError.inFile(problems.length === 1 ? formatProblem(first) : `${first.file}: ${problems.length} local files cannot be used`, problems);
}
