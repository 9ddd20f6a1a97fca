/**
 * torch's optimizer and scheduler objects as seen from outside (PyTorch 1.13, literals written by
 * /usr/bin/python3 with torch): LR schedulers stepped together on one optimizer compose through
 * torch's chainable forms (each step() reads the group's current lr), eagerly and inside
 * wg.compile; `optimizer.state` is torch's `optimizer.state[p]` (a Map keyed by the parameter);
 * `paramGroups` entries carry torch's param_groups keys and an lr assigned there takes effect.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const L = wg.optim.lr;
type Sched = { step(): void };

/** |got − want| ≤ 1e-6·|want| element by element (a relative check: the lrs go down to 1e-4). */
function expectRel(got: readonly number[], want: readonly number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `${what} [${i}]: got ${g}, want ${want[i]}`).toBeLessThanOrEqual(1e-6 * Math.abs(want[i])));
}

/**
 * torch: SGD over one zero parameter per group (lrs), the schedulers made in order, then per epoch
 * opt.step() and every scheduler's step() (then `hand[e]` assigned to every group's lr);
 * param_groups' lrs after construction and after each epoch. One group: the lrs alone.
 * `run(make, lrs=(0.1,), hand=None, epochs=22)` of /tmp/optim18/combos.py, e.g.
 * run(lambda o: [L.StepLR(o, 2, 0.5), L.ExponentialLR(o, 0.9)]) for 'step+exp'.
 */
const TORCH: Record<string, number[] | number[][]> = {
  'step+exp': [
    0.1, 0.09000000000000001, 0.04050000000000001, 0.03645000000000001, 0.016402500000000004, 0.014762250000000005, 0.0066430125000000026, 0.005978711250000003,
    0.0026904200625000015, 0.0024213780562500013, 0.0010896201253125005, 0.0009806581127812504, 0.0004412961507515627, 0.00039716653567640646,
    0.00017872494105438292, 0.00016085244694894464, 7.238360112702508e-5, 6.514524101432258e-5, 2.9315358456445163e-5, 2.638382261080065e-5,
    1.1872720174860293e-5, 1.0685448157374264e-5, 4.8084516708184185e-6,
  ],
  'exp+cos': [
    0.1, 0.08779754323328193, 0.0732651882721854, 0.05787477244606067, 0.042942302500470174, 0.02952450000000002, 0.018360834974619194, 0.009858051798139622,
    0.00411059607944154, 0.0009480854195147585, 0.0, 0.0024471741852423235, 0.0085942352531274, 0.01669469728215491, 0.025186330555033276, 0.03280500000000014,
    0.038648072250423306, 0.0421907091131784, 0.04326236102284294, 0.041993292756094903, 0.03874204890000017, 0.03401456713243687, 0.028384435067087255,
  ],
  'cos+step': [
    0.1, 0.0905463412215599, 0.06579634122155989, 0.035203658778440096, 0.010453658778440105, 0.001, 0.010453658778440102, 0.01760182938922006,
    0.03245095701528, 0.044464153616405024, 0.04905278640450006, 0.04446415361640503, 0.03245095701528001, 0.017601829389220065, 0.0027943163940475236, 0.001,
    0.010453658778440102, 0.03520365877844012, 0.06579634122155995, 0.09054634122155997, 0.1000000000000001, 0.045273170610780004, 0.03303636721190505,
    0.017910846383595032, 0.005674042984720022, 0.001,
  ],
  'multistep+exp': [
    0.1, 0.095, 0.09025, 0.04286875, 0.04072531249999999, 0.038689046874999994, 0.03675459453124999, 0.008729216201171872, 0.008292755391113278,
    0.007878117621557613, 0.007484211740479732, 0.007110001153455746, 0.006754501095782958, 0.00641677604099381, 0.006095937238944119, 0.005791140376996913,
    0.0055015833581470676, 0.005226504190239714, 0.004965178980727728, 0.004716920031691342, 0.0044810740301067745, 0.004257020328601435, 0.004044169312171364,
  ],
  'linear+step': [
    0.025, 0.043750000000000004, 0.06250000000000001, 0.04062500000000001, 0.05000000000000001, 0.05000000000000001, 0.025000000000000005, 0.025000000000000005,
    0.025000000000000005, 0.012500000000000002, 0.012500000000000002, 0.012500000000000002, 0.006250000000000001, 0.006250000000000001, 0.006250000000000001,
    0.0031250000000000006, 0.0031250000000000006, 0.0031250000000000006, 0.0015625000000000003, 0.0015625000000000003, 0.0015625000000000003,
    0.0007812500000000002, 0.0007812500000000002,
  ],
  'constant+exp': [
    0.05, 0.045000000000000005, 0.04050000000000001, 0.03645000000000001, 0.06561000000000002, 0.05904900000000002, 0.05314410000000002, 0.04782969000000002,
    0.043046721000000024, 0.03874204890000002, 0.03486784401000002, 0.03138105960900001, 0.028242953648100012, 0.025418658283290013, 0.022876792454961013,
    0.020589113209464913, 0.01853020188851842, 0.01667718169966658, 0.015009463529699923, 0.013508517176729932, 0.01215766545905694, 0.010941898913151246,
    0.009847709021836121,
  ],
  'poly+step': [
    0.1, 0.08100000000000002, 0.06400000000000002, 0.048999999999999995, 0.018000000000000002, 0.012500000000000002, 0.008000000000000004, 0.004500000000000004,
    0.001, 0.00025, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
  ],
  'mult+step': [
    0.1, 0.095, 0.09025, 0.0857375, 0.08145062499999998, 0.007737809374999999, 0.007350918906249998, 0.006983372960937498, 0.006634204312890623,
    0.006302494097246091, 0.0005987369392383787, 0.0005688000922764598, 0.0005403600876626367, 0.0005133420832795049, 0.0004876749791155296,
    4.632912301597531e-5, 4.401266686517654e-5, 4.181203352191771e-5, 3.972143184582182e-5, 3.7735360253530726e-5, 3.584859224085419e-6, 3.405616262881148e-6,
    3.2353354497370905e-6,
  ],
  'lambda+exp': [
    0.1, 0.045000000000000005, 0.03, 0.022500000000000003, 0.018000000000000006, 0.015, 0.012857142857142857, 0.011250000000000001, 0.01, 0.009000000000000003,
    0.008181818181818182, 0.0075, 0.006923076923076923, 0.0064285714285714285, 0.006, 0.005625000000000001, 0.005294117647058823, 0.005, 0.004736842105263158,
    0.004500000000000001, 0.004285714285714286, 0.004090909090909091, 0.00391304347826087,
  ],
  'exp+lambda': [
    0.1, 0.05, 0.03333333333333333, 0.025, 0.020000000000000004, 0.016666666666666666, 0.014285714285714285, 0.0125, 0.011111111111111112, 0.010000000000000002,
    0.009090909090909092, 0.008333333333333333, 0.007692307692307693, 0.007142857142857143, 0.006666666666666667, 0.00625, 0.0058823529411764705,
    0.005555555555555556, 0.005263157894736842, 0.005000000000000001, 0.004761904761904762, 0.004545454545454546, 0.004347826086956522,
  ],
  'cos+linear': [
    0.010000000000000002, 0.027147450764126415, 0.039944373783782905, 0.04554200880634011, 0.042910274101622924, 0.03323730486514295, 0.016820912395177773,
    0.005851829635047803, 0.002, 0.00572990290694695, 0.016351767721859187, 0.03224851181411063, 0.051000000000000066, 0.06975148818588951, 0.08564823227814095,
    0.09627009709305316, 0.10000000000000013, 0.09627009709305318, 0.08564823227814095, 0.06975148818588953, 0.05100000000000008, 0.03224851181411064,
    0.016351767721859232,
  ],
  'chained step,cos': [
    0.1, 0.09336825748732973, 0.07525000000000001, 0.02541666666666667, 0.01320833333333334, 0.004271213057596621, 0.001, 0.007631742512670284,
    0.025750000000000002, 0.02475000000000002, 0.03662500000000004, 0.04531810333988046, 0.024214101615137783, 0.022659051669940235, 0.018410576211353342,
    0.006470192070451118, 0.00373509603522556, 0.0017328667738602524, 0.001, 0.007631742512670284, 0.025750000000000096, 0.024750000000000077,
    0.03662500000000011,
  ],
  'exp hand': [
    0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002, 0.05, 0.045000000000000005, 0.04050000000000001,
    0.03645000000000001, 0.03280500000000001, 0.02952450000000001, 0.02657205000000001, 0.02391484500000001, 0.021523360500000012, 0.01937102445000001,
    0.01743392200500001, 0.015690529804500006, 0.014121476824050006, 0.012709329141645007, 0.011438396227480507, 0.010294556604732457, 0.00926510094425921,
    0.00833859084983329,
  ],
  'cos hand': [
    0.1, 0.09397114317029975, 0.07750000000000001, 0.055000000000000014, 0.2, 0.06091034656191327, 0.01, 0.01602885682970026, 0.03250000000000001,
    0.05500000000000004, 0.07750000000000007, 0.09397114317029981, 0.10000000000000009, 0.09397114317029982, 0.0775000000000001, 0.055000000000000104,
    0.032500000000000064, 0.01602885682970026, 0.01, 0.01602885682970026, 0.0325000000000001, 0.05500000000000015, 0.07750000000000021,
  ],
  'two groups step+exp': [
    [0.1, 0.03],
    [0.09000000000000001, 0.027],
    [0.04050000000000001, 0.01215],
    [0.03645000000000001, 0.010935],
    [0.016402500000000004, 0.004920750000000001],
    [0.014762250000000005, 0.004428675000000001],
    [0.0066430125000000026, 0.0019929037500000003],
    [0.005978711250000003, 0.0017936133750000003],
    [0.0026904200625000015, 0.0008071260187500002],
    [0.0024213780562500013, 0.0007264134168750002],
    [0.0010896201253125005, 0.0003268860375937501],
    [0.0009806581127812504, 0.00029419743383437506],
    [0.0004412961507515627, 0.0001323888452254688],
    [0.00039716653567640646, 0.00011914996070292191],
    [0.00017872494105438292, 5.361748231631486e-5],
    [0.00016085244694894464, 4.825573408468338e-5],
    [7.238360112702508e-5, 2.171508033810752e-5],
    [6.514524101432258e-5, 1.9543572304296766e-5],
    [2.9315358456445163e-5, 8.794607536933545e-6],
    [2.638382261080065e-5, 7.91514678324019e-6],
    [1.1872720174860293e-5, 3.5618160524580853e-6],
    [1.0685448157374264e-5, 3.205634447212277e-6],
    [4.8084516708184185e-6, 1.4425355012455247e-6],
  ],
  'linear(end .5)+multistep': [
    0.05, 0.05, 0.005000000000000001, 0.005000000000000001, 0.005000000000000001, 0.005000000000000001, 0.0005000000000000001, 0.0005000000000000001,
    0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001,
    0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001,
    0.0005000000000000001, 0.0005000000000000001, 0.0005000000000000001,
  ],
};

type Combo = { make: (o: wg.optim.Optimizer) => Sched[]; lrs?: number[]; hand?: Record<number, number>; epochs?: number };
const COMBOS: Record<string, Combo> = {
  'step+exp': { make: (o) => [new L.StepLR(o, 2, 0.5), new L.ExponentialLR(o, 0.9)] },
  'exp+cos': { make: (o) => [new L.ExponentialLR(o, 0.9), new L.CosineAnnealingLR(o, 10)] },
  'cos+step': { make: (o) => [new L.CosineAnnealingLR(o, 5, 0.001), new L.StepLR(o, 7, 0.5)], epochs: 25 },
  'multistep+exp': { make: (o) => [new L.MultiStepLR(o, [3, 7, 7], 0.5), new L.ExponentialLR(o, 0.95)] },
  'linear+step': { make: (o) => [new L.LinearLR(o, 0.25, 1, 4), new L.StepLR(o, 3, 0.5)] },
  'constant+exp': { make: (o) => [new L.ConstantLR(o, 0.5, 4), new L.ExponentialLR(o, 0.9)] },
  'poly+step': { make: (o) => [new L.PolynomialLR(o, 10, 2), new L.StepLR(o, 4, 0.5)] },
  'mult+step': { make: (o) => [new L.MultiplicativeLR(o, () => 0.95), new L.StepLR(o, 5, 0.1)] },
  'lambda+exp': { make: (o) => [new L.LambdaLR(o, (e) => 1 / (e + 1)), new L.ExponentialLR(o, 0.9)] },
  'exp+lambda': { make: (o) => [new L.ExponentialLR(o, 0.9), new L.LambdaLR(o, (e) => 1 / (e + 1))] },
  'cos+linear': { make: (o) => [new L.CosineAnnealingLR(o, 8, 0.002), new L.LinearLR(o, 0.1, 1, 5)] },
  'chained step,cos': { make: (o) => [new L.ChainedScheduler([new L.StepLR(o, 3, 0.5), new L.CosineAnnealingLR(o, 6, 0.001)])] },
  'exp hand': { make: (o) => [new L.ExponentialLR(o, 0.9)], hand: { 5: 0.05 } },
  'cos hand': { make: (o) => [new L.CosineAnnealingLR(o, 6, 0.01)], hand: { 4: 0.2 } },
  'two groups step+exp': { make: (o) => [new L.StepLR(o, 2, 0.5), new L.ExponentialLR(o, 0.9)], lrs: [0.1, 0.03] },
  'linear(end .5)+multistep': { make: (o) => [new L.LinearLR(o, 0.5, 0.5, 3), new L.MultiStepLR(o, [2, 6], 0.1)] },
};

/** torch: each scheduler alone, run(lambda o: [<the scheduler below>]) as above. */
const TORCH_ALONE: Record<string, number[]> = {
  StepLR: [
    0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625, 0.00625, 0.003125, 0.003125, 0.003125, 0.0015625, 0.0015625,
    0.0015625, 0.00078125, 0.00078125,
  ],
  ExponentialLR: [
    0.1, 0.085, 0.07225000000000001, 0.06141250000000001, 0.05220062500000001, 0.044370531250000005, 0.0377149515625, 0.032057708828125, 0.027249052503906253,
    0.023161694628320316, 0.019687440434072268, 0.01673432436896143, 0.014224175713617214, 0.012090549356574632, 0.010276966953088437, 0.008735421910125172,
    0.007425108623606395, 0.006311342330065436, 0.005364640980555621, 0.004559944833472277, 0.0038759531084514355, 0.00329456014218372, 0.0028003761208561617,
  ],
  CosineAnnealingLR: [
    0.1, 0.0905463412215599, 0.06579634122155989, 0.035203658778440096, 0.010453658778440105, 0.001, 0.010453658778440102, 0.03520365877844012,
    0.06579634122155993, 0.09054634122155995, 0.10000000000000005, 0.09054634122155998, 0.06579634122155995, 0.03520365877844014, 0.010453658778440116, 0.001,
    0.010453658778440102, 0.03520365877844012, 0.06579634122155995, 0.09054634122155997, 0.1000000000000001, 0.09054634122156001, 0.06579634122156008,
    0.035203658778440165, 0.01045365877844013, 0.001,
  ],
  MultiStepLR: [
    0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.025, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625,
    0.00625, 0.00625, 0.00625, 0.00625,
  ],
  LinearLR: [
    0.020000000000000004, 0.025714285714285717, 0.03142857142857144, 0.03714285714285716, 0.04285714285714287, 0.048571428571428585, 0.054285714285714305,
    0.06000000000000002, 0.06000000000000002, 0.06000000000000002, 0.06000000000000002, 0.06000000000000002, 0.06000000000000002, 0.06000000000000002,
    0.06000000000000002, 0.06000000000000002, 0.06000000000000002, 0.06000000000000002, 0.06000000000000002, 0.06000000000000002, 0.06000000000000002,
    0.06000000000000002, 0.06000000000000002,
  ],
  ConstantLR: [0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
  PolynomialLR: [
    0.1, 0.08184875533567998, 0.0649519052838329, 0.04941058844013094, 0.03535533905932739, 0.022963966338592302, 0.012500000000000004, 0.004419417382415924,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
  ],
  MultiplicativeLR: [
    0.1, 0.09000000000000001, 0.09450000000000001, 0.08505000000000001, 0.08930250000000002, 0.08037225000000002, 0.08439086250000002, 0.07595177625000002,
    0.07974936506250002, 0.07177442855625002, 0.07536314998406253, 0.06782683498565628, 0.0712181767349391, 0.0640963590614452, 0.06730117701451746,
    0.060571059313065716, 0.063599612278719, 0.05723965105084711, 0.060101633603389465, 0.05409147024305052, 0.05679604375520305, 0.05111643937968274,
    0.053672261348666886,
  ],
};
const ALONE: Record<string, Combo> = {
  StepLR: { make: (o) => [new L.StepLR(o, 3, 0.5)] },
  ExponentialLR: { make: (o) => [new L.ExponentialLR(o, 0.85)] },
  CosineAnnealingLR: { make: (o) => [new L.CosineAnnealingLR(o, 5, 0.001)], epochs: 25 },
  MultiStepLR: { make: (o) => [new L.MultiStepLR(o, [0, 4, 9, 9], 0.5)] },
  LinearLR: { make: (o) => [new L.LinearLR(o, 0.2, 0.6, 7)] },
  ConstantLR: { make: (o) => [new L.ConstantLR(o, 0.25, 6)] },
  PolynomialLR: { make: (o) => [new L.PolynomialLR(o, 8, 1.5)] },
  MultiplicativeLR: { make: (o) => [new L.MultiplicativeLR(o, (e) => (e % 2 ? 0.9 : 1.05))] },
};

/** The torch run of a combo (`compiled`: opt.step() and the schedulers' steps inside one wg.compile function). */
function run(c: Combo, compiled = false) {
  const lrs = c.lrs ?? [0.1];
  const ps = lrs.map(() => wg.tensor([1, -2, 0.5], { requiresGrad: true }));
  const opt = new wg.optim.SGD(
    lrs.map((lr, i) => ({ params: [ps[i]], lr })),
    { lr: 0.1 },
  );
  const scheds = c.make(opt);
  const step = () => {
    opt.zeroGrad();
    ps.forEach((p) => p.square().sum().backward());
    opt.step();
    for (const s of scheds) s.step();
  };
  const f = compiled ? wg.compile(step) : step;
  const out = [opt.paramGroups.map((g) => g.lr)];
  for (let e = 1; e <= (c.epochs ?? 22); e++) {
    f();
    if (c.hand?.[e] !== undefined) for (const g of opt.paramGroups) g.lr = c.hand[e];
    out.push(opt.paramGroups.map((g) => g.lr));
  }
  return { lrs: out, f };
}

const flat = (rows: number[] | number[][]) => (rows as (number | number[])[]).flat();

describe.each(['wasm', 'reference'] as const)('schedulers compose as torch 1.13 on %s', (be) => {
  for (const [name, c] of Object.entries(COMBOS))
    test(`${name}: the lrs of ${(c.epochs ?? 22) + 1} epochs equal torch's`, () => {
      wg.setBackend(be);
      expectRel(flat(run(c).lrs), flat(TORCH[name]), name);
    });

  for (const [name, c] of Object.entries(ALONE))
    test(`${name} alone (its chainable form): the lrs equal torch's`, () => {
      wg.setBackend(be);
      expectRel(flat(run(c).lrs), TORCH_ALONE[name], name);
    });

  for (const [name, mode] of [
    ['step+exp', 'fast'],
    ['exp+cos', 'fast'],
    ['chained step,cos', 'fast'],
    ['exp hand', 'fast'],
    ['linear+step', 'rerun'],
    ['mult+step', 'rerun'],
  ] as const)
    test(`${name} stepped inside wg.compile: the same lrs (a ${mode} replay)`, () => {
      wg.setBackend(be);
      const { lrs, f } = run(COMBOS[name], true);
      expectRel(flat(lrs), flat(TORCH[name]), name);
      expect((f as ReturnType<typeof wg.compile>).replayInfo()[0].mode).toBe(mode);
    });

  test('a scheduler whose factor JavaScript computes, stepped twice in one compiled call between kernel steps, equals eager', () => {
    wg.setBackend(be);
    const lrs = (compiled: boolean) => {
      const p = wg.tensor([1], { requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 0.1 });
      const m = new L.MultiplicativeLR(opt, (e) => 1 - e / 100);
      const x = new L.ExponentialLR(opt, 0.5);
      const step = () => {
        opt.zeroGrad();
        p.square().sum().backward();
        opt.step();
        m.step();
        x.step();
        m.step();
      };
      const f = compiled ? wg.compile(step) : step;
      return Array.from({ length: 6 }, () => {
        f();
        return opt.lr;
      });
    };
    const eager = lrs(false);
    // lr_k = lr_{k−1} · (1 − (2k − 1)/100) · 0.5 · (1 − 2k/100)
    expectRel(eager.slice(0, 2), [0.1 * 0.99 * 0.5 * 0.98, 0.1 * 0.99 * 0.5 * 0.98 * 0.97 * 0.5 * 0.96], 'eager');
    expect(lrs(true)).toEqual(eager);
  });
});

/**
 * torch: p = Parameter([1, -2, 0.5]) in the optimizer below, q = Parameter([3.]) added by
 * add_param_group (it never has a gradient), p.grad = [0.5, -1, 2] then step(), p.grad =
 * [-0.25, 0.75, 1.5] then step(); p and opt.state[p] (/tmp/optim18/state.py). SGD(lr=0.1,
 * momentum=0.9), Adam(lr=0.01), AdamW(lr=0.01, weight_decay=0.1), RMSprop(lr=0.01, momentum=0.5,
 * centered=True), Adagrad(lr=0.1).
 */
const STATE: Record<string, { param: number[]; state: Record<string, number | number[]> }> = {
  SGD: {
    param: [0.9300000071525574, -1.8849999904632568, -0.02999998815357685],
    state: { momentum_buffer: [0.19999998807907104, -0.1499999761581421, 3.299999952316284] },
  },
  Adam: {
    param: [0.9873366355895996, -1.9891067743301392, 0.4801742434501648],
    state: {
      step: 2.0,
      exp_avg: [0.019999997690320015, -0.014999995008111, 0.32999998331069946],
      exp_avg_sq: [0.0003122500202152878, 0.001561500015668571, 0.006246000062674284],
    },
  },
  AdamW: {
    param: [0.9853476881980896, -1.9851188659667969, 0.47918474674224854],
    state: {
      step: 2.0,
      exp_avg: [0.019999997690320015, -0.014999995008111, 0.32999998331069946],
      exp_avg_sq: [0.0003122500202152878, 0.001561500015668571, 0.006246000062674284],
    },
  },
  RMSprop: {
    param: [0.8941892385482788, -1.9094483852386475, 0.2884557843208313],
    state: {
      step: 2,
      square_avg: [0.0030999998562037945, 0.015525000169873238, 0.06210000067949295],
      momentum_buffer: [0.5307025909423828, 0.9952201843261719, 11.104045867919922],
      grad_avg: [0.0024500000290572643, -0.002400000113993883, 0.03480000048875809],
    },
  },
  Adagrad: { param: [0.9447213411331177, -1.9600000381469727, 0.3400000035762787], state: { step: 2.0, sum: [0.3125, 1.5625, 6.25] } },
};
const MAKE: Record<string, (p: wg.Tensor) => wg.optim.Optimizer> = {
  SGD: (p) => new wg.optim.SGD([p], { lr: 0.1, momentum: 0.9 }),
  Adam: (p) => new wg.optim.Adam([p], { lr: 0.01 }),
  AdamW: (p) => new wg.optim.AdamW([p], { lr: 0.01, weightDecay: 0.1 }),
  RMSprop: (p) => new wg.optim.RMSprop([p], { lr: 0.01, momentum: 0.5, centered: true }),
  Adagrad: (p) => new wg.optim.Adagrad([p], { lr: 0.1 }),
};

describe.each(['wasm', 'reference'] as const)('optimizer.state as torch 1.13 on %s', (be) => {
  for (const [name, want] of Object.entries(STATE))
    test(`${name}: opt.state.get(p) after 2 steps holds torch's entries; a parameter without state is absent`, () => {
      wg.setBackend(be);
      const p = wg.tensor([1, -2, 0.5], { requiresGrad: true });
      const q = wg.tensor([3], { requiresGrad: true });
      const opt = MAKE[name](p);
      opt.addParamGroup({ params: [q] });
      // torch 1.13's Adagrad makes its state in the constructor (q, added later, has none)
      expect(opt.state.size).toBe(name === 'Adagrad' ? 1 : 0);
      for (const g of [
        [0.5, -1, 2],
        [-0.25, 0.75, 1.5],
      ]) {
        p.grad = wg.tensor(g);
        opt.step();
      }
      expectRel(Array.from(p.data()), want.param, `${name} param`);
      const state = opt.state;
      expect(state instanceof Map).toBe(true);
      expect([...state.keys()]).toEqual([p]);
      expect(state.has(q)).toBe(false);
      const got = state.get(p)!;
      for (const [key, v] of Object.entries(want.state)) {
        expect(got[key], `${name} state ${key}`).toBeInstanceOf(wg.Tensor);
        expectRel(Array.from(got[key].data()), typeof v === 'number' ? [v] : v, `${name} ${key}`);
      }
    });

  test('the buffers are the live state tensors (as torch); step is a copy', () => {
    wg.setBackend(be);
    const p = wg.tensor([1, 2], { requiresGrad: true });
    const opt = new wg.optim.Adam([p], { lr: 0.1 });
    p.grad = wg.tensor([1, 1]);
    opt.step();
    const before = opt.state.get(p)!;
    opt.step();
    const after = opt.state.get(p)!;
    expect(after.exp_avg).toBe(before.exp_avg);
    expect(before.step.item()).toBe(1);
    expect(after.step.item()).toBe(2);
  });
});

describe.each(['wasm', 'reference'] as const)('paramGroups as torch 1.13 param_groups on %s', (be) => {
  test("each group carries torch's keys in camelCase (torch's foreach/differentiable/capturable/fused aside)", () => {
    wg.setBackend(be);
    const p = () => [wg.zeros([2], { requiresGrad: true })];
    // torch: sorted(k for k in opt.param_groups[0] if k != 'params'), the implementation switches left out
    expect(Object.keys(new wg.optim.SGD(p(), { lr: 0.1 }).paramGroups[0]).sort()).toEqual([
      'dampening',
      'lr',
      'maximize',
      'momentum',
      'nesterov',
      'weightDecay',
    ]);
    expect(Object.keys(new wg.optim.Adam(p()).paramGroups[0]).sort()).toEqual(['amsgrad', 'betas', 'eps', 'lr', 'maximize', 'weightDecay']);
    expect(Object.keys(new wg.optim.RMSprop(p()).paramGroups[0]).sort()).toEqual(['alpha', 'centered', 'eps', 'lr', 'maximize', 'momentum', 'weightDecay']);
    expect(Object.keys(new wg.optim.Adagrad(p()).paramGroups[0]).sort()).toEqual([
      'eps',
      'initialAccumulatorValue',
      'lr',
      'lrDecay',
      'maximize',
      'weightDecay',
    ]);
    const adam = new wg.optim.Adam(p(), { betas: [0.8, 0.99] });
    expect(adam.paramGroups[0].betas).toEqual([0.8, 0.99]);
    expect(adam.paramGroups[0].params).toHaveLength(1);
  });

  for (const compiled of [false, true])
    test(`opt.paramGroups[0].lr = x takes effect at the next step (${compiled ? 'a compiled step' : 'eager'})`, () => {
      wg.setBackend(be);
      // SGD without momentum: p ← p − lr·2p
      const p = wg.tensor([1], { requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 0.1 });
      const step = () => {
        opt.zeroGrad();
        p.square().sum().backward();
        opt.step();
      };
      const f = compiled ? wg.compile(step) : step;
      const seen: number[] = [];
      for (const lr of [0.1, 0.1, 0.25, 0.25, 0.05]) {
        opt.paramGroups[0].lr = lr;
        const before = p.data()[0];
        f();
        seen.push(1 - p.data()[0] / before);
      }
      expectRel(seen, [0.2, 0.2, 0.5, 0.5, 0.1], 'shrink per step');
      if (compiled) expect((f as ReturnType<typeof wg.compile>).replayInfo()[0].mode).toBe('fast');
    });
});

describe.each(['wasm', 'reference'] as const)('LBFGS.state as torch 1.13 on %s', (be) => {
  test('its state sits under the first parameter, absent before the first step', () => {
    wg.setBackend(be);
    const p = wg.zeros([2], { requiresGrad: true });
    const opt = new wg.optim.LBFGS([p], { lr: 1, maxIter: 3 });
    const [w, c] = [wg.tensor([1, 3]), wg.tensor([1, 2])];
    const closure = () => {
      opt.zeroGrad();
      const loss = p.sub(c).square().mul(w).sum();
      loss.backward();
      return loss;
    };
    expect(opt.state.size).toBe(0);
    opt.step(closure);
    // torch: LBFGS([p], lr=1, max_iter=3) on ((p − [1, 2])²·[1, 3]).sum() from p = 0, one step(closure) (/tmp/optim18/lbfgs.py)
    expectRel(Array.from(p.data()), [0.5650529265403748, 2.0241637229919434], 'p');
    const st = opt.state.get(p)!;
    expect([st.func_evals, st.n_iter, st.t]).toEqual([3, 2, 1]);
    expectRel(Array.from(st.d!.data()), [0.42219576239585876, 1.1670207977294922], 'd');
    expectRel([st.prev_loss!], [4.6530609130859375], 'prev_loss');
  });
});
