/**
 * options.ts — the translator's knobs (JitOptions: what each does, its
 * default, which values it takes) and its counters (JitStats: what
 * Machine.jitStats and `--stats` report). The CLI spells the knobs in
 * src/cli/jit-flags.ts; the engine (engine.ts) acts on them.
 */
import type { Layout } from "../core/core.js";
import type { TranslateOptions } from "./translate.js";

/** The translator's knobs (CLI: --jit-threshold, --jit-max-block,
 *  --jit-max-region/--no-region, --jit-opt, --no-jit-inline, --no-flag-elision,
 *  --no-if-conversion, --no-wasm-loops, --no-region-entries,
 *  --no-access-groups, --no-stack-window, --no-loop-regions,
 *  --jit-background). */
export interface JitOptions {
  /** Entries into a block before it is translated (0: at the first). */
  threshold?: number;
  /** Most guest instructions per block. */
  maxBlock?: number;
  /** Most blocks compiled together as a region (1: single blocks). */
  maxRegion?: number;
  /** binaryen optimisation level 0–4. */
  optimize?: number;
  /** Inline the simple instructions (false: every one through execOne). */
  inline?: boolean;
  /** Keep the lazy-flags record in locals and drop records nothing
   *  observes (false: store every record, as the interpreter does). */
  flagElision?: boolean;
  /** Compile a Jcc over a few register-only instructions as selects
   *  (hammock.ts; false: as a branch). */
  ifConversion?: boolean;
  /** Make a region's loops Wasm loops where they nest (layout.ts; false:
   *  every back edge through the dispatch's br_table). */
  wasmLoops?: boolean;
  /** Let the core enter a region at its return sites, loop headers, call
   *  targets and blocks outside loops too (false: only at the block it was
   *  translated for). */
  regionEntries?: boolean;
  /** One TLB test for a region's memory operands through a register it
   *  seldom sets (groups.ts; false: a test per access). */
  accessGroups?: boolean;
  /** PUSH, POP, CALL and RET tested against the stack window, the range
   *  of SS around SP the core keeps (assembly/jit/stackwindow.ts; false:
   *  through the TLB). */
  stackWindow?: boolean;
  /** A hot block on a loop gets the loop (the blocks on a cycle through
   *  it, with the functions they call), not all it reaches on its page;
   *  one on no loop is put off for about eight times the threshold more
   *  entries, for a loop around it to get hot first (scope.ts, LOOP_FIRST;
   *  false: everything reached, at the threshold). */
  loopRegions?: boolean;
  /** Retranslations of a region whose own code keeps being written before
   *  it is left to the interpreter for good. */
  maxRetranslations?: number;
  /** Translate in a worker thread while the interpreter runs on
   *  (background.ts): a translation stalls the guest only for its
   *  install, but when it starts to run depends on the worker's speed —
   *  the guest's results and instruction counts do not, --stats do. */
  background?: boolean;
  /** With background: wait for each reply where it was asked for, so
   *  translations start at the same instruction as without — the worker's
   *  path with deterministic timing, for differential tests. */
  backgroundWait?: boolean;
  /** Function-table capacity before a full flush (at most 2^19: a cache
   *  slot keeps the table index in 20 bits, and the core's own functions
   *  come first). */
  maxFunctions?: number;
}

export const JIT_DEFAULTS: Required<JitOptions> = {
  threshold: 20, maxBlock: 64, maxRegion: 128, optimize: 0, inline: true, flagElision: true, ifConversion: true, wasmLoops: true,
  regionEntries: true, accessGroups: true, stackWindow: true, loopRegions: true,
  maxRetranslations: 4, background: false, backgroundWait: false,
  maxFunctions: 16384,
};

/** `options` over the defaults, each checked: a RangeError names the
 *  first bad one. */
export function resolveJitOptions(options: JitOptions, L: Layout): Required<JitOptions> {
  const o = { ...JIT_DEFAULTS };
  for (const [k, v] of Object.entries(options) as [keyof JitOptions, unknown][]) {
    if (v === undefined) continue;
    const ok = typeof JIT_DEFAULTS[k] === "boolean" ? typeof v === "boolean"
      : typeof v === "number" && Number.isInteger(v) && v >= (k === "threshold" || k === "optimize" ? 0 : 1)
        && (k !== "optimize" || v <= 4) && (k !== "maxFunctions" || v <= 1 << (L.JIT_ENTRY_SHIFT - 1));
    if (!ok || !(k in JIT_DEFAULTS)) throw new RangeError(`wasm86: bad jit option ${k}: ${JSON.stringify(v)}`);
    (o as Record<string, unknown>)[k] = v;
  }
  return o;
}

/** What a translation is asked to do, by the knobs `o`; `grouped`: the
 *  page may still have access groups (engine.ts, after a deopt not). */
export function translateOptionsOf(o: Required<JitOptions>, grouped: boolean): TranslateOptions {
  return {
    optimize: o.optimize, inline: o.inline, flagElision: o.flagElision, ifConversion: o.ifConversion, wasmLoops: o.wasmLoops,
    entries: o.regionEntries, accessGroups: o.accessGroups && grouped, stackWindow: o.stackWindow,
  };
}

/** What the translator did (Machine.jitStats). */
export interface JitStats {
  blocksCompiled: number;
  /** Functions generated: a region of one or more blocks each. */
  regionsCompiled: number;
  /** Requests answered with "never translate here" (an instruction the
   *  block cannot start with: invalid, truncated). */
  blocksRefused: number;
  /** Translations that failed (a translator bug; the interpreter ran the
   *  block instead). */
  failures: number;
  /** Regions left to the interpreter because their code was rewritten
   *  more than maxRetranslations times (self-patching loops). */
  blocksThrashing: number;
  /** Translations put off because their page's translations keep being
   *  dropped before they were of use (the block must be entered more
   *  times first). */
  compilesDeferred: number;
  /** Requests at hot blocks on no loop, put off for a loop around them to
   *  get hot first (loopRegions). */
  loopWaits: number;
  /** Blocks a request found decoded already, by an earlier request, with
   *  their bytes unchanged (region.ts). */
  decodeHits: number;
  instructionsCompiled: number;
  instructionsInlined: number;
  /** Ways into translated regions besides their first block (return
   *  sites, loop headers, call targets) that the cache took. */
  entriesInstalled: number;
  /** Time translating on the engine's thread, ms (in the background:
   *  sending requests, taking replies and installing them, the warm-up's
   *  included — background-worker.ts, warmup.ts). */
  compileMs: number;
  /** Of it: in V8, compiling and instantiating the modules (the rest is
   *  decoding and translating, in JavaScript). */
  wasmCompileMs: number;
  /** The longest one translation held the engine's thread, ms (in the
   *  background: the longest request, or reply taken and installed), and
   *  the most blocks one region had (the average, compileMs /
   *  regionsCompiled, hides a large region among small ones). */
  maxRegionMs: number;
  maxRegionBlocks: number;
  /** Background translation (JitOptions.background): requests sent to
   *  the worker; replies dropped because the code they were translated
   *  from changed meanwhile (or its page lost its access groups);
   *  requests left unanswered when the worker was given up (a request
   *  unanswered 5 s: the engine translates on its own thread from then);
   *  the worker's time, ms (the warm-up's included); and the longest
   *  wait from request to install, ms (the interpreter ran the block
   *  meanwhile). */
  backgroundRequests: number;
  backgroundStale: number;
  backgroundTimeouts: number;
  backgroundMs: number;
  maxLatencyMs: number;
  codeBytes: number;
  invalidations: number;
  /** Pages whose translations an access group's failed test dropped, to
   *  be translated again without groups (deopt). */
  deopts: number;
  flushes: number;
  /** From the core: translated blocks run, cache lookups, lookups that
   *  found no translation, runs skipped for lack of budget. */
  blockRuns: number;
  /** Guest instructions retired inside translated blocks. */
  translatedInstructions: number;
  lookups: number;
  misses: number;
  budgetSkips: number;
  /** Side exits: translated code that left before a memory access its
   *  TLB fast paths could not do, for the interpreter to run it (MMIO,
   *  ROM, a code chunk, copy-on-write, dirty logging, a crossing). */
  sideExits: number;
}
