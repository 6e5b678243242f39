/**
 * pc.ts — the PC: a Machine plus BIOS ROM, BIOS data area, devices and the
 * scheduler that runs the CPU in virtual time.
 *
 *   PC.run():  until a stop condition
 *                advance every device to "now"
 *                run the CPU up to the earliest device event (or a slice)
 *                HLT with IF = 1 → skip idle time to the next event
 *                HLT with IF = 0 → the guest is dead: stop and say so
 *
 * Time is virtual (clock.ts) unless `realtime` is set. The PC is what
 * `wasm86 boot` and `wasm86 run` drive; it is not the CLI (no terminal, no
 * files): screens, keys and serial bytes go through methods and callbacks.
 */
import { Machine, type CpuModel, type PortHandler, type Engine } from "../machine.js";
import type { JitOptions } from "../jit/engine.js";
import type { Device, PortBus } from "./device.js";
import { VirtualClock, RealtimeClock, type PcClock } from "./clock.js";
import { Disk, SECTOR } from "./disk.js";
import {
  buildRom, BIOS_BASE, BIOS_SEGMENT, BIOS_VECTORS, IRQ_VECTORS, DUMMY_IRET, DISKETTE_TABLE, FONT_LOW, FONT_HIGH, stubOffset,
} from "./bios/rom.js";
import { Bios, type BiosCall } from "./bios/bios.js";
import { initBda } from "./bios/bda.js";
import { VideoBios } from "./bios/video.js";
import { DiskBios } from "./bios/disk.js";
import { KeyboardBios } from "./bios/keyboard.js";
import { TimeBios } from "./bios/time.js";
import { SystemBios, type SerialPort } from "./bios/system.js";
import { Pic } from "./devices/pic.js";
import { Pit } from "./devices/pit.js";
import { KeyboardController } from "./devices/keyboard.js";
import { Port92, a20Gate } from "./devices/port92.js";
import { Uart } from "./devices/uart.js";
import { Cmos } from "./devices/cmos.js";
import { DebugConsole, PostCodePort, DebugExit } from "./devices/debug.js";
import { Vga } from "./devices/vga.js";

export class PcError extends Error {}

export interface PcOptions {
  /** CPU model (default "386", real mode). */
  cpu?: CpuModel;
  /** "interp" (default) or "jit" (src/jit translates hot blocks). */
  engine?: Engine;
  /** The translator's knobs. */
  jit?: JitOptions;
  /** Guest RAM in bytes (default 1 MiB + 64 KiB). */
  memory?: number;
  /** Tie the PIT and RTC to the host clock (not reproducible). */
  realtime?: boolean;
  floppy?: Disk;
  hardDisk?: Disk;
  /** Bytes the guest sends on COM1. */
  onSerial?: (byte: number) => void;
  /** Bytes written to the debug console port E9h. */
  onDebug?: (byte: number) => void;
  /** Messages about unsupported functions and the like. */
  log?: (msg: string) => void;
}

export type PcStopReason = "halt" | "budget" | "timeout" | "until" | "exit" | "reset" | "no-boot";

export interface PcRunOptions {
  /** Stop after this many instructions in this call. */
  maxInstructions?: number;
  /** Stop when virtual time passes this many seconds (since power-on). */
  timeoutSeconds?: number;
  /** Checked between slices: stop when it returns true. */
  until?: () => boolean;
  /** Called before each instruction while it returns true (tracing): the
   *  CPU then runs one instruction per slice. Once it returns false it is
   *  not called again in this run. */
  beforeInstruction?: () => boolean;
}

export interface PcRunResult {
  reason: PcStopReason;
  instructions: number;
  /** For "exit": QEMU isa-debug-exit status ((value << 1) | 1). */
  exitStatus?: number;
  /** Human-readable detail for "halt", "reset" and "no-boot". */
  message?: string;
}

/** Instructions per CPU slice between checks of `until` and the devices. */
const SLICE = 200_000;

/** A PortBus over the Machine that also lets the host do port I/O (POST). */
class HostBus implements PortBus {
  private readonly handlers = new Map<number, PortHandler>();
  constructor(private readonly machine: Machine) {}
  registerPort(port: number | [number, number], handler: PortHandler): void {
    this.machine.registerPort(port, handler);
    const [from, to] = typeof port === "number" ? [port, port] : port;
    for (let p = from; p <= to; p++) this.handlers.set(p, handler);
  }
  outb(port: number, v: number): void { this.handlers.get(port)?.write?.(port, 1, v & 0xff); }
  inb(port: number): number { return this.handlers.get(port)?.read?.(port, 1) ?? 0xff; }
}

export class PC {
  readonly machine: Machine;
  readonly clock: PcClock;
  readonly bios: Bios;
  readonly video: VideoBios;
  readonly keyboardBios: KeyboardBios;
  readonly pic: Pic;
  readonly pit: Pit;
  readonly keyboard: KeyboardController;
  readonly uart: Uart;
  readonly cmos: Cmos;
  readonly vga: Vga;
  readonly drives = new Map<number, Disk>();
  private readonly devices: Device[] = [];
  private readonly bus: HostBus;
  private exitStatus: number | undefined;
  private resetRequested = false;
  private noBoot = false;
  private postCode = 0;

  constructor(readonly options: PcOptions = {}) {
    const cpu = options.cpu ?? "386";
    this.machine = new Machine({ cpu, memory: options.memory ?? 0x110000, engine: options.engine, jit: options.jit });
    const m = this.machine;
    this.clock = options.realtime ? new RealtimeClock() : new VirtualClock(() => m.instructionCount);
    this.bus = new HostBus(m);
    if (options.floppy) this.drives.set(0x00, options.floppy);
    if (options.hardDisk) this.drives.set(0x80, options.hardDisk);

    // ------------------------------------------------------------ devices
    this.pic = new Pic((level) => m.setIrqLine(level));
    m.setInterruptController(this.pic);
    this.pit = new Pit(this.clock, this.pic);
    const setA20 = (on: boolean) => { if (cpu !== "8086") m.a20 = on; };
    const gate = a20Gate(setA20, { kbc: true, port92: false });
    this.keyboard = new KeyboardController({ irqSink: this.pic, onA20: gate.kbc, onReset: () => this.requestReset() });
    const port92 = new Port92({ onA20: gate.port92, onReset: () => this.requestReset() });
    this.uart = new Uart({ clock: this.clock, irqSink: this.pic, onTransmit: (b) => options.onSerial?.(b) });
    this.cmos = new Cmos({ clock: this.clock, irqSink: this.pic, ...(options.realtime ? { startTime: Cmos.hostLocalTimeMs() } : {}) });
    const debug = new DebugConsole((b) => options.onDebug?.(b));
    const post = new PostCodePort((code) => { this.postCode = code; });
    const exit = new DebugExit((status) => { this.exitStatus = status; m.requestStop(); });
    this.vga = new Vga(this.clock);
    const all: Device[] = [this.pic, this.pit, this.keyboard, port92, this.uart, this.cmos, this.vga, debug, post, exit];
    for (const d of all) { d.attach(this.bus); this.devices.push(d); }

    // --------------------------------------------------------------- BIOS
    m.load(BIOS_BASE, buildRom());
    m.setRom(BIOS_BASE, 0x10000);
    this.bios = new Bios(m);
    if (options.log) this.bios.log = options.log;
    this.video = new VideoBios(this.bios, this.vga);
    this.keyboardBios = new KeyboardBios(this.bios);
    const time = new TimeBios(this.bios, { now: () => new Date(this.cmos.timeMs) });
    const disk = new DiskBios(this.bios, this.drives);
    const sys = new SystemBios(this.bios, {
      memorySize: m.memorySize,
      idle: (ns) => this.idle(ns),
      getA20: () => m.a20,
      setA20: (on) => { if (cpu === "8086") return false; m.a20 = on; return true; },
      bootstrap: (c) => this.bootstrap(c),
      noBootDevice: () => { this.noBoot = true; m.requestStop(); },
      serial: this.serialAdapter(),
    });
    this.bios.register(0x08, time.tick);
    this.bios.register(0x09, this.keyboardBios.irq);
    this.bios.register(0x10, this.video.service);
    this.bios.register(0x11, sys.equipment);
    this.bios.register(0x12, sys.memory);
    this.bios.register(0x13, disk.service);
    this.bios.register(0x14, sys.serial);
    this.bios.register(0x15, sys.system);
    this.bios.register(0x16, this.keyboardBios.service);
    this.bios.register(0x18, sys.basic);
    this.bios.register(0x19, sys.bootstrap);
    this.bios.register(0x1a, time.service);
    this.post();
  }

  /** What a BIOS does before booting: vectors, BDA, interrupt controller,
   *  timer, CMOS configuration, text mode 3. */
  private post(): void {
    const m = this.machine;
    const ivt = new Uint8Array(0x400);
    const setVector = (v: number, off: number) => ivt.set([off & 0xff, off >> 8, BIOS_SEGMENT & 0xff, BIOS_SEGMENT >> 8], v * 4);
    for (let v = 0; v < 0x100; v++) setVector(v, DUMMY_IRET);
    for (const v of [...BIOS_VECTORS, ...IRQ_VECTORS]) setVector(v, stubOffset(v));
    setVector(0x1e, DISKETTE_TABLE);
    setVector(0x1f, FONT_HIGH);
    setVector(0x43, FONT_LOW);
    for (const v of [0x1d, 0x41, 0x46]) ivt.fill(0, v * 4, v * 4 + 4);
    m.write(0, ivt);
    const floppies = this.drives.has(0) ? 1 : 0;
    initBda(this.bios.mem, { baseMemoryKB: 640, floppies, hardDisks: this.drives.has(0x80) ? 1 : 0, serialPorts: 1 });
    // 8259A pair: edge-triggered, cascaded, vectors 08h and 70h, 8086 mode;
    // IRQ0 (timer), IRQ1 (keyboard) and IRQ2 (cascade) unmasked.
    for (const [p, v] of [[0x20, 0x11], [0x21, 0x08], [0x21, 0x04], [0x21, 0x01], [0xa0, 0x11], [0xa1, 0x70], [0xa1, 0x02], [0xa1, 0x01], [0x21, 0xf8], [0xa1, 0xff]]) {
      this.bus.outb(p, v);
    }
    // PIT channel 0: mode 3, count 65536 → IRQ0 at 18.2065 Hz.
    this.bus.outb(0x43, 0x36); this.bus.outb(0x40, 0); this.bus.outb(0x40, 0);
    const fl = this.drives.get(0);
    this.cmos.configure({
      baseMemKB: 640, extMemKB: Math.max(0, (m.memorySize - 0x100000) >> 10),
      floppies: fl ? [floppyKind(fl)] : [],
    });
    this.video.setMode(0x03);
  }

  private serialAdapter(): SerialPort {
    const bus = this.bus;
    return {
      init: (params) => {
        const divisors = [1047, 768, 384, 192, 96, 48, 24, 12]; // 110 … 9600 baud
        const d = divisors[params >> 5];
        bus.outb(0x3fb, 0x80); bus.outb(0x3f8, d & 0xff); bus.outb(0x3f9, d >> 8);
        bus.outb(0x3fb, params & 0x1f);
      },
      send: (b) => { bus.outb(0x3f8, b); return true; },
      // As a BIOS does: data ready in the LSR, then the receive buffer.
      receive: () => (bus.inb(0x3fd) & 1 ? bus.inb(0x3f8) : undefined),
      lineStatus: () => bus.inb(0x3fd),
      modemStatus: () => bus.inb(0x3fe),
    };
  }

  // ----------------------------------------------------------- booting

  /** Load the boot sector of `drive` at 0000:7C00 and point the CPU at it
   *  with DL = drive, as SeaBIOS does. */
  boot(drive = this.drives.has(0) ? 0x00 : 0x80): void {
    const disk = this.drives.get(drive);
    if (!disk) throw new PcError(`no disk in drive ${drive.toString(16).padStart(2, "0")}h to boot from`);
    const sector = disk.read(0);
    if (sector[510] !== 0x55 || sector[511] !== 0xaa) {
      throw new PcError(`${disk.name}: not bootable (no 55AAh signature at the end of sector 0)`);
    }
    this.machine.load(0x7c00, sector);
    this.machine.setRegisters({ cs: 0, ip: 0x7c00, ds: 0, es: 0, ss: 0, sp: 0x7c00, dx: drive, flags: 0x0202 });
  }

  private bootstrap(c: BiosCall): void {
    const drive = this.drives.has(0) ? 0 : 0x80;
    if (!this.drives.has(drive)) { this.noBoot = true; this.machine.requestStop(); return; }
    try {
      this.boot(drive);
      c.set(this.machine.registers); // the service's commit must not undo the jump
    } catch {
      this.noBoot = true;
      this.machine.requestStop();
    }
  }

  // --------------------------------------------------------------- input

  /** Type a key (set-1 make code; 0xE0xx for extended keys): make + break. */
  pressKey(scancode: number): void { this.keyboard.pressKey(scancode); }

  /** Feed bytes to COM1's receiver. */
  serialInput(bytes: ArrayLike<number>): void { this.uart.queueInput(bytes); }

  // ----------------------------------------------------------------- run

  private requestReset(): void { this.resetRequested = true; this.machine.requestStop(); }

  private idle(ns: number): void {
    if (this.clock instanceof VirtualClock) this.clock.idleUntil(this.clock.nowNs() + ns);
    else sleepSync(ns / 1e6);
  }

  private nextEventNs(): number {
    let next = Infinity;
    for (const d of this.devices) if (d.nextEventNs) next = Math.min(next, d.nextEventNs());
    return next;
  }

  private advanceDevices(): void {
    const now = this.clock.nowNs();
    for (const d of this.devices) d.advanceTo?.(now);
  }

  run(options: PcRunOptions = {}): PcRunResult {
    const m = this.machine;
    const start = m.instructionCount;
    const budget = options.maxInstructions ?? Infinity;
    const deadline = options.timeoutSeconds === undefined ? Infinity : options.timeoutSeconds * 1e9;
    const result = (reason: PcStopReason, extra: Partial<PcRunResult> = {}): PcRunResult =>
      ({ reason, instructions: m.instructionCount - start, ...extra });
    let tracing = options.beforeInstruction !== undefined;
    for (;;) {
      this.advanceDevices();
      if (this.exitStatus !== undefined) return result("exit", { exitStatus: this.exitStatus });
      if (this.resetRequested) return result("reset", { message: "the guest reset the machine" });
      if (this.noBoot) return result("no-boot", { message: "no bootable disk (INT 18h/19h)" });
      if (options.until?.()) return result("until");
      const now = this.clock.nowNs();
      if (now >= deadline) return result("timeout");
      const left = budget - (m.instructionCount - start);
      if (left <= 0) return result("budget");
      const next = Math.min(this.nextEventNs(), deadline);
      let n = Math.min(left, SLICE, next === Infinity ? SLICE : this.clock.instructionsUntil(next));
      if (tracing) {
        tracing = options.beforeInstruction!();
        if (tracing) n = 1;
      }
      const r = m.run({ maxInstructions: n });
      if (r.reason === "halt") {
        const flags = m.registers.flags;
        if (!(flags & 0x0200)) {
          const { cs, ip } = m.registers;
          return result("halt", { message: `the CPU halted with interrupts disabled at ${hex4(cs)}:${hex4((ip - 1) & 0xffff)}` });
        }
        const wake = this.nextEventNs();
        if (wake === Infinity) return result("halt", { message: "the CPU halted and no device will interrupt it" });
        if (this.clock instanceof VirtualClock) this.clock.idleUntil(Math.min(wake, deadline));
        else sleepSync(Math.max(0, Math.min(wake, deadline) - this.clock.nowNs()) / 1e6);
      }
    }
  }

  /** The last value written to the POST port 80h. */
  get lastPostCode(): number { return this.postCode; }
}

function floppyKind(d: Disk): "360K" | "1.2M" | "720K" | "1.44M" | "2.88M" {
  const g = d.geometry;
  const kb = (g.cylinders * g.heads * g.sectors * SECTOR) / 1024;
  return kb <= 360 ? "360K" : kb <= 720 ? "720K" : kb <= 1200 ? "1.2M" : kb <= 1440 ? "1.44M" : "2.88M";
}

const hex4 = (v: number) => v.toString(16).toUpperCase().padStart(4, "0");

/** Block the thread for `ms` (realtime mode's idle; never in virtual time). */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 50));
}
