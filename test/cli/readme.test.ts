// The README's Clusterfile reference must follow the field table the validator and schema come from:
// every field documented, every default shown as the code has it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { clusterSpec } from '../../pkg/clusterfile/fields.js';
import type { FieldSpec } from '../../pkg/clusterfile/spec.js';
import { REPO } from './helpers.js';

/** Documented as one row each (their sub-fields are listed in that row, or mirror spec.ssh). */
const SUMMARISED = new Set(['spec.ssh.bastion', 'spec.hosts[].ssh']);

function leaves(f: FieldSpec, path: string, out: Array<{ path: string; field: FieldSpec }>): void {
  if (f.kind === 'object' && !SUMMARISED.has(path)) {
    for (const [name, sub] of Object.entries(f.fields)) {
      if (name.endsWith('FromEnv')) continue; // documented beside its secret
      leaves(sub, path ? `${path}.${name}` : name, out);
    }
  } else if (f.kind === 'array' && f.items.kind === 'object') {
    leaves(f.items, `${path}[]`, out);
  } else {
    out.push({ path, field: f });
  }
}

it('README documents every Clusterfile field with its default', async () => {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const line of readme.split('\n')) {
    const m = /^\| `([^`]+)`/.exec(line);
    if (m) rows.set(m[1]!, line);
  }
  const all: Array<{ path: string; field: FieldSpec }> = [];
  leaves(clusterSpec, '', all);
  for (const { path, field } of all) {
    if (path === 'apiVersion' || path === 'kind') continue; // one row for both
    const row = rows.get(path);
    assert.ok(row, `README has no row for \`${path}\``);
    const dflt = 'default' in field ? field.default : undefined;
    if (dflt !== undefined && !(Array.isArray(dflt) && dflt.length === 0)) {
      const defaultCell = row.split('|')[2] ?? '';
      assert.ok(defaultCell.includes(`\`${String(dflt)}\``), `README row for ${path} should show the default \`${String(dflt)}\`: ${row}`);
    }
  }
});
