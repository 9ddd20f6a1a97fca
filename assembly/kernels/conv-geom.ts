// The geometry of a convolution record, shared by the conv and depthwise kernels.

/**
 * The kernel parameters as laid out by src/ops/conv.ts (record words P0..P16): the geometry of a
 * convolution x [n, c, h, w] → [n, o, oh, ow]. For convTranspose2d it is the geometry of the
 * convolution whose adjoint it computes.
 */
@unmanaged export class ConvGeom {
  n: i32; c: i32; h: i32; w: i32; o: i32; kh: i32; kw: i32; oh: i32; ow: i32;
  sh: i32; sw: i32; ph: i32; pw: i32; dh: i32; dw: i32; bias: i32; groups: i32;
}

/** Byte offset of channel ch of image img in an [n][chs][plane] tensor. */
@inline export function at(img: i32, chs: i32, ch: i32, plane: i32): usize {
  return <usize>((img * chs + ch) * plane) << 2;
}
