// `make demo` preparation: the example Clusterfile, made to run on the local fleet. Under WORK_DIR it
// writes `Clusterfile`, the example with its image pointed at WORK_DIR/rootfs (which the demo builds
// with `sealts rootfs build --kube-bins`) and its key at the fleet's key, both absolute. It prints the
// cluster's name and Kubernetes version; `--peek CLUSTERFILE` prints only those.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_KUBERNETES_VERSION } from '../pkg/versions/index.js';

const args = process.argv.slice(2);
const peek = args[0] === '--peek';
const [work, clusterfile] = peek ? [undefined, args[1]] : args;
if (!clusterfile || (!peek && !work)) throw new Error('usage: demo-prepare.ts WORK_DIR CLUSTERFILE | --peek CLUSTERFILE');
const fleetKey = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.fleet', 'id_ed25519');

const docs = parseAllDocuments(await readFile(clusterfile, 'utf8'));
const cluster = docs[0]!;
const version = String(cluster.getIn(['spec', 'runtime', 'version']) ?? DEFAULT_KUBERNETES_VERSION);
if (work) {
  cluster.setIn(['spec', 'image'], path.join(work, 'rootfs'));
  cluster.setIn(['spec', 'ssh', 'pk'], fleetKey);
  await writeFile(path.join(work, 'Clusterfile'), docs.map((d) => d.toString()).join(''));
}
process.stdout.write(`${String(cluster.getIn(['metadata', 'name']))} ${version}\n`);
