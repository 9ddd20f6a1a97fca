// Bundles src/ into dist/index.js (ESM) and dist/index.cjs (CommonJS), with the three .wasm builds
// beside them (SIMD, relaxed SIMD, scalar; src/engine/backend/wasm.ts picks one at init). In the bundle each
// is found at a literal new URL('./wasmgrad….wasm', import.meta.url), which bundlers (Vite,
// webpack 5, esbuild with the file loader) understand and rewrite.
import { copyFileSync, mkdirSync } from 'node:fs';
import esbuild from 'rollup-plugin-esbuild';

const WASM_FILES = ['wasmgrad.wasm', 'wasmgrad-relaxed.wasm', 'wasmgrad-scalar.wasm'];

const wasmUrlFromBundle = {
  name: 'wasm-url',
  load(id) {
    if (id.replace(/\\/g, '/').endsWith('/src/engine/backend/wasm-url.ts'))
      return [
        'export const defaultWasmUrl = (build) =>',
        "  build === 'relaxed' ? new URL('./wasmgrad-relaxed.wasm', import.meta.url)",
        "  : build === 'scalar' ? new URL('./wasmgrad-scalar.wasm', import.meta.url)",
        "  : new URL('./wasmgrad.wasm', import.meta.url);",
      ].join('\n');
    return null;
  },
  writeBundle() {
    mkdirSync('dist', { recursive: true });
    for (const f of WASM_FILES) copyFileSync(`build/${f}`, `dist/${f}`);
  },
};

// Resolve the `.js` specifiers of the TS sources to the `.ts` files.
const tsResolve = {
  name: 'ts-resolve',
  async resolveId(source, importer) {
    if (importer && source.startsWith('.') && source.endsWith('.js')) {
      const r = await this.resolve(source.slice(0, -3) + '.ts', importer, { skipSelf: true });
      if (r) return r;
    }
    return null;
  },
};

export default {
  input: 'src/index.ts',
  external: [/^node:/, 'cli-progress'],
  // Tensor and the op modules refer to each other only inside functions, never at load time.
  onwarn(w, warn) {
    if (w.code !== 'CIRCULAR_DEPENDENCY') warn(w);
  },
  plugins: [tsResolve, wasmUrlFromBundle, esbuild({ target: 'es2022' })],
  output: [
    { dir: 'dist', format: 'es', entryFileNames: 'index.js', chunkFileNames: '[name]-[hash].js', sourcemap: true },
    { dir: 'dist', format: 'cjs', entryFileNames: 'index.cjs', chunkFileNames: '[name]-[hash].cjs', sourcemap: true, exports: 'named' },
  ],
};
