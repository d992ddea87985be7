/**
 * A trie over byte strings mapping each key to an integer value, walked one byte at a time.
 *
 * SentencePiece keeps its piece dictionary in a darts-clone double array; the encoders need from it
 * only "every piece that is a prefix of the text at this position, shortest first". Keys are inserted
 * into a map-based trie, which is then packed on first use into a double array of our own (first-fit
 * placement): the child of node `s` along byte `b` is `t = base[s] + b` when `check[t] === s`, two
 * array reads per byte, which is what makes encoding a corpus fast.
 */
export class ByteTrie {
  private readonly edges = new Map<number, number>();
  private readonly nodeValues: number[] = [-1];
  private base: Int32Array = new Int32Array(0);
  private check: Int32Array = new Int32Array(0);
  private values: Int32Array = new Int32Array(0);
  private packed = false;

  /** Stores `value` under the key `key[start, end)`; a later insert of the same key overwrites. */
  insert(key: Uint8Array, value: number, start = 0, end = key.length): void {
    let node = 0;
    for (let i = start; i < end; i++) {
      const e = node * 256 + (key[i] as number);
      let child = this.edges.get(e);
      if (child === undefined) {
        child = this.nodeValues.length;
        this.nodeValues.push(-1);
        this.edges.set(e, child);
      }
      node = child;
    }
    this.nodeValues[node] = value;
    this.packed = false;
  }

  /** Packs the map-based trie into the double array (done lazily by the lookups). */
  private pack(): void {
    const n = this.nodeValues.length;
    // Children of each node as [label, child, label, child, ...], labels ascending.
    const children: number[][] = Array.from({ length: n }, () => []);
    for (const e of [...this.edges.keys()].sort((a, b) => a - b)) {
      (children[Math.floor(e / 256)] as number[]).push(e % 256, this.edges.get(e) as number);
    }
    let cap = Math.max(1024, n * 2 + 512);
    let base = new Int32Array(cap);
    let check = new Int32Array(cap).fill(-1);
    let values = new Int32Array(cap).fill(-1);
    // nextFree[i]: a slot index >= i to look at for a free slot (union-find with path halving), so the
    // first-fit search skips runs of used slots instead of testing each.
    let nextFree = Int32Array.from({ length: cap }, (_, i) => i);
    const grow = (need: number): void => {
      if (need < cap) return;
      const old = cap;
      while (cap <= need) cap *= 2;
      const b = new Int32Array(cap);
      b.set(base);
      const c = new Int32Array(cap).fill(-1);
      c.set(check);
      const v = new Int32Array(cap).fill(-1);
      v.set(values);
      const f = Int32Array.from({ length: cap }, (_, i) => i);
      f.set(nextFree.subarray(0, old));
      base = b;
      check = c;
      values = v;
      nextFree = f;
    };
    const findFree = (i: number): number => {
      grow(i + 1);
      while (nextFree[i] !== i) {
        const up = nextFree[i] as number;
        grow(up + 1);
        nextFree[i] = nextFree[up] as number;
        i = up;
      }
      return i;
    };
    const use = (slot: number, parent: number): void => {
      check[slot] = parent;
      grow(slot + 2);
      nextFree[slot] = slot + 1;
    };
    // Slot 0 is the root; its `check` is a sentinel no child index can equal.
    use(0, -2);
    values[0] = this.nodeValues[0] as number;
    const queue: Array<[node: number, slot: number]> = [[0, 0]];
    for (let qi = 0; qi < queue.length; qi++) {
      const [node, slot] = queue[qi] as [number, number];
      const kids = children[node] as number[];
      if (kids.length === 0) continue;
      const first = kids[0] as number;
      let b = 0;
      for (let t = findFree(first + 1); ; t = findFree(t + 1)) {
        b = t - first;
        grow(b + 256);
        let fits = true;
        for (let i = 2; i < kids.length && fits; i += 2) {
          if (check[b + (kids[i] as number)] !== -1) fits = false;
        }
        if (fits) break;
      }
      base[slot] = b;
      for (let i = 0; i < kids.length; i += 2) {
        const t = b + (kids[i] as number);
        const child = kids[i + 1] as number;
        use(t, slot);
        values[t] = this.nodeValues[child] as number;
        queue.push([child, t]);
      }
    }
    this.base = base;
    this.check = check;
    this.values = values;
    this.packed = true;
  }

  /** The child of `node` along `byte`, or -1. The root is node 0. */
  child(node: number, byte: number): number {
    if (!this.packed) this.pack();
    const t = (this.base[node] as number) + byte;
    return this.check[t] === node ? t : -1;
  }

  /** The value stored at `node`, or -1. */
  value(node: number): number {
    return this.values[node] as number;
  }

  /** The value of the key `s[start, end)`, or -1. */
  get(s: Uint8Array, start: number, end: number): number {
    let node = 0;
    for (let i = start; i < end && node >= 0; i++) node = this.child(node, s[i] as number);
    return node >= 0 ? this.value(node) : -1;
  }

  /** Length in bytes of the longest key that is a prefix of `s[start, end)`, or 0 when none is. */
  longestPrefix(s: Uint8Array, start: number, end: number): number {
    let node = 0;
    let best = 0;
    for (let i = start; i < end; i++) {
      node = this.child(node, s[i] as number);
      if (node < 0) break;
      if (this.value(node) >= 0) best = i + 1 - start;
    }
    return best;
  }
}
