// operands.mjs — operand builders of the 386 differential-test generator
// (tests/diff386/README.md, "What the generator avoids").
//
// What it is: the memory-operand solver — pick an addressing form and a
// target offset inside the window, then solve for whichever base, index or
// displacement is still free — plus the register-or-memory and immediate
// pickers the theme generators share. Every data access must land inside
// the window because QEMU skips the real-mode limit checks a 386 makes: an
// operand that strayed past FFFFh would pass under QEMU and fault on wasm86.
//
// What it is not: it does not emit instructions, and it does not own the
// case's state (case.mjs); it reads and commits registers through the Case.

import { WINDOW_SIZE } from './image.mjs';
import { R32, SIZE_KW, regPart, hex, s16, s32, u32, signedDisp } from './x86.mjs';

/**
 * A memory operand of `size` bytes whose effective address lands inside
 * the window for the segment it uses. Picks the addressing form (16- or
 * 32-bit, every SIB scale, EBP/ESP bases, disp8/disp32, index-only,
 * displacement-only), an optional segment override, a target offset, and
 * then solves for whichever base/index/displacement is still free — so
 * 32-bit sums wrap mod 2^32 with random upper halves, exactly as the
 * hardware must compute them. Registers in `avoid` are not used.
 * `lo`/`hi`: bytes needed below/above the operand (BT's bit strings).
 * `any`: LEA — no access, so any offset and any register values.
 * Returns { text (no size keyword), seg, ea, addr (16 or 32) }.
 */
export function memOperand(c, size, o = {}) {
  const rng = c.rng;
  const avoid = o.avoid ?? [];
  for (let attempt = 0; attempt < 500; attempt++) {
    const a = o.addr ?? (c.is386 ? rng.pick([16, 32, 32]) : 16);
    const ovr = o.noOverride || !rng.chance(0.35) ? null : rng.pick(c.segs());
    const r = a === 16 ? solve16(c, size, ovr, avoid, o) : solve32(c, size, ovr, avoid, o);
    if (r) return r;
  }
  throw new Error(`case ${c.index}: no memory operand satisfies the constraints`);
}

/** The offset the operand must reach in `seg`: a number inside the window,
 *  null when any offset will do (LEA), undefined when it cannot fit. */
function target(c, seg, size, o) {
  if (o.any) return null;
  const limit = WINDOW_SIZE - c.segOff(seg);
  const min = o.lo ?? 0, max = limit - size - (o.hi ?? 0);
  if (max < min) return undefined;
  return c.rng.range(min, max);
}

function solve16(c, size, ovr, avoid, o) {
  const rng = c.rng;
  const forms = [['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si'], ['di'], ['bp'], ['bx'], []];
  const regs = rng.pick(forms);
  if (regs.some((n) => avoid.includes(regPart(n).idx))) return null;
  let dk = regs.length === 0 ? 'd16' : rng.pick(['none', 'd8', 'd16']);
  if (regs.length === 1 && regs[0] === 'bp' && dk === 'none') dk = 'd8';
  const seg = ovr ?? (regs.includes('bp') ? 'ss' : 'ds');
  let ea = target(c, seg, size, o);
  if (ea === undefined) return null;
  if (ea === null) ea = rng.int(0x10000);
  const randDisp = () => (dk === 'none' ? 0 : dk === 'd8' ? rng.int(256) - 128 : rng.int(0x10000));
  const free = regs.filter((n) => !c.isFixed(n));
  let disp;
  if (o.any) {
    disp = randDisp();
  } else if (free.length > 0) {
    disp = randDisp();
    const solveFor = free[free.length - 1];
    let sum = disp;
    for (const n of regs) if (n !== solveFor) sum += c.isFixed(n) ? c.get(n) : (c.set(n, rng.value(16)), c.get(n));
    c.set(solveFor, (ea - sum) & 0xffff);
  } else {
    let sum = 0;
    for (const n of regs) sum += c.get(n);
    disp = (ea - sum) & 0xffff;
    if (dk === 'none' && disp !== 0) return null;
    if (dk === 'd8') { disp = s16(disp); if (disp < -128 || disp > 127) return null; }
  }
  for (const n of regs) c.get(n);
  let expr = regs.join('+');
  if (dk === 'd8') expr = `byte ${expr}${signedDisp(disp)}`;
  else if (dk === 'd16') expr = regs.length ? `word ${expr}+${hex(disp & 0xffff, 4)}` : hex(disp & 0xffff, 4);
  const text = `[${ovr ? ovr + ':' : ''}${expr}]`;
  return { text, seg, ea, addr: 16 };
}

function solve32(c, size, ovr, avoid, o) {
  const rng = c.rng;
  const kind = rng.pick(['base', 'base', 'sib', 'sib', 'sib', 'index', 'disp']);
  let b = null, x = null, s = 1;
  if (kind === 'base' || kind === 'sib') b = rng.int(8);
  if (kind === 'sib' || kind === 'index') { do x = rng.int(8); while (x === 4); s = rng.pick([1, 2, 4, 8]); }
  if ((b !== null && avoid.includes(b)) || (x !== null && avoid.includes(x))) return null;
  let dk = kind === 'disp' || kind === 'index' ? 'd32' : rng.pick(['none', 'd8', 'd32']);
  if (b === 5 && dk === 'none') dk = 'd8'; // [ebp] has no mod-00 form
  const seg = ovr ?? (b === 4 || b === 5 ? 'ss' : 'ds');
  let ea = target(c, seg, size, o);
  if (ea === undefined) return null;
  const any = ea === null;
  if (any) ea = rng.chance(0.5) ? rng.int(0x10000) : rng.u32();
  const randDisp = () => (dk === 'none' ? 0 : dk === 'd8' ? rng.int(256) - 128 : rng.chance(0.5) ? rng.int(2000) - 1000 : s32(rng.u32()));
  const fitDisp = (d) => { d = s32(d); return dk === 'none' ? d === 0 : dk === 'd8' ? d >= -128 && d <= 127 : true; };
  const fb = b !== null && c.fixed.has(b), fx = x !== null && c.fixed.has(x);
  let bv = b !== null ? c.r[b] : 0, xv = x !== null ? c.r[x] : 0, disp;
  if (any) {
    disp = randDisp();
  } else if (b !== null && b === x) {
    const k = 1 + s;
    if (fb) { disp = s32(ea - Math.imul(bv, k)); if (!fitDisp(disp)) return null; }
    else if (dk === 'd32') { bv = rng.u32(); disp = s32(ea - Math.imul(bv, k)); }
    else {
      disp = randDisp();
      let t = u32(ea - disp);
      if (k === 2) {
        if (t & 1) { if (dk === 'none') return null; disp += disp < 127 ? 1 : -1; t = u32(ea - disp); }
        bv = u32((t >>> 1) + (rng.chance(0.5) ? 0x80000000 : 0));
      } else {
        bv = u32(Math.imul(t, inverse32(k)));
      }
    }
    xv = bv;
  } else if (b !== null && !fb) {
    if (x !== null && !fx) xv = rng.value(32);
    disp = randDisp();
    bv = u32(ea - Math.imul(xv, s) - disp);
  } else if (x !== null && !fx) {
    disp = randDisp();
    let t = u32(ea - bv - disp);
    if (t % s) { if (dk === 'none') return null; disp += t % s; if (!fitDisp(disp)) return null; t = u32(ea - bv - disp); }
    xv = u32((t / s) + rng.int(s) * (0x100000000 / s));
  } else {
    disp = s32(ea - bv - Math.imul(xv, s));
    if (!fitDisp(disp)) return null;
  }
  if (!any && u32(bv + Math.imul(xv, s) + disp) !== ea) throw new Error('solve32: internal error');
  if (b !== null) { c.r[b] = u32(bv); c.fixed.add(b); }
  if (x !== null) { c.r[x] = u32(xv); c.fixed.add(x); }
  let expr;
  const d = s32(disp);
  if (kind === 'disp') expr = `dword ${hex(d)}`;
  else if (kind === 'index') expr = `dword nosplit ${R32[x]}*${s}+${hex(d)}`;
  else {
    expr = R32[b] + (x !== null ? `+${R32[x]}*${s}` : '');
    if (dk === 'd8') expr = `byte ${expr}${signedDisp(d)}`;
    else if (dk === 'd32') expr = `dword ${expr}+${hex(d)}`;
  }
  // NASM wants the override before the size/nosplit keywords.
  const text = `[${ovr ? ovr + ':' : ''}${expr}]`;
  return { text, seg, ea, addr: 32 };
}

/** Multiplicative inverse of an odd number mod 2^32 (Newton's iteration). */
function inverse32(k) {
  let x = k;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(k, x));
  return u32(x);
}

/** A register or, with probability `o.memChance` (½), a sized memory operand;
 *  `o` also goes to the memory solver. */
export function regOrMem(c, size, o = {}) {
  if (c.rng.chance(o.memChance ?? 0.5)) {
    const m = c.mem(size / 8, o);
    return { text: `${SIZE_KW[size]} ${m.text}`, mem: m };
  }
  return { text: c.pickReg(size, o.avoidReg ?? []), mem: null };
}

/** An immediate, biased to the edge values where flags change. */
export function imm(c, size) { return c.rng.value(size); }
