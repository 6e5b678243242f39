// theme-muldiv.mjs — the "muldiv" theme of the 386 differential-test
// generator (tests/diff386/README.md): MUL/IMUL in all forms, DIV/IDIV.
//
// What it is: the two generators. Multiplier values lean to both fitting
// and overflowing; DIV/IDIV dividends are built as q·d + r with a
// representable quotient, so no case raises a divide error (record.mjs
// refuses an image in which QEMU sees any case fault).
//
// What it is not: no expected results (QEMU is the reference), and no
// memory-operand solving (operands.mjs).

import { regOrMem } from './operands.mjs';
import { CF, PF, AF, ZF, SF, OF, SIZE_KW, hex } from './x86.mjs';

function genMul(c) {
  const size = c.size();
  const form = c.rng.pick(size === 8 ? ['one'] : c.is386 ? ['one', 'two', 'imm'] : ['one', 'imm']);
  const kw = SIZE_KW[size];
  // Values that often fit (CF = OF = 0) and often overflow.
  const val = (bits) => (c.rng.chance(0.4) ? c.rng.int(1 << Math.min(bits / 2, 12)) * (c.rng.chance(0.3) ? -1 : 1) : c.rng.value(bits));
  if (form === 'one') {
    const op = c.rng.pick(['mul', 'imul']);
    if (!c.isFixed(c.regName(0, size))) c.set(c.regName(0, size), val(size));
    c.emit(`${op} ${regOrMem(c, size).text}`);
  } else if (form === 'two') {
    const d = c.pickReg(size);
    if (!c.isFixed(d)) c.set(d, val(size));
    const s = c.rng.chance(0.5) ? `${kw} ${c.mem(size / 8).text}` : c.pickReg(size);
    c.emit(`imul ${d}, ${s}`);
  } else {
    const d = c.pickReg(size);
    const s = c.rng.chance(0.5) ? `${kw} ${c.mem(size / 8).text}` : c.pickReg(size);
    if (!s.includes('[') && !c.isFixed(s)) c.set(s, val(size));
    const i = c.rng.chance(0.5) ? `byte ${c.rng.int(256) - 128}` : `strict ${kw} ${hex(val(size) & (size === 16 ? 0xffff : 0xffffffff), size / 4)}`;
    c.emit(`imul ${d}, ${s}, ${i}`);
  }
  c.undef(SF | ZF | AF | PF);
}

function genDiv(c) {
  const signed = c.rng.chance(0.5);
  const op = signed ? 'idiv' : 'div';
  const size = c.size();
  const n = BigInt(size);
  const mask = (1n << n) - 1n;
  const lowName = c.regName(0, size);
  const highName = size === 8 ? 'ah' : c.regName(2, size);
  const toS = (v, bits) => BigInt.asIntN(Number(bits), BigInt(v));
  let d, divisorIsLow = false, operand;
  if (c.rng.chance(0.5)) {
    const m = c.mem(size / 8, { avoid: [0, 2] });
    d = c.memRead(m.seg, m.ea, size / 8);
    operand = `${SIZE_KW[size]} ${m.text}`;
  } else {
    let r;
    do r = c.pickReg(size); while (r === highName || r === 'sp' || r === 'esp');
    divisorIsLow = r === lowName;
    if (!divisorIsLow) {
      const v = c.rng.chance(0.3) ? c.rng.range(1, 20) : c.rng.value(size);
      if (!c.isFixed(r)) c.set(r, v);
      d = c.get(r);
    } else {
      d = c.rng.value(size) || 1;
    }
    operand = r;
  }
  if (d === 0) return false;
  const D = signed ? toS(d, n) : BigInt(d);
  let dividend;
  const fits = (q) => (signed ? q >= -(1n << (n - 1n)) && q < (1n << (n - 1n)) : q >= 0n && q <= mask);
  if (divisorIsLow) {
    // Dividend's low half is the divisor itself: search for a high half.
    let found = false;
    for (let t = 0; t < 64 && !found; t++) {
      const hi = BigInt(t < 8 ? (signed && D < 0n ? -t : t) : c.rng.value(size));
      const dv = signed ? (hi << n) | BigInt(d) : ((hi & mask) << n) | BigInt(d);
      const sdv = signed ? BigInt.asIntN(Number(2n * n), dv) : dv;
      if (fits(sdv / D)) { dividend = sdv; found = true; }
    }
    if (!found) return false;
  } else {
    // dividend = q·d + r with |r| < |d| and r of the dividend's sign.
    const qbits = c.rng.chance(0.3) ? n : BigInt(c.rng.range(1, size));
    let q = BigInt(c.rng.value(32)) & ((1n << qbits) - 1n);
    if (signed) { q = BigInt.asIntN(Number(n), q); if (c.rng.chance(0.05)) q = -(1n << (n - 1n)); }
    const absD = D < 0n ? -D : D;
    let r = BigInt(c.rng.u32()) % absD;
    const prod = q * D;
    if (signed && (prod < 0n || (prod === 0n && c.rng.chance(0.5)))) r = -r;
    dividend = prod + r;
    if (!fits(dividend / D) || dividend / D !== q) return false;
  }
  const u = BigInt.asUintN(Number(2n * n), dividend);
  if (size === 8) c.set('ax', Number(u));
  else { c.set(lowName, Number(u & mask)); c.set(highName, Number(u >> n)); }
  if (divisorIsLow && c.get(lowName) !== d) throw new Error('genDiv: internal error');
  c.emit(`${op} ${operand}`);
  c.undef(CF | OF | SF | ZF | AF | PF);
}

/** The theme's generators with their relative weights (the order is part
 *  of the seed → image mapping: changing it changes every image). */
export const MULDIV_GENS = [[genMul, 1], [genDiv, 1]];
