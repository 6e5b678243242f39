/**
 * load.ts — binaryen, loaded on demand. binaryen.js is a large module
 * with a top-level await (about a second to load); machines on the
 * interpreter never need it, so nothing imports it statically. Call
 * `await loadJit()` once before creating a machine with engine "jit".
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
