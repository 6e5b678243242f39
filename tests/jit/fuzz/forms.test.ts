/**
 * forms.test.ts — the translator against the interpreter on random
 * programs of instruction forms: the 386's 66h/67h/0F forms and the 8-bit
 * high registers (fuzz/ops386.ts), MUL/DIV/XCHG/LEA/TEST/NOT/NEG/CBW/XLAT
 * (fuzz/arith.ts), and near CALL/RET across pages (fuzz/calls.ts).
 * Replaying and FUZZ_* variables: see flags.test.ts and fuzz/harness.ts.
 */
import { describe } from "vitest";
import { loadJit } from "../../../src/index.js";
import { buildProgram } from "./gen.js";
import { OPS386_MIX } from "./ops386.js";
import { ARITH_MIX } from "./arith.js";
import { CALL_MIX } from "./calls.js";
import { fuzzSuite } from "./harness.js";

await loadJit();

const file = "tests/jit/fuzz/forms.test.ts";

describe("jit vs interpreter: 386 forms and high byte registers", () => {
  fuzzSuite({ file, base: 0x386f0, n: 8, models: ["386"], build: (seed, cpu) => buildProgram(seed, cpu, OPS386_MIX) });
  fuzzSuite({ file, base: 0x4b4b4, n: 3, models: ["8086", "286"], build: (seed, cpu) => buildProgram(seed, cpu, OPS386_MIX) });
});

describe("jit vs interpreter: multiply, divide and friends", () => {
  fuzzSuite({ file, base: 0xa217, n: 4, models: ["8086", "286", "386"], build: (seed, cpu) => buildProgram(seed, cpu, ARITH_MIX) });
});

describe("jit vs interpreter: near CALL/RET, nested, across pages", () => {
  fuzzSuite({ file, base: 0xca11, n: 4, models: ["8086", "286", "386"], build: (seed, cpu) => buildProgram(seed, cpu, CALL_MIX) });
});
