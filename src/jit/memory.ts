/**
 * memory.ts — guest memory accesses in generated code: the effective
 * address, the software TLB's fast path inline, and the core's segmented
 * helpers on the slow path; PUSH and POP on SS:SP.
 *
 *   linear = SEG_BASE[seg] + offset                  (locals 1 and 2)
 *   entry  = TLB[linear >> 12]                       (local 3)
 *   entry & 0xFFF (flag bits), or a word that crosses a page or sits at
 *   offset FFFFh ──▶ slow: sync, INSN_IP, helper_read/write(seg, offset)
 *   otherwise    ──▶ fast: load/store at entry + linear
 *
 * The slow path tests for the one fault a real-mode access can raise
 * before calling the helper, and raises it from the synced state
 * (codegen.ts's fault epilogue). After a slow write the block stops if
 * EVENTS is set; after a slow read the block's end tests it (goTo). Only
 * 16-bit addressing is inline.
 */
import type { MemOperand } from "../x86/ir.js";
import { Gen, L_LIN, L_OFF, L_SEG0, L_TMP, REG16, SEGS, SP } from "./codegen.js";

/** Local 1 = the 16-bit offset of `mem`, local 2 = its linear address. */
export function address(g: Gen, mem: MemOperand): number[] {
  const m = g.m;
  let sum = g.c(mem.disp);
  for (const r of [mem.base, mem.index]) {
    if (r !== null) sum = m.i32.add(sum, g.regN(16, REG16[r]));
  }
  return [g.set(L_OFF, m.i32.and(sum, g.c(0xffff))), setLinear(g, mem.seg)];
}

/** Local 2 = segment `seg`'s base + the offset in local 1. */
export function setLinear(g: Gen, seg: string): number {
  const s = SEGS[seg];
  return g.set(L_LIN, g.m.i32.add(g.state.segs.has(s) ? g.get(L_SEG0 + s) : g.ld32(g.L.SEG_BASE + s * 4), g.get(L_OFF)));
}

/** Whether the TLB entry at `table` for local 2 sends a `size`-bit access
 *  slow: 0 for the fast path. Leaves the entry's host base in local 3.
 *  A write to a page holding translated code whose only flag that is
 *  (PF_JIT_CODE) goes fast too unless it touches a 32-byte chunk code was
 *  decoded from (CODE_BITMAP): the core's prepareWrite test, inline, so a
 *  stack or data sharing the page with hot code (bench-mix: the stack
 *  below 7C00h) costs no call. */
function slowTest(g: Gen, table: number, size: number): number {
  const m = g.m, L = g.L;
  const entry = m.local.tee(L_TMP, m.i32.load(0, 4, m.i32.add(g.c(table), m.i32.shl(m.i32.shr_u(g.get(L_LIN), g.c(12)), g.c(2))), "mem"), g.i32);
  let slow = m.i32.and(entry, g.c(0xfff));
  if (table === L.TLB_WRITE) {
    // The home frame (a shared one has PF_COW): physical = host − GUEST_BASE.
    const phys = () => m.i32.sub(m.i32.add(m.i32.and(g.get(L_TMP), g.c(~0xfff)), g.get(L_LIN)), g.c(L.GUEST_BASE));
    // (A maker, not an expression: each use needs its own tree.)
    const marked = (chunk: () => number) => m.i32.and(
      m.i32.shr_u(m.i32.load8_u(0, 1, m.i32.add(g.c(L.CODE_BITMAP), m.i32.shr_u(chunk(), g.c(3))), "mem"), m.i32.and(chunk(), g.c(7))), g.c(1));
    const first = () => m.i32.shr_u(phys(), g.c(5));
    const last = () => m.i32.shr_u(m.i32.add(phys(), g.c(size / 8 - 1)), g.c(5));
    slow = m.if(slow,
      m.if(m.i32.eq(m.i32.and(g.get(L_TMP), g.c(0xfff)), g.c(L.PF_JIT_CODE)),
        size === 8 ? marked(first) : m.i32.or(marked(first), marked(last)),
        g.c(1)),
      g.c(0));
  }
  if (size > 8) {
    const bytes = size / 8;
    slow = m.i32.or(slow, m.i32.or(
      m.i32.gt_u(m.i32.and(g.get(L_LIN), g.c(0xfff)), g.c(0x1000 - bytes)),
      m.i32.gt_u(g.get(L_OFF), g.c(0x10000 - bytes))));
  }
  return slow;
}

const READ: Record<number, string> = { 8: "read8", 16: "read16", 32: "read32" };
const WRITE: Record<number, string> = { 8: "write8", 16: "write16", 32: "write32" };

/**
 * Before a slow-path helper call: the one fault it could raise in real
 * mode — #GP for a word at offset FFFFh (not on the 8086, which wraps) or a
 * dword past FFFCh — is tested here and taken through the fault epilogue,
 * which syncs the state first. Otherwise the helper only touches memory
 * and devices, and the locals stay as they are.
 */
function faultCheck(g: Gen, size: number, ip: number): number[] {
  if (size === 8 || (size === 16 && g.model === "8086")) return [];
  return [g.m.if(g.m.i32.gt_u(g.get(L_OFF), g.c(0x10000 - size / 8)), g.block(g.fault(ip)))];
}

/** The value of the `size`-bit operand at locals 1/2 (see address()). */
export function readMem(g: Gen, seg: string, size: number, ip: number): number {
  const m = g.m;
  const host = m.i32.add(g.get(L_TMP), g.get(L_LIN));
  const fast = size === 8 ? m.i32.load8_u(0, 1, host, "mem") : size === 16 ? m.i32.load16_u(0, 1, host, "mem") : m.i32.load(0, 1, host, "mem");
  const slow = m.block(null, [...faultCheck(g, size, ip), m.call(READ[size], [g.c(SEGS[seg]), g.get(L_OFF)], g.i32)], g.i32);
  g.eventsUnchecked = true; // an MMIO read may raise an interrupt
  return m.if(slowTest(g, g.L.TLB_READ, size), slow, fast);
}

/**
 * Store `value` (an expression, evaluated once) to the operand at locals
 * 1/2, then do `after()` — the rest of the instruction — on either path;
 * after a slow write, stop at `next` if EVENTS is set (it wrote translated
 * code, or a device raised an interrupt): where the instruction goes on,
 * a constant or, for an indirect CALL, an expression.
 */
export function writeMem(g: Gen, seg: string, size: number, value: number, ip: number, next: number | (() => number), after: () => number[] = () => []): number[] {
  const m = g.m;
  const host = m.i32.add(g.get(L_TMP), g.get(L_LIN));
  const fast = size === 8 ? m.i32.store8(0, 1, host, value, "mem") : size === 16 ? m.i32.store16(0, 1, host, value, "mem") : m.i32.store(0, 1, host, value, "mem");
  // The fast path may be taken with PF_JIT_CODE in the entry (slowTest):
  // the host base without the flag.
  const base = g.set(L_TMP, m.i32.and(g.get(L_TMP), g.c(~0xfff)));
  const slow = m.block(null, [
    ...faultCheck(g, size, ip),
    m.call(WRITE[size], [g.c(SEGS[seg]), g.get(L_OFF), m.copyExpression(value)], g.api.none),
    ...after(),
    m.if(g.ld32(g.L.EVENTS), g.block(g.exit(typeof next === "number" ? g.c(next) : next()))),
  ]);
  return [m.if(slowTest(g, g.L.TLB_WRITE, size), slow, g.block([base, fast, ...after()]))];
}

/** PUSH a word or dword: SP − n (wrapping at 64 KiB), the store at SS:SP,
 *  then SP. `next`: where the instruction goes on (a CALL: its target). */
export function push(g: Gen, value: number, size: number, ip: number, next: number | (() => number)): number[] {
  const m = g.m;
  return [
    g.set(L_OFF, m.i32.and(m.i32.sub(g.regN(16, SP), g.c(size / 8)), g.c(0xffff))),
    setLinear(g, "ss"),
    ...writeMem(g, "ss", size, value, ip, next, () => [g.setRegN(16, SP, g.get(L_OFF))]),
  ];
}

/** POP a word or dword into local 3; SP + n. */
export function pop(g: Gen, size: number, ip: number): number[] {
  const m = g.m;
  return [
    g.set(L_OFF, g.regN(16, SP)),
    setLinear(g, "ss"),
    g.set(L_TMP, readMem(g, "ss", size, ip)),
    g.setRegN(16, SP, m.i32.add(g.get(L_OFF), g.c(size / 8))),
  ];
}
