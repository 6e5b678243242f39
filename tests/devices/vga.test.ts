/**
 * vga.test.ts — the VGA register file through its ports: CRTC (cursor,
 * start address, write protection, mono/colour address decoding), input
 * status 1 over virtual time, the attribute controller's flip-flop, the
 * DAC's indices and auto-increment, and the BIOS-side helpers (setMode,
 * resetPalette, CGA palette selection).
 */
import { describe, it, expect, beforeEach } from "vitest";
import { ManualClock, TestBus } from "../../src/pc/device.js";
import {
  Vga, beamAt, defaultVgaPalette, FRAME_HZ, RETRACE_NS, VGA_MODES,
} from "../../src/pc/devices/vga.js";

let clock: ManualClock;
let bus: TestBus;
let vga: Vga;

beforeEach(() => {
  clock = new ManualClock();
  bus = new TestBus();
  vga = new Vga(clock);
  vga.attach(bus);
});

const crtcWrite = (i: number, v: number, base = 0x3d4): void => { bus.outb(base, i); bus.outb(base + 1, v); };
const crtcRead = (i: number, base = 0x3d4): number => { bus.outb(base, i); return bus.inb(base + 1); };
const rgb = (dac: Uint8Array, i: number): number[] => Array.from(dac.subarray(i * 3, i * 3 + 3));

describe("ports", () => {
  it("claims the VGA's ports and nothing of the CGA's", () => {
    const ports = [...bus.handlers.keys()].sort((a, b) => a - b);
    const expected = [0x3b4, 0x3b5, 0x3ba, ...Array.from({ length: 16 }, (_, i) => 0x3c0 + i), 0x3d4, 0x3d5, 0x3da];
    expect(ports).toEqual(expected);
  });
});

describe("CRTC", () => {
  it("takes the cursor location through 0Eh/0Fh and reads it back", () => {
    crtcWrite(0x0e, 0x01);
    crtcWrite(0x0f, 0x23);
    expect(vga.cursorLocation).toBe(0x123);
    expect(crtcRead(0x0e)).toBe(0x01);
    expect(crtcRead(0x0f)).toBe(0x23);
    expect(bus.inb(0x3d4)).toBe(0x0f); // the index register reads back
  });

  it("takes the cursor shape from 0Ah/0Bh, bit 5 of 0Ah switching it off", () => {
    crtcWrite(0x0a, 0x06);
    crtcWrite(0x0b, 0x07);
    expect([vga.cursorStart, vga.cursorEnd, vga.cursorDisabled]).toEqual([6, 7, false]);
    crtcWrite(0x0a, 0x26);
    expect([vga.cursorStart, vga.cursorDisabled]).toEqual([6, true]);
    vga.cursorDisabled = false;
    expect(crtcRead(0x0a)).toBe(0x06);
  });

  it("takes the start address from 0Ch/0Dh", () => {
    crtcWrite(0x0c, 0x08);
    crtcWrite(0x0d, 0x00);
    expect(vga.startAddress).toBe(0x800);
  });

  it("splits a word OUT into index and data, as `out dx, ax` does", () => {
    bus.handlers.get(0x3d4)!.write!(0x3d4, 2, 0x340e); // index 0Eh, data 34h
    expect(vga.crtc[0x0e]).toBe(0x34);
    expect(bus.handlers.get(0x3d4)!.read!(0x3d4, 2)).toBe(0x340e);
  });

  it("ignores writes to 00h–07h while 11h bit 7 protects them, except 07h bit 4", () => {
    const before = vga.crtc[0x01];
    crtcWrite(0x11, vga.crtc[0x11] | 0x80);
    crtcWrite(0x01, 0x12);
    expect(vga.crtc[0x01]).toBe(before);
    const r7 = vga.crtc[0x07];
    crtcWrite(0x07, 0xff);
    expect(vga.crtc[0x07]).toBe(r7 | 0x10);
    crtcWrite(0x0e, 0x05); // above 07h: unaffected
    expect(vga.cursorLocation >> 8).toBe(0x05);
  });

  it("answers at 3B4h/3B5h only when the misc register selects mono addresses", () => {
    crtcWrite(0x0f, 0x42, 0x3b4);
    expect(vga.crtc[0x0f]).not.toBe(0x42);
    expect(crtcRead(0x0f, 0x3b4)).toBe(0xff);
    bus.outb(0x3c2, 0x66); // bit 0 clear: mono
    expect(bus.inb(0x3cc)).toBe(0x66);
    crtcWrite(0x0f, 0x42, 0x3b4);
    expect(crtcRead(0x0f, 0x3b4)).toBe(0x42);
    expect(crtcRead(0x0f, 0x3d4)).toBe(0xff);
    vga.setMode(0x03);
    expect(crtcRead(0x0f, 0x3d4)).not.toBe(0xff);
  });

  it("uses the mono addresses after setMode(07h)", () => {
    vga.setMode(0x07);
    crtcWrite(0x0e, 0x07, 0x3b4);
    expect(vga.cursorLocation >> 8).toBe(0x07);
    expect(bus.inb(0x3ba) & ~0x09).toBe(0);
    expect(bus.inb(0x3da)).toBe(0xff);
  });
});

describe("input status 1 (3DAh)", () => {
  it("shows vertical retrace 60 times a virtual second, each ~1.2 ms long", () => {
    let rises = 0, inRetrace = 0, prev = false;
    const step = 10_000; // 10 µs
    for (let t = 0; t < 1e9; t += step) {
      clock.set(t);
      const v = (bus.inb(0x3da) & 0x08) !== 0;
      if (v && !prev) rises++;
      if (v) inRetrace++;
      prev = v;
    }
    expect(rises).toBe(FRAME_HZ);
    expect(inRetrace * step).toBeGreaterThan(FRAME_HZ * RETRACE_NS * 0.95);
    expect(inRetrace * step).toBeLessThan(FRAME_HZ * RETRACE_NS * 1.05);
  });

  it("toggles display-enable at the line rate, and is blanking during retrace", () => {
    let rises = 0, prev = true;
    for (let t = 0; t < 1e9 / FRAME_HZ; t += 1000) { // one frame, 1 µs steps
      clock.set(t);
      const s = bus.inb(0x3da);
      if (s & 0x08) expect(s & 0x01).toBe(1);
      const blank = (s & 0x01) !== 0;
      if (blank && !prev) rises++;
      prev = blank;
    }
    expect(rises).toBeGreaterThan(400); // one per displayed line (480), give or take sampling
    expect(rises).toBeLessThan(520);
  });

  it("is the same function of time on every read (deterministic spinning)", () => {
    const t = 1e9 / FRAME_HZ - RETRACE_NS / 2; // mid-retrace of frame 0
    expect(beamAt(t).vretrace).toBe(true);
    expect(beamAt(t + 1e9 * 1000).vretrace).toBe(true); // 1000 s later, same phase
    expect(beamAt(0).vretrace).toBe(false);
    clock.set(t);
    expect(bus.inb(0x3da) & 0x08).toBe(0x08);
    expect(vga.inputStatus1() & 0x08).toBe(0x08);
  });

  it("resets the attribute controller flip-flop when read", () => {
    bus.outb(0x3c0, 0x02); // index; flip-flop now expects data
    expect(vga.attrFlipFlop).toBe(true);
    bus.inb(0x3da);
    expect(vga.attrFlipFlop).toBe(false);
    bus.outb(0x3c0, 0x25); // so this is an index again, not data for 02h
    expect(vga.attrIndex).toBe(0x05);
    expect(vga.attr[0x02]).toBe(0x02);
  });
});

describe("attribute controller", () => {
  it("alternates index and data on 3C0h and reads back through 3C1h", () => {
    bus.inb(0x3da);
    bus.outb(0x3c0, 0x01);
    bus.outb(0x3c0, 0x3f);
    bus.outb(0x3c0, 0x14);
    bus.outb(0x3c0, 0x0c);
    bus.outb(0x3c0, 0x21); // index 01h with palette address source set
    expect(vga.attr[0x01]).toBe(0x3f);
    expect(vga.attr[0x14]).toBe(0x0c);
    expect(bus.inb(0x3c1)).toBe(0x3f);
    expect(bus.inb(0x3c0)).toBe(0x21);
  });

  it("blanks video while the palette address source bit is clear", () => {
    bus.inb(0x3da);
    bus.outb(0x3c0, 0x10);
    expect(vga.videoEnabled).toBe(false);
    bus.outb(0x3c0, 0x0c);
    bus.outb(0x3c0, 0x20);
    expect(vga.videoEnabled).toBe(true);
  });

  it("stores mode control, overscan, plane enable and colour select", () => {
    const regs: [number, number][] = [[0x10, 0x08], [0x11, 0x05], [0x12, 0x07], [0x14, 0x03]];
    bus.inb(0x3da);
    for (const [i, v] of regs) { bus.outb(0x3c0, i | 0x20); bus.outb(0x3c0, v); }
    for (const [i, v] of regs) { bus.outb(0x3c0, i | 0x20); expect(bus.inb(0x3c1)).toBe(v); bus.outb(0x3c0, 0); }
  });
});

describe("DAC", () => {
  it("writes three components per entry with auto-increment, masked to 6 bits", () => {
    bus.outb(0x3c8, 5);
    for (const v of [1, 2, 3, 0xff, 0x40, 0x3e]) bus.outb(0x3c9, v);
    expect(rgb(vga.dac, 5)).toEqual([1, 2, 3]);
    expect(rgb(vga.dac, 6)).toEqual([0x3f, 0x00, 0x3e]);
    expect(bus.inb(0x3c8)).toBe(7);
  });

  it("reads entries back from the read index with auto-increment", () => {
    bus.outb(0x3c8, 0xff);
    for (const v of [10, 11, 12, 20, 21, 22]) bus.outb(0x3c9, v); // FFh, then wraps to 00h
    expect(rgb(vga.dac, 0)).toEqual([20, 21, 22]);
    bus.outb(0x3c7, 0xff);
    expect(bus.inb(0x3c7)).toBe(0x03); // read mode
    expect(Array.from({ length: 6 }, () => bus.inb(0x3c9))).toEqual([10, 11, 12, 20, 21, 22]);
    bus.outb(0x3c8, 0);
    expect(bus.inb(0x3c7)).toBe(0x00); // write mode
  });

  it("commits an entry only when its third component arrives", () => {
    const before = rgb(vga.dac, 9);
    bus.outb(0x3c8, 9);
    bus.outb(0x3c9, 0x11);
    bus.outb(0x3c9, 0x12);
    expect(rgb(vga.dac, 9)).toEqual(before);
    bus.outb(0x3c9, 0x13);
    expect(rgb(vga.dac, 9)).toEqual([0x11, 0x12, 0x13]);
  });

  it("keeps the pel mask", () => {
    expect(bus.inb(0x3c6)).toBe(0xff);
    bus.outb(0x3c6, 0x0f);
    expect(vga.pelMask).toBe(0x0f);
    expect(bus.inb(0x3c6)).toBe(0x0f);
  });
});

describe("sequencer, graphics controller, misc", () => {
  it("stores index/data pairs", () => {
    bus.outb(0x3c4, 0x02); bus.outb(0x3c5, 0x0f);
    bus.outb(0x3ce, 0x05); bus.outb(0x3cf, 0x40);
    expect(vga.seq[2]).toBe(0x0f);
    expect(vga.gc[5]).toBe(0x40);
    bus.outb(0x3c4, 0x02);
    expect(bus.inb(0x3c5)).toBe(0x0f);
    bus.outb(0x3ce, 0x05);
    expect(bus.inb(0x3cf)).toBe(0x40);
    bus.outb(0x3c2, 0xe3);
    expect(bus.inb(0x3cc)).toBe(0xe3);
  });
});

describe("modes and palettes", () => {
  it("powers up in mode 03h with the EGA palette behind the text colours", () => {
    expect(vga.mode).toBe(0x03);
    expect(vga.attr[0x06]).toBe(0x14);
    expect(rgb(vga.dac, 0x14)).toEqual([0x2a, 0x15, 0x00]); // brown
    expect(rgb(vga.dac, 0x3f)).toEqual([0x3f, 0x3f, 0x3f]);
    expect(rgb(vga.dac, 0x40)).toEqual([0, 0, 0]);
    expect(vga.crtc[0x01]).toBe(0x4f); // 80 columns
  });

  it("loads the 256-colour default palette for mode 13h", () => {
    vga.mode = 0x13; // assignment programs the mode
    expect(vga.gc[5]).toBe(0x40);
    expect(vga.attr[0x10]).toBe(0x41);
    expect(vga.dac).toEqual(defaultVgaPalette());
    const cases: [number, number[]][] = [
      [0x01, [0, 0, 0x2a]], [0x06, [0x2a, 0x15, 0]], [0x0e, [0x3f, 0x3f, 0x15]], [0x0f, [0x3f, 0x3f, 0x3f]],
      [0x10, [0, 0, 0]], [0x16, [0x14, 0x14, 0x14]], [0x17, [0x18, 0x18, 0x18]], [0x1f, [0x3f, 0x3f, 0x3f]],
      [0x20, [0, 0, 0x3f]], [0x24, [0x3f, 0, 0x3f]], [0x28, [0x3f, 0, 0]], [0x2c, [0x3f, 0x3f, 0]],
      [0x30, [0, 0x3f, 0]], [0x34, [0, 0x3f, 0x3f]], [0x37, [0, 0x10, 0x3f]], [0x38, [0x1f, 0x1f, 0x3f]],
      [0x50, [0x2d, 0x2d, 0x3f]], [0x68, [0, 0, 0x1c]], [0xb0, [0, 0, 0x10]], [0xf7, [0x0b, 0x0c, 0x10]],
      [0xf8, [0, 0, 0]], [0xff, [0, 0, 0]],
    ];
    for (const [i, c] of cases) expect([i, rgb(vga.dac, i)]).toEqual([i, c]);
  });

  it("sets up CGA mode 04h with palette 1 at high intensity, and switches palettes", () => {
    vga.setMode(0x04);
    expect([vga.attr[1], vga.attr[2], vga.attr[3]]).toEqual([0x13, 0x15, 0x17]);
    expect(rgb(vga.dac, 0x13)).toEqual([0x15, 0x3f, 0x3f]); // bright cyan
    expect(rgb(vga.dac, 0x06)).toEqual([0x2a, 0x15, 0x00]); // brown, CGA-style
    vga.cgaSelectPalette(0);
    expect([vga.attr[1], vga.attr[2], vga.attr[3]]).toEqual([0x12, 0x14, 0x16]);
    vga.cgaSetBackground(0x01); // blue background, intensity off
    expect([vga.attr[0], vga.attr[1], vga.attr[3]]).toEqual([0x01, 0x02, 0x06]);
    vga.cgaSetBackground(0x19); // light blue: intensity bit moves to DAC bit 4
    expect([vga.attr[0], vga.attr[1]]).toEqual([0x11, 0x12]);
  });

  it("gives mode 06h white on black and mode 07h the mono ramp", () => {
    vga.setMode(0x06);
    expect(vga.attr[1]).toBe(0x17);
    expect(rgb(vga.dac, 0x17)).toEqual([0x3f, 0x3f, 0x3f]);
    vga.setMode(0x07);
    expect(rgb(vga.dac, 0x08)).toEqual([0x2a, 0x2a, 0x2a]);
    expect(rgb(vga.dac, 0x18)).toEqual([0x3f, 0x3f, 0x3f]);
    expect(vga.misc & 1).toBe(0);
  });

  it("resetPalette restores colours a program changed, and setMode can keep the DAC", () => {
    vga.setMode(0x13);
    bus.outb(0x3c8, 0x20);
    for (let i = 0; i < 3; i++) bus.outb(0x3c9, 0x3f);
    bus.outb(0x3c6, 0x0f);
    expect(rgb(vga.dac, 0x20)).toEqual([0x3f, 0x3f, 0x3f]);
    vga.setMode(0x13, { loadPalette: false });
    expect(rgb(vga.dac, 0x20)).toEqual([0x3f, 0x3f, 0x3f]);
    expect(vga.pelMask).toBe(0x0f);
    vga.resetPalette(0x13);
    expect(rgb(vga.dac, 0x20)).toEqual([0, 0, 0x3f]);
    expect(vga.pelMask).toBe(0xff);
  });

  it("knows the standard modes and refuses others", () => {
    expect(VGA_MODES).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13]);
    expect(() => vga.setMode(0x08)).toThrow(RangeError);
    expect(() => vga.resetPalette(0x6a)).toThrow(RangeError);
  });

  it("offers the BIOS cursor, DAC and glyph calls, emulating CGA cursor shapes", () => {
    vga.setCursor(3 * 80 + 4);
    expect(vga.cursorLocation).toBe(244);
    vga.setCursorShape(6, 7); // the BIOS default, scaled to the 16-line cell
    expect([vga.cursorStart, vga.cursorEnd]).toEqual([14, 15]);
    vga.setCursorShape(0, 7); // full block
    expect([vga.cursorStart, vga.cursorEnd]).toEqual([1, 15]);
    vga.setCursorShape(0x0b, 0x0c); // already in 16-line terms: left alone
    expect([vga.cursorStart, vga.cursorEnd]).toEqual([0x0b, 0x0c]);
    vga.setCursorShape(0x20, 0x07); // bit 5: cursor off
    expect(vga.cursorDisabled).toBe(true);
    vga.setMode(0x04);
    vga.setCursorShape(6, 7); // 8-line cells: verbatim
    expect([vga.cursorStart, vga.cursorEnd, vga.cursorDisabled]).toEqual([6, 7, false]);
    vga.setDac(0x42, 0x41, 0x3f, 0x01);
    expect(vga.getDac(0x42)).toEqual([0x01, 0x3f, 0x01]);
    bus.outb(0x3c7, 0x42);
    expect([bus.inb(0x3c9), bus.inb(0x3c9), bus.inb(0x3c9)]).toEqual([0x01, 0x3f, 0x01]);
    expect(Array.from(vga.glyph(0xdb))).toEqual(Array(8).fill(0xff));
    expect(vga.glyph(0x41).some((b) => b !== 0)).toBe(true);
  });

  it("reset() returns to mode 03h", () => {
    vga.setMode(0x13);
    bus.outb(0x3c0, 0x01);
    vga.reset();
    expect(vga.mode).toBe(0x03);
    expect(vga.attrFlipFlop).toBe(false);
    expect(vga.gc[6]).toBe(0x0e);
  });
});
