// Test helpers: a throwaway bin dir with tiny executables standing in for the Kubernetes binaries.
import { chmod, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * Shell scripts under the real names. Like the real tools (and test/standins), each answers the
 * version query `rootfs build` asks (`kubeadm version -o short`, `kubelet --version`, `kubectl
 * version --client`, ...) with `version`; anything else is echoed back.
 */
export async function fakeBinDir(names = ['kubeadm', 'kubelet', 'kubectl', 'crictl'], version = 'v1.32.8'): Promise<string> {
  const dir = await tempDir('sealts-bins-');
  await mkdir(dir, { recursive: true });
  for (const n of names) {
    const f = path.join(dir, n);
    await writeFile(
      f,
      `#!/bin/sh
case "$*" in
  "version -o short") echo "${version}" ;;
  "version --client") echo "Client Version: ${version}" ;;
  --version) echo "Kubernetes ${version}" ;;
  *) echo "${n} test binary $*" ;;
esac
`,
    );
    await chmod(f, 0o755);
  }
  return dir;
}
