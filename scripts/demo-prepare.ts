// `make demo` preparation. This machine has no real Kubernetes binaries, so the demo's rootfs holds
// the TEST STAND-INS from test/standins/ (they check their arguments like the real tools and say so
// in their headers). Under WORK_DIR it writes:
//   standins/     the stand-ins named as the real binaries, for `sealts rootfs build --bin-dir`
//   Clusterfile   the example with its image pointed at WORK_DIR/rootfs.tar.gz (which the demo builds)
//                 and its key at the fleet's key, both absolute
// and prints the cluster's name and Kubernetes version (the stand-ins report that version).
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { standinBinDir } from '../test/standins/index.js';

const [work, clusterfile] = process.argv.slice(2);
if (!work || !clusterfile) throw new Error('usage: demo-prepare.ts WORK_DIR CLUSTERFILE');
const fleetKey = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.fleet', 'id_ed25519');

const docs = parseAllDocuments(await readFile(clusterfile, 'utf8'));
const cluster = docs[0]!;
const version = String(cluster.getIn(['spec', 'runtime', 'version']) ?? 'v1.32.8');
cluster.setIn(['spec', 'image'], path.join(work, 'rootfs.tar.gz'));
cluster.setIn(['spec', 'ssh', 'pk'], fleetKey);
await writeFile(path.join(work, 'Clusterfile'), docs.map((d) => d.toString()).join(''));
await rename(await standinBinDir(version), path.join(work, 'standins'));
process.stdout.write(`${String(cluster.getIn(['metadata', 'name']))} ${version}\n`);
