/**
 * alu.ts — the arithmetic semantics: ALU group, shifts and rotates,
 * multiply/divide, BCD adjusts. Pure functions of their operands plus the
 * flags they record; the interpreter fetches operands and stores results,
 * and the translator runs them too (through execOne or the helpers), so
 * each instruction's meaning is written once.
 *
 * Sizes are in bits: 8, 16, or 32 (the 386's operand-size prefix).
 */
import {
  lazyAdd, lazySub, lazyLogic, lazyIncDec, lazyLogicCfOf, lazyCfOf, getCF, setFlagBits, setArithFlags, parity, getFlags,
  CF, PF, AF, ZF, SF, OF, ARITH,
} from "./flags";
import { model, MODEL_8086, reg8, setReg8, reg16, setReg16, reg32, setReg32, zext64, AX, DX } from "./state";
import { raiseFault, VEC_DIVIDE } from "./fault";

@inline function maskOf(size: i32): i32 { return size == 32 ? -1 : (1 << size) - 1; }
@inline function top(x: i32, size: i32): i32 { return (x >>> (size - 1)) & 1; }

/** SZP flags of a result (AF, CF, OF clear). */
@inline export function szp(r: i32, size: i32): i32 {
  let f = parity(r) << 2;
  if ((r & maskOf(size)) == 0) f |= ZF;
  if (top(r, size)) f |= SF;
  return f;
}

/** ALU group op (the reg field of 80–83 and bits 3–5 of 00–3F):
 *  0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP. Returns the result
 *  (masked); the caller does not store it for CMP. */
@inline export function alu(op: i32, a: i32, b: i32, size: i32): i32 {
  const m = maskOf(size);
  let r: i32;
  switch (op) {
    case 0: r = a + b; lazyAdd(a, b, r, size); break;
    case 1: r = a | b; lazyLogic(r, size); break;
    case 2: r = a + b + getCF(); lazyAdd(a, b, r, size); break;
    case 3: r = a - b - getCF(); lazySub(a, b, r, size); break;
    case 4: r = a & b; lazyLogic(r, size); break;
    case 5: case 7: r = a - b; lazySub(a, b, r, size); break;
    default: r = a ^ b; lazyLogic(r, size); break;
  }
  return r & m;
}

@inline export function inc(a: i32, size: i32): i32 {
  const r = a + 1; lazyIncDec(false, a, r, size); return r & maskOf(size);
}
@inline export function dec(a: i32, size: i32): i32 {
  const r = a - 1; lazyIncDec(true, a, r, size); return r & maskOf(size);
}
@inline export function neg(a: i32, size: i32): i32 {
  const r = 0 - a; lazySub(0, a, r, size); return r & maskOf(size);
}

// ------------------------------------------------------------ shifts

/**
 * Shift/rotate group (reg field of C0/C1/D0–D3):
 * 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL (8086: SETMO) 7 SAR.
 * `count` is already masked as the model requires (the 8086 does not mask;
 * the 286 masks to 5 bits). A zero count changes nothing, flags included.
 * OF is architecturally defined only for count 1; for larger counts we
 * produce what the last single-bit step of the hardware's loop leaves,
 * which is what the 286 does for rotates.
 */
export function shift(op: i32, v: i32, count: i32, size: i32): i32 {
  const m = maskOf(size);
  v &= m;
  if (count == 0) return v;
  let r: i32 = v;
  let cf: i32 = 0;
  let ovf: i32 = 0;
  switch (op) {
    case 0: { // ROL
      const c = count & (size - 1);
      r = c ? ((v << c) | (v >>> (size - c))) & m : v;
      cf = r & 1;
      ovf = cf ^ top(r, size);
      lazyCfOf(cf, ovf);
      return r;
    }
    case 1: { // ROR
      const c = count & (size - 1);
      r = c ? ((v >>> c) | (v << (size - c))) & m : v;
      cf = top(r, size);
      ovf = cf ^ top(r << 1, size);
      lazyCfOf(cf, ovf);
      return r;
    }
    case 2: { // RCL: rotate the (size+1)-bit value CF:v left
      const c = count % (size + 1);
      cf = getCF();
      for (let i = 0; i < c; i++) {
        const out = top(r, size);
        r = ((r << 1) | cf) & m;
        cf = out;
      }
      ovf = cf ^ top(r, size);
      lazyCfOf(cf, ovf);
      return r;
    }
    case 3: { // RCR
      const c = count % (size + 1);
      cf = getCF();
      for (let i = 0; i < c; i++) {
        const out = r & 1;
        r = (r >>> 1) | (cf << (size - 1));
        cf = out;
      }
      ovf = top(r, size) ^ top(r << 1, size);
      lazyCfOf(cf, ovf);
      return r;
    }
    case 4: case 6: { // SHL / SAL
      if (op == 6 && model() == MODEL_8086) return setmo(size);
      if (count == 1) {
        // v << 1 is v + v, with the same CF, OF and SZP: an ADD record, which
        // costs nothing until a flag is read (AF, undefined after a shift,
        // then follows the addition: bit 3 of v). The translator records
        // it the same way (src/jit/shifts.ts).
        r = (v << 1) & m;
        lazyAdd(v, v, v + v, size);
        return r;
      }
      if (count <= size) {
        cf = (v >>> (size - count)) & 1;
        r = count == 32 ? 0 : (v << count) & m;
      } else { r = 0; cf = 0; }
      ovf = cf ^ top(r, size);
      break;
    }
    case 5: { // SHR
      if (count <= size) {
        cf = (v >>> (count - 1)) & 1;
        r = count == 32 ? 0 : v >>> count;
      } else { r = 0; cf = 0; }
      // OF (count 1) is the original top bit; for larger counts the last
      // step shifts in a zero over the previous result's top bit.
      ovf = count == 1 ? top(v, size) : 0;
      break;
    }
    default: { // SAR
      const sv = (v << (32 - size)) >> (32 - size);
      if (count < size) {
        cf = (sv >> (count - 1)) & 1;
        r = (sv >> count) & m;
      } else { r = sv < 0 ? m : 0; cf = r & 1; }
      ovf = 0;
      break;
    }
  }
  // Shifts define SZP from the result; AF is undefined (the hardware
  // leaves it as the ALU computed it, which we model as clear): a logic
  // record of the result, with CF and OF given.
  lazyLogicCfOf(r, size, cf, ovf);
  return r;
}

/** 8086 SETMO/SETMOC (D0–D3 reg 6): the operand becomes all ones and the
 *  flags are those of OR with all ones. */
function setmo(size: i32): i32 {
  const m = maskOf(size);
  setArithFlags(szp(m, size));
  return m;
}

// ------------------------------------------------------ multiply/divide

/** MUL/IMUL with an 8- or 16-bit source into AX or DX:AX. */
export function mul(src: i32, size: i32, signed: bool, negate: bool): void {
  let lo: i32, hi: i32, ext: bool;
  if (size == 8) {
    let r: i32 = signed ? <i32><i8>reg8(AX) * <i32><i8>src : reg8(AX) * (src & 0xFF);
    if (negate) r = -r;
    setReg16(AX, r);
    lo = r & 0xFF; hi = (r >> 8) & 0xFF;
    ext = signed ? ((lo << 24) >> 24) != ((r << 16) >> 16) : hi != 0;
  } else if (size == 16) {
    let r: i32 = signed ? <i32><i16>reg16(AX) * <i32><i16>src : reg16(AX) * (src & 0xFFFF);
    if (negate) r = -r;
    setReg16(AX, r);
    setReg16(DX, r >> 16);
    lo = r & 0xFFFF; hi = (r >>> 16) & 0xFFFF;
    ext = signed ? ((lo << 16) >> 16) != r : hi != 0;
  } else {
    // EDX:EAX = EAX × src. The unsigned product of two 32-bit values fits
    // 64 bits; as an i64 its bit pattern is what we store either way.
    const a = reg32(AX);
    const r: i64 = signed ? <i64>a * <i64>src : <i64>(zext64(a) * zext64(src));
    lo = <i32>r; hi = <i32>(r >> 32);
    setReg32(AX, lo); setReg32(DX, hi);
    ext = signed ? <i64>lo != r : hi != 0;
  }
  const fl = ext ? CF | OF : 0;
  // SZP/AF are undefined; model them from the high half like the 8086's
  // microcode leaves them (masked out by the conformance rules anyway).
  setArithFlags(fl | szp(size == 8 ? hi : hi, size));
}

/** IMUL r, r/m, imm (186+) and IMUL r, r/m (386): returns the truncated
 *  product; CF = OF = the product did not fit the operand size. */
export function imul3(a: i32, b: i32, size: i32): i32 {
  if (size == 32) {
    const p: i64 = <i64>a * <i64>b;
    setArithFlags((<i64><i32>p != p ? CF | OF : 0) | szp(<i32>p, 32));
    return <i32>p;
  }
  const r = <i32><i16>a * <i32><i16>b;
  const ext = ((r << 16) >> 16) != r;
  setArithFlags((ext ? CF | OF : 0) | szp(r & 0xFFFF, size));
  return r & 0xFFFF;
}

/** DIV/IDIV. Raises #DE (vector 0) on a zero divisor or a quotient that
 *  does not fit; registers are untouched then. `negate`: the 8086 with a
 *  REP prefix negates the IDIV quotient. */
export function div(src: i32, size: i32, signed: bool, negate: bool): void {
  if (size == 8) {
    const dividend = reg16(AX);
    src &= 0xFF;
    if (src == 0) raiseFault(VEC_DIVIDE);
    let q: i32, rem: i32;
    if (signed) {
      const n = <i32><i16>dividend, d = <i32><i8>src;
      q = n / d; rem = n % d;
      if (negate) q = -q;
      const lo = model() == MODEL_8086 ? -127 : -128;
      if (q > 127 || q < lo) raiseFault(VEC_DIVIDE);
    } else {
      q = dividend / src; rem = dividend % src;
      if (q > 0xFF) raiseFault(VEC_DIVIDE);
    }
    setReg8(0, q); setReg8(4, rem);
  } else if (size == 32) {
    div32(src, signed);
  } else {
    const dividend = (reg16(DX) << 16) | reg16(AX);
    src &= 0xFFFF;
    if (src == 0) raiseFault(VEC_DIVIDE);
    let q: i64, rem: i64;
    if (signed) {
      const n = <i64>dividend, d = <i64><i16>src;
      q = n / d; rem = n % d;
      if (negate) q = -q;
      const lo: i64 = model() == MODEL_8086 ? -32767 : -32768;
      if (q > 32767 || q < lo) raiseFault(VEC_DIVIDE);
    } else {
      const n = zext64(dividend);
      q = <i64>(n / <u64>src); rem = <i64>(n % <u64>src);
      if (q > 0xFFFF) raiseFault(VEC_DIVIDE);
    }
    setReg16(AX, <i32>q); setReg16(DX, <i32>rem);
  }
  // Flags are undefined after DIV; leave them as they were.
}

/** 32-bit DIV/IDIV of EDX:EAX (386). The one signed case Wasm itself
 *  traps on, −2⁶³ ÷ −1, overflows the quotient anyway: it is a #DE. */
function div32(src: i32, signed: bool): void {
  if (src == 0) raiseFault(VEC_DIVIDE);
  const n: u64 = (zext64(reg32(DX)) << 32) | zext64(reg32(AX));
  let q: i64, rem: i64;
  if (signed) {
    const sn = <i64>n, d = <i64>src;
    if (sn == i64.MIN_VALUE && d == -1) raiseFault(VEC_DIVIDE);
    q = sn / d; rem = sn % d;
    if (q > 0x7FFFFFFF || q < -0x80000000) raiseFault(VEC_DIVIDE);
  } else {
    const d = zext64(src);
    const uq = n / d;
    if (uq > 0xFFFFFFFF) raiseFault(VEC_DIVIDE);
    q = <i64>uq; rem = <i64>(n % d);
  }
  setReg32(AX, <i32>q); setReg32(DX, <i32>rem);
}

// ------------------------------------------------------------------ BCD

/** DAA/DAS adjust the high digit when AL was above 99h; the 8086 compares
 *  against 9Fh instead when AF was set (its microcode tests the low digit's
 *  adjusted value), later CPUs always against 99h. */
@inline function bcdLimit(f: i32): i32 {
  return model() == MODEL_8086 && (f & AF) ? 0x9F : 0x99;
}

export function daa(): void {
  const f = getFlags();
  const al = reg8(0);
  let r = al;
  let cf = 0, af = 0;
  if ((al & 0xF) > 9 || (f & AF)) { r += 6; af = AF; }
  if (al > bcdLimit(f) || (f & CF)) { r += 0x60; cf = CF; }
  r &= 0xFF;
  setReg8(0, r);
  
  setArithFlags(cf | af | szp(r, 8));
}

export function das(): void {
  const f = getFlags();
  const al = reg8(0);
  let r = al;
  let cf = 0, af = 0;
  if ((al & 0xF) > 9 || (f & AF)) {
    r -= 6; af = AF;
    // The 286 carries the borrow of the low-digit adjust into CF.
    if (al < 6 && model() != MODEL_8086) cf = CF;
  }
  if (al > bcdLimit(f) || (f & CF)) { r -= 0x60; cf = CF; }
  r &= 0xFF;
  setReg8(0, r);
  setArithFlags(cf | af | szp(r, 8));
}

export function aaa(): void {
  const f = getFlags();
  let al = reg8(0), ah = reg8(4);
  let adj = 0;
  if ((al & 0xF) > 9 || (f & AF)) {
    if (model() == MODEL_8086) { al = al + 6; ah = ah + 1; }
    else { const ax = ((ah << 8) | al) + 0x106; al = ax & 0xFF; ah = ax >> 8; }
    adj = AF | CF;
  }
  setReg8(0, al & 0x0F); setReg8(4, ah);
  setArithFlags(adj | szp(al & 0xFF, 8));
}

export function aas(): void {
  const f = getFlags();
  let al = reg8(0), ah = reg8(4);
  let adj = 0;
  if ((al & 0xF) > 9 || (f & AF)) {
    if (model() == MODEL_8086) { al = al - 6; ah = ah - 1; }
    else { const ax = ((ah << 8) | al) - 6; al = ax & 0xFF; ah = (ax >> 8) - 1; }
    adj = AF | CF;
  }
  setReg8(0, al & 0x0F); setReg8(4, ah);
  setArithFlags(adj | szp(al & 0xFF, 8));
}

export function aam(base: i32): void {
  if (base == 0) {
    // Both CPUs have set SZP before their microcode detects the zero
    // divisor: the 8086 from a zero result, the 286 from AL >> 1 (what the
    // captured tests show; AL = FFh gives PF = 0, AL = 22h gives PF = 1).
    setArithFlags(szp(model() == MODEL_8086 ? 0 : reg8(0) >> 1, 8));
    raiseFault(VEC_DIVIDE);
  }
  const al = reg8(0);
  const ah = al / base, r = al % base;
  setReg8(4, ah); setReg8(0, r);
  setArithFlags(szp(r, 8));
}

export function aad(base: i32): void {
  const al = reg8(0), ah = reg8(4);
  const r = (al + ah * base) & 0xFF;
  setReg16(AX, r);
  setArithFlags(szp(r, 8));
}
