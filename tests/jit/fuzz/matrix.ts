/**
 * matrix.ts — not random: every flag producer kind followed by all 16
 * Jcc conditions, over a table of operand pairs (edge values and seeded
 * random ones) and initial flags. Each Jcc ends a block, so the producer's
 * flags must stay live across 16 block boundaries; the Jccs record what
 * they decided in BP through LEA (which leaves the flags alone), then
 * PUSHF captures every flag. Results go to ES:DI with STOSW.
 *
 *   per table row (SI), per producer:
 *     push word [si+6] / popf            initial flags (arithmetic + DF)
 *     mov bp,0 / mov ax,[si] / mov bx,[si+2] / mov cl,[si+4]
 *     <producer on AL,BL | AX,BX | EAX,EBX>
 *     16 × ( jcc +4 / lea bp,[bp+2^cc] )  a bit per condition not taken
 *     pushf / pop dx / stosw (result) / mov ax,bx / stosw / mov ax,bp / stosw / mov ax,dx / stosw
 *     (STOSD and EAX/EBX for the result and BX of the 32-bit programs)
 *
 * Two programs per operand size (even and odd producers: each fits a page); the row loop is
 * `add si,8 / cmp si,end / jae out / jmp near top`. Not a test file.
 */
import type { CpuModel } from "../../../src/index.js";
import { mulberry32 } from "../../support/mulberry32.js";
import { Section, link } from "./asm.js";
import type { Program } from "./harness.js";

/** A producer: its bytes for a size (null: not on this size/model). */
type Producer = { name: string; bytes: (size: 8 | 16 | 32) => number[] | null; min?: number };

const rr = (op: number) => (size: number) => [...(size === 32 ? [0x66] : []), op + (size === 8 ? 0 : 1), 0xd8]; // op al|ax|eax, bl|bx|ebx
const grp = (opc: number, reg: number, tail: number[] = []) => (size: number) =>
  [...(size === 32 ? [0x66] : []), opc + (size === 8 ? 0 : 1), 0xc0 | (reg << 3), ...tail];          // op al|ax|eax (,1|,cl|,imm)

export const PRODUCERS: readonly Producer[] = [
  { name: "add", bytes: rr(0x00) }, { name: "or", bytes: rr(0x08) }, { name: "adc", bytes: rr(0x10) },
  { name: "sbb", bytes: rr(0x18) }, { name: "and", bytes: rr(0x20) }, { name: "sub", bytes: rr(0x28) },
  { name: "xor", bytes: rr(0x30) }, { name: "cmp", bytes: rr(0x38) }, { name: "test", bytes: rr(0x84) },
  { name: "add imm", bytes: (s) => [...(s === 32 ? [0x66] : []), s === 8 ? 0x80 : 0x83, 0xc0, 0x7f] },
  { name: "cmp imm", bytes: (s) => [...(s === 32 ? [0x66] : []), s === 8 ? 0x80 : 0x83, 0xf8, 0x80] },
  { name: "inc", bytes: grp(0xfe, 0) }, { name: "dec", bytes: grp(0xfe, 1) },
  { name: "neg", bytes: grp(0xf6, 3) }, { name: "not (no flags)", bytes: grp(0xf6, 2) },
  { name: "shl 1", bytes: grp(0xd0, 4) }, { name: "shr 1", bytes: grp(0xd0, 5) }, { name: "sar 1", bytes: grp(0xd0, 7) },
  { name: "rol 1", bytes: grp(0xd0, 0) }, { name: "ror 1", bytes: grp(0xd0, 1) },
  { name: "rcl 1", bytes: grp(0xd0, 2) }, { name: "rcr 1", bytes: grp(0xd0, 3) },
  { name: "shl cl", bytes: grp(0xd2, 4) }, { name: "shr cl", bytes: grp(0xd2, 5) }, { name: "sar cl", bytes: grp(0xd2, 7) },
  { name: "rol cl", bytes: grp(0xd2, 0) }, { name: "rcr cl", bytes: grp(0xd2, 3) },
  { name: "shl imm", bytes: grp(0xc0, 4, [3]), min: 1 }, { name: "sar imm 0", bytes: grp(0xc0, 7, [0]), min: 1 },
  { name: "mul", bytes: grp(0xf6, 4) }, { name: "imul", bytes: grp(0xf6, 5) },
  { name: "clc", bytes: () => [0xf8] }, { name: "stc", bytes: () => [0xf9] }, { name: "cmc", bytes: () => [0xf5] },
  { name: "sahf", bytes: (s) => (s === 8 ? [0x9e] : null) },
  { name: "daa", bytes: (s) => (s === 8 ? [0x27] : null) }, { name: "das", bytes: (s) => (s === 8 ? [0x2f] : null) },
  { name: "aaa", bytes: (s) => (s === 8 ? [0x37] : null) }, { name: "aas", bytes: (s) => (s === 8 ? [0x3f] : null) },
  { name: "bt", bytes: (s) => (s === 8 ? null : [...(s === 32 ? [0x66] : []), 0x0f, 0xa3, 0xd8]), min: 2 },
  { name: "shld cl", bytes: (s) => (s === 8 ? null : [...(s === 32 ? [0x66] : []), 0x0f, 0xa5, 0xd8]), min: 2 },
  { name: "bsf", bytes: (s) => (s === 8 ? null : [...(s === 32 ? [0x66] : []), 0x0f, 0xbc, 0xc3]), min: 2 },
];

const LEVEL: Record<CpuModel, number> = { "8086": 0, "286": 1, "386": 2 };
const ROW = 8;

/** The matrix program for `size` on `cpu`, with `rows` operand rows from `seed`. */
export function matrixProgram(seed: number, cpu: CpuModel, size: 8 | 16 | 32, rows: number, part: 0 | 1): Program {
  const main = new Section("main", 0);
  const prods = PRODUCERS.filter((p, i) => i % 2 === part && (p.min ?? 0) <= LEVEL[cpu] && p.bytes(size) !== null);
  main.insn(0x31, 0xf6);                                        // xor si,si
  main.insn(0x31, 0xff);                                        // xor di,di
  main.insn(0xfc);                                              // cld (the table's flags keep DF = 0)
  const top = main.here("row");
  for (const p of prods) {
    main.note = p.name;
    main.insn(0xff, 0x74, 6);                                   // push word [si+6]
    main.insn(0x9d);                                            // popf
    main.insn(0xbd, 0, 0);                                      // mov bp,0
    main.insn(...(size === 32 ? [0x66] : []), 0x8b, 0x04);      // mov ax|eax,[si]
    main.insn(...(size === 32 ? [0x66] : []), 0x8b, 0x5c, 2);   // mov bx|ebx,[si+2]   (32: [si+2..5])
    main.insn(0x8a, 0x4c, 4);                                   // mov cl,[si+4]
    main.insn(...p.bytes(size)!);
    for (let cc = 0; cc < 16; cc++) {
      main.insn(0x70 | cc, 4);                                  // jcc +4
      main.insn(0x8d, 0xae, (1 << cc) & 0xff, (1 << cc) >> 8);  // lea bp,[bp+2^cc]
    }
    main.insn(0x9c); main.insn(0x5a);                           // pushf / pop dx
    const o32 = size === 32 ? [0x66] : [];
    main.insn(...o32, 0xab);                                    // stosw|stosd (result)
    main.insn(...o32, 0x89, 0xd8); main.insn(...o32, 0xab);     // mov ax,bx / stosw (eax,ebx / stosd)
    main.insn(0x89, 0xe8); main.insn(0xab);                     // mov ax,bp / stosw
    main.insn(0x89, 0xd0); main.insn(0xab);                     // mov ax,dx / stosw
  }
  main.note = "next row";
  main.insn(0x83, 0xc6, ROW);                                   // add si,8
  main.insn(0x81, 0xfe, (rows * ROW) & 0xff, (rows * ROW) >> 8); // cmp si,end
  main.insn(0x73, 3);                                           // jae +3
  main.rel16([0xe9], top);                                      // jmp near row
  main.note = "end";
  main.insn(0xf4);
  if (main.length > 0x1000) throw new Error(`matrix program too long (${main.length} bytes)`);
  link([main]);
  // The table: a, b (overlapping dwords for 32 bits), count, flags.
  const r = mulberry32(seed);
  const edges = size === 8 ? [0, 1, 0x7f, 0x80, 0xff, 0x0f, 0x10] : size === 16 ? [0, 1, 0x7fff, 0x8000, 0xffff, 0x00ff, 0x0100] : [0, 1, 0x7fff, 0x8000, 0xffff, 0xff00, 0x00ff];
  const table = new Uint8Array(rows * ROW);
  for (let i = 0; i < rows; i++) {
    const pick = () => (r() < 0.6 ? edges[Math.floor(r() * edges.length)] : Math.floor(r() * 0x10000));
    const a = pick(), b = pick();
    const count = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 0xff][Math.floor(r() * 13)];
    const flags = (Math.floor(r() * 0x10000) & 0x08d5) | 2;   // OF SF ZF AF PF CF, DF = 0
    table.set([a & 0xff, a >> 8, b & 0xff, b >> 8, count, Math.floor(r() * 256), flags & 0xff, flags >> 8], i * ROW);
  }
  return { seed, cpu, sections: [main], regs: { ecx: 1, flags: 2 }, dataSeed: seed, data: [{ addr: 0x20000, bytes: table }] };
}
