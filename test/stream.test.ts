/**
 * The global random stream has one state wherever it lives (WASM memory after init): the dropout
 * kernels draw their seeds from it when they run, so the AS sfc32 step, the JS one and a compiled
 * replay all continue the same sequence.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { backend } from '../src/engine/engine.js';
import type { WasmBackend } from '../src/engine/backend/wasm.js';
import { nextU32, sfc32 } from '../src/random.js';
import { dropoutHash } from '../src/ops/shape.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;

/** The seed a dropout forward saved for its backward (its one AUX word), read back as unsigned. */
function savedSeed(y: wg.Tensor): number {
  const s = y.node!.saved[0];
  return s.backend.read(s.ptr, 1, 'int32')[0] >>> 0;
}

describe.each(BACKENDS)('%s', (be) => {
  test('dropout kernels draw the JS sfc32 sequence, and nextU32 continues it', () => {
    wg.setBackend(be);
    const want = sfc32(1234);
    wg.manualSeed(1234);
    const x = wg.ones([13], { requiresGrad: true });
    for (let k = 0; k < 40; k++) {
      const y = wg.dropout(x, 0.5, true);
      const seed = want();
      expect(savedSeed(y)).toBe(seed);
      // The mask is the hash of the drawn seed (element i kept iff hash ≥ ⌊p·2^32⌋).
      expect(Array.from(y.data(), (v) => v !== 0)).toEqual(Array.from({ length: 13 }, (_, i) => dropoutHash(seed, i) >= 2 ** 31));
      if (k % 3 === 0) expect(nextU32()).toBe(want()); // JS draws between kernel draws
    }
  });

  test('compiled dropout equals eager over 20 fast replays, and randn afterwards gives the same numbers', () => {
    wg.setBackend(be);
    const x = wg.tensor(
      Array.from({ length: 50 }, (_, i) => i / 7 - 3),
      { shape: [5, 10], requiresGrad: true },
    );
    const step = (t: wg.Tensor) => {
      const y = wg.dropout(wg.dropout(t, 0.3, true).relu(), 0.6, true);
      y.sum().backward();
      return y;
    };
    const run = (f: (t: wg.Tensor) => wg.Tensor) => {
      wg.manualSeed(99);
      const outs: number[][] = [];
      for (let k = 0; k < 22; k++) {
        x.grad = null;
        outs.push([...f(x).data(), ...x.grad!.data()]);
      }
      return { outs, next: Array.from(wg.randn([8]).data()) };
    };
    const eager = run(step);
    const f = wg.compile(step);
    const compiled = run(f);
    expect(f.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 20 } });
    expect(compiled.outs).toEqual(eager.outs);
    expect(compiled.next).toEqual(eager.next);
    expect(new Set(eager.outs.map((o) => o.join())).size).toBe(22);
  });
});

test('a function that draws random tensors inside re-runs its JS and still gets the eager masks and numbers', () => {
  wg.setBackend('wasm');
  const x = wg.ones([16]);
  const step = (t: wg.Tensor) => wg.dropout(wg.dropout(t, 0.5, true).add(wg.randn([16])), 0.2, true).mul(wg.rand([16]));
  const run = (f: (t: wg.Tensor) => wg.Tensor) => {
    wg.manualSeed(5);
    const outs = Array.from({ length: 6 }, () => Array.from(f(x).data()));
    return { outs, next: nextU32() };
  };
  const eager = run(step);
  const f = wg.compile(step);
  expect(run(f)).toEqual(eager);
  expect(f.replayInfo()[0]).toMatchObject({ mode: 'rerun', calls: { traces: 1, jsRuns: 5 } });
});

test('one stream across backends: a reference dropout continues where a WASM one left off', () => {
  const seeds: number[] = [];
  wg.manualSeed(5);
  for (const be of ['wasm', 'reference', 'wasm', 'reference'] as const) {
    wg.setBackend(be);
    seeds.push(savedSeed(wg.dropout(wg.ones([3], { requiresGrad: true }), 0.5, true)));
  }
  const want = sfc32(5);
  expect(seeds).toEqual([want(), want(), want(), want()]);
  wg.setBackend('wasm');
});

test('the stream survives WASM memory growth (the view of its words is re-made)', () => {
  wg.setBackend('wasm');
  const want = sfc32(77);
  wg.manualSeed(77);
  expect(nextU32()).toBe(want());
  const wasm = backend('wasm') as WasmBackend;
  const bytes = wasm.memoryBytes;
  const big = wg.zeros([bytes / 4]); // as large as the whole memory: it must grow
  expect(wasm.memoryBytes).toBeGreaterThan(bytes);
  expect(nextU32()).toBe(want());
  expect(savedSeed(wg.dropout(wg.ones([4], { requiresGrad: true }), 0.5, true))).toBe(want());
  big.dispose();
});

test('no replay hook remains: nothing in src/ registers one with the sink', () => {
  const root = join(dirname(new URL(import.meta.url).pathname), '..', 'src');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const offenders = files(root).filter((f) => /\bhook\(|ReplayHook|\.stochastic\(/.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
});
