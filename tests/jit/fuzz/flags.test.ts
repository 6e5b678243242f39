/**
 * flags.test.ts — the translator against the interpreter on random
 * programs of flag producers and consumers (fuzz/flags.ts): every consumer
 * after every producer, the pair split across block boundaries, inner
 * LOOPZ/LOOPNZ/JCXZ loops, shifts by CL = 0. What is compared, the jit
 * configurations, replaying a seed and the FUZZ_* variables: fuzz/harness.ts.
 */
import { describe, it, expect } from "vitest";
import { loadJit } from "../../../src/index.js";
import { buildProgram } from "./gen.js";
import { FLAG_MIX } from "./flags.js";
import { matrixProgram } from "./matrix.js";
import { fuzzSuite, cpus, check, naturalLength, slicing } from "./harness.js";

await loadJit();

describe("jit vs interpreter: flag producers and consumers", () => {
  fuzzSuite({
    file: "tests/jit/fuzz/flags.test.ts", base: 0xf1a65, n: 6, models: ["8086", "286", "386"],
    build: (seed, cpu) => buildProgram(seed, cpu, FLAG_MIX),
  });
});

const MATRIX_CONFIGS = [
  { name: "t0-O0", jit: { threshold: 0, optimize: 0 } },
  { name: "t0-region4-block20-O0", jit: { threshold: 0, maxRegion: 4, maxBlock: 20, optimize: 0 } },
];

describe("jit vs interpreter: every producer, then all 16 Jcc conditions across block boundaries", () => {
  for (const cpu of cpus(["8086", "286", "386"])) {
    const sizes = cpu === "386" ? [8, 16, 32] as const : [8, 16] as const;
    it(`${cpu}: ${sizes.join("/")}-bit producers over operand tables, sliced`, () => {
      for (const size of sizes) {
        for (const part of [0, 1] as const) {
          const seed = 0x3a7e1c + size * 2 + part + cpu.length * 100;
          const p = matrixProgram(seed, cpu, size, 12, part);
          const len = naturalLength(p, 200_000);
          expect(len.halted).toBe(true);
          // Big regions are costly to optimise: binaryen -O0 here (the
          // random suites run the shipped -O2 too).
          const cfg = MATRIX_CONFIGS[(size / 8 + part) % MATRIX_CONFIGS.length];
          check(p, cfg, slicing(seed, len.count), `matrix ${cpu} ${size}-bit part ${part}: npx vitest run tests/jit/fuzz/flags.test.ts`);
        }
      }
    });
  }
});
