/**
 * interp-agreement.test.ts — the decoder (src/x86) and the interpreter
 * (assembly/cpu) must agree on what an instruction is, since the
 * translator will trust the one and call the other: for random byte
 * sequences on every model, the decoder says #UD exactly when the
 * interpreter raises it, and for straight-line instructions that ran
 * without an exception, the decoder's length is how far IP moved.
 */
import { describe, it, expect } from "vitest";
import { Machine, type CpuModel } from "../../src/index.js";
import { decodeBytes } from "../../src/x86/index.js";
import { mulberry32 } from "../support/mulberry32.js";

const CODE = 0x10000; // 1000:0000
const HANDLERS = 0x800; // vector v → 0000:(800h + v), a HLT

/** Bytes biased towards prefixes and the 0F map, so the 386's forms and
 *  the prefix rules get real coverage. */
function randomInstruction(next: () => number): number[] {
  const out: number[] = [];
  const prefixes = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3];
  while (next() < 0.3 && out.length < 4) out.push(prefixes[Math.floor(next() * prefixes.length)]);
  if (next() < 0.25) out.push(0x0f);
  while (out.length < 16) out.push(Math.floor(next() * 256));
  return out;
}

function check(cpu: CpuModel, seed: number, cases: number): { compared: number; ud: number } {
  const next = mulberry32(seed);
  let m = new Machine({ cpu });
  const ivt: number[] = [];
  for (let v = 0; v < 256; v++) ivt.push((HANDLERS + v) & 0xff, (HANDLERS + v) >> 8, 0, 0);
  let compared = 0, ud = 0;
  for (let i = 0; i < cases; i++) {
    const bytes = randomInstruction(next);
    m.write(0, ivt);
    m.write(HANDLERS, new Array(256).fill(0xf4));
    m.load(CODE, bytes);
    m.setRegisters({
      cs: 0x1000, ip: 0, ds: 0x2000, es: 0x3000, ss: 0x4000, sp: 0x8000, flags: 0x0002,
      // ECX = 0: a REP string op (by CX or ECX) retires at once.
      eax: 0x1234, ebx: 0x0100, ecx: 0, edx: 0x00f0, esi: 0x0200, edi: 0x0300, ebp: 0x0400,
    });
    const insn = decodeBytes(bytes, 0, cpu, 0, 0x1000);
    m.step();
    const r = m.registers;
    const vector = r.cs === 0 && r.ip >= HANDLERS && r.ip < HANDLERS + 256 ? r.ip - HANDLERS : -1;
    const what = () => `${cpu} seed ${seed} case ${i}: ${bytes.slice(0, insn.length || 16).map((b) => b.toString(16).padStart(2, "0")).join(" ")} (${insn.mnemonic}, ${insn.status}${insn.fault ? `, ${insn.fault}` : ""}) → ${vector >= 0 ? `vector ${vector}` : `${r.cs.toString(16)}:${r.ip.toString(16)}`}`;
    // LIDT moves the vector table for the cases after it: start afresh.
    if (insn.mnemonic === "lidt") m = new Machine({ cpu });
    if (insn.status === "truncated") continue;
    // INT 6 also lands in vector 6; only count it as #UD when it is not one.
    const interpUD = vector === 6 && insn.flow !== "int";
    const decoderUD = insn.fault === "ud";
    expect(interpUD, what()).toBe(decoderUD);
    if (decoderUD) ud++;
    if (vector < 0 && insn.flow === "none" && insn.status === "ok" && r.cs === 0x1000) {
      expect(r.ip, what()).toBe(insn.length);
      compared++;
    }
  }
  return { compared, ud };
}

describe("decoder and interpreter agree", () => {
  for (const cpu of ["8086", "286", "386"] as const) {
    it(`${cpu}: #UD and instruction lengths on 20,000 random instructions`, () => {
      const { compared, ud } = check(cpu, 0x5eed0000 + cpu.length, 20_000);
      expect(compared).toBeGreaterThan(5_000);
      if (cpu !== "8086") expect(ud).toBeGreaterThan(100);
    });
  }
});
