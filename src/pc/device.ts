/**
 * device.ts — what a PC device is, as the PC machine (issue 3) wires them.
 *
 * A device owns some I/O ports (and/or MMIO), may raise interrupt requests
 * through the PIC, and may need to act at a point in virtual time (the PIT
 * firing IRQ0, the UART finishing a character). Virtual time is derived
 * from the retired instruction count at a fixed rate, so runs are
 * deterministic; the PC's scheduler runs the CPU only up to the earliest
 * `nextEventNs()` of all devices, then calls `advanceTo()`.
 *
 * Devices never touch the CPU directly: ports go through PortHandler, and
 * interrupts through the IrqSink the PC hands them.
 */
import type { PortHandler } from "../machine.js";

/** Virtual time source (nanoseconds since power-on; never goes back). */
export interface Clock {
  nowNs(): number;
}

/** Where a device raises and lowers its ISA interrupt request line (0–15). */
export interface IrqSink {
  setIrq(irq: number, level: boolean): void;
}

/** Port registration as the PC offers it to devices. */
export interface PortBus {
  registerPort(port: number | [number, number], handler: PortHandler): void;
}

export interface Device {
  readonly name: string;
  /** Register ports (and MMIO) on the bus. Called once. */
  attach(bus: PortBus): void;
  /** Power-on / reset state. */
  reset(): void;
  /** Virtual time (ns) of this device's next self-initiated action, or
   *  Infinity. Optional: devices that only react to port I/O omit it. */
  nextEventNs?(): number;
  /** Perform everything due up to `nowNs`. */
  advanceTo?(nowNs: number): void;
}

/** A handler for a byte-wide device: a word access is two byte cycles at
 *  port and port + 1, as the ISA bus splits it. */
export function byteWidePorts(read: (port: number) => number, write: (port: number, value: number) => void): PortHandler {
  return {
    read: (port, size) => size === 1 ? read(port) : read(port) | (read(port + 1) << 8),
    write: (port, size, value) => {
      write(port, value & 0xff);
      if (size === 2) write(port + 1, (value >> 8) & 0xff);
    },
  };
}

/** A Clock for tests: time moves only when told. */
export class ManualClock implements Clock {
  private t = 0;
  nowNs(): number { return this.t; }
  set(ns: number): void { if (ns < this.t) throw new RangeError("ManualClock: time cannot go back"); this.t = ns; }
  advance(ns: number): void { this.set(this.t + ns); }
}

/** A PortBus for tests: a map of handlers, with helpers to do I/O. */
export class TestBus implements PortBus {
  readonly handlers = new Map<number, PortHandler>();
  registerPort(port: number | [number, number], handler: PortHandler): void {
    const [from, to] = typeof port === "number" ? [port, port] : port;
    for (let p = from; p <= to; p++) {
      if (this.handlers.has(p)) throw new Error(`TestBus: port 0x${p.toString(16)} registered twice`);
      this.handlers.set(p, handler);
    }
  }
  inb(port: number): number { return this.handlers.get(port)?.read?.(port, 1) ?? 0xff; }
  outb(port: number, value: number): void { this.handlers.get(port)?.write?.(port, 1, value & 0xff); }
}
