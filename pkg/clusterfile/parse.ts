// A Clusterfile is one YAML stream of documents: exactly one Cluster (sealts, sealer or sealos
// format) plus runtime documents kept verbatim as overrides. Every problem in every document is
// collected and thrown together as one UserError whose details are `FILE:LINE:COL: message` lines.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { UserError } from '../errors/errors.js';
import { buildCluster, type PlacedOverride } from './build.js';
import { k0sConfigSpec } from './k0s-config.js';
import { Checker } from './check.js';
import { localFilesOf } from './local-files.js';
import { API_VERSION, clusterSpec, KIND } from './fields.js';
import { SEALER_API_VERSIONS, SEALOS_API_VERSION, sealerClusterSpec, sealosClusterSpec, toSealtsShape } from './foreign.js';
import { overrideKindProblem } from './overrides.js';
import { Problems } from './problems.js';
import { fillDefaults } from './spec.js';
import type { Cluster, OverrideDoc } from './types.js';

export interface ParseOptions {
  /** Where `*FromEnv` secrets and SSH_AUTH_SOCK are read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Directory that relative paths (spec.image, ssh pk) are resolved against; defaults to the
   * file's own directory. Set it when re-reading a copy kept elsewhere (e.g. the state dir).
   */
  baseDir?: string;
}

type Format = 'sealts' | 'sealer' | 'sealos';

interface ClusterDoc {
  doc: Document;
  format: Format;
}

/** Read and parse a Clusterfile; a missing or unreadable file is a UserError naming it. */
export async function loadClusterfile(file: string, options: ParseOptions = {}): Promise<Cluster> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read: ${(e as Error).message}`);
  }
  return parseClusterfile(text, file, options);
}

export function parseClusterfile(text: string, file: string, options: ParseOptions = {}): Cluster {
  const env = options.env ?? process.env;
  const lines = new LineCounter();
  const problems = new Problems(file, lines);
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const { clusters, overrides } = sortDocuments(Array.isArray(docs) ? docs : [], problems);

  const first = clusters[0];
  if (!first) {
    if (problems.count === 0) problems.add(0, `no Cluster document (apiVersion: ${API_VERSION}, kind: ${KIND})`);
    throw failure(file, problems);
  }
  const warnings: string[] = [];
  const checker = new Checker(first.doc, problems, env);
  let data: Record<string, unknown>;
  if (first.format === 'sealts') {
    data = (checker.check(clusterSpec, first.doc.contents, '', undefined) ?? {}) as Record<string, unknown>;
  } else {
    const foreignSpec = first.format === 'sealer' ? sealerClusterSpec : sealosClusterSpec;
    const foreign = (checker.check(foreignSpec, first.doc.contents, '', undefined) ?? {}) as Record<string, unknown>;
    data = fillDefaults(clusterSpec, toSealtsShape(foreign, warnings)) as Record<string, unknown>;
  }
  const baseDir = options.baseDir ?? path.dirname(path.resolve(file));
  const cluster = buildCluster(data, overrides, { doc: first.doc, problems, file, baseDir, agent: Boolean(env.SSH_AUTH_SOCK) });
  if (!cluster || problems.count > 0) throw failure(file, problems);
  cluster.localFiles = localFilesOf(data, { doc: first.doc, lines, file, baseDir });
  return warnings.length > 0 ? { ...cluster, warnings } : cluster;
}

/** Each document is a Cluster, a runtime override, or a problem (syntax, unknown kind, second Cluster). */
function sortDocuments(docs: Document[], problems: Problems): { clusters: ClusterDoc[]; overrides: PlacedOverride[] } {
  const clusters: ClusterDoc[] = [];
  const overrides: PlacedOverride[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) problems.add(err.pos[0], `YAML syntax: ${yamlMessage(err.message)}`);
      continue;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue; // empty document
    if (!isMap(doc.contents)) {
      problems.add(doc.contents, 'expected a document with apiVersion and kind');
      continue;
    }
    const apiVersion = scalarAt(doc, 'apiVersion');
    const kind = scalarAt(doc, 'kind');
    if (typeof apiVersion.value !== 'string' || typeof kind.value !== 'string') {
      const at = typeof apiVersion.value !== 'string' ? apiVersion.node : kind.node;
      problems.add(at ?? doc.contents, 'document needs apiVersion and kind (strings)');
      continue;
    }
    const format = clusterFormat(apiVersion.value, kind.value);
    if (format) {
      if (clusters.length > 0) problems.add(kind.node, 'a second Cluster document: a Clusterfile describes one cluster');
      else clusters.push({ doc, format });
      continue;
    }
    const unknown = overrideKindProblem(apiVersion.value, kind.value);
    if (unknown) {
      problems.add(unknown.on === 'apiVersion' ? apiVersion.node : kind.node, unknown.message);
      continue;
    }
    // k0s' document is checked field by field here (k0s would refuse it only on the controller);
    // kubeadm's are checked by kubeadm itself when it reads them (init on the first master).
    if (kind.value === 'ClusterConfig') new Checker(doc, problems).check(k0sConfigSpec, doc.contents, 'ClusterConfig', kind.node);
    const override: OverrideDoc = { apiVersion: apiVersion.value, kind: kind.value, body: doc.toJS() as Record<string, unknown> };
    overrides.push({ override, at: kind.node, doc });
  }
  return { clusters, overrides };
}

function failure(file: string, problems: Problems): UserError {
  const n = problems.count;
  return UserError.inFile(`${file}: invalid Clusterfile (${n} problem${n === 1 ? '' : 's'})`, problems.list());
}

function clusterFormat(apiVersion: string, kind: string): Format | undefined {
  if (kind !== 'Cluster') return undefined;
  if (apiVersion === API_VERSION) return 'sealts';
  if ((SEALER_API_VERSIONS as readonly string[]).includes(apiVersion)) return 'sealer';
  if (apiVersion === SEALOS_API_VERSION) return 'sealos';
  return undefined;
}

function scalarAt(doc: Document, key: string): { node: Node | undefined; value: unknown } {
  const node = doc.get(key, true) as Node | undefined;
  return { node, value: isScalar(node) ? node.value : undefined };
}

/** The yaml library's message without its "at line L, column C:" tail and code excerpt. */
function yamlMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

