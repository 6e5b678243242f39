/**
 * memory.test.ts — the translator against the interpreter on random
 * programs of string instructions, segment overrides and the offset-FFFFh
 * edge (fuzz/strings.ts), and of self-modifying code (fuzz/smc.ts); and
 * on programs mixing every generator. Replaying and FUZZ_* variables: see
 * flags.test.ts and fuzz/harness.ts.
 */
import { describe, it, expect } from "vitest";
import { loadJit, Machine } from "../../../src/index.js";
import { buildProgram } from "./gen.js";
import { STRING_MIX } from "./strings.js";
import { SMC_MIX } from "./smc.js";
import { FLAG_MIX } from "./flags.js";
import { OPS386_MIX } from "./ops386.js";
import { ARITH_MIX } from "./arith.js";
import { CALL_MIX } from "./calls.js";
import { fuzzSuite, checkSeed } from "./harness.js";

await loadJit();

const file = "tests/jit/fuzz/memory.test.ts";

describe("jit vs interpreter: string instructions, segment overrides, offset FFFFh", () => {
  fuzzSuite({ file, base: 0x5791, n: 5, models: ["8086", "286", "386"], build: (seed, cpu) => buildProgram(seed, cpu, STRING_MIX) });
});

describe("jit vs interpreter: self-modifying code", () => {
  // Short loops: every pass that patches translated code retranslates it.
  fuzzSuite({
    file, base: 0x5e1f, n: 3, models: ["8086", "286", "386"],
    build: (seed, cpu) => buildProgram(seed, cpu, SMC_MIX, { constructs: [3, 8], iterations: [2, 5] }),
  });
});

describe("jit vs interpreter: every generator mixed", () => {
  const all = [...FLAG_MIX, ...OPS386_MIX, ...ARITH_MIX, ...CALL_MIX, ...SMC_MIX.map((e) => ({ ...e, w: e.w / 3 }))];
  fuzzSuite({
    file, base: 0x3137, n: 3, models: ["8086", "286", "386"],
    build: (seed, cpu) => buildProgram(seed, cpu, all, { constructs: [6, 16], iterations: [2, 8] }),
  });
});

// ------------------------------------------------ bugs the fuzzer found
// Regression cases: each failed before its fix.

describe("translator bugs the fuzzer found", () => {
  // rep-budget (fixed): a translated block that held a REP string
  // instruction ran past the instruction budget. The core enters a block
  // only if its static instruction count fits the budget, but each REP
  // iteration retires one instruction, so a REP with CX = 3 retires three;
  // the block ran on to its end. Now the block goes on after a REP only if
  // the rest still fits (codegen.ts execOne).
  it("rep-budget: mov cx,3 / rep stosb / nop / nop / hlt stops after 6 instructions", () => {
    const code = [0xb9, 0x03, 0x00, 0xf3, 0xaa, 0x90, 0x90, 0xf4];
    const runs = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "286", engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ip: 0x1000, es: 0x2000, di: 0, ss: 0, sp: 0x800 });
      const r = m.run({ maxInstructions: 6 });
      return { reason: r.reason, count: m.instructionCount, ip: m.registers.ip };
    });
    expect(runs[0]).toEqual({ reason: "budget", count: 6, ip: 0x1007 });
    expect(runs[1]).toEqual(runs[0]);
  });
  for (const [cpu, seed] of [["8086", 0xc12ecf70], ["286", 0xf973a4be], ["386", 0xbfcb7014]] as const) {
    it(`rep-budget: string program ${cpu} seed 0x${seed.toString(16)}, sliced`, () => {
      checkSeed(file, cpu, seed, (s, m) => buildProgram(s, m, STRING_MIX));
    });
  }
});
