// After tsc: a .d.cts twin of every .d.ts in dist/types, with its relative specifiers ending in
// .cjs, for the `require` condition. The package is "type": "module", so TypeScript reads the
// .d.ts files as ESM; a CommonJS consumer (node16/nodenext) given them fails with TS1471 (the
// package "masquerades as ESM"). The declarations are the same; only their module kind differs.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Module specifiers of imports, re-exports and module augmentations (`declare module './x.js'`).
const SPECIFIER = /((?:from|import|declare module)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g;

for (const e of readdirSync('dist/types', { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || !e.name.endsWith('.d.ts')) continue;
  const file = join(e.parentPath, e.name);
  writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), readFileSync(file, 'utf8').replace(SPECIFIER, '$1$2.cjs$3'));
}
