// `npm run demo` serves the repository root (the demo at /demo/, the package at /dist/) on
// 127.0.0.1 with no dependencies, cross-origin isolated (COOP/COEP) as a production host for wasm
// apps would set it up (scripts/static-server.mjs). PORT=… picks the port (default 8080; a free one
// when that is taken).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './static-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
for (const need of ['dist/wasmgrad.esm.js', 'demo/data/mnist-10k.bin'])
  if (!statSync(join(ROOT, need), { throwIfNoEntry: false }))
    console.warn(`serve: ${need} is missing: run \`npm run build\` and \`npm run build:demo\` (npm run demo does the latter)`);

const { url } = await serve(ROOT, { hidden: true, home: '/demo/', port: Number(process.env.PORT ?? 8080) });
console.log(`wasmgrad demo: ${url}/demo/  (Ctrl+C stops)`);
