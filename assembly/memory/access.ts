/**
 * access.ts — segmented memory access: seg:offset → linear → TLB.
 *
 * Real-mode offsets are 16 bits and wrap inside the segment. A word at
 * offset FFFFh is where the models differ: the 8086 takes the high byte
 * from offset 0000h of the same segment; the 286 raises #GP (interrupt 13)
 * because the access runs past the segment limit. The 386's doubleword
 * accesses follow the 286 rule: one that would run past FFFFh faults.
 */
import { read8, write8, read16, write16 } from "./tlb";
import { segBase, reg16, setReg16, model, SS, SP, MODEL_8086 } from "../cpu/state";
import { raiseFault, VEC_GP } from "../cpu/fault";

@inline export function readB(seg: i32, off: i32): i32 {
  return read8(segBase(seg) + (off & 0xFFFF));
}

@inline export function writeB(seg: i32, off: i32, v: i32): void {
  write8(segBase(seg) + (off & 0xFFFF), v);
}

@inline export function readW(seg: i32, off: i32): i32 {
  off &= 0xFFFF;
  if (off == 0xFFFF) return readWEdge(seg);
  return read16(segBase(seg) + off);
}

@inline export function writeW(seg: i32, off: i32, v: i32): void {
  off &= 0xFFFF;
  if (off == 0xFFFF) writeWEdge(seg, v);
  else write16(segBase(seg) + off, v);
}

/** Word read at offset FFFFh. */
function readWEdge(seg: i32): i32 {
  if (model() != MODEL_8086) raiseFault(VEC_GP);
  const base = segBase(seg);
  return read8(base + 0xFFFF) | (read8(base) << 8);
}

function writeWEdge(seg: i32, v: i32): void {
  if (model() != MODEL_8086) raiseFault(VEC_GP);
  const base = segBase(seg);
  write8(base + 0xFFFF, v);
  write8(base, v >> 8);
}

/** Doubleword access (386). Two word accesses: the TLB fast path handles
 *  words, and a doubleword that crosses a page is split anyway. */
export function readD(seg: i32, off: i32): i32 {
  off &= 0xFFFF;
  if (off > 0xFFFC) raiseFault(VEC_GP);
  const base = segBase(seg) + off;
  return read16(base) | (read16(base + 2) << 16);
}

export function writeD(seg: i32, off: i32, v: i32): void {
  off &= 0xFFFF;
  if (off > 0xFFFC) raiseFault(VEC_GP);
  const base = segBase(seg) + off;
  write16(base, v);
  write16(base + 2, v >>> 16);
}

/** Check, before any state changes, that a word access at seg:off will not
 *  fault (used by instructions that must fault before writing a register). */
@inline export function probeW(off: i32): void {
  if ((off & 0xFFFF) == 0xFFFF && model() != MODEL_8086) raiseFault(VEC_GP);
}

// ------------------------------------------------------------------ stack

@inline export function push16(v: i32): void {
  const sp = (reg16(SP) - 2) & 0xFFFF;
  writeW(SS, sp, v);
  setReg16(SP, sp);
}

@inline export function pop16(): i32 {
  const sp = reg16(SP);
  const v = readW(SS, sp);
  setReg16(SP, sp + 2);
  return v;
}

// Real mode's stack is 16 bits wide (SP, wrapping at 64 KiB) whatever the
// operand size: a 32-bit push moves SP by four.

export function push32(v: i32): void {
  const sp = (reg16(SP) - 4) & 0xFFFF;
  writeD(SS, sp, v);
  setReg16(SP, sp);
}

export function pop32(): i32 {
  const sp = reg16(SP);
  const v = readD(SS, sp);
  setReg16(SP, sp + 4);
  return v;
}

/** Push of the current operand size. */
export function pushV(v: i32, size32: bool): void { if (size32) push32(v); else push16(v); }
