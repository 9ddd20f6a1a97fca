// Builds dist/ from src/ (README "Install and entries"):
//   index.js / index.cjs         the main entry, no Node built-in reachable; the .wasm builds beside it.
//                                The ESM side is a tree of modules (dist/engine/, dist/ops/, …, one
//                                per source module) for bundlers to tree-shake; the CJS side a bundle
//   node.js / node.cjs           'wasmgrad/node': file IO, the MNIST loader, the terminal bar
//   node-browser.js / .cjs       'wasmgrad/node' under the `browser` condition: throws a clear error
//   inline.js / inline.cjs       'wasmgrad/inline': the SIMD and scalar builds embedded (base64)
//   wasmgrad.iife.js             a <script> tag build, global `wasmgrad`, finds the .wasm next to itself
//   wasmgrad.esm.js              the same as one ES module file, for pages importing it with no bundler
//                                (index.js's module tree is ~140 requests there)
// The main entry loads the Node primitives with a dynamic import (src/engine/host.ts) that points
// here at the package's own 'wasmgrad/node': Node resolves it to node.js (sharing the main entry's
// modules, so one engine), bundlers targeting browsers to node-browser.js, so they never see node:fs.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import MagicString from 'magic-string';
import esbuild from 'rollup-plugin-esbuild';

const WASM_FILES = ['wasmgrad.wasm', 'wasmgrad-relaxed.wasm', 'wasmgrad-scalar.wasm', 'wasmgrad-threads.wasm', 'wasmgrad-relaxed-threads.wasm'];
const isModule = (id, path) => id.replace(/\\/g, '/').endsWith(path);

// The packaged build's location: each file a literal new URL('./wasmgrad….wasm', import.meta.url)
// beside the bundle, which bundlers (Vite, webpack 5, esbuild with the file loader) rewrite; in the
// IIFE, rollup renders import.meta.url as the script's document.currentScript.src.
const WASM_URL_MODULE = '/src/engine/backend/wasm-url.ts';
const wasmBeside = {
  name: 'wasm-beside',
  load(id) {
    if (!isModule(id, WASM_URL_MODULE)) return null;
    const url = (f) => `new URL('./${f}', import.meta.url)`;
    return [
      'export const defaultWasmUrl = (build) =>',
      `  build === 'relaxed' ? ${url('wasmgrad-relaxed.wasm')}`,
      `  : build === 'scalar' ? ${url('wasmgrad-scalar.wasm')}`,
      `  : ${url('wasmgrad.wasm')};`,
      'export const threadsWasmUrl = (build) =>',
      `  build === 'relaxed' ? ${url('wasmgrad-relaxed-threads.wasm')}`,
      `  : ${url('wasmgrad-threads.wasm')};`,
    ].join('\n');
  },
  writeBundle() {
    mkdirSync('dist', { recursive: true });
    for (const f of WASM_FILES) copyFileSync(`build/${f}`, `dist/${f}`);
  },
};

// wasmgrad/inline: the bytes instead of a URL. The relaxed build is left out (it would add ~200 KB
// of base64 for a few percent of speed); where relaxed SIMD is detected, the SIMD build runs. So
// are the threads builds: wg.init({ threads }) from wasmgrad/inline runs on one thread, with a notice.
const wasmInline = {
  name: 'wasm-inline',
  load(id) {
    if (!isModule(id, '/src/engine/backend/wasm-url.ts')) return null;
    const b64 = (f) => JSON.stringify(readFileSync(`build/${f}`).toString('base64'));
    return [
      `const SIMD = ${b64('wasmgrad.wasm')};`,
      `const SCALAR = ${b64('wasmgrad-scalar.wasm')};`,
      'const bytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));',
      "export const defaultWasmUrl = (build) => bytes(build === 'scalar' ? SCALAR : SIMD);",
      'export const threadsWasmUrl = () => null;',
    ].join('\n');
  },
};

// Resolve the `.js` specifiers of the TS sources to the `.ts` files; the lazy import of the Node
// primitives in src/engine/host.ts to `nodeHost` (an id, or external 'wasmgrad/node').
const tsResolve = (nodeHost) => ({
  name: 'ts-resolve',
  async resolveId(source, importer) {
    if (importer && source === '../node/host.js' && isModule(importer, '/src/engine/host.ts')) return nodeHost;
    if (importer && source.startsWith('.') && source.endsWith('.js')) {
      const r = await this.resolve(source.slice(0, -3) + '.ts', importer, { skipSelf: true });
      if (r) return r;
    }
    return null;
  },
});
const SELF_NODE = { id: 'wasmgrad/node', external: true };

// The op table's `tests` (the harness's cases) and `doc` (one line for the docs) are for test/ and
// docs/, not for users: the published bundles leave them out of every object literal of src/ops/
// (~56 KB of ~570 minified). Nothing at runtime reads them (test/package.test.ts checks the bundle);
// the init warm-up runs its own copy of the cases it needs (src/engine/backend/warm-up-cases.ts).
const DEV_ONLY = new Set(['tests', 'doc']);
const stripOpCases = {
  name: 'strip-op-cases',
  transform(code, id) {
    if (!/[\\/]src[\\/]ops[\\/][^\\/]+\.ts$/.test(id)) return null;
    const s = new MagicString(code);
    const visit = (node) => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (node === null || typeof node !== 'object' || typeof node.type !== 'string') return;
      if (node.type === 'ObjectExpression')
        node.properties.forEach((p, i) => {
          if (p.type !== 'Property' || p.computed || !DEV_ONLY.has(p.key.name ?? p.key.value)) return;
          const next = node.properties[i + 1];
          s.remove(p.start, next ? next.start : p.end);
        });
      for (const key in node) if (key !== 'type') visit(node[key]);
    };
    visit(this.parse(code));
    return { code: s.toString(), map: s.generateMap({ hires: true }) };
  },
};

// Tensor and the op modules refer to each other only inside functions, never at load time.
const onwarn = (w, warn) => {
  if (w.code !== 'CIRCULAR_DEPENDENCY') warn(w);
};
const external = [/^node:/, 'cli-progress', 'wasmgrad/node'];
const esm = { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunk-[hash].js', sourcemap: true };
const cjs = {
  dir: 'dist',
  format: 'cjs',
  entryFileNames: '[name].cjs',
  chunkFileNames: 'chunk-[hash].cjs',
  sourcemap: true,
  exports: 'named',
  dynamicImportInCjs: false,
};

const ENTRIES = { index: 'src/index.ts', node: 'src/node/index.ts', 'node-browser': 'src/node/browser.ts' };
// The ESM entry ships as a tree of modules (one file per source module under dist/), which lets an
// app's bundler drop the modules it does not use (nn layers, optimizers, compile, IO). package.json
// `sideEffects` names the modules run for their effect: src/api/methods.ts (it installs the Tensor
// methods) and the entry importing it (else a bundler skips the entry, a side-effect-free barrel,
// and its bare import with it). Rollup reads the same list (its ./src/ entries), so it keeps no bare
// `import './x.js'` of another module, which a bundler trusting `sideEffects` would drop with a warning.
const { sideEffects } = JSON.parse(readFileSync('package.json', 'utf8'));
const ownSideEffects = (id, external) => external || sideEffects.some((p) => p.startsWith('./src/') && isModule(id, p.slice(1)));
export default [
  {
    input: ENTRIES,
    external,
    onwarn,
    treeshake: { moduleSideEffects: ownSideEffects },
    plugins: [tsResolve(SELF_NODE), wasmBeside, esbuild({ target: 'es2022' }), stripOpCases],
    output: [
      {
        // wasm-url.js goes to the top of dist/, beside the .wasm files, so that its URLs stay
        // './wasmgrad….wasm' wherever a bundler that does not rewrite them puts the module: copying
        // the files next to such a bundle is then enough (README "Bundlers").
        ...esm,
        preserveModules: true,
        preserveModulesRoot: 'src',
        entryFileNames: (c) => (isModule(c.facadeModuleId ?? '', WASM_URL_MODULE) ? 'wasm-url.js' : '[name].js'),
      },
      cjs,
    ],
  },
  {
    input: { inline: 'src/index.ts' },
    external,
    onwarn,
    plugins: [tsResolve(SELF_NODE), wasmInline, esbuild({ target: 'es2022' }), stripOpCases],
    output: [esm, cjs],
  },
  {
    input: 'src/index.ts',
    onwarn,
    plugins: [tsResolve('src/node/browser.ts'), wasmBeside, esbuild({ target: 'es2022', minify: true }), stripOpCases],
    output: [
      { file: 'dist/wasmgrad.iife.js', format: 'iife', name: 'wasmgrad', sourcemap: true, inlineDynamicImports: true },
      { file: 'dist/wasmgrad.esm.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    ],
  },
];
