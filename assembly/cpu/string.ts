/**
 * string.ts — MOVS CMPS SCAS LODS STOS INS OUTS, with REP/REPE/REPNE.
 *
 * Counting rule (the same in every engine): each iteration of a REP string
 * instruction retires as one instruction; a REP with CX = 0 retires once.
 * Between iterations the interpreter checks for events: if one is pending
 * (an IRQ, a stop request) or the instruction budget is spent, IP is left
 * at the first prefix byte and REP_ACTIVE is set, exactly as the hardware
 * leaves it when it takes an interrupt inside a REP; executing it again
 * resumes with the registers as they stand.
 *
 * The 386's forms — doubleword elements (66h) and ESI/EDI/ECX as index and
 * count (67h) — run through stringOpWide, so the 8086/286 path, with its
 * captured fault quirks, stays as the hardware corpus verified it.
 *
 * REP MOVS/STOS/CMPS/SCAS going up (DF clear) take a bulk path where they
 * can: as many elements as the budget allows, as stay inside the current
 * page of source and destination and below offset 10000h, at once — one
 * memory.copy or fill, or a compare loop on host memory (eight bytes, or
 * four words, at a time) — when both pages are plain RAM (no TLB flag: no
 * ROM, MMIO, translated code, dirty logging or COW to see each access).
 * The count, registers, flags and memory come out as element by element;
 * the budget and events are checked between chunks as between elements.
 */
import { ICOUNT, ICOUNT_STOP, EVENTS, INSN_IP, REG_IP, REG_FLAGS, REP_ACTIVE, TLB_READ, TLB_WRITE, STAT_REP_BULK } from "../layout";
import { readB, writeB, readW, writeW, readD, writeD } from "../memory/access";
import { reg16, setReg16, reg8, setReg8, reg32, setReg32, model, segBase, MODEL_8086, AX, CX, DX, SI, DI, ES } from "./state";
import { lazySub, getZF, DF } from "./flags";
import { prefixRep, dataSeg, opsize32, addr32 } from "./decode";
import { portIn, portOut } from "../io";
import { raiseFault, VEC_GP } from "./fault";
import { setRepResume8086 } from "./interrupts";

/**
 * 286: a word string access at offset FFFFh raises #GP, but the microcode
 * has already stepped the index register of the faulting access (and of
 * the access before it), and under REP has already counted CX down — by
 * two for a faulting write, one for a faulting read, none when CMPSW's
 * first read faults. That
 * is what the captured tests show: MOVSW faulting on [SI] steps SI only,
 * on [DI] steps both; CMPSW reads [ES:DI] first.
 */
function gpAfterUpdate(op: i32, si: i32, di: i32, step: i32, rep: i32): void {
  let stepSI = false, stepDI = false, cxDec = 1;
  switch (op) {
    case 0xA5: stepSI = true; stepDI = si != 0xFFFF; cxDec = stepDI ? 2 : 1; break; // [SI] then [DI]
    case 0xA7: stepDI = true; stepSI = di != 0xFFFF; cxDec = stepSI ? 1 : 0; break; // [DI] then [SI]
    case 0xAB: case 0x6D: stepDI = di == 0xFFFF; cxDec = 2; break;                  // writes [DI]
    case 0xAF: stepDI = di == 0xFFFF; break;                                        // reads [DI]
    default: stepSI = si == 0xFFFF; break;                                          // LODSW OUTSW: [SI]
  }
  if (!stepSI && !stepDI) return; // the index at FFFFh is not one this op uses
  if (stepSI) setReg16(SI, si + step);
  if (stepDI) setReg16(DI, di + step);
  if (rep != 0) setReg16(CX, reg16(CX) - cxDec);
  raiseFault(VEC_GP);
}

/** Execute string opcode `op` (A4–A7, AA–AF, 6C–6F). */
export function stringOp(op: i32): void {
  if (opsize32 || addr32) { stringOpWide(op); return; }
  const word = op & 1;
  const step = (load<i32>(REG_FLAGS) & DF) ? -1 - word : 1 + word;
  const rep = prefixRep;
  if (rep != 0 && reg16(CX) == 0) { store<i32>(REP_ACTIVE, 0); return; }
  const src = dataSeg();
  const late = word != 0 && model() != MODEL_8086;
  const bulk = rep != 0 && step > 0 && op >= 0xA4 && op != 0xAC && op != 0xAD; // not LODS, INS/OUTS
  const cmp = (op & 0xF6) == 0xA6;
  for (;;) {
    const si = reg16(SI), di = reg16(DI);
    if (late && (si == 0xFFFF || di == 0xFFFF)) gpAfterUpdate(op, si, di, step, rep);
    if (bulk && bulkChunk(op, src, si, di, 1 + word, rep == 0xF3) > 0) {
      if (cmp && getZF() != (rep == 0xF3)) break;
      if (reg16(CX) == 0) break;
      if (yieldBetweenIterations()) return;
      continue;
    }
    switch (op) {
      case 0xA4: writeB(ES, di, readB(src, si)); setReg16(SI, si + step); setReg16(DI, di + step); break;
      case 0xA5: writeW(ES, di, readW(src, si)); setReg16(SI, si + step); setReg16(DI, di + step); break;
      case 0xA6: { const a = readB(src, si), b = readB(ES, di); lazySub(a, b, a - b, 8);
        setReg16(SI, si + step); setReg16(DI, di + step); break; }
      case 0xA7: { const a = readW(src, si), b = readW(ES, di); lazySub(a, b, a - b, 16);
        setReg16(SI, si + step); setReg16(DI, di + step); break; }
      case 0xAA: writeB(ES, di, reg8(0)); setReg16(DI, di + step); break;
      case 0xAB: writeW(ES, di, reg16(AX)); setReg16(DI, di + step); break;
      case 0xAC: setReg8(0, readB(src, si)); setReg16(SI, si + step); break;
      case 0xAD: setReg16(AX, readW(src, si)); setReg16(SI, si + step); break;
      case 0xAE: { const a = reg8(0), b = readB(ES, di); lazySub(a, b, a - b, 8); setReg16(DI, di + step); break; }
      case 0xAF: { const a = reg16(AX), b = readW(ES, di); lazySub(a, b, a - b, 16); setReg16(DI, di + step); break; }
      case 0x6C: { const v = portIn(reg16(DX), 1); writeB(ES, di, v); setReg16(DI, di + step); break; }
      case 0x6D: { const v = portIn(reg16(DX), 2); writeW(ES, di, v); setReg16(DI, di + step); break; }
      case 0x6E: portOut(reg16(DX), 1, readB(src, si)); setReg16(SI, si + step); break;
      default: portOut(reg16(DX), 2, readW(src, si)); setReg16(SI, si + step); break;
    }
    if (rep == 0) return;
    const cx = (reg16(CX) - 1) & 0xFFFF;
    setReg16(CX, cx);
    // CMPS/SCAS also stop on the condition: REPE while equal, REPNE while not.
    if ((op & 0xF6) == 0xA6 && getZF() != (rep == 0xF3)) break;
    if (cx == 0) break;
    if (yieldBetweenIterations()) return;
  }
  store<i32>(REP_ACTIVE, 0);
}

/**
 * A REP MOVS/STOS/CMPS/SCAS element run with DF clear (see the header):
 * do n ≥ 2 elements at once — the first already counted, as the loop's
 * every element is, and each further one counted here — and return n;
 * or do nothing and return 0 (the element-by-element path runs). CMPS and
 * SCAS stop after the element whose comparison ends the REP, and leave its
 * flags record. `size`: 1 or 2 bytes; `whileEqual`: REPE (F3).
 */
function bulkChunk(op: i32, src: i32, si: i32, di: i32, size: i32, whileEqual: bool): i32 {
  const kind = op & 0xFE;
  let n = reg16(CX);
  // Elements 2.. each need ICOUNT < ICOUNT_STOP before them.
  const budget = load<i64>(ICOUNT_STOP) - load<i64>(ICOUNT) + 1;
  if (budget < <i64>n) n = <i32>budget;
  // ES:DI, written by MOVS/STOS and read by CMPS/SCAS.
  const dLin = segBase(ES) + di;
  const dTable = kind == 0xA4 || kind == 0xAA ? TLB_WRITE : TLB_READ;
  const dEntry = load<i32>(dTable + ((dLin >>> 12) << 2));
  if (dEntry & 0xFFF) return 0;
  n = min(n, min((0x1000 - (dLin & 0xFFF)) / size, (0x10000 - di) / size));
  const dHost = dEntry + dLin;
  let sHost = 0;
  if (kind == 0xA4 || kind == 0xA6) { // the source DS:SI (or override)
    const sLin = segBase(src) + si;
    const sEntry = load<i32>(TLB_READ + ((sLin >>> 12) << 2));
    if (sEntry & 0xFFF) return 0;
    n = min(n, min((0x1000 - (sLin & 0xFFF)) / size, (0x10000 - si) / size));
    sHost = sEntry + sLin;
  }
  if (kind == 0xA4) {
    // Element by element, a destination just above the source repeats
    // what was written; memory.copy would not: stay below the distance.
    if (dHost > sHost) n = min(n, (dHost - sHost) / size);
    if (n < 2) return 0;
    memory.copy(dHost, sHost, n * size);
  } else if (kind == 0xAA) {
    if (n < 2) return 0;
    if (size == 1) memory.fill(dHost, <u8>reg8(0), n);
    else {
      const v = <u16>reg16(AX);
      for (let i = 0; i < n; i++) store<u16>(dHost + (i << 1), v);
    }
  } else {
    if (n < 2) return 0;
    // CMPS: [SI] − [DI]; SCAS: AL/AX − [DI]. Up to the first element
    // whose equality ends the REP.
    let a = size == 1 ? reg8(0) : reg16(AX), b = 0, i = 0;
    const both = kind == 0xA6;
    if (size == 1) {
      // Eight bytes at a time while all eight go on with the REP (the
      // last element is always compared below, for its flags): REPE while
      // the words are equal, REPNE while no byte of their XOR is zero.
      const pattern = <u64>a * 0x0101010101010101;
      while (i + 8 < n) {
        const x = (both ? load<u64>(sHost + i) : pattern) ^ load<u64>(dHost + i);
        const goesOn = whileEqual ? x == 0 : ((x - 0x0101010101010101) & ~x & 0x8080808080808080) == 0;
        if (!goesOn) break;
        i += 8;
      }
      while (i < n) {
        if (both) a = <i32>load<u8>(sHost + i);
        b = <i32>load<u8>(dHost + i);
        i++;
        if ((a == b) != whileEqual) break;
      }
    } else {
      // Four words at a time, the same way, with 16-bit lanes.
      const pattern = <u64>a * 0x0001000100010001;
      while (i + 4 < n) {
        const x = (both ? load<u64>(sHost + (i << 1)) : pattern) ^ load<u64>(dHost + (i << 1));
        const goesOn = whileEqual ? x == 0 : ((x - 0x0001000100010001) & ~x & 0x8000800080008000) == 0;
        if (!goesOn) break;
        i += 4;
      }
      while (i < n) {
        if (both) a = <i32>load<u16>(sHost + (i << 1));
        b = <i32>load<u16>(dHost + (i << 1));
        i++;
        if ((a == b) != whileEqual) break;
      }
    }
    n = i;
    lazySub(a, b, a - b, size << 3);
  }
  if (kind == 0xA4 || kind == 0xA6) setReg16(SI, si + n * size);
  setReg16(DI, di + n * size);
  setReg16(CX, reg16(CX) - n);
  store<i64>(ICOUNT, load<i64>(ICOUNT) + <i64>(n - 1));
  store<i32>(STAT_REP_BULK, load<i32>(STAT_REP_BULK) + 1);
  return n;
}

/** Between two REP iterations: stop at the instruction (to resume it later)
 *  if an event is pending or the budget is spent; otherwise count the next
 *  iteration. Returns true when stopping. */
@inline function yieldBetweenIterations(): bool {
  if (load<i32>(EVENTS) || load<i64>(ICOUNT) >= load<i64>(ICOUNT_STOP)) {
    // The opcode is the byte before IP; the prefix before it is where an
    // 8086 resumes after an interrupt (see interrupts.ts).
    setRepResume8086(load<i32>(REG_IP) - 2 & 0xFFFF);
    store<i32>(REG_IP, load<i32>(INSN_IP));
    store<i32>(REP_ACTIVE, 1);
    return true;
  }
  store<i64>(ICOUNT, load<i64>(ICOUNT) + 1);
  return false;
}

@inline function readN(seg: i32, off: i32, bytes: i32): i32 {
  return bytes == 1 ? readB(seg, off) : bytes == 2 ? readW(seg, off) : readD(seg, off);
}
@inline function writeN(seg: i32, off: i32, v: i32, bytes: i32): void {
  if (bytes == 1) writeB(seg, off, v); else if (bytes == 2) writeW(seg, off, v); else writeD(seg, off, v);
}
@inline function accN(bytes: i32): i32 {
  return bytes == 1 ? reg8(0) : bytes == 2 ? reg16(AX) : reg32(AX);
}

/** An index register (SI/DI) by address size; a 32-bit one must leave
 *  room for the element below the 64 KiB limit. */
@inline function index(r: i32, a32: bool, bytes: i32): i32 {
  if (!a32) return reg16(r);
  const v = reg32(r);
  if (<u32>v > <u32>(0x10000 - bytes)) raiseFault(VEC_GP);
  return v;
}
@inline function setIndex(r: i32, v: i32, a32: bool): void {
  if (a32) setReg32(r, v); else setReg16(r, v);
}

/** String instruction with a 386 operand- or address-size prefix. Faults
 *  are raised before the iteration changes anything. */
function stringOpWide(op: i32): void {
  const bytes = (op & 1) == 0 ? 1 : opsize32 ? 4 : 2;
  const step = (load<i32>(REG_FLAGS) & DF) ? -bytes : bytes;
  const a32 = addr32;
  const rep = prefixRep;
  if (rep != 0 && (a32 ? reg32(CX) : reg16(CX)) == 0) { store<i32>(REP_ACTIVE, 0); return; }
  const src = dataSeg();
  const size = bytes << 3;
  const mask = bytes == 4 ? -1 : (1 << size) - 1;
  for (;;) {
    switch (op) {
      case 0xA4: case 0xA5: {
        const si = index(SI, a32, bytes), di = index(DI, a32, bytes);
        writeN(ES, di, readN(src, si, bytes), bytes);
        setIndex(SI, si + step, a32); setIndex(DI, di + step, a32);
        break;
      }
      case 0xA6: case 0xA7: {
        const si = index(SI, a32, bytes), di = index(DI, a32, bytes);
        const a = readN(src, si, bytes), b = readN(ES, di, bytes);
        lazySub(a, b, a - b, size);
        setIndex(SI, si + step, a32); setIndex(DI, di + step, a32);
        break;
      }
      case 0xAA: case 0xAB: {
        const di = index(DI, a32, bytes);
        writeN(ES, di, accN(bytes), bytes);
        setIndex(DI, di + step, a32);
        break;
      }
      case 0xAC: case 0xAD: {
        const si = index(SI, a32, bytes);
        const v = readN(src, si, bytes);
        if (bytes == 1) setReg8(0, v); else if (bytes == 2) setReg16(AX, v); else setReg32(AX, v);
        setIndex(SI, si + step, a32);
        break;
      }
      case 0xAE: case 0xAF: {
        const di = index(DI, a32, bytes);
        const a = accN(bytes) & mask, b = readN(ES, di, bytes);
        lazySub(a, b, a - b, size);
        setIndex(DI, di + step, a32);
        break;
      }
      case 0x6C: case 0x6D: {
        const di = index(DI, a32, bytes);
        writeN(ES, di, portIn(reg16(DX), bytes), bytes);
        setIndex(DI, di + step, a32);
        break;
      }
      default: {
        const si = index(SI, a32, bytes);
        portOut(reg16(DX), bytes, readN(src, si, bytes));
        setIndex(SI, si + step, a32);
        break;
      }
    }
    if (rep == 0) return;
    const cx = a32 ? reg32(CX) - 1 : (reg16(CX) - 1) & 0xFFFF;
    setIndex(CX, cx, a32);
    if ((op & 0xF6) == 0xA6 && getZF() != (rep == 0xF3)) break;
    if (cx == 0) break;
    if (yieldBetweenIterations()) return;
  }
  store<i32>(REP_ACTIVE, 0);
}
