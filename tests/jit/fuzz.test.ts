/**
 * fuzz.test.ts — random loop programs under the translator and the
 * interpreter: the same registers, memory and instruction count, however
 * the run is sliced. The programs are valid by construction: a LOOP over a
 * body of random instructions — MOV/ALU/INC/DEC/shifts on registers, ALU
 * on memory through BX, PUSH/POP pairs, forward Jcc — some of which
 * rewrite the immediate of a later instruction in the body (self-modifying
 * code, on the page the translated code came from).
 */
import { describe, it, expect } from "vitest";
import { Machine, loadJit, type CpuModel, type Engine } from "../../src/index.js";
import { mulberry32 } from "../support/mulberry32.js";

await loadJit();

const CODE = 0x1000;
/** Registers the body may write: AX DX BP SI DI (BX addresses memory, CX
 *  counts the loop, SP is the stack). */
const DST = [0, 2, 5, 6, 7];

function program(seed: number): number[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const byte = () => Math.floor(r() * 256);
  const out: number[] = [0xb9, 3 + Math.floor(r() * 40), 0x00, 0xbb, 0x00, 0x20]; // mov cx,n / mov bx,2000h
  const loopStart = out.length;
  /** Offsets (in `out`) of imm8 bytes a later SMC store may patch. */
  const imms: number[] = [];
  const patches: number[] = []; // offsets of the address field of "mov byte [addr], imm8"
  const n = 6 + Math.floor(r() * 18);
  for (let i = 0; i < n; i++) {
    const d = pick(DST), s = pick([0, 1, 2, 3, 5, 6, 7]);
    const alu = pick([0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39]);
    switch (Math.floor(r() * 11)) {
      case 0: out.push(0xb8 + d, byte(), byte()); break;                             // mov r,imm16
      case 1: out.push(alu, 0xc0 | (s << 3) | d); break;                              // alu r,r
      case 2: out.push(0x83, 0xc0 | (((alu >> 3) & 7) << 3) | d, byte()); imms.push(out.length - 1); break; // alu r,imm8
      case 3: out.push(alu | 2, 0x47 | (d << 3), byte() & 0x7e); break;               // alu r,[bx+d8]
      case 4: out.push(alu, 0x47 | (s << 3), byte() & 0x7e); break;                   // alu [bx+d8],r
      case 5: out.push(pick([0x40, 0x48]) + d); break;                                // inc/dec r
      case 6: out.push(0xd1, 0xe0 | (pick([0, 1, 4, 5, 7]) << 3) | d); break;          // rol/ror/shl/shr/sar r,1
      case 7: out.push(0x50 + s, 0x58 + d); break;                                    // push s / pop d
      case 8: out.push(0x70 | Math.floor(r() * 16), 0x02, 0x40 + d, 0x48 + pick(DST)); break; // jcc +2 over inc/dec
      case 9: out.push(0x89, 0x47 | (s << 3), byte() & 0x7e); break;                   // mov [bx+d8],r
      default: out.push(0xc6, 0x06, 0, 0, byte()); patches.push(out.length - 3); break; // mov byte [addr],imm8 (SMC)
    }
  }
  // Point each SMC store at an imm8 of the body (or at data if none).
  for (const p of patches) {
    const target = imms.length ? CODE + pick(imms) : 0x2100 + Math.floor(r() * 64);
    out[p] = target & 0xff; out[p + 1] = target >> 8;
  }
  const disp = loopStart - (out.length + 2);
  if (disp < -128) return program(seed + 0x10000); // body too long for LOOP rel8: draw again
  out.push(0xe2, disp & 0xff, 0xf4);                                                  // loop / hlt
  return out;
}

function run(code: number[], cpu: CpuModel, engine: Engine, slices: number[]): { regs: unknown; count: number; data: number[]; code: number[] } {
  const m = new Machine({ cpu, engine, jit: { threshold: 1 } });
  m.load(CODE, code);
  m.write(0x2000, Array.from({ length: 0x180 }, (_, i) => (i * 37) & 0xff));
  m.setRegisters({ cs: 0, ip: CODE, ds: 0, es: 0, ss: 0, sp: 0x8000, ax: 0x1234, dx: 0x8001, si: 7, di: 0xfffe, bp: 0x55aa });
  for (const n of slices) m.run({ maxInstructions: n });
  return { regs: m.registers, count: m.instructionCount, data: [...m.read(0x2000, 0x180)], code: [...m.read(CODE, code.length)] };
}

/** Programs per model. Each costs ~0.35 s, mostly translation: a loop
 *  that patches its own body is retranslated on every pass. */
const PROGRAMS = 30;

describe("jit vs interpreter: random loop programs", () => {
  for (const cpu of ["8086", "286"] as const) {
    it(`${cpu}: ${PROGRAMS} programs, sliced runs`, () => {
      let smc = 0;
      for (let i = 0; i < PROGRAMS; i++) {
        const code = program(0xf00d + i * 7919 + (cpu === "286" ? 1 : 0));
        if (code.includes(0xc6)) smc++;
        const slices = [1 + (i % 5), 3, 17 + i, 1000, 2000];
        const a = run(code, cpu, "interp", slices), b = run(code, cpu, "jit", slices);
        expect(b, `${cpu} program ${i}: ${code.map((x) => x.toString(16).padStart(2, "0")).join(" ")}`).toEqual(a);
      }
      expect(smc).toBeGreaterThan(PROGRAMS / 6);
    });
  }
});
