/**
 * groups.ts — one TLB test for many memory operands. Where a region's
 * code addresses memory through a register it seldom sets (mix's DI; BP
 * in a compiled function's body) and one segment, its operands
 * `[reg+disp]` lie one register sum apart: the function tests, each time
 * it loads its locals (on entry and after every `execOne`) and after each
 * instruction that sets the register, that the whole displacement range
 * lies where the TLB's fast paths would take each of its accesses, as
 * one run of host memory, without wrapping at 64 KiB; each access then
 * goes to a constant offset from one local — no TLB entry, no crossing
 * test, no address arithmetic per access.
 *
 *   after every reload(), and after an instruction that sets the
 *   group's register or segment (groupTests):
 *     lo   = (base + index + dlo) & FFFFh          the lowest offset
 *     lin  = segment base + lo
 *     e    = TLB[lin >> 12]                        (the write entry if any
 *                                                   access writes)
 *     slot = lo + span <= FFFFh                    no offset wraps
 *          & TLB[(lin + span) >> 12] == e          one frame, or two in a row
 *          & (e has no flag                        (any frame: a shared one
 *                                                   too, for reads)
 *             | e == GUEST_BASE | PF_JIT_CODE      a page with code, and no
 *               & no chunk of the range marked)    code in the range
 *            ? (e & ~FFFh) + lin : 0               the host address
 *   each access at displacement d (memory.ts):
 *     slot == 0 ? leave, and have the page         a side exit, JIT_DEOPT
 *                 translated again without groups
 *               : load/store at slot + (d − dlo)   constant offset
 *
 * Why it holds: the registers and the segment base are the ones the test
 * saw, since the test runs again right after any instruction that sets
 * their locals (translate.ts; where it cannot — a write in if-converted
 * code, or by the instruction that ends a block — the region is
 * translated again without groups); and in real mode only the host makes
 * a TLB entry stricter (ROM, MMIO, copy-on-write, dirty logging and code
 * marking all happen between runs; an `execOne` that changes one, such as
 * an A20 toggle, is followed by a reload and the tests again; chunks of
 * code are marked only between runs). A group is a bet that its test
 * holds: a lost one — the range reaches MMIO, a flagged page, a chunk of
 * code or the segment's end — costs a side exit and one translation of
 * its page without groups (engine.ts deopt), after which those accesses
 * take the TLB's paths.
 *
 * What this file is not: the accesses themselves (memory.ts: address()
 * has no address to work out for a grouped operand; readMem/writeMem
 * test the slot and go at an offset from it).
 */
import type { Block } from "../x86/block.js";
import type { Insn, MemOperand } from "../x86/ir.js";
import { Gen, GROUP_SLOTS, L_GRP0, L_LIN, L_OFF, L_REG0, L_SEG0, L_TMP, REG16, SEGS } from "./codegen.js";
import { codeChunks, tlbLoad } from "./memory.js";

/** Operands of a region that share a test. */
export interface AccessGroup {
  readonly seg: string;
  readonly base: string | null;
  readonly index: string | null;
  /** Lowest displacement, and the highest displacement of a last byte. */
  readonly lo: number;
  readonly hi: number;
  /** Whether any access writes (the test reads the write entry). */
  readonly writes: boolean;
  /** The local that holds the test's outcome. */
  readonly slot: number;
  /** The locals the test reads: the segment base and the registers. */
  readonly locals: readonly number[];
}

/** A region's groups, and each operand's. */
export interface GroupPlan {
  readonly of: ReadonlyMap<MemOperand, AccessGroup>;
  readonly groups: readonly AccessGroup[];
}

/** The widest displacement range a group spans: a run of disp8 fields. */
const MAX_SPAN = 0x100;

/** Instructions whose first operand, when in memory, is only read. */
const READS_FIRST = new Set(["cmp", "test", "push", "mul", "imul", "div", "idiv", "call", "jmp", "bt"]);

/** Instructions that write both operands. */
const WRITES_BOTH = new Set(["xchg", "xadd", "cmpxchg"]);

/** Whether `insn` writes its operand number `k`. */
const writesOperand = (insn: Insn, k: number): boolean => WRITES_BOTH.has(insn.mnemonic) || (k === 0 && !READS_FIRST.has(insn.mnemonic));

/** The bit of general register `r` (0–7) and of segment `s` (SEGS
 *  numbering) in a set of what an instruction sets. */
const regBit = (r: number): number => 1 << r;
const segBit = (s: number): number => 1 << (8 + s);

/** General registers and segments an instruction may set (regBit,
 *  segBit): its first operand (unless only read), both of an exchange,
 *  and what it sets implicitly. An estimate for planning only (see
 *  translate.ts for what makes groups safe). */
function sets(insn: Insn): number {
  const mn = insn.mnemonic, op = insn.opcode, ops = insn.operands;
  let out = 0;
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k];
    if (o.kind === "mem" && o.farPointer) out |= segBit(SEGS.es) | segBit(SEGS.ds) | segBit(SEGS.ss) | segBit(SEGS.fs) | segBit(SEGS.gs);
    if (!writesOperand(insn, k)) continue;
    if (o.kind === "reg") out |= regBit(o.size === 8 ? o.num & 3 : o.num);
    if (o.kind === "seg") out |= segBit(SEGS[o.name]);
  }
  if (mn.startsWith("popa")) out |= 0xff;
  if (mn === "leave" || mn === "enter") out |= regBit(5);
  if ((op >= 0xa4 && op <= 0xaf) || (op >= 0x6c && op <= 0x6f)) out |= regBit(6) | regBit(7) | regBit(1);
  if (op === 0xd7 || op === 0x98 || op === 0x99 || ((op === 0xf6 || op === 0xf7) && ops.length === 1)) out |= regBit(0) | regBit(2);
  return out;
}

/** The memory operands an access group may take: 16-bit addressing,
 *  neither string nor far pointer, in a segment a region holds. */
function candidate(insn: Insn, o: Insn["operands"][number]): o is MemOperand {
  return insn.status === "ok" && insn.mnemonic !== "lea" && o.kind === "mem" && !o.implicit && !o.farPointer
    && o.addrSize === 16 && o.seg in SEGS && (o.size === 8 || o.size === 16 || o.size === 32)
    && (o.base !== null || o.index !== null);
}

/**
 * Plan a region's groups: the candidate operands by segment and registers,
 * cut into displacement windows of at most MAX_SPAN, the windows with the
 * most operands first, one slot each. Nothing here needs to know what
 * writes the registers: translate.ts checks that after generating.
 */
export function planGroups(blocks: readonly Block[]): GroupPlan {
  // (Plain loops and number keys: this runs once per translation — see
  // translate.ts's setup.) Keyed by segment, base and index.
  const byKey = new Map<number, { o: MemOperand; writes: boolean }[]>();
  const regKey = (r: string | null) => (r === null ? 0 : REG16[r] + 1);
  // How many instructions set each register and segment (by bit).
  const setters = new Array<number>(16).fill(0);
  for (let i = 0; i < blocks.length; i++) {
    const insns = blocks[i].insns;
    for (let j = 0; j < insns.length; j++) {
      const insn = insns[j];
      for (let bits = sets(insn); bits !== 0; bits &= bits - 1) setters[31 - Math.clz32(bits & -bits)]++;
      const ops = insn.operands;
      for (let k = 0; k < ops.length; k++) {
        const o = ops[k];
        if (!candidate(insn, o)) continue;
        const writes = writesOperand(insn, k);
        const key = (SEGS[o.seg] * 16 + regKey(o.base)) * 16 + regKey(o.index);
        let list = byKey.get(key);
        if (!list) byKey.set(key, list = []);
        list.push({ o, writes });
      }
    }
  }
  // A window pays where its operands outnumber, well, the instructions
  // that set its registers or segment: each is followed by the test again
  // (sieve's [bx+si], BX stepped each pass, ran 16% slower grouped).
  type Window = { members: { o: MemOperand; writes: boolean }[]; lo: number; hi: number; worth: number };
  const worth = (w: Window) => {
    const o = w.members[0].o;
    let n = setters[8 + SEGS[o.seg]];
    if (o.base !== null) n += setters[REG16[o.base]];
    if (o.index !== null) n += setters[REG16[o.index]];
    return w.members.length - 4 * n;
  };
  const chosen: Window[] = [];
  byKey.forEach((list) => {
    list.sort((x, y) => x.o.disp - y.o.disp);
    const windows: Window[] = [];
    let cur: Window | null = null;
    for (let k = 0; k < list.length; k++) {
      const e = list[k], hi = e.o.disp + e.o.size / 8 - 1;
      if (cur && Math.max(cur.hi, hi) - cur.lo < MAX_SPAN) { cur.members.push(e); cur.hi = Math.max(cur.hi, hi); continue; }
      cur = { members: [e], lo: e.o.disp, hi, worth: 0 };
      windows.push(cur);
    }
    for (const w of windows) if (w.members.length >= 2 && (w.worth = worth(w)) > 0) chosen.push(w);
  });
  chosen.sort((x, y) => y.worth - x.worth);
  const of = new Map<MemOperand, AccessGroup>(), groups: AccessGroup[] = [];
  for (let c = 0; c < chosen.length && c < GROUP_SLOTS; c++) {
    const w = chosen[c], o = w.members[0].o;
    const locals = [L_SEG0 + SEGS[o.seg]];
    if (o.base !== null) locals.push(L_REG0 + REG16[o.base]);
    if (o.index !== null) locals.push(L_REG0 + REG16[o.index]);
    let writes = false;
    for (const e of w.members) writes ||= e.writes;
    const grp: AccessGroup = {
      seg: o.seg, base: o.base, index: o.index, lo: w.lo, hi: w.hi, writes, slot: L_GRP0 + groups.length, locals,
    };
    groups.push(grp);
    for (const e of w.members) of.set(e.o, grp);
  }
  return { of, groups };
}

/** The tests of every group of the region (see the header), each into its
 *  slot. Locals 1, 2 and 3 serve as temps: no access is under way. */
export function groupTests(g: Gen, groups = g.groups.groups): number[] {
  const m = g.m, L = g.L, out: number[] = [];
  for (const grp of groups) {
    let sum = g.c(grp.lo);
    if (grp.base !== null) sum = m.i32.add(sum, g.regN(16, REG16[grp.base]));
    if (grp.index !== null) sum = m.i32.add(sum, g.regN(16, REG16[grp.index]));
    const span = grp.hi - grp.lo, table = grp.writes ? L.TLB_WRITE : L.TLB_READ;
    const entry = () => g.get(L_TMP);
    // The entry of the range's last byte's page: the same as the first's.
    const last = tlbLoad(g, table, m.i32.add(g.get(L_LIN), g.c(span)));
    let usable = m.i32.eqz(m.i32.and(entry(), g.c(0xfff)));
    if (grp.writes) usable = m.i32.or(usable, m.i32.and(m.i32.eq(entry(), g.c(L.GUEST_BASE | L.PF_JIT_CODE)), m.i32.eqz(codeChunks(g, span))));
    const ok = m.i32.and(m.i32.and(m.i32.le_u(g.get(L_OFF), g.c(0xffff - span)), m.i32.eq(entry(), last)), usable);
    out.push(
      g.set(L_OFF, m.i32.and(sum, g.c(0xffff))),
      g.set(L_LIN, m.i32.add(g.get(L_SEG0 + SEGS[grp.seg]), g.get(L_OFF))),
      g.set(L_TMP, tlbLoad(g, table)),
      g.set(grp.slot, m.select(ok, m.i32.add(m.i32.and(entry(), g.c(~0xfff)), g.get(L_LIN)), g.c(0))),
    );
  }
  return out;
}
