/**
 * Which blocks a hot block's region holds (src/jit/scope.ts): on a loop,
 * the blocks on a cycle through it, functions it calls included, and not
 * the code after the loop; on no loop, everything it reaches — after it
 * has waited for a loop around it to get hot first (engine.ts).
 */
import { describe, expect, it } from "vitest";
import { loopScope } from "../../src/jit/scope.js";
import { decodeBlock, type Block } from "../../src/x86/block.js";
import { Machine } from "../../src/index.js";
import { actAtPort } from "../support/act-at-port.js";

// 1000: mov cx,100
// 1003: l: call f          (a return site for f's RET: 1006)
// 1006: call f             (and 1009)
// 1009: loop l
// 100B: mov [0500h],ax / hlt   (after the loop: runs once)
// 1010: f: add ax,1 / rol ax,1 / ret
const PROGRAM = [0xb9, 0x64, 0x00, 0xe8, 0x0a, 0x00, 0xe8, 0x07, 0x00, 0xe2, 0xf8, 0xa3, 0x00, 0x05, 0xf4, 0x90,
  0x05, 0x01, 0x00, 0xd1, 0xc0, 0xc3];

const blocksAt = (code: readonly number[], ...ips: number[]): Block[] =>
  ips.map((ip) => decodeBlock((linear) => code[linear - 0x1000] ?? 0x90, "8086", 0, ip));
const ipsOf = (blocks: readonly Block[]) => blocks.map((b) => b.ip.toString(16));

describe("loopScope", () => {
  it("keeps the loop and the function it calls, not the code after the loop", () => {
    // As engine.ts decodes from l: breadth first, the hot block first.
    const r = loopScope(blocksAt(PROGRAM, 0x1003, 0x1010, 0x1006, 0x1009, 0x100b), new Map());
    expect(r.onCycle).toBe(true);
    expect(ipsOf(r.blocks)).toEqual(["1003", "1010", "1006", "1009"]);
  });

  it("a call after the loop to a function the loop calls stays out with the rest after it", () => {
    // PROGRAM with 100B: call f / hlt — f's RET must not lead back into
    // the loop from there (it would, were a RET taken to return to every
    // return site in the region).
    const after = [...PROGRAM];
    after.splice(0x0b, 4, 0xe8, 0x02, 0x00, 0xf4);
    const r = loopScope(blocksAt(after, 0x1003, 0x1010, 0x1006, 0x1009, 0x100b, 0x100e), new Map());
    expect(r.onCycle).toBe(true);
    expect(ipsOf(r.blocks)).toEqual(["1003", "1010", "1006", "1009"]);
  });

  it("takes in the functions the loop's functions call", () => {
    // 1000: l: call f / jmp l ; 1005: f: call g / ret ; 1009: g: inc ax / ret
    const nested = [0xe8, 0x02, 0x00, 0xeb, 0xfb, 0xe8, 0x01, 0x00, 0xc3, 0x40, 0xc3];
    const r = loopScope(blocksAt(nested, 0x1000, 0x1005, 0x1003, 0x1009, 0x1008), new Map());
    expect(r.onCycle).toBe(true);
    expect(ipsOf(r.blocks).sort()).toEqual(["1000", "1003", "1005", "1008", "1009"]);
  });

  it("a block on no cycle keeps everything", () => {
    const blocks = blocksAt(PROGRAM, 0x1010);
    const r = loopScope(blocks, new Map());
    expect(r.onCycle).toBe(false);
    expect(r.blocks).toBe(blocks);
  });

  it("a JMP does not fall through, and nothing follows a RET (a function called in a loop is on no loop itself)", () => {
    // 1000: inc ax / jmp 1005
    // 1003: jmp 1000            (only after the JMP: never reached)
    // 1005: hlt
    const jmps = [0x40, 0xeb, 0x02, 0xeb, 0xfb, 0xf4];
    expect(loopScope(blocksAt(jmps, 0x1000, 0x1003, 0x1005), new Map()).onCycle).toBe(false);
    // On a loop, a block that only leads back (the JMP at 1005, after
    // another JMP) is not on it either:
    // 1000: inc ax / jz 1008 ; 1003: jmp 1000 ; 1005: jmp 1000 ; 1008: hlt
    const loop = [0x40, 0x74, 0x05, 0xeb, 0xfb, 0xeb, 0xf9, 0x90, 0xf4];
    const r = loopScope(blocksAt(loop, 0x1000, 0x1003, 0x1005, 0x1008), new Map());
    expect(r.onCycle).toBe(true);
    expect(ipsOf(r.blocks)).toEqual(["1000", "1003"]);
    // f, hot, with the whole program decoded: its RET leads nowhere
    expect(loopScope(blocksAt(PROGRAM, 0x1010, 0x1003, 0x1006, 0x1009, 0x100b), new Map()).onCycle).toBe(false);
  });

  it("an indirect jump goes where the engine predicts", () => {
    // 1000: inc ax / jmp bx  (BX = 1000 when decoded)
    const code = [0x40, 0xff, 0xe3];
    const blocks = blocksAt(code, 0x1000);
    expect(loopScope(blocks, new Map()).onCycle).toBe(false);
    expect(loopScope(blocks, new Map([[0x1000, 0x1000]])).onCycle).toBe(true);
  });
});

describe("loop regions in the engine", () => {
  const run = (engine: "interp" | "jit", jit: { loopRegions?: boolean; threshold?: number; maxRegion?: number } = {}) => {
    const m = new Machine({ engine, jit: { threshold: 2, ...jit } });
    m.load(0x1000, PROGRAM);
    m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
    expect(m.run({ maxInstructions: 1e5 }).reason).toBe("halt");
    return { regs: m.registers, count: m.instructionCount, word: [...m.read(0x500, 2)], stats: m.jitStats! };
  };

  it("f, hot first, waits; the loop's region then holds it, and the code after the loop stays out", () => {
    const interp = run("interp");
    const jit = run("jit");
    expect({ regs: jit.regs, count: jit.count, word: jit.word }).toEqual({ regs: interp.regs, count: interp.count, word: interp.word });
    // f (two calls a pass) asked first and was put off; the region
    // translated is the loop's: call, call, loop and f's three
    // instructions, without the two after the loop.
    expect(jit.stats.loopWaits).toBe(1);
    expect(jit.stats.compilesDeferred).toBe(0);
    expect(jit.stats.regionsCompiled).toBe(1);
    // f's block, decoded for the wait, served the loop's request again.
    expect(jit.stats.decodeHits).toBe(1);
    expect(jit.stats.maxRegionBlocks).toBe(4);
    expect(jit.stats.instructionsCompiled).toBe(6);
    expect(jit.stats.translatedInstructions / jit.count).toBeGreaterThan(0.95);
  });

  it("a block decoded for a wait and rewritten before the loop's translation is decoded again", () => {
    // 1000: mov cx,100 ; 1003: l: call f / call f / out E0h,al / loop l
    // 100D: mov [0500h],ax / hlt ; 1012: f: add ax,1 / rol ax,1 / ret
    // At the first OUT after f has waited, with nothing translated yet,
    // the host rewrites f's `add ax,1` to `add ax,5`: a page with no
    // translation, where no write is tracked. The interpreter gets the
    // same write at the same pass.
    const code = [0xb9, 0x64, 0x00, 0xe8, 0x0c, 0x00, 0xe8, 0x09, 0x00, 0xe6, 0xe0, 0xe2, 0xf6, 0xa3, 0x00, 0x05, 0xf4, 0x90,
      0x05, 0x01, 0x00, 0xd1, 0xc0, 0xc3];
    const runRewritten = (engine: "interp" | "jit", atPass?: number) => {
      const m = new Machine({ engine, jit: { threshold: 2 } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
      const rewritten = actAtPort(m, 0xe0, (pass) => {
        const s = m.jitStats;
        return atPass !== undefined ? pass === atPass : s!.loopWaits === 1 && s!.regionsCompiled === 0;
      }, () => m.load(0x1013, [0x05, 0x00]));
      expect(m.run({ maxInstructions: 1e5 }).reason).toBe("halt");
      return { regs: m.registers, count: m.instructionCount, stats: m.jitStats, rewritten: rewritten() };
    };
    const jit = runRewritten("jit");
    expect(jit.rewritten).not.toBeNull();
    const interp = runRewritten("interp", jit.rewritten!);
    expect({ regs: jit.regs, count: jit.count }).toEqual({ regs: interp.regs, count: interp.count });
    expect(jit.stats!.regionsCompiled).toBe(1);
    expect(jit.stats!.decodeHits).toBe(0);
    // Not rewritten (the pass never comes), f's block is found decoded.
    expect(runRewritten("jit", 1000).stats!.decodeHits).toBe(1);
  });

  it("without loop regions, f gets a region of its own and the loop's takes everything after it", () => {
    const interp = run("interp");
    const jit = run("jit", { loopRegions: false });
    expect({ regs: jit.regs, count: jit.count }).toEqual({ regs: interp.regs, count: interp.count });
    expect(jit.stats.loopWaits).toBe(0);
    expect(jit.stats.regionsCompiled).toBe(2);
    expect(jit.stats.maxRegionBlocks).toBe(5);
    expect(jit.stats.instructionsCompiled).toBe(3 + 8);
  });

  it("translate at once (threshold 0), and one block per region (--no-region), wait for nothing", () => {
    for (const jit of [run("jit", { threshold: 0 }), run("jit", { maxRegion: 1 })]) {
      expect(jit.stats.loopWaits).toBe(0);
      expect(jit.stats.regionsCompiled).toBeGreaterThan(0);
      expect(jit.regs).toEqual(run("interp").regs);
    }
  });
});
