/**
 * mulberry32.ts — the tests' one seeded PRNG (mulberry32: tiny, 32-bit,
 * good enough for generating programs), so a failure names a seed that
 * reproduces it. Not a test file itself.
 */

/** A generator of numbers in [0, 1); each is a 32-bit integer / 2³². */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
