// What every browser page runs, given the library's namespace `wg` (whichever entry loaded it):
// the textbook gradients (DESIGN.md section 1, test/textbook.test.ts) and a few training steps.

/** f = (x+y)·z at x=-2, y=5, z=-4 and the sigmoid neuron at w=[2,-3,-3], x=[-1,-2]: the gradients. */
export async function textbook(wg) {
  await wg.init();
  const [x, y, z] = [-2, 5, -4].map((v) => wg.tensor(v, { requiresGrad: true }));
  const f = x.add(y).mul(z);
  f.backward();
  const fValue = f.item(); // valid until the next step ends
  const w = [2, -3, -3].map((v) => wg.tensor(v, { requiresGrad: true }));
  const u = [-1, -2].map((v) => wg.tensor(v, { requiresGrad: true }));
  const s = w[0].mul(u[0]).add(w[1].mul(u[1])).add(w[2]).sigmoid();
  s.backward();
  return {
    f: fValue,
    grads: [x, y, z].map((t) => t.grad.item()),
    neuron: { w: w.map((t) => t.grad.item()), x: u.map((t) => t.grad.item()) },
    build: wg.info().build,
  };
}

/** A 4-16-1 tanh MLP fitting y = tanh(x·a) with Adam for `steps` full-batch steps: the losses. */
export async function train(wg, steps = 60) {
  await wg.init();
  wg.manualSeed(7);
  const x = wg.randn([64, 4]).keep();
  const y = x
    .matmul(wg.tensor([[0.5], [-1], [0.25], [2]]))
    .tanh()
    .keep(); // op results live one step unless kept
  const model = new wg.nn.Sequential(new wg.nn.Linear(4, 16), new wg.nn.Tanh(), new wg.nn.Linear(16, 1));
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.02 });
  const losses = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = wg.losses.mse(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}
