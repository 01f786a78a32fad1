// Edits sealts makes to a Clusterfile it stores, as text: the user's comments and order are kept.
import { isScalar, isSeq, parseAllDocuments } from 'yaml';

/**
 * The text with `san` in its sealts Cluster document's spec.pki.certSANs (added once), or undefined
 * when the file has no sealts.io/v1 Cluster document (a sealer or sealos file has no such field).
 */
export function withCertSan(text: string, san: string): string | undefined {
  const docs = parseAllDocuments(text);
  const doc = docs.find((d) => d.get('kind') === 'Cluster' && d.get('apiVersion') === 'sealts.io/v1');
  if (!doc) return undefined;
  const path = ['spec', 'pki', 'certSANs'];
  const sans = doc.getIn(path);
  if (isSeq(sans)) {
    if (!sans.items.some((i) => String(isScalar(i) ? i.value : i) === san)) sans.add(san);
  } else doc.setIn(path, doc.createNode([san]));
  return docs.map((d) => d.toString()).join('');
}
