/**
 * strings.ts — string instructions with and without REP (MOVSB/W,
 * STOSB/W, LODSB/W, CMPSB/W, SCASB/W; the 386's MOVSD/STOSD and 67h forms
 * on ESI/EDI), either direction, CX small (0 included: a REP with CX = 0
 * retires once); segment overrides (ES/SS/CS/DS, FS/GS) on memory
 * operands and on the string source; XLAT; and the word at offset FFFFh
 * (the 8086 wraps within the segment, the 286/386 raise #GP: the handler
 * halts). Every string instruction's operands lie in data segments (the
 * CS: source only reads). Not a test file.
 */
import { type Ctx, type Entry, alu, mov, consumer, producer, imm } from "./gen.js";

/** One string instruction (maybe REP'd), set up and cleaned up. */
function str(c: Ctx): void {
  const pushCx = c.chance(0.8);
  if (pushCx) c.insn(0x51);                                              // push cx
  c.insn(c.chance(0.75) ? 0xfc : 0xfd);                                  // cld / std
  // SI and DI anywhere: DS/ES are data; sometimes near the segment's ends.
  const ptr = () => c.pick([c.word(), c.word() & 0xff, 0xfff0 + c.int(16), 0x0100]);
  if (c.chance(0.8)) c.insn(0xbe, ...imm(16, ptr()));                    // mov si,n
  if (c.chance(0.8)) c.insn(0xbf, ...imm(16, ptr()));                    // mov di,n
  const ops = [0xa4, 0xa5, 0xaa, 0xab, 0xac, 0xad, 0xa6, 0xa7, 0xae, 0xaf];
  const op = c.pick(ops);
  const cmp = op >= 0xa6 && op <= 0xa7 || op >= 0xae;
  const rep = pushCx && c.chance(0.7) ? (cmp ? c.pick([0xf3, 0xf2]) : 0xf3) : null;
  if (rep !== null) c.insn(0xb9, ...imm(16, c.pick([0, 1, 2, 3, 7, 16, c.range(0, 40)])));  // mov cx,n
  if (cmp && c.chance(0.5)) c.insn(0xb0, c.byte());                      // mov al,n (SCAS)
  const pfx: number[] = [];
  if (rep !== null) pfx.push(rep);
  // A source override (MOVS/LODS/CMPS read DS:SI); CS reads the code.
  if ([0xa4, 0xa5, 0xac, 0xad, 0xa6, 0xa7].includes(op) && c.chance(0.3)) {
    const seg = c.pick(c.is386 ? [0x26, 0x2e, 0x36, 0x64, 0x65] : [0x26, 0x2e, 0x36]);
    if (c.chance(0.5)) pfx.push(seg); else pfx.unshift(seg);
  }
  const wide = c.is386 && (op & 1) && c.chance(0.4) ? [0x66] : [];
  const a32 = c.is386 && c.chance(0.2);
  if (a32) { c.insn(0x66, 0x0f, 0xb7, 0xf6); c.insn(0x66, 0x0f, 0xb7, 0xff); }   // movzx esi,si / movzx edi,di
  if (a32 && rep !== null) c.insn(0x66, 0x0f, 0xb7, 0xc9);                         // movzx ecx,cx
  c.insn(...pfx, ...wide, ...(a32 ? [0x67] : []), op);
  if (cmp || c.chance(0.3)) consumer(c);
  if (c.chance(0.3)) c.insn(0xfc);
  if (pushCx) c.insn(0x59);                                              // pop cx
}

/** A short REP MOVS/STOS, then a load from what it wrote. */
function fill(c: Ctx): void {
  c.insn(0x51);
  c.insn(0xfc);
  const d = c.word() & 0xfffe;
  c.insn(0xbf, ...imm(16, d));                                           // mov di,d
  c.insn(0xb9, c.range(1, 12), 0);                                       // mov cx,n
  c.insn(0xf3, c.pick([0xaa, 0xab]));                                    // rep stosb/stosw
  c.insn(0x26, 0x8b, 0x06 | (c.w(16) << 3), ...imm(16, d + 2));          // mov r,es:[d+2]
  c.insn(0x59);
}

/** Memory operands under every segment override. */
function overrides(c: Ctx): void {
  const segs = c.is386 ? [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65] : [0x26, 0x2e, 0x36, 0x3e];
  const seg = c.pick(segs), write = seg !== 0x2e && c.chance(0.5);
  const a = c.word();
  const w = c.int(2), r = w ? c.w(16) : c.w(8);
  if (c.chance(0.5)) c.insn(seg, write ? 0x88 + w : 0x8a + w, 0x06 | (r << 3), ...imm(16, a));           // mov [seg:a] <-> r
  else {
    const m = c.mem(write, { noOverride: true });
    c.insn(seg, ...m.pfx, write ? c.pick([0x00, 0x08, 0x20, 0x28, 0x30, 0x88]) + w : c.pick([0x02, 0x0a, 0x22, 0x2a, 0x32, 0x3a, 0x8a]) + w, ...m.enc(r));
  }
}

/** XLAT (DS:[BX+AL], or an override). */
function xlat(c: Ctx): void {
  if (c.chance(0.5)) c.insn(0xbb, ...imm(16, c.word()));                 // mov bx,n
  if (c.chance(0.3)) c.insn(c.pick([0x26, 0x2e, 0x36]), 0xd7); else c.insn(0xd7);
}

/** A word (or dword) access at offset FFFFh (FFFDh–FFFFh): the 8086
 *  wraps to offset 0; the 286/386 raise #GP and the handler halts. */
function edge(c: Ctx): void {
  const seg = c.pick([[], [0x26], [0x36]]);
  if (c.chance(0.5)) {
    c.insn(0xbb, 0xff, 0xff);                                            // mov bx,0ffffh
    c.insn(...seg, c.chance(0.5) ? 0x8b : 0x89, 0x07 | (c.pick([0, 2]) << 3)); // mov ax|dx,[bx] / mov [bx],ax|dx
  } else if (c.is386 && c.chance(0.5)) {
    const a = c.pick([0xfffd, 0xfffe, 0xffff, 0xfffc]);
    c.insn(...seg, 0x66, 0x8b, 0x06, ...imm(16, a));                      // mov eax,[a]
  } else {
    c.insn(...seg, c.pick([0xff, 0x01, 0x31, 0x8b]), 0x06, 0xff, 0xff);  // inc/add/xor/mov word [0ffffh]
  }
}

export const STRING_MIX: readonly Entry[] = [
  { name: "str", w: 6, f: str },
  { name: "fill", w: 2, f: fill },
  { name: "overrides", w: 3, f: overrides },
  { name: "xlat", w: 1, f: xlat },
  { name: "edge", w: 0.15, f: edge },
  { name: "producer", w: 1, f: producer },
  { name: "mov", w: 1, f: (c) => mov(c) },
  { name: "alu", w: 1, f: (c) => alu(c) },
];
