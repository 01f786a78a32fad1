// The Clusterfile field reference as a Markdown table, generated from the same field table as the
// validator and the JSON Schema (for the README / `docs/`), so the docs cannot drift either.
import { clusterSpec } from './fields.js';
import type { FieldSpec } from './spec.js';

function typeOf(f: FieldSpec): string {
  switch (f.kind) {
    case 'string':
      if (f.enum) return f.enum.join(' \\| ');
      return f.secret ? 'string (secret)' : 'string';
    case 'integer':
      return `integer ${f.min}..${f.max}`;
    case 'object':
      return 'object';
    case 'array':
      return `list of ${f.items.kind === 'object' ? 'objects' : typeOf(f.items)}`;
    case 'map':
      return 'map of name: value';
    case 'boolean':
      return 'boolean';
    case 'any':
      return 'any';
  }
}

function defaultOf(f: FieldSpec): string {
  if (f.kind === 'array') return f.default ? '`[]`' : '';
  if (f.kind === 'object' || f.kind === 'map' || f.kind === 'any' || f.default === undefined) return '';
  return `\`${f.default}\``;
}

function rows(f: FieldSpec, path: string, required: boolean, out: string[]): void {
  if (path) out.push(`| \`${path}\` | ${typeOf(f)}${required ? ' (required)' : ''} | ${defaultOf(f)} | ${f.description} |`);
  fieldRows(f, path, out);
}

/** The rows of an object's fields (a list of objects: its items' fields, under `path[]`). */
function fieldRows(f: FieldSpec, path: string, out: string[]): void {
  if (f.kind === 'object') {
    for (const [k, child] of Object.entries(f.fields)) rows(child, path ? `${path}.${k}` : k, f.required?.includes(k) ?? false, out);
  }
  if (f.kind === 'array' && f.items.kind === 'object') fieldRows(f.items, `${path}[]`, out);
}

export function referenceMarkdown(): string {
  const out = ['| field | type | default | meaning |', '|---|---|---|---|'];
  rows(clusterSpec, '', false, out);
  return `${out.join('\n')}\n`;
}
