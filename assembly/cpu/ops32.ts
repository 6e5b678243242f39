/**
 * ops32.ts — the 386's 32-bit operand-size forms of the one-byte opcodes
 * (an operand-size prefix 66h in real mode).
 *
 * The interpreter's main switch (interp.ts) is the 16-bit machine and
 * stays free of operand-size tests: when an instruction carries 66h, the
 * prefix loop offers the opcode here first. Opcodes whose meaning does not
 * depend on the operand size (byte forms, flag instructions, ...) are not
 * handled here (`exec32` returns false) and run as usual.
 *
 * Real-mode rules that shape the code below:
 * - the stack is 16 bits wide (SP, wrapping), even for 32-bit pushes;
 * - EIP beyond FFFFh is outside CS's limit: a 32-bit near or far transfer
 *   to such an offset raises #GP before anything is written;
 * - segment registers pushed with a 32-bit operand size are zero-extended.
 */
import {
  reg16, setReg16, reg32, setReg32, segSel, setSeg, getIP, setIP,
  AX, CX, DX, SP, BP, SI, DI, BX, ES, CS, SS, DS,
} from "./state";
import {
  fetch8, fetchS8, fetch32, decodeModrm, decodeModrmAddress, readRM32, writeRM32, readRM16, writeRM16,
  modrmReg, modrmRm, modrmIsReg, eaSeg, eaOff, eaOffPlus, dataSeg, fetchMoffs, limitCheck,
} from "./decode";
import { readW, writeW, readD, writeD, push32, pop32 } from "../memory/access";
import { getFlags, writeFlags, lazyLogic } from "./flags";
import { alu, inc, dec, neg, shift, mul, imul3, div } from "./alu";
import { stringOp } from "./string";
import { beginShadow } from "./interrupts";
import { raiseFault, VEC_GP, VEC_INVALID_OPCODE, VEC_BOUND } from "./fault";
import { portIn, portOut } from "../io";

@inline function invalid(): void { raiseFault(VEC_INVALID_OPCODE); }

/** A 32-bit EIP must stay inside CS's 64 KiB limit. */
@inline function checkEIP(eip: i32): i32 {
  if (<u32>eip > 0xFFFF) raiseFault(VEC_GP);
  return eip;
}

/** 32-bit near jump by a displacement from the end of the instruction. */
@inline function jumpRel32(d: i32): void { setIP(checkEIP(getIP() + d)); }


@inline function aluForm32(op: i32): void {
  const aop = (op >> 3) & 7;
  switch (op & 7) {
    case 1: { decodeModrm(); const r = alu(aop, readRM32(), reg32(modrmReg), 32); if (aop != 7) writeRM32(r); break; }
    case 3: { decodeModrm(); const r = alu(aop, reg32(modrmReg), readRM32(), 32); if (aop != 7) setReg32(modrmReg, r); break; }
    default: { const r = alu(aop, reg32(AX), fetch32(), 32); if (aop != 7) setReg32(AX, r); break; }
  }
}

/** Execute `op` with a 32-bit operand size. Returns false if the opcode
 *  does not depend on the operand size (the caller runs it as usual). */
export function exec32(op: i32): bool {
  switch (op) {
    case 0x01: aluForm32(0x01); break; case 0x03: aluForm32(0x03); break; case 0x05: aluForm32(0x05); break;
    case 0x09: aluForm32(0x09); break; case 0x0B: aluForm32(0x0B); break; case 0x0D: aluForm32(0x0D); break;
    case 0x11: aluForm32(0x11); break; case 0x13: aluForm32(0x13); break; case 0x15: aluForm32(0x15); break;
    case 0x19: aluForm32(0x19); break; case 0x1B: aluForm32(0x1B); break; case 0x1D: aluForm32(0x1D); break;
    case 0x21: aluForm32(0x21); break; case 0x23: aluForm32(0x23); break; case 0x25: aluForm32(0x25); break;
    case 0x29: aluForm32(0x29); break; case 0x2B: aluForm32(0x2B); break; case 0x2D: aluForm32(0x2D); break;
    case 0x31: aluForm32(0x31); break; case 0x33: aluForm32(0x33); break; case 0x35: aluForm32(0x35); break;
    case 0x39: aluForm32(0x39); break; case 0x3B: aluForm32(0x3B); break; case 0x3D: aluForm32(0x3D); break;

    case 0x06: push32(segSel(ES)); break;
    case 0x0E: push32(segSel(CS)); break;
    case 0x16: push32(segSel(SS)); break;
    case 0x1E: push32(segSel(DS)); break;
    case 0x07: setSeg(ES, pop32()); break;
    case 0x17: setSeg(SS, pop32()); beginShadow(); break;
    case 0x1F: setSeg(DS, pop32()); break;

    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      setReg32(op & 7, inc(reg32(op & 7), 32)); break;
    case 0x48: case 0x49: case 0x4A: case 0x4B: case 0x4C: case 0x4D: case 0x4E: case 0x4F:
      setReg32(op & 7, dec(reg32(op & 7), 32)); break;
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
      push32(reg32(op & 7)); break; // PUSH ESP pushes the value before the push
    case 0x58: case 0x59: case 0x5A: case 0x5B: case 0x5C: case 0x5D: case 0x5E: case 0x5F:
      setReg32(op & 7, pop32()); break; // POP ESP: the popped value wins
    case 0x60: pushAll32(); break;
    case 0x61: popAll32(); break;
    case 0x62: { // BOUND r32, m32&32
      decodeModrm();
      if (modrmIsReg) invalid();
      const lo = readD(eaSeg, eaOffPlus(0, 4)), hi = readD(eaSeg, eaOffPlus(4, 4));
      const idx = reg32(modrmReg);
      if (idx < lo || idx > hi) raiseFault(VEC_BOUND);
      break;
    }
    case 0x68: push32(fetch32()); break;
    case 0x6A: push32(fetchS8()); break;
    case 0x69: case 0x6B: {
      decodeModrm();
      const a = readRM32();
      const b = op == 0x69 ? fetch32() : fetchS8();
      setReg32(modrmReg, imul3(a, b, 32));
      break;
    }
    case 0x6D: case 0x6F: case 0xA5: case 0xA7: case 0xAB: case 0xAD: case 0xAF:
      stringOp(op); break;

    case 0x81: case 0x83: {
      decodeModrm();
      const aop = modrmReg;
      const a = readRM32();
      const r = alu(aop, a, op == 0x81 ? fetch32() : fetchS8(), 32);
      if (aop != 7) writeRM32(r);
      break;
    }
    case 0x85: { decodeModrm(); lazyLogic(readRM32() & reg32(modrmReg), 32); break; }
    case 0x87: { decodeModrm(); const a = readRM32(); writeRM32(reg32(modrmReg)); setReg32(modrmReg, a); break; }
    case 0x89: decodeModrm(); writeRM32(reg32(modrmReg)); break;
    case 0x8B: decodeModrm(); setReg32(modrmReg, readRM32()); break;
    case 0x8C: { // MOV r32/m16, Sreg: a register is zero-extended, memory gets 16 bits
      decodeModrmAddress();
      if (modrmReg > 5) invalid();
      limitCheck();
      if (modrmIsReg) setReg32(modrmRm, segSel(modrmReg)); else writeRM16(segSel(modrmReg));
      break;
    }
    case 0x8D: // LEA r32: the offset of either address size, zero-extended
      decodeModrmAddress();
      if (modrmIsReg) invalid();
      setReg32(modrmReg, eaOff);
      break;
    case 0x8F: {
      decodeModrmAddress();
      if (modrmReg != 0) invalid();
      limitCheck();
      const sp = reg16(SP);
      const v = readD(SS, sp);
      setReg16(SP, sp + 4);
      writeRM32(v);
      break;
    }
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
      const t = reg32(AX); setReg32(AX, reg32(op & 7)); setReg32(op & 7, t); break;
    }
    case 0x98: setReg32(AX, <i32><i16>reg16(AX)); break;                // CWDE
    case 0x99: setReg32(DX, reg32(AX) >> 31); break;                     // CDQ
    case 0x9A: { // CALL far ptr16:32
      const ip = fetch32(), cs = fetch16u();
      checkEIP(ip);
      pushFarReturn32();
      setSeg(CS, cs); setIP(ip);
      break;
    }
    case 0x9C: push32(getFlags()); break;                                // PUSHFD
    case 0x9D: writeFlags(pop32()); break;                               // POPFD

    case 0xA1: { const off = fetchMoffs(4); setReg32(AX, readD(dataSeg(), off)); break; }
    case 0xA3: { const off = fetchMoffs(4); writeD(dataSeg(), off, reg32(AX)); break; }
    case 0xA9: lazyLogic(reg32(AX) & fetch32(), 32); break;
    case 0xB8: case 0xB9: case 0xBA: case 0xBB: case 0xBC: case 0xBD: case 0xBE: case 0xBF:
      setReg32(op & 7, fetch32()); break;

    case 0xC1: case 0xD1: case 0xD3: {
      decodeModrm();
      const v = readRM32();
      const count = op == 0xC1 ? fetch8() & 31 : op == 0xD1 ? 1 : reg16(CX) & 31;
      writeRM32(shift(modrmReg, v, count, 32));
      break;
    }
    case 0xC2: case 0xC3: { // RET near, popping EIP
      const n = op == 0xC2 ? fetch16u() : 0;
      const sp = reg16(SP);
      const ip = checkEIP(readD(SS, sp));
      setReg16(SP, sp + 4 + n);
      setIP(ip);
      break;
    }
    case 0xC4: case 0xC5: { // LES/LDS r32, m16:32
      decodeModrm();
      if (modrmIsReg) invalid();
      const off = readD(eaSeg, eaOffPlus(0, 4)), sel = readW(eaSeg, eaOffPlus(4, 2));
      setReg32(modrmReg, off);
      setSeg(op == 0xC4 ? ES : DS, sel);
      break;
    }
    case 0xC7: { decodeModrmAddress(); if (modrmReg != 0) invalid(); limitCheck(); writeRM32(fetch32()); break; }
    case 0xC8: enter32(); break;
    case 0xC9: { // LEAVE: SP = BP (a 16-bit stack), then EBP = pop
      const bp = reg16(BP);
      const v = readD(SS, bp);
      setReg16(SP, bp + 4);
      setReg32(BP, v);
      break;
    }
    case 0xCA: case 0xCB: { // RETF, popping EIP and a 32-bit CS slot
      const n = op == 0xCA ? fetch16u() : 0;
      const sp = reg16(SP);
      const ip = checkEIP(readD(SS, sp)), cs = readD(SS, sp + 4);
      setReg16(SP, sp + 8 + n);
      setSeg(CS, cs); setIP(ip);
      break;
    }
    case 0xCF: { // IRETD
      const sp = reg16(SP);
      const ip = checkEIP(readD(SS, sp)), cs = readD(SS, sp + 4), fl = readD(SS, sp + 8);
      setReg16(SP, sp + 12);
      setSeg(CS, cs); setIP(ip);
      writeFlags(fl);
      break;
    }

    case 0xE5: setReg32(AX, portIn(fetch8(), 4)); break;
    case 0xE7: portOut(fetch8(), 4, reg32(AX)); break;
    case 0xED: setReg32(AX, portIn(reg16(DX), 4)); break;
    case 0xEF: portOut(reg16(DX), 4, reg32(AX)); break;
    case 0xE8: { // CALL rel32
      const d = fetch32();
      const target = checkEIP(getIP() + d);
      push32(getIP());
      setIP(target);
      break;
    }
    case 0xE9: jumpRel32(fetch32()); break;
    case 0xEA: { const ip = fetch32(), cs = fetch16u(); checkEIP(ip); setSeg(CS, cs); setIP(ip); break; }

    case 0xF7: group3_32(); break;
    case 0xFF: group5_32(); break;
    default: return false;
  }
  return true;
}

/** A far call's return address as two doublewords (CS zero-extended,
 *  then EIP); SP moves only once both stores succeeded. */
function pushFarReturn32(): void {
  const sp = reg16(SP);
  writeD(SS, sp - 4, segSel(CS));
  writeD(SS, sp - 8, getIP());
  setReg16(SP, sp - 8);
}

/** A 16-bit immediate (the far selectors and RET counts stay 16 bits). */
@inline function fetch16u(): i32 { const lo = fetch8(); return lo | (fetch8() << 8); }

/** PUSHAD: EAX ECX EDX EBX (original ESP) EBP ESI EDI. Registers change
 *  only after all eight stores succeeded. */
function pushAll32(): void {
  const sp = reg16(SP);
  for (let r = 0; r < 8; r++) writeD(SS, sp - 4 * (r + 1), reg32(r));
  setReg16(SP, sp - 32);
}

/** POPAD: all eight read before any register is written; ESP's slot is
 *  skipped. No arrays (the core has no allocator). */
function popAll32(): void {
  const sp = reg16(SP);
  const di = readD(SS, sp), si = readD(SS, sp + 4), bp = readD(SS, sp + 8);
  const bx = readD(SS, sp + 16), dx = readD(SS, sp + 20), cx = readD(SS, sp + 24), ax = readD(SS, sp + 28);
  setReg32(DI, di); setReg32(SI, si); setReg32(BP, bp);
  setReg32(BX, bx); setReg32(DX, dx); setReg32(CX, cx); setReg32(AX, ax);
  setReg16(SP, sp + 32);
}

/** ENTER imm16, imm8 with a 32-bit operand size on a 16-bit stack: pushes
 *  are doublewords, the frame pointer written is BP (SP's width). */
function enter32(): void {
  const size = fetch16u();
  const level = fetch8() & 31;
  push32(reg32(BP));
  const frame = reg16(SP);
  if (level > 0) {
    let bp = reg16(BP);
    for (let i = 1; i < level; i++) {
      bp = (bp - 4) & 0xFFFF;
      push32(readD(SS, bp));
    }
    push32(frame);
  }
  setReg16(BP, frame);
  setReg16(SP, reg16(SP) - size);
}

/** F7 with a 32-bit operand: TEST NOT NEG MUL IMUL DIV IDIV. */
function group3_32(): void {
  decodeModrm();
  const v = readRM32();
  switch (modrmReg) {
    case 0: case 1: lazyLogic(v & fetch32(), 32); break;
    case 2: writeRM32(~v); break;
    case 3: writeRM32(neg(v, 32)); break;
    case 4: mul(v, 32, false, false); break;
    case 5: mul(v, 32, true, false); break;
    case 6: div(v, 32, false, false); break;
    default: div(v, 32, true, false); break;
  }
}

/** FF with a 32-bit operand: INC DEC CALL CALLF JMP JMPF PUSH. */
function group5_32(): void {
  decodeModrmAddress();
  const r = modrmReg;
  if (r == 7) invalid();
  limitCheck();
  switch (r) {
    case 0: writeRM32(inc(readRM32(), 32)); break;
    case 1: writeRM32(dec(readRM32(), 32)); break;
    case 2: { const t = checkEIP(readRM32()); push32(getIP()); setIP(t); break; }
    case 3: case 5: { // far through m16:32
      if (modrmIsReg) invalid();
      const ip = checkEIP(readD(eaSeg, eaOffPlus(0, 4))), cs = readW(eaSeg, eaOffPlus(4, 2));
      if (r == 3) pushFarReturn32();
      setSeg(CS, cs); setIP(ip);
      break;
    }
    case 4: setIP(checkEIP(readRM32())); break;
    case 6: push32(readRM32()); break;
    default: invalid(); break;
  }
}
