/**
 * modrm.ts — ModRM and SIB effective-address decoding for the front-end
 * decoder: turns the addressing bytes into a MemOperand's parts. It reads
 * displacement bytes through the caller's cursor; it does not know opcodes
 * or operand sizes (decode.ts does).
 *
 *   ModRM    7   6 5     3 2     0          SIB   7   6 5     3 2     0
 *          ┌──────┬───────┬───────┐              ┌──────┬───────┬───────┐
 *          │ mod  │  reg  │  r/m  │              │scale │ index │ base  │
 *          └──────┴───────┴───────┘              └──────┴───────┴───────┘
 *   mod 00 no displacement (16-bit r/m 110: disp16 only; 32-bit r/m 101:
 *          disp32 only), 01 disp8 (sign-extended), 10 disp16/disp32,
 *          11 r/m is a register.
 *
 *   16-bit r/m: 000 BX+SI  001 BX+DI  010 BP+SI  011 BP+DI
 *               100 SI     101 DI     110 BP     111 BX
 *   32-bit r/m: the register of that number; 100 = a SIB byte follows
 *               (index 100 = none; base 101 with mod 00 = disp32, no base).
 *
 * The default segment is SS when the base is BP, EBP or ESP, else DS.
 */
import { REG_NAMES, type SegName } from "./ir.js";

/** Reads the next instruction byte (0–255); throws when bytes run out. */
export interface ByteCursor {
  u8(): number;
}

/** The address parts of a memory r/m. */
export interface AddressParts {
  base: string | null;
  index: string | null;
  scale: 1 | 2 | 4 | 8;
  disp: number;
  dispSize: 0 | 8 | 16 | 32;
  defaultSeg: SegName;
  /** The SIB byte, when there was one. */
  sib?: number;
}

const RM16: readonly (readonly [string | null, string | null])[] = [
  ["bx", "si"], ["bx", "di"], ["bp", "si"], ["bp", "di"], ["si", null], ["di", null], ["bp", null], ["bx", null],
];

function s8(b: number): number { return (b << 24) >> 24; }

function disp16(c: ByteCursor): number {
  const lo = c.u8();
  return ((c.u8() << 8 | lo) << 16) >> 16;
}

function disp32(c: ByteCursor): number {
  const b0 = c.u8(), b1 = c.u8(), b2 = c.u8(), b3 = c.u8();
  return (b0 | b1 << 8 | b2 << 16 | b3 << 24) | 0;
}

/** Decode the memory form (mod ≠ 11) of ModRM byte `m`. */
export function decodeAddress(m: number, addrSize: 16 | 32, c: ByteCursor): AddressParts {
  const mod = m >> 6, rm = m & 7;
  if (addrSize === 16) {
    if (mod === 0 && rm === 6) {
      return { base: null, index: null, scale: 1, disp: disp16(c), dispSize: 16, defaultSeg: "ds" };
    }
    const base = RM16[rm][0], index = RM16[rm][1];
    const defaultSeg: SegName = base === "bp" ? "ss" : "ds";
    const parts: AddressParts = { base, index, scale: 1, disp: 0, dispSize: 0, defaultSeg };
    if (mod === 1) { parts.disp = s8(c.u8()); parts.dispSize = 8; }
    else if (mod === 2) { parts.disp = disp16(c); parts.dispSize = 16; }
    return parts;
  }
  const r32 = REG_NAMES[32];
  let base: string | null = r32[rm];
  let index: string | null = null;
  let scale: 1 | 2 | 4 | 8 = 1;
  let sib: number | undefined;
  let disp = 0;
  let dispSize: 0 | 8 | 16 | 32 = 0;
  if (rm === 4) {
    sib = c.u8();
    const b = sib & 7, i = (sib >> 3) & 7;
    scale = (1 << (sib >> 6)) as 1 | 2 | 4 | 8;
    index = i === 4 ? null : r32[i];
    base = b === 5 && mod === 0 ? null : r32[b];
    if (b === 5 && mod === 0) { disp = disp32(c); dispSize = 32; }
  } else if (rm === 5 && mod === 0) {
    base = null;
    disp = disp32(c); dispSize = 32;
  }
  if (mod === 1) { disp = s8(c.u8()); dispSize = 8; }
  else if (mod === 2) { disp = disp32(c); dispSize = 32; }
  const defaultSeg: SegName = base === "ebp" || base === "esp" ? "ss" : "ds";
  return { base, index, scale, disp, dispSize, defaultSeg, sib };
}
