/**
 * console.ts — the DOS console (CON): INT 21h character functions 01h, 02h,
 * 06h–0Ch, the line input that also serves reads from handle 0, and the
 * output used by AH=40h on handles 1/2 and by INT 29h.
 *
 * Input comes from the BIOS keyboard buffer in the BDA (the ring INT 09h
 * fills), read directly rather than through a guest INT 16h call: guest
 * hooks on INT 16h are therefore not seen by DOS input (a deliberate
 * simplification). Output goes to the BIOS teletype (video.ts), with TAB
 * expanded to the next multiple of 8 as DOS's cooked console does.
 *
 * Nothing here blocks the host. A function that needs a key which has not
 * arrived returns "wait"; dos.ts then parks the caller in the DOS wait
 * loop (STI; HLT; retry the call) and the same call runs again after the
 * next interrupt. State that must survive the retry (the line being edited,
 * whether AH=0Ch has already flushed) is kept here.
 *
 * Not implemented: Ctrl-C / Ctrl-Break checking (03h is an ordinary
 * character), the F1–F6 template editing keys of AH=0Ah (ignored), and
 * printer echo (Ctrl-P).
 */
import type { BiosCall } from "../bios/bios.js";
import type { VideoBios } from "../bios/video.js";
import { ACTIVE_PAGE, BDA, KBD_BUFFER_END, KBD_BUFFER_START, KBD_HEAD, KBD_TAIL } from "../bios/bda.js";
import { linear, type GuestMem, type Outcome } from "./common.js";

const BS = 0x08, TAB = 0x09, LF = 0x0a, CR = 0x0d, ESC = 0x1b, BEL = 0x07;

/** A line being typed: the characters and, for each, the cursor column
 *  before it was echoed (so backspace can erase ^X and expanded tabs). */
interface LineEdit { chars: number[]; cols: number[] }

/** The console device (CON) and the INT 21h character functions. */
export class DosConsole {
  /** Scan code still to deliver after a 00h for an extended key. */
  private pendingScan: number | undefined;
  private line: LineEdit | undefined;
  /** The rest of a line typed for handle 0 (3Fh), CR LF included. */
  private stdin: number[] = [];

  /** @param onOutput sees every byte written to the console (before tab
   *  expansion), e.g. to mirror a program's output on the host. */
  constructor(private readonly mem: GuestMem, private readonly video: VideoBios, private readonly onOutput?: (byte: number) => void) {}

  /** Forget typed-ahead input state (a new program is loaded). */
  reset(): void { this.pendingScan = undefined; this.line = undefined; this.stdin = []; }

  // ----------------------------------------------------------- keyboard

  private biosKey(remove: boolean): number | undefined {
    const head = this.mem.u16(KBD_HEAD);
    if (head === this.mem.u16(KBD_TAIL)) return undefined;
    const key = this.mem.u16(BDA + head);
    if (remove) this.mem.set16(KBD_HEAD, head + 2 >= KBD_BUFFER_END ? KBD_BUFFER_START : head + 2);
    return key;
  }

  /** True when a character can be read without waiting. */
  get hasInput(): boolean { return this.pendingScan !== undefined || this.biosKey(false) !== undefined; }

  /** One character as DOS delivers it: ASCII, or 00h followed (on the next
   *  read) by the scan code for keys without ASCII (F1, arrows — including
   *  the grey E0h keys, as INT 16h AH=00h reports them). */
  readChar(): number | undefined {
    if (this.pendingScan !== undefined) {
      const s = this.pendingScan;
      this.pendingScan = undefined;
      return s;
    }
    const key = this.biosKey(true);
    if (key === undefined) return undefined;
    const ascii = key & 0xff, scan = key >> 8;
    if (ascii === 0 || (ascii === 0xe0 && scan !== 0)) { this.pendingScan = scan; return 0; }
    return ascii;
  }

  /** Empty the BIOS keyboard buffer (AH=0Ch). */
  flush(): void {
    this.pendingScan = undefined;
    this.mem.set16(KBD_HEAD, this.mem.u16(KBD_TAIL));
  }

  // ------------------------------------------------------------- output

  private get column(): number { return this.video.cursor(this.mem.u8(ACTIVE_PAGE)).col; }

  /** Write one byte as is (INT 29h, AH=06h). */
  raw(ch: number): void {
    this.onOutput?.(ch);
    this.video.teletype(ch, 0x07);
  }

  /** Write one byte the way DOS's cooked console does: TAB → spaces. */
  cooked(ch: number): void {
    if (ch !== TAB) { this.raw(ch); return; }
    this.onOutput?.(TAB);
    const n = 8 - (this.column % 8);
    for (let i = 0; i < n; i++) this.video.teletype(0x20, 0x07);
  }

  /** Write bytes (AH=40h to the console). */
  write(bytes: ArrayLike<number>): void { for (let i = 0; i < bytes.length; i++) this.cooked(bytes[i]); }

  // --------------------------------------------------------- line input

  /** Echo a typed character: control characters as ^X (DOS style). */
  private echo(ch: number): void {
    if (ch < 0x20 && ch !== TAB) { this.cooked(0x5e); this.cooked(ch + 0x40); } else this.cooked(ch);
  }

  /** Erase back to column `col` on the current line. */
  private eraseTo(col: number): void {
    for (let n = this.column - col; n > 0; n--) { this.raw(BS); this.raw(0x20); this.raw(BS); }
  }

  /**
   * Edit a line of at most `max − 1` characters (`max` counts the CR), with
   * echo, backspace and Esc (cancel: echo "\" and start a new line).
   * Consumes every key available; returns the characters (without CR) once
   * Enter is pressed, or undefined when it must wait for more keys.
   * `resumed` says this continues a parked call rather than starting one.
   */
  editLine(max: number, resumed: boolean): number[] | undefined {
    if (!resumed || !this.line) this.line = { chars: [], cols: [] };
    const line = this.line;
    for (;;) {
      const ch = this.readChar();
      if (ch === undefined) return undefined;
      if (ch === 0) { this.readChar(); continue; } // extended key: no template editing
      if (ch === CR) {
        this.raw(CR);
        this.line = undefined;
        return line.chars;
      }
      if (ch === BS) {
        const col = line.cols.pop();
        line.chars.pop();
        if (col !== undefined) this.eraseTo(col);
        continue;
      }
      if (ch === ESC) {
        this.raw(0x5c); this.raw(CR); this.raw(LF);
        line.chars = []; line.cols = [];
        continue;
      }
      if (line.chars.length >= max - 1) { this.raw(BEL); continue; }
      line.cols.push(this.column);
      line.chars.push(ch);
      this.echo(ch);
    }
  }

  /** Read up to `count` bytes from CON as handle 0 does: a whole line is
   *  typed (echoed, then CR LF), and reads are served from it. */
  readStdin(count: number, resumed: boolean): number[] | "wait" {
    if (this.stdin.length === 0) {
      const chars = this.editLine(128, resumed);
      if (chars === undefined) return "wait";
      this.raw(LF);
      this.stdin = [...chars, CR, LF];
    }
    return this.stdin.splice(0, count);
  }

  // ------------------------------------------------------------ INT 21h

  /** INT 21h functions 01h, 02h, 06h–0Ch. `resumed` is true when this is
   *  the retry of a call that waited. */
  service(c: BiosCall, ah: number, resumed: boolean): Outcome {
    switch (ah) {
      case 0x01: case 0x07: case 0x08: {
        const ch = this.readChar();
        if (ch === undefined) return "wait";
        if (ah === 0x01 && ch !== 0) this.cooked(ch); // echo as output: CR returns, BS moves back
        c.setAL(ch);
        return;
      }
      case 0x02: this.cooked(c.dl); c.setAL(c.dl); return;
      case 0x06:
        if (c.dl !== 0xff) { this.raw(c.dl); c.setAL(c.dl); return; }
        if (!this.hasInput) { c.setAL(0); c.zero(true); return; }
        c.setAL(this.readChar() ?? 0);
        c.zero(false);
        return;
      case 0x09: {
        // Bounded so a missing '$' cannot run forever.
        for (let i = 0; i < 0x10000; i++) {
          const ch = this.mem.u8(linear(c.ds, c.dx + i));
          if (ch === 0x24) break;
          this.cooked(ch);
        }
        c.setAL(0x24);
        return;
      }
      case 0x0a: {
        const buf = linear(c.ds, c.dx);
        const max = this.mem.u8(buf);
        if (max === 0) return;
        const chars = this.editLine(max, resumed);
        if (chars === undefined) return "wait";
        this.mem.set8(buf + 1, chars.length);
        chars.forEach((ch, i) => this.mem.set8(buf + 2 + i, ch));
        this.mem.set8(buf + 2 + chars.length, CR);
        return;
      }
      case 0x0b: c.setAL(this.hasInput ? 0xff : 0x00); return;
      case 0x0c: {
        if (!resumed) this.flush();
        const sub = c.al;
        if (sub === 0x01 || sub === 0x06 || sub === 0x07 || sub === 0x08 || sub === 0x0a) return this.service(c, sub, resumed);
        c.setAL(0);
        return;
      }
    }
  }
}
