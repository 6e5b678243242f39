/**
 * codegen.ts — the state of one function being generated: which guest
 * state lives in Wasm locals, how it goes back to the core's memory, the
 * instruction count, and the ways out of a block (into another block of
 * the region, or back to the core). The per-instruction translations are
 * inline.ts (with shifts.ts, strings.ts, and corecalls.ts for what calls a core helper), memory
 * accesses memory.ts, the lazy flags flags.ts.
 *
 * Guest state in locals. A region's function loads, on entry, the general
 * registers its inline code touches, the lazy-flags record, ICOUNT and
 * ICOUNT_STOP into locals; inline code works on the locals only. The core's
 * memory is brought up to date ("sync") only where something else looks:
 *
 *   leaving for the core         br $exit: one epilogue per function syncs,
 *                                stores IP and returns
 *   a fault on a slow path       br $fault: the other epilogue syncs and
 *                                raises it (#GP at offset FFFFh)
 *   execOne (interpreter)        sync what this block changed before; on
 *                                return, reload every local
 *
 * so the fast paths — ALU, moves, the TLB hit, a loop's back edge — touch
 * no CPU state in memory at all, and a function holds two copies of the
 * sync code, not one per exit.
 *
 *   local  0      the dispatch index (which block of the region runs next)
 *          1..3   a memory operand's offset, its linear address, a temp
 *          4..11  EAX..EDI (full 32 bits; AX/AL/AH are views of them)
 *          12..15 the lazy-flags record: LAZY_OP, LAZY_A, LAZY_B, LAZY_R
 *          16     a second temp
 *          17     ICOUNT (i64)        18  ICOUNT_STOP (i64)
 *          19     a carry-in (ADC/SBB), or an instruction's scratch value
 *          20     the IP an exit leaves for
 *          21     an instruction's result (a shift's, DIV's quotient)
 *          22     an if-converted Jcc's "not taken" (hammock.ts)
 *          23     CF of the record's X bits, kept apart as well (flags.ts)
 *          24..29 the segment bases ES CS SS DS FS GS the region uses
 *                 (reloaded after execOne; an inline MOV or POP to ES, DS,
 *                 FS or GS sets its local too, loadSeg)
 *          30     a string instruction's byte step: +1, or −1 with DF set
 *                 (reloaded after execOne; an inline CLD/STD sets it)
 *          31     entering at a block inside Wasm loops: the loops still
 *                 to go down through (layout.ts planEntries)
 *          32     the arithmetic flags as FLAGS holds them, worked out
 *                 from the record locals for a Jcc that could not tell
 *                 its condition at translation time — and kept for the
 *                 next, until the record changes (flags.ts)
 *          33     LAZY_X, the word a rotate's CF and OF come from while
 *                 LAZY_OP has its XR bit (flags.ts setRotateFlags); kept
 *                 and synced with the record
 *          34..37 access groups' slots, as many as the region has:
 *                 GUEST_BASE + a linear address whose displacement range
 *                 passed one TLB test, or 0 (groups.ts)
 */
import type { ModuleSubset } from "./emitter.js";
import type { Layout } from "../core/core.js";
import type { RegOperand, X86Model } from "../x86/ir.js";
import type { Record as FlagRecord } from "./flags.js";
import { blockLabel, loopLabel } from "./layout.js";
import type { GroupPlan } from "./groups.js";

export const L_IDX = 0, L_OFF = 1, L_LIN = 2, L_TMP = 3, L_REG0 = 4;
export const L_FOP = 12, L_FA = 13, L_FB = 14, L_FR = 15, L_TMP2 = 16, L_ICOUNT = 17, L_STOP = 18, L_CF = 19, L_NEXT = 20, L_RES = 21, L_PRED = 22, L_XCF = 23, L_SEG0 = 24, L_STEP = 30, L_ENTRY = 31, L_WORD = 32, L_X = 33, L_GRP0 = 34;
/** Access groups a region tests (groups.ts): their slots. */
export const GROUP_SLOTS = 4;
/** More than the number of locals a function has. */
const LOCALS_BOUND = L_GRP0 + GROUP_SLOTS;
/** The locals' types, in index order (addFunction's varTypes), with
 *  `groups` group slots. */
export function localTypes(api: WasmApi, groups = 0): number[] {
  return [...Array<number>(17).fill(api.i32), api.i64, api.i64, ...Array<number>(L_GRP0 + groups - 19).fill(api.i32)];
}

/** What the code generator reads of binaryen's namespace — or of the
 *  direct emitter's (emitter.ts), which has the same numbers. */
export interface WasmApi { readonly none: number; readonly i32: number; readonly i64: number }

/** Register numbers as the IR names them in memory operands. */
export const REG16: Readonly<Record<string, number>> = {
  ax: 0, cx: 1, dx: 2, bx: 3, sp: 4, bp: 5, si: 6, di: 7,
  eax: 0, ecx: 1, edx: 2, ebx: 3, esp: 4, ebp: 5, esi: 6, edi: 7,
};
export const SEGS: Readonly<Record<string, number>> = { es: 0, cs: 1, ss: 2, ds: 3, fs: 4, gs: 5 };
export const SP = 4, CX = 1, BP = 5;

/** The value mask of an operand of `size` bits. */
export const sizeMask = (size: number): number => (size === 32 ? -1 : (1 << size) - 1);

/** What the region's inline code may touch: loaded on entry, synced out. */
export interface RegionState {
  /** General registers (0–7) held in locals. */
  regs: ReadonlySet<number>;
  /** Whether the lazy-flags record is held in locals. */
  flags: boolean;
  /** Segments (SEGS numbering) whose base memory accesses read: held in
   *  locals, loaded with the registers. */
  segs: ReadonlySet<number>;
  /** Whether inline string instructions step SI/DI (L_STEP is loaded). */
  strings: boolean;
  /** Whether inline PUSH and POP test the stack window (memory.ts). */
  stack: boolean;
}

/** The region's blocks by first IP: their dispatch index (0: the entry),
 *  their position in the function's layout (by IP, so that most branches
 *  go forward and need no dispatch), whether they head a Wasm loop
 *  (layout.ts), and whether edges into them test the budget, for how many
 *  instructions (budget.ts). */
export type RegionMap = ReadonlyMap<number, { index: number; position: number; loop: boolean; check: boolean; bound: number }>;

export class Gen {
  /** Instructions translated inline and not yet added to the ICOUNT local. */
  pending = 0;
  /** What the flag locals hold, as far as this block knows (flags.ts). */
  record: FlagRecord = null;
  /** The layout position of the block being generated. */
  position = 0;
  /** The IPs budget.ts planned this block's branches for. */
  private successors = new Set<number>();
  /** CL's value when a MOV in this block set it and nothing wrote CX
   *  since (a shift by CL then has a constant count: shifts.ts). */
  knownCL: number | null = null;
  /** Whether L_WORD holds the flags of the record in the flag locals
   *  (flags.ts runtimeCondition); any write to those locals ends it. */
  flagsWord = false;
  /** The region's access groups (groups.ts), tested after every
   *  reload() and after an instruction that sets a group's register or
   *  segment: the locals set since the translation loop last cleared it,
   *  reload() apart (translate.ts). */
  groups: GroupPlan = { of: new Map(), groups: [] };
  private readonly setStamp = new Int32Array(LOCALS_BOUND);
  private setGeneration = 1;
  /** Whether `local` was set since the last clearSetSince() (reload()
   *  apart). A stamp per local, so that clearing costs nothing: the
   *  translation loop clears it before every instruction. */
  setSince(local: number): boolean { return this.setStamp[local] === this.setGeneration; }
  clearSetSince(): void { this.setGeneration++; }
  private inReload = false;
  /** Code run after every reload(): the groups' tests (translate.ts). */
  afterReload: () => number[] = () => [];
  /** The access group of the operand memory.ts address() saw last, for
   *  the readMem/writeMem that follow: its slot, the operand's offset
   *  from it, and whether the slot was tested yet (a read-modify-write's
   *  write finds it tested by its read). */
  access: { slot: number; offset: number; tested: boolean } | null = null;
  /** Registers whose local may differ from the core's copy (bit r), and
   *  whether the flag locals may (reset at each block start: unknown;
   *  only registers the region holds are ever read from it). */
  private dirty = 0;
  private flagsDirty = false;
  readonly i32: number;
  readonly i64: number;
  /** 32-bit registers exist (the 386): 16-bit writes keep the upper half. */
  readonly wide: boolean;

  /** Writes to registers and the flag record take effect only when
   *  L_PRED is set (predicate()). */
  private predicated = false;
  /** Side exits generated so far (sideExit). */
  private sideExits = 0;
  /** A temp no instruction's code keeps across another's (local 19). */
  readonly scratch = L_CF;

  constructor(
    readonly api: WasmApi,
    readonly m: ModuleSubset,
    readonly L: Layout,
    readonly region: RegionMap,
    readonly state: RegionState,
    /** Drop flag records nothing observes, and keep the record in locals
     *  (false: store every record to the core at once). */
    readonly elide: boolean,
    /** The CPU model the region was decoded for. */
    readonly model: X86Model,
  ) {
    this.i32 = api.i32;
    this.i64 = api.i64;
    this.wide = model === "386";
  }

  // ------------------------------------------------------------ basics

  c(v: number): number { return this.m.i32.const(v | 0); }
  get(local: number): number { return this.m.local.get(local, local === L_ICOUNT || local === L_STOP ? this.i64 : this.i32); }
  set(local: number, v: number): number {
    if (local >= L_FOP && local <= L_FR) this.flagsWord = false;
    if (!this.inReload) this.setStamp[local] = this.setGeneration;
    // Predicated (an if-converted hammock): guest state changes only when
    // L_PRED holds; temps are written either way.
    if (this.predicated && ((local >= L_REG0 && local <= L_FR) || local === L_XCF || local === L_X)) v = this.m.select(this.get(L_PRED), v, this.get(local));
    return this.m.local.set(local, v);
  }
  ld32(addr: number): number { return this.m.i32.load(0, 4, this.c(addr), "mem"); }
  st32(addr: number, v: number): number { return this.m.i32.store(0, 4, this.c(addr), v, "mem"); }
  block(items: number[]): number { return items.length === 1 ? items[0] : this.m.block(null, items); }

  // --------------------------------------------------------- registers

  private regLocal(num: number): number {
    if (!this.state.regs.has(num)) throw new Error(`jit: register ${num} used but not held in a local`);
    return L_REG0 + num;
  }

  /** A general register's value, zero-extended from its size. */
  reg(r: RegOperand): number { return this.regN(r.size, r.num); }

  /** Register `num` at `size` bits (8-bit numbers 4–7 are AH..BH). On
   *  the 8086 and 286 the locals hold 16 bits and nothing above (the
   *  upper halves do not exist: no instruction and no host call sets
   *  them), so a 16-bit read needs no mask. */
  regN(size: number, num: number): number {
    const m = this.m;
    if (size === 32) return this.get(this.regLocal(num));
    if (size === 16) return this.wide ? m.i32.and(this.get(this.regLocal(num)), this.c(0xffff)) : this.get(this.regLocal(num));
    const whole = this.get(this.regLocal(num & 3));
    if (num < 4) return m.i32.and(whole, this.c(0xff));
    return this.wide ? m.i32.and(m.i32.shr_u(whole, this.c(8)), this.c(0xff)) : m.i32.shr_u(whole, this.c(8));
  }

  /** Write a register: `v` is masked to the register's size. */
  setReg(r: RegOperand, v: number): number { return this.setRegN(r.size, r.num, v); }

  setRegN(size: number, num: number, v: number): number {
    const m = this.m;
    this.dirty |= 1 << (size === 8 ? num & 3 : num);
    if (num === 1) this.knownCL = null; // CL, CX or ECX (8-bit 5 is CH)
    if (size === 32) return this.set(this.regLocal(num), v);
    const local = this.regLocal(size === 8 ? num & 3 : num);
    if (size === 16 && !this.wide) return this.set(local, m.i32.and(v, this.c(0xffff)));
    let keep: number, part: number;
    if (size === 16) { keep = 0xffff0000; part = m.i32.and(v, this.c(0xffff)); }
    else if (num < 4) { keep = ~0xff; part = m.i32.and(v, this.c(0xff)); }
    else { keep = ~0xff00; part = m.i32.shl(m.i32.and(v, this.c(0xff)), this.c(8)); }
    return this.set(local, m.i32.or(m.i32.and(this.get(local), this.c(keep)), part));
  }

  /** Load segment register `s` (ES, DS, FS, GS: not SS, whose load opens
   *  an interrupt shadow, nor CS) with selector `v` as real mode does —
   *  the base is the selector × 16 (the core's setSeg) — and the region's
   *  local of that base, if it has one. `v` is read more than once: a
   *  local.get. */
  loadSeg(s: number, v: number): number[] {
    const m = this.m, L = this.L;
    const sel = () => m.i32.and(m.copyExpression(v), this.c(0xffff));
    const base = () => m.i32.shl(sel(), this.c(4));
    const out = [this.st32(L.SEG_SEL + s * 4, sel()), this.st32(L.SEG_BASE + s * 4, base())];
    if (this.state.segs.has(s)) out.push(this.set(L_SEG0 + s, base()));
    return out;
  }

  // ------------------------------------------------- locals and memory

  /** A new block, at `position` in the layout, that may branch to
   *  `successors` without a budget test where budget.ts planned none: any
   *  local may differ from the core's copy. `record`: what every way into
   *  it leaves in the flag locals (recordAtStart), or null; `flagsWord`:
   *  whether every way into it leaves L_WORD in step with them. */
  startBlock(position: number, successors: readonly number[], record: FlagRecord = null, flagsWord = false): void {
    this.position = position;
    this.successors = new Set(successors);
    this.record = record;
    this.flagsWord = flagsWord;
    this.knownCL = null;
    this.access = null;
    this.dirty = 0xff;
    this.flagsDirty = this.state.flags;
  }

  /** The flag locals now differ from the core's copy. */
  flagsChanged(): void { this.flagsDirty = true; }

  /** The core's state from the locals: registers, the flags record and
   *  ICOUNT (plus the instructions still pending, without consuming
   *  them). `all`: every local (the epilogues); otherwise what may have
   *  changed since the last sync. */
  sync(all: boolean): number[] {
    const m = this.m, L = this.L, out: number[] = [];
    for (const r of this.state.regs) {
      if (all || (this.dirty & (1 << r)) !== 0) out.push(this.st32(L.REGS + r * 4, this.get(L_REG0 + r)));
    }
    if (all || this.flagsDirty) out.push(...this.syncFlags());
    out.push(m.i64.store(0, 8, this.c(L.ICOUNT), this.countNow(), "mem"));
    return out;
  }

  /** Only the lazy-flags record to memory (before a core helper reads it). */
  syncFlags(): number[] {
    const L = this.L;
    if (!this.state.flags) return [];
    return [this.st32(L.LAZY_OP, this.get(L_FOP)), this.st32(L.LAZY_A, this.get(L_FA)),
      this.st32(L.LAZY_B, this.get(L_FB)), this.st32(L.LAZY_R, this.get(L_FR)), this.st32(L.LAZY_X, this.get(L_X))];
  }

  /** Before a core helper that reads or rewrites the flags: the record to
   *  memory if this block changed it. */
  flagsToCore(): number[] {
    if (!this.flagsDirty) return [];
    this.flagsDirty = false;
    return this.syncFlags();
  }

  /** After a core helper that set the flags: the record from memory. */
  flagsFromCore(): number[] {
    const L = this.L;
    this.record = null;
    this.flagsDirty = false;
    if (!this.state.flags) return [];
    return [this.set(L_FOP, this.ld32(L.LAZY_OP)), this.set(L_FA, this.ld32(L.LAZY_A)),
      this.set(L_FB, this.ld32(L.LAZY_B)), this.set(L_FR, this.ld32(L.LAZY_R)), this.set(L_X, this.ld32(L.LAZY_X))];
  }

  /** Registers `nums` to memory (those held in locals and changed), for a
   *  core helper that works on them in place. */
  regsToCore(nums: readonly number[]): number[] {
    const out: number[] = [];
    for (const r of nums) {
      if (this.state.regs.has(r) && (this.dirty & (1 << r)) !== 0) { out.push(this.st32(this.L.REGS + r * 4, this.get(L_REG0 + r))); this.dirty &= ~(1 << r); }
    }
    return out;
  }

  /** Registers `nums` from memory, after such a helper. */
  regsFromCore(nums: readonly number[]): number[] {
    if (nums.includes(1)) this.knownCL = null;
    return nums.filter((r) => this.state.regs.has(r)).map((r) => this.set(L_REG0 + r, this.ld32(this.L.REGS + r * 4)));
  }

  /** The locals from the core's state (on entry, and after execOne). */
  reload(): number[] {
    this.inReload = true;
    try { return [...this.reloadLocals(), ...this.afterReload()]; } finally { this.inReload = false; }
  }

  private reloadLocals(): number[] {
    const m = this.m, L = this.L, out: number[] = [];
    this.knownCL = null;
    for (const r of this.state.regs) out.push(this.set(L_REG0 + r, this.ld32(L.REGS + r * 4)));
    if (this.state.flags) {
      out.push(this.set(L_FOP, this.ld32(L.LAZY_OP)), this.set(L_FA, this.ld32(L.LAZY_A)),
        this.set(L_FB, this.ld32(L.LAZY_B)), this.set(L_FR, this.ld32(L.LAZY_R)), this.set(L_X, this.ld32(L.LAZY_X)));
    }
    for (const s of this.state.segs) out.push(this.set(L_SEG0 + s, this.ld32(L.SEG_BASE + s * 4)));
    if (this.state.strings) {
      out.push(this.set(L_STEP, m.i32.sub(this.c(1), m.i32.and(m.i32.shr_u(this.ld32(L.REG_FLAGS), this.c(9)), this.c(2)))));
    }
    out.push(this.set(L_ICOUNT, m.i64.load(0, 8, this.c(L.ICOUNT), "mem")),
      this.set(L_STOP, m.i64.load(0, 8, this.c(L.ICOUNT_STOP), "mem")));
    return out;
  }

  /** Predicated code has no way out: hammock.ts admits no instruction
   *  that could fault, call the core or leave. */
  private notPredicated(): void {
    if (this.predicated) throw new Error("jit: an exit, a call or a count in predicated code");
  }

  /** ICOUNT as it stands, the pending instructions included. */
  private countNow(): number {
    const m = this.m;
    this.notPredicated();
    return this.pending === 0 ? this.get(L_ICOUNT)
      : m.i64.add(this.get(L_ICOUNT), m.i64.const(this.pending));
  }

  /** Add the pending instructions to the ICOUNT local. */
  flushCount(): number[] {
    if (this.pending === 0) return [];
    const e = this.set(L_ICOUNT, this.countNow());
    this.pending = 0;
    return [e];
  }

  // ------------------------------------------------------------- exits

  /** Back to the core with IP = `ip` (an expression), through the exit
   *  epilogue. Leaves the static state alone, so it may sit on a
   *  conditional path. */
  exit(ip: number): number[] {
    this.notPredicated();
    const out = [this.set(L_NEXT, ip)];
    if (this.pending) out.push(this.set(L_ICOUNT, this.countNow()));
    return [...out, this.m.br("exit")];
  }

  /**
   * Leave before the instruction at `ip` (not counted), for the core to
   * run it: a memory access the TLB's fast paths cannot do. No call stays
   * behind in the function — a call clobbers every register, and V8
   * spills the locals live across one even where it is never taken — so
   * the instruction must not have changed a local the epilogue writes
   * back before it gets here (memory.ts). Counted in JIT_STAT_SIDE.
   */
  sideExit(ip: number): number[] {
    this.notPredicated();
    this.sideExits++;
    const out = [this.set(L_NEXT, this.c(ip))];
    if (this.pending !== 1) out.push(this.set(L_ICOUNT, this.m.i64.add(this.get(L_ICOUNT), this.m.i64.const(this.pending - 1))));
    return [...out, this.m.br("side")];
  }

  /** The function's body around the dispatch loop: the prologue (the
   *  locals, then `entry`: where to start, when not at the first block),
   *  and the epilogue the loop's `br $exit` lands in — after counting it,
   *  a `br $side` too: the locals to the core, IP = local 20. */
  wrap(loop: number, entry: number[] = []): number {
    const m = this.m;
    const body = [...this.reload(), ...entry, loop];
    const exitPart = this.sideExits === 0 ? m.block("exit", body) : m.block("exit", [
      m.block("side", body),
      this.st32(this.L.JIT_STAT_SIDE, m.i32.add(this.ld32(this.L.JIT_STAT_SIDE), this.c(1))),
    ]);
    return m.block(null, [exitPart, ...this.sync(true), this.st32(this.L.REG_IP, this.get(L_NEXT))]);
  }

  /**
   * The prologue's part for a region with more than one entry point
   * (layout.ts planEntries): the dispatch index the core entered with,
   * and, by `depths` (dispatch index → Wasm loops around that block), how
   * many entry guards it goes down through.
   */
  entryPrologue(depths: ReadonlyMap<number, number>): number[] {
    const m = this.m;
    let deep = 0;
    depths.forEach((d) => { if (d > 0) deep++; });
    const out = [this.set(L_IDX, this.ld32(this.L.JIT_ENTRY))];
    if (deep > 0) {
      let chain = this.c(0);
      depths.forEach((d, index) => { if (d > 0) chain = m.select(m.i32.eq(this.get(L_IDX), this.c(index)), this.c(d), chain); });
      out.push(this.set(L_ENTRY, chain));
    }
    return out;
  }

  /** A loop's entry guard (layout.ts planEntries): while an entry is on
   *  its way down, one loop less to go, and on by dispatch index
   *  (`targets`; `head`: the header's own code, where passes go on). */
  entryGuard(targets: readonly string[], head: string): number {
    const m = this.m;
    return m.if(this.get(L_ENTRY), m.block(null, [
      this.set(L_ENTRY, m.i32.sub(this.get(L_ENTRY), this.c(1))),
      m.switch(targets, head, this.get(L_IDX)),
    ]));
  }

  /**
   * Continue at the constant IP `target`: if a block of the region starts
   * there, the budget allows (tested only where budget.ts planned it) and
   * nothing set EVENTS (an IRQ, a stop request, a write to translated code
   * — what the core checks before entering a block), branch to it inside
   * this function; otherwise return to the core with IP = target.
   *
   * EVENTS is clear when the core enters the region, and only a call can
   * set it: execOne tests it as soon as it returns, and a memory access
   * that could (MMIO, a write to translated code) leaves before it runs
   * (memory.ts), so a block never tests it here. A block later in
   * the layout is reached by a `br` to the label that ends just before
   * it; an earlier one (a loop's back edge) by a `br` to its Wasm loop,
   * or, where layout.ts could not make one, through the dispatch.
   */
  goTo(target: number): number[] {
    const m = this.m;
    const out: number[] = [...this.flushCount()];
    const to = this.region.get(target);
    if (to) {
      const go = to.position > this.position ? m.br(blockLabel(to.position))
        : to.loop ? m.br(loopLabel(to.position))
          : m.block(null, [this.set(L_IDX, this.c(to.index)), m.br("dispatch")]);
      if (!(to.check || !this.successors.has(target) || to.position <= this.position)) {
        out.push(go);
        return out; // always taken: no exit after it
      }
      out.push(m.if(m.i64.le_s(m.i64.add(this.get(L_ICOUNT), m.i64.const(to.bound)), this.get(L_STOP)), go));
    }
    out.push(...this.exit(this.c(target)));
    return out;
  }

  /** A branch: to `target` when `taken` (null: always), else to `next`. */
  branch(target: number, taken: number | null, next: number): number[] {
    if (taken === null) return this.goTo(target);
    const pending = this.pending;
    const yes = this.goTo(target);
    this.pending = pending; // both arms count the same instructions
    return [this.m.if(taken, this.block(yes)), ...this.goTo(next)];
  }

  /**
   * A Jcc to `target` that skips a few register-only instructions
   * (hammock.ts), as straight-line code: the skipped instructions run
   * predicated on the jump not being taken — every register and flag
   * write a select (a conditional move), their count added the same way —
   * and the block goes on at `target`. A data-dependent branch that would
   * mispredict half the time (a CRC's "jnc .noxor / xor") costs nothing.
   * `skipped` emits their code (inline.ts), as if at the block's end,
   * and leaves in `record` what holds after them either way.
   */
  predicate(taken: number, target: number, skipped: () => number[]): number[] {
    const m = this.m;
    const out = [this.set(L_PRED, m.i32.eqz(taken))];
    const cl = this.knownCL, before = this.pending;
    this.pending = 0;
    this.predicated = true;
    try { out.push(...skipped()); } finally { this.predicated = false; }
    // skipped() leaves in this.record what holds either way (translate.ts).
    if (this.knownCL !== cl) this.knownCL = null;
    // The count, what came before and the skipped part, in one add.
    out.push(this.set(L_ICOUNT, m.i64.add(this.get(L_ICOUNT),
      m.select(this.get(L_PRED), m.i64.const(before + this.pending), m.i64.const(before)))));
    this.pending = 0;
    return [...out, ...this.goTo(target)];
  }

  /** Run `insn` at `ip` through the interpreter; `next` is where the
   *  block expects to continue (null: the instruction ends the block).
   *  The core's state is current around the call, so a stop returns
   *  directly rather than through the exit epilogue. `remaining`: the
   *  block's instructions after this one, when this one may retire more
   *  than one (a REP string instruction counts each iteration): the block
   *  then goes on only if they still fit the budget. */
  execOne(ip: number, next: number | null, remaining = 0): number[] {
    const m = this.m, L = this.L;
    this.notPredicated();
    this.record = null; // the core's record, whatever it is, comes back
    const out = [...this.flushCount(), ...this.sync(false), this.st32(L.REG_IP, this.c(ip)), m.call("execOne", [], this.api.none)];
    this.dirty = 0;
    this.flagsDirty = false;
    if (next === null) return [...out, m.return()];
    out.push(m.if(m.i32.or(m.i32.ne(this.ld32(L.REG_IP), this.c(next)), this.ld32(L.EVENTS)), m.return()));
    out.push(...this.reload());
    if (remaining > 0) {
      out.push(m.if(m.i64.gt_s(m.i64.add(this.get(L_ICOUNT), m.i64.const(remaining)), this.get(L_STOP)), m.return()));
    }
    return out;
  }
}
