/**
 * common.ts — what the DOS modules (dos.ts, console.ts, files.ts,
 * memory.ts) share: the guest memory layout DOS uses, DOS error codes, and
 * the helpers that return a result or an error to an INT 21h caller.
 *
 * It is not a DOS service itself and holds no state.
 */
import type { BiosCall } from "../bios/bios.js";

// ------------------------------------------------------------- memory map
//
//   0000:0000  IVT           0040:0000  BIOS data area
//   0070:0000  DOS code (DOS_CODE below): the console wait loop, the
//              "program has ended" halt, the INT 23h/24h handlers
//   0FDE:0000  MCB of the environment   0FDF:0000  environment (512 bytes)
//   0FFF:0000  MCB of the program       1000:0000  PSP, 1000:0100 the .COM
//   A000:0000  end of conventional memory (top of the MCB chain)
//
// The layout is fixed so runs are reproducible and tests can look at it.

/** Segment of the DOS-owned code in RAM (where IO.SYS lives on a real PC). */
export const DOS_SEGMENT = 0x0070;
/** Segment of the program's PSP; the .COM image starts at PSP:0100. */
export const PSP_SEGMENT = 0x1000;
/** Paragraphs of the environment block. */
export const ENV_PARAGRAPHS = 0x20;
/** Segment of the environment block (just below the program's MCB). */
export const ENV_SEGMENT = PSP_SEGMENT - 1 - ENV_PARAGRAPHS;
/** The first MCB of the chain (the environment's). */
export const FIRST_MCB = ENV_SEGMENT - 1;

/** Offset of the wait loop in the DOS code (see dosCode()). */
export const DOS_WAIT = 0x0000;
/** Offset of the "program has ended" CLI;HLT (INT 22h points here). */
export const DOS_EXIT = 0x0007;
/** Offset of the INT 24h (critical error) handler: answer "fail". */
export const DOS_INT24 = 0x000b;
/** Offset of the INT 23h (Ctrl-C) handler: terminate. */
export const DOS_INT23 = 0x000e;

/** The DOS code in RAM. The hypercall stubs live in the BIOS ROM and the
 *  ROM's own wait loop returns to the INT 16h stub, so a blocking INT 21h
 *  function needs its own loop that returns to the INT 21h stub:
 *
 *    0000  FB              STI             ; WAIT: let IRQ1 bring keys
 *    0001  F4              HLT             ;   sleep until an interrupt
 *    0002  EA oooo 00F0    JMP F000:oooo   ;   retry the INT 21h hypercall
 *    0007  FA              CLI             ; EXIT: the program has ended
 *    0008  F4              HLT
 *    0009  EB FC           JMP 0007
 *    000B  B0 03           MOV AL, 3       ; INT 24h: answer "fail"
 *    000D  CF              IRET
 *    000E  B8 00 4C        MOV AX, 4C00h   ; INT 23h (Ctrl-C): terminate
 *    0011  CD 21           INT 21h
 *
 *  `stub21` is the offset of the INT 21h stub in the ROM (F000:E208). */
export function dosCode(stub21: number): number[] {
  return [
    0xfb, 0xf4, 0xea, stub21 & 0xff, stub21 >> 8, 0x00, 0xf0,
    0xfa, 0xf4, 0xeb, 0xfc,
    0xb0, 0x03, 0xcf,
    0xb8, 0x00, 0x4c, 0xcd, 0x21,
  ];
}

// ------------------------------------------------------------ error codes

/** DOS error codes (returned in AX with CF set). */
export const E = {
  INVALID_FUNCTION: 0x01,
  FILE_NOT_FOUND: 0x02,
  PATH_NOT_FOUND: 0x03,
  TOO_MANY_FILES: 0x04,
  ACCESS_DENIED: 0x05,
  INVALID_HANDLE: 0x06,
  MCB_DESTROYED: 0x07,
  INSUFFICIENT_MEMORY: 0x08,
  INVALID_BLOCK: 0x09,
  INVALID_ACCESS: 0x0c,
  INVALID_DRIVE: 0x0f,
  NO_MORE_FILES: 0x12,
} as const;

/** What an INT 21h handler may ask of the dispatcher: nothing (it has
 *  answered), or "wait" — park the caller in the DOS wait loop and run the
 *  same call again after the next interrupt. */
export type Outcome = void | "wait";

/** Fail the call the DOS 2+ way: CF = 1, AX = error code. */
export function fail(c: BiosCall, code: number): void {
  c.set({ ax: code });
  c.carry(true);
}

/** Succeed: set the given registers and clear CF. */
export function ok(c: BiosCall, regs: Parameters<BiosCall["set"]>[0] = {}): void {
  c.set(regs);
  c.carry(false);
}

/** Linear address of seg:off (no 64 KiB wrap: DOS normalises far pointers). */
export function linear(seg: number, off: number): number {
  return ((seg & 0xffff) << 4) + (off & 0xffff);
}

export { GuestMem } from "../guest-memory.js";

/** A string as bytes, one per char (callers keep to Latin-1). */
export function bytesOf(s: string): number[] {
  return [...s].map((ch) => ch.charCodeAt(0) & 0xff);
}

/** Two-digit upper-case hex, for log messages. */
export function hex2(v: number): string { return v.toString(16).toUpperCase().padStart(2, "0"); }
