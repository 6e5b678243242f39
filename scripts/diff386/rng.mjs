// rng.mjs — the seeded PRNG of the 386 differential-test generator
// (tests/diff386/README.md).
//
// What it is: sfc32 seeded through splitmix32, plus the pickers the case
// generators draw from (ranges, chances, list picks, edge-biased values).
// Every random choice in an image comes from one Rng, in a fixed order, so
// the same seed gives the same image byte for byte.
//
// What it is not: it knows nothing about x86; and it is not Math.random —
// that would make an image impossible to reproduce from its seed.

/** sfc32 seeded through splitmix32: small, fast, and the same everywhere. */
export class Rng {
  constructor(seed) {
    let s = seed >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix(); this.b = mix(); this.c = mix(); this.d = mix();
  }
  u32() {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }
  /** 0 … n-1 */
  int(n) { return Math.floor((this.u32() / 4294967296) * n); }
  range(lo, hi) { return lo + this.int(hi - lo + 1); }
  chance(p) { return this.u32() / 4294967296 < p; }
  pick(a) { return a[this.int(a.length)]; }
  /** A value of `bits` bits biased towards the edges where flags change. */
  value(bits) {
    const m = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    const r = this.int(10);
    if (r < 3) {
      const top = bits === 32 ? 0x80000000 : 1 << (bits - 1);
      return (this.pick([0, 1, 2, m, m - 1, top, top - 1, top + 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, this.int(16)]) & m) >>> 0;
    }
    if (r < 5) return (this.int(256) & m) >>> 0;
    return (bits === 32 ? this.u32() : this.u32() & m) >>> 0;
  }
}
