// theme-alu.mjs — the "alu" theme of the 386 differential-test generator
// (tests/diff386/README.md): ALU ops, TEST, INC/DEC/NEG/NOT, shifts and
// rotates, SHLD/SHRD, XCHG, MOV (incl. moffs and Sreg), LEA, CBW/CWDE/CWD/CDQ.
//
// What it is: one generator per instruction family. Each fills a Case with
// the instruction and masks what the SDM leaves undefined for it; returning
// false asks for a fresh attempt (e.g. a 386-only family in a 16-bit image).
//
// What it is not: no expected results (QEMU is the reference), and no
// memory-operand solving (operands.mjs).

import { regOrMem, imm } from './operands.mjs';
import { WINDOW_SIZE } from './image.mjs';
import { CF, AF, OF, SIZE_KW, hex, signedDisp } from './x86.mjs';

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

/** The theme's generators with their relative weights (the order is part
 *  of the seed → image mapping: changing it changes every image). */
export const ALU_GENS = [[genAlu, 6], [genTest, 1], [genUnary, 2], [genShift, 5], [genShiftD, 2], [genXchg, 1], [genMov, 3], [genLea, 2], [genConvert, 1]];
