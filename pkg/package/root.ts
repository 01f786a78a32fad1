// Where sealts' own files are: the package root holds package.json, rootfs/ (the default skeleton)
// and schema/. Found by walking up from this module, so it works from the sources (run through tsx,
// pkg/package/) and from the build (dist/pkg/package/) alike.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson {
  name?: string;
  version?: string;
}

let found: { root: string; pkg: PackageJson } | undefined;

function locate(): { root: string; pkg: PackageJson } {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      if (pkg.name === 'sealts') return (found = { root: dir, pkg });
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  throw new Error(`sealts: cannot find its own package.json above ${fileURLToPath(import.meta.url)}`);
}

/** The directory holding sealts' package.json. */
export function packageRoot(): string {
  return locate().root;
}

/** The version field of sealts' package.json. */
export function packageVersion(): string {
  return locate().pkg.version ?? '0.0.0-unknown';
}
