/**
 * soak-lib.ts — the pieces of the translator's soak test shared by
 * `npm run soak` (bench/soak.ts) and tests/jit/soak.test.ts: the guest
 * (roms/soak.bin and its parameters), the samples (process memory, the
 * core's and binaryen's Wasm memories, the function table, the jit
 * counters), the flatness check and the state a reference run is compared
 * on.
 *
 * Issue 4's requirement: the code cache and the function table are
 * bounded, translations are evicted when they are full, and memory stays
 * flat over 10^10 instructions. roms/soak.bin keeps the translator busy
 * forever (hot blocks by the hundred, self-modifying code, CS aliases,
 * data and stack on code pages); a leak per translation or per
 * invalidation shows up as growth between the early and the late samples.
 *
 * Some of what is sampled is not public API: the core's function table
 * and Wasm memory and the engine's page map are read from the Machine's
 * private fields (`internals()` below, the one place that does it). When
 * a field is missing (the engine was rewritten) the value is reported as
 * undefined and not checked, rather than failing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { PACKAGE_ROOT } from "../src/package-root.js";
import { bareMachine } from "../src/bare.js";
import type { Machine, CpuModel, Engine } from "../src/machine.js";
import type { JitStats } from "../src/jit/engine.js";
import { loadJit } from "../src/jit/load.js";

/** The guest's parameters: words in its image at 0000:7DF0 (roms/soak.asm). */
export interface SoakParams {
  /** Inner-loop iterations per call, base (the guest adds 0..63 per round). */
  iter?: number;
  /** Far calls per visited stub per round. */
  calls?: number;
  /** Stubs visited per round. */
  window?: number;
}
const PARAM_ADDRESS = 0x7df0;
const PARAM_ORDER = ["iter", "calls", "window"] as const;

export function soakImage(): Uint8Array {
  return readFileSync(join(PACKAGE_ROOT, "roms", "soak.bin"));
}

/** The defaults built into roms/soak.bin. */
export function soakDefaults(image = soakImage()): Required<SoakParams> {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const at = (i: number) => dv.getUint16(PARAM_ADDRESS - 0x7c00 + 2 * i, true);
  return { iter: at(0), calls: at(1), window: at(2) };
}

/** FNV-1a over the debug-console bytes, with the line count and the last
 *  complete line: the guest prints a checksum line per round, so equal
 *  hashes mean equal output without keeping it. */
export class OutputDigest {
  hash = 0x811c9dc5;
  bytes = 0;
  lines = 0;
  lastLine = "";
  private line = "";
  push(b: number): void {
    this.hash = Math.imul(this.hash ^ b, 0x01000193) >>> 0;
    this.bytes++;
    if (b === 10) { this.lines++; this.lastLine = this.line; this.line = ""; } else if (this.line.length < 80) this.line += String.fromCharCode(b);
  }
  get summary(): OutputSummary { return { hash: this.hash.toString(16).padStart(8, "0"), bytes: this.bytes, lines: this.lines, lastLine: this.lastLine }; }
}
export interface OutputSummary { hash: string; bytes: number; lines: number; lastLine: string }

export interface SoakMachine { machine: Machine; output: OutputDigest }

/** A machine with roms/soak.bin loaded, its parameters patched, ready at
 *  0000:7C00. */
export function soakMachine(options: {
  engine: Engine; cpu?: CpuModel; maxFunctions?: number; threshold?: number; background?: boolean; params?: SoakParams;
}): SoakMachine {
  const output = new OutputDigest();
  const image = soakImage();
  const m = bareMachine(image, options.cpu ?? "8086", (b) => output.push(b), {
    engine: options.engine,
    jit: options.engine === "jit" ? { maxFunctions: options.maxFunctions, threshold: options.threshold, background: options.background } : undefined,
  });
  const params = { ...soakDefaults(image), ...options.params };
  PARAM_ORDER.forEach((k, i) => {
    const v = params[k];
    if (!Number.isInteger(v) || v < 1 || v > 0xffff) throw new RangeError(`soak: parameter ${k} must be 1..65535, got ${v}`);
    m.write(PARAM_ADDRESS + 2 * i, new Uint8Array([v & 0xff, v >> 8]));
  });
  return { machine: m, output };
}

/** Registers, instruction count and an FNV-1a hash of the first 1 MiB +
 *  64 KiB: what a reference run must agree with. */
export interface StateSummary { instructions: number; registers: string; memory: string }
export function stateSummary(m: Machine): StateSummary {
  const mem = m.read(0, Math.min(m.memorySize, 0x110000));
  let h = 0x811c9dc5;
  for (let i = 0; i < mem.length; i++) h = Math.imul(h ^ mem[i], 0x01000193);
  return { instructions: m.instructionCount, registers: JSON.stringify(m.registers), memory: (h >>> 0).toString(16).padStart(8, "0") };
}

// ------------------------------------------------------------ internals

/** binaryen's own Wasm memory (emscripten's heap: grows, never shrinks),
 *  caught as binaryen instantiates itself. Undefined when binaryen was
 *  already loaded before captureBinaryenMemory() ran. */
let binaryenMemory: WebAssembly.Memory | undefined;

/** loadJit(), watching the Wasm instance binaryen creates for its memory. */
export async function loadJitWatchingMemory(): Promise<void> {
  const original = WebAssembly.instantiate;
  const watch = (result: WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance) => {
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) binaryenMemory ??= v;
    return result;
  };
  (WebAssembly as { instantiate: unknown }).instantiate = (...a: unknown[]) =>
    (original as (...x: unknown[]) => Promise<WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance>)(...a).then(watch);
  try { await loadJit(); } finally { (WebAssembly as { instantiate: unknown }).instantiate = original; }
}

interface Internals { table?: WebAssembly.Table; memory?: WebAssembly.Memory; codePages?: Map<number, unknown> }
/** The Machine's private parts the soak watches (see the header). */
function internals(m: Machine): Internals {
  const x = m as unknown as { core?: { table?: WebAssembly.Table; memory?: WebAssembly.Memory }; jit?: { codePages?: Map<number, unknown> } };
  return {
    table: x.core?.table instanceof WebAssembly.Table ? x.core.table : undefined,
    memory: x.core?.memory instanceof WebAssembly.Memory ? x.core.memory : undefined,
    codePages: x.jit?.codePages instanceof Map ? x.jit.codePages : undefined,
  };
}

/** The function table's length (undefined if not reachable). */
export function tableLength(m: Machine): number | undefined { return internals(m).table?.length; }

/** A full collection before sampling, if the runtime lets us have one
 *  (node --expose-gc, or the flag set at run time). */
let gcFn: (() => void) | undefined | null = null;
export function gc(): boolean {
  if (gcFn === null) {
    gcFn = (globalThis as { gc?: () => void }).gc;
    if (!gcFn) {
      try { setFlagsFromString("--expose-gc"); gcFn = runInNewContext("gc") as () => void; } catch { gcFn = undefined; }
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}

/**
 * Live WebAssembly instances created after start(): each is held only
 * weakly, so after a GC the count is what something still references —
 * for the translator, what its function table holds. The engine creates
 * every translation with `new WebAssembly.Instance`, which start()
 * replaces with a subclass that records a WeakRef (and stop() restores).
 */
export class InstanceCensus {
  private refs: WeakRef<WebAssembly.Instance>[] = [];
  private original: typeof WebAssembly.Instance | undefined;
  created = 0;
  start(): void {
    if (this.original) return;
    const original = WebAssembly.Instance;
    const census = this;
    this.original = original;
    (WebAssembly as { Instance: unknown }).Instance = class extends original {
      constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
        super(module, imports);
        census.created++;
        census.refs.push(new WeakRef(this));
      }
    };
  }
  stop(): void {
    if (this.original) (WebAssembly as { Instance: unknown }).Instance = this.original;
    this.original = undefined;
  }
  /** Instances still alive after a full GC (undefined without gc()). A
   *  WeakRef's target survives until the current job ends, so this
   *  yields to the event loop first. */
  async live(): Promise<number | undefined> {
    await new Promise((resolve) => setImmediate(resolve));
    if (!gc()) return undefined;
    this.refs = this.refs.filter((r) => r.deref() !== undefined);
    return this.refs.length;
  }
}

// -------------------------------------------------------------- samples

export interface Sample {
  instructions: number;
  /** Seconds since the run started. */
  seconds: number;
  rss: number; heapUsed: number; external: number; arrayBuffers: number;
  /** Bytes of the core's Wasm memory, and of binaryen's. */
  coreMemory?: number;
  binaryenMemory?: number;
  /** Length of the core's function table. */
  table?: number;
  /** Physical pages the engine tracks translated code on. */
  codePages?: number;
  /** Translations' Wasm instances still alive (InstanceCensus). */
  liveInstances?: number;
  regions: number; flushes: number; invalidations: number; compileMs: number; failures: number;
  translatedInstructions: number;
}

export function takeSample(m: Machine, seconds: number, liveInstances?: number): Sample {
  gc();
  const mu = process.memoryUsage();
  const i = internals(m);
  const s: JitStats | undefined = m.jitStats;
  return {
    instructions: m.instructionCount, seconds,
    rss: mu.rss, heapUsed: mu.heapUsed, external: mu.external, arrayBuffers: mu.arrayBuffers,
    coreMemory: i.memory?.buffer.byteLength,
    binaryenMemory: binaryenMemory?.buffer.byteLength,
    table: i.table?.length,
    codePages: i.codePages?.size,
    liveInstances,
    regions: s?.regionsCompiled ?? 0, flushes: s?.flushes ?? 0, invalidations: s?.invalidations ?? 0,
    compileMs: s?.compileMs ?? 0, failures: s?.failures ?? 0, translatedInstructions: s?.translatedInstructions ?? 0,
  };
}

// ------------------------------------------------------------- flatness

/**
 * The flatness rule. Samples before `warmup` (a fraction of the run) are
 * ignored: caches fill, V8 tiers up, the function table reaches its bound.
 * The rest is cut in two halves, early and late; for each metric the
 * late maximum may exceed the early maximum by at most `relative` of it
 * plus `absolute` bytes. Maxima of windows, not single samples, so one
 * unlucky sample (a GC that has not returned pages yet) neither hides nor
 * fakes growth. A leak of L bytes per translation shows up as
 * L × (translations in the late half) of growth.
 */
export interface Tolerance { relative: number; absolute: number }
export const MiB = 1 << 20;
export const TOLERANCES: Record<string, Tolerance> = {
  // V8 returns freed pages lazily and the code space of dropped Wasm
  // instances is reclaimed in batches: rss breathes more than the heap.
  rss: { relative: 0.10, absolute: 32 * MiB },
  heapUsed: { relative: 0.10, absolute: 8 * MiB },
  external: { relative: 0.10, absolute: 8 * MiB },
  arrayBuffers: { relative: 0.10, absolute: 8 * MiB },
  // Wasm memories only grow: after warm-up any growth is a leak (the
  // core's: shared frames — none in this guest; binaryen's: its arena).
  coreMemory: { relative: 0, absolute: 0 },
  binaryenMemory: { relative: 0, absolute: 0 },
};

export interface MetricVerdict { metric: string; earlyMax: number; lateMax: number; limit: number; ok: boolean }

export function checkFlat(samples: readonly Sample[], warmup: number, tolerances: Record<string, Tolerance> = TOLERANCES): MetricVerdict[] {
  const first = Math.min(samples.length - 2, Math.ceil(samples.length * warmup));
  const rest = samples.slice(Math.max(first, 0));
  const half = Math.ceil(rest.length / 2);
  const early = rest.slice(0, half), late = rest.slice(half);
  const out: MetricVerdict[] = [];
  for (const [metric, t] of Object.entries(tolerances)) {
    const values = (xs: readonly Sample[]) => xs.map((s) => s[metric as keyof Sample]).filter((v): v is number => typeof v === "number");
    const e = values(early), l = values(late);
    if (e.length === 0 || l.length === 0) continue;
    const earlyMax = Math.max(...e), lateMax = Math.max(...l);
    const limit = earlyMax * (1 + t.relative) + t.absolute;
    out.push({ metric, earlyMax, lateMax, limit, ok: lateMax <= limit });
  }
  return out;
}

/** Least-squares slope of a metric against instructions, in bytes per
 *  million instructions, over the samples after warm-up (informative: a
 *  small leak shows as a steady positive slope). */
export function slope(samples: readonly Sample[], warmup: number, metric: keyof Sample): number | undefined {
  const rest = samples.slice(Math.ceil(samples.length * warmup));
  const pts = rest.map((s) => [s.instructions / 1e6, s[metric]] as const).filter((p): p is readonly [number, number] => typeof p[1] === "number");
  if (pts.length < 3) return undefined;
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length, my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  let num = 0, den = 0;
  for (const [x, y] of pts) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return den === 0 ? 0 : num / den;
}
