/**
 * uart.ts — a National Semiconductor 16550A UART, as wired on a PC serial
 * port (COM1: ports 3F8h–3FFh, IRQ4 by default).
 *
 * What it is: the register file (RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR,
 * SCR, divisor latch), 16-byte receive and transmit FIFOs, the interrupt
 * identification logic with the chip's priorities, loopback mode, and the
 * PC's OUT2 gate on the interrupt line. Characters take their real time on
 * the line (start + data + parity + stop bits at 115200/divisor baud) in
 * virtual time, unless the UART is built `instant`.
 *
 * What it is not: a model of the wire. The host sees whole bytes
 * (`onTransmit`, `receive`, `queueInput`); word length only sets the
 * character time (bytes are passed whole, as QEMU does), and parity, framing
 * and break errors never occur. There is no DMA mode and no 16750 extras.
 */
import type { PortHandler } from "../../machine.js";
import type { Clock, Device, IrqSink, PortBus } from "../device.js";

/** The divisor-1 baud rate: the PC's 1.8432 MHz crystal divided by 16. */
export const UART_MAX_BAUD = 115_200;
/** Divisor latch value after reset (9600 baud). The chip leaves it
 *  undefined; a fixed value keeps runs deterministic. */
export const UART_RESET_DIVISOR = 12;

// Register bits (names as in the National data sheet).
const IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08;
const IIR_NONE = 0x01, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_CTI = 0x0c, IIR_THRE = 0x02, IIR_MSI = 0x00;
const LCR_DLAB = 0x80;
const MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
const LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
const FIFO_SIZE = 16;
const RX_TRIGGER = [1, 4, 8, 14];

/** Construction options for {@link Uart}. */
export interface UartOptions {
  /** Virtual time source (character timing and the receive timeout). */
  clock: Clock;
  /** Where the interrupt line goes (the PIC). */
  irqSink: IrqSink;
  /** First of the eight I/O ports (default 3F8h, COM1). */
  base?: number;
  /** ISA interrupt line (default 4, COM1). */
  irq?: number;
  /** Device name (default "COM1"). */
  name?: string;
  /** Zero character time: a byte written to THR is on the line (and back
   *  in the receiver, in loopback) at once, THRE/TEMT never stay clear,
   *  host input is delivered as soon as there is room, and the FIFO's
   *  character timeout is immediate. For fast scripted runs whose guests do
   *  not depend on serial timing. Default false. */
  instant?: boolean;
  /** Called with each byte the guest transmits (not in loopback mode). */
  onTransmit?: (byte: number) => void;
}

/** Host-side modem status inputs (what the other end of the cable drives). */
export interface ModemInputs { cts?: boolean; dsr?: boolean; ri?: boolean; dcd?: boolean }

/**
 * A 16550A UART.
 *
 * Timing: a byte written to THR moves to the transmit shift register at
 * once if it is idle (so THRE returns to 1 immediately and TEMT one
 * character time later, as on the chip); otherwise it waits in THR (or the
 * TX FIFO). `onTransmit` is called when a byte starts shifting out, so
 * nothing the guest has committed to the line is lost if the run stops
 * mid-character; bytes still waiting behind it can be pushed out with
 * {@link drainTransmitter}.
 */
export class Uart implements Device {
  readonly name: string;
  /** First I/O port. */
  readonly base: number;
  /** ISA interrupt line. */
  readonly irq: number;
  /** Called with each transmitted byte; may be replaced at any time. */
  onTransmit: ((byte: number) => void) | undefined;

  private readonly clock: Clock;
  private readonly irqSink: IrqSink;
  private readonly instant: boolean;

  private ier = 0; private lcr = 0; private mcr = 0; private fcr = 0; private scr = 0;
  private dll = UART_RESET_DIVISOR & 0xff; private dlm = UART_RESET_DIVISOR >> 8;
  /** LSR error bits (only OE can happen here), cleared by reading LSR. */
  private lsrErr = 0;
  /** MSR bits 7–4 as last sampled, and the delta bits 3–0. */
  private msrLines = 0; private msrDelta = 0;
  /** External modem inputs (MSR layout). QEMU's default: CTS, DSR, DCD. */
  private extModem = MSR_CTS | MSR_DSR | MSR_DCD;

  private rx: number[] = [];
  /** What RBR reads as when the receiver is empty (the last byte read). */
  private rbrStale = 0;
  /** Last time a character entered the RX FIFO or RBR was read: the
   *  character timeout counts from here. */
  private rxActivityNs = 0;
  private tx: number[] = [];
  private tsrBusy = false; private tsrByte = 0; private tsrLoop = false; private tsrDoneNs = 0;
  /** The THRE interrupt condition (set when THR empties, cleared by
   *  writing THR or by reading IIR while it is the reported source). */
  private thriPending = false;

  /** Flow-controlled host input, delivered one character time apart. */
  private host: number[] = [];
  private hostNextNs = 0;

  private now = 0;
  private irqLevel = false;

  constructor(options: UartOptions) {
    this.clock = options.clock;
    this.irqSink = options.irqSink;
    this.base = options.base ?? 0x3f8;
    this.irq = options.irq ?? 4;
    this.name = options.name ?? "COM1";
    this.instant = options.instant ?? false;
    this.onTransmit = options.onTransmit;
    this.reset();
  }

  attach(bus: PortBus): void {
    const handler: PortHandler = {
      read: (port, size) => size === 1 ? this.readByte(port)
        : this.readByte(port) | ((port + 1 <= this.base + 7 ? this.readByte(port + 1) : 0xff) << 8),
      write: (port, size, value) => {
        this.writeByte(port, value & 0xff);
        if (size === 2 && port + 1 <= this.base + 7) this.writeByte(port + 1, (value >> 8) & 0xff);
      },
    };
    bus.registerPort([this.base, this.base + 7], handler);
  }

  /** Master reset (the chip's MR pin): registers to their data-sheet reset
   *  values and both FIFOs and the shift register emptied. The divisor latch
   *  (undefined on the chip) becomes {@link UART_RESET_DIVISOR}. Host input
   *  queued with queueInput() is kept: it is the far end of the cable. */
  reset(): void {
    this.now = Math.max(this.now, this.clock.nowNs());
    this.ier = 0; this.lcr = 0; this.mcr = 0; this.fcr = 0; this.scr = 0;
    this.dll = UART_RESET_DIVISOR & 0xff; this.dlm = UART_RESET_DIVISOR >> 8;
    this.lsrErr = 0;
    this.rx = []; this.rbrStale = 0; this.rxActivityNs = this.now;
    this.tx = []; this.tsrBusy = false; this.thriPending = false;
    this.msrLines = this.modemLines(); this.msrDelta = 0;
    this.hostNextNs = this.now + this.charTimeNs();
    this.updateIrq();
  }

  nextEventNs(): number {
    let t = Infinity;
    if (this.tsrBusy) t = this.tsrDoneNs;
    if (this.host.length > 0 && this.hostNextNs > this.now) t = Math.min(t, this.hostNextNs);
    // The character timeout only matters when it can raise the interrupt.
    if ((this.ier & IER_ERBFI) && this.fifoOn && this.rx.length > 0) {
      const d = this.timeoutAt();
      if (d > this.now) t = Math.min(t, d);
    }
    return t;
  }

  advanceTo(nowNs: number): void {
    this.sync(nowNs);
    this.settle();
  }

  // ------------------------------------------------------------ host side

  /** Bytes arriving on the line now, all at once (as a fast sender with no
   *  flow control would): they go into the receiver, and what does not fit
   *  sets OE and is lost. Ignored in loopback mode (the input pin is
   *  disconnected). */
  receive(bytes: ArrayLike<number>): void {
    this.sync(this.clock.nowNs());
    if (!(this.mcr & MCR_LOOP)) {
      for (let i = 0; i < bytes.length; i++) this.rxChar(bytes[i] & 0xff, this.now);
    }
    this.settle();
  }

  /** Queue host input to arrive at line speed with flow control: one byte
   *  per character time, and only while the receiver has room (so nothing
   *  is ever overrun — the CLI's --serial-in). Held while in loopback. */
  queueInput(bytes: ArrayLike<number>): void {
    this.sync(this.clock.nowNs());
    if (this.host.length === 0) this.hostNextNs = this.now + this.charTimeNs();
    for (let i = 0; i < bytes.length; i++) this.host.push(bytes[i] & 0xff);
    this.settle();
  }

  /** Bytes of queueInput() input not yet delivered to the receiver. */
  get pendingInput(): number { return this.host.length; }

  /** Set the modem status inputs (unspecified ones keep their value). Seen
   *  in MSR unless in loopback; changes set MSR's delta bits. */
  setModemInputs(inputs: ModemInputs): void {
    this.sync(this.clock.nowNs());
    const bit = (v: boolean | undefined, mask: number) => {
      if (v !== undefined) this.extModem = v ? this.extModem | mask : this.extModem & ~mask;
    };
    bit(inputs.cts, MSR_CTS); bit(inputs.dsr, MSR_DSR); bit(inputs.ri, MSR_RI); bit(inputs.dcd, MSR_DCD);
    this.sampleModem();
    this.settle();
  }

  /** Send every byte still waiting in THR / the TX FIFO to onTransmit at
   *  once. For the end of a run: on real hardware the UART keeps shifting
   *  after the CPU halts. (Loopback bytes are discarded.) */
  drainTransmitter(): void {
    this.sync(this.clock.nowNs());
    const loop = (this.mcr & MCR_LOOP) !== 0;
    if (this.tx.length > 0 || this.tsrBusy) this.thriPending = true;
    for (const b of this.tx) if (!loop) this.onTransmit?.(b);
    this.tx = [];
    this.tsrBusy = false;
    this.settle();
  }

  /** Time one character takes on the line at the current LCR and divisor,
   *  in ns (0 when built `instant`). A divisor of 0 counts as 65536. */
  charTimeNs(): number {
    if (this.instant) return 0;
    const divisor = ((this.dlm << 8) | this.dll) || 0x10000;
    const data = 5 + (this.lcr & 3);
    const parity = (this.lcr & 0x08) ? 1 : 0;
    // Counted in half bits: 5-bit words with "2 stop bits" send 1.5.
    const stopHalves = (this.lcr & 0x04) ? (data === 5 ? 3 : 4) : 2;
    const halves = 2 * (1 + data + parity) + stopHalves;
    return Math.round(halves * divisor * 1e9 / (2 * UART_MAX_BAUD));
  }

  /** Whether the UART is currently driving its interrupt line. */
  get irqAsserted(): boolean { return this.irqLevel; }

  // --------------------------------------------------------- guest side

  private readByte(port: number): number {
    this.sync(this.clock.nowNs());
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    let v: number;
    switch (port - this.base) {
      case 0:
        if (dlab) { v = this.dll; break; }
        if (this.rx.length > 0) this.rbrStale = this.rx.shift()!;
        v = this.rbrStale;
        this.rxActivityNs = this.now;
        break;
      case 1: v = dlab ? this.dlm : this.ier; break;
      case 2: {
        const id = this.pendingId();
        // Reading IIR acknowledges a THRE interrupt, but only when it is
        // the one being reported (data sheet, table IV).
        if (id === IIR_THRE) this.thriPending = false;
        v = id | (this.fifoOn ? 0xc0 : 0);
        break;
      }
      case 3: v = this.lcr; break;
      case 4: v = this.mcr; break;
      case 5:
        v = (this.rx.length > 0 ? LSR_DR : 0) | this.lsrErr
          | (this.tx.length === 0 ? LSR_THRE : 0) | (this.tx.length === 0 && !this.tsrBusy ? LSR_TEMT : 0);
        this.lsrErr = 0;
        break;
      case 6: v = this.msrLines | this.msrDelta; this.msrDelta = 0; break;
      default: v = this.scr; break;
    }
    this.settle();
    return v;
  }

  private writeByte(port: number, v: number): void {
    this.sync(this.clock.nowNs());
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (port - this.base) {
      case 0:
        if (dlab) { this.dll = v; break; }
        if (this.tx.length < this.txCapacity) this.tx.push(v);
        else if (!this.fifoOn) this.tx[0] = v;   // THR overwritten, as on the chip
        // (a byte written to a full TX FIFO is lost)
        this.thriPending = false;
        if (!this.tsrBusy) this.startShift(this.now);
        break;
      case 1: {
        if (dlab) { this.dlm = v; break; }
        const changed = (this.ier ^ v) & 0x0f;
        this.ier = v & 0x0f;
        // Enabling ETBEI with THR empty raises THRE at once (QEMU and Bochs
        // do this on the rising edge; Windows' driver depends on it).
        if (changed & IER_ETBEI) this.thriPending = (this.ier & IER_ETBEI) !== 0 && this.tx.length === 0;
        break;
      }
      case 2: this.writeFcr(v); break;
      case 3: this.lcr = v; break;
      case 4: this.mcr = v & 0x1f; this.sampleModem(); break;
      case 5: case 6: break;   // LSR and MSR are read-only here (factory test only)
      default: this.scr = v; break;
    }
    this.settle();
  }

  private writeFcr(v: number): void {
    const enable = v & 1;
    let clearRx = false, clearTx = false;
    if (enable !== (this.fcr & 1)) { clearRx = true; clearTx = true; }
    if (enable) {
      if (v & 0x02) clearRx = true;
      if (v & 0x04) clearTx = true;
      this.fcr = v & 0xc9;
    } else {
      this.fcr = 0;   // the other bits are only programmed with bit 0 set
    }
    if (clearRx) { this.rx = []; this.rxActivityNs = this.now; }
    if (clearTx) {
      // The shift register is not part of the FIFO: a byte on the line finishes.
      this.tx = [];
      this.thriPending = true;
    }
  }

  // ----------------------------------------------------------- internals

  private get fifoOn(): boolean { return (this.fcr & 1) !== 0; }
  private get txCapacity(): number { return this.fifoOn ? FIFO_SIZE : 1; }
  private get rxCapacity(): number { return this.fifoOn ? FIFO_SIZE : 1; }
  private timeoutAt(): number { return this.rxActivityNs + 4 * this.charTimeNs(); }

  /** Run the line up to `now`: finish characters whose stop bits are out
   *  (starting the next one back to back) and deliver paced host input. */
  private sync(now: number): void {
    if (now > this.now) this.now = now;
    while (this.tsrBusy && this.tsrDoneNs <= this.now) {
      const done = this.tsrDoneNs;
      this.tsrBusy = false;
      if (this.tsrLoop) this.rxChar(this.tsrByte, done);
      if (this.tx.length > 0) this.startShift(done);
    }
    const loop = (this.mcr & MCR_LOOP) !== 0;
    while (this.host.length > 0 && !loop && this.hostNextNs <= this.now && this.rx.length < this.rxCapacity) {
      const t = this.hostNextNs;
      this.rxChar(this.host.shift()!, t);
      this.hostNextNs = t + this.charTimeNs();
    }
  }

  /** After any change: restart paced host input that was waiting for room
   *  (the sender starts its next character now), then recompute the IRQ. */
  private settle(): void {
    if (this.host.length > 0 && this.hostNextNs <= this.now && !(this.mcr & MCR_LOOP)
        && this.rx.length < this.rxCapacity) {
      this.hostNextNs = this.now + this.charTimeNs();
      this.sync(this.now);   // delivers at once when instant
    }
    this.updateIrq();
  }

  private startShift(t: number): void {
    this.tsrByte = this.tx.shift()!;
    this.tsrLoop = (this.mcr & MCR_LOOP) !== 0;
    this.tsrBusy = true;
    this.tsrDoneNs = t + this.charTimeNs();
    if (this.tx.length === 0) this.thriPending = true;
    if (!this.tsrLoop) this.onTransmit?.(this.tsrByte);
  }

  /** A character has been assembled by the receiver at time t. */
  private rxChar(byte: number, t: number): void {
    if (this.rx.length >= this.rxCapacity) {
      this.lsrErr |= LSR_OE;
      // Without FIFOs the new character overwrites RBR; with them the FIFO
      // is kept and the character in the shift register is lost.
      if (!this.fifoOn) this.rx[0] = byte;
    } else {
      this.rx.push(byte);
    }
    this.rxActivityNs = t;
  }

  /** MSR bits 7–4: the external inputs, or in loopback the MCR outputs
   *  wired back (RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD). */
  private modemLines(): number {
    if (!(this.mcr & MCR_LOOP)) return this.extModem;
    return ((this.mcr & MCR_RTS) ? MSR_CTS : 0) | ((this.mcr & MCR_DTR) ? MSR_DSR : 0)
      | ((this.mcr & MCR_OUT1) ? MSR_RI : 0) | ((this.mcr & MCR_OUT2) ? MSR_DCD : 0);
  }

  private sampleModem(): void {
    const lines = this.modemLines();
    const changed = lines ^ this.msrLines;
    if (changed & MSR_CTS) this.msrDelta |= 0x01;
    if (changed & MSR_DSR) this.msrDelta |= 0x02;
    if ((this.msrLines & MSR_RI) && !(lines & MSR_RI)) this.msrDelta |= 0x04;   // trailing edge only
    if (changed & MSR_DCD) this.msrDelta |= 0x08;
    this.msrLines = lines;
  }

  /** The IIR identification code of the highest-priority enabled interrupt. */
  private pendingId(): number {
    if ((this.ier & IER_ELSI) && (this.lsrErr & 0x1e)) return IIR_RLS;
    if ((this.ier & IER_ERBFI) && this.rx.length > 0) {
      if (!this.fifoOn || this.rx.length >= RX_TRIGGER[this.fcr >> 6]) return IIR_RDA;
      if (this.now >= this.timeoutAt()) return IIR_CTI;
    }
    if ((this.ier & IER_ETBEI) && this.thriPending) return IIR_THRE;
    if ((this.ier & IER_EDSSI) && this.msrDelta) return IIR_MSI;
    return IIR_NONE;
  }

  private updateIrq(): void {
    // On a PC the INTR pin reaches the bus through a buffer enabled by OUT2;
    // in loopback the chip forces OUT2 inactive, so nothing reaches the PIC.
    const level = this.pendingId() !== IIR_NONE && (this.mcr & MCR_OUT2) !== 0 && !(this.mcr & MCR_LOOP);
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irqSink.setIrq(this.irq, level);
    }
  }
}
