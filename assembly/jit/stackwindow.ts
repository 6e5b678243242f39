/**
 * stackwindow.ts — the stack window: the range of SS offsets around SP
 * where translated code pushes and pops words with one range test and no
 * TLB.
 *
 * The core brings it up to date before it enters translated code and after
 * each execOne translated code calls (stackWindowUpdate); anything that
 * may make it stale (a TLB entry refreshed; the host marking chunks of
 * code) sets its length to 0. Each translated PUSH, POP, CALL and RET then
 * tests `offset − JIT_WINDOW_LO <u JIT_WINDOW_LEN` and goes to GUEST_BASE
 * + linear, or leaves for the interpreter (src/jit/memory.ts), and comes
 * back in with the window worked out around the new SP.
 *
 *   SS:0000                                                      SS:FFFF
 *      ┌────────┬────────┬─────┬───────────────────┬──────┬──────┐
 *      │ MMIO   │ plain  │code │ plain     ▲       │ code │ ...  │
 *      └────────┴────────┴─────┴───────────┼───────┴──────┴──────┘
 *                               lo         SP−2    hi
 *   plain: a page whose read and write entries are GUEST_BASE (the home
 *          frame, no flag); on a page whose write entry carries only
 *          PF_JIT_CODE, the 32-byte chunks CODE_BITMAP does not mark
 *   JIT_WINDOW_LO = lo, JIT_WINDOW_LEN = hi − lo, in offsets: a word at
 *   offset o lies in [lo, hi] iff o − lo <u hi − lo; length 0 where SP−2
 *   is in no window
 *
 * Why such a word can go straight to memory: on those pages linear is
 * physical and nothing is ROM, MMIO, logged or copy-on-write; no chunk of
 * translated code is written; and no word crosses the segment's end. (A
 * word across a page between two such pages is in the home frame too.)
 *
 * What this file is not: the generated tests (src/jit/memory.ts), the
 * TLB (memory/tlb.ts).
 */
import {
  REGS, SEG_BASE, TLB_READ, TLB_WRITE, GUEST_BASE, LIN_PAGES, CODE_BITMAP, JIT_WINDOW_LO, JIT_WINDOW_LEN, JIT_WINDOW_BASE,
} from "../layout";
import { PF_JIT_CODE, chunkMarked } from "../memory/tlb";

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

/** Whether the byte at linear `addr` is in a window. */
@inline function usable(addr: i32): bool {
  const kind = pageKind(addr >>> 12);
  return kind == 1 || (kind == 2 && !chunkMarked(addr));
}

/** Bring the stack window up to date for the current SS and SP (see the
 *  header): nothing to do while SP−2 lies in the window worked out last
 *  for this SS and nothing has made it stale since. */
export function stackWindowUpdate(): void {
  const base = load<i32>(SEG_BASE + SS * 4);
  const at = (load<i32>(REGS + SP * 4) - 2) & 0xFFFF; // the next PUSH's word
  if (base == load<i32>(JIT_WINDOW_BASE) && <u32>(at - load<i32>(JIT_WINDOW_LO)) < <u32>load<i32>(JIT_WINDOW_LEN)) return;
  const w = stackWindow(base, base + at);
  store<i32>(JIT_WINDOW_BASE, base);
  store<i32>(JIT_WINDOW_LO, w & 0xFFFF);
  store<i32>(JIT_WINDOW_LEN, w >>> 16);
}

/** The window around linear `lin` in the segment at `base`:
 *  lo | length << 16, 0 if none. */
function stackWindow(base: i32, lin: i32): i32 {
  if (!usable(lin)) return 0;
  // Down and up from its chunk: a page at a time where the page holds no
  // code; where it does, 256 bytes at a time where a byte of CODE_BITMAP
  // is clear, else a chunk at a time; within the segment. (It runs
  // whenever SP has left the last window: a few dozen steps.)
  const floor = base, ceil = base + 0xFFFF;
  let lo = lin & ~31;
  while (lo > floor) {
    const below = lo - 1, kind = pageKind(below >>> 12);
    if (kind == 0) break;
    if (kind == 1) { lo = below & ~0xFFF; continue; }
    if ((lo & 0xFF) == 0 && load<u8>(CODE_BITMAP + (below >>> 8)) == 0) { lo = below & ~0xFF; continue; }
    if (chunkMarked(below)) break;
    lo = below & ~31;
  }
  let hi = lin | 31;
  while (hi < ceil) {
    const above = hi + 1, kind = pageKind(above >>> 12);
    if (kind == 0) break;
    if (kind == 1) { hi = above | 0xFFF; continue; }
    if ((above & 0xFF) == 0 && load<u8>(CODE_BITMAP + (above >>> 8)) == 0) { hi = above | 0xFF; continue; }
    if (chunkMarked(above)) break;
    hi = above | 31;
  }
  if (lo < floor) lo = floor;
  if (hi > ceil) hi = ceil;
  return (lo - base) | ((hi - lo) << 16);
}
