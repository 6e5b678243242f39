/**
 * table.ts — the terminal report of `npm run bench`: the speed table
 * (guest MIPS per configuration, ratios, geometric means), the translator
 * table (compile latency, blocks, regions, code size, exits to the host per
 * million instructions) and the exits by reason.
 *
 * Plain text only: it measures nothing and writes no file.
 */
import { BUILD_LABELS, geomean, geomeans, totalExits, type Build, type KernelSummary, type Row, type Exits } from "./results.js";

type Cell = string | number | undefined;

const fmt = (v: Cell, digits = 1) =>
  v === undefined ? "—" : typeof v === "number" ? (Number.isInteger(v) && digits === 0 ? v.toLocaleString("en-US") : v.toFixed(digits)) : v;

/** Columns left-aligned first, right-aligned after. */
export function formatTable(headers: string[], rows: string[][], leftColumns = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

const name = (rom: string) => rom.replace(/\.bin$/, "");
const ratio = (x: number | undefined) => (x === undefined ? "—" : `${x.toFixed(2)}×`);

/** Guest MIPS per kernel and build, with the ratios that were measurable. */
export function speedTable(kernels: KernelSummary[], builds: Build[]): string {
  const hasJit = builds.includes("jit"), hasV86 = builds.includes("v86");
  const headers = ["kernel", "instructions", ...builds.map((b) => `${BUILD_LABELS[b]} MIPS`)];
  const paired = kernels.some((k) => k.pairedSpeedup !== undefined);
  if (hasJit) headers.push("JIT/interp");
  if (paired) headers.push("paired");
  if (hasV86) headers.push("interp/v86");
  if (hasJit && hasV86) headers.push("JIT/v86");
  if (hasV86) headers.push("v86 count");
  const rows = kernels.map((k) => {
    const r = [name(k.rom), fmt(k.instructions, 0), ...builds.map((b) => fmt(k.mips[b]))];
    if (hasJit) r.push(ratio(k.speedup));
    if (paired) r.push(ratio(k.pairedSpeedup));
    if (hasV86) r.push(ratio(k.interpVsV86));
    if (hasJit && hasV86) r.push(ratio(k.jitVsV86));
    if (hasV86) r.push(fmt(k.v86Instructions, 0));
    return r;
  });
  const g = geomeans(kernels);
  const gr = ["geometric mean", "", ...builds.map((b) => fmt(g[b]))];
  const q = (a?: number, b?: number) => (a && b ? ratio(a / b) : "—");
  if (hasJit) gr.push(q(g.jit, g.default));
  if (paired) {
    const ps = kernels.map((k) => k.pairedSpeedup).filter((x): x is number => x !== undefined);
    gr.push(ps.length === kernels.length ? ratio(geomean(ps)) : "—");
  }
  if (hasV86) gr.push(q(g.default, g.v86));
  if (hasJit && hasV86) gr.push(q(g.jit, g.v86));
  if (hasV86) gr.push("");
  rows.push(gr);
  return formatTable(headers, rows);
}

/** What the translator did per kernel (counts from one run; compile time
 *  the median over the timed runs). */
export function translatorTable(kernels: KernelSummary[]): string {
  const headers = ["kernel", "blocks", "regions", "insns (inline)", "µs/block", "µs/insn", "ms/region", "slowest ms (largest)", "code bytes", "block runs/M", "exits/M interp", "exits/M JIT"];
  const rows = kernels.map((k) => [
    name(k.rom), fmt(k.blocks, 0), fmt(k.regions, 0),
    k.instructionsCompiled === undefined ? "—" : `${k.instructionsCompiled} (${k.instructionsInlined})`,
    fmt(k.compileUsPerBlock, 0), fmt(k.compileUsPerInstruction, 0), fmt(k.compileMsPerRegion, 2),
    k.maxRegionMs === undefined ? "—" : `${fmt(k.maxRegionMs, 2)} (${k.maxRegionBlocks})`, fmt(k.codeBytes, 0),
    fmt(k.blockRunsPerM), fmt(k.exitsPerM?.interp, 2), fmt(k.exitsPerM?.jit, 2),
  ]);
  return formatTable(headers, rows);
}

const REASONS: [keyof Exits, string][] = [
  ["portIo", "port I/O"], ["mmio", "MMIO"], ["codeWrites", "code writes"], ["faults", "faults"],
  ["compile", "compile"], ["slices", "run slices"],
];

/** Exits to the host by reason, per million instructions, one line per
 *  wasm86 row (reasons that never happened are left out). */
export function exitLines(rows: Row[]): string {
  const lines = ["exits to the host by reason (per million instructions; counts from one run):"];
  for (const r of rows) {
    if (!r.exits) continue;
    const e = r.exits, n = r.instructions;
    const parts = REASONS.filter(([k]) => e[k] > 0).map(([k, label]) => `${label} ${((e[k] / n) * 1e6).toFixed(2)} (${e[k]})`);
    lines.push(`  ${name(r.rom).padEnd(14)} ${BUILD_LABELS[r.build].padEnd(12)} total ${((totalExits(e) / n) * 1e6).toFixed(2)}: ${parts.join(", ")}`);
  }
  return lines.join("\n") + "\n";
}
