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

/** new wg.optim[kind](model, opts): the table-driven optimizer tests name optimizers by class. */
export const makeOptimizer = (kind: string, model: wg.nn.Linear, opts: Record<string, unknown>): wg.optim.Optimizer =>
  new (wg.optim[kind as 'Adam'] as unknown as new (p: wg.optim.Params, o: object) => wg.optim.Optimizer)(model, opts);

/** A training step on the fixture data: zeroGrad, MSE, backward, step. */
export function fixtureStep(model: wg.nn.Linear, opt: wg.optim.Optimizer) {
  return (x: wg.Tensor, y: wg.Tensor) => {
    opt.zeroGrad();
    const loss = wg.losses.mse(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  };
}

/** The parameters [W (row-major), b]. */
export const fixtureSnapshot = (m: wg.nn.Linear) => [...m.weight.data(), ...m.bias!.data()];

/** `calls` steps of the fixture model under a fresh wg.optim[kind](opts), eager or compiled: the parameters after each. */
export function fixtureTrain(c: { kind: string; opts: Record<string, unknown> }, calls: number, compiled: boolean) {
  const model = fixtureLinear();
  const opt = makeOptimizer(c.kind, model, c.opts);
  const step = fixtureStep(model, opt);
  const f = compiled ? wg.compile(step) : step;
  const { x, y } = fixtureData();
  const records: number[][] = [];
  for (let i = 0; i < calls; i++) {
    f(x, y);
    records.push(fixtureSnapshot(model));
  }
  return { records, model, opt, info: compiled ? (f as ReturnType<typeof wg.compile>).replayInfo() : [] };
}
