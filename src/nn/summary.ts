/**
 * wg.summary(model, inputShape): a table of the module tree (as torchinfo / Keras summary) with each
 * module's output shape and parameter count, from one forward pass on zeros without gradients.
 */
import { zeros } from '../api/creation.js';
import { noGrad } from '../engine/engine.js';
import { ValueError, fmtValue } from '../errors.js';
import { Tensor } from '../engine/tensor.js';
import { fmtShape } from '../ops/types.js';
import { Module, type AnyModule } from './module.js';

export interface SummaryOptions {
  /** Print the table with console.log (default true); it is returned either way. */
  print?: boolean;
}

/** How a module's output prints: a tensor's shape, or the shapes of the tensors in an array (RNN, attention). */
function describe(out: unknown): string {
  if (out instanceof Tensor) return fmtShape(out.shape);
  if (Array.isArray(out)) return `[${out.map(describe).join(', ')}]`;
  return out === null || out === undefined ? '-' : typeof out;
}

/** The model's layers, output shapes and parameter counts (own parameters per row), with totals. */
export function summary(model: Module<(x: Tensor) => unknown>, inputShape: readonly number[], options: SummaryOptions = {}): string {
  if (!(model instanceof Module)) throw new ValueError('summary', `model must be a wg.nn.Module, got ${fmtValue(model)}`);
  if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 0))
    throw new ValueError('summary', `inputShape must be an array of sizes (integers ≥ 0), got ${fmtValue(inputShape)}`);
  const modules = model.namedModules();
  const shapes = new Map<AnyModule, string>();
  // Each module's forward is wrapped for the one pass, then its own forward shows again (the
  // class's, or the one running its forward hooks).
  const own = new Map(modules.map(([, m]) => [m, Object.getOwnPropertyDescriptor(m, 'forward')]));
  for (const [, m] of modules) {
    const forward = m.forward;
    Object.defineProperty(m, 'forward', {
      configurable: true,
      writable: true,
      value: (...args: never[]) => {
        const out = forward.apply(m, args);
        shapes.set(m, describe(out));
        return out;
      },
    });
  }
  try {
    noGrad(() => model.forward(zeros(inputShape)));
  } finally {
    for (const [m, d] of own) {
      if (d === undefined) delete (m as { forward?: unknown }).forward;
      else Object.defineProperty(m, 'forward', d);
    }
  }
  const seen = new Set<Tensor>();
  const rows = modules.map(([name, m]) => {
    // the module's own parameters: its parameters less its children's, a shared tensor counted once
    const inChildren = new Set(m.children().flatMap((c) => c.parameters()));
    let own = 0;
    for (const p of m.parameters()) {
      if (inChildren.has(p) || seen.has(p)) continue;
      seen.add(p);
      own += p.size;
    }
    const depth = name === '' ? 0 : name.split('.').length;
    return [`${'  '.repeat(depth)}${name === '' ? '' : `${name}: `}${m.constructor.name}`, shapes.get(m) ?? '-', own.toLocaleString('en-US')];
  });
  const head = ['Layer (type)', 'Output shape', 'Params'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}`;
  const rule = '='.repeat(widths[0] + widths[1] + widths[2] + 4);
  const total = model.numParameters();
  const text = [
    rule,
    line(head),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${total.toLocaleString('en-US')}`,
    `Trainable params: ${model.numParameters(true).toLocaleString('en-US')}`,
    `Non-trainable params: ${(total - model.numParameters(true)).toLocaleString('en-US')}`,
    `Input shape: ${fmtShape(inputShape)}`,
    rule,
  ].join('\n');
  if (options.print ?? true) console.log(text);
  return text;
}
