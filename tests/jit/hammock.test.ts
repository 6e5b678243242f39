/**
 * If-conversion (src/jit/hammock.ts, Gen.predicate): which Jccs qualify,
 * what the budget plan counts for them, and that the converted code ends
 * in the interpreter's state at every instruction count, whichever way
 * the jump goes.
 */
import { describe, expect, it } from "vitest";
import { decodeBlock, type Block } from "../../src/x86/block.js";
import { hammock } from "../../src/jit/hammock.js";
import { planBudget } from "../../src/jit/budget.js";
import { Machine, type JitOptions } from "../../src/index.js";

/** The blocks of `code` at 0000:1000 that start at `starts`, by IP. */
function region(code: number[], starts: number[], maxInstructions?: number): Map<number, Block> {
  const read = (a: number) => (a >= 0x1000 && a < 0x1000 + code.length ? code[a - 0x1000] : 0xf4);
  return new Map(starts.map((ip) => [ip, decodeBlock(read, "8086", 0, ip, maxInstructions ? { maxInstructions } : {})]));
}
const jccOf = (blocks: Map<number, Block>, ip: number) => blocks.get(ip)!.insns.at(-1)!;
const none = () => false;

// 1000: shl dx,1 / jnc 1008 / 1004: xor dx,0x1021 / 1008: loop 1000 / 100A: hlt
const CRC_BIT = [0xd1, 0xe2, 0x73, 0x04, 0x81, 0xf2, 0x21, 0x10, 0xe2, 0xf6, 0xf4];

describe("which Jccs are if-converted", () => {
  it("a Jcc over register-only instructions up to its target", () => {
    const blocks = region(CRC_BIT, [0x1000, 0x1004, 0x1008]);
    expect(hammock(jccOf(blocks, 0x1000), blocks, none)?.map((i) => i.mnemonic)).toEqual(["xor"]);
  });

  it("not when what it skips is guarded by a budget test, is not in the region, or is not pure", () => {
    const blocks = region(CRC_BIT, [0x1000, 0x1004, 0x1008]);
    expect(hammock(jccOf(blocks, 0x1000), blocks, (ip) => ip === 0x1004)).toBeNull();
    expect(hammock(jccOf(blocks, 0x1000), region(CRC_BIT, [0x1000]), none)).toBeNull();
    // jz 1006 over: mov ax,[bx] (a memory read) / inc cx
    const load = region([0x74, 0x03, 0x8b, 0x07, 0x41, 0xf4], [0x1000, 0x1002]);
    expect(hammock(jccOf(load, 0x1000), load, none)).toBeNull();
    // jz 1006 over: shl ax,cl (a zero count keeps the flags) / inc cx
    const byCl = region([0x74, 0x03, 0xd3, 0xe0, 0x41, 0xf4], [0x1000, 0x1002]);
    expect(hammock(jccOf(byCl, 0x1000), byCl, none)).toBeNull();
    // jz 1005 over five INCs: more than HAMMOCK_MAX
    const long = region([0x74, 0x05, 0x40, 0x41, 0x42, 0x43, 0x46, 0xf4], [0x1000, 0x1002]);
    expect(hammock(jccOf(long, 0x1000), long, none)).toBeNull();
    // jz 1004 into the middle of mov ax,1234h: not an instruction boundary
    const middle = region([0x74, 0x02, 0xb8, 0x34, 0x12, 0xf4], [0x1000, 0x1002]);
    expect(hammock(jccOf(middle, 0x1000), middle, none)).toBeNull();
  });

  it("the budget plan counts the skipped instructions on the way to the target", () => {
    // The target's block may run longer than the skipped one (a size
    // limit): the Jcc's block must cover skipped + the target's bound.
    const blocks = region(CRC_BIT, [0x1000, 0x1004, 0x1008]);
    const layout = [...blocks.values()];
    const plain = planBudget(layout, []);
    expect(plain.get(0x1000)).toEqual({ check: true, bound: 4 }); // shl,jnc + xor,loop
    const converted = planBudget(layout, [], () => null, (b) => (b.ip === 0x1000 ? 1 : 0));
    expect(converted.get(0x1000)).toEqual({ check: true, bound: 4 }); // shl,jnc + xor + loop
    // 1000: jz 1003 / 1002: inc ax / 1003: inc bx / inc cx / hlt, in
    // blocks of two: the skipped block (inc ax, inc bx) ends before the
    // target's (inc bx, inc cx), so the converted path, 1 + 1 + 2, is the
    // longer.
    const cut = region([0x74, 0x01, 0x40, 0x43, 0x41, 0xf4], [0x1000, 0x1002, 0x1003], 2);
    expect(hammock(jccOf(cut, 0x1000), cut, none)?.map((i) => i.mnemonic)).toEqual(["inc"]);
    const cutLayout = [...cut.values()];
    expect(planBudget(cutLayout, []).get(0x1000)!.bound).toBe(3);
    expect(planBudget(cutLayout, [], () => null, (b) => (b.ip === 0x1000 ? 1 : 0)).get(0x1000)!.bound).toBe(4);
  });
});

describe("if-converted code against the interpreter", () => {
  // mov cx,N / mov dx,1234h / the bit loop / hlt: the jump goes both ways
  // at random. Stop at every count and compare everything.
  const program = (n: number) => [0xb9, n & 0xff, n >> 8, 0xba, 0x34, 0x12, ...CRC_BIT];
  const state = (engine: "interp" | "jit", budget: number, jit: JitOptions, n: number) => {
    const m = new Machine({ engine, jit });
    m.load(0x1000, program(n));
    m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
    const r = m.run({ maxInstructions: budget });
    return { reason: r.reason, regs: m.registers, count: m.instructionCount };
  };
  for (const [name, jit] of [
    ["at once", { threshold: 0 }], ["blocks of one instruction", { threshold: 0, maxBlock: 1 }],
    ["hot after 3 entries", { threshold: 3 }], ["regions of two blocks", { threshold: 0, maxRegion: 2 }],
  ] as const) {
    it(`stops at every count with the interpreter's state (${name})`, () => {
      for (let budget = 1; budget <= 75; budget++) {
        expect(state("jit", budget, jit, 20), `budget ${budget}`).toEqual(state("interp", budget, jit, 20));
      }
    });
  }

  it("takes the converted path and gives the CRC of a long run", () => {
    const jit = state("jit", 1e6, { threshold: 0 }, 5000), interp = state("interp", 1e6, {}, 5000);
    expect(jit).toEqual(interp);
    expect(interp.reason).toBe("halt");
    const m = new Machine({ engine: "jit", jit: { threshold: 0 } });
    m.load(0x1000, program(100));
    m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
    m.run({ maxInstructions: 1000 });
    expect(m.jitStats!.blockRuns).toBeLessThan(10); // the loop stays in its function
  });

  it("--no-if-conversion gives the same state", () => {
    expect(state("jit", 1e6, { threshold: 0, ifConversion: false }, 3000)).toEqual(state("jit", 1e6, { threshold: 0 }, 3000));
  });
});
