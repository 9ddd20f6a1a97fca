/**
 * Learning-rate schedulers and clipGradValue (issue 12 item 6): lr sequences equal PyTorch 1.13's
 * (torch.optim.lr_scheduler, written here as literals), stepping inside wg.compile replays fast
 * and equals eager, checkpoints continue a schedule identically, and bad options are ValueErrors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;

/** n seeded batches of 7 samples: 4 features, 3 classes. */
function data(n: number) {
  wg.manualSeed(5);
  return { xs: Array.from({ length: n }, () => wg.randn([7, 4])), ys: Array.from({ length: n }, () => wg.randint(3, [7])) };
}

/** PyTorch 1.13 lr sequences (param_groups[0]['lr'] after construction and after each step), SGD lr 0.1. */
const TORCH = {
  cyclic: [
    0.01, 0.04, 0.07, 0.1, 0.082, 0.064, 0.046000000000000006, 0.028000000000000004, 0.01, 0.025, 0.04, 0.05500000000000001, 0.046000000000000006,
    0.037000000000000005, 0.028000000000000004, 0.019000000000000003, 0.01, 0.0175, 0.025, 0.0325, 0.028000000000000004, 0.0235, 0.019000000000000003, 0.0145,
    0.01, 0.01375, 0.0175, 0.02125, 0.019000000000000003, 0.01675, 0.0145, 0.01225, 0.01,
  ],
  cyclic_exp: [
    0.001, 0.005050000000000001, 0.008290000000000002, 0.004280500000000001, 0.001, 0.0036572050000000006, 0.005782969000000001, 0.0031523360500000006, 0.001,
    0.0027433922005000006, 0.0041381059609000015, 0.0024121476824050005, 0.001, 0.0021438396227480504, 0.0030589113209464913, 0.0019265100944259208, 0.001,
    0.001750473176484996, 0.002350851717672993, 0.001607883272952847, 0.001, 0.001492385451091806, 0.0018862938119652507, 0.001398832215384363, 0.001,
    0.0013230540944613339, 0.0015814973700304011, 0.0012616738165136805, 0.001, 0.0012119557913760812, 0.0013815204244769462, 0.0011716841910146259, 0.001,
  ],
  linear: [
    0.025, 0.034375, 0.043750000000000004, 0.053125, 0.0625, 0.071875, 0.08124999999999999, 0.090625, 0.09999999999999999, 0.09999999999999999,
    0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999,
    0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999,
    0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999, 0.09999999999999999,
    0.09999999999999999, 0.09999999999999999,
  ],
  linear_down: [
    0.1, 0.09100000000000001, 0.08200000000000002, 0.07300000000000002, 0.06400000000000002, 0.055000000000000014, 0.04600000000000001, 0.03700000000000001,
    0.02800000000000001, 0.01900000000000001, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007,
    0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007,
    0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007,
    0.010000000000000007, 0.010000000000000007, 0.010000000000000007, 0.010000000000000007,
  ],
  linear_default: [
    0.03333333333333333, 0.04666666666666667, 0.060000000000000005, 0.07333333333333335, 0.08666666666666668, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
    0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
  ],
  constant: [
    0.05, 0.05, 0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
    0.1, 0.1, 0.1,
  ],
  polynomial: [
    0.1, 0.08100000000000002, 0.06400000000000002, 0.048999999999999995, 0.036000000000000004, 0.025000000000000005, 0.016000000000000007, 0.009000000000000008,
    0.004, 0.001, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
  ],
  warm_restarts: [
    0.1, 0.07525000000000001, 0.025750000000000012, 0.1, 0.09336825748732973, 0.07525000000000001, 0.0505, 0.025750000000000012, 0.007631742512670284, 0.1,
    0.09831332840130888, 0.09336825748732973, 0.0855017856687341, 0.07525000000000001, 0.06331154273257478, 0.0505, 0.03768845726742523, 0.025750000000000012,
    0.0154982143312659, 0.007631742512670284, 0.0026866715986911243, 0.1, 0.09957652063800362, 0.09831332840130888, 0.0962320368593087, 0.09336825748732973,
    0.08977099034441614, 0.0855017856687341, 0.08063369073593167, 0.07525000000000001, 0.06944282990207196, 0.06331154273257478, 0.05696104651489257,
  ],
  warm_restarts1: [
    0.1, 0.09045084971874738, 0.06545084971874737, 0.03454915028125263, 0.009549150281252633, 0.1, 0.09045084971874738, 0.06545084971874737,
    0.03454915028125263, 0.009549150281252633, 0.1, 0.09045084971874738, 0.06545084971874737, 0.03454915028125263, 0.009549150281252633, 0.1,
    0.09045084971874738, 0.06545084971874737, 0.03454915028125263, 0.009549150281252633, 0.1, 0.09045084971874738, 0.06545084971874737, 0.03454915028125263,
    0.009549150281252633, 0.1, 0.09045084971874738, 0.06545084971874737, 0.03454915028125263, 0.009549150281252633, 0.1, 0.09045084971874738,
    0.06545084971874737,
  ],
  multiplicative: [
    0.1, 0.09000000000000001, 0.08910000000000001, 0.08019000000000001, 0.07938810000000002, 0.07144929000000001, 0.07073479710000001, 0.06366131739000001,
    0.06302470421610001, 0.05672223379449001, 0.05615501145654511, 0.0505395103108906, 0.05003411520778169, 0.04503070368700352, 0.04458039665013348,
    0.040122356985120136, 0.039721133415268936, 0.03574902007374205, 0.035391529873004625, 0.031852376885704164, 0.03153385311684712, 0.028380467805162412,
    0.028096663127110788, 0.02528699681439971, 0.02503412684625571, 0.02253071416163014, 0.022305407020013837, 0.020074866318012453, 0.019874117654832327,
    0.017886705889349094, 0.017707838830455604, 0.015937054947410045, 0.015777684397935945,
  ],
  sequential3: [
    0.010000000000000002, 0.028000000000000004, 0.046000000000000006, 0.064, 0.082, 0.05, 0.05, 0.05, 0.1, 0.1, 0.095, 0.09000000000000001, 0.085,
    0.08000000000000002, 0.07500000000000001, 0.07, 0.06500000000000002, 0.06000000000000001, 0.055000000000000014, 0.05000000000000001, 0.045000000000000005,
    0.040000000000000015, 0.03500000000000001, 0.030000000000000016, 0.025000000000000012, 0.020000000000000004, 0.01500000000000001, 0.010000000000000002,
    0.005000000000000006, 0.0, 0.0, 0.0, 0.0,
  ],
  multistep: [
    0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.0125, 0.0125, 0.0125, 0.0125, 0.0125, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625,
    0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.00625, 0.003125, 0.003125, 0.003125,
  ],
  onecycle_cos: [
    0.016000000000000014, 0.028668907123350795, 0.06500374091319389, 0.1202094739255094, 0.1870007279914481, 0.25656320941920274, 0.3197169117871269,
    0.36812758103485654, 0.395406568490738, 0.3996853642621113, 0.3961570714524218, 0.38877671095500926, 0.3776892164392657, 0.3631123213431569,
    0.34533228307854774, 0.3246982615799052, 0.3016154625890297, 0.27653718032627206, 0.24995589581226282, 0.22239360564908064, 0.1943915711818312,
    0.1664996893440314, 0.1392656939194731, 0.11322439928347969, 0.08888719785226597, 0.06673201748686158, 0.047193936065579166, 0.030656637533702562,
    0.01744487721434827, 0.007818104344837658, 0.0019653670776111406, 1.6e-6, 0.0019653670776111627,
  ],
  onecycle_linear: [
    0.04, 0.09142857142857144, 0.14285714285714288, 0.1942857142857143, 0.24571428571428575, 0.29714285714285715, 0.3485714285714286, 0.4, 0.38335, 0.3667,
    0.35005000000000003, 0.33340000000000003, 0.31675000000000003, 0.30010000000000003, 0.28345, 0.26680000000000004, 0.25015, 0.2335, 0.21685000000000001,
    0.20020000000000002, 0.18355000000000002, 0.1669, 0.15025000000000002, 0.13360000000000005, 0.11695, 0.1003, 0.08365, 0.067, 0.050350000000000006,
    0.03370000000000001, 0.01705000000000001, 0.00040000000000001146, -0.016250000000000042,
  ],
  onecycle_three: [
    0.016000000000000014, 0.024449956557738184, 0.049056057836914635, 0.0876524654326924, 0.13684190885060182, 0.19229471454917782, 0.2491299054538614,
    0.3023448264178261, 0.3472554798330619, 0.37990881288354383, 0.39743066675946037, 0.39827876121016, 0.38237844663912945, 0.35112927478990613,
    0.3072818096686486, 0.25469552185287325, 0.197999076421497, 0.14218291609194983, 0.09216000055177816, 0.052333365876042884, 0.02620856761527385,
    0.01608512046096247, 0.015732384194145365, 0.014830258013924303, 0.013364721920874184, 0.01145667827075292, 0.009263534972708947, 0.00696621980634839,
    0.00475425441965285, 0.0028101193583930334, 0.0012941999654701012, 0.00033155506858036354, 1.6e-6, 0.00033155506858036267,
  ],
  lambda: [
    0.1, 0.05, 0.03333333333333333, 0.025, 0.020000000000000004, 0.016666666666666666, 0.014285714285714285, 0.0125, 0.011111111111111112, 0.010000000000000002,
    0.05987369392383787, 0.05688000922764597, 0.05403600876626367, 0.051334208327950485, 0.04876749791155296, 0.046329123015975304, 0.04401266686517654,
    0.04181203352191771, 0.039721431845821824, 0.03773536025353073, 0.03584859224085419, 0.03405616262881148, 0.0323533544973709, 0.03073568677250236,
    0.02919890243387724, 0.027738957312183378, 0.026352009446574204, 0.025034408974245494, 0.023782688525533217, 0.022593554099256556, 0.02146387639429373,
    0.02039068257457904, 0.019371148445850087,
  ],
  metrics_min: [
    5, 4, 4.5, 4.2, 4.1, 4.1, 4.0, 3.9, 3.95, 3.99, 3.9999, 3.9, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0,
    2.0,
  ],
  plateau_min_rel: [
    0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.0125, 0.0125, 0.01, 0.01, 0.01,
    0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01,
  ],
  plateau_min_abs: [
    0.1, 0.1, 0.1, 0.1, 0.03, 0.03, 0.009, 0.009, 0.009, 0.009, 0.0026999999999999997, 0.0026999999999999997, 0.0008099999999999998, 0.0008099999999999998,
    0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
    0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
    0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998,
    0.0008099999999999998,
  ],
  plateau_max_rel: [
    0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002,
    0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002,
  ],
  plateau_max_abs: [
    0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.020000000000000004, 0.020000000000000004, 0.020000000000000004, 0.020000000000000004, 0.004000000000000001,
    0.004000000000000001, 0.004000000000000001, 0.004000000000000001, 0.004000000000000001, 0.004000000000000001, 0.004000000000000001, 0.0008000000000000003,
    0.0008000000000000003, 0.0008000000000000003, 0.0008000000000000003, 0.0008000000000000003, 0.00016000000000000007, 0.00016000000000000007,
    0.00016000000000000007, 0.00016000000000000007, 3.200000000000001e-5, 3.200000000000001e-5, 3.200000000000001e-5, 3.200000000000001e-5,
    6.400000000000003e-6, 6.400000000000003e-6, 6.400000000000003e-6,
  ],
  sequential: [
    0.010000000000000002, 0.028000000000000004, 0.046000000000000006, 0.064, 0.082, 0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742,
    0.0657963412215599, 0.0505, 0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05,
    0.05, 0.025, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625,
  ],
  chained: [
    0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002, 0.02952450000000001, 0.02657205000000001, 0.02391484500000001,
    0.021523360500000012, 0.01937102445000001, 0.004358480501250002, 0.003922632451125002, 0.0035303692060125015, 0.0031773322854112517, 0.0028595990568701267,
    0.002573639151183114, 0.0023162752360648027, 0.0020846477124583226, 0.0018761829412124904, 0.0016885646470912415, 0.0015197081823821175,
    0.0013677373641439057, 0.0012309636277295151, 0.0011078672649565636, 0.0009970805384609074, 0.0008973724846148167, 0.0008076352361533351,
    0.0007268717125380016, 0.0006541845412842014, 0.0005887660871557813, 0.0005298894784402032, 0.0004769005305961829, 0.0004292104775365646,
  ],
  chained2: [
    0.025, 0.043750000000000004, 0.06250000000000001, 0.04062500000000001, 0.05000000000000001, 0.05000000000000001, 0.025000000000000005, 0.025000000000000005,
    0.025000000000000005, 0.012500000000000002, 0.012500000000000002, 0.012500000000000002, 0.006250000000000001, 0.006250000000000001, 0.006250000000000001,
    0.0031250000000000006, 0.0031250000000000006, 0.0031250000000000006, 0.0015625000000000003, 0.0015625000000000003, 0.0015625000000000003,
    0.0007812500000000002, 0.0007812500000000002, 0.0007812500000000002, 0.0003906250000000001, 0.0003906250000000001, 0.0003906250000000001,
    0.00019531250000000004, 0.00019531250000000004, 0.00019531250000000004, 9.765625000000002e-5, 9.765625000000002e-5, 9.765625000000002e-5,
  ],
  sequential2: [
    0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002, 0.05904900000000002, 0.05314410000000002, 0.04782969000000002,
    0.043046721000000024, 0.03874204890000002, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002,
    0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002,
    0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002,
    0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002,
  ],
};

const params = (m: wg.nn.Module) => m.parameters().map((p) => Array.from(p.data()));

interface Extra {
  /** Runs between backward and opt.step() (clipping). */
  clip?: () => void;
  /** Stepped after opt.step(). */
  sched?: wg.optim.lr.LRScheduler & { step(): void };
}

/** A small model and Adam; `extra` adds clipping and a scheduler to the step. */
function setup(extra: (opt: wg.optim.Adam, model: wg.nn.Module) => Extra) {
  wg.manualSeed(11);
  const model = new wg.nn.Sequential(new wg.nn.Linear(4, 6), new wg.nn.Tanh(), new wg.nn.Linear(6, 3));
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.02 });
  const { clip, sched } = extra(opt, model);
  const step = (x: wg.Tensor, y: wg.Tensor) => {
    opt.zeroGrad();
    const loss = wg.losses.crossEntropy(model.forward(x), y);
    loss.backward();
    clip?.();
    opt.step();
    sched?.step();
    return loss;
  };
  return { model, opt, sched, step };
}

for (const be of BACKENDS)
  describe(`clipGradValue on ${be}`, () => {
    test('clamps every gradient element to [−v, v] in place, as torch.nn.utils.clip_grad_value_', () => {
      wg.setBackend(be);
      const a = wg.tensor([0.5, -1.5, 2.0, -0.25, 3.0, -0.7], { shape: [2, 3], requiresGrad: true });
      const b = wg.tensor([0.1, -0.9, 0.9, 1.2, -5.0], { requiresGrad: true });
      const c = wg.tensor([1, 2], { requiresGrad: true }); // no gradient: skipped
      // d/dx Σ x·w = w: each gradient equals the values above
      a.mul(wg.tensor([0.5, -1.5, 2.0, -0.25, 3.0, -0.7], { shape: [2, 3] }))
        .sum()
        .backward();
      b.mul(wg.tensor([0.1, -0.9, 0.9, 1.2, -5.0]))
        .sum()
        .backward();
      wg.optim.clipGradValue([a, b, c], 0.8);
      // torch 1.13: clip_grad_value_([a, b], 0.8) with a.grad = a, b.grad = b
      expect(Array.from(a.grad!.data())).toEqual([0.5, -0.800000011920929, 0.800000011920929, -0.25, 0.800000011920929, -0.699999988079071]);
      expect(Array.from(b.grad!.data())).toEqual([0.10000000149011612, -0.800000011920929, 0.800000011920929, 0.800000011920929, -0.800000011920929]);
      expect(c.grad).toBeNull();
    });

    test('inside wg.compile: replays fast and equals eager', () => {
      wg.setBackend(be);
      const { xs, ys } = data(4);
      const run = (compiled: boolean) => {
        const s = setup((_opt, model) => ({ clip: () => wg.optim.clipGradValue(model, 0.05) }));
        const f = compiled ? wg.compile(s.step) : s.step;
        const losses = Array.from({ length: 8 }, (_, i) => f(xs[i % 4], ys[i % 4]).item());
        return { losses, params: params(s.model), f };
      };
      const eager = run(false),
        compiled = run(true);
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      expect((compiled.f as ReturnType<typeof wg.compile>).replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { fastRuns: 6 } });
    });

    test('a clipValue that is not a number ≥ 0 is a ValueError', () => {
      wg.setBackend(be);
      const p = wg.tensor([1], { requiresGrad: true });
      expect(() => wg.optim.clipGradValue([p], -1)).toThrow(wg.ValueError);
      expect(() => wg.optim.clipGradValue([p], -1)).toThrow('wasmgrad.optim.clipGradValue: clipValue must be a number ≥ 0, got -1');
      expect(() => wg.optim.clipGradValue([p], NaN)).toThrow(/clipValue must be a number ≥ 0, got NaN/);
      expect(() => wg.optim.clipGradValue([p], '1' as unknown as number)).toThrow(/clipValue must be a number ≥ 0, got "1"/);
    });
  });

type Make = (opt: wg.optim.Optimizer) => wg.optim.lr.LRScheduler;
const L = wg.optim.lr;
const metrics = TORCH.metrics_min;

/** The schedules of TORCH: how to make each, and the metric its step takes (ReduceLROnPlateau). */
const SCHEDULES: [keyof typeof TORCH, Make, ((i: number) => number)?][] = [
  ['multistep', (o) => new L.MultiStepLR(o, { milestones: [20, 5, 12, 12, 30], gamma: 0.5 })],
  ['onecycle_cos', (o) => new L.OneCycleLR(o, { maxLr: 0.4, totalSteps: 32 })],
  [
    'onecycle_linear',
    (o) => new L.OneCycleLR(o, { maxLr: 0.4, epochs: 4, stepsPerEpoch: 8, annealStrategy: 'linear', pctStart: 0.25, divFactor: 10, finalDivFactor: 100 }),
  ],
  ['onecycle_three', (o) => new L.OneCycleLR(o, { maxLr: 0.4, totalSteps: 33, threePhase: true, pctStart: 0.35 })],
  ['lambda', (o) => new L.LambdaLR(o, { lrLambda: (e) => (e < 10 ? 1 / (1 + e) : 0.95 ** e) })],
  ['plateau_min_rel', (o) => new L.ReduceLROnPlateau(o, { patience: 2, cooldown: 1, threshold: 0.01, factor: 0.5, minLr: 0.01 }), (i) => metrics[i]],
  ['plateau_min_abs', (o) => new L.ReduceLROnPlateau(o, { patience: 1, threshold: 0.05, thresholdMode: 'abs', factor: 0.3, eps: 1e-3 }), (i) => metrics[i]],
  ['plateau_max_rel', (o) => new L.ReduceLROnPlateau(o, { mode: 'max', patience: 0, cooldown: 2, threshold: 0.02, minLr: 0.002 }), (i) => -metrics[i]],
  ['plateau_max_abs', (o) => new L.ReduceLROnPlateau(o, { mode: 'max', patience: 3, threshold: 0.1, thresholdMode: 'abs', factor: 0.2 }), (i) => -metrics[i]],
  [
    'sequential',
    (o) =>
      new L.SequentialLR(o, {
        schedulers: [
          new L.LinearWarmup(o, { warmupSteps: 5, startFactor: 0.1 }),
          new L.CosineAnnealingLR(o, { tMax: 10, etaMin: 0.001 }),
          new L.StepLR(o, { stepSize: 4, gamma: 0.5 }),
        ],
        milestones: [5, 15],
      }),
  ],
  [
    'sequential2',
    (o) =>
      new L.SequentialLR(o, {
        schedulers: [new L.ExponentialLR(o, { gamma: 0.9 }), new L.MultiStepLR(o, { milestones: [3, 8], gamma: 0.1 })],
        milestones: [10],
      }),
  ],
  ['linear', (o) => new L.LinearLR(o, { startFactor: 0.25, totalIters: 8 })],
  ['linear_down', (o) => new L.LinearLR(o, { startFactor: 1, endFactor: 0.1, totalIters: 10 })],
  ['linear_default', (o) => new L.LinearLR(o)],
  ['constant', (o) => new L.ConstantLR(o, { factor: 0.5, totalIters: 4 })],
  ['polynomial', (o) => new L.PolynomialLR(o, { totalIters: 10, power: 2 })],
  ['warm_restarts', (o) => new L.CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2, etaMin: 0.001 })],
  ['warm_restarts1', (o) => new L.CosineAnnealingWarmRestarts(o, { t0: 5 })],
  ['multiplicative', (o) => new L.MultiplicativeLR(o, { lrLambda: (e) => (e % 2 ? 0.9 : 0.99) })],
  [
    'sequential3',
    (o) =>
      new L.SequentialLR(o, {
        schedulers: [
          new L.LinearLR(o, { startFactor: 0.1, totalIters: 5 }),
          new L.ConstantLR(o, { factor: 0.5, totalIters: 3 }),
          new L.PolynomialLR(o, { totalIters: 20 }),
        ],
        milestones: [5, 9],
      }),
  ],
  // cycleMomentum off: the checkpoint test below trains with Adam (the momentum has its own test)
  ['cyclic', (o) => new L.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, stepSizeDown: 5, mode: 'triangular2', cycleMomentum: false })],
  ['cyclic_exp', (o) => new L.CyclicLR(o, { baseLr: 0.001, maxLr: 0.01, stepSizeUp: 2, mode: 'exp_range', gamma: 0.9, cycleMomentum: false })],
  ['chained', (o) => new L.ChainedScheduler([new L.ExponentialLR(o, { gamma: 0.9 }), new L.MultiStepLR(o, { milestones: [5, 10, 10], gamma: 0.5 })])],
  ['chained2', (o) => new L.ChainedScheduler([new L.LinearWarmup(o, { warmupSteps: 4, startFactor: 0.25 }), new L.StepLR(o, { stepSize: 3, gamma: 0.5 })])],
];

/** Steps a scheduler on a one-parameter SGD (lr 0.1) from epoch `from` to `to`, returning the lrs after each step. */
function lrsOf(sched: wg.optim.lr.LRScheduler, metric: ((i: number) => number) | undefined, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    (sched.step as (m?: number) => void)(metric?.(i));
    out.push(sched.optimizer.lr);
  }
  return out;
}

/** The lr is a float64 held as a float32 (hi, lo) pair in memory (~2⁻⁴⁸ relative): compared to 1e-13 relative. */
function expectLrs(got: number[], want: number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `lr ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(1e-13 * Math.abs(want[i])));
}

const sgd = () => new wg.optim.SGD([wg.tensor([0], { requiresGrad: true })], { lr: 0.1 });

for (const be of BACKENDS)
  describe(`schedulers on ${be}`, () => {
    for (const [name, make, metric] of SCHEDULES)
      test(`${name}: the lr sequence equals PyTorch 1.13's`, () => {
        wg.setBackend(be);
        const want = TORCH[name];
        const sched = make(sgd());
        expectLrs([sched.optimizer.lr, ...lrsOf(sched, metric, 0, want.length - 1)], want);
        expect(sched.lastEpoch).toBe(want.length - 1);
      });

    for (const [name, make, metric] of SCHEDULES)
      test(`${name}: a checkpoint round trip continues the schedule and training identically`, () => {
        wg.setBackend(be);
        const { xs, ys } = data(3);
        const stepMetric = metric ?? (() => 0);
        const train = (s: ReturnType<typeof setup>, sched: wg.optim.lr.LRScheduler, from: number, to: number) =>
          Array.from({ length: to - from }, (_, k) => {
            const loss = s.step(xs[k % 3], ys[k % 3]).item();
            (sched.step as (m?: number) => void)(metric ? stepMetric(from + k) : undefined);
            return [loss, s.opt.lr];
          });
        const a = setup(() => ({}));
        const schedA = make(a.opt);
        train(a, schedA, 0, 12);
        const bytes = wg.saveCheckpoint({ model: a.model, optimizer: a.opt, scheduler: schedA });
        const lrAt12 = a.opt.lr;
        const want = train(a, schedA, 12, 24);
        const b = setup(() => ({}));
        const schedB = make(b.opt);
        wg.loadCheckpoint(bytes, { model: b.model, optimizer: b.opt, scheduler: schedB });
        expect(schedB.lastEpoch).toBe(12);
        expect(b.opt.lr).toBe(lrAt12);
        // the reference backend holds float64 weights, which a (float32) checkpoint rounds: there the lrs alone continue bit for bit
        const kept = (rows: number[][]) => (be === 'wasm' ? rows : rows.map(([, lr]) => lr));
        expect(kept(train(b, schedB, 12, 24))).toEqual(kept(want));
        expect(schedB.stateDict()).toEqual(schedA.stateDict());
      });

    for (const name of ['MultiStepLR', 'OneCycleLR', 'ChainedScheduler'] as const)
      test(`${name} stepped inside a compiled step replays fast and matches eager for 40 steps`, () => {
        wg.setBackend(be);
        const { xs, ys } = data(5);
        const make = (opt: wg.optim.Optimizer) =>
          name === 'MultiStepLR'
            ? new L.MultiStepLR(opt, { milestones: [30, 7, 19, 7] })
            : new L.OneCycleLR(opt, { maxLr: 0.05, totalSteps: 40, threePhase: true });
        const eager = setup((opt) => ({ sched: make(opt) }));
        const want = Array.from({ length: 40 }, (_, i) => [eager.step(xs[i % 5], ys[i % 5]).item(), eager.opt.lr]);
        const comp = setup((opt) => ({ sched: make(opt) }));
        const compiled = wg.compile(comp.step);
        const got = Array.from({ length: 40 }, (_, i) => [compiled(xs[i % 5], ys[i % 5]).item(), comp.opt.lr]);
        expect(got).toEqual(want);
        expect(params(comp.model)).toEqual(params(eager.model));
        expect(comp.sched!.lastEpoch).toBe(40);
        expect(compiled.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { fastRuns: 38 } });
      });

    for (const name of ['LambdaLR', 'SequentialLR', 'LinearLR'] as const)
      test(`${name} inside a compiled step runs its JavaScript every call (a slow program that says why) and matches eager`, () => {
        wg.setBackend(be);
        const { xs, ys } = data(5);
        const make = (opt: wg.optim.Optimizer) =>
          name === 'LambdaLR'
            ? new L.LambdaLR(opt, { lrLambda: (e) => 0.9 ** e })
            : name === 'LinearLR'
              ? new L.LinearLR(opt, { startFactor: 0.2, endFactor: 0.5, totalIters: 6 })
              : new L.SequentialLR(opt, {
                  schedulers: [new L.LinearWarmup(opt, { warmupSteps: 4 }), new L.ExponentialLR(opt, { gamma: 0.9 })],
                  milestones: [4],
                });
        const eager = setup((opt) => ({ sched: make(opt) }));
        const want = Array.from({ length: 12 }, (_, i) => [eager.step(xs[i % 5], ys[i % 5]).item(), eager.opt.lr]);
        const comp = setup((opt) => ({ sched: make(opt) }));
        const compiled = wg.compile(comp.step);
        const got = Array.from({ length: 12 }, (_, i) => [compiled(xs[i % 5], ys[i % 5]).item(), comp.opt.lr]);
        expect(got).toEqual(want);
        const info = compiled.replayInfo()[0];
        expect(info.mode).toBe('rerun');
        expect(info.reason).toMatch(
          name === 'LambdaLR'
            ? /optim\.lr\.LambdaLR: lrLambda is a JavaScript function/
            : name === 'LinearLR'
              ? /optim\.lr\.LinearLR: its lr is computed in JavaScript/
              : /optim\.lr\.SequentialLR: which scheduler steps is chosen in JavaScript/,
        );
      });

    test("CyclicLR cycles SGD's momentum against the lr (torch 1.13 values)", () => {
      wg.setBackend(be);
      const opt = new wg.optim.SGD([wg.zeros([1], { requiresGrad: true })], { lr: 0.1 });
      const sched = new L.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, stepSizeDown: 5, mode: 'triangular2' });
      const momenta = [opt.paramGroups[0].momentum];
      for (let i = 0; i < 9; i++) {
        sched.step();
        momenta.push(opt.paramGroups[0].momentum);
      }
      const want = [0.9, 0.8666666666666667, 0.8333333333333334, 0.8, 0.8200000000000001, 0.8400000000000001, 0.86, 0.88, 0.9, 0.8833333333333333];
      momenta.forEach((m, i) => expect(Math.abs(m - want[i]), `step ${i}`).toBeLessThan(1e-12));
    });

    test('OneCycleLR: stepping past totalSteps is a ValueError, as PyTorch', () => {
      wg.setBackend(be);
      const sched = new L.OneCycleLR(sgd(), { maxLr: 0.4, totalSteps: 3 });
      for (let i = 0; i < 3; i++) sched.step();
      expect(() => sched.step()).toThrow(wg.ValueError);
      expect(() => sched.step()).toThrow('wasmgrad.optim.lr.OneCycleLR: tried to step 4 times, the specified number of total steps is 3');
      expect(sched.lastEpoch).toBe(3);
    });

    test('ReduceLROnPlateau takes the metric as a one-element tensor too', () => {
      wg.setBackend(be);
      const opt = sgd();
      const sched = new L.ReduceLROnPlateau(opt, { patience: 0 });
      sched.step(wg.tensor(1));
      sched.step(wg.tensor([2]));
      expect(opt.lr).toBeCloseTo(0.01, 12);
    });
  });

describe('scheduler option errors', () => {
  const cases: [string, () => unknown, string][] = [
    [
      'MultiStepLR milestones',
      () => new L.MultiStepLR(sgd(), { milestones: [1, 2.5] }),
      'wasmgrad.optim.lr.MultiStepLR: milestones must be an array of integers ≥ 0, got [1, 2.5]',
    ],
    [
      'MultiStepLR too many milestones',
      () => new L.MultiStepLR(sgd(), { milestones: Array.from({ length: 17 }, (_, i) => i) }),
      "wasmgrad.optim.lr.MultiStepLR: holds at most 16 milestones (they live in the schedule's memory block), got 17",
    ],
    [
      'MultiStepLR gamma',
      () => new L.MultiStepLR(sgd(), { milestones: [1], gamma: -1 }),
      'wasmgrad.optim.lr.MultiStepLR: gamma must be a finite number ≥ 0, got -1',
    ],
    ['OneCycleLR steps', () => new L.OneCycleLR(sgd(), { maxLr: 1, epochs: 3 }), 'wasmgrad.optim.lr.OneCycleLR: needs totalSteps, or epochs and stepsPerEpoch'],
    [
      'OneCycleLR totalSteps',
      () => new L.OneCycleLR(sgd(), { maxLr: 1, totalSteps: 0 }),
      'wasmgrad.optim.lr.OneCycleLR: totalSteps must be an integer ≥ 1, got 0',
    ],
    [
      'OneCycleLR pctStart',
      () => new L.OneCycleLR(sgd(), { maxLr: 1, totalSteps: 5, pctStart: 1.5 }),
      'wasmgrad.optim.lr.OneCycleLR: pctStart must be a number in [0, 1], got 1.5',
    ],
    [
      'OneCycleLR annealStrategy',
      () => new L.OneCycleLR(sgd(), { maxLr: 1, totalSteps: 5, annealStrategy: 'exp' as 'cos' }),
      "wasmgrad.optim.lr.OneCycleLR: annealStrategy must be 'cos' or 'linear', got \"exp\"",
    ],
    [
      'OneCycleLR maxLr',
      () => new L.OneCycleLR(sgd(), { totalSteps: 5 } as wg.optim.lr.OneCycleOptions),
      'wasmgrad.optim.lr.OneCycleLR: the option maxLr is required',
    ],
    [
      'LambdaLR lrLambda',
      () => new L.LambdaLR(sgd(), { lrLambda: 2 as unknown as () => number }),
      'wasmgrad.optim.lr.LambdaLR: lrLambda must be a function (epoch) => factor, got 2',
    ],
    ['LambdaLR factor', () => new L.LambdaLR(sgd(), { lrLambda: () => NaN }), 'wasmgrad.optim.lr.LambdaLR: lrLambda(0) must return a finite number, got NaN'],
    ['LinearLR startFactor', () => new L.LinearLR(sgd(), { startFactor: 0 }), 'wasmgrad.optim.lr.LinearLR: startFactor must be a number in (0, 1], got 0'],
    ['LinearLR endFactor', () => new L.LinearLR(sgd(), { endFactor: 1.5 }), 'wasmgrad.optim.lr.LinearLR: endFactor must be a number in [0, 1], got 1.5'],
    ['LinearLR totalIters', () => new L.LinearLR(sgd(), { totalIters: 0 }), 'wasmgrad.optim.lr.LinearLR: totalIters must be an integer ≥ 1, got 0'],
    ['ConstantLR factor', () => new L.ConstantLR(sgd(), { factor: -0.5 }), 'wasmgrad.optim.lr.ConstantLR: factor must be a number in [0, 1], got -0.5'],
    ['PolynomialLR power', () => new L.PolynomialLR(sgd(), { power: NaN }), 'wasmgrad.optim.lr.PolynomialLR: power must be a finite number ≥ 0, got NaN'],
    [
      'CosineAnnealingWarmRestarts t0',
      () => new L.CosineAnnealingWarmRestarts(sgd(), { t0: 2.5 }),
      'wasmgrad.optim.lr.CosineAnnealingWarmRestarts: t0 must be an integer ≥ 1, got 2.5',
    ],
    [
      'CosineAnnealingWarmRestarts without t0',
      () => new L.CosineAnnealingWarmRestarts(sgd(), {} as { t0: number }),
      'wasmgrad.optim.lr.CosineAnnealingWarmRestarts: the option t0 is required',
    ],
    [
      'CosineAnnealingWarmRestarts PyTorch name',
      () => new L.CosineAnnealingWarmRestarts(sgd(), { T_0: 5 } as unknown as { t0: number }),
      "wasmgrad.optim.lr.CosineAnnealingWarmRestarts: unknown option 'T_0'",
    ],
    [
      'MultiplicativeLR factor',
      () => new L.MultiplicativeLR(sgd(), { lrLambda: (e) => (e < 1 ? 0.5 : Infinity) }).step(),
      'wasmgrad.optim.lr.MultiplicativeLR: lrLambda(1) must return a finite number, got Infinity',
    ],
    [
      'CyclicLR momentum on Adam',
      () => new L.CyclicLR(new wg.optim.Adam([wg.zeros([1], { requiresGrad: true })]), { baseLr: 0.01, maxLr: 0.1 }),
      'wasmgrad.optim.lr.CyclicLR: cycleMomentum needs an optimizer with momentum (SGD, RMSprop), got Adam: pass cycleMomentum: false',
    ],
    ['CyclicLR maxLr', () => new L.CyclicLR(sgd(), { baseLr: 0.01 } as never), 'wasmgrad.optim.lr.CyclicLR: the option maxLr is required'],
    [
      'CyclicLR baseLr per group',
      () => new L.CyclicLR(sgd(), { baseLr: [0.01, 0.02], maxLr: 0.1 }),
      'wasmgrad.optim.lr.CyclicLR: baseLr holds 2 values, the optimizer has 1 parameter groups',
    ],
    [
      'CyclicLR mode',
      () => new L.CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1, mode: 'sine' as never }),
      "wasmgrad.optim.lr.CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range', got \"sine\"",
    ],
    [
      'CyclicLR stepSizeUp',
      () => new L.CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 0 }),
      'wasmgrad.optim.lr.CyclicLR: stepSizeUp must be a number > 0, got 0',
    ],
    [
      'ReduceLROnPlateau factor',
      () => new L.ReduceLROnPlateau(sgd(), { factor: 1 }),
      'wasmgrad.optim.lr.ReduceLROnPlateau: factor must be a number in [0, 1), got 1',
    ],
    [
      'ReduceLROnPlateau mode',
      () => new L.ReduceLROnPlateau(sgd(), { mode: 'up' as 'min' }),
      "wasmgrad.optim.lr.ReduceLROnPlateau: mode must be 'min' or 'max', got \"up\"",
    ],
    [
      'ReduceLROnPlateau thresholdMode',
      () => new L.ReduceLROnPlateau(sgd(), { thresholdMode: 'x' as 'rel' }),
      "wasmgrad.optim.lr.ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got \"x\"",
    ],
    [
      'ReduceLROnPlateau option',
      () => new L.ReduceLROnPlateau(sgd(), { patient: 1 } as wg.optim.lr.PlateauOptions),
      "wasmgrad.optim.lr.ReduceLROnPlateau: unknown option 'patient'",
    ],
    [
      'SequentialLR milestones',
      () => {
        const o = sgd();
        return new L.SequentialLR(o, { schedulers: [new L.ExponentialLR(o, { gamma: 0.9 }), new L.ExponentialLR(o, { gamma: 0.5 })], milestones: [] });
      },
      'wasmgrad.optim.lr.SequentialLR: milestones must be 1 integers ≥ 0 (one fewer than the schedulers), got []',
    ],
    [
      'SequentialLR optimizer',
      () => new L.SequentialLR(sgd(), { schedulers: [new L.ExponentialLR(sgd(), { gamma: 0.9 })], milestones: [] }),
      "wasmgrad.optim.lr.SequentialLR: schedulers[0] drives another optimizer than the SequentialLR's",
    ],
    [
      'SequentialLR plateau child',
      () => {
        const o = sgd();
        return new L.SequentialLR(o, { schedulers: [new L.ReduceLROnPlateau(o) as never], milestones: [] });
      },
      'wasmgrad.optim.lr.SequentialLR: schedulers must be a non-empty array of schedulers with an epoch (not ReduceLROnPlateau or SequentialLR)',
    ],
    [
      'ChainedScheduler empty',
      () => new L.ChainedScheduler([]),
      'wasmgrad.optim.lr.ChainedScheduler: expects a non-empty array of epoch schedulers (e.g. StepLR, ExponentialLR; not SequentialLR or ReduceLROnPlateau), got []',
    ],
  ];
  for (const [what, f, msg] of cases)
    test(what, () => {
      wg.setBackend('wasm');
      expect(f).toThrow(wg.ValueError);
      expect(f).toThrow(msg);
    });
});

test("wg.optim.lrScheduler is PyTorch's path to the same schedules (torch.optim.lr_scheduler)", () => {
  expect(wg.optim.lrScheduler).toBe(wg.optim.lr);
  expect(wg.optim.lrScheduler.OneCycleLR).toBe(wg.optim.lr.OneCycleLR);
});
