/**
 * engine.ts — the translator's host side: answers the core's requests to
 * translate a hot block (EXIT_COMPILE), places the compiled function in
 * the core's function table, keeps translated code consistent with guest
 * memory, and counts what it did.
 *
 *   core: block entered > threshold times ──▶ EXIT_COMPILE (linear, CS base, slot)
 *   compile(): RegionDecoder (region.ts: src/x86 blocks) → loopScope (scope.ts:
 *              the loop, or a wait when the block is on none) → RegionCompiler
 *              (translate.ts: the direct emitter, or binaryen to optimise) →
 *              WebAssembly.Instance(imports: core memory, execOne, helpers)
 *              → table.grow / table.set → jitInstall(slot, index, count)
 *              — or, with the background option, the same in a worker
 *              (background.ts) while the interpreter runs on, installed
 *              by poll() if the bytes still read the same
 *   guest write to a 32-byte chunk translated code was decoded from
 *   (CODE_BITMAP; other writes to the page stay in Wasm) ──▶ codeWrite():
 *              drop the blocks whose bytes overlap the write; the running
 *              block stops after the writing instruction
 *
 * Bounded resources: at most `maxFunctions` functions in the table; when
 * full, every translation is dropped and the table slots are reused
 * (QEMU's whole-cache flush: simple, and hot code is retranslated fast).
 *
 * What this file is not: code generation (translate.ts), the knobs and
 * counters (options.ts) or the dispatch (assembly/jit/dispatch.ts).
 */
import type { Block } from "../x86/block.js";
import type { X86Model } from "../x86/ir.js";
import type { CoreExports, Layout } from "../core/core.js";
import { RegionCompiler, type TranslateOptions, type Translation } from "./translate.js";
import { SEGS } from "./codegen.js";
import { RegionDecoder, bytesAt, planRegion, type GuestView } from "./region.js";
import { resolveJitOptions, translateOptionsOf, type JitOptions, type JitStats } from "./options.js";
export { JIT_DEFAULTS, type JitOptions, type JitStats } from "./options.js";
import { BackgroundTranslator, type Reply, type ReplyBlock, type Request, type Window } from "./background.js";
import { WARM_UP_ID, warmUpRequest } from "./warmup.js";

/** The parts of the core the engine needs beyond CoreExports. */
interface JitCore extends CoreExports {
  table: WebAssembly.Table;
  execOne(): void;
  jitInstall(slot: number, phys: number, csBase: number, word: number, instructions: number): void;
  jitAddEntry(phys: number, csBase: number, word: number, instructions: number): number;
  jitSlot(phys: number, csBase: number): number;
  jitInvalidate(phys: number, csBase: number, index: number): number;
  jitReset(): void;
}

/** A translated region: the physical byte ranges its blocks came from,
 *  its cache key (the entry block's physical address, CS base), its
 *  function-table index, and the other blocks' addresses the cache has
 *  as ways into it. */
interface BlockInfo {
  phys: number; csBase: number; index: number; ranges: [number, number][]; entries: number[];
  /** Its guest instructions, and the core's count of instructions retired
   *  in translated code when it was installed (a fruitless drop). */
  instructions: number; retiredBefore: number;
}

/** A region's key, as the core's cache has it: entry physical address and
 *  CS base. */
const regionKey = (phys: number, csBase: number) => `${phys}:${csBase}`;

/**
 * Fruitless drops: a write dropped a region before a sixteenth of its
 * instructions' worth had run translated since it was installed (counted
 * over all translated code: an upper bound of its own). Code that writes
 * just ahead of where it runs — a guest run wild through its own code —
 * would get a new region, to the end of the page, at every next IP, each
 * dropped by the write at its start. Past FREE_FRUITLESS_DROPS such drops
 * in a row on a page, each further one doubles the entries a block there
 * needs before it is translated, up to MAX_DEFERRAL; a drop after useful
 * work starts the page's count again.
 */
const FRUITLESS_FRACTION = 16;
const FREE_FRUITLESS_DROPS = 4;
const MAX_DEFERRAL = 64;
/** Entries a block owes while its request is on its way to the worker,
 *  or while it is held back behind another on its page: the reply sets
 *  its slot (translated, or to be asked for again when hot). */
const PENDING_ENTRIES = 1 << 20;
/** Stale replies for a region (its bytes changed between request and
 *  reply) after which the engine translates it itself. */
const MAX_STALE_REPLIES = 2;
/** A background request unanswered this long (ms) means the worker is
 *  gone (it died, or hangs): the engine translates on its own thread
 *  from then on. */
const BACKGROUND_TIMEOUT_MS = 5000;

/** A request sent to the worker: its region's key, the entry's physical
 *  address and CS base, when it was first sent (performance.now()), the
 *  request (sent again, with words, when the worker needs them), and the
 *  blocks on its page held back until it is answered. */
interface Pending {
  id: number; key: string; phys: number; csBase: number; sent: number; request: Request;
  held: { phys: number; csBase: number }[];
  /** The copied windows, as [linear base, length], and the physical page
   *  each 4 KiB of them mapped to when sent (A20 may move them before the
   *  reply). */
  extents: [number, number][]; frames: number[];
}

/** A page's key for the background requests on it: physical page, CS
 *  base. */
const pageKey = (phys: number, csBase: number) => `${phys >>> 12}:${csBase}`;

/** Bound on the set of deferred requests remembered (wild code can ask
 *  at every IP it reaches). */
const MAX_DEFERRED_KEYS = 4096;
/**
 * A hot block on no loop of its page (a function's entry, say) is put off
 * once by this many times the threshold in entries (loopRegions; it is
 * asked for again after about eight times the threshold more, dispatch.ts
 * counting up from the negative count): were it translated at once, the
 * loop that calls it would get hot soon after and be translated with it
 * again. bench-mix's tally16 is entered three times per pass of the loop
 * around it, so without the wait it became a region of its own (33
 * blocks) before the loop did.
 */
const LOOP_FIRST = 7;
export class JitEngine {
  readonly options: Required<JitOptions>;
  private readonly core: JitCore;
  private readonly imports: WebAssembly.Imports;
  /** Physical page → the translated blocks with bytes on it. */
  private readonly codePages = new Map<number, Set<BlockInfo>>();
  /** How often each region (by entry: physical address, CS base) had its
   *  translation dropped by a write to its code. */
  private readonly rewrites = new Map<string, number>();
  /** Fruitless drops in a row on each physical page (FRUITLESS_FRACTION). */
  private readonly fruitless = new Map<number, number>();
  /** Requests put off, by region key: the page's fruitless drops then.
   *  The next request at the same count is answered. */
  private readonly deferred = new Map<string, number>();
  /** Requests at blocks on no loop that have waited (LOOP_FIRST). */
  private readonly waited = new Set<string>();
  /** Finds a request's blocks (region.ts), keeping them decoded between
   *  requests. */
  private readonly decoder: RegionDecoder;
  private readonly compiler: RegionCompiler;
  /** The channel to the worker, with the background option. */
  private readonly background: BackgroundTranslator | null;
  /** Table indices we own, in order; the first is where we started. */
  private base = -1;
  private used = 0;
  private readonly s = {
    blocksCompiled: 0, regionsCompiled: 0, blocksRefused: 0, failures: 0, blocksThrashing: 0, compilesDeferred: 0, instructionsCompiled: 0, instructionsInlined: 0,
    compileMs: 0, wasmCompileMs: 0, maxRegionMs: 0, maxRegionBlocks: 0, codeBytes: 0, loopWaits: 0, invalidations: 0, deopts: 0, flushes: 0, entriesInstalled: 0,
    backgroundRequests: 0, backgroundStale: 0, backgroundTimeouts: 0, backgroundMs: 0, maxLatencyMs: 0,
  };
  /** Physical pages translated without access groups: one of their
   *  groups failed its test (deopt). */
  private readonly ungrouped = new Set<number>();

  constructor(
    core: CoreExports,
    private readonly L: Layout,
    private readonly model: X86Model,
    /** A reader of guest bytes by linear address (A20 applied), for the
     *  decoder: made once per translation, it may hold on to what a byte
     *  read needs (the memory view, the A20 gate, the page's frame) while
     *  nothing can change them. */
    private readonly linearReader: () => (linear: number) => number,
    /** A copy of `length` guest bytes from a linear address on (A20
     *  applied), for a background request. */
    private readonly linearCopy: (linear: number, length: number) => Uint8Array,
    /** Flag a physical page as holding the translator's code (or not). */
    private readonly setCodePage: (page: number, on: boolean) => void,
    options: JitOptions = {},
  ) {
    this.core = core as JitCore;
    const o = resolveJitOptions(options, L);
    this.options = o;
    this.compiler = RegionCompiler.shared(L);
    this.decoder = new RegionDecoder(model, o.maxBlock, o.maxRegion);
    this.background = o.background
      ? new BackgroundTranslator({ layout: L, model, maxBlock: o.maxBlock, maxRegion: o.maxRegion, binaryen: o.optimize > 0 })
      : null;
    this.imports = {
      core: {
        memory: core.memory,
        execOne: this.core.execOne,
        // Every helper_* semantics export (assembly/helpers.ts): generated
        // code imports the ones it calls.
        ...Object.fromEntries(Object.entries(core).filter(([name]) => name.startsWith("helper_"))),
      },
    };
    if (this.background !== null) {
      this.background.warmUp(warmUpRequest(this.translateOptions(0), o.loopRegions));
      this.warmUpSent = performance.now();
    }
  }

  /** Views of the core's memory, made again when the memory grows (its
   *  old buffer is detached then). */
  private views: { dv: DataView; u8: Uint8Array } | null = null;
  private memoryViews(): { dv: DataView; u8: Uint8Array } {
    const buffer = this.core.memory.buffer;
    if (this.views === null || this.views.dv.buffer !== buffer) this.views = { dv: new DataView(buffer), u8: new Uint8Array(buffer) };
    return this.views;
  }
  private get dv(): DataView { return this.memoryViews().dv; }

  /** Turn translation on or off in the core. */
  enable(on: boolean): void {
    const dv = this.dv;
    dv.setInt32(this.L.JIT_ENABLED, on ? 1 : 0, true);
    dv.setInt32(this.L.JIT_THRESHOLD, this.options.threshold, true);
    dv.setInt32(this.L.JIT_LOOKUP, on ? 1 : 0, true);
    if (on) dv.setInt32(this.L.EVENTS, 1, true);
  }

  /** Look up translated code at the next boundary (after the host moved
   *  CS:IP, e.g. setRegisters). */
  lookupNext(): void {
    const dv = this.dv;
    if (dv.getInt32(this.L.JIT_ENABLED, true)) {
      dv.setInt32(this.L.JIT_LOOKUP, 1, true);
      dv.setInt32(this.L.EVENTS, 1, true);
    }
  }

  /** Answer the core's EXIT_COMPILE. */
  compile(): void {
    const dv = this.dv;
    const linear = dv.getInt32(this.L.JIT_REQ_LINEAR, true);
    const csBase = dv.getInt32(this.L.JIT_REQ_CSBASE, true);
    const slot = dv.getInt32(this.L.JIT_REQ_SLOT, true);
    const t0 = performance.now();
    const cs = csBase >>> 4;
    const phys = this.physAddr(linear);
    const key = regionKey(phys, csBase);
    if ((this.rewrites.get(key) ?? 0) > this.options.maxRetranslations) {
      // Code that rewrites itself on every pass: each translation would be
      // thrown away at once. The interpreter runs it from now on.
      this.core.jitInstall(slot, phys, csBase, -1, 0);
      this.s.blocksThrashing++;
      return;
    }
    const fruitless = this.fruitless.get(phys >>> 12) ?? 0;
    if (fruitless > FREE_FRUITLESS_DROPS && this.deferred.get(key) !== fruitless) {
      // The page's translations keep being thrown away unused: the block
      // must prove itself hot again, over more entries the more often
      // that happened. (A negative count: entries still owed, dispatch.ts.)
      if (this.deferred.size >= MAX_DEFERRED_KEYS) this.deferred.clear();
      this.deferred.set(key, fruitless);
      const owed = Math.min(2 ** (fruitless - FREE_FRUITLESS_DROPS), MAX_DEFERRAL);
      this.core.jitInstall(slot, phys, csBase, 0, -owed);
      this.s.compilesDeferred++;
      return;
    }
    if (this.background !== null && this.requestInBackground(cs, (linear - csBase) & 0xffff, phys, csBase, key, slot, t0)) return;
    const decoded = this.decoder.decode(cs, (linear - csBase) & 0xffff, this.guestView());
    const plan = planRegion(decoded, this.options.loopRegions, this.options.maxRegion, this.mayWait(key));
    if (plan.kind === "refuse") {
      this.core.jitInstall(slot, phys, csBase, -1, 0);
      this.s.blocksRefused++;
      return;
    }
    if (plan.kind === "wait") {
      this.wait(key);
      this.core.jitInstall(slot, phys, csBase, 0, -LOOP_FIRST * this.options.threshold);
      this.s.compileMs += performance.now() - t0; // the decoding
      return;
    }
    const blocks = plan.blocks, predictions = decoded.predictions;
    this.deferred.delete(key);
    let tr: ReturnType<RegionCompiler["translate"]>, instance: WebAssembly.Instance;
    try {
      tr = this.compiler.translate(blocks, this.translateOptions(phys), predictions);
      const t1 = performance.now();
      instance = new WebAssembly.Instance(new WebAssembly.Module(tr.binary as Uint8Array<ArrayBuffer>), this.imports);
      this.s.wasmCompileMs += performance.now() - t1;
    } catch {
      // A translator bug must not stop the guest: the interpreter runs
      // this block from now on, and the failure is counted (--stats).
      this.core.jitInstall(slot, phys, csBase, -1, 0);
      this.s.failures++;
      return;
    }
    this.install(phys, csBase, slot, instance, blocks, tr, tr.binary.length);
    this.timed(t0);
  }

  /** Whether a request at a block on no loop may be put off (LOOP_FIRST):
   *  once per key, remembered across a rewrite of the block's code (then
   *  translated at once when hot again, rather than waiting a second
   *  time). */
  private mayWait(key: string): boolean { return this.options.threshold > 0 && !this.waited.has(key); }
  private wait(key: string): void {
    if (this.waited.size >= MAX_DEFERRED_KEYS) this.waited.clear();
    this.waited.add(key);
    this.s.loopWaits++;
  }

  private translateOptions(phys: number): TranslateOptions {
    return translateOptionsOf(this.options, !this.ungrouped.has(phys >>> 12));
  }

  /** Count a translation's time on this thread. */
  private timed(t0: number): void {
    const ms = performance.now() - t0;
    this.s.compileMs += ms;
    this.s.maxRegionMs = Math.max(this.s.maxRegionMs, ms);
  }

  /**
   * Put a translated region in the table and the cache: at `slot`, the
   * core's request's (compiled at once), or the entry block's slot as the
   * cache hashes it (compiled in the background: the request's slot may
   * have changed hands since), and at its other entries; and track the
   * bytes it was decoded from.
   */
  private install(
    phys: number, csBase: number, slot: number | null, instance: WebAssembly.Instance,
    blocks: readonly { address: number; length: number }[], tr: Omit<Translation, "binary">, codeBytes: number,
  ): void {
    const index = this.allocate();
    this.core.table.set(index, instance.exports.block as () => void);
    // (As at once, the entry takes its slot whoever held it.)
    this.core.jitInstall(slot ?? this.core.jitSlot(phys, csBase), phys, csBase, this.slotWord(index, 0), tr.instructions);
    const info: BlockInfo = { phys, csBase, index, ranges: [], entries: [], instructions: tr.total, retiredBefore: this.retired() };
    for (const e of tr.entries) {
      const at = this.physAddr(blocks[e.index].address);
      if (this.core.jitAddEntry(at, csBase, this.slotWord(index, e.index), e.instructions)) {
        info.entries.push(at);
        this.s.entriesInstalled++;
      }
    }
    // Track the bytes it was decoded from, block by block (a block's last
    // instruction may straddle a page; real mode has no paging, so its
    // bytes are physically contiguous unless A20 wraps them).
    for (const b of blocks) {
      const from = this.physAddr(b.address), to = this.physAddr(b.address + b.length - 1) + 1;
      info.ranges.push([from, to]);
      const first = from >>> 12, last = (to - 1) >>> 12;
      for (const page of first === last ? [first] : [first, last]) {
        let set = this.codePages.get(page);
        if (!set) { set = new Set(); this.codePages.set(page, set); this.setCodePage(page, true); }
        set.add(info);
      }
      this.markChunks(from, to, true);
    }
    this.s.blocksCompiled += blocks.length;
    this.s.regionsCompiled++;
    this.s.instructionsCompiled += tr.total;
    this.s.instructionsInlined += tr.inlined;
    this.s.codeBytes += codeBytes;
    this.s.maxRegionBlocks = Math.max(this.s.maxRegionBlocks, blocks.length);
  }

  // ------------------------------------------------------------ background
  // (background.ts: the request goes to the worker; the interpreter runs
  // the block until the reply is installed.)

  /** The worker left a request unanswered too long: translate here. */
  private workerGone = false;
  /** When the warm-up (warmup.ts) was sent, until its reply comes. */
  private warmUpSent: number | null = null;
  /** Requests sent and not yet answered, by id, by region key, and by
   *  page (pageKey). */
  private readonly pending = new Map<number, Pending>();
  private readonly pendingKeys = new Map<string, Pending>();
  private readonly pendingPages = new Map<string, Pending>();
  /** Replies found stale, by region key (MAX_STALE_REPLIES). */
  private readonly staleReplies = new Map<string, number>();
  private nextRequest = 1;
  /** Blocks the worker's decoder had kept (stats: decodeHits). */
  private workerDecodeHits = 0;

  /** Translations sent to the worker and not yet installed (the run loop
   *  runs shorter slices while there are: not for the warm-up, whose
   *  slices would otherwise cut the run where translating at once does
   *  not, and so move when blocks count as hot, dispatch.ts nearCut). */
  get pendingTranslations(): number { return this.pending.size; }

  /** Whether a reply is due, the warm-up's included: the run loop polls. */
  get repliesDue(): boolean { return this.pending.size > 0 || this.warmUpSent !== null; }

  /**
   * Send the request to the worker, with the guest as it is now, and let
   * the interpreter run the block meanwhile. A request on a page where
   * one is on its way is held back a while instead: while the loop's
   * translation is made, the interpreter keeps running the loop, and its
   * other blocks get hot too — they are most likely in it (its reply
   * lets them ask again). False when the engine should translate the
   * region itself: the worker is gone (BACKGROUND_TIMEOUT_MS), or twice
   * gave translations of it that were stale when they came.
   */
  private requestInBackground(cs: number, ip: number, phys: number, csBase: number, key: string, slot: number, t0: number): boolean {
    // (Replies are not looked for here: installing one would add to this
    // request's stall; the run loop takes them between slices.)
    if (this.workerGone || (this.staleReplies.get(key) ?? 0) >= MAX_STALE_REPLIES) return false;
    const onPage = this.pendingPages.get(pageKey(phys, csBase));
    if (this.pendingKeys.has(key)) {
      // (Asked again before the reply: its entries owed ran out.)
    } else if (onPage !== undefined) {
      onPage.held.push({ phys, csBase });
    } else {
      // (The registers and bases the engine's own decoding would read.)
      const view = this.guestView(), regs: number[] = [], segBases: number[] = [];
      for (let r = 0; r < 8; r++) regs.push(view.reg16(r));
      for (let seg = 0; seg < 6; seg++) segBases.push(view.segBase(seg));
      const p: Pending = {
        id: 0, key, phys, csBase, sent: t0, held: [], extents: [], frames: [],
        request: {
          id: 0, cs, ip, windows: [], regs, segBases, options: this.translateOptions(phys),
          loopRegions: this.options.loopRegions, mayWait: this.mayWait(key),
        },
      };
      this.send(p, undefined);
      this.pendingKeys.set(key, p);
      this.pendingPages.set(pageKey(phys, csBase), p);
      this.s.backgroundRequests++;
    }
    this.core.jitInstall(slot, phys, csBase, 0, -PENDING_ENTRIES);
    this.timed(t0);
    if (this.options.backgroundWait) this.settle();
    return true;
  }

  /** Send `p`'s request under a new id, its page copied now. */
  private send(p: Pending, words: [number, number][] | undefined): void {
    const r = p.request, windows: Window[] = [];
    // The code page and the next, within the segment; and the segment's
    // start when they run past its end (IP wraps).
    const segStart = r.cs * 16, segEnd = segStart + 0x10000;
    const from = Math.max(segStart, ((segStart + r.ip) >>> 12) << 12), to = Math.min(segEnd, from + 2 * 4096);
    windows.push({ base: from, bytes: this.linearCopy(from, to - from) });
    const over = from + 2 * 4096 - segEnd;
    if (over > 0) windows.push({ base: segStart, bytes: this.linearCopy(segStart, over) });
    p.extents = windows.map((w) => [w.base, w.bytes.length]);
    p.frames = this.framesOf(p.extents);
    this.pending.delete(p.id);
    p.id = this.nextRequest++;
    this.pending.set(p.id, p);
    this.background!.request({ ...r, id: p.id, windows, words });
  }

  /** The physical page of each 4 KiB of linear `extents`, as mapped now. */
  private framesOf(extents: readonly [number, number][]): number[] {
    const frames: number[] = [];
    for (const [base, length] of extents) for (let at = base & ~0xfff; at < base + length; at += 4096) frames.push(this.physAddr(at) >>> 12);
    return frames;
  }

  /** Install a reply of the worker's, if one has come (the run loop calls
   *  this between slices, not between a request and its answer: one reply
   *  a call, so that replies that come together do not add up to one
   *  stall); give the worker up if none has come and a request is
   *  overdue. */
  poll(): void {
    if (!this.repliesDue) return;
    // (Timed from before the message is taken: receiving a Module from
    // another thread is V8's work on this one.)
    const t0 = performance.now();
    const r = this.background!.poll();
    if (r !== undefined) { this.receive(r, t0); return; }
    // (Only with nothing on the channel: a reply waiting there behind
    // another is not overdue, however long the host was away.)
    if (this.warmUpSent !== null && t0 - this.warmUpSent > BACKGROUND_TIMEOUT_MS) this.warmUpSent = null;
    for (const p of this.pending.values()) if (t0 - p.sent > BACKGROUND_TIMEOUT_MS) { this.giveUpWorker(); return; }
  }

  /** The worker is gone: forget what it was asked, let those blocks ask
   *  again, and translate here from now on. */
  private giveUpWorker(): void {
    this.workerGone = true;
    this.warmUpSent = null;
    for (const p of this.pending.values()) this.release(p);
    this.s.backgroundTimeouts += this.pending.size;
    this.pending.clear();
    this.pendingKeys.clear();
    this.pendingPages.clear();
  }

  /** Let a request's block, and the blocks held behind it, ask again
   *  when hot (unless the reply made them ways into its region). (A slot
   *  another block has taken meanwhile is taken back, its count or mark
   *  lost: that block asks once more, as after any eviction.) */
  private release(p: Pending): void {
    this.core.jitAddEntry(p.phys, p.csBase, 0, 0);
    for (const h of p.held) this.core.jitAddEntry(h.phys, h.csBase, 0, 0);
  }

  /** Wait for every pending translation and install it (tests, benches);
   *  false if some did not come within `timeoutMs`. (Not for the warm-up:
   *  its reply is taken if it comes first.) */
  settle(timeoutMs = 10_000): boolean {
    const until = performance.now() + timeoutMs;
    while (this.pending.size > 0) {
      const r = this.background!.wait(until - performance.now());
      if (r === undefined) return false;
      this.receive(r, performance.now());
    }
    return true;
  }

  /** Act on a reply taken at `t0`. */
  private receive(r: Reply, t0: number): void {
    if (r.id === WARM_UP_ID) { this.warmedUp(r, t0); return; }
    const p = this.pending.get(r.id);
    if (p === undefined) return; // (the worker was given up)
    this.s.backgroundMs += r.ms;
    this.workerDecodeHits += r.decodeHits;
    if (r.kind === "need") {
      const view = this.guestView();
      this.send(p, r.addresses.map((at) => [at, view.word(at)!]));
      this.timed(t0);
      return;
    }
    this.pending.delete(r.id);
    this.pendingKeys.delete(p.key);
    this.pendingPages.delete(pageKey(p.phys, p.csBase));
    const { phys, csBase } = p;
    this.release(p); // (then the answer's own slots)
    // (As compile() answers: a refusal and a wait keep the key's
    // deferral, a translation ends it.)
    if (r.kind === "refuse") { this.core.jitAddEntry(phys, csBase, -1, 0); this.s.blocksRefused++; }
    else if (r.kind === "wait") {
      this.wait(p.key);
      this.core.jitAddEntry(phys, csBase, 0, -LOOP_FIRST * this.options.threshold);
    } else {
      this.deferred.delete(p.key);
      const fit = r.kind === "code" ? this.fits(p, p.request.options.accessGroups === true, r.blocks) : "yes";
      if (fit !== "yes") {
        // Translated from code that has changed since (or for a page that
        // has lost its access groups): asked for again when hot.
        if (fit === "changed") {
          if (this.staleReplies.size >= MAX_DEFERRED_KEYS) this.staleReplies.clear();
          this.staleReplies.set(p.key, (this.staleReplies.get(p.key) ?? 0) + 1);
        }
        this.s.backgroundStale++;
      } else if (!(r.kind === "code" && this.instantiate(phys, csBase, r))) {
        this.core.jitAddEntry(phys, csBase, -1, 0);
        this.s.failures++;
      }
    }
    this.timed(t0);
    this.s.maxLatencyMs = Math.max(this.s.maxLatencyMs, performance.now() - p.sent);
  }

  /** The warm-up's reply: its module instantiated with the core's imports
   *  and dropped (warmup.ts). Its time counts as the translator's on this
   *  thread, and in the worker, as any reply's does. */
  private warmedUp(r: Reply, t0: number): void {
    if (this.warmUpSent === null) return; // (given up on)
    this.warmUpSent = null;
    this.s.backgroundMs += r.ms;
    if (r.kind === "code") {
      try {
        new WebAssembly.Instance(r.module, this.imports);
      } catch {
        // (Nothing rides on it; a real reply that V8 refused would count.)
      }
      // And the check a reply gets (it reads the guest and changes
      // nothing): the frames, then the bytes — memory does not hold the
      // loop, so the first compare ends it.
      const extents: [number, number][] = [[0, 4096]];
      this.fits({ extents, frames: this.framesOf(extents), phys: 0 }, false, r.blocks);
    }
    this.timed(t0);
  }

  /** Instantiate a reply's module and install it; false if V8 refuses
   *  (a translator bug, counted as compile() counts one). */
  private instantiate(phys: number, csBase: number, r: Extract<Reply, { kind: "code" }>): boolean {
    let instance: WebAssembly.Instance;
    try {
      const t1 = performance.now();
      instance = new WebAssembly.Instance(r.module, this.imports);
      this.s.wasmCompileMs += performance.now() - t1;
    } catch {
      return false;
    }
    this.install(phys, csBase, null, instance, r.blocks, r, r.codeBytes);
    return true;
  }

  /** Whether a reply still fits the guest: the same physical pages
   *  behind the linear ones (A20 not toggled since: the region is keyed,
   *  and its writes watched, by them) holding every block's bytes as they
   *  were decoded ("changed" if not), and access groups (`grouped`: the
   *  request asked for them) only where the page may still have them
   *  ("ungrouped"). */
  private fits(p: Pick<Pending, "extents" | "frames" | "phys">, grouped: boolean, blocks: readonly ReplyBlock[]): "yes" | "changed" | "ungrouped" {
    const now = this.framesOf(p.extents);
    for (let i = 0; i < now.length; i++) if (now[i] !== p.frames[i]) return "changed";
    const read = this.linearReader();
    for (const b of blocks) if (!bytesAt(b.cs, b.ip, b.bytes, read)) return "changed";
    if (grouped && this.ungrouped.has(p.phys >>> 12)) return "ungrouped";
    return "yes";
  }

  /** The guest (or the host) wrote bytes near translated code: drop the
   *  blocks the write overlaps. */
  codeWrite(physAddr: number, size: number): void {
    const end = physAddr + size;
    let dropped = false;
    for (let page = physAddr >>> 12; page <= (end - 1) >>> 12; page++) {
      const set = this.codePages.get(page);
      if (!set) continue;
      let fruitlessHere: boolean | null = null;
      for (const b of [...set]) {
        if (!b.ranges.some(([from, to]) => from < end && to > physAddr)) continue;
        const useful = (this.retired() - b.retiredBefore) * FRUITLESS_FRACTION >= b.instructions;
        fruitlessHere = (fruitlessHere ?? true) && !useful;
        this.drop(b);
        const key = regionKey(b.phys, b.csBase);
        this.rewrites.set(key, (this.rewrites.get(key) ?? 0) + 1);
        this.s.invalidations++;
        dropped = true;
      }
      if (fruitlessHere !== null) this.fruitless.set(page, fruitlessHere ? (this.fruitless.get(page) ?? 0) + 1 : 0);
      // Chunks are shared by neighbouring blocks: rebuild the page's bits
      // from the regions that remain.
      this.markChunks(page << 12, (page + 1) << 12, false);
      for (const b of set) for (const [from, to] of b.ranges) {
        const lo = Math.max(from, page << 12), hi = Math.min(to, (page + 1) << 12);
        if (lo < hi) this.markChunks(lo, hi, true);
      }
    }
    // Pages left without regions: written ones, and one a dropped region
    // also spanned.
    this.forgetEmptyPages();
    // Stop the running block after the writing instruction.
    if (dropped) this.dv.setInt32(this.L.EVENTS, 1, true);
  }

  /** A region's ways in out of the cache, and the region out of the
   *  pages' sets. */
  private drop(b: BlockInfo): void {
    for (const at of [b.phys, ...b.entries]) this.core.jitInvalidate(at, b.csBase, b.index);
    for (const [from, to] of b.ranges) {
      for (const p of [from >>> 12, (to - 1) >>> 12]) this.codePages.get(p)?.delete(b);
    }
  }

  /**
   * Answer the core's EXIT_DEOPT: a translation found one of its access
   * groups' tests failed (groups.ts: the range reaches a page the TLB's
   * fast paths take another way, a chunk of code, a flagged page) and left
   * before the access, at CS:IP. Groups are a bet that their test holds;
   * rather than pay the TLB at every access after a lost bet, the page's
   * regions are dropped and, when hot again, translated without groups.
   */
  deopt(): void {
    const dv = this.dv;
    const lin = dv.getInt32(this.L.SEG_BASE + SEGS.cs * 4, true) + (dv.getInt32(this.L.REG_IP, true) & 0xffff);
    const page = this.physAddr(lin) >>> 12;
    this.ungrouped.add(page);
    this.s.deopts++;
    const set = this.codePages.get(page);
    if (!set) return;
    for (const b of [...set]) this.drop(b);
    this.forgetEmptyPages();
  }

  /** Pages no translated region has bytes on any more: no longer code
   *  pages, their chunk bits cleared. */
  private forgetEmptyPages(): void {
    for (const [page, set] of this.codePages) {
      if (set.size > 0) continue;
      this.codePages.delete(page);
      this.setCodePage(page, false);
      this.markChunks(page << 12, (page + 1) << 12, false);
    }
  }

  /** Set or clear the CODE_BITMAP bits of the 32-byte chunks of
   *  [from, to) (clipped to a page when clearing; see codeWrite). */
  private markChunks(from: number, to: number, on: boolean): void {
    // Code where there was none: the stack window may hold it.
    if (on) this.dv.setInt32(this.L.JIT_WINDOW_LEN, 0, true);
    const u8 = this.memoryViews().u8;
    const limit = this.L.CODE_BITMAP_LIMIT;
    for (let c = from >>> 5; c <= (to - 1) >>> 5 && c << 5 < limit; c++) {
      const a = this.L.CODE_BITMAP + (c >>> 3);
      if (on) u8[a] |= 1 << (c & 7); else u8[a] &= ~(1 << (c & 7));
    }
  }

  get stats(): JitStats {
    const dv = this.dv;
    return {
      ...this.s,
      decodeHits: this.decoder.hits + this.workerDecodeHits,
      blockRuns: dv.getInt32(this.L.JIT_STAT_RUNS, true) >>> 0,
      translatedInstructions: Number(dv.getBigInt64(this.L.JIT_STAT_INSNS, true)),
      lookups: dv.getInt32(this.L.JIT_STAT_LOOKUPS, true) >>> 0,
      misses: dv.getInt32(this.L.JIT_STAT_MISSES, true) >>> 0,
      budgetSkips: dv.getInt32(this.L.JIT_STAT_BUDGET, true) >>> 0,
      sideExits: dv.getInt32(this.L.JIT_STAT_SIDE, true) >>> 0,
    };
  }

  /** The guest as it is now, for decoding (region.ts). */
  private guestView(): GuestView {
    const dv = this.dv, L = this.L, read = this.linearReader();
    return {
      read,
      word: (linear) => read(linear) | (read(linear + 1) << 8),
      reg16: (num) => dv.getUint16(L.REGS + num * 4, true),
      segBase: (seg) => dv.getInt32(L.SEG_BASE + seg * 4, true),
    };
  }

  /** Guest instructions retired in translated code so far (the core's count). */
  private retired(): number { return Number(this.dv.getBigInt64(this.L.JIT_STAT_INSNS, true)); }

  /** A cache slot's word for entry code `code` of the function at table
   *  `index` (assembly/layout.ts JIT_CACHE). */
  private slotWord(index: number, code: number): number { return index | (code << this.L.JIT_ENTRY_SHIFT); }

  private physAddr(linear: number): number {
    const linPage = (linear >>> 12) % this.L.LIN_PAGES;
    return (this.dv.getInt32(this.L.PAGE_PHYS + linPage * 4, true) << 12) | (linear & 0xfff);
  }

  /** A table index for a new function; flushes everything when full. */
  private allocate(): number {
    const table = this.core.table;
    if (this.base < 0) this.base = table.length;
    if (this.used >= this.options.maxFunctions) this.flush();
    const index = this.base + this.used++;
    if (index >= table.length) table.grow(index - table.length + 1);
    return index;
  }

  /** Drop every translation (the table is full). */
  private flush(): void {
    this.core.jitReset();
    for (const page of this.codePages.keys()) this.setCodePage(page, false);
    this.codePages.clear();
    new Uint8Array(this.core.memory.buffer).fill(0, this.L.CODE_BITMAP, this.L.CODE_BITMAP + (this.L.CODE_BITMAP_LIMIT >>> 8));
    for (let i = 0; i < this.used; i++) this.core.table.set(this.base + i, null);
    this.used = 0;
    this.rewrites.clear();
    this.fruitless.clear();
    this.deferred.clear();
    this.waited.clear();
    this.decoder.clear();
    this.background?.clear();
    this.staleReplies.clear();
    this.s.flushes++;
  }
}
