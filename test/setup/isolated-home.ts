// Loaded before every test file (`make test|unit|e2e`: node --import): the tests never touch the
// real ~/.sealts or ~/.kube/config. A test process that does not choose its own SEALTS_HOME or
// KUBECONFIG gets a temporary one, removed when the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

if (!process.env.SEALTS_HOME || !process.env.KUBECONFIG) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sealts-test-home-'));
  process.env.SEALTS_HOME ||= path.join(dir, 'sealts');
  process.env.KUBECONFIG ||= path.join(dir, 'kube', 'config');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}
