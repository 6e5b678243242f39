/**
 * translate.ts — a region of basic blocks (src/x86/block.ts) to a
 * WebAssembly module, with binaryen. The module imports the core's memory,
 * `execOne` and the helper_* functions, and exports one function, `block`,
 * that the core runs through its function table (assembly/jit/dispatch.ts).
 * A region is the hot block plus the blocks it branches to on its page;
 * they share one function, so loops among them never leave it.
 *
 * What this file is not: the cache, the table and invalidation
 * (engine.ts), nor the decoder (src/x86).
 *
 * The contract a translated block keeps with the core:
 * - CPU state lives where the interpreter keeps it (assembly/layout.ts);
 *   generated code addresses it with constants.
 * - Counting: every guest instruction adds one to ICOUNT, exactly as in
 *   the interpreter; inline instructions add theirs in batches, before any
 *   call into the core and at every exit. The core enters a region only
 *   when its entry block fits the budget; a branch to another block of the
 *   region is taken inside only if that block fits too and EVENTS is clear.
 * - What is not inlined runs through the core's `execOne` — the
 *   interpreter for one instruction, the one definition of its semantics.
 *   After it the block goes on only if IP is where the block expects it
 *   and no event is pending (a jump, a REP that yielded, an IRQ raised by
 *   an OUT, a write to translated code all stop it). Faults unwind through
 *   generated code as through the interpreter: an inline instruction that
 *   may fault has been counted and has INSN_IP set before its access.
 * - Inlined: NOP; MOV, ADD/OR/AND/SUB/XOR/CMP with registers, immediates
 *   and one 16-bit-addressed memory operand (TLB fast path inline, the
 *   core's segmented helpers on the slow path), recording the lazy flags
 *   exactly as assembly/cpu/flags.ts does; INC/DEC reg; PUSH/POP reg;
 *   JMP/Jcc rel8, LOOP, CALL rel16, RET. At most one segment-override
 *   prefix; nothing with 66h/67h yet.
 */
import type Binaryen from "binaryen";
import { binaryen as loadedBinaryen } from "./load.js";
import type { Block } from "../x86/block.js";
import type { Insn, MemOperand, Operand, RegOperand } from "../x86/ir.js";
import type { Layout } from "../core/core.js";

/** Options that shape generated code (the CLI's and bench's knobs). */
export interface TranslateOptions {
  /** binaryen's optimisation level, 0–4 (shrink level stays 0). */
  optimize: number;
  /** Inline what v1 can (false: every instruction through execOne). */
  inline: boolean;
  /** Also return the module as text (tests, dumps). */
  text?: boolean;
}

export interface Translation {
  /** The module's binary. */
  binary: Uint8Array;
  /** Guest instructions in the entry block (the core's budget check). */
  instructions: number;
  /** Guest instructions in the whole region. */
  total: number;
  /** How many of them were translated inline. */
  inlined: number;
  /** The module as WebAssembly text, when asked for. */
  text?: string;
}

/** The lazy-flag kinds (assembly/cpu/flags.ts). */
const LAZY_ADD = 1, LAZY_SUB = 2, LAZY_LOGIC = 3;

/**
 * Translate a region: `blocks[0]` is where the core enters; the others are
 * blocks it branches to directly (same page), compiled into the same
 * function so that loops among them stay in Wasm. Never throws for blocks
 * the decoder produced: the worst case is a chain of execOne calls.
 *
 *   loop $dispatch
 *     block $b2 / block $b1 / block $b0 / br_table $b0 $b1 $b2 ($next)
 *     ... code of block 0 ...   each ends by returning to the core, or by
 *     ... code of block 1 ...   setting $next and br $dispatch when its
 *     ... code of block 2 ...   successor is in the region, the budget
 *                               fits it and EVENTS is clear
 */
export function translateRegion(blocks: readonly Block[], L: Layout, options: TranslateOptions): Translation {
  const binaryen = loadedBinaryen();
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP);
    m.setMemory(1, -1, null, [], false, false, "mem");
    m.addMemoryImport("mem", "core", "memory");
    m.addFunctionImport("execOne", "core", "execOne", binaryen.none, binaryen.none);
    m.addFunctionImport("cond", "core", "helper_condition", binaryen.i32, binaryen.i32);
    const i32x2 = binaryen.createType([binaryen.i32, binaryen.i32]);
    const i32x3 = binaryen.createType([binaryen.i32, binaryen.i32, binaryen.i32]);
    m.addFunctionImport("read8", "core", "helper_read8", i32x2, binaryen.i32);
    m.addFunctionImport("read16", "core", "helper_read16", i32x2, binaryen.i32);
    m.addFunctionImport("write8", "core", "helper_write8", i32x3, binaryen.none);
    m.addFunctionImport("write16", "core", "helper_write16", i32x3, binaryen.none);
    m.addFunctionImport("getCF", "core", "helper_get_cf", binaryen.none, binaryen.i32);

    const region = new Map<number, { index: number; count: number }>();
    blocks.forEach((b, index) => region.set(b.ip, { index, count: b.insns.length }));
    const g = new Gen(binaryen, m, L, region);
    let inlined = 0, instructions = 0;
    const codes: number[][] = [];
    for (const block of blocks) {
      const body: number[] = [];
      const insns = block.insns;
      instructions += insns.length;
      g.startBlock();
      for (let i = 0; i < insns.length; i++) {
        const insn = insns[i];
        const last = i === insns.length - 1;
        const next = (insn.ip + insn.length) & 0xffff;
        const code = options.inline ? g.inline(insn, next, last) : null;
        if (code) { body.push(...code); inlined++; continue; }
        // Through the interpreter.
        g.forgetFlags();
        body.push(...g.flushCount(), g.st32(L.REG_IP, g.c(insn.ip)), m.call("execOne", [], binaryen.none));
        if (!last) {
          body.push(m.if(
            m.i32.or(m.i32.ne(g.ld32(L.REG_IP), g.c(next)), g.ld32(L.EVENTS)),
            m.return(),
          ));
        } else {
          body.push(m.return());
        }
      }
      // Falling off the end (a page boundary, a size limit, or a last
      // instruction translated inline without a jump): on to the next IP.
      const lastInsn = insns[insns.length - 1];
      body.push(...g.flushCount(), ...g.goTo((lastInsn.ip + lastInsn.length) & 0xffff));
      codes.push(body);
    }
    // The dispatch structure: innermost block holds the br_table.
    const names = blocks.map((_, i) => `b${i}`);
    let nest = m.block(names[0], [m.switch(names, names[0], m.local.get(0, binaryen.i32))]);
    for (let i = 0; i < blocks.length; i++) {
      nest = i + 1 < blocks.length
        ? m.block(names[i + 1], [nest, m.block(null, codes[i])])
        : m.block(null, [nest, m.block(null, codes[i])]);
    }
    // Locals: 0 the dispatch index, 1 a memory operand's offset, 2 its
    // linear address, 3 the value read from it.
    m.addFunction("block", binaryen.none, binaryen.none, [binaryen.i32, binaryen.i32, binaryen.i32, binaryen.i32],
      m.loop("dispatch", nest));
    m.addFunctionExport("block", "block");
    if (options.optimize > 0) {
      binaryen.setOptimizeLevel(options.optimize);
      binaryen.setShrinkLevel(0);
      m.optimize();
    }
    const b0 = blocks[0];
    if (!m.validate()) throw new Error(`jit: generated module for ${b0.cs.toString(16)}:${b0.ip.toString(16)} does not validate`);
    return {
      binary: m.emitBinary(), instructions: b0.insns.length, total: instructions, inlined,
      text: options.text ? m.emitText() : undefined,
    };
  } finally {
    m.dispose();
  }
}

/** The text of a translated module, read back from its binary (tests). */
export function blockText(binary: Uint8Array): string {
  const m = loadedBinaryen().readBinary(binary);
  try { return m.emitText(); } finally { m.dispose(); }
}

/** Code-generation helpers over one module. */
class Gen {
  /** Instructions translated inline since ICOUNT was last updated. */
  private pending = 0;
  /** The lazy-flags record the last inline instruction of this block made
   *  (kind, size), while nothing since can have replaced it: a Jcc then
   *  tests the recorded operands directly instead of calling the core. */
  private record: { kind: number; size: number } | null = null;

  /** A new block: nothing is known about the flags at its start. */
  startBlock(): void { this.record = null; }
  /** A call into the core that may change the flags (execOne). */
  forgetFlags(): void { this.record = null; }

  constructor(
    private readonly binaryen: typeof Binaryen, private readonly m: Binaryen.Module, private readonly L: Layout,
    /** The region's blocks by first IP: their index and instruction count. */
    private readonly region: ReadonlyMap<number, { index: number; count: number }>,
  ) {}

  /** Leave for IP `ip`: store it and return to the core. */
  private exit(ip: number): number[] { return [this.st32(this.L.REG_IP, ip), this.m.return()]; }

  /**
   * Continue at the constant IP `target`: if a block of the region starts
   * there, the whole of it fits the budget and nothing set EVENTS (an IRQ,
   * a stop request, a write to translated code — what the core checks
   * before entering a block), branch to it inside this function;
   * otherwise return to the core with IP = target.
   */
  goTo(target: number): number[] {
    const m = this.m, L = this.L;
    const to = this.region.get(target);
    const out: number[] = [];
    if (to) {
      const fits = m.i64.le_s(
        m.i64.add(m.i64.load(0, 8, this.c(L.ICOUNT), "mem"), m.i64.const(BigInt(to.count) as unknown as number)),
        m.i64.load(0, 8, this.c(L.ICOUNT_STOP), "mem"));
      out.push(m.if(m.i32.and(fits, m.i32.eqz(this.ld32(L.EVENTS))),
        m.block(null, [m.local.set(0, this.c(to.index)), m.br("dispatch")])));
    }
    out.push(...this.exit(this.c(target)));
    return out;
  }

  /** A branch: to `target` when `taken` (null: always), else to `next`. */
  private branch(target: number, taken: number | null, next: number): number[] {
    if (taken === null) return this.goTo(target);
    return [this.m.if(taken, this.m.block(null, this.goTo(target))), ...this.goTo(next)];
  }

  c(v: number): number { return this.m.i32.const(v | 0); }
  ld32(addr: number): number { return this.m.i32.load(0, 4, this.c(addr), "mem"); }
  st32(addr: number, v: number): number { return this.m.i32.store(0, 4, this.c(addr), v, "mem"); }

  /** ICOUNT += the inline instructions not yet counted. */
  flushCount(): number[] {
    if (this.pending === 0) return [];
    const m = this.m, a = this.c(this.L.ICOUNT);
    const add = m.i64.add(m.i64.load(0, 8, a, "mem"), m.i64.const(BigInt(this.pending) as unknown as number));
    this.pending = 0;
    return [m.i64.store(0, 8, this.c(this.L.ICOUNT), add, "mem")];
  }

  /** Read a general register (zero-extended). */
  private reg(r: RegOperand): number {
    const m = this.m;
    if (r.size === 8) return m.i32.load8_u(0, 1, this.c(this.regAddr(r)), "mem");
    if (r.size === 16) return m.i32.load16_u(0, 2, this.c(this.regAddr(r)), "mem");
    return m.i32.load(0, 4, this.c(this.regAddr(r)), "mem");
  }

  private setReg(r: RegOperand, v: number): number {
    const m = this.m;
    if (r.size === 8) return m.i32.store8(0, 1, this.c(this.regAddr(r)), v, "mem");
    if (r.size === 16) return m.i32.store16(0, 2, this.c(this.regAddr(r)), v, "mem");
    return m.i32.store(0, 4, this.c(this.regAddr(r)), v, "mem");
  }

  /** AL CL DL BL at byte 0 of EAX..EBX, AH CH DH BH at byte 1. */
  private regAddr(r: RegOperand): number {
    return r.size === 8 ? this.L.REGS + ((r.num & 3) << 2) + (r.num >> 2) : this.L.REGS + (r.num << 2);
  }

  private value(o: Operand, size: number): number | null {
    if (o.kind === "reg") return this.reg(o);
    if (o.kind === "imm") return this.c(size === 32 ? o.value : o.value & ((1 << size) - 1));
    return null;
  }

  /** Record a lazy-flags result as flags.ts does (raw, unmasked result). */
  private lazy(kind: number, size: number, a: number | null, b: number | null, r: number): number[] {
    const L = this.L;
    this.record = kind === LAZY_ADD || kind === LAZY_SUB || kind === LAZY_LOGIC ? { kind, size } : null;
    const out = [this.st32(L.LAZY_OP, this.c(kind | (size << 8)))];
    if (a !== null) out.push(this.st32(L.LAZY_A, a));
    if (b !== null) out.push(this.st32(L.LAZY_B, b));
    out.push(this.st32(L.LAZY_R, r));
    return out;
  }

  /**
   * The inline translation of `insn`, or null to run it through execOne.
   * `next` is the IP after it; `last` whether it ends the block.
   */
  inline(insn: Insn, next: number, last: boolean): number[] | null {
    if (insn.status !== "ok" || insn.fault || insn.alias) return null;
    const m = this.m;
    const ops = insn.operands;
    const mn = insn.mnemonic;
    // One segment override is the only prefix inline code understands.
    const pfx = insn.prefixes.bytes;
    if (pfx.length > 1 || (pfx.length === 1 && insn.prefixes.seg === null)) return null;
    const memOp = ops.find((o): o is MemOperand => o.kind === "mem");
    if (memOp) return this.inlineMemory(insn, memOp, next);
    if (pfx.length > 0) return null;
    if (mn === "nop" && insn.opcode === 0x90) { this.pending++; return []; }
    if (mn === "mov" && ops.length === 2 && ops[0].kind === "reg" && (ops[1].kind === "reg" || ops[1].kind === "imm")) {
      const v = this.value(ops[1], ops[0].size);
      if (v === null) return null;
      this.pending++;
      return [this.setReg(ops[0], v)];
    }
    const alu: Record<string, number> = { add: 0, or: 1, and: 4, sub: 5, xor: 6, cmp: 7 };
    if (mn in alu && ops.length === 2 && ops[0].kind === "reg" && ops[0].size !== 32
      && (ops[1].kind === "reg" || ops[1].kind === "imm")) {
      return this.aluOp(alu[mn], ops[0], ops[1]);
    }
    if ((mn === "inc" || mn === "dec") && ops.length === 1 && ops[0].kind === "reg" && ops[0].size !== 32) {
      return this.incDec(mn === "dec", ops[0]);
    }
    if (insn.opcode >= 0x50 && insn.opcode <= 0x57 && insn.opcode !== 0x54 && insn.opSize === 16) {
      this.pending++;
      const r = ops[0] as RegOperand;
      return [...this.flushCount(), this.st32(this.L.INSN_IP, this.c(insn.ip)), ...this.push(this.reg(r), next)];
    }
    if (insn.opcode >= 0x58 && insn.opcode <= 0x5f && insn.opSize === 16) {
      this.pending++;
      const r = ops[0] as RegOperand;
      return [...this.flushCount(), this.st32(this.L.INSN_IP, this.c(insn.ip)), ...this.pop(), this.setReg(r, m.local.get(3, this.binaryen.i32))];
    }
    if (insn.opcode === 0xe8 && ops[0]?.kind === "rel" && last) { // CALL rel16
      this.pending++;
      return [...this.flushCount(), this.st32(this.L.INSN_IP, this.c(insn.ip)), ...this.push(this.c(next), next), ...this.goTo(ops[0].target)];
    }
    if (insn.opcode === 0xc3 && last) { // RET
      this.pending++;
      return [...this.flushCount(), this.st32(this.L.INSN_IP, this.c(insn.ip)), ...this.pop(),
        this.st32(this.L.REG_IP, m.local.get(3, this.binaryen.i32)), m.return()];
    }
    if (insn.flow === "jump" && ops.length === 1 && ops[0].kind === "rel" && last) {
      this.pending++;
      return [...this.flushCount(), ...this.branch(ops[0].target, null, next)];
    }
    if (insn.flow === "jcc" && insn.opcode >= 0x70 && insn.opcode <= 0x7f && ops[0]?.kind === "rel" && last) {
      this.pending++;
      const taken = this.condition(insn.opcode & 0xf) ?? m.call("cond", [this.c(insn.opcode & 0xf)], this.binaryen.i32);
      return [...this.flushCount(), ...this.branch(ops[0].target, taken, next)];
    }
    if (mn === "loop" && insn.opcode === 0xe2 && ops[0]?.kind === "rel" && last) {
      // CX -= 1 (16 bits); taken while it is not zero.
      this.pending++;
      const cx = this.L.REGS + 4;
      const dec = m.i32.and(m.i32.sub(m.i32.load16_u(0, 2, this.c(cx), "mem"), this.c(1)), this.c(0xffff));
      return [...this.flushCount(), m.i32.store16(0, 2, this.c(cx), dec, "mem"),
        ...this.branch(ops[0].target, m.i32.load16_u(0, 2, this.c(cx), "mem"), next)];
    }
    return null;
  }

  // ------------------------------------------------------------ memory

  /**
   * MOV and ADD/OR/AND/SUB/XOR/CMP with one memory operand (16-bit
   * addressing, 8/16-bit data). The instruction is counted and INSN_IP set
   * first, as the interpreter has them when an access faults (a word at
   * offset FFFFh on the 286/386 goes through the core's helper, which
   * raises #GP). Reads and writes take the TLB fast path inline — one
   * test of the entry's flag bits — and call the core's segmented helpers
   * otherwise; after a slow write the block stops if EVENTS was set (it
   * wrote translated code, or a device raised an interrupt).
   */
  private inlineMemory(insn: Insn, mem: MemOperand, next: number): number[] | null {
    if (mem.addrSize !== 16 || (mem.size !== 8 && mem.size !== 16) || mem.farPointer || mem.implicit) return null;
    const ops = insn.operands, mn = insn.mnemonic;
    const alu: Record<string, number> = { add: 0, or: 1, and: 4, sub: 5, xor: 6, cmp: 7 };
    const isMov = mn === "mov" && (insn.opcode === 0x88 || insn.opcode === 0x89 || insn.opcode === 0x8a || insn.opcode === 0x8b
      || insn.opcode === 0xc6 || insn.opcode === 0xc7);
    if (!isMov && !(mn in alu)) return null;
    if (ops.length !== 2 || ops.some((o) => o.kind !== "reg" && o.kind !== "imm" && o.kind !== "mem")) return null;
    const size = mem.size;
    this.pending++;
    const out: number[] = [...this.flushCount(), this.st32(this.L.INSN_IP, this.c(insn.ip)), ...this.address(mem)];
    const dstIsMem = ops[0].kind === "mem";
    if (isMov) {
      if (dstIsMem) out.push(...this.writeMem(mem, size, this.value(ops[1], size)!, next));
      else out.push(this.setReg(ops[0] as RegOperand, this.readMem(mem, size)));
      return out;
    }
    // ALU: read the memory operand once, into local 3.
    out.push(this.m.local.set(3, this.readMem(mem, size)));
    const get = (o: Operand) => (o.kind === "mem" ? this.m.local.get(3, this.binaryen.i32) : this.value(o, size)!);
    const op = alu[mn];
    const r = this.aluExpr(op, get(ops[0]), get(ops[1]));
    const kind = op === 0 ? LAZY_ADD : op === 1 || op === 4 || op === 6 ? LAZY_LOGIC : LAZY_SUB;
    out.push(...(kind === LAZY_LOGIC ? this.lazy(kind, size, null, null, r) : this.lazy(kind, size, get(ops[0]), get(ops[1]), r)));
    if (op !== 7) {
      const result = this.ld32(this.L.LAZY_R);
      if (dstIsMem) out.push(...this.writeMem(mem, size, result, next));
      else out.push(this.setReg(ops[0] as RegOperand, result));
    }
    return out;
  }

  private static readonly REG16: Record<string, number> = { ax: 0, cx: 1, dx: 2, bx: 3, sp: 4, bp: 5, si: 6, di: 7 };
  private static readonly SEGS: Record<string, number> = { es: 0, cs: 1, ss: 2, ds: 3, fs: 4, gs: 5 };

  /** Local 1 = the 16-bit offset, local 2 = the linear address. */
  private address(mem: MemOperand): number[] {
    const m = this.m;
    let sum = this.c(mem.disp);
    for (const r of [mem.base, mem.index]) {
      if (r !== null) sum = m.i32.add(sum, m.i32.load16_u(0, 2, this.c(this.L.REGS + Gen.REG16[r] * 4), "mem"));
    }
    const segBase = this.ld32(this.L.SEG_BASE + Gen.SEGS[mem.seg] * 4);
    return [
      m.local.set(1, m.i32.and(sum, this.c(0xffff))),
      m.local.set(2, m.i32.add(segBase, m.local.get(1, this.binaryen.i32))),
    ];
  }

  /** The segment number of a memory operand, as the helpers take it. */
  private seg(mem: MemOperand): number { return this.c(Gen.SEGS[mem.seg]); }

  /** Whether the TLB entry at `table` for local 2 sends a `size`-bit
   *  access slow (flag bits, a word crossing a page or at offset FFFFh):
   *  0 for the fast path. Leaves the entry's base in local 3. */
  private slowTest(table: number, size: number): number {
    const m = this.m, i32 = this.binaryen.i32;
    const lin = () => m.local.get(2, i32);
    const entry = m.local.tee(3, m.i32.load(0, 4, m.i32.add(this.c(table), m.i32.shl(m.i32.shr_u(lin(), this.c(12)), this.c(2))), "mem"), i32);
    let slow = m.i32.and(entry, this.c(0xfff));
    if (size === 16) {
      slow = m.i32.or(slow, m.i32.or(
        m.i32.eq(m.i32.and(lin(), this.c(0xfff)), this.c(0xfff)),
        m.i32.eq(m.local.get(1, i32), this.c(0xffff))));
    }
    return slow;
  }

  private readMem(mem: MemOperand, size: number): number {
    const m = this.m, i32 = this.binaryen.i32;
    const host = m.i32.add(m.local.get(3, i32), m.local.get(2, i32));
    const fast = size === 8 ? m.i32.load8_u(0, 1, host, "mem") : m.i32.load16_u(0, 1, host, "mem");
    const slow = m.call(size === 8 ? "read8" : "read16", [this.seg(mem), m.local.get(1, i32)], i32);
    return m.if(this.slowTest(this.L.TLB_READ, size), slow, fast);
  }

  private writeMem(mem: MemOperand, size: number, value: number, next: number): number[] {
    const m = this.m, i32 = this.binaryen.i32;
    const host = m.i32.add(m.local.get(3, i32), m.local.get(2, i32));
    const fast = size === 8 ? m.i32.store8(0, 1, host, value, "mem") : m.i32.store16(0, 1, host, value, "mem");
    const slow = m.block(null, [
      m.call(size === 8 ? "write8" : "write16", [this.seg(mem), m.local.get(1, i32), this.copy(value)], this.binaryen.none),
      m.if(this.ld32(this.L.EVENTS), m.block(null, [this.st32(this.L.REG_IP, this.c(next)), m.return()])),
    ]);
    return [m.if(this.slowTest(this.L.TLB_WRITE, size), slow, fast)];
  }

  /**
   * Condition `cc` (Jcc's low nibble) computed inline from the lazy record
   * of the preceding inline ADD, SUB/CMP or logic instruction — the same
   * values flags.ts would derive the flag from — or null when unknown
   * (the core's helper_condition decides then).
   */
  private condition(cc: number): number | null {
    const rec = this.record;
    if (!rec) return null;
    const m = this.m, L = this.L, size = rec.size;
    const mask = size === 32 ? -1 : (1 << size) - 1;
    const sext = (e: number) => (size === 32 ? e : m.i32.shr_s(m.i32.shl(e, this.c(32 - size)), this.c(32 - size)));
    const a = () => m.i32.and(this.ld32(L.LAZY_A), this.c(mask));
    const b = () => m.i32.and(this.ld32(L.LAZY_B), this.c(mask));
    const zf = () => m.i32.eqz(m.i32.and(this.ld32(L.LAZY_R), this.c(mask)));
    const sf = () => m.i32.and(m.i32.shr_u(this.ld32(L.LAZY_R), this.c(size - 1)), this.c(1));
    let r: number | null = null;
    const base = cc & ~1;
    if (rec.kind === LAZY_SUB) {
      switch (base) {
        case 2: r = m.i32.lt_u(a(), b()); break;                          // B
        case 4: r = zf(); break;                                          // Z
        case 6: r = m.i32.le_u(a(), b()); break;                          // BE
        case 8: r = sf(); break;                                          // S
        case 12: r = m.i32.lt_s(sext(a()), sext(b())); break;             // L
        case 14: r = m.i32.le_s(sext(a()), sext(b())); break;             // LE
      }
    } else if (rec.kind === LAZY_LOGIC) {                                 // CF = OF = 0
      switch (base) {
        case 0: r = this.c(0); break;                                     // O
        case 2: r = this.c(0); break;                                     // B
        case 4: case 6: r = zf(); break;                                  // Z, BE
        case 8: case 12: r = sf(); break;                                 // S, L
        case 14: r = m.i32.or(zf(), sf()); break;                         // LE
      }
    } else if (rec.kind === LAZY_ADD) {
      const res = () => m.i32.and(this.ld32(L.LAZY_R), this.c(mask));
      switch (base) {
        case 2: r = m.i32.lt_u(res(), a()); break;                        // B: the sum wrapped
        case 4: r = zf(); break;
        case 8: r = sf(); break;
      }
    }
    if (r === null) return null;
    return cc & 1 ? m.i32.eqz(r) : r;
  }

  /** INC/DEC reg: like ADD/SUB of 1, but CF is kept — frozen into
   *  REG_FLAGS from the pending lazy record first (flags.ts lazyIncDec). */
  private incDec(isDec: boolean, r: RegOperand): number[] {
    const m = this.m, L = this.L, i32 = this.binaryen.i32;
    this.pending++;
    const cf = m.call("getCF", [], i32);
    const flags = m.i32.or(m.i32.and(this.ld32(L.REG_FLAGS), this.c(~1)), cf);
    const res = isDec ? m.i32.sub(this.reg(r), this.c(1)) : m.i32.add(this.reg(r), this.c(1));
    return [
      this.st32(L.REG_FLAGS, flags),
      ...this.lazy(isDec ? 6 : 5, r.size, this.reg(r), this.c(1), res),
      this.setReg(r, this.ld32(L.LAZY_R)),
    ];
  }

  /** PUSH a word: SP − 2 (wrapping), the store at SS:SP (fast path or the
   *  core's helper, which applies the offset-FFFFh rule), then SP. */
  private push(value: number, next: number): number[] {
    const m = this.m, i32 = this.binaryen.i32, SP = this.L.REGS + 16;
    const ss: MemOperand = { kind: "mem", seg: "ss", segOverride: false, base: null, index: null, scale: 1, disp: 0, dispSize: 0, addrSize: 16, size: 16 };
    return [
      m.local.set(1, m.i32.and(m.i32.sub(m.i32.load16_u(0, 2, this.c(SP), "mem"), this.c(2)), this.c(0xffff))),
      m.local.set(2, m.i32.add(this.ld32(this.L.SEG_BASE + 2 * 4), m.local.get(1, i32))),
      ...this.writeMem(ss, 16, value, next),
      m.i32.store16(0, 2, this.c(SP), m.local.get(1, i32), "mem"),
    ];
  }

  /** POP a word into local 3; SP + 2. */
  private pop(): number[] {
    const m = this.m, i32 = this.binaryen.i32, SP = this.L.REGS + 16;
    const ss: MemOperand = { kind: "mem", seg: "ss", segOverride: false, base: null, index: null, scale: 1, disp: 0, dispSize: 0, addrSize: 16, size: 16 };
    return [
      m.local.set(1, m.i32.load16_u(0, 2, this.c(SP), "mem")),
      m.local.set(2, m.i32.add(this.ld32(this.L.SEG_BASE + 2 * 4), m.local.get(1, i32))),
      m.local.set(3, this.readMem(ss, 16)),
      m.i32.store16(0, 2, this.c(SP), m.i32.add(m.local.get(1, i32), this.c(2)), "mem"),
    ];
  }

  /** A second copy of a value expression (binaryen expressions are trees). */
  private copy(e: number): number { return this.m.copyExpression(e); }

  private aluExpr(op: number, a: number, b: number): number {
    const m = this.m;
    switch (op) {
      case 0: return m.i32.add(a, b);
      case 1: return m.i32.or(a, b);
      case 4: return m.i32.and(a, b);
      case 6: return m.i32.xor(a, b);
      default: return m.i32.sub(a, b);
    }
  }

  /** ADD OR AND SUB XOR CMP reg, reg|imm (8 or 16 bits). */
  private aluOp(op: number, dst: RegOperand, src: Operand): number[] | null {
    const m = this.m, size = dst.size;
    const b = this.value(src, size);
    if (b === null) return null;
    const a = this.reg(dst);
    // Operands are re-read where used: binaryen's optimiser folds the
    // loads; clarity here, speed from -O.
    const aAgain = () => this.reg(dst);
    const bAgain = () => this.value(src, size)!;
    let r: number, kind: number;
    switch (op) {
      case 0: r = m.i32.add(a, b); kind = LAZY_ADD; break;
      case 1: r = m.i32.or(a, b); kind = LAZY_LOGIC; break;
      case 4: r = m.i32.and(a, b); kind = LAZY_LOGIC; break;
      case 6: r = m.i32.xor(a, b); kind = LAZY_LOGIC; break;
      default: r = m.i32.sub(a, b); kind = LAZY_SUB; break;
    }
    this.pending++;
    const out: number[] = [];
    // The result is computed before any state changes, into LAZY_R, then
    // the destination is written from it (masked by the store's width).
    if (kind === LAZY_LOGIC) out.push(...this.lazy(kind, size, null, null, r));
    else out.push(...this.lazy(kind, size, aAgain(), bAgain(), r));
    if (op !== 7) out.push(this.setReg(dst, this.ld32(this.L.LAZY_R)));
    return out;
  }
}
