/**
 * The core's bulk path for REP MOVS/STOS/CMPS/SCAS (assembly/cpu/string.ts)
 * against its element-by-element path. Single-stepping gives a budget of
 * one instruction, so no chunk is ever longer than one element: a program
 * stepped through must end exactly where the same program run in one go
 * (or in odd-sized slices, which cut chunks short) ends — registers,
 * flags, memory and instruction count.
 */
import { describe, expect, it } from "vitest";
import { Machine, type CpuModel, type Engine } from "../src/index.js";

/** 0000:1000, data in segment 2000h. Each REP is chosen to cross a page,
 *  overlap, wrap the offset, stop on a comparison or run with DF set. */
const PROGRAM = [
  0xb8, 0x00, 0x20, //             mov ax,0x2000
  0x8e, 0xd8, //                   mov ds,ax
  0x8e, 0xc0, //                   mov es,ax
  0xfc, //                         cld
  0xbf, 0x00, 0x0f, //             mov di,0x0F00
  0xb9, 0x88, 0x13, //             mov cx,5000
  0xb0, 0x5a, //                   mov al,0x5A
  0xf3, 0xaa, //                   rep stosb       (crosses a page)
  0xbf, 0xff, 0x2f, //             mov di,0x2FFF
  0xb8, 0x34, 0x12, //             mov ax,0x1234
  0xb9, 0xb8, 0x0b, //             mov cx,3000
  0xf3, 0xab, //                   rep stosw       (a word across each page end)
  0xbe, 0x00, 0x0f, //             mov si,0x0F00
  0xbf, 0x01, 0x0f, //             mov di,0x0F01
  0xb9, 0x2c, 0x01, //             mov cx,300
  0xc6, 0x06, 0x00, 0x0f, 0x11, // mov byte [0x0F00],0x11
  0xf3, 0xa4, //                   rep movsb       (overlap: replicates 11h)
  0xc6, 0x06, 0x00, 0x15, 0x77, // mov byte [0x1500],0x77
  0xbe, 0x00, 0x10, //             mov si,0x1000
  0xbf, 0x03, 0x80, //             mov di,0x8003
  0xb9, 0xa0, 0x0f, //             mov cx,4000
  0xf3, 0xa5, //                   rep movsw
  0xbe, 0x00, 0x10, //             mov si,0x1000
  0xbf, 0x03, 0x80, //             mov di,0x8003
  0xb9, 0xa0, 0x0f, //             mov cx,4000
  0xf3, 0xa6, //                   repe cmpsb      (equal all the way)
  0xc6, 0x06, 0x10, 0x90, 0x99, // mov byte [0x9010],0x99
  0xbe, 0x00, 0x10, //             mov si,0x1000
  0xbf, 0x03, 0x80, //             mov di,0x8003
  0xb9, 0xa0, 0x0f, //             mov cx,4000
  0xf3, 0xa7, //                   repe cmpsw      (stops at the 99h)
  0xbf, 0x00, 0x0f, //             mov di,0x0F00
  0xb0, 0x77, //                   mov al,0x77
  0xb9, 0xff, 0xff, //             mov cx,0xFFFF
  0xf2, 0xae, //                   repne scasb     (finds the 77h)
  0xbf, 0x00, 0x30, //             mov di,0x3000
  0xb8, 0x34, 0x12, //             mov ax,0x1234
  0xb9, 0x00, 0x10, //             mov cx,0x1000
  0xf3, 0xaf, //                   repe scasw      (odd-aligned pattern: stops at once)
  0xbf, 0xf0, 0xff, //             mov di,0xFFF0
  0xb9, 0x28, 0x00, //             mov cx,40
  0xf3, 0xaa, //                   rep stosb       (the offset wraps)
  0xfd, //                         std
  0xbe, 0x00, 0x11, //             mov si,0x1100
  0xbf, 0x00, 0x12, //             mov di,0x1200
  0xb9, 0x00, 0x01, //             mov cx,256
  0xf3, 0xa4, //                   rep movsb       (DF set: element by element)
  0xfc, //                         cld
  0xf4, //                         hlt
];

function machine(cpu: CpuModel, engine: Engine): Machine {
  const m = new Machine({ cpu, engine, jit: engine === "jit" ? { threshold: 0 } : undefined });
  m.load(0x1000, PROGRAM);
  m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
  return m;
}

function finalState(m: Machine) {
  return { registers: m.registers, count: m.instructionCount, data: Buffer.from(m.read(0x20000, 0x10000)).toString("base64") };
}

describe("REP string instructions in bulk", () => {
  for (const cpu of ["8086", "286", "386"] as CpuModel[]) {
    it(`${cpu}: one run, slices and single steps end the same`, () => {
      const whole = machine(cpu, "interp");
      expect(whole.run({ maxInstructions: 1e6 }).reason).toBe("halt");
      expect(whole.stats.repBulk).toBeGreaterThan(5);
      const reference = finalState(whole);

      const stepped = machine(cpu, "interp");
      for (let i = 0; i < 1e6 && !stepped.halted; i++) stepped.step();
      expect(stepped.stats.repBulk).toBe(0);
      expect(finalState(stepped)).toEqual(reference);

      for (const engine of ["interp", "jit"] as Engine[]) {
        for (const slice of [7, 333, 4097]) {
          const sliced = machine(cpu, engine);
          for (let i = 0; i < 1e6 && !sliced.halted; i++) sliced.run({ maxInstructions: slice });
          expect(finalState(sliced), `${engine}, slices of ${slice}`).toEqual(reference);
        }
      }
    });
  }

  it("what the program leaves is what the instructions mean", () => {
    const m = machine("8086", "interp");
    m.run({ maxInstructions: 1e6 });
    const at = (off: number) => m.readByte(0x20000 + off);
    expect(at(0x0f00 + 299)).toBe(0x11); // replicated by the overlapping MOVSB
    expect(at(0x0f00 + 300)).toBe(0x11);
    expect(at(0x0f00 + 301)).toBe(0x5a);
    expect([at(0xfff0), at(0xffff), at(0x0000), at(0x0017), at(0x0018)]).toEqual([0x34, 0x34, 0x34, 0x34, 0x00]); // the wrapped STOSB (AL = 34h)
    expect(at(0x8503)).toBe(0x77); // MOVSW copied the 77h
    expect(m.registers.ip).toBe(0x1000 + PROGRAM.length);
  });

  it("byte and word compares, eight bytes at a time, stop exactly where element by element does", () => {
    // mov ax,2000h / mov ds,ax / mov es,ax / cld / mov si,100h / mov di,300h / mov cx,40 / mov ax,5A5Ah / <op> / hlt
    const forms: [string, number[], (k: number, i: number) => [number, number]][] = [
      // [name, bytes, (stop, i) → [DS:100h+i, ES:300h+i]] — elements i
      ["repe cmpsb", [0xf3, 0xa6], (k, i) => [i * 7, i === k ? i * 7 + 1 : i * 7]],
      // (REPNE: elements that differ differ in the top bit too, and in
      // the low byte for words: no lane of the XOR is zero)
      ["repne cmpsb", [0xf2, 0xa6], (k, i) => [i * 7, i === k ? i * 7 : (i * 7) ^ (0x80 | i)]],
      ["repe scasb", [0xf3, 0xae], (k, i) => [0, i === k ? 0x5b : 0x5a]],
      ["repne scasb", [0xf2, 0xae], (k, i) => [0, i === k ? 0x5a : 0x5a ^ (0x80 | i)]],
      ["repe cmpsw", [0xf3, 0xa7], (k, i) => [i * 0x0107, i === k ? i * 0x0107 + 0x100 : i * 0x0107]],
      ["repne cmpsw", [0xf2, 0xa7], (k, i) => [i * 0x0107, i === k ? i * 0x0107 : (i * 0x0107) ^ (0x8001 | i << 8)]],
      ["repe scasw", [0xf3, 0xaf], (k, i) => [0, i === k ? 0x5b5a : 0x5a5a]],
      // (a word equal in one byte only must not stop REPNE)
      ["repne scasw", [0xf2, 0xaf], (k, i) => [0, i === k ? 0x5a5a : i % 2 ? 0x5a00 | i : 0x805a]],
    ];
    for (const [name, op, data] of forms) {
      const size = op[1] & 1 ? 2 : 1;
      for (const k of [...Array.from({ length: 25 }, (_, i) => i), 39, 40]) {
        const run = (stepped: boolean) => {
          const m = new Machine({ cpu: "8086" });
          m.load(0x1000, [0xb8, 0x00, 0x20, 0x8e, 0xd8, 0x8e, 0xc0, 0xfc, 0xbe, 0x00, 0x01, 0xbf, 0x00, 0x03, 0xb9, 0x28, 0x00,
            0xb8, 0x5a, 0x5a, ...op, 0xf4]);
          for (let i = 0; i < 48; i++) {
            const [src, dst] = data(k, i);
            m.load(0x20100 + i * size, size === 1 ? [src & 0xff] : [src & 0xff, (src >> 8) & 0xff]);
            m.load(0x20300 + i * size, size === 1 ? [dst & 0xff] : [dst & 0xff, (dst >> 8) & 0xff]);
          }
          m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
          if (stepped) for (let i = 0; i < 1000 && !m.halted; i++) m.step();
          else expect(m.run({ maxInstructions: 1000 }).reason).toBe("halt");
          return { registers: m.registers, count: m.instructionCount, bulk: m.stats.repBulk };
        };
        const bulk = run(false), stepped = run(true);
        expect({ ...bulk, bulk: 0 }, `${name}, stop at ${k}`).toEqual({ ...stepped, bulk: 0 });
        if (k >= 2) expect(bulk.bulk, `${name}, stop at ${k}`).toBeGreaterThan(0);
      }
    }
  });
});
