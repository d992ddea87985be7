// Vector math shared by the kernels: fused multiply-add (relaxed SIMD when the build enables it),
// a polynomial exp, sigmoid and tanh on four float32 lanes. All AssemblyScript, compiled by
// scripts/build-wasm.ts; nothing here allocates (the module has no runtime heap).

/** a·b + c; one rounding with relaxed SIMD (where the engine fuses), two without. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Four copies of a float. */
// @ts-ignore: decorator
@inline export function sp(x: f32): v128 {
  return f32x4.splat(x);
}

/**
 * e^x per lane: Cephes expf (range reduction by ln 2 in two parts, degree-6 polynomial), about 1 ulp
 * on [-87.3, 88.3]. Above 88.3 the result is +Inf (so σ(-1000) is exactly 0, as in float64 JS); below
 * -87.3 it stays at e^-87.3 ≈ 1.2e-38 (only ever added to 1 here). NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  const over = f32x4.gt(x, sp(88.3));
  // pmin/pmax are single instructions (min/max are not, for their NaN and -0 rules); NaN still passes.
  x = f32x4.pmin(f32x4.pmax(x, sp(-87.3)), sp(88.3));
  // n = round(x·log2 e) by adding 1.5·2^23: the sum's low mantissa bits hold n (cheaper than
  // nearest + trunc_sat, which V8 expands into a saturating sequence).
  const t = madd(x, sp(1.44269504088896341), sp(12582912.0));
  const fx = f32x4.sub(t, sp(12582912.0));
  let r = madd(fx, sp(-0.693359375), x);
  r = madd(fx, sp(2.12194440e-4), r);
  const z = f32x4.mul(r, r);
  let y = sp(1.9875691500e-4);
  y = madd(y, r, sp(1.3981999507e-3));
  y = madd(y, r, sp(8.3334519073e-3));
  y = madd(y, r, sp(4.1665795894e-2));
  y = madd(y, r, sp(1.6666665459e-1));
  y = madd(y, r, sp(5.0000001201e-1));
  y = f32x4.add(madd(y, z, r), sp(1.0));
  // 2^n built in the exponent field; n is in [-126, 127] after the clamp. bits(t) = 0x4B400000 + n.
  const pow2 = i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4b400000)), 23);
  return v128.bitselect(f32x4.splat(Infinity), f32x4.mul(y, pow2), over);
}

/** σ(x) = 1 / (1 + e^-x) per lane. */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(sp(1.0), f32x4.add(sp(1.0), vexp(f32x4.neg(x))));
}

/**
 * tanh(x) per lane. |x| < 0.625: Cephes' odd polynomial (1 - 2/(e^2x + 1) would lose the relative
 * precision of small values to cancellation); otherwise 1 - 2/(e^{2|x|} + 1) with x's sign.
 */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(sp(1.0), f32x4.div(sp(2.0), f32x4.add(e, sp(1.0))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  const z = f32x4.mul(x, x);
  let p = sp(-5.70498872745e-3);
  p = madd(p, z, sp(2.06390887954e-2));
  p = madd(p, z, sp(-5.37397155531e-2));
  p = madd(p, z, sp(1.33314422036e-1));
  p = madd(p, z, sp(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  return v128.bitselect(small, signed, f32x4.lt(ax, sp(0.625)));
}

/**
 * Loads four floats (`full`) or one into lane 0 (the tail of a row whose length is not a multiple of
 * four), so the tail runs through exactly the same vector arithmetic as the body.
 */
// @ts-ignore: decorator
@inline export function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : v128.load32_zero(p);
}

/** Stores four floats (`full`) or lane 0 only. */
// @ts-ignore: decorator
@inline export function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}
