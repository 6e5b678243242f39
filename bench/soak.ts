/**
 * soak.ts — `npm run soak`: issue 4's bounded-resources check. Runs
 * roms/soak.bin (a guest that keeps the translator busy forever: hundreds
 * of hot blocks, self-modifying code, CS aliases, data and stack on code
 * pages) under engine "jit" for N instructions with a small function-table
 * bound, so translations are evicted over and over, and watches memory.
 *
 *   npm run soak                                 10^10 instructions (minutes)
 *   npm run soak -- --instructions 3e8           a shorter run
 *   npm run soak -- --max-functions 64 --samples 100 --json out.json
 *   npm run soak -- --jit-background             translating in the worker
 *
 * At `--samples` evenly spaced points (after a full GC: node runs with
 * --expose-gc) it records process.memoryUsage() (rss, heapUsed, external,
 * arrayBuffers), the core's and binaryen's Wasm memory sizes, the
 * function table's length and the jit counters, prints them as a table,
 * and exits 1 if
 *   - memory is not flat: after the warm-up fraction (`--warmup`, 0.25),
 *     the later half's maximum of a metric exceeds the earlier half's by
 *     more than its tolerance (soak-lib.ts TOLERANCES: rss 10% + 32 MiB,
 *     heapUsed/external/arrayBuffers 10% + 8 MiB, the Wasm memories 0);
 *   - the function table ever exceeds its bound (initial length +
 *     maxFunctions), more translated Wasm instances than maxFunctions are
 *     alive after a GC (evicted code still referenced somewhere), the
 *     table was never flushed (nothing was evicted: lengthen the run), or
 *     a translation failed;
 *   - the run does not end at exactly N instructions, or differs from the
 *     interpreter: a reference run of the interpreter in a child process
 *     (in parallel, on the other core) to `--reference` instructions
 *     (default N; 0 skips it) must reach the same registers, memory hash,
 *     instruction count and debug-console output (a checksum line per
 *     guest round) as the translated run at that point.
 * Progress goes to stderr; the table, the verdicts and the time taken to
 * stdout. Exit status: 0 pass, 1 fail, 2 bad arguments.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CPU_MODELS, type CpuModel } from "../src/machine.js";
import { JIT_DEFAULTS } from "../src/jit/engine.js";
import {
  soakMachine, soakDefaults, stateSummary, takeSample, tableLength, checkFlat, slope, loadJitWatchingMemory, gc, InstanceCensus,
  TOLERANCES, MiB, type Sample, type SoakParams, type StateSummary, type OutputSummary,
} from "./soak-lib.js";

function usage(msg: string): never {
  process.stderr.write(`soak: ${msg}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      instructions: { type: "string", default: "1e10" },
      samples: { type: "string", default: "50" },
      warmup: { type: "string", default: "0.25" },
      "max-functions": { type: "string", default: "256" },
      threshold: { type: "string" },
      reference: { type: "string" },
      cpu: { type: "string", default: "8086" },
      iter: { type: "string" },
      calls: { type: "string" },
      window: { type: "string" },
      json: { type: "string" },
      "jit-background": { type: "boolean", default: false },
      // Internal: be the interpreter reference (prints JSON on stdout).
      "as-reference": { type: "boolean", default: false },
    },
  }).values;
} catch (e) {
  usage((e as Error).message);
}

const count = (name: string, text: string | undefined, min = 0): number | undefined => {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min) usage(`--${name} must be an integer ≥ ${min}, got ${text}`);
  return v;
};
const N = count("instructions", args.instructions, 1)!;
const samples = count("samples", args.samples, 4)!;
const warmup = Number(args.warmup);
if (!(warmup >= 0 && warmup < 0.9)) usage(`--warmup must be a fraction in [0, 0.9), got ${args.warmup}`);
const maxFunctions = count("max-functions", args["max-functions"], 1)!;
const threshold = count("threshold", args.threshold, 0);
const reference = count("reference", args.reference, 0) ?? N;
if (reference > N) usage("--reference cannot exceed --instructions");
const cpu = args.cpu as CpuModel;
if (!CPU_MODELS.includes(cpu)) usage(`unknown --cpu ${cpu}`);
const params: SoakParams = {};
for (const k of ["iter", "calls", "window"] as const) {
  const v = count(k, args[k], 1);
  if (v !== undefined) { if (v > 0xffff) usage(`--${k} must be at most 65535`); params[k] = v; }
}

// ---------------------------------------------------- the reference child
if (args["as-reference"]) {
  const { machine, output } = soakMachine({ engine: "interp", cpu, params });
  const r = machine.run({ maxInstructions: N });
  process.stdout.write(JSON.stringify({ reason: r.reason, state: stateSummary(machine), output: output.summary }) + "\n");
  process.exit(0);
}

interface ReferenceResult { reason: string; state: StateSummary; output: OutputSummary }
function startReference(): Promise<ReferenceResult | string> {
  const argv = [fileURLToPath(import.meta.url), "--as-reference", "--instructions", String(reference), "--cpu", cpu];
  for (const [k, v] of Object.entries(params)) argv.push(`--${k}`, String(v));
  const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { err += d; });
  return new Promise((resolve) => {
    child.on("error", (e) => resolve(`could not start: ${e.message}`));
    child.on("close", (code) => {
      try { resolve(code === 0 ? JSON.parse(out) as ReferenceResult : `exit status ${code}: ${err.trim()}`); } catch { resolve(`bad output: ${out}`); }
    });
  });
}

// ------------------------------------------------------------- the run
await loadJitWatchingMemory();
const guest = { ...soakDefaults(), ...params };
const { machine: m, output } = soakMachine({ engine: "jit", cpu, maxFunctions, threshold, background: args["jit-background"], params });
const tableBase = tableLength(m);
const census = new InstanceCensus();
census.start();
const tableBound = tableBase === undefined ? undefined : tableBase + maxFunctions;
process.stderr.write(
  `soak: ${N.toExponential(2)} instructions of roms/soak.bin on the ${cpu} under engine jit — maxFunctions ${maxFunctions}, `
  + `threshold ${threshold ?? JIT_DEFAULTS.threshold}, guest iter ${guest.iter} calls ${guest.calls} window ${guest.window}; `
  + `${samples} samples, warm-up ${warmup}; ${gc() ? "GC before each sample" : "no GC available (run node with --expose-gc)"}`
  + `${reference > 0 ? `; interpreter reference to ${reference.toExponential(2)} in a child process` : ""}\n`,
);
const referencePromise = reference > 0 ? startReference() : undefined;

const points = new Set<number>();
for (let k = 1; k <= samples; k++) points.add(Math.round((N * k) / samples));
const stops = [...new Set([...points, ...(reference > 0 ? [reference] : [])])].sort((a, b) => a - b);

const t0 = performance.now();
const list: Sample[] = [takeSample(m, 0)];
let atReference: { state: StateSummary; output: OutputSummary } | undefined;
const problems: string[] = [];
const mib = (b: number | undefined) => (b === undefined ? "—" : (b / MiB).toFixed(1));
for (const stop of stops) {
  const r = m.run({ maxInstructions: stop - m.instructionCount });
  if (r.reason !== "budget") { problems.push(`the guest stopped (${r.reason}) at ${m.instructionCount}`); break; }
  const seconds = (performance.now() - t0) / 1000;
  if (stop === reference) atReference = { state: stateSummary(m), output: output.summary };
  if (points.has(stop)) {
    const s = takeSample(m, seconds, await census.live());
    list.push(s);
    process.stderr.write(
      `soak: ${(stop / N * 100).toFixed(0).padStart(3)}% ${stop.toExponential(2)} in ${seconds.toFixed(0)} s `
      + `(${(stop / seconds / 1e6).toFixed(1)} MIPS): rss ${mib(s.rss)} MiB, heap ${mib(s.heapUsed)} MiB, `
      + `external ${mib(s.external)} MiB, table ${s.table ?? "—"}, regions ${s.regions}, flushes ${s.flushes}, `
      + `invalidations ${s.invalidations}\n`,
    );
  }
}
const seconds = (performance.now() - t0) / 1000;

// ----------------------------------------------------------- the report
const cols: [string, (s: Sample) => string][] = [
  ["instructions", (s) => s.instructions.toExponential(2)],
  ["s", (s) => s.seconds.toFixed(0)],
  ["rss MiB", (s) => mib(s.rss)],
  ["heapUsed", (s) => mib(s.heapUsed)],
  ["external", (s) => mib(s.external)],
  ["arrayBuf", (s) => mib(s.arrayBuffers)],
  ["core wasm", (s) => mib(s.coreMemory)],
  ["binaryen", (s) => mib(s.binaryenMemory)],
  ["table", (s) => String(s.table ?? "—")],
  ["pages", (s) => String(s.codePages ?? "—")],
  ["live inst.", (s) => String(s.liveInstances ?? "—")],
  ["regions", (s) => String(s.regions)],
  ["flushes", (s) => String(s.flushes)],
  ["invalid.", (s) => String(s.invalidations)],
  ["compile s", (s) => (s.compileMs / 1000).toFixed(1)],
];
const rows = list.map((s) => cols.map(([, f]) => f(s)));
const widths = cols.map(([h], i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => "| " + cells.map((c, i) => c.padStart(widths[i])).join(" | ") + " |";
console.log(line(cols.map(([h]) => h)));
console.log("|" + widths.map((w) => "-".repeat(w + 1) + ":").join("|") + "|");
for (const r of rows) console.log(line(r));

const last = list[list.length - 1];
console.log(
  `\n${m.instructionCount.toLocaleString("en-US")} instructions in ${seconds.toFixed(1)} s (${(m.instructionCount / seconds / 1e6).toFixed(1)} MIPS); `
  + `${last.regions.toLocaleString("en-US")} regions compiled in ${(last.compileMs / 1000).toFixed(1)} s, `
  + `${last.flushes} flushes, ${last.invalidations.toLocaleString("en-US")} invalidations, `
  + `${(last.translatedInstructions / m.instructionCount * 100).toFixed(1)}% of instructions translated; `
  + `guest output ${output.lines} lines, last ${JSON.stringify(output.summary.lastLine)}`,
);

if (m.instructionCount !== N) problems.push(`the run ended at ${m.instructionCount} instructions, not ${N}`);
if (tableBound !== undefined) {
  const over = list.find((s) => s.table !== undefined && s.table > tableBound);
  if (over) problems.push(`function table ${over.table} > its bound ${tableBound} at ${over.instructions}`);
}
const overLive = list.find((s) => s.liveInstances !== undefined && s.liveInstances > maxFunctions);
if (overLive) problems.push(`${overLive.liveInstances} translated instances alive after a GC (> maxFunctions ${maxFunctions}) at ${overLive.instructions}: evicted code is still referenced`);
if (last.flushes === 0) problems.push("the function table was never flushed: nothing was evicted (lengthen the run or lower --max-functions)");
if (last.failures > 0) problems.push(`${last.failures} translations failed (a translator bug; the interpreter ran those blocks)`);

console.log(`\nflatness after warm-up (${warmup}): late max ≤ early max × (1 + relative) + absolute`);
for (const v of checkFlat(list, warmup)) {
  const t = TOLERANCES[v.metric];
  const rate = slope(list, warmup, v.metric as keyof Sample);
  console.log(
    `  ${v.ok ? "ok  " : "FAIL"} ${v.metric.padEnd(14)} early ${mib(v.earlyMax).padStart(8)} MiB  late ${mib(v.lateMax).padStart(8)} MiB  `
    + `limit ${mib(v.limit).padStart(8)} MiB (${t.relative * 100}% + ${t.absolute / MiB} MiB)`
    + (rate === undefined ? "" : `  slope ${(rate / 1024).toFixed(2)} KiB per 10^6 instructions`),
  );
  if (!v.ok) problems.push(`${v.metric} grew after warm-up: ${mib(v.earlyMax)} → ${mib(v.lateMax)} MiB (limit ${mib(v.limit)})`);
}

if (referencePromise && atReference) {
  const ref = await referencePromise;
  if (typeof ref === "string") problems.push(`the interpreter reference failed: ${ref}`);
  else {
    const same = ref.reason === "budget" && JSON.stringify(ref.state) === JSON.stringify(atReference.state)
      && JSON.stringify(ref.output) === JSON.stringify(atReference.output);
    console.log(
      `\ninterpreter reference at ${reference.toLocaleString("en-US")} instructions: ${same ? "same" : "DIFFERENT"} `
      + `registers, memory hash ${ref.state.memory}, output ${ref.output.lines} lines hash ${ref.output.hash}`,
    );
    if (!same) {
      problems.push(`the translated run differs from the interpreter at ${reference}: `
        + `jit ${JSON.stringify(atReference)} vs interpreter ${JSON.stringify(ref)}`);
    }
  }
}

if (args.json) {
  writeFileSync(args.json, JSON.stringify({
    instructions: N, seconds, maxFunctions, tableBound, guest, warmup, samples: list, problems,
  }, null, 1));
}
if (problems.length > 0) {
  console.log(`\nFAIL\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log("\nPASS");
