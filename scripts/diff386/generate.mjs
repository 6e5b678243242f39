#!/usr/bin/env node
// generate.mjs — the test-image generator of the 386 differential tests
// (tests/diff386/README.md).
//
// What it is: a deterministic function of (seed, case count, themes, mode)
// that writes the NASM source of a bootable floppy program plus per-case
// metadata. Each case loads a random but controlled register state, runs
// one instruction (or a short sequence: flag-setter + Jcc/SETcc, a loop, a
// push + RET), captures the state and writes it to the debug console port
// E9h. The same image runs under QEMU and under wasm86; record.mjs and
// tests/diff386.test.ts compare the two outputs.
//
// What it is not: it does not assemble, boot or compare anything, and it
// does not compute the expected results of the instructions — QEMU is the
// reference. It only knows enough about each instruction to keep it inside
// architecturally defined, exception-free territory: memory operands inside
// the dumped window, no divide overflow, no 16-bit SHLD/SHRD count > 16,
// 32-bit offsets with zero upper halves wherever the hardware would check
// them against the 64 KiB real-mode limit, and a mask of the flags (and the
// register or memory bytes) the SDM leaves undefined.
//
//   node scripts/diff386/generate.mjs --seed 1 --count 200 [--theme alu,bits]
//        [--mode 386|16] [--asm OUT.asm] [--meta OUT.json]
//
// Only Node built-ins; no Math.random (the PRNG below is seeded).

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FORMAT_VERSION = 1;
/** The memory window: linear address and size; every data access lands in it. */
export const WINDOW_LINEAR = 0x20000;
export const WINDOW_SIZE = 1024;
const WIN_SEG = WINDOW_LINEAR >> 4;
const PROG_SEG = 0x1000;
/** Bytes of the random pattern the window is reloaded from before each case. */
const PATTERN_SIZE = 2 * WINDOW_SIZE;
/** Block of initial state per case (see the `blocks:` layout below). */
const BLK = 52;

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
const ARITH = CF | PF | AF | ZF | SF | OF;
/** EFLAGS bits that differ by CPU generation or are reserved: bit 15 (1 on
 *  the 8086), AC (18), VIF/VIP (19, 20), ID (21) and everything above. The
 *  qemu32 CPU has AC and ID; a 386 has neither. Never compared. */
export const FLAGS_ALWAYS_MASKED = 0xfffc8000;

export const THEMES = ['alu', 'bits', 'muldiv', 'flow'];

const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const CCS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const SIZE_KW = { 8: 'byte', 16: 'word', 32: 'dword' };

// ------------------------------------------------------------------ PRNG

/** sfc32 seeded through splitmix32: small, fast, and the same everywhere. */
export class Rng {
  constructor(seed) {
    let s = seed >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix(); this.b = mix(); this.c = mix(); this.d = mix();
  }
  u32() {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }
  /** 0 … n-1 */
  int(n) { return Math.floor((this.u32() / 4294967296) * n); }
  range(lo, hi) { return lo + this.int(hi - lo + 1); }
  chance(p) { return this.u32() / 4294967296 < p; }
  pick(a) { return a[this.int(a.length)]; }
  /** A value of `bits` bits biased towards the edges where flags change. */
  value(bits) {
    const m = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    const r = this.int(10);
    if (r < 3) {
      const top = bits === 32 ? 0x80000000 : 1 << (bits - 1);
      return (this.pick([0, 1, 2, m, m - 1, top, top - 1, top + 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, this.int(16)]) & m) >>> 0;
    }
    if (r < 5) return (this.int(256) & m) >>> 0;
    return (bits === 32 ? this.u32() : this.u32() & m) >>> 0;
  }
}

const hex = (v, w = 8) => '0x' + (v >>> 0).toString(16).padStart(w, '0');
const s16 = (v) => ((v & 0xffff) ^ 0x8000) - 0x8000;
const s32 = (v) => v | 0;
const u32 = (v) => v >>> 0;
const signedDisp = (v) => (v < 0 ? `-0x${(-v).toString(16)}` : `+0x${v.toString(16)}`);

// ------------------------------------------------------------- one case

/** The state and code of one case while it is being built. */
class Case {
  constructor(rng, mode, index, pattern) {
    this.rng = rng; this.mode = mode; this.index = index; this.pattern = pattern;
    this.r = Array.from({ length: 8 }, () => rng.value(32));
    this.fixed = new Set();
    const segv = () => WIN_SEG + (rng.chance(0.5) ? rng.int(0x10) : rng.int(0x31));
    this.seg = { es: segv(), ss: segv(), ds: segv(), fs: mode === '386' ? segv() : 0, gs: mode === '386' ? segv() : 0 };
    this.eflags = 0x2 | (rng.u32() & (ARITH | DF));
    this.patoff = rng.int(PATTERN_SIZE - WINDOW_SIZE + 1);
    this.lines = [];     // the instruction(s) under test
    this.tail = [];      // path markers and branch targets (not "the instruction")
    this.text = [];
    this.undefFlags = 0;
    this.undefRegs = {};
    this.undefMem = [];  // window offsets [start, length] whose bytes are undefined
    // The stack lives in the window with room for PUSHAD/POPAD either way.
    const limit = WINDOW_SIZE - this.segOff('ss');
    let sp = rng.range(0x40, limit - 0x40);
    if (rng.chance(0.9)) sp &= ~1;
    this.r[4] = (rng.chance(0.5) ? rng.u32() & 0xffff0000 : 0) | sp;
    this.fixed.add(4);
    this.label = `c${index}`;
  }

  get is386() { return this.mode === '386'; }
  segOff(s) { return (this.seg[s] - WIN_SEG) * 16; }
  segs() { return this.is386 ? ['es', 'ss', 'ds', 'fs', 'gs'] : ['es', 'ss', 'ds']; }
  size(weights = [8, 16, 32, 32]) { const w = this.is386 ? weights : weights.filter((s) => s !== 32); return this.rng.pick(w); }
  emit(line, show = true) { this.lines.push(line); if (show) this.text.push(line); }
  undef(mask) { this.undefFlags |= mask; }

  /** Register operand name → { idx, shift, bits }. */
  static part(name) {
    let i = R32.indexOf(name); if (i >= 0) return { idx: i, shift: 0, bits: 32 };
    i = R16.indexOf(name); if (i >= 0) return { idx: i, shift: 0, bits: 16 };
    i = R8.indexOf(name); if (i >= 0) return { idx: i & 3, shift: i >= 4 ? 8 : 0, bits: 8 };
    throw new Error(`not a register: ${name}`);
  }
  regName(idx, bits) { return bits === 32 ? R32[idx] : bits === 16 ? R16[idx] : R8[idx]; }
  /** A register of `bits` bits whose parent is not in `avoid` (indices);
   *  SP/ESP only rarely, since a random value there moves the stack. */
  pickReg(bits, avoid = []) {
    for (;;) {
      const i = this.rng.int(8);
      const p = bits === 8 ? i & 3 : i;
      if (avoid.includes(p)) continue;
      if (bits !== 8 && i === 4 && !this.rng.chance(0.15)) continue;
      return this.regName(i, bits);
    }
  }
  /** Read a register part (fixing its parent: later constraints keep it). */
  get(name) { const p = Case.part(name); this.fixed.add(p.idx); const m = p.bits === 32 ? 0xffffffff : (1 << p.bits) - 1; return ((this.r[p.idx] >>> p.shift) & m) >>> 0; }
  /** Set a register part, keeping the parent's other bits. */
  set(name, v) {
    const p = Case.part(name);
    const m = p.bits === 32 ? 0xffffffff : ((1 << p.bits) - 1) << p.shift;
    this.r[p.idx] = u32((this.r[p.idx] & ~m) | ((v << p.shift) & m));
    this.fixed.add(p.idx);
  }
  isFixed(name) { return this.fixed.has(Case.part(name).idx); }

  /** Bytes of the initial window (the pattern slice this case loads). */
  memRead(seg, ea, n) {
    let v = 0;
    for (let k = n - 1; k >= 0; k--) v = (v * 256) + this.pattern[this.patoff + this.segOff(seg) + ea + k];
    return v;
  }

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
   * Returns { text (no size keyword), seg, ea, regs }.
   */
  mem(size, o = {}) {
    const rng = this.rng;
    const avoid = o.avoid ?? [];
    for (let attempt = 0; attempt < 500; attempt++) {
      const a = o.addr ?? (this.is386 ? rng.pick([16, 32, 32]) : 16);
      const ovr = o.noOverride || !rng.chance(0.35) ? null : rng.pick(this.segs());
      const r = a === 16 ? this.solve16(size, ovr, avoid, o) : this.solve32(size, ovr, avoid, o);
      if (r) return r;
    }
    throw new Error(`case ${this.index}: no memory operand satisfies the constraints`);
  }

  target(seg, size, o) {
    if (o.any) return null;
    const limit = WINDOW_SIZE - this.segOff(seg);
    const min = o.lo ?? 0, max = limit - size - (o.hi ?? 0);
    if (max < min) return undefined;
    return this.rng.range(min, max);
  }

  solve16(size, ovr, avoid, o) {
    const rng = this.rng;
    const forms = [['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si'], ['di'], ['bp'], ['bx'], []];
    const regs = rng.pick(forms);
    if (regs.some((n) => avoid.includes(Case.part(n).idx))) return null;
    let dk = regs.length === 0 ? 'd16' : rng.pick(['none', 'd8', 'd16']);
    if (regs.length === 1 && regs[0] === 'bp' && dk === 'none') dk = 'd8';
    const seg = ovr ?? (regs.includes('bp') ? 'ss' : 'ds');
    let ea = this.target(seg, size, o);
    if (ea === undefined) return null;
    if (ea === null) ea = rng.int(0x10000);
    const randDisp = () => (dk === 'none' ? 0 : dk === 'd8' ? rng.int(256) - 128 : rng.int(0x10000));
    const free = regs.filter((n) => !this.isFixed(n));
    let disp;
    if (o.any) {
      disp = randDisp();
    } else if (free.length > 0) {
      disp = randDisp();
      const solveFor = free[free.length - 1];
      let sum = disp;
      for (const n of regs) if (n !== solveFor) sum += this.isFixed(n) ? this.get(n) : (this.set(n, rng.value(16)), this.get(n));
      this.set(solveFor, (ea - sum) & 0xffff);
    } else {
      let sum = 0;
      for (const n of regs) sum += this.get(n);
      disp = (ea - sum) & 0xffff;
      if (dk === 'none' && disp !== 0) return null;
      if (dk === 'd8') { disp = s16(disp); if (disp < -128 || disp > 127) return null; }
    }
    for (const n of regs) this.get(n);
    let expr = regs.join('+');
    if (dk === 'd8') expr = `byte ${expr}${signedDisp(disp)}`;
    else if (dk === 'd16') expr = regs.length ? `word ${expr}+${hex(disp & 0xffff, 4)}` : hex(disp & 0xffff, 4);
    const text = `[${ovr ? ovr + ':' : ''}${expr}]`;
    return { text, seg, ea, addr: 16 };
  }

  solve32(size, ovr, avoid, o) {
    const rng = this.rng;
    const kind = rng.pick(['base', 'base', 'sib', 'sib', 'sib', 'index', 'disp']);
    let b = null, x = null, s = 1;
    if (kind === 'base' || kind === 'sib') b = rng.int(8);
    if (kind === 'sib' || kind === 'index') { do x = rng.int(8); while (x === 4); s = rng.pick([1, 2, 4, 8]); }
    if ((b !== null && avoid.includes(b)) || (x !== null && avoid.includes(x))) return null;
    let dk = kind === 'disp' || kind === 'index' ? 'd32' : rng.pick(['none', 'd8', 'd32']);
    if (b === 5 && dk === 'none') dk = 'd8'; // [ebp] has no mod-00 form
    const seg = ovr ?? (b === 4 || b === 5 ? 'ss' : 'ds');
    let ea = this.target(seg, size, o);
    if (ea === undefined) return null;
    const any = ea === null;
    if (any) ea = rng.chance(0.5) ? rng.int(0x10000) : rng.u32();
    const randDisp = () => (dk === 'none' ? 0 : dk === 'd8' ? rng.int(256) - 128 : rng.chance(0.5) ? rng.int(2000) - 1000 : s32(rng.u32()));
    const fitDisp = (d) => { d = s32(d); return dk === 'none' ? d === 0 : dk === 'd8' ? d >= -128 && d <= 127 : true; };
    const fb = b !== null && this.fixed.has(b), fx = x !== null && this.fixed.has(x);
    let bv = b !== null ? this.r[b] : 0, xv = x !== null ? this.r[x] : 0, disp;
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
    if (b !== null) { this.r[b] = u32(bv); this.fixed.add(b); }
    if (x !== null) { this.r[x] = u32(xv); this.fixed.add(x); }
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

  /** The metadata record. The initial state is not repeated here: it is in
   *  the image (blocks), which the test decodes for its messages. */
  meta(theme) {
    const m = { i: this.index, theme, text: this.text.join(' ; '), undefFlags: hex(this.undefFlags) };
    if (Object.keys(this.undefRegs).length) m.undefRegs = Object.fromEntries(Object.entries(this.undefRegs).map(([k, v]) => [k, hex(v)]));
    if (this.undefMem.length) m.undefMem = this.undefMem;
    return m;
  }
}

/** Multiplicative inverse of an odd number mod 2^32 (Newton's iteration). */
function inverse32(k) {
  let x = k;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(k, x));
  return u32(x);
}

// ----------------------------------------------------- operand helpers

function regOrMem(c, size, o = {}) {
  if (c.rng.chance(o.memChance ?? 0.5)) {
    const m = c.mem(size / 8, o);
    return { text: `${SIZE_KW[size]} ${m.text}`, mem: m };
  }
  return { text: c.pickReg(size, o.avoidReg ?? []), mem: null };
}

function imm(c, size) { return c.rng.value(size); }

/** An instruction that leaves flags as its result dictates, for SETcc/Jcc.
 *  It must not write a register that is already committed (an address
 *  register of the operand that follows, or ESP). */
function flagSetter(c) {
  const size = c.size([8, 16, 32]);
  const op = c.rng.pick(['cmp', 'sub', 'add', 'test', 'cmp', 'dec']);
  const a = c.pickReg(size, [...c.fixed]);
  if (op === 'dec') { c.emit(`dec ${a}`); return; }
  if (c.rng.chance(0.5)) {
    const b = c.pickReg(size);
    // Equal operands make ZF/CF corner cases common.
    if (c.rng.chance(0.3) && Case.part(a).bits === Case.part(b).bits && !c.isFixed(b)) c.set(b, c.get(a));
    c.emit(`${op} ${a}, ${b}`);
  } else {
    c.emit(`${op} ${a}, ${hex(imm(c, size), size / 4)}`);
  }
  if (op === 'test') c.undef(AF);
}

// ------------------------------------------------------------- themes
//
// Each generator fills a Case; returning false asks for a fresh attempt.

const ALU_OPS = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

function genAlu(c) {
  const op = c.rng.pick(ALU_OPS);
  const size = c.size();
  const kw = SIZE_KW[size];
  const form = c.rng.pick(size === 8 ? ['rr', 'rm', 'mr', 'ri', 'mi', 'ai'] : ['rr', 'rm', 'mr', 'ri', 'mi', 'ai', 'ri8', 'mi8']);
  const v = hex(imm(c, size), size / 4);
  const sx = signedDisp(c.rng.int(256) - 128).replace('+', '');
  const acc = c.regName(0, size);
  switch (form) {
    case 'rr': c.emit(`${op} ${c.pickReg(size)}, ${c.pickReg(size)}`); break;
    case 'rm': { const m = c.mem(size / 8); c.emit(`${op} ${c.pickReg(size)}, ${kw} ${m.text}`); break; }
    case 'mr': { const m = c.mem(size / 8); c.emit(`${op} ${kw} ${m.text}, ${c.pickReg(size)}`); break; }
    case 'ri': c.emit(`${op} ${c.pickReg(size)}, strict ${kw} ${v}`); break;
    case 'mi': { const m = c.mem(size / 8); c.emit(`${op} ${kw} ${m.text}, strict ${kw} ${v}`); break; }
    case 'ai': c.emit(`${op} ${acc}, strict ${kw} ${v}`); break;
    case 'ri8': c.emit(`${op} ${c.pickReg(size)}, byte ${sx}`); break;
    case 'mi8': { const m = c.mem(size / 8); c.emit(`${op} ${kw} ${m.text}, byte ${sx}`); break; }
  }
  if (op === 'and' || op === 'or' || op === 'xor') c.undef(AF);
}

function genTest(c) {
  const size = c.size();
  const kw = SIZE_KW[size];
  const v = hex(imm(c, size), size / 4);
  switch (c.rng.pick(['rr', 'mr', 'ri', 'mi', 'ai'])) {
    case 'rr': c.emit(`test ${c.pickReg(size)}, ${c.pickReg(size)}`); break;
    case 'mr': { const m = c.mem(size / 8); c.emit(`test ${kw} ${m.text}, ${c.pickReg(size)}`); break; }
    case 'ri': c.emit(`test ${c.pickReg(size)}, strict ${kw} ${v}`); break;
    case 'mi': { const m = c.mem(size / 8); c.emit(`test ${kw} ${m.text}, strict ${kw} ${v}`); break; }
    case 'ai': c.emit(`test ${c.regName(0, size)}, strict ${kw} ${v}`); break;
  }
  c.undef(AF);
}

function genUnary(c) {
  const op = c.rng.pick(['inc', 'dec', 'neg', 'not']);
  const size = c.size();
  c.emit(`${op} ${regOrMem(c, size).text}`);
}

/** Undefined flags of a shift/rotate by a masked count `n` of a `size`-bit operand. */
function shiftUndef(op, n, size) {
  if (n === 0) return 0; // flags unchanged: defined
  if (op === 'rol' || op === 'ror') return n === 1 ? 0 : OF;
  if (op === 'rcl' || op === 'rcr') return n === 1 ? 0 : OF;
  let m = AF;
  if (n > 1) m |= OF;
  if ((op === 'shl' || op === 'sal' || op === 'shr') && n >= size) m |= CF;
  return m;
}

function genShift(c) {
  const op = c.rng.pick(['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar']);
  const size = c.size();
  const form = c.rng.pick(['1', 'cl', 'imm', 'imm']);
  const dst = regOrMem(c, size);
  const interesting = () => c.rng.pick([0, 1, 2, size - 1, size, size + 1, 31, 32, 33, c.rng.int(32), c.rng.int(256)]);
  let count;
  if (form === '1') { count = 1; c.emit(`${op} ${dst.text}, 1`); }
  else if (form === 'cl') {
    if (!c.isFixed('cl')) c.set('cl', interesting() & 0xff);
    count = c.get('cl');
    c.emit(`${op} ${dst.text}, cl`);
  } else {
    count = interesting() & 0xff;
    c.emit(`${op} ${dst.text}, byte ${count}`);
  }
  // The destination may be CL itself (or built on ECX): the count is read first.
  c.undef(shiftUndef(op, count & 31, size));
}

function genShiftD(c) {
  if (!c.is386) return false;
  const op = c.rng.pick(['shld', 'shrd']);
  const size = c.rng.pick([16, 32]);
  const dst = regOrMem(c, size);
  const src = c.pickReg(size);
  const ok = (n) => size === 32 || (n & 31) <= 16; // 16-bit counts > 16 are undefined
  let count;
  if (c.rng.chance(0.5)) {
    do count = c.rng.pick([0, 1, 2, 15, 16, 17, 31, 32, c.rng.int(256)]); while (!ok(count));
    c.emit(`${op} ${dst.text}, ${src}, ${count}`);
  } else {
    if (!c.isFixed('cl')) { let v; do v = c.rng.pick([0, 1, 2, 15, 16, 31, 33, c.rng.int(256)]); while (!ok(v)); c.set('cl', v); }
    count = c.get('cl');
    if (!ok(count)) return false;
    c.emit(`${op} ${dst.text}, ${src}, cl`);
  }
  const n = count & 31;
  if (n > 0) c.undef(AF | (n > 1 ? OF : 0));
}

function genXchg(c) {
  const size = c.size();
  if (c.rng.chance(0.5)) c.emit(`xchg ${c.pickReg(size)}, ${c.pickReg(size)}`);
  else { const m = c.mem(size / 8); c.emit(c.rng.chance(0.5) ? `xchg ${SIZE_KW[size]} ${m.text}, ${c.pickReg(size)}` : `xchg ${c.pickReg(size)}, ${SIZE_KW[size]} ${m.text}`); }
}

function genMov(c) {
  const size = c.size();
  const kw = SIZE_KW[size];
  const v = hex(imm(c, size), size / 4);
  switch (c.rng.pick(['rr', 'rm', 'mr', 'ri', 'mi', 'moffs', 'sreg', 'sreg'])) {
    case 'rr': c.emit(`mov ${c.pickReg(size)}, ${c.pickReg(size)}`); break;
    case 'rm': { const m = c.mem(size / 8); c.emit(`mov ${c.pickReg(size)}, ${kw} ${m.text}`); break; }
    case 'mr': { const m = c.mem(size / 8); c.emit(`mov ${kw} ${m.text}, ${c.pickReg(size)}`); break; }
    case 'ri': c.emit(`mov ${c.pickReg(size)}, strict ${kw} ${v}`); break;
    case 'mi': { const m = c.mem(size / 8); c.emit(`mov ${kw} ${m.text}, strict ${kw} ${v}`); break; }
    case 'moffs': {
      // A0-A3: displacement-only with 16-bit (or, with 67h, 32-bit) offset.
      const a = c.is386 ? c.rng.pick([16, 32]) : 16;
      const ovr = c.rng.chance(0.4) ? c.rng.pick(c.segs()) : null;
      const seg = ovr ?? 'ds';
      const ea = c.rng.range(0, WINDOW_SIZE - c.segOff(seg) - size / 8);
      const m = `[${a === 32 ? 'dword ' : ''}${ovr ? ovr + ':' : ''}${a === 32 ? hex(ea) : hex(ea, 4)}]`;
      c.emit(c.rng.chance(0.5) ? `mov ${c.regName(0, size)}, ${m}` : `mov ${m}, ${c.regName(0, size)}`);
      break;
    }
    case 'sreg': {
      const sregs = c.is386 ? ['es', 'ds', 'fs', 'gs', 'ss'] : ['es', 'ds', 'ss'];
      const s = c.rng.pick(sregs);
      switch (c.rng.pick(['toS', 'toS', 'fromS', 'fromS', 'fromS32'])) {
        case 'toS':
          if (c.rng.chance(0.5)) c.emit(`mov ${s}, ${c.pickReg(16)}`);
          else { const m = c.mem(2); c.emit(`mov ${s}, word ${m.text}`); }
          break;
        case 'fromS': {
          const src = c.rng.pick([...sregs, 'cs']);
          if (c.rng.chance(0.5)) c.emit(`mov ${c.pickReg(16)}, ${src}`);
          else { const m = c.mem(2); c.emit(`mov word ${m.text}, ${src}`); }
          break;
        }
        case 'fromS32': {
          if (!c.is386) return false;
          // MOV r32, Sreg: the 386 leaves the upper half undefined (P6 and
          // QEMU zero it).
          const src = c.rng.pick([...sregs, 'cs']);
          const d = c.pickReg(32);
          c.emit(`mov ${d}, ${src}`);
          c.undefRegs[d] = 0xffff0000;
          break;
        }
      }
      break;
    }
  }
}

function genLea(c) {
  const size = c.size([16, 32]);
  const m = c.mem(1, { any: true });
  c.emit(`lea ${c.pickReg(size)}, ${m.text}`);
}

function genConvert(c) {
  c.emit(c.rng.pick(c.is386 ? ['cbw', 'cwd', 'cwde', 'cdq', 'cwde', 'cdq'] : ['cbw', 'cwd']));
}

function genBt(c) {
  if (!c.is386) return false;
  const op = c.rng.pick(['bt', 'bts', 'btr', 'btc']);
  const size = c.rng.pick([16, 32]);
  const kw = SIZE_KW[size];
  const bytes = size / 8;
  if (c.rng.chance(0.5)) {
    // Immediate bit offset: taken modulo the operand size.
    const dst = regOrMem(c, size);
    c.emit(`${op} ${dst.text}, byte ${c.rng.pick([0, 1, size - 1, size, c.rng.int(256)])}`);
  } else if (c.rng.chance(0.4)) {
    c.emit(`${op} ${c.pickReg(size)}, ${c.pickReg(size)}`);
  } else {
    // Register bit offset into memory: a signed bit string around the
    // operand; keep the addressed unit inside the window.
    const offReg = c.pickReg(size);
    const span = 64;
    const m = c.mem(bytes, { lo: span, hi: span, avoid: [Case.part(offReg).idx] });
    const units = c.rng.range(-span / bytes, span / bytes - 1);
    const off = units * size + c.rng.int(size);
    c.set(offReg, size === 16 ? off & 0xffff : u32(off));
    c.emit(`${op} ${kw} ${m.text}, ${offReg}`);
  }
  c.undef(OF | SF | AF | PF);
}

function genBsf(c) {
  if (!c.is386) return false;
  const op = c.rng.pick(['bsf', 'bsr']);
  const size = c.rng.pick([16, 32]);
  const dst = c.pickReg(size);
  let zero;
  if (c.rng.chance(0.5)) {
    const m = c.mem(size / 8);
    zero = c.memRead(m.seg, m.ea, size / 8) === 0;
    c.emit(`${op} ${dst}, ${SIZE_KW[size]} ${m.text}`);
  } else {
    const src = c.pickReg(size);
    if (!c.isFixed(src)) {
      const k = c.rng.int(6);
      const v = k === 0 ? 0 : k === 1 ? 1 << c.rng.int(size) : k === 2 ? c.rng.u32() >>> c.rng.int(size) : c.rng.value(size);
      c.set(src, size === 16 ? v & 0xffff : u32(v));
    }
    zero = c.get(src) === 0;
    c.emit(`${op} ${dst}, ${src}`);
  }
  // Source 0: ZF = 1 and the destination is undefined (Intel and QEMU keep it).
  if (zero) c.undefRegs[R32[Case.part(dst).idx]] = size === 16 ? 0xffff : 0xffffffff;
  c.undef(CF | OF | SF | AF | PF);
}

function genExtend(c) {
  if (!c.is386) return false;
  const op = c.rng.pick(['movsx', 'movzx']);
  const form = c.rng.pick(['16<8', '32<8', '32<16', '32<16', '16<16']);
  if (form === '16<16') {
    // 0F B7/BF without 66h: a 16-bit move through the extend opcode.
    const d = c.rng.int(8), s = c.rng.int(8);
    const bytes = [0x0f, op === 'movzx' ? 0xb7 : 0xbf, 0xc0 | (d << 3) | s];
    c.emit(`db ${bytes.map((b) => hex(b, 2)).join(', ')}`, false);
    c.text.push(`${op} ${R16[d]}, ${R16[s]} (0F ${op === 'movzx' ? 'B7' : 'BF'} /r, no 66h)`);
    return;
  }
  const [dsz, ssz] = form.split('<').map(Number);
  const src = c.rng.chance(0.5) ? `${SIZE_KW[ssz]} ${c.mem(ssz / 8).text}` : c.pickReg(ssz);
  c.emit(`${op} ${c.pickReg(dsz)}, ${src}`);
}

function genSetcc(c) {
  if (!c.is386) return false;
  // The operand first: its address registers are then off limits to the
  // flag-setting instruction that runs before it.
  const dst = c.rng.chance(0.4) ? `byte ${c.mem(1).text}` : c.pickReg(8);
  if (c.rng.chance(0.5)) flagSetter(c);
  c.emit(`set${c.rng.pick(CCS)} ${dst}`);
}

function branchTail(c) {
  c.tail.push('mov byte [cs:path], 1', 'jmp capture', `${c.label}_t:`, 'mov byte [cs:path], 2');
}

function genJcc(c) {
  if (c.rng.chance(0.5)) flagSetter(c);
  const cc = c.rng.pick(CCS);
  const form = c.is386 ? c.rng.pick(['short', 'near', 'o32']) : 'short';
  if (form === 'o32') {
    // NASM encodes "o32 jcc near" as 66h + rel16; spell out 66 0F 8x rel32.
    c.emit(`db 0x66, 0x0f, ${hex(0x80 + CCS.indexOf(cc), 2)}`, false);
    c.emit(`dd ${c.label}_t - ($ + 4)`, false);
    c.text.push(`o32 j${cc} near ${c.label}_t (66 0F ${(0x80 + CCS.indexOf(cc)).toString(16).toUpperCase()} rel32)`);
  } else {
    c.emit(`j${cc} ${form} ${c.label}_t`);
  }
  branchTail(c);
}

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

function genString(c) {
  const rng = c.rng;
  const op = rng.pick(['movs', 'cmps', 'scas', 'lods', 'stos']);
  const size = c.size([8, 16, 32]);
  const sz = size / 8;
  const a32 = c.is386 && rng.chance(0.5);
  const rep = op === 'cmps' || op === 'scas' ? rng.pick(['', 'repe', 'repne']) : rng.pick(['', 'rep']);
  const usesSrc = op === 'movs' || op === 'cmps' || op === 'lods';
  const usesDst = op !== 'lods';
  const ovr = usesSrc && rng.chance(0.4) ? rng.pick(c.segs()) : null;
  const k = rep ? rng.int(13) : 1;
  const down = (c.eflags & DF) !== 0;
  const place = (seg) => {
    const limit = WINDOW_SIZE - c.segOff(seg);
    const span = Math.max(k, 1) * sz;
    const lo = down ? span - sz : 0, hi = limit - (down ? sz : span);
    return rng.range(lo, hi);
  };
  const setPtr = (i, v) => { if (a32) c.set(R32[i], v); else c.set(R16[i], v); };
  if (usesSrc) setPtr(6, place(ovr ?? 'ds'));
  if (usesDst) setPtr(7, place('es'));
  if (rep) { if (a32) c.set('ecx', k); else c.set('cx', k); }
  if (op === 'scas' && rng.chance(0.5)) {
    // Make the scan stop somewhere inside the run.
    const di = a32 ? c.get('edi') : c.get('di');
    const j = rng.int(Math.max(k, 1));
    c.set(c.regName(0, size), c.memRead('es', di + (down ? -j : j) * sz, sz));
  }
  const suffix = { 8: 'b', 16: 'w', 32: 'd' }[size];
  c.emit([a32 ? 'a32' : '', rep, ovr ?? '', op + suffix].filter(Boolean).join(' '));
}

function genStack(c) {
  const rng = c.rng;
  const o32 = c.is386 && rng.chance(0.5);
  const w = o32 ? 32 : 16;
  const kw = SIZE_KW[w];
  const sregs = c.is386 ? ['es', 'ds', 'fs', 'gs', 'ss'] : ['es', 'ds', 'ss'];
  switch (rng.pick(['pushr', 'popr', 'pushi', 'pushm', 'popm', 'pushs', 'pops', 'pusha', 'popa', 'pushf', 'popf', 'lxs', 'lxs'])) {
    case 'pushr': c.emit(`push ${c.regName(rng.int(8), w)}`); break;
    case 'popr': c.emit(`pop ${c.regName(rng.int(8), w)}`); break;
    case 'pushi':
      if (rng.chance(0.5)) c.emit(`push ${kw} ${rng.int(256) - 128}`);
      else c.emit(`push strict ${kw} ${hex(rng.value(w), w / 4)}`);
      break;
    case 'pushm': { const m = c.mem(w / 8); c.emit(`push ${kw} ${m.text}`); break; }
    // POP [ESP-based]: the address uses ESP after the pop; keep ESP out of it.
    case 'popm': { const m = c.mem(w / 8, { avoid: [4] }); c.emit(`pop ${kw} ${m.text}`); break; }
    case 'pushs': {
      const s = rng.pick([...sregs, 'cs']);
      c.emit(`${o32 ? 'o32 ' : ''}push ${s}`);
      // A 32-bit push of a segment register writes the upper word on some
      // CPUs and not on others (SDM, PUSH).
      if (o32) c.undefMem.push([c.segOff('ss') + ((c.r[4] - 2) & 0xffff), 2]);
      break;
    }
    case 'pops': c.emit(`${o32 ? 'o32 ' : ''}pop ${rng.pick(sregs)}`); break;
    case 'pusha': c.emit(o32 ? 'pushad' : 'pusha'); break;
    case 'popa': c.emit(o32 ? 'popad' : 'popa'); break;
    case 'pushf': c.emit(o32 ? 'pushfd' : 'pushf'); break;
    case 'popf': {
      // What POPF(D) loads comes from a controlled push: TF and IF stay 0
      // so no trap or interrupt can follow; IOPL, NT and the high bits vary.
      let v = rng.u32() & ~0x300;
      if (!c.is386) v &= 0x0fff & ~0x300;
      if (!o32) v &= 0xffff;
      c.emit(`push strict ${kw} ${hex(v, w / 4)}`);
      c.emit(o32 ? 'popfd' : 'popf');
      break;
    }
    case 'lxs': {
      const op = rng.pick(c.is386 ? ['lss', 'lfs', 'lgs', 'lds', 'les'] : ['lds', 'les']);
      const m = c.mem(w / 8 + 2);
      c.emit(`${op} ${c.pickReg(w)}, ${m.text}`);
      break;
    }
  }
}

function genControl(c) {
  const rng = c.rng;
  const L = c.label;
  const o32 = c.is386 && rng.chance(0.5);
  const w = o32 ? 32 : 16;
  const kw = SIZE_KW[w];
  const kind = rng.pick(c.is386 ? ['call', 'calli', 'jmp', 'jmpi', 'ret', 'callret', 'loop', 'loop', 'loopbody', 'cpuid'] : ['call', 'calli', 'jmp', 'jmpi', 'ret', 'callret', 'loop', 'loop', 'loopbody']);
  switch (kind) {
    case 'call': c.emit(o32 ? `call dword ${L}_t` : `call ${L}_t`); branchTail(c); break;
    // "jmp dword" is 66 E9 rel32 ("o32 jmp near" would be 66 E9 rel16).
    case 'jmp': c.emit(o32 ? `jmp dword ${L}_t` : rng.pick([`jmp short ${L}_t`, `jmp near ${L}_t`])); branchTail(c); break;
    case 'calli':
    case 'jmpi': {
      const insn = kind === 'calli' ? 'call' : 'jmp';
      // A 32-bit target must have a zero upper half (the CS limit is FFFFh).
      if (rng.chance(0.5)) {
        const r = c.regName(rng.pick([0, 1, 2, 3, 5, 6, 7]), w);
        c.emit(`mov ${r}, ${L}_t`);
        c.emit(`${insn} ${r}`);
      } else {
        const m = c.mem(w / 8);
        c.emit(`mov ${kw} ${m.text}, ${L}_t`);
        c.emit(`${insn} ${kw} ${m.text}`);
      }
      branchTail(c);
      break;
    }
    case 'ret': {
      const n = rng.chance(0.5) ? rng.int(9) * 2 : null;
      c.emit(`push ${kw} ${L}_t`);
      c.emit(`${o32 ? 'o32 ' : ''}ret${n === null ? '' : ' ' + n}`);
      branchTail(c);
      break;
    }
    case 'callret':
      c.emit(o32 ? `call dword ${L}_f` : `call ${L}_f`);
      c.tail.push('mov byte [cs:path], 1', 'jmp capture', `${L}_f:`, o32 ? 'o32 ret' : 'ret');
      c.text.push(o32 ? 'o32 ret' : 'ret');
      break;
    case 'loop': {
      const op = rng.pick(['loop', 'loope', 'loopne', 'jcxz', 'jcxz']);
      const a32 = c.is386 && rng.chance(0.5);
      const cnt = a32 ? 'ecx' : 'cx';
      if (rng.chance(0.4)) c.set(cnt, rng.pick([0, 1, 2]));
      const mn = op === 'jcxz' && a32 ? 'jecxz' : op;
      c.emit(`${a32 && op !== 'jcxz' ? 'a32 ' : ''}${mn} ${L}_t`);
      branchTail(c);
      break;
    }
    case 'loopbody': {
      const a32 = c.is386 && rng.chance(0.5);
      const op = rng.pick(['loop', 'loope', 'loopne']);
      if (a32) c.set('ecx', rng.range(1, 10)); else c.set('cx', rng.range(1, 10));
      const size = c.size([8, 16, 32]);
      const acc = c.regName(0, size), other = c.regName(rng.pick([2, 3, 6, 7]), size);
      c.emit(`${L}_l:`, false);
      c.emit(rng.pick([`add ${acc}, ${other}`, `sub ${acc}, ${other}`, `inc ${other}`, `cmp ${acc}, ${other}`, `xor ${acc}, ${other}`]));
      c.emit(`${a32 ? 'a32 ' : ''}${op} ${L}_l`);
      if (c.lines[1].startsWith('xor')) c.undef(AF);
      break;
    }
    case 'cpuid':
      if (rng.chance(0.5)) {
        c.set('eax', rng.pick([0, 1, 0x80000000, rng.u32()]));
        c.emit('cpuid');
        for (const r of ['eax', 'ebx', 'ecx', 'edx']) c.undefRegs[r] = 0xffffffff;
      } else {
        c.emit('rdtsc');
        for (const r of ['eax', 'edx']) c.undefRegs[r] = 0xffffffff;
      }
      break;
  }
}

const THEME_GENS = {
  alu: [[genAlu, 6], [genTest, 1], [genUnary, 2], [genShift, 5], [genShiftD, 2], [genXchg, 1], [genMov, 3], [genLea, 2], [genConvert, 1]],
  bits: [[genBt, 4], [genBsf, 2], [genExtend, 2], [genSetcc, 3], [genJcc, 3]],
  muldiv: [[genMul, 1], [genDiv, 1]],
  flow: [[genString, 4], [genStack, 4], [genControl, 3]],
};

function pickGen(rng, themes) {
  const all = themes.flatMap((t) => THEME_GENS[t].map(([f, w]) => [t, f, w]));
  const total = all.reduce((s, [, , w]) => s + w, 0);
  let k = rng.int(total);
  for (const [t, f, w] of all) { if (k < w) return [t, f]; k -= w; }
  throw new Error('unreachable');
}

// ---------------------------------------------------------------- image

/**
 * Generate one image.
 * @param {{seed:number, count:number, themes?:string[], mode?:'386'|'16', name?:string}} opts
 * @returns {{asm:string, meta:object}}
 */
export function generate(opts) {
  const { seed, count } = opts;
  const themes = opts.themes ?? THEMES;
  const mode = opts.mode ?? '386';
  for (const t of themes) if (!THEME_GENS[t]) throw new Error(`unknown theme ${t} (expected ${THEMES.join(', ')})`);
  if (mode !== '386' && mode !== '16') throw new Error(`unknown mode ${mode} (expected 386 or 16)`);
  if (!(count >= 1 && count <= 600)) throw new Error('count must be 1 … 600');
  const rng = new Rng(seed);
  const pattern = Array.from({ length: PATTERN_SIZE }, () => rng.int(256));
  const cases = [];
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 1000) throw new Error(`case ${i}: no valid case after 1000 attempts`);
      const [theme, gen] = pickGen(rng, themes);
      const c = new Case(rng, mode, i, pattern);
      if (gen(c) === false) continue;
      if (c.lines.length === 0) continue;
      cases.push({ c, theme });
      break;
    }
  }
  const meta = {
    format: FORMAT_VERSION,
    name: opts.name ?? `seed${seed}`,
    seed, mode, themes,
    window: { linear: WINDOW_LINEAR, size: WINDOW_SIZE },
    flagsAlwaysMasked: hex(FLAGS_ALWAYS_MASKED),
    cases: cases.map(({ c, theme }) => c.meta(theme)),
  };
  return { asm: assemble(cases.map(({ c }) => c), mode, meta), meta };
}

function assemble(cases, mode, meta) {
  const is386 = mode === '386';
  const L = [];
  const out = (s) => L.push(s);
  out(`; Generated by scripts/diff386/generate.mjs: ${meta.name}, seed ${meta.seed}, mode ${mode},`);
  out(`; themes ${meta.themes.join(',')}, ${cases.length} cases. Do not edit; regenerate.`);
  out(`bits 16`);
  out(`NCASES equ ${cases.length}`);
  out(`WIN_SEG equ ${hex(WIN_SEG, 4)}`);
  out(`WIN_SIZE equ ${WINDOW_SIZE}`);
  out(`PROG_SEG equ ${hex(PROG_SEG, 4)}`);
  out(`STACK_TOP equ 0xfff0`);
  out(`BLK equ ${BLK}`);
  out(`NVEC equ 0x12`);
  out(`MODE_BYTE equ ${is386 ? 32 : 16}`);
  out(`diffs equ 0xe000          ; (offset, byte) triples, beyond the program`);
  // The harness proper is 8086/286 code (NASM enforces it), so a model
  // without the 386 additions still runs it and reports what it lacks.
  out(`cpu 286`);
  out(BOOT);
  out(PROG_COMMON);
  out(is386 ? 'cpu 386' : 'cpu 286');
  out(is386 ? PROG_HEAD_386 : PROG_HEAD_16);
  out(is386 ? 'cpu all' : 'cpu 286');
  out(`; ---------------------------------------------------------------- cases`);
  for (const c of cases) {
    out(`t_${c.index}:`);
    for (const l of c.lines) out(l.endsWith(':') ? l : `    ${l}`);
    out(`tx_${c.index}:`);
    for (const l of c.tail) out(l.endsWith(':') ? l : `    ${l}`);
    out(`    jmp capture`);
  }
  out(`; ------------------------------------------------- initial state per case`);
  out(`; eax ecx edx ebx esp ebp esi edi (dd), es ss ds fs gs (dw), eflags (dd),`);
  out(`; pattern offset (dw), entry (dw), spare (dw)`);
  out(`align 4`);
  out(`blocks:`);
  for (const c of cases) {
    out(`    dd ${c.r.map((v) => hex(v)).join(', ')}`);
    out(`    dw ${['es', 'ss', 'ds', 'fs', 'gs'].map((s) => hex(c.seg[s], 4)).join(', ')}`);
    out(`    dd ${hex(c.eflags)}`);
    out(`    dw ${c.patoff}, t_${c.index}, 0`);
  }
  out(`pattern:`);
  for (let i = 0; i < PATTERN_SIZE; i += 32) out(`    db ${cases[0].pattern.slice(i, i + 32).map((b) => hex(b, 2)).join(',')}`);
  out(`prog_end:`);
  out(`PROG_SECTORS equ (prog_end - prog_start + 511) / 512`);
  out(`; Fails to assemble ("TIMES value is negative") if the program would`);
  out(`; overlap the diff buffer at E000h.`);
  out(`times -((prog_end - prog_start) > diffs) db 0`);
  return L.join('\n') + '\n';
}

// The boot sector: load the program (LBA 1 …) to PROG_SEG:0 one sector at
// a time — a single-sector read never crosses a track or a 64 KiB DMA
// boundary, so it works the same on SeaBIOS and on wasm86's BIOS.
const BOOT = `
section boot start=0 vstart=0x7c00
boot:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7c00
    cld
    mov [boot_drive], dl
    sti
    mov ax, PROG_SEG
    mov es, ax
    mov word [lba], 1
    mov word [left], PROG_SECTORS
.next:
    mov ax, [lba]
    xor dx, dx
    mov bx, 18
    div bx                  ; ax = track index, dx = sector - 1
    mov cl, dl
    inc cl
    xor dx, dx
    mov bx, 2
    div bx                  ; ax = cylinder, dx = head
    mov ch, al
    mov dh, dl
    mov dl, [boot_drive]
    mov byte [tries], 4
.retry:
    xor bx, bx
    mov ax, 0x0201
    push cx
    push dx
    int 0x13
    pop dx
    pop cx
    jnc .ok
    xor ax, ax
    int 0x13
    dec byte [tries]
    jnz .retry
    mov al, 'L'             ; load failure: say so and exit with status 5
    out 0xe9, al
    mov dx, 0x501
    mov al, 2
    out dx, al
    cli
    hlt
.ok:
    mov ax, es
    add ax, 0x20
    mov es, ax
    inc word [lba]
    dec word [left]
    jnz .next
    cli
    jmp PROG_SEG:entry
boot_drive: db 0
tries: db 0
lba: dw 0
left: dw 0
    times 510-($-$$) db 0
    dw 0xaa55

section prog start=512 vstart=0
prog_start:
`;

// The 386 driver: load the case's state and capture it with 32-bit moves.
// Between POPFD and the jump to the case only MOVs run (no flag changes);
// the capture saves every register with CS-override MOVs before it touches
// anything, and reads EFLAGS with PUSHFD on its own stack.
const PROG_HEAD_386 = `
load_state:
    push dword [bx+42]
    popfd
    mov es, [bx+32]
    mov fs, [bx+38]
    mov gs, [bx+40]
    mov ss, [bx+34]
    mov esp, [bx+16]
    mov eax, [bx+0]
    mov ecx, [bx+4]
    mov edx, [bx+8]
    mov ebp, [bx+20]
    mov esi, [bx+24]
    mov edi, [bx+28]
    mov word [fault_go], capture
    mov ds, [bx+36]
    mov ebx, [cs:bx+12]
    jmp word [cs:go]

capture:
    mov [cs:sv_eax], eax
    mov [cs:sv_ecx], ecx
    mov [cs:sv_edx], edx
    mov [cs:sv_ebx], ebx
    mov [cs:sv_esp], esp
    mov [cs:sv_ebp], ebp
    mov [cs:sv_esi], esi
    mov [cs:sv_edi], edi
    mov [cs:sv_es], es
    mov [cs:sv_cs], cs
    mov [cs:sv_ss], ss
    mov [cs:sv_ds], ds
    mov [cs:sv_fs], fs
    mov [cs:sv_gs], gs
    mov word [cs:fault_go], harness_fault
    mov ax, cs
    mov ss, ax
    mov sp, STACK_TOP
    pushfd
    pop eax
    mov [cs:sv_efl], eax
    jmp report
`;

// The 16-bit driver (validation images for any CPU model): the same record
// layout, with the upper halves, FS and GS left zero.
const PROG_HEAD_16 = `
load_state:
    push word [bx+42]
    popf
    mov es, [bx+32]
    mov ss, [bx+34]
    mov sp, [bx+16]
    mov ax, [bx+0]
    mov cx, [bx+4]
    mov dx, [bx+8]
    mov bp, [bx+20]
    mov si, [bx+24]
    mov di, [bx+28]
    mov word [fault_go], capture
    mov ds, [bx+36]
    mov bx, [cs:bx+12]
    jmp word [cs:go]

capture:
    mov [cs:sv_eax], ax
    mov [cs:sv_ecx], cx
    mov [cs:sv_edx], dx
    mov [cs:sv_ebx], bx
    mov [cs:sv_esp], sp
    mov [cs:sv_ebp], bp
    mov [cs:sv_esi], si
    mov [cs:sv_edi], di
    mov [cs:sv_es], es
    mov [cs:sv_cs], cs
    mov [cs:sv_ss], ss
    mov [cs:sv_ds], ds
    mov word [cs:fault_go], harness_fault
    mov ax, cs
    mov ss, ax
    mov sp, STACK_TOP
    pushf
    pop ax
    mov [cs:sv_efl], ax
    jmp report
`;

// Everything else is 8086 code, so a CPU model that lacks some 386
// instruction still reports which one rather than dying silently.
const PROG_COMMON = `
entry:
    cli
    mov ax, cs
    mov ds, ax
    mov ss, ax
    mov sp, STACK_TOP
    cld
    ; Exceptions 00h-11h go to stubs that record the vector: a case that
    ; faults is reported as such (the IRQ vectors among them are unused,
    ; interrupts stay disabled).
    xor ax, ax
    mov es, ax
    xor di, di
    mov si, vec_stubs
    mov cx, NVEC
.vec:
    mov ax, si
    stosw
    mov ax, cs
    stosw
    add si, vec_stub_len
    loop .vec
    mov si, hdr
    mov cx, hdr_len
    call emit

next_case:
    mov ax, [case_idx]
    cmp ax, NCASES
    jb .run
    jmp all_done
.run:
    mov bx, BLK
    mul bx
    add ax, blocks
    mov bx, ax
    mov byte [fault], 0xff
    mov byte [path], 0xee
    mov word [fault_ip], 0
    mov ax, [bx+46]
    mov [cur_pat], ax
    mov ax, WIN_SEG
    mov es, ax
    xor di, di
    mov si, pattern
    add si, [cur_pat]
    mov cx, WIN_SIZE / 2
    rep movsw
    mov ax, [bx+48]
    mov [go], ax
    jmp load_state

report:
    mov ax, cs
    mov ds, ax
    cld
    cmp byte [fault], 0xff
    je .nofault
    mov es, [sv_ss]         ; the exception frame: IP, CS, FLAGS
    mov bx, [sv_esp]
    mov ax, [es:bx]
    mov [fault_ip], ax
.nofault:
    mov ax, [case_idx]
    mov [rec_case], ax
    mov si, rec
    mov cx, rec_len
    call emit
    ; The window as (offset, byte) pairs where it differs from the pattern.
    mov ax, WIN_SEG
    mov es, ax
    xor di, di
    mov si, pattern
    add si, [cur_pat]
    mov cx, WIN_SIZE
    mov bp, diffs
.scan:
    jcxz .scanned
    repe cmpsb
    je .scanned
    lea ax, [di-1]
    mov [ds:bp], ax
    mov al, [es:di-1]
    mov [ds:bp+2], al
    add bp, 3
    jmp .scan
.scanned:
    mov ax, bp
    sub ax, diffs
    xor dx, dx
    mov cx, 3
    div cx
    mov [ndiff], ax
    mov si, ndiff
    mov cx, 2
    call emit
    mov si, diffs
    mov cx, bp
    sub cx, diffs
    call emit
    inc word [case_idx]
    jmp next_case

all_done:
    mov si, trailer
    mov cx, 3
    call emit
    mov dx, 0x501           ; isa-debug-exit: QEMU exits with status 1
    mov al, 0
    out dx, al
    cli
    hlt
    jmp $

; A fault in the harness itself (setup or capture): nothing after it can be
; trusted. Report the vector, where, and which case, then exit (status 7).
harness_fault:
    mov ax, cs
    mov ds, ax
    mov bp, sp
    mov ax, [ss:bp]
    mov [hf_ip], ax
    mov ax, [ss:bp+2]
    mov [hf_cs], ax
    mov ax, [fault]
    mov [hf_vec], al
    mov ax, [case_idx]
    mov [hf_case], ax
    mov ax, cs
    mov ss, ax
    mov sp, STACK_TOP
    mov si, hf
    mov cx, hf_len
    call emit
    mov dx, 0x501
    mov al, 3
    out dx, al
    cli
    hlt
    jmp $

emit:                       ; CX bytes from DS:SI to port E9h
    jcxz .done
.b: lodsb
    out 0xe9, al
    loop .b
.done:
    ret

vec_stubs:
%assign v 0
%rep NVEC
    mov byte [cs:fault], v
    jmp word [cs:fault_go]
%assign v v+1
%endrep
vec_stub_len equ (($ - vec_stubs) / NVEC)

hdr: db 'W86D', 1, MODE_BYTE
    dw NCASES
hdr_len equ $ - hdr
trailer: db 'E'
case_idx: dw 0
go: dw 0
fault_go: dw harness_fault
cur_pat: dw 0
ndiff: dw 0
hf: db 'F'
hf_vec: db 0
hf_ip: dw 0
hf_cs: dw 0
hf_case: dw 0
hf_len equ $ - hf
align 4
rec: db 'C'
rec_case: dw 0
fault: db 0xff
path: db 0xee
fault_ip: dw 0
sv_eax: dd 0
sv_ecx: dd 0
sv_edx: dd 0
sv_ebx: dd 0
sv_esp: dd 0
sv_ebp: dd 0
sv_esi: dd 0
sv_edi: dd 0
sv_es: dw 0
sv_cs: dw 0
sv_ss: dw 0
sv_ds: dw 0
sv_fs: dw 0
sv_gs: dw 0
sv_efl: dd 0
rec_len equ $ - rec
`;

// ------------------------------------------------------------------ CLI

function main(argv) {
  const args = { seed: 1, count: 200, themes: THEMES, mode: '386', asm: null, meta: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === '--seed') { args.seed = Number(v); i++; }
    else if (a === '--count') { args.count = Number(v); i++; }
    else if (a === '--theme') { args.themes = v.split(','); i++; }
    else if (a === '--mode') { args.mode = v; i++; }
    else if (a === '--asm') { args.asm = v; i++; }
    else if (a === '--meta') { args.meta = v; i++; }
    else { console.error(`usage: node scripts/diff386/generate.mjs [--seed N] [--count N] [--theme ${THEMES.join(',')}] [--mode 386|16] [--asm OUT.asm] [--meta OUT.json]  (unknown argument: ${a})`); process.exit(2); }
  }
  const { asm, meta } = generate(args);
  if (args.asm) fs.writeFileSync(args.asm, asm); else process.stdout.write(asm);
  if (args.meta) fs.writeFileSync(args.meta, JSON.stringify(meta, null, 1) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
