/**
 * @module bitset
 * Fixed-size bitsets over class indices.
 */
/**
 * Words are carved from shared zeroed slabs: compiling 10k policies makes tens of thousands of
 * bitsets, and a backing store of its own for each (which the garbage collector tracks as
 * external memory) cost more than filling them.
 */
const SLAB_WORDS = 1 << 16;
let slab = new Uint32Array(0);
let used = 0;

function wordsOf(n: number): Uint32Array {
  if (n > SLAB_WORDS >>> 3) return new Uint32Array(n);
  if (used + n > slab.length) {
    slab = new Uint32Array(SLAB_WORDS);
    used = 0;
  }
  const w = slab.subarray(used, used + n);
  used += n;
  return w;
}

export class Bitset {
  readonly words: Uint32Array;
  constructor(readonly size: number) {
    this.words = wordsOf((size + 31) >>> 5);
  }
  set(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) | (1 << (i & 31));
  }
  has(i: number): boolean {
    return (((this.words[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
  }
  orWith(other: Bitset): void {
    const w = this.words;
    const o = other.words;
    for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) | (o[i] as number);
  }
  forEach(fn: (i: number) => void): void {
    const w = this.words;
    for (let k = 0; k < w.length; k++) {
      let x = w[k] as number;
      while (x !== 0) {
        const t = x & -x;
        fn((k << 5) + 31 - Math.clz32(t));
        x ^= t;
      }
    }
  }
}
