/**
 * interp.ts — the interpreter: decode and execute one instruction.
 *
 * One switch over the first opcode byte (a br_table in Wasm). Prefixes loop
 * back into the switch. Operand fetch/store and EA decoding live in
 * decode.ts, arithmetic in alu.ts, string instructions in string.ts,
 * interrupt delivery in interrupts.ts; this file is the opcode map and the
 * model differences (8086 aliases vs 286 #UD, PUSH SP, shift masking ...).
 *
 * Fault discipline: anything that can fault (memory at offset FFFFh on the
 * 286, #UD, divide) happens before the instruction writes any register, so
 * that unwinding via fault.ts leaves the pre-instruction state.
 */
import { INSN_IP, REG_IP, REG_FLAGS, HALTED, EVENTS, ICOUNT, ICOUNT_STOP, JIT_CUT } from "../layout";
import { stackWindowUpdate } from "../jit/stackwindow";
import {
  reg8, setReg8, reg16, setReg16, reg32, setReg32, segSel, segBase, setSeg, getIP, setIP, model,
  AX, CX, DX, BX, SP, BP, SI, DI, ES, CS, SS, DS, MODEL_8086, MODEL_286, MODEL_386,
} from "./state";
import {
  fetch8, fetch16, fetchS8, decodeModrm, decodeModrmAddress, readRM8, writeRM8, readRM16, writeRM16,
  modrmReg, modrmRm, modrmIsReg, eaSeg, eaOff, eaOffPlus, prefixRep, dataSeg, fetchMoffs,
  resetPrefixes, setPrefixSeg, setPrefixRep, opsize32, addr32, setOpsize32, setAddr32, limitCheck,
} from "./decode";
import { readB, writeB, readW, writeW, push16, pop16, probeW } from "../memory/access";
import { read8 } from "../memory/tlb";
import {
  getFlags, writeFlags, setFlagBits, getCF, testCondition, testConditionVar, lazyLogic,
  CF, PF, AF, ZF, SF, IF, DF,
} from "./flags";
import { alu, inc, dec, neg, shift, mul, imul3, div, daa, das, aaa, aas, aam, aad } from "./alu";
import { stringOp } from "./string";
import { interrupt, handleEvents, beginShadow, EXIT_NONE, EXIT_BUDGET, EXIT_HALT } from "./interrupts";
import { raiseFault, VEC_INVALID_OPCODE, VEC_BOUND, VEC_BREAKPOINT, VEC_OVERFLOW, VEC_GP, VEC_DEBUG } from "./fault";
import { twoByte } from "./twobyte";
import { EXIT_CONTINUE } from "../jit/dispatch";
import { exec32 } from "./ops32";
import { instructionLength } from "./length";
import { portIn, portOut } from "../io";

@inline function is8086(): bool { return model() == MODEL_8086; }
@inline function is386(): bool { return model() == MODEL_386; }

@inline function invalid(): void { raiseFault(VEC_INVALID_OPCODE); }

@inline function jumpRel(d: i32): void { setIP(getIP() + d); }

@inline function farJump(cs: i32, ip: i32): void { setSeg(CS, cs); setIP(ip); }

/** The shift count as the model applies it: the 8086 uses all of it, later
 *  CPUs only the low five bits. */
@inline function shiftCount(c: i32): i32 { return is8086() ? c & 0xFF : c & 31; }

/** ALU forms of opcodes 00–3F with (op & 7) < 6. Inlined per opcode, so
 *  the operation and operand form are constants and the switches fold. */
@inline function aluForm(op: i32): void {
  const aop = (op >> 3) & 7;
  switch (op & 7) {
    case 0: { decodeModrm(); const r = alu(aop, readRM8(), reg8(modrmReg), 8); if (aop != 7) writeRM8(r); break; }
    case 1: { decodeModrm(); const r = alu(aop, readRM16(), reg16(modrmReg), 16); if (aop != 7) writeRM16(r); break; }
    case 2: { decodeModrm(); const r = alu(aop, reg8(modrmReg), readRM8(), 8); if (aop != 7) setReg8(modrmReg, r); break; }
    case 3: { decodeModrm(); const r = alu(aop, reg16(modrmReg), readRM16(), 16); if (aop != 7) setReg16(modrmReg, r); break; }
    case 4: { const r = alu(aop, reg8(0), fetch8(), 8); if (aop != 7) setReg8(0, r); break; }
    default: { const r = alu(aop, reg16(AX), fetch16(), 16); if (aop != 7) setReg16(AX, r); break; }
  }
}

/** Group 1 (80–83): ALU op with an immediate. */
function group1(op: i32): void {
  decodeModrm();
  const aop = modrmReg;
  if (op == 0x81) {
    const a = readRM16();
    const r = alu(aop, a, fetch16(), 16);
    if (aop != 7) writeRM16(r);
  } else if (op == 0x83) {
    const a = readRM16();
    const r = alu(aop, a, fetchS8() & 0xFFFF, 16);
    if (aop != 7) writeRM16(r);
  } else {
    const a = readRM8();
    const r = alu(aop, a, fetch8(), 8);
    if (aop != 7) writeRM8(r);
  }
}

/** Group 2 (C0/C1/D0–D3): shifts and rotates. */
function group2(op: i32): void {
  decodeModrm();
  const word = op & 1;
  let count: i32;
  // Fetch the operand before the immediate count so the fetch order is the
  // hardware's; an immediate follows the displacement either way.
  const v = word ? readRM16() : readRM8();
  if (op <= 0xC1) count = fetch8() & 31;
  else if (op <= 0xD1) count = 1;
  else count = shiftCount(reg8(1));
  const r = shift(modrmReg, v, count, word ? 16 : 8);
  if (word) writeRM16(r); else writeRM8(r);
}

/** Group 3 (F6/F7): TEST NOT NEG MUL IMUL DIV IDIV. */
function group3(op: i32): void {
  decodeModrm();
  const word = op & 1;
  const size = word ? 16 : 8;
  const v = word ? readRM16() : readRM8();
  // The 8086 microcode negates the result of IMUL/IDIV under a REP prefix.
  const negate = prefixRep != 0 && is8086();
  switch (modrmReg) {
    case 0: case 1: lazyLogic(v & (word ? fetch16() : fetch8()), size); break;
    case 2: if (word) writeRM16(~v); else writeRM8(~v); break;
    case 3: { const r = neg(v, size); if (word) writeRM16(r); else writeRM8(r); break; }
    case 4: mul(v, size, false, false); break;
    case 5: mul(v, size, true, negate); break;
    case 6: div(v, size, false, false); break;
    default: div(v, size, true, negate); break;
  }
}

/** Group 4/5 (FE/FF). */
function group45(op: i32): void {
  decodeModrmAddress();
  const r = modrmReg;
  if (op == 0xFE && r >= 2 && !is8086()) invalid();
  if (r == 7 && !is8086()) invalid();
  limitCheck();
  if (op == 0xFE && r < 2) {
    const v = readRM8();
    writeRM8(r == 0 ? inc(v, 8) : dec(v, 8));
    return;
  }
  switch (r) {
    case 0: writeRM16(inc(readRM16(), 16)); break;
    case 1: writeRM16(dec(readRM16(), 16)); break;
    case 2: { const t = readRM16(); push16(getIP()); setIP(t); break; }
    case 3: {
      if (modrmIsReg) { if (!is8086()) invalid(); break; }
      const ip = readW(eaSeg, eaOffPlus(0, 2)), cs = readW(eaSeg, eaOffPlus(2, 2));
      probeW(reg16(SP) - 4);
      push16(segSel(CS)); push16(getIP());
      farJump(cs, ip);
      break;
    }
    case 4: setIP(readRM16()); break;
    case 5: {
      if (modrmIsReg) { if (!is8086()) invalid(); break; }
      const ip = readW(eaSeg, eaOffPlus(0, 2)), cs = readW(eaSeg, eaOffPlus(2, 2));
      farJump(cs, ip);
      break;
    }
    default: {
      // PUSH r/m. PUSH SP through this form follows the model's PUSH SP rule.
      let v = readRM16();
      if (modrmIsReg && modrmRm == SP && is8086()) v = (v - 2) & 0xFFFF;
      push16(v);
      break;
    }
  }
}

/** 286: fault an instruction whose prefixes push it past 10 bytes. Only
 *  reached with five or more prefixes (no 286 instruction is longer than
 *  six bytes without them), so the common path never measures. */
function checkLength(op: i32, prefixes: i32): void {
  if (prefixes + instructionLength(op, getIP()) > 10) raiseFault(VEC_GP);
}

/**
 * The interpreter loop: until the instruction budget is spent or something
 * stops the CPU, take pending events, then fetch and execute one
 * instruction. Returns an EXIT_* code (cpu/interrupts.ts).
 *
 *   budget left?   EVENTS? → handleEvents()   ICOUNT++   INSN_IP = IP
 *   dispatch(fetch8())
 *
 * Everything common is inlined into this one function: a call per
 * instruction (run → step → execute) cost a third of the time.
 */
export function run(): i32 {
  for (;;) {
    // The budget is checked first, so run() returns at a boundary before
    // taking what is pending there: step() executes exactly one
    // instruction, and the next call takes the interrupt.
    const ic = load<i64>(ICOUNT);
    if (ic >= load<i64>(ICOUNT_STOP)) {
      if (load<i32>(HALTED)) return EXIT_HALT;
      store<i64>(JIT_CUT, ic);
      return EXIT_BUDGET;
    }
    if (load<i32>(EVENTS)) {
      const r = handleEvents();
      if (r != EXIT_NONE) {
        if (r == EXIT_CONTINUE) continue; // a translated block ran
        return r;
      }
    }
    executeNext(ic);
  }
  return EXIT_BUDGET; // not reached
}

/** Count the instruction at CS:IP (ICOUNT was `ic`), note where it starts
 *  (a fault's frame), and execute it. */
@inline function executeNext(ic: i64): void {
  store<i64>(ICOUNT, ic + 1);
  store<i32>(INSN_IP, load<i32>(REG_IP));
  resetPrefixes();
  dispatch(fetch8());
}

/**
 * One instruction exactly as run() executes it, without the checks between
 * instructions: for translated code, which calls it for what it does not
 * translate itself. Counts the instruction (REP iterations count
 * themselves, and yield on the budget as in run()).
 */
export function execOne(): void {
  executeNext(load<i64>(ICOUNT));
  // Translated code goes on with its PUSHes and POPs after this.
  stackWindowUpdate();
}

/** Execute the instruction whose first byte is `op` (prefixes loop). */
@inline function dispatch(first: i32): void {
  let op = first;
  let prefixes = 0;
  for (;;) {
  switch (op) {
    // Prefixes: note them and decode the next byte as part of the same
    // instruction. The 286 raises #GP for instructions longer than 10
    // bytes, the 386 for longer than 15; that many prefixes plus an opcode
    // already are.
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0xF0: case 0xF1: case 0xF2: case 0xF3: {
      if (op == 0xF2 || op == 0xF3) setPrefixRep(op);
      else if (op < 0x40) setPrefixSeg((op >> 3) & 3);
      else if (op == 0xF1 && is386()) { interrupt(VEC_DEBUG, getIP()); return; } // ICEBP
      else if (op == 0xF0 && is386()) checkLock();
      if (++prefixes >= 10) {
        if (model() == MODEL_286 || prefixes >= 15 && is386()) raiseFault(VEC_GP);
        // The 8086 has no length limit: a segment full of prefix bytes
        // would never end an instruction and never return to the host. A
        // run of 16 prefixes ends as an instruction of its own (the budget
        // and interrupts are checked; a 17th prefix starts afresh). Real
        // code stays far below this; the 286 stops at 10 bytes.
        if (prefixes >= 16) return;
      }
      op = fetch8();
      if (prefixes >= 5 && model() == MODEL_286) checkLength(op, prefixes);
      // An operand-size prefix came first: the 32-bit form, if it has one.
      if (opsize32 && exec32(op)) return;
      continue;
    }
    // 386 prefixes: FS, GS, operand size, address size. On the 8086 these
    // bytes are Jcc aliases, on the 286 undefined.
    case 0x64: case 0x65: case 0x66: case 0x67: {
      if (!is386()) { if (is8086()) jccVar(op); else invalid(); break; }
      if (op == 0x66) setOpsize32();
      else if (op == 0x67) setAddr32();
      else setPrefixSeg(op - 0x60); // FS = 4, GS = 5
      if (++prefixes >= 15) raiseFault(VEC_GP);
      op = fetch8();
      if (opsize32 && exec32(op)) return;
      continue;
    }
    // ALU r/m and accumulator forms, one case each so the op folds
    case 0x00: aluForm(0x00); break;
    case 0x01: aluForm(0x01); break;
    case 0x02: aluForm(0x02); break;
    case 0x03: aluForm(0x03); break;
    case 0x04: aluForm(0x04); break;
    case 0x05: aluForm(0x05); break;
    case 0x08: aluForm(0x08); break;
    case 0x09: aluForm(0x09); break;
    case 0x0A: aluForm(0x0A); break;
    case 0x0B: aluForm(0x0B); break;
    case 0x0C: aluForm(0x0C); break;
    case 0x0D: aluForm(0x0D); break;
    case 0x10: aluForm(0x10); break;
    case 0x11: aluForm(0x11); break;
    case 0x12: aluForm(0x12); break;
    case 0x13: aluForm(0x13); break;
    case 0x14: aluForm(0x14); break;
    case 0x15: aluForm(0x15); break;
    case 0x18: aluForm(0x18); break;
    case 0x19: aluForm(0x19); break;
    case 0x1A: aluForm(0x1A); break;
    case 0x1B: aluForm(0x1B); break;
    case 0x1C: aluForm(0x1C); break;
    case 0x1D: aluForm(0x1D); break;
    case 0x20: aluForm(0x20); break;
    case 0x21: aluForm(0x21); break;
    case 0x22: aluForm(0x22); break;
    case 0x23: aluForm(0x23); break;
    case 0x24: aluForm(0x24); break;
    case 0x25: aluForm(0x25); break;
    case 0x28: aluForm(0x28); break;
    case 0x29: aluForm(0x29); break;
    case 0x2A: aluForm(0x2A); break;
    case 0x2B: aluForm(0x2B); break;
    case 0x2C: aluForm(0x2C); break;
    case 0x2D: aluForm(0x2D); break;
    case 0x30: aluForm(0x30); break;
    case 0x31: aluForm(0x31); break;
    case 0x32: aluForm(0x32); break;
    case 0x33: aluForm(0x33); break;
    case 0x34: aluForm(0x34); break;
    case 0x35: aluForm(0x35); break;
    case 0x38: aluForm(0x38); break;
    case 0x39: aluForm(0x39); break;
    case 0x3A: aluForm(0x3A); break;
    case 0x3B: aluForm(0x3B); break;
    case 0x3C: aluForm(0x3C); break;
    case 0x3D: aluForm(0x3D); break;

    // PUSH/POP segment registers
    case 0x06: push16(segSel(ES)); break;
    case 0x07: setSeg(ES, pop16()); break;
    case 0x0E: push16(segSel(CS)); break;
    case 0x0F: if (is8086()) setSeg(CS, pop16()); else twoByte(); break;
    case 0x16: push16(segSel(SS)); break;
    case 0x17: setSeg(SS, pop16()); beginShadow(); break;
    case 0x1E: push16(segSel(DS)); break;
    case 0x1F: setSeg(DS, pop16()); break;

    // BCD
    case 0x27: daa(); break;
    case 0x2F: das(); break;
    case 0x37: aaa(); break;
    case 0x3F: aas(); break;

    // INC/DEC/PUSH/POP r16
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      setReg16(op & 7, inc(reg16(op & 7), 16)); break;
    case 0x48: case 0x49: case 0x4A: case 0x4B: case 0x4C: case 0x4D: case 0x4E: case 0x4F:
      setReg16(op & 7, dec(reg16(op & 7), 16)); break;
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x55: case 0x56: case 0x57:
      push16(reg16(op & 7)); break;
    case 0x54: // PUSH SP: the 8086 pushes the decremented value, the 286 the old one
      push16(is8086() ? reg16(SP) - 2 : reg16(SP)); break;
    case 0x58: case 0x59: case 0x5A: case 0x5B: case 0x5C: case 0x5D: case 0x5E: case 0x5F:
      setReg16(op & 7, pop16()); break;

    // 60–6F: 186+ instructions; on the 8086 they alias Jcc 70–7F
    case 0x60: {
      if (is8086()) { jccVar(op); break; }
      const sp = reg16(SP);
      probeW(sp - 16);
      for (let r = 0; r < 8; r++) push16(r == SP ? sp : reg16(r));
      break;
    }
    case 0x61: {
      if (is8086()) { jccVar(op); break; }
      // Read all eight words before writing any register (a fault on the
      // last read must leave the registers untouched). No arrays: the core
      // has no allocator to give their memory back to.
      const sp = reg16(SP);
      const di = readW(SS, sp), si = readW(SS, sp + 2), bp = readW(SS, sp + 4);
      const bx = readW(SS, sp + 8), dx = readW(SS, sp + 10), cx = readW(SS, sp + 12), ax = readW(SS, sp + 14);
      setReg16(DI, di); setReg16(SI, si); setReg16(BP, bp);
      setReg16(BX, bx); setReg16(DX, dx); setReg16(CX, cx); setReg16(AX, ax);
      setReg16(SP, sp + 16);
      break;
    }
    case 0x62: { // BOUND
      if (is8086()) { jccVar(op); break; }
      decodeModrm();
      if (modrmIsReg) invalid();
      const lo = <i32><i16>readW(eaSeg, eaOffPlus(0, 2)), hi = <i32><i16>readW(eaSeg, eaOffPlus(2, 2));
      const idx = <i32><i16>reg16(modrmReg);
      if (idx < lo || idx > hi) raiseFault(VEC_BOUND);
      break;
    }
    case 0x63: // ARPL: protected mode only
      if (is8086()) jccVar(op); else invalid();
      break;
    case 0x68: if (is8086()) jccVar(op); else push16(fetch16()); break;
    case 0x6A: if (is8086()) jccVar(op); else push16(fetchS8()); break;
    case 0x69: case 0x6B: {
      if (is8086()) { jccVar(op); break; }
      decodeModrm();
      const a = readRM16();
      const b = op == 0x69 ? fetch16() : fetchS8();
      setReg16(modrmReg, imul3(a, b, 16));
      break;
    }
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
      if (is8086()) jccVar(op); else stringOp(op);
      break;

    case 0x70: jcc(0x70); break;
    case 0x71: jcc(0x71); break;
    case 0x72: jcc(0x72); break;
    case 0x73: jcc(0x73); break;
    case 0x74: jcc(0x74); break;
    case 0x75: jcc(0x75); break;
    case 0x76: jcc(0x76); break;
    case 0x77: jcc(0x77); break;
    case 0x78: jcc(0x78); break;
    case 0x79: jcc(0x79); break;
    case 0x7A: jcc(0x7A); break;
    case 0x7B: jcc(0x7B); break;
    case 0x7C: jcc(0x7C); break;
    case 0x7D: jcc(0x7D); break;
    case 0x7E: jcc(0x7E); break;
    case 0x7F: jcc(0x7F); break;

    case 0x80: case 0x81: case 0x82: case 0x83: group1(op); break;
    case 0x84: { decodeModrm(); lazyLogic(readRM8() & reg8(modrmReg), 8); break; }
    case 0x85: { decodeModrm(); lazyLogic(readRM16() & reg16(modrmReg), 16); break; }
    case 0x86: { decodeModrm(); const a = readRM8(); writeRM8(reg8(modrmReg)); setReg8(modrmReg, a); break; }
    case 0x87: { decodeModrm(); const a = readRM16(); writeRM16(reg16(modrmReg)); setReg16(modrmReg, a); break; }
    case 0x88: decodeModrm(); writeRM8(reg8(modrmReg)); break;
    case 0x89: decodeModrm(); writeRM16(reg16(modrmReg)); break;
    case 0x8A: decodeModrm(); setReg8(modrmReg, readRM8()); break;
    case 0x8B: decodeModrm(); setReg16(modrmReg, readRM16()); break;
    case 0x8C: { // MOV r/m16, Sreg: ES CS SS DS, and FS GS on the 386
      decodeModrmAddress();
      const s = is8086() ? modrmReg & 3 : modrmReg;
      if (s > (is386() ? 5 : 3)) invalid();
      limitCheck();
      writeRM16(segSel(s));
      break;
    }
    case 0x8D: { // LEA
      decodeModrmAddress();
      if (modrmIsReg) { if (!is8086()) invalid(); break; }
      setReg16(modrmReg, eaOff);
      break;
    }
    case 0x8E: {
      decodeModrmAddress();
      const s = is8086() ? modrmReg & 3 : modrmReg;
      if (s == CS && !is8086() || s > (is386() ? 5 : 3)) invalid();
      limitCheck();
      setSeg(s, readRM16());
      if (s == SS) beginShadow();
      break;
    }
    case 0x8F: { // POP r/m (reg field ignored by the 8086)
      decodeModrmAddress();
      if (modrmReg != 0 && !is8086()) invalid();
      limitCheck();
      const sp = reg16(SP);
      const v = readW(SS, sp);
      setReg16(SP, sp + 2);
      writeRM16(v);
      break;
    }

    case 0x90: break;
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
      const t = reg16(AX); setReg16(AX, reg16(op & 7)); setReg16(op & 7, t); break;
    }
    case 0x98: setReg16(AX, <i32><i8>reg8(0)); break;                       // CBW
    case 0x99: setReg16(DX, (reg16(AX) & 0x8000) ? 0xFFFF : 0); break;      // CWD
    case 0x9A: { // CALL far ptr16:16
      const ip = fetch16(), cs = fetch16();
      probeW(reg16(SP) - 4);
      push16(segSel(CS)); push16(getIP());
      farJump(cs, ip);
      break;
    }
    case 0x9B: break; // WAIT: no coprocessor
    case 0x9C: push16(getFlags()); break;
    case 0x9D: writeFlags(pop16()); break;
    case 0x9E: setFlagBits(SF | ZF | AF | PF | CF, reg8(4)); break;          // SAHF
    case 0x9F: setReg8(4, getFlags()); break;                                // LAHF

    case 0xA0: setReg8(0, readB(dataSeg(), fetchMoffs(1))); break;
    case 0xA1: setReg16(AX, readW(dataSeg(), fetchMoffs(2))); break;
    case 0xA2: { const off = fetchMoffs(1); writeB(dataSeg(), off, reg8(0)); break; }
    case 0xA3: { const off = fetchMoffs(2); writeW(dataSeg(), off, reg16(AX)); break; }
    case 0xA4: case 0xA5: case 0xA6: case 0xA7:
    case 0xAA: case 0xAB: case 0xAC: case 0xAD: case 0xAE: case 0xAF:
      stringOp(op); break;
    case 0xA8: lazyLogic(reg8(0) & fetch8(), 8); break;
    case 0xA9: lazyLogic(reg16(AX) & fetch16(), 16); break;

    case 0xB0: case 0xB1: case 0xB2: case 0xB3: case 0xB4: case 0xB5: case 0xB6: case 0xB7:
      setReg8(op & 7, fetch8()); break;
    case 0xB8: case 0xB9: case 0xBA: case 0xBB: case 0xBC: case 0xBD: case 0xBE: case 0xBF:
      setReg16(op & 7, fetch16()); break;

    case 0xC0: case 0xC1:
      if (is8086()) retNear(op == 0xC0); else group2(op);
      break;
    case 0xC2: retNear(true); break;
    case 0xC3: retNear(false); break;
    case 0xC4: case 0xC5: { // LES / LDS
      decodeModrm();
      if (modrmIsReg) { if (!is8086()) invalid(); break; }
      const off = readW(eaSeg, eaOffPlus(0, 2)), sel = readW(eaSeg, eaOffPlus(2, 2));
      setReg16(modrmReg, off);
      setSeg(op == 0xC4 ? ES : DS, sel);
      break;
    }
    case 0xC6: { decodeModrmAddress(); if (modrmReg != 0 && !is8086()) invalid(); limitCheck(); writeRM8(fetch8()); break; }
    case 0xC7: { decodeModrmAddress(); if (modrmReg != 0 && !is8086()) invalid(); limitCheck(); writeRM16(fetch16()); break; }
    case 0xC8: if (is8086()) retFar(true); else enter(); break;
    case 0xC9: // LEAVE (286) / RETF alias (8086)
      if (is8086()) { retFar(false); break; }
      { const v = readW(SS, reg16(BP)); setReg16(SP, reg16(BP) + 2); setReg16(BP, v); }
      break;
    case 0xCA: retFar(true); break;
    case 0xCB: retFar(false); break;
    case 0xCC: interrupt(VEC_BREAKPOINT, getIP()); break;
    case 0xCD: { const n = fetch8(); interrupt(n, getIP()); break; }
    case 0xCE: if (testConditionVar(0)) interrupt(VEC_OVERFLOW, getIP()); break;
    case 0xCF: { // IRET
      const sp = reg16(SP);
      const ip = readW(SS, sp), cs = readW(SS, sp + 2), fl = readW(SS, sp + 4);
      setReg16(SP, sp + 6);
      farJump(cs, ip);
      writeFlags(fl);
      break;
    }

    case 0xD0: case 0xD1: case 0xD2: case 0xD3: group2(op); break;
    case 0xD4: aam(fetch8()); break;
    case 0xD5: aad(fetch8()); break;
    case 0xD6: setReg8(0, getCF() ? 0xFF : 0); break;                        // SALC
    case 0xD7: setReg8(0, readB(dataSeg(), xlatOffset())); break;          // XLAT
    case 0xD8: case 0xD9: case 0xDA: case 0xDB: case 0xDC: case 0xDD: case 0xDE: case 0xDF:
      // ESC with no coprocessor: the operand is decoded; the 286 also reads
      // it, so offset FFFFh raises #GP there.
      decodeModrm();
      if (!modrmIsReg) probeW(eaOffPlus(0, 2));
      break;

    case 0xE0: case 0xE1: case 0xE2: { // LOOPNZ LOOPZ LOOP (ECX with 67h)
      const d = fetchS8();
      let cx: i32;
      if (addr32) { cx = reg32(CX) - 1; setReg32(CX, cx); }
      else { cx = (reg16(CX) - 1) & 0xFFFF; setReg16(CX, cx); }
      let take = cx != 0;
      if (op == 0xE0) take = take && !(getFlags() & ZF);
      else if (op == 0xE1) take = take && (getFlags() & ZF) != 0;
      if (take) jumpRel(d);
      break;
    }
    case 0xE3: { const d = fetchS8(); if ((addr32 ? reg32(CX) : reg16(CX)) == 0) jumpRel(d); break; } // JCXZ/JECXZ
    case 0xE4: setReg8(0, portIn(fetch8(), 1)); break;
    case 0xE5: setReg16(AX, portIn(fetch8(), 2)); break;
    case 0xE6: portOut(fetch8(), 1, reg8(0)); break;
    case 0xE7: portOut(fetch8(), 2, reg16(AX)); break;
    case 0xE8: { const d = fetch16(); push16(getIP()); jumpRel(d); break; }
    case 0xE9: { const d = fetch16(); jumpRel(d); break; }
    case 0xEA: { const ip = fetch16(), cs = fetch16(); farJump(cs, ip); break; }
    case 0xEB: { const d = fetchS8(); jumpRel(d); break; }
    case 0xEC: setReg8(0, portIn(reg16(DX), 1)); break;
    case 0xED: setReg16(AX, portIn(reg16(DX), 2)); break;
    case 0xEE: portOut(reg16(DX), 1, reg8(0)); break;
    case 0xEF: portOut(reg16(DX), 2, reg16(AX)); break;

    case 0xF4: store<i32>(HALTED, 1); store<i32>(EVENTS, 1); break;          // HLT
    case 0xF5: setFlagBits(CF, getCF() ^ 1); break;                          // CMC
    case 0xF6: case 0xF7: group3(op); break;
    case 0xF8: setFlagBits(CF, 0); break;
    case 0xF9: setFlagBits(CF, CF); break;
    case 0xFA: setFlagBits(IF, 0); break;
    case 0xFB: // STI: interrupts wait one more instruction if IF was clear
      if (!(load<i32>(REG_FLAGS) & IF)) beginShadow();
      setFlagBits(IF, IF);
      break;
    case 0xFC: setFlagBits(DF, 0); break;
    case 0xFD: setFlagBits(DF, DF); break;
    case 0xFE: case 0xFF: group45(op); break;
    default: invalid(); break;
  }
  return;
  }
}

/**
 * 386: LOCK raises #UD unless the instruction it prefixes can be locked —
 * a read-modify-write of memory: ADD OR ADC SBB AND SUB XOR (r/m forms and
 * 80–83), XCHG, NOT, NEG, INC, DEC, BTS, BTR, BTC. (The 8086 and 286
 * accept LOCK anywhere.) Peeks past any further prefixes without fetching.
 */
function checkLock(): void {
  const base = segBase(CS);
  let ip = getIP();
  let op = read8(base + ip);
  for (let n = 0; n < 15 && isPrefix386(op); n++) { ip = (ip + 1) & 0xFFFF; op = read8(base + ip); }
  ip = (ip + 1) & 0xFFFF;
  let ok = false;
  let m: i32;
  if (op == 0x0F) {
    const op2 = read8(base + ip);
    m = read8(base + ((ip + 1) & 0xFFFF));
    ok = op2 == 0xAB || op2 == 0xB3 || op2 == 0xBB || (op2 == 0xBA && ((m >> 3) & 7) >= 5);
  } else {
    m = read8(base + ip);
    const reg = (m >> 3) & 7;
    if (op < 0x38) ok = (op & 6) == 0;                    // 00/01, 08/09 … 30/31
    else if (op >= 0x80 && op <= 0x83) ok = reg != 7;     // not CMP
    else if (op == 0x86 || op == 0x87) ok = true;
    else if (op == 0xF6 || op == 0xF7) ok = reg == 2 || reg == 3;
    else if (op == 0xFE || op == 0xFF) ok = reg < 2;
  }
  if (!ok || m >= 0xC0) raiseFault(VEC_INVALID_OPCODE);
}

@inline function isPrefix386(b: i32): bool {
  return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || (b >= 0x64 && b <= 0x67) || b == 0xF0 || b == 0xF2 || b == 0xF3;
}

/** XLAT's offset: BX + AL wraps at 64 KiB; EBX + AL (67h) must not pass
 *  the limit. */
function xlatOffset(): i32 {
  if (!addr32) return reg16(BX) + reg8(0);
  const off = reg32(BX) + reg8(0);
  if (<u32>off > 0xFFFF) raiseFault(VEC_GP);
  return off;
}

/** Jcc rel8; 60–6F are the 8086's aliases of 70–7F. Inlined per opcode. */
@inline function jcc(op: i32): void {
  const d = fetchS8();
  if (testCondition(op & 0xF)) jumpRel(d);
}

/** Jcc with a run-time condition (the 8086's 60–6F aliases). */
function jccVar(op: i32): void {
  const d = fetchS8();
  if (testConditionVar(op & 0xF)) jumpRel(d);
}

function retNear(withImm: bool): void {
  const n = withImm ? fetch16() : 0;
  const ip = pop16();
  setIP(ip);
  setReg16(SP, reg16(SP) + n);
}

function retFar(withImm: bool): void {
  const n = withImm ? fetch16() : 0;
  const sp = reg16(SP);
  const ip = readW(SS, sp), cs = readW(SS, sp + 2);
  setReg16(SP, sp + 4 + n);
  farJump(cs, ip);
}

/** ENTER imm16, imm8 (186+). */
function enter(): void {
  const size = fetch16();
  const level = fetch8() & 31;
  push16(reg16(BP));
  const frame = reg16(SP);
  if (level > 0) {
    let bp = reg16(BP);
    for (let i = 1; i < level; i++) {
      bp = (bp - 2) & 0xFFFF;
      push16(readW(SS, bp));
    }
    push16(frame);
  }
  setReg16(BP, frame);
  setReg16(SP, reg16(SP) - size);
}

