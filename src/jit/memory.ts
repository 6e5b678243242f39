/**
 * memory.ts — guest memory accesses in generated code: the effective
 * address and the software TLB's fast paths inline, and a side exit for
 * everything else; PUSH and POP on SS:SP.
 *
 *   linear = SEG_BASE[seg] + offset                  (locals 1 and 2)
 *   a word or dword across a page or the segment's end
 *                ──▶ side exit: back to the core before the instruction,
 *                    which the interpreter runs (codegen.ts sideExit)
 *   entry  = TLB[linear >> 12]                       (local 3)
 *   entry == GUEST_BASE
 *                ──▶ home frame: load/store at GUEST_BASE + linear
 *   a write, entry == GUEST_BASE | PF_JIT_CODE, no code chunk written
 *                ──▶ the same
 *   no flag in entry & 0xFFF
 *                ──▶ another frame: load/store at entry + linear
 *                    (reads of a shared, copy-on-write frame; the HMA's
 *                    wrap with A20 off)
 *   otherwise    ──▶ side exit
 *
 * PUSH, POP, CALL and RET words test the stack window instead (one
 * range test; see windowed()), and the operands of an access group their
 * group's slot (groups.ts).
 *
 * The first level's address does not wait for the entry's load: the
 * entry only steers a branch the CPU predicts, so a chain of dependent
 * accesses (XLAT, a table walk) pays the TLB once in throughput, not in
 * latency. GUEST_BASE rides in the access's offset.
 *
 * No helper is called: a call clobbers every register, and V8 spills the
 * locals live across one even where it is never taken. MMIO, ROM, writes
 * to translated code, copy-on-write, dirty logging, crossings and the
 * faults of offset FFFFh all happen in the interpreter, as without the
 * translator. So an instruction must not change a local the exit
 * epilogue writes back before its last access (POP to memory steps SP
 * after its store; flags follow a store). Only 16-bit addressing is
 * inline.
 */
import type { MemOperand } from "../x86/ir.js";
import { Gen, L_LIN, L_OFF, L_SEG0, L_TMP, REG16, SEGS, SP } from "./codegen.js";

/**
 * Local 1 = the 16-bit offset of `mem`, local 2 = its linear address; for
 * the readMem or writeMem calls that follow. Where `mem` is in an access
 * group (groups.ts) there is no address to work out: the result is empty,
 * and the access goes at a constant offset from the group's slot. (LEA,
 * which reads local 1 itself, is in no group.)
 */
export function address(g: Gen, mem: MemOperand): number[] {
  const grp = g.groups.of.get(mem);
  if (grp) {
    g.access = { slot: grp.slot, offset: mem.disp - grp.lo, tested: false };
    return [];
  }
  const m = g.m;
  let sum = g.c(mem.disp);
  if (mem.base !== null) sum = m.i32.add(sum, g.regN(16, REG16[mem.base]));
  if (mem.index !== null) sum = m.i32.add(sum, g.regN(16, REG16[mem.index]));
  return [g.set(L_OFF, m.i32.and(sum, g.c(0xffff))), setLinear(g, mem.seg)];
}

/** Local 2 = segment `seg`'s base + the offset in local 1 (an access
 *  outside any group follows). */
export function setLinear(g: Gen, seg: string): number {
  const s = SEGS[seg];
  g.access = null;
  return g.set(L_LIN, g.m.i32.add(g.state.segs.has(s) ? g.get(L_SEG0 + s) : g.ld32(g.L.SEG_BASE + s * 4), g.get(L_OFF)));
}

/** The TLB entry at `table` for the linear address `lin` (local 2 by
 *  default). The table's address rides in the load's offset, so the index
 *  is one shift pair. (groups.ts tests a group's pages with it too.) */
export function tlbLoad(g: Gen, table: number, lin = g.get(L_LIN)): number {
  const m = g.m;
  return m.i32.load(table, 4, m.i32.shl(m.i32.shr_u(lin, g.c(12)), g.c(2)), "mem");
}

/** tlbLoad, teed into local 3. */
function tlbEntry(g: Gen, table: number): number {
  return g.m.local.tee(L_TMP, tlbLoad(g, table), g.i32);
}

/** Nonzero when a `size`-bit access at locals 1/2 crosses a page or sits
 *  at the end of the segment (offset FFFFh for a word): 0 for a byte. */
function crosses(g: Gen, size: number): number | null {
  if (size === 8) return null;
  const m = g.m, bytes = size / 8;
  return m.i32.or(
    m.i32.gt_u(m.i32.and(g.get(L_LIN), g.c(0xfff)), g.c(0x1000 - bytes)),
    m.i32.gt_u(g.get(L_OFF), g.c(0x10000 - bytes)));
}

/** Nonzero unless the access goes to the page's home frame (the entry is
 *  GUEST_BASE and carries no flag): the first level, whose host address,
 *  GUEST_BASE + linear, does not wait for the entry. (A crossing access
 *  has left before: crossExit.) */
function awayTest(g: Gen, table: number): number {
  return g.m.i32.ne(tlbEntry(g, table), g.c(g.L.GUEST_BASE));
}

/**
 * A word or dword that crosses a page or the segment's end leaves (a side
 * exit), tested before the TLB and on its own: a branch of its own that
 * the CPU predicts, rather than a flag OR-ed into the entry's test
 * (bench-mix +5–11% median; without the test at all, as a bound, +18%).
 * The precise test runs only for an access whose last byte is in the next
 * 16-byte paragraph: in real mode a segment's base is its selector × 16
 * (setSeg), so offset and linear address agree in their low four bits, and
 * a page's end and offset FFFFh both end a paragraph (mix +7% again).
 */
function crossExit(g: Gen, size: number, ip: number): number[] {
  const cross = crosses(g, size);
  if (cross === null) return [];
  const m = g.m;
  const nextParagraph = m.i32.gt_u(m.i32.and(g.get(L_LIN), g.c(15)), g.c(16 - size / 8));
  return [m.if(nextParagraph, m.if(cross, g.block(g.sideExit(ip))))];
}

/** With the entry in local 3, whether the access must leave (a side
 *  exit): 0 for the second level, a store or load at entry (flags
 *  cleared) + linear, where no flag is set. (Crossing accesses have left
 *  before: crossExit; writeMem tests the home frame's pages that hold
 *  translated code before it comes here.) A write reaches this level on
 *  another frame only through the HMA's wrap with A20 off: every other
 *  frame than a page's own is shared, copy-on-write. */
function slowTest(g: Gen): number {
  return g.m.i32.and(g.get(L_TMP), g.c(0xfff));
}

/** Nonzero when a 32-byte chunk of [linear, linear + span] (local 2, on
 *  the home frame, where linear is physical; span < 256) is marked in
 *  CODE_BITMAP as one translated code came from: the first chunk's bit
 *  and the bits of the chunks the range runs into — at most nine, all in
 *  the 16 bits from the first one's byte: one load and one shift. (A
 *  write's test, span = its bytes − 1; groups.ts tests a group's range.) */
export function codeChunks(g: Gen, span: number): number {
  const m = g.m, lin = () => g.get(L_LIN);
  const at = m.i32.shr_u(lin(), g.c(8));
  const bits = span === 0 ? m.i32.load8_u(g.L.CODE_BITMAP, 1, at, "mem") : m.i32.load16_u(g.L.CODE_BITMAP, 1, at, "mem");
  const shifted = m.i32.shr_u(bits, m.i32.and(m.i32.shr_u(lin(), g.c(5)), g.c(7)));
  if (span === 0) return m.i32.and(shifted, g.c(1));
  const more = m.i32.shr_u(m.i32.add(m.i32.and(lin(), g.c(31)), g.c(span)), g.c(5)); // chunks after the first
  return m.i32.and(shifted, m.i32.sub(m.i32.shl(g.c(2), more), g.c(1)));
}

/** The value of the `size`-bit operand at locals 1/2 (see address()). */
export function readMem(g: Gen, size: number, ip: number): number {
  const m = g.m;
  const load = (offset: number, ptr: number) => size === 8 ? m.i32.load8_u(offset, 1, ptr, "mem")
    : size === 16 ? m.i32.load16_u(offset, 1, ptr, "mem") : m.i32.load(offset, 1, ptr, "mem");
  return grouped(g, (slot, offset) => load(offset, slot), ip, g.i32) ?? tlbRead(g, size, ip, load);
}

/**
 * An access in a group: at a constant offset from the group's slot. Where
 * the group's test failed (the slot is 0), the block leaves before the
 * instruction (a side exit) and asks the host, through JIT_DEOPT, to
 * translate the page again without groups: so there is no TLB path here
 * to cost registers, and a failing group costs one translation, not a
 * side exit per access. (A read-modify-write's write finds the slot
 * tested by its read.)
 */
function grouped(g: Gen, fast: (slot: number, offset: number) => number, ip: number, type: number): number | null {
  const a = g.access;
  if (a === null) return null;
  const access = fast(g.get(a.slot), a.offset);
  if (a.tested) return access;
  a.tested = true;
  const m = g.m;
  const lost = m.if(m.i32.eqz(g.get(a.slot)), g.block([g.st32(g.L.JIT_DEOPT, g.c(1)), ...g.sideExit(ip)]));
  return m.block(null, [lost, access], type);
}

/** readMem through the TLB. */
function tlbRead(g: Gen, size: number, ip: number, load: (offset: number, ptr: number) => number): number {
  const m = g.m, L = g.L;
  const away = m.if(slowTest(g), m.block(null, g.sideExit(ip), g.i32), load(0, m.i32.add(g.get(L_TMP), g.get(L_LIN))));
  const value = m.if(awayTest(g, L.TLB_READ), away, load(L.GUEST_BASE, g.get(L_LIN)));
  const cross = crossExit(g, size, ip);
  return cross.length === 0 ? value : m.block(null, [...cross, value], g.i32);
}

/**
 * Store `value` (an expression) to the operand at locals 1/2, then do
 * `after()` — the rest of the instruction. On the slow path the block
 * leaves before the instruction (a side exit): nothing the instruction
 * does may reach a local before its store.
 */
export function writeMem(g: Gen, size: number, value: number, ip: number, after: () => number[] = () => []): number[] {
  const m = g.m;
  const store = (offset: number, ptr: number, v: number) => size === 8 ? m.i32.store8(offset, 1, ptr, v, "mem")
    : size === 16 ? m.i32.store16(offset, 1, ptr, v, "mem") : m.i32.store(offset, 1, ptr, v, "mem");
  const inGroup = grouped(g, (slot, offset) => store(offset, slot, value), ip, g.api.none);
  return [...inGroup === null ? tlbWrite(g, size, value, ip, store) : [inGroup], ...after()];
}

/** writeMem's store through the TLB. */
function tlbWrite(g: Gen, size: number, value: number, ip: number, store: (offset: number, ptr: number, v: number) => number): number[] {
  const m = g.m, L = g.L;
  // The host address less GUEST_BASE (the store's offset): linear on the
  // first level; entry (flags cleared) + linear on the second.
  const second = m.block(null, [
    m.if(slowTest(g), g.block(g.sideExit(ip))),
    m.i32.sub(m.i32.add(m.i32.and(g.get(L_TMP), g.c(~0xfff)), g.get(L_LIN)), g.c(L.GUEST_BASE)),
  ], g.i32);
  // A page of the home frame that holds translated code (a stack or data
  // beside hot code: a boot sector's stack below 7C00h) first: physical
  // is linear there, so the chunk test need not wait for the entry.
  const codePage = m.i32.eq(g.get(L_TMP), g.c(L.GUEST_BASE | L.PF_JIT_CODE));
  const homeCode = m.block(null, [m.if(codeChunks(g, size / 8 - 1), g.block(g.sideExit(ip))), g.get(L_LIN)], g.i32);
  const ptr = m.if(awayTest(g, L.TLB_WRITE), m.if(codePage, homeCode, second), g.get(L_LIN));
  return [...crossExit(g, size, ip), store(L.GUEST_BASE, ptr, value)];
}

/**
 * Whether a PUSH's or POP's word goes by the stack window: the range of
 * SS offsets (JIT_WINDOW_LO, JIT_WINDOW_LEN) that the core's
 * jit/stackwindow.ts keeps up to date for translated code — around SP, as
 * far as its pages are the home frame's with no flag but PF_JIT_CODE and
 * hold no chunk of translated code, within the segment. Two loads from
 * fixed addresses, not locals: live across a whole function, two locals
 * cost its hot loops registers where only cold code pushes (string's
 * call at the end: 4% slower). A word at offset o in it (o − lo <u length)
 * goes straight to GUEST_BASE + linear: one test, where the TLB's path
 * has the crossing test, the entry's and, on a page that holds code (a
 * boot sector's stack below 7C00h), the code bitmap's. Outside it the
 * word leaves (a side exit): the interpreter runs the instruction, and
 * the window is worked out again around the new SP when translated code
 * takes over. Dwords keep the TLB's path.
 */
function windowed(g: Gen, size: number): boolean {
  return g.state.stack && size === 16;
}

/** With a windowed word's offset in local 1: leave unless it lies in the
 *  stack window. */
function windowExit(g: Gen, ip: number): number {
  const m = g.m;
  return m.if(m.i32.ge_u(m.i32.sub(g.get(L_OFF), g.ld32(g.L.JIT_WINDOW_LO)), g.ld32(g.L.JIT_WINDOW_LEN)), g.block(g.sideExit(ip)));
}

/** PUSH a word or dword: SP − n (wrapping at 64 KiB), the store at SS:SP,
 *  then SP. */
export function push(g: Gen, value: number, size: number, ip: number): number[] {
  const m = g.m;
  const head = [g.set(L_OFF, m.i32.and(m.i32.sub(g.regN(16, SP), g.c(size / 8)), g.c(0xffff))), setLinear(g, "ss")];
  const step = () => [g.setRegN(16, SP, g.get(L_OFF))];
  if (!windowed(g, size)) return [...head, ...writeMem(g, size, value, ip, step)];
  return [...head, windowExit(g, ip), m.i32.store16(g.L.GUEST_BASE, 1, g.get(L_LIN), value, "mem"), ...step()];
}

/** POP a word or dword into local 3; SP + n. */
export function pop(g: Gen, size: number, ip: number): number[] {
  return [...popRead(g, size, ip), popStep(g, size)];
}

/** POP's read alone: the word or dword at SS:SP into local 3, SP as it
 *  was (POP to memory steps SP once its store is done). LEAVE reads at
 *  SS:BP (`from`). */
export function popRead(g: Gen, size: number, ip: number, from = SP): number[] {
  const head = [g.set(L_OFF, g.regN(16, from)), setLinear(g, "ss")];
  if (!windowed(g, size)) return [...head, g.set(L_TMP, readMem(g, size, ip))];
  return [...head, windowExit(g, ip), g.set(L_TMP, g.m.i32.load16_u(g.L.GUEST_BASE, 1, g.get(L_LIN), "mem"))];
}

/** POP's step: SP + n. */
export function popStep(g: Gen, size: number): number {
  return g.setRegN(16, SP, g.m.i32.add(g.regN(16, SP), g.c(size / 8)));
}
