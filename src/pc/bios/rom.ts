/**
 * rom.ts — the BIOS ROM image (64 KiB at F000:0000) and its layout.
 *
 * The BIOS services are written in TypeScript (bios/*.ts). The ROM holds
 * only real, small x86 code that guests can call, hook and chain to: every
 * BIOS interrupt vector points at a stub in this ROM, and each stub traps
 * to the host with a *hypercall*:
 *
 *     F000:E100 + 8·v:   OUT 0E6h, AL     ; hypercall: "service vector v"
 *                        IRET
 *
 * The hypercall is an OUT to port E6h (HYPERCALL_PORT), the same idea as
 * VMware's I/O-port backdoor: it works on every CPU model (the 8086 has no
 * spare opcode — 0Fh is POP CS there — and VMCALL does not exist). The host
 * identifies the service by the address of the OUT (CS = F000, IP inside
 * the stub table), not by register contents, so AL passes through intact
 * and no guest register is clobbered. An OUT to E6h from anywhere else is
 * an ordinary (ignored, counted) port write.
 *
 * The host returns results in registers and in the FLAGS image the IRET
 * will pop (at SS:SP+4), as a real BIOS does with `RETF 2`. A service that
 * must wait (INT 16h with an empty buffer) points IP at WAIT_LOOP, which
 * runs STI; HLT and re-enters the stub: the guest sleeps in HLT, interrupts
 * keep running, and nothing blocks the host.
 *
 * Hardware interrupt handlers (INT 08h, 09h) are real code around their
 * hypercall, because they must call INT 1Ch and send the EOI the way
 * hooking programs expect.
 */

import { FONT8X8 } from "../video/font8x8.js";

export const BIOS_SEGMENT = 0xf000;
export const BIOS_BASE = BIOS_SEGMENT << 4;
export const HYPERCALL_PORT = 0xe6;

/** Offset of the first stub; the stub of vector v is at STUB_BASE + 8·v. */
export const STUB_BASE = 0xe100;
export const STUB_SIZE = 8;
export function stubOffset(vector: number): number { return STUB_BASE + STUB_SIZE * vector; }

/** STI; HLT; JMP to the INT 16h hypercall — where waiting services park. */
export const WAIT_LOOP = 0xe000;
/** A bare IRET for vectors nobody handles. */
export const DUMMY_IRET = 0xff53;
/** The diskette parameter table (INT 1Eh points here). */
export const DISKETTE_TABLE = 0xefc7;
/** System configuration table (INT 15h AH=C0h): length 8, model FCh
 *  (AT), submodel 01h, revision 0, features 70h (RTC, slave PIC, extended
 *  BIOS data area absent). Not at IBM's E6F5h: that is inside the stub
 *  table here; programs find it through INT 15h AH=C0h. */
export const CONFIG_TABLE = 0xe960;
/** The 8×8 font: characters 00h–7Fh where the IBM BIOS keeps them
 *  (F000:FA6E, also INT 43h), 80h–FFh for INT 1Fh (graphics modes). */
export const FONT_LOW = 0xfa6e;
export const FONT_HIGH = 0xc000;
const CONFIG_TABLE_BYTES = [0x08, 0x00, 0xfc, 0x01, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00];
/** Power-on entry (F000:FFF0 jumps to E05B, as on the IBM PC). */
export const POST_ENTRY = 0xe05b;
const TICK_TAIL = 0xe900;
const KBD_BODY = 0xe920;
const KBD_TAIL = 0xe940;

/** Vectors whose services the host implements. */
export const BIOS_VECTORS = [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a] as const;
/** Hardware interrupts with handler code around the hypercall. */
export const IRQ_VECTORS = [0x08, 0x09] as const;

/** IP just after the hypercall OUT that serves `vector`. INT 09h runs
 *  code before its hypercall, which sits 3 bytes into its stub. */
export function hypercallIp(vector: number): number {
  return stubOffset(vector) + (vector === 0x09 ? 5 : 2);
}

/** The vector a hypercall at `ip` (IP after the OUT, CS = F000) serves, or
 *  -1 if that is not a stub's hypercall. */
export function vectorOfHypercall(ip: number): number {
  if (ip === hypercallIp(0x09)) return 0x09;
  const rel = ip - 2 - STUB_BASE;
  if (rel < 0 || rel % STUB_SIZE !== 0 || rel / STUB_SIZE > 0xff || rel / STUB_SIZE === 0x09) return -1;
  return rel / STUB_SIZE;
}

const OUT_HC = [0xe6, HYPERCALL_PORT]; // OUT 0E6h, AL
const IRET = 0xcf;

/** JMP NEAR from the instruction at `from` to `to`. */
function jmpNear(from: number, to: number): number[] { return [0xe9, ...le16(to - (from + 3))]; }

/** Build the 64 KiB ROM image. */
export function buildRom(): Uint8Array {
  const rom = new Uint8Array(0x10000).fill(0xff);
  const put = (off: number, bytes: number[]) => rom.set(bytes, off);

  // Every vector gets a plain stub: OUT 0E6h,AL; IRET.
  for (let v = 0; v < 0x100; v++) put(stubOffset(v), [...OUT_HC, IRET]);

  // INT 08h (IRQ0): the host counts the tick (BDA 0040:006C), then the
  // handler calls the user hook INT 1Ch and acknowledges the PIC.
  const t = stubOffset(0x08);
  put(t + 2, jmpNear(t + 2, TICK_TAIL));
  put(TICK_TAIL, [
    0xcd, 0x1c,       // INT 1Ch
    0x50,             // PUSH AX
    0xb0, 0x20,       // MOV AL, 20h
    0xe6, 0x20,       // OUT 20h, AL      non-specific EOI
    0x58,             // POP AX
    IRET,
  ]);

  // INT 09h (IRQ1): read the scancode from the controller, hypercall with
  // it in AL (the host updates the BDA buffer and shift flags), EOI.
  //   stub+0  JMP KBD_BODY     stub+3  OUT 0E6h,AL     stub+5  JMP KBD_TAIL
  const k = stubOffset(0x09);
  put(k, [...jmpNear(k, KBD_BODY), ...OUT_HC, ...jmpNear(k + 5, KBD_TAIL)]);
  put(KBD_BODY, [
    0x50,             // PUSH AX
    0xe4, 0x60,       // IN AL, 60h
    ...jmpNear(KBD_BODY + 3, k + 3),
  ]);
  put(KBD_TAIL, [
    0xb0, 0x20,       // MOV AL, 20h
    0xe6, 0x20,       // OUT 20h, AL
    0x58,             // POP AX
    IRET,
  ]);

  // The wait loop: STI; HLT; then retry the INT 16h hypercall.
  put(WAIT_LOOP, [0xfb, 0xf4, ...jmpNear(WAIT_LOOP + 2, stubOffset(0x16))]);

  put(DUMMY_IRET, [IRET]);
  put(POST_ENTRY, [0xcd, 0x19]);                                   // INT 19h: bootstrap
  put(0xfff0, [0xea, ...le16(POST_ENTRY), ...le16(BIOS_SEGMENT)]); // JMP F000:E05B
  put(0xfff5, [...ascii("11/27/26")]);                             // BIOS date
  put(0xfffe, [0xfc]);                                             // model byte: AT

  // Diskette parameter table (1.44 MB): step rate/head unload, head load,
  // motor-off delay, 512-byte sectors, 18 sectors/track, gap, data length,
  // format gap, fill byte, head settle, motor start.
  put(CONFIG_TABLE, CONFIG_TABLE_BYTES);
  rom.set(FONT8X8.subarray(0, 1024), FONT_LOW);
  rom.set(FONT8X8.subarray(1024, 2048), FONT_HIGH);
  put(DISKETTE_TABLE, [0xaf, 0x02, 0x25, 0x02, 18, 0x1b, 0xff, 0x6c, 0xf6, 0x0f, 0x08]);
  return rom;
}

function le16(v: number): number[] { return [v & 0xff, (v >> 8) & 0xff]; }
function ascii(s: string): number[] { return [...s].map((c) => c.charCodeAt(0)); }
