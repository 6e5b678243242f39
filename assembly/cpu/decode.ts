/**
 * decode.ts — instruction fetch, prefixes and ModRM effective addresses for
 * the interpreter. The decoder state of the current instruction lives in
 * module globals (Wasm globals): the interpreter is not re-entrant and never
 * needs to be.
 *
 * 16-bit ModRM (mod 00/01/10; mod 11 selects a register):
 *   rm: 0 BX+SI  1 BX+DI  2 BP+SI  3 BP+DI  4 SI  5 DI  6 BP (mod 00: disp16)  7 BX
 * BP-based forms default to SS, the rest to DS; a segment prefix overrides.
 */
import { REG_IP } from "../layout";
import { read8, read16 } from "../memory/tlb";
import { readB, writeB, readW, writeW } from "../memory/access";
import {
  segBase, reg8, setReg8, reg16, setReg16, CS, SS, DS, BX, BP, SI, DI,
} from "./state";

/** Segment override prefix of the current instruction, or -1. */
export let prefixSeg: i32 = -1;
/** 0, 0xF2 (REPNE) or 0xF3 (REP/REPE). */
export let prefixRep: i32 = 0;

export function resetPrefixes(): void { prefixSeg = -1; prefixRep = 0; }
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

// ---------------------------------------------------------------- ModRM

export let modrmReg: i32 = 0;   // bits 3–5
export let modrmRm: i32 = 0;    // bits 0–2
export let modrmIsReg: bool = false;
export let eaSeg: i32 = 0;
export let eaOff: i32 = 0;

/** Decode a ModRM byte. The register form is inlined at every use; memory
 *  forms compute their effective address out of line. */
@inline export function decodeModrm(): void {
  const m = fetch8();
  modrmReg = (m >> 3) & 7;
  modrmRm = m & 7;
  if (m >= 0xC0) modrmIsReg = true;
  else decodeMemoryOperand(m);
}

function decodeMemoryOperand(m: i32): void {
  const mod = m >> 6;
  modrmIsReg = false;
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
