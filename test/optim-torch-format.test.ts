/**
 * Optimizer.loadStateDict of a state dict in torch's own format: `json.dumps` of torch 1.13's
 * `opt.state_dict()` with its tensors as `.tolist()` (`param_groups`, snake_case options, torch's
 * implementation switches). After loading, one step equals torch's next step. The script:
 *
 *   def tl(x): return x.tolist() if torch.is_tensor(x) else x
 *   def dump(sd): return json.dumps({'state': {k: {n: tl(v) for n, v in s.items()} for k, s in sd['state'].items()},
 *                                    'param_groups': sd['param_groups']})
 *   w = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True); b = torch.tensor([0.1, -0.3], requires_grad=True)
 *   opt = torch.optim.SGD([w, b], lr=0.1, momentum=0.9, weight_decay=0.01)  # or the Adam below
 *   gs = [([[1., -2], [0.5, 3]], [0.2, -0.1]), ([[-1., 0.5], [2, 1]], [0.3, 0.4]), ([[0.25, 1], [-3, 0.5]], [-0.5, 0.6])]
 *   for gw, gb in gs[:2]: w.grad = torch.tensor(gw); b.grad = torch.tensor(gb); opt.step()
 *   print(dump(opt.state_dict()), w.tolist(), b.tolist())   # TORCH_SD, the parameters now
 *   w.grad = torch.tensor(gs[2][0]); b.grad = torch.tensor(gs[2][1]); opt.step(); print(w.tolist(), b.tolist())   # next
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const SGD_SD = JSON.parse(
  '{"state": {"0": {"momentum_buffer": [[-0.09150505065917969, -1.3169898986816406], [2.4874799251556396, 3.701747417449951]]}, "1": {"momentum_buffer": [0.48169898986816406, 0.30440300703048706]}}, "param_groups": [{"lr": 0.1, "momentum": 0.9, "dampening": 0, "weight_decay": 0.01, "nesterov": false, "maximize": false, "foreach": null, "differentiable": false, "params": [0, 1]}]}',
);
const SGD_AT = [
  [0.4086505174636841, -0.6673010587692261, 1.6992520093917847, -0.42042475938796997],
  [0.031730104237794876, -0.3201403021812439],
];
const SGD_NEXT = [
  [0.3914773166179657, -0.6481046676635742, 1.7736796140670776, -0.8031615614891052],
  [0.038345467299222946, -0.4072164297103882],
];
// torch.optim.Adam([w, b], lr=0.05, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True): step is a 0-d tensor, a number in the JSON
const ADAM_SD = JSON.parse(
  '{"state": {"0": {"step": 2.0, "exp_avg": [[-0.023000001907348633, -0.2549999952316284], [0.5509999990463257, 0.6880000233650208]], "exp_avg_sq": [[0.1904274821281433, 0.4133024513721466], [0.5259024500846863, 0.9275962114334106]], "max_exp_avg_sq": [[0.1904274821281433, 0.44099995493888855], [0.5259024500846863, 0.9275962114334106]]}, "1": {"step": 2.0, "exp_avg": [0.09460000693798065, 0.05420000106096268], "exp_avg_sq": [0.01327150035649538, 0.015583500266075134], "max_exp_avg_sq": [0.01327150035649538, 0.015583500266075134]}}, "param_groups": [{"lr": 0.05, "betas": [0.8, 0.9], "eps": 1e-08, "weight_decay": 0.1, "amsgrad": true, "maximize": false, "foreach": null, "capturable": false, "differentiable": false, "fused": false, "params": [0, 1]}]}',
);
const ADAM_AT = [
  [0.4531908333301544, -0.9267531037330627, 1.9040015935897827, 0.156753271818161],
  [0.0002863742411136627, -0.27628523111343384],
];
const ADAM_NEXT = [
  [0.4482205808162689, -0.9249697923660278, 1.9097506999969482, 0.12056030333042145],
  [0.007033809553831816, -0.3152056932449341],
];

/** w [2, 2] and b [2] at torch's values, the optimizer made with other options (torch's state dict sets them), its state loaded, one step with torch's third gradients. */
function stepAfterLoad(make: (ps: wg.Tensor[]) => wg.optim.Optimizer, sd: unknown, at: number[][]): wg.Tensor[] {
  const w = wg.tensor(at[0], { requiresGrad: true }).reshape([2, 2]).detach().requiresGrad_();
  const b = wg.tensor(at[1], { requiresGrad: true });
  const opt = make([w, b]);
  opt.loadStateDict(sd as wg.optim.TorchOptimizerStateDict);
  w.grad = wg.tensor([
    [0.25, 1],
    [-3, 0.5],
  ]);
  b.grad = wg.tensor([-0.5, 0.6]);
  opt.step();
  return [w, b];
}

for (const be of ['wasm', 'reference'] as const)
  describe(`loadStateDict in torch's format on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('SGD with momentum and Adam with amsgrad continue as torch 1.13', () => {
      const sgd = stepAfterLoad((ps) => new wg.optim.SGD(ps, { lr: 1 }), SGD_SD, SGD_AT);
      sgd.forEach((p, k) => expectClose(Array.from(p.data()), SGD_NEXT[k], 1e-6));
      const adam = stepAfterLoad((ps) => new wg.optim.Adam(ps), ADAM_SD, ADAM_AT);
      adam.forEach((p, k) => expectClose(Array.from(p.data()), ADAM_NEXT[k], 1e-6));
    });

    test("torch's options become ours; the loaded state saves in our format", () => {
      const w = wg.zeros([2, 2], { requiresGrad: true }),
        b = wg.zeros([2], { requiresGrad: true });
      const opt = new wg.optim.Adam([w, b]);
      opt.loadStateDict(ADAM_SD);
      expect({ ...opt.paramGroups[0] }).toEqual({ lr: 0.05, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0.1, amsgrad: true, maximize: false });
      const sd = opt.stateDict();
      expect([sd.state[1].step.item(), Array.from(sd.state[1].max_exp_avg_sq.data())]).toEqual([
        2,
        [Math.fround(0.01327150035649538), Math.fround(0.015583500266075134)],
      ]);
      // a null buffer (torch's SGD without momentum keeps momentum_buffer None) is no buffer
      const plain = new wg.optim.SGD([w], { lr: 1 });
      plain.loadStateDict({
        state: { 0: { momentum_buffer: null } },
        param_groups: [{ lr: 0.1, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, params: [0] }],
      });
      expect([plain.lr, Object.keys(plain.stateDict().state[0])]).toEqual([0.1, []]);
    });

    test('errors name the entry and change nothing', () => {
      const w = wg.zeros([2, 2], { requiresGrad: true }),
        b = wg.zeros([2], { requiresGrad: true });
      const opt = new wg.optim.Adam([w, b]);
      const ragged = { ...ADAM_SD, state: { ...ADAM_SD.state, 1: { ...ADAM_SD.state[1], exp_avg: [[1], 2] } } };
      expect(() => opt.loadStateDict(ragged)).toThrow(/^wasmgrad\.optim\.Adam: loadStateDict: state\[1\]\.exp_avg is not a tensor's nested list: /);
      const unknown = { ...ADAM_SD, param_groups: [{ ...ADAM_SD.param_groups[0], lr_decay: 0 }] };
      expect(() => opt.loadStateDict(unknown)).toThrow("wasmgrad.optim.Adam: loadStateDict: unknown hyperparameter 'lrDecay' in paramGroups[0]");
      expect([opt.lr, opt.stateDict().state]).toEqual([1e-3, {}]);
    });
  });
