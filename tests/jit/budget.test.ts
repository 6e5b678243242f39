/**
 * Where generated code tests the instruction budget (src/jit/budget.ts):
 * only on edges into loop headers and after a REP, for the most
 * instructions that can follow before the next test.
 */
import { describe, expect, it } from "vitest";
import { decodeBlock, type Block } from "../../src/x86/block.js";
import { planBudget } from "../../src/jit/budget.js";
import { Machine } from "../../src/index.js";

/** The blocks a region would hold for `code` at 0000:1000, by IP. */
function blocks(code: number[], starts: number[]): Block[] {
  const read = (a: number) => (a >= 0x1000 && a < 0x1000 + code.length ? code[a - 0x1000] : 0xf4);
  return starts.map((ip) => decodeBlock(read, "8086", 0, ip));
}

// 1000: shl dx,1 / jnc 1008 / 1004: xor dx,0x1021 / 1008: loop 1000 / 100A: hlt
const CRC_BIT = [0xd1, 0xe2, 0x73, 0x04, 0x81, 0xf2, 0x21, 0x10, 0xe2, 0xf6, 0xf4];

describe("the budget plan", () => {
  it("a loop tests once per pass, on its back edge, for its longest pass", () => {
    const plan = planBudget(blocks(CRC_BIT, [0x1000, 0x1004, 0x1008, 0x100a]), []);
    expect(plan.get(0x1000)).toEqual({ check: true, bound: 5 }); // shl,jnc + xor,loop + hlt
    expect(plan.get(0x1004)).toEqual({ check: false, bound: 3 });
    expect(plan.get(0x1008)).toEqual({ check: false, bound: 2 });
    expect(plan.get(0x100a)).toEqual({ check: false, bound: 1 });
  });

  it("what follows a REP is tested again: its iterations count beyond its length", () => {
    // 1000: rep stosb / jmp 1004 / 1004: inc ax / jmp 1000
    const code = [0xf3, 0xaa, 0xeb, 0x00, 0x40, 0xeb, 0xf9];
    const plan = planBudget(blocks(code, [0x1000, 0x1004]), []);
    expect(plan.get(0x1004)).toEqual({ check: true, bound: 2 });
    expect(plan.get(0x1000)).toEqual({ check: true, bound: 2 });
  });

  it("runs to an exact count however the budget is sliced", () => {
    // mov cx,1000 / the bit loop above: stop at every count from 1 to 40
    // and from the end, against the interpreter.
    const program = [0xb9, 0xe8, 0x03, 0xba, 0x34, 0x12, ...CRC_BIT];
    for (const budget of [1, 2, 3, 5, 8, 13, 21, 34, 40, 2001, 3000]) {
      const state = (engine: "interp" | "jit") => {
        const m = new Machine({ engine, jit: { threshold: 0 } });
        m.load(0x1000, program);
        m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
        const r = m.run({ maxInstructions: budget });
        return { r, regs: m.registers, count: m.instructionCount, runs: m.jitStats?.blockRuns };
      };
      const interp = state("interp"), jit = state("jit");
      expect({ ...jit, runs: undefined }, `budget ${budget}`).toEqual({ ...interp, runs: undefined });
      if (budget > 100) expect(jit.runs).toBeGreaterThan(0);
    }
  });
});

describe("entries near a budget cut", () => {
  // mov cx,0 / l: inc ax / loop l (65,536 passes) / hlt
  const program = [0xb9, 0x00, 0x00, 0x40, 0xe2, 0xfd, 0xf4];
  const sliced = (slice: number, threshold: number) => {
    const m = new Machine({ engine: "jit", jit: { threshold } });
    m.load(0x1000, program);
    m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
    for (let i = 0; i < 40; i++) m.run({ maxInstructions: slice });
    return { stats: m.jitStats!, ax: m.registers.ax, count: m.instructionCount };
  };

  it("do not count toward translation: a cut every 200 instructions leaves the loop interpreted", () => {
    // Every entry into the loop is within 512 instructions of a cut.
    const r = sliced(200, 2);
    expect(r.count).toBe(8000);
    expect(r.stats.blocksCompiled).toBe(0);
    expect(r.ax).toBe(4000); // mov, then 3,999.5 passes of inc/loop
  });

  it("but away from cuts they do, and threshold 0 translates at once whatever the cuts", () => {
    expect(sliced(5000, 2).stats.blocksCompiled).toBeGreaterThan(0);
    const atOnce = sliced(200, 0);
    expect(atOnce.stats.blocksCompiled).toBeGreaterThan(0);
    expect(atOnce.ax).toBe(4000);
  });
});
