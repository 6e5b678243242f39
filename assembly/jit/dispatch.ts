/**
 * dispatch.ts — the core's side of the translator: find translated code
 * for the block at CS:IP, count entries into blocks that have none yet, ask
 * the host to translate hot ones, and run translated blocks with
 * call_indirect. The translation itself (decoding, binaryen) is the host's:
 * src/jit/.
 *
 *   control transfer (setIP) or block return ──▶ JIT_LOOKUP = 1, EVENTS = 1
 *   next boundary: handleEvents() ──▶ jitEnter()
 *       cache hit, translated, budget allows ──▶ call_indirect(block), and
 *           on to the next block while nothing is pending
 *       the block left at a side exit (JIT_STAT_SIDE moved: a memory
 *           access its fast paths could not do) ──▶ the interpreter runs
 *           that one instruction, then looks up again
 *       hit, not translated: entries + 1 ≥ threshold ──▶ EXIT_COMPILE
 *       otherwise ──▶ the interpreter runs on
 *
 * A translated block is entered only when the instruction count it was
 * installed with — the most it can retire before it tests the budget
 * itself (src/jit/budget.ts) — fits the budget (step() and
 * --max-instructions stay exact), never with the
 * trap flag set, with breakpoints, or part-way through a REP instruction.
 * Keyed by physical address and CS base: the same bytes entered as
 * 07C0:0000 and as 0000:7C00 are different blocks (their IPs differ). The
 * CPU model is fixed per machine, so it is not part of the key.
 */
import {
  JIT_ENABLED, JIT_LOOKUP, JIT_THRESHOLD, JIT_REQ_LINEAR, JIT_REQ_CSBASE, JIT_REQ_SLOT,
  JIT_STAT_RUNS, JIT_STAT_LOOKUPS, JIT_STAT_MISSES, JIT_STAT_BUDGET, JIT_CACHE, JIT_SLOTS,
  REG_FLAGS, BP_COUNT, REP_ACTIVE, HALTED, ICOUNT, ICOUNT_STOP, EVENTS, REG_IP, PAGE_PHYS,
  STOP_REQUEST, NMI_PENDING, IRQ_LINE, SHADOW_AT, JIT_STAT_INSNS, JIT_CUT, JIT_ENTRY, JIT_ENTRY_SHIFT, JIT_STAT_SIDE, JIT_DEOPT, JIT_WINDOW_LEN,
} from "../layout";
import { segBase, CS } from "../cpu/state";
import { stackWindowUpdate } from "./stackwindow";

/** run()'s exit code: translate the block described by JIT_REQ_*. */
export const EXIT_COMPILE: i32 = 4;
/** run()'s exit code: a translation's access group failed its test
 *  (JIT_DEOPT); the host drops it and translates the page again without
 *  groups. The block left at a side exit: the interpreter runs on from
 *  its IP. */
export const EXIT_DEOPT: i32 = 5;
/** Internal: a translated block ran; go back to the top of the loop. */
export const EXIT_CONTINUE: i32 = -2;
/** Internal: nothing to do here. */
const NONE: i32 = -1;

const TF: i32 = 1 << 8;

@inline function bump(a: i32): void { store<i32>(a, load<i32>(a) + 1); }

@inline function slotOf(phys: i32, csBase: i32): i32 {
  return JIT_CACHE + ((<i32>(<u32>((phys ^ (csBase << 3)) * 0x9E3779B1) >>> 22) & (JIT_SLOTS - 1)) << 4);
}

/** Forget every translation (engine switch, reset). */
export function jitReset(): void {
  stepFirst = false;
  store<i32>(JIT_DEOPT, 0);
  store<i32>(JIT_WINDOW_LEN, 0);
  for (let i = 0; i < JIT_SLOTS; i++) {
    const e = JIT_CACHE + (i << 4);
    store<i32>(e, -1); store<i32>(e + 4, 0); store<i32>(e + 8, 0); store<i32>(e + 12, 0);
  }
}

/** A slot word's function-table index (layout.ts: JIT_CACHE). */
const INDEX_MASK: i32 = (1 << JIT_ENTRY_SHIFT) - 1;

/** Fill the cache slot at `e`. */
@inline function fillSlot(e: i32, phys: i32, csBase: i32, word: i32, count: i32): void {
  store<i32>(e, phys); store<i32>(e + 4, csBase); store<i32>(e + 8, word); store<i32>(e + 12, count);
}

/** Drop the translation of the block at physical address `phys` entered
 *  with CS base `csBase` if it runs the function at table `index` (its
 *  code was written). Returns whether the cache held it. */
export function jitInvalidate(phys: i32, csBase: i32, index: i32): bool {
  const e = slotOf(phys, csBase);
  if (load<i32>(e) != phys || load<i32>(e + 4) != csBase || (load<i32>(e + 8) & INDEX_MASK) != index) return false;
  store<i32>(e, -1); store<i32>(e + 8, 0); store<i32>(e + 12, 0);
  return true;
}

/** Record the host's translation of the requested block: `word` (the
 *  function-table index, with entry code 0; or -1: never translate here)
 *  and its instruction count. Or put the request off: word 0 and a
 *  negative count, the entries still owed before the next request (the
 *  count is the entries seen while untranslated). The key is written
 *  again: the host may have flushed the cache (table full) between the
 *  request and the answer. */
export function jitInstall(slot: i32, phys: i32, csBase: i32, word: i32, instructions: i32): void {
  fillSlot(slot, phys, csBase, word, instructions);
  store<i32>(JIT_LOOKUP, 1);
  store<i32>(EVENTS, 1);
}

/** The cache slot the block at `phys` entered with CS base `csBase`
 *  hashes to (for the host's jitInstall of a translation made in the
 *  background, after the request's slot may have changed hands). */
export function jitSlot(phys: i32, csBase: i32): i32 { return slotOf(phys, csBase); }

/** One more way into a translated region: the block at `phys` (CS base
 *  `csBase`) runs the function and entry code in `word`, within
 *  `instructions` before its first budget test. Takes the block's slot
 *  unless it holds another translated block (a region of its own, or
 *  another region's entry: the first stays). Returns whether it did. */
export function jitAddEntry(phys: i32, csBase: i32, word: i32, instructions: i32): bool {
  const e = slotOf(phys, csBase);
  if (load<i32>(e + 8) > 0) return false;
  fillSlot(e, phys, csBase, word, instructions);
  return true;
}

/** Whether anything needs the run loop's attention before the next
 * instruction (what handleEvents() would act on): then translated blocks
 * stop chaining. */
@inline function pendingEvents(): bool {
  const flags = load<i32>(REG_FLAGS);
  return (load<i32>(STOP_REQUEST) | load<i32>(NMI_PENDING) | load<i32>(HALTED) | load<i32>(REP_ACTIVE)
    | load<i32>(BP_COUNT) | (flags & TF) | (load<i32>(IRQ_LINE) & (flags >> 9) & 1)) != 0
    || load<i64>(SHADOW_AT) == load<i64>(ICOUNT);
}

/**
 * At an instruction boundary where JIT_LOOKUP was set. Runs translated
 * blocks back to back — each return looks up the next — while nothing is
 * pending and the budget allows. Returns NONE (the interpreter goes on
 * here), EXIT_CONTINUE (blocks ran; the run loop starts over: budget,
 * events) or EXIT_COMPILE.
 */
export function jitEnter(): i32 {
  store<i32>(JIT_LOOKUP, 0);
  if (!load<i32>(JIT_ENABLED)) return NONE;
  if (stepFirst) {
    // The instruction a block left at is the interpreter's; translated
    // code may take over again right after it (a miss there counts toward
    // translating a block from there: an access that always goes slow
    // ends up with a region on either side of it).
    stepFirst = false;
    store<i32>(JIT_LOOKUP, 1);
    store<i32>(EVENTS, 1);
    return NONE;
  }
  let ran = false;
  let r = jitStep();
  while (r == RAN) {
    ran = true;
    if (pendingEvents()) break;
    r = jitStep();
  }
  if (r == EXIT_COMPILE || r == EXIT_DEOPT) return r;
  if (r == SIDE || r == SIDE_AT_ONCE) {
    stepFirst = true;
    // Nothing ran: the interpreter takes the instruction now. (Once blocks
    // ran, run() must read ICOUNT again before it steps.)
    if (r == SIDE_AT_ONCE && !ran) return jitEnter();
    ran = true;
  }
  if (!ran) return NONE;
  // Back to the top of the run loop (the budget), then look up again.
  store<i32>(JIT_LOOKUP, 1);
  store<i32>(EVENTS, 1);
  return EXIT_CONTINUE;
}

/** How close to a budget cut an entry is not evidence of hotness. */
const JIT_CUT_WINDOW: i64 = 512;

/**
 * Whether this entry is within JIT_CUT_WINDOW instructions after the last
 * budget cut or before the next one. Run slices, --max-instructions and
 * device events cut the run at exact counts, wherever they fall; the
 * interpreter then runs from the cut to the next translated entry point,
 * and again up to the next cut — through blocks that are not entry points
 * of any region (a loop's call return sites, say). Counted, those
 * entries would get whole regions translated again for each such block
 * (bench-mix: the same 71-block region six times over). With threshold 0
 * everything counts: "translate at once" means at once.
 */
function nearCut(): bool {
  if (load<i32>(JIT_THRESHOLD) == 0) return false;
  const ic = load<i64>(ICOUNT);
  return ic - load<i64>(JIT_CUT) < JIT_CUT_WINDOW || load<i64>(ICOUNT_STOP) - ic < JIT_CUT_WINDOW;
}

/** jitStep's results: a translated block ran; it ran and then left at a
 *  side exit (src/jit/memory.ts); it left at a side exit before its first
 *  instruction. */
const RAN: i32 = 1;
const SIDE: i32 = 2;
const SIDE_AT_ONCE: i32 = 3;

/** Set after a side exit: the next lookup lets the interpreter run the
 *  instruction the block left at, and looks up again after it. */
let stepFirst = false;

/** Look up the block at CS:IP and run it if translated and within the
 *  budget (RAN); count the entry and maybe ask for its translation
 *  (EXIT_COMPILE); or NONE. */
function jitStep(): i32 {
  if ((load<i32>(REG_FLAGS) & TF) || load<i32>(BP_COUNT) || load<i32>(REP_ACTIVE) || load<i32>(HALTED)) return NONE;
  bump(JIT_STAT_LOOKUPS);
  const csBase = segBase(CS);
  const lin = csBase + load<i32>(REG_IP);
  const phys = (load<i32>(PAGE_PHYS + ((lin >>> 12) << 2)) << 12) | (lin & 0xFFF);
  const e = slotOf(phys, csBase);
  if (load<i32>(e) != phys || load<i32>(e + 4) != csBase) {
    // A miss claims the slot (direct-mapped: the previous block's entry,
    // translated or not, is evicted).
    fillSlot(e, phys, csBase, 0, 0);
  }
  const word = load<i32>(e + 8);
  if (word > 0) {
    if (load<i64>(ICOUNT) + <i64>load<i32>(e + 12) > load<i64>(ICOUNT_STOP)) { bump(JIT_STAT_BUDGET); return NONE; }
    bump(JIT_STAT_RUNS);
    // Nothing is pending (checked before every chained block; at the first
    // one handleEvents() has just taken care of everything): EVENTS may
    // still hold the request for this lookup, and a block stops early when
    // it sees EVENTS set — clear it so blocks run whole.
    store<i32>(EVENTS, 0);
    const before = load<i64>(ICOUNT);
    store<i32>(JIT_ENTRY, word >>> JIT_ENTRY_SHIFT);
    const sides = load<i32>(JIT_STAT_SIDE);
    stackWindowUpdate();
    call_indirect<void>(word & INDEX_MASK);
    const ran = load<i64>(ICOUNT) - before;
    store<i64>(JIT_STAT_INSNS, load<i64>(JIT_STAT_INSNS) + ran);
    if (load<i32>(JIT_DEOPT)) {
      // (At a side exit: the interpreter goes on from IP once the host
      // has dropped the translation.)
      store<i32>(JIT_DEOPT, 0);
      return EXIT_DEOPT;
    }
    // A side exit: the block left before an instruction it could not do.
    if (load<i32>(JIT_STAT_SIDE) != sides) return ran > 0 ? SIDE : SIDE_AT_ONCE;
    // A translation that returns without retiring anything would be
    // entered again at once, forever: the interpreter takes this one.
    return ran > 0 ? RAN : NONE;
  }
  if (word < 0) return NONE;
  bump(JIT_STAT_MISSES);
  if (nearCut()) return NONE;
  const hits = load<i32>(e + 12) + 1;
  store<i32>(e + 12, hits);
  if (hits <= load<i32>(JIT_THRESHOLD)) return NONE;
  store<i32>(JIT_REQ_LINEAR, lin);
  store<i32>(JIT_REQ_CSBASE, csBase);
  store<i32>(JIT_REQ_SLOT, e);
  return EXIT_COMPILE;
}
