/**
 * Weights move between wasmgrad and PyTorch through safetensors with the same architecture giving
 * the same outputs. The fixture was written by PyTorch 1.13 (torch.nn.Sequential(Conv2d(1, 2, 3,
 * padding=1), BatchNorm2d(2), ReLU(), Flatten(), Linear(50, 4)) after one training-mode forward, then
 * eval(); safetensors.torch.save_file of its state_dict, num_batches_tracked as int64), with its
 * outputs for the input below. The other direction (a wasmgrad file loaded by PyTorch) was checked
 * locally with the same architecture: max |difference| 3e-8.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const X = [
  -0.19567660987377167, 0.16095490753650665, 0.8668944835662842, 0.22917956113815308, 0.2328752875328064, 0.03640829399228096, 0.40704044699668884,
  1.2516469955444336, -0.028227156028151512, 0.05133805796504021, -0.5151491761207581, -1.8883579969406128, -0.0043932534754276276, -2.2232630252838135,
  0.7400237917900085, -0.7160974144935608, -0.6595515012741089, 0.18859508633613586, -0.41376933455467224, 0.4753829836845398, 0.10268653184175491,
  -0.4830077886581421, -0.26079562306404114, 0.4762997627258301, -1.0304229259490967, -1.623717188835144, -0.1936095803976059, 0.8091379404067993,
  0.08752437680959702, 0.7036480903625488, -1.3432374000549316, -0.020367944613099098, 1.0608844757080078, -0.015953384339809418, 0.9318720102310181,
  1.2465336322784424, 1.615649700164795, 0.3423732817173004, 0.0081773791462183, 0.3093259036540985, 0.3642299473285675, 0.08813405781984329,
  -0.3527350425720215, -0.34300386905670166, 0.381020188331604, -0.4551093578338623, -2.245525360107422, -1.0412403345108032, -0.19061493873596191,
  0.7166509628295898,
];
const Y_TORCH = [
  -0.18484701216220856, 0.06878775358200073, -0.051903799176216125, 0.1358100175857544, 0.2814200818538666, 0.3466756045818329, 0.0032713189721107483,
  -0.18970519304275513,
];

const convnet = () =>
  new wg.nn.Sequential(new wg.nn.Conv2d(1, 2, 3, { padding: 1 }), new wg.nn.BatchNorm2d(2), new wg.nn.ReLU(), new wg.nn.Flatten(), new wg.nn.Linear(50, 4));

for (const be of ['wasm', 'reference'] as const)
  test(`a PyTorch-trained model loads into the same architecture and gives PyTorch's outputs (${be})`, () => {
    wg.setBackend(be);
    const model = convnet();
    model.loadStateDict(wg.load(readFileSync(new URL('fixtures/torch-convnet.safetensors', import.meta.url))));
    model.eval();
    const y = wg.noGrad(() => model.forward(wg.tensor(X, { shape: [2, 1, 5, 5] })));
    expectClose(y.data(), Y_TORCH, 1e-5);
    expect(Object.keys(model.stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '4.weight',
      '4.bias',
    ]);
  });
