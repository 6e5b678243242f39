/**
 * render.ts — what the screen shows, computed from guest memory and the
 * VGA's registers: plain text, raw char/attribute bytes, ANSI for a
 * terminal, and RGBA pixels for screenshots.
 *
 * It is: pure functions. Each takes a `read(addr, len)` over guest
 * physical memory (Machine.read) and the VGA state, and reads the whole
 * video window once. Geometry comes from the registers as the hardware
 * takes it: text columns from CRTC 01h, rows from the vertical display end
 * over the character height (CRTC 09h), row pitch from CRTC 13h, display
 * start and cursor from CRTC 0Ch–0Fh, the video window from graphics
 * controller 06h. Colours go through the attribute controller's palette
 * registers and the DAC, so a program that reprograms either sees it.
 *
 * It is not: a VGA. No planar memory (modes 0Dh–12h render black and say
 * so), no 9-dot characters, no smooth scrolling or split screen, no
 * blinking (blinking text is drawn in its visible phase, the cursor always
 * on), no overscan border. CGA modes ignore the display start address.
 */
import { FONT8X8 } from "./font8x8.js";
import type { VgaState } from "../devices/vga.js";

/** Guest physical memory reader, like Machine.read. */
export type ReadFn = (addr: number, len: number) => Uint8Array;

/**
 * Code page 437 to Unicode, as the PC draws each byte: 01h–1Fh are the
 * ROM font's symbols (☺☻♥…), 7Fh is ⌂, FFh a no-break space. 00h, which
 * the PC draws blank, is a plain space here so plain text reads naturally.
 */
export const CP437: readonly string[] = Array.from(
  " ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼" +
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join("") + "⌂" +
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»" +
  "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
  "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0");

/** How a mode lays out video memory. */
export type MemoryModel = "text" | "cga2bpp" | "cga1bpp" | "planar" | "packed";

const MODEL_BY_MODE: Record<number, MemoryModel> = {
  0x00: "text", 0x01: "text", 0x02: "text", 0x03: "text", 0x07: "text",
  0x04: "cga2bpp", 0x05: "cga2bpp", 0x06: "cga1bpp",
  0x0d: "planar", 0x0e: "planar", 0x0f: "planar", 0x10: "planar", 0x11: "planar", 0x12: "planar",
  0x13: "packed",
};

/** The memory model of the current mode; for a mode number the table does
 *  not know, what the registers say (graphics bit, 256-colour bit). */
export function memoryModel(vga: VgaState): MemoryModel {
  const known = MODEL_BY_MODE[vga.mode];
  if (known) return known;
  if (!(vga.gc[6] & 1)) return "text";
  return (vga.attr[0x10] & 0x40) ? "packed" : "planar";
}

/** Where the graphics controller maps video memory (GC 06h bits 2–3). */
function videoWindow(vga: VgaState): { base: number; size: number } {
  switch ((vga.gc[6] >> 2) & 3) {
    case 0: return { base: 0xa0000, size: 0x20000 };
    case 1: return { base: 0xa0000, size: 0x10000 };
    case 2: return { base: 0xb0000, size: 0x8000 };
    default: return { base: 0xb8000, size: 0x8000 };
  }
}

/** A text mode's layout as the CRTC defines it. */
export interface TextGeometry {
  cols: number;
  rows: number;
  /** Scan lines per character row. */
  charHeight: number;
  /** Character cells from one row's start to the next's. */
  stride: number;
  /** Display start, in character cells from the window's base. */
  start: number;
  /** Physical address and size of the video window. */
  base: number;
  windowSize: number;
}

/** Text geometry from the CRTC (e.g. 80×25 in mode 03h, 80×50 after the
 *  BIOS loads the 8×8 font and sets 8-line characters). */
export function textGeometry(vga: VgaState): TextGeometry {
  const c = vga.crtc;
  const charHeight = (c[0x09] & 0x1f) + 1;
  const lines = (c[0x12] | ((c[0x07] & 0x02) << 7) | ((c[0x07] & 0x40) << 3)) + 1;
  const scan = charHeight * ((c[0x09] & 0x80) ? 2 : 1);
  const cols = c[0x01] + 1;
  const { base, size } = videoWindow(vga);
  return {
    cols,
    rows: Math.max(1, Math.floor(lines / scan)),
    charHeight,
    stride: c[0x13] ? c[0x13] * 2 : cols,
    start: (c[0x0c] << 8) | c[0x0d],
    base,
    windowSize: size,
  };
}

/** The text cursor: its cell (relative to the display start) and shape. */
export interface CursorInfo {
  row: number;
  col: number;
  /** Switched on (CRTC 0Ah bit 5 clear), on screen, and start ≤ end. */
  visible: boolean;
  /** First and last scan line within the character cell. */
  start: number;
  end: number;
}

/** Cursor position and shape from CRTC 0Ah/0Bh/0Eh/0Fh. */
export function cursorInfo(vga: VgaState): CursorInfo {
  const g = textGeometry(vga);
  const loc = (vga.crtc[0x0e] << 8) | vga.crtc[0x0f];
  const rel = (loc - g.start) & 0xffff;
  const row = Math.floor(rel / g.stride), col = rel % g.stride;
  const start = vga.crtc[0x0a] & 0x1f, end = vga.crtc[0x0b] & 0x1f;
  const visible = !(vga.crtc[0x0a] & 0x20) && row < g.rows && col < g.cols && start <= end;
  return { row, col, visible, start, end };
}

/** The visible text page as char/attribute byte pairs, row by row
 *  (rows × cols × 2 bytes); empty in graphics modes. */
export function textScreenRaw(read: ReadFn, vga: VgaState): Uint8Array {
  if (memoryModel(vga) !== "text") return new Uint8Array(0);
  const g = textGeometry(vga);
  const mem = read(g.base, g.windowSize);
  const out = new Uint8Array(g.rows * g.cols * 2);
  const mask = g.windowSize - 1;
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const a = ((g.start + r * g.stride + c) * 2) & mask;
      const o = (r * g.cols + c) * 2;
      out[o] = mem[a];
      out[o + 1] = mem[a + 1];
    }
  }
  return out;
}

/** Options for {@link textScreen}. */
export interface TextScreenOptions {
  /** Drop empty lines at the bottom (default false: one line per row). */
  trimTrailingLines?: boolean;
}

/** The visible text page as lines of Unicode text (CP437 mapped), trailing
 *  spaces removed from each; empty in graphics modes. */
export function textScreen(read: ReadFn, vga: VgaState, options: TextScreenOptions = {}): string[] {
  const raw = textScreenRaw(read, vga);
  if (raw.length === 0) return [];
  const cols = textGeometry(vga).cols;
  const lines: string[] = [];
  for (let o = 0; o < raw.length; o += cols * 2) {
    let s = "";
    for (let c = 0; c < cols; c++) s += CP437[raw[o + c * 2]];
    lines.push(s.replace(/ +$/, ""));
  }
  if (options.trimTrailingLines) while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** A text cell's colours as 4-bit attribute-controller inputs. */
export interface CellColors {
  fg: number;
  bg: number;
  /** The attribute asks for blinking and the hardware blinks (10h bit 3). */
  blink: boolean;
  /** Mono underline: mode control 10h bit 1 set and (attribute & 77h) = 01h. */
  underline: boolean;
}

/** Decode a text attribute byte as the attribute controller does: bit 7 is
 *  blink when mode control bit 3 is set, else the background's intensity. */
export function cellColors(vga: VgaState, attr: number): CellColors {
  const blinkOn = (vga.attr[0x10] & 0x08) !== 0;
  const mono = (vga.attr[0x10] & 0x02) !== 0;
  return {
    fg: attr & 0x0f,
    bg: blinkOn ? (attr >> 4) & 7 : attr >> 4,
    blink: blinkOn && (attr & 0x80) !== 0,
    underline: mono && (attr & 0x77) === 0x01,
  };
}

/** DAC index for a 4-bit pixel or text colour: colour plane enable, the
 *  palette register, then colour select (mode control bit 7 swaps in its
 *  bits 0–1 for palette bits 4–5). */
export function dacIndex(vga: VgaState, color: number): number {
  const a = vga.attr;
  const p = a[color & a[0x12] & 0x0f];
  const hi = (a[0x14] & 0x0c) << 4;
  return (a[0x10] & 0x80 ? ((a[0x14] & 3) << 4) | (p & 0x0f) : p & 0x3f) | hi;
}

/** RGB (8 bits each) of DAC entry `index` after the pel mask. */
export function dacRgb(vga: VgaState, index: number): [number, number, number] {
  const i = (index & vga.pelMask) * 3;
  const x = (v: number): number => ((v & 0x3f) << 2) | ((v & 0x3f) >> 4);
  return [x(vga.dac[i]), x(vga.dac[i + 1]), x(vga.dac[i + 2])];
}

/** Options for {@link textScreenAnsi}. */
export interface AnsiOptions {
  /**
   * Attribute bit 7 while the hardware blinks (mode control bit 3 set, the
   * BIOS default): "ignore" (default) draws the cell steady with its
   * 3-bit background, as the visible phase of real blinking; "sgr" adds
   * SGR 5 and leaves blinking to the terminal; "bright" shows the bit as a
   * bright background, as if int 10h AX=1003h had turned blinking off.
   * With blinking off in hardware, bit 7 is always the bright background.
   */
  blink?: "ignore" | "sgr" | "bright";
  /** "16" (default): SGR 30–37/90–97 and 40–47/100–107 from the attribute
   *  nibbles, whatever the palette. "truecolor": 24-bit colours through the
   *  attribute palette and DAC, as the screen shows them. */
  colors?: "16" | "truecolor";
}

// CGA colour bits are B=1, G=2, R=4; ANSI numbers them R=1, G=2, B=4.
const ANSI_ORDER = [0, 4, 2, 6, 1, 5, 3, 7];

/**
 * The visible text page as one string per row of ANSI escape sequences:
 * each row starts with a full SGR, changes it only where the attribute
 * does, and ends with SGR 0. Rows are full width (so backgrounds fill) and
 * carry no line ending or cursor movement: the caller positions them.
 * Mono (mode 07h) attributes map to black/white/bright white with
 * underline and reverse. Empty in graphics modes.
 */
export function textScreenAnsi(read: ReadFn, vga: VgaState, options: AnsiOptions = {}): string[] {
  const raw = textScreenRaw(read, vga);
  if (raw.length === 0) return [];
  const cols = textGeometry(vga).cols;
  const blinkMode = options.blink ?? "ignore";
  const truecolor = options.colors === "truecolor";
  const mono = (vga.attr[0x10] & 0x02) !== 0;
  const sgr = (attr: number): string => {
    const cc = cellColors(vga, attr);
    let { fg, bg } = cc;
    if (cc.blink && blinkMode === "bright") bg |= 8;
    if (mono && !truecolor) {
      // MDA rules: 70h reverses, 00h/08h/80h/88h are invisible.
      const reverse = (attr & 0x77) === 0x70;
      fg = reverse || !(attr & 0x07) ? 0 : (attr & 0x08 ? 15 : 7);
      bg = reverse ? 7 : 0;
    }
    const codes = ["0"];
    if (truecolor) {
      codes.push(`38;2;${dacRgb(vga, dacIndex(vga, fg)).join(";")}`, `48;2;${dacRgb(vga, dacIndex(vga, bg)).join(";")}`);
    } else {
      codes.push(String((fg & 8 ? 90 : 30) + ANSI_ORDER[fg & 7]), String((bg & 8 ? 100 : 40) + ANSI_ORDER[bg & 7]));
    }
    if (cc.underline) codes.push("4");
    if (cc.blink && blinkMode === "sgr") codes.push("5");
    return `\x1b[${codes.join(";")}m`;
  };
  const lines: string[] = [];
  for (let o = 0; o < raw.length; o += cols * 2) {
    let s = "", last = "";
    for (let c = 0; c < cols; c++) {
      const code = sgr(raw[o + c * 2 + 1]);
      if (code !== last) { s += code; last = code; }
      s += CP437[raw[o + c * 2]];
    }
    lines.push(s + "\x1b[0m");
  }
  return lines;
}

/** An RGBA image (4 bytes a pixel, rows top to bottom). */
export interface Framebuffer {
  width: number;
  height: number;
  rgba: Uint8Array;
  /** False when the mode's memory layout is not emulated (planar modes):
   *  the image is then black at the mode's size. */
  supported: boolean;
}

/** Options for {@link framebuffer}. */
export interface FramebufferOptions {
  /** Draw the text cursor (default true). */
  cursor?: boolean;
  /** A font for text modes: 256 glyphs of `height` bytes each, bit 7 the
   *  leftmost pixel. Default: the built-in 8×8 font, stretched to the
   *  character height (each row doubled for the usual 16). */
  font?: { data: Uint8Array; height: number };
}

const PLANAR_SIZE: Record<number, [number, number]> = {
  0x0d: [320, 200], 0x0e: [640, 200], 0x0f: [640, 350], 0x10: [640, 350], 0x11: [640, 480], 0x12: [640, 480],
};

/**
 * The screen as RGBA at the mode's own resolution: text at cols·8 ×
 * rows·charHeight (640×400 in mode 03h), CGA 04h/05h 320×200 (even rows
 * at B8000, odd rows at BA000), 06h 640×200, 13h 320×200 through the DAC.
 * With the attribute controller's video disabled (3C0h bit 5 clear) the
 * whole screen is the overscan colour, as on the hardware.
 */
export function framebuffer(read: ReadFn, vga: VgaState, options: FramebufferOptions = {}): Framebuffer {
  const model = memoryModel(vga);
  let fb: Framebuffer;
  if (model === "text") fb = renderText(read, vga, options);
  else if (model === "cga2bpp" || model === "cga1bpp") fb = renderCga(read, vga, model === "cga2bpp" ? 2 : 1);
  else if (model === "packed") fb = renderPacked(read, vga);
  else {
    const [width, height] = PLANAR_SIZE[vga.mode] ?? [640, 480];
    fb = { width, height, rgba: blank(width, height), supported: false };
  }
  if (!vga.videoEnabled) {
    const [r, g, b] = dacRgb(vga, vga.attr[0x11]);
    for (let i = 0; i < fb.rgba.length; i += 4) fb.rgba.set([r, g, b, 255], i);
  }
  return fb;
}

function blank(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return rgba;
}

/** The 16 attribute colours as packed RGBA words, for the inner loops. */
function colorTable(vga: VgaState): Uint32Array {
  const t = new Uint32Array(16);
  const u8 = new Uint8Array(t.buffer);
  for (let c = 0; c < 16; c++) u8.set([...dacRgb(vga, dacIndex(vga, c)), 255], c * 4);
  return t;
}

function renderText(read: ReadFn, vga: VgaState, options: FramebufferOptions): Framebuffer {
  const g = textGeometry(vga);
  const raw = textScreenRaw(read, vga);
  const width = g.cols * 8, height = g.rows * g.charHeight;
  const rgba = blank(width, height);
  const px = new Uint32Array(rgba.buffer);
  const colors = colorTable(vga);
  const font = options.font ?? { data: FONT8X8, height: 8 };
  const underlineRow = vga.crtc[0x14] & 0x1f;
  const cur = cursorInfo(vga);
  const showCursor = (options.cursor ?? true) && cur.visible;
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const o = (r * g.cols + c) * 2;
      const ch = raw[o], cc = cellColors(vga, raw[o + 1]);
      const fg = colors[cc.fg], bg = colors[cc.bg];
      const isCursor = showCursor && r === cur.row && c === cur.col;
      for (let y = 0; y < g.charHeight; y++) {
        const fy = Math.min(font.height - 1, Math.floor((y * font.height) / g.charHeight));
        let bits = font.data[ch * font.height + fy];
        if ((cc.underline && y === underlineRow) || (isCursor && y >= cur.start && y <= cur.end)) bits = 0xff;
        const row = (r * g.charHeight + y) * width + c * 8;
        for (let x = 0; x < 8; x++) px[row + x] = (bits << x) & 0x80 ? fg : bg;
      }
    }
  }
  return { width, height, rgba, supported: true };
}

function renderCga(read: ReadFn, vga: VgaState, bpp: 1 | 2): Framebuffer {
  const width = bpp === 2 ? 320 : 640, height = 200;
  // CGA memory: 80 bytes a line, even lines from B8000, odd from BA000.
  const mem = read(0xb8000, 0x4000);
  const rgba = blank(width, height);
  const px = new Uint32Array(rgba.buffer);
  const colors = colorTable(vga);
  const perByte = 8 / bpp, mask = (1 << bpp) - 1;
  for (let y = 0; y < height; y++) {
    const line = (y & 1) * 0x2000 + (y >> 1) * 80;
    for (let x = 0; x < width; x++) {
      const byte = mem[line + Math.floor(x / perByte)];
      const shift = 8 - bpp * (1 + (x % perByte));
      px[y * width + x] = colors[(byte >> shift) & mask];
    }
  }
  return { width, height, rgba, supported: true };
}

function renderPacked(read: ReadFn, vga: VgaState): Framebuffer {
  const width = 320, height = 200;
  const mem = read(0xa0000, 0x10000);
  // In chain-4 the CRTC counts in 4-byte units, so the start address
  // scrolls by 4 pixels a step.
  const start = (((vga.crtc[0x0c] << 8) | vga.crtc[0x0d]) * 4) & 0xffff;
  const rgba = blank(width, height);
  const lut = new Uint32Array(256);
  const lut8 = new Uint8Array(lut.buffer);
  for (let i = 0; i < 256; i++) lut8.set([...dacRgb(vga, i), 255], i * 4);
  const px = new Uint32Array(rgba.buffer);
  for (let i = 0; i < width * height; i++) px[i] = lut[mem[(start + i) & 0xffff]];
  return { width, height, rgba, supported: true };
}

/**
 * A downscaled preview of a framebuffer for a terminal: each character is
 * two pixels stacked (▀ with 24-bit foreground = top, background =
 * bottom), sampled at the nearest pixel to fit within `cols` × `rows`
 * characters. One string per row, each ending with SGR 0.
 */
export function previewAnsi(fb: Framebuffer, cols: number, rows: number): string[] {
  const step = Math.max(fb.width / cols, fb.height / (rows * 2), 1);
  const outCols = Math.floor(fb.width / step), outRows = Math.floor(fb.height / (step * 2));
  const pick = (x: number, y: number): string => {
    const i = (Math.floor(y * step) * fb.width + Math.floor(x * step)) * 4;
    return `${fb.rgba[i]};${fb.rgba[i + 1]};${fb.rgba[i + 2]}`;
  };
  const lines: string[] = [];
  for (let r = 0; r < outRows; r++) {
    let s = "";
    for (let c = 0; c < outCols; c++) s += `\x1b[38;2;${pick(c, r * 2)};48;2;${pick(c, r * 2 + 1)}m▀`;
    lines.push(s + "\x1b[0m");
  }
  return lines;
}
