/**
 * cold.ts — `npm run bench:cold`: what a user running one program sees,
 * each run in a fresh Node process: how long the longest translation
 * stalls the guest, translating at once (the default) and in the
 * background (--jit-background), how long the background's translations
 * take to arrive, and the whole run's wall time next to the
 * interpreter's.
 *
 *   npm run bench:cold                     every kernel, 7 rounds
 *   npm run bench:cold -- --rounds 3 --filter mix
 *
 * `npm run bench` measures steady state: its processes translate the
 * same kernels many times, and V8 has compiled the translator by the
 * time it is timed. Here the translator is cold JavaScript — parsed,
 * compiled and interpreted by V8 as it first runs — as in any one run of
 * `wasm86`. Medians of the rounds (modes interleaved); results to the
 * terminal and bench/results/cold.json. The machine is shared and noisy:
 * compare numbers from the same run only.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runBare } from "../src/bare.js";
import { PACKAGE_ROOT } from "../src/package-root.js";
import { median } from "./results.js";

const MODES = ["interp", "jit", "background"] as const;
type Mode = (typeof MODES)[number];

/** One run's numbers (ms). */
interface Sample { wall: number; stall: number; thread: number; latency: number; translated: number; requests: number }

function fail(msg: string): never {
  process.stderr.write(`bench:cold: ${msg}\n`);
  process.exit(2);
}

/** In the child: run `rom` once and print its Sample as JSON. */
function child(rom: string, mode: Mode): void {
  const img = readFileSync(join(PACKAGE_ROOT, "roms", rom));
  const t0 = performance.now();
  const r = runBare(img, {
    cpu: "8086",
    machineOptions: mode === "interp" ? { engine: "interp" } : { engine: "jit", jit: { background: mode === "background" } },
  });
  const wall = performance.now() - t0;
  const s = r.machine.jitStats;
  const sample: Sample = {
    wall, stall: s?.maxRegionMs ?? 0, thread: s?.compileMs ?? 0, latency: s?.maxLatencyMs ?? 0,
    translated: s ? s.translatedInstructions / r.instructions : 0, requests: s?.backgroundRequests ?? 0,
  };
  process.stdout.write(JSON.stringify(sample) + "\n");
}

let args;
try {
  args = parseArgs({
    options: { rounds: { type: "string", default: "7" }, filter: { type: "string" }, child: { type: "string" }, mode: { type: "string" } },
  }).values;
} catch (e) {
  fail((e as Error).message);
}
if (args.child !== undefined) {
  child(args.child, args.mode as Mode);
  process.exit(0);
}
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) fail("--rounds must be an integer from 1 to 100");
const roms = readdirSync(join(PACKAGE_ROOT, "roms"))
  .filter((f) => /^bench-.*\.bin$/.test(f) && (!args.filter || f.includes(args.filter)))
  .sort();
if (roms.length === 0) fail(`no roms/bench-*.bin${args.filter ? ` matching ${args.filter}` : ""}`);

const self = fileURLToPath(import.meta.url);
const samples = new Map<string, Sample[]>();
for (let round = 0; round < rounds; round++) {
  for (const rom of roms) {
    for (const mode of MODES) {
      const text = execFileSync(process.execPath, [self, "--child", rom, "--mode", mode], { encoding: "utf8" });
      const key = `${rom} ${mode}`;
      samples.set(key, [...(samples.get(key) ?? []), JSON.parse(text) as Sample]);
    }
  }
  process.stderr.write(`\rround ${round + 1}/${rounds}`);
}
process.stderr.write("\n");

const med = (rom: string, mode: Mode, f: keyof Sample) => median(samples.get(`${rom} ${mode}`)!.map((s) => s[f]));
const kernels = roms.map((rom) => ({
  rom,
  interp: { wall: med(rom, "interp", "wall") },
  jit: { wall: med(rom, "jit", "wall"), stall: med(rom, "jit", "stall"), thread: med(rom, "jit", "thread"), translated: med(rom, "jit", "translated") },
  background: {
    wall: med(rom, "background", "wall"), stall: med(rom, "background", "stall"), thread: med(rom, "background", "thread"),
    latency: med(rom, "background", "latency"),
    translated: med(rom, "background", "translated"), requests: med(rom, "background", "requests"),
  },
}));

const pad = (s: string, n: number) => s.padStart(n);
const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);
const out = process.stdout;
const date = new Date().toISOString(), host = cpus()[0]?.model ?? "unknown CPU";
out.write(`\nfresh process per run, medians of ${rounds} — ${host}, Node ${process.version}, ${date}\n`);
out.write("ms; stall: the longest a translation held the guest; all: the run's translating on its thread; wait: request to install\n");
out.write("kernel   interp wall │ jit: wall  stall    all │ background: wall  stall    all   wait  translated\n");
for (const k of kernels) {
  const j = k.jit, b = k.background;
  out.write(`${k.rom.replace(/^bench-|\.bin$/g, "").padEnd(8)}${pad(ms(k.interp.wall), 12)} │${pad(ms(j.wall), 10)}${pad(ms(j.stall), 7)}${pad(ms(j.thread), 7)} │`
    + `${pad(ms(b.wall), 17)}${pad(ms(b.stall), 7)}${pad(ms(b.thread), 7)}${pad(ms(b.latency), 7)}${pad((b.translated * 100).toFixed(1), 11)}%\n`);
}
const dir = join(PACKAGE_ROOT, "bench", "results");
mkdirSync(dir, { recursive: true });
const json = join(dir, "cold.json");
writeFileSync(json, JSON.stringify({ date, host, node: process.version, rounds, kernels }, null, 2) + "\n");
out.write(`results: ${json}\n`);
