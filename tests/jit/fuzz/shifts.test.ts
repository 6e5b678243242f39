/**
 * shifts.test.ts — the translator against the interpreter on the shift
 * and rotate group and what reads its flags (fuzz/shifts.ts): random
 * programs of every kind, size, count and operand, CL known and changed,
 * every flag reader after them, rotates after every record kind, memory
 * shifts at FFFFh (#GP on the 286/386, stepped over by the programs'
 * handler) and self-modifying counts; and a table-driven matrix of every
 * kind × count form × count on each operand size, on registers and on
 * memory at ordinary, page-crossing and faulting offsets. The random
 * suites also run with flag elision off (every record stored at once).
 * Replaying and FUZZ_* variables: see flags.test.ts and fuzz/harness.ts.
 */
import { describe, it, expect } from "vitest";
import { loadJit } from "../../../src/index.js";
import { CONFIGS, type JitConfig, fuzzSuite, cpus, check, naturalLength, slicing } from "./harness.js";
import { shiftProgram, shiftMatrix } from "./shifts.js";

await loadJit();

const file = "tests/jit/fuzz/shifts.test.ts";

/** CONFIGS without the one that inlines nothing, the small blocks at -O0
 *  (binaryen's optimiser on many small regions is most of a run's time;
 *  t0-region1-O1 still optimises), and two with flag elision off: every
 *  record made and stored at once. */
const SHIFT_CONFIGS: readonly JitConfig[] = [
  ...CONFIGS.filter((c) => c.jit.inline !== false && c.name !== "t1-block5-O1"),
  { name: "t1-block5-O0", jit: { threshold: 1, maxBlock: 5, optimize: 0 } },
  { name: "t0-noelide", jit: { threshold: 0, flagElision: false } },
  { name: "t0-noelide-block4", jit: { threshold: 0, flagElision: false, maxBlock: 4 } },
];

describe("jit vs interpreter: shifts and rotates, and their flags' readers", () => {
  fuzzSuite({ file, base: 0x5a1f7, n: 8, models: ["8086", "286", "386"], build: shiftProgram, configs: SHIFT_CONFIGS });
});

/** Small regions: the matrices are long straight code, whose big
 *  regions cost more to translate than to run. */
const MATRIX_CONFIGS: readonly JitConfig[] = [
  { name: "t0-region1", jit: { threshold: 0, maxRegion: 1 } },
  { name: "t0-region1-noelide", jit: { threshold: 0, maxRegion: 1, flagElision: false } },
  { name: "t0-region3-block8", jit: { threshold: 0, maxRegion: 3, maxBlock: 8 } },
];

describe("jit vs interpreter: every shift kind × count form × count, over operand tables", () => {
  for (const cpu of cpus(["8086", "286", "386"])) {
    const sizes = cpu === "386" ? [8, 16, 32] as const : [8, 16] as const;
    for (const operand of ["reg", "mem"] as const) {
      it(`${cpu}: ${sizes.join("/")}-bit ${operand === "reg" ? "registers" : "memory (offsets 0800h, FFFCh–FFFFh, across pages)"}, sliced`, () => {
        for (const size of sizes) {
          for (const part of [0, 1]) {
            // FUZZ_SEED_BASE draws other tables and random counts;
            // FUZZ_ALL_CONFIGS runs each program under every configuration.
            const base = process.env.FUZZ_SEED_BASE;
            const seed = ((0x5a1f7 + size * 4 + part * 2 + (operand === "mem" ? 1 : 0) + cpu.length * 1000) ^ Number(base ?? 0)) >>> 0;
            const p = shiftMatrix(seed, cpu, size, operand, part ? [1, 3, 5, 7] : [0, 2, 4, 6]);
            const len = naturalLength(p, 400_000);
            expect(len.halted).toBe(true);
            const configs = process.env.FUZZ_ALL_CONFIGS ? MATRIX_CONFIGS
              : [MATRIX_CONFIGS[(size / 8 + part + (operand === "mem" ? 1 : 0)) % MATRIX_CONFIGS.length]];
            for (const cfg of configs) {
              check(p, cfg, slicing(seed, len.count), `matrix ${cpu} ${size}-bit ${operand} kinds ${part ? "1 3 5 7" : "0 2 4 6"}: `
                + `${base ? `FUZZ_SEED_BASE=${base} ` : ""}npx vitest run ${file} -t "every shift kind"`);
            }
          }
        }
      });
    }
  }
});
