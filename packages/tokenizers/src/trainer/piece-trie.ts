/**
 * A trie over code-point sequences mapping each inserted sequence to an integer value, for finding every
 * piece that starts at a position of a word (spm uses a darts-clone double array for the same search), and
 * for counting substrings node by node.
 * Child edges live in one open-addressing hash table keyed by (parent node, code point), which keeps the
 * keys small integers instead of the boxed numbers a `Map` would need.
 */
export class PieceTrie {
  private keyNode = new Int32Array(1024).fill(-1);
  private keyCp = new Int32Array(1024);
  private childOf = new Int32Array(1024);
  private mask = 1023;
  private used = 0;
  private values: Int32Array = new Int32Array(64).fill(-1);
  private nodeCount = 1;

  private slot(node: number, cp: number): number {
    let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(cp, 0x85ebca77)) >>> 0;
    h = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const k = this.keyNode[h]!;
      if (k === -1 || (k === node && this.keyCp[h] === cp)) return h;
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const { keyNode, keyCp, childOf } = this;
    const size = keyNode.length * 2;
    this.keyNode = new Int32Array(size).fill(-1);
    this.keyCp = new Int32Array(size);
    this.childOf = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < keyNode.length; i++) {
      if (keyNode[i] === -1) continue;
      const h = this.slot(keyNode[i]!, keyCp[i]!);
      this.keyNode[h] = keyNode[i]!;
      this.keyCp[h] = keyCp[i]!;
      this.childOf[h] = childOf[i]!;
    }
  }

  /** Number of nodes, the root (0) included; node ids are `0 .. nodeCount - 1`. */
  get size(): number {
    return this.nodeCount;
  }

  /** The child of `node` along code point `cp`, or -1. */
  child(node: number, cp: number): number {
    const h = this.slot(node, cp);
    return this.keyNode[h] === -1 ? -1 : this.childOf[h]!;
  }

  /** The child of `node` along `cp`, created when missing (new ids count up from the current size). */
  childOrCreate(node: number, cp: number): number {
    let h = this.slot(node, cp);
    if (this.keyNode[h] !== -1) return this.childOf[h]!;
    if ((this.used + 1) * 2 > this.keyNode.length) {
      this.grow();
      h = this.slot(node, cp);
    }
    this.keyNode[h] = node;
    this.keyCp[h] = cp;
    this.childOf[h] = this.nodeCount++;
    this.used++;
    if (this.nodeCount > this.values.length) {
      const grown = new Int32Array(this.values.length * 2).fill(-1);
      grown.set(this.values);
      this.values = grown;
    }
    return this.nodeCount - 1;
  }

  /** Inserts `cps[start..end)` with `value` (>= 0); a later insert of the same sequence wins. */
  insert(cps: ArrayLike<number>, start: number, end: number, value: number): void {
    let node = 0;
    for (let i = start; i < end; i++) node = this.childOrCreate(node, cps[i]!);
    this.values[node] = value;
  }

  /**
   * Calls `visit(length, value)` for every inserted sequence that is a prefix of `cps[start..end)`,
   * shortest first, up to `maxLength` code points.
   */
  forEachPrefix(
    cps: ArrayLike<number>,
    start: number,
    end: number,
    maxLength: number,
    visit: (length: number, value: number) => void,
  ): void {
    let node = 0;
    const stop = Math.min(end, start + maxLength);
    for (let i = start; i < stop; i++) {
      const h = this.slot(node, cps[i]!);
      if (this.keyNode[h] === -1) return;
      node = this.childOf[h]!;
      const v = this.values[node]!;
      if (v >= 0) visit(i - start + 1, v);
    }
  }
}
