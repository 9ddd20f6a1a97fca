/**
 * Files torch.save wrote (PyTorch 1.13, test/fixtures/torch/make-files.py): state dicts through
 * wg.load and wg.node.loadFile into our modules, whole objects through wg.loadTorch, and the
 * files we cannot read (a pickled model, the legacy format, compressed archives) as clear errors.
 * And wg.saveTorch, whose bytes torch.load reads (checked with torch 1.13 on the fixture).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const fixture = (name: string) => readFileSync(new URL(`./fixtures/torch/${name}`, import.meta.url));
const path = (name: string) => new URL(`./fixtures/torch/${name}`, import.meta.url);
const r6 = (t: wg.Tensor) => (t.toArray() as number[][]).map((row) => row.map((v) => Math.round(v * 1e6) / 1e6));

const mlp = () => new wg.nn.Sequential(new wg.nn.Linear(3, 4), new wg.nn.BatchNorm1d(4), new wg.nn.ReLU(), new wg.nn.Linear(4, 2)).eval() as wg.nn.Sequential;
const x = () =>
  wg.tensor([
    [0.5, -1, 2],
    [1.5, 0.25, -0.75],
  ]);
// torch: m(x) after torch.save(m.state_dict(), 'mlp.pt')
const TORCH_OUT = [
  [-0.0897974967956543, 0.06872658431529999],
  [-0.14637303352355957, 0.16594761610031128],
];

describe('torch.save files', () => {
  test("wg.load reads torch.save(model.state_dict()) into our module, int64 num_batches_tracked too, and gives torch's output", () => {
    const sd = wg.load(fixture('mlp.pt'));
    expect(Object.keys(sd)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '3.weight',
      '3.bias',
    ]);
    expect([sd['1.num_batches_tracked'].dtype, sd['1.num_batches_tracked'].item(), sd['0.weight'].shape]).toEqual(['int32', 1, [4, 3]]);
    const m = mlp();
    m.loadStateDict(sd);
    expect(r6(m.forward(x()))).toEqual(r6(wg.tensor(TORCH_OUT)));
    expect(wg.loadWithMetadata(fixture('mlp.pt')).metadata).toBeNull();
  });

  test('wg.node.loadFile reads a torch.save file too', async () => {
    const m = mlp();
    m.loadStateDict(await wg.node.loadFile(path('mlp.pt')));
    expect(r6(m.forward(x()))).toEqual(r6(wg.tensor(TORCH_OUT)));
  });

  test('wg.loadTorch returns the whole object: nested dicts, numbers, strings, lists, tuples, views and every dtype', () => {
    const ck = wg.loadTorch(fixture('checkpoint.pt')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Object.keys(ck)).toEqual(['model', 'epoch', 'lr', 'name', 'flags', 'pair', 'big', 'views', 'dtypes', 'param']);
    expect([ck.epoch, ck.lr, ck.name, ck.flags, ck.pair, ck.big]).toEqual([7, 0.125, 'run-α', [true, false, null], [1, -2], 2 ** 40]);
    const m = mlp();
    m.loadStateDict(ck.model);
    expect(r6(m.forward(x()))).toEqual(r6(wg.tensor(TORCH_OUT)));
    // views of one storage, gathered by offset and stride: base.t(), base[1], base[:, 2]
    expect(ck.views.t.toArray()).toEqual([[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]); // prettier-ignore
    expect([ck.views.row.toArray(), ck.views.col.toArray(), ck.views.base.shape]).toEqual([
      [4, 5, 6, 7],
      [2, 6, 10],
      [3, 4],
    ]);
    const d = ck.dtypes;
    expect(
      Object.fromEntries(Object.entries(d).map(([k, t]) => [k, [(t as wg.Tensor).dtype, (t as wg.Tensor).shape, Array.from((t as wg.Tensor).data())]])),
    ).toEqual({
      f64: ['float32', [2], [1.5, -2.25]],
      f16: ['float32', [2], [0.5, -3]],
      bf16: ['float32', [2], [1, 256]],
      i64: ['int32', [2], [-5, 7]],
      i32: ['int32', [1], [3]],
      u8: ['int32', [2], [255, 0]],
      bool: ['int32', [2], [1, 0]],
      scalar: ['float32', [], [2.5]],
      empty: ['float32', [0, 3], []],
    });
    expect(ck.param.toArray()).toEqual([1, 2]);
  });

  test("an optimizer's state_dict: integer keys as strings, param_groups as objects", () => {
    const { optimizer } = wg.loadTorch(fixture('optimizer.pt')) as {
      optimizer: { state: Record<string, Record<string, wg.Tensor>>; param_groups: Record<string, unknown>[] };
    };
    expect(Object.keys(optimizer.state)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect([optimizer.state['5'].step.item(), optimizer.state['5'].exp_avg.toArray()]).toEqual([1, [0.5, 0.5]]);
    expect([optimizer.param_groups[0].lr, optimizer.param_groups[0].betas, optimizer.param_groups[0].params]).toEqual([0.01, [0.9, 0.999], [0, 1, 2, 3, 4, 5]]);
  });

  test('what cannot be read says why, and what to do', () => {
    expect(() => wg.load(fixture('checkpoint.pt'))).toThrow(
      "wasmgrad.load: the torch.save file holds a dict with keys 'model', 'epoch', 'lr', 'name', 'flags', 'pair', …, not a state dict (names → tensors): wg.loadTorch(bytes) returns the whole object",
    );
    expect(() => wg.loadTorch(fixture('whole-model.pt'))).toThrow(
      'wasmgrad.loadTorch: the torch.save file: it holds a Python object of type torch.nn.modules.container.Sequential, which only Python can rebuild',
    );
    expect(() => wg.load(fixture('legacy.pt'))).toThrow(
      'wasmgrad.load: a torch.save file in the legacy format (PyTorch < 1.6, or _use_new_zipfile_serialization=False)',
    );
    expect(() => wg.load(fixture('deflated.pt'))).toThrow(
      "wasmgrad.load: not a readable ZIP archive (torch.save's format): 'deflated/data.pkl' is compressed (method 8)",
    );
    expect(() => wg.load(fixture('int64-overflow.pt'))).toThrow(
      "wasmgrad.load: tensor 'storage 0' (I64): value 1099511627776 at index 0 does not fit in int32, which is what wasmgrad uses for integers",
    );
    const mlpBytes = new Uint8Array(fixture('mlp.pt'));
    expect(() => wg.load(mlpBytes.subarray(0, mlpBytes.length - 30))).toThrow(
      "wasmgrad.load: not a readable ZIP archive (torch.save's format): no End of Central Directory record (the file is cut short?)",
    );
  });

  test('wg.saveTorch writes the bytes torch.load reads (weights_only too): the fixture torch 1.13 loaded, byte for byte', () => {
    const sd = {
      'fc.weight': wg.tensor([
        [1, -2],
        [0.5, 3],
      ]),
      'fc.bias': wg.tensor([0.25, -0.125]),
      'bn.num_batches_tracked': wg.tensor(7, { dtype: 'int32' }),
      scalar: wg.tensor(2.5),
      empty: wg.zeros([0, 3]),
    };
    // torch.load('written-by-wasmgrad.pt', weights_only=True) → OrderedDict fc.weight float32 [[1, -2], [0.5, 3]],
    // fc.bias [0.25, -0.125], bn.num_batches_tracked int64 7, scalar 2.5 (0-d), empty float32 (0, 3)
    expect(Buffer.from(wg.saveTorch(sd)).equals(fixture('written-by-wasmgrad.pt'))).toBe(true);
    const back = wg.load(wg.saveTorch(sd));
    expect(Object.fromEntries(Object.entries(back).map(([k, t]) => [k, [t.dtype, t.shape, Array.from(t.data())]]))).toEqual({
      'fc.weight': ['float32', [2, 2], [1, -2, 0.5, 3]],
      'fc.bias': ['float32', [2], [0.25, -0.125]],
      'bn.num_batches_tracked': ['int32', [], [7]],
      scalar: ['float32', [], [2.5]],
      empty: ['float32', [0, 3], []],
    });
    // a module round trip: our MLP saved, read back into a fresh one, gives the same output
    const m = mlp();
    m.loadStateDict(wg.load(fixture('mlp.pt')));
    const m2 = mlp();
    m2.loadStateDict(wg.load(wg.saveTorch(m)));
    expect(m2.forward(x()).toArray()).toEqual(m.forward(x()).toArray());
    expect(() => wg.saveTorch(wg.tensor([1]) as never)).toThrow('wasmgrad.saveTorch: got a single Tensor; pass a state dict such as { weight: t } or a module');
  });
});
