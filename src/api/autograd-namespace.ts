/**
 * wg.autograd: torch.autograd's namespace. grad, backward, Function and functional (autograd.ts),
 * with the grad-mode blocks, the checks and anomaly detection torch also lists there.
 */
export * from './autograd.js';
export { noGrad } from '../engine/engine.js';
export { enableGrad, setGradEnabled, inferenceMode } from './grad-mode.js';
export { gradcheck } from './gradcheck.js';
export { gradgradcheck } from './gradgradcheck.js';
export { detectAnomaly, setDetectAnomaly } from './anomaly-mode.js';
export { functional, type FunctionalOptions, type JacobianOptions, type HessianOptions } from './autograd-functional.js';
