/**
 * smc.ts — self-modifying code: CS:-override stores (byte and word, an
 * immediate or a register that changes every pass, MOV and ALU forms, and
 * REP STOSB) into
 *   - the instruction right after the store,
 *   - a later instruction of the same block,
 *   - a later block of the same loop (past a Jcc or JMP),
 *   - an earlier instruction of the loop (seen on the next pass),
 * patching immediates (any value is valid) or opcodes (swapping between
 * encodings of the same length and shape: ADD/OR/ADC/SBB/AND/SUB/XOR/CMP
 * reg,reg; INC/DEC reg; Jcc conditions). Not a test file.
 */
import type { Label } from "./asm.js";
import { type Ctx, type Entry, alu, producer, consumer, modrmRR, imm } from "./gen.js";

/** A patchable instruction: where its patched byte(s) are, and what may go there. */
interface Target { label: Label; offset: number; width: 1 | 2; values: number[] | null }

/** Emit an instruction that can be patched; returns the patch target. */
function patchable(c: Ctx): Target {
  const l = c.label("patch");
  c.sec.bind(l);
  switch (c.int(5)) {
    case 0: c.insn(0xb0 + c.w(8), c.byte()); return { label: l, offset: 1, width: 1, values: null };              // mov r8,imm8
    case 1: c.insn(0xb8 + c.w(16), ...imm(16, c.word())); return { label: l, offset: 1, width: c.chance(0.5) ? 2 : 1, values: null }; // mov r16,imm16
    case 2: c.insn(0x83, modrmRR(c.int(8), c.w(16)), c.byte()); return { label: l, offset: 2, width: 1, values: null }; // alu r16,imm8
    case 3: {                                                                                                   // alu r,r: patch the opcode
      const w = c.int(2);
      c.insn(c.int(8) * 8 + w, modrmRR(c.any(), c.w(w ? 16 : 8)));
      return { label: l, offset: 0, width: 1, values: [0, 1, 2, 3, 4, 5, 6, 7].map((n) => n * 8 + w) };
    }
    default: {                                                                                                  // inc/dec r16
      const r = c.w(16);
      c.insn(0x40 + r);
      return { label: l, offset: 0, width: 1, values: [0x40 + r, 0x48 + r] };
    }
  }
}

/** The store to `t`, emitted now (the label may be ahead: a fixup). */
function store(c: Ctx, t: Target): void {
  const sec = c.sec;
  if (t.values) {
    // An opcode: only listed values keep the instruction valid.
    c.insn(0x2e, 0xc6, 0x06, 0, 0, c.pick(t.values));                     // mov byte cs:[t],v
    sec.abs16(sec.length - 3, t.label, t.offset);
    return;
  }
  const w = t.width === 2 ? 1 : 0;
  switch (c.int(4)) {
    case 0:                                                               // mov cs:[t],imm
      c.insn(0x2e, 0xc6 + w, 0x06, 0, 0, ...imm(w ? 16 : 8, c.word()));
      sec.abs16(sec.length - 2 - (w ? 2 : 1) + 0, t.label, t.offset);
      break;
    case 1:                                                               // mov cs:[t],r (CL: the loop count)
      c.insn(0x2e, 0x88 + w, 0x06 | (c.pick(w ? [0, 1, 2, 3] : [0, 1, 2, 4, 5]) << 3), 0, 0);
      sec.abs16(sec.length - 2, t.label, t.offset);
      break;
    case 2:                                                               // add/xor/inc cs:[t]
      if (c.chance(0.5)) { c.insn(0x2e, w ? 0x83 : 0x80, 0x06 | (c.pick([0, 1, 5, 6]) << 3), 0, 0, c.byte()); sec.abs16(sec.length - 3, t.label, t.offset); }
      else { c.insn(0x2e, 0xfe + w, 0x06, 0, 0); sec.abs16(sec.length - 2, t.label, t.offset); }
      break;
    default: {                                                            // mov bx,t / mov cs:[bx],al
      c.insn(0xbb, 0, 0);
      sec.abs16(sec.length - 2, t.label, t.offset);
      c.insn(0x2e, 0x88 + w, 0x07);
    }
  }
}

/** Store into the very next instruction. */
function next(c: Ctx): void {
  // The target's length is not known before it is emitted: emit the store
  // with a fixup to the label, then the target.
  const l = c.label("patch");
  const sec = c.sec;
  // Decide the target shape first so the store knows the width/values.
  const kind = c.int(3);
  const r8 = c.w(8), r16 = c.w(16);
  const t: Target = kind === 0 ? { label: l, offset: 1, width: 1, values: null }
    : kind === 1 ? { label: l, offset: 1, width: 2, values: null }
      : { label: l, offset: 0, width: 1, values: [0x40 + r16, 0x48 + r16] };
  store(c, t);
  sec.bind(l);
  if (kind === 0) c.insn(0xb0 + r8, c.byte());
  else if (kind === 1) c.insn(0xb8 + r16, ...imm(16, c.word()));
  else c.insn(0x40 + r16);
  if (c.chance(0.5)) consumer(c);
}

/** Store into a later instruction of the same block. */
function sameBlock(c: Ctx): void {
  const t = ahead(c);
  store(c, t.target);
  alu(c);
  t.emit();
}

/** Store into a later block: past a Jcc (either way) or a JMP. */
function laterBlock(c: Ctx): void {
  const t = ahead(c);
  store(c, t.target);
  producer(c);
  const l = c.label("blk");
  if (c.chance(0.5)) { c.sec.rel8([0x70 | c.int(16)], l); alu(c); } else c.sec.rel8([0xeb], l);
  c.sec.bind(l);
  t.emit();
}

/** A target whose bytes are emitted later (its shape fixed now). */
function ahead(c: Ctx): { target: Target; emit: () => void } {
  const l = c.label("patch");
  const kind = c.int(3), r8 = c.w(8), r16 = c.w(16), op = c.int(8), imm16 = c.word();
  const target: Target = kind === 0 ? { label: l, offset: 1, width: 1, values: null }
    : kind === 1 ? { label: l, offset: 2, width: 1, values: null }
      : { label: l, offset: 0, width: 1, values: [0, 1, 2, 3, 4, 5, 6, 7].map((n) => n * 8 + 1) };
  return {
    target,
    emit: () => {
      c.sec.bind(l);
      if (kind === 0) c.insn(0xb0 + r8, imm16 & 0xff);
      else if (kind === 1) c.insn(0x83, modrmRR(op, r16), imm16 >> 8);
      else c.insn(op * 8 + 1, modrmRR(c.any(), r16));
    },
  };
}

/** Store into an instruction emitted earlier in the loop (the next pass
 *  runs the new bytes), or into a Jcc's condition. */
function earlier(c: Ctx): void {
  const t = patchable(c);
  alu(c);
  store(c, t);
}

/** A Jcc whose condition a store rewrites (70–7F stay Jcc rel8). */
function jccPatch(c: Ctx): void {
  producer(c);
  const l = c.label("jcc"), over = c.label("over");
  c.sec.bind(l);
  c.sec.rel8([0x70 | c.int(16)], over);
  c.insn(0xb0 + c.w(8), c.byte());
  c.sec.bind(over);
  c.insn(0x2e, 0xc6, 0x06, 0, 0, 0x70 | c.int(16));                       // mov byte cs:[l],7xh
  c.sec.abs16(c.sec.length - 3, l, 0);
}

/** REP STOSB over immediates: ES = CS for the store, then ES back. */
function stosIntoCode(c: Ctx): void {
  const t = ahead(c);
  c.insn(0x51); c.insn(0x57); c.insn(0x06);                               // push cx / push di / push es
  c.insn(0x0e); c.insn(0x07);                                             // push cs / pop es
  c.insn(0xbf, 0, 0);                                                     // mov di,t
  c.sec.abs16(c.sec.length - 2, t.target.label, t.target.offset);
  c.insn(0xb9, 1, 0);                                                     // mov cx,1
  c.insn(0xfc);
  if (t.target.values) c.insn(0xb0, c.pick(t.target.values));             // mov al,v
  c.insn(0xf3, 0xaa);                                                     // rep stosb
  c.insn(0x07); c.insn(0x5f); c.insn(0x59);                               // pop es / pop di / pop cx
  t.emit();
}

export const SMC_MIX: readonly Entry[] = [
  { name: "smcNext", w: 3, f: next },
  { name: "smcSameBlock", w: 3, f: sameBlock },
  { name: "smcLaterBlock", w: 3, f: laterBlock },
  { name: "smcEarlier", w: 2, f: earlier },
  { name: "smcJcc", w: 1, f: jccPatch },
  { name: "smcStos", w: 1, f: stosIntoCode },
  { name: "alu", w: 2, f: (c) => alu(c) },
  { name: "consumer", w: 1, f: consumer },
];
