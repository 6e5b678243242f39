/**
 * Background translation (src/jit/background.ts): the worker's
 * translations are the engine's own, runs end as under the interpreter,
 * and a reply whose code changed meanwhile is not installed.
 *
 * When a reply is installed depends on the worker's speed; these tests
 * make it definite with Machine.settleJit(), which waits for it.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Machine, stopBackgroundWorker } from "../../src/index.js";
import { bareMachine, runBare } from "../../src/bare.js";
import { JIT_DEFAULTS, type JitOptions, type JitStats } from "../../src/jit/engine.js";
import { actAtPort } from "../support/act-at-port.js";
import { warmUpRequest, WARM_UP_CODE } from "../../src/jit/warmup.js";
import { RegionDecoder } from "../../src/jit/region.js";
import { answer } from "../../src/jit/background-answer.js";
import { translateOptionsOf } from "../../src/jit/options.js";
import { RegionCompiler } from "../../src/jit/translate.js";
import { instantiateCore } from "../../src/core/core.js";

const rom = (name: string) => readFileSync(fileURLToPath(new URL(`../../roms/${name}`, import.meta.url)));

/** Run to HLT in slices, each pending translation waited for and
 *  installed after the slice that asked for it. */
function runSettled(m: Machine, slice: number): void {
  for (let i = 0; i < 10_000; i++) {
    const r = m.run({ maxInstructions: slice });
    expect(m.settleJit()).toBe(true);
    if (r.reason !== "budget") return;
  }
  throw new Error("no HLT");
}

describe("background translation", () => {
  for (const kernel of ["crc", "mandel", "mix", "sieve", "string"]) {
    it(`bench-${kernel}: the worker translates what the engine would, and the runs are the interpreter's`, () => {
      const img = rom(`bench-${kernel}.bin`);
      const interp = runBare(img, { cpu: "8086" });
      const same = { output: interp.output, count: interp.instructions, regs: interp.machine.registers };
      const shape = (s: JitStats) => ({
        regions: s.regionsCompiled, blocks: s.blocksCompiled, insns: s.instructionsCompiled, bytes: s.codeBytes,
        waits: s.loopWaits, entries: s.entriesInstalled, translated: s.translatedInstructions,
        decodeHits: s.decodeHits, deferred: s.compilesDeferred, runs: s.blockRuns,
      });
      // Each reply awaited where it was asked for: the translations are
      // the engine's own, to the byte, installed at the same instruction
      // (bench-mix's region holds the target of its CALL [tally_vec],
      // whose word the worker asks for).
      const atOnce = runBare(img, { cpu: "8086", machineOptions: { engine: "jit" } });
      const waited = runBare(img, { cpu: "8086", machineOptions: { engine: "jit", jit: { background: true, backgroundWait: true } } });
      expect({ output: waited.output, count: waited.instructions, regs: waited.machine.registers }).toEqual(same);
      expect(waited.machine.jitStats!.backgroundRequests).toBeGreaterThan(0);
      expect(shape(waited.machine.jitStats!)).toEqual(shape(atOnce.machine.jitStats!));
      // Installed whenever they come (here: after the slice that asked).
      let output = "";
      const m = bareMachine(img, "8086", (b) => { output += String.fromCharCode(b); }, { engine: "jit", jit: { background: true } });
      runSettled(m, 20_000);
      expect({ output, count: m.instructionCount, regs: m.registers }).toEqual(same);
      const s = m.jitStats!;
      expect(s.backgroundStale + s.backgroundTimeouts + s.failures).toBe(0);
      expect(s.translatedInstructions / m.instructionCount).toBeGreaterThan(0.9);
    });
  }

  it("a reply translated from code that has changed since is dropped, and the block asks again", () => {
    // 1000: mov cx,30000 ; 1003: l: add ax,1 / out E0h,al / loop l
    // 100A: mov [0500h],ax / hlt
    // At the first OUT after the loop's request went out the host rewrites
    // `add ax,1` to `add ax,5` — before any reply can be taken: replies
    // are looked for between the core's runs, port writes happen in them.
    // The interpreter gets the same write at the same pass.
    const code = [0xb9, 0x30, 0x75, 0x05, 0x01, 0x00, 0xe6, 0xe0, 0xe2, 0xf9, 0xa3, 0x00, 0x05, 0xf4];
    const run = (engine: "interp" | "jit", atPass?: number) => {
      const m = new Machine({ engine, jit: { threshold: 2, background: true } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
      const rewritten = actAtPort(m, 0xe0,
        (pass) => (atPass !== undefined ? pass === atPass : m.jitStats!.backgroundRequests === 1),
        () => m.load(0x1004, [0x05]));
      runSettled(m, 5000);
      return { m, rewritten: rewritten() };
    };
    const jit = run("jit");
    expect(jit.rewritten).not.toBeNull();
    const interp = run("interp", jit.rewritten!);
    const state = (m: Machine) => ({ regs: m.registers, count: m.instructionCount, word: [...m.read(0x500, 2)] });
    expect(state(jit.m)).toEqual(state(interp.m));
    // Dropped, asked again, translated from the new bytes, and run. (How
    // many requests and regions follow depends on when replies come: the
    // run loop also installs them between the core's runs.)
    const s = jit.m.jitStats!;
    expect(s.backgroundStale).toBe(1);
    expect(s.backgroundRequests).toBeGreaterThanOrEqual(2);
    expect(s.regionsCompiled).toBeGreaterThanOrEqual(1);
    expect(s.translatedInstructions).toBeGreaterThan(50_000);
  });

  it("a reply for code whose linear pages A20 has moved since is dropped", () => {
    // 1000: mov cx,30000 ; 1003: l: add ax,1 / out E0h,al / loop l ; 100A: hlt
    // run at FFFF:1010 — 0000:1000 with A20 off, 10:1000 (the HMA) with it
    // on — and the same bytes in both places. At the first OUT after the
    // loop's request went out (before any reply can be taken) the host
    // turns A20 on: the reply's bytes match the HMA copy, but its region
    // was asked for at the low one. Then the low copy is changed and run
    // with A20 off again. The interpreter gets the same at the same pass.
    const code = [0xb9, 0x30, 0x75, 0x05, 0x01, 0x00, 0xe6, 0xe0, 0xe2, 0xf9, 0xf4];
    const run = (engine: "interp" | "jit", atPass?: number) => {
      const m = new Machine({ cpu: "286", engine, jit: { threshold: 2, background: true } });
      m.a20 = false;
      m.load(0x1000, code);
      m.load(0x101000, code);
      m.setRegisters({ cs: 0xffff, ip: 0x1010, ss: 0, sp: 0x800, ax: 0, ds: 0 });
      const opened = actAtPort(m, 0xe0,
        (pass) => (atPass !== undefined ? pass === atPass : m.jitStats!.backgroundRequests === 1),
        () => { m.a20 = true; });
      runSettled(m, 5000);
      const stale = m.jitStats?.backgroundStale;
      m.write(0x1004, [0x05]); // the low copy: add ax,5
      m.a20 = false;
      m.setRegisters({ cs: 0xffff, ip: 0x1010, ax: 0 });
      runSettled(m, 5000);
      return { m, opened: opened(), stale };
    };
    const jit = run("jit");
    expect(jit.opened).not.toBeNull();
    const interp = run("interp", jit.opened!);
    expect({ regs: jit.m.registers, count: jit.m.instructionCount }).toEqual({ regs: interp.m.registers, count: interp.m.instructionCount });
    expect(jit.stale).toBe(1);
  });

  it("with each reply awaited, deferrals on a page whose translations keep being dropped are as at once", () => {
    // Five loops on one page, each rewritten by the host as soon as it is
    // translated (fruitless drops: the page's requests are then put off),
    // then a function there, on no loop, called from another page.
    const run = (jit: JitOptions) => {
      const m = new Machine({ cpu: "8086", engine: "jit", jit: { threshold: 2, ...jit } });
      const loops = [0x2000, 0x2100, 0x2200, 0x2300, 0x2400];
      // mov cx,2000 / l: out E0h,al / dec cx / jnz l / hlt
      for (const at of loops) m.load(at, [0xb9, 0xd0, 0x07, 0xe6, 0xe0, 0x49, 0x75, 0xfb, 0xf4]);
      m.load(0x2800, [0x43, 0xc3]); // f: inc bx / ret
      m.load(0x3000, [0xb9, 0xd0, 0x07, 0xe8, 0xfa, 0xf7, 0xe2, 0xfb, 0xf4]); // mov cx,2000 / q: call f / loop q / hlt
      let current = -1, seen = 0;
      const rewritten = new Set<number>();
      m.registerPort(0xe0, {
        write: () => {
          const n = m.jitStats!.regionsCompiled;
          if (n > seen && !rewritten.has(current)) { rewritten.add(current); m.write(current + 5, [0x49]); }
          seen = n;
        },
      });
      for (const at of loops) {
        current = at;
        m.setRegisters({ cs: 0, ds: 0, ss: 0, sp: 0x800, ip: at });
        expect(m.run({ maxInstructions: 1e6 }).reason).toBe("halt");
      }
      m.setRegisters({ cs: 0, ip: 0x3000, bx: 0 });
      expect(m.run({ maxInstructions: 1e6 }).reason).toBe("halt");
      const s = m.jitStats!;
      return { count: m.instructionCount, regs: m.registers, deferred: s.compilesDeferred, invalidations: s.invalidations,
        regions: s.regionsCompiled, translated: s.translatedInstructions, runs: s.blockRuns };
    };
    const atOnce = run({});
    expect(atOnce.deferred).toBeGreaterThan(0);
    expect(run({ background: true, backgroundWait: true })).toEqual(atOnce);
  });

  it("the warm-up is a loop translated whole and inline, taken while the guest runs, and leaves no trace", () => {
    // The worker's answer (background-answer.ts), here, with the engine's
    // default options.
    const D = JIT_DEFAULTS;
    const r = warmUpRequest(translateOptionsOf(D, true), D.loopRegions);
    const layout = instantiateCore({
      portIn: () => 0, portOut: () => {}, mmioRead: () => 0, mmioWrite: () => {}, irqAck: () => -1, codeWrite: () => {},
    }).layout;
    const setup = { layout, model: "8086" as const, maxBlock: D.maxBlock, maxRegion: D.maxRegion, binaryen: false };
    const reply = answer(setup, new RegionDecoder(setup.model, D.maxBlock, D.maxRegion), new RegionCompiler(layout), r);
    expect(reply.kind).toBe("code");
    if (reply.kind !== "code") return;
    // Every instruction of the loop and of the function it calls, inline.
    expect(reply.blocks.reduce((n, b) => n + b.length, 0)).toBe(WARM_UP_CODE.length);
    expect(reply.total).toBe(28);
    expect(reply.inlined).toBe(reply.total);
    // An engine whose guest never gets a block hot: the run loop takes the
    // warm-up's reply between slices; nothing is asked for, compiled or
    // installed, and the guest runs as under the interpreter.
    // 1000: l: add ax,1 / adc dx,0 / jmp l
    const code = [0x05, 0x01, 0x00, 0x83, 0xd2, 0x00, 0xeb, 0xf8];
    const start = (m: Machine) => { m.load(0x1000, code); m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0, dx: 0 }); };
    const m = new Machine({ engine: "jit", jit: { background: true, threshold: 1 << 30 } });
    start(m);
    expect(m.jitStats!.backgroundMs).toBe(0);
    const until = performance.now() + 10_000;
    while (m.jitStats!.backgroundMs === 0 && performance.now() < until) m.run({ maxInstructions: 50_000 });
    const s = m.jitStats!;
    // (Its time, in the worker and on this thread, is counted as it is taken.)
    expect(s.backgroundMs).toBeGreaterThan(0);
    expect(s.compileMs).toBeGreaterThan(0);
    expect({
      requests: s.backgroundRequests, regions: s.regionsCompiled, blocks: s.blocksCompiled, bytes: s.codeBytes, entries: s.entriesInstalled,
      failures: s.failures, stale: s.backgroundStale, timeouts: s.backgroundTimeouts, decodeHits: s.decodeHits, waits: s.loopWaits,
      deferred: s.compilesDeferred, runs: s.blockRuns, translated: s.translatedInstructions,
    }).toEqual({ requests: 0, regions: 0, blocks: 0, bytes: 0, entries: 0, failures: 0, stale: 0, timeouts: 0, decodeHits: 0, waits: 0, deferred: 0, runs: 0, translated: 0 });
    const interp = new Machine({ engine: "interp" });
    start(interp);
    interp.run({ maxInstructions: m.instructionCount });
    expect(m.registers).toEqual(interp.registers);
  });

  it("with each reply awaited, a run that gets hot only after 100,000 instructions is cut where translating at once cuts it", () => {
    // (The warm-up's reply is due from the start; it must not shorten the
    // run's slices: a cut moves when a block counts as hot.)
    // 1000: mov cx,50000 / rep stosw / mov cx,50004 / rep stosw / mov cx,3000 / l: add ax,1 / loop l / hlt
    const code = [0xb9, 0x50, 0xc3, 0xf3, 0xab, 0xb9, 0x54, 0xc3, 0xf3, 0xab, 0xb9, 0xb8, 0x0b, 0x05, 0x01, 0x00, 0xe2, 0xfb, 0xf4];
    const run = (jit: JitOptions) => {
      const m = new Machine({ engine: "jit", jit });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ds: 0, es: 0x2000, di: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
      const r = m.run({ maxInstructions: 3_000_000 });
      const s = m.jitStats!;
      return { reason: r.reason, count: m.instructionCount, translated: s.translatedInstructions, lookups: s.lookups, regions: s.regionsCompiled, runs: s.blockRuns };
    };
    const atOnce = run({});
    expect(atOnce.reason).toBe("halt");
    expect(atOnce.count).toBeGreaterThan(100_000);
    expect(run({ background: true, backgroundWait: true })).toEqual(atOnce);
  });

  it("a reply waiting on the channel is not overdue, however long the host was away", async () => {
    // 1000: mov cx,0 ; 1003: l: add ax,1 / loop l / jmp 1003 ... (never ends)
    const code = [0xb9, 0x00, 0x00, 0x05, 0x01, 0x00, 0xe2, 0xfb, 0xeb, 0xf9];
    const m = new Machine({ engine: "jit", jit: { threshold: 2, background: true } });
    m.load(0x1000, code);
    m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
    // One request out at once (the warm-up's reply has not come yet: the
    // worker is still translating it), both replies left on the channel…
    for (let i = 0; m.jitStats!.backgroundRequests === 0 && i < 100; i++) m.run({ maxInstructions: 600 });
    expect(m.jitStats!.backgroundRequests).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // …while the host is away 6 s (a debugger, a suspended laptop).
    const now = performance.now.bind(performance);
    const away = vi.spyOn(performance, "now").mockImplementation(() => now() + 6000);
    try {
      m.run({ maxInstructions: 2_000_000 });
    } finally {
      away.mockRestore();
    }
    const s = m.jitStats!;
    expect(s.backgroundTimeouts).toBe(0);
    expect(s.regionsCompiled).toBe(1);
    expect(s.translatedInstructions).toBeGreaterThan(1_000_000);
  });

  // (Last: it stops the shared worker; a later engine would start another.)
  it("when the worker is gone, its requests are given up after 5 s and the engine translates itself", async () => {
    // 1000: mov cx,0 ; 1003: l: add ax,1 / loop l / jmp 1003 ... (never ends)
    const code = [0xb9, 0x00, 0x00, 0x05, 0x01, 0x00, 0xe2, 0xfb, 0xeb, 0xf9];
    const m = new Machine({ engine: "jit", jit: { threshold: 2, background: true } });
    m.load(0x1000, code);
    m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
    await stopBackgroundWorker();
    // (Nothing asked yet: settling does not wait for the warm-up, whose
    // reply may never come now.)
    const t = performance.now();
    expect(m.settleJit(2000)).toBe(true);
    expect(performance.now() - t).toBeLessThan(1000);
    const start = performance.now();
    while (m.jitStats!.backgroundTimeouts === 0 && performance.now() - start < 20_000) m.run({ maxInstructions: 100_000 });
    const s = m.jitStats!;
    expect(s.backgroundRequests).toBe(1);
    expect(s.backgroundTimeouts).toBe(1);
    expect(s.regionsCompiled).toBe(0);
    expect(performance.now() - start).toBeGreaterThanOrEqual(5000);
    // From here on, at once: the loop asks again when hot, and runs translated.
    m.run({ maxInstructions: 1_000_000 });
    expect(m.jitStats!.regionsCompiled).toBeGreaterThan(0);
    expect(m.jitStats!.backgroundRequests).toBe(1);
    expect(m.jitStats!.translatedInstructions).toBeGreaterThan(900_000);
    // And what it computed is the interpreter's.
    const interp = new Machine({ engine: "interp" });
    interp.load(0x1000, code);
    interp.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
    interp.run({ maxInstructions: m.instructionCount });
    expect(m.registers).toEqual(interp.registers);
  });
});
