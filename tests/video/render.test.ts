/**
 * render.test.ts — the renderers over a fake 1 MiB guest memory and a real
 * Vga: text pages as plain text (CP437 mapped), raw bytes and ANSI; text,
 * CGA and mode 13h framebuffers through the attribute palette and DAC;
 * geometry and cursor taken from the CRTC; the 8×8 font.
 */
import { describe, it, expect, beforeEach } from "vitest";
import { ManualClock, TestBus } from "../../src/pc/device.js";
import { Vga } from "../../src/pc/devices/vga.js";
import {
  CP437, textScreen, textScreenRaw, textScreenAnsi, framebuffer, textGeometry, cursorInfo,
  memoryModel, previewAnsi, type Framebuffer,
} from "../../src/pc/video/render.js";
import { FONT8X8 } from "../../src/pc/video/font8x8.js";

let mem: Uint8Array;
let vga: Vga;
let bus: TestBus;
const read = (addr: number, len: number): Uint8Array => mem.slice(addr, addr + len);

beforeEach(() => {
  mem = new Uint8Array(0x100000);
  vga = new Vga(new ManualClock());
  bus = new TestBus();
  vga.attach(bus);
});

/** Text at (row, col) of a colour text page at B8000 (80 columns). */
function put(row: number, col: number, bytes: number[] | string, attr = 0x07, cols = 80, base = 0xb8000): void {
  const codes = typeof bytes === "string" ? [...bytes].map((c) => c.charCodeAt(0)) : bytes;
  codes.forEach((ch, i) => { mem[base + (row * cols + col + i) * 2] = ch; mem[base + (row * cols + col + i) * 2 + 1] = attr; });
}
const pixel = (fb: Framebuffer, x: number, y: number): number[] =>
  Array.from(fb.rgba.subarray((y * fb.width + x) * 4, (y * fb.width + x) * 4 + 4));

describe("CP437", () => {
  it("maps all 256 bytes to one character each, as the PC draws them", () => {
    expect(CP437).toHaveLength(256);
    for (const s of CP437) expect([...s]).toHaveLength(1);
    expect(new Set(CP437).size).toBe(255); // only 00h and 20h share (space)
    const spot: [number, string][] = [
      [0x01, "☺"], [0x02, "☻"], [0x03, "♥"], [0x0f, "☼"], [0x1f, "▼"], [0x41, "A"], [0x7e, "~"], [0x7f, "⌂"],
      [0x80, "Ç"], [0x9e, "₧"], [0xa8, "¿"], [0xb0, "░"], [0xb3, "│"], [0xc4, "─"], [0xc9, "╔"], [0xce, "╬"],
      [0xda, "┌"], [0xdb, "█"], [0xdf, "▀"], [0xe0, "α"], [0xe1, "ß"], [0xe6, "µ"], [0xfb, "√"], [0xfe, "■"],
      [0xff, "\u00a0"],
    ];
    for (const [b, s] of spot) expect([b, CP437[b]]).toEqual([b, s]);
  });
});

describe("text screen", () => {
  it("reads the page as lines, maps CP437, trims trailing spaces", () => {
    put(0, 0, "Hello, world   ");
    put(1, 0, [0xc9, 0xcd, 0xbb, 0x20, 0x01, 0x00, 0x03]);
    put(3, 78, "!?");
    const lines = textScreen(read, vga);
    expect(lines).toHaveLength(25);
    expect(lines[0]).toBe("Hello, world");
    expect(lines[1]).toBe("╔═╗ ☺ ♥");
    expect(lines[2]).toBe("");
    expect(lines[3]).toBe(" ".repeat(78) + "!?");
    expect(textScreen(read, vga, { trimTrailingLines: true })).toHaveLength(4);
  });

  it("gives the raw char/attribute bytes of the visible page", () => {
    put(0, 0, "AB", 0x1e);
    put(24, 79, "Z", 0x70);
    const raw = textScreenRaw(read, vga);
    expect(raw).toHaveLength(80 * 25 * 2);
    expect(Array.from(raw.subarray(0, 4))).toEqual([0x41, 0x1e, 0x42, 0x1e]);
    expect(Array.from(raw.subarray(raw.length - 2))).toEqual([0x5a, 0x70]);
  });

  it("shows the page at the CRTC start address", () => {
    mem.set([0x50, 0x07], 0xb8000 + 0x1000); // page 1 of mode 03h
    put(1, 0, "row one");
    vga.startAddress = 0x800;
    expect(textScreen(read, vga)[0]).toBe("P");
    vga.startAddress = 80;
    expect(textScreen(read, vga)[0]).toBe("row one");
  });

  it("follows the CRTC in 40-column and 80×50 layouts", () => {
    vga.setMode(0x01);
    put(1, 0, "forty", 0x07, 40);
    let lines = textScreen(read, vga);
    expect(lines).toHaveLength(25);
    expect(lines[1]).toBe("forty");
    expect(textGeometry(vga)).toMatchObject({ cols: 40, rows: 25, charHeight: 16, stride: 40 });
    vga.setMode(0x03);
    vga.crtc[0x09] = (vga.crtc[0x09] & 0xe0) | 7; // 8-line characters, as int 10h AX=1112h
    put(49, 0, "last");
    lines = textScreen(read, vga);
    expect(lines).toHaveLength(50);
    expect(lines[49]).toBe("last");
  });

  it("reads mode 07h from B0000", () => {
    vga.setMode(0x07);
    put(0, 0, "mono", 0x07, 80, 0xb0000);
    put(0, 0, "colour");
    expect(textScreen(read, vga)[0]).toBe("mono");
  });

  it("has no text in graphics modes", () => {
    vga.setMode(0x13);
    expect(textScreen(read, vga)).toEqual([]);
    expect(textScreenRaw(read, vga)).toHaveLength(0);
    expect(textScreenAnsi(read, vga)).toEqual([]);
  });
});

describe("cursor", () => {
  it("comes from CRTC 0Eh/0Fh relative to the start address, shape from 0Ah/0Bh", () => {
    vga.cursorLocation = 2 * 80 + 5;
    expect(cursorInfo(vga)).toEqual({ row: 2, col: 5, visible: true, start: 0x0d, end: 0x0e });
    vga.startAddress = 80;
    expect(cursorInfo(vga)).toMatchObject({ row: 1, col: 5 });
    vga.cursorDisabled = true;
    expect(cursorInfo(vga).visible).toBe(false);
    vga.cursorDisabled = false;
    vga.cursorLocation = 79; // above the display start: off screen
    expect(cursorInfo(vga).visible).toBe(false);
  });
});

describe("ANSI", () => {
  it("emits an SGR per attribute run with the 16 colours in ANSI order", () => {
    put(0, 0, "AB", 0x1e); // yellow on blue
    put(0, 2, "C", 0x04); // red on black
    put(0, 3, " ".repeat(77), 0x07);
    const line = textScreenAnsi(read, vga)[0];
    expect(line.startsWith("\x1b[0;93;44mAB\x1b[0;31;40mC\x1b[0;37;40m ")).toBe(true);
    expect(line.endsWith(" \x1b[0m")).toBe(true);
    expect(line.match(/\x1b\[/g)).toHaveLength(4);
  });

  it("handles blink per option, and bit 7 as bright background when blinking is off", () => {
    put(0, 0, "X", 0x9f); // blink, blue background, bright white
    const first = (opts?: Parameters<typeof textScreenAnsi>[2]): string => textScreenAnsi(read, vga, opts)[0];
    expect(first()).toMatch(/^\x1b\[0;97;44mX\x1b/);
    expect(first({ blink: "sgr" })).toMatch(/^\x1b\[0;97;44;5mX\x1b/);
    expect(first({ blink: "bright" })).toMatch(/^\x1b\[0;97;104mX\x1b/);
    vga.attr[0x10] &= ~0x08; // int 10h AX=1003h BL=0
    expect(first()).toMatch(/^\x1b\[0;97;104mX\x1b/);
  });

  it("renders truecolor through the palette the program set", () => {
    put(0, 0, "Q", 0x01);
    put(0, 1, " ", 0x07);
    bus.outb(0x3c8, vga.attr[1]);
    for (const v of [0x3f, 0x20, 0x00]) bus.outb(0x3c9, v);
    expect(textScreenAnsi(read, vga, { colors: "truecolor" })[0]
      .startsWith("\x1b[0;38;2;255;130;0;48;2;0;0;0mQ\x1b[0;38;2;170;170;170;48;2;0;0;0m ")).toBe(true);
  });

  it("maps mono attributes (reverse, underline)", () => {
    vga.setMode(0x07);
    put(0, 0, "R", 0x70, 80, 0xb0000);
    put(0, 1, "U", 0x01, 80, 0xb0000);
    const line = textScreenAnsi(read, vga)[0];
    expect(line.startsWith("\x1b[0;30;47mR\x1b[0;37;40;4mU")).toBe(true);
  });
});

describe("framebuffer: text", () => {
  it("draws cells with the font and the attribute colours at 640×400", () => {
    put(0, 0, [0xdb], 0x04); // full block, red
    put(0, 1, [0xdb], 0x06); // brown via palette register 6 = 14h
    put(0, 2, " ", 0x10); // blue background
    const fb = framebuffer(read, vga, { cursor: false });
    expect([fb.width, fb.height, fb.supported]).toEqual([640, 400, true]);
    expect(pixel(fb, 0, 0)).toEqual([170, 0, 0, 255]);
    expect(pixel(fb, 7, 15)).toEqual([170, 0, 0, 255]);
    expect(pixel(fb, 8, 0)).toEqual([170, 85, 0, 255]);
    expect(pixel(fb, 16, 0)).toEqual([0, 0, 170, 255]);
    expect(pixel(fb, 24, 0)).toEqual([0, 0, 0, 255]);
  });

  it("stretches the 8×8 glyph rows to the 16-line cell", () => {
    put(0, 0, "A", 0x0f);
    const fb = framebuffer(read, vga, { cursor: false });
    for (let y = 0; y < 16; y++) {
      const bits = FONT8X8[0x41 * 8 + (y >> 1)];
      for (let x = 0; x < 8; x++) {
        expect(pixel(fb, x, y)[0]).toBe((bits << x) & 0x80 ? 255 : 0);
      }
    }
  });

  it("draws the cursor on its scan lines in the cell's foreground colour", () => {
    put(0, 1, " ", 0x02);
    vga.cursorLocation = 1;
    let fb = framebuffer(read, vga);
    expect(pixel(fb, 8, 13)).toEqual([0, 170, 0, 255]);
    expect(pixel(fb, 8, 14)).toEqual([0, 170, 0, 255]);
    expect(pixel(fb, 8, 12)).toEqual([0, 0, 0, 255]);
    fb = framebuffer(read, vga, { cursor: false });
    expect(pixel(fb, 8, 13)).toEqual([0, 0, 0, 255]);
  });

  it("shows the overscan colour while the attribute controller has video off", () => {
    put(0, 0, [0xdb], 0x0f);
    bus.inb(0x3da);
    bus.outb(0x3c0, 0x11); // index 11h, palette address source clear
    bus.outb(0x3c0, 0x01); // overscan = DAC 1 (blue)
    expect(pixel(framebuffer(read, vga), 0, 0)).toEqual([0, 0, 170, 255]);
  });
});

describe("framebuffer: graphics", () => {
  it("draws mode 13h through the DAC and pel mask", () => {
    vga.setMode(0x13);
    mem[0xa0000 + 10 * 320 + 7] = 0x28;
    mem[0xa0000 + 199 * 320 + 319] = 0x80;
    bus.outb(0x3c8, 0x80);
    for (const v of [0x3f, 0x20, 0x00]) bus.outb(0x3c9, v);
    let fb = framebuffer(read, vga);
    expect([fb.width, fb.height]).toEqual([320, 200]);
    expect(memoryModel(vga)).toBe("packed");
    expect(pixel(fb, 7, 10)).toEqual([255, 0, 0, 255]);
    expect(pixel(fb, 319, 199)).toEqual([255, 130, 0, 255]);
    expect(pixel(fb, 0, 0)).toEqual([0, 0, 0, 255]);
    vga.pelMask = 0x0f; // 28h → entry 08h (dark grey)
    fb = framebuffer(read, vga);
    expect(pixel(fb, 7, 10)).toEqual([85, 85, 85, 255]);
  });

  it("scrolls mode 13h by four pixels per start-address step", () => {
    vga.setMode(0x13);
    mem[0xa0000 + 8] = 0x0f;
    vga.startAddress = 2;
    expect(pixel(framebuffer(read, vga), 0, 0)).toEqual([255, 255, 255, 255]);
  });

  it("interleaves CGA 04h rows: even rows at B8000, odd rows at BA000", () => {
    vga.setMode(0x04);
    mem[0xb8000] = 0b01_10_11_00; // row 0: cyan, magenta, white, background
    mem[0xba000] = 0b11_00_00_00; // row 1: white first
    mem[0xb8000 + 80] = 0b10_00_00_00; // row 2: magenta first
    const fb = framebuffer(read, vga);
    expect([fb.width, fb.height]).toEqual([320, 200]);
    expect(pixel(fb, 0, 0)).toEqual([85, 255, 255, 255]);
    expect(pixel(fb, 1, 0)).toEqual([255, 85, 255, 255]);
    expect(pixel(fb, 2, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(fb, 3, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(fb, 0, 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(fb, 1, 1)).toEqual([0, 0, 0, 255]);
    expect(pixel(fb, 0, 2)).toEqual([255, 85, 255, 255]);
  });

  it("follows CGA palette and background changes", () => {
    vga.setMode(0x04);
    mem[0xb8000] = 0b01_00_00_00;
    vga.cgaSelectPalette(0);
    vga.cgaSetBackground(0x01);
    const fb = framebuffer(read, vga);
    expect(pixel(fb, 0, 0)).toEqual([0, 170, 0, 255]); // green, low intensity
    expect(pixel(fb, 1, 0)).toEqual([0, 0, 170, 255]); // blue background
  });

  it("draws CGA 06h at 640×200, one bit a pixel, MSB first", () => {
    vga.setMode(0x06);
    mem[0xb8000] = 0x81;
    mem[0xba000 + 79] = 0x01;
    const fb = framebuffer(read, vga);
    expect([fb.width, fb.height]).toEqual([640, 200]);
    expect(pixel(fb, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(fb, 1, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(fb, 7, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(fb, 639, 1)).toEqual([255, 255, 255, 255]);
  });

  it("reports planar modes as unsupported, black at their size", () => {
    vga.setMode(0x12);
    mem.fill(0xff, 0xa0000, 0xb0000);
    const fb = framebuffer(read, vga);
    expect([fb.width, fb.height, fb.supported]).toEqual([640, 480, false]);
    expect(pixel(fb, 100, 100)).toEqual([0, 0, 0, 255]);
  });
});

describe("previewAnsi", () => {
  it("packs two pixel rows per character with 24-bit colours", () => {
    vga.setMode(0x13);
    mem[0xa0000] = 0x04; // red top-left, black below it
    const lines = previewAnsi(framebuffer(read, vga), 80, 25);
    expect(lines).toHaveLength(25);
    expect(lines[0].startsWith("\x1b[38;2;170;0;0;48;2;0;0;0m▀")).toBe(true);
    expect(lines[0].match(/▀/g)).toHaveLength(80);
  });
});

describe("font", () => {
  it("is 2 KiB with blank space, solid █ and box lines reaching the cell edges", () => {
    expect(FONT8X8).toHaveLength(2048);
    const glyph = (c: number): number[] => Array.from(FONT8X8.subarray(c * 8, c * 8 + 8));
    expect(glyph(0x20)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(glyph(0xdb)).toEqual(Array(8).fill(0xff));
    expect(glyph(0xb3)).toEqual(Array(8).fill(0x18)); // │
    expect(glyph(0xc4)[3]).toBe(0xff); // ─
    expect(glyph(0xba)).toEqual(Array(8).fill(0x36)); // ║
    expect(glyph(0xc9)).toEqual([0x00, 0x00, 0x3f, 0x30, 0x37, 0x36, 0x36, 0x36]); // ╔
    for (let c = 0x21; c <= 0x7e; c++) expect(glyph(c).some((b) => b !== 0)).toBe(true);
    const distinct = new Set(Array.from({ length: 95 }, (_, i) => glyph(0x20 + i).join(",")));
    expect(distinct.size).toBe(95);
  });
});
