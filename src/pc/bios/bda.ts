/**
 * bda.ts — the BIOS data area (segment 0040h) and interrupt vector table
 * set-up, the way a PC BIOS leaves them before booting.
 *
 * Offsets are from 0040:0000 (physical 0x400). Only what the services and
 * well-known programs read is named here.
 */
import type { Machine } from "../../machine.js";

export const BDA = 0x400;
export const COM1_BASE = BDA + 0x00;
export const EQUIPMENT = BDA + 0x10;
export const MEMORY_KB = BDA + 0x13;
export const KBD_FLAGS1 = BDA + 0x17;
export const KBD_FLAGS2 = BDA + 0x18;
export const KBD_HEAD = BDA + 0x1a;
export const KBD_TAIL = BDA + 0x1c;
/** Keyboard buffer: 16 words at 0040:001E–003D (offsets relative to 0040). */
export const KBD_BUFFER_START = 0x1e;
export const KBD_BUFFER_END = 0x3e;
export const DISKETTE_STATUS = BDA + 0x41;
export const VIDEO_MODE = BDA + 0x49;
export const VIDEO_COLUMNS = BDA + 0x4a;
export const VIDEO_PAGE_SIZE = BDA + 0x4c;
export const VIDEO_PAGE_START = BDA + 0x4e;
export const CURSOR_POS = BDA + 0x50; // 8 pages × (column, row)
export const CURSOR_SHAPE = BDA + 0x60; // end line, start line
export const ACTIVE_PAGE = BDA + 0x62;
export const CRTC_BASE = BDA + 0x63;
export const VIDEO_MODE_CTRL = BDA + 0x65;
export const VIDEO_PALETTE = BDA + 0x66;
export const TICKS = BDA + 0x6c;
export const MIDNIGHT = BDA + 0x70;
export const HD_STATUS = BDA + 0x74;
export const HD_COUNT = BDA + 0x75;
export const KBD_BUF_START_PTR = BDA + 0x80;
export const KBD_BUF_END_PTR = BDA + 0x82;
export const VIDEO_ROWS = BDA + 0x84; // rows − 1
export const CHAR_HEIGHT = BDA + 0x85;
export const KBD_STATUS3 = BDA + 0x96;

export interface BdaConfig {
  /** Conventional memory in KiB (≤ 640). */
  baseMemoryKB: number;
  floppies: number;
  hardDisks: number;
  serialPorts: number;
}

/**
 * The BIOS's view of guest memory. Services compute addresses from guest
 * registers, so nothing here may throw: an address past the end of RAM
 * wraps at 1 MiB like a real-mode address, and one still outside RAM reads
 * as open bus (FFh) and drops writes.
 */
export class Mem {
  private readonly size: number;
  /** Guest-memory operations performed (bytes read or written): what the
   *  BIOS charges the guest for (see Bios.hypercall). */
  ops = 0;
  constructor(private readonly m: Machine) { this.size = m.memorySize; }
  private at(a: number): number {
    if (a >= 0 && a < this.size) return a;
    const w = a & 0xfffff;
    return w < this.size ? w : -1;
  }
  u8(a: number): number { this.ops++; const p = this.at(a); return p < 0 ? 0xff : this.m.readByte(p); }
  u16(a: number): number { return this.u8(a) | (this.u8(a + 1) << 8); }
  u32(a: number): number { return (this.u16(a) | (this.u16(a + 2) << 16)) >>> 0; }
  set8(a: number, v: number): void { this.ops++; const p = this.at(a); if (p >= 0) this.m.writeByte(p, v & 0xff); }
  set16(a: number, v: number): void { this.set8(a, v); this.set8(a + 1, v >> 8); }
  set32(a: number, v: number): void { this.set16(a, v); this.set16(a + 2, v >>> 16); }
  /** Read `n` bytes (a whole range at once when it lies inside RAM). */
  read(a: number, n: number): Uint8Array {
    if (a >= 0 && a + n <= this.size) { this.ops += n; return this.m.read(a, n); }
    return Uint8Array.from({ length: n }, (_, i) => this.u8(a + i));
  }
  write(a: number, bytes: Uint8Array): void {
    if (a >= 0 && a + bytes.length <= this.size) { this.ops += bytes.length; this.m.write(a, bytes); return; }
    bytes.forEach((b, i) => this.set8(a + i, b));
  }
}

/** Fill the BDA as the BIOS leaves it at boot. */
export function initBda(mem: Mem, cfg: BdaConfig): void {
  for (let a = BDA; a < BDA + 0x100; a++) mem.set8(a, 0);
  if (cfg.serialPorts > 0) mem.set16(COM1_BASE, 0x3f8);
  // Equipment word: floppies present (bit 0) and count − 1 (bits 6–7),
  // initial video 80×25 colour (bits 4–5 = 10b), serial ports (bits 9–11).
  let eq = 0x0020;
  if (cfg.floppies > 0) eq |= 1 | ((cfg.floppies - 1) << 6);
  eq |= (cfg.serialPorts & 7) << 9;
  mem.set16(EQUIPMENT, eq);
  mem.set16(MEMORY_KB, cfg.baseMemoryKB);
  mem.set16(KBD_HEAD, KBD_BUFFER_START);
  mem.set16(KBD_TAIL, KBD_BUFFER_START);
  mem.set16(KBD_BUF_START_PTR, KBD_BUFFER_START);
  mem.set16(KBD_BUF_END_PTR, KBD_BUFFER_END);
  mem.set8(HD_COUNT, cfg.hardDisks);
  mem.set16(CRTC_BASE, 0x3d4);
  mem.set8(KBD_STATUS3, 0x10); // enhanced (101-key) keyboard present
}
