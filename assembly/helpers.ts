/**
 * helpers.ts — instruction semantics exported for generated code.
 *
 * The binary translator (src/jit) emits Wasm that works on the same CPU
 * state at the same addresses. Most instructions it inlines (MOV, ALU
 * with the lazy-flag record, shifts, Jcc, 8/16-bit DIV...); for the rest
 * it calls the interpreter's execOne, or the helpers here (CF, RCL/RCR by
 * CL, MUL, DIV's divide error). A memory access off its fast paths leaves
 * generated code instead (a side exit): the segmented accesses below are
 * for other translators and tools.
 * These are the very functions the interpreter runs —
 * thin, non-inlined wrappers, so each instruction's meaning is written once
 * (in cpu/alu.ts, cpu/string.ts, ...) and both engines share it.
 *
 * Conventions: sizes are 8, 16 or 32 (bits); values are zero-extended i32;
 * helpers that can fault (memory at offset FFFFh on the 286, DIV, ...) do
 * so exactly as in the interpreter — by trapping with FAULT_VECTOR set — so
 * the caller must have stored IP/INSN_IP as the interpreter would.
 * The generated module imports them from the core instance's exports.
 */
import { alu, inc, dec, neg, shift, mul, imul3, div, daa, das, aaa, aas, aam, aad } from "./cpu/alu";
import { stringOp } from "./cpu/string";
import { interrupt } from "./cpu/interrupts";
import { getFlags, setFlags, testConditionVar, getCF } from "./cpu/flags";
import { setPrefixRep, setPrefixSeg, resetPrefixes } from "./cpu/decode";
import { readB, writeB, readW, writeW, readD, writeD, push16, pop16, push32, pop32 } from "./memory/access";
import { read8, write8, read16, write16 } from "./memory/tlb";
import { portIn, portOut } from "./io";
import { setSeg } from "./cpu/state";
import { raiseFault } from "./cpu/fault";

/** ALU group op (0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP) on a, b;
 *  records the lazy flags, returns the result. */
export function helper_alu(op: i32, a: i32, b: i32, size: i32): i32 { return alu(op, a, b, size); }
export function helper_inc(a: i32, size: i32): i32 { return inc(a, size); }
export function helper_dec(a: i32, size: i32): i32 { return dec(a, size); }
export function helper_neg(a: i32, size: i32): i32 { return neg(a, size); }
/** Shift/rotate group op (0 ROL … 7 SAR) by an already-masked count. */
export function helper_shift(op: i32, v: i32, count: i32, size: i32): i32 { return shift(op, v, count, size); }
/** MUL/IMUL into AX or DX:AX; `negate` is the 8086's REP-prefix quirk. */
export function helper_mul(src: i32, size: i32, signed: bool, negate: bool): void { mul(src, size, signed, negate); }
export function helper_imul3(a: i32, b: i32, size: i32): i32 { return imul3(a, b, size); }
/** DIV/IDIV from AX or DX:AX; raises #DE like the interpreter. */
export function helper_div(src: i32, size: i32, signed: bool, negate: bool): void { div(src, size, signed, negate); }
export function helper_daa(): void { daa(); }
export function helper_das(): void { das(); }
export function helper_aaa(): void { aaa(); }
export function helper_aas(): void { aas(); }
export function helper_aam(base: i32): void { aam(base); }
export function helper_aad(base: i32): void { aad(base); }

/** A string instruction (opcode A4–AF, 6C–6F) with its REP prefix (0, F2h,
 *  F3h) and segment override (-1 or a segment number). Same REP/yield
 *  rules as the interpreter (cpu/string.ts). */
export function helper_string(op: i32, rep: i32, seg: i32): void {
  resetPrefixes();
  if (rep) setPrefixRep(rep);
  if (seg >= 0) setPrefixSeg(seg);
  stringOp(op);
}

/** Enter an interrupt handler (INT n, exceptions, IRQs). */
export function helper_interrupt(vector: i32, returnIP: i32): void { interrupt(vector, returnIP); }
export function helper_get_flags(): i32 { return getFlags(); }
export function helper_set_flags(v: i32): void { setFlags(v); }
export function helper_get_cf(): i32 { return getCF(); }
export function helper_condition(cc: i32): bool { return testConditionVar(cc); }
export function helper_set_seg(seg: i32, sel: i32): void { setSeg(seg, sel); }

/** Segmented memory access with the model's offset-FFFFh rule. */
export function helper_read8(seg: i32, off: i32): i32 { return readB(seg, off); }
export function helper_read16(seg: i32, off: i32): i32 { return readW(seg, off); }
export function helper_write8(seg: i32, off: i32, v: i32): void { writeB(seg, off, v); }
export function helper_write16(seg: i32, off: i32, v: i32): void { writeW(seg, off, v); }
export function helper_read32(seg: i32, off: i32): i32 { return readD(seg, off); }
export function helper_write32(seg: i32, off: i32, v: i32): void { writeD(seg, off, v); }
export function helper_push16(v: i32): void { push16(v); }
export function helper_pop16(): i32 { return pop16(); }
export function helper_push32(v: i32): void { push32(v); }
export function helper_pop32(): i32 { return pop32(); }
/** Linear-address access through the TLB (the slow path when inlined code's
 *  one-compare check fails). */
export function helper_read8_linear(lin: i32): i32 { return read8(lin); }
export function helper_read16_linear(lin: i32): i32 { return read16(lin); }
export function helper_write8_linear(lin: i32, v: i32): void { write8(lin, v); }
export function helper_write16_linear(lin: i32, v: i32): void { write16(lin, v); }

export function helper_in(port: i32, size: i32): i32 { return portIn(port, size); }
export function helper_out(port: i32, size: i32, v: i32): void { portOut(port, size, v); }

/** Raise guest exception `vector` (generated code's fault path: it has
 *  synced the CPU state and set INSN_IP first). Never returns. */
export function helper_fault(vector: i32): void { raiseFault(vector); }
