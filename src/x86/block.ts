/**
 * block.ts — group decoded instructions into basic blocks, the unit the
 * translator (issue 4) will compile. A block starts at CS:IP and runs
 * until an instruction that transfers control, is sensitive or faults; or
 * until the next instruction would start on another 4 KiB page; or until a
 * size limit. It does not follow branches or build a control-flow graph.
 */
import type { Insn, X86Model } from "./ir.js";
import { decodeAt, type LinearReader } from "./decode.js";

/** Why a block ended. */
export type BlockEnd =
  | "control"     // the last instruction transfers control (flow ≠ none)
  | "sensitive"   // the last instruction is sensitive
  | "fault"       // the last instruction is invalid or always faults
  | "truncated"   // the bytes ran out inside the last instruction
  | "page"        // the next instruction starts on another 4 KiB page
  | "limit"       // maxInstructions or maxBytes reached
  | "split";      // cut short where another block starts (splitBefore)

/** Size limits of a block. */
export interface BlockLimits {
  /** At most this many instructions (default 64). */
  readonly maxInstructions?: number;
  /** At most this many bytes (default 1024); an instruction that would
   *  cross the limit is still included if it is the first. */
  readonly maxBytes?: number;
}

/** A basic block: its instructions, in order, and why it ended. */
export interface Block {
  readonly cs: number;
  readonly ip: number;
  /** Linear address of the first instruction. */
  readonly address: number;
  readonly insns: readonly Insn[];
  /** Bytes covered (sum of the instructions' lengths). */
  readonly length: number;
  readonly end: BlockEnd;
  /** CS:IP after the last instruction when the block falls through (ends
   *  at a page boundary or a limit, or its last instruction is a
   *  conditional branch); null when control leaves by other means. */
  readonly fallthrough: number | null;
}

const PAGE = 4096;

/** Where `insn` branches to when it is a relative JMP, Jcc, LOOP/JCXZ or
 *  CALL (its rel operand's target, an IP); null for any other instruction. */
export function relTarget(insn: Insn): number | null {
  const o = insn.operands[0];
  return o?.kind === "rel" ? o.target : null;
}

/**
 * Decode the basic block at `cs:ip` as `model` runs it (real-mode
 * fetching: IP wraps at 64 KiB inside the segment).
 */
export function decodeBlock(
  read: LinearReader, model: X86Model, cs: number, ip: number, limits: BlockLimits = {},
): Block {
  const maxInsns = limits.maxInstructions ?? 64;
  const maxBytes = limits.maxBytes ?? 1024;
  const insns: Insn[] = [];
  const address = cs * 16 + ip;
  let cur = ip & 0xFFFF;
  let length = 0;
  let end: BlockEnd = "limit";
  for (;;) {
    const insn = decodeAt(read, model, cs, cur);
    if (insns.length > 0 && length + insn.length > maxBytes) { end = "limit"; break; }
    insns.push(insn);
    length += insn.length;
    cur = (cur + insn.length) & 0xFFFF;
    if (insn.status === "truncated") { end = "truncated"; break; }
    if (insn.flow === "fault") { end = "fault"; break; }
    if (insn.flow !== "none") { end = "control"; break; }
    if (insn.sensitive) { end = "sensitive"; break; }
    if (insns.length >= maxInsns || length >= maxBytes) { end = "limit"; break; }
    // The next instruction's first byte is on another page: a new block,
    // so a block's code pages are the pages its first bytes live on.
    if (Math.floor((cs * 16 + cur) / PAGE) !== Math.floor(address / PAGE)) { end = "page"; break; }
  }
  const last = insns[insns.length - 1];
  const fallsThrough = end === "page" || end === "limit" || end === "sensitive" ||
    (end === "control" && (last.flow === "jcc" || last.flow === "loop"));
  return { cs, ip: ip & 0xFFFF, address, insns, length, end, fallthrough: fallsThrough ? cur : null };
}

/**
 * `b` cut short before the first of its instructions, after its first,
 * that starts at one of `starts`, falling through to it: another block
 * starts there (a branch target that `b` runs through on its way), and
 * code translated once per block should not hold those instructions
 * twice, nor enter the other block's loop from the side. Null when no
 * such instruction is in `b`.
 */
export function splitBefore(b: Block, starts: ReadonlySet<number>): Block | null {
  let at = 1, length = b.insns[0].length;
  while (at < b.insns.length && !starts.has(b.insns[at].ip)) length += b.insns[at++].length;
  if (at === b.insns.length) return null;
  return { cs: b.cs, ip: b.ip, address: b.address, insns: b.insns.slice(0, at), length, end: "split", fallthrough: b.insns[at].ip };
}
