/**
 * corecalls.ts — instructions generated code does by calling one of the
 * core's semantic helpers (assembly/helpers.ts) directly, rather than the
 * whole interpreter: shifts and rotates, MUL/IMUL, DIV/IDIV. The helper
 * is the interpreter's own function, so the flags (and, for a shift, the
 * result) have one definition; what generated code saves is the decode and
 * the full sync around execOne — only the flags record, and for MUL/DIV
 * the registers they work on in place, go through memory (DIV syncs all:
 * its divide error is raised inside the helper).
 *
 * Where no flag is observed (flags.ts) the result alone is computed
 * inline: shifts by a constant within the operand's width, MUL/IMUL of
 * 8/16 bits, RCL/RCR by one when CF is known. A SHL/SHR/SAR whose CF alone
 * is observed gets a record that defines just CF.
 */
import { ARITH, CF, type Insn, type RegOperand } from "../x86/ir.js";
import { L_SHCF, sizeMask, type Gen } from "./codegen.js";
import { carry, setRecord, LAZY_ADD } from "./flags.js";
import type { Site } from "./inline.js";

/** The bit a SHL (kind 4), SHR (5) or SAR (7) by `count` shifts out — its
 *  CF; -1 for the other kinds. */
function carryOutBit(kind: number, size: number, count: number): number {
  return kind === 4 ? size - count : kind === 5 || kind === 7 ? count - 1 : -1;
}

/** The result alone of a ROL/ROR/SHL/SHR/SAR of `r` by a constant count
 *  within its width; null for RCL/RCR. */
function shifted(g: Gen, kind: number, r: RegOperand, count: number): number | null {
  const m = g.m, size = r.size, c = g.c(count);
  switch (kind) {
    case 0: return m.i32.or(m.i32.shl(g.reg(r), c), m.i32.shr_u(g.reg(r), g.c(size - count)));  // ROL
    case 1: return m.i32.or(m.i32.shr_u(g.reg(r), c), m.i32.shl(g.reg(r), g.c(size - count)));  // ROR
    case 4: return m.i32.shl(g.reg(r), c);                                                        // SHL
    case 5: return m.i32.shr_u(g.reg(r), c);                                                      // SHR
    case 7: return m.i32.shr_s(m.i32.shl(g.reg(r), g.c(32 - size)), g.c(32 - size + count));       // SAR
    default: return null;
  }
}

/** Group-2 shifts and rotates of a register (C0/C1/D0–D3). */
export function shiftReg(g: Gen, insn: Insn, at: Site): number[] | null {
  const op = insn.opcode & 0xff;
  if (!(op === 0xc0 || op === 0xc1 || (op >= 0xd0 && op <= 0xd3)) || insn.modrm === undefined) return null;
  const ops = insn.operands;
  if (ops[0]?.kind !== "reg") return null;
  const r = ops[0] as RegOperand, kind = (insn.modrm >> 3) & 7;
  if (kind === 6) return null; // the 8086's SETMO alias (and #UD elsewhere)
  const m = g.m, size = r.size;
  let count: number | null = null;
  if (op === 0xd0 || op === 0xd1) count = 1;
  else if (op === 0xc0 || op === 0xc1) count = ops[1]?.kind === "imm" ? ops[1].value & 31 : null;
  if ((op === 0xc0 || op === 0xc1) && count === null) return null;
  g.pending++;
  const res = g.elide && count !== null && count > 0 && count < size ? shifted(g, kind, r, count) : null;
  if (res !== null && (at.live & ARITH) === 0) return [g.setReg(r, res)];
  const outBit = count !== null ? carryOutBit(kind, size, count) : -1;
  if (res !== null && outBit >= 0 && (at.live & ARITH & ~CF) === 0) {
    // SHL/SHR/SAR whose CF alone may be observed (an RCL, a JC after it):
    // the result inline, and a record whose only meaningful flag is CF —
    // an ADD of two values with just the top bit, CF = that bit.
    const top = () => m.i32.shl(g.get(L_SHCF), g.c(size - 1));
    return [
      g.set(L_SHCF, m.i32.and(m.i32.shr_u(g.reg(r), g.c(outBit)), g.c(1))),
      ...setRecord(g, LAZY_ADD, size, top(), top(), g.c(0)), g.setReg(r, res),
    ];
  }
  if (g.elide && (at.live & ARITH) === 0 && count === 1 && (kind === 2 || kind === 3)) {
    // RCL/RCR by one, flags dead, CF known in this block: rotate through it.
    const cf = g.knownCarry !== null ? g.get(g.knownCarry) : carry(g);
    if (cf !== null) {
      const rotated = kind === 2
        ? m.i32.or(m.i32.shl(g.reg(r), g.c(1)), cf)
        : m.i32.or(m.i32.shr_u(g.reg(r), g.c(1)), m.i32.shl(cf, g.c(size - 1)));
      return [g.setReg(r, rotated)];
    }
  }
  const countExpr = count !== null ? g.c(count)
    : m.i32.and(g.regN(8, 1), g.c(g.model === "8086" && size !== 32 ? 0xff : 31));
  // A SHL/SHR/SAR by one through the core: its CF (the bit shifted out) is
  // kept in a local as well, so a JC/JNC after it tests that, not the core.
  const keepCarry = count === 1 && outBit >= 0;
  const out = [...g.flagsToCore()];
  if (keepCarry) out.push(g.set(L_SHCF, m.i32.and(m.i32.shr_u(g.reg(r), g.c(outBit)), g.c(1))));
  out.push(g.setReg(r, m.call("shift", [g.c(kind), g.reg(r), countExpr, g.c(size)], g.i32)), ...g.flagsFromCore());
  if (keepCarry) g.knownCarry = L_SHCF;
  return out;
}

/** The group-3 register form (F6/F7 with a register operand) whose reg
 *  field is one of `kinds`: the field and the register. */
function group3(insn: Insn, kinds: readonly number[]): { kind: number; src: RegOperand } | null {
  if ((insn.opcode !== 0xf6 && insn.opcode !== 0xf7) || insn.modrm === undefined) return null;
  const kind = (insn.modrm >> 3) & 7, src = insn.operands[0];
  return kinds.includes(kind) && src?.kind === "reg" ? { kind, src } : null;
}

/** One-operand MUL/IMUL of a register (F6/F7 /4 /5): on AL/AX/EAX and
 *  AH/DX/EDX in the core's memory. */
export function mulReg(g: Gen, insn: Insn, at: Site): number[] | null {
  const form = group3(insn, [4, 5]);
  if (!form) return null;
  const { kind, src } = form, m = g.m;
  g.pending++;
  if (g.elide && (at.live & ARITH) === 0 && src.size !== 32) {
    // Flags dead: the product alone (16 × 16 fits an i32 either way).
    const bits = src.size, sh = g.c(32 - bits);
    const ext = (e: number) => (kind === 5 ? m.i32.shr_s(m.i32.shl(e, sh), sh) : e);
    const product = m.i32.mul(ext(g.regN(bits, 0)), ext(g.reg(src)));
    if (bits === 8) return [g.setRegN(16, 0, product)];
    return [g.set(g.scratch, product), g.setRegN(16, 0, g.get(g.scratch)), g.setRegN(16, 2, m.i32.shr_u(g.get(g.scratch), g.c(16)))];
  }
  const value = g.set(g.scratch, g.reg(src));
  return [
    value, ...g.regsToCore([0, 2]),
    m.call("mul", [g.get(g.scratch), g.c(src.size), g.c(kind === 5 ? 1 : 0), g.c(0)], g.api.none),
    ...g.regsFromCore([0, 2]), ...g.flagsFromCore(),
  ];
}

/** IMUL reg, reg, imm (69/6B): the core's imul3 gives the product and
 *  the flags. */
export function imul3Reg(g: Gen, insn: Insn): number[] | null {
  if (insn.opcode !== 0x69 && insn.opcode !== 0x6b) return null;
  const [d, s, i] = insn.operands;
  if (d?.kind !== "reg" || s?.kind !== "reg" || i?.kind !== "imm") return null;
  const m = g.m, size = d.size;
  g.pending++;
  return [
    g.setReg(d, m.call("imul3", [g.reg(s), g.c(i.value & sizeMask(size)), g.c(size)], g.i32)),
    ...g.flagsFromCore(),
  ];
}

/** DIV/IDIV of a register (F6/F7 /6 /7). The divide error is a fault the
 *  helper raises itself, so the core's state is synced first, with
 *  INSN_IP and — for the 8086, whose frame points past the instruction —
 *  IP at the next instruction. */
export function divReg(g: Gen, insn: Insn, next: number): number[] | null {
  const form = group3(insn, [6, 7]);
  if (!form) return null;
  const { kind, src } = form, m = g.m, L = g.L;
  g.pending++;
  return [
    g.set(g.scratch, g.reg(src)),
    ...g.sync(false), g.st32(L.INSN_IP, g.c(insn.ip)), g.st32(L.REG_IP, g.c(next)),
    m.call("div", [g.get(g.scratch), g.c(src.size), g.c(kind === 7 ? 1 : 0), g.c(0)], g.api.none),
    ...g.regsFromCore([0, 2]), ...g.flagsFromCore(),
  ];
}
