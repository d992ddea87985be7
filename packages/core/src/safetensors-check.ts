import { FormatError, fmtShape } from './errors.ts';
import type { SafetensorsEntry } from './safetensors.ts';

/**
 * Checks that a model file's `tensors` are exactly the parameters a model would have: the same names,
 * all F32, the same shapes, none missing and none extra. Loaders call it with the shapes their config
 * implies BEFORE building the model, so a file whose config declares a huge model fails on the mismatch
 * instead of allocating it.
 *
 * `expected` (name -> shape) is read lazily and stops at the first tensor the file lacks, so a generator
 * of a config declaring millions of layers costs no more than the file has tensors.
 * @throws FormatError naming `source` (the file), the tensor, and the expected and received dtype or shape.
 */
export function checkSafetensorsParameters(
  source: string,
  expected: Iterable<readonly [string, readonly number[]]>,
  tensors: ReadonlyMap<string, SafetensorsEntry>,
): void {
  const seen = new Set<string>();
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (t === undefined) {
      throw new FormatError(`${source} tensor "${name}"`, `present, F32 ${fmtShape(shape)}`, 'missing');
    }
    if (t.dtype !== 'F32') {
      throw new FormatError(`${source} tensor "${name}" dtype`, `F32 ${fmtShape(shape)}`, t.dtype);
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new FormatError(`${source} tensor "${name}" shape`, fmtShape(shape), fmtShape(t.shape));
    }
    seen.add(name);
  }
  if (seen.size === tensors.size) return;
  for (const [name, t] of tensors) {
    if (!seen.has(name)) {
      throw new FormatError(
        `${source} tensor "${name}"`,
        `only the ${seen.size} parameters of the configured model`,
        `an extra ${t.dtype} ${fmtShape(t.shape)}`,
      );
    }
  }
}
