// npm run contract: regenerates docs/contract.md and docs/contract.schema.json from the zod schemas.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contractJsonSchema, contractMarkdown } from '../temporal/contract.js';

const docs = (file: string) => fileURLToPath(new URL(`../../docs/${file}`, import.meta.url));
writeFileSync(docs('contract.md'), contractMarkdown());
writeFileSync(docs('contract.schema.json'), `${JSON.stringify(contractJsonSchema(), null, 2)}\n`);
process.stdout.write('wrote docs/contract.md and docs/contract.schema.json\n');
