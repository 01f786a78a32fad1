// The JSON Schema of the Cluster document and of k0s' ClusterConfig, generated from the same field
// tables the validator walks (fields.ts, k0s-config.ts). schema/cluster.schema.json is this function's output; a test keeps it in sync.
import { API_VERSION, clusterSpec, KIND } from './fields.js';
import { k0sConfigSpec } from './k0s-config.js';
import { OVERRIDE_KINDS } from './overrides.js';
import type { FieldSpec } from './spec.js';

export const SCHEMA_FILE = 'schema/cluster.schema.json';

type Json = Record<string, unknown>;

function patternSource(re: RegExp): string {
  // JSON Schema patterns have no flags; a flagged pattern would validate differently in editors.
  if (re.flags) throw new Error(`field pattern ${re} has flags; JSON Schema cannot express them`);
  return re.source;
}

export function fieldSchema(f: FieldSpec): Json {
  const out: Json = { description: f.description };
  switch (f.kind) {
    case 'string':
      out.type = 'string';
      if (f.enum) out.enum = [...f.enum];
      if (f.pattern) out.pattern = patternSource(f.pattern);
      if (f.format) out.format = f.format;
      if (f.secret) out.writeOnly = true;
      if (f.default !== undefined) out.default = f.default;
      break;
    case 'integer':
      out.type = f.numericString ? ['integer', 'string'] : 'integer';
      out.minimum = f.min;
      out.maximum = f.max;
      if (f.default !== undefined) out.default = f.default;
      break;
    case 'object':
      out.type = 'object';
      out.properties = Object.fromEntries(Object.entries(f.fields).map(([k, v]) => [k, fieldSchema(v)]));
      if (f.required?.length) out.required = [...f.required];
      out.additionalProperties = false;
      break;
    case 'array':
      out.type = 'array';
      out.items = fieldSchema(f.items);
      if (f.minItems !== undefined) out.minItems = f.minItems;
      if (f.default !== undefined) out.default = [];
      break;
    case 'map':
      out.type = 'object';
      if (f.keyPattern) out.propertyNames = { pattern: patternSource(f.keyPattern) };
      out.additionalProperties = { type: ['string', 'number', 'boolean', 'null'] };
      break;
    case 'boolean':
      out.type = 'boolean';
      if (f.default !== undefined) out.default = f.default;
      break;
    case 'any':
      break;
  }
  return out;
}

/**
 * The schema for every document of a Clusterfile: the sealts Cluster document in full; the other
 * documents (runtime overrides, sealer/sealos Clusters) only need a known kind, since editors apply
 * one schema to each document of the file.
 */
export function toJsonSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sealts.io/schema/cluster.schema.json',
    title: 'sealts Clusterfile document',
    if: { properties: { apiVersion: { const: API_VERSION } }, required: ['apiVersion'] },
    then: fieldSchema(clusterSpec),
    else: {
      // k0s' ClusterConfig is checked field by field too (k0s-config.ts); kubeadm's by kubeadm.
      if: { properties: { kind: { const: 'ClusterConfig' } }, required: ['kind'] },
      then: fieldSchema(k0sConfigSpec),
      else: {
        type: 'object',
        required: ['apiVersion', 'kind'],
        properties: { kind: { enum: [KIND, ...Object.keys(OVERRIDE_KINDS)] } },
      },
    },
  };
}

/** The exact text of schema/cluster.schema.json. */
export function schemaText(): string {
  return `${JSON.stringify(toJsonSchema(), null, 2)}\n`;
}
