/**
 * screen.ts — what the PC shows, for the CLI and tests: the text screen,
 * its raw bytes, an ANSI rendering and a PNG screenshot of any mode. Thin
 * glue from a PC to the renderers in video/render.ts, which read the
 * geometry from the VGA registers and the pixels from guest memory.
 */
import type { PC } from "./pc.js";
import { textScreen as renderText, textScreenRaw as renderRaw, textScreenAnsi, framebuffer } from "./video/render.js";
import { encodePng } from "./video/png.js";

const reader = (pc: PC) => (addr: number, len: number) => pc.machine.read(addr, len);

/** The visible text page as lines (trailing spaces trimmed); [] in
 *  graphics modes. */
export function textScreen(pc: PC): string[] { return renderText(reader(pc), pc.vga); }

/** The raw character/attribute bytes of the visible text page. */
export function textScreenRaw(pc: PC): Uint8Array { return renderRaw(reader(pc), pc.vga); }

/** The text page as ANSI-coloured lines, for a terminal. */
export function ansiScreen(pc: PC): string[] { return textScreenAnsi(reader(pc), pc.vga); }

/** A PNG of the screen in any mode (text drawn with the 8×8 font). */
export function screenshotPng(pc: PC): Uint8Array {
  const fb = framebuffer(reader(pc), pc.vga);
  return encodePng(fb.rgba, fb.width, fb.height);
}
