/**
 * length.ts — the length of an instruction from its opcode byte on, by
 * peeking at the bytes that follow without fetching them. Needed only for
 * the 286's 10-byte instruction limit (prefix-stuffed instructions raise
 * #GP before they execute); the front end's decoder has its own full table.
 */
import { read8 } from "../memory/tlb";
import { segBase, CS } from "./state";

@inline function peek(ip: i32): i32 { return read8(segBase(CS) + (ip & 0xFFFF)); }

function hasModrm(op: i32): bool {
  if (op < 0x40) return (op & 4) == 0;
  switch (op) {
    case 0x62: case 0x63: case 0x69: case 0x6B:
    case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
    case 0x88: case 0x89: case 0x8A: case 0x8B: case 0x8C: case 0x8D: case 0x8E: case 0x8F:
    case 0xC0: case 0xC1: case 0xC4: case 0xC5: case 0xC6: case 0xC7:
    case 0xD0: case 0xD1: case 0xD2: case 0xD3:
    case 0xD8: case 0xD9: case 0xDA: case 0xDB: case 0xDC: case 0xDD: case 0xDE: case 0xDF:
    case 0xF6: case 0xF7: case 0xFE: case 0xFF:
      return true;
  }
  return false;
}

/** Immediate bytes of an opcode (not counting ModRM/displacement). */
function immediateSize(op: i32, reg: i32): i32 {
  if (op < 0x40) {
    if ((op & 7) == 4) return 1;
    if ((op & 7) == 5) return 2;
    return 0;
  }
  if (op >= 0x70 && op <= 0x7F) return 1;
  if (op >= 0xB0 && op <= 0xB7) return 1;
  if (op >= 0xB8 && op <= 0xBF) return 2;
  if (op >= 0xE0 && op <= 0xE7) return 1;
  switch (op) {
    case 0x6A: case 0x6B: case 0x80: case 0x82: case 0x83: case 0xA8: case 0xC0: case 0xC1:
    case 0xC6: case 0xCD: case 0xD4: case 0xD5: case 0xEB:
      return 1;
    case 0x68: case 0x69: case 0x81: case 0xA0: case 0xA1: case 0xA2: case 0xA3: case 0xA9:
    case 0xC2: case 0xC7: case 0xCA: case 0xE8: case 0xE9:
      return 2;
    case 0xC8: return 3;
    case 0x9A: case 0xEA: return 4;
    case 0xF6: return reg < 2 ? 1 : 0;
    case 0xF7: return reg < 2 ? 2 : 0;
  }
  return 0;
}

/** Bytes from the opcode at (ip - 1) to the end of the instruction; `ip`
 *  points just past the opcode byte. */
export function instructionLength(op: i32, ip: i32): i32 {
  let len = 1;
  let reg = 0;
  if (op == 0x0F) {
    // 286 two-byte opcodes used in real mode all take a ModRM (0F 01 /x)
    // except CLTS (0F 06).
    const op2 = peek(ip);
    if (op2 != 0x01) return 2;
    len++; ip++;
  } else if (!hasModrm(op)) {
    return len + immediateSize(op, 0);
  }
  const m = peek(ip);
  len++;
  reg = (m >> 3) & 7;
  const mod = m >> 6;
  if (mod == 0 && (m & 7) == 6) len += 2;
  else if (mod == 1) len += 1;
  else if (mod == 2) len += 2;
  return op == 0x0F ? len : len + immediateSize(op, reg);
}
