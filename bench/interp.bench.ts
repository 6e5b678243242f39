/**
 * interp.bench.ts — `npm run bench`: guest MIPS of the interpreter on the
 * compute kernels in roms/bench-*.bin (each runs to its HLT, tens of
 * millions of instructions), measured with `benchmark` and reported as
 * medians. Results go to the terminal and to bench/results/interp.json.
 *
 *   npm run bench                       all kernels, 8086 model
 *   npm run bench -- --flags            also the eager-flags core build,
 *                                       for the lazy-vs-eager experiment
 *   npm run bench -- --jit              also the translator (engine jit),
 *                                       timed from cold: every sample
 *                                       translates its blocks again
 *   npm run bench -- --filter sieve --cpu 286 --max-time 2
 *
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
import type { JitStats } from "../src/jit/engine.js";
import type { CoreBuild } from "../src/core/core.js";

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
      filter: { type: "string" },
      cpu: { type: "string", default: "8086" },
      "max-time": { type: "string", default: "3" },
    },
  }).values;
} catch (e) {
  fail((e as Error).message);
}
const cpu = args.cpu as CpuModel;
if (!CPU_MODELS.includes(cpu)) fail(`unknown --cpu ${cpu}`);
if (args.jit) await loadJit();
const maxTime = Number(args["max-time"]);
if (!(maxTime > 0)) fail("--max-time must be a positive number of seconds");

const roms = readdirSync(romDir)
  .filter((f) => /^bench-.*\.bin$/.test(f) && (!args.filter || f.includes(args.filter)))
  .sort();
if (roms.length === 0) fail(`no roms/bench-*.bin${args.filter ? ` matching ${args.filter}` : ""}`);

/** What a row measures: a core build on an engine. */
interface Config { label: string; build: CoreBuild; engine: Engine }
const configs: Config[] = [{ label: "default", build: "default", engine: "interp" }];
if (args.flags) configs.push({ label: "eager-flags", build: "eager-flags", engine: "interp" });
if (args.jit) configs.push({ label: "jit", build: "default", engine: "jit" });

interface Row {
  rom: string; build: string; instructions: number; medianMs: number; mips: number; samples: number; rme: number;
  /** Engine jit: what one run translated. */
  jit?: JitStats;
}
const rows: Row[] = [];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const suite = new Benchmark.Suite();
for (const rom of roms) {
  const image = readFileSync(join(romDir, rom));
  for (const { label, build, engine } of configs) {
    let instructions = 0;
    const machineOptions = { coreBuild: build, engine };
    // Check once, outside the timing, that the kernel really completes.
    const probe = runBare(image, { cpu, machineOptions });
    if (probe.reason !== "halt") fail(`${rom} did not halt (${probe.reason} after ${probe.instructions} instructions)`);
    suite.add(`${rom} [${label}]`, () => {
      const r = runBare(image, { cpu, machineOptions });
      instructions = r.instructions;
    }, {
      maxTime, minSamples: 5, initCount: 1,
      onComplete(this: Benchmark) {
        const ms = median(this.stats.sample) * 1000;
        rows.push({
          rom, build: label, instructions, medianMs: ms, mips: instructions / ms / 1000, samples: this.stats.sample.length,
          rme: this.stats.rme, jit: probe.machine.jitStats,
        });
      },
    });
  }
}

suite.on("cycle", (e: Benchmark.Event) => process.stderr.write(`  ${String(e.target)}\n`));
suite.run({ async: false });

const cpuModel = cpus()[0]?.model ?? "unknown CPU";
process.stdout.write(`\nInterpreter, ${cpu} model — ${cpuModel}, Node ${process.version}\n`);
process.stdout.write(`${"kernel".padEnd(22)}${"build".padEnd(13)}${"instructions".padStart(14)}${"median ms".padStart(11)}${"MIPS".padStart(9)}\n`);
for (const r of rows) {
  process.stdout.write(
    `${r.rom.replace(/\.bin$/, "").padEnd(22)}${r.build.padEnd(13)}${r.instructions.toLocaleString("en-US").padStart(14)}` +
    `${r.medianMs.toFixed(1).padStart(11)}${r.mips.toFixed(1).padStart(9)}\n`,
  );
}
const byBuild = (b: string) => rows.filter((r) => r.build === b);
const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const lazy = geomean(byBuild("default").map((r) => r.mips));
process.stdout.write(`geometric mean: ${lazy.toFixed(1)} MIPS\n`);
if (args.flags) {
  const eager = geomean(byBuild("eager-flags").map((r) => r.mips));
  process.stdout.write(`eager flags: ${eager.toFixed(1)} MIPS; lazy/eager = ${(lazy / eager).toFixed(2)}x\n`);
}
if (args.jit) {
  const jit = geomean(byBuild("jit").map((r) => r.mips));
  process.stdout.write(`jit: ${jit.toFixed(1)} MIPS; jit/interpreter = ${(jit / lazy).toFixed(2)}x\n`);
  for (const r of byBuild("jit")) {
    const s = r.jit!;
    process.stdout.write(`  ${r.rom.replace(/\.bin$/, "").padEnd(20)} ${s.blocksCompiled} blocks (${s.instructionsInlined}/${s.instructionsCompiled} instructions inline), `
      + `${(s.compileMs * 1000 / Math.max(1, s.blocksCompiled)).toFixed(0)} µs/block, ${s.codeBytes} B code, `
      + `${(s.blockRuns / r.instructions * 1e6).toFixed(0)} block runs per M instructions\n`);
  }
}

mkdirSync(join(root, "bench", "results"), { recursive: true });
const out = join(root, "bench", "results", "interp.json");
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), cpu, host: cpuModel, node: process.version, rows }, null, 2) + "\n");
process.stdout.write(`results: ${out}\n`);
