// case.mjs — one test case of the 386 differential-test generator while it
// is being built (tests/diff386/README.md, "The image").
//
// What it is: the case's initial state (random GPRs biased to edge values,
// segments inside the window, a stack with room either way, random
// arithmetic flags and DF), the register parts a generator reads or
// commits, the code lines and what is left undefined, and the per-case
// metadata record. A register a generator reads is "fixed": later operand
// solving must keep its value, since the code already depends on it.
//
// What it is not: it does not choose instructions (the theme-*.mjs
// generators do) nor solve memory operands (operands.mjs does; mem() only
// delegates), and it does not lay out the image (image.mjs).

import { memOperand } from './operands.mjs';
import { WIN_SEG, WINDOW_SIZE, PATTERN_SIZE } from './image.mjs';
import { ARITH, DF, R32, R16, R8, regPart, hex, u32 } from './x86.mjs';

/** The state and code of one case while it is being built. */
export class Case {
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
  get(name) { const p = regPart(name); this.fixed.add(p.idx); const m = p.bits === 32 ? 0xffffffff : (1 << p.bits) - 1; return ((this.r[p.idx] >>> p.shift) & m) >>> 0; }
  /** Set a register part, keeping the parent's other bits. */
  set(name, v) {
    const p = regPart(name);
    const m = p.bits === 32 ? 0xffffffff : ((1 << p.bits) - 1) << p.shift;
    this.r[p.idx] = u32((this.r[p.idx] & ~m) | ((v << p.shift) & m));
    this.fixed.add(p.idx);
  }
  isFixed(name) { return this.fixed.has(regPart(name).idx); }

  /** Bytes of the initial window (the pattern slice this case loads). */
  memRead(seg, ea, n) {
    let v = 0;
    for (let k = n - 1; k >= 0; k--) v = (v * 256) + this.pattern[this.patoff + this.segOff(seg) + ea + k];
    return v;
  }

  /** A memory operand inside the window (operands.mjs). */
  mem(size, o = {}) { return memOperand(this, size, o); }

  /** The metadata record. The initial state is not repeated here: it is in
   *  the image (blocks), which the test decodes for its messages. */
  meta(theme) {
    const m = { i: this.index, theme, text: this.text.join(' ; '), undefFlags: hex(this.undefFlags) };
    if (Object.keys(this.undefRegs).length) m.undefRegs = Object.fromEntries(Object.entries(this.undefRegs).map(([k, v]) => [k, hex(v)]));
    if (this.undefMem.length) m.undefMem = this.undefMem;
    return m;
  }
}

/** The path markers of a branching case: `path` = 1 if it fell through,
 *  2 if it reached the target, so a wrong branch shows even when the two
 *  paths leave the same registers. */
export function branchTail(c) {
  c.tail.push('mov byte [cs:path], 1', 'jmp capture', `${c.label}_t:`, 'mov byte [cs:path], 2');
}
