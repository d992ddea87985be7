/**
 * PyTorch `state_dict` interop. Our layers already use PyTorch's parameter names and layouts
 * (`weight_ih_l0 [G·H, I]`, `_reverse`, `weight [out, in]`), so converting is mostly renaming, and only
 * where a model's own names differ. What a name map adds is what a plain rename cannot say: tied weights,
 * which PyTorch lists under BOTH keys (`embedding.weight` and `decoder.weight`) while we hold one parameter.
 *
 * The file side is safetensors with `{"format": "pt"}` metadata (the Hugging Face convention for a PyTorch
 * state dict), which Python's `safetensors.torch.load_file` reads into tensors that
 * `module.load_state_dict(..., strict=True)` accepts unchanged.
 */
import { FormatError, fmtShape } from '../errors.ts';
import type { Module } from '../module.ts';
import { encodeSafetensors, type SafetensorsEntry } from '../safetensors.ts';
import type { Tensor } from '../tensor.ts';

/** How a module's parameter names correspond to the keys of a PyTorch `state_dict`. */
export interface PytorchNameMap {
  /** Our parameter name -> PyTorch key, for names that differ (default: every name is kept). */
  rename?: Readonly<Record<string, string>>;
  /**
   * Extra PyTorch keys that hold one of our parameters a second time, key -> OUR parameter name. For tied
   * weights: PyTorch's `state_dict()` lists a shared tensor under every module that holds it.
   */
  aliases?: Readonly<Record<string, string>>;
}

/** Options of {@link loadPytorchStateDict}. */
export interface LoadPytorchStateDictOptions {
  /** The name correspondence (default: identical names, no aliases). */
  names?: PytorchNameMap;
  /** Names the input in errors (a file path). Default `PyTorch state dict`. */
  source?: string;
}

/** The safetensors metadata that marks a file as a PyTorch state dict. */
export const PYTORCH_FORMAT_METADATA: Readonly<Record<string, string>> = Object.freeze({ format: 'pt' });

function theirName(names: PytorchNameMap, ours: string): string {
  return names.rename?.[ours] ?? ours;
}

/**
 * The PyTorch `state_dict` of `module`: PyTorch key -> tensor, in `module.parameters()` order with alias keys
 * last. Tensors are views of the live parameters (no copy). Every key is unique.
 * @throws FormatError when the map renames two parameters to one key or names an unknown parameter.
 */
export function toPytorchStateDict(module: Module, names: PytorchNameMap = {}): Map<string, Tensor> {
  const ours = new Map(module.parameters());
  const out = new Map<string, Tensor>();
  const put = (key: string, t: Tensor, why: string): void => {
    if (out.has(key))
      throw new FormatError(`PyTorch key "${key}"`, 'one tensor per key', `a second one (${why})`);
    out.set(key, t);
  };
  for (const name of Object.keys(names.rename ?? {})) {
    if (!ours.has(name))
      throw new FormatError(`PyTorch name map rename "${name}"`, 'a parameter of the module', 'unknown');
  }
  for (const [name, p] of ours) put(theirName(names, name), p, `parameter "${name}"`);
  for (const [key, name] of Object.entries(names.aliases ?? {})) {
    const p = ours.get(name);
    if (p === undefined)
      throw new FormatError(`PyTorch alias "${key}"`, 'to name a parameter of the module', `"${name}"`);
    put(key, p, `alias of "${name}"`);
  }
  return out;
}

/**
 * Safetensors bytes of `module`'s PyTorch state dict (F32, metadata `format: pt` plus `metadata`), ready for
 * `safetensors.torch.load_file` and `load_state_dict(strict=True)`.
 */
export function encodePytorchStateDict(
  module: Module,
  names: PytorchNameMap = {},
  metadata: Record<string, string> = {},
): Uint8Array {
  return encodeSafetensors(toPytorchStateDict(module, names), { ...metadata, ...PYTORCH_FORMAT_METADATA });
}

/**
 * Copies a PyTorch state dict (as decoded from safetensors) into `module`'s parameters, with PyTorch's
 * `strict=True` rules: every parameter's key must be present with the same shape, and no key may be left
 * over. F32 and F64 values are accepted (F64 is rounded to F32). An alias key (a tied weight) may be absent,
 * as `safetensors.torch.save_model` drops shared tensors, but when present it must equal the parameter it
 * aliases, since we cannot hold two different values in one tied parameter.
 * Everything is checked before any parameter changes, so a bad file leaves the module as it was.
 * @throws FormatError naming the key and what was wrong (missing, unexpected, shape, dtype, untied alias).
 */
export function loadPytorchStateDict(
  module: Module,
  tensors: ReadonlyMap<string, SafetensorsEntry>,
  options: LoadPytorchStateDictOptions = {},
): void {
  const names = options.names ?? {};
  const source = options.source ?? 'PyTorch state dict';
  const plan: { p: Tensor; values: Float32Array }[] = [];
  const byOurName = new Map<string, { values: Float32Array; shape: readonly number[] }>();
  const used = new Set<string>();
  const valuesOf = (key: string, shape: readonly number[]): Float32Array => {
    const e = tensors.get(key);
    if (e === undefined)
      throw new FormatError(`${source} key "${key}"`, `a tensor ${fmtShape(shape)}`, 'missing');
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      throw new FormatError(`${source} key "${key}" shape`, fmtShape(shape), fmtShape(e.shape));
    }
    used.add(key);
    if (e.dtype === 'F32') return e.data;
    if (e.dtype === 'F64') return Float32Array.from(e.data);
    throw new FormatError(`${source} key "${key}" dtype`, 'F32 (or F64)', e.dtype);
  };
  for (const [name, p] of module.parameters()) {
    const values = valuesOf(theirName(names, name), p.shape);
    plan.push({ p, values });
    byOurName.set(name, { values, shape: p.shape });
  }
  for (const [key, name] of Object.entries(names.aliases ?? {})) {
    const target = byOurName.get(name);
    if (target === undefined)
      throw new FormatError(`PyTorch alias "${key}"`, 'to name a parameter of the module', `"${name}"`);
    if (!tensors.has(key)) continue;
    const values = valuesOf(key, target.shape);
    const differ = values.some((v, i) => !Object.is(v, target.values[i]));
    if (differ) {
      throw new FormatError(
        `${source} key "${key}"`,
        `the same values as "${theirName(names, name)}" (the two are tied in this model)`,
        'different values',
      );
    }
  }
  const extra = [...tensors.keys()].filter((k) => !used.has(k));
  if (extra.length > 0) {
    const list = extra
      .slice(0, 5)
      .map((k) => `"${k}"`)
      .join(', ');
    throw new FormatError(
      `${source}`,
      'only keys of the configured model (strict loading)',
      `unexpected ${extra.length === 1 ? 'key' : `${extra.length} keys`} ${list}${extra.length > 5 ? ', ...' : ''}`,
    );
  }
  for (const { p, values } of plan) p.data.set(values);
}
