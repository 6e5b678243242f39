/**
 * The shape of a region's function (src/jit/layout.ts): which back-edge
 * targets become Wasm loops, which are left to the dispatch, how the
 * function is entered at blocks inside loops, and that a program with
 * nested loops, a side entry and a call runs translated exactly as
 * interpreted — also when every run is cut short and the core comes back
 * in part-way through the region.
 */
import { describe, expect, it } from "vitest";
import { planEntries, planLoops } from "../../src/jit/layout.js";
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

describe("planEntries", () => {
  it("an entry inside loops goes through one guard per loop, outermost first", () => {
    // loops [1, 6] ⊃ [2, 4]; entries: 3 inside both, 2 the inner header,
    // 5 in the outer only, 7 outside
    const p = planEntries(new Map([[1, 6], [2, 4]]), [3, 2, 5, 7]);
    expect(Object.fromEntries(p.depth)).toEqual({ 3: 2, 2: 1, 5: 1, 7: 0 });
    expect(Object.fromEntries(p.top)).toEqual({ 3: "b1", 2: "b1", 5: "b1", 7: "b7" });
    expect(Object.fromEntries([...p.guards].map(([h, to]) => [h, Object.fromEntries(to)]))).toEqual({
      1: { 3: "b2", 2: "b2", 5: "b5" },
      2: { 3: "b3" },
    });
  });

  it("a loop's own header needs no guard of that loop, and loops without entries get none", () => {
    const p = planEntries(new Map([[0, 3], [5, 6]]), [0, 4]);
    expect(Object.fromEntries(p.depth)).toEqual({ 0: 0, 4: 0 });
    expect(p.guards.size).toBe(0);
  });
});

describe("a region entered part-way", () => {
  // 1000: mov cx,300 / jmp outer
  // 1005: outer: mov si,4
  // 1008: inner: add ax,si / rol ax,1 / dec si / jnz inner   (a Wasm loop
  //       inside the outer one: its header is an entry, behind a guard)
  // 100F: loop outer / hlt
  const nested = [0xb9, 0x2c, 0x01, 0xeb, 0x00, 0xbe, 0x04, 0x00, 0x01, 0xf0, 0xd1, 0xc0, 0x4e, 0x75, 0xf9, 0xe2, 0xf4, 0xf4];
  const sliced = (engine: "interp" | "jit", slice: number, regionEntries = true) => {
    const m = new Machine({ engine, jit: { threshold: 0, regionEntries } });
    m.load(0x1000, nested);
    m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
    for (let i = 0; i < 1e5 && m.run({ maxInstructions: slice }).reason !== "halt";) i++;
    return { regs: m.registers, count: m.instructionCount, stats: m.jitStats };
  };

  it("comes back in at the loop headers, through the entry guard, and ends as interpreted", () => {
    const end = sliced("interp", 1e6);
    expect(end.count).toBe(2 + 300 * (1 + 4 * 4 + 1) + 1);
    for (const slice of [1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 50, 97, 1000]) {
      const jit = sliced("jit", slice);
      expect({ regs: jit.regs, count: jit.count }, `slice ${slice}`).toEqual({ regs: end.regs, count: end.count });
      // One function for the whole program, entered wherever a cut left
      // the interpreter: nearly everything runs translated.
      expect(jit.stats!.regionsCompiled, `slice ${slice}`).toBe(1);
      expect(jit.stats!.entriesInstalled).toBeGreaterThan(0);
      if (slice >= 11) expect(jit.stats!.translatedInstructions / jit.count, `slice ${slice}`).toBeGreaterThan(0.5);
    }
  });

  it("a write to the region's code drops its other entry points with it", () => {
    // 1000: mov cx,10 / l1: call f / loop l1
    // 1008: mov word [1021h],2          (f's immediate: add ax,1 → add ax,2)
    // 100E: mov cx,10 / l2: call f / loop l2 / hlt
    // 1020: f: add ax,1 / ret           (a call target: an entry point)
    const code = new Array<number>(0x24).fill(0x90);
    code.splice(0, 0x17, 0xb9, 0x0a, 0x00, 0xe8, 0x1a, 0x00, 0xe2, 0xfb, 0xc7, 0x06, 0x21, 0x10, 0x02, 0x00,
      0xb9, 0x0a, 0x00, 0xe8, 0x0c, 0x00, 0xe2, 0xfb, 0xf4);
    code.splice(0x20, 4, 0x05, 0x01, 0x00, 0xc3);
    // Threshold 2: after the write, the first lookups (100E, then f) are
    // misses to count, not translations — unless f's entry had survived.
    const m = new Machine({ engine: "jit", jit: { threshold: 2 } });
    m.load(0x1000, code);
    m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
    expect(m.run({ maxInstructions: 1e4 }).reason).toBe("halt");
    expect(m.jitStats!.invalidations).toBeGreaterThan(0);
    expect(m.registers.ax).toBe(10 * 1 + 10 * 2); // not 21: the old f is never entered again
  });

  it("a Jcc ladder on a caller's flags, cut anywhere: no way in assumes the flags worked out before it", () => {
    // 1000: mov cx,300 / xor di,di
    // 1005: l: mov ax,cx / mov bx,cx / and ax,7 / and bx,5 / xor si,si / cmp ax,bx / call f / add di,si / loop l / hlt
    // 101B: f: 16 × (jcc +3 / lea si,[si+w]) / ret — the first Jcc works
    //       the flags out into a local, the other 15 test its bits
    const ladder = [0xb9, 0x2c, 0x01, 0x31, 0xff, 0x89, 0xc8, 0x89, 0xcb, 0x83, 0xe0, 0x07, 0x83, 0xe3, 0x05, 0x31, 0xf6,
      0x39, 0xd8, 0xe8, 0x05, 0x00, 0x01, 0xf7, 0xe2, 0xeb, 0xf4,
      ...Array.from({ length: 16 }, (_, cc) => [0x70 + cc, 0x03, 0x8d, 0x74, cc + 1]).flat(), 0xc3];
    const run = (engine: "interp" | "jit", slice: number, threshold: number) => {
      const m = new Machine({ engine, jit: { threshold } });
      m.load(0x1000, ladder);
      m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
      while (m.run({ maxInstructions: slice }).reason !== "halt");
      return { regs: m.registers, count: m.instructionCount };
    };
    const end = run("interp", 1e6, 0);
    for (const threshold of [0, 2]) {
      for (const slice of [1e6, 3, 7, 11, 19, 29, 41]) {
        expect(run("jit", slice, threshold), `threshold ${threshold}, slice ${slice}`).toEqual(end);
      }
    }
  });

  it("options the cache slot cannot carry are refused", () => {
    // A slot word holds the table index in 20 bits (assembly/layout.ts JIT_CACHE).
    expect(() => new Machine({ engine: "jit", jit: { maxFunctions: 2 ** 20 } })).toThrow(RangeError);
    expect(() => new Machine({ engine: "jit", jit: { regionEntries: "yes" as unknown as boolean } })).toThrow(RangeError);
    expect(new Machine({ engine: "jit", jit: { maxFunctions: 2 ** 19, regionEntries: false } }).jitStats?.entriesInstalled).toBe(0);
  });

  it("without the other entry points, each way back in is a region of its own", () => {
    const without = sliced("jit", 13, false);
    expect(without.stats!.entriesInstalled).toBe(0);
    expect(without.stats!.regionsCompiled).toBeGreaterThan(1);
    expect(without.regs).toEqual(sliced("interp", 1e6).regs);
  });
});

describe("blocks of a region", () => {
  it("end where another begins: each instruction compiled once, the inner loop entered only at its header", () => {
    // 1000: mov si,0 / mov bx,200 / mov dx,0xffff
    // 1009: .byte: lodsb / xor dh,al / mov cx,8
    // 100F: .bit: shl dx,1 / jnc .nox / xor dx,0x1021 / .nox: loop .bit
    // 1019: dec bx / jnz .byte / hlt
    // Decoded from .byte, the block runs on through .bit's shl and jnc.
    const code = [0xbe, 0x00, 0x00, 0xbb, 0xc8, 0x00, 0xba, 0xff, 0xff, 0xac, 0x30, 0xc6, 0xb9, 0x08, 0x00,
      0xd1, 0xe2, 0x73, 0x04, 0x81, 0xf2, 0x21, 0x10, 0xe2, 0xf6, 0x4b, 0x75, 0xed, 0xf4];
    const run = (engine: "interp" | "jit", slice: number) => {
      const m = new Machine({ engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800 });
      while (m.run({ maxInstructions: slice }).reason !== "halt");
      return { regs: m.registers, count: m.instructionCount, stats: m.jitStats };
    };
    const end = run("interp", 1e6);
    for (const slice of [1e6, 97, 13]) {
      const jit = run("jit", slice);
      expect({ regs: jit.regs, count: jit.count }, `slice ${slice}`).toEqual({ regs: end.regs, count: end.count });
    }
    // 13 instructions in the program, each translated once (not 21: the
    // blocks from 1000 and from .byte each holding .bit's first pass).
    const whole = run("jit", 1e6).stats!;
    expect(whole.regionsCompiled).toBe(1);
    expect(whole.instructionsCompiled).toBe(13);
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
