/**
 * corecalls.ts — group 3's MUL/IMUL and DIV/IDIV, and IMUL with an
 * immediate, in generated code. MUL/IMUL call one of the core's semantic
 * helpers (assembly/helpers.ts) directly, rather than the whole
 * interpreter: the helper is the interpreter's own function, so the flags
 * have one definition, and only AX/DX go through memory. Where no flag is
 * observed (flags.ts) the product of an 8/16-bit MUL/IMUL is computed
 * inline. 8/16-bit DIV/IDIV are computed inline (DIV leaves the flags
 * alone); a divide error — the one outcome that needs the core — syncs
 * the state and calls the helper, which raises it. Shifts are shifts.ts.
 */
import { ARITH, type Insn } from "../x86/ir.js";
import { address, readMem } from "./memory.js";
import { L_RES, L_TMP2, sizeMask, type Gen } from "./codegen.js";
import type { Site } from "./inline.js";

/** The group-3 form (F6/F7) whose reg field is one of `kinds`: the
 *  field, the operand's size and the code that puts the operand in the
 *  scratch local (a register, or a 16-bit-addressed memory operand — the
 *  read is the only access, and comes first; generate it once the
 *  instruction is counted, as a fault on it sees the count). */
function group3(g: Gen, insn: Insn, kinds: readonly number[]): { kind: number; size: number; load: () => number[] } | null {
  if ((insn.opcode !== 0xf6 && insn.opcode !== 0xf7) || insn.modrm === undefined) return null;
  const kind = (insn.modrm >> 3) & 7, src = insn.operands[0];
  if (!kinds.includes(kind)) return null;
  if (src?.kind === "reg") return { kind, size: src.size, load: () => [g.set(g.scratch, g.reg(src))] };
  if (src?.kind !== "mem" || src.implicit || src.farPointer) return null;
  return { kind, size: src.size, load: () => [...address(g, src), g.set(g.scratch, readMem(g, src.size, insn.ip))] };
}

/** One-operand MUL/IMUL (F6/F7 /4 /5): on AL/AX/EAX and AH/DX/EDX in
 *  the core's memory. */
export function mul(g: Gen, insn: Insn, at: Site): number[] | null {
  const form = group3(g, insn, [4, 5]);
  if (!form) return null;
  const { kind, size, load } = form, m = g.m;
  g.pending++;
  if (g.elide && (at.live & ARITH) === 0 && size !== 32) {
    // Flags dead: the product alone (16 × 16 fits an i32 either way).
    const sh = g.c(32 - size);
    const ext = (e: number) => (kind === 5 ? m.i32.shr_s(m.i32.shl(e, sh), sh) : e);
    const product = m.i32.mul(ext(g.regN(size, 0)), ext(g.get(g.scratch)));
    if (size === 8) return [...load(), g.setRegN(16, 0, product)];
    return [...load(), g.set(g.scratch, product), g.setRegN(16, 0, g.get(g.scratch)), g.setRegN(16, 2, m.i32.shr_u(g.get(g.scratch), g.c(16)))];
  }
  return [
    ...load(), ...g.regsToCore([0, 2]),
    m.call("mul", [g.get(g.scratch), g.c(size), g.c(kind === 5 ? 1 : 0), g.c(0)], g.api.none),
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

/**
 * DIV/IDIV (F6/F7 /6 /7). 8- and 16-bit ones are computed inline, and the
 * flags, which DIV leaves alone, stay as they are. A zero divisor or a
 * quotient that does not fit is a divide error, which the core's helper
 * raises: that path syncs the core's state first, with INSN_IP and — for
 * the 8086, whose frame points past the instruction — IP at the next
 * instruction, and calls the helper, which does not return. 32-bit ones
 * always go that way.
 */
export function div(g: Gen, insn: Insn, next: number): number[] | null {
  const form = group3(g, insn, [6, 7]);
  if (!form) return null;
  const { kind, size, load } = form, m = g.m, L = g.L;
  g.pending++;
  const out = load();
  const helper = [
    ...g.sync(false), g.st32(L.INSN_IP, g.c(insn.ip)), g.st32(L.REG_IP, g.c(next)),
    m.call("div", [g.get(g.scratch), g.c(size), g.c(kind === 7 ? 1 : 0), g.c(0)], g.api.none),
  ];
  if (size === 32) return [...out, ...helper, ...g.regsFromCore([0, 2]), ...g.flagsFromCore()];
  const signed = kind === 7, c = (n: number) => g.c(n);
  const d = () => g.get(g.scratch), q = () => g.get(L_RES), r = () => g.get(L_TMP2);
  const sext = (e: number, bits: number) => m.i32.shr_s(m.i32.shl(e, c(32 - bits)), c(32 - bits));
  // The dividend: AX for a byte divisor, DX:AX for a word.
  const n = () => (size === 8 ? (signed ? sext(g.regN(16, 0), 16) : g.regN(16, 0))
    : m.i32.or(m.i32.shl(g.regN(16, 2), c(16)), g.regN(16, 0)));
  const slow = `div_error_${insn.ip}`, done = `div_done_${insn.ip}`;
  const body: number[] = [
    g.set(g.scratch, signed ? sext(d(), size) : m.i32.and(d(), c(size === 8 ? 0xff : 0xffff))),
    m.br(slow, m.i32.eqz(d())),
  ];
  // The one quotient i32.div_s traps on (−2³¹ ÷ −1) does not fit anyway.
  if (signed && size === 16) body.push(m.br(slow, m.i32.and(m.i32.eq(d(), c(-1)), m.i32.eq(n(), c(-0x80000000)))));
  body.push(g.set(L_TMP2, n()));
  body.push(g.set(L_RES, signed ? m.i32.div_s(r(), d()) : m.i32.div_u(r(), d())));
  body.push(g.set(L_TMP2, signed ? m.i32.rem_s(r(), d()) : m.i32.rem_u(r(), d())));
  const max = size === 8 ? 0x7f : 0x7fff, lo = g.model === "8086" ? -max : -max - 1;
  body.push(m.br(slow, signed
    ? m.i32.or(m.i32.gt_s(q(), c(max)), m.i32.lt_s(q(), c(lo)))
    : m.i32.gt_u(q(), c(size === 8 ? 0xff : 0xffff))));
  if (size === 8) body.push(g.setRegN(16, 0, m.i32.or(m.i32.and(q(), c(0xff)), m.i32.shl(m.i32.and(r(), c(0xff)), c(8)))));
  else body.push(g.setRegN(16, 0, q()), g.setRegN(16, 2, r()));
  body.push(m.br(done));
  return [...out, m.block(done, [m.block(slow, body), ...helper, m.unreachable()])];
}
