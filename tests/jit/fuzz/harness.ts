/**
 * harness.ts — runs one generated program under engine "interp" and engine
 * "jit" and compares them: registers (32-bit, FLAGS included), memory,
 * the debug-port output, the instruction count, the halt state and each
 * run() result, after every slice of a randomly sliced run. On a mismatch
 * it throws an error whose message holds the seed, the replay command, the
 * program as a listing (src/x86's decoder; the construct that emitted each
 * instruction; where each engine stopped) and the first differences.
 * Not a test file.
 *
 * Guest layout (all programs):
 *   0000:0000  IVT: every vector → 0050:0000, a HLT (a fault ends the run)
 *   0100:0000  main code (page 1), same-page subroutines after it;
 *   0100:2000  subroutines on another page (linear 3000h)
 *   DS 2000h, ES 3000h, SS 4000h (SP 8000h), FS 5000h, GS 6000h: data
 *   segments that hold no code, so any 16-bit offset is safe to write
 *
 * Each program runs under two of CONFIGS (chosen by its seed) with the
 * same random slices for both engines. Environment:
 *   FUZZ_SEEDS=N        N programs per suite and model instead of the default
 *   FUZZ_SEED=x         replay one seed (decimal or 0x hex) under every config
 *   FUZZ_CPU=286        one model only
 *   FUZZ_SEED_BASE=n    another family of seeds (bug hunts)
 *   FUZZ_ALL_CONFIGS=1  every program under every config
 *   FUZZ_KEEP_GOING=1   report every failing seed of a suite, not the first
 *   FUZZ_SLICED=1       slice the suites that run unsliced (known bugs)
 *   FUZZ_VERBOSE=1      print instruction counts per suite
 * e.g.  FUZZ_KEEP_GOING=1 FUZZ_SEEDS=300 npx vitest run tests/jit/fuzz
 */
import { it, expect } from "vitest";
import { Machine, type CpuModel } from "../../../src/index.js";
import type { JitOptions } from "../../../src/jit/engine.js";
import { decodeBytes, renderInsn } from "../../../src/x86/index.js";
import type { X86Model } from "../../../src/x86/ir.js";
import { mulberry32 } from "../../support/mulberry32.js";
import type { Section } from "./asm.js";

export const CODE_CS = 0x0100;
export const SEGS = { es: 0x3000, ss: 0x4000, ds: 0x2000, fs: 0x5000, gs: 0x6000 } as const;
const HANDLER = 0x500;
/** Memory compared: everything the programs can reach. */
const MEM_END = 0x70000;

export interface Program {
  seed: number;
  cpu: CpuModel;
  sections: readonly Section[];
  /** Initial registers (CS:IP, segments and SP are set by the harness). */
  regs: Record<string, number>;
  /** Data pattern seed. */
  dataSeed: number;
  /** Bytes to load over the pattern (physical address). */
  data?: { addr: number; bytes: Uint8Array }[];
}

export interface JitConfig { name: string; jit: JitOptions }

/** The translator's option sets the programs run under. */
export const CONFIGS: readonly JitConfig[] = [
  { name: "t0", jit: { threshold: 0 } },
  { name: "default", jit: {} },
  { name: "t0-region1-O1", jit: { threshold: 0, maxRegion: 1, optimize: 1 } },
  { name: "t0-noinline-O0", jit: { threshold: 0, inline: false, optimize: 0 } },
  { name: "t1-block5-O1", jit: { threshold: 1, maxBlock: 5, optimize: 1 } },
  { name: "t0-region1-block3-O0", jit: { threshold: 0, maxRegion: 1, maxBlock: 3, optimize: 0 } },
  { name: "t0-noentries", jit: { threshold: 0, regionEntries: false } },
];

/** Programs per suite and CPU: FUZZ_SEEDS=N runs N instead of the default. */
export function seedCount(dflt: number): number {
  const n = Number(process.env.FUZZ_SEEDS);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}

/** The seeds a suite runs: FUZZ_SEED=x (decimal or 0x hex) replays one. */
export function seeds(base: number, dflt: number): number[] {
  const one = process.env.FUZZ_SEED;
  if (one) return [Number(one) >>> 0];
  const off = Number(process.env.FUZZ_SEED_BASE ?? 0) >>> 0;
  return Array.from({ length: seedCount(dflt) }, (_, i) => (Math.imul(base ^ off, 0x9e3779b1) + i * 0x632be5ab) >>> 0);
}

/** The CPU models a suite runs on, narrowed by FUZZ_CPU=8086|286|386. */
export function cpus(all: readonly CpuModel[]): CpuModel[] {
  const only = process.env.FUZZ_CPU;
  return only ? all.filter((c) => c === only) : [...all];
}

interface Snapshot {
  reason: string;
  regs: Record<string, number>;
  count: number;
  halted: boolean;
  out: string;
}

let cachedData: { seed: number; data: Uint8Array } | undefined;

/** The data segments' initial contents (random words, and every 1 KiB a
 *  run of small numbers: shift counts, divisors, string data). */
function dataPattern(seed: number): Uint8Array {
  if (cachedData?.seed === seed) return cachedData.data;
  const data = new Uint8Array(MEM_END - 0x20000);
  const words = new Uint32Array(data.buffer);
  const r = mulberry32(seed);
  for (let i = 0; i < words.length; i++) words[i] = (r() * 2 ** 32) >>> 0;
  for (let i = 0; i < data.length; i += 1024) data.fill(i & 0x700 ? 0 : 1, i, i + 16);
  cachedData = { seed, data };
  return data;
}

class Run {
  readonly m: Machine;
  out = "";
  constructor(p: Program, engine: "interp" | "jit", jit?: JitOptions) {
    const m = (this.m = new Machine({ cpu: p.cpu, engine, jit }));
    m.registerPort(0xe9, { write: (_p, _s, v) => { this.out += String.fromCharCode(v & 0xff); } });
    const ivt = new Uint8Array(0x400);
    for (let v = 0; v < 256; v++) { ivt[v * 4 + 2] = (HANDLER >> 4) & 0xff; ivt[v * 4 + 3] = HANDLER >> 12; }
    m.write(0, ivt);
    m.write(HANDLER, [0xf4]);
    const data = dataPattern(p.dataSeed);
    m.write(0x20000, data);
    for (const d of p.data ?? []) m.write(d.addr, d.bytes);
    for (const s of p.sections) m.write(CODE_CS * 16 + s.base, s.bytes);
    const regs: Record<string, number> = { ...p.regs, cs: CODE_CS, ip: 0, ds: SEGS.ds, es: SEGS.es, ss: SEGS.ss, sp: 0x8000 };
    if (p.cpu === "386") Object.assign(regs, { fs: SEGS.fs, gs: SEGS.gs });
    m.setRegisters(regs);
    this.startCount = m.instructionCount;
  }
  readonly startCount: number;

  snap(reason: string): Snapshot {
    const m = this.m, r16 = m.registers, r32 = m.registers32;
    const regs: Record<string, number> = {
      eax: r32.eax, ecx: r32.ecx, edx: r32.edx, ebx: r32.ebx, esp: r32.esp, ebp: r32.ebp, esi: r32.esi, edi: r32.edi,
      ip: r16.ip, flags: r16.flags, cs: r16.cs, ds: r16.ds, es: r16.es, ss: r16.ss, fs: r32.fs, gs: r32.gs,
    };
    return { reason, regs, count: m.instructionCount - this.startCount, halted: m.halted, out: this.out };
  }
}

/** Run the interpreter to the end (or `cap`): the program's length. */
export function naturalLength(p: Program, cap: number): { count: number; halted: boolean } {
  const r = new Run(p, "interp");
  r.m.run({ maxInstructions: cap });
  return { count: r.m.instructionCount - r.startCount, halted: r.m.halted };
}

/** Slice sizes for a run of `total` instructions: a few tiny first
 *  slices, then cuts at random points, then what is left (+ extra). */
export function slicing(seed: number, total: number): number[] {
  const r = mulberry32(seed ^ 0x5eed);
  const cuts = new Set<number>();
  const n = 2 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) cuts.add(1 + Math.floor(r() * Math.max(1, total)));
  if (r() < 0.5) { cuts.add(1); cuts.add(2); }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: number[] = [];
  let at = 0;
  for (const c of sorted) { if (c > at) { out.push(c - at); at = c; } }
  out.push(total - at + 10);
  return out;
}

const REG_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "ip", "flags", "cs", "ds", "es", "ss", "fs", "gs"];
const hex = (v: number, w = 4) => (v >>> 0).toString(16).padStart(w, "0");

/** The program as a listing, one line per emitted instruction. */
export function listing(p: Program, marks: { ip: number; tag: string }[] = []): string {
  const lines: string[] = [];
  const model = p.cpu as X86Model;
  for (const s of p.sections) {
    if (s.length === 0) continue;
    lines.push(`  ; section ${s.name} at ${hex(CODE_CS)}:${hex(s.base)}`);
    const starts = s.marks.map((mk) => mk.offset);
    for (let k = 0; k < starts.length; k++) {
      const off = starts[k], end = k + 1 < starts.length ? starts[k + 1] : s.length;
      const ip = (s.base + off) & 0xffff;
      const insn = decodeBytes(s.bytes, off, model, ip);
      const bytes = s.bytes.slice(off, end).map((b) => hex(b, 2)).join("");
      const text = insn.status === "ok" ? renderInsn(insn) : `db ${bytes}`;
      const here = marks.filter((mk) => mk.ip === ip).map((mk) => mk.tag).join(" ");
      const noteText = s.marks[k].note && (k === 0 || s.marks[k - 1].note !== s.marks[k].note) ? `; ${s.marks[k].note}` : "";
      lines.push(`${here ? here.padStart(12) : "".padStart(12)}  ${hex(ip)}  ${bytes.padEnd(20)} ${text.padEnd(34)} ${noteText}`.trimEnd());
    }
  }
  return lines.join("\n");
}

function diffSnap(a: Snapshot, b: Snapshot): string[] {
  const d: string[] = [];
  if (a.reason !== b.reason) d.push(`run() reason: interp ${a.reason}, jit ${b.reason}`);
  if (a.count !== b.count) d.push(`instruction count: interp ${a.count}, jit ${b.count}`);
  if (a.halted !== b.halted) d.push(`halted: interp ${a.halted}, jit ${b.halted}`);
  for (const k of REG_NAMES) {
    if (a.regs[k] !== b.regs[k]) {
      let extra = "";
      if (k === "flags") {
        const x = a.regs[k] ^ b.regs[k];
        extra = "  (differ in " + [["CF", 0], ["PF", 2], ["AF", 4], ["ZF", 6], ["SF", 7], ["TF", 8], ["IF", 9], ["DF", 10], ["OF", 11]]
          .filter(([, bit]) => x & (1 << (bit as number))).map(([n]) => n).join(" ") + ")";
      }
      d.push(`${k}: interp ${hex(a.regs[k], k.startsWith("e") ? 8 : 4)}, jit ${hex(b.regs[k], k.startsWith("e") ? 8 : 4)}${extra}`);
    }
  }
  if (a.out !== b.out) d.push(`output: interp ${JSON.stringify(a.out)}, jit ${JSON.stringify(b.out)}`);
  return d;
}

function diffMem(a: Machine, b: Machine): string[] {
  const x = Buffer.from(a.read(0, MEM_END)), y = Buffer.from(b.read(0, MEM_END));
  if (x.equals(y)) return [];
  const d: string[] = [];
  for (let i = 0; i < MEM_END && d.length < 12; i++) {
    if (x[i] !== y[i]) d.push(`memory ${hex(i, 5)}: interp ${hex(x[i], 2)}, jit ${hex(y[i], 2)}`);
  }
  return d;
}

export interface CheckResult { instructions: number; translated: number; halted: boolean }

/**
 * Run `p` sliced under the interpreter and under the translator with
 * `config`, comparing after every slice; throws a debuggable report on the
 * first difference (or a translation failure).
 */
export function check(p: Program, config: JitConfig, slices: readonly number[], replay: string): CheckResult {
  const a = new Run(p, "interp"), b = new Run(p, "jit", config.jit);
  for (let i = 0; i < slices.length; i++) {
    const ra = a.m.run({ maxInstructions: slices[i] }), rb = b.m.run({ maxInstructions: slices[i] });
    const sa = a.snap(ra.reason), sb = b.snap(rb.reason);
    const diffs = [...diffSnap(sa, sb), ...diffMem(a.m, b.m)];
    const failures = b.m.jitStats!.failures;
    if (failures > 0) diffs.push(`the translator failed ${failures} time(s) (an exception in translateRegion or an invalid module)`);
    if (diffs.length > 0) {
      const done = slices.slice(0, i + 1).reduce((x, y) => x + y, 0);
      throw new Error([
        `jit differs from interp: seed 0x${hex(p.seed, 8)} cpu ${p.cpu} config ${config.name} ${JSON.stringify(config.jit)}`,
        `replay: ${replay}`,
        `slices ${JSON.stringify(slices)}: after slice ${i} (${done} instructions asked, interp at ${hex(sa.regs.cs)}:${hex(sa.regs.ip)}, jit at ${hex(sb.regs.cs)}:${hex(sb.regs.ip)})`,
        ...diffs.map((s) => "  " + s),
        `initial registers ${JSON.stringify(Object.fromEntries(Object.entries(p.regs).map(([k, v]) => [k, hex(v)])))}`,
        listing(p, [{ ip: sa.regs.ip, tag: "interp>" }, { ip: sb.regs.ip, tag: "jit>" }]),
      ].join("\n"));
    }
  }
  const s = b.m.jitStats!;
  return { instructions: b.m.instructionCount - b.startCount, translated: s.translatedInstructions, halted: b.m.halted };
}

// ------------------------------------------------------------ the suites

/** The configurations a program runs under: two of `list` per program,
 *  chosen by its seed (every one for a replayed seed or FUZZ_ALL_CONFIGS). */
export function configsFor(seed: number, list: readonly JitConfig[] = CONFIGS): JitConfig[] {
  if (process.env.FUZZ_SEED || process.env.FUZZ_ALL_CONFIGS) return [...list];
  const a = seed % list.length, b = (a + 1 + ((seed >>> 8) % (list.length - 1))) % list.length;
  return [list[a], list[b]];
}

export interface SuiteStats { programs: number; instructions: number; translated: number; halted: number }

/**
 * Generate and check the programs of seeds `list` on `cpu`; `build` makes
 * a program from a seed. `file` names the test file for the replay line.
 * Longer programs are cut at `cap` instructions. `configs`: the set each
 * program draws its two configurations from.
 */
export function runSeeds(
  file: string, cpu: CpuModel, list: readonly number[], build: (seed: number, cpu: CpuModel) => Program, cap = 20_000, sliced = true,
  configs: readonly JitConfig[] = CONFIGS,
): SuiteStats {
  const st: SuiteStats = { programs: 0, instructions: 0, translated: 0, halted: 0 };
  const failed: string[] = [];
  // The describe block's title, for the replay line's -t.
  const suite = expect.getState().currentTestName?.split(" > ")[0]?.replace(/["\\]/g, ".");
  for (const seed of list) {
    const p = build(seed, cpu);
    const len = naturalLength(p, cap);
    const slices = sliced || process.env.FUZZ_SLICED ? slicing(seed, len.count) : [len.count + 10];
    const replay = `FUZZ_SEED=0x${hex(seed, 8)} FUZZ_CPU=${cpu}${process.env.FUZZ_SLICED ? " FUZZ_SLICED=1" : ""} npx vitest run ${file}${suite ? ` -t "${suite}"` : ""}`;
    for (const cfg of configsFor(seed, configs)) {
      try {
        const r = check(p, cfg, slices, replay);
        st.instructions += r.instructions;
        st.translated += r.translated;
      } catch (e) {
        // FUZZ_KEEP_GOING=1: report every failing seed, not just the first.
        if (!process.env.FUZZ_KEEP_GOING) throw e;
        const msg = (e as Error).message;
        console.log(`FUZZFAIL ${replay}\n${msg.split("\n").slice(0, 8).join("\n")}`);
        failed.push(replay);
        break;
      }
    }
    st.programs++;
    if (len.halted) st.halted++;
  }
  if (failed.length > 0) throw new Error(`${failed.length} of ${list.length} programs differ:\n${failed.join("\n")}`);
  return st;
}

/**
 * One `it` per CPU model: `n` programs (FUZZ_SEEDS overrides) from
 * `build`, each checked under two jit configurations with random slices.
 * `sliced: false` runs each program in one slice past its end (for a
 * suite whose sliced runs hit a known bug; see the test file). `configs`:
 * the configurations to draw from (default CONFIGS).
 */
export function fuzzSuite(opts: {
  file: string; base: number; n: number; models: readonly CpuModel[];
  build: (seed: number, cpu: CpuModel) => Program; cap?: number; sliced?: boolean; configs?: readonly JitConfig[];
}): void {
  for (const cpu of cpus(opts.models)) {
    const list = seeds(opts.base + LEVEL_SALT[cpu], opts.n);
    it(`${cpu}: ${list.length} programs${opts.sliced === false && !process.env.FUZZ_SLICED ? ", unsliced" : ", sliced runs"}`, () => {
      const st = runSeeds(opts.file, cpu, list, opts.build, opts.cap, opts.sliced ?? true, opts.configs);
      // The translator ran a good share of the programs.
      expect(st.translated).toBeGreaterThan(st.instructions / 10);
      expect(st.halted).toBeGreaterThan(0);
      if (process.env.FUZZ_VERBOSE) console.log(opts.file, cpu, st);
    });
  }
}

const LEVEL_SALT: Record<CpuModel, number> = { "8086": 0, "286": 0x286, "386": 0x386 };

/** Check one seed sliced under every configuration (the regression
 *  cases of bugs the fuzzer found). */
export function checkSeed(file: string, cpu: CpuModel, seed: number, build: (seed: number, cpu: CpuModel) => Program, configs: readonly JitConfig[] = CONFIGS): void {
  const p = build(seed, cpu);
  const len = naturalLength(p, 20_000);
  const replay = `FUZZ_SEED=0x${hex(seed, 8)} FUZZ_CPU=${cpu} FUZZ_SLICED=1 npx vitest run ${file}`;
  for (const cfg of configs) check(p, cfg, slicing(seed, len.count), replay);
}
