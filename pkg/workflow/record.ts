// The cluster's record kept IN the cluster (ConfigMap kube-system/sealts-cluster), so a lost local
// state is not the only copy: hosts and roles, version and rootfs. Written by every apply, join and
// delete through a control plane; read back by `sealts adopt`.
import { stringify } from 'yaml';
import type { HostSpec } from '../clusterfile/types.js';
import type { Runtime } from '../runtime/index.js';
import type { HostState } from '../state/schema.js';

export const RECORD_NAMESPACE = 'kube-system';
export const RECORD_NAME = 'sealts-cluster';
const KEY = 'cluster.json';

export interface ClusterRecord {
  cluster: string;
  runtime: { type: string; version: string };
  rootfsHash?: string;
  hosts: Record<string, HostState>;
  updatedAt: string;
}

export async function writeRecord(rt: Runtime, via: HostSpec, record: ClusterRecord): Promise<void> {
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: RECORD_NAME, namespace: RECORD_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'sealts' } },
    data: { [KEY]: JSON.stringify(record, null, 2) },
  };
  await rt.kubectl(via, ['apply', '-f', '-'], { stdin: stringify(cm) });
}

/** The record, or undefined when the cluster has none (made by another tool, or before sealts kept one). */
export async function readRecord(rt: Runtime, via: HostSpec): Promise<ClusterRecord | undefined> {
  let out: string;
  try {
    out = await rt.kubectl(via, ['get', 'configmap', RECORD_NAME, '-n', RECORD_NAMESPACE, '-o', 'json']);
  } catch (e) {
    if (/NotFound|not found/i.test((e as Error).message)) return undefined;
    throw e;
  }
  const text = (JSON.parse(out) as { data?: Record<string, string> }).data?.[KEY];
  if (!text) return undefined;
  const r = JSON.parse(text) as ClusterRecord;
  if (typeof r.cluster !== 'string' || typeof r.hosts !== 'object' || r.hosts === null) throw new Error(`${RECORD_NAMESPACE}/${RECORD_NAME}: not a sealts cluster record`);
  return r;
}
