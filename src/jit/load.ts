/**
 * load.ts — binaryen, loaded on demand. binaryen.js is a large module
 * with a top-level await (about a second to load). The translator writes
 * its modules with the direct emitter (emitter.ts) unless asked to
 * optimise, so only `jit.optimize` > 0 (and the tests' text dumps) need
 * it: call `await loadJit()` once before creating such a machine.
 */
import type Binaryen from "binaryen";

let loaded: typeof Binaryen | undefined;

/** Load the translator's code generator (idempotent). */
export async function loadJit(): Promise<void> {
  if (!loaded) loaded = (await import("binaryen")).default;
}

/** Whether loadJit() has completed. */
export function jitLoaded(): boolean { return loaded !== undefined; }

/** binaryen, for the translator; throws if loadJit() has not run. */
export function binaryen(): typeof Binaryen {
  if (!loaded) throw new Error("wasm86: the jit engine needs `await loadJit()` first (binaryen loads asynchronously)");
  return loaded;
}
