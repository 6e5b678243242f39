/**
 * bda.ts — the BIOS data area (segment 0040h) and interrupt vector table
 * set-up, the way a PC BIOS leaves them before booting.
 *
 * Offsets are from 0040:0000 (physical 0x400). Only what the services and
 * well-known programs read is named here.
 */
import type { GuestMem } from "../guest-memory.js";

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

/** Fill the BDA as the BIOS leaves it at boot. */
export function initBda(mem: GuestMem, cfg: BdaConfig): void {
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
