// A minimal JSON Schema checker for the keywords our generated schema uses (type, enum, const,
// pattern, required, properties, additionalProperties, propertyNames, items, minItems, minimum,
// maximum, if/then/else). Test-only: it lets the tests show that editors using the schema accept
// the examples and reject the same mistakes the validator rejects.
type Schema = Record<string, unknown>;

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'null':
      return v === null;
    default:
      return typeof v === t;
  }
}

/** Every violation as `path: keyword`; empty when `value` conforms. */
export function schemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  const errs: string[] = [];
  if (schema.if) {
    const branch = schemaErrors(schema.if as Schema, value, path).length === 0 ? schema.then : schema.else;
    if (branch) errs.push(...schemaErrors(branch as Schema, value, path));
  }
  if (schema.type) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeOk(t, value))) return [...errs, `${path}: type`];
  }
  if (schema.const !== undefined && value !== schema.const) errs.push(`${path}: const`);
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errs.push(`${path}: enum`);
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern as string).test(value)) errs.push(`${path}: pattern`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < (schema.minimum as number)) errs.push(`${path}: minimum`);
    if (schema.maximum !== undefined && value > (schema.maximum as number)) errs.push(`${path}: maximum`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < (schema.minItems as number)) errs.push(`${path}: minItems`);
    if (schema.items) value.forEach((v, i) => errs.push(...schemaErrors(schema.items as Schema, v, `${path}[${i}]`)));
  }
  if (typeOk('object', value)) {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) errs.push(`${path}.${r}: required`);
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errs.push(...schemaErrors(props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}.${k}: additionalProperties`);
      else if (typeof schema.additionalProperties === 'object') errs.push(...schemaErrors(schema.additionalProperties as Schema, v, `${path}.${k}`));
      const names = schema.propertyNames as Schema | undefined;
      if (names) errs.push(...schemaErrors(names, k, `${path}.${k}(name)`));
    }
  }
  return errs;
}
