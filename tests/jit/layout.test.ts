/**
 * The shape of a region's function (src/jit/layout.ts): which back-edge
 * targets become Wasm loops, which are left to the dispatch, and that a
 * program with nested loops, a side entry and a call runs translated
 * exactly as interpreted.
 */
import { describe, expect, it } from "vitest";
import { planLoops } from "../../src/jit/layout.js";
import { Machine } from "../../src/index.js";

const plan = (n: number, edges: [number, number][], entry = 0) => {
  const p = planLoops(n, edges, entry);
  return { loops: Object.fromEntries(p.loops), dispatched: [...p.dispatched].sort() };
};

describe("planLoops", () => {
  it("a self-loop and a loop over three blocks", () => {
    expect(plan(1, [[0, 0]])).toEqual({ loops: { 0: 0 }, dispatched: [] });
    // the CRC bit loop: 0 → 1, 0 → 2, 1 → 2, 2 → 0
    expect(plan(3, [[0, 1], [0, 2], [1, 2], [2, 0]])).toEqual({ loops: { 0: 2 }, dispatched: [] });
  });

  it("nested loops nest; overlapping ones are widened until they do", () => {
    expect(plan(4, [[0, 1], [1, 2], [2, 1], [2, 3], [3, 0]])).toEqual({ loops: { 0: 3, 1: 2 }, dispatched: [] });
    // back edges 2 → 0 and 3 → 1: [0, 2] and [1, 3] overlap; [0, 3] holds [1, 3]
    expect(plan(4, [[0, 1], [1, 2], [2, 0], [2, 3], [3, 1]])).toEqual({ loops: { 0: 3, 1: 3 }, dispatched: [] });
  });

  it("a loop entered other than at its header is left to the dispatch, and so is one around it", () => {
    // 0 → 2 enters the loop [1, 3] in the middle
    expect(plan(4, [[0, 1], [0, 2], [1, 2], [2, 3], [3, 1]])).toEqual({ loops: {}, dispatched: [1] });
    // the entry inside a loop
    expect(plan(3, [[0, 1], [1, 2], [2, 0]], 1)).toEqual({ loops: {}, dispatched: [0] });
    // the inner loop [2, 3] has a side entry from 0; the outer [1, 4] holds
    // its header, now a dispatch target, so it goes too
    expect(plan(5, [[0, 1], [0, 3], [1, 2], [2, 3], [3, 2], [3, 4], [4, 1]])).toEqual({ loops: {}, dispatched: [1, 2] });
  });

  it("rejects an edge outside the region", () => {
    expect(() => planLoops(2, [[0, 2]], 0)).toThrow(RangeError);
  });
});

describe("regions with loops run as interpreted", () => {
  // 1000: mov cx,5
  // 1003: outer: mov si,4
  // 1006: inner: add ax,si / call f / dec si / jnz inner
  // 100E: loop outer / hlt
  // 1011: f: rol ax,1 / cmp ax,bx / jb skip / xor ax,0x5555 / skip: ret
  const code = [
    0xb9, 0x05, 0x00, 0xbe, 0x04, 0x00, 0x01, 0xf0, 0xe8, 0x06, 0x00, 0x4e, 0x75, 0xf8, 0xe2, 0xf3, 0xf4,
    0xd1, 0xc0, 0x39, 0xd8, 0x72, 0x03, 0x35, 0x55, 0x55, 0xc3,
  ];
  const run = (engine: "interp" | "jit", budget: number, jit = {}) => {
    const m = new Machine({ engine, jit });
    m.load(0x1000, code);
    m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800, bx: 0x4000 });
    const r = m.run({ maxInstructions: budget });
    return { reason: r.reason, regs: m.registers, count: m.instructionCount };
  };
  for (const jit of [{ threshold: 0 }, { threshold: 2 }, { threshold: 0, maxBlock: 2 }]) {
    it(`nested loops and a call, stopped at every count (${JSON.stringify(jit)})`, () => {
      const end = run("interp", 1e4);
      expect(end.reason).toBe("halt");
      for (let budget = 1; budget <= end.count; budget += budget < 60 ? 1 : 7) {
        expect(run("jit", budget, jit), `budget ${budget}`).toEqual(run("interp", budget));
      }
    });
  }
});
