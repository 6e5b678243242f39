/**
 * flags.test.ts — the translator against the interpreter on random
 * programs of flag producers and consumers (fuzz/flags.ts): every consumer
 * after every producer, the pair split across block boundaries, inner
 * LOOPZ/LOOPNZ/JCXZ loops, shifts by CL = 0. What is compared, the jit
 * configurations and how to replay a seed: fuzz/harness.ts, README below.
 *
 *   FUZZ_SEEDS=500 npx vitest run tests/jit/fuzz     many more programs
 *   FUZZ_SEED=0x1234abcd FUZZ_CPU=286 npx vitest run tests/jit/fuzz/flags.test.ts
 *                                                    replay one (every config)
 *   FUZZ_SEED_BASE=n   a different family of seeds;  FUZZ_VERBOSE=1  statistics
 */
import { describe } from "vitest";
import { loadJit } from "../../../src/index.js";
import { buildProgram } from "./gen.js";
import { FLAG_MIX } from "./flags.js";
import { fuzzSuite } from "./harness.js";

await loadJit();

describe("jit vs interpreter: flag producers and consumers", () => {
  fuzzSuite({
    file: "tests/jit/fuzz/flags.test.ts", base: 0xf1a65, n: 6, models: ["8086", "286", "386"],
    build: (seed, cpu) => buildProgram(seed, cpu, FLAG_MIX),
  });
});
