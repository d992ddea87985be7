import { OptionError } from '@recurrent/core';

/**
 * Logits divided by `temperature` (> 0), as a new array: below 1 sharpens the distribution, above 1
 * flattens it. Temperature 0 is greedy decoding and is handled by the caller, not here.
 *
 * @param logits one row `[V]`; not modified.
 */
export function applyTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new OptionError('applyTemperature temperature', 'a finite number > 0', String(temperature));
  }
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! / temperature;
  return out;
}
