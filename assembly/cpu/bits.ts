/**
 * bits.ts — the 386's bit instructions: BT/BTS/BTR/BTC, BSF/BSR and the
 * double-precision shifts SHLD/SHRD. Pure functions of their operands plus
 * the flags they set, like alu.ts; the interpreter (cpu/twobyte.ts) fetches
 * operands and stores results.
 *
 * Undefined flags: BT* define only CF (ZF is kept); BSF/BSR only ZF;
 * SHLD/SHRD leave AF undefined (cleared here) and OF undefined for counts
 * above one (computed here as for a count of one).
 */
import { setFlagBits, lazyLogicCfOf, CF, ZF } from "./flags";
import { zext64 } from "./state";

@inline function maskOf(size: i32): i32 { return size == 32 ? -1 : (1 << size) - 1; }
@inline function top(x: i32, size: i32): i32 { return (x >>> (size - 1)) & 1; }

/**
 * BT (0), BTS (1), BTR (2), BTC (3) of bit `bit` (already reduced below the
 * operand size) in `v`: CF = that bit; returns the new value (BT: `v`).
 */
export function bitTest(op: i32, v: i32, bit: i32): i32 {
  setFlagBits(CF, (v >>> bit) & 1);
  const m = 1 << bit;
  switch (op) {
    case 1: return v | m;
    case 2: return v & ~m;
    case 3: return v ^ m;
  }
  return v;
}

/** BSF/BSR: the index of the lowest (reverse: highest) set bit, ZF = 0; or
 *  -1 for a zero source with ZF = 1 (the destination is left as it was). */
export function bitScan(v: i32, size: i32, reverse: bool): i32 {
  v &= maskOf(size);
  if (v == 0) { setFlagBits(ZF, ZF); return -1; }
  setFlagBits(ZF, 0);
  return reverse ? 31 - clz(v) : ctz(v);
}

/**
 * SHLD (left) / SHRD: shift `dst` by `count` (already masked to 0–31),
 * filling from `src`. Count 0 changes nothing, flags included. A 16-bit
 * shift by more than 16 is undefined; this shifts the 32-bit pair src:dst
 * (dst:src) on, bringing in zeros.
 */
export function shiftDouble(left: bool, dst: i32, src: i32, count: i32, size: i32): i32 {
  const m = maskOf(size);
  dst &= m;
  if (count == 0) return dst;
  const s = <u64>size;
  const c = <u64>count;
  let r: i32, cf: i32;
  if (left) {
    const x: u64 = (zext64(dst) << s) | zext64(src & m);
    r = <i32>((x << c) >> s) & m;
    cf = <i32>(x >> (2 * s - c)) & 1;
  } else {
    const x: u64 = (zext64(src & m) << s) | zext64(dst);
    r = <i32>(x >> c) & m;
    cf = <i32>(x >> (c - 1)) & 1;
  }
  const ovf = top(r, size) ^ top(dst, size);
  lazyLogicCfOf(r, size, cf, ovf);
  return r;
}
