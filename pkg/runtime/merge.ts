// Field-by-field merge of a user's override document into the one sealts rendered.
// Objects merge recursively, the user's scalar wins, and a user's list replaces ours whole
// (merging lists element-wise would make removing an entry impossible).
// kubeadm's `extraArgs` is the one exception: a name->value table whatever its YAML form, so it
// merges per name (see extraArgs.ts).

export type Plain = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: Plain, override: Plain, mergeKey: (key: string, ours: unknown, theirs: unknown) => unknown | undefined = () => undefined): Plain {
  const out: Plain = { ...base };
  for (const [k, theirs] of Object.entries(override)) {
    const ours = out[k];
    const special = mergeKey(k, ours, theirs);
    if (special !== undefined) out[k] = special;
    else if (isPlainObject(ours) && isPlainObject(theirs)) out[k] = deepMerge(ours, theirs, mergeKey);
    else out[k] = structuredClone(theirs);
  }
  return out;
}
