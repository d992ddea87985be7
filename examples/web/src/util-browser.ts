/**
 * Stands in for Node's `util` in the browser build (see vite.config.ts): natural's treebank word tokenizer
 * (used by word-level tokenizers) calls `util.inherits` when it loads, and that is all it needs.
 */
export function inherits(
  ctor: { prototype: object; super_?: unknown },
  superCtor: { prototype: object },
): void {
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  ctor.super_ = superCtor;
}

export default { inherits };
