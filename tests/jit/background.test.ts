/**
 * Background translation (src/jit/background.ts): the worker's
 * translations are the engine's own, runs end as under the interpreter,
 * and a reply whose code changed meanwhile is not installed.
 *
 * When a reply is installed depends on the worker's speed; these tests
 * make it definite with Machine.settleJit(), which waits for it.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Machine, stopBackgroundWorker } from "../../src/index.js";
import { bareMachine, runBare } from "../../src/bare.js";
import type { JitStats } from "../../src/jit/engine.js";

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
      let pass = 0, rewritten: number | null = null;
      m.registerPort(0xe0, {
        write: () => {
          pass++;
          const now = atPass !== undefined ? pass === atPass : m.jitStats!.backgroundRequests === 1;
          if (rewritten === null && now) { m.load(0x1004, [0x05]); rewritten = pass; }
        },
      });
      runSettled(m, 5000);
      return { m, rewritten };
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

  // (Last: it stops the shared worker; a later engine would start another.)
  it("when the worker is gone, its requests are given up after 5 s and the engine translates itself", async () => {
    // 1000: mov cx,0 ; 1003: l: add ax,1 / loop l / jmp 1003 ... (never ends)
    const code = [0xb9, 0x00, 0x00, 0x05, 0x01, 0x00, 0xe2, 0xfb, 0xeb, 0xf9];
    const m = new Machine({ engine: "jit", jit: { threshold: 2, background: true } });
    m.load(0x1000, code);
    m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
    await stopBackgroundWorker();
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
