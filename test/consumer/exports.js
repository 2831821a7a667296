// Every export docs/api.md documents, checked against the installed package: prints the missing ones.
import { readFileSync } from 'node:fs';

const doc = readFileSync(process.argv[2], 'utf8');
const missing = [];
let checked = 0;
for (const section of doc.split(/^## /m).slice(1)) {
  const subpath = /^`([^`]+)`/.exec(section)?.[1];
  if (!subpath) continue;
  const module = await import(subpath);
  // Values are listed as `name`; types as `type Name` (erased at run time, checked by tsc in the repo).
  for (const [, names] of section.matchAll(/^- (`[^:]*)/gm)) {
    for (const [, name] of names.matchAll(/`([A-Za-z_$][\w$]*)`/g)) {
      checked++;
      if (!(name in module)) missing.push(`${subpath}: ${name}`);
    }
  }
}
process.stdout.write(`${JSON.stringify({ checked, missing })}\n`);
