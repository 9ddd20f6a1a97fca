/**
 * The torch.nn modules ported for parity (nn.ConvTranspose1d, Bilinear, LocalResponseNorm,
 * AdaptiveMaxPool1d, RMSNorm, ParameterList/Dict, utils, Unfold/Fold, ChannelShuffle, LPPool,
 * AlphaDropout, RReLU): state-dict names and shapes, values and gradients against PyTorch 1.13
 * (literals below, computed with the fixture convention of test/helpers/sin-fill.ts: input
 * element i is 0.5·sin(i·s + 0.5), state-dict entry k has s = 0.37 + 0.11·k, losses are
 * Σ y·sin-fill(0.7); test/fixtures/parity-nn-torch.py prints them), the random modules against our
 * own dropout hash and stream, and every error.
 * RMSNorm's values are torch's formula x·rsqrt(mean(x²) + finfo(float32).eps)·w (torch 1.13 has no nn.RMSNorm).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { nextU32 } from '../src/random.js';
import { dropoutHash } from '../src/ops/shape.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict, sinFilled } from './helpers/sin-fill.js';

const TORCH = {
  convT1d_y: [
    0.171418, 0.1778057, 0.2715466, 0.3736656, 0.3688315, 0.55756, 0.4545827, 0.7130619, 0.5211402, 0.6425931, 0.643105, 0.9661129, 0.7567683, 1.1539419,
    0.8399248, 1.2757857, 0.8851461, 1.3207603, 0.888393, 0.8276942, 0.7678668, 1.0487375, 0.7688217, 1.0199182, 0.7454896, 0.9443824, 0.6999549, 0.8288773,
    0.6362849, 0.4608511, 0.4793979, 0.4061747, 0.3665837, 0.1927161, 0.2626776, 0.0036965, 0.1769611, -0.1439994, 0.117091, 0.0217726, -0.0670093, -0.3859625,
    -0.0935027, -0.416605, -0.090231, -0.3886206, -0.0574864, -0.304509, 0.0018062, 0.0442341, -0.0424247, -0.4035618, 0.0177347, -0.2526371, 0.1134028,
    -0.0420522, 0.236034, 0.209382, 0.3746738, 0.4661843, 0.3966368, 0.3944224, 0.4766313, 0.5592857, 0.5584395, 0.7185792, 0.6347535, 0.8580739, 0.6987566,
    0.7377111, 0.8347842, 1.193952, 0.8457657, 1.189644, 0.8228514, 1.1207225, 0.7680882, 0.9933441, 0.6863677, 0.6295004,
  ],
  convT1d_gx: [
    0.6169801, 1.2936407, -0.2258745, -1.3704233, -0.2399795, 0.3203472, -0.9876771, -1.0696836, 0.624055, 1.2818213, -0.7893479, -0.7622052, 0.8014351,
    1.0346404, -0.4497252, -0.3851532, -1.3678057, -0.1487552, 1.3172388, 0.5965298, -0.5301734, 0.7028307, 1.2512209, -0.2774979, -1.345552, 0.6704216,
    0.9896363, -0.5244844, -1.1679265, 0.1274662,
  ],
  convT1d_gw: [
    0.1146095, 0.0813403, 0.1431234, -0.0333444, 0.1438372, 0.136585, -0.1648863, 0.1355381, 0.0628202, -0.215272, 0.0605278, -0.0418645, 0.3248998, 0.3760951,
    0.2710057, 0.2761967, 0.2665613, 0.0321471, 0.0915508, 0.0258272, -0.2225341, -0.1381559, -0.227619, -0.3676851, -0.0686445, -0.0281324, -0.104783,
    0.0724191, -0.1061256, -0.132037, 0.1778384, -0.1318842, -0.0943031, 0.1957265, -0.0927301, -0.0101535,
  ],
  convT1d_gb: [0.1303526, 0.0649342, -0.0324445, -0.1138541],
  bilinear_y: [
    0.5177565, 0.2334754, 0.4386734, 0.7185242, 0.8035095, 0.1513076, 0.2522699, 1.0260733, 0.3988306, 0.3841248, 0.3754483, 0.6443204, 0.2969654, 0.3604995,
    0.505879, 0.5102414, 0.7479323, 0.1384177, 0.3234323, 0.9529204,
  ],
  bilinear_gx1: [
    0.017424, 0.0225914, 0.0159421, -0.0085179, -0.0327495, -0.039851, -0.0069408, 0.0145705, 0.0284605, -0.004769, 0.0079172, 0.0164621, 0.035198, -0.0095357,
    -0.0492816,
  ],
  bilinear_gx2: [0.0311308, 0.0293115, -0.0341921, -0.0451611, 0.0039624, 0.0162178, 0.0157339, 0.0239383, -0.0001577, -0.0298134],
  bilinear_gw: [
    -0.0815986, -0.0769233, -0.0802968, -0.0670596, -0.0718223, -0.0512057, -0.0446782, -0.0439367, -0.0452009, -0.0332059, -0.0416859, -0.0195089, 0.0132551,
    0.009714, 0.0111538, 0.0162651, 0.008056, 0.0213633, 0.0649544, 0.058796, 0.0622626, 0.0580864, 0.0540091, 0.052188,
  ],
  bilinear_gb: [-0.0607227, 0.1647095, 0.3126762, 0.3135864],
  lrn_y: [
    0.1736141, 0.3498355, 0.2711645, -0.0214235, -0.2905739, -0.3368295, -0.1359389, 0.1788115, 0.346249, 0.2622886, -0.0274916, -0.2937622, -0.3352426,
    -0.1303173, 0.1839554, 0.3470315, 0.2589745, -0.0338076, -0.3027837, -0.3369009, -0.1260003, 0.1890707, 0.352538, 0.2590449, -0.0397301, -0.2998847,
    -0.3318009, -0.1189406, 0.1940589, 0.3483255, 0.2502905, -0.045829, -0.3028179, -0.3299464, -0.1131892, 0.1990156, 0.3548405, 0.2465651, -0.0522557,
    -0.3118021,
  ],
  lrn_gx: [
    0.1711216, 0.3083495, 0.3321433, 0.1888362, -0.05377, -0.2389543, -0.3579637, -0.2712492, -0.0567159, 0.1646839, 0.3430443, 0.3089566, 0.159916, -0.0611481,
    -0.2709957, -0.3136457, -0.262525, -0.0608101, 0.1739465, 0.3103209, 0.3428378, 0.1692136, -0.0670487, -0.275833, -0.3651758, -0.24481, -0.0486368,
    0.1870661, 0.3328326, 0.291078, 0.1617668, -0.0762165, -0.2584302, -0.3188668, -0.2675944, -0.0442157, 0.1744398, 0.3270776, 0.339658, 0.1589965,
  ],
  amp1d_y: [
    0.4927249, 0.3728526, -0.1869383, 0.4940841, 0.3671986, -0.1791146, 0.4953037, 0.3614407, -0.1712403, 0.4963832, 0.3555806, -0.1633176, 0.4973224, 0.34962,
    -0.1553486, 0.498121, 0.3435606, -0.1473358,
  ],
  amp1d_i: [1, 2, 6, 1, 2, 6, 1, 2, 6, 1, 2, 6, 1, 2, 6, 1, 2, 6],
  rmsnorm_y: [0.1641499, 0.5259646, 0.5830507, 0.1707321, -0.1813415, -0.5333899, -0.5619391, -0.129945, 0.1978759, 0.5389206, 0.5388569, 0.088734],
  rmsnorm_gx: [-0.1313965, -0.0852348, 0.1070405, 0.2203824, 0.2415809, 0.1323686, -0.2108555, -0.4496289, -0.3035593, -0.1426493, 0.2999897, 0.6188209],
  rmsnorm_gw: [0.1486319, 1.5179044, 1.711897, 0.2721134],
  rmsnorm_ytiny: [0.2455321, -0.4910642, 0.7365963],
  rmsnorm_y2: [0.6543415, 1.3151073, 1.1781468, 0.3265382, -0.7231441, -1.3341769, -1.237469, -0.270851, 0.8600615, 1.4692723, 1.1872422, 0.1850469],
  utils_vec: [0.2397128, 0.3821645, 0.472892, 0.4996158, 0.458719, 0.3557367, 0.2397128, 0.4152487],
  utils_gw: [0.2397128, 0.4660195, 0.47315, 0.2577507, -0.0788728, -0.3784012],
  utils_gb: [-0.4999616, -0.3863823],
  utils_pad: [
    0.2397128, 0.358678, 0.2397128, 0.4207355, 0.2397128, 0.4660195, 0.4456037, 0.4927249, -1.0, -1.0, 0.47315, 0.2577507, 0.4958324, 0.4546487, -1.0, -1.0,
    -1.0, -1.0,
  ],
  utils_ga: [0.2397128, 0.4927249, -0.1869383, 0.2470567, -0.4770096, -0.1791146],
  utils_gseqb: [0.3728526, -0.0291871],
  utils_gc: [-0.4091386, -0.4794621, -0.0375756, -0.4139132],
  utils_padbf: [
    0.2397128, 0.358678, 0.4456037, 0.4927249, 0.4958324, 0.4546487, 0.2397128, 0.4207355, 0.0, 0.0, 0.0, 0.0, 0.2397128, 0.4660195, 0.47315, 0.2577507, 0.0,
    0.0,
  ],
  unfoldfold_u: [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.4958324, 0.4546487, 0.3728526, 0.0, -0.4091386, -0.4758011, -0.4999616, 0.0, 0.0, 0.0, 0.0, 0.4958324, 0.4546487, 0.3728526,
    0.2577507, -0.4091386, -0.4758011, -0.4999616, -0.4794621, 0.0, 0.0, 0.0, 0.0, 0.4546487, 0.3728526, 0.2577507, 0.0, -0.4758011, -0.4999616, -0.4794621,
    0.0, 0.0, 0.4958324, 0.4546487, 0.3728526, 0.0, -0.4091386, -0.4758011, -0.4999616, 0.0, 0.0, 0.0, 0.0, 0.4958324, 0.4546487, 0.3728526, 0.2577507,
    -0.4091386, -0.4758011, -0.4999616, -0.4794621, 0.0, 0.0, 0.0, 0.0, 0.4546487, 0.3728526, 0.2577507, 0.0, -0.4758011, -0.4999616, -0.4794621, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4940841, 0.4946791, 0.4510859, 0.0, -0.3125353, -0.4139132, -0.4783175, 0.0, 0.0, 0.0, 0.0, 0.4940841, 0.4946791,
    0.4510859, 0.3671986, -0.3125353, -0.4139132, -0.4783175, -0.4999951, 0.0, 0.0, 0.0, 0.0, 0.4946791, 0.4510859, 0.3671986, 0.0, -0.4139132, -0.4783175,
    -0.4999951, 0.0, 0.0, 0.4940841, 0.4946791, 0.4510859, 0.0, -0.3125353, -0.4139132, -0.4783175, 0.0, 0.0, 0.0, 0.0, 0.4940841, 0.4946791, 0.4510859,
    0.3671986, -0.3125353, -0.4139132, -0.4783175, -0.4999951, 0.0, 0.0, 0.0, 0.0, 0.4946791, 0.4510859, 0.3671986, 0.0, -0.4139132, -0.4783175, -0.4999951,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4529774, 0.4953037, 0.493386, 0.0, -0.1910357, -0.3190534, -0.4185709, 0.0, 0.0, 0.0, 0.0, 0.4529774,
    0.4953037, 0.493386, 0.4473956, -0.1910357, -0.3190534, -0.4185709, -0.4806987, 0.0, 0.0, 0.0, 0.0, 0.4953037, 0.493386, 0.4473956, 0.0, -0.3190534,
    -0.4185709, -0.4806987, 0.0, 0.0, 0.4529774, 0.4953037, 0.493386, 0.0, -0.1910357, -0.3190534, -0.4185709, 0.0, 0.0, 0.0, 0.0, 0.4529774, 0.4953037,
    0.493386, 0.4473956, -0.1910357, -0.3190534, -0.4185709, -0.4806987, 0.0, 0.0, 0.0, 0.0, 0.4953037, 0.493386, 0.4473956, 0.0, -0.3190534, -0.4185709,
    -0.4806987, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3757867, 0.4564726, 0.4963832, 0.0, -0.0543183, -0.1987778, -0.3254811, 0.0, 0.0, 0.0, 0.0,
    0.3757867, 0.4564726, 0.4963832, 0.4919533, -0.0543183, -0.1987778, -0.3254811, -0.4231102, 0.0, 0.0, 0.0, 0.0, 0.4564726, 0.4963832, 0.4919533, 0.0,
    -0.1987778, -0.3254811, -0.4231102, 0.0, 0.0, 0.3757867, 0.4564726, 0.4963832, 0.0, -0.0543183, -0.1987778, -0.3254811, 0.0, 0.0, 0.0, 0.0, 0.3757867,
    0.4564726, 0.4963832, 0.4919533, -0.0543183, -0.1987778, -0.3254811, -0.4231102, 0.0, 0.0, 0.0, 0.0, 0.4564726, 0.4963832, 0.4919533, 0.0, -0.1987778,
    -0.3254811, -0.4231102, 0.0, 0.0, 0.0, 0.0, 0.0,
  ],
  unfoldfold_gx: [
    0.0, 0.0, 0.0, 0.0, -0.0613886, -0.265084, -0.1962456, 0.1678493, 0.0, 0.0, 0.0, 0.0, -0.0433751, 0.2531491, 0.2446994, -0.0715131, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, -0.101356, -0.2613358, -0.1705348, 0.2010185, 0.0, 0.0, 0.0, 0.0, -0.0020445, 0.261496, 0.2287506, -0.1110894, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, -0.1394923, -0.2528658, -0.141743, 0.2305559, 0.0, 0.0, 0.0, 0.0, 0.0393231, 0.2651182, 0.2086687, -0.1486585, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, -0.1751081, -0.239827, -0.1103902, 0.2559275, 0.0, 0.0, 0.0, 0.0, 0.07998, 0.2639505, 0.1848168, -0.1835418, 0.0, 0.0, 0.0, 0.0,
  ],
  unfoldfold_f: [
    -0.4770096, 0.4849449, -0.3809918, 0.3992436, -0.2248237, -0.4161337, 0.4316047, -0.2753428, 0.2992361, -0.0910813, -0.0331609, 0.0622272, 0.1637372,
    -0.1358803, 0.3347849, 0.10756, -0.0788728, 0.2892199, -0.2649181, 0.4252183, 0.2686611, -0.2435873, 0.4116665, -0.3943991, 0.4896788, 0.3757867,
    -0.3558927, 0.4745623, -0.464562, 0.4984149, 0.4903816, -0.4952428, 0.413664, -0.4293535, 0.2716378, 0.4435787, -0.4562912, 0.3187113, -0.3406569,
    0.1435263, 0.337404, -0.3583685, 0.1670756, -0.1943001, -0.0296304, 0.2208619, -0.2466705, 0.0287437, -0.0578335, -0.1679124, -0.2216584, 0.1951181,
    -0.3786914, 0.3589873, -0.4759373, -0.3380589, 0.3159776, -0.4548333, 0.4419352, -0.4997996, -0.4439879, 0.429808, -0.4984848, 0.4953642, -0.4742818,
    -0.4905542, 0.4840712, -0.4894985, 0.4946143, -0.4111618, -0.3752002, 0.3938526, -0.2168828, 0.2428112, -0.0243243, -0.2679116, 0.2920983, -0.0823641,
    0.111012, 0.1161869,
  ],
  unfoldfold_gc: [
    0.0, 0.0, 0.0, 0.0, -0.4999616, -0.0910813, 0.0, -0.3809918, 0.2543307, 0.0, 0.0, 0.0, -0.3784012, -0.3863823, 0.2470567, -0.4999951, -0.0828021, 0.4718478,
    0.0, 0.4660195, 0.2577507, 0.0, 0.4703653, -0.0871634, 0.0, 0.0, 0.0, 0.2397128, 0.47315, -0.0788728, 0.469, 0.2505104, -0.3838429, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, -0.0744995, 0.4745623, 0.0, 0.2686611, 0.4612164, 0.0, 0.0, 0.0, -0.3754936, 0.2615329, 0.4643976, -0.0661759, 0.4771425, 0.228373, 0.0,
    0.2431993, -0.389176, 0.0, -0.1036682, -0.499638, 0.0, 0.0, 0.0, 0.4674475, -0.0954293, -0.4998872, 0.2358195, -0.3943991, -0.3698893, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.4795879, 0.2208619, 0.0, 0.4544637, -0.1281998, 0.0, 0.0, 0.0, 0.2757134, 0.4579048, -0.1200558, 0.4818977, 0.2132884, -0.4093937, 0.0,
    -0.3995107, -0.3641804, 0.0, -0.4987159, -0.0494748, 0.0, 0.0, 0.0, -0.1118778, -0.4992475, -0.0578335, -0.4045094, -0.3583685, 0.2826876, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.2056545, -0.4141622, 0.0, -0.1443769, -0.4962758, 0.0, 0.0, 0.0, 0.4508942, -0.1363076, -0.4972298, 0.1979626, -0.4188136, -0.3403317,
    0.0, -0.3524553, 0.289582, 0.0, -0.0327178, 0.4861079, 0.0, 0.0, 0.0, -0.4980432, -0.0411021, 0.4840712, -0.3464425, 0.2963945, 0.4471971, 0.0, 0.0, 0.0,
  ],
  channelshuffle_cs: [0.2397128, 0.358678, 0.4958324, 0.4546487, 0.1196247, -0.0291871, 0.4456037, 0.4927249, 0.3728526, 0.2577507, -0.1753916, -0.3059289],
  lppool_lp1: [0.6627662, 0.6309756, 0.6633181, 0.6326723, 0.6638142, 0.634342, 0.664254, 0.6359829, 0.6646371, 0.6375936, 0.6649633, 0.6391722],
  lppool_glp1: [
    0.0867006, 0.1782113, 0.1348553, -0.0215567, -0.3021774, -0.3541163, -0.0, 0.1762275, 0.3524341, 0.2619256, -0.0153083, -0.1686282, -0.1943337, -0.0,
    -0.030219, -0.0588508, -0.0429455, 0.0274124, 0.2496883, 0.283005, -0.0, -0.196847, -0.3736109, -0.2676335, 0.0330003, 0.2570545, 0.286575, -0.0,
    -0.0368171, -0.0681526, -0.0479116, -0.0242827, -0.1656606, -0.1816698, -0.0, 0.1944612, 0.3513258, 0.242314, -0.0522484, -0.3177817, -0.3428241, -0.0,
  ],
  lppool_lp2: [
    0.6799719,
    0.5353077,
    NaN,
    NaN,
    0.684243,
    0.6851147,
    NaN,
    NaN,
    0.753132,
    0.504145,
    NaN,
    NaN,
    0.6918379,
    0.4864937,
    NaN,
    NaN,
    0.717981,
    0.4644023,
  ],
  lppool_lp2b: [2.0600715, 2.2992501, 0.7327934, 0.5767126, 2.0876496, 2.2775795, 2.2551312, 0.6897482, 1.2926501, 2.1410336, 2.2319288, 0.6696718],
  lppool_glp2b: [
    0.1530437, 0.1745844, 0.3031339, 0.2321977, 0.2414723, 0.1918977, 0.107339, 0.1537115, 0.321467, 0.3022518, 0.414515, 0.2384328, 0.1190298, 0.2201923,
    -0.0504559, -0.0571302, -0.2458539, -0.1866332, 0.1445685, 0.1202753, -0.0357442, -0.0506681, -0.2625409, -0.2451035, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    -0.3244335, -0.2440463, -0.1932096, -0.1684856, -0.0534193, -0.0749669, -0.3488798, -0.3233968, -0.3383763, -0.1907866, -0.0293407, -0.0538985, 0.1586311,
    0.1769865, 0.3039457, 0.2265279, 0.2327657, 0.2129499, 0.1146048, 0.1592494, 0.329147, 0.3029304, 0.4114419, 0.2298711, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
  ],
  rrelu_rr: [0.2397128, 0.4927249, 0.3728526, -0.0058374, -0.0818277, -0.0958924, -0.0373877, 0.2470567, 0.4940841],
  rrelu_grr: [1.0, 1.0, 1.0, 0.2, 0.2, 0.2, 0.2, 1.0, 1.0],
};

const TOL = 1e-5;
const shapes = (m: wg.nn.AnyModule) => Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]]);
/** Σ y·sin-fill(0.7), backpropagated: the loss every torch literal above used. */
const backprop = (y: wg.Tensor) =>
  y
    .mul(sinFilled([...y.shape], 0.7, false))
    .sum()
    .backward();

beforeAll(async () => {
  await initWasm();
});

for (const be of ['wasm', 'reference'] as const)
  describe(`on ${be}`, () => {
    test('ConvTranspose1d: torch names, shapes, init bound, repr, values and gradients', () => {
      wg.setBackend(be);
      wg.manualSeed(1);
      const m = new wg.nn.ConvTranspose1d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 });
      expect(shapes(m)).toEqual([
        ['weight', [3, 4, 3]],
        ['bias', [4]],
      ]);
      // kaiming_uniform_(a = √5) on [inC, outC/groups, k]: bound 1/√((outC/groups)·k) = 1/√12
      for (const p of m.parameters()) expect(Math.max(...Array.from(p.data(), Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(12));
      expect(String(m)).toBe('ConvTranspose1d(3, 4, kernel_size=(3,), stride=(2,), padding=(1,), output_padding=(1,))');
      expect(String(new wg.nn.ConvTranspose1d(4, 6, 2, { groups: 2, dilation: 2, bias: false }))).toBe(
        'ConvTranspose1d(4, 6, kernel_size=(2,), stride=(1,), dilation=(2,), groups=2, bias=False)',
      );
      loadSinStateDict(m);
      const x = sinFilled([2, 3, 5], 0.3);
      const y = m.forward(x);
      expect(y.shape).toEqual([2, 4, 10]);
      expectClose(y.data(), TORCH.convT1d_y, TOL);
      backprop(y);
      expectClose(x.grad!.data(), TORCH.convT1d_gx, TOL);
      expectClose(m.weight.grad!.data(), TORCH.convT1d_gw, TOL);
      expectClose(m.bias!.grad!.data(), TORCH.convT1d_gb, TOL);
      // unbatched [C, L] as PyTorch
      expectClose(m.forward(sinFilled([3, 5], 0.3, false)).data(), TORCH.convT1d_y.slice(0, 40), TOL);
    });

    test("ConvTranspose1d/2d forward(x, outputSize) pick the output padding as PyTorch's output_size", () => {
      wg.setBackend(be);
      wg.manualSeed(2);
      const m1 = new wg.nn.ConvTranspose1d(3, 2, 3, { stride: 2 });
      const x1 = wg.randn([1, 3, 4]);
      // size without output padding: (4 − 1)·2 + (3 − 1) + 1 = 9; reachable 9..10
      const y1 = m1.forward(x1, [10]);
      expect(y1.shape).toEqual([1, 2, 10]);
      expect(Array.from(y1.data())).toEqual(Array.from(wg.convTranspose1d(x1, m1.weight, m1.bias, { stride: 2, outputPadding: 1 }).data()));
      expect(m1.forward(x1, [1, 2, 9]).shape).toEqual([1, 2, 9]);
      expect(m1.forward(x1, null).shape).toEqual([1, 2, 9]);
      expect(() => m1.forward(x1, [11])).toThrow(
        'wasmgrad.nn.ConvTranspose1d: outputSize 11 of spatial dim 0 is not reachable: it must be in [9, 10] for input [1, 3, 4]',
      );
      expect(() => m1.forward(x1, [1, 10])).toThrow(
        'wasmgrad.nn.ConvTranspose1d: outputSize must list 1 spatial size (or the whole output shape), got [1, 10]',
      );
      const m2 = new wg.nn.ConvTranspose2d(2, 3, 3, { stride: 2, outputPadding: 1 });
      const x2 = wg.randn([2, 4, 5]);
      // unbatched [C, H, W]: minimum sizes 9 and 11; the module's own outputPadding is replaced
      const y2 = m2.forward(x2, [10, 11]);
      expect(y2.shape).toEqual([3, 10, 11]);
      expect(Array.from(y2.data())).toEqual(Array.from(wg.convTranspose2d(x2, m2.weight, m2.bias, { stride: 2, outputPadding: [1, 0] }).data()));
      expect(() => m2.forward(x2, [10, 13])).toThrow(/outputSize 13 of spatial dim 1 is not reachable: it must be in \[11, 12\]/);
    });

    test('Bilinear and wg.bilinear: torch names, shapes, values and gradients of all four inputs', () => {
      wg.setBackend(be);
      const m = new wg.nn.Bilinear(3, 2, 4);
      expect(shapes(m)).toEqual([
        ['weight', [4, 3, 2]],
        ['bias', [4]],
      ]);
      for (const p of m.parameters()) expect(Math.max(...Array.from(p.data(), Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(3));
      expect(String(m)).toBe('Bilinear(in1_features=3, in2_features=2, out_features=4, bias=True)');
      loadSinStateDict(m);
      const x1 = sinFilled([5, 3], 0.3),
        x2 = sinFilled([5, 2], 0.45);
      const y = m.forward(x1, x2);
      expectClose(y.data(), TORCH.bilinear_y, TOL);
      backprop(y);
      expectClose(x1.grad!.data(), TORCH.bilinear_gx1, TOL);
      expectClose(x2.grad!.data(), TORCH.bilinear_gx2, TOL);
      expectClose(m.weight.grad!.data(), TORCH.bilinear_gw, TOL);
      expectClose(m.bias!.grad!.data(), TORCH.bilinear_gb, TOL);
      // without a bias: the same products less the bias
      const b = m.bias!.data();
      const y0 = wg.bilinear(x1, x2, m.weight);
      expectClose(
        y0.data(),
        TORCH.bilinear_y.map((v, i) => v - b[i % 4]),
        TOL,
      );
      expect(new wg.nn.Bilinear(3, 2, 4, { bias: false }).stateDict()).not.toHaveProperty('bias');
    });

    test('LocalResponseNorm and AdaptiveMaxPool1d modules', () => {
      wg.setBackend(be);
      const lrn = new wg.nn.LocalResponseNorm(3, { alpha: 0.5, beta: 0.75, k: 1.5 });
      expect(String(lrn)).toBe('LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.5)');
      expect(String(new wg.nn.LocalResponseNorm(2))).toBe('LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)');
      const x = sinFilled([2, 5, 4], 0.9);
      const y = lrn.forward(x);
      expectClose(y.data(), TORCH.lrn_y, TOL);
      backprop(y);
      expectClose(x.grad!.data(), TORCH.lrn_gx, TOL);

      const pool = new wg.nn.AdaptiveMaxPool1d(3, true);
      expect(String(pool)).toBe('AdaptiveMaxPool1d(output_size=3)');
      const [v, i] = pool.forward(sinFilled([2, 3, 7], 0.9, false)) as [wg.Tensor, wg.Tensor];
      expectClose(v.data(), TORCH.amp1d_y, TOL);
      expect(i.dtype).toBe('int32');
      expect(Array.from(i.data())).toEqual(TORCH.amp1d_i);
      expectClose((new wg.nn.AdaptiveMaxPool1d(3).forward(sinFilled([2, 3, 7], 0.9, false)) as wg.Tensor).data(), TORCH.amp1d_y, TOL);
    });

    test('RMSNorm: weight named as torch, eps = float32 eps by default, values and gradients', () => {
      wg.setBackend(be);
      const m = new wg.nn.RMSNorm(4);
      expect(shapes(m)).toEqual([['weight', [4]]]);
      expect(Array.from(m.weight!.data())).toEqual([1, 1, 1, 1]);
      expect(String(m)).toBe('RMSNorm((4,), eps=None, elementwise_affine=True)');
      expect(String(new wg.nn.RMSNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }))).toBe('RMSNorm((2, 3), eps=1e-06, elementwise_affine=False)');
      expect(new wg.nn.RMSNorm(3, { elementwiseAffine: false }).stateDict()).toEqual({});
      loadSinStateDict(m);
      const x = sinFilled([3, 4], 0.8);
      const y = m.forward(x);
      expectClose(y.data(), TORCH.rmsnorm_y, TOL);
      backprop(y);
      expectClose(x.grad!.data(), TORCH.rmsnorm_gx, TOL);
      expectClose(m.weight!.grad!.data(), TORCH.rmsnorm_gw, TOL);
      // mean square 4.7e-8 is below eps 1.19e-7: the default eps shows
      expectClose(wg.rmsNorm(wg.tensor([[1e-4, -2e-4, 3e-4]]), 3).data(), TORCH.rmsnorm_ytiny, TOL);
      expectClose(wg.rmsNorm(sinFilled([2, 2, 3], 0.8, false), [2, 3], { eps: 1e-3 }).data(), TORCH.rmsnorm_y2, TOL);
    });

    test('ParameterList and ParameterDict: torch state-dict names, order, repr, and loading', () => {
      wg.setBackend(be);
      class M extends wg.nn.Module {
        lin = this.registerModule('lin', new wg.nn.Linear(2, 2));
        plist = this.registerModule('plist', new wg.nn.ParameterList([wg.zeros([2, 3]), wg.ones([4])]));
        pdict = this.registerModule('pdict', new wg.nn.ParameterDict({ alpha: wg.zeros([3]), beta: wg.ones([1, 2]) }));
        forward(x: wg.Tensor) {
          return x;
        }
      }
      const m = new M();
      // torch: lin.weight [2, 2], lin.bias [2], plist.0 [2, 3], plist.1 [4], pdict.alpha [3], pdict.beta [1, 2]
      expect(shapes(m)).toEqual([
        ['lin.weight', [2, 2]],
        ['lin.bias', [2]],
        ['plist.0', [2, 3]],
        ['plist.1', [4]],
        ['pdict.alpha', [3]],
        ['pdict.beta', [1, 2]],
      ]);
      expect(m.parameters()).toHaveLength(6);
      expect(m.plist.length).toBe(2);
      expect(m.plist.at(-1).requiresGrad).toBe(true);
      expect([...m.plist].map((p) => p.shape)).toEqual([[2, 3], [4]]);
      expect(m.pdict.keys()).toEqual(['alpha', 'beta']);
      expect(m.pdict.has('beta') && !m.pdict.has('gamma')).toBe(true);
      expect(m.pdict.get('beta').shape).toEqual([1, 2]);
      expect(String(m.plist)).toBe(
        'ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2x3]\n    (1): Parameter containing: [torch.float32 of size 4]\n)',
      );
      expect(String(m.pdict)).toBe(
        'ParameterDict(\n    (alpha): Parameter containing: [torch.FloatTensor of size 3]\n    (beta): Parameter containing: [torch.FloatTensor of size 1x2]\n)',
      );
      expect(String(new wg.nn.ParameterList())).toBe('ParameterList()');
      // A tensor that is not a parameter is wrapped over the same storage; the caller's stays as it was.
      const plain = wg.tensor([1, 2]);
      const pl = new wg.nn.ParameterList().append(plain);
      expect(pl.at(0)).not.toBe(plain);
      expect(pl.at(0).requiresGrad && !plain.requiresGrad).toBe(true);
      const p = wg.zeros([2], { requiresGrad: true });
      expect(new wg.nn.ParameterDict(new Map([['w', p]])).get('w')).toBe(p);
      // torch 1.13: ParameterDict({'w': …, 'b': …}).state_dict() keys ['b', 'w'] (a dict's items go in sorted);
      // ParameterDict(OrderedDict(w=…, b=…)) keeps ['w', 'b']: a Map here
      const two = { w: wg.zeros([1]), b: wg.zeros([2]) };
      expect(Object.keys(new wg.nn.ParameterDict(two).stateDict())).toEqual(['b', 'w']);
      expect(new wg.nn.ParameterDict(two).parameters().map((q) => q.shape)).toEqual([[2], [1]]);
      expect(Object.keys(new wg.nn.ParameterDict(new Map(Object.entries(two))).stateDict())).toEqual(['w', 'b']);
      expect(
        new wg.nn.ParameterDict()
          .set('w', two.w)
          .update({ c: wg.zeros([1]), a: wg.zeros([1]) })
          .keys(),
      ).toEqual(['w', 'a', 'c']);
      // loading a state dict written under torch's names
      m.loadStateDict({ ...m.stateDict(), 'plist.1': wg.tensor([1, 2, 3, 4]), 'pdict.beta': wg.tensor([[5, 6]]) });
      expect(Array.from(m.plist.at(1).data())).toEqual([1, 2, 3, 4]);
      expect(Array.from(m.pdict.get('beta').data())).toEqual([5, 6]);
      // gradients reach them as any parameter
      m.plist.at(1).mul(m.pdict.get('alpha').sum()).sum().backward();
      expect(Array.from(m.pdict.get('alpha').grad!.data())).toEqual([10, 10, 10]);
    });

    test('a PyTorch-written safetensors state dict (test/fixtures/parity-nn-safetensors.py) loads strictly and gives torch outputs', () => {
      wg.setBackend(be);
      class M extends wg.nn.Module<(x: wg.Tensor, a: wg.Tensor, b: wg.Tensor) => wg.Tensor> {
        convt = this.registerModule('convt', new wg.nn.ConvTranspose1d(3, 4, 3, { stride: 2 }));
        bil = this.registerModule('bil', new wg.nn.Bilinear(3, 2, 4));
        rms = this.registerModule('rms', new wg.nn.RMSNorm(4));
        plist = this.registerModule('plist', new wg.nn.ParameterList([wg.zeros([2, 3]), wg.zeros([4])]));
        pdict = this.registerModule('pdict', new wg.nn.ParameterDict({ scale: wg.zeros([4]), shift: wg.zeros([4]) }));
        forward(x: wg.Tensor, a: wg.Tensor, b: wg.Tensor) {
          const h = this.convt.forward(x).mean(-1).add(this.bil.forward(a, b));
          return this.rms.forward(h).mul(this.pdict.get('scale')).add(this.pdict.get('shift')).add(this.plist.at(1));
        }
      }
      const m = new M();
      const sd = wg.load(readFileSync(new URL('./fixtures/torch-parity-nn.safetensors', import.meta.url)));
      expect(Object.keys(sd)).toEqual(Object.keys(m.stateDict()));
      m.loadStateDict(sd);
      const y = m.forward(sinFilled([2, 3, 5], 0.3, false), sinFilled([2, 3], 0.5, false), sinFilled([2, 2], 0.7, false));
      expectClose(y.data(), [2.8033745, -0.7600149, 0.0627785, -1.4213669, 1.8023812, -0.8465219, 0.0852589, -1.4861925], TOL);
    });

    test('nn.utils: parametersToVector (with gradients), vectorToParameters, clip aliases', () => {
      wg.setBackend(be);
      const lin = new wg.nn.Linear(3, 2);
      loadSinStateDict(lin);
      const v = wg.nn.utils.parametersToVector(lin.parameters());
      expectClose(v.data(), TORCH.utils_vec, TOL);
      backprop(v);
      expectClose(lin.weight.grad!.data(), TORCH.utils_gw, TOL);
      expectClose(lin.bias!.grad!.data(), TORCH.utils_gb, TOL);
      wg.nn.utils.vectorToParameters(wg.arange(8), lin);
      expect(Array.from(lin.weight.data())).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Array.from(lin.bias!.data())).toEqual([6, 7]);
      expect(Array.from(wg.nn.utils.parametersToVector(lin).data())).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(wg.nn.utils.clipGradNorm_).toBe(wg.optim.clipGradNorm);
      expect(wg.nn.utils.clipGradValue_).toBe(wg.optim.clipGradValue);
    });

    test('nn.utils.rnn.padSequence: torch values, batchFirst, and gradients into every sequence', () => {
      wg.setBackend(be);
      const a = sinFilled([3, 2], 0.3),
        b = sinFilled([1, 2], 0.5),
        c = sinFilled([2, 2], 0.7);
      const p = wg.nn.utils.rnn.padSequence([a, b, c], { paddingValue: -1 });
      expect(p.shape).toEqual([3, 3, 2]);
      expectClose(p.data(), TORCH.utils_pad, TOL);
      p.mul(sinFilled([3, 3, 2], 0.9, false))
        .sum()
        .backward();
      expectClose(a.grad!.data(), TORCH.utils_ga, TOL);
      expectClose(b.grad!.data(), TORCH.utils_gseqb, TOL);
      expectClose(c.grad!.data(), TORCH.utils_gc, TOL);
      const pb = wg.nn.utils.rnn.padSequence([a, b, c], { batchFirst: true });
      expect(pb.shape).toEqual([3, 3, 2]);
      expectClose(pb.data(), TORCH.utils_padbf, TOL);
      expect(wg.nn.utils.rnn.padSequence([wg.ones([2]), wg.ones([0])]).toArray()).toEqual([
        [1, 0],
        [1, 0],
      ]);
      // token ids: pad_sequence([tensor([1, 2]), tensor([3])], batch_first=True, padding_value=-1) → [[1, 2], [3, -1]] (int64 there)
      const ids = wg.nn.utils.rnn.padSequence([wg.tensor([1, 2], { dtype: 'int32' }), wg.tensor([3], { dtype: 'int32' })], {
        batchFirst: true,
        paddingValue: -1,
      });
      expect([ids.dtype, ids.toArray()]).toEqual([
        'int32',
        [
          [1, 2],
          [3, -1],
        ],
      ]);
    });

    test('Unfold / Fold and wg.unfold / wg.fold: torch values and gradients, fold(unfold) multiplies by the overlap count', () => {
      wg.setBackend(be);
      const um = new wg.nn.Unfold([2, 3], { dilation: [2, 1], padding: 1, stride: [2, 1] });
      expect(String(um)).toBe('Unfold(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(2, 1))');
      const x = sinFilled([2, 2, 5, 4], 0.3);
      const u = um.forward(x);
      expect(u.shape).toEqual([2, 12, 12]);
      expectClose(u.data(), TORCH.unfoldfold_u, TOL);
      backprop(u);
      expectClose(x.grad!.data(), TORCH.unfoldfold_gx, TOL);

      const fm = new wg.nn.Fold([4, 5], 2, { padding: 1, stride: 2 });
      expect(String(fm)).toBe('Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=1, stride=2)');
      const c = sinFilled([2, 8, 9], 0.4);
      const f = fm.forward(c);
      expect(f.shape).toEqual([2, 2, 4, 5]);
      expectClose(f.data(), TORCH.unfoldfold_f, TOL);
      backprop(f);
      expectClose(c.grad!.data(), TORCH.unfoldfold_gc, TOL);

      // fold(unfold(x)) = x times the number of blocks covering each pixel (k 2, stride 1 on 3x3: 1 2 1 / 2 4 2 / 1 2 1)
      const ones = wg.ones([1, 1, 3, 3]);
      expect(Array.from(wg.fold(wg.unfold(ones, 2), 3, 2).data())).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
      // unbatched forms
      expect(wg.unfold(wg.ones([2, 3, 3]), 2).shape).toEqual([8, 4]);
      expect(wg.fold(wg.ones([8, 4]), [3, 3], 2).shape).toEqual([2, 3, 3]);
    });

    test('ChannelShuffle, LPPool1d, LPPool2d: torch values, NaN where torch gives NaN, gradients', () => {
      wg.setBackend(be);
      const cs = new wg.nn.ChannelShuffle(3);
      expect(String(cs)).toBe('ChannelShuffle(groups=3)');
      expectClose(cs.forward(sinFilled([1, 6, 2], 0.3, false)).data(), TORCH.channelshuffle_cs, TOL);

      const l1 = new wg.nn.LPPool1d(2, 3);
      expect(String(l1)).toBe('LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)');
      const x1 = sinFilled([2, 3, 7], 0.9);
      const y1 = l1.forward(x1);
      expect(y1.shape).toEqual([2, 3, 2]);
      expectClose(y1.data(), TORCH.lppool_lp1, TOL);
      backprop(y1);
      expectClose(x1.grad!.data(), TORCH.lppool_glp1, TOL);

      // p = 3: windows whose Σx³ is negative give NaN from the power 1/3, as in torch
      const l2 = new wg.nn.LPPool2d(3, [2, 3], [2, 2], true);
      expect(String(l2)).toBe('LPPool2d(norm_type=3, kernel_size=(2, 3), stride=(2, 2), ceil_mode=True)');
      const y2 = l2.forward(sinFilled([1, 2, 5, 6], 0.9, false));
      expect(y2.shape).toEqual([1, 2, 3, 3]);
      expectClose(y2.data(), TORCH.lppool_lp2, TOL);

      const x3 = wg.add(sinFilled([1, 2, 5, 6], 0.9, false), 0.6).detach();
      x3.requiresGrad = true;
      const y3 = wg.lpPool2d(x3, 1.5, 2);
      expect(String(new wg.nn.LPPool2d(1.5, 2))).toBe('LPPool2d(norm_type=1.5, kernel_size=2, stride=None, ceil_mode=False)');
      expectClose(y3.data(), TORCH.lppool_lp2b, TOL);
      backprop(y3);
      expectClose(x3.grad!.data(), TORCH.lppool_glp2b, TOL);
    });

    test('RReLU: eval is the fixed slope (lower + upper)/2 (torch values); training draws slopes in [lower, upper] from the seed', () => {
      wg.setBackend(be);
      expect(String(new wg.nn.RReLU())).toBe('RReLU(lower=0.125, upper=0.3333333333333333)');
      const m = new wg.nn.RReLU(0.1, 0.3);
      expect(String(m)).toBe('RReLU(lower=0.1, upper=0.3)');
      m.eval();
      const x = sinFilled([9], 0.9);
      const y = m.forward(x);
      expectClose(y.data(), TORCH.rrelu_rr, TOL);
      y.sum().backward();
      expectClose(x.grad!.data(), TORCH.rrelu_grr, TOL);

      m.train();
      const xs = wg.tensor(
        Array.from({ length: 400 }, (_, i) => (i % 2 ? 1 : -1) * (1 + (i % 7))),
        { requiresGrad: true },
      );
      wg.manualSeed(5);
      const a = m.forward(xs);
      a.sum().backward();
      const xv = xs.data(),
        av = a.data(),
        g = xs.grad!.data();
      const slopes = Array.from(av, (v, i) => v / xv[i]).filter((_, i) => xv[i] < 0);
      expect(Math.min(...slopes)).toBeGreaterThanOrEqual(0.1 - 1e-6);
      expect(Math.max(...slopes)).toBeLessThanOrEqual(0.3 + 1e-6);
      expect(new Set(slopes.map((s) => s.toFixed(4))).size).toBeGreaterThan(150); // drawn per element
      Array.from(av).forEach((v, i) => (xv[i] > 0 ? expect(v).toBe(xv[i]) : expectClose([g[i]], [v / xv[i]], 1e-5)));
      // the stream: the slopes are U(lower, upper) from wg.rand's draws after the same seed
      wg.manualSeed(5);
      const u = wg.rand([400]).data();
      expectClose(
        Array.from(av),
        Array.from(xv, (v, i) => (v > 0 ? v : v * (0.1 + 0.2 * u[i]))),
        1e-6,
      );
    });

    test('MaxUnpool1d / MaxUnpool2d with maxPool indices: torch values, outputSize, gradient = output gradient at the index', () => {
      wg.setBackend(be);
      const m2 = new wg.nn.MaxUnpool2d(2);
      expect(String(m2)).toBe('MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))');
      expect(String(new wg.nn.MaxUnpool1d(3, 1, 1))).toBe('MaxUnpool1d(kernel_size=(3,), stride=(1,), padding=(1,))');
      expect(String(new wg.nn.MaxUnpool2d([2, 3], [1, 2]))).toBe('MaxUnpool2d(kernel_size=(2, 3), stride=(1, 2), padding=(0, 0))');
      const [v, i] = wg.maxPool2d(sinFilled([1, 2, 5, 6], 0.9, false), 2, { stride: 2, returnIndices: true });
      // torch: i = [1, 8, 10, 13, 15, 22, 6, 8, 5, 13, 20, 22]
      expect(Array.from(i.data())).toEqual([1, 8, 10, 13, 15, 22, 6, 8, 5, 13, 20, 22]);
      v.requiresGrad = true;
      const y = m2.forward(v, i, [5, 6]);
      expect(y.shape).toEqual([1, 2, 5, 6]);
      expectClose(
        y.data(),
        [
          0, 0.4927249, 0, 0, 0, 0, 0, 0, 0.4940841, 0, -0.0375756, 0, 0, -0.1791146, 0, 0.4953037, 0, 0, 0, 0, 0, 0, 0.4963832, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
          0, 0, 0.2757134, 0.498121, 0, -0.0709996, 0, 0, 0, 0, 0.4987787, 0, 0, 0, 0, 0, 0, 0.4992954, 0, -0.0876006, 0, 0, 0, 0, 0, 0, 0,
        ],
        TOL,
      );
      backprop(y);
      expectClose(
        v.grad!.data(),
        [0.4660195, -0.0910813, 0.469, -0.0871634, -0.4999951, -0.0954293, 0.2686611, 0.4612164, -0.0661759, -0.3641804, -0.4045094, -0.3583685],
        TOL,
      );
      expect(m2.forward(v, i).shape).toEqual([1, 2, 4, 6]); // the default size
      expect(m2.forward(v, i, [1, 2, 5, 7]).shape).toEqual([1, 2, 5, 7]); // with N, C as torch allows

      // 1-D with padding, unbatched [C, L]; overlapping windows pick index 1 twice, both get its gradient
      const [v1, i1] = wg.maxPool1d(sinFilled([2, 7], 0.9, false), 3, { stride: 2, padding: 1, returnIndices: true });
      expect(Array.from(i1.data())).toEqual([1, 1, 3, 6, 1, 1, 3, 6]);
      const y1 = new wg.nn.MaxUnpool1d(3, 2, 1).forward(v1, i1);
      expectClose(y1.data(), [0, 0.4927249, 0, -0.0291871, 0, 0, -0.1869383, 0, 0.4940841, 0, -0.0375756, 0, 0, -0.1791146], TOL);
      const s = wg.tensor([[[3, 3, 5]]], { requiresGrad: true });
      const u = wg.maxUnpool1d(s, wg.tensor([[[1, 1, 4]]], { dtype: 'int32' }), 3, { stride: 1 });
      expect(Array.from(u.data())).toEqual([0, 3, 0, 0, 5]);
      u.mul(wg.tensor([1, 2, 3, 4, 5]))
        .sum()
        .backward();
      expect(Array.from(s.grad!.data())).toEqual([2, 2, 5]); // torch: [2, 2, 5]
    });

    test('AlphaDropout / FeatureAlphaDropout: eval identity, the dropout hash mask, torch affine map, statistics', () => {
      wg.setBackend(be);
      const m = new wg.nn.AlphaDropout(0.2);
      expect(String(m)).toBe('AlphaDropout(p=0.2, inplace=False)');
      expect(String(new wg.nn.FeatureAlphaDropout())).toBe('FeatureAlphaDropout(p=0.5, inplace=False)');
      const x = sinFilled([37], 0.3);
      m.eval();
      expect(m.forward(x)).toBe(x);
      expect(wg.alphaDropout(x, 0.2)).toBe(x); // training defaults to false, as torch's F.alpha_dropout

      m.train();
      const p = 0.2,
        alpha = 1.0507009873554805 * 1.6732632423543772;
      const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p)),
        b = a * alpha * p;
      wg.manualSeed(11);
      const seed = nextU32();
      wg.manualSeed(11);
      const y = m.forward(x);
      const keep = Array.from({ length: 37 }, (_, i) => dropoutHash(seed, i) >= Math.floor(p * 2 ** 32));
      expect(keep.some((k) => k) && keep.some((k) => !k)).toBe(true);
      const xv = x.data();
      expectClose(
        y.data(),
        keep.map((k, i) => (k ? a * xv[i] + b : -alpha * a + b)),
        1e-6,
      );
      y.sum().backward();
      expectClose(
        x.grad!.data(),
        keep.map((k) => (k ? a : 0)),
        1e-6,
      );
      expect(Array.from(wg.alphaDropout(wg.ones([3]), 1, true).data())).toEqual([0, 0, 0]); // torch: x·0 at p = 1

      // SELU's fixed point (mean 0, variance 1) survives: 200,000 standard normal inputs
      wg.manualSeed(3);
      const z = Array.from(wg.alphaDropout(wg.randn([200000]), 0.3, true).data());
      const mean = z.reduce((s, v) => s + v, 0) / z.length;
      const std = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length);
      expect(Math.abs(mean)).toBeLessThan(0.01);
      expect(Math.abs(std - 1)).toBeLessThan(0.01);

      // feature form: one draw per channel, the whole channel kept (a·x + b) or at −α·a + b
      wg.manualSeed(4);
      const f = new wg.nn.FeatureAlphaDropout(0.5).forward(wg.ones([4, 8, 3])).data();
      const a2 = 1 / Math.sqrt((alpha * alpha * 0.5 + 1) * 0.5);
      const kept = a2 * 1 + a2 * alpha * 0.5,
        dropped = -alpha * a2 + a2 * alpha * 0.5;
      const channels = Array.from({ length: 32 }, (_, c) => Array.from(f.slice(3 * c, 3 * c + 3)));
      for (const ch of channels) expectClose(ch, Array(3).fill(Math.abs(ch[0] - kept) < 1e-5 ? kept : dropped), 1e-5);
      expect(new Set(channels.map((ch) => Math.abs(ch[0] - kept) < 1e-5)).size).toBe(2);
    });
  });

describe('errors name the op and what was given', () => {
  test('module constructors', () => {
    expect(() => new wg.nn.ConvTranspose1d(3, 4, 0)).toThrow('wasmgrad.nn.ConvTranspose1d: kernelSize must be an integer ≥ 1, got 0');
    expect(() => new wg.nn.ConvTranspose1d(3, 4, 2, { groups: 2 })).toThrow(
      'wasmgrad.nn.ConvTranspose1d: inChannels 3 and outChannels 4 must both be multiples of groups 2',
    );
    expect(() => new wg.nn.ConvTranspose1d(3, 4, 2, { strid: 2 } as never)).toThrow(/wasmgrad\.nn\.ConvTranspose1d: .*strid/);
    expect(() => new wg.nn.Bilinear(0, 2, 3)).toThrow('wasmgrad.nn.Bilinear: in1Features must be an integer ≥ 1, got 0');
    expect(() => new wg.nn.Bilinear(2, 2, 3, { bias: 1 } as never)).toThrow(/wasmgrad\.nn\.Bilinear: bias must be a boolean/);
    expect(() => new wg.nn.RMSNorm([])).toThrow('wasmgrad.nn.RMSNorm: normalizedShape must be a number or a non-empty array, got []');
    expect(() => new wg.nn.RMSNorm(4, { eps: -1 })).toThrow('wasmgrad.nn.RMSNorm: eps must be a finite number ≥ 0 or null, got -1');
    expect(() => new wg.nn.RMSNorm(4, { elementwiseAffine: 'yes' } as never)).toThrow(/wasmgrad\.nn\.RMSNorm: elementwiseAffine must be a boolean/);
    expect(() => new wg.nn.LocalResponseNorm(0)).toThrow('wasmgrad.nn.LocalResponseNorm: size must be an integer ≥ 1, got 0');
    expect(() => new wg.nn.AdaptiveMaxPool1d(3, 1 as never)).toThrow(/wasmgrad\.nn\.AdaptiveMaxPool1d: returnIndices must be a boolean/);
    expect(() => new wg.nn.ChannelShuffle(0)).toThrow('wasmgrad.nn.ChannelShuffle: groups must be an integer ≥ 1, got 0');
    expect(() => new wg.nn.Unfold(2, { pad: 1 } as never)).toThrow(/wasmgrad\.nn\.Unfold: .*pad/);
    expect(() => new wg.nn.Fold(3, 2, { pad: 1 } as never)).toThrow(/wasmgrad\.nn\.Fold: .*pad/);
    expect(() => new wg.nn.AlphaDropout(1.5)).toThrow('wasmgrad.nn.AlphaDropout: p must be a probability in [0, 1], got 1.5');
    expect(() => new wg.nn.RReLU(0.5, 0.1)).toThrow('wasmgrad.nn.RReLU: lower and upper must be finite numbers with lower ≤ upper, got 0.5 and 0.1');
  });

  test('shapes and arguments of the functions', () => {
    const x = wg.ones([2, 3]);
    expect(() => wg.bilinear(x, wg.ones([2, 2]), wg.ones([4, 3]))).toThrow('wasmgrad.bilinear: weight must be 3-D [out, in1, in2], got shape [4, 3]');
    expect(() => wg.bilinear(x, wg.ones([2, 2]), wg.ones([4, 2, 2]))).toThrow(
      'wasmgrad.bilinear: input1 must be [*, in1 = 2] for weight [4, 2, 2], got shape [2, 3]',
    );
    expect(() => wg.bilinear(x, wg.ones([3, 2]), wg.ones([4, 3, 2]))).toThrow(
      'wasmgrad.bilinear: input2 must be [2, in2 = 2] for input1 [2, 3] and weight [4, 3, 2], got shape [3, 2]',
    );
    expect(() => wg.bilinear(x, wg.ones([2, 2]), wg.ones([4, 3, 2]), wg.ones([3]))).toThrow(
      'wasmgrad.bilinear: bias must be [out = 4] for weight [4, 3, 2], got shape [3]',
    );
    expect(() => wg.bilinear(x, 3 as never, wg.ones([4, 3, 2]))).toThrow('wasmgrad.bilinear: input2 must be a Tensor, got 3');
    expect(() => new wg.nn.Bilinear(3, 2, 4).forward(x, wg.ones([2, 5]))).toThrow(/wasmgrad\.bilinear: input2 must be \[2, in2 = 2\]/);

    expect(() => wg.rmsNorm(x, 4)).toThrow('wasmgrad.rmsNorm: input must end in normalizedShape [4], got shape [2, 3]');
    expect(() => wg.rmsNorm(x, [])).toThrow('wasmgrad.rmsNorm: normalizedShape must be a non-empty list of sizes, got []');
    expect(() => wg.rmsNorm(x, 3, { eps: NaN })).toThrow('wasmgrad.rmsNorm: eps must be a finite number ≥ 0, got NaN');
    expect(() => wg.rmsNorm(x, 3, { weight: wg.ones([2]) })).toThrow('wasmgrad.rmsNorm: weight must have normalizedShape [3], got shape [2]');
    expect(() => wg.rmsNorm(x, 3, { bias: wg.ones([3]) } as never)).toThrow(/wasmgrad\.rmsNorm: .*bias/);
    expect(() => new wg.nn.RMSNorm(4).forward(x)).toThrow('wasmgrad.rmsNorm: input must end in normalizedShape [4], got shape [2, 3]');

    const img = wg.ones([1, 2, 3, 3]);
    expect(() => wg.unfold(img, 4)).toThrow(
      'wasmgrad.unfold: spatial size [3, 3] with padding [0, 0] is smaller than the kernel [4, 4] at dilation [1, 1]: [0, 0] sliding blocks',
    );
    expect(() => wg.unfold(img, 2, { stride: 0 })).toThrow(/wasmgrad\.unfold: stride must be a positive integer or an \[h, w\] pair of them, got 0/);
    expect(() => wg.unfold(img, 2, { padding: -1 })).toThrow(/wasmgrad\.unfold: padding must be a non-negative integer/);
    expect(() => wg.unfold(wg.ones([3, 3]), 2)).toThrow('wasmgrad.unfold: input must be [N, C, H, W] or unbatched without N, got shape [3, 3]');
    expect(() => wg.fold(wg.ones([1, 5, 4]), 3, 2)).toThrow(
      'wasmgrad.fold: input dim 1 (5) must be a multiple of kh·kw = 4 for kernelSize [2, 2], got shape [1, 5, 4]',
    );
    expect(() => wg.fold(wg.ones([1, 4, 5]), 3, 2)).toThrow(
      'wasmgrad.fold: input dim 2 must be the number of sliding blocks 2·2 = 4 for outputSize [3, 3], got shape [1, 4, 5]',
    );
    expect(() => wg.fold(wg.ones([4]), 3, 2)).toThrow('wasmgrad.fold: input must be [N, C·kh·kw, L] or unbatched without N, got shape [4]');

    expect(() => wg.channelShuffle(wg.ones([1, 4, 2]), 3)).toThrow('wasmgrad.channelShuffle: the 4 channels of shape [1, 4, 2] must be divisible by groups 3');
    expect(() => wg.channelShuffle(wg.ones([4, 2]), 2)).toThrow(
      'wasmgrad.channelShuffle: expected an input [N, C, *] of at least 3 dims (as PyTorch), got shape [4, 2]',
    );
    expect(() => wg.channelShuffle(wg.ones([1, 4, 2]), 1.5)).toThrow('wasmgrad.channelShuffle: groups must be a positive integer, got 1.5');

    expect(() => wg.lpPool1d(wg.ones([1, 2, 5]), 0, 2)).toThrow('wasmgrad.lpPool1d: normType must be a finite non-zero number, got 0');
    expect(() => wg.lpPool2d(img, Infinity, 2)).toThrow('wasmgrad.lpPool2d: normType must be a finite non-zero number, got Infinity');
    expect(() => wg.lpPool1d(wg.ones([1, 2, 5]), 2, 0)).toThrow(/wasmgrad\.lpPool1d: kernelSize must be a positive integer/);
    expect(() => wg.lpPool2d(img, 2, 2, { padding: 1 } as never)).toThrow(/wasmgrad\.lpPool2d: .*padding/);

    const pooled = wg.ones([1, 1, 2, 2]),
      idx = wg.tensor(
        [
          [
            [
              [0, 1],
              [2, 3],
            ],
          ],
        ],
        { dtype: 'int32' },
      );
    expect(() =>
      wg.maxUnpool2d(
        pooled,
        wg.tensor(
          [
            [
              [
                [0, 1],
                [2, 16],
              ],
            ],
          ],
          { dtype: 'int32' },
        ),
        2,
      ),
    ).toThrow('wasmgrad.maxUnpool2d: index 16 at position [0, 0, 1, 1] of indices [1, 1, 2, 2] is out of range for an output plane of [4, 4] (valid: 0..15)');
    expect(() => wg.maxUnpool2d(pooled, wg.ones([1, 1, 2, 2]), 2)).toThrow(
      "wasmgrad.maxUnpool2d: expects a float32 input and int32 indices (maxPool's returnIndices), got float32 and float32",
    );
    expect(() => wg.maxUnpool2d(pooled, wg.tensor([[[0, 1]]], { dtype: 'int32' }), 2)).toThrow(
      'wasmgrad.maxUnpool2d: expects an input [N, C, H, W] (or [C, H, W]) and indices of its shape, got [1, 1, 2, 2] and [1, 1, 2]',
    );
    expect(() => wg.maxUnpool2d(pooled, idx, 2, { outputSize: [6, 4] })).toThrow(
      'wasmgrad.maxUnpool2d: outputSize must be 2 sizes (or 4 with N, C), each strictly between default − stride and default + stride (default [4, 4], stride [2, 2]), got [6, 4]',
    );
    expect(() => wg.maxUnpool1d(wg.ones([1, 2]), wg.tensor([[0, 1]], { dtype: 'int32' }), 2, { padding: 3 })).toThrow(
      'wasmgrad.maxUnpool1d: padding [3] leaves an output of [-2] for an input [1, 2]',
    );
    expect(() => wg.maxUnpool1d(wg.ones([1, 2]), wg.tensor([[0, 1]], { dtype: 'int32' }), 0)).toThrow(
      /wasmgrad\.maxUnpool1d: kernelSize must be a positive integer/,
    );
    expect(() => new wg.nn.MaxUnpool2d(2, null, -1)).toThrow(/wasmgrad\.nn\.MaxUnpool2d: padding must be a non-negative integer/);
    expect(() => wg.alphaDropout(x, 1.2, true)).toThrow('wasmgrad.alphaDropout: p must be a probability in [0, 1], got 1.2');
    expect(() => wg.alphaDropout(x, 0.5, 1 as never)).toThrow(/wasmgrad\.alphaDropout: training must be a boolean/);
    expect(() => wg.featureAlphaDropout(wg.ones([3]), 0.5, true)).toThrow(
      'wasmgrad.featureAlphaDropout: expected an input [N, C, *] (or [C, *] unbatched) of at least 2 dims, got shape [3]',
    );
    expect(() => wg.rrelu(x, { lower: 0.4, upper: 0.2 })).toThrow('wasmgrad.rrelu: lower and upper must be finite numbers with lower ≤ upper, got 0.4 and 0.2');
    expect(() => wg.rrelu(x, { training: 'yes' } as never)).toThrow(/wasmgrad\.rrelu: training must be a boolean/);
  });

  test('containers and utils', () => {
    expect(() => new wg.nn.ParameterList([wg.tensor([1], { dtype: 'int32' })])).toThrow(
      'wasmgrad.nn.ParameterList.append: parameters must be float32 tensors, got int32 [1]',
    );
    expect(() => new wg.nn.ParameterList(3 as never)).toThrow('wasmgrad.nn.ParameterList: expects an iterable of tensors, got 3');
    expect(() => new wg.nn.ParameterList([]).at(0)).toThrow('wasmgrad.nn.ParameterList.at: index 0 is out of range for 0 parameters');
    expect(() => new wg.nn.ParameterList([wg.ones([1])]).forward()).toThrow(
      /wasmgrad\.nn\.ParameterList\.forward: a ParameterList holds parameters and has no forward/,
    );
    expect(() => new wg.nn.ParameterDict({ 'a.b': wg.ones([1]) })).toThrow(
      /wasmgrad\.nn\.ParameterDict\.registerParameter: a name must be a non-empty string without '\.'/,
    );
    expect(() => new wg.nn.ParameterDict({ a: wg.ones([1]) }).get('b')).toThrow(`wasmgrad.nn.ParameterDict.get: no parameter "b"; the keys are ["a"]`);
    expect(() => new wg.nn.ParameterDict({ a: 1 as never })).toThrow('wasmgrad.nn.ParameterDict.set: a parameter must be a Tensor, got 1');

    const lin = new wg.nn.Linear(3, 2);
    expect(() => wg.nn.utils.vectorToParameters(wg.ones([7]), lin)).toThrow(
      "wasmgrad.nn.utils.vectorToParameters: vec must be 1-D with the parameters' 8 elements ([2, 3], [2]), got shape [7]",
    );
    expect(() => wg.nn.utils.vectorToParameters([1] as never, lin)).toThrow('wasmgrad.nn.utils.vectorToParameters: vec must be a Tensor, got [1]');
    expect(() => wg.nn.utils.parametersToVector([])).toThrow('wasmgrad.nn.utils.parametersToVector: got an empty parameter list');
    expect(() => wg.nn.utils.rnn.padSequence([])).toThrow('wasmgrad.nn.utils.rnn.padSequence: expects a non-empty array of tensors [L, *], got []');
    expect(() => wg.nn.utils.rnn.padSequence([wg.ones([2, 3]), wg.ones([2, 4])])).toThrow(
      'wasmgrad.nn.utils.rnn.padSequence: every sequence must be [L, 3] like sequences[0] [2, 3], got sequences[1] [2, 4]',
    );
    expect(() => wg.nn.utils.rnn.padSequence([wg.ones([2]), wg.ones([1], { dtype: 'int32' })])).toThrow(
      'wasmgrad.nn.utils.rnn.padSequence: every sequence must be float32 like sequences[0], got sequences[1] int32',
    );
    expect(() => wg.nn.utils.rnn.padSequence([wg.ones([2], { dtype: 'int32' })], { paddingValue: 0.5 })).toThrow(
      'wasmgrad.nn.utils.rnn.padSequence: paddingValue must be an integer for int32 sequences, got 0.5',
    );
    expect(() => wg.nn.utils.rnn.padSequence([wg.ones([2])], { paddingValue: '0' } as never)).toThrow(
      'wasmgrad.nn.utils.rnn.padSequence: paddingValue must be a number, got "0"',
    );
    expect(() => wg.nn.utils.rnn.padSequence([wg.ones([2])], { batch_first: true } as never)).toThrow(/wasmgrad\.nn\.utils\.rnn\.padSequence: .*batch_first/);
  });
});
