/**
 * shifts.ts — the shift and rotate group (C0/C1 on the 286+, D0–D3) and
 * what reads its flags: the translator computes a shift with a constant
 * count (1, an imm8, or CL when a MOV earlier in the same block set it)
 * inline, on a register or a 16-bit-addressed memory operand, and records
 * its flags lazily with the CF/OF override (src/jit/shifts.ts, flags.ts).
 * Not a test file.
 *
 *   - all eight kinds (/6: the 8086's SETMO, SAL on the 286+) on 8-, 16-
 *     and (386, 66h) 32-bit registers (AH..BH, CL and CX included) and
 *     memory, counts 0, 1, size−1, size, size+1, size+2 (RCL/RCR by one
 *     more than the size: a rotate by one), up to 31, and on the 8086 by
 *     CL up to 255 (no masking);
 *   - CL set by MOV CL/CX/ECX,imm in the same block (a known count), then
 *     changed by INC/DEC/MOV/XCHG/ALU/LEA/POP/LOOP/REP LODSB/a shift of CL
 *     (the count must be forgotten), or CH changed (it must not be); CL
 *     set on one path into a join only;
 *   - after each: all 16 Jcc, ADC/SBB, INC/DEC then a CF reader, LOOPZ/
 *     LOOPNZ, PUSHF, RCL/RCR (carry-in), LAHF/SETcc/SALC...; rotates after
 *     ADD/SUB/CMP/ADC/SBB/INC/DEC/logic/NEG/shift records (ZF/SF/PF from
 *     the record, CF/OF from the rotate; the record in the block before,
 *     too); chains of shifts; the pair split across a block boundary (JMP,
 *     OUT, Jcc, an inner loop's back edge);
 *   - memory shifts at offsets FFFCh–FFFFh and across a page: the 286/386
 *     raise #GP for a word (dword) past the segment's end. The programs'
 *     #GP handler (GP_HANDLER) steps over the faulting instruction, whose
 *     length the construct stored at SS:0010h, and IRETs: the flags the
 *     fault frame holds are compared (stack memory) and the run goes on;
 *   - SMC: a CS: store that patches a shift's count byte, the MOV CL,imm
 *     before a shift by CL, or the ModRM's kind field.
 *
 * shiftMatrix(): not random — every kind × count form × count on one
 * operand size and operand kind (AX/AL/AH/EAX, or [BX] with BX from the
 * table: offsets 0800h, FFFFh, FFFEh, FFFDh, 0FFFh...), each followed by
 * two Jcc and PUSHF, over a table of operands, counts and initial flags.
 */
import type { CpuModel } from "../../../src/index.js";
import { mulberry32 } from "../../support/mulberry32.js";
import { Section, link } from "./asm.js";
import type { Program } from "./harness.js";
import { CODE_CS } from "./harness.js";
import {
  type Ctx, type Entry, type Mem, alu, shift, incdec, negnot, test, mov, producer, consumer, buildProgram, modrmRR, imm, W8, W16,
} from "./gen.js";

/** Shift kinds (the ModRM reg field). */
const ROL = 0, ROR = 1, RCL = 2, RCR = 3;

/** Where the #GP handler is (an offset in CODE_CS) and the byte at
 *  SS:LEN_CELL the faulting construct leaves its instruction's length in. */
export const GP_HANDLER = 0x3800;
const LEN_CELL = 0x0010;

/** The #GP handler: return past the faulting instruction (IRET restores
 *  the flags the frame holds), by the length the construct left at
 *  SS:LEN_CELL — which it clears, so a fault no construct announced (a
 *  random operand that happens to end past FFFFh) halts, as the harness's
 *  handler does, instead of looping. */
function gpHandler(): Section {
  const s = new Section("#GP handler (skips the instruction)", GP_HANDLER);
  s.note = "#GP handler";
  s.insn(0x55);                                  // push bp
  s.insn(0x89, 0xe5);                            // mov bp,sp
  s.insn(0x50);                                  // push ax
  s.insn(0x36, 0xa0, LEN_CELL, 0);               // mov al,ss:[LEN_CELL]
  s.insn(0x36, 0xc6, 0x06, LEN_CELL, 0, 0);      // mov byte ss:[LEN_CELL],0
  s.insn(0x3c, 0);                               // cmp al,0
  s.insn(0x75, 1);                               // jne +1
  s.insn(0xf4);                                  // hlt
  s.insn(0xb4, 0);                               // mov ah,0
  s.insn(0x01, 0x46, 0x02);                      // add [bp+2],ax
  s.insn(0x58);                                  // pop ax
  s.insn(0x5d);                                  // pop bp
  s.insn(0xcf);                                  // iret
  return s;
}

/** `p` with the #GP handler installed (vector 13 → CODE_CS:GP_HANDLER). */
export function withGpHandler(p: Program): Program {
  const vec = new Uint8Array([GP_HANDLER & 0xff, GP_HANDLER >> 8, CODE_CS & 0xff, CODE_CS >> 8]);
  return {
    ...p,
    sections: [...p.sections, gpHandler()],
    data: [...(p.data ?? []), { addr: 13 * 4, bytes: vec }, { addr: 0x40000 + LEN_CELL, bytes: new Uint8Array([0]) }],
  };
}

// ------------------------------------------------------------ emitters

type Form = "1" | "imm" | "cl";

function formOf(c: Ctx): Form {
  return c.pick(c.is286 ? ["1", "imm", "imm", "cl", "cl"] as const : ["1", "cl", "cl"] as const);
}

/** A count for `form` at `size`: the edges, the RCL/RCR wrap, up to 31,
 *  and (8086, by CL) up to 255. */
function countFor(c: Ctx, size: number, form: Form): number {
  if (form === "1") return 1;
  const edges = [0, 1, size - 1, size, size + 1, size + 2, c.range(0, 31), c.range(2, 31), c.range(2, 31)];
  if (form === "cl" && !c.is286) edges.push(c.byte(), c.range(32, 255), 255, 2 * size + 2, 0x80);
  else edges.push(31, 32, 33, c.byte());
  return c.pick(edges) & 0xff;
}

/** CX (ECX on the 386) saved: the construct may change CL/CX. */
function pushCx(c: Ctx): void { c.insn(...(c.is386 ? [0x66] : []), 0x51); }
function popCx(c: Ctx): void { c.insn(...(c.is386 ? [0x66] : []), 0x59); }

/** CL = n, by a MOV the translator follows (a known count). */
function setClKnown(c: Ctx, n: number): void {
  switch (c.int(c.is386 ? 4 : 3)) {
    case 0: c.insn(0xb1, n); break;                                  // mov cl,n
    case 1: c.insn(0xb9, n, c.pick([0, 0, c.byte()])); break;        // mov cx,n
    case 2: c.insn(0xc6, 0xc1, n); break;                            // mov cl,n (C6 /0)
    default: c.insn(0x66, 0xb9, n, c.byte(), c.byte(), c.byte());    // mov ecx,n
  }
}

/** CL = n by a way the translator does not follow. */
function setClUnknown(c: Ctx, n: number): void {
  switch (c.int(c.is286 ? 5 : 4)) {
    case 0: { const r8 = c.pick([0, 2, 3, 4, 6, 7]); c.insn(0xb0 + r8, n); c.insn(0x8a, modrmRR(1, r8)); break; } // mov r8,n / mov cl,r8
    case 1: c.insn(0xb1, n - 1); c.insn(0xfe, 0xc1); break;                                     // mov cl,n-1 / inc cl
    case 2: c.insn(0xb1, n ^ 0x5a); c.insn(0x80, 0xf1, 0x5a); break;                            // mov cl,n^5Ah / xor cl,5Ah
    case 3: c.insn(0x36, 0xc6, 0x06, 0x20, 0x00, n); c.insn(0x36, 0x8a, 0x0e, 0x20, 0x00); break; // mov ss:[20h],n / mov cl,ss:[20h]
    default: c.insn(0x6a, n); c.insn(0x59); break;                                              // push n / pop cx
  }
}

/** An instruction that changes CL after a known MOV: the count must be
 *  forgotten — or, the last three, changes CH or nothing: it must not. */
function touchCl(c: Ctx): void {
  const m = () => c.mem(false, { a32: false });
  switch (c.int(c.is386 ? 24 : c.is286 ? 21 : 19)) {
    case 0: c.insn(0x41); break;                                     // inc cx
    case 1: c.insn(0x49); break;                                     // dec cx
    case 2: c.insn(0xfe, c.pick([0xc1, 0xc9])); break;               // inc/dec cl
    case 3: c.insn(0x8a, modrmRR(1, c.pick([0, 2, 3, 4, 6, 7]))); break; // mov cl,r8
    case 4: c.insn(0x8b, modrmRR(1, c.pick(W16))); break;            // mov cx,r16
    case 5: { const x = m(); c.insn(...x.pfx, 0x8a, ...x.enc(1)); break; } // mov cl,[mem]
    case 6: c.insn(0x86, modrmRR(1, c.pick([0, 2, 3, 4, 6, 7]))); break; // xchg r8,cl
    case 7: c.insn(c.pick([0x91, 0x92, 0x93])); break;               // xchg cx,ax|dx|bx
    case 8: c.insn(0x80, modrmRR(c.pick([0, 1, 4, 5, 6]), 1), c.byte()); break; // add/or/and/sub/xor cl,imm
    case 9: c.insn(0x83, modrmRR(c.pick([0, 5]), 1), c.range(1, 40)); break;    // add/sub cx,imm8
    case 10: c.insn(0xf6, modrmRR(c.pick([2, 3]), 1)); break;        // not/neg cl
    case 11: c.insn(0xd0, modrmRR(c.pick([0, 1, 4, 5, 7]), 1)); break; // shift cl,1
    case 12: c.insn(0x50 + c.pick(W16)); c.insn(0x59); break;        // push r16 / pop cx
    case 13: c.insn(0x8d, 0x48 | c.int(8), c.byte()); break;         // lea cx,[...+d8]
    case 14: { const l = c.label("loop"); c.sec.rel8([0xe2], l); c.sec.bind(l); break; } // loop $+2 (a block boundary)
    case 15: c.insn(0xb9, c.range(0, 3), 0); c.insn(0xf3, 0xac); break; // mov cx,k / rep lodsb: CX = 0 after
    // CL unchanged:
    case 16: c.insn(0xb5, c.byte()); break;                          // mov ch,n
    case 17: c.insn(0xfe, c.pick([0xc5, 0xcd])); break;              // inc/dec ch
    case 18: c.insn(0x86, modrmRR(5, c.pick([4, 6, 7]))); break;     // xchg r8,ch
    // 286+:
    case 19: c.insn(0xc0, modrmRR(c.pick([0, 4, 5]), 1), c.byte()); break; // rol/shl/shr cl,imm
    case 20: c.insn(0x6b, modrmRR(1, c.pick(W16)), c.byte()); break; // imul cx,r16,imm8
    // 386:
    case 21: c.insn(0x0f, 0xb6, modrmRR(1, c.pick([0, 2, 3, 4]))); break; // movzx cx,r8
    case 22: c.insn(0x66, 0x0f, 0xc9); break;                        // bswap ecx
    default: c.insn(0x0f, 0x90 | c.int(16), 0xc1); break;            // setcc cl
  }
}

/** A register for a `size`-bit operand; `cx`: CL, CH, CX may be used too. */
function regFor(c: Ctx, size: number, cx: boolean): number {
  const list = size === 8 ? [...W8, ...(cx ? [1, 5] : [])] : [...W16, ...(cx ? [1] : [])];
  return c.pick(list);
}

/** One shift/rotate `kind` of `size` bits by `form` (the imm `count`), on
 *  a register or `mem`. With form "cl" CL holds the count already. */
function emitShift(c: Ctx, kind: number, size: number, form: Form, count: number, where: { mem?: Mem; cx?: boolean } = {}): void {
  const w = size === 8 ? 0 : 1, p = c.osz(size);
  const opc = form === "1" ? 0xd0 + w : form === "cl" ? 0xd2 + w : 0xc0 + w;
  const tail = form === "imm" ? [count & 0xff] : [];
  if (where.mem) c.insn(...where.mem.pfx, ...p, opc, ...where.mem.enc(kind), ...tail);
  else c.insn(...p, opc, modrmRR(kind, regFor(c, size, where.cx ?? false)), ...tail);
}

/** A memory operand for a shift: mostly 16-bit addressing (inline), some
 *  67h on the 386 (the core's). */
function shiftMem(c: Ctx): Mem {
  return c.mem(true, { a32: c.is386 && c.chance(0.15) });
}

/** A shift of any kind, size and form on a register or memory, CL set
 *  for it (known or not) and saved around it; `then` runs before CX is
 *  restored. */
function anyShift(c: Ctx, then: () => void, kinds: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7]): void {
  const kind = c.pick(kinds), size = c.size(0.35), form = formOf(c), count = countFor(c, size, form);
  const mem = c.chance(0.4) ? shiftMem(c) : undefined;
  if (form !== "cl") { emitShift(c, kind, size, form, count, { mem }); then(); return; }
  pushCx(c);
  if (c.chance(0.7)) setClKnown(c, count); else setClUnknown(c, count);
  if (c.chance(0.2)) c.note("producer", () => producer(c));
  emitShift(c, kind, size, form, count, { mem, cx: !mem && c.chance(0.2) });
  then();
  popCx(c);
}

// ---------------------------------------------------------- observers

/** Jcc cc (any of 16) recording its direction in a register. */
function jccRecord(c: Ctx, cc = c.int(16)): void {
  const taken = c.label("taken"), join = c.label("join"), r = c.w(8);
  if (c.is386 && c.chance(0.2)) c.sec.rel16([0x0f, 0x80 | cc], taken);
  else c.sec.rel8([0x70 | cc], taken);
  c.insn(0xb0 + r, c.byte());
  c.sec.rel8([0xeb], join);
  c.sec.bind(taken);
  c.insn(0xb0 + r, c.byte());
  c.sec.bind(join);
}

/** LOOPZ/LOOPNZ (ZF of what came before) recording its direction. */
function loopzRecord(c: Ctx): void {
  const taken = c.label("taken"), join = c.label("join"), r = c.w(8);
  pushCx(c);
  c.insn(0xb9, c.range(0, 3), 0);                                     // mov cx,n (MOV: flags kept)
  c.sec.rel8([c.pick([0xe0, 0xe1])], taken);
  c.insn(0xb0 + r, c.byte());
  c.sec.rel8([0xeb], join);
  c.sec.bind(taken);
  c.insn(0xb0 + r, c.byte());
  c.sec.bind(join);
  popCx(c);
}

/** PUSHF, POP r16 (or the 386's PUSHFD). */
function pushfPop(c: Ctx): void {
  if (c.is386 && c.chance(0.3)) { c.insn(0x66, 0x9c); c.insn(0x66, 0x58 + c.w(16)); }
  else { c.insn(0x9c); c.insn(0x58 + c.w(16)); }
}

/** Something that reads CF (and maybe the rest). */
function cfReader(c: Ctx): void {
  switch (c.int(6)) {
    case 0: jccRecord(c, c.pick([2, 3, 6, 7])); break;                 // JB JAE JBE JA
    case 1: alu(c, c.pick([2, 3])); break;                             // ADC SBB
    case 2: pushfPop(c); break;
    case 3: { const size = c.size(); c.insn(...c.osz(size), 0xd0 + (size === 8 ? 0 : 1), modrmRR(c.pick([2, 3]), c.w(size))); break; } // RCL/RCR 1
    case 4: c.insn(0xd6); break;                                       // SALC
    default: jccRecord(c); break;
  }
}

/** A reader of the flags the shift (or the record before it) left. */
function observe(c: Ctx, depth = 0): void {
  switch (c.int(13)) {
    case 0: case 1: case 2: jccRecord(c); break;
    case 3: alu(c, c.pick([2, 3])); break;                             // ADC/SBB
    case 4: case 5: incdec(c); cfReader(c); break;                     // INC/DEC keep CF
    case 6: loopzRecord(c); break;
    case 7: pushfPop(c); break;
    case 8: { // RCL/RCR: the carry-in is the shift's CF
      const size = c.size(), w = size === 8 ? 0 : 1, kind = c.pick([RCL, RCR]);
      if (c.chance(0.7)) c.insn(...c.osz(size), 0xd0 + w, modrmRR(kind, c.w(size)));
      else { const m = c.mem(true, { a32: false }); c.insn(...m.pfx, ...c.osz(size), 0xd0 + w, ...m.enc(kind)); }
      if (c.chance(0.5)) pushfPop(c); else jccRecord(c);
      break;
    }
    case 9: consumer(c); break;                                        // LAHF SALC SETcc DAA... PUSHF via BP
    case 10: if (depth < 2) { observe(c, depth + 1); observe(c, depth + 1); } break;
    default: break;                                                    // the next construct, or the loop's back edge
  }
}

/** A flag record of a chosen kind before a rotate. */
function record(c: Ctx): void {
  const size = c.size();
  switch (c.int(10)) {
    case 0: alu(c, 0, size); break;                                    // ADD
    case 1: alu(c, 5, size); break;                                    // SUB
    case 2: alu(c, 7, size); break;                                    // CMP
    case 3: alu(c, c.pick([1, 4, 6]), size); break;                    // OR AND XOR
    case 4: alu(c, c.pick([2, 3]), size); break;                       // ADC SBB
    case 5: case 6: incdec(c, size); break;                            // INC DEC
    case 7: negnot(c, size); break;
    case 8: c.chance(0.5) ? test(c, size) : shift(c, size); break;
    default: producer(c);
  }
}

/** A word read that may fault on the 286/386 (so everything before it is
 *  observed, whatever flag elision decides) — at an ordinary offset. */
function observedRead(c: Ctx): void {
  const x = c.mem(false, { a32: false });
  c.insn(...x.pfx, 0x8b, ...x.enc(c.w(16)));                          // mov r16,[mem]
}

// ---------------------------------------------------------- constructs

/** A shift of any form, then an observer. */
function shiftThenObserve(c: Ctx): void {
  if (c.chance(0.4)) c.note("record", () => record(c));
  anyShift(c, () => observe(c));
}

/** MOV CL,n, then CL changed (or CH: kept), then a shift by CL. */
function clChanged(c: Ctx): void {
  pushCx(c);
  const size = c.size(0.35);
  setClKnown(c, countFor(c, size, "cl"));
  if (c.chance(0.3)) record(c);
  for (let i = c.chance(0.3) ? 2 : 1; i > 0; i--) touchCl(c);
  if (c.chance(0.3)) record(c);
  const kind = c.pick([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 7]);
  const mem = c.chance(0.35) ? shiftMem(c) : undefined;
  emitShift(c, kind, size, "cl", 0, { mem, cx: !mem && c.chance(0.2) });
  observe(c);
  popCx(c);
}

/** CL set on one path into a join and not on the other: at the join
 *  the count is not known (whatever the block before it knew). */
function clJoin(c: Ctx): void {
  pushCx(c);
  const size = c.size(0.35);
  setClKnown(c, countFor(c, size, "cl"));
  if (c.chance(0.5)) record(c);
  const join = c.label("join");
  c.sec.rel8([0x70 | c.int(16)], join);
  setClKnown(c, countFor(c, size, "cl"));
  c.sec.bind(join);
  const mem = c.chance(0.3) ? shiftMem(c) : undefined;
  emitShift(c, c.int(8), size, "cl", 0, { mem });
  observe(c);
  popCx(c);
}

/** A record (ADD, SUB, INC, logic, a shift...), then 1–3 rotates, then
 *  observers: ZF/SF/PF from the record, CF/OF from the last rotate. */
function rotatesAfterRecord(c: Ctx): void {
  const cl = c.chance(0.3);
  const size = c.size(0.35);
  if (cl) { pushCx(c); setClKnown(c, countFor(c, size, "cl")); }
  record(c);
  if (c.chance(0.3)) observedRead(c);
  if (c.chance(0.2)) { const l = c.label("next"); c.sec.rel8([0xeb], l); c.sec.bind(l); } // the rotates in the next block: the record's kind unknown there
  for (let i = c.range(1, 3); i > 0; i--) {
    const kind = c.pick([ROL, ROR, RCL, RCR]);
    const sz = c.chance(0.7) ? size : c.size(0.35);
    const form: Form = cl && c.chance(0.5) ? "cl" : c.is286 && c.chance(0.4) ? "imm" : "1";
    const count = form === "imm" ? c.pick([1, sz + 2, 2 * sz + 3, sz, sz - 1, c.range(0, 31)]) : 1;
    const mem = c.chance(0.3) ? shiftMem(c) : undefined;
    emitShift(c, kind, sz, form, count, { mem });
    if (c.chance(0.2)) observedRead(c);
  }
  // INC/DEC keep the rotate's CF (frozen from the X bits), often.
  if (c.chance(0.35)) { incdec(c); cfReader(c); } else observe(c);
  if (c.chance(0.4)) observe(c);
  if (cl) popCx(c);
}

/** 2–4 shifts in a row, observers among them. */
function chain(c: Ctx): void {
  for (let i = c.range(2, 4); i > 0; i--) anyShift(c, () => { if (c.chance(0.4)) observe(c); });
  observe(c);
}

/** The shift ends a block; the observer starts the next. */
function acrossBlock(c: Ctx): void {
  anyShift(c, () => {
    switch (c.int(4)) {
      case 0: { const l = c.label("next"); c.sec.rel8([0xeb], l); c.sec.bind(l); break; }
      case 1: { const l = c.label("next"); c.sec.rel16([0xe9], l); c.sec.bind(l); break; }
      case 2: c.insn(0xe6, 0xe9); break;                                 // out 0e9h,al: ends the block
      default: { // Jcc: observers start both successors
        const taken = c.label("taken"), join = c.label("join");
        c.sec.rel8([0x70 | c.int(16)], taken);
        observe(c);
        c.sec.rel8([0xeb], join);
        c.sec.bind(taken);
        observe(c);
        c.sec.bind(join);
        return;
      }
    }
    observe(c);
  });
}

/** An inner LOOP/LOOPZ/LOOPNZ whose body ends with a shift (by CL: the
 *  inner counter), then an observer. */
function innerLoop(c: Ctx): void {
  if (c.loops >= 1) { shiftThenObserve(c); return; }
  c.loops++;
  pushCx(c);
  c.insn(0xb9, c.range(1, 4), 0);                                     // mov cx,n
  const top = c.sec.here("inner");
  if (c.chance(0.5)) c.note("record", () => record(c));
  const size = c.size(0.35), kind = c.int(8), form = formOf(c);
  emitShift(c, kind, size, form, countFor(c, size, form), { mem: c.chance(0.3) ? shiftMem(c) : undefined });
  const op = c.pick([0xe0, 0xe1, 0xe2]);                              // loopnz loopz loop
  if (c.sec.reaches8(top, 2)) c.sec.rel8([op], top);
  else { const far = c.label("far"), out = c.label("out"); c.sec.rel8([op], far); c.sec.rel8([0xeb], out); c.sec.bind(far); c.sec.rel16([0xe9], top); c.sec.bind(out); }
  observe(c);
  popCx(c);
  c.loops--;
}

/**
 * A memory shift at offset FFFCh–FFFFh (the 286/386 raise #GP for a word
 * past FFFEh or a dword past FFFCh: the handler steps over it), or across
 * a page (the slow path), after a record the fault frame must hold right.
 */
function edgeMem(c: Ctx): void {
  const off = c.pick([0xffff, 0xffff, 0xffff, 0xfffe, 0xfffd, 0xfffc, 0x0fff, 0x1ffe]);
  const seg = c.pick(c.is386 ? [[], [], [0x26], [0x36], [0x64], [0x65]] : [[], [], [0x26], [0x36]]);
  const size = c.chance(0.25) ? 8 : c.size(0.4), kind = c.int(8), form = formOf(c), count = countFor(c, size, form);
  const cl = form === "cl";
  if (cl) { pushCx(c); if (c.chance(0.7)) setClKnown(c, count); else setClUnknown(c, count); }
  if (c.chance(0.6)) record(c);
  let enc: number[];
  switch (c.int(3)) {                                                             // (MOVs: the record stays)
    case 0: enc = [0x06 | (kind << 3), off & 0xff, off >> 8]; break;              // [off]
    case 1: c.insn(0xbb, off & 0xff, off >> 8); enc = [0x07 | (kind << 3)]; break; // mov bx,off / [bx]
    default: {                                                                    // mov si,off-d / [si+d8]
      const d = c.range(0, 0x7f);
      c.insn(0xbe, ...imm(16, (off - d) & 0xffff));
      enc = [0x44 | (kind << 3), d];
    }
  }
  const w = size === 8 ? 0 : 1;
  const opc = form === "1" ? 0xd0 + w : cl ? 0xd2 + w : 0xc0 + w;
  const bytes = [...seg, ...c.osz(size), opc, ...enc, ...(form === "imm" ? [count] : [])];
  c.insn(0x36, 0xc6, 0x06, LEN_CELL, 0, bytes.length);                           // mov byte ss:[LEN_CELL],len
  c.insn(...bytes);
  c.insn(0x36, 0xc6, 0x06, LEN_CELL, 0, 0);                                      // mov byte ss:[LEN_CELL],0
  observe(c);
  if (cl) popCx(c);
}

/**
 * Self-modifying code: a CS: store patches a shift's count byte, the
 * immediate of the MOV CL,n before a shift by CL, or the kind field of a
 * shift's ModRM — the next instruction, later in the block, or (a store
 * after the target) on the next pass.
 */
function smcShift(c: Ctx): void {
  const size = c.size(0.35), w = size === 8 ? 0 : 1, p = c.osz(size);
  const r = c.w(size), kind = c.int(8);
  const what = c.int(c.is286 ? 3 : 2);  // 0 mov cl imm, 1 modrm, 2 imm count
  pushCx(c);
  const l = c.label("patch");
  const target = (): void => {
    c.sec.bind(l);
    if (what === 0) { c.insn(0xb1, c.byte()); c.insn(...p, 0xd2 + w, modrmRR(kind, r)); }
    else if (what === 1) c.insn(...p, 0xd0 + w, modrmRR(kind, r));
    else c.insn(...p, 0xc0 + w, modrmRR(kind, r), countFor(c, size, "imm"));
  };
  // Offset of the patched byte from the label.
  const at = what === 0 ? 1 : what === 1 ? p.length + 1 : p.length + 2;
  const value = what === 1 ? 0xc0 | (c.int(8) << 3) | r : c.pick([0, 1, size - 1, size, size + 1, c.range(0, 31), c.byte()]);
  const store = (): void => {
    if (c.chance(0.7) || what === 1) {
      c.insn(0x2e, 0xc6, 0x06, 0, 0, value);                                         // mov byte cs:[t],v
      c.sec.abs16(c.sec.length - 3, l, at);
    } else {
      c.insn(0x2e, 0x80, 0x06 | (c.pick([0, 6]) << 3), 0, 0, c.byte());             // add/xor byte cs:[t],imm
      c.sec.abs16(c.sec.length - 3, l, at);
    }
  };
  const before = c.chance(0.7);
  if (before) { store(); if (c.chance(0.4)) record(c); target(); }
  else { target(); observe(c); store(); }
  observe(c);
  popCx(c);
}

export const SHIFT_MIX: readonly Entry[] = [
  { name: "shiftThenObserve", w: 6, f: shiftThenObserve },
  { name: "clChanged", w: 3, f: clChanged },
  { name: "clJoin", w: 1, f: clJoin },
  { name: "rotatesAfterRecord", w: 4, f: rotatesAfterRecord },
  { name: "chain", w: 2, f: chain },
  { name: "acrossBlock", w: 2, f: acrossBlock },
  { name: "innerLoop", w: 1.5, f: innerLoop },
  { name: "edgeMem", w: 1.2, f: edgeMem },
  { name: "smcShift", w: 0.6, f: smcShift },
  { name: "mov", w: 0.5, f: (c) => mov(c) },
  { name: "producer", w: 1, f: producer },
];

/** A random program of SHIFT_MIX, the #GP handler installed. */
export function shiftProgram(seed: number, cpu: CpuModel): Program {
  return withGpHandler(buildProgram(seed, cpu, SHIFT_MIX));
}

// ---------------------------------------------------------------- matrix

const ROW = 16;
const LEA = 0x8d;

/**
 * Every kind × form × count of one operand size on one operand kind, as
 * a table loop (rows at DS:0, ROW bytes: operand dword, count, compare
 * byte, flags, [BX] offset; results to ES:DI):
 *
 *   per combination:
 *     push word [si+6] / popf            initial flags
 *     mov bp,0 / (66) mov ax,[si]        (memory: the bytes to [BX])
 *     [cmp byte [si+5],80h]              a known record (RCL/RCR: both ways)
 *     [mov cl,n | mov cl,[si+4]]         CL known / not
 *     [mov byte ss:[10h],len]            the #GP handler's step
 *     <shift AL|AH|AX|EAX or [BX]>
 *     jcc +3 / lea bp,[bp+1]             (the condition cycles over the 16)
 *     pushf / pop dx / result to AX / stosw… / mov ax,dx / stosw / mov ax,bp / stosw
 *
 * `kinds`: the kinds of this program (the page holds about half of them).
 */
export function shiftMatrix(seed: number, cpu: CpuModel, size: 8 | 16 | 32, operand: "reg" | "mem", kinds: readonly number[], rows = 6): Program {
  const r = mulberry32(seed);
  const rnd = (n: number) => Math.floor(r() * n);
  const is286 = cpu !== "8086";
  const main = new Section("main", 0);
  const o32 = size === 32 ? [0x66] : [];
  main.insn(0x31, 0xf6);                                        // xor si,si
  main.insn(0x31, 0xff);                                        // xor di,di
  main.insn(0xfc);                                              // cld
  const top = main.here("row");
  main.insn(0x8b, 0x5c, 8);                                     // mov bx,[si+8]
  let combo = 0;
  for (const kind of kinds) {
    const counts: { form: Form | "clm"; n: number }[] = [{ form: "1", n: 1 }];
    if (is286) for (const n of [0, 1, size - 1, size, size + 1, size + 2, kind & 1 ? 31 : 32, 2 + rnd(29)]) counts.push({ form: "imm", n });
    for (const n of [0, 1, size, size + 2, ...(is286 ? [33 + rnd(200)] : [0x80 + rnd(0x80), 0xff, size - 1, size + 1])]) counts.push({ form: "cl", n });
    counts.push({ form: "clm", n: 0 });
    for (const { form, n } of counts) {
      // RCL/RCR by one (count mod size+1) are inline only with a known
      // carry-in: those run both with and without a record before.
      const byOne = (kind === RCL || kind === RCR) && form !== "clm" && n % (size + 1) === 1;
      for (const known of byOne ? [false, true] : [(combo & 1) === 1]) {
        main.note = `${["rol", "ror", "rcl", "rcr", "shl", "shr", "sal/setmo", "sar"][kind]} ${form === "clm" ? "cl (from memory)" : form === "cl" ? `cl=${n}` : n}${known ? ", after cmp" : ""}`;
        main.insn(0xff, 0x74, 6);                               // push word [si+6]
        main.insn(0x9d);                                        // popf
        main.insn(0xbd, 0, 0);                                  // mov bp,0
        if (operand === "mem") {
          main.insn(0x8b, 0x04); main.insn(0x88, 0x07); main.insn(0x88, 0x67, 1);             // mov ax,[si] / mov [bx],al / mov [bx+1],ah
          if (size === 32) { main.insn(0x8b, 0x44, 2); main.insn(0x88, 0x47, 2); main.insn(0x88, 0x67, 3); } // the upper word
        } else main.insn(...o32, 0x8b, 0x04);                   // mov ax|eax,[si]
        if (known) main.insn(0x80, 0x7c, 5, 0x80);              // cmp byte [si+5],80h
        if (form === "cl") main.insn(0xb1, n);                  // mov cl,n
        if (form === "clm") main.insn(0x8a, 0x4c, 4);           // mov cl,[si+4]
        const w = size === 8 ? 0 : 1;
        const opc = form === "1" ? 0xd0 + w : form === "imm" ? 0xc0 + w : 0xd2 + w;
        const rm = operand === "mem" ? 0x07 : 0xc0 | (size === 8 && combo & 2 ? 4 : 0);  // [bx] | AL/AH/AX/EAX
        const bytes = [...o32, opc, rm | (kind << 3), ...(form === "imm" ? [n] : [])];
        if (operand === "mem") main.insn(0x36, 0xc6, 0x06, LEN_CELL, 0, bytes.length); // mov byte ss:[10h],len
        main.insn(...bytes);
        main.insn(0x70 | ((combo * 5 + kind) % 16), 3);         // jcc +3 (every condition over the combinations)
        main.insn(LEA, 0x6e, 1);                                // lea bp,[bp+1]
        main.insn(0x9c); main.insn(0x5a);                       // pushf / pop dx
        if (operand === "mem") {
          main.insn(0x8a, 0x07); main.insn(0x8a, 0x67, 1); main.insn(0xab);                  // mov al,[bx] / mov ah,[bx+1] / stosw
          if (size === 32) { main.insn(0x8a, 0x47, 2); main.insn(0x8a, 0x67, 3); main.insn(0xab); }
        } else main.insn(...o32, 0xab);                         // stosw|stosd
        main.insn(0x89, 0xd0); main.insn(0xab);                 // mov ax,dx / stosw
        main.insn(0x89, 0xe8); main.insn(0xab);                 // mov ax,bp / stosw
        combo++;
      }
    }
  }
  main.note = "next row";
  main.insn(0x83, 0xc6, ROW);                                   // add si,ROW
  main.insn(0x81, 0xfe, (rows * ROW) & 0xff, (rows * ROW) >> 8); // cmp si,end
  main.insn(0x73, 3);                                           // jae +3
  main.rel16([0xe9], top);                                      // jmp near row
  main.note = "end";
  main.insn(0xf4);
  if (main.length > GP_HANDLER) throw new Error(`shift matrix too long (${main.length} bytes)`);
  link([main]);
  // Rows: operand, count, compare byte, flags, [BX] offset.
  const edges = size === 8 ? [0, 1, 0x7f, 0x80, 0xff, 0x81, 0x40] : size === 16 ? [0, 1, 0x7fff, 0x8000, 0xffff, 0x8001, 0x4000]
    : [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000001, 0x40000000];
  const offsets = [0x0800, 0xffff, 0x0fff, 0xfffe, 0xfffd, 0x1ffe, 0xfffc, 0x0801];
  const table = new Uint8Array(rows * ROW);
  const dv = new DataView(table.buffer);
  for (let i = 0; i < rows; i++) {
    const a = r() < 0.5 ? edges[rnd(edges.length)] : (r() * 2 ** 32) >>> 0;
    dv.setUint32(i * ROW, a >>> 0, true);
    table[i * ROW + 4] = [0, 1, size - 1, size, size + 1, 31, 32, 255, rnd(256)][rnd(9)];
    table[i * ROW + 5] = rnd(256);
    dv.setUint16(i * ROW + 6, (rnd(0x10000) & 0x08d5) | 2, true);   // OF SF ZF AF PF CF, DF = 0
    dv.setUint16(i * ROW + 8, operand === "mem" ? offsets[i % offsets.length] : 0x0800, true);
  }
  return withGpHandler({
    seed, cpu, sections: [main], regs: { ecx: 1, flags: 2 }, dataSeed: seed, data: [{ addr: 0x20000, bytes: table }],
  });
}
