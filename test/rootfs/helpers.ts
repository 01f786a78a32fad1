// Test helpers: a throwaway bin dir with tiny executables standing in for the Kubernetes binaries.
import { chmod, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function fakeBinDir(names = ['kubeadm', 'kubelet', 'kubectl', 'crictl']): Promise<string> {
  const dir = await tempDir('sealts-bins-');
  await mkdir(dir, { recursive: true });
  for (const n of names) {
    const f = path.join(dir, n);
    await writeFile(f, `#!/bin/sh\necho "${n} test binary $*"\n`);
    await chmod(f, 0o755);
  }
  return dir;
}
