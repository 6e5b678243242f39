/**
 * interp.bench.ts — `npm run bench`: guest MIPS of wasm86 on the compute
 * kernels in roms/bench-*.bin (each runs to its HLT, tens of millions of
 * instructions), measured with `benchmark` and reported as medians.
 * Results go to the terminal (table.ts), bench/results/interp.json (shape
 * in results.ts) and bench/results/interp.svg (svg.ts).
 *
 *   npm run bench                       all kernels, 8086 model, interpreter
 *   npm run bench -- --flags            also the eager-flags core build,
 *                                       for the lazy-vs-eager experiment
 *   npm run bench -- --jit              also the translator (engine jit),
 *                                       timed from cold: every sample
 *                                       translates its blocks again; adds
 *                                       compile latency, blocks, regions,
 *                                       code size and exits to the host
 *   npm run bench -- --v86              also v86 (the npm package) on the
 *                                       same kernels (v86.ts)
 *   npm run bench -- --filter sieve --cpu 286 --max-time 2
 *   npm run bench -- --jit --pairs 15   the paired JIT/interp ratio from 15
 *                                       interleaved pairs of runs (default
 *                                       9; 0 leaves it out)
 *   npm run bench -- --jit --no-if-conversion --jit-max-region 16
 *                                       the translator's knobs, spelled as
 *                                       wasm86's (src/cli/jit-flags.ts), for
 *                                       the jit row; the results record them
 *
 * This file parses options, times and writes the files; it formats nothing.
 * The machine is shared and noisy: compare numbers from the same run only.
 */
import Benchmark from "benchmark";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/package-root.js";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { runBare } from "../src/bare.js";
import { CPU_MODELS, type CpuModel, type Engine } from "../src/machine.js";
import { loadJit } from "../src/jit/load.js";
import { JIT_FLAGS, jitOptionsFrom } from "../src/cli/jit-flags.js";
import { JIT_DEFAULTS, type JitOptions } from "../src/jit/engine.js";
import type { CoreBuild } from "../src/core/core.js";
import { exitsOf, geomeans, median, rme, summarize, type Build, type Row } from "./results.js";
import { exitLines, speedTable, translatorTable } from "./table.js";
import { renderSvg } from "./svg.js";
import { loadV86, runV86 } from "./v86.js";

const root = PACKAGE_ROOT;
const romDir = join(root, "roms");

function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      flags: { type: "boolean", default: false },
      jit: { type: "boolean", default: false },
      v86: { type: "boolean", default: false },
      filter: { type: "string" },
      cpu: { type: "string", default: "8086" },
      "max-time": { type: "string", default: "3" },
      pairs: { type: "string", default: "9" },
      ...JIT_FLAGS,
    },
  }).values;
} catch (e) {
  fail((e as Error).message);
}
const jitOptions = Object.fromEntries(Object.entries(jitOptionsFrom(args, (m) => fail(m)))
  .filter(([k, v]) => v !== undefined && v !== JIT_DEFAULTS[k as keyof JitOptions])) as JitOptions;
const cpu = args.cpu as CpuModel;
if (!CPU_MODELS.includes(cpu)) fail(`unknown --cpu ${cpu}`);
if (args.jit) await loadJit();
let v86Version: string | undefined;
if (args.v86) {
  try {
    v86Version = (await loadV86()).version;
  } catch (e) {
    fail(`--v86: ${(e as Error).message}`);
  }
}
const maxTime = Number(args["max-time"]);
if (!(maxTime > 0)) fail("--max-time must be a positive number of seconds");
const pairs = Number(args.pairs);
if (!Number.isInteger(pairs) || pairs < 0 || pairs > 1000) fail("--pairs must be an integer from 0 to 1000");

const roms = readdirSync(romDir)
  .filter((f) => /^bench-.*\.bin$/.test(f) && (!args.filter || f.includes(args.filter)))
  .sort();
if (roms.length === 0) fail(`no roms/bench-*.bin${args.filter ? ` matching ${args.filter}` : ""}`);

/** What a wasm86 row measures: a core build on an engine. */
interface Config { label: Build; build: CoreBuild; engine: Engine }
/** The machine options of a run on `engine` with core build `build`. */
const machineOptionsFor = (build: CoreBuild, engine: Engine) =>
  ({ coreBuild: build, engine, ...(engine === "jit" ? { jit: jitOptions } : {}) });
const configs: Config[] = [{ label: "default", build: "default", engine: "interp" }];
if (args.flags) configs.push({ label: "eager-flags", build: "eager-flags", engine: "interp" });
if (args.jit) configs.push({ label: "jit", build: "default", engine: "jit" });
const builds: Build[] = [...configs.map((c) => c.label), ...(args.v86 ? ["v86" as const] : [])];

const rows: Row[] = [];
/** Each kernel's output and instruction count under wasm86's interpreter,
 *  which every other configuration must reproduce. */
const reference = new Map<string, { output: string; instructions: number }>();

const suite = new Benchmark.Suite();
for (const rom of roms) {
  const image = readFileSync(join(romDir, rom));
  for (const { label, build, engine } of configs) {
    let instructions = 0;
    const compileMs: number[] = [], maxRegionMs: number[] = [];
    const machineOptions = machineOptionsFor(build, engine);
    // Check once, outside the timing, that the kernel really completes;
    // this run's counters (exits, blocks) are the ones reported.
    const probe = runBare(image, { cpu, machineOptions });
    if (probe.reason !== "halt") fail(`${rom} did not halt (${probe.reason} after ${probe.instructions} instructions)`);
    if (!reference.has(rom)) reference.set(rom, { output: probe.output, instructions: probe.instructions });
    const exits = exitsOf(probe.machine.stats, probe.machine.jitStats, probe.instructions);
    suite.add(`${rom} [${label}]`, () => {
      const r = runBare(image, { cpu, machineOptions });
      instructions = r.instructions;
      const s = r.machine.jitStats;
      if (s) { compileMs.push(s.compileMs); maxRegionMs.push(s.maxRegionMs); }
    }, {
      maxTime, minSamples: 5, initCount: 1,
      onComplete(this: Benchmark) {
        const ms = median(this.stats.sample) * 1000;
        rows.push({
          rom, build: label, instructions, medianMs: ms, mips: instructions / ms / 1000, samples: this.stats.sample.length,
          rme: this.stats.rme, exits,
          ...(probe.machine.jitStats ? { jit: probe.machine.jitStats, compileMsMedian: median(compileMs), maxRegionMsMedian: median(maxRegionMs) } : {}),
        });
      },
    });
  }
}

suite.on("cycle", (e: Benchmark.Event) => process.stderr.write(`  ${String(e.target)}\n`));
suite.run({ async: false });

// The JIT/interpreter ratio again, from interleaved pairs: the two medians
// above were taken seconds apart, and a shared machine's speed drifts by
// ±10% between them. Here each pair is one run on each engine back to
// back (which goes first alternates), and the ratio is the median of the
// pairs' ratios: load that comes and goes meets both runs of a pair.
if (args.jit && pairs > 0) {
  for (const rom of roms) {
    const image = readFileSync(join(romDir, rom));
    const timed = (engine: Engine) => {
      const t0 = performance.now();
      runBare(image, { cpu, machineOptions: machineOptionsFor("default", engine) });
      return performance.now() - t0;
    };
    const ratios: number[] = [];
    for (let i = 0; i < pairs; i++) {
      let interp: number, jit: number;
      if (i % 2) { interp = timed("interp"); jit = timed("jit"); } else { jit = timed("jit"); interp = timed("interp"); }
      ratios.push(interp / jit);
    }
    const row = rows.find((r) => r.rom === rom && r.build === "jit")!;
    row.pairedSpeedup = median(ratios);
    row.pairs = pairs;
    process.stderr.write(`  ${rom} JIT/interp over ${pairs} interleaved pairs: ${row.pairedSpeedup.toFixed(2)}× (median)\n`);
  }
}

if (args.v86) {
  // v86 runs asynchronously (its main loop yields to the event loop), so
  // `benchmark`'s synchronous cycles do not fit: a fresh emulator per
  // sample (cold, as wasm86's samples are), built outside the timing; one
  // untimed run first checks the output. At least 5 samples, then until
  // --max-time seconds of samples.
  for (const rom of roms) {
    const image = readFileSync(join(romDir, rom));
    const ref = reference.get(rom)!;
    const check = await runV86(image);
    if (check.output !== ref.output) {
      fail(`${rom}: v86 printed ${JSON.stringify(check.output)}, wasm86 ${JSON.stringify(ref.output)}`);
    }
    const samples: number[] = [];
    let spent = 0, counted = check.instructions;
    while (samples.length < 5 || spent < maxTime * 1000) {
      const r = await runV86(image);
      samples.push(r.ms);
      spent += r.ms;
      counted = r.instructions;
    }
    const ms = median(samples);
    // MIPS from wasm86's count: the same guest work for both emulators
    // (v86's own counter counts a REP string instruction once).
    rows.push({
      rom, build: "v86", instructions: ref.instructions, medianMs: ms, mips: ref.instructions / ms / 1000,
      samples: samples.length, rme: rme(samples), v86Instructions: counted,
    });
    process.stderr.write(`  ${rom} [v86] ${ms.toFixed(1)} ms median of ${samples.length} (v86 counted ${counted.toLocaleString("en-US")} instructions)\n`);
  }
}

const order = (r: Row) => roms.indexOf(r.rom) * 10 + builds.indexOf(r.build);
rows.sort((a, b) => order(a) - order(b));
const kernels = summarize(rows);
const date = new Date().toISOString();
const cpuModel = cpus()[0]?.model ?? "unknown CPU";

const out = process.stdout;
out.write(`\n${cpu} model — ${cpuModel}, Node ${process.version}${v86Version ? `, v86 ${v86Version}` : ""}, ${date}\n`);
if (args.jit && Object.keys(jitOptions).length > 0) out.write(`translator knobs (not the defaults): ${JSON.stringify(jitOptions)}\n`);
out.write("guest MIPS, medians (MIPS = wasm86's instruction count / median wall time):\n");
out.write(speedTable(kernels, builds));
if (args.jit) {
  out.write("\ntranslator (counts from one run; µs per block and per guest instruction compiled: median compile time of the timed runs):\n");
  out.write(translatorTable(kernels));
  out.write("\n" + exitLines(rows));
}
if (args.v86) {
  out.write("\nv86: its own JIT on, a fresh emulator per sample, timed from run() to the HLT; \"v86 count\" is its own instruction\n"
    + "counter (a REP string instruction counts once; wasm86 counts each iteration), plus ~two dozen for the stub ROM.\n");
}

const resultsDir = join(root, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const json = join(resultsDir, "interp.json");
writeFileSync(json, JSON.stringify({
  date, cpu, host: cpuModel, node: process.version, ...(v86Version ? { v86: v86Version } : {}),
  ...(args.jit ? { jitOptions } : {}),
  rows, kernels, geomean: geomeans(kernels),
}, null, 2) + "\n");
const svg = join(resultsDir, "interp.svg");
writeFileSync(svg, renderSvg(kernels, builds, {
  date: date.slice(0, 16).replace("T", " ") + " UTC", cpu, host: cpuModel, node: process.version,
  note: v86Version ? `v86 ${v86Version.replace(/\+.*/, "")}` : undefined,
}));
out.write(`results: ${json}\nchart: ${svg}\n`);
// v86 may leave a timer behind after destroy(); the report is written.
process.exit(0);
