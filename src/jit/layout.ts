/**
 * layout.ts — the shape of a region's function: its blocks in IP order,
 * forward branches as `br` to a label that ends just before the target,
 * and loops as Wasm `loop`s wherever structured control flow allows, so
 * that a loop's back edge is a `br` to its header too. What is left — a
 * back edge into a header that cannot be a Wasm loop, and the entry — goes
 * through the dispatch: a `br_table` at the start of an outer loop, by the
 * block's dispatch index.
 *
 *   loop $dispatch
 *     block $b3                         b3: br $b3 = on to position 3
 *       block $b1
 *         block $b0 br_table … end      the entry, and headers left to it
 *         code 0
 *       end
 *       loop $l1                        positions 1..2 loop: br $l1 from
 *         block $b2                     inside is the back edge
 *           code 1
 *         end
 *         code 2
 *       end
 *     end
 *     code 3
 *
 * A back-edge target h becomes a loop over positions h..t, t its furthest
 * back-edge source; loops that overlap without nesting are widened until
 * they nest (a loop may hold more than its body: every block's code ends
 * in a branch, so control never falls through a loop's end). A loop is
 * kept only if nothing enters it but at its header: no branch from outside
 * into (h, t], and neither the entry nor a header left to the dispatch
 * there (the br_table sits outside every loop). What the blocks' code is
 * (translate.ts, codegen.ts) and where the budget is tested (budget.ts)
 * are not here.
 */
import type { ModuleSubset } from "./emitter.js";

/** The label that ends just before the code of the block at `position`. */
export const blockLabel = (position: number): string => `b${position}`;
/** The label of the Wasm loop whose header is the block at `position`. */
export const loopLabel = (position: number): string => `l${position}`;

/** A region's loops: the Wasm loops, header position → last position,
 *  and the back-edge targets left to the dispatch. */
export interface LoopPlan { loops: Map<number, number>; dispatched: Set<number> }

/**
 * The loops of a region of `n` blocks. `edges`: every branch the blocks' code may take inside the
 * function, by position (an over-estimate only costs loops); `entry`: the
 * entry block's position.
 */
export function planLoops(n: number, edges: readonly (readonly [number, number])[], entry: number): LoopPlan {
  // (Plain loops over arrays, not destructuring and callbacks: this runs
  // once per translation — see translate.ts's setup.)
  // end[h]: the last position of the loop headed at h, or -1.
  const end = new Int32Array(n).fill(-1);
  for (let e = 0; e < edges.length; e++) {
    const from = edges[e][0], to = edges[e][1];
    if (from < 0 || to < 0 || from >= n || to >= n) throw new RangeError(`jit: edge ${from}→${to} outside ${n} blocks`);
    if (to <= from) end[to] = Math.max(end[to] < 0 ? to : end[to], from);
  }
  // Widen until every two loops are disjoint or nested.
  for (let changed = true; changed;) {
    changed = false;
    for (let h = 0; h < n; h++) {
      if (end[h] < 0) continue;
      for (let k = h + 1; k <= end[h]; k++) if (end[k] > end[h]) { end[h] = end[k]; changed = true; }
    }
  }
  // Keep the loops entered only at their header.
  const dropped = new Set<number>();
  for (let changed = true; changed;) {
    changed = false;
    for (let h = 0; h < n; h++) {
      const t = end[h];
      if (t < 0 || dropped.has(h)) continue;
      let enteredInside = entry > h && entry <= t;
      for (const d of dropped) if (d > h && d <= t) enteredInside = true;
      for (let e = 0; e < edges.length && !enteredInside; e++) {
        const from = edges[e][0], to = edges[e][1];
        if (to > h && to <= t && (from < h || from > t)) enteredInside = true;
      }
      if (enteredInside) { dropped.add(h); changed = true; }
    }
  }
  const loops = new Map<number, number>();
  for (let h = 0; h < n; h++) if (end[h] >= 0 && !dropped.has(h)) loops.set(h, end[h]);
  return { loops, dispatched: dropped };
}

/**
 * How the function reaches its other entry points: the blocks, besides
 * the entry, where the core may start it (translate.ts picks them). The
 * br_table at the top reaches only blocks outside every Wasm loop and the
 * headers of the outermost loops. So an entry inside loops is sent to its
 * outermost loop's header, and from there through one *entry guard* per
 * loop, down to the next loop or to the block itself:
 *
 *   loop $l4                       L_ENTRY: how many loops the entry
 *     block $b6                    still has to go down; 0 once there
 *       block $h4                  (and in every pass after the first)
 *         if L_ENTRY: L_ENTRY − 1, br_table by dispatch index
 *       end
 *       code 4                     the header, when nothing is entering
 *     end
 *     code 6
 *
 * A guard costs a test per pass of its loop, so only loops that hold an
 * entry have one.
 */
export interface EntryPlan {
  /** For each entry position: how many Wasm loops hold it (L_ENTRY's
   *  value on the way in). */
  depth: Map<number, number>;
  /** The label the top br_table sends each entry position to. */
  top: Map<number, string>;
  /** For each loop header whose loop holds entries: where its guard sends
   *  each of them. */
  guards: Map<number, Map<number, string>>;
}

/** The label, inside a Wasm loop, that ends just before its header's
 *  code: where the loop's entry guard lets a pass go on. */
export const headLabel = (position: number): string => `h${position}`;

/** The routes to `entries` (positions) through `loops` (planLoops). */
export function planEntries(loops: ReadonlyMap<number, number>, entries: Iterable<number>): EntryPlan {
  const plan: EntryPlan = { depth: new Map(), top: new Map(), guards: new Map() };
  // (Plain loops: see translate.ts's setup.) Loops nest: outermost first.
  const heads: number[] = [];
  loops.forEach((_, h) => heads.push(h));
  heads.sort((a, b) => a - b);
  for (const p of entries) {
    const chain: number[] = [];
    for (let k = 0; k < heads.length; k++) if (heads[k] < p && p <= loops.get(heads[k])!) chain.push(heads[k]);
    plan.depth.set(p, chain.length);
    plan.top.set(p, blockLabel(chain.length > 0 ? chain[0] : p));
    for (let i = 0; i < chain.length; i++) {
      const h = chain[i];
      let routes = plan.guards.get(h);
      if (!routes) plan.guards.set(h, routes = new Map());
      routes.set(p, blockLabel(i + 1 < chain.length ? chain[i + 1] : p));
    }
  }
  return plan;
}

/**
 * The function's blocks nested as planned: `codes[p]` is the code of the
 * block at position p (each ends in a branch or a return), `loops` from
 * planLoops, `head` what runs before position 0's code (the br_table),
 * `guards` what runs at the top of a loop, before its header's code, by
 * header (the entry guards: planEntries). Returns the items that go
 * inside `loop $dispatch`.
 */
export function nest(m: ModuleSubset, codes: readonly number[][], loops: ReadonlyMap<number, number>, head: number[],
  guards: ReadonlyMap<number, number[]> = new Map()): number[] {
  const level = (lo: number, hi: number, inLoop: boolean): number[] => {
    let out = inLoop ? guards.get(lo) ?? null : head;
    for (let p = lo; p <= hi;) {
      const last = inLoop && p === lo ? undefined : loops.get(p); // a loop's own header is its first item
      const body = last === undefined ? [m.block(null, codes[p])]
        : [m.loop(loopLabel(p), m.block(null, level(p, last, true)))];
      out = out === null ? body : [m.block(inLoop && p === lo ? headLabel(p) : blockLabel(p), out), ...body];
      p = last === undefined ? p + 1 : last + 1;
    }
    return out ?? [];
  };
  return level(0, codes.length - 1, false);
}
