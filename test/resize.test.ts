/**
 * t.resize_, t.resizeAs_ / wg.resizeAs_, t.shareMemory_, t.isShared and t.isSetTo
 * (src/api/resize.ts) on both backends against torch 1.13 (test/fixtures/resize-torch.py →
 * resize-torch.json): shapes and kept elements through shrink-and-grow sequences, the autograd
 * refusal, and the errors.
 */
import { describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { onBothBackends, readFixture } from './helpers/both-backends.js';

interface Seen {
  shape: number[];
  values: number[];
}
const REF = readFixture<{
  resize: { start: number[]; steps: number[][]; seen: Seen[] }[];
  resizeAs: Seen;
  facts: Record<string, boolean | string | null>;
}>('resize-torch.json');
const values = (t: wg.Tensor) => Array.from(t.data());

onBothBackends(() => {
  test.each(REF.resize.map((c) => [JSON.stringify(c.start), JSON.stringify(c.steps), c] as const))('resize_ from %s through %s equals torch', (_, __, c) => {
    const t = wg.arange(c.start.reduce((p, d) => p * d, 1)).reshape(c.start);
    c.steps.forEach((s, i) => {
      // torch's two call forms: separate numbers and one array
      expect(i % 2 === 0 ? t.resize_(s) : t.resize_(...s)).toBe(t);
      expect(t.shape).toEqual(c.seen[i].shape);
      expect(values(t)).toEqual(c.seen[i].values);
    });
  });

  test('resizeAs_ equals torch, as a method and as wg.resizeAs_', () => {
    const a = wg.arange(6).reshape([2, 3]);
    expect(a.resizeAs_(wg.zeros([4, 1]))).toBe(a);
    expect(a.shape).toEqual(REF.resizeAs.shape);
    expect(values(a)).toEqual(REF.resizeAs.values);
    const b = wg.arange(6);
    expect(wg.resizeAs_(b, wg.zeros([2]))).toBe(b);
    expect(values(b)).toEqual([0, 1]);
  });

  test('a write between a shrink and a grow keeps the dropped tail (torch: [9, 9, 2, 3])', () => {
    const t = wg.arange(4);
    t.resize_(2);
    t.fill_(9);
    t.resize_(4);
    expect(values(t)).toEqual([9, 9, 2, 3]);
  });

  test('growing past what the tensor ever held gives zeros (torch: uninitialized), int32 stays int32', () => {
    const t = wg.tensor([1, 2, 3], { dtype: 'int32' });
    t.resize_(2, 3);
    expect(t.dtype).toBe('int32');
    expect(values(t)).toEqual([1, 2, 3, 0, 0, 0]);
    t.resize_(2, 1);
    expect(values(t)).toEqual([1, 2]);
  });

  test('a resized tensor works in ops and in a later graph', () => {
    const t = wg.arange(6);
    t.resize_(2, 2);
    expect(values(t.matmul(wg.eye(2)))).toEqual([0, 1, 2, 3]);
    const w = t.clone().requiresGrad_(true);
    w.mul(w).sum().backward();
    expect(values(w.grad!)).toEqual([0, 2, 4, 6]);
  });

  test("torch's autograd rule: no resize of a tensor that requires grad, inside noGrad too", () => {
    const leaf = wg.ones([3]).requiresGrad_(true);
    const msg = 'wasmgrad.resize_: cannot resize a tensor [3] that requires grad';
    expect(REF.facts.leaf).toBe('cannot resize variables that require grad');
    expect(() => leaf.resize_(2)).toThrow(msg);
    expect(REF.facts.nonLeaf).not.toBeNull();
    expect(() => leaf.mul(2).resize_(3)).toThrow(msg);
    expect(REF.facts.noGrad).not.toBeNull();
    expect(() => wg.noGrad(() => leaf.resize_(2))).toThrow(wg.AutogradError);
    expect(() => leaf.resizeAs_(wg.zeros([2]))).toThrow('wasmgrad.resizeAs_: cannot resize');
    expect(leaf.shape).toEqual([3]);
  });

  test('shareMemory_, isShared and isSetTo answer as torch', () => {
    const t = wg.zeros([3]);
    expect(t.isShared()).toBe(REF.facts.sharedBefore);
    expect(t.shareMemory_() === t).toBe(REF.facts.returnsSelf);
    expect(t.isShared()).toBe(REF.facts.sharedAfter);
    expect(t.isSetTo(t)).toBe(REF.facts.setToSelf);
    expect(t.isSetTo(t.clone())).toBe(REF.facts.setToClone);
    expect(t.clone().isShared()).toBe(false);
    expect(t.isSetTo(wg.zeros([3]))).toBe(false);
  });
});

describe('errors', () => {
  test.each([
    [() => wg.zeros([2]).resize_(-1), 'wasmgrad.resize_: size must be non-negative integers, got -1'],
    [() => wg.zeros([2]).resize_(2.5), 'wasmgrad.resize_: size must be non-negative integers, got 2.5'],
    [() => wg.zeros([2]).resize_([2, -3]), 'wasmgrad.resize_: size must be non-negative integers, got [2, -3]'],
    [() => wg.zeros([2]).resizeAs_([2] as unknown as wg.Tensor), 'wasmgrad.resizeAs_'],
    [() => wg.zeros([2]).isSetTo(3 as unknown as wg.Tensor), 'wasmgrad.isSetTo'],
    [() => wg.compile((x: wg.Tensor) => x.clone().resize_(1))(wg.zeros([2])), 'wasmgrad.resize_'],
  ])('%#', (f, msg) => {
    expect(f).toThrow(msg);
  });
});
