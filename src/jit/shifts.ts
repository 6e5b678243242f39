/**
 * shifts.ts — the shift and rotate group (C0/C1/D0–D3) in generated code,
 * on a register or a 16-bit-addressed memory operand.
 *
 * With a count known at translation time (an immediate, 1, or CL when a
 * MOV in the same block set it) the result is computed inline, and so are
 * the flags when something may observe them, as the core's records
 * (assembly/cpu/flags.ts) have them:
 *
 *   SHL by 1      an ADD record of v + v: the same CF, OF and SZP, and
 *                 nothing computed until a flag is read
 *   SHL/SHR/SAR   a logic record of the result (SZP from it, AF clear)
 *                 with CF and OF given in LAZY_OP's X bits
 *   ROL/ROR       the result kept as the word CF and OF come from (the
 *                 X and XR bits added to the record already there: CF
 *                 and OF are not worked out until read)
 *   RCL/RCR by 1  CF and OF given in the X bits of the record already
 *                 there — the other flags stay what they were
 *
 * so a shift whose flags a Jcc reads, or that the block's end keeps, is a
 * handful of Wasm instructions and no call. The formulas are the core's
 * (assembly/cpu/alu.ts shift()), restated for a constant count; the
 * conformance corpus run with `--engine jit` holds the two together.
 *
 * A count in CL not known at translation time is masked and tested at
 * run time (variableCount): zero changes nothing, flags included.
 *
 * What is not here: RCL/RCR by more than one, by CL, or with a carry-in
 * not known here — those call the core's helper_shift (the interpreter's
 * function) with the record synced around the call.
 */
import { ARITH, type Insn, type MemOperand, type RegOperand } from "../x86/ir.js";
import { L_CF, L_RES, L_TMP2, L_XCF, sizeMask, type Gen } from "./codegen.js";
import { LAZY_ADD, carry, setCfOf, setRecord, setRotateFlags, setShiftRecord } from "./flags.js";
import { address, readMem, writeMem } from "./memory.js";
import type { Site } from "./inline.js";

/** Shift kinds: the reg field of the group's ModRM byte. */
const ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7;

/** Whether `insn` is one of the group's opcodes. */
export function isShift(insn: Insn): boolean {
  const op = insn.opcode;
  return (op === 0xc0 || op === 0xc1 || (op >= 0xd0 && op <= 0xd3)) && insn.modrm !== undefined;
}

/**
 * The shift or rotate `insn` (isShift) on the register operand, or on
 * `mem` (whose address the caller has not computed), or null to run it
 * through execOne (a memory form with an immediate count of zero, or one
 * the core's helper_shift would do).
 */
export function shift(g: Gen, insn: Insn, at: Site, mem: MemOperand | null): number[] | null {
  const ops = insn.operands, op = insn.opcode;
  let kind = (insn.modrm! >> 3) & 7;
  if (kind === SAL && g.model !== "8086") kind = SHL; // the 8086's is SETMO
  if (!mem && ops[0]?.kind !== "reg") return null;
  if ((op === 0xc0 || op === 0xc1) && ops[1]?.kind !== "imm") return null;
  const size = mem ? mem.size : (ops[0] as RegOperand).size;
  const count = constantCount(g, insn);
  if (mem && count === 0) return null;
  // A rotate through carry that needs the core's helper changes the core's
  // flag record before its store: on memory, whose store may leave before
  // the instruction (memory.ts), execOne runs it whole.
  const rc = kind === RCL || kind === RCR;
  if (mem && rc && !(count !== null && count % (size + 1) === 1 && carry(g) !== null)) return null;
  g.pending++;
  // The operand, its read (memory: into local 16 first, the only access
  // that can fault), and its write with what follows it.
  const out: number[] = [];
  let value: () => number;
  let write: (v: number, after: () => number[]) => number[];
  if (mem) {
    out.push(...address(g, mem), g.set(L_TMP2, readMem(g, size, insn.ip)));
    value = () => g.get(L_TMP2);
    write = (v, after) => writeMem(g, size, v, insn.ip, after);
  } else {
    // The flags first: they are computed from the operand's old value.
    const r = ops[0] as RegOperand;
    value = () => g.reg(r);
    write = (v, after) => [...after(), g.setReg(r, v)];
  }
  if (count === 0) return out; // changes nothing, flags included
  const live = !g.elide || (at.live & ARITH) !== 0;
  if (count === null && kind !== RCL && kind !== RCR) return [...out, ...variableCount(g, kind, size, value, write, mem !== null, live)];
  const cfIn = kind === RCL || kind === RCR ? carry(g) : null;
  const inline = count !== null && (kind !== RCL && kind !== RCR || (count % (size + 1) === 1 && cfIn !== null));
  if (!inline) return [...out, ...viaCore(g, kind, size, value, count, write)];
  const f = formulas(g, kind, size, count, value, cfIn);
  out.push(g.set(L_RES, f.result));
  if (!live) return [...out, ...write(g.get(L_RES), () => [])];
  const flags = (): number[] => (kind === SHL && count === 1 ? byOne(g, size, value)
    : kind >= SHL ? setShiftRecord(g, size, g.get(L_RES), f.cf(), f.of())
      // ROL: CF = bit 0, OF = CF ^ the top bit; ROR: CF = the top bit, OF
      // = CF ^ the bit below it — of the result, kept as it is (XR).
      : kind === ROL ? setRotateFlags(g, g.get(L_RES), { cf: 0, of: size - 1 })
        : kind === ROR ? setRotateFlags(g, g.get(L_RES), { cf: size - 1, of: size - 2 })
          : setCfOf(g, f.cf(), f.of()));
  return [...out, ...write(g.get(L_RES), flags)];
}

/** The flags of SHL by one: an ADD record of v + v, as the core makes it
 *  (alu.ts shift()), with CF — the bit shifted out — in L_XCF as well: a
 *  JC/JNC after it (a CRC's bit loop) tests that bit rather than compare
 *  the sum with the operand. */
function byOne(g: Gen, size: number, v: () => number): number[] {
  const m = g.m;
  const out = [g.set(L_XCF, m.i32.and(m.i32.shr_u(v(), g.c(size - 1)), g.c(1))), ...setRecord(g, LAZY_ADD, size, v(), v(), m.i32.add(v(), v()))];
  g.record = { ...g.record!, cfLocal: true };
  return out;
}

/** The count when it is known here: 1 (D0/D1), the immediate (C0/C1),
 *  or CL when this block set it; masked as the model does (the 8086 not
 *  at all). */
function constantCount(g: Gen, insn: Insn): number | null {
  const op = insn.opcode, src = insn.operands[1];
  let count: number | null;
  if (op === 0xd0 || op === 0xd1) count = 1;
  else if (op === 0xc0 || op === 0xc1) count = src?.kind === "imm" ? src.value : null;
  else count = g.knownCL;
  if (count === null) return null;
  return g.model === "8086" ? count & 0xff : count & 31;
}

interface Formulas { result: number; cf(): number; of(): number }

/**
 * The result and the CF/OF a nonzero constant `count` gives (alu.ts
 * shift()). `v()` is the operand (zero-extended); cf()/of() may read the
 * result in L_RES and must not be called before it is set. `cfIn`: the
 * carry-in of RCL/RCR by one.
 */
function formulas(g: Gen, kind: number, size: number, count: number, v: () => number, cfIn: number | null): Formulas {
  const m = g.m, mask = sizeMask(size), c = (n: number) => g.c(n);
  const bit = (e: number, n: number) => m.i32.and(m.i32.shr_u(e, c(n)), c(1));
  const res = () => g.get(L_RES);
  const top = (e: number) => bit(e, size - 1);
  const masked = (e: number) => (size === 32 ? e : m.i32.and(e, c(mask)));
  switch (kind) {
    case ROL: case ROR: {
      const n = count & (size - 1);
      const result = n === 0 ? v()
        : kind === ROL ? masked(m.i32.or(m.i32.shl(v(), c(n)), m.i32.shr_u(v(), c(size - n))))
          : masked(m.i32.or(m.i32.shr_u(v(), c(n)), m.i32.shl(v(), c(size - n))));
      const cf = () => (kind === ROL ? m.i32.and(res(), c(1)) : top(res()));
      return { result, cf, of: () => (kind === ROL ? m.i32.xor(cf(), top(res())) : m.i32.xor(top(res()), bit(res(), size - 2))) };
    }
    case RCL: return { // by one: CF:v left
      result: masked(m.i32.or(m.i32.shl(v(), c(1)), cfIn!)),
      cf: () => top(v()), of: () => m.i32.xor(top(v()), top(res())),
    };
    case RCR: return { // by one: v:CF right
      result: m.i32.or(m.i32.shr_u(v(), c(1)), m.i32.shl(cfIn!, c(size - 1))),
      cf: () => m.i32.and(v(), c(1)), of: () => m.i32.xor(top(res()), bit(res(), size - 2)),
    };
    case SHL: return count > size
      ? { result: c(0), cf: () => c(0), of: () => c(0) }
      : {
        result: count === size ? c(0) : masked(m.i32.shl(v(), c(count))),
        cf: () => bit(v(), size - count), of: () => m.i32.xor(bit(v(), size - count), top(res())),
      };
    case SHR: return count > size
      ? { result: c(0), cf: () => c(0), of: () => c(0) }
      : {
        result: count === size ? c(0) : m.i32.shr_u(v(), c(count)),
        cf: () => bit(v(), count - 1), of: () => (count === 1 ? top(v()) : c(0)),
      };
    case SAR: {
      const signed = () => (size === 32 ? v() : m.i32.shr_s(m.i32.shl(v(), c(32 - size)), c(32 - size)));
      return count < size
        ? { result: masked(m.i32.shr_s(signed(), c(count))), cf: () => bit(signed(), count - 1), of: () => c(0) }
        : { result: masked(m.i32.shr_s(signed(), c(31))), cf: () => m.i32.and(res(), c(1)), of: () => c(0) };
    }
    default: // the 8086's SETMO: all ones, the flags of OR with all ones
      return { result: c(mask), cf: () => c(0), of: () => c(0) };
  }
}

/**
 * A count in CL not known here: CL masked as the model does (the 8086 not
 * at all) in local 19, the same results as formulas() computed at run
 * time, and nothing changed — flags and register — when it is zero. A
 * memory operand is written back either way, as the core does.
 */
function variableCount(g: Gen, kind: number, size: number, v: () => number,
  write: (v: number, after: () => number[]) => number[], isMem: boolean, live: boolean): number[] {
  const m = g.m, mask = sizeMask(size), c = (n: number) => g.c(n);
  const n = () => g.get(L_CF);
  const out = [g.set(L_CF, m.i32.and(g.regN(8, 1), c(g.model === "8086" ? 0xff : 31)))];
  const bit = (e: number, at: number) => m.i32.and(m.i32.shr_u(e, at), c(1));
  const top = (e: number) => bit(e, c(size - 1));
  const res = () => g.get(L_RES);
  const masked = (e: number) => (size === 32 ? e : m.i32.and(e, c(mask)));
  const below = (limit: number) => m.i32.lt_u(n(), c(limit)); // n < limit
  let result: number, cf: () => number, of: () => number;
  switch (kind) {
    case ROL: case ROR: {
      // By n mod size; n mod size = 0 gives v back (a shift by size of a
      // zero-extended value is 0).
      const r = () => m.i32.and(n(), c(size - 1));
      result = size === 32 ? (kind === ROL ? m.i32.rotl(v(), n()) : m.i32.rotr(v(), n()))
        : masked(kind === ROL ? m.i32.or(m.i32.shl(v(), r()), m.i32.shr_u(v(), m.i32.sub(c(size), r())))
          : m.i32.or(m.i32.shr_u(v(), r()), m.i32.shl(v(), m.i32.sub(c(size), r()))));
      cf = () => (kind === ROL ? m.i32.and(res(), c(1)) : top(res()));
      of = () => (kind === ROL ? m.i32.xor(cf(), top(res())) : m.i32.xor(top(res()), bit(res(), c(size - 2))));
      break;
    }
    case SHL:
      result = m.select(below(size), masked(m.i32.shl(v(), n())), c(0));
      cf = () => m.select(below(size + 1), bit(v(), m.i32.sub(c(size), n())), c(0));
      of = () => m.i32.xor(cf(), top(res()));
      break;
    case SHR:
      result = m.select(below(size), m.i32.shr_u(v(), n()), c(0));
      cf = () => m.select(below(size + 1), bit(v(), m.i32.sub(n(), c(1))), c(0));
      of = () => m.select(m.i32.eq(n(), c(1)), top(v()), c(0));
      break;
    case SAR: {
      // Past the width the sign fills the result: shift by min(n, size),
      // which the sign extension to 32 bits makes right for 8/16 bits.
      const signed = () => (size === 32 ? v() : m.i32.shr_s(m.i32.shl(v(), c(32 - size)), c(32 - size)));
      const by = () => (size === 32 ? n() : m.select(below(size), n(), c(size)));
      result = masked(m.i32.shr_s(signed(), by()));
      cf = () => bit(signed(), m.i32.sub(by(), c(1)));
      of = () => c(0);
      break;
    }
    default: // the 8086's SETMO
      result = c(mask); cf = () => c(0); of = () => c(0);
  }
  const flags = (): number[] => (!live ? [] : kind === SHL
    ? [m.if(m.i32.eq(n(), c(1)), g.block(byOne(g, size, v)), g.block(setShiftRecord(g, size, res(), cf(), of())))]
    : kind >= SHL ? setShiftRecord(g, size, res(), cf(), of())
      : setCfOf(g, cf(), of()));
  const nonzero = m.i32.ne(n(), c(0));
  let code: number[];
  if (isMem) {
    const compute = m.if(nonzero, g.set(L_RES, result), g.set(L_RES, v()));
    code = [compute, ...write(res(), () => { const f = flags(); return f.length ? [m.if(m.i32.ne(n(), c(0)), g.block(f))] : []; })];
  } else {
    code = [m.if(nonzero, g.block([g.set(L_RES, result), ...write(res(), flags)]))];
  }
  // Whether the record changed depends on the count: unknown from here.
  g.record = null;
  g.flagsChanged();
  return [...out, ...code];
}

/** Through the core's helper_shift: the record synced around the call. */
function viaCore(g: Gen, kind: number, size: number, value: () => number, count: number | null,
  write: (v: number, after: () => number[]) => number[]): number[] {
  const m = g.m;
  const countExpr = count !== null ? g.c(count)
    : m.i32.and(g.regN(8, 1), g.c(g.model === "8086" ? 0xff : 31));
  const out = [...g.flagsToCore(), g.set(L_RES, m.call("shift", [g.c(kind), value(), countExpr, g.c(size)], g.i32))];
  return [...out, ...write(g.get(L_RES), () => g.flagsFromCore())];
}
