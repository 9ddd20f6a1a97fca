/**
 * The TS ↔ AssemblyScript contract (src/ops/contract.ts, emitted by scripts/gen-ops.ts): opcodes
 * are table positions, the hash init checks follows every change of the table or the contract,
 * the scratch arena enforces each record's workspace, and the planners' scratch sizes are what
 * the kernels of this build actually take. Runs on all three builds (vitest.config.ts).
 */
import { beforeAll, describe, expect, expectTypeOf, test } from 'vitest';
import * as wg from '../src/index.js';
import { BackendError } from '../src/errors.js';
import { apply, backend } from '../src/engine/engine.js';
import { WasmBackend } from '../src/engine/backend/wasm.js';
import { CONTRACT, MAX_PARAMS, R, REC_WORDS, contractHash } from '../src/ops/contract.js';
import { directConvWords } from '../src/ops/conv.js';
import { OPS, TABLE_HASH, op, type OpName } from '../src/ops/index.js';
import { FLAG_BACKWARD, newRecord, type OpDef } from '../src/ops/types.js';
import { makeData, rng, wantsGrad } from './helpers/harness.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

interface ArenaExports {
  tableHash(): number;
  arenaDemand(): number;
}
const wasmExports = () => (backend('wasm') as unknown as { ex: ArenaExports }).ex;

describe('the table', () => {
  test('opcodes are positions in the table; op() finds every op by its name', () => {
    OPS.forEach((o, i) => {
      expect(o.opcode).toBe(i);
      expect(op(o.name as OpName)).toBe(o);
    });
  });

  test('op names are a union of the table names, checked by the compiler', () => {
    expectTypeOf<OpName>().not.toEqualTypeOf<string>();
    expectTypeOf<'matmul'>().toMatchTypeOf<OpName>();
    // @ts-expect-error: a misspelled op name does not compile
    expect(() => op('matmull').name).toThrow(TypeError);
    // The entry is typed with its attributes: conv2d's options are checked too.
    expectTypeOf(op('conv2d').plan).parameter(1).toHaveProperty('stride');
  });

  test('the record layout: fields in order, parameters to the end of the record', () => {
    const fields = Object.entries(R).sort((a, b) => a[1] - b[1]);
    expect(fields.map(([name]) => name)).toEqual(['OPCODE', 'NIN', 'OUT', 'IN', 'GOUT', 'GIN', 'AUX', 'WS', 'WS_WORDS', 'N', 'P']);
    expect(R.GOUT - R.IN).toBe(CONTRACT.MAX_INPUTS);
    expect(R.P + MAX_PARAMS).toBe(REC_WORDS);
  });
});

describe('the contract hash', () => {
  const sigs = OPS.map(({ name, arity, gradInputs }) => ({ name, arity, gradInputs }));

  test('is the module’s: this build was generated from this table and contract', () => {
    expect(contractHash(sigs)).toBe(TABLE_HASH);
    expect(wasmExports().tableHash() >>> 0).toBe(TABLE_HASH);
  });

  test('changes with the table: order (opcodes), names, arity, backward kernels, an added op', () => {
    const variants = [
      [sigs[1], sigs[0], ...sigs.slice(2)],
      sigs.map((s, i) => (i === 3 ? { ...s, name: `${s.name}2` } : s)),
      sigs.map((s, i) => (i === 3 ? { ...s, arity: s.arity + 1 } : s)),
      sigs.map((s) => (s.name === 'relu' ? { ...s, gradInputs: [] } : s)),
      [...sigs, { name: 'newOp', arity: 1, gradInputs: [0] }],
    ];
    const hashes = variants.map((v) => contractHash(v));
    expect(new Set([TABLE_HASH, ...hashes]).size).toBe(variants.length + 1);
  });

  test('changes with the contract: record layout, flags, GEMM blocking', () => {
    const changed = [
      { ...CONTRACT, P: CONTRACT.P + 1 },
      { ...CONTRACT, FLAG_OVERWRITE: 1 << 18 },
      { ...CONTRACT, KC: 128 },
    ];
    for (const c of changed) expect(contractHash(sigs, c)).not.toBe(TABLE_HASH);
  });

  // The smallest module exporting tableHash() -> value: (func (export "tableHash") (result i32) i32.const value).
  function moduleWithHash(value: number | null): Uint8Array {
    const sleb = (v: number): number[] => {
      const out: number[] = [];
      for (;;) {
        const byte = v & 0x7f;
        v >>= 7;
        if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return [...out, byte];
        out.push(byte | 0x80);
      }
    };
    const head = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    if (value === null) return new Uint8Array(head);
    const name = [...'tableHash'].map((c) => c.charCodeAt(0));
    const body = [0x00, 0x41, ...sleb(value | 0), 0x0b];
    return new Uint8Array([
      ...head,
      0x01,
      0x05,
      0x01,
      0x60,
      0x00,
      0x01,
      0x7f, // type: () -> i32
      0x03,
      0x02,
      0x01,
      0x00, // one function of type 0
      0x07,
      name.length + 4,
      0x01,
      name.length,
      ...name,
      0x00,
      0x00, // export it
      0x0a,
      body.length + 2,
      0x01,
      body.length,
      ...body,
    ]);
  }

  test('init refuses a module built from another table, naming both hashes', async () => {
    const other = (TABLE_HASH ^ 0x5a5a5a5a) >>> 0;
    const hex = (h: number) => `0x${h.toString(16).padStart(8, '0')}`;
    const err = await WasmBackend.create(moduleWithHash(other), undefined, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toBe(
      `wasmgrad.init: the wasm module was built from another version: its op table and record layout hash ${hex(other)}, this library's ${hex(TABLE_HASH)} (rebuild: npm run build:wasm)`,
    );
    await expect(WasmBackend.create(moduleWithHash(null), undefined, 0)).rejects.toThrow('its op table and record layout hash none');
  });
});

describe('the scratch arena', () => {
  const runWith = (be: WasmBackend, o: OpDef, ins: wg.Tensor[], attrs: object, workspace: number, backward: boolean) => {
    const plan = o.plan(ins, attrs);
    const n = plan.shape.reduce((a, b) => a * b, 1);
    const outT = wg.zeros(plan.shape);
    const rec = newRecord(o.opcode, ins.length, outT.storage.ptr, n, plan.params ?? [], workspace);
    ins.forEach((t, i) => (rec[R.IN + i] = t.storage.ptr));
    const grads = ins.map((t) => wg.zeros(t.shape));
    if (backward) {
      rec[R.OPCODE] |= FLAG_BACKWARD;
      rec[R.GOUT] = wg.ones(plan.shape).storage.ptr;
      grads.forEach((g, i) => (rec[R.GIN + i] = g.storage.ptr));
    }
    be.run([rec], plan.workspace ?? 0, 'test');
    return { out: outT, grads, workspace: plan.workspace ?? 0 };
  };

  test('a record asking for more scratch than its workspace aborts, naming the op, the phase and both sizes', () => {
    wg.setBackend('wasm');
    const be = backend('wasm') as WasmBackend;
    const a = wg.randn([3, 5]),
      b = wg.randn([5, 300]); // the forward's GEMM takes all the scratch: n is the largest dim
    const matmul = op('matmul');
    const ws = matmul.plan([a, b], {}).workspace!;
    expect(() => runWith(be, matmul, [a, b], {}, ws - 1, false)).toThrow(
      new BackendError(
        'test',
        `the forward kernel of matmul (opcode ${matmul.opcode}) asked for at least ${ws} words of scratch, its plan's workspace is ${ws - 1} (internal: the op's plan under-estimates)`,
      ),
    );
    // The check runs before the kernel writes: the output is untouched, and the backend still works.
    const { out } = runWith(be, matmul, [a, b], {}, ws, false);
    expect(out.toArray()).toEqual(wg.matmul(a, b).toArray());

    const x = wg.randn([2, 3, 8, 8]),
      w = wg.randn([4, 3, 3, 3]),
      bias = wg.randn([4]);
    const conv = op('conv2d');
    const attrs = { padding: 1 };
    expect(() => runWith(be, conv, [x, w, bias], attrs, 10, true)).toThrow(
      new RegExp(
        `^wasmgrad\\.test: the backward kernel of conv2d \\(opcode ${conv.opcode}\\) asked for at least \\d+ words of scratch, its plan's workspace is 10 `,
      ),
    );
    expect(() => runWith(be, conv, [x, w, bias], attrs, conv.plan([x, w, bias], attrs).workspace!, true)).not.toThrow();
  });

  /**
   * Every case of the table, forward and backward: the words each kernel takes from the arena
   * (counted as the planners count them) never exceed the plan's workspace, and for every op that
   * has scratch some case takes all of it: the plan's formula is the kernels' allocations, not a
   * loose bound.
   */
  test('the plans’ workspace is what the kernels of this build take', () => {
    wg.setBackend('wasm');
    const ex = wasmExports();
    const mismatches: string[] = [];
    // The direct conv kernels (SIMD builds) take less than the im2col path the plan also covers:
    // their sizes are checked one by one against the contract's formulas.
    const simd = (backend('wasm') as WasmBackend).simd;
    let directCases = 0;
    const direct = (name: string, params: readonly number[], fwd: number, bwd: number, label: string) => {
      const want = directConvWords(params, name === 'convTranspose2d');
      if (!simd || want === undefined) return;
      directCases++;
      if (fwd !== want.fwd || bwd !== want.bwd)
        mismatches.push(`${name} ${label} (direct): takes ${fwd} / ${bwd} words, the contract says ${want.fwd} / ${want.bwd}`);
    };
    for (const o of OPS) {
      let attained = false,
        any = false;
      o.tests.cases.forEach((c, ci) => {
        const u = rng(7 + ci);
        const ins = c.inputs.map((s, i) => wg.tensor(makeData(s, u), { shape: s.shape, dtype: s.dtype ?? 'float32', requiresGrad: wantsGrad(o, c.inputs, i) }));
        const plan = o.plan(ins, c.attrs ?? {}),
          workspace = plan.workspace ?? 0;
        const y = apply(o, ins, c.attrs ?? {});
        const fwd = ex.arenaDemand();
        let bwd = 0;
        if (y.requiresGrad) {
          y.backward(wg.ones(y.shape));
          bwd = ex.arenaDemand();
        }
        const demand = Math.max(fwd, bwd);
        if (o.name === 'conv2d' || o.name === 'convTranspose2d') direct(o.name, plan.params!, fwd, bwd, c.name ?? String(ci));
        if (demand > workspace) mismatches.push(`${o.name} ${c.name ?? ci}: takes ${demand} words, plans ${workspace}`);
        any ||= workspace > 0;
        attained ||= demand === workspace;
      });
      if (any && !attained) mismatches.push(`${o.name}: no case takes its whole workspace`);
    }
    expect(mismatches).toEqual([]);
    expect(directCases > 0).toBe(simd);
  });
});
