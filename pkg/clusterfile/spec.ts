// The vocabulary of field specs: one table of these describes a document, and drives both the
// validator (check.ts) and the JSON Schema (schema.ts), so the two can never disagree.

interface Described {
  description: string;
}

export interface StringField extends Described {
  kind: 'string';
  default?: string;
  enum?: readonly string[];
  /** Checked by the validator and copied into the JSON Schema. */
  pattern?: RegExp;
  /** What the pattern means, for the error message ("expected ..."). */
  patternHint?: string;
  /** JSON Schema `format` (ipv4, ...), for editors. */
  format?: string;
  /** Extra check the schema cannot say (e.g. "octet 300 is out of range"): a message, or undefined. */
  check?: (value: string) => string | undefined;
  /**
   * A password or passphrase: becomes a `Secret`; YAML numbers are taken as written (`passwd: 0123`);
   * a sibling `<name>FromEnv` field may name an environment variable holding it instead.
   */
  secret?: boolean;
}

export interface IntegerField extends Described {
  kind: 'integer';
  default?: number;
  min: number;
  max: number;
  /** Also accept a string of digits (sealer writes `port: "22"`). */
  numericString?: boolean;
}

export interface ObjectField extends Described {
  kind: 'object';
  fields: Record<string, FieldSpec>;
  required?: readonly string[];
}

export interface ArrayField extends Described {
  kind: 'array';
  items: FieldSpec;
  minItems?: number;
  /** Filled in when the field is absent. */
  default?: readonly never[];
}

/** A map of names to scalar values (env). Numbers and booleans are kept as written. */
export interface MapField extends Described {
  kind: 'map';
  keyPattern?: RegExp;
  keyHint?: string;
}

export interface BooleanField extends Described {
  kind: 'boolean';
  default?: boolean;
}

/** Any value: a part of another tool's document that tool checks itself (its own nested settings). */
export interface AnyField extends Described {
  kind: 'any';
}

export type FieldSpec = StringField | IntegerField | ObjectField | ArrayField | MapField | BooleanField | AnyField;

/** The sibling field that names an environment variable holding a secret. */
export function fromEnvName(secretField: string): string {
  return `${secretField}FromEnv`;
}

/** An object spec whose secret fields each get their `<name>FromEnv` sibling. */
export function object(description: string, fields: Record<string, FieldSpec>, required?: readonly string[]): ObjectField {
  const all: Record<string, FieldSpec> = {};
  for (const [name, f] of Object.entries(fields)) {
    all[name] = f;
    if (f.kind === 'string' && f.secret) {
      all[fromEnvName(name)] = {
        kind: 'string',
        description: `Name of an environment variable holding ${name} (instead of writing it in the file).`,
        pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
        patternHint: 'an environment variable name',
      };
    }
  }
  return { kind: 'object', description, fields: all, ...(required ? { required } : {}) };
}

/** The same spec with every default removed (per-group overrides must not re-default what the cluster set). */
export function withoutDefaults<F extends FieldSpec>(f: F): F {
  if (f.kind === 'object') {
    const fields = Object.fromEntries(Object.entries(f.fields).map(([k, v]) => [k, withoutDefaults(v)]));
    return { ...f, fields };
  }
  if (f.kind === 'array') return { ...f, items: withoutDefaults(f.items), default: undefined };
  const { default: _dropped, ...rest } = f as F & { default?: unknown };
  return rest as F;
}

/**
 * Fill `spec`'s defaults into already-checked plain data (documents converted from other formats).
 * An absent object is filled only when it has no required fields (an absent bastion stays absent).
 */
export function fillDefaults(spec: FieldSpec, value: unknown): unknown {
  if (spec.kind === 'object') {
    if (value === undefined && spec.required?.length) return undefined;
    const obj = (value ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = { ...obj };
    for (const [name, f] of Object.entries(spec.fields)) {
      const filled = fillDefaults(f, obj[name]);
      if (filled !== undefined) out[name] = filled;
    }
    return out;
  }
  if (spec.kind === 'array') {
    if (value === undefined) return spec.default ? [] : undefined;
    return Array.isArray(value) ? value.map((v) => (v === undefined ? v : fillDefaults(spec.items, v))) : value;
  }
  if (value !== undefined || spec.kind === 'map' || spec.kind === 'any') return value;
  return spec.default;
}
