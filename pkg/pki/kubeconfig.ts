// Kubeconfig files (kubeadm's shape), written with the `yaml` library.
import { parse, stringify } from 'yaml';

export const CLUSTER_NAME = 'kubernetes';

export interface KubeconfigContent {
  server: string;
  caPem: string;
  user: string;
  certPem: string;
  keyPem: string;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function renderKubeconfig(k: KubeconfigContent): string {
  const context = `${k.user}@${CLUSTER_NAME}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CLUSTER_NAME, cluster: { 'certificate-authority-data': b64(k.caPem), server: k.server } }],
    contexts: [{ name: context, context: { cluster: CLUSTER_NAME, user: k.user } }],
    'current-context': context,
    preferences: {},
    users: [{ name: k.user, user: { 'client-certificate-data': b64(k.certPem), 'client-key-data': b64(k.keyPem) } }],
  });
}

/** The parts of a kubeconfig sealts checks, or undefined when it is not one of ours in shape. */
export function parseKubeconfig(text: string): KubeconfigContent | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  const d = doc as {
    'current-context'?: string;
    contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string } }>;
    clusters?: Array<{ name?: string; cluster?: { server?: string; 'certificate-authority-data'?: string } }>;
    users?: Array<{ name?: string; user?: { 'client-certificate-data'?: string; 'client-key-data'?: string } }>;
  } | null;
  const context = d?.contexts?.find((c) => c.name === d['current-context'])?.context;
  const cluster = d?.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = d?.users?.find((u) => u.name === context?.user);
  const ca = cluster?.['certificate-authority-data'];
  const cert = user?.user?.['client-certificate-data'];
  const key = user?.user?.['client-key-data'];
  if (!cluster?.server || !ca || !cert || !key || !user?.name) return undefined;
  const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return { server: cluster.server, caPem: unb64(ca), user: user.name, certPem: unb64(cert), keyPem: unb64(key) };
}
