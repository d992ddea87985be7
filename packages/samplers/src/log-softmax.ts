/**
 * log softmax of `logits[offset .. offset + n)` in float64 (beam scores are sums of many of these,
 * so float32 rounding would reorder close beams). -Infinity stays -Infinity.
 */
export function logSoftmaxRow(logits: ArrayLike<number>, offset: number, n: number): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[offset + i]!);
  const out = new Float64Array(n);
  if (max === Number.NEGATIVE_INFINITY) return out.fill(Number.NEGATIVE_INFINITY);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[offset + i]! - max);
  const logZ = max + Math.log(sum);
  for (let i = 0; i < n; i++) out[i] = logits[offset + i]! - logZ;
  return out;
}
