// x86.mjs — the x86 vocabulary shared by the 386 differential-test
// generator's modules (tests/diff386/README.md).
//
// What it is: register and condition-code names in encoding order, NASM's
// size keywords, the EFLAGS bits, and the number helpers that spell values
// the way the generated NASM source writes them.
//
// What it is not: no instruction semantics — the generator never computes
// results (QEMU is the reference); it only needs names and bit positions.

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** EFLAGS bits that differ by CPU generation or are reserved: bit 15 (1 on
 *  the 8086), AC (18), VIF/VIP (19, 20), ID (21) and everything above. The
 *  qemu32 CPU has AC and ID; a 386 has neither. Never compared. */
export const FLAGS_ALWAYS_MASKED = 0xfffc8000;

export const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
export const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
export const CCS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
export const SIZE_KW = { 8: 'byte', 16: 'word', 32: 'dword' };

/** Register operand name → { idx, shift, bits } (idx of the parent 32-bit register). */
export function regPart(name) {
  let i = R32.indexOf(name); if (i >= 0) return { idx: i, shift: 0, bits: 32 };
  i = R16.indexOf(name); if (i >= 0) return { idx: i, shift: 0, bits: 16 };
  i = R8.indexOf(name); if (i >= 0) return { idx: i & 3, shift: i >= 4 ? 8 : 0, bits: 8 };
  throw new Error(`not a register: ${name}`);
}

export const hex = (v, w = 8) => '0x' + (v >>> 0).toString(16).padStart(w, '0');
export const s16 = (v) => ((v & 0xffff) ^ 0x8000) - 0x8000;
export const s32 = (v) => v | 0;
export const u32 = (v) => v >>> 0;
export const signedDisp = (v) => (v < 0 ? `-0x${(-v).toString(16)}` : `+0x${v.toString(16)}`);
