/**
 * keyboard.ts — the Intel 8042 keyboard controller of the PC/AT (data port
 * 60h, status/command port 64h, IRQ1) with an MF2 keyboard behind it.
 *
 * What it is: the status register, the controller commands a real-mode
 * program or BIOS uses (command byte and internal RAM, self-tests,
 * enable/disable, the output port with the A20 gate and the reset line,
 * DDh/DFh, pulse commands), the keyboard's own commands (reset, enable,
 * disable, LEDs, typematic, identify, echo, scancode set, resend), and a
 * host-side queue of scancode set 1 bytes delivered through the single-byte
 * output buffer with IRQ1.
 *
 * What it is not: there is no PS/2 mouse (aux port): A7h–A9h are ignored
 * and the byte after D3h/D4h is dropped. Scancodes are always set 1 (what a
 * set-2 keyboard produces through the 8042's translation), whatever the
 * translate bit or F0h say. There is no typematic repeat: the host sends
 * the make codes it wants repeated. Commands take no time (IBF is never
 * seen set).
 */
import type { PortHandler } from "../../machine.js";
import type { Device, IrqSink, PortBus } from "../device.js";

const ST_OBF = 0x01, ST_SYS = 0x04, ST_CMD = 0x08, ST_UNLOCKED = 0x10;
const CB_INT = 0x01, CB_SYS = 0x04, CB_DISABLE_KBD = 0x10, CB_XLAT = 0x40;
const OUT_RESET = 0x01, OUT_A20 = 0x02;
const ACK = 0xfa, RESEND = 0xfe, BAT_OK = 0xaa;

/** The command byte after our BIOS's set-up: translate, system flag,
 *  keyboard interrupt enabled (the classic PC/AT value). */
export const KBC_DEFAULT_COMMAND_BYTE = 0x45;

/** Construction options for {@link KeyboardController}. */
export interface KeyboardControllerOptions {
  /** Where IRQ1 goes (the PIC). */
  irqSink: IrqSink;
  /** Interrupt line (default 1). */
  irq?: number;
  /** The output port's A20 bit changed (D1h, DDh, DFh). */
  onA20?: (enabled: boolean) => void;
  /** The CPU reset line was pulsed (D1h with bit 0 clear, FEh / Fxh pulses). */
  onReset?: () => void;
  /** The keyboard's LEDs were set (EDh): bit 0 Scroll, 1 Num, 2 Caps Lock. */
  onLeds?: (leds: number) => void;
  /** Output port A20 bit after reset (default true: QEMU starts with A20
   *  enabled and SeaBIOS leaves it so). reset() does not call onA20. */
  a20AtReset?: boolean;
}

/** Which queue the byte in the output buffer came from. */
type Source = "ctrl" | "kbd" | "scan";

/**
 * The 8042 and its keyboard.
 *
 * Host input: {@link keyDown}/{@link keyUp}/{@link pressKey} take a set-1
 * make code, with E0-prefixed keys written as 0xE0xx (0xE048 = Up); raw
 * sequences (Pause: E1 1D 45 E1 9D C5) go through {@link sendScancodes}.
 * Queued bytes move to the output buffer one at a time: the next as soon as
 * the guest reads port 60h (as QEMU does), while the keyboard interface is
 * enabled. IRQ1 follows "output buffer full and command byte bit 0", so each
 * new byte gives the PIC a fresh rising edge.
 */
export class KeyboardController implements Device {
  readonly name = "kbc";
  /** Interrupt line. */
  readonly irq: number;
  /** See {@link KeyboardControllerOptions.onA20}. */
  onA20: ((enabled: boolean) => void) | undefined;
  /** See {@link KeyboardControllerOptions.onReset}. */
  onReset: (() => void) | undefined;
  /** See {@link KeyboardControllerOptions.onLeds}. */
  onLeds: ((leds: number) => void) | undefined;

  private readonly irqSink: IrqSink;
  private readonly a20AtReset: boolean;

  private ob = 0;
  private obf = false;
  private obSource: Source = "ctrl";
  /** Internal RAM; byte 0 is the command byte. */
  private readonly ram = new Uint8Array(32);
  private outport = 0;
  private lastWasCommand = true;
  /** Controller command waiting for its data byte on port 60h. */
  private ctrlPending: number | undefined;
  private ctrlOut: number[] = [];
  /** Keyboard replies (ACKs, IDs): they go before queued scancodes. */
  private kbdOut: number[] = [];
  private scanQ: number[] = [];
  /** Keyboard command waiting for its parameter (EDh, F0h, F3h). */
  private kbdPending: number | undefined;
  private scanning = true;
  private ledState = 0;
  private typematicRate = 0x2b;
  private lastKbdByte = 0;
  private irqLevel = false;

  constructor(options: KeyboardControllerOptions) {
    this.irqSink = options.irqSink;
    this.irq = options.irq ?? 1;
    this.onA20 = options.onA20;
    this.onReset = options.onReset;
    this.onLeds = options.onLeds;
    this.a20AtReset = options.a20AtReset ?? true;
    this.reset();
  }

  attach(bus: PortBus): void {
    // A word access at 60h would reach 61h, which is not ours: its high
    // byte reads as open bus.
    const handler: PortHandler = {
      read: (port, size) => (port === 0x60 ? this.readData() : this.readStatus()) | (size === 2 ? 0xff00 : 0),
      write: (port, _size, value) => port === 0x60 ? this.writeData(value & 0xff) : this.writeCommand(value & 0xff),
    };
    bus.registerPort(0x60, handler);
    bus.registerPort(0x64, handler);
  }

  /** The state our BIOS leaves: command byte {@link KBC_DEFAULT_COMMAND_BYTE},
   *  keyboard scanning, the output buffer's byte dropped, A20 per
   *  `a20AtReset`. Queued host scancodes are kept and then delivered (keys
   *  pressed during a reboot still arrive). */
  reset(): void {
    this.ram.fill(0);
    this.ram[0] = KBC_DEFAULT_COMMAND_BYTE;
    this.outport = 0xcc | OUT_RESET | (this.a20AtReset ? OUT_A20 : 0);
    this.obf = false; this.ob = 0;
    this.lastWasCommand = true;
    this.ctrlPending = undefined; this.kbdPending = undefined;
    this.ctrlOut = []; this.kbdOut = [];
    this.scanning = true; this.ledState = 0; this.typematicRate = 0x2b;
    this.updateIrq();   // drop the line first, so queued keys give a new edge
    this.refill();
  }

  // ------------------------------------------------------------ host side

  /** Queue raw scancode bytes from the keyboard. Dropped while the
   *  keyboard has scanning disabled (F5h), as a real one would. */
  sendScancodes(bytes: ArrayLike<number>): void {
    if (!this.scanning) return;
    for (let i = 0; i < bytes.length; i++) this.scanQ.push(bytes[i] & 0xff);
    this.refill();
  }

  /** A key goes down: its set-1 make code (0xE0xx for extended keys). */
  keyDown(code: number): void { this.sendScancodes(codeBytes(code, false)); }

  /** A key comes up: the break code (make | 80h, E0-prefixed if extended). */
  keyUp(code: number): void { this.sendScancodes(codeBytes(code, true)); }

  /** Press and release a key. */
  pressKey(code: number): void { this.keyDown(code); this.keyUp(code); }

  /** Scancode bytes queued and not yet in the output buffer (for pacing
   *  scripted input on the guest's reads). */
  get pendingScancodes(): number { return this.scanQ.length; }

  /** The effective A20 bit of the output port. */
  get a20(): boolean { return (this.outport & OUT_A20) !== 0; }

  /** The command byte (internal RAM byte 0). */
  get commandByte(): number { return this.ram[0]; }

  /** The LEDs last set by the guest (bit 0 Scroll, 1 Num, 2 Caps Lock). */
  get leds(): number { return this.ledState; }

  /** The typematic rate/delay byte last set by the guest (F3h). */
  get typematic(): number { return this.typematicRate; }

  /** Whether IRQ1 is currently asserted. */
  get irqAsserted(): boolean { return this.irqLevel; }

  // --------------------------------------------------------- guest side

  private readStatus(): number {
    return (this.obf ? ST_OBF : 0) | (this.ram[0] & CB_SYS ? ST_SYS : 0)
      | (this.lastWasCommand ? ST_CMD : 0) | ST_UNLOCKED;
  }

  private readData(): number {
    const v = this.ob;   // an empty buffer reads its last byte again
    if (this.obf) {
      this.obf = false;
      this.updateIrq();   // the falling edge, so the next byte is a new one
      this.refill();
    }
    return v;
  }

  private writeCommand(cmd: number): void {
    this.lastWasCommand = true;
    this.ctrlPending = undefined;
    if (cmd >= 0x20 && cmd <= 0x3f) { this.reply(this.ram[cmd & 0x1f]); return; }
    if (cmd >= 0x60 && cmd <= 0x7f) { this.ctrlPending = cmd; return; }
    if (cmd >= 0xf0) {
      // Pulse the output port bits whose mask bit is 0; only bit 0 (reset)
      // has an effect worth modelling.
      if (!(cmd & 1)) this.onReset?.();
      return;
    }
    switch (cmd) {
      case 0xaa: this.ram[0] |= CB_SYS; this.reply(0x55); break;   // self-test passed
      case 0xab: this.reply(0x00); break;                            // keyboard interface OK
      case 0xad: this.setCommandByte(this.ram[0] | CB_DISABLE_KBD); break;
      case 0xae: this.setCommandByte(this.ram[0] & ~CB_DISABLE_KBD); break;
      case 0xc0: this.reply(0x80); break;                            // input port: keylock off
      case 0xd0: this.reply((this.outport & ~0x10) | (this.obf ? 0x10 : 0)); break;
      case 0xd1: case 0xd2: case 0xd3: case 0xd4: this.ctrlPending = cmd; break;
      case 0xdd: this.writeOutport(this.outport & ~OUT_A20); break;
      case 0xdf: this.writeOutport(this.outport | OUT_A20); break;
      case 0xe0: this.reply(0x00); break;                            // test inputs
      default: break;   // unknown or aux-port commands: ignored, as an AT 8042 does
    }
  }

  private writeData(v: number): void {
    this.lastWasCommand = false;
    const pending = this.ctrlPending;
    this.ctrlPending = undefined;
    if (pending === undefined) {
      // Data to the keyboard; QEMU (like many 8042s) re-enables the
      // interface when the host talks to the keyboard.
      this.setCommandByte(this.ram[0] & ~CB_DISABLE_KBD);
      this.keyboardCommand(v);
      this.refill();
      return;
    }
    if (pending >= 0x60 && pending <= 0x7f) {
      if (pending === 0x60) this.setCommandByte(v); else this.ram[pending & 0x1f] = v;
    } else if (pending === 0xd1) {
      this.writeOutport(v);
    } else if (pending === 0xd2) {
      this.reply(v);   // into the output buffer as if the keyboard had sent it
    }
    // D3h/D4h: data for the (absent) aux device is dropped.
  }

  private keyboardCommand(v: number): void {
    const param = this.kbdPending;
    this.kbdPending = undefined;
    // A parameter byte never has bit 7 set; a byte that does is a new command.
    if (param !== undefined && !(v & 0x80)) {
      if (param === 0xed) { this.ledState = v & 7; this.onLeds?.(this.ledState); this.kbdSend(ACK); }
      else if (param === 0xf3) { this.typematicRate = v; this.kbdSend(ACK); }
      else if (v === 0) this.kbdSend(ACK, this.ram[0] & CB_XLAT ? 0x41 : 0x02);   // F0h 00h: "set 2"
      else this.kbdSend(ACK);
      return;
    }
    switch (v) {
      case 0xed: case 0xf0: case 0xf3: this.kbdPending = v; this.kbdSend(ACK); break;
      case 0xee: this.kbdSend(0xee); break;                          // echo
      case 0xf2: this.kbdSend(ACK, 0xab, this.ram[0] & CB_XLAT ? 0x41 : 0x83); break;   // MF2 ID, translated
      case 0xf4: this.scanQ = []; this.scanning = true; this.kbdSend(ACK); break;
      case 0xf5: this.scanQ = []; this.scanning = false; this.typematicRate = 0x2b; this.kbdSend(ACK); break;
      case 0xf6: this.scanQ = []; this.typematicRate = 0x2b; this.kbdSend(ACK); break;
      case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd: this.kbdSend(ACK); break;
      case 0xfe: this.kbdSend(this.lastKbdByte); break;
      case 0xff:
        this.scanQ = []; this.scanning = true; this.ledState = 0; this.typematicRate = 0x2b;
        this.kbdSend(ACK, BAT_OK);
        break;
      default: this.kbdSend(RESEND); break;                          // not a command
    }
  }

  // ----------------------------------------------------------- internals

  private kbdSend(...bytes: number[]): void { this.kbdOut.push(...bytes); }

  /** A controller reply: it takes the output buffer even if a keyboard
   *  byte is waiting there (that byte goes back to the head of its queue,
   *  as QEMU arranges it), so a command's answer is what 60h reads next. */
  private reply(v: number): void {
    if (this.obf && this.obSource !== "ctrl") {
      (this.obSource === "kbd" ? this.kbdOut : this.scanQ).unshift(this.ob);
      this.obf = false;
      this.updateIrq();
    }
    this.ctrlOut.push(v);
    this.refill();
  }

  /** Fill an empty output buffer from the queues in priority order. */
  private refill(): void {
    if (!this.obf) {
      let src: Source | undefined;
      if (this.ctrlOut.length > 0) src = "ctrl";
      else if (!(this.ram[0] & CB_DISABLE_KBD)) {
        if (this.kbdOut.length > 0) src = "kbd";
        else if (this.scanQ.length > 0) src = "scan";
      }
      if (src !== undefined) {
        this.ob = (src === "ctrl" ? this.ctrlOut : src === "kbd" ? this.kbdOut : this.scanQ).shift()!;
        if (src !== "ctrl") this.lastKbdByte = this.ob;
        this.obSource = src;
        this.obf = true;
      }
    }
    this.updateIrq();
  }

  private setCommandByte(v: number): void {
    this.ram[0] = v;
    this.refill();
  }

  private writeOutport(v: number): void {
    const old = this.outport;
    this.outport = v;
    if ((old ^ v) & OUT_A20) this.onA20?.((v & OUT_A20) !== 0);
    // The reset line is active low.
    if (!(v & OUT_RESET)) this.onReset?.();
  }

  private updateIrq(): void {
    const level = this.obf && (this.ram[0] & CB_INT) !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irqSink.setIrq(this.irq, level);
    }
  }
}

/** The bytes of a set-1 key code, make or break. */
function codeBytes(code: number, release: boolean): number[] {
  if (!Number.isInteger(code) || code < 0 || (code & 0x80) !== 0 || (code > 0xff && code >> 8 !== 0xe0)) {
    throw new RangeError(`keyboard: bad scancode 0x${code.toString(16)} (expected 00h–7Fh or E000h–E07Fh)`);
  }
  const make = code & 0xff;
  const b = release ? make | 0x80 : make;
  return code > 0xff ? [0xe0, b] : [b];
}
