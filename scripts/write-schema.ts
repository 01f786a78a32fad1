// Regenerates schema/cluster.schema.json from the Clusterfile field table (pkg/clusterfile/fields.ts).
// Run: node --import tsx scripts/write-schema.ts   (test/clusterfile/schema.test.ts fails when it is stale)
import { writeFile } from 'node:fs/promises';
import { SCHEMA_FILE, schemaText } from '../pkg/clusterfile/index.js';

await writeFile(new URL(`../${SCHEMA_FILE}`, import.meta.url), schemaText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
