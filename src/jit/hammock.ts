/**
 * hammock.ts — which conditional jumps are if-converted: a Jcc that jumps
 * forward over a few register-only instructions,
 *
 *   shl dx,1
 *   jnc .nox          ; taken half the time, at random
 *   xor dx,0x1021     ; the "hammock": skipped when the jump is taken
 *   .nox: ...
 *
 * runs as straight-line code. The skipped instructions are computed either
 * way and their writes to registers and to the flags record become
 * selects on "not taken" (Gen.predicate), as is their instruction count;
 * then the block goes on at the target. A data-dependent branch the host
 * CPU would mispredict half the time becomes a few conditional moves.
 *
 * What qualifies: the instructions between the Jcc and its target are the
 * start of a block of the region that no budget test guards (so the
 * Jcc's block's bound already covers them: budget.ts), at most
 * HAMMOCK_MAX of them, each one that cannot fault, leave, call the core or
 * read memory: moves and ALU operations on registers and immediates,
 * INC/DEC/NEG/NOT, shifts and rotates by a constant, LEA, XCHG, CBW/CWD.
 * The skipped block itself is still translated for any other way in.
 *
 * What this is not: the code of those instructions (inline.ts, unchanged:
 * the predication is in Gen.set) nor the choice of blocks (engine.ts).
 */
import type { Block } from "../x86/block.js";
import type { Insn } from "../x86/ir.js";
import { isShift } from "./shifts.js";

/** The most instructions a hammock skips: both ways cost their work. */
export const HAMMOCK_MAX = 4;

const PURE = new Set(["mov", "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test",
  "inc", "dec", "neg", "not", "xchg", "lea", "nop", "cbw", "cwd", "shl", "sal", "shr", "sar", "rol", "ror"]);

/** An instruction whose inline code only computes on registers. */
function pure(insn: Insn): boolean {
  if (insn.status !== "ok" || insn.fault || insn.alias || insn.prefixes.bytes.length !== 0 || !PURE.has(insn.mnemonic)) return false;
  if (insn.mnemonic === "lea") return insn.operands[0]?.kind === "reg" && insn.addrSize === 16; // an address: no access
  if (!insn.operands.every((o) => o.kind === "reg" || o.kind === "imm")) return false;
  // Shifts and rotates (PURE leaves out RCL/RCR) by 1 or an immediate,
  // not by CL: a zero count leaves the flags, which the selects would
  // have to follow.
  return !isShift(insn) || (insn.opcode !== 0xd2 && insn.opcode !== 0xd3);
}

/**
 * The instructions the Jcc `jcc` (its block's last) skips when taken, if
 * it is to be if-converted; null otherwise. `blocks`: the region's blocks
 * by IP; `checked(ip)`: whether edges into the block at `ip` test the
 * budget.
 */
export function hammock(jcc: Insn, blocks: ReadonlyMap<number, Block>, checked: (ip: number) => boolean): Insn[] | null {
  const op = jcc.opcode, rel = jcc.operands[0];
  if (jcc.flow !== "jcc" || rel?.kind !== "rel" || !((op >= 0x70 && op <= 0x7f) || (op >= 0x0f80 && op <= 0x0f8f))) return null;
  const next = (jcc.ip + jcc.length) & 0xffff;
  const target = rel.target;
  const fall = blocks.get(next);
  if (target <= next || !fall || checked(next)) return null;
  const skipped: Insn[] = [];
  for (const insn of fall.insns) {
    if (insn.ip === target) break;
    if (insn.ip > target || skipped.length === HAMMOCK_MAX || !pure(insn)) return null;
    skipped.push(insn);
  }
  // Up to the target exactly (the block may end there, or go on past it).
  const last = skipped[skipped.length - 1];
  return last && ((last.ip + last.length) & 0xffff) === target ? skipped : null;
}
