/**
 * RNN, GRU and LSTM (issue 12 item 2): values and gradients against PyTorch 1.13 (literals computed
 * in float64 by torch with the weights, inputs and loss weights of the formulas below), PyTorch's
 * state-dict names and order, printing, errors, dropout between layers, and a small training task,
 * eager and compiled.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** A tensor of `shape` whose element j (row-major) is f(j). */
const fill = (shape: readonly number[], f: (j: number) => number, requiresGrad = false) =>
  wg.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, j) => f(j)),
    { shape, requiresGrad },
  );
// Parameter p (in state-dict order) holds 0.4·sin(0.9j + 1.7p + 0.1 + phase); the loss is
// Σ out·A + Σ hn·B (+ Σ cn·C). The PyTorch script used the same formulas.
const W = (p: number, phase: number) => (j: number) => 0.4 * Math.sin(0.9 * j + 1.7 * p + 0.1 + phase);
const X = (j: number) => Math.sin(0.5 * j + 0.2);
const H0 = (j: number) => 0.3 * Math.cos(0.8 * j);
const C0 = (j: number) => 0.5 * Math.sin(1.1 * j + 0.4);
const A = (j: number) => Math.cos(0.37 * j);
const B = (j: number) => Math.sin(0.23 * j + 0.5);
const C = (j: number) => Math.cos(0.61 * j + 0.3);

type Recurrent = wg.nn.RNN | wg.nn.GRU | wg.nn.LSTM;
interface TorchCase {
  name: string;
  make: () => Recurrent;
  x: number[];
  phase?: number;
  given: boolean;
  /** PyTorch's out.shape and hn.shape. */
  shapes: number[][];
  out: number[];
  hn: number[];
  cn?: number[];
  gx: number[];
  gh0?: number[];
  gc0?: number[];
  gw: Record<string, number[]>;
}

// Computed by PyTorch 1.13 in float64 (test/fixtures/recurrent-torch.py): inputSize 2, hiddenSize 3 everywhere.
const TORCH: TorchCase[] = [
  {
    name: 'RNN tanh, 2 layers, bidirectional, zero h0',
    make: () => new wg.nn.RNN(2, 3, { numLayers: 2, bidirectional: true }),
    x: [3, 2, 2],
    given: false,
    shapes: [
      [3, 2, 6],
      [4, 2, 3],
    ],
    out: [
      -0.42837734, -0.13645251, 0.27623685, -0.32874611, 0.33997544, 0.2109548, -0.3611256, -0.011772505, 0.34805508, -0.17267597, 0.34698533, 0.35292941,
      -0.51716167, 0.090823542, 0.058841868, -0.13516744, 0.22622745, 0.29175218, -0.68177398, -0.10684798, 0.023802893, -0.26877884, -0.010372884, 0.15428663,
      -0.6607854, -0.26469801, -0.063264814, -0.26066712, -0.11691268, 0.11045089, -0.61418078, -0.2469258, -0.17999244, -0.2108439, -0.092165338, 0.089655022,
    ],
    hn: [
      -0.71417849, -0.66453532, 0.32030461, -0.76721626, -0.4635052, -0.015607983, -0.18939448, -0.22043757, -0.18579823, -0.14772083, 0.19016164, -0.63735914,
      -0.6607854, -0.26469801, -0.063264814, -0.61418078, -0.2469258, -0.17999244, -0.32874611, 0.33997544, 0.2109548, -0.17267597, 0.34698533, 0.35292941,
    ],
    gx: [0.22838152, 0.034866514, -0.188272, -0.42801339, 0.3678472, 0.3539118, 0.17523634, 0.14319288, -0.12320912, -0.19387994, 0.16074833, -0.045382773],
    gw: {
      weight_hh_l0: [-0.39615911, -0.29446992, -0.20911961, -0.77015877, -0.79014703, -0.31550369, -0.71017788, -0.74946392, -0.19369116],
      weight_ih_l1_reverse: [
        -0.11747884, 0.12526069, 0.64423961, -0.14700796, -0.073052727, 0.92187844, -0.35100377, 0.20333688, 0.26811487, -0.47294364, 0.17320981, 0.55372354,
        -0.34064758, 0.36277893, 0.092717161, -0.47556714, 0.29130038, 0.35801244,
      ],
    },
  },
  {
    name: 'RNN relu, batchFirst, given h0',
    make: () => new wg.nn.RNN(2, 3, { nonlinearity: 'relu', batchFirst: true }),
    x: [2, 3, 2],
    phase: 2,
    given: true,
    shapes: [
      [2, 3, 3],
      [1, 2, 3],
    ],
    out: [
      0, 0.2210112, 0.51953228, 0.19346341, 0.049953853, 0.16022578, 0.23074949, 0.13428192, 0.32085859, 0.20862979, 0.464296, 0.58544813, 0, 1.4689157,
      0.24073724, 0, 1.5119742, 0.1674354,
    ],
    hn: [0.23074949, 0.13428192, 0.32085859, 0, 1.5119742, 0.1674354],
    gx: [
      -0.40449505, -0.24612294, 0.1757722, -0.05139302, 0.043846856, 0.046099148, 0.048012907, 0.19974828, -0.15592156, -0.072273109, -0.96899852, -0.51757834,
    ],
    gh0: [0.14203184, 0.11666999, 0.0030146215, 0.098855404, 0.23029898, 0.18745687],
    gw: {
      weight_hh_l0: [0.18075611, 0.36952202, 0.39268654, 0.46554656, 3.403975, 0.81828017, 0.41018981, 3.3811993, 0.64718914],
      bias_ih_l0: [-0.60692149, 2.1702443, 2.0664008],
    },
  },
  {
    name: 'GRU, 2 layers, bidirectional, given h0',
    make: () => new wg.nn.GRU(2, 3, { numLayers: 2, bidirectional: true }),
    x: [3, 2, 2],
    given: true,
    shapes: [
      [3, 2, 6],
      [4, 2, 3],
    ],
    out: [
      -0.26845972, -0.18330671, 0.055668215, -0.35603979, -0.077142349, 0.18727002, 0.036037667, 0.0033304846, 0.0048171837, -0.34584572, -0.23817724,
      0.17097355, -0.28042552, -0.24951352, 0.013054684, -0.30670292, -0.15033629, 0.01736066, -0.093647756, -0.15028682, -0.034841965, -0.2863747, -0.1760524,
      0.22037215, -0.26812426, -0.30797382, -0.098043091, -0.20175731, -0.17983534, -0.15758569, -0.16493082, -0.23599099, -0.088985365, -0.20742418,
      -0.099748794, 0.22726858,
    ],
    hn: [
      0.11293892, -0.26993491, -0.35150123, 0.078356584, -0.41601905, -0.36430005, -0.15639497, -0.1550369, -0.20434724, -0.15511991, -0.20985374, -0.26597551,
      -0.26812426, -0.30797382, -0.098043091, -0.16493082, -0.23599099, -0.088985365, -0.35603979, -0.077142349, 0.18727002, -0.34584572, -0.23817724,
      0.17097355,
    ],
    gx: [
      0.13385015, 0.098985051, 0.090983629, 0.11305298, 0.060679661, 0.078821607, 0.018820382, 0.099944827, 0.15098317, 0.080384378, 0.060450277, 0.11454468,
    ],
    gh0: [
      -0.15880397, -0.12018888, 0.13624631, -0.26814565, -0.24112244, 0.28150049, 0.45896588, 0.54616583, 0.33323331, 0.31696713, 0.21806044, 0.1226695,
      0.26978805, 0.28965464, 0.25322621, -0.12213385, -0.37265788, -0.39602862, -0.33719468, -0.18227741, -0.045689663, 0.17636845, 0.23869979, 0.1580092,
    ],
    gw: {
      weight_hh_l0: [
        0.0069608532, 0.0079754137, 0.0017601022, 0.0087604398, 0.013028091, 0.007317494, -0.0063675095, -0.0069242225, -0.0011365986, 0.03134949, 0.059847618,
        0.035579834, -0.023504465, -0.019364813, -0.016490286, -0.033619995, -0.024299049, -0.028250217, -0.028407993, -0.028914767, -0.0043880779,
        -0.030465151, -0.043820252, -0.02431036, -0.064544494, -0.055509206, -0.065519876,
      ],
      bias_hh_l1_reverse: [0.068342065, -0.081869445, -0.15114054, -0.14081488, 0.0014112242, 0.032773758, -0.47321366, -0.85995514, -0.87701456],
    },
  },
  {
    name: 'GRU, batchFirst, no bias, zero h0',
    make: () => new wg.nn.GRU(2, 3, { batchFirst: true, bias: false }),
    x: [2, 3, 2],
    given: false,
    shapes: [
      [2, 3, 3],
      [1, 2, 3],
    ],
    out: [
      -0.12776825, 0.096431759, 0.079954061, -0.36150527, 0.17602106, 0.27721067, -0.34121161, 0.1447894, 0.33103916, 0.08464656, -0.10154987, -0.040616754,
      0.28664319, -0.27747103, -0.21652112, 0.33520275, -0.21996644, -0.29771708,
    ],
    hn: [-0.34121161, 0.1447894, 0.33103916, 0.33520275, -0.21996644, -0.29771708],
    gx: [
      -0.12911484, -0.0024817301, -0.12753374, -0.068712251, -0.0066632243, -0.016226632, 0.13447129, -0.033782314, 0.20992741, 0.12817309, 0.14448067,
      0.317522,
    ],
    gw: {
      weight_hh_l0: [
        -0.006030033, 0.0063701399, 0.004453804, 0.0084985304, -0.0087222026, -0.0063568902, -0.001227321, 0.0015430766, 0.00091981757, -0.025244142,
        0.024553377, 0.016732676, -0.0063026521, 0.005951815, 0.005612452, 0.032055334, -0.0354278, -0.021374202, 0.085108298, -0.080857781, -0.06402592,
        0.16609461, -0.15664332, -0.12204496, 0.17811342, -0.17251611, -0.12519388,
      ],
      weight_ih_l0: [
        0.022138126, 0.015984172, -0.028330413, -0.018865262, 0.004245983, 0.0027063544, 0.15582662, 0.16989155, -0.010151051, -0.033488051, -0.1751533,
        -0.17550656, -0.45981316, 0.14944835, -1.3906443, -0.66748573, -1.3285259, -1.0410919,
      ],
    },
  },
  {
    name: 'GRU, unbatched, given h0',
    make: () => new wg.nn.GRU(2, 3, { numLayers: 2 }),
    x: [3, 2],
    given: true,
    shapes: [
      [3, 3],
      [2, 3],
    ],
    out: [-0.2282558, -0.32249141, -0.23157892, -0.20196295, -0.35265714, -0.25277501, -0.17053994, -0.38184657, -0.25487564],
    hn: [-0.29407507, 0.059528257, -0.053294895, -0.17053994, -0.38184657, -0.25487564],
    gx: [0.058583732, 0.041541918, 0.065527834, 0.057694615, 0.072787611, 0.062133687],
    gh0: [-0.023684521, 0.15016637, 0.13836567, 0.98020525, 0.58522643, 0.39018275],
    gw: {
      weight_hh_l1: [
        0.020325796, 0.028959937, 0.019805349, 0.0055521569, 0.0077113319, 0.005151731, -0.0016847287, -0.0022275449, -0.0013494877, 0.0024472426, 0.0040037018,
        0.0030046907, -0.0040446614, -0.0056960616, -0.0038411811, -0.0021181455, -0.0028292185, -0.001792839, -0.062680107, -0.089068831, -0.060823913,
        -0.055231533, -0.076960089, -0.051499576, -0.015303305, -0.020212417, -0.01217997,
      ],
      bias_hh_l0: [-0.016411576, -0.02740391, -0.014866933, 0.027599599, 0.050577672, -0.010251998, 0.086249358, 0.15675739, 0.27014619],
    },
  },
  {
    name: 'LSTM, 2 layers, bidirectional, given h0 and c0',
    make: () => new wg.nn.LSTM(2, 3, { numLayers: 2, bidirectional: true }),
    x: [3, 2, 2],
    given: true,
    shapes: [
      [3, 2, 6],
      [4, 2, 3],
    ],
    out: [
      0.042140078, 0.035081945, 0.044199863, -0.21463415, -0.03974606, 0.13842229, -0.21477275, -0.24448736, 0.024917622, -0.27771525, -0.087409665, 0.13834152,
      -0.080003274, -0.096605015, 0.040968352, -0.12999512, -0.020291016, 0.081673901, -0.22865878, -0.24217228, 0.017509119, -0.26305693, -0.092810811,
      0.1401019, -0.16178463, -0.19306514, 0.012583901, -0.00072272617, 0.08296601, -0.035318181, -0.23528575, -0.21653367, 0.0097201604, -0.23041394,
      -0.13226342, 0.14741034,
    ],
    hn: [
      -0.036774073, -0.10610869, -0.20655408, -0.048706286, -0.29398781, -0.2013072, -0.15745028, -0.10046713, -0.11637798, -0.18638459, -0.2101709,
      -0.10085317, -0.16178463, -0.19306514, 0.012583901, -0.23528575, -0.21653367, 0.0097201604, -0.21463415, -0.03974606, 0.13842229, -0.27771525,
      -0.087409665, 0.13834152,
    ],
    cn: [
      -0.059060944, -0.16755773, -0.48344663, -0.08964383, -0.4616369, -0.46232557, -0.35279914, -0.15079953, -0.18261383, -0.59918798, -0.30859904,
      -0.14518982, -0.28156286, -0.30635288, 0.022644347, -0.46263116, -0.35551314, 0.019109587, -0.35449739, -0.066602876, 0.32818902, -0.51041781,
      -0.14392027, 0.32095826,
    ],
    gx: [
      0.16210946, 0.10238373, 0.10475698, 0.11339078, 0.05005392, 0.014394153, -0.070851519, 0.0087447636, -0.012097953, -0.004088901, -0.08049734,
      -0.098308599,
    ],
    gh0: [
      -0.043105962, -0.0081818358, 0.03293414, -0.014607468, -0.0061768498, 0.0069282851, -0.050225973, -0.021388823, 0.023634963, -0.028872457, 0.0051492443,
      0.035274101, 0.017250617, 0.036244505, 0.027809274, 0.023660609, -0.076472225, -0.1187324, -0.011860716, -0.020056893, -0.013074414, 0.07022076,
      0.051900853, -0.0056965853,
    ],
    gc0: [
      0.24755353, 0.26429079, 0.074236596, -0.11735917, -0.21930217, -0.10874305, -0.060659548, 0.13771236, 0.20112785, 0.37533873, 0.34129541, 0.21827738,
      0.28360575, 0.13291802, 0.028291734, -0.3393348, -0.30790143, -0.24859088, -0.17940398, 0.00030728439, 0.068683821, 0.30811971, 0.18823981, 0.06075405,
    ],
    gw: {
      weight_hh_l0: [
        -0.027689957, -0.028384025, -0.0065229667, -0.0080211589, -0.051468325, -0.0057664182, -0.015207517, -0.042374473, -0.0086077141, 0.0093203803,
        -0.013688672, 0.00066134629, -0.01171621, -0.025515826, -0.017518926, -0.0038798566, -0.012860176, -0.0057575583, 0.03291432, 0.12360359, -0.0087965244,
        0.078365749, 0.15447456, 0.030767801, 0.064578724, 0.14660796, 0.035475459, -0.0076738352, -0.010417459, -0.0050159108, 0.0069987878, 0.01065774,
        0.0024532104, 0.020676122, 0.02501349, 0.016154385,
      ],
      bias_hh_l1_reverse: [
        -0.048744616, -0.026821398, 0.030289734, -0.1096598, 0.035636653, -0.082921771, 0.29479444, 0.24110875, 0.21932747, 0.1034827, -0.0066940754,
        -0.10548852,
      ],
    },
  },
  {
    name: 'LSTM, batchFirst, bidirectional, zero state',
    make: () => new wg.nn.LSTM(2, 3, { batchFirst: true, bidirectional: true }),
    x: [2, 3, 2],
    given: false,
    shapes: [
      [2, 3, 6],
      [2, 2, 3],
    ],
    out: [
      -0.070812163, -0.064824687, -0.081739394, -0.23599635, -0.082761135, -0.065415128, -0.12665008, -0.083501391, -0.033725205, -0.18189592, -0.010217365,
      -0.024417251, -0.15758578, -0.1528657, -0.023921125, -0.12286305, -0.046207477, -0.02528987, 0.00027794722, -0.12588593, -0.14829125, -0.088344288,
      -0.28392279, -0.19666931, 0.069959376, -0.19224833, -0.23121642, -0.013486792, -0.2486245, -0.17743936, 0.087232432, -0.20906579, -0.29188211,
      -0.0031967495, -0.17124003, -0.12903323,
    ],
    hn: [
      -0.15758578, -0.1528657, -0.023921125, 0.087232432, -0.20906579, -0.29188211, -0.23599635, -0.082761135, -0.065415128, -0.088344288, -0.28392279,
      -0.19666931,
    ],
    cn: [
      -0.44165778, -0.27941471, -0.033475221, 0.15497485, -0.32261309, -0.73541628, -0.57148056, -0.12369369, -0.10111399, -0.15143484, -0.4921376, -0.38951368,
    ],
    gx: [
      0.2122608, 0.20790542, -0.10543915, -0.086092679, 0.1595848, 0.10666359, -0.11395883, 0.0033325884, 0.047854615, 0.027447756, -0.13054264, -0.19590758,
    ],
    gw: {
      weight_hh_l0_reverse: [
        -0.012446922, 0.025036425, 0.018037347, 0.008476798, 0.045816402, 0.033498737, 0.0065337356, 0.010768992, 0.0084272572, -0.0081358764, -0.00015852086,
        -0.00033720872, 0.0012637437, 0.030529344, 0.021978086, 0.0017613601, 0.016385094, 0.01191644, 0.023563806, -0.084804818, -0.060463931, -0.021335441,
        -0.073963467, -0.057856337, -0.057226031, -0.098810953, -0.077428049, 0.017233389, 0.00096651628, 0.0047088928, 0.0041801678, -0.0079726591,
        -0.0056029356, 0.00066729405, -0.014122085, -0.0099753523,
      ],
      weight_ih_l0: [
        -0.14925488, -0.12613061, -0.16782398, -0.15368936, -0.17529426, -0.18177416, -0.099770833, -0.061036056, -0.060805797, -0.052286656, -0.098658563,
        -0.07692939, 0.45526978, 0.42513064, 0.6246225, 0.58800131, 0.58962289, 0.52494202, 0.01094407, 0.018427505, 0.017133983, 0.0051561439, 0.1179917,
        0.019059646,
      ],
    },
  },
  {
    name: 'LSTM, unbatched, batchFirst, given state',
    make: () => new wg.nn.LSTM(2, 3, { batchFirst: true }),
    x: [3, 2],
    given: true,
    shapes: [
      [3, 3],
      [1, 3],
    ],
    out: [-0.052451227, 0.16677602, -0.042609871, -0.12587198, 0.10295675, -0.027903281, -0.15733514, -0.0070987051, -0.036787854],
    hn: [-0.15733514, -0.0070987051, -0.036787854],
    cn: [-0.41936795, -0.013084715, -0.050590274],
    gx: [-0.031438213, 0.077081534, -0.063751403, 0.013075004, -0.099858934, -0.04931569],
    gh0: [-0.095825648, -0.057007096, 0.024953289],
    gc0: [0.43316872, 0.6053199, 0.24736128],
    gw: {
      weight_hh_l0: [
        -0.0077984072, -0.048752163, 0.0084977308, -0.0011990473, -0.01089146, 0.0018129364, -0.015123733, -0.010219057, 0.00038488156, 0.023107695,
        -0.0039535076, 0.0028365793, 0.022305373, 0.024400883, -0.0023798409, 0.0084759744, 0.0065450846, -0.00038047547, 0.042814318, 0.11572337, -0.017190988,
        0.056623076, 0.12852295, -0.018816038, 0.055920013, 0.021450443, 0.0019027228, -0.0083041307, -0.011007519, 0.001492695, 0.021167903, 0.0165836,
        -0.0010107586, -0.0030917128, -0.0016216526, -9.1506812e-6,
      ],
      bias_ih_l0: [
        -0.31306784, -0.075234891, -0.04817917, -0.066132911, 0.13187245, 0.032142281, 0.72674788, 0.77391971, 0.076613751, -0.054079825, 0.081358157,
        -0.0067062615,
      ],
    },
  },
  {
    name: 'RNN tanh, unbatched, bidirectional, zero h0',
    make: () => new wg.nn.RNN(2, 3, { bidirectional: true }),
    x: [3, 2],
    given: false,
    shapes: [
      [3, 6],
      [2, 3],
    ],
    out: [
      -0.26262466, -0.2839593, -0.35248505, -0.0092065366, -0.37720911, -0.058177274, -0.2080632, 0.21676608, -0.72278476, 0.12319966, -0.05840395, -0.51723112,
      -0.22945245, -0.080541596, -0.47184471, -0.16248105, -0.075933078, -0.23930246,
    ],
    hn: [-0.22945245, -0.080541596, -0.47184471, -0.0092065366, -0.37720911, -0.058177274],
    gx: [0.51406971, 0.35807573, -0.30767162, -0.046186922, 0.10021548, -0.41973735],
    gw: {
      weight_hh_l0_reverse: [0.27274239, -0.03176778, -0.55753183, 0.24588808, 0.0075441145, -0.28465836, 0.19469481, 0.0076177679, -0.21548757],
      bias_hh_l0: [0.57700728, 0.93819116, 1.2407761],
    },
  },
];

/** Runs a case on the current backend: the module loaded with the formula's weights, forward, loss, backward. */
function run(c: TorchCase) {
  const m = c.make();
  const named = Object.entries(m.stateDict());
  m.loadStateDict(Object.fromEntries(named.map(([k, t], p) => [k, fill(t.shape, W(p, c.phase ?? 0))])));
  const x = fill(c.x, X, true);
  const n = c.x.length === 3 ? [m.batchFirst ? c.x[0] : c.x[1]] : [];
  const stateShape = [m.numLayers * m.numDirections, ...n, 3];
  const h0 = c.given ? fill(stateShape, H0, true) : null;
  const c0 = c.given ? fill(stateShape, C0, true) : null;
  let out: wg.Tensor, hn: wg.Tensor;
  let cn: wg.Tensor | null = null;
  if (m instanceof wg.nn.LSTM) [out, [hn, cn]] = m.forward(x, c.given ? [h0!, c0!] : undefined);
  else [out, hn] = m.forward(x, h0);
  let loss = out
    .mul(fill(out.shape, A))
    .sum()
    .add(hn.mul(fill(hn.shape, B)).sum());
  if (cn !== null) loss = loss.add(cn.mul(fill(cn.shape, C)).sum());
  loss.backward();
  const params = Object.fromEntries(m.namedParameters());
  return { out, hn, cn, x, h0, c0, params };
}

describe('values and gradients equal PyTorch 1.13', () => {
  for (const be of ['wasm', 'reference'] as const)
    for (const c of TORCH)
      test(`${be}: ${c.name}`, () => {
        wg.setBackend(be);
        // float32 kernels vs float64 literals; the reference computes in float64
        const tol = be === 'wasm' ? 2e-5 : 1e-7;
        const r = run(c);
        expect([r.out.shape, r.hn.shape]).toEqual(c.shapes);
        expectClose(r.out.data(), c.out, tol);
        expectClose(r.hn.data(), c.hn, tol);
        if (c.cn) {
          expect(r.cn!.shape).toEqual(c.shapes[1]);
          expectClose(r.cn!.data(), c.cn, tol);
        } else expect(r.cn).toBeNull();
        expectClose(r.x.grad!.data(), c.gx, tol);
        if (c.gh0) expectClose(r.h0!.grad!.data(), c.gh0, tol);
        if (c.gc0) expectClose(r.c0!.grad!.data(), c.gc0, tol);
        for (const [name, g] of Object.entries(c.gw)) expectClose(r.params[name].grad!.data(), g, tol);
      });
});

describe('parameters, printing and errors', () => {
  test("stateDict keys, order and shapes are PyTorch's; init is U(−1/√H, 1/√H) from the seeded stream", () => {
    wg.setBackend('wasm');
    wg.manualSeed(7);
    const m = new wg.nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
    const sd = m.stateDict();
    // list(nn.LSTM(3, 4, num_layers=2, bidirectional=True).state_dict()) and the shapes, from PyTorch 1.13
    expect(Object.keys(sd)).toEqual([
      'weight_ih_l0',
      'weight_hh_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'weight_ih_l0_reverse',
      'weight_hh_l0_reverse',
      'bias_ih_l0_reverse',
      'bias_hh_l0_reverse',
      'weight_ih_l1',
      'weight_hh_l1',
      'bias_ih_l1',
      'bias_hh_l1',
      'weight_ih_l1_reverse',
      'weight_hh_l1_reverse',
      'bias_ih_l1_reverse',
      'bias_hh_l1_reverse',
    ]);
    const shapes = [[16, 3], [16, 4], [16], [16], [16, 3], [16, 4], [16], [16], [16, 8], [16, 4], [16], [16], [16, 8], [16, 4], [16], [16]];
    expect(Object.values(sd).map((t) => t.shape)).toEqual(shapes);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    const all = m.parameters().flatMap((p) => Array.from(p.data()));
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...all)).toBeGreaterThan(0.45); // 1/√4 = 0.5: the whole range is used
    expect(Math.min(...all)).toBeLessThan(-0.45);
    // One stream, in registration order: the same seed builds the same model on the other backend.
    wg.setBackend('reference');
    wg.manualSeed(7);
    const again = new wg.nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
    expect(again.parameters().flatMap((p) => Array.from(p.data()))).toEqual(all);
    expect(new wg.nn.GRU(3, 5, { bias: false }).stateDict()).toEqual({ weight_ih_l0: expect.anything(), weight_hh_l0: expect.anything() });
    expect(new wg.nn.GRU(3, 5).stateDict().weight_hh_l0.shape).toEqual([15, 5]);
    expect(new wg.nn.RNN(3, 5).stateDict().weight_ih_l0.shape).toEqual([5, 3]);
  });

  test('print as PyTorch', () => {
    expect(String(new wg.nn.LSTM(10, 20, { numLayers: 2, batchFirst: true }))).toBe('LSTM(10, 20, num_layers=2, batch_first=True)');
    expect(String(new wg.nn.RNN(3, 4, { nonlinearity: 'relu' }))).toBe('RNN(3, 4)');
    expect(String(new wg.nn.GRU(2, 3, { bias: false, dropout: 0.25, bidirectional: true }))).toBe('GRU(2, 3, bias=False, dropout=0.25, bidirectional=True)');
  });

  test('bad options and inputs are clear errors naming the module and the shapes', () => {
    wg.setBackend('wasm');
    expect(() => new wg.nn.RNN(3, 4, { nonlinearity: 'gelu' as 'relu' })).toThrow(wg.ValueError);
    expect(() => new wg.nn.RNN(3, 4, { nonlinearity: 'gelu' as 'relu' })).toThrow("wasmgrad.nn.RNN: nonlinearity must be 'tanh' or 'relu', got \"gelu\"");
    expect(() => new wg.nn.GRU(3, 4, { nonlinearity: 'relu' } as wg.nn.RNNOptions)).toThrow("wasmgrad.nn.GRU: unknown option 'nonlinearity'");
    expect(() => new wg.nn.LSTM(3, 0)).toThrow('wasmgrad.nn.LSTM: hiddenSize must be an integer ≥ 1, got 0');
    expect(() => new wg.nn.LSTM(-1, 2)).toThrow('wasmgrad.nn.LSTM: inputSize must be an integer ≥ 0, got -1');
    expect(() => new wg.nn.LSTM(3, 2, { numLayers: 0 })).toThrow('wasmgrad.nn.LSTM: numLayers must be an integer ≥ 1, got 0');
    expect(() => new wg.nn.LSTM(3, 2, { dropout: 1.5 })).toThrow('wasmgrad.nn.LSTM: dropout must be a probability in [0, 1], got 1.5');
    expect(() => new wg.nn.LSTM(3, 2, { batchFirst: 1 as unknown as boolean })).toThrow(/wasmgrad\.nn\.LSTM: batchFirst must be a boolean/);
    const lstm = new wg.nn.LSTM(3, 4, { numLayers: 2 });
    expect(() => lstm.forward(wg.zeros([5, 2, 2]))).toThrow(wg.ShapeError);
    expect(() => lstm.forward(wg.zeros([5, 2, 2]))).toThrow('wasmgrad.nn.LSTM: expected an input [L, N, 3] or unbatched [L, 3], got shape [5, 2, 2]');
    expect(() => lstm.forward(wg.zeros([5, 2, 1, 3]))).toThrow('got shape [5, 2, 1, 3]');
    expect(() => lstm.forward(wg.zeros([0, 2, 3]))).toThrow('wasmgrad.nn.LSTM: expected a sequence length L > 0, got an input of shape [0, 2, 3]');
    expect(() => lstm.forward(wg.zeros([5, 2, 3], { dtype: 'int32' }))).toThrow(wg.DTypeError);
    expect(() => lstm.forward(wg.zeros([5, 2, 3]), [wg.zeros([2, 2, 4]), wg.zeros([1, 2, 4])])).toThrow(
      'wasmgrad.nn.LSTM: expected c0 of shape [2, 2, 4] (numLayers·numDirections, N, hiddenSize) for an input of shape [5, 2, 3], got [1, 2, 4]',
    );
    expect(() => lstm.forward(wg.zeros([5, 3]), [wg.zeros([2, 1, 4]), wg.zeros([2, 1, 4])])).toThrow(
      'wasmgrad.nn.LSTM: expected h0 of shape [2, 4] (numLayers·numDirections, hiddenSize) for an input of shape [5, 3], got [2, 1, 4]',
    );
    expect(() => lstm.forward(wg.zeros([5, 2, 3]), wg.zeros([2, 2, 4]) as unknown as [wg.Tensor, wg.Tensor])).toThrow(
      'wasmgrad.nn.LSTM: the initial state must be an array [h0, c0] of two tensors, got',
    );
    const gru = new wg.nn.GRU(3, 4, { batchFirst: true, bidirectional: true });
    expect(() => gru.forward(wg.zeros([2, 5, 4]))).toThrow('wasmgrad.nn.GRU: expected an input [N, L, 3] or unbatched [L, 3], got shape [2, 5, 4]');
    expect(() => gru.forward(wg.zeros([2, 5, 3]), wg.zeros([1, 2, 4]))).toThrow(
      'wasmgrad.nn.GRU: expected h0 of shape [2, 2, 4] (numLayers·numDirections, N, hiddenSize) for an input of shape [2, 5, 3], got [1, 2, 4]',
    );
    expect(() => gru.forward(wg.zeros([2, 5, 3]), 3 as unknown as wg.Tensor)).toThrow('wasmgrad.nn.GRU: h0 must be a Tensor, got 3');
  });
});

describe('sizes, dropout and nesting', () => {
  for (const be of ['wasm', 'reference'] as const)
    test(`${be}: an empty batch, an empty input size, one step`, () => {
      wg.setBackend(be);
      const lstm = new wg.nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
      const x = wg.zeros([2, 0, 3], { requiresGrad: true });
      const [out, [hn, cn]] = lstm.forward(x);
      expect([out.shape, hn.shape, cn.shape]).toEqual([
        [2, 0, 8],
        [4, 0, 4],
        [4, 0, 4],
      ]);
      out.sum().add(hn.sum()).backward();
      expect(Array.from(lstm.parameters()[1].grad!.data()).every((g) => g === 0)).toBe(true);
      // inputSize 0: x contributes nothing, as a zero input of size 1 does to the same module
      const empty = new wg.nn.GRU(0, 2);
      const one = new wg.nn.GRU(1, 2);
      one.loadStateDict({ ...empty.stateDict(), weight_ih_l0: one.stateDict().weight_ih_l0 });
      const [o0, h0] = empty.forward(wg.zeros([3, 2, 0]));
      const [o1, h1] = one.forward(wg.zeros([3, 2, 1]));
      expectClose(o0.data(), o1.data(), 1e-7);
      expectClose(h0.data(), h1.data(), 1e-7);
      // L = 1: out is hn for a one-layer, one-direction module
      const rnn = new wg.nn.RNN(5, 7);
      const [o, h] = rnn.forward(wg.randn([1, 3, 5]));
      expect(o.shape).toEqual([1, 3, 7]);
      expect(Array.from(o.data())).toEqual(Array.from(h.data()));
    });

  test('dropout acts between layers in training mode only, seeded', () => {
    wg.setBackend('wasm');
    const x = fill([4, 3, 2], X);
    const make = (dropout: number, numLayers = 2) => {
      wg.manualSeed(3);
      return new wg.nn.GRU(2, 5, { numLayers, dropout });
    };
    const plain = make(0).forward(x)[0].data();
    const drop = make(0.5);
    wg.manualSeed(11);
    const a = drop.forward(x)[0].data();
    wg.manualSeed(11);
    expect(drop.forward(x)[0].data()).toEqual(a); // the same seed drops the same units
    expect(a).not.toEqual(plain);
    drop.eval();
    expect(drop.forward(x)[0].data()).toEqual(plain);
    // one layer: nothing to drop between (PyTorch only warns)
    expect(make(0.5, 1).forward(x)[0].data()).toEqual(make(0, 1).forward(x)[0].data());
    // p = 1 zeroes the first layer's output: the result no longer depends on x
    const all = make(1);
    const xg = fill([4, 3, 2], X, true);
    all.forward(xg)[0].sum().backward();
    expect(Array.from(xg.grad!.data()).every((g) => g === 0)).toBe(true);
    expect(all.forward(fill([4, 3, 2], Math.cos))[0].data()).toEqual(all.forward(x)[0].data());
  });

  test('a recurrent module inside a model: prefixed names and wg.summary', () => {
    wg.setBackend('wasm');
    const net = new SignNet();
    expect(Object.keys(net.stateDict())).toEqual(['lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0', 'head.weight', 'head.bias']);
    expect(wg.summary(new wg.nn.GRU(3, 4), [5, 3], { print: false })).toMatch(/^GRU +\[\[5, 4\], \[1, 4\]\] +108$/m); // 3·4·(3 + 4) + 2·3·4
    expect(wg.summary(net, [6, 2, 1], { print: false })).toMatch(/lstm: LSTM +\[\[6, 2, 8\], \[\[1, 2, 8\], \[1, 2, 8\]\]\] +352\n/); // 4·8·(1 + 8) + 2·4·8;
  });
});

/** An LSTM reading a sequence of numbers, and a linear head on its last hidden state. */
class SignNet extends wg.nn.Module {
  readonly lstm = this.registerModule('lstm', new wg.nn.LSTM(1, 8));
  readonly head = this.registerModule('head', new wg.nn.Linear(8, 1));
  forward(x: wg.Tensor): wg.Tensor {
    const [, [hn]] = this.lstm.forward(x);
    return this.head.forward(hn.squeeze(0));
  }
}

describe('training', () => {
  /** Sequences of 6 numbers in [−1, 1] labelled 1 where their sum is positive: xs [6, 32, 1], ys [32, 1]. */
  function signData(batches: number) {
    wg.manualSeed(5);
    return Array.from({ length: batches }, () => {
      const x = wg.rand([6, 32, 1]).mul(2).sub(1);
      const sums = x.sum(0).data();
      return {
        x: x.keep(),
        y: wg.tensor(
          Array.from(sums, (s) => (s > 0 ? 1 : 0)),
          { shape: [32, 1] },
        ),
      };
    });
  }
  function trainer() {
    wg.manualSeed(1);
    const net = new SignNet();
    const opt = new wg.optim.Adam(net.parameters(), { lr: 0.02 });
    const step = (x: wg.Tensor, y: wg.Tensor) => {
      const loss = wg.losses.bceWithLogits(net.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    };
    return { net, step };
  }

  for (const be of ['wasm', 'reference'] as const)
    test(`${be}: an LSTM learns the sign of a sum in flat memory, eager and compiled alike, the compiled step replays fast`, () => {
      wg.setBackend(be);
      const data = signData(9);
      const [test, ...train] = data;
      const steps = 240;
      const eager = trainer();
      const heap = test.x.storage.backend.heap;
      let inUse = 0,
        high = 0;
      const eagerLosses = Array.from({ length: steps }, (_, i) => {
        if (i === 20) [inUse, high] = [heap.inUse, heap.highWater];
        return eager.step(train[i % 8].x, train[i % 8].y).item();
      });
      // memory stays flat: the zero initial state is a transient of the step, as every op result
      expect(heap.inUse).toBeLessThanOrEqual(inUse);
      expect(heap.highWater).toBe(high);
      const comp = trainer();
      const compiled = wg.compile(comp.step);
      const losses = Array.from({ length: steps }, (_, i) => compiled(train[i % 8].x, train[i % 8].y).item());
      expect(compiled.replayInfo()[0].mode).toBe('fast');
      losses.forEach((l, i) => expect(l).toBeCloseTo(eagerLosses[i], 4));
      const last = (ls: number[]) => ls.slice(-8).reduce((a, b) => a + b, 0) / 8;
      expect(last(eagerLosses)).toBeLessThan(0.15 * eagerLosses[0]);
      for (const { net } of [eager, comp]) {
        const pred = wg.noGrad(() => net.forward(test.x)).data();
        const right = test.y.data().filter((y, i) => (pred[i] > 0 ? 1 : 0) === y).length;
        expect(right / 32).toBeGreaterThanOrEqual(0.9);
      }
    });
});
