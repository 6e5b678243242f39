/**
 * video.ts — INT 10h, the video BIOS: modes, cursor, scrolling, text and
 * pixel output, palette basics.
 *
 * Text lives in guest RAM at B800:0000 (colour) as char/attribute pairs;
 * graphics modes 04h/05h/06h are CGA-interleaved at B800:0000 and mode 13h is
 * linear at A000:0000. State the BIOS keeps (mode, columns, cursor per page,
 * active page) is in the BDA like on a real PC, so programs that read it
 * directly see the truth. The register-level hardware (CRTC cursor, DAC) is
 * told through the VideoHardware interface.
 */
import type { BiosCall, Bios } from "./bios.js";
import {
  VIDEO_MODE, VIDEO_COLUMNS, VIDEO_PAGE_SIZE, VIDEO_PAGE_START, CURSOR_POS, CURSOR_SHAPE, ACTIVE_PAGE,
  VIDEO_ROWS, CHAR_HEIGHT, VIDEO_PALETTE,
} from "./bda.js";
import type { GuestMem } from "../guest-memory.js";
import { BIOS_SEGMENT, FONT_LOW, FONT_HIGH } from "./rom.js";

/** What the BIOS tells the video hardware (devices/vga.ts implements it). */
export interface VideoHardware {
  setMode(mode: number): void;
  /** Cursor location as a character offset from the start of video memory. */
  setCursor(offset: number): void;
  setCursorShape(start: number, end: number): void;
  setDac(index: number, r: number, g: number, b: number): void;
  getDac(index: number): [number, number, number];
  /** 8×8 glyph bitmap of a character (8 bytes, top row first). */
  glyph(ch: number): ArrayLike<number>;
  /** CGA colour select register: background/border (AH=0Bh BH=0). */
  cgaSetBackground?(color: number): void;
  /** CGA palette 0/1 for modes 04h/05h (AH=0Bh BH=1). */
  cgaSelectPalette?(id: number): void;
  /** Attribute bit 7: blink (true) or bright background (INT 10h AX=1003h). */
  setBlink?(on: boolean): void;
}

interface ModeInfo { kind: "text" | "cga2" | "cga4" | "vga256"; cols: number; rows: number; width: number; height: number; base: number }

const MODES: Record<number, ModeInfo> = {
  0x00: { kind: "text", cols: 40, rows: 25, width: 0, height: 0, base: 0xb8000 },
  0x01: { kind: "text", cols: 40, rows: 25, width: 0, height: 0, base: 0xb8000 },
  0x02: { kind: "text", cols: 80, rows: 25, width: 0, height: 0, base: 0xb8000 },
  0x03: { kind: "text", cols: 80, rows: 25, width: 0, height: 0, base: 0xb8000 },
  0x04: { kind: "cga4", cols: 40, rows: 25, width: 320, height: 200, base: 0xb8000 },
  0x05: { kind: "cga4", cols: 40, rows: 25, width: 320, height: 200, base: 0xb8000 },
  0x06: { kind: "cga2", cols: 80, rows: 25, width: 640, height: 200, base: 0xb8000 },
  0x13: { kind: "vga256", cols: 40, rows: 25, width: 320, height: 200, base: 0xa0000 },
};

export class VideoBios {
  constructor(private readonly bios: Bios, private readonly hw: VideoHardware) {}

  private get mem(): GuestMem { return this.bios.mem; }
  get mode(): number { return this.mem.u8(VIDEO_MODE) & 0x7f; }
  private get info(): ModeInfo { return MODES[this.mode] ?? MODES[0x03]; }
  private get cols(): number { return this.mem.u16(VIDEO_COLUMNS) || 80; }
  private get rows(): number { return this.mem.u8(VIDEO_ROWS) + 1; }
  private get page(): number { return this.mem.u8(ACTIVE_PAGE); }
  private pageBase(page: number): number { return this.info.base + (page & 7) * this.mem.u16(VIDEO_PAGE_SIZE); }

  cursor(page: number): { col: number; row: number } {
    const p = CURSOR_POS + 2 * (page & 7);
    return { col: this.mem.u8(p), row: this.mem.u8(p + 1) };
  }

  setCursor(page: number, row: number, col: number): void {
    const p = CURSOR_POS + 2 * (page & 7);
    this.mem.set8(p, col); this.mem.set8(p + 1, row);
    if (page === this.page) this.hw.setCursor(this.mem.u16(VIDEO_PAGE_START) / 2 + row * this.cols + col);
  }

  /** Program a video mode as INT 10h AH=00h does. */
  setMode(mode: number): boolean {
    const keep = (mode & 0x80) !== 0;
    mode &= 0x7f;
    const info = MODES[mode];
    if (!info) return false;
    this.mem.set8(VIDEO_MODE, mode);
    this.mem.set16(VIDEO_COLUMNS, info.cols);
    this.mem.set8(VIDEO_ROWS, info.rows - 1);
    this.mem.set8(CHAR_HEIGHT, info.kind === "text" ? 16 : 8);
    this.mem.set16(VIDEO_PAGE_SIZE, info.kind === "text" ? (info.cols === 80 ? 0x1000 : 0x800) : info.kind === "vga256" ? 0xfa00 : 0x4000);
    this.mem.set16(VIDEO_PAGE_START, 0);
    this.mem.set8(ACTIVE_PAGE, 0);
    this.mem.set8(VIDEO_PALETTE, mode === 0x06 ? 0x3f : 0x30);
    for (let p = 0; p < 8; p++) { this.mem.set8(CURSOR_POS + 2 * p, 0); this.mem.set8(CURSOR_POS + 2 * p + 1, 0); }
    this.hw.setMode(mode);
    if (!keep) {
      if (info.kind === "text") {
        const blank = new Uint8Array(0x8000);
        for (let i = 0; i < blank.length; i += 2) { blank[i] = 0x20; blank[i + 1] = 0x07; }
        this.mem.write(0xb8000, blank);
      } else {
        this.mem.write(info.base, new Uint8Array(info.kind === "vga256" ? 0x10000 : 0x8000));
      }
    }
    this.mem.set16(CURSOR_SHAPE, 0x0607);
    this.hw.setCursorShape(6, 7);
    this.hw.setCursor(0);
    return true;
  }

  // ----------------------------------------------------------- text cells

  private cellAddr(page: number, row: number, col: number): number {
    return this.pageBase(page) + 2 * (row * this.cols + col);
  }

  /** Put a character with attribute at a text cell, or draw it in graphics. */
  putChar(page: number, row: number, col: number, ch: number, attr: number, keepAttr: boolean): void {
    const info = this.info;
    if (info.kind === "text") {
      const a = this.cellAddr(page, row, col);
      this.mem.set8(a, ch);
      if (!keepAttr) this.mem.set8(a + 1, attr);
      return;
    }
    const glyph = this.hw.glyph(ch);
    const xor = (attr & 0x80) !== 0;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const on = (glyph[y] >> (7 - x)) & 1;
        const color = on ? attr & 0x7f : 0;
        if (xor) { if (on) this.setPixel(col * 8 + x, row * 8 + y, (attr & 0x7f) | 0x80); }
        else this.setPixel(col * 8 + x, row * 8 + y, color);
      }
    }
  }

  private readCell(page: number, row: number, col: number): [number, number] {
    const a = this.cellAddr(page, row, col);
    return [this.mem.u8(a), this.mem.u8(a + 1)];
  }

  /** Scroll a window up (lines > 0) or down (lines < 0); 0 clears it. */
  scroll(lines: number, attr: number, top: number, left: number, bottom: number, right: number): void {
    bottom = Math.min(bottom, this.rows - 1);
    right = Math.min(right, this.cols - 1);
    if (top > bottom || left > right) return;
    const height = bottom - top + 1;
    const n = lines === 0 || Math.abs(lines) >= height ? height : Math.abs(lines);
    const up = lines >= 0;
    if (this.info.kind === "text") {
      const page = this.page;
      for (let i = 0; i < height; i++) {
        const row = up ? top + i : bottom - i;
        const src = up ? row + n : row - n;
        for (let col = left; col <= right; col++) {
          const [c, a] = (up ? src <= bottom : src >= top) ? this.readCell(page, src, col) : [0x20, attr];
          const d = this.cellAddr(page, row, col);
          this.mem.set8(d, c); this.mem.set8(d + 1, a);
        }
      }
      return;
    }
    // Graphics modes scroll 8-pixel character rows. A full-width window
    // moves whole scanlines (one copy each); a partial one goes by pixel.
    if (left === 0 && right === this.cols - 1) { this.scrollScanlines(up, n, attr, top, bottom); return; }
    for (let i = 0; i < height; i++) {
      const row = up ? top + i : bottom - i;
      const src = up ? row + n : row - n;
      const from = up ? src <= bottom : src >= top;
      for (let y = 0; y < 8; y++) {
        for (let x = left * 8; x < (right + 1) * 8; x++) {
          this.setPixel(x, row * 8 + y, from ? this.getPixel(x, src * 8 + y) : attr);
        }
      }
    }
  }

  /** Full-width graphics scroll by character rows, scanline by scanline. */
  private scrollScanlines(up: boolean, n: number, fill: number, top: number, bottom: number): void {
    const info = this.info;
    const bytesPerLine = info.kind === "vga256" ? 320 : 80;
    const line = (y: number) => info.kind === "vga256" ? 0xa0000 + y * 320 : 0xb8000 + (y & 1) * 0x2000 + (y >> 1) * 80;
    const fillByte = info.kind === "vga256" ? fill & 0xff : info.kind === "cga4" ? (fill & 3) * 0x55 : fill & 1 ? 0xff : 0;
    const blank = new Uint8Array(bytesPerLine).fill(fillByte);
    const height = bottom - top + 1;
    for (let i = 0; i < height; i++) {
      const row = up ? top + i : bottom - i;
      const src = up ? row + n : row - n;
      const from = up ? src <= bottom : src >= top;
      for (let y = 0; y < 8; y++) {
        this.mem.write(line(row * 8 + y), from ? this.mem.read(line(src * 8 + y), bytesPerLine) : blank);
      }
    }
  }

  /** Teletype output (AH=0Eh): CR, LF, BS, BEL; wraps and scrolls. */
  teletype(ch: number, color: number, page = this.page): void {
    let { col, row } = this.cursor(page);
    switch (ch) {
      case 0x0d: col = 0; break;
      case 0x0a: row++; break;
      case 0x08: if (col > 0) col--; break;
      case 0x07: this.bell++; break;
      default:
        this.putChar(page, row, col, ch, this.info.kind === "text" ? 0x07 : color, this.info.kind === "text");
        col++;
        if (col >= this.cols) { col = 0; row++; }
    }
    if (row >= this.rows) {
      // Scrolling keeps the attribute of the character under the cursor in
      // text modes (IBM BIOS behaviour); 07h on a freshly cleared screen.
      const attr = this.info.kind === "text" ? this.readCell(page, this.rows - 1, 0)[1] : 0;
      this.scroll(1, attr, 0, 0, this.rows - 1, this.cols - 1);
      row = this.rows - 1;
    }
    this.setCursor(page, row, col);
  }

  /** BEL characters written with teletype (a sound backend may beep). */
  bell = 0;

  // --------------------------------------------------------------- pixels

  setPixel(x: number, y: number, color: number): void {
    const info = this.info;
    if (x < 0 || y < 0 || x >= info.width || y >= info.height) return;
    // Mode 13h: all eight bits are colour (no XOR bit), as on a VGA BIOS.
    if (info.kind === "vga256") { this.mem.set8(0xa0000 + y * 320 + x, color); return; }
    const xor = (color & 0x80) !== 0;
    const bits = info.kind === "cga4" ? 2 : 1;
    const perByte = 8 / bits;
    const a = 0xb8000 + (y & 1) * 0x2000 + (y >> 1) * 80 + Math.floor(x / perByte);
    const shift = (perByte - 1 - (x % perByte)) * bits;
    const mask = ((1 << bits) - 1) << shift;
    const v = ((color & ((1 << bits) - 1)) << shift) & mask;
    const old = this.mem.u8(a);
    this.mem.set8(a, xor ? old ^ v : (old & ~mask) | v);
  }

  getPixel(x: number, y: number): number {
    const info = this.info;
    if (x < 0 || y < 0 || x >= info.width || y >= info.height) return 0;
    if (info.kind === "vga256") return this.mem.u8(0xa0000 + y * 320 + x);
    const bits = info.kind === "cga4" ? 2 : 1;
    const perByte = 8 / bits;
    const a = 0xb8000 + (y & 1) * 0x2000 + (y >> 1) * 80 + Math.floor(x / perByte);
    return (this.mem.u8(a) >> ((perByte - 1 - (x % perByte)) * bits)) & ((1 << bits) - 1);
  }

  // -------------------------------------------------------------- INT 10h

  service = (c: BiosCall): void => {
    switch (c.ah) {
      case 0x00: if (!this.setMode(c.al)) this.bios.unsupported(c, `INT 10h AH=00h mode ${c.al.toString(16)}h`); break;
      case 0x01:
        this.mem.set8(CURSOR_SHAPE, c.cl & 0x1f); this.mem.set8(CURSOR_SHAPE + 1, c.ch);
        this.hw.setCursorShape(c.ch, c.cl);
        break;
      case 0x02: this.setCursor(c.bh, c.dh, c.dl); break;
      case 0x03: {
        const { col, row } = this.cursor(c.bh);
        c.set({ dx: (row << 8) | col, cx: this.mem.u16(CURSOR_SHAPE) === 0 ? 0x0607 : (this.mem.u8(CURSOR_SHAPE + 1) << 8) | this.mem.u8(CURSOR_SHAPE) });
        break;
      }
      case 0x05: {
        const page = c.al & 7;
        this.mem.set8(ACTIVE_PAGE, page);
        this.mem.set16(VIDEO_PAGE_START, page * this.mem.u16(VIDEO_PAGE_SIZE));
        const { col, row } = this.cursor(page);
        this.setCursor(page, row, col);
        break;
      }
      case 0x06: this.scroll(c.al, c.bh, c.ch, c.cl, c.dh, c.dl); break;
      case 0x07: this.scroll(c.al === 0 ? 0 : -c.al, c.bh, c.ch, c.cl, c.dh, c.dl); break;
      case 0x08: {
        const { col, row } = this.cursor(c.bh);
        const [ch, attr] = this.info.kind === "text" ? this.readCell(c.bh, row, col) : [0, 0];
        c.set({ ax: (attr << 8) | ch });
        break;
      }
      case 0x09: case 0x0a: {
        let { col, row } = this.cursor(c.bh);
        for (let i = 0; i < c.cx && row < this.rows; i++) {
          this.putChar(c.bh, row, col, c.al, c.bl, c.ah === 0x0a && this.info.kind === "text");
          if (++col >= this.cols) { col = 0; row++; }
        }
        break;
      }
      case 0x0b: // palette: BH=0 background/border colour, BH=1 CGA palette select
        if (c.bh === 0) {
          this.mem.set8(VIDEO_PALETTE, (this.mem.u8(VIDEO_PALETTE) & 0xe0) | (c.bl & 0x1f));
          this.hw.cgaSetBackground?.(c.bl & 0x1f);
        } else {
          this.mem.set8(VIDEO_PALETTE, (this.mem.u8(VIDEO_PALETTE) & ~0x20) | ((c.bl & 1) << 5));
          this.hw.cgaSelectPalette?.(c.bl & 1);
        }
        break;
      case 0x0c: this.setPixel(c.cx, c.dx, c.al); break;
      case 0x0d: c.setAL(this.getPixel(c.cx, c.dx)); break;
      case 0x0e: this.teletype(c.al, c.bl); break;
      case 0x0f: c.set({ ax: (this.cols << 8) | this.mem.u8(VIDEO_MODE) }); c.setBH(this.page); break;
      case 0x10: this.palette(c); break;
      case 0x11: // AL=30h: font information; BH selects the table
        if (c.al !== 0x30) { this.bios.unsupported(c, `INT 10h AH=11h AL=${c.al.toString(16)}h`); break; }
        c.set({ cx: 8, dx: this.rows - 1, es: BIOS_SEGMENT, bp: c.bh === 0x04 ? FONT_HIGH : FONT_LOW });
        if (c.bh === 0x00 || c.bh === 0x01) { // the INT 1Fh / INT 43h vectors
          const v = c.bh === 0x00 ? 0x1f : 0x43;
          c.set({ es: this.mem.u16(v * 4 + 2), bp: this.mem.u16(v * 4) });
        }
        break;
      case 0x12: if (c.bl === 0x10) c.set({ bx: 0x0003, cx: 0x0009 }); else this.bios.unsupported(c, `INT 10h AH=12h BL=${c.bl.toString(16)}h`); break;
      case 0x13: this.writeString(c); break;
      case 0x1a: if (c.al === 0) c.set({ ax: 0x001a, bx: 0x0008 }); break;
      default: this.bios.unsupported(c);
    }
  };

  private palette(c: BiosCall): void {
    switch (c.al) {
      case 0x10: this.hw.setDac(c.bx & 0xff, c.dh, c.ch, c.cl); break;
      case 0x12: // set a block of DAC registers from ES:DX
        for (let i = 0; i < c.cx; i++) {
          const a = (c.es << 4) + ((c.dx + 3 * i) & 0xffff);
          this.hw.setDac((c.bx + i) & 0xff, this.mem.u8(a), this.mem.u8(a + 1), this.mem.u8(a + 2));
        }
        break;
      case 0x15: { const [r, g, b] = this.hw.getDac(c.bx & 0xff); c.set({ dx: r << 8 | (c.dx & 0xff), cx: (g << 8) | b }); break; }
      case 0x17:
        for (let i = 0; i < c.cx; i++) {
          const a = (c.es << 4) + ((c.dx + 3 * i) & 0xffff);
          const [r, g, b] = this.hw.getDac((c.bx + i) & 0xff);
          this.mem.set8(a, r); this.mem.set8(a + 1, g); this.mem.set8(a + 2, b);
        }
        break;
      case 0x03: this.hw.setBlink?.(c.bl !== 0); break; // BL=0: bit 7 is bright background
      case 0x00: case 0x01: case 0x02: break; // attribute-controller palette: accepted
      default: this.bios.unsupported(c, `INT 10h AH=10h AL=${c.al.toString(16)}h`);
    }
  }

  /** AH=13h: write string at DH:DL from ES:BP; AL bit 0 = move cursor,
   *  bit 1 = the string alternates characters and attributes. */
  private writeString(c: BiosCall): void {
    const page = c.bh;
    const saved = this.cursor(page);
    this.setCursor(page, c.dh, c.dl);
    const withAttrs = (c.al & 2) !== 0;
    let attr = c.bl;
    for (let i = 0; i < c.cx; i++) {
      const a = (c.es << 4) + ((c.bp + (withAttrs ? 2 * i : i)) & 0xffff);
      const ch = this.mem.u8(a);
      if (withAttrs) attr = this.mem.u8(a + 1);
      if (ch === 0x0d || ch === 0x0a || ch === 0x08 || ch === 0x07) { this.teletype(ch, attr, page); continue; }
      let { col, row } = this.cursor(page);
      this.putChar(page, row, col, ch, attr, false);
      if (++col >= this.cols) { col = 0; row++; }
      if (row >= this.rows) { this.scroll(1, 0x07, 0, 0, this.rows - 1, this.cols - 1); row = this.rows - 1; }
      this.setCursor(page, row, col);
    }
    if (!(c.al & 1)) this.setCursor(page, saved.row, saved.col);
  }
}
