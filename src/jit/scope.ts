/**
 * scope.ts — which of the blocks decoded around a hot block go into its
 * region. The engine decodes every block the hot one reaches on its page
 * (engine.ts decodeRegion); when the hot block is on a loop, the region is
 * the blocks on a cycle through it — the loop, the loops around it on the
 * page, and the functions they call — and code reached only by leaving
 * the loop (what follows it, an error path, the program's epilogue) stays
 * out: it returns to the core, which translates it when it gets hot
 * itself. A hot block on no cycle keeps everything it reaches.
 *
 *   hot ──▶ a ──▶ b ─┬──▶ exit ──▶ print ──▶ halt     kept: hot, a, b, f
 *    ▲               │                                 (b calls f; f's RET
 *    └───────────────┘        a ──call──▶ f ──RET──┘   returns into a's
 *                                                       return site)
 *
 * Why: a region's translation costs in proportion to its size, and the
 * page around a loop is often mostly code that runs once (bench-string:
 * 19 blocks reached, 6 on the loop). Not the decoding, nor when a request
 * is put off (engine.ts).
 */
import type { Block } from "../x86/block.js";

/** The blocks of `blocks` (the hot one first) on a cycle through the
 *  first, in their order, and whether there is such a cycle (when not,
 *  all of them). `predictions`: where an indirect CALL/JMP ending a block
 *  goes now (block IP → IP). */
export function loopScope(blocks: readonly Block[], predictions: ReadonlyMap<number, number>): { blocks: readonly Block[]; onCycle: boolean } {
  const index = new Map<number, number>();
  blocks.forEach((b, i) => index.set(b.ip, i));
  // A RET goes back to the return site of any call in the region.
  const returnSites: number[] = [];
  for (const b of blocks) {
    const last = b.insns[b.insns.length - 1];
    if (last.flow === "call") returnSites.push((last.ip + last.length) & 0xffff);
  }
  const succs = blocks.map(() => [] as number[]), preds = blocks.map(() => [] as number[]);
  blocks.forEach((b, i) => {
    for (const ip of exits(b, returnSites, predictions.get(b.ip))) {
      const j = index.get(ip);
      if (j !== undefined) { succs[i].push(j); preds[j].push(i); }
    }
  });
  // The blocks the hot one gets to and those that get back to it; on a
  // cycle through it are those in both.
  const ahead = reach(succs), back = reach(preds);
  if (!back[0]) return { blocks, onCycle: false };
  return { blocks: blocks.filter((_, i) => ahead[i] && back[i]), onCycle: true };
}

/** Which blocks a path of one or more edges leads to from the first. */
function reach(edges: readonly number[][]): Uint8Array {
  const seen = new Uint8Array(edges.length);
  const queue = [...edges[0]];
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (seen[i]) continue;
    seen[i] = 1;
    for (const j of edges[i]) if (!seen[j]) queue.push(j);
  }
  return seen;
}

/** Where control can go when `b` ends (IPs): unlike budget.ts's
 *  successors, not past an unconditional jump or a return. A call, an
 *  INT and a far call come back to the next instruction. */
function exits(b: Block, returnSites: readonly number[], predicted: number | undefined): number[] {
  const last = b.insns[b.insns.length - 1];
  const next = (last.ip + last.length) & 0xffff;
  const rel = last.operands[0]?.kind === "rel" ? last.operands[0].target : null;
  const out: number[] = [];
  switch (last.flow) {
    case "jump": break;
    case "ret": out.push(...returnSites); break;
    case "jmpfar": case "retfar": case "iret": case "fault": break;
    default: out.push(next);
  }
  if (rel !== null) out.push(rel);
  if (predicted !== undefined) out.push(predicted);
  return out;
}
