/**
 * decode.ts — instruction fetch, prefixes and ModRM effective addresses for
 * the interpreter. The decoder state of the current instruction lives in
 * module globals (Wasm globals): the interpreter is not re-entrant and never
 * needs to be.
 *
 * 16-bit ModRM (mod 00/01/10; mod 11 selects a register):
 *   rm: 0 BX+SI  1 BX+DI  2 BP+SI  3 BP+DI  4 SI  5 DI  6 BP (mod 00: disp16)  7 BX
 * BP-based forms default to SS, the rest to DS; a segment prefix overrides.
 *
 * 32-bit ModRM (386, address-size prefix 67h), rm 4 brings a SIB byte:
 *
 *    7   6 5   3 2   0        7   6 5     3 2    0
 *   ┌─────┬─────┬─────┐      ┌─────┬───────┬──────┐
 *   │ mod │ reg │ rm  │      │scale│ index │ base │   SIB: base + index << scale
 *   └─────┴─────┴─────┘      └─────┴───────┴──────┘   index 4 = none;
 *   rm 5 with mod 00: disp32 alone              base 5 with mod 00 = disp32
 * EBP- and ESP-based forms default to SS. Real mode keeps the 64 KiB
 * segment limit: an offset above FFFFh raises #GP (not the wrap of 16-bit
 * addressing). The decoder checks it, so the 16-bit machine's operand
 * accessors pay nothing; LEA and the bit-string instructions, whose
 * offsets are not (or not directly) accessed, decode with
 * decodeModrmAddress() instead. What runs past the limit from an offset
 * at or below FFFFh (a word at FFFFh, a doubleword at FFFDh) faults in
 * memory/access.ts.
 */
import { REG_IP } from "../layout";
import { read8, read16 } from "../memory/tlb";
import { readB, writeB, readW, writeW, readD, writeD } from "../memory/access";
import {
  segBase, reg8, setReg8, reg16, setReg16, reg32, setReg32, CS, SS, DS, BX, BP, SI, DI, SP,
} from "./state";
import { raiseFault, VEC_GP } from "./fault";

/** Segment override prefix of the current instruction, or -1. */
export let prefixSeg: i32 = -1;
/** 0, 0xF2 (REPNE) or 0xF3 (REP/REPE). */
export let prefixRep: i32 = 0;

/** 386: operand-size (66h) and address-size (67h) prefixes seen. Real
 *  mode's default size is 16 bits, so either prefix selects 32. */
export let opsize32: bool = false;
export let addr32: bool = false;

@inline export function resetPrefixes(): void { prefixSeg = -1; prefixRep = 0; opsize32 = false; addr32 = false; }
export function setOpsize32(): void { opsize32 = true; }
export function setAddr32(): void { addr32 = true; }
export function setPrefixSeg(s: i32): void { prefixSeg = s; }
export function setPrefixRep(r: i32): void { prefixRep = r; }

/** The data segment for DS-relative accesses (string sources, XLAT, moffs). */
@inline export function dataSeg(): i32 { return prefixSeg >= 0 ? prefixSeg : DS; }

// ------------------------------------------------------------ fetching

@inline export function fetch8(): i32 {
  const ip = load<i32>(REG_IP);
  store<i32>(REG_IP, (ip + 1) & 0xFFFF);
  return read8(segBase(CS) + ip);
}

@inline export function fetch16(): i32 {
  const ip = load<i32>(REG_IP);
  if (ip == 0xFFFF) return fetch8() | (fetch8() << 8);
  store<i32>(REG_IP, (ip + 2) & 0xFFFF);
  return read16(segBase(CS) + ip);
}

/** Sign-extended 8-bit immediate / displacement. */
@inline export function fetchS8(): i32 { return <i32><i8>fetch8(); }

export function fetch32(): i32 { const lo = fetch16(); return lo | (fetch16() << 16); }

/** The offset of a moffs operand (A0–A3): 16 or 32 bits by address size,
 *  a 32-bit one checked against the limit for an access of `bytes`. */
@inline export function fetchMoffs(bytes: i32): i32 { return addr32 ? fetchMoffs32(bytes) : fetch16(); }

function fetchMoffs32(bytes: i32): i32 {
  const off = fetch32();
  if (<u32>off > <u32>(0x10000 - bytes)) raiseFault(VEC_GP);
  return off;
}

/** An immediate of the current operand size (16 or 32 bits). */
export function fetchImm(): i32 { return opsize32 ? fetch32() : fetch16(); }

// ---------------------------------------------------------------- ModRM

export let modrmReg: i32 = 0;   // bits 3–5
export let modrmRm: i32 = 0;    // bits 0–2
export let modrmIsReg: bool = false;
export let eaSeg: i32 = 0;
export let eaOff: i32 = 0;

/** Decode a ModRM byte. The register form is inlined at every use; memory
 *  forms compute their effective address out of line. `limit`: a 32-bit
 *  offset past the segment limit is a #GP now (a constant at every call
 *  site, so it folds). */
@inline function decodeModrmWith(limit: bool): void {
  const m = fetch8();
  modrmReg = (m >> 3) & 7;
  modrmRm = m & 7;
  if (m >= 0xC0) modrmIsReg = true;
  else decodeMemoryOperand(m, limit);
}

/** The ModRM of an instruction that accesses its operand. */
@inline export function decodeModrm(): void { decodeModrmWith(true); }

/** decodeModrm for instructions that compute an address rather than
 *  access the operand there (LEA, the bit-string forms), or that must
 *  first raise #UD for a bad reg field (which takes priority over the
 *  operand's #GP; they call limitCheck() after): a 32-bit offset past the
 *  limit is not a fault yet. */
@inline export function decodeModrmAddress(): void { decodeModrmWith(false); }

function decodeMemoryOperand(m: i32, limit: bool): void {
  const mod = m >> 6;
  modrmIsReg = false;
  if (addr32) { decodeMemoryOperand32(m, mod, limit); return; }
  let off: i32 = 0;
  let seg = DS;
  switch (modrmRm) {
    case 0: off = reg16(BX) + reg16(SI); break;
    case 1: off = reg16(BX) + reg16(DI); break;
    case 2: off = reg16(BP) + reg16(SI); seg = SS; break;
    case 3: off = reg16(BP) + reg16(DI); seg = SS; break;
    case 4: off = reg16(SI); break;
    case 5: off = reg16(DI); break;
    case 6:
      if (mod == 0) { eaOff = fetch16(); eaSeg = prefixSeg >= 0 ? prefixSeg : DS; return; }
      off = reg16(BP); seg = SS; break;
    default: off = reg16(BX); break;
  }
  if (mod == 1) off += fetchS8();
  else if (mod == 2) off += fetch16();
  eaOff = off & 0xFFFF;
  eaSeg = prefixSeg >= 0 ? prefixSeg : seg;
}

/** 32-bit addressing forms (67h). eaOff keeps all 32 bits; past the
 *  segment limit it is a #GP unless `limit` is false. */
function decodeMemoryOperand32(m: i32, mod: i32, limit: bool): void {
  let off: i32 = 0;
  let seg = DS;
  let rm = m & 7;
  if (rm == 4) {
    const sib = fetch8();
    const base = sib & 7, index = (sib >> 3) & 7;
    if (index != 4) off = reg32(index) << (sib >> 6);
    if (base == 5 && mod == 0) off += fetch32();
    else {
      off += reg32(base);
      if (base == SP || base == BP) seg = SS;
    }
  } else if (rm == 5 && mod == 0) {
    off = fetch32();
  } else {
    off = reg32(rm);
    if (rm == BP) seg = SS;
  }
  if (mod == 1) off += fetchS8();
  else if (mod == 2) off += fetch32();
  if (limit && <u32>off > 0xFFFF) raiseFault(VEC_GP);
  eaOff = off;
  eaSeg = prefixSeg >= 0 ? prefixSeg : seg;
}

/** The limit check decodeModrmAddress() skipped, for an operand that will
 *  be accessed at the effective address. */
@inline export function limitCheck(): void {
  if (addr32 && !modrmIsReg && <u32>eaOff > 0xFFFF) raiseFault(VEC_GP);
}

// Operand accessors for the r/m operand.

@inline export function readRM8(): i32 {
  return modrmIsReg ? reg8(modrmRm) : readB(eaSeg, eaOff);
}
@inline export function writeRM8(v: i32): void {
  if (modrmIsReg) setReg8(modrmRm, v); else writeB(eaSeg, eaOff, v);
}
@inline export function readRM16(): i32 {
  return modrmIsReg ? reg16(modrmRm) : readW(eaSeg, eaOff);
}
@inline export function writeRM16(v: i32): void {
  if (modrmIsReg) setReg16(modrmRm, v); else writeW(eaSeg, eaOff, v);
}
export function readRM32(): i32 {
  return modrmIsReg ? reg32(modrmRm) : readD(eaSeg, eaOff);
}
export function writeRM32(v: i32): void {
  if (modrmIsReg) setReg32(modrmRm, v); else writeD(eaSeg, eaOff, v);
}
/** r/m operand of the current operand size (16 or 32 bits). */
export function readRMv(): i32 { return opsize32 ? readRM32() : readRM16(); }
export function writeRMv(v: i32): void { if (opsize32) writeRM32(v); else writeRM16(v); }
/** Memory operand at the effective address plus `delta` (far pointers,
 *  BOUND pairs), limit-checked for `bytes`. */
export function eaOffPlus(delta: i32, bytes: i32): i32 {
  const off = eaOff + delta;
  if (addr32 && <u32>off > <u32>(0x10000 - bytes)) raiseFault(VEC_GP);
  return off;
}
