// Walks one YAML document against a field-spec table: reports every unknown field, wrong type,
// bad value and missing required field (with its position), and returns the plain data with
// defaults filled in and secrets wrapped. It never stops at the first problem.
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import { Secret } from '../secret/secret.js';
import type { Problems } from './problems.js';
import { fromEnvName, type FieldSpec, type IntegerField, type MapField, type ObjectField, type StringField } from './spec.js';
import { quoted } from '../errors/show.js';

/** Written by `renderClusterfile` in place of a secret; never accepted back as the secret itself. */
export const REDACTED = '[redacted]';

export class Checker {
  constructor(
    private readonly doc: Document,
    private readonly problems: Problems,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Check `node` (undefined: the field is absent) against `spec`; `at` positions problems about absence. */
  check(spec: FieldSpec, node: unknown, path: string, at: Node | undefined): unknown {
    const n = this.deref(node);
    if (n === undefined || (isScalar(n) && n.value === null)) return this.absent(spec, path, at);
    switch (spec.kind) {
      case 'string':
        return this.string(spec, n, path);
      case 'integer':
        return this.integer(spec, n, path);
      case 'object':
        return this.object(spec, n, path, at);
      case 'array':
        return this.array(spec, n, path);
      case 'map':
        return this.map(spec, n, path);
      case 'boolean':
        return isScalar(n) && typeof n.value === 'boolean' ? n.value : this.wrongType(n, path, 'true or false');
      case 'any':
        return n.toJSON();
    }
  }

  private deref(node: unknown): Node | undefined {
    if (node === undefined || node === null) return undefined;
    if (isAlias(node)) return node.resolve(this.doc);
    return node as Node;
  }

  private absent(spec: FieldSpec, path: string, at: Node | undefined): unknown {
    // An absent object is defaulted only when it has no required fields (an absent bastion stays absent).
    if (spec.kind === 'object') return spec.required?.length ? undefined : this.object(spec, undefined, path, at);
    if (spec.kind === 'array') return spec.default ? [] : undefined;
    if (spec.kind === 'map' || spec.kind === 'any') return undefined;
    return spec.default;
  }

  private string(spec: StringField, n: Node, path: string): string | Secret | undefined {
    if (!isScalar(n)) return this.wrongType(n, path, 'a string');
    let value: string;
    if (typeof n.value === 'string') value = n.value;
    else if (spec.secret && (typeof n.value === 'number' || typeof n.value === 'boolean')) value = sourceText(n);
    else return this.wrongType(n, path, 'a string');
    if (spec.secret) {
      if (value === REDACTED) {
        this.problems.add(n, `${path}: "${REDACTED}" is the placeholder printed instead of a secret; write the real value or use ${fromEnvName(lastSegment(path))}`);
        return undefined;
      }
      return new Secret(value);
    }
    if (spec.enum && !spec.enum.includes(value)) {
      this.problems.add(n, `${path}: must be one of ${spec.enum.join(', ')}; got ${quoted(value)}`);
      return undefined;
    }
    if (spec.pattern && !spec.pattern.test(value)) {
      this.problems.add(n, `${path}: expected ${spec.patternHint ?? `text matching ${spec.pattern}`}, got ${quoted(value)}`);
      return undefined;
    }
    const extra = spec.check?.(value);
    if (extra) {
      this.problems.add(n, `${path}: ${extra}`);
      return undefined;
    }
    return value;
  }

  private integer(spec: IntegerField, n: Node, path: string): number | undefined {
    let value: number | undefined;
    if (isScalar(n) && typeof n.value === 'number' && Number.isInteger(n.value)) value = n.value;
    else if (isScalar(n) && spec.numericString && typeof n.value === 'string' && /^\d+$/.test(n.value)) value = Number(n.value);
    else return this.wrongType(n, path, 'an integer');
    if (value < spec.min || value > spec.max) {
      this.problems.add(n, `${path}: must be between ${spec.min} and ${spec.max}; got ${value}`);
      return undefined;
    }
    return value;
  }

  private object(spec: ObjectField, n: Node | undefined, path: string, at?: Node): Record<string, unknown> | undefined {
    if (n !== undefined && !isMap(n)) return this.wrongType(n, path, 'a mapping');
    const given = new Map<string, { key: Node; value: unknown }>();
    for (const pair of n?.items ?? []) {
      const key = pair.key as Node;
      const name = isScalar(key) ? String(key.value) : undefined;
      if (name === undefined) {
        this.problems.add(key, `${path}: keys must be plain names`);
      } else if (!(name in spec.fields)) {
        this.problems.add(key, `${path || 'document'}: unknown field ${quoted(name)}${suggest(name, Object.keys(spec.fields))}`);
      } else {
        given.set(name, { key, value: pair.value });
      }
    }
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(spec.fields)) {
      const g = given.get(name);
      const childPath = path ? `${path}.${name}` : name;
      const present = g !== undefined && !(isScalar(g.value) && g.value.value === null);
      if (!present && spec.required?.includes(name)) {
        // Point at the field's key when it is written empty, else at this object's own key.
        this.problems.add(g?.key ?? at ?? n, `${path || 'document'}: missing required field ${quoted(name)}`);
        continue;
      }
      const v = this.check(field, g?.value, childPath, (g?.key as Node | undefined) ?? n ?? at);
      if (v !== undefined) out[name] = v;
    }
    this.secretsFromEnv(spec, given, path, out);
    return out;
  }

  /** `passwdFromEnv: VAR` -> `passwd` read from the environment; both at once is an error. */
  private secretsFromEnv(spec: ObjectField, given: Map<string, { key: Node; value: unknown }>, path: string, out: Record<string, unknown>): void {
    for (const [name, field] of Object.entries(spec.fields)) {
      if (field.kind !== 'string' || !field.secret) continue;
      const envField = fromEnvName(name);
      const varName = out[envField];
      delete out[envField];
      if (typeof varName !== 'string') continue;
      const at = given.get(envField)!.value as Node;
      if (out[name] !== undefined) {
        this.problems.add(at, `${path}: set either ${name} or ${envField}, not both`);
        continue;
      }
      const value = this.env[varName];
      if (value === undefined || value === '') {
        this.problems.add(at, `${path}.${envField}: environment variable ${varName} is not set`);
        continue;
      }
      out[name] = new Secret(value);
    }
  }

  private array(spec: FieldSpec & { kind: 'array' }, n: Node, path: string): unknown[] | undefined {
    if (!isSeq(n)) return this.wrongType(n, path, 'a list');
    if (spec.minItems !== undefined && n.items.length < spec.minItems) {
      this.problems.add(n, `${path}: must not be empty`);
    }
    return n.items.map((item, i) => this.check(spec.items, item, `${path}[${i}]`, n));
  }

  private map(spec: MapField, n: Node, path: string): Record<string, string> | undefined {
    if (!isMap(n)) return this.wrongType(n, path, 'a mapping of names to values');
    const out: Record<string, string> = {};
    for (const pair of n.items) {
      const key = pair.key as Node;
      const value = this.deref(pair.value);
      const name = isScalar(key) ? String(key.value) : '';
      if (spec.keyPattern && !spec.keyPattern.test(name)) {
        this.problems.add(key, `${path}: expected ${spec.keyHint ?? 'a plain name'} as key, got ${quoted(name)}`);
      } else if (value === undefined || !isScalar(value)) {
        this.problems.add(value ?? key, `${path}.${name}: expected a value (string, number or boolean)`);
      } else {
        out[name] = value.value === null ? '' : typeof value.value === 'string' ? value.value : sourceText(value);
      }
    }
    return out;
  }

  private wrongType(n: Node, path: string, expected: string): undefined {
    this.problems.add(n, `${path}: expected ${expected}, got ${describe(n)}`);
    return undefined;
  }
}

/** A scalar as the user wrote it (`0123` stays `0123`, not 123). */
function sourceText(n: Scalar): string {
  return n.source ?? String(n.value);
}

function describe(n: Node): string {
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) {
    const v = n.value;
    if (typeof v === 'string') return `the string ${quoted(v)}`;
    if (typeof v === 'number') return `the number ${sourceText(n)}`;
    if (typeof v === 'boolean') return `the boolean ${v}`;
  }
  return 'something else';
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** ` (did you mean "user"?)` when a known name is one or two edits away. */
function suggest(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best ? ` (did you mean ${quoted(best)}?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
