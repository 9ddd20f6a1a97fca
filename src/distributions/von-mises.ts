/**
 * torch.distributions.VonMises(loc, concentration): the circular normal e^(κ·cos(x − loc))/(2π·I0(κ))
 * on [−π, π). Samples by Best & Fisher's rejection method (torch's), drawn on the host from the
 * seeded stream; no rsample (as torch). log I0(κ) is log(i0e(κ)) + κ (torch uses a polynomial fit of
 * the same function: the values agree to float32 rounding).
 */
import type { Tensor } from '../engine/tensor.js';
import { tensor } from '../api/creation.js';
import { i0e, i1e } from '../api/special.js';
import { uniform } from '../random.js';
import { positive, real, type Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { hostValues } from './draw.js';
import { broadcastAll } from './utils.js';

/** One draw centred at 0 (torch's _rejection_sample for one element, in float64). */
function vonMisesSample(kappa: number): number {
  // the wrapped Cauchy proposal's r; its second-order Taylor form for tiny κ
  const tau = 1 + Math.sqrt(1 + 4 * kappa * kappa);
  const rho = (tau - Math.sqrt(2 * tau)) / (2 * kappa);
  const r = kappa < 1e-5 ? 1 / kappa + kappa : (1 + rho * rho) / (2 * rho);
  for (;;) {
    const u1 = uniform(),
      u2 = uniform(),
      u3 = uniform();
    const z = Math.cos(Math.PI * u1);
    const f = (1 + r * z) / (r + z);
    const c = kappa * (r - f);
    if (c * (2 - c) - u2 > 0 || Math.log(c / u2) + 1 - c >= 0) return Math.sign(u3 - 0.5) * Math.acos(f);
  }
}

export class VonMises extends Distribution {
  declare readonly loc: Tensor;
  declare readonly concentration: Tensor;

  constructor(loc: Tensor | number, concentration: Tensor | number, opts: DistributionOptions = {}) {
    const [l, k] = broadcastAll('distributions.VonMises', loc, concentration);
    super(l.shape, [], opts.validateArgs, { loc: l, concentration: k });
  }
  override get typeName(): string {
    return 'VonMises';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { loc: real, concentration: positive };
  }
  override get support(): Constraint {
    return real;
  }
  override get mean(): Tensor {
    return this.loc;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** The circular variance 1 − I1(κ)/I0(κ). */
  override get variance(): Tensor {
    return i1e(this.concentration).div(i0e(this.concentration)).neg().add(1);
  }
  override expand(batchShape: readonly number[]): VonMises {
    return this.expanded(batchShape, { loc: this.loc.expand(batchShape), concentration: this.concentration.expand(batchShape) });
  }
  /** Samples in [−π, π): (x + π + loc) mod 2π − π, as torch. No gradient. */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const loc = hostValues(this.loc.detach(), shape),
      kappa = hostValues(this.concentration.detach(), shape);
    const out = new Float32Array(loc.length);
    const twoPi = 2 * Math.PI;
    for (let i = 0; i < out.length; i++) {
      const v = vonMisesSample(kappa[i]) + Math.PI + loc[i];
      out[i] = (((v % twoPi) + twoPi) % twoPi) - Math.PI;
    }
    return tensor(out).reshape(shape);
  }
  /** κ·cos(x − loc) − log 2π − log I0(κ). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const k = this.concentration;
    const logI0 = i0e(k).log().add(k);
    return k
      .mul(x.sub(this.loc).cos())
      .sub(Math.log(2 * Math.PI))
      .sub(logI0);
  }
}
