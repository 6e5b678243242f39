/**
 * stackwindow.ts — the stack window: the range of SS offsets around SP
 * where translated code pushes and pops words with one range test and no
 * TLB.
 *
 * A region's function asks for it each time it loads its locals (on entry
 * and after execOne: the only times SS's base, the TLB or the code bitmap
 * can have changed under it) and keeps it in two locals; each PUSH, POP,
 * CALL and RET then tests `offset − lo <u length` and goes to GUEST_BASE +
 * linear, or leaves for the interpreter (src/jit/memory.ts).
 *
 *   SS:0000                                                      SS:FFFF
 *      ┌────────┬────────┬─────┬───────────────────┬──────┬──────┐
 *      │ MMIO   │ plain  │code │ plain     ▲       │ code │ ...  │
 *      └────────┴────────┴─────┴───────────┼───────┴──────┴──────┘
 *                               lo         SP−2    hi
 *   plain: a page whose read and write entries are GUEST_BASE (the home
 *          frame, no flag); on a page whose write entry carries only
 *          PF_JIT_CODE, the 32-byte chunks CODE_BITMAP does not mark
 *   result = lo | (hi − lo) << 16, in offsets: a word at offset o lies in
 *            [lo, hi] iff o − lo <u hi − lo; 0 where SP−2 is in no window
 *
 * Why such a word can go straight to memory: on those pages linear is
 * physical and nothing is ROM, MMIO, logged or copy-on-write; no chunk of
 * translated code is written; and no word crosses the segment's end. (A
 * word across a page between two such pages is in the home frame too.)
 *
 * What this file is not: the generated tests (src/jit/memory.ts), the
 * TLB (memory/tlb.ts).
 */
import { REGS, SEG_BASE, TLB_READ, TLB_WRITE, GUEST_BASE, LIN_PAGES, CODE_BITMAP } from "../layout";
import { PF_JIT_CODE } from "../memory/tlb";

const SP: i32 = 4;
const SS: i32 = 2;

/** How words may go to a linear page: 0 not straight to memory; 1 yes;
 *  2 yes, but for its chunks of translated code. (CODE_BITMAP covers
 *  every linear page: CODE_BITMAP_LIMIT is LIN_PAGES pages.) */
@inline function pageKind(page: i32): i32 {
  if (<u32>page >= <u32>LIN_PAGES || load<i32>(TLB_READ + (page << 2)) != GUEST_BASE) return 0;
  const write = load<i32>(TLB_WRITE + (page << 2));
  return write == GUEST_BASE ? 1 : write == (GUEST_BASE | PF_JIT_CODE) ? 2 : 0;
}

/** Whether the 32-byte chunk at physical `addr` holds translated code. */
@inline function marked(addr: i32): bool {
  return ((<i32>load<u8>(CODE_BITMAP + (addr >>> 8)) >> ((addr >>> 5) & 7)) & 1) != 0;
}

/** Whether the byte at linear `addr` is in a window. */
@inline function usable(addr: i32): bool {
  const kind = pageKind(addr >>> 12);
  return kind == 1 || (kind == 2 && !marked(addr));
}

/** The stack window for the current SS and SP (see the header). */
export function stackWindow(): i32 {
  const base = load<i32>(SEG_BASE + SS * 4);
  const lin = base + ((load<i32>(REGS + SP * 4) - 2) & 0xFFFF); // the next PUSH's word
  if (!usable(lin)) return 0;
  // Down and up from its chunk: a page at a time where the page holds no
  // code, a chunk at a time where it does; within the segment.
  const floor = base, ceil = base + 0xFFFF;
  let lo = lin & ~31;
  while (lo > floor) {
    const below = lo - 1, kind = pageKind(below >>> 12);
    if (kind == 0 || (kind == 2 && marked(below))) break;
    lo = kind == 1 ? below & ~0xFFF : below & ~31;
  }
  let hi = lin | 31;
  while (hi < ceil) {
    const above = hi + 1, kind = pageKind(above >>> 12);
    if (kind == 0 || (kind == 2 && marked(above))) break;
    hi = kind == 1 ? above | 0xFFF : above | 31;
  }
  if (lo < floor) lo = floor;
  if (hi > ceil) hi = ceil;
  return (lo - base) | ((hi - lo) << 16);
}
