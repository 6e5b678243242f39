/**
 * ops386.ts — the 386 forms: 66h-prefixed ALU/MOV/INC/DEC/PUSH/POP on
 * 32-bit registers and memory, 67h addressing with SIB (registers masked
 * first so offsets stay under 10000h), MOVZX/MOVSX, SETcc, BT*, SHLD/SHRD,
 * BSF/BSR, IMUL r,r/m, CWDE/CDQ, Jcc rel16, and the 8-bit high registers
 * (AH..BH) as sources and destinations on every model. Not a test file.
 */
import { type Ctx, type Entry, alu, shift, incdec, negnot, mov, pushpop, consumer, producer, modrmRR, imm } from "./gen.js";

/** 8-bit operations where AH, DH, BH (and CH, CL as sources) appear. */
function highRegs(c: Ctx): void {
  const hi = [4, 6, 7], lo = [0, 2, 3];
  const d = c.chance(0.6) ? c.pick(hi) : c.pick(lo), s = c.chance(0.6) ? c.pick([4, 5, 6, 7]) : c.pick([0, 1, 2, 3]);
  switch (c.int(7)) {
    case 0: c.insn(0x88, modrmRR(s, d)); break;                                   // mov d,s
    case 1: c.insn(c.int(8) * 8 + 2, modrmRR(d, s)); break;                       // alu d,s
    case 2: c.insn(0xb0 + d, c.byte()); break;                                    // mov d,imm8
    case 3: c.insn(0xfe, modrmRR(c.int(2), d)); break;                            // inc/dec d
    case 4: {
      const write = c.chance(0.5), m = c.mem(write);
      c.insn(...m.pfx, c.pick(write ? [0x88, 0x00, 0x28, 0x30] : [0x8a, 0x02, 0x2a, 0x38]), ...m.enc(write ? s : d));
      break;
    }
    case 5: c.insn(0x86, modrmRR(d, c.pick([...hi, ...lo]))); break;              // xchg d,r8
    default: c.insn(c.pick([0xd0, 0xd2]), modrmRR(c.pick([0, 1, 4, 5, 7]), d)); break; // shift d,1/CL
  }
}

/** 32-bit ALU / MOV / INC / DEC / shifts / NEG / NOT. */
function ops32(c: Ctx): void {
  switch (c.int(6)) {
    case 0: case 1: alu(c, c.int(8), 32); break;
    case 2: mov(c, 32); break;
    case 3: incdec(c, 32); break;
    case 4: shift(c, 32); break;
    default: negnot(c, 32);
  }
}

/** 32-bit PUSH/POP (the 16-bit stack moves by 4). */
function push32(c: Ctx): void {
  const n = c.range(1, 3), regs: number[] = [];
  for (let i = 0; i < n; i++) { const r = c.any(); regs.push(r); c.insn(0x66, 0x50 + r); }
  if (c.chance(0.5)) ops32(c);
  for (let i = 0; i < n; i++) {
    if (c.chance(0.2)) { c.insn(0x58 + c.w(16)); c.insn(0x58 + c.w(16)); }   // pop as two words
    else c.insn(0x66, 0x58 + c.w(32));
  }
}

/** 32-bit addressing with SIB (67h; the masking ANDs come first). */
function sib(c: Ctx): void {
  const size = c.size(0.5), w = size === 8 ? 0 : 1, p = c.osz(size);
  const form = c.int(5), m = c.mem(form === 1, { a32: true });
  switch (form) {
    case 0: c.insn(...m.pfx, ...p, 0x8a + w, ...m.enc(c.w(size))); break;                                  // mov r,[sib]
    case 1: c.insn(...m.pfx, ...p, 0x88 + w, ...m.enc(c.any())); break;                                    // mov [sib],r
    case 2: c.insn(...m.pfx, ...p, c.int(8) * 8 + 2 + w, ...m.enc(c.w(size))); break;                       // alu r,[sib]
    case 3: c.insn(...m.pfx, ...(size === 32 ? p : []), 0x8d, ...m.enc(c.w(16))); break;                   // lea r,[sib]
    default: c.insn(...m.pfx, 0x66, 0x0f, c.pick([0xb6, 0xbe]), ...m.enc(c.w(32)));                      // movzx/movsx r32,byte [sib]
  }
}

/** MOVZX/MOVSX from registers (8 and 16 bits, including AH..BH) and memory. */
function movx(c: Ctx): void {
  const op = c.pick([0xb6, 0xb7, 0xbe, 0xbf]), to32 = c.chance(0.6);
  const p = to32 ? [0x66] : [];
  if ((op & 1) && !to32) { c.insn(0x0f, op, modrmRR(c.w(16), c.any())); return; }                          // movzx r16,r16
  if (c.chance(0.6)) c.insn(...p, 0x0f, op, modrmRR(c.w(16), c.any()));
  else { const m = c.mem(false); c.insn(...m.pfx, ...p, 0x0f, op, ...m.enc(c.w(16))); }
}

/** BT/BTS/BTR/BTC (register bit offsets on registers, imm8 on memory),
 *  BSF/BSR, SHLD/SHRD imm8, IMUL r,r/m, CWDE/CDQ. */
function misc386(c: Ctx): void {
  const p = c.chance(0.6) ? [0x66] : [];
  switch (c.int(6)) {
    case 0: c.insn(...p, 0x0f, c.pick([0xa3, 0xab, 0xb3, 0xbb]), modrmRR(c.any(), c.w(16))); break;
    case 1: {
      if (c.chance(0.5)) c.insn(...p, 0x0f, 0xba, modrmRR(c.range(4, 7), c.w(16)), c.byte());
      else { const m = c.mem(true); c.insn(...m.pfx, ...p, 0x0f, 0xba, ...m.enc(c.range(4, 7)), c.byte()); }
      break;
    }
    case 2: c.insn(...p, 0x0f, c.pick([0xbc, 0xbd]), modrmRR(c.w(16), c.any())); break;
    case 3: c.insn(...p, 0x0f, c.pick([0xa4, 0xac]), modrmRR(c.any(), c.w(16)), c.pick([0, 1, 4, 15, 16, 31, c.byte()])); break;
    case 4: {
      if (c.chance(0.6)) c.insn(...p, 0x0f, 0xaf, modrmRR(c.w(16), c.any()));
      else { const m = c.mem(false); c.insn(...m.pfx, ...p, 0x0f, 0xaf, ...m.enc(c.w(16))); }
      break;
    }
    default: c.insn(0x66, c.pick([0x98, 0x99]));
  }
}

/** SETcc after a producer, into registers (AH..BH too) and memory. */
function setcc(c: Ctx): void {
  producer(c);
  for (let i = c.range(1, 3); i > 0; i--) {
    if (c.chance(0.7)) c.insn(0x0f, 0x90 | c.int(16), modrmRR(0, c.w(8)));
    else { const m = c.mem(true); c.insn(...m.pfx, 0x0f, 0x90 | c.int(16), ...m.enc(0)); }
  }
}

/** A 32-bit producer, then a consumer (Jcc rel16 too). */
function flags32(c: Ctx): void {
  ops32(c);
  if (c.chance(0.5)) {
    const l = c.label("jcc16");
    c.sec.rel16([0x0f, 0x80 | c.int(16)], l);
    c.insn(0x66, 0xb8 + c.w(32), ...imm(32, c.dword()));
    c.sec.bind(l);
  } else consumer(c);
}

export const OPS386_MIX: readonly Entry[] = [
  { name: "highRegs", w: 3, f: highRegs },
  { name: "ops32", w: 5, f: ops32, min: 2 },
  { name: "push32", w: 2, f: push32, min: 2 },
  { name: "sib", w: 3, f: sib, min: 2 },
  { name: "movx", w: 2, f: movx, min: 2 },
  { name: "misc386", w: 2, f: misc386, min: 2 },
  { name: "setcc", w: 2, f: setcc, min: 2 },
  { name: "flags32", w: 2, f: flags32, min: 2 },
  { name: "pushpop", w: 1, f: pushpop },
];
