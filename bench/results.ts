/**
 * results.ts — the data `npm run bench` measures and what it derives from
 * it: one Row per (kernel, configuration), the exits to the host counted in
 * one run, and the per-kernel summary (speedups, compile latency) that the
 * terminal table, the SVG chart and bench/results/interp.json share.
 *
 * It does no timing and no output: interp.bench.ts measures, table.ts and
 * svg.ts present.
 */
import type { CoreStats } from "../src/machine.js";
import type { JitStats } from "../src/jit/engine.js";

/** Configurations a row can measure. "default" is the interpreter (the
 *  name predates the others and is kept for interp.json's readers). */
export type Build = "default" | "eager-flags" | "jit" | "v86";

/** Exits from the core to the host in one run of a kernel, by reason. */
export interface Exits {
  /** IN/OUT to a port with a host handler (the kernels' E9h output). */
  portIo: number;
  mmio: number;
  /** Guest writes to pages flagged as holding translated code. */
  codeWrites: number;
  /** Guest faults: the trap unwinds to Machine.run, which delivers them. */
  faults: number;
  /** EXIT_COMPILE: a block crossed the threshold and the host translated
   *  (or refused) it. */
  compile: number;
  /** Machine.run calls the core in slices of 10^6 instructions; counted as
   *  floor(instructions / 10^6) (a compile exit restarts the slice, so this
   *  can be a few low). */
  slices: number;
}

export interface Row {
  rom: string;
  build: Build;
  /** wasm86's deterministic count (each REP iteration is one). */
  instructions: number;
  medianMs: number;
  mips: number;
  samples: number;
  /** Relative margin of error of the mean, % (95%). */
  rme: number;
  /** Engine jit: what one run translated. */
  jit?: JitStats;
  /** Engine jit: compile time of one run, median over the timed runs, ms. */
  compileMsMedian?: number;
  /** Engine jit: the slowest translation of one run, median over the
   *  timed runs, ms. */
  maxRegionMsMedian?: number;
  /** wasm86 rows: exits to the host in one run. */
  exits?: Exits;
  /** v86 rows: v86's own instruction counter for the run (it counts a
   *  REP-prefixed string instruction once, not per iteration). */
  v86Instructions?: number;
  /** The jit row: the median over interleaved pairs of runs (one on each
   *  engine, back to back, the order alternating) of interpreter time /
   *  JIT time — a ratio both of whose runs met the same load. */
  pairedSpeedup?: number;
  /** How many pairs it is the median of. */
  pairs?: number;
}

export interface KernelSummary {
  rom: string;
  instructions: number;
  /** MIPS per build measured. */
  mips: Partial<Record<Build, number>>;
  /** jit / interpreter, when both were measured. */
  speedup?: number;
  /** The same from interleaved pairs of runs (Row.pairedSpeedup). */
  pairedSpeedup?: number;
  /** jit / v86 and interpreter / v86, when measured. */
  jitVsV86?: number;
  interpVsV86?: number;
  blocks?: number;
  regions?: number;
  instructionsCompiled?: number;
  instructionsInlined?: number;
  codeBytes?: number;
  compileUsPerBlock?: number;
  /** A region (one Wasm function: what is translated when a block gets
   *  hot) takes this long to translate, ms: compile time / regions. */
  compileMsPerRegion?: number;
  /** The slowest translation of a run (median over the runs), ms, and the
   *  most blocks a region had. */
  maxRegionMs?: number;
  maxRegionBlocks?: number;
  compileUsPerInstruction?: number;
  blockRunsPerM?: number;
  /** Total exits to the host per million instructions, per engine. */
  exitsPerM?: { interp?: number; jit?: number };
  v86Instructions?: number;
}

export const totalExits = (e: Exits) => e.portIo + e.mmio + e.codeWrites + e.faults + e.compile + e.slices;

export function exitsOf(s: CoreStats, jit: JitStats | undefined, instructions: number): Exits {
  return {
    portIo: s.portIn + s.portOut,
    mmio: s.mmio,
    codeWrites: s.codeWrites,
    faults: s.exceptions,
    compile: jit ? jit.regionsCompiled + jit.blocksRefused + jit.failures : 0,
    slices: Math.floor(instructions / 1e6),
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

/** Two-sided 95% Student t for df = 1…10 (larger: the normal's 1.96 is close enough). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** Relative margin of error of the mean in %, as `benchmark` reports it. */
export function rme(xs: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return (sd / Math.sqrt(n)) * (T95[n - 2] ?? 1.96) / mean * 100;
}

const perM = (v: number, n: number) => (v / Math.max(1, n)) * 1e6;

/** One summary per kernel, in the order the rows came. */
export function summarize(rows: Row[]): KernelSummary[] {
  const out = new Map<string, KernelSummary>();
  for (const r of rows) {
    let k = out.get(r.rom);
    if (!k) { k = { rom: r.rom, instructions: r.instructions, mips: {} }; out.set(r.rom, k); }
    k.mips[r.build] = r.mips;
    if (r.build === "default" && r.exits) k.exitsPerM = { ...k.exitsPerM, interp: perM(totalExits(r.exits), r.instructions) };
    if (r.build === "jit" && r.jit) {
      const s = r.jit, ms = r.compileMsMedian ?? s.compileMs;
      Object.assign(k, {
        blocks: s.blocksCompiled, regions: s.regionsCompiled,
        instructionsCompiled: s.instructionsCompiled, instructionsInlined: s.instructionsInlined, codeBytes: s.codeBytes,
        compileUsPerBlock: (ms * 1000) / Math.max(1, s.blocksCompiled),
        compileMsPerRegion: ms / Math.max(1, s.regionsCompiled),
        maxRegionMs: r.maxRegionMsMedian ?? s.maxRegionMs, maxRegionBlocks: s.maxRegionBlocks,
        compileUsPerInstruction: (ms * 1000) / Math.max(1, s.instructionsCompiled),
        blockRunsPerM: perM(s.blockRuns, r.instructions),
      });
      if (r.exits) k.exitsPerM = { ...k.exitsPerM, jit: perM(totalExits(r.exits), r.instructions) };
    }
    if (r.build === "jit" && r.pairedSpeedup !== undefined) k.pairedSpeedup = r.pairedSpeedup;
    if (r.build === "v86") k.v86Instructions = r.v86Instructions;
  }
  for (const k of out.values()) {
    const { default: interp, jit, v86 } = k.mips;
    if (interp && jit) k.speedup = jit / interp;
    if (jit && v86) k.jitVsV86 = jit / v86;
    if (interp && v86) k.interpVsV86 = interp / v86;
  }
  return [...out.values()];
}

/** Geometric mean of each build's MIPS over the kernels that measured it. */
export function geomeans(kernels: KernelSummary[]): Partial<Record<Build, number>> {
  const g: Partial<Record<Build, number>> = {};
  for (const b of ["default", "eager-flags", "jit", "v86"] as Build[]) {
    const xs = kernels.map((k) => k.mips[b]).filter((x): x is number => x !== undefined);
    if (xs.length) g[b] = geomean(xs);
  }
  return g;
}

export const BUILD_LABELS: Record<Build, string> = {
  default: "interpreter", "eager-flags": "eager flags", jit: "JIT", v86: "v86",
};
