/**
 * flags.ts — flag consumers after flag producers: the constructs that
 * catch a translator which computes, keeps or elides a flag wrongly.
 * Every producer kind (ADD/SUB/CMP/logic/INC/DEC/NEG/shifts, a shift by
 * CL = 0 which leaves the flags alone, CLC/STC/CMC, SAHF, POPF) followed by
 * every consumer kind (Jcc of all 16 conditions, ADC/SBB, RCL/RCR,
 * PUSHF, LAHF, SETcc, CMC, DAA/DAS/AAA/AAS, SALC, LOOPZ/LOOPNZ), with the
 * pair split across a block boundary: a Jcc (both directions), a JMP, a
 * sensitive instruction (OUT), the loop's back edge. Not a test file.
 */
import { type Ctx, type Entry, alu, shift, incdec, negnot, test, producer, consumer, body, modrmRR } from "./gen.js";

/** A producer of a named kind. */
function producerOf(c: Ctx, kind: number): void {
  const size = c.size();
  switch (kind) {
    case 0: alu(c, 0, size); break;                    // ADD
    case 1: alu(c, 5, size); break;                    // SUB
    case 2: alu(c, 7, size); break;                    // CMP
    case 3: alu(c, c.pick([1, 4, 6]), size); break;    // OR AND XOR
    case 4: alu(c, c.pick([2, 3]), size); break;       // ADC SBB
    case 5: incdec(c, size); break;
    case 6: negnot(c, size); break;
    case 7: shift(c, size); break;
    case 8: test(c, size); break;
    default: producer(c);
  }
}

/** Two values for the Jcc directions to leave in a register. */
function marks(c: Ctx): [number, number] { return [c.byte(), c.byte()]; }

/** producer, then a consumer right after it. */
const pair = (c: Ctx) => { producerOf(c, c.int(10)); consumer(c); };

/** producer, Jcc cc (any of 16) that records its direction in a register. */
function jccAfter(c: Ctx): void {
  producerOf(c, c.int(10));
  const taken = c.label("taken"), join = c.label("join");
  const [a, b] = marks(c), r = c.w(8);
  if (c.is386 && c.chance(0.2)) c.sec.rel16([0x0f, 0x80 | c.int(16)], taken);   // Jcc rel16
  else c.sec.rel8([0x70 | c.int(16)], taken);
  c.insn(0xb0 + r, a);
  c.sec.rel8([0xeb], join);
  c.sec.bind(taken);
  c.insn(0xb0 + r, b);
  c.sec.bind(join);
}

/** The producer ends a block; consumers start both successors. */
function acrossJcc(c: Ctx): void {
  producerOf(c, c.int(10));
  const taken = c.label("taken"), join = c.label("join");
  c.sec.rel8([0x70 | c.int(16)], taken);
  consumer(c);
  c.sec.rel8([0xeb], join);
  c.sec.bind(taken);
  consumer(c);
  c.sec.bind(join);
  if (c.chance(0.5)) consumer(c);
}

/** The producer ends a block by a JMP, an OUT or the block-size limit. */
function acrossOther(c: Ctx): void {
  producerOf(c, c.int(10));
  switch (c.int(3)) {
    case 0: { const l = c.label("next"); c.sec.rel8([0xeb], l); c.sec.bind(l); break; }
    case 1: c.insn(0xe6, 0xe9); break;                 // out 0e9h,al (sensitive: ends the block)
    default: { const l = c.label("next"); c.sec.rel16([0xe9], l); c.sec.bind(l); }
  }
  consumer(c);
}

/** A shift by CL where CL is often 0: the flags of the earlier producer
 *  must survive it. */
function shiftByCl(c: Ctx): void {
  c.insn(0x51);                                                     // push cx
  c.insn(0xb1, c.pick([0, 0, 0, 1, 2, 8, 16, 17, 32, c.byte()]));   // mov cl,n
  producerOf(c, c.int(10));
  const size = c.size(), w = size === 8 ? 0 : 1;
  if (c.chance(0.7)) c.insn(...c.osz(size), 0xd2 + w, modrmRR(c.pick([0, 1, 2, 3, 4, 5, 7]), c.w(size)));
  else { const m = c.mem(true); c.insn(...m.pfx, ...c.osz(size), 0xd2 + w, ...m.enc(c.pick([0, 1, 4, 5, 7]))); }
  if (c.is386 && c.chance(0.3)) {                                   // SHLD/SHRD by CL
    c.insn(0x66, 0x0f, c.pick([0xa5, 0xad]), modrmRR(c.any(), c.w(32)));
  }
  consumer(c);
  if (c.chance(0.5)) consumer(c);
  c.insn(0x59);                                                     // pop cx
}

/** An inner LOOPZ/LOOPNZ/LOOP over a producer, or a JCXZ. */
function innerLoop(c: Ctx): void {
  if (c.loops >= 2) { pair(c); return; }
  c.loops++;
  c.insn(0x51);                                                     // push cx
  if (c.chance(0.25)) {
    c.insn(0xb9, ...[c.pick([0, 0, 1, 5]), 0]);                     // mov cx,n
    const l = c.label("jcxz");
    c.sec.rel8([0xe3], l);
    producerOf(c, c.int(10));
    c.sec.bind(l);
    consumer(c);
  } else {
    c.insn(0xb9, c.range(1, 6), 0);                                 // mov cx,n (n ≥ 1)
    const top = c.sec.here("inner");
    body(c, c.range(1, 3), FLAG_MIX.filter((e) => e.name !== "innerLoop"));
    producerOf(c, c.pick([1, 2, 2, 3, 5, 8]));
    const op = c.pick([0xe0, 0xe1, 0xe2]);                          // loopnz loopz loop
    if (c.sec.reaches8(top, 2)) c.sec.rel8([op], top);
    else { const far = c.label("far"), out = c.label("out"); c.sec.rel8([op], far); c.sec.rel8([0xeb], out); c.sec.bind(far); c.sec.rel16([0xe9], top); c.sec.bind(out); }
    consumer(c);
  }
  c.insn(0x59);                                                     // pop cx
  c.loops--;
}

/** LAHF / modify AH / SAHF round trips, CLC/STC/CMC chains. */
function ahFlags(c: Ctx): void {
  producerOf(c, c.int(10));
  c.insn(0x9f);                                                     // lahf
  if (c.chance(0.5)) c.insn(0x80, modrmRR(c.pick([1, 4, 6]), 4), c.byte()); // or/and/xor ah,imm
  c.insn(0x9e);                                                     // sahf
  consumer(c);
}

function carryChain(c: Ctx): void {
  for (let i = c.range(1, 4); i > 0; i--) c.insn(c.pick([0xf8, 0xf9, 0xf5]));
  if (c.chance(0.5)) alu(c, c.pick([2, 3])); else consumer(c);
}

/** A consumer with nothing before it: the flags come from whatever ran
 *  last, often across the loop's back edge or a block boundary. */
const lone = (c: Ctx) => consumer(c);

export const FLAG_MIX: readonly Entry[] = [
  { name: "pair", w: 4, f: pair },
  { name: "jccAfter", w: 4, f: jccAfter },
  { name: "acrossJcc", w: 3, f: acrossJcc },
  { name: "acrossOther", w: 2, f: acrossOther },
  { name: "shiftByCl", w: 2, f: shiftByCl },
  { name: "innerLoop", w: 2, f: innerLoop },
  { name: "ahFlags", w: 1, f: ahFlags },
  { name: "carryChain", w: 1, f: carryChain },
  { name: "lone", w: 2, f: lone },
  { name: "producer", w: 2, f: producer },
];
