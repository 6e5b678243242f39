/**
 * patch-at-port.ts — the self-modification tests' host: at a guest's OUT
 * to a port, on the first pass where a condition holds, the host loads
 * new bytes into the guest's code; a reference run (the interpreter)
 * gets the same bytes at the same pass. Not a test file itself.
 */
import type { Machine } from "../../src/index.js";

/**
 * Count `m`'s writes to `port`; at the first where `due(pass)` holds, load
 * `bytes` at `at`. Returns the pass it happened at (null: not yet).
 */
export function patchAtPort(m: Machine, port: number, at: number, bytes: number[], due: (pass: number) => boolean): () => number | null {
  let pass = 0, patched: number | null = null;
  m.registerPort(port, {
    write: () => {
      pass++;
      if (patched === null && due(pass)) { m.load(at, bytes); patched = pass; }
    },
  });
  return () => patched;
}
