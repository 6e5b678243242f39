/**
 * keyboard.ts — INT 09h (IRQ1: scancode → BIOS key buffer, shift states)
 * and INT 16h (read, check, shift flags, store key).
 *
 * The buffer is the BDA's 16-word ring at 0040:001E with head/tail at
 * 0040:001A/001C, so programs that peek at it directly work. Each entry is
 * scan code (high byte) and ASCII (low byte), as INT 16h returns them.
 * Scancodes are set 1 (what the 8042 hands the CPU).
 */
import type { Bios, BiosCall } from "./bios.js";
import { BDA, KBD_HEAD, KBD_TAIL, KBD_BUFFER_START, KBD_BUFFER_END, KBD_FLAGS1, KBD_FLAGS2, KBD_STATUS3 } from "./bda.js";
import { WAIT_LOOP } from "./rom.js";

// Shift-flag bits (0040:0017).
const RSHIFT = 0x01, LSHIFT = 0x02, CTRL = 0x04, ALT = 0x08, SCROLL = 0x10, NUM = 0x20, CAPS = 0x40, INSERT = 0x80;

// ASCII for scancodes 00h–39h: unshifted and shifted (US layout).
const NORMAL = "\0\x1b1234567890-=\b\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
const SHIFTED = "\0\x1b!@#$%^&*()_+\b\tQWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

export class KeyboardBios {
  private e0 = false;
  constructor(private readonly bios: Bios) {}

  private get mem() { return this.bios.mem; }

  /** Append a key (scan << 8 | ascii) to the ring; false if it is full. */
  push(key: number): boolean {
    const tail = this.mem.u16(KBD_TAIL);
    let next = tail + 2;
    if (next >= KBD_BUFFER_END) next = KBD_BUFFER_START;
    if (next === this.mem.u16(KBD_HEAD)) return false;
    this.mem.set16(BDA + tail, key);
    this.mem.set16(KBD_TAIL, next);
    return true;
  }

  private peek(): number | undefined {
    const head = this.mem.u16(KBD_HEAD);
    return head === this.mem.u16(KBD_TAIL) ? undefined : this.mem.u16(BDA + head);
  }

  private pop(): number | undefined {
    const key = this.peek();
    if (key === undefined) return undefined;
    let head = this.mem.u16(KBD_HEAD) + 2;
    if (head >= KBD_BUFFER_END) head = KBD_BUFFER_START;
    this.mem.set16(KBD_HEAD, head);
    return key;
  }

  /** INT 09h: one scancode from the controller (in AL). */
  irq = (c: BiosCall): void => {
    const code = c.al;
    if (code === 0xe0) { this.e0 = true; return; }
    const ext = this.e0;
    this.e0 = false;
    const make = (code & 0x80) === 0;
    const sc = code & 0x7f;
    let f1 = this.mem.u8(KBD_FLAGS1);
    const set = (bit: number) => { f1 = make ? f1 | bit : f1 & ~bit; };
    switch (sc) {
      case 0x2a: if (!ext) set(LSHIFT); break;
      case 0x36: set(RSHIFT); break;
      case 0x1d: set(CTRL); break;
      case 0x38: set(ALT); break;
      case 0x3a: if (make) f1 ^= CAPS; break;
      case 0x45: if (make) f1 ^= NUM; break;
      case 0x46: if (make) f1 ^= SCROLL; break;
      case 0x52: if (make && ext) f1 ^= INSERT; if (make) this.key(sc, ext, f1); break;
      default: if (make) this.key(sc, ext, f1);
    }
    this.mem.set8(KBD_FLAGS1, f1);
    this.mem.set8(KBD_FLAGS2, (this.mem.u8(KBD_FLAGS2) & ~0x03) | (f1 & CTRL ? 0x01 : 0) | (f1 & ALT ? 0x02 : 0));
    this.mem.set8(KBD_STATUS3, ext ? this.mem.u8(KBD_STATUS3) | 0x02 : this.mem.u8(KBD_STATUS3) & ~0x02);
  };

  /** Translate a make code to a buffer entry, as the IBM AT BIOS does. */
  private key(sc: number, ext: boolean, f1: number): void {
    const shift = (f1 & (LSHIFT | RSHIFT)) !== 0;
    if (ext) {
      // Grey cursor/editing keys: scan code with E0h as "ASCII" (101-key).
      if (sc === 0x1c) { this.push(0xe00d); return; }       // keypad Enter
      if (sc === 0x35) { this.push(0xe02f); return; }       // keypad /
      this.push((sc << 8) | 0xe0);
      return;
    }
    if (f1 & ALT) { this.push(sc << 8); return; }
    if (sc < NORMAL.length) {
      let ch = (shift ? SHIFTED : NORMAL).charCodeAt(sc);
      if (f1 & CAPS && /[a-zA-Z]/.test(String.fromCharCode(ch))) ch ^= 0x20;
      if (f1 & CTRL) {
        if (ch >= 0x40 && ch < 0x80) ch &= 0x1f;
        else if (sc === 0x1c) ch = 0x0a;
        else if (sc === 0x0e) ch = 0x7f;
      }
      if (ch !== 0 || sc === 0x39) { this.push((sc << 8) | ch); return; }
    }
    // Function keys and the keypad without NumLock: scan code, ASCII 0.
    if ((sc >= 0x3b && sc <= 0x44) || sc === 0x57 || sc === 0x58 || (sc >= 0x47 && sc <= 0x53)) {
      if (sc >= 0x47 && sc <= 0x53 && (f1 & NUM) && sc !== 0x4a && sc !== 0x4e) {
        this.push((sc << 8) | "789-456+1230.".charCodeAt(sc - 0x47));
        return;
      }
      const code = shift && sc >= 0x3b && sc <= 0x44 ? sc + 0x19 : sc; // Shift+F1 = 54h
      this.push(code << 8);
    }
  }

  /** INT 16h. */
  service = (c: BiosCall): void => {
    switch (c.ah) {
      case 0x00: case 0x10: {
        const key = this.pop();
        if (key === undefined) { c.jumpRom(WAIT_LOOP); return; } // sleep in HLT, retry
        c.set({ ax: c.ah === 0x00 && (key & 0xff) === 0xe0 ? key & 0xff00 : key });
        return;
      }
      case 0x01: case 0x11: {
        const key = this.peek();
        c.zero(key === undefined);
        if (key !== undefined) c.set({ ax: c.ah === 0x01 && (key & 0xff) === 0xe0 ? key & 0xff00 : key });
        return;
      }
      case 0x02: c.setAL(this.mem.u8(KBD_FLAGS1)); return;
      case 0x12: c.set({ ax: (this.mem.u8(KBD_FLAGS2) << 8) | this.mem.u8(KBD_FLAGS1) }); return;
      case 0x03: return; // typematic rate: accepted
      case 0x05: c.setAL(this.push(c.cx) ? 0 : 1); return;
      default: this.bios.unsupported(c);
    }
  };

  /** True when a key is waiting (the CLI paces scripted keys on this). */
  get hasKey(): boolean { return this.peek() !== undefined; }
}
