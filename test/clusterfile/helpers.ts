// Shared by the Clusterfile tests: parse inline text and get back either the Cluster or the exact
// `file:line:col: message` lines of the UserError.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../pkg/errors/errors.js';
import { parseClusterfile, renderClusterfile, type Cluster } from '../../pkg/clusterfile/index.js';
import { Secret } from '../../pkg/secret/secret.js';

/** Credentials come from the file in these tests, never from a developer's ssh-agent. */
export const NO_AGENT: NodeJS.ProcessEnv = {};

export const FILE = 'bad.yaml';

/** The problem lines for `text`; fails the test if it parses. */
export function problems(text: string, env: NodeJS.ProcessEnv = NO_AGENT): string[] {
  try {
    parseClusterfile(text, FILE, { env });
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return e.details;
  }
  assert.fail('expected the Clusterfile to be rejected');
}

export function parse(text: string, env: NodeJS.ProcessEnv = NO_AGENT, file = 'good.yaml'): Cluster {
  return parseClusterfile(text, file, { env });
}

/** A valid minimal Clusterfile; `spec` lines are appended under `spec:` (indented by the caller). */
export function clusterfile(specLines: string, head = 'apiVersion: sealts.io/v1\nkind: Cluster\nmetadata:\n  name: demo\n'): string {
  return `${head}spec:\n${specLines}`;
}

/** The usual valid spec body: image, credentials, one master and one node. */
export const BASE_SPEC = `  image: ../rootfs
  ssh:
    passwd: s3cret-pass
  hosts:
    - ips: [198.18.0.11]
      roles: [master]
    - ips: [198.18.0.12]
      roles: [node]
`;

/** Plain data with every Secret replaced by `{ secret: value }`, for deep comparisons. */
export function revealed(v: unknown): unknown {
  if (v instanceof Secret) return { secret: v.reveal() };
  if (Array.isArray(v)) return v.map(revealed);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, revealed(x)]));
  return v;
}

/** render -> parse gives back the same Cluster (secrets included when revealed). */
export function assertRoundTrip(c: Cluster, env: NodeJS.ProcessEnv = NO_AGENT): void {
  const text = renderClusterfile(c, { revealSecrets: true });
  let again: Cluster;
  try {
    again = parseClusterfile(text, c.source ?? 'roundtrip.yaml', { env });
  } catch (e) {
    assert.fail(`the rendered Clusterfile does not parse: ${e instanceof UserError ? e.details.join('\n') : String(e)}\n${text}`);
  }
  // localFiles say where each file is written: the same files, at other lines in the rendered text.
  const unplaced = (x: Cluster) => x.localFiles?.map(({ line: _l, column: _c, file: _f, ...f }) => f);
  const { warnings: _w1, localFiles: _l1, ...a } = c;
  const { warnings: _w2, localFiles: _l2, ...b } = again;
  assert.deepEqual(revealed(b), revealed(a));
  assert.deepEqual(revealed(unplaced(again)), revealed(unplaced(c)));
}

/** The repository root, so tests do not depend on the working directory. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
