/**
 * screen.ts — the PC's text screen as the CLI shows it: the active page of
 * the current text mode, read from guest memory.
 */
import type { PC } from "./pc.js";
import { VIDEO_COLUMNS, VIDEO_ROWS, VIDEO_PAGE_START, VIDEO_MODE } from "./bios/bda.js";

/** Code page 437 → Unicode for the bytes the CLI prints (control-range
 *  glyphs included), so a screen dump reads like the PC's screen. */
const CP437 =
  " ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼" +
  " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂" +
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
  "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ";

export function cp437(byte: number): string { return CP437[byte & 0xff]; }

function geometry(pc: PC): { base: number; cols: number; rows: number; text: boolean } {
  const mem = pc.bios.mem;
  const mode = mem.u8(VIDEO_MODE) & 0x7f;
  const cols = mem.u16(VIDEO_COLUMNS) || 80;
  const rows = mem.u8(VIDEO_ROWS) + 1;
  const base = (mode === 7 ? 0xb0000 : 0xb8000) + mem.u16(VIDEO_PAGE_START);
  return { base, cols, rows, text: mode <= 3 || mode === 7 };
}

/** The visible text page as lines (trailing spaces trimmed). Graphics
 *  modes give an empty list. */
export function textScreen(pc: PC): string[] {
  const g = geometry(pc);
  if (!g.text) return [];
  const bytes = pc.machine.read(g.base, g.cols * g.rows * 2);
  const lines: string[] = [];
  for (let r = 0; r < g.rows; r++) {
    let s = "";
    for (let c = 0; c < g.cols; c++) s += cp437(bytes[(r * g.cols + c) * 2]);
    lines.push(s.replace(/[ \u0000]+$/, ""));
  }
  return lines;
}

/** The raw character/attribute bytes of the visible text page. */
export function textScreenRaw(pc: PC): Uint8Array {
  const g = geometry(pc);
  return pc.machine.read(g.base, g.cols * g.rows * 2);
}
