/**
 * flags.ts — FLAGS, with lazily computed condition codes.
 *
 * ALU instructions do not compute CF/PF/AF/ZF/SF/OF. They record the
 * operation kind, both operands and the result, and the flags are derived
 * only when something reads them: a Jcc asks for one flag, PUSHF or an
 * interrupt for all. Most results are overwritten before anyone looks, so
 * the interpreter skips the work. (The translator keeps the same record
 * in Wasm locals, stores it here only where the core can look, and drops
 * records nothing reads: src/jit/flags.ts.)
 * The measurement behind the choice is in ARCHITECTURE.md.
 *
 * The record (LAZY_OP, LAZY_A, LAZY_B, LAZY_R; LAZY_X):
 *
 *    31 30 29  25 24  20 19 18 17 16 15           8 7      0
 *   ┌─────┬──────┬──────┬──┬──┬──┬──┬──────────────┬────────┐
 *   │  0  │ ofAt │ cfAt │XR│OF│CF│ X│ size 8/16/32 │  kind  │   LAZY_OP
 *   └─────┴──────┴──────┴──┴──┴──┴──┴──────────────┴────────┘
 *   kind: 0 none (REG_FLAGS is exact)   1 ADD/ADC   2 SUB/SBB/CMP/NEG
 *         3 logic (CF=OF=AF=0)          5 INC       6 DEC
 *   Bit 2 of kind: CF is not part of the record (INC/DEC keep it; it was
 *   frozen into REG_FLAGS when the record was made).
 *   X (LAZY_CFOF): CF and OF are bits 17 and 18, whatever the kind says.
 *   A rotate sets just CF and OF: it adds X to the record in place,
 *   leaving SF/ZF/AF/PF to the record (or to REG_FLAGS, kind 0) — no
 *   materialising. A SHL/SHR/SAR is a logic record of its result (SZP from
 *   it, AF clear) with X: four stores, nothing computed until read. The
 *   translator makes the same records in Wasm locals.
 *   XR (LAZY_XROT, with X): CF and OF are not bits 17 and 18 but come
 *   from the word in LAZY_X — CF = its bit cfAt, OF = CF xor its bit
 *   ofAt. The translator's ROL/ROR (src/jit/shifts.ts) store the result
 *   there with cfAt/ofAt constants (ROL: 0 and size − 1; ROR: size − 1
 *   and size − 2) instead of working the two flags out: a rotate in a
 *   loop whose flags only an exit could see costs nothing for them.
 *
 * Carry and overflow come from the operands' and result's top bits, the
 * same formulas for ADD/ADC and SUB/SBB, so one record serves them all
 * (QEMU's and v86's trick):
 *   ADD: CF = top((a & b) | ((a | b) & ~r))   OF = top((a ^ r) & (b ^ r))
 *   SUB: CF = top((~a & b) | ((~a | b) & r))  OF = top((a ^ b) & (a ^ r))
 *   AF  = bit 4 of (a ^ b ^ r)
 *
 * FLAGS bits:
 *   15 14 13 12 11 10  9  8  7  6  5  4  3  2  1  0
 *   ── NT IOPL─ OF DF IF TF SF ZF  0 AF  0 PF  1 CF
 */
import { REG_FLAGS, LAZY_OP, LAZY_A, LAZY_B, LAZY_R, LAZY_X, CPU_MODEL, EVENTS } from "../layout";

export const CF: i32 = 1 << 0;
export const PF: i32 = 1 << 2;
export const AF: i32 = 1 << 4;
export const ZF: i32 = 1 << 6;
export const SF: i32 = 1 << 7;
export const TF: i32 = 1 << 8;
export const IF: i32 = 1 << 9;
export const DF: i32 = 1 << 10;
export const OF: i32 = 1 << 11;
export const ARITH: i32 = CF | PF | AF | ZF | SF | OF;

/** Build-time experiment switch (`asc --use EAGER_FLAGS=1`, the "eager"
 *  target in asconfig.json): compute the flags at every flag-setting
 *  instruction instead of on demand. Used only to measure the lazy scheme
 *  against the eager one (bench/flags.bench.ts); the default is lazy. */
// @ts-ignore: defined on the asc command line, if at all
@lazy const EAGER: bool = isDefined(EAGER_FLAGS) ? EAGER_FLAGS != 0 : false;

export const LAZY_NONE: i32 = 0;
export const LAZY_ADD: i32 = 1;
export const LAZY_SUB: i32 = 2;
export const LAZY_LOGIC: i32 = 3;
export const LAZY_KEEP_CF: i32 = 4;
export const LAZY_INC: i32 = LAZY_ADD | LAZY_KEEP_CF;
export const LAZY_DEC: i32 = LAZY_SUB | LAZY_KEEP_CF;
/** LAZY_OP bit: CF and OF are given by bits 17 and 18. */
export const LAZY_CFOF: i32 = 1 << 16;
/** LAZY_OP bit, with LAZY_CFOF: CF and OF come from LAZY_X instead, at
 *  the bit positions in bits 20–24 and 25–29 (see the header). */
export const LAZY_XROT: i32 = 1 << 19;

/** CF of a record with LAZY_CFOF. */
@inline function xCF(op: i32): i32 {
  return op & LAZY_XROT ? (load<i32>(LAZY_X) >>> ((op >> 20) & 31)) & 1 : (op >> 17) & 1;
}
/** OF of a record with LAZY_CFOF. */
@inline function xOF(op: i32): i32 {
  return op & LAZY_XROT ? xCF(op) ^ ((load<i32>(LAZY_X) >>> ((op >> 25) & 31)) & 1) : (op >> 18) & 1;
}

@inline function kindOf(op: i32): i32 { return op & 0xFF; }
@inline function sizeOf(op: i32): i32 { return (op >> 8) & 0xFF; }

/** 1 if the low byte has an even number of set bits. */
@inline export function parity(x: i32): i32 {
  const v = (x ^ (x >> 4)) & 0xF;
  return ((0x6996 >> v) & 1) ^ 1;
}

@inline function topBit(x: i32, size: i32): i32 { return (x >>> (size - 1)) & 1; }
@inline function sizeMask(size: i32): i32 { return size == 32 ? -1 : (1 << size) - 1; }

/** Record an ADD-family result (ADD, ADC). */
@inline export function lazyAdd(a: i32, b: i32, r: i32, size: i32): void {
  store<i32>(LAZY_OP, LAZY_ADD | (size << 8));
  store<i32>(LAZY_A, a); store<i32>(LAZY_B, b); store<i32>(LAZY_R, r);
  if (EAGER) materializeFlags();
}

/** Record a SUB-family result (SUB, SBB, CMP, NEG). */
@inline export function lazySub(a: i32, b: i32, r: i32, size: i32): void {
  store<i32>(LAZY_OP, LAZY_SUB | (size << 8));
  store<i32>(LAZY_A, a); store<i32>(LAZY_B, b); store<i32>(LAZY_R, r);
  if (EAGER) materializeFlags();
}

/** Record a logic result (AND/OR/XOR/TEST): CF=OF=AF=0, SZP from r. */
@inline export function lazyLogic(r: i32, size: i32): void {
  store<i32>(LAZY_OP, LAZY_LOGIC | (size << 8));
  store<i32>(LAZY_R, r);
  if (EAGER) materializeFlags();
}

/** A logic-kind record with CF and OF given (SHL/SHR/SAR, SHLD/SHRD,
 *  AAM/AAD-like results): SZP from r, AF clear. */
@inline export function lazyLogicCfOf(r: i32, size: i32, cf: i32, ovf: i32): void {
  store<i32>(LAZY_OP, LAZY_LOGIC | (size << 8) | LAZY_CFOF | (cf << 17) | (ovf << 18));
  store<i32>(LAZY_R, r);
  if (EAGER) materializeFlags();
}

/** Set CF and OF (0 or 1 each), keep the other flags (rotates). */
@inline export function lazyCfOf(cf: i32, ovf: i32): void {
  store<i32>(LAZY_OP, (load<i32>(LAZY_OP) & 0xFFFF) | LAZY_CFOF | (cf << 17) | (ovf << 18));
  if (EAGER) materializeFlags();
}

/** INC/DEC: like ADD/SUB of 1 but CF is kept, so freeze it first. */
@inline export function lazyIncDec(isDec: bool, a: i32, r: i32, size: i32): void {
  const cf = getCF();
  store<i32>(REG_FLAGS, (load<i32>(REG_FLAGS) & ~CF) | cf);
  store<i32>(LAZY_OP, (isDec ? LAZY_DEC : LAZY_INC) | (size << 8));
  store<i32>(LAZY_A, a); store<i32>(LAZY_B, 1); store<i32>(LAZY_R, r);
  if (EAGER) materializeFlags();
}

/** The arithmetic flags defined by the pending lazy record. */
function lazyFlags(op: i32): i32 {
  const kind = op & 3;
  const size = sizeOf(op);
  const r = load<i32>(LAZY_R);
  let f = parity(r) << 2;
  if ((r & sizeMask(size)) == 0) f |= ZF;
  if (topBit(r, size)) f |= SF;
  if (kind == LAZY_LOGIC) return f;
  const a = load<i32>(LAZY_A);
  const b = load<i32>(LAZY_B);
  if ((a ^ b ^ r) & 0x10) f |= AF;
  if (kind == LAZY_ADD) {
    if (topBit((a & b) | ((a | b) & ~r), size)) f |= CF;
    if (topBit((a ^ r) & (b ^ r), size)) f |= OF;
  } else {
    if (topBit((~a & b) | ((~a | b) & r), size)) f |= CF;
    if (topBit((a ^ b) & (a ^ r), size)) f |= OF;
  }
  return f;
}

/** The architectural FLAGS value, as PUSHF would store it. */
export function getFlags(): i32 {
  let f = load<i32>(REG_FLAGS);
  const op = load<i32>(LAZY_OP);
  if (kindOf(op) != LAZY_NONE) {
    const m = (op & LAZY_KEEP_CF) ? ARITH & ~CF : ARITH;
    f = (f & ~m) | (lazyFlags(op) & m);
  }
  if (op & LAZY_CFOF) f = (f & ~(CF | OF)) | xCF(op) | (xOF(op) << 11);
  return f;
}

/** Fold the lazy record into REG_FLAGS and drop it. */
export function materializeFlags(): void {
  if (load<i32>(LAZY_OP) != LAZY_NONE) {
    store<i32>(REG_FLAGS, getFlags());
    store<i32>(LAZY_OP, LAZY_NONE);
  }
}

/** Fixed bits per model: the 8086 reads bits 12–15 as 1; the 286 in real
 *  mode reads them as 0; the 386 in real mode lets IOPL (12–13) and NT
 *  (14) be written and reads bit 15 as 0. Bit 1 is always 1, bits 3 and 5
 *  always 0. The 386's EFLAGS bits above 15 (RF, VM) stay 0 in real mode,
 *  so FLAGS is the whole of EFLAGS. */
@inline export function normalizeFlags(f: i32): i32 {
  const model = load<i32>(CPU_MODEL);
  if (model == 2) return (f & 0x7FD5) | 2;
  f = (f & 0x0FD5) | 2;
  return model == 0 ? f | 0xF000 : f;
}

/** Write FLAGS (POPF, IRET and the host). */
export function setFlags(f: i32): void {
  store<i32>(LAZY_OP, LAZY_NONE);
  store<i32>(REG_FLAGS, normalizeFlags(f));
}

/** FLAGS write by the guest (POPF, IRET): re-check events if IF or TF may
 *  now be set. */
export function writeFlags(v: i32): void {
  setFlags(v);
  if (v & (IF | TF)) store<i32>(EVENTS, 1);
}

/** Replace some flag bits eagerly (shifts, MUL, BCD, CLC...). */
@inline export function setFlagBits(mask: i32, value: i32): void {
  materializeFlags();
  store<i32>(REG_FLAGS, (load<i32>(REG_FLAGS) & ~mask) | (value & mask));
}

/** Replace all six arithmetic flags at once (shifts, MUL, BCD): nothing of
 *  the lazy record survives, so there is nothing to materialise first. */
@inline export function setArithFlags(value: i32): void {
  store<i32>(LAZY_OP, LAZY_NONE);
  store<i32>(REG_FLAGS, (load<i32>(REG_FLAGS) & ~ARITH) | (value & ARITH));
}

// Single-flag reads for conditional jumps: each touches only what it needs.

export function getCF(): i32 {
  const op = load<i32>(LAZY_OP);
  if (op & LAZY_CFOF) return xCF(op);
  const kind = op & 7;
  if (kind == LAZY_NONE || (kind & LAZY_KEEP_CF)) return load<i32>(REG_FLAGS) & CF;
  if (kind == LAZY_LOGIC) return 0;
  const a = load<i32>(LAZY_A), b = load<i32>(LAZY_B), r = load<i32>(LAZY_R);
  const size = sizeOf(op);
  return kind == LAZY_ADD
    ? topBit((a & b) | ((a | b) & ~r), size)
    : topBit((~a & b) | ((~a | b) & r), size);
}

@inline export function getZF(): bool {
  const op = load<i32>(LAZY_OP);
  if (kindOf(op) == LAZY_NONE) return (load<i32>(REG_FLAGS) & ZF) != 0;
  return (load<i32>(LAZY_R) & sizeMask(sizeOf(op))) == 0;
}

@inline export function getSF(): bool {
  const op = load<i32>(LAZY_OP);
  if (kindOf(op) == LAZY_NONE) return (load<i32>(REG_FLAGS) & SF) != 0;
  return topBit(load<i32>(LAZY_R), sizeOf(op)) != 0;
}

export function getOF(): bool {
  const op = load<i32>(LAZY_OP);
  if (op & LAZY_CFOF) return xOF(op) != 0;
  const kind = op & 3;
  if (kindOf(op) == LAZY_NONE) return (load<i32>(REG_FLAGS) & OF) != 0;
  if (kind == LAZY_LOGIC) return false;
  const a = load<i32>(LAZY_A), b = load<i32>(LAZY_B), r = load<i32>(LAZY_R);
  const size = sizeOf(op);
  return (kind == LAZY_ADD ? topBit((a ^ r) & (b ^ r), size) : topBit((a ^ b) & (a ^ r), size)) != 0;
}

export function getPF(): bool {
  if (kindOf(load<i32>(LAZY_OP)) == LAZY_NONE) return (load<i32>(REG_FLAGS) & PF) != 0;
  return parity(load<i32>(LAZY_R)) != 0;
}

/** Evaluate condition code cc (0–15, the low nibble of Jcc/SETcc). Inlined
 *  with a constant cc, it folds to the one test that condition needs. */
@inline export function testCondition(cc: i32): bool {
  let r: bool;
  switch (cc >> 1) {
    case 0: r = getOF(); break;                           // O
    case 1: r = getCF() != 0; break;                      // B/C
    case 2: r = getZF(); break;                           // Z
    case 3: r = getCF() != 0 || getZF(); break;           // BE
    case 4: r = getSF(); break;                           // S
    case 5: r = getPF(); break;                           // P
    case 6: r = getSF() != getOF(); break;                // L
    default: r = getZF() || (getSF() != getOF()); break;  // LE
  }
  return (cc & 1) ? !r : r;
}

/** Non-inlined condition test for callers with a variable cc. */
export function testConditionVar(cc: i32): bool { return testCondition(cc); }
