/**
 * debug.ts — the emulator-only and diagnostic ports: the Bochs/QEMU debug
 * console (E9h), the POST code port (80h), and QEMU's isa-debug-exit
 * (501h–502h).
 *
 * What it is: three tiny devices that hand what the guest writes to host
 * callbacks. What it is not: they never touch the run themselves — the PC
 * decides what an exit request or a console byte means (print, stop, exit
 * status).
 */
import type { Device, PortBus } from "../device.js";

/**
 * Port E9h, the "port E9 hack" of Bochs and QEMU's debugcon: each byte
 * written is output. A read returns E9h, which is how guests detect it.
 * A word write outputs both bytes, low first (as two byte writes would).
 */
export class DebugConsole implements Device {
  readonly name = "debugcon";
  /** Called with each byte the guest writes. */
  onOutput: ((byte: number) => void) | undefined;

  constructor(onOutput?: (byte: number) => void, private readonly port = 0xe9) {
    this.onOutput = onOutput;
  }

  attach(bus: PortBus): void {
    bus.registerPort(this.port, {
      read: (_port, size) => size === 1 ? 0xe9 : 0xffe9,
      write: (_port, size, value) => {
        this.onOutput?.(value & 0xff);
        if (size === 2) this.onOutput?.((value >> 8) & 0xff);
      },
    });
  }

  reset(): void { /* stateless */ }
}

/**
 * Port 80h, where BIOSes and some programs write progress codes (and which
 * many use for a short I/O delay, so the callback may be busy). Reads
 * return FFh, as QEMU's port 80h does.
 */
export class PostCodePort implements Device {
  readonly name = "post";
  /** Called with each code written. */
  onCode: ((code: number) => void) | undefined;
  private last: number | undefined;

  constructor(onCode?: (code: number) => void) { this.onCode = onCode; }

  attach(bus: PortBus): void {
    bus.registerPort(0x80, {
      read: (_port, size) => size === 1 ? 0xff : 0xffff,
      write: (_port, _size, value) => { this.last = value & 0xff; this.onCode?.(this.last); },
    });
  }

  /** The POST code survives a reset (a POST card's display does). */
  reset(): void { /* keeps lastCode */ }

  /** The last code written, or undefined if none yet. */
  get lastCode(): number | undefined { return this.last; }
}

/**
 * QEMU's isa-debug-exit at its usual iobase 501h with iosize 2, so it owns
 * 501h and 502h. Any write there — byte or word, to either port — of value
 * v requests that the emulator exit with status (v << 1) | 1; a word write
 * passes the whole 16-bit v (so the status may exceed 255: the CLI's process
 * exit keeps its low 8 bits, as QEMU's exit() does). An odd status means a
 * guest can never make the run look like QEMU's own success (0). Reads
 * return FFh.
 */
export class DebugExit implements Device {
  readonly name = "debug-exit";
  /** Called with the exit status the guest asked for. */
  onExit: ((status: number) => void) | undefined;
  private requested: number | undefined;

  constructor(onExit?: (status: number) => void, private readonly base = 0x501) {
    this.onExit = onExit;
  }

  attach(bus: PortBus): void {
    bus.registerPort([this.base, this.base + 1], {
      read: (_port, size) => size === 1 ? 0xff : 0xffff,
      write: (_port, size, value) => {
        const v = size === 1 ? value & 0xff : value & 0xffff;
        this.requested = (v << 1) | 1;
        this.onExit?.(this.requested);
      },
    });
  }

  reset(): void { /* the request, once made, stands */ }

  /** The status of the last exit request, or undefined if none. */
  get exitStatus(): number | undefined { return this.requested; }
}
