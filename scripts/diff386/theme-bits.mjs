// theme-bits.mjs — the "bits" theme of the 386 differential-test generator
// (tests/diff386/README.md): BT/BTS/BTR/BTC, BSF/BSR, MOVSX/MOVZX, SETcc and
// Jcc (rel8/rel16/rel32), the last two after an optional flag setter.
//
// What it is: one generator per instruction family. Each fills a Case and
// masks what the SDM leaves undefined; all but Jcc are 386 additions and
// return false (ask for a fresh attempt) in a 16-bit image, where Jcc is
// rel8 only.
//
// What it is not: no expected results (QEMU is the reference), and no
// memory-operand solving (operands.mjs).

import { branchTail } from './case.mjs';
import { regOrMem, imm } from './operands.mjs';
import { CF, PF, AF, SF, OF, R16, R32, CCS, SIZE_KW, regPart, hex, u32 } from './x86.mjs';

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
    if (c.rng.chance(0.3) && regPart(a).bits === regPart(b).bits && !c.isFixed(b)) c.set(b, c.get(a));
    c.emit(`${op} ${a}, ${b}`);
  } else {
    c.emit(`${op} ${a}, ${hex(imm(c, size), size / 4)}`);
  }
  if (op === 'test') c.undef(AF);
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
    const m = c.mem(bytes, { lo: span, hi: span, avoid: [regPart(offReg).idx] });
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
  if (zero) c.undefRegs[R32[regPart(dst).idx]] = size === 16 ? 0xffff : 0xffffffff;
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

/** The theme's generators with their relative weights (the order is part
 *  of the seed → image mapping: changing it changes every image). */
export const BITS_GENS = [[genBt, 4], [genBsf, 2], [genExtend, 2], [genSetcc, 3], [genJcc, 3]];
