/**
 * The optimizer tests' PyTorch fixture: Linear 3→2 with W = [[0.1, −0.2, 0.3], [0.4, 0.5, −0.6]],
 * b = [0.05, −0.1], trained with MSE on the fixed X [4, 3], Y [4, 2] (the same in the torch scripts
 * that gave the expected values).
 */
import * as wg from '../../src/index.js';

const X = [1.0, 2.0, -1.0, 0.5, -1.5, 2.0, -0.3, 0.8, 0.1, 2.0, 0.0, -0.5];
const Y = [0.2, -0.4, 1.0, 0.3, -0.5, 0.6, 0.0, 1.2];

export function fixtureLinear(): wg.nn.Linear {
  const model = new wg.nn.Linear(3, 2);
  model.loadStateDict({ weight: wg.tensor([0.1, -0.2, 0.3, 0.4, 0.5, -0.6], { shape: [2, 3] }), bias: wg.tensor([0.05, -0.1]) });
  return model;
}

export const fixtureData = () => ({ x: wg.tensor(X, { shape: [4, 3] }), y: wg.tensor(Y, { shape: [4, 2] }) });
