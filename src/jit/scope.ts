/**
 * scope.ts — which of the blocks decoded around a hot block go into its
 * region. The engine decodes every block the hot one reaches on its page
 * (region.ts RegionDecoder); when the hot block is on a loop, the region is
 * that loop — the blocks on a cycle through the hot one, the loops around
 * it in the same function included — and the functions the loop calls,
 * and code reached only by leaving the loop (what follows it, an error
 * path, the program's epilogue, a function called only from there) stays
 * out: it returns to the core, which translates it when it gets hot
 * itself. A hot block on no cycle keeps everything it reaches.
 *
 *   hot ──▶ a ──▶ b ─┬──▶ exit ──call──▶ print        kept: hot, a, b, f
 *    ▲    (call f)   │                                  (not exit, print:
 *    └───────────────┘                                   only after the loop)
 *
 * Cycles are found with each call standing for its function: a call block
 * goes on at its return site, and a RET goes nowhere. (Following the RET
 * back to every return site in the region would also put on the loop a
 * call after it to a function the loop calls: bench-crc's print_hex.) A
 * loop inside a function is found from a hot block in it; a loop that runs
 * through a call and its RET — a function called in a loop — is found
 * from the loop's own blocks, and the engine waits for those to get hot.
 *
 * Why: a region's translation costs in proportion to its size, and the
 * page around a loop is often mostly code that runs once (bench-string:
 * 19 blocks reached, 6 on the loop). Not the decoding, nor when a request
 * is put off (engine.ts).
 */
import { relTarget, type Block } from "../x86/block.js";

/** The blocks of `blocks` (the hot one first) on a cycle through the
 *  first and those of the functions they call, in their order, and
 *  whether there is such a cycle (when not, all of them). `predictions`:
 *  where an indirect CALL/JMP ending a block goes now (block IP → IP). */
export function loopScope(blocks: readonly Block[], predictions: ReadonlyMap<number, number>): { blocks: readonly Block[]; onCycle: boolean } {
  // (Plain loops: this runs once per translation, seldom often enough
  // for V8 to optimise it, and array helpers cost more unoptimised.)
  const n = blocks.length;
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) index.set(blocks[i].ip, i);
  const succs: number[][] = new Array(n), preds: number[][] = new Array(n);
  for (let i = 0; i < n; i++) { succs[i] = []; preds[i] = []; }
  for (let i = 0; i < n; i++) {
    const ips = within(blocks[i], predictions.get(blocks[i].ip));
    for (let k = 0; k < ips.length; k++) {
      const j = index.get(ips[k]);
      if (j !== undefined) { succs[i].push(j); preds[j].push(i); }
    }
  }
  // The blocks the hot one gets to and those that get back to it: on a
  // cycle through it are those in both.
  const ahead = reach(succs), back = reach(preds);
  if (!back[0]) return { blocks, onCycle: false };
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) keep[i] = ahead[i] & back[i];
  // Then the functions the loop calls, each from its entry to its RETs,
  // and the functions those call.
  const calls: number[] = [];
  const callee = (i: number) => {
    const target = callTarget(blocks[i], predictions.get(blocks[i].ip));
    const j = target === null ? undefined : index.get(target);
    if (j !== undefined) calls.push(j);
  };
  for (let i = 0; i < n; i++) if (keep[i]) callee(i);
  const inFunction = new Uint8Array(n);
  while (calls.length > 0) {
    const walk = [calls.pop()!];
    while (walk.length > 0) {
      const i = walk.pop()!;
      if (inFunction[i]) continue;
      inFunction[i] = 1;
      callee(i);
      const to = succs[i];
      for (let k = 0; k < to.length; k++) if (!inFunction[to[k]]) walk.push(to[k]);
    }
  }
  const kept: Block[] = [];
  for (let i = 0; i < n; i++) if (keep[i] || inFunction[i]) kept.push(blocks[i]);
  return { blocks: kept, onCycle: true };
}

/** Where the call that ends `b` goes: its rel target, or for an indirect
 *  CALL the `predicted` one; null when `b` ends in no call (or in an
 *  indirect one with no prediction). */
export function callTarget(b: Block, predicted: number | null | undefined): number | null {
  const last = b.insns[b.insns.length - 1];
  if (last.flow !== "call") return null;
  return relTarget(last) ?? predicted ?? null;
}

/** Where control goes when `b` ends, within its function (IPs): a call
 *  goes on at its return site (the function it calls stands for itself);
 *  nothing follows a RET, an unconditional jump but its target, a far
 *  transfer, IRET or a fault. (Unlike budget.ts's successors, which keep
 *  the fall-through of everything and send a RET to the region's return
 *  sites: the budget must bound every path, this only finds loops.) An
 *  INT or a far CALL comes back to the next instruction. */
export function within(b: Block, predicted: number | undefined): number[] {
  const last = b.insns[b.insns.length - 1];
  const next = (last.ip + last.length) & 0xffff;
  const rel = relTarget(last);
  switch (last.flow) {
    case "call": return [next];
    case "ret": case "retfar": case "jmpfar": case "iret": case "fault": return [];
    case "jump": return rel !== null ? [rel] : predicted !== undefined ? [predicted] : [];
    default: {
      const out = [next];
      if (rel !== null) out.push(rel);
      if (predicted !== undefined) out.push(predicted);
      return out;
    }
  }
}

/** Which blocks a path of one or more edges leads to from the first. */
function reach(edges: readonly number[][]): Uint8Array {
  const seen = new Uint8Array(edges.length);
  const queue = edges[0].slice();
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (seen[i]) continue;
    seen[i] = 1;
    const to = edges[i];
    for (let k = 0; k < to.length; k++) if (!seen[to[k]]) queue.push(to[k]);
  }
  return seen;
}
