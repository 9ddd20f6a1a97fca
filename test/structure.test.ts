/**
 * The layers of src/, read from the import statements of the sources (type-only and dynamic imports count):
 * no import cycle, and each layer imports only the layers below it (docs/internals.md, "Layers").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** file -> the src files it imports (relative specifiers, .js resolved to .ts). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources('src')) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const deps: string[] = [];
    // Static imports and re-exports, side-effect imports, and dynamic import('./x.js') (lazy loads count too).
    for (const m of text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g,
    )) {
      const spec = m[1] ?? m[2] ?? m[3];
      deps.push(normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
    }
    graph.set(normalize(file), deps);
  }
  return graph;
}

test('src/ has no import cycle', () => {
  const graph = importGraph();
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  expect(cycles).toEqual([]);
});

/** Which folders (or files) of src/ each layer may import; a layer always imports itself. */
const LAYERS: [layer: string, mayImport: string[]][] = [
  ['src/errors.ts', []],
  ['src/random.ts', ['src/errors.ts']],
  ['src/ops/', ['src/errors.ts']],
  ['src/engine/', ['src/ops/', 'src/errors.ts', 'src/random.ts']],
  ['src/api/', ['src/engine/', 'src/ops/', 'src/errors.ts', 'src/random.ts']],
  ['src/compile/', ['src/engine/', 'src/ops/', 'src/errors.ts', 'src/random.ts']],
  ['src/distributions/', ['src/api/', 'src/engine/', 'src/ops/', 'src/errors.ts', 'src/random.ts']],
];

/**
 * The one import across layers on purpose: the engine's lazy bridge to the Node entry. Its dynamic
 * import is the separate package entry 'wasmgrad/node' in dist/ (rollup.config.js), a stub in
 * browser bundles. src/node/ imports only the bridge's hint texts back (no cycle).
 */
const BRIDGES = new Set(['src/engine/host.ts -> src/node/host.ts']);

test('each layer imports only the layers below it; the recorder only from src/compile/', () => {
  const graph = importGraph();
  const offenders: string[] = [];
  for (const [file, deps] of graph) {
    const rel = relative(ROOT, join(ROOT, file));
    const rule = LAYERS.find(([layer]) => rel === layer || rel.startsWith(layer));
    for (const d of deps) {
      if (d === 'src/compile/recorder.ts' && !rel.startsWith('src/compile/')) offenders.push(`${rel} imports the recorder`);
      if (rule === undefined) continue;
      const [layer, allowed] = rule;
      if (d.startsWith(layer) || d === layer || allowed.some((a) => d === a || d.startsWith(a)) || BRIDGES.has(`${rel} -> ${d}`)) continue;
      offenders.push(`${rel} (${layer}) imports ${d}`);
    }
  }
  expect(offenders).toEqual([]);
});
