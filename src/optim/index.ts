/** wg.optim: optimizers, gradient clipping and learning-rate schedules. */
export {};
