/**
 * budget.ts — where a region's code tests the instruction budget.
 *
 * A translated block may start only if it cannot run past ICOUNT_STOP:
 * `--max-instructions`, run slices and virtual-time device events all stop
 * at an exact count, and the core finishes what a block leaves (the
 * interpreter, one instruction at a time). Testing at every branch
 * between blocks is exact but costs an i64 add and compare per edge —
 * three per pass of a tight loop such as
 *
 *   .bit: shl dx,1 / jnc .nox      (check point: a loop header)
 *         xor dx,0x1021            (reached forward only: no test)
 *   .nox: loop .bit                (reached forward only: no test)
 *
 * So only edges into a *check point* test, and they test for the most
 * instructions the function can retire before it reaches the next check
 * point or leaves: `bound`. Check points are the blocks an edge reaches
 * backwards in the layout (loop headers: the layout is by IP and branches
 * to later blocks are direct) and the successors of a block holding a REP
 * (whose iterations count beyond its length). The core's own test before
 * it calls the function is the entry's: the entry block's bound is the
 * count it is given (jitInstall). Every path between two check points then
 * runs forward through the layout, so bounds come from one pass in
 * reverse layout order. A failed test leaves for the core at the block's
 * start — earlier than needed, but at an exact count; the interpreter goes
 * on from there.
 */
import { relTarget, type Block } from "../x86/block.js";

/** A block's budget facts: whether edges into it test the budget, and for
 *  how many instructions. */
export interface BudgetPlan { check: boolean; bound: number }

/** The IPs a block may branch to inside the function (an over-estimate is
 *  safe: it only adds tests). `returnSites`: where a RET may go;
 *  `predicted`: an indirect CALL/JMP's predicted target. */
export function successors(b: Block, returnSites: readonly number[], predicted: number | null = null): number[] {
  const last = b.insns[b.insns.length - 1];
  const out = [(last.ip + last.length) & 0xffff]; // falling off the end, or not taken
  const rel = relTarget(last);
  if (rel !== null) out.push(rel);
  if (last.opcode === 0xc3 || last.opcode === 0xc2) for (let k = 0; k < returnSites.length; k++) out.push(returnSites[k]);
  if (predicted !== null) out.push(predicted);
  return out;
}

/**
 * The plan for each block of a region, by IP. `layout` is the blocks in
 * function order (by IP). `skipped(b, checked)`: how many instructions
 * the if-converted Jcc ending `b` runs, predicated, before it goes on at
 * its target (hammock.ts; 0: none), given which blocks are check points —
 * they count on the way to the target, not inside the skipped block.
 */
export function planBudget(layout: readonly Block[], returnSites: readonly number[] | ((b: Block) => readonly number[]),
  predicted: (b: Block) => number | null = () => null,
  skipped: (b: Block, checked: (ip: number) => boolean) => number = () => 0): Map<number, BudgetPlan> {
  // (Plain loops, as in translate.ts's setup: run once per translation.)
  const n = layout.length;
  const position = new Map<number, number>();
  for (let i = 0; i < n; i++) position.set(layout[i].ip, i);
  const succ: number[][] = new Array(n);
  const check = new Set<number>();
  for (let i = 0; i < n; i++) {
    const b = layout[i], next = successors(b, typeof returnSites === "function" ? returnSites(b) : returnSites, predicted(b)), mine: number[] = [];
    for (let k = 0; k < next.length; k++) if (position.has(next[k])) mine.push(next[k]);
    succ[i] = mine;
    let all = false;
    for (let k = 0; k < b.insns.length; k++) if (b.insns[k].prefixes.rep !== null) all = true;
    for (let k = 0; k < mine.length; k++) if (all || position.get(mine[k])! <= i) check.add(mine[k]);
  }
  const bound = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let after = 0;
    const mine = succ[i];
    for (let k = 0; k < mine.length; k++) {
      const s = mine[k], j = position.get(s)!;
      if (!check.has(s) && j > i) after = Math.max(after, bound[j]);
    }
    const b = layout[i], last = b.insns[b.insns.length - 1], hammock = skipped(b, (ip) => check.has(ip));
    const target = relTarget(last);
    if (hammock > 0 && target !== null) {
      const j = position.get(target);
      after = Math.max(after, hammock + (j !== undefined && !check.has(target) && j > i ? bound[j] : 0));
    }
    bound[i] = b.insns.length + after;
  }
  const plan = new Map<number, BudgetPlan>();
  for (let i = 0; i < n; i++) plan.set(layout[i].ip, { check: check.has(layout[i].ip), bound: bound[i] });
  return plan;
}
