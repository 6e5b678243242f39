/**
 * twobyte.ts — the two-byte opcode map (0F xx) of the 286 and the 386 in
 * real mode. (On the 8086, 0F is POP CS; interp.ts handles that.)
 *
 * 286: SGDT/SIDT/LGDT/LIDT/SMSW/LMSW (0F 01) and CLTS; everything else
 * (LOADALL included) is #UD.
 * 386 adds: Jcc rel16/32, SETcc, MOVZX/MOVSX, BT/BTS/BTR/BTC/BSF/BSR,
 * SHLD/SHRD, IMUL r,r/m, PUSH/POP FS/GS, LSS/LFS/LGS, MOV to/from CRn and
 * DRn, SGDT/SIDT/LGDT/LIDT, plus two later instructions programs probe
 * for: CPUID and RDTSC (the TSC is the retired-instruction count, so runs
 * stay deterministic). The protected-mode system instructions (0F 00,
 * LAR, LSL) raise #UD in real mode, as on the hardware. Protected mode
 * itself is not modelled: CR0.PE and PG always read 0.
 */
import { CR0, CR2, CR3, IDTR_BASE, IDTR_LIMIT, GDTR_BASE, GDTR_LIMIT, DEBUG_REGS, ICOUNT } from "../layout";
import {
  reg8, reg16, setReg16, reg32, setReg32, segSel, setSeg, getIP, setIP, model,
  MODEL_286, AX, CX, DX, BX, SP, SS, FS, GS,
} from "./state";
import {
  fetch8, fetchS8, fetch16, fetch32, decodeModrm, decodeModrmAddress, readRM8, writeRM8, readRM16, writeRM16,
  readRMv, writeRMv, modrmReg, modrmRm, modrmIsReg, eaSeg, eaOff, eaOffPlus, opsize32, addr32, limitCheck,
} from "./decode";
import { readW, writeW, readD, writeD, push16, pop16, push32, pop32 } from "../memory/access";
import { testConditionVar } from "./flags";
import { imul3 } from "./alu";
import { bitTest, bitScan, shiftDouble } from "./bits";
import { raiseFault, VEC_INVALID_OPCODE, VEC_GP } from "./fault";

@inline function invalid(): void { raiseFault(VEC_INVALID_OPCODE); }

/** Execute the instruction after a 0F byte. */
export function twoByte(): void {
  const op2 = fetch8();
  if (model() == MODEL_286) twoByte286(op2);
  else twoByte386(op2);
}

function twoByte286(op2: i32): void {
  if (op2 == 0x01) {
    decodeModrm();
    switch (modrmReg) {
      case 4: writeRM16(load<i32>(CR0)); return;                               // SMSW
      case 6: store<i32>(CR0, (load<i32>(CR0) & ~0xE) | (readRM16() & 0xE) | 0xFFF0); return; // LMSW (PE stays 0)
      case 0: case 1: case 2: case 3: descriptorTable(modrmReg); return;     // SGDT SIDT LGDT LIDT
      default: break;
    }
  } else if (op2 == 0x06) {                                                    // CLTS
    store<i32>(CR0, load<i32>(CR0) & ~8);
    return;
  }
  invalid();
}

/** The operand size in bits (16 or 32). */
@inline function osize(): i32 { return opsize32 ? 32 : 16; }

function twoByte386(op2: i32): void {
  if (op2 >= 0x80 && op2 <= 0x8F) { // Jcc rel16/rel32
    const d = opsize32 ? fetch32() : <i32><i16>fetch16();
    if (testConditionVar(op2 & 0xF)) {
      const target = getIP() + d;
      if (opsize32 && <u32>target > 0xFFFF) raiseFault(VEC_GP);
      setIP(target);
    }
    return;
  }
  if (op2 >= 0x90 && op2 <= 0x9F) { // SETcc r/m8
    decodeModrm();
    writeRM8(testConditionVar(op2 & 0xF) ? 1 : 0);
    return;
  }
  switch (op2) {
    case 0x01: group7(); break;
    case 0x06: store<i32>(CR0, load<i32>(CR0) & ~8); break;                   // CLTS
    case 0x20: case 0x22: moveControl(op2 == 0x22); break;
    case 0x21: case 0x23: moveDebug(op2 == 0x23); break;
    case 0x31: { // RDTSC: the retired-instruction count
      const t = load<i64>(ICOUNT);
      setReg32(AX, <i32>t); setReg32(DX, <i32>(t >> 32));
      break;
    }
    case 0xA0: pushSeg(FS); break;
    case 0xA1: popSeg(FS); break;
    case 0xA8: pushSeg(GS); break;
    case 0xA9: popSeg(GS); break;
    case 0xA2: cpuid(); break;
    case 0xA3: bitOp(0, false); break;                                      // BT
    case 0xAB: bitOp(1, false); break;                                      // BTS
    case 0xB3: bitOp(2, false); break;                                      // BTR
    case 0xBB: bitOp(3, false); break;                                      // BTC
    case 0xBA: { // BT/BTS/BTR/BTC r/m, imm8
      decodeModrmAddress();
      if (modrmReg < 4) invalid();
      limitCheck();
      bitOp(modrmReg - 4, true);
      break;
    }
    case 0xA4: case 0xA5: case 0xAC: case 0xAD: { // SHLD/SHRD by imm8 or CL
      decodeModrm();
      const size = osize();
      const v = readRMv();
      const count = ((op2 & 1) ? reg8(CX) : fetch8()) & 31;
      writeRMv(shiftDouble(op2 < 0xA8, v, opsize32 ? reg32(modrmReg) : reg16(modrmReg), count, size));
      break;
    }
    case 0xAF: { // IMUL r, r/m
      decodeModrm();
      const b = readRMv();
      const r = imul3(opsize32 ? reg32(modrmReg) : reg16(modrmReg), b, osize());
      setRegV(modrmReg, r);
      break;
    }
    case 0xB2: loadFarPointer(SS); break;                                   // LSS
    case 0xB4: loadFarPointer(FS); break;                                   // LFS
    case 0xB5: loadFarPointer(GS); break;                                   // LGS
    case 0xB6: decodeModrm(); setRegV(modrmReg, readRM8()); break;           // MOVZX r, r/m8
    case 0xB7: decodeModrm(); setRegV(modrmReg, readRM16()); break;          // MOVZX r, r/m16
    case 0xBE: decodeModrm(); setRegV(modrmReg, <i32><i8>readRM8()); break;  // MOVSX r, r/m8
    case 0xBF: decodeModrm(); setRegV(modrmReg, <i32><i16>readRM16()); break; // MOVSX r, r/m16
    case 0xBC: case 0xBD: { // BSF / BSR
      decodeModrm();
      const i = bitScan(readRMv(), osize(), op2 == 0xBD);
      if (i >= 0) setRegV(modrmReg, i);
      break;
    }
    default: invalid(); break;
  }
}

@inline function setRegV(r: i32, v: i32): void { if (opsize32) setReg32(r, v); else setReg16(r, v); }

function pushSeg(s: i32): void { if (opsize32) push32(segSel(s)); else push16(segSel(s)); }
function popSeg(s: i32): void { setSeg(s, opsize32 ? pop32() : pop16()); }

/** LSS/LFS/LGS r, m16:16 or m16:32. */
function loadFarPointer(s: i32): void {
  decodeModrm();
  if (modrmIsReg) invalid();
  const n = opsize32 ? 4 : 2;
  const off = opsize32 ? readD(eaSeg, eaOffPlus(0, 4)) : readW(eaSeg, eaOffPlus(0, 2));
  const sel = readW(eaSeg, eaOffPlus(n, 2));
  setRegV(modrmReg, off);
  setSeg(s, sel);
}

/**
 * BT/BTS/BTR/BTC (op 0–3). With an immediate the bit number is taken
 * modulo the operand size. With a register on a memory operand the bit
 * number is a signed offset that may address memory before or after the
 * operand: the access moves by whole operands, (bit >> 4) words or
 * (bit >> 5) doublewords.
 */
function bitOp(op: i32, imm: bool): void {
  if (!imm) decodeModrmAddress();
  const size = osize();
  let bit: i32;
  if (imm) bit = fetch8();
  else bit = opsize32 ? reg32(modrmReg) : <i32><i16>reg16(modrmReg);
  if (modrmIsReg || imm) {
    const v = readRMv();
    const r = bitTest(op, v, bit & (size - 1));
    if (op != 0) writeRMv(r);
    return;
  }
  const delta = opsize32 ? (bit >> 5) << 2 : (bit >> 4) << 1;
  let off = eaOff + delta;
  const bytes = size >> 3;
  if (addr32) { if (<u32>off > <u32>(0x10000 - bytes)) raiseFault(VEC_GP); }
  else off &= 0xFFFF;
  const v = opsize32 ? readD(eaSeg, off) : readW(eaSeg, off);
  const r = bitTest(op, v, bit & (size - 1));
  if (op != 0) { if (opsize32) writeD(eaSeg, off, r); else writeW(eaSeg, off, r); }
}

/** 0F 01 on the 386: SGDT SIDT LGDT LIDT SMSW LMSW. */
function group7(): void {
  decodeModrmAddress();
  const r = modrmReg;
  if (r == 5 || r == 7) { invalid(); return; }
  limitCheck();
  if (r == 4) { writeRM16(load<i32>(CR0)); return; }                        // SMSW
  if (r == 6) { // LMSW: MP EM TS; PE could be set but real mode is all we model
    const v = readRM16();
    store<i32>(CR0, (load<i32>(CR0) & ~0xE) | (v & 0xE));
    return;
  }
  if (r > 3) { invalid(); return; }
  descriptorTable(r);
}

/**
 * SGDT (0) SIDT (1) LGDT (2) LIDT (3), valid in real mode on the 286 and
 * 386 (LIDT moves the vector table). The memory operand is a 16-bit limit
 * and a base: 24 bits with a 16-bit operand size — the 286 stores FFh in
 * the sixth byte, the 386 0 — and all 32 with 66h.
 */
function descriptorTable(r: i32): void {
  if (modrmIsReg) { invalid(); return; }
  const baseAddr = r & 1 ? IDTR_BASE : GDTR_BASE;
  const limitAddr = r & 1 ? IDTR_LIMIT : GDTR_LIMIT;
  const mask = opsize32 ? -1 : 0xFFFFFF;
  const off = eaOffPlus(0, 6);
  if (r < 2) {
    const high = model() == MODEL_286 ? 0xFF000000 : 0;
    writeW(eaSeg, off, load<i32>(limitAddr));
    writeD(eaSeg, off + 2, (load<i32>(baseAddr) & mask) | (opsize32 ? 0 : high));
  } else {
    const limit = readW(eaSeg, off), base = readD(eaSeg, off + 2) & mask;
    store<i32>(limitAddr, limit);
    store<i32>(baseAddr, base);
  }
}

/** MOV r32, CRn / MOV CRn, r32 (the ModRM's mod is ignored: always a
 *  register). CR0 keeps PE and PG clear; CR1 and CR4+ do not exist. */
function moveControl(toCR: bool): void {
  const m = fetch8();
  const cr = (m >> 3) & 7, r = m & 7;
  let addr: i32;
  if (cr == 0) addr = CR0;
  else if (cr == 2) addr = CR2;
  else if (cr == 3) addr = CR3;
  else { invalid(); return; }
  if (toCR) {
    let v = reg32(r);
    if (cr == 0) v = (v & ~0x80000001) | 0x10;
    store<i32>(addr, v);
  } else setReg32(r, load<i32>(addr));
}

/** MOV r32, DRn / MOV DRn, r32; DR4/DR5 are DR6/DR7. */
function moveDebug(toDR: bool): void {
  const m = fetch8();
  let dr = (m >> 3) & 7;
  const r = m & 7;
  if (dr == 4 || dr == 5) dr += 2;
  const slot = DEBUG_REGS + ((dr < 4 ? dr : dr - 2) << 2);
  if (toDR) store<i32>(slot, reg32(r)); else setReg32(r, load<i32>(slot));
}

/** CPUID: leaf 0 names the vendor and the highest leaf (1); leaf 1 gives
 *  family 3 (a 386) with the TSC feature bit and no FPU. Leaves beyond
 *  the highest return leaf 1's data, as Intel's do. */
function cpuid(): void {
  const leaf = reg32(AX);
  if (leaf == 0) {
    setReg32(AX, 1);
    setReg32(BX, 0x756E6547); // "Genu"
    setReg32(DX, 0x49656E69); // "ineI"
    setReg32(CX, 0x6C65746E); // "ntel"
    return;
  }
  setReg32(AX, 0x0300);        // family 3, model 0, stepping 0
  setReg32(BX, 0);
  setReg32(CX, 0);
  setReg32(DX, 1 << 4);        // TSC
}
