/**
 * jit-flags.ts — the translator's knobs as command-line flags, shared by
 * `wasm86` (main.ts) and `npm run bench` (bench/interp.bench.ts), so that a
 * tuning experiment is spelled the same way in both: the parseArgs option
 * specs, their help text, and the JitOptions they make. Not the knobs'
 * meaning (src/jit/engine.ts JitOptions) nor their defaults (JIT_DEFAULTS).
 */
import { JIT_DEFAULTS, type JitOptions } from "../jit/engine.js";

/** The flags, for node:util parseArgs. */
export const JIT_FLAGS = {
  "jit-threshold": { type: "string" }, "jit-max-block": { type: "string" }, "jit-opt": { type: "string" },
  "no-jit-inline": { type: "boolean", default: false }, "no-flag-elision": { type: "boolean", default: false },
  "no-if-conversion": { type: "boolean", default: false }, "no-wasm-loops": { type: "boolean", default: false },
  "no-region-entries": { type: "boolean", default: false }, "no-access-groups": { type: "boolean", default: false },
  "no-stack-window": { type: "boolean", default: false }, "no-loop-regions": { type: "boolean", default: false },
  "jit-max-region": { type: "string" }, "no-region": { type: "boolean", default: false },
  "jit-background": { type: "boolean", default: false },
} as const;

/** Their help text, aligned as wasm86 --help prints options; the
 *  defaults are JIT_DEFAULTS'. */
export const JIT_FLAGS_HELP = `  --jit-threshold N       block entries before translation (default ${JIT_DEFAULTS.threshold}; 0: at once)
  --jit-max-block N       most instructions per block (default ${JIT_DEFAULTS.maxBlock})
  --jit-opt 0..4          binaryen optimisation level (default 0: the direct emitter)
  --no-jit-inline         translate every instruction as a call to the interpreter
  --no-flag-elision       store every lazy-flags record to the CPU state, as the
                          interpreter does (default: kept in locals, dead ones dropped)
  --no-if-conversion      compile a Jcc over a few register-only instructions as
                          a branch (default: as conditional moves)
  --no-wasm-loops         every loop's back edge through the region's dispatch
                          br_table (default: Wasm loops where they nest)
  --no-region-entries     enter a region only at the block it was translated for
                          (default: at its return sites, loop headers and
                          call targets too)
  --no-access-groups      a TLB test at every memory access (default: one test
                          for a region's operands through a register it seldom
                          sets, [di+disp] say, redone only where it is set)
  --no-stack-window       PUSH/POP/CALL/RET through the TLB (default: one range
                          test against the stretch of memory around SP that the
                          core keeps clear of flags and translated code)
  --no-loop-regions       translate everything a hot block reaches on its page
                          (default: a hot block on a loop gets the blocks on a
                          cycle through it; one on no loop waits for the loop
                          around it to get hot first)
  --jit-max-region N      most blocks compiled together as one function (default ${JIT_DEFAULTS.maxRegion})
  --no-region             one block per function (same as --jit-max-region 1;
                          by default the blocks of a page that branch to each
                          other share one, so loops stay in Wasm)
  --jit-background        translate in a worker thread while the interpreter
                          runs on: a translation stalls the guest only to be
                          installed (default: at once, on the run's thread,
                          so --stats are the same from run to run)`;

/** What parseArgs gives for JIT_FLAGS. */
export interface JitFlagValues {
  "jit-threshold"?: string; "jit-max-block"?: string; "jit-opt"?: string; "jit-max-region"?: string;
  "no-jit-inline"?: boolean; "no-flag-elision"?: boolean; "no-if-conversion"?: boolean; "no-wasm-loops"?: boolean; "no-region"?: boolean;
  "no-region-entries"?: boolean; "no-access-groups"?: boolean;
  "no-stack-window"?: boolean; "no-loop-regions"?: boolean; "jit-background"?: boolean;
}

/** The JitOptions the flags ask for (unset ones stay undefined: the
 *  defaults). A bad number throws `usage(message)`'s error. */
export function jitOptionsFrom(values: JitFlagValues, usage: (message: string) => Error): JitOptions {
  const int = (v: string | undefined, name: string, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw usage(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
  return {
    threshold: int(values["jit-threshold"], "--jit-threshold", 0, 1e9),
    maxBlock: int(values["jit-max-block"], "--jit-max-block", 1, 1024),
    optimize: int(values["jit-opt"], "--jit-opt", 0, 4),
    inline: !values["no-jit-inline"],
    flagElision: !values["no-flag-elision"],
    ifConversion: !values["no-if-conversion"],
    wasmLoops: !values["no-wasm-loops"],
    regionEntries: !values["no-region-entries"],
    accessGroups: !values["no-access-groups"],
    stackWindow: !values["no-stack-window"],
    loopRegions: !values["no-loop-regions"],
    background: values["jit-background"] === true,
    maxRegion: values["no-region"] ? 1 : int(values["jit-max-region"], "--jit-max-region", 1, 4096),
  };
}
