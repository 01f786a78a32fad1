// `npm run build`: the CLI as one ES module, dist/cmd/sealts.js. One file starts in ~230 ms where the
// ~200 compiled modules took ~370 ms (Node 20 resolves, reads and links each one), and every sealts
// command pays start-up. Kept out of the bundle: ssh2 (native add-ons, loaded from node_modules)
// and what the code loads lazily through createRequire (node-forge, only when certificates are made).
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const out = 'dist/cmd/sealts.js';
await build({
  entryPoints: ['cmd/sealts.ts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ssh2'],
  // Bundled CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as sealtsCreateRequire } from 'node:module'; const require = sealtsCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'error',
});
await chmod(out, 0o755);
