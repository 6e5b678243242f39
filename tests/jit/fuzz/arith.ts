/**
 * arith.ts — MUL/IMUL (one-operand, and the 286's three-operand forms),
 * DIV/IDIV with operands that cannot fault (the dividend's high half is
 * set below the divisor, or is the sign extension with |divisor| ≥ 2),
 * XCHG, LEA (every 16-bit ModRM form), TEST, NOT/NEG, CBW/CWD, AAM/AAD
 * with a non-zero base, and XLAT. Not a test file.
 */
import { type Ctx, type Entry, alu, negnot, test, consumer, producer, modrmRR, imm } from "./gen.js";

function mul(c: Ctx): void {
  const size = c.size(0.2), w = size === 8 ? 0 : 1, p = c.osz(size);
  const op = c.pick([4, 5]);                                                // MUL IMUL
  if (c.chance(0.6)) c.insn(...p, 0xf6 + w, modrmRR(op, c.any()));
  else { const m = c.mem(false); c.insn(...m.pfx, ...p, 0xf6 + w, ...m.enc(op)); }
  if (c.chance(0.5)) consumer(c);                                           // CF/OF (and the rest)
}

function imul3(c: Ctx): void {
  const p = c.is386 && c.chance(0.3) ? [0x66] : [];
  const big = c.chance(0.5), i = big ? imm(p.length ? 32 : 16, c.dword()) : [c.byte()];
  if (c.chance(0.6)) c.insn(...p, big ? 0x69 : 0x6b, modrmRR(c.w(16), c.any()), ...i);
  else { const m = c.mem(false); c.insn(...m.pfx, ...p, big ? 0x69 : 0x6b, ...m.enc(c.w(16)), ...i); }
  if (c.chance(0.5)) consumer(c);
}

/** DIV/IDIV that cannot raise #DE. The divisor is BX/BL, or a word/byte
 *  stored at a fixed address first. */
function div(c: Ctx): void {
  const signed = c.chance(0.5), size = c.is386 && c.chance(0.2) ? 32 : c.chance(0.5) ? 8 : 16;
  const p = c.osz(size), w = size === 8 ? 0 : 1;
  let d: number;
  if (signed) {
    // |divisor| ≥ 2, dividend = sign extension of the accumulator: |q| ≤ half range.
    const mag = size === 8 ? c.range(2, 127) : size === 16 ? c.range(2, 0x7fff) : c.range(2, 0x7fffffff);
    d = c.chance(0.5) ? mag : -mag;
    if (size === 8) c.insn(0x98);                                           // cbw
    else c.insn(...p, 0x99);                                                // cwd / cdq
  } else {
    // high half < divisor.
    const hiMax = size === 8 ? 0xfe : size === 16 ? 0xfffe : 0xfffffffe;
    const hi = c.chance(0.3) ? 0 : Math.floor(c.rnd() * hiMax);
    d = hi + 1 + Math.floor(c.rnd() * (hiMax + 1 - hi));
    if (size === 8) c.insn(0xb4, hi);                                       // mov ah,hi
    else c.insn(...p, 0xba, ...imm(size, hi));                              // mov dx|edx,hi
  }
  const op = signed ? 7 : 6;
  if (c.chance(0.5)) {
    c.insn(...p, size === 8 ? 0xb3 : 0xbb, ...imm(size, d));                // mov bl|bx|ebx,d
    c.insn(...p, 0xf6 + w, modrmRR(op, 3));
  } else {
    const a = c.pick([0x0140, 0x0150]), seg = c.pick([[], [0x26], [0x36]]);
    c.insn(...seg, ...p, 0xc6 + w, 0x06, a & 0xff, a >> 8, ...imm(size, d)); // mov [a],d
    c.insn(...seg, ...p, 0xf6 + w, 0x06 | (op << 3), a & 0xff, a >> 8);      // div|idiv [a]
  }
}

function xchg(c: Ctx): void {
  const size = c.size(0.2), w = size === 8 ? 0 : 1, p = c.osz(size);
  switch (c.int(3)) {
    case 0: c.insn(...p, 0x86 + w, modrmRR(c.w(size), c.w(size))); break;
    case 1: { const m = c.mem(true); c.insn(...m.pfx, ...p, 0x86 + w, ...m.enc(c.w(size))); break; }
    default: c.insn(...p, 0x90 + c.pick([0, 2, 3, 5, 6, 7]));               // xchg ax,r (90: NOP)
  }
}

/** LEA with every 16-bit addressing form (and 32-bit ones on the 386). */
function lea(c: Ctx): void {
  const rm = c.int(8), mod = c.int(3);
  const disp = mod === 1 ? [c.byte()] : mod === 2 || (mod === 0 && rm === 6) ? imm(16, c.word()) : [];
  const p = c.is386 && c.chance(0.3) ? [0x66] : [];
  c.insn(...p, 0x8d, (mod << 6) | (c.w(16) << 3) | rm, ...disp);
}

function conv(c: Ctx): void {
  const p = c.is386 && c.chance(0.3) ? [0x66] : [];
  c.insn(...p, c.pick([0x98, 0x99]));
}

function aam(c: Ctx): void {
  c.insn(c.pick([0xd4, 0xd5]), c.pick([10, 16, 1, 0xff, c.range(1, 255)]));
  if (c.chance(0.5)) consumer(c);
}

function xlat(c: Ctx): void {
  if (c.chance(0.3)) c.insn(0xbb, ...imm(16, c.word()));
  c.insn(0xd7);
}

export const ARITH_MIX: readonly Entry[] = [
  { name: "mul", w: 3, f: mul },
  { name: "imul3", w: 1, f: imul3, min: 1 },
  { name: "div", w: 3, f: div },
  { name: "xchg", w: 2, f: xchg },
  { name: "lea", w: 2, f: lea },
  { name: "test", w: 2, f: (c) => { test(c); if (c.chance(0.6)) consumer(c); } },
  { name: "negnot", w: 2, f: (c) => { negnot(c); if (c.chance(0.6)) consumer(c); } },
  { name: "conv", w: 1, f: conv },
  { name: "aam", w: 1, f: aam },
  { name: "xlat", w: 1, f: xlat },
  { name: "alu", w: 1, f: (c) => alu(c) },
  { name: "producer", w: 1, f: producer },
];
