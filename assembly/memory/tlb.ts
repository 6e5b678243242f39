/**
 * tlb.ts — the software TLB: linear address → host address, one compare.
 *
 * Real mode has no paging, so the "TLB" is a complete direct-mapped table
 * over the 272 linear pages real mode can reach (0x000000–0x10FFFF); it never
 * misses. What it buys is the *flags*: every entry carries the reasons an
 * access must leave the fast path, so that ROM, MMIO, pages holding
 * translated code, dirty logging and copy-on-write all hook in at one place
 * and cost nothing when absent. The A20 gate is also just a remap of the 16
 * HMA pages.
 *
 * Entry format (TLB_READ / TLB_WRITE, one i32 per linear page):
 *
 *    31                          12 11      6 5 4 3 2 1 0
 *   ┌──────────────────────────────┬─────────┬─┬─┬─┬─┬─┬─┐
 *   │ frame − linear page base     │    0    │U│W│D│C│M│R│
 *   └──────────────────────────────┴─────────┴─┴─┴─┴─┴─┴─┘
 *     R = ROM (writes dropped)      M = MMIO (host handles)
 *     C = page flagged by the API's setCodePages (every write reported)
 *     J (bit 6) = page holds the translator's code (writes to its code
 *         chunks reported, see CODE_BITMAP)
 *     D = dirty logging (first write records the page, then clears D)
 *     W = copy-on-write (first write copies the shared frame)
 *     U = unmapped / open bus (reads 0xFF, writes dropped)
 *
 * Fast path:  e = TLB[lin >>> 12];  if ((e & 0xFFF) == 0) host = e + lin.
 * Read entries only ever carry M and U; write entries carry all of them.
 *
 * What this file is not: segmentation (memory/access.ts does seg:off → lin)
 * and the host's view of memory (src/ reads guest RAM through the frames).
 */
import {
  TLB_READ, TLB_WRITE, PAGE_PHYS, PAGE_FLAGS, PAGE_FRAME, DIRTY_BITMAP,
  LIN_PAGES, GUEST_BASE, MEM_SIZE, A20, MAX_PHYS_PAGES, CODE_BITMAP, CODE_BITMAP_LIMIT,
  STAT_MMIO, STAT_ROM_WRITES, STAT_COW_BREAKS, STAT_CODE_WRITES, STAT_TLB_SLOW,
  STAT_OPEN_BUS, JIT_WINDOW_LEN,
} from "../layout";
import { hostMmioRead, hostMmioWrite, hostCodeWrite } from "../host";

// Page flags (PAGE_FLAGS, per physical page) share bit positions with the
// TLB entry flags, so building an entry is a mask.
export const PF_ROM: i32 = 1 << 0;
export const PF_MMIO: i32 = 1 << 1;
export const PF_CODE: i32 = 1 << 2;
export const PF_DIRTY_LOG: i32 = 1 << 3;
export const PF_COW: i32 = 1 << 4;
export const PF_UNMAPPED: i32 = 1 << 5;
/** The page holds code the built-in translator compiled. Unlike C (every
 *  write reported), only writes that touch a 32-byte chunk marked in
 *  CODE_BITMAP reach the host: data and stack sharing a page with hot
 *  code stay in Wasm. */
export const PF_JIT_CODE: i32 = 1 << 6;

const READ_SLOW: i32 = PF_MMIO | PF_UNMAPPED;
const WRITE_SLOW: i32 = PF_ROM | PF_MMIO | PF_CODE | PF_DIRTY_LOG | PF_COW | PF_UNMAPPED | PF_JIT_CODE;

@inline function bump(stat: i32): void { store<i32>(stat, load<i32>(stat) + 1); }

/** Physical page count of the configured memory. */
@inline export function physPages(): i32 { return load<i32>(MEM_SIZE) >>> 12; }

/** Physical page a linear page maps to after the A20 gate. */
@inline export function linToPhysPage(linPage: i32): i32 {
  return load<i32>(A20) ? linPage : linPage & 0xFF;
}

/** Recompute the TLB entries of one linear page from its physical page. */
export function tlbRefreshLinear(linPage: i32): void {
  store<i32>(JIT_WINDOW_LEN, 0); // the stack window may be stale
  const phys = linToPhysPage(linPage);
  store<i32>(PAGE_PHYS + (linPage << 2), phys);
  let flags: i32;
  let frame: i32;
  if (phys >= physPages()) {
    flags = PF_UNMAPPED;
    frame = GUEST_BASE; // never dereferenced: U sends every access slow
  } else {
    flags = <i32>load<u8>(PAGE_FLAGS + phys);
    frame = load<i32>(PAGE_FRAME + (phys << 2));
  }
  const base = frame - (linPage << 12);
  store<i32>(TLB_READ + (linPage << 2), base | (flags & READ_SLOW));
  store<i32>(TLB_WRITE + (linPage << 2), base | (flags & WRITE_SLOW));
}

/** Refresh every linear page that maps to a physical page. */
export function tlbRefreshPhys(physPage: i32): void {
  // Two linear pages can alias one physical page (the HMA with A20 off).
  if (physPage < LIN_PAGES) tlbRefreshLinear(physPage);
  if (physPage < 0x10) tlbRefreshLinear(physPage + 0x100);
}

export function tlbRefreshAll(): void {
  for (let p = 0; p < LIN_PAGES; p++) tlbRefreshLinear(p);
}

/** Reset the frame table to identity (every page backed by its home frame)
 *  and clear all page flags. */
export function memoryReset(): void {
  for (let p = 0; p < MAX_PHYS_PAGES; p++) {
    store<i32>(PAGE_FRAME + (p << 2), GUEST_BASE + (p << 12));
    store<u8>(PAGE_FLAGS + p, 0);
  }
  memory.fill(DIRTY_BITMAP, 0, MAX_PHYS_PAGES >>> 3);
  tlbRefreshAll();
}

export function setPageFlags(physPage: i32, flags: i32): void {
  store<u8>(PAGE_FLAGS + physPage, <u8>flags);
  tlbRefreshPhys(physPage);
}

export function getPageFlags(physPage: i32): i32 {
  return <i32>load<u8>(PAGE_FLAGS + physPage);
}

/** Back a physical page by another frame (host address). With cow = true the
 *  page becomes copy-on-write: reads see the frame, the first write copies it
 *  into the page's home frame and remaps the page there. */
export function mapPageFrame(physPage: i32, frame: i32, cow: bool): void {
  store<i32>(PAGE_FRAME + (physPage << 2), frame);
  let flags = <i32>load<u8>(PAGE_FLAGS + physPage);
  flags = cow ? flags | PF_COW : flags & ~PF_COW;
  setPageFlags(physPage, flags);
}

/** Host address of the frame currently backing a physical page. */
export function pageFrame(physPage: i32): i32 {
  return load<i32>(PAGE_FRAME + (physPage << 2));
}

/** Start (or stop) dirty logging on every physical page. */
export function dirtyLogEnable(on: bool): void {
  const n = physPages();
  for (let p = 0; p < n; p++) {
    let f = <i32>load<u8>(PAGE_FLAGS + p);
    f = on ? f | PF_DIRTY_LOG : f & ~PF_DIRTY_LOG;
    store<u8>(PAGE_FLAGS + p, <u8>f);
  }
  memory.fill(DIRTY_BITMAP, 0, MAX_PHYS_PAGES >>> 3);
  tlbRefreshAll();
}

/** Is a physical page marked dirty in the log? */
export function dirtyTest(physPage: i32): bool {
  return (load<u8>(DIRTY_BITMAP + (physPage >>> 3)) & (1 << (physPage & 7))) != 0;
}

/** Record a write the host made to a page (logging on): set its dirty bit
 *  and stop trapping its writes, as a guest write would. */
export function dirtyMark(physPage: i32): void {
  const a = DIRTY_BITMAP + (physPage >>> 3);
  store<u8>(a, <u8>(<i32>load<u8>(a) | (1 << (physPage & 7))));
  setPageFlags(physPage, getPageFlags(physPage) & ~PF_DIRTY_LOG);
}

/** Clear a page's dirty bit and arm logging on it again. */
export function dirtyClear(physPage: i32): void {
  const a = DIRTY_BITMAP + (physPage >>> 3);
  store<u8>(a, <u8>(<i32>load<u8>(a) & ~(1 << (physPage & 7))));
  setPageFlags(physPage, getPageFlags(physPage) | PF_DIRTY_LOG);
}

// ------------------------------------------------------------ slow paths

/** Physical address of a linear address (after A20). */
@inline export function linToPhys(lin: i32): i32 {
  return (load<i32>(PAGE_PHYS + ((lin >>> 12) << 2)) << 12) | (lin & 0xFFF);
}

export function readSlow8(lin: i32): i32 {
  bump(STAT_TLB_SLOW);
  const e = load<i32>(TLB_READ + ((lin >>> 12) << 2));
  if (e & PF_UNMAPPED) { bump(STAT_OPEN_BUS); return 0xFF; }
  if (e & PF_MMIO) { bump(STAT_MMIO); return hostMmioRead(linToPhys(lin), 1) & 0xFF; }
  return <i32>load<u8>((e & ~0xFFF) + lin);
}

/** Handle the write-side flags of a page before a write of `size` bytes at
 *  lin. Returns the host address to store to, or 0 if the write is dropped
 *  or was fully handled here. */
function prepareWrite(lin: i32, size: i32, value: i32): i32 {
  bump(STAT_TLB_SLOW);
  const page = lin >>> 12;
  let e = load<i32>(TLB_WRITE + (page << 2));
  if (e & PF_UNMAPPED) { bump(STAT_OPEN_BUS); return 0; }
  const phys = load<i32>(PAGE_PHYS + (page << 2));
  if (e & PF_MMIO) {
    bump(STAT_MMIO);
    hostMmioWrite((phys << 12) | (lin & 0xFFF), size, value);
    return 0;
  }
  if (e & PF_ROM) { bump(STAT_ROM_WRITES); return 0; }
  let flags = <i32>load<u8>(PAGE_FLAGS + phys);
  if (e & PF_COW) {
    // Break sharing: copy the shared frame into this page's home frame.
    bump(STAT_COW_BREAKS);
    const home = GUEST_BASE + (phys << 12);
    const shared = load<i32>(PAGE_FRAME + (phys << 2));
    if (shared != home) memory.copy(home, shared, 4096);
    store<i32>(PAGE_FRAME + (phys << 2), home);
    flags &= ~PF_COW;
  }
  if (e & PF_DIRTY_LOG) {
    const a = DIRTY_BITMAP + (phys >>> 3);
    store<u8>(a, <u8>(<i32>load<u8>(a) | (1 << (phys & 7))));
    flags &= ~PF_DIRTY_LOG;
  }
  if (flags != <i32>load<u8>(PAGE_FLAGS + phys)) {
    store<u8>(PAGE_FLAGS + phys, <u8>flags);
    tlbRefreshPhys(phys);
    e = load<i32>(TLB_WRITE + (page << 2));
  }
  const addr = (phys << 12) | (lin & 0xFFF);
  if ((e & PF_CODE) || ((e & PF_JIT_CODE) && touchesCode(addr, size))) {
    bump(STAT_CODE_WRITES);
    hostCodeWrite(addr, size);
    // The host may have unmapped or remapped the page; re-read the entry.
    e = load<i32>(TLB_WRITE + (page << 2));
  }
  return (e & ~0xFFF) + lin;
}

/** Whether the 32-byte chunk at physical `addr` (below
 *  CODE_BITMAP_LIMIT) is marked in CODE_BITMAP: translated code came
 *  from it. */
@inline export function chunkMarked(addr: i32): bool {
  return ((<i32>load<u8>(CODE_BITMAP + (addr >>> 8)) >> ((addr >>> 5) & 7)) & 1) != 0;
}

/** Whether bytes [addr, addr + size) overlap a 32-byte chunk marked in
 *  CODE_BITMAP (physical memory below CODE_BITMAP_LIMIT). */
@inline function touchesCode(addr: i32, size: i32): bool {
  if (<u32>addr >= <u32>CODE_BITMAP_LIMIT) return false;
  return chunkMarked(addr) || chunkMarked(addr + size - 1);
}

export function writeSlow8(lin: i32, value: i32): void {
  const host = prepareWrite(lin, 1, value & 0xFF);
  if (host) store<u8>(host, <u8>value);
}

/** 16-bit read at a linear address that crosses a page or hits a slow page. */
export function readSlow16(lin: i32): i32 {
  const e = load<i32>(TLB_READ + ((lin >>> 12) << 2));
  if ((lin & 0xFFF) != 0xFFF && (e & PF_MMIO) && !(e & PF_UNMAPPED)) {
    bump(STAT_TLB_SLOW);
    bump(STAT_MMIO);
    return hostMmioRead(linToPhys(lin), 2) & 0xFFFF;
  }
  return read8(lin) | (read8(lin + 1) << 8);
}

export function writeSlow16(lin: i32, value: i32): void {
  if ((lin & 0xFFF) == 0xFFF) {
    write8(lin, value);
    write8(lin + 1, value >> 8);
    return;
  }
  const host = prepareWrite(lin, 2, value & 0xFFFF);
  if (host) store<u16>(host, <u16>value);
}

// ------------------------------------------------------------ fast paths

/** Read a byte at a linear address. */
@inline export function read8(lin: i32): i32 {
  const e = load<i32>(TLB_READ + ((lin >>> 12) << 2));
  if ((e & 0xFFF) == 0) return <i32>load<u8>(e + lin);
  return readSlow8(lin);
}

@inline export function write8(lin: i32, value: i32): void {
  const e = load<i32>(TLB_WRITE + ((lin >>> 12) << 2));
  if ((e & 0xFFF) == 0) store<u8>(e + lin, <u8>value);
  else writeSlow8(lin, value);
}

/** Read a little-endian word at a linear address (may cross a page). */
@inline export function read16(lin: i32): i32 {
  const e = load<i32>(TLB_READ + ((lin >>> 12) << 2));
  if ((e & 0xFFF) == 0 && (lin & 0xFFF) != 0xFFF) return <i32>load<u16>(e + lin);
  return readSlow16(lin);
}

@inline export function write16(lin: i32, value: i32): void {
  const e = load<i32>(TLB_WRITE + ((lin >>> 12) << 2));
  if ((e & 0xFFF) == 0 && (lin & 0xFFF) != 0xFFF) store<u16>(e + lin, <u16>value);
  else writeSlow16(lin, value);
}
