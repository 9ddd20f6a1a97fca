/**
 * The deterministic values the PyTorch fixture scripts (test/fixtures/*-torch.py) use: element i
 * of a tensor filled with scale s is 0.5·sin(i·s + 0.5); state-dict entry k gets s = 0.37 + 0.11·k.
 */
import * as wg from '../../src/index.js';

export const sinFilled = (shape: number[], s: number, requiresGrad = true): wg.Tensor =>
  wg.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * s + 0.5) * 0.5),
    { shape, requiresGrad },
  );

/** Loads the fixtures' weights into m. */
export function loadSinStateDict(m: wg.nn.AnyModule): void {
  const loaded: Record<string, wg.Tensor> = {};
  Object.entries(m.stateDict()).forEach(([name, t], k) => (loaded[name] = sinFilled([...t.shape], 0.37 + 0.11 * k, false)));
  m.loadStateDict(loaded);
}
