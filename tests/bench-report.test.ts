/**
 * bench-report.test.ts — the parts of `npm run bench` that are not timing:
 * the stub ROM the v86 comparison boots (run here in wasm86 itself, so
 * v86 is not needed), the per-kernel summary and ratios, the terminal
 * table and the SVG chart. Nothing here measures speed.
 */
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Machine } from "../src/machine.js";
import { runBare } from "../src/bare.js";
import { stubRom } from "../bench/v86.js";
import { summarize, type Row } from "../bench/results.js";
import { speedTable, formatTable, translatorTable } from "../bench/table.js";
import type { JitStats } from "../src/jit/engine.js";
import { renderSvg } from "../bench/svg.js";

const image = readFileSync(fileURLToPath(new URL("../roms/primes.bin", import.meta.url)));

describe("v86 stub ROM", () => {
  it("enters the kernel at 0000:7C00 in the state runBare sets: same output, registers and count plus the stub's", () => {
    const bare = runBare(image);
    const m = new Machine({ cpu: "386" });
    m.load(0xf0000, stubRom(image));
    m.setRegisters({ cs: 0xf000, ip: 0xfff0 });
    let output = "";
    m.registerPort(0xe9, { write: (_p, _s, v) => { output += String.fromCharCode(v & 0xff); } });
    const r = m.run({ maxInstructions: 10_000_000 });
    expect(r.reason).toBe("halt");
    expect(output).toBe(bare.output);
    const { flags: _a, ...regs } = m.registers;
    const { flags: _b, ...bareRegs } = bare.machine.registers;
    expect(regs).toEqual(bareRegs);
    // The far jump at FFF0h, 22 instructions around the copy, and the copy
    // itself one instruction per word (wasm86 counts REP iterations).
    expect(r.instructions - bare.instructions).toBe(23 + image.length / 2);
  });
});

const row = (rom: string, build: Row["build"], mips: number): Row =>
  ({ rom, build, instructions: 1_000_000, medianMs: 1000 / mips, mips, samples: 5, rme: 1 });

describe("bench report", () => {
  const rows = [
    row("bench-a.bin", "default", 100), row("bench-a.bin", "jit", 200), row("bench-a.bin", "v86", 400),
    row("bench-b.bin", "default", 100), row("bench-b.bin", "jit", 50), row("bench-b.bin", "v86", 100),
  ];
  const kernels = summarize(rows);

  it("derives the ratios per kernel", () => {
    expect(kernels.map((k) => [k.speedup, k.jitVsV86, k.interpVsV86])).toEqual([[2, 0.5, 0.25], [0.5, 0.5, 1]]);
  });

  it("prints one line per kernel and the geometric means", () => {
    const t = speedTable(kernels, ["default", "jit", "v86"]).split("\n");
    expect(t[0]).toMatch(/^kernel +instructions +interpreter MIPS +JIT MIPS +v86 MIPS +JIT\/interp/);
    expect(t[2]).toMatch(/^bench-a .* 100\.0 +200\.0 +400\.0 +2\.00× +0\.25× +0\.50×/);
    expect(t[4]).toMatch(/^geometric mean .* 100\.0 +100\.0 +200\.0 +1\.00× +0\.50× +0\.50×/);
  });

  it("adds the ratio from interleaved pairs where it was measured, with its geometric mean", () => {
    const paired = summarize(rows.map((r) => (r.build === "jit" ? { ...r, pairedSpeedup: r.rom === "bench-a.bin" ? 2.5 : 0.4, pairs: 9 } : r)));
    expect(paired.map((k) => k.pairedSpeedup)).toEqual([2.5, 0.4]);
    const t = speedTable(paired, ["default", "jit"]).split("\n");
    expect(t[0]).toMatch(/JIT\/interp +paired$/);
    expect(t[2]).toMatch(/ 2\.00× +2\.50×$/);
    expect(t[3]).toMatch(/ 0\.50× +0\.40×$/);
    expect(t[4]).toMatch(/ 1\.00× +1\.00×$/); // √(2.5 × 0.4)
    // Without it, no column.
    expect(speedTable(kernels, ["default", "jit"])).not.toMatch(/paired/);
  });

  it("reports compile latency per block, per instruction and per region (a region is what one translation makes)", () => {
    const jit = { blocksCompiled: 20, regionsCompiled: 2, instructionsCompiled: 80, instructionsInlined: 70, codeBytes: 5000, blockRuns: 3,
      maxRegionMs: 9, maxRegionBlocks: 15 } as unknown as JitStats;
    const [k] = summarize([{ ...row("bench-a.bin", "jit", 200), jit, compileMsMedian: 1.6, maxRegionMsMedian: 1.25 }]);
    expect([k.compileUsPerBlock, k.compileUsPerInstruction, k.compileMsPerRegion]).toEqual([80, 20, 0.8]);
    // The slowest translation (median over the runs), and the largest region.
    expect([k.maxRegionMs, k.maxRegionBlocks]).toEqual([1.25, 15]);
    const t = translatorTable([k]).split("\n");
    expect(t[0]).toMatch(/µs\/block +µs\/insn +ms\/region +slowest ms \(largest\) +code bytes/);
    expect(t[2]).toMatch(/ 80 +20 +0\.80 +1\.25 \(15\) +5,000 /);
  });

  it("aligns columns", () => {
    expect(formatTable(["a", "bb"], [["xyz", "1"]])).toBe("a    bb\n---  --\nxyz   1\n");
  });

  it("draws a self-contained SVG with a bar per kernel and build, the speedups and an escaped header", () => {
    const svg = renderSvg(kernels, ["default", "jit", "v86"], { date: "2026-01-01 00:00 UTC", cpu: "8086", host: "A & B", node: "v20" });
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(9); // (2 kernels + geomean) × 3 builds
    expect(svg).toContain("JIT 2.00×");
    expect(svg).toContain("A &amp; B");
    expect(svg).not.toMatch(/<script|href=/);
    expect(svg).toContain("guest MIPS (median)");
  });
});
