/**
 * A consumer project (issue 14 item 5): the `npm pack` tarball installed with npm into a fresh
 * project, imported from ESM (.mjs) and CommonJS (.cjs require) and run, and typechecked as a
 * browser project would be (DOM lib, no @types/node) under moduleResolution node16, nodenext and bundler.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { projectWithTarball, ROOT } from './tarball.js';

const TRAIN = pathToFileURL(join(ROOT, 'test/browser/pages/train.js')).href;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
// Typed CommonJS (.d.cts) and a Blob-compatible save() come with the entry-points work of issue 14
// item 1; until the package ships .d.cts types, tsc reports TS1471 for .cts consumers and the typecheck skips.
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const ctsTypes = JSON.stringify(pkg.exports).includes('.d.cts');

let dir: string;
beforeAll(() => {
  dir = projectWithTarball('consumer');
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const runNode = (file: string, source: string) => {
  writeFileSync(join(dir, file), source);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' }));
};
const expectTextbook = (r: { f: number; grads: number[] }) => {
  expect(r.f).toBe(-12);
  expect(r.grads).toEqual([-4, -4, 3]);
};

test('ESM: import from an .mjs file runs the textbook example', () => {
  expectTextbook(
    runNode('esm.mjs', `import * as wg from 'wasmgrad';\nimport { textbook } from '${TRAIN}';\nconsole.log(JSON.stringify(await textbook(wg)));\n`),
  );
});

test('CommonJS: require from a .cjs file runs the textbook example', () => {
  expectTextbook(
    runNode('cjs.cjs', `const wg = require('wasmgrad');\nimport('${TRAIN}').then((t) => t.textbook(wg)).then((r) => console.log(JSON.stringify(r)));\n`),
  );
});

// Used as a browser app uses it: init, a gradient, and the saved weights handed to a Blob (a BlobPart
// needs Uint8Array<ArrayBuffer>, not ArrayBufferLike).
const USAGE = `export async function use(): Promise<Blob> {
  await wg.init();
  const model = new wg.nn.Linear(2, 1);
  const x = wg.tensor([1, 2], { requiresGrad: true });
  x.mul(x).sum().backward();
  const g: number[] = Array.from(x.grad!.data());
  return new Blob([wg.save(model)], { type: g.length ? 'application/octet-stream' : '' });
}
`;
const ESM_IMPORT = `import * as wg from 'wasmgrad';\n`;

describe.skipIf(!ctsTypes)('TypeScript consumers typecheck', () => {
  const variants = [
    { resolution: 'node16', module: 'node16', files: { 'esm.mts': ESM_IMPORT, 'cjs.cts': `import wg = require('wasmgrad');\n` } },
    { resolution: 'nodenext', module: 'nodenext', files: { 'esm.mts': ESM_IMPORT, 'cjs.cts': `import wg = require('wasmgrad');\n` } },
    { resolution: 'bundler', module: 'esnext', files: { 'app.ts': ESM_IMPORT } },
    // wasmgrad/node's declarations name no Node type either (its browser stub shares them)
    {
      resolution: 'bundler',
      module: 'esnext',
      files: { 'node.ts': `${ESM_IMPORT}import { saveFile, mnist } from 'wasmgrad/node';\nexport const fns = [saveFile, mnist];\n` },
    },
  ];
  for (const { resolution, module, files } of variants)
    test(`moduleResolution ${resolution}: ${Object.keys(files).join(', ')}`, () => {
      const sub = join(dir, `ts-${resolution}-${Object.keys(files)[0]}`);
      mkdirSync(sub, { recursive: true });
      for (const [name, header] of Object.entries(files)) writeFileSync(join(sub, name), header + USAGE);
      const compilerOptions = {
        module,
        moduleResolution: resolution,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: [],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      };
      writeFileSync(join(sub, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: Object.keys(files) }));
      let out = '';
      try {
        execFileSync(process.execPath, [TSC, '-p', sub], { cwd: sub, encoding: 'utf8' });
      } catch (e) {
        out = String((e as { stdout?: string }).stdout ?? e);
      }
      expect(out).toBe('');
    });
});
