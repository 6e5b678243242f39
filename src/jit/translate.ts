/**
 * translate.ts — a region of basic blocks (src/x86/block.ts) to a
 * WebAssembly module, with binaryen. The module imports the core's memory,
 * `execOne` and the helper_* functions, and exports one function, `block`,
 * that the core runs through its function table (assembly/jit/dispatch.ts).
 * A region is the hot block plus the blocks it branches to on its page
 * (by default those of the loop it is on: scope.ts); they share one
 * function, so loops among them never leave it.
 *
 * What this file is not: the cache, the table and invalidation
 * (engine.ts), the decoder (src/x86), the function's shape (layout.ts),
 * which Jccs are if-converted (hammock.ts), nor the code of one
 * instruction (inline.ts, memory.ts, flags.ts; the function's locals:
 * codegen.ts).
 *
 * The contract a translated block keeps with the core:
 * - CPU state lives where the interpreter keeps it (assembly/layout.ts);
 *   generated code addresses it with constants, and holds what it works
 *   on in locals between syncs (codegen.ts).
 * - Counting: every guest instruction adds one to ICOUNT, exactly as in
 *   the interpreter. The core enters a region only when what it can run
 *   before its first budget test fits the budget; a branch into a loop
 *   header is taken inside only if what follows it fits too (budget.ts).
 * - What is not inlined runs through the core's `execOne` — the
 *   interpreter for one instruction, the one definition of its semantics.
 *   After it the block goes on only if IP is where the block expects it
 *   and no event is pending (a jump, a REP that yielded, an IRQ raised by
 *   an OUT, a write to translated code all stop it).
 * - A memory access the TLB's fast paths cannot do leaves before its
 *   instruction — a side exit — and the interpreter runs it (memory.ts):
 *   faults, MMIO and writes to translated code happen there, as they
 *   would without the translator. DIV's divide error is raised through
 *   the core's helper from the synced state, with INSN_IP set.
 *
 * Cost: by default (no optimisation) the direct emitter writes the
 * module: ~0.1 ms for a region where binaryen's JS API took 2 ms. One
 * Module, with the imports declared once, serves many translations (a
 * function is added, emitted and removed); a binaryen Module is replaced
 * after a number of uses, since binaryen frees expressions only with
 * their module.
 */
import type Binaryen from "binaryen";
import { binaryen as loadedBinaryen } from "./load.js";
import type { Block } from "../x86/block.js";
import { ARITH, type Insn } from "../x86/ir.js";
import type { Layout } from "../core/core.js";
import { Gen, L_IDX, L_XCF, REG16, SEGS, SP, CX, BP, localTypes, type RegionState, type WasmApi } from "./codegen.js";
import { blockLabel, headLabel, nest, planEntries, planLoops } from "./layout.js";
import { emitter, type ModuleSubset } from "./emitter.js";
import { KIND_UNKNOWN, LAZY_LOGIC, flagLiveness, recordAtStart, type Record as FlagRecord } from "./flags.js";
import { planBudget, successors } from "./budget.js";
import { inline } from "./inline.js";
import { hammock } from "./hammock.js";
import { callTarget, within } from "./scope.js";
import { groupTests, planGroups, type AccessGroup } from "./groups.js";

/** Options that shape generated code (the CLI's and bench's knobs). */
export interface TranslateOptions {
  /** binaryen's optimisation level, 0–4 (shrink level stays 0). */
  optimize: number;
  /** Inline what inline.ts can (false: every instruction through execOne). */
  inline: boolean;
  /** Flag elision and the record in locals (false: every record stored). */
  flagElision?: boolean;
  /** If-conversion of short forward Jccs (hammock.ts). */
  ifConversion?: boolean;
  /** Loops as Wasm loops (layout.ts; false: every back edge through the
   *  dispatch). */
  wasmLoops?: boolean;
  /** Entry points besides the first block: return sites, loop headers,
   *  call targets, blocks outside loops (false: the core enters only at
   *  the first block). */
  entries?: boolean;
  /** One TLB test for the memory operands of a region that share a
   *  segment and a register it seldom sets (groups.ts; false: a test per
   *  access). */
  accessGroups?: boolean;
  /** PUSH and POP tested against the stack window (memory.ts; false:
   *  through the TLB like any access). */
  stackWindow?: boolean;
  /** Also return the module as text (tests, dumps). */
  text?: boolean;
}

export interface Translation {
  /** The module's binary. */
  binary: Uint8Array;
  /** The most guest instructions the function retires before its first
   *  budget test (budget.ts): what the core checks before calling it. */
  instructions: number;
  /** Guest instructions in the whole region. */
  total: number;
  /** How many of them were translated inline. */
  inlined: number;
  /** The other blocks the core may enter the function at: their index in
   *  the blocks translated (the entry code the function expects in
   *  JIT_ENTRY) and their own `instructions`. */
  entries: { index: number; instructions: number }[];
  /** The module as WebAssembly text, when asked for. */
  text?: string;
}

/** Translations one binaryen Module serves before it is replaced. */
const MODULE_USES = 256;

/** A code-generation library: binaryen, or the direct emitter. */
export type Api = WasmApi & { Module: new () => ModuleSubset; createType(types: number[]): number; Features: { MVP: number } };

/** A translation module's preamble: the core's memory and the core
 *  functions generated code calls, under the names codegen uses. */
export function declareCoreImports(api: Api, m: ModuleSubset): void {
  m.setFeatures(api.Features.MVP);
  m.setMemory(1, -1, null, [], false, false, "mem");
  m.addMemoryImport("mem", "core", "memory");
  const { i32, none } = api;
  const i32x3 = api.createType([i32, i32, i32]);
  const i32x4 = api.createType([i32, i32, i32, i32]);
  m.addFunctionImport("execOne", "core", "execOne", none, none);
  m.addFunctionImport("shift", "core", "helper_shift", i32x4, i32);
  m.addFunctionImport("mul", "core", "helper_mul", i32x4, none);
  m.addFunctionImport("div", "core", "helper_div", i32x4, none);
  m.addFunctionImport("imul3", "core", "helper_imul3", i32x3, i32);
}

/**
 * Translates regions. Without optimisation the module is written by the
 * direct emitter (emitter.ts: the same bytes binaryen would write, at a
 * twentieth of the cost, and binaryen need not even be loaded); with
 * `optimize` > 0 it is built with binaryen, whose optimiser then runs.
 * Each library's Module is reused (see the header). Not reentrant;
 * dispose() frees binaryen's memory.
 */
export class RegionCompiler {
  private readonly modules = new Map<Api, { m: ModuleSubset; uses: number }>();

  constructor(private readonly L: Layout) {}

  /** The compiler every engine on a core of layout `L` shares: its
   *  module's expression store, grown to the largest region translated
   *  so far, is reused rather than allocated and grown again for each
   *  machine (a bench sample, each VM of a consolidated host). Safe
   *  because a translation runs start to end without yielding. */
  static shared(L: Layout): RegionCompiler {
    const key = JSON.stringify(L);
    let c = sharedCompilers.get(key);
    if (!c) { c = new RegionCompiler(L); sharedCompilers.set(key, c); }
    return c;
  }

  private fresh(api: Api): ModuleSubset {
    const held = this.modules.get(api);
    if (held && (api === (emitter as unknown as Api) || held.uses < MODULE_USES)) { held.uses++; return held.m; }
    held?.m.dispose();
    const m = new api.Module();
    declareCoreImports(api, m);
    this.modules.set(api, { m, uses: 1 });
    return m;
  }

  /**
   * Translate a region: `blocks[0]` is where the core enters; the others
   * are blocks it branches to directly (same page), compiled into the same
   * function so that loops among them stay in Wasm. Some of them are
   * entry points too (Translation.entries): the core may start the
   * function there, after a run was cut inside the region. Throws only on a
   * translator bug (the engine counts it and leaves the block to the
   * interpreter).
   *
   *   (prologue: the locals from the core's state; with more than one
   *    entry point, the dispatch index from JIT_ENTRY)
   *   loop $dispatch
   *     block $b2 / block $b1 / block $b0 / br_table (by dispatch index)
   *     ... code of block 0 ...   blocks in IP order; each ends by returning
   *     ... code of block 1 ...   to the core, or — when its successor is in
   *     ... code of block 2 ...   the region and fits the budget — by br $bN
   *                               to a later block, br $lN to the Wasm loop
   *                               it is in, or by setting the index and
   *                               br $dispatch (layout.ts has the nesting)
   */
  translate(blocks: readonly Block[], options: TranslateOptions, predictions: ReadonlyMap<number, number> = new Map()): Translation {
    try {
      return this.translateOnce(blocks, options, predictions);
    } catch (e) {
      // A group's register or segment is set where its test cannot run
      // again right after (groups.ts): no groups, then.
      if (!(e instanceof GroupsBroken)) throw e;
      return this.translateOnce(blocks, { ...options, accessGroups: false }, predictions);
    }
  }

  private translateOnce(blocks: readonly Block[], options: TranslateOptions, predictions: ReadonlyMap<number, number>): Translation {
    const L = this.L;
    // binaryen when it is to optimise, or to print the module with its
    // names (tests); the emitter otherwise — the same bytes.
    const api = (options.optimize > 0 || options.text ? loadedBinaryen() : emitter) as unknown as Api;
    const m = this.fresh(api);
    try {
      // (The setup below is written in plain loops: it runs once per
      // translation, seldom often enough for V8 to optimise it, and array
      // helpers, spreads and destructuring cost several times more
      // unoptimised — scope.ts's share of a bench translation fell from
      // 7% to 1.6% so.)
      // Layout by IP: a branch to a later block is a plain `br`; only
      // backward branches (loops) go through the dispatch. Dispatch index 0
      // is the entry, where the function starts.
      const n = blocks.length;
      const layout: { b: Block; index: number }[] = new Array(n);
      for (let i = 0; i < n; i++) layout[i] = { b: blocks[i], index: i };
      layout.sort((x, y) => x.b.ip - y.b.ip);
      const byIp = new Map<number, Block>();
      for (let i = 0; i < n; i++) byIp.set(blocks[i].ip, blocks[i]);
      const returnSites: number[] = [];
      for (let i = 0; i < n; i++) {
        const b = blocks[i], last = b.insns[b.insns.length - 1];
        const site = (last.ip + last.length) & 0xffff;
        if ((last.opcode === 0xe8 || (last.opcode === 0xff && last.flow === "call")) && byIp.has(site)) returnSites.push(site);
      }
      // An indirect CALL/JMP's target as the engine saw it (block IP → IP).
      const predictedFor = (b: Block): number | null => {
        const p = predictions.get(b.ip);
        return p !== undefined && byIp.has(p) ? p : null;
      };
      // Where a block's RET may go (all return sites when it is in no
      // function the region calls).
      const retSites = returnSitesByBlock(blocks, byIp, predictedFor);
      const sitesFor = (b: Block): readonly number[] => retSites.get(b.ip) ?? returnSites;
      // If-converted Jccs (hammock.ts), by block IP: what they skip.
      const hammocks = new Map<number, Insn[] | null>();
      const inOrder: Block[] = new Array(n);
      for (let p = 0; p < n; p++) inOrder[p] = layout[p].b;
      const plan = planBudget(inOrder, sitesFor, predictedFor, (b, checked) => {
        const skipped = options.ifConversion === false ? null : hammock(b.insns[b.insns.length - 1], byIp, checked);
        hammocks.set(b.ip, skipped);
        return skipped?.length ?? 0;
      });
      const positionOf = new Map<number, number>();
      for (let p = 0; p < n; p++) positionOf.set(inOrder[p].ip, p);
      // The edges between the blocks that the function can reach from its
      // first; an if-converted Jcc never falls through to the block it
      // skips (it goes on at its target), which may leave that block out.
      const allEdges: number[][] = new Array(n);
      for (let p = 0; p < n; p++) {
        const b = inOrder[p], skips = hammocks.get(b.ip), tos: number[] = [];
        const next = successors(b, sitesFor(b), predictedFor(b));
        for (let k = 0; k < next.length; k++) {
          const to = positionOf.get(next[k]);
          if (to !== undefined && !(skips && next[k] === b.fallthrough)) tos.push(to);
        }
        allEdges[p] = tos;
      }
      const first = positionOf.get(blocks[0].ip)!;
      const reached = new Set([first]);
      for (const queue = [first]; queue.length > 0;) {
        const tos = allEdges[queue.pop()!];
        for (let k = 0; k < tos.length; k++) if (!reached.has(tos[k])) { reached.add(tos[k]); queue.push(tos[k]); }
      }
      const edges: (readonly [number, number])[] = [];
      for (let from = 0; from < n; from++) {
        if (!reached.has(from)) continue;
        const tos = allEdges[from];
        for (let k = 0; k < tos.length; k++) edges.push([from, tos[k]]);
      }
      const { loops, dispatched } = planLoops(n, options.wasmLoops === false ? edges.filter((e) => e[1] > e[0]) : edges, first);
      if (options.wasmLoops === false) for (const e of edges) if (e[1] <= e[0]) dispatched.add(e[1]);
      const region = new Map<number, { index: number; position: number; loop: boolean; check: boolean; bound: number }>();
      for (let p = 0; p < n; p++) {
        const b = inOrder[p], budget = plan.get(b.ip)!;
        region.set(b.ip, { index: layout[p].index, position: p, loop: loops.has(p), check: budget.check, bound: budget.bound });
      }
      // The stack window (memory.ts) only serves inline PUSH and POP.
      const state = regionState(blocks);
      if (!options.inline || options.stackWindow === false) state.stack = false;
      const g = new Gen(api, m, L, region, state, options.flagElision ?? true, blocks[0].insns[0].model);
      if (options.inline && options.accessGroups !== false) {
        g.groups = planGroups(blocks);
        g.afterReload = () => groupTests(g);
      }
      let inlined = 0, instructions = 0;
      const codes: number[][] = [];
      // Record knowledge across blocks: each block's predecessors, and the
      // record each block leaves at its end.
      const preds: number[][] = new Array(n);
      for (let p = 0; p < n; p++) preds[p] = [];
      for (const e of edges) preds[e[1]].push(e[0]);
      // Entered other than by a forward branch: the entry, and every
      // back-edge target (Wasm loop headers and dispatched ones alike).
      const entered = new Set<number>([first]);
      for (const e of edges) if (e[1] <= e[0]) entered.add(e[1]);
      // Where the core may come back in, after a run was cut inside the
      // region, other than at its first block (without these it would
      // translate a second region from there, much of it the same blocks:
      // bench-mix, bench-crc). Every back-edge target and return site;
      // and, where nothing is known of the flags on the way in anyway
      // (neither the record nor L_WORD), a call's target, and any block
      // outside the Wasm loops (those inside one would cost its loop an
      // entry guard).
      const entries = new Set<number>();
      // (The entry code a cache slot carries is the dispatch index, in the
      // bits above the table index: blocks further down a very large
      // region are no entry points. assembly/layout.ts JIT_CACHE.)
      const entryCodes = 1 << (31 - L.JIT_ENTRY_SHIFT);
      const entryPoint = (p: number) => options.entries !== false && p !== first && reached.has(p) && layout[p].index < entryCodes;
      for (const p of entered) if (entryPoint(p)) entries.add(p);
      for (let k = 0; k < returnSites.length; k++) { const p = positionOf.get(returnSites[k])!; if (entryPoint(p)) entries.add(p); }
      for (const p of entries) entered.add(p);
      const callTargets = new Set<number>();
      for (let i = 0; i < n; i++) {
        const target = callTarget(blocks[i], predictedFor(blocks[i]));
        if (target !== null) callTargets.add(target);
      }
      // Positions inside a Wasm loop (after its header, up to its tail).
      const inLoop = new Uint8Array(n);
      loops.forEach((t, h) => { for (let p = h + 1; p <= t; p++) inLoop[p] = 1; });
      const ends = new Map<number, FlagRecord>();
      // And whether L_WORD holds the flags of that record (flags.ts
      // runtimeCondition): known at a block's start when every way in
      // leaves it so.
      const wordEnds = new Map<number, boolean>();
      for (let position = 0; position < n; position++) {
        const block = inOrder[position];
        const body: number[] = [];
        const insns = block.insns;
        instructions += insns.length;
        const predicted = predictedFor(block);
        const record = recordAtStart(preds[position], ends, entered.has(position));
        const from = preds[position];
        let word = !entered.has(position) && from.length > 0;
        for (let k = 0; word && k < from.length; k++) word = wordEnds.get(from[k]) === true;
        if (record === null && !word && entryPoint(position) && (!inLoop[position] || callTargets.has(block.ip))) entries.add(position);
        g.startBlock(position, successors(block, sitesFor(block), predicted), record, word);
        const live = flagLiveness(insns, g.model);
        let ended = false;
        for (let i = 0; i < insns.length; i++) {
          const insn = insns[i];
          const last = i === insns.length - 1;
          const next = (insn.ip + insn.length) & 0xffff;
          const skipped = last ? hammocks.get(block.ip) ?? null : null;
          g.clearSetSince();
          const code = options.inline ? inline(g, insn, {
            next, last, remaining: insns.length - 1 - i, live: live[i], predicted: last ? predicted : null,
            returnSites: last ? sitesFor(block) : returnSites,
            hammock: skipped && (() => translateSkipped(g, skipped, returnSites)),
          }) : null;
          if (code) {
            body.push(...code);
            inlined++;
            ended = last && ENDS_IN_BRANCH.has(insn.flow);
            if (g.groups.groups.length > 0) body.push(...retestGroups(g, ended || skipped !== null));
            continue;
          }
          body.push(...g.execOne(insn.ip, last ? null : next, insn.prefixes.rep ? insns.length - 1 - i : 0));
          ended = last; // (execOne returns after the block's last instruction)
        }
        // Falling off the end (a page boundary, a size limit, or a last
        // instruction translated inline without a jump): on to the next IP.
        // (After a control transfer this would be dead code.)
        const lastInsn = insns[insns.length - 1];
        if (!ended) body.push(...g.goTo((lastInsn.ip + lastInsn.length) & 0xffff));
        ends.set(position, g.record);
        wordEnds.set(position, g.flagsWord);
        codes.push(body);
      }
      // The br_table, by dispatch index: the entry, the loop headers that
      // are not Wasm loops, and the other entry points — those inside
      // Wasm loops by way of the loops' entry guards (layout.ts).
      const entryLabel = blockLabel(first);
      const routes = planEntries(loops, entries);
      // (Each block's position by dispatch index: layout[p].index is p's.)
      const positions: number[] = new Array(n);
      for (let p = 0; p < n; p++) positions[layout[p].index] = p;
      const targets: string[] = new Array(n);
      for (let index = 0; index < n; index++) {
        const p = positions[index];
        targets[index] = index === 0 || dispatched.has(p) ? blockLabel(p) : routes.top.get(p) ?? entryLabel;
      }
      const guards = new Map<number, number[]>();
      routes.guards.forEach((to, h) => {
        const head = headLabel(h), labels: string[] = new Array(n);
        for (let index = 0; index < n; index++) labels[index] = to.get(positions[index]) ?? head;
        guards.set(h, [g.entryGuard(labels, head)]);
      });
      const items = nest(m, codes, loops, [m.switch(targets, entryLabel, m.local.get(L_IDX, api.i32))], guards);
      let prologue: number[] = [];
      if (entries.size > 0) {
        const depths = new Map<number, number>();
        routes.depth.forEach((d, p) => depths.set(layout[p].index, d));
        prologue = g.entryPrologue(depths);
      }
      m.addFunction("block", api.none, api.none, localTypes(api, g.groups.groups.length), g.wrap(m.loop("dispatch", m.block(null, items)), prologue));
      m.addFunctionExport("block", "block");
      if (options.optimize > 0) {
        const binaryen = loadedBinaryen();
        binaryen.setOptimizeLevel(options.optimize);
        binaryen.setShrinkLevel(0);
        (m as Binaryen.Module).optimizeFunction("block");
      }
      const binary = m.emitBinary();
      return {
        binary, instructions: plan.get(blocks[0].ip)!.bound, total: instructions, inlined,
        entries: [...entries].map((p) => ({ index: layout[p].index, instructions: plan.get(layout[p].b.ip)!.bound })),
        text: options.text ? (m as Binaryen.Module).emitText() : undefined,
      };
    } finally {
      if (m.getExport("block")) m.removeExport("block");
      if (m.getFunction("block")) m.removeFunction("block");
    }
  }

  /** Free the modules' memory. */
  dispose(): void {
    for (const { m } of this.modules.values()) m.dispose();
    this.modules.clear();
  }
}

/** The code of the instructions an if-converted Jcc skips (hammock.ts),
 *  for Gen.predicate: each inline, the flags after the last observed; and
 *  in g.record, the record that holds after the hammock either way. */
function translateSkipped(g: Gen, skipped: readonly Insn[], returnSites: readonly number[]): number[] {
  const live = flagLiveness(skipped, g.model), out: number[] = [], before = g.record;
  skipped.forEach((insn, i) => {
    const code = inline(g, insn, {
      next: (insn.ip + insn.length) & 0xffff, last: false, remaining: skipped.length - 1 - i, live: live[i], returnSites, predicted: null, hammock: null,
    });
    if (!code) throw new Error(`jit: hammock instruction at ${insn.ip.toString(16)} not inline`);
    out.push(...code);
  });
  // One record or the other: known if the skipped code left the record
  // alone; or, where both keep CF in L_XCF, as a record of unknown kind
  // whose CF is there — a CRC's SHL by one, then XOR, whose CF of 0 goes
  // to L_XCF too (predicated, like all of this code). A DEC after the
  // loop then takes CF from there instead of calling the core.
  let after = g.record;
  if (after !== before && before?.cfLocal && after?.kind === LAZY_LOGIC && !after.cfOf && !after.cfLocal) {
    out.push(g.set(L_XCF, g.c(0)));
    after = { ...after, cfLocal: true };
  }
  g.record = after === before ? before : before?.cfLocal && after?.cfLocal ? { kind: KIND_UNKNOWN, size: 0, cfLocal: true } : null;
  return out;
}

/** translateOnce's signal that a group's register or segment is set
 *  where its test cannot run again right after (groups.ts). */
class GroupsBroken extends Error {}

/** After an instruction: the tests of the groups whose locals it set;
 *  `branched`: its code has left the block by then (a jump, an
 *  if-converted Jcc), so no test could follow. */
function retestGroups(g: Gen, branched: boolean): number[] {
  const touched: AccessGroup[] = [];
  for (const grp of g.groups.groups) {
    for (let k = 0; k < grp.locals.length; k++) if (g.setSince(grp.locals[k])) { touched.push(grp); break; }
  }
  if (touched.length === 0) return [];
  if (branched) throw new GroupsBroken();
  return groupTests(g, touched);
}

/**
 * Where each block's RET may go inside the region, for the blocks of the
 * functions the region calls: the return sites of the calls to the
 * function the block is in (found from each call's target, a call going
 * on at its return site and a RET going nowhere: scope.ts within). A RET
 * in no such function may return to any return site. Without this every
 * RET tested every return site (bench-mix: seven RETs, nine sites).
 */
function returnSitesByBlock(blocks: readonly Block[], byIp: ReadonlyMap<number, Block>,
  predictedFor: (b: Block) => number | null): Map<number, number[]> {
  // The return sites of the calls to each function, by its entry.
  const callers = new Map<number, number[]>();
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i], last = b.insns[b.insns.length - 1];
    const target = callTarget(b, predictedFor(b)), site = (last.ip + last.length) & 0xffff;
    if (target === null || !byIp.has(target) || !byIp.has(site)) continue;
    const list = callers.get(target);
    if (list === undefined) callers.set(target, [site]);
    else if (!list.includes(site)) list.push(site);
  }
  const sites = new Map<number, number[]>();
  callers.forEach((from, target) => {
    const seen = new Set<number>();
    for (const walk = [target]; walk.length > 0;) {
      const ip = walk.pop()!, at = byIp.get(ip);
      if (at === undefined || seen.has(ip)) continue;
      seen.add(ip);
      const list = sites.get(ip);
      if (list === undefined) sites.set(ip, from.slice());
      else for (let k = 0; k < from.length; k++) if (!list.includes(from[k])) list.push(from[k]);
      const next = within(at, predictedFor(at) ?? undefined);
      for (let k = 0; k < next.length; k++) walk.push(next[k]);
    }
  });
  return sites;
}

/** Control transfers whose inline code (inline.ts flow) always ends in a
 *  branch or an exit. */
const ENDS_IN_BRANCH: ReadonlySet<string> = new Set(["jump", "jcc", "loop", "call", "ret"]);

/** RegionCompiler.shared's, by layout. */
const sharedCompilers = new Map<string, RegionCompiler>();

/** Translate one region with a compiler of its own (tests, tools). */
export function translateRegion(blocks: readonly Block[], L: Layout, options: TranslateOptions): Translation {
  const c = new RegionCompiler(L);
  try { return c.translate(blocks, options); } finally { c.dispose(); }
}

/** The text of a translated module, read back from its binary (tests). */
export function blockText(binary: Uint8Array): string {
  const m = loadedBinaryen().readBinary(binary);
  try { return m.emitText(); } finally { m.dispose(); }
}

/**
 * The general registers the region's instructions name (operands, address
 * parts, SP of stack instructions, CX of LOOP/JCXZ/REP, AX/DX of CBW/CWD),
 * and the segments memory operands and the stack use: a superset of what
 * its inline code touches, which is what the function holds in locals.
 */
function regionState(blocks: readonly Block[]): RegionState {
  const regs = new Set<number>(), segs = new Set<number>();
  let flags = false, strings = false, stack = false;
  // (Plain loops: see translateOnce's setup.)
  for (let i = 0; i < blocks.length; i++) for (let j = 0; j < blocks[i].insns.length; j++) {
    const insn = blocks[i].insns[j];
    if (insn.status !== "ok") continue;
    for (let k = 0; k < insn.operands.length; k++) {
      const o = insn.operands[k];
      if (o.kind === "reg") regs.add(o.size === 8 ? o.num & 3 : o.num);
      if (o.kind === "mem") {
        if (o.base !== null && o.base in REG16) regs.add(REG16[o.base]);
        if (o.index !== null && o.index in REG16) regs.add(REG16[o.index]);
        if (o.seg in SEGS) segs.add(SEGS[o.seg]);
        if (o.implicit) strings = true;
      }
    }
    const op = insn.opcode;
    if ((op >= 0x50 && op <= 0x5f) || op === 0xe8 || op === 0xc2 || op === 0xc3 || insn.mnemonic === "push" || insn.mnemonic === "pop" || insn.mnemonic === "call") {
      regs.add(SP);
      segs.add(SEGS.ss);
      stack = true;
    }
    if (op === 0xc8 || op === 0xc9) { regs.add(SP); regs.add(BP); segs.add(SEGS.ss); stack = true; } // ENTER, LEAVE: SP, BP, SS
    if ((op >= 0xe0 && op <= 0xe3) || insn.prefixes.rep) regs.add(CX);
    if (op === 0xd7) { regs.add(0); regs.add(3); } // XLAT: AL, BX
    if (op === 0xf6 || op === 0xf7) { regs.add(0); regs.add(2); } // MUL/DIV: AX, DX
    if (op === 0x98 || op === 0x99) { regs.add(0); regs.add(2); }
    if ((insn.flags.read | insn.flags.written | insn.flags.undefined) & ARITH) flags = true;
  }
  return { regs, flags, segs, strings, stack };
}
