/**
 * translate.ts — one basic block (src/x86/block.ts) to a WebAssembly
 * module, with binaryen. The module imports the core's memory and the
 * core functions it calls, and exports one function, `block`, that the
 * core runs through its function table (assembly/jit/dispatch.ts).
 *
 * What this file is not: the cache, the table and invalidation
 * (engine.ts), nor the decoder (src/x86).
 *
 * The contract a translated block keeps with the core:
 * - CPU state lives where the interpreter keeps it (assembly/layout.ts);
 *   generated code addresses it with constants.
 * - Counting: every guest instruction adds one to ICOUNT, exactly as in
 *   the interpreter; translated instructions add theirs in batches before
 *   any call into the core and at every exit. The core enters a block only
 *   when its instruction count fits the budget.
 * - What the translator does not inline runs through the core's
 *   `execOne` — the interpreter for one instruction, the one definition of
 *   its semantics. After it, the block goes on only if IP is where the
 *   block expects it and no event is pending (a jump, a REP that yielded,
 *   an IRQ raised by an OUT, a write to translated code all stop it).
 *   Faults unwind through generated code like through the interpreter.
 * - Inlined (v1): NOP; MOV reg,imm and reg,reg; ADD/OR/AND/SUB/XOR/CMP
 *   with register or immediate operands (recording the lazy flags exactly
 *   as assembly/cpu/flags.ts does); JMP rel; Jcc rel8 (the condition from
 *   the core's helper_condition); LOOP. Only without prefixes.
 */
import type Binaryen from "binaryen";
import { binaryen as loadedBinaryen } from "./load.js";
import type { Block } from "../x86/block.js";
import type { Insn, Operand, RegOperand } from "../x86/ir.js";
import type { Layout } from "../core/core.js";

/** Options that shape generated code (the CLI's and bench's knobs). */
export interface TranslateOptions {
  /** binaryen's optimisation level, 0–4 (shrink level stays 0). */
  optimize: number;
  /** Inline what v1 can (false: every instruction through execOne). */
  inline: boolean;
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

    const region = new Map<number, { index: number; count: number }>();
    blocks.forEach((b, index) => region.set(b.ip, { index, count: b.insns.length }));
    const g = new Gen(binaryen, m, L, region);
    let inlined = 0, instructions = 0;
    const codes: number[][] = [];
    for (const block of blocks) {
      const body: number[] = [];
      const insns = block.insns;
      instructions += insns.length;
      for (let i = 0; i < insns.length; i++) {
        const insn = insns[i];
        const last = i === insns.length - 1;
        const next = (insn.ip + insn.length) & 0xffff;
        const code = options.inline ? g.inline(insn, next, last) : null;
        if (code) { body.push(...code); inlined++; continue; }
        // Through the interpreter.
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
    m.addFunction("block", binaryen.none, binaryen.none, [binaryen.i32], m.loop("dispatch", nest));
    m.addFunctionExport("block", "block");
    if (options.optimize > 0) {
      binaryen.setOptimizeLevel(options.optimize);
      binaryen.setShrinkLevel(0);
      m.optimize();
    }
    const b0 = blocks[0];
    if (!m.validate()) throw new Error(`jit: generated module for ${b0.cs.toString(16)}:${b0.ip.toString(16)} does not validate`);
    return { binary: m.emitBinary(), instructions: b0.insns.length, total: instructions, inlined };
  } finally {
    m.dispose();
  }
}

/** The text of a block's module (tests and `--jit-dump`). */
export function blockText(binary: Uint8Array): string {
  const m = loadedBinaryen().readBinary(binary);
  try { return m.emitText(); } finally { m.dispose(); }
}

/** Code-generation helpers over one module. */
class Gen {
  /** Instructions translated inline since ICOUNT was last updated. */
  private pending = 0;

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
    if (insn.status !== "ok" || insn.prefixes.bytes.length > 0 || insn.fault) return null;
    const m = this.m;
    const ops = insn.operands;
    const mn = insn.mnemonic;
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
    if (insn.flow === "jump" && ops.length === 1 && ops[0].kind === "rel" && last) {
      this.pending++;
      return [...this.flushCount(), ...this.branch(ops[0].target, null, next)];
    }
    if (insn.flow === "jcc" && insn.opcode >= 0x70 && insn.opcode <= 0x7f && ops[0]?.kind === "rel" && last) {
      this.pending++;
      const taken = m.call("cond", [this.c(insn.opcode & 0xf)], this.binaryen.i32);
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
