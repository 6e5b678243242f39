/**
 * vga.ts — the VGA as the guest's I/O ports see it, including the CGA-
 * compatible modes a VGA BIOS provides.
 *
 * It is: the register file of an IBM VGA — CRTC (3D4h/3D5h, or 3B4h/3B5h
 * when the misc output register selects mono addressing), sequencer,
 * graphics controller, attribute controller with its index/data flip-flop,
 * misc output, the DAC (pel mask, read/write index, 6-bit components) and
 * input status 1 (3DAh/3BAh), whose retrace and display-enable bits are pure
 * functions of virtual time so a program spinning on them progresses the
 * same way on every run. `setMode()` loads the standard register tables and
 * palettes a VGA BIOS loads for modes 00h–07h, 0Dh–12h and 13h, so the
 * renderers (../video/render.ts) can read the geometry from the CRTC as the
 * hardware would. It also offers the BIOS's side (the VideoHardware
 * interface of ../bios/video.ts): setCursor, setCursorShape, setDac,
 * getDac, glyph.
 *
 * It is not: video memory. There is no planar memory, no latches, no
 * write modes: text, CGA and mode 13h screens are read straight from guest
 * RAM at B8000/B0000/A0000 by the renderers, so planar modes (0Dh–12h) can
 * be set but not shown. It has no CGA registers (3D8h/3D9h: a VGA ignores
 * them too; the BIOS emulates CGA palettes through the attribute
 * controller, see cgaSetBackground/cgaSelectPalette), no vertical retrace
 * interrupt, no font RAM (see ../video/font8x8.ts).
 */
import type { Clock, Device, PortBus } from "../device.js";
import type { PortHandler } from "../../machine.js";
import { FONT8X8 } from "../video/font8x8.js";

/** Frame rate of the modelled display (a 60 Hz monitor). */
export const FRAME_HZ = 60;
/** Length of the vertical retrace pulse at the end of every frame. */
export const RETRACE_NS = 1_200_000;
/** Scan lines per frame (of which {@link ACTIVE_LINES} are displayed). */
export const LINES_PER_FRAME = 525;
/** Displayed scan lines; the rest of the frame is vertical blanking. */
export const ACTIVE_LINES = 480;

const NS_PER_S = 1_000_000_000;
// Phases are kept in units of 1/FRAME_HZ ns so a second holds exactly
// FRAME_HZ·10⁹ of them and every product below stays an exact integer.
const FRAME_UNITS = NS_PER_S;
const RETRACE_UNITS = RETRACE_NS * FRAME_HZ;
/** Fraction of each scan line that is displayed (640 of 800 dot clocks). */
const HACTIVE_UNITS = (FRAME_UNITS * 640) / 800;

/** The display's beam state at a virtual time, as input status 1 reports it. */
export interface BeamState {
  /** In vertical retrace (status bit 3). */
  vretrace: boolean;
  /** Not displaying: in horizontal or vertical blanking (status bit 0). */
  blanking: boolean;
}

/** Beam state at virtual time `ns`: frames start at t = 0 with the first
 *  displayed line; the last RETRACE_NS of each frame is vertical retrace. */
export function beamAt(ns: number): BeamState {
  const t = Math.max(0, Math.floor(ns));
  const r = t % NS_PER_S;
  const phase = (r * FRAME_HZ) % FRAME_UNITS;
  const lineUnits = phase * LINES_PER_FRAME;
  const line = Math.floor(lineUnits / FRAME_UNITS);
  const inLine = lineUnits - line * FRAME_UNITS;
  return {
    vretrace: phase >= FRAME_UNITS - RETRACE_UNITS,
    blanking: line >= ACTIVE_LINES || inLine >= HACTIVE_UNITS,
  };
}

/** What the renderers read; {@link Vga} implements it. Registers hold
 *  what the guest (or setMode) wrote, DAC entries are 6-bit. */
export interface VgaState {
  /** BIOS video mode number last set with setMode (00h–13h). */
  readonly mode: number;
  readonly crtc: Uint8Array;
  readonly seq: Uint8Array;
  readonly gc: Uint8Array;
  /** Attribute controller registers 00h–14h. */
  readonly attr: Uint8Array;
  /** 256 entries of r, g, b (0–63). */
  readonly dac: Uint8Array;
  readonly pelMask: number;
  /** Attribute controller "palette address source": false blanks the
   *  screen to the overscan colour, as when a program leaves it clear. */
  readonly videoEnabled: boolean;
}

/** Options for {@link Vga.setMode}. */
export interface SetModeOptions {
  /** Load the mode's DAC palette and pel mask (default true; int 10h
   *  AX=1200h BL=31h "default palette loading disabled" clears it). */
  loadPalette?: boolean;
}

// ---- Standard register tables (the values every VGA BIOS loads) ----

interface ModeRegs { seq: number[]; misc: number; crtc: number[]; attr: number[]; gc: number[]; dac: () => Uint8Array }

const H = (s: string): number[] => s.trim().split(/\s+/).map((x) => parseInt(x, 16));
const CRTC_40 = H("2d 27 28 90 2b a0 bf 1f 00 4f 0d 0e 00 00 00 00 9c 8e 8f 14 1f 96 b9 a3 ff");
const CRTC_80 = H("5f 4f 50 82 55 81 bf 1f 00 4f 0d 0e 00 00 00 00 9c 8e 8f 28 1f 96 b9 a3 ff");
const CRTC_04 = H("2d 27 28 90 2b 80 bf 1f 00 c1 00 00 00 00 00 00 9c 8e 8f 14 00 96 b9 a2 ff");
const CRTC_06 = H("5f 4f 50 82 54 80 bf 1f 00 c1 00 00 00 00 00 00 9c 8e 8f 28 00 96 b9 c2 ff");
const CRTC_07 = H("5f 4f 50 82 55 81 bf 1f 00 4f 0d 0e 00 00 00 00 9c 8e 8f 28 0f 96 b9 a3 ff");
const CRTC_0D = H("2d 27 28 90 2b 80 bf 1f 00 c0 00 00 00 00 00 00 9c 8e 8f 14 00 96 b9 e3 ff");
const CRTC_0E = H("5f 4f 50 82 54 80 bf 1f 00 c0 00 00 00 00 00 00 9c 8e 8f 28 00 96 b9 e3 ff");
const CRTC_0F = H("5f 4f 50 82 54 80 bf 1f 00 40 00 00 00 00 00 00 83 85 5d 28 0f 63 ba e3 ff");
const CRTC_11 = H("5f 4f 50 82 54 80 0b 3e 00 40 00 00 00 00 00 00 ea 8c df 28 00 e7 04 e3 ff");
const CRTC_13 = H("5f 4f 50 82 54 80 bf 1f 00 41 00 00 00 00 00 00 9c 8e 8f 28 40 96 b9 a3 ff");
const ATTR_TEXT = H("00 01 02 03 04 05 14 07 38 39 3a 3b 3c 3d 3e 3f 0c 00 0f 08");
const ATTR_04 = H("00 13 15 17 02 04 06 07 10 11 12 13 14 15 16 17 01 00 03 00");
const ATTR_06 = H("00 17 17 17 17 17 17 17 17 17 17 17 17 17 17 17 01 00 01 00");
const ATTR_07 = H("00 08 08 08 08 08 08 08 10 18 18 18 18 18 18 18 0e 00 0f 08");
const ATTR_0D = H("00 01 02 03 04 05 06 07 10 11 12 13 14 15 16 17 01 00 0f 00");
const ATTR_0F = H("00 08 00 00 18 18 00 00 00 08 00 00 00 18 00 00 01 00 01 00");
const ATTR_10 = H("00 01 02 03 04 05 14 07 38 39 3a 3b 3c 3d 3e 3f 01 00 0f 00");
const ATTR_11 = H("00 3f 00 3f 00 3f 00 3f 00 3f 00 3f 00 3f 00 3f 01 00 0f 00");
const ATTR_13 = H("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 41 00 0f 00");
const GC_TEXT = H("00 00 00 00 00 10 0e 0f ff");
const GC_04 = H("00 00 00 00 00 30 0f 0f ff");
const GC_06 = H("00 00 00 00 00 00 0d 0f ff");
const GC_07 = H("00 00 00 00 00 10 0a 0f ff");
const GC_0D = H("00 00 00 00 00 00 05 0f ff");
const GC_13 = H("00 00 00 00 00 40 05 0f ff");

/** Expands a 64-entry palette generator into 256 DAC entries, black after. */
function dac64(f: (i: number) => [number, number, number]): Uint8Array {
  const out = new Uint8Array(768);
  for (let i = 0; i < 64; i++) out.set(f(i), i * 3);
  return out;
}

/** Mono monitors see only video (bit 3) and intensity (bit 4). */
const monoPalette = (): Uint8Array => dac64((i) => {
  const v = [0, 0x2a, 0x2a, 0x3f][(i >> 3) & 3];
  return [v, v, v];
});

/** 200-line modes drive the monitor in CGA fashion: bits 0–2 are B, G, R
 *  at 2/3, bit 4 adds 1/3 to all three, and colour 6 is brown. */
const cgaPalette = (): Uint8Array => dac64((i) => {
  const k = (i & 0x10) ? 0x15 : 0;
  const c = (bit: number): number => ((i & bit) ? 0x2a : 0) + k;
  const g = (i & 7) === 6 && !(i & 0x10) ? 0x15 : c(2);
  return [c(4), g, c(1)];
});

/** The EGA's 64 colours: bits 0–2 are B, G, R at 2/3; bits 3–5 at 1/3. */
const egaPalette = (): Uint8Array => dac64((i) => {
  const c = (hi: number, lo: number): number => ((i & hi) ? 0x2a : 0) + ((i & lo) ? 0x15 : 0);
  return [c(4, 0x20), c(2, 0x10), c(1, 0x08)];
});

const GREYS = H("00 05 08 0b 0e 11 14 18 1c 20 24 28 2d 32 38 3f");
/** Five levels per hue run for each (intensity, saturation) block. */
const HUE_LEVELS = [
  H("00 10 1f 2f 3f"), H("1f 27 2f 37 3f"), H("2d 31 36 3a 3f"),
  H("00 07 0e 15 1c"), H("0e 11 15 18 1c"), H("14 16 18 1a 1c"),
  H("00 04 08 0c 10"), H("08 0a 0c 0e 10"), H("0b 0c 0d 0f 10"),
];

/**
 * The VGA's default 256-colour palette (what mode 13h starts with): the 16
 * CGA colours, 16 greys, then nine 24-step hue circles (blue → magenta →
 * red → yellow → green → cyan) at three intensities × three saturations,
 * and 8 blacks.
 */
export function defaultVgaPalette(): Uint8Array {
  const out = new Uint8Array(768);
  out.set(cgaPalette().subarray(0, 24), 0);
  out.set(cgaPalette().subarray(48, 72), 24);
  GREYS.forEach((v, i) => out.set([v, v, v], (16 + i) * 3));
  let n = 32;
  for (const s of HUE_LEVELS) {
    // One circle: each 8-step sixth ramps one component up or down.
    for (let step = 0; step < 24; step++) {
      const sixth = Math.floor(step / 4), k = step % 4;
      const up = s[k], down = s[4 - k], lo = s[0], hi = s[4];
      const rgb = [
        [up, lo, hi], [hi, lo, down], [hi, up, lo], [down, hi, lo], [lo, hi, up], [lo, down, hi],
      ][sixth];
      out.set(rgb, n++ * 3);
    }
  }
  return out;
}

const MODES: Record<number, ModeRegs> = {};
{
  const def = (modes: number[], r: ModeRegs): void => { for (const m of modes) MODES[m] = r; };
  const seq40 = H("08 03 00 02"), seq80 = H("00 03 00 02");
  def([0x00, 0x01], { seq: seq40, misc: 0x67, crtc: CRTC_40, attr: ATTR_TEXT, gc: GC_TEXT, dac: egaPalette });
  def([0x02, 0x03], { seq: seq80, misc: 0x67, crtc: CRTC_80, attr: ATTR_TEXT, gc: GC_TEXT, dac: egaPalette });
  def([0x04, 0x05], { seq: H("09 03 00 02"), misc: 0x63, crtc: CRTC_04, attr: ATTR_04, gc: GC_04, dac: cgaPalette });
  def([0x06], { seq: H("01 01 00 06"), misc: 0x63, crtc: CRTC_06, attr: ATTR_06, gc: GC_06, dac: cgaPalette });
  def([0x07], { seq: seq80, misc: 0x66, crtc: CRTC_07, attr: ATTR_07, gc: GC_07, dac: monoPalette });
  def([0x0d], { seq: H("09 0f 00 06"), misc: 0x63, crtc: CRTC_0D, attr: ATTR_0D, gc: GC_0D, dac: cgaPalette });
  def([0x0e], { seq: H("01 0f 00 06"), misc: 0x63, crtc: CRTC_0E, attr: ATTR_0D, gc: GC_0D, dac: cgaPalette });
  def([0x0f], { seq: H("01 0f 00 06"), misc: 0xa3, crtc: CRTC_0F, attr: ATTR_0F, gc: GC_0D, dac: monoPalette });
  def([0x10], { seq: H("01 0f 00 06"), misc: 0xa3, crtc: CRTC_0F, attr: ATTR_10, gc: GC_0D, dac: egaPalette });
  def([0x11], { seq: H("01 0f 00 06"), misc: 0xe3, crtc: CRTC_11, attr: ATTR_11, gc: GC_0D, dac: egaPalette });
  def([0x12], { seq: H("01 0f 00 06"), misc: 0xe3, crtc: CRTC_11, attr: ATTR_10, gc: GC_0D, dac: egaPalette });
  def([0x13], { seq: H("01 0f 00 0e"), misc: 0x63, crtc: CRTC_13, attr: ATTR_13, gc: GC_13, dac: defaultVgaPalette });
}

/** BIOS mode numbers setMode() knows. */
export const VGA_MODES: readonly number[] = Object.keys(MODES).map(Number).sort((a, b) => a - b);

/**
 * The VGA register file. reset() leaves it as the video BIOS's POST does:
 * in mode 03h. The BIOS calls setMode() for int 10h AH=00h (and may poke
 * the public registers for the rest of int 10h); guests reach everything
 * through the ports.
 */
export class Vga implements Device, VgaState {
  readonly name = "vga";
  /** CRTC registers 00h–18h. */
  readonly crtc = new Uint8Array(0x19);
  /** Sequencer registers (00h–04h used). */
  readonly seq = new Uint8Array(8);
  /** Graphics controller registers (00h–08h used). */
  readonly gc = new Uint8Array(16);
  /** Attribute controller: palette 00h–0Fh, mode control 10h, overscan
   *  11h, colour plane enable 12h, horizontal panning 13h, colour select 14h. */
  readonly attr = new Uint8Array(0x15);
  /** DAC: 256 × (r, g, b), 6 bits each. */
  readonly dac = new Uint8Array(768);
  pelMask = 0xff;
  /** Misc output register (3C2h write, 3CCh read). Bit 0 selects colour
   *  (3Dxh) or mono (3Bxh) CRTC and status addresses. */
  misc = 0x67;
  featureControl = 0;
  /** VGA enable register at 3C3h. */
  vgaEnable = 1;
  crtcIndex = 0;
  seqIndex = 0;
  gcIndex = 0;
  /** Attribute index (bits 0–4) as last written to 3C0h. */
  attrIndex = 0;
  /** True when the next 3C0h write is data (reading 3DAh clears it). */
  attrFlipFlop = false;
  videoEnabled = true;
  dacWriteIndex = 0;
  dacReadIndex = 0;
  private dacComponent = 0;
  private dacReading = false;
  private readonly dacLatch = new Uint8Array(3);
  private currentMode = 0x03;

  constructor(private readonly clock: Clock) { this.reset(); }

  /** BIOS video mode number (see {@link VgaState.mode}). Assigning it is
   *  setMode(value): the registers must match the number for rendering. */
  get mode(): number { return this.currentMode; }
  set mode(value: number) { this.setMode(value); }

  attach(bus: PortBus): void {
    const handler: PortHandler = {
      read: (port, size) => size === 2
        ? this.readPort(port) | (this.readPort(port + 1) << 8)
        : this.readPort(port),
      // A word OUT drives the low byte to the port and the high byte to
      // port + 1: the usual `out dx, ax` to an index/data pair.
      write: (port, size, value) => {
        this.writePort(port, value & 0xff);
        if (size === 2) this.writePort(port + 1, (value >> 8) & 0xff);
      },
    };
    bus.registerPort([0x3b4, 0x3b5], handler);
    bus.registerPort(0x3ba, handler);
    bus.registerPort([0x3c0, 0x3cf], handler);
    bus.registerPort([0x3d4, 0x3d5], handler);
    bus.registerPort(0x3da, handler);
  }

  reset(): void {
    this.crtcIndex = this.seqIndex = this.gcIndex = this.attrIndex = 0;
    this.attrFlipFlop = false;
    this.featureControl = 0;
    this.vgaEnable = 1;
    this.dacWriteIndex = this.dacReadIndex = this.dacComponent = 0;
    this.dacReading = false;
    this.setMode(0x03);
  }

  /**
   * Program a BIOS video mode as a VGA BIOS's int 10h AH=00h does: the
   * sequencer, graphics controller, CRTC, attribute controller and misc
   * registers from the standard tables, then (unless disabled) the DAC and
   * pel mask. Video memory is the caller's business (the BIOS clears it).
   * Unknown mode numbers throw.
   */
  setMode(mode: number, options: SetModeOptions = {}): void {
    const r = MODES[mode];
    if (!r) throw new RangeError(`VGA: no such mode ${mode.toString(16)}h`);
    this.currentMode = mode;
    this.attr.fill(0);
    this.attr.set(r.attr);
    this.seq.fill(0);
    this.seq.set([0x03, ...r.seq]);
    this.gc.fill(0);
    this.gc.set(r.gc);
    this.crtc.set(r.crtc);
    this.misc = r.misc;
    this.videoEnabled = true;
    if (options.loadPalette ?? true) {
      this.pelMask = 0xff;
      this.dac.set(r.dac());
    }
  }

  /**
   * Restore the colours of `mode` without touching the rest: the DAC (the
   * 256-colour default for 13h, the CGA-style 64 for 04h–06h and 0Dh/0Eh,
   * the EGA 64 for colour text, the mono ramp for 07h), pel mask, and the
   * attribute palette, overscan and colour select registers.
   */
  resetPalette(mode: number): void {
    const r = MODES[mode];
    if (!r) throw new RangeError(`VGA: no such mode ${mode.toString(16)}h`);
    this.dac.set(r.dac());
    this.pelMask = 0xff;
    this.attr.set(r.attr.slice(0, 16));
    this.attr[0x11] = r.attr[0x11];
    this.attr[0x14] = 0;
  }

  /** int 10h AH=0Bh BH=00h in CGA graphics modes: background colour (bits
   *  0–3) into palette register 0, intensity (bit 4) into registers 1–3. */
  /** int 10h AX=1003h: attribute mode control bit 3 — blink (true) or
   *  bright backgrounds (false) for attribute bit 7. */
  setBlink(on: boolean): void {
    this.attr[0x10] = on ? this.attr[0x10] | 0x08 : this.attr[0x10] & ~0x08;
  }

  cgaSetBackground(color: number): void {
    let c = color & 0x0f;
    if (c & 0x08) c += 0x08; // intensity moves to the DAC's bit 4
    this.attr[0] = c;
    for (let i = 1; i < 4; i++) this.attr[i] = (this.attr[i] & ~0x10) | (color & 0x10);
  }

  /** int 10h AH=0Bh BH=01h: CGA palette 0 (green/red/brown) or 1
   *  (cyan/magenta/white) for pixel values 1–3. */
  cgaSelectPalette(id: number): void {
    for (let i = 1; i < 4; i++) this.attr[i] = (this.attr[i] & ~1) | (id & 1);
  }

  /** Cursor location for the BIOS (same as assigning cursorLocation). */
  setCursor(offset: number): void { this.cursorLocation = offset & 0xffff; }

  /**
   * Cursor shape as int 10h AH=01h gives it (CH = start, bit 5 = off; CL =
   * end), with the VGA BIOS's cursor emulation: shapes meant for the CGA's
   * 8-line cells are scaled to the current character height, the way
   * SeaBIOS does it (so the BIOS default 6–7 becomes 14–15 in a 16-line
   * cell). Use cursorStart/cursorEnd to set the CRTC verbatim.
   */
  setCursorShape(start: number, end: number): void {
    let s = start & 0x3f, e = end & 0x1f;
    const h = (this.crtc[0x09] & 0x1f) + 1;
    if (h > 8 && e < 8 && s < 0x20) {
      s = e !== s + 1 ? Math.floor(((s + 1) * h) / 8) - 1 : Math.floor(((e + 1) * h) / 8) - 2;
      e = Math.floor(((e + 1) * h) / 8) - 1;
    }
    this.crtc[0x0a] = (this.crtc[0x0a] & 0xc0) | s;
    this.crtc[0x0b] = (this.crtc[0x0b] & 0xe0) | e;
  }

  /** Set DAC entry `index` (components masked to 6 bits), for the BIOS. */
  setDac(index: number, r: number, g: number, b: number): void {
    this.dac.set([r & 0x3f, g & 0x3f, b & 0x3f], (index & 0xff) * 3);
  }

  /** DAC entry `index` as [r, g, b], 6 bits each. */
  getDac(index: number): [number, number, number] {
    const i = (index & 0xff) * 3;
    return [this.dac[i], this.dac[i + 1], this.dac[i + 2]];
  }

  /** The 8×8 ROM-font glyph of `ch` (8 bytes, top row first, bit 7 left),
   *  for the BIOS to draw text in graphics modes. */
  glyph(ch: number): Uint8Array { return FONT8X8.subarray((ch & 0xff) * 8, (ch & 0xff) * 8 + 8); }

  /** First scan line of the text cursor (CRTC 0Ah bits 0–4). */
  get cursorStart(): number { return this.crtc[0x0a] & 0x1f; }
  set cursorStart(v: number) { this.crtc[0x0a] = (this.crtc[0x0a] & 0xe0) | (v & 0x1f); }
  /** Last scan line of the text cursor (CRTC 0Bh bits 0–4). */
  get cursorEnd(): number { return this.crtc[0x0b] & 0x1f; }
  set cursorEnd(v: number) { this.crtc[0x0b] = (this.crtc[0x0b] & 0xe0) | (v & 0x1f); }
  /** CRTC 0Ah bit 5: the cursor is switched off. */
  get cursorDisabled(): boolean { return (this.crtc[0x0a] & 0x20) !== 0; }
  set cursorDisabled(v: boolean) { this.crtc[0x0a] = (this.crtc[0x0a] & ~0x20) | (v ? 0x20 : 0); }
  /** Display start address (CRTC 0Ch/0Dh), in character cells for text. */
  get startAddress(): number { return (this.crtc[0x0c] << 8) | this.crtc[0x0d]; }
  set startAddress(v: number) { this.crtc[0x0c] = (v >> 8) & 0xff; this.crtc[0x0d] = v & 0xff; }
  /** Cursor location (CRTC 0Eh/0Fh), in character cells from video RAM's
   *  start (not from the display start). */
  get cursorLocation(): number { return (this.crtc[0x0e] << 8) | this.crtc[0x0f]; }
  set cursorLocation(v: number) { this.crtc[0x0e] = (v >> 8) & 0xff; this.crtc[0x0f] = v & 0xff; }

  /** Input status 1 as a read would return it, without the read's side
   *  effect on the attribute flip-flop. */
  inputStatus1(): number {
    const b = beamAt(this.clock.nowNs());
    return (b.vretrace ? 0x08 : 0) | (b.blanking ? 0x01 : 0);
  }

  /** One byte from a VGA port; ports of the unselected (mono or colour)
   *  CRTC decode nothing and float high, as on the hardware and QEMU. */
  readPort(port: number): number {
    if (this.inactive(port)) return 0xff;
    switch (port) {
      case 0x3b4: case 0x3d4: return this.crtcIndex;
      case 0x3b5: case 0x3d5: return this.crtcIndex < this.crtc.length ? this.crtc[this.crtcIndex] : 0xff;
      case 0x3ba: case 0x3da:
        this.attrFlipFlop = false;
        return this.inputStatus1();
      case 0x3c0: return this.attrIndex | (this.videoEnabled ? 0x20 : 0);
      case 0x3c1: return this.attrIndex < this.attr.length ? this.attr[this.attrIndex] : 0;
      case 0x3c2: return 0; // input status 0: no retrace interrupt pending
      case 0x3c3: return this.vgaEnable;
      case 0x3c4: return this.seqIndex;
      case 0x3c5: return this.seq[this.seqIndex];
      case 0x3c6: return this.pelMask;
      case 0x3c7: return this.dacReading ? 0x03 : 0x00;
      case 0x3c8: return this.dacWriteIndex;
      case 0x3c9: return this.readDac();
      case 0x3ca: return this.featureControl;
      case 0x3cc: return this.misc;
      case 0x3ce: return this.gcIndex;
      case 0x3cf: return this.gc[this.gcIndex];
      default: return 0xff;
    }
  }

  /** One byte to a VGA port. */
  writePort(port: number, v: number): void {
    if (this.inactive(port)) return;
    switch (port) {
      case 0x3b4: case 0x3d4: this.crtcIndex = v; break;
      case 0x3b5: case 0x3d5: this.writeCrtc(this.crtcIndex, v); break;
      case 0x3ba: case 0x3da: this.featureControl = v; break;
      case 0x3c0:
        if (this.attrFlipFlop) {
          if (this.attrIndex < this.attr.length) this.attr[this.attrIndex] = v;
        } else {
          this.attrIndex = v & 0x1f;
          this.videoEnabled = (v & 0x20) !== 0;
        }
        this.attrFlipFlop = !this.attrFlipFlop;
        break;
      case 0x3c2: this.misc = v; break;
      case 0x3c3: this.vgaEnable = v & 1; break;
      case 0x3c4: this.seqIndex = v & 0x07; break;
      case 0x3c5: this.seq[this.seqIndex] = v; break;
      case 0x3c6: this.pelMask = v; break;
      case 0x3c7: this.dacReadIndex = v; this.dacComponent = 0; this.dacReading = true; break;
      case 0x3c8: this.dacWriteIndex = v; this.dacComponent = 0; this.dacReading = false; break;
      case 0x3c9: this.writeDac(v); break;
      case 0x3ce: this.gcIndex = v & 0x0f; break;
      case 0x3cf: this.gc[this.gcIndex] = v; break;
      default: break; // 3C1h (data is written through 3C0h), 3CAh, 3CBh, 3CDh
    }
  }

  private inactive(port: number): boolean {
    const mono = (this.misc & 1) === 0;
    if (port >= 0x3b0 && port <= 0x3bf) return !mono;
    if (port >= 0x3d0 && port <= 0x3df) return mono;
    return false;
  }

  private writeCrtc(index: number, v: number): void {
    if (index >= this.crtc.length) return;
    // CRTC 11h bit 7 protects the horizontal timing and most of 07h, so
    // a mode-setting program that forgot to clear it changes nothing.
    if ((this.crtc[0x11] & 0x80) && index <= 7) {
      if (index !== 7) return;
      v = (this.crtc[7] & ~0x10) | (v & 0x10);
    }
    this.crtc[index] = v;
  }

  // The DAC takes a colour only when its third component arrives, and
  // reads and writes share the r/g/b counter; both as on the hardware.
  private writeDac(v: number): void {
    this.dacLatch[this.dacComponent] = v & 0x3f;
    if (++this.dacComponent === 3) {
      this.dac.set(this.dacLatch, this.dacWriteIndex * 3);
      this.dacComponent = 0;
      this.dacWriteIndex = (this.dacWriteIndex + 1) & 0xff;
    }
  }

  private readDac(): number {
    const v = this.dac[this.dacReadIndex * 3 + this.dacComponent];
    if (++this.dacComponent === 3) {
      this.dacComponent = 0;
      this.dacReadIndex = (this.dacReadIndex + 1) & 0xff;
    }
    return v;
  }
}
