/**
 * region.ts — which guest blocks a translation request gets: the hot
 * block, the blocks it reaches on its 4 KiB page, and the target an
 * indirect CALL/JMP would take now. Decoded blocks are kept between
 * requests while their bytes read the same.
 *
 *   request at CS:IP ──▶ RegionDecoder.decode(cs, ip, view)
 *       breadth first from IP: direct targets, fall-throughs, return
 *       sites, predicted indirect targets — on the page, ≤ maxRegion
 *       ──▶ blocks (split where one runs into another) + predictions
 *
 * The guest is seen through a GuestView: the engine's reads the core's
 * memory and registers; the background translator's (background.ts) a
 * copy of the pages a request can read, taken when it was made.
 *
 * What this file is not: which of those blocks are translated together
 * (scope.ts; planRegion only applies it) or how (translate.ts).
 */
import { decodeBlock, relTarget, splitBefore, type Block } from "../x86/block.js";
import type { X86Model } from "../x86/ir.js";
import { SEGS } from "./codegen.js";
import { loopScope } from "./scope.js";
import type { Request, Window } from "./background.js";

/** The guest state decoding reads (its functions are called unbound). */
export interface GuestView {
  /** A guest byte by linear address (A20 applied). */
  read(linear: number): number;
  /** A 16-bit general register by number (AX = 0 … DI = 7). */
  reg16(num: number): number;
  /** A segment's base, by SEGS number (codegen.ts). */
  segBase(seg: number): number;
  /** A guest word by linear address, for an indirect CALL/JMP's target;
   *  null when the view does not have it (no prediction then). */
  word(linear: number): number | null;
}

/** The guest as a background request saw it (background.ts: its
 *  windows of memory, registers and segment bases, and the words the
 *  worker asked for), noting in `missing` the words it lacks. (Reads
 *  outside its windows do not happen: a block ends on the page after its
 *  own at the latest.) */
export function requestView(r: Request, missing: number[]): GuestView {
  const windows: readonly Window[] = r.windows;
  const words = new Map(r.words ?? []);
  return {
    word: (linear) => {
      const w = words.get(linear);
      if (w !== undefined) return w;
      missing.push(linear);
      return null;
    },
    read: (linear) => {
      for (let i = 0; i < windows.length; i++) {
        const w = windows[i], at = linear - w.base;
        if (at >= 0 && at < w.bytes.length) return w.bytes[at];
      }
      return 0xff;
    },
    reg16: (num) => r.regs[num] & 0xffff,
    segBase: (seg) => r.segBases[seg],
  };
}

/** Bound on the blocks kept decoded between requests. */
const MAX_DECODED_BLOCKS = 4096;

/** A request's blocks and, by block IP, the targets of the indirect
 *  CALL/JMP ending them as things stand. */
export interface DecodedRegion { blocks: Block[]; predictions: Map<number, number> }

/** Whether guest memory holds `bytes` at cs:ip on (IP wrapping in the
 *  segment, as decodeBlock fetches). */
export function bytesAt(cs: number, ip: number, bytes: ArrayLike<number>, read: (linear: number) => number): boolean {
  const base = cs * 16;
  for (let i = 0; i < bytes.length; i++) if (read(base + ((ip + i) & 0xffff)) !== bytes[i]) return false;
  return true;
}

/** Whether guest memory still holds `b`'s bytes. (A block cut at its
 *  byte limit read the next instruction too, whose bytes are not
 *  compared: decoded afresh the cut might fall later, but where it is, it
 *  is still a block's valid end.) */
function sameBytes(b: Block, read: (linear: number) => number): boolean {
  for (const insn of b.insns) if (!bytesAt(b.cs, insn.ip, insn.bytes, read)) return false;
  return true;
}

/** What a request's decoded blocks come to: nothing to translate (the
 *  entry's first instruction is invalid or cut off); put off, as a block
 *  on no loop (engine.ts LOOP_FIRST); or these blocks. */
export type RegionPlan = { kind: "refuse" } | { kind: "wait" } | { kind: "translate"; blocks: readonly Block[] };

/** The plan for `decoded` — the same on the engine's thread and in the
 *  worker: with loopRegions only the loop around the entry stays, and a
 *  block on no loop waits if it may (`mayWait`) — unless decoding
 *  stopped at maxRegion blocks, where a loop may lie beyond them. */
export function planRegion(decoded: DecodedRegion, loopRegions: boolean, maxRegion: number, mayWait: boolean): RegionPlan {
  const blocks = decoded.blocks;
  if (blocks.length === 0) return { kind: "refuse" };
  if (!loopRegions) return { kind: "translate", blocks };
  const scoped = loopScope(blocks, decoded.predictions);
  if (!scoped.onCycle && blocks.length < maxRegion && mayWait) return { kind: "wait" };
  return { kind: "translate", blocks: scoped.blocks };
}

/** Blocks a decode added to or replaced in the held set, with what they
 *  replaced: RegionDecoder.undo() takes the decode back. */
export type DecodeJournal = [key: number, before: Block | undefined][];

export class RegionDecoder {
  /** Blocks decoded for earlier requests, by CS and IP (cs * 65536 + ip). */
  private readonly held = new Map<number, Block>();
  /** Blocks a request found decoded already, bytes unchanged. */
  hits = 0;

  constructor(private readonly model: X86Model, private readonly maxBlock: number, private readonly maxRegion: number) {}

  /** Forget every decoded block (the engine flushed). */
  clear(): void { this.held.clear(); }

  /**
   * The blocks a region entered at cs:ip is made from: that block, then
   * (breadth first) the blocks it branches to directly, falls through to
   * or returns to after a call, on the same 4 KiB page, up to maxRegion
   * blocks, each ending where another begins — and the block an indirect
   * CALL/JMP through a register or a fixed address would reach now
   * (`predictions`: generated code compares the target it loads, so a
   * changed pointer only costs the way back to the core). Empty when the
   * entry block cannot be translated (its first instruction is invalid or
   * cut off).
   */
  decode(cs: number, ip: number, view: GuestView, journal?: DecodeJournal): DecodedRegion {
    const page = (cs * 16 + ip) >>> 12;
    const blocks: Block[] = [];
    const predictions = new Map<number, number>();
    const seen = new Set<number>();
    const queue = [ip];
    // (Plain loops here and below: see translate.ts's setup.)
    for (let head = 0; head < queue.length && blocks.length < this.maxRegion; head++) {
      const at = queue[head];
      if (seen.has(at)) continue;
      seen.add(at);
      const b = this.blockAt(view, cs, at, journal);
      if (b.insns[0].status !== "ok") { if (blocks.length === 0) return { blocks: [], predictions }; continue; }
      blocks.push(b);
      const last = b.insns[b.insns.length - 1];
      const rel = relTarget(last);
      // A call's return site too: a RET to it stays in the function.
      const returnSite = last.flow === "call" ? (last.ip + last.length) & 0xffff : null;
      const predicted = indirectTarget(last, view);
      if (predicted !== null) predictions.set(b.ip, predicted);
      const onPage = (next: number | null) => {
        if (next !== null && ((cs * 16 + next) >>> 12) === page && !seen.has(next)) queue.push(next);
      };
      onPage(rel); onPage(b.fallthrough); onPage(returnSite); onPage(predicted);
    }
    // A block that runs into another's start ends there instead: decoded
    // from .byte, say, the block would hold the .bit loop's first pass,
    // and its branches into the loop body would keep the loop from being
    // a Wasm loop (layout.ts). The rest is that other block.
    const starts = new Set<number>();
    for (let i = 0; i < blocks.length; i++) starts.add(blocks[i].ip);
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i], split = splitBefore(b, starts);
      if (split) { blocks[i] = split; predictions.delete(b.ip); }
    }
    return { blocks, predictions };
  }

  /**
   * The block at cs:ip, decoded — or as decoded for an earlier request,
   * when every byte of it still reads the same: a block on no loop waits
   * (engine.ts LOOP_FIRST) and its page is decoded again when the loop
   * gets hot, and later regions share pages with earlier ones (bench-mix
   * decoded 2.3 times the instructions it translated). The bytes are
   * compared, not tracked: writes are seen only on pages that hold
   * translations.
   */
  private blockAt(view: GuestView, cs: number, ip: number, journal: DecodeJournal | undefined): Block {
    const key = cs * 0x10000 + ip;
    const read = view.read;
    const held = this.held.get(key);
    if (held !== undefined && sameBytes(held, read)) { this.hits++; return held; }
    const b = decodeBlock(read, this.model, cs, ip, { maxInstructions: this.maxBlock });
    if (this.held.size >= MAX_DECODED_BLOCKS) { this.held.clear(); journal?.splice(0); }
    journal?.push([key, held]);
    this.held.set(key, b);
    return b;
  }

  /** Take back what a decode did to the held blocks (its journal), and
   *  its hits: the worker decodes a region twice when it needs the words
   *  an indirect CALL/JMP loads, and the engine's thread once. */
  undo(journal: DecodeJournal, hits: number): void {
    for (let i = journal.length - 1; i >= 0; i--) {
      const [key, before] = journal[i];
      if (before === undefined) this.held.delete(key); else this.held.set(key, before);
    }
    this.hits -= hits;
  }
}

/** Where a near CALL/JMP through a register or [disp16] would go with
 *  the registers and memory as they are now; null for anything else. */
function indirectTarget(insn: Block["insns"][number], view: GuestView): number | null {
  const o = insn.operands[0];
  if (insn.opcode !== 0xff || (insn.flow !== "call" && insn.flow !== "jump") || insn.opSize !== 16 || !o) return null;
  if (o.kind === "reg" && o.size === 16) return view.reg16(o.num);
  if (o.kind !== "mem" || o.farPointer || o.base !== null || o.index !== null || o.addrSize !== 16) return null;
  return view.word(view.segBase(SEGS[o.seg]) + (o.disp & 0xffff));
}
