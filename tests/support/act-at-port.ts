/**
 * act-at-port.ts — the host of the tests that change the guest's world
 * mid-run: at a guest's OUT to a port, on the first pass where a condition
 * holds, the host acts (rewrites code, turns A20 on); a reference run (the
 * interpreter) gets the same act at the same pass. Port writes happen
 * inside the core's run, so nothing the run loop does between runs (a
 * background reply's install) comes between the condition and the act.
 * Not a test file itself.
 */
import type { Machine } from "../../src/index.js";

/**
 * Count `m`'s writes to `port`; at the first where `due(pass)` holds, call
 * `act`. Returns the pass it happened at (null: not yet).
 */
export function actAtPort(m: Machine, port: number, due: (pass: number) => boolean, act: () => void): () => number | null {
  let pass = 0, acted: number | null = null;
  m.registerPort(port, {
    write: () => {
      pass++;
      if (acted === null && due(pass)) { act(); acted = pass; }
    },
  });
  return () => acted;
}
