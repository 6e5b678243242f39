/**
 * machine.ts — the public API: a CPU with memory and host handlers.
 *
 *   const m = new Machine({ cpu: "8086", memory: 1 << 20 });
 *   m.load(0x7c00, bytes);
 *   m.setRegisters({ cs: 0, ip: 0x7c00 });
 *   const r = m.run({ maxInstructions: 1e6 });   // { reason, instructions }
 *
 * A Machine is one core instance (its own Wasm memory). This file turns the
 * core's raw ABI into a typed, validated API and runs the fault protocol
 * (trap → deliverFault → resume). It is not the PC (BIOS, devices): that
 * builds on top of this.
 */
import { JitEngine, type JitOptions, type JitStats } from "./jit/engine.js";
import { jitLoaded } from "./jit/load.js";
import {
  instantiateCore, CoreExports, Layout, EXIT_BUDGET, EXIT_HALT, EXIT_BREAKPOINT, EXIT_COMPILE, EXIT_DEOPT, CORE_BUILDS, type CoreBuild,
} from "./core/core.js";

export type CpuModel = "8086" | "286" | "386";
export const CPU_MODELS: readonly CpuModel[] = ["8086", "286", "386"];

export interface MachineOptions {
  /** CPU model (default "8086"). The 286 includes the 80186 additions. */
  cpu?: CpuModel;
  /** Guest RAM in bytes: a multiple of 4 KiB from 64 KiB to 16 MiB.
   *  Default 1 MiB + 64 KiB (conventional memory plus the HMA). */
  memory?: number;
  /** Core build to run (experiments only; see bench/). Default "default". */
  coreBuild?: CoreBuild;
  /** "interp" (default): the interpreter only. "jit": hot blocks are
   *  translated to WebAssembly (src/jit) and run from there. */
  engine?: Engine;
  /** The translator's knobs (engine "jit"). */
  jit?: JitOptions;
}

export type Engine = "interp" | "jit";
export const ENGINES: readonly Engine[] = ["interp", "jit"];

/** 16-bit register file plus FLAGS. */
export interface Registers {
  ax: number; cx: number; dx: number; bx: number; sp: number; bp: number; si: number; di: number;
  ip: number; flags: number;
  es: number; cs: number; ss: number; ds: number;
}

/** The 386's additions: the full 32-bit general registers and FS/GS. */
export interface Registers32 {
  eax: number; ecx: number; edx: number; ebx: number; esp: number; ebp: number; esi: number; edi: number;
  fs: number; gs: number;
}

export type StopReason = "budget" | "halt" | "breakpoint" | "stop";

export interface RunResult {
  /** Why run() returned: the instruction budget ran out; the CPU executed
   *  HLT and nothing can wake it; a breakpoint address was reached; or a
   *  handler called requestStop(). */
  reason: StopReason;
  /** Instructions retired by this call. */
  instructions: number;
}

export interface RunOptions {
  /** Stop after this many retired instructions (default: 10 million). */
  maxInstructions?: number;
}

/** Port handler. Unregistered ports read as all ones; writes are dropped. */
export interface PortHandler {
  read?(port: number, size: 1 | 2): number;
  write?(port: number, size: 1 | 2, value: number): void;
}

/** MMIO handler for a physical address range (page-granular interception;
 *  addresses on an intercepted page outside any range fall back to RAM). */
export interface MmioHandler {
  read(addr: number, size: number): number;
  write(addr: number, size: number, value: number): void;
}

/** The interrupt controller's side of the INTR/INTA handshake. */
export interface InterruptController {
  /** Called when the CPU takes the interrupt: return the vector. */
  acknowledge(): number;
}

export interface CoreStats {
  portIn: number; portOut: number; portUnhandledIn: number; portUnhandledOut: number;
  mmio: number; romWrites: number; cowBreaks: number; codeWrites: number;
  interrupts: number; exceptions: number; tlbSlow: number; openBus: number;
  /** REP MOVS/STOS/CMPS/SCAS chunks done in one go (a page at most). */
  repBulk: number;
}

const REG_ORDER = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] as const;
const SEG_ORDER = ["es", "cs", "ss", "ds", "fs", "gs"] as const;
const REG32_ORDER = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;
const DEFAULT_MEMORY = 0x110000;
/** Instructions per call into the core (see run()). */
const SLICE = 1_000_000n;
/** The same while background translations are due (jit.background): the
 *  interpreter runs this many (about a millisecond) between looks for
 *  the worker's replies. */
const BACKGROUND_SLICE = 100_000n;
const PAGE = 4096;

export class Machine {
  readonly cpu: CpuModel;
  readonly memorySize: number;
  private readonly core: CoreExports;
  private readonly L: Layout;
  private readonly ports = new Map<number, PortHandler>();
  private readonly mmio: { base: number; end: number; handler: MmioHandler }[] = [];
  private readonly breakpoints: number[] = [];
  private controller: InterruptController | undefined;
  private readonly queuedVectors: number[] = [];
  /** Called when the guest writes a page flagged as holding translated
   *  code (by setCodePages; the built-in translator's pages are its own). */
  onCodeWrite: ((physAddr: number, size: number) => void) | undefined;
  /** The engine running the guest. */
  readonly engine: Engine;
  private readonly jit: JitEngine | undefined;
  /** Pages setCodePages flagged (the translator flags its own with
   *  PF_JIT_CODE). */
  private readonly userCodePages = new Set<number>();

  constructor(options: MachineOptions = {}) {
    const cpu = options.cpu ?? "8086";
    if (!CPU_MODELS.includes(cpu)) {
      throw new RangeError(`wasm86: unknown CPU model ${JSON.stringify(cpu)} (expected one of ${CPU_MODELS.join(", ")})`);
    }
    const memory = options.memory ?? DEFAULT_MEMORY;
    if (!Number.isInteger(memory) || memory < 0x10000 || memory > 16 << 20 || memory % PAGE !== 0) {
      throw new RangeError(`wasm86: memory size must be a multiple of 4096 between 64 KiB and 16 MiB, got ${memory}`);
    }
    const build = options.coreBuild ?? "default";
    if (!(build in CORE_BUILDS)) {
      throw new RangeError(`wasm86: unknown core build ${JSON.stringify(build)} (expected one of ${Object.keys(CORE_BUILDS).join(", ")})`);
    }
    this.cpu = cpu;
    this.memorySize = memory;
    // The 8086 has 20 address lines: addresses past 1 MiB always wrap.
    const { exports, layout } = instantiateCore({
      portIn: (port, size) => this.portIn(port, size as 1 | 2),
      portOut: (port, size, value) => this.portOut(port, size as 1 | 2, value),
      mmioRead: (addr, size) => this.mmioRead(addr, size),
      mmioWrite: (addr, size, value) => this.mmioWrite(addr, size, value),
      irqAck: () => this.acknowledge(),
      codeWrite: (addr, size) => this.codeWritten(addr, size),
    }, build);
    this.core = exports;
    this.L = layout;
    if (this.core.init(CPU_MODELS.indexOf(cpu), memory) !== 0) {
      throw new RangeError(`wasm86: the core refused memory size ${memory}`);
    }
    if (cpu === "8086") this.core.setA20(0);
    const engine = options.engine ?? "interp";
    if (!ENGINES.includes(engine)) {
      throw new RangeError(`wasm86: unknown engine ${JSON.stringify(engine)} (expected one of ${ENGINES.join(", ")})`);
    }
    this.engine = engine;
    if (engine === "jit") {
      if ((options.jit?.optimize ?? 0) > 0 && !jitLoaded()) {
        throw new Error("wasm86: jit.optimize > 0 needs `await loadJit()` before the machine is created (binaryen, the optimiser, loads asynchronously)");
      }
      this.jit = new JitEngine(this.core, this.L, cpu,
        () => {
          // Per byte, this.a20 would make a DataView and hostAddr call
          // into the core: a translation's decoding spent ~2 µs per
          // instruction there. Its bytes are on one page or two.
          const u8 = this.u8, wrap = this.a20 ? -1 : 0xfffff;
          let page = -1, frame = 0;
          return (lin) => {
            const p = lin & wrap;
            if (p >= memory) return 0xff;
            if (p >>> 12 !== page) { page = p >>> 12; frame = this.core.pageFrame(page); }
            return u8[frame + (p & 0xfff)];
          };
        },
        (linear, length) => {
          // The same bytes as the reader's, a page at a time.
          const u8 = this.u8, wrap = this.a20 ? -1 : 0xfffff, out = new Uint8Array(length);
          for (let i = 0; i < length;) {
            const p = (linear + i) & wrap, n = Math.min(length - i, PAGE - (p & 0xfff));
            if (p >= memory) out.fill(0xff, i, i + n);
            else { const at = this.core.pageFrame(p >>> 12) + (p & 0xfff); out.set(u8.subarray(at, at + n), i); }
            i += n;
          }
          return out;
        },
        (page, on) => this.setPageFlag(page, this.L.PF_JIT_CODE, on),
        options.jit);
      this.jit.enable(true);
    }
  }

  /** A guest or host write hit a page flagged as holding translated code. */
  private codeWritten(addr: number, size: number): void {
    this.jit?.codeWrite(addr, size);
    if (this.userCodePages.has(addr >>> 12) || this.userCodePages.has((addr + size - 1) >>> 12)) this.onCodeWrite?.(addr, size);
  }

  /** Wait (up to `timeoutMs`) for the translations the background
   *  translator is still working on (jit.background), and install them:
   *  for tests and measurements that need the translated code in place.
   *  False if some did not come in time. */
  settleJit(timeoutMs?: number): boolean { return this.jit?.settle(timeoutMs) ?? true; }

  /** What the translator did (undefined with the interpreter engine). */
  get jitStats(): JitStats | undefined { return this.jit?.stats; }

  // ------------------------------------------------------------ views
  // Fresh views each time: memory.grow detaches old ArrayBuffers.
  private view: Uint8Array | undefined;
  private get u8(): Uint8Array {
    // Cached; re-made only when Wasm memory grew (the old buffer detaches).
    if (!this.view || this.view.buffer !== this.core.memory.buffer) this.view = new Uint8Array(this.core.memory.buffer);
    return this.view;
  }
  private get dv(): DataView { return new DataView(this.core.memory.buffer); }

  // -------------------------------------------------------- registers

  /** A snapshot of the registers (FLAGS materialised). */
  get registers(): Registers {
    const dv = this.dv;
    const r = {} as Registers;
    REG_ORDER.forEach((name, i) => { r[name] = dv.getUint16(this.L.REGS + i * 4, true); });
    SEG_ORDER.slice(0, 4).forEach((name, i) => { r[name as keyof Registers] = dv.getUint32(this.L.SEG_SEL + i * 4, true) & 0xffff; });
    r.ip = dv.getUint32(this.L.REG_IP, true) & 0xffff;
    r.flags = this.core.getFlags() & 0xffff;
    return r;
  }

  /** The 32-bit general registers and FS/GS (meaningful on the 386; the
   *  8086 and 286 never touch the upper halves or FS/GS). */
  get registers32(): Registers32 {
    const dv = this.dv;
    const r = {} as Registers32;
    REG32_ORDER.forEach((name, i) => { r[name] = dv.getUint32(this.L.REGS + i * 4, true); });
    r.fs = dv.getUint32(this.L.SEG_SEL + 16, true) & 0xffff;
    r.gs = dv.getUint32(this.L.SEG_SEL + 20, true) & 0xffff;
    return r;
  }

  /** Set any subset of the registers, 16-bit (`ax`, ..., truncated to 16
   *  bits) or 32-bit (`eax`, ...; on the 8086 and 286, which have no upper
   *  halves, the same as the 16-bit name); FLAGS has its fixed bits forced
   *  as the model reads them. */
  setRegisters(values: Partial<Registers & Registers32>): void {
    const dv = this.dv;
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new TypeError(`wasm86: register ${name} must be a number, got ${String(value)}`);
      }
      const v = value & 0xffff;
      const gi = REG_ORDER.indexOf(name as (typeof REG_ORDER)[number]);
      const si = SEG_ORDER.indexOf(name as (typeof SEG_ORDER)[number]);
      const wi = REG32_ORDER.indexOf(name as (typeof REG32_ORDER)[number]);
      if (gi >= 0) dv.setUint16(this.L.REGS + gi * 4, v, true);
      else if (wi >= 0) dv.setUint32(this.L.REGS + wi * 4, this.cpu === "386" ? value >>> 0 : v, true);
      else if (si >= 0) this.core.setSeg(si, v);
      else if (name === "ip") dv.setUint32(this.L.REG_IP, v, true);
      else if (name === "flags") { this.core.setFlags(v); this.core.poke(); }
      else throw new TypeError(`wasm86: unknown register ${JSON.stringify(name)}`);
    }
    this.core.clearShadow();
    dv.setInt32(this.L.REP_ACTIVE, 0, true);
    dv.setInt32(this.L.HALTED, 0, true);
    this.jit?.lookupNext();
  }

  /** Linear address of CS:IP. */
  get pc(): number { const r = this.registers; return (r.cs << 4) + r.ip; }

  /** Count `n` more retired instructions without running any: for work a
   *  host-side service does on the guest's behalf (a BIOS call), so that
   *  virtual time and budgets account for it. A run may end past its
   *  budget by such a charge. */
  chargeInstructions(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`wasm86: bad instruction charge ${n}`);
    const dv = this.dv;
    dv.setBigInt64(this.L.ICOUNT, dv.getBigInt64(this.L.ICOUNT, true) + BigInt(n), true);
  }

  /** Instructions retired since the machine was created. */
  get instructionCount(): number { return Number(this.dv.getBigInt64(this.L.ICOUNT, true)); }

  /** True while the CPU sits in HLT. */
  get halted(): boolean { return this.dv.getInt32(this.L.HALTED, true) !== 0; }

  /** True while a REP string instruction is between iterations. */
  get repActive(): boolean { return this.dv.getInt32(this.L.REP_ACTIVE, true) !== 0; }

  // ----------------------------------------------------------- memory

  private checkRange(addr: number, length: number): void {
    if (!Number.isInteger(addr) || !Number.isInteger(length) || addr < 0 || length < 0 || addr + length > this.memorySize) {
      throw new RangeError(`wasm86: physical range 0x${addr.toString(16)}+${length} is outside guest memory (0x${this.memorySize.toString(16)} bytes)`);
    }
  }

  /** Host address of a physical byte, through the page's current frame
   *  (a copy-on-write page reads its shared frame). */
  private hostAddr(addr: number): number {
    return this.core.pageFrame(addr >>> 12) + (addr & 0xfff);
  }

  readByte(addr: number): number { this.checkRange(addr, 1); return this.u8[this.hostAddr(addr)]; }

  /** Write physical memory from the host. Bypasses ROM protection; like a
   *  guest write it breaks copy-on-write sharing, marks the page in the
   *  dirty log and reports writes to code pages (onCodeWrite). */
  writeByte(addr: number, value: number): void {
    this.checkRange(addr, 1);
    const page = addr >>> 12;
    if (this.core.getPageFlags(page) !== 0 || this.isShared(page)) { this.write(addr, Uint8Array.of(value & 0xff)); return; }
    this.u8[this.L.GUEST_BASE + addr] = value;
  }

  read(addr: number, length: number): Uint8Array {
    this.checkRange(addr, length);
    const out = new Uint8Array(length);
    const u8 = this.u8;
    for (let done = 0; done < length;) {
      const a = addr + done;
      const n = Math.min(length - done, PAGE - (a & 0xfff));
      const h = this.hostAddr(a);
      out.set(u8.subarray(h, h + n), done);
      done += n;
    }
    return out;
  }

  write(addr: number, data: ArrayLike<number>): void {
    this.checkRange(addr, data.length);
    const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
    for (let done = 0; done < bytes.length;) {
      const a = addr + done;
      const page = a >>> 12;
      const n = Math.min(bytes.length - done, PAGE - (a & 0xfff));
      this.unshare(page);
      const h = this.hostAddr(a);
      this.u8.set(bytes.subarray(done, done + n), h);
      const flags = this.core.getPageFlags(page);
      if (flags & this.L.PF_DIRTY_LOG) this.core.dirtyMark(page);
      if (flags & (this.L.PF_CODE | this.L.PF_JIT_CODE)) this.codeWritten(a, n);
      done += n;
    }
  }

  /** Load a program image at a physical address (alias of write). */
  load(addr: number, bytes: ArrayLike<number>): void { this.write(addr, bytes); }

  private unshare(page: number): void {
    const home = this.L.GUEST_BASE + page * PAGE;
    const frame = this.core.pageFrame(page);
    if (frame !== home) {
      this.u8.copyWithin(home, frame, frame + PAGE);
      this.core.mapPageFrame(page, home, 0);
    }
  }

  // ------------------------------------------------------- page control

  /** Mark a physical page read-only (writes from the guest are dropped). */
  setRom(addr: number, length: number, rom = true): void {
    this.forPages(addr, length, (p) => this.setPageFlag(p, this.L.PF_ROM, rom));
  }

  /** Flag pages as holding translated code: guest writes call onCodeWrite. */
  setCodePages(addr: number, length: number, on = true): void {
    this.forPages(addr, length, (p) => {
      if (on) this.userCodePages.add(p); else this.userCodePages.delete(p);
      this.setPageFlag(p, this.L.PF_CODE, on);
    });
  }

  private setPageFlag(page: number, flag: number, on: boolean): void {
    const f = this.core.getPageFlags(page);
    this.core.setPageFlags(page, on ? f | flag : f & ~flag);
  }

  private forPages(addr: number, length: number, fn: (page: number) => void): void {
    this.checkRange(addr, length);
    if (length === 0) return;
    for (let p = addr >>> 12; p <= (addr + length - 1) >>> 12; p++) fn(p);
  }

  /** Start logging writes per 4 KiB page (for migration pre-copy). */
  startDirtyLog(): void { this.core.dirtyLogEnable(1); }
  stopDirtyLog(): void { this.core.dirtyLogEnable(0); }

  /** Physical page numbers written since logging started or the last call;
   *  their bits are cleared and logging re-armed. */
  takeDirtyPages(): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.memorySize / PAGE; p++) {
      if (this.core.dirtyTest(p)) { out.push(p); this.core.dirtyClear(p); }
    }
    return out;
  }

  /** Share physical pages copy-on-write: each page listed reads the same
   *  new frame (filled with `content`, 4096 bytes); the first write to a
   *  page gives it a private copy again. Returns the frame's host address. */
  sharePages(pages: number[], content: Uint8Array): number {
    if (content.length !== PAGE) throw new RangeError("wasm86: a shared frame is exactly 4096 bytes");
    for (const p of pages) this.checkRange(p * PAGE, PAGE);
    const frame = this.core.allocFrames(1);
    if (frame === 0) throw new RangeError("wasm86: out of memory for a shared frame");
    this.u8.set(content, frame);
    for (const p of pages) this.core.mapPageFrame(p, frame, 1);
    return frame;
  }

  /** True while a page still reads a shared copy-on-write frame. */
  isShared(page: number): boolean {
    return this.core.pageFrame(page) !== this.L.GUEST_BASE + page * PAGE;
  }

  /** The A20 gate: when off, addresses wrap at 1 MiB like an 8086. The
   *  8086 has no gate (always off); on later models it starts enabled. */
  get a20(): boolean { return this.dv.getInt32(this.L.A20, true) !== 0; }
  set a20(on: boolean) {
    if (this.cpu === "8086" && on) throw new RangeError("wasm86: the 8086 has no A20 line to enable");
    this.core.setA20(on ? 1 : 0);
  }

  // --------------------------------------------------------------- I/O

  /** Register a handler for one port or an inclusive range of ports. */
  registerPort(port: number | [number, number], handler: PortHandler): void {
    const [from, to] = typeof port === "number" ? [port, port] : port;
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 0xffff || from > to) {
      throw new RangeError(`wasm86: bad port range ${from}..${to}`);
    }
    for (let p = from; p <= to; p++) { this.ports.set(p, handler); this.core.setPortHandled(p, 1); }
  }

  private portIn(port: number, size: 1 | 2): number {
    const h = this.ports.get(port);
    if (size === 2 && h?.read === undefined) {
      // A word access split over two byte handlers.
      return this.portIn(port, 1) | (this.portIn((port + 1) & 0xffff, 1) << 8);
    }
    return h?.read ? h.read(port, size) : size === 1 ? 0xff : 0xffff;
  }

  private portOut(port: number, size: 1 | 2, value: number): void {
    const h = this.ports.get(port);
    if (size === 2 && h?.write === undefined) {
      this.portOut(port, 1, value & 0xff);
      this.portOut((port + 1) & 0xffff, 1, value >> 8);
      return;
    }
    h?.write?.(port, size, value);
  }

  /** Intercept a physical address range (page-granular) with a handler. */
  registerMmio(base: number, length: number, handler: MmioHandler): void {
    this.checkRange(base, length);
    this.mmio.push({ base, end: base + length, handler });
    this.forPages(base, length, (p) => this.setPageFlag(p, this.L.PF_MMIO, true));
  }

  private mmioFind(addr: number) {
    return this.mmio.find((r) => addr >= r.base && addr < r.end);
  }

  private mmioRead(addr: number, size: number): number {
    const r = this.mmioFind(addr);
    if (r) return r.handler.read(addr, size);
    const u8 = this.u8;
    let v = 0;
    for (let i = 0; i < size; i++) v |= u8[this.hostAddr(addr + i)] << (8 * i);
    return v;
  }

  private mmioWrite(addr: number, size: number, value: number): void {
    const r = this.mmioFind(addr);
    if (r) { r.handler.write(addr, size, value); return; }
    const u8 = this.u8;
    for (let i = 0; i < size; i++) u8[this.hostAddr(addr + i)] = (value >> (8 * i)) & 0xff;
  }

  // -------------------------------------------------------- interrupts

  /** Attach an interrupt controller (the PIC); it drives setIrqLine(). */
  setInterruptController(c: InterruptController | undefined): void { this.controller = c; }

  /** Drive the CPU's INTR line. */
  setIrqLine(level: boolean): void {
    this.dv.setInt32(this.L.IRQ_LINE, level ? 1 : 0, true);
    this.core.poke();
  }

  /** Without a controller: queue an external interrupt with this vector;
   *  it is taken at the next instruction boundary with IF = 1. */
  interrupt(vector: number): void {
    if (!Number.isInteger(vector) || vector < 0 || vector > 255) throw new RangeError(`wasm86: bad vector ${vector}`);
    this.queuedVectors.push(vector);
    this.setIrqLine(true);
  }

  /** Raise a non-maskable interrupt (vector 2). */
  nmi(): void {
    this.dv.setInt32(this.L.NMI_PENDING, 1, true);
    this.core.poke();
  }

  private acknowledge(): number {
    if (this.controller) return this.controller.acknowledge();
    const v = this.queuedVectors.shift();
    if (this.queuedVectors.length === 0) this.dv.setInt32(this.L.IRQ_LINE, 0, true);
    return v ?? -1;
  }

  // --------------------------------------------------------- execution

  /** Stop run() at the next instruction boundary (callable from handlers). */
  requestStop(): void {
    this.dv.setInt32(this.L.STOP_REQUEST, 1, true);
    this.core.poke();
  }

  addBreakpoint(linear: number): void {
    if (this.breakpoints.length >= this.L.MAX_BREAKPOINTS) throw new RangeError("wasm86: too many breakpoints");
    if (!this.breakpoints.includes(linear)) this.breakpoints.push(linear);
    this.syncBreakpoints();
  }

  removeBreakpoint(linear: number): void {
    const i = this.breakpoints.indexOf(linear);
    if (i >= 0) this.breakpoints.splice(i, 1);
    this.syncBreakpoints();
  }

  private syncBreakpoints(): void {
    const dv = this.dv;
    this.breakpoints.forEach((a, i) => dv.setInt32(this.L.BREAKPOINTS + 4 * i, a, true));
    dv.setInt32(this.L.BP_COUNT, this.breakpoints.length, true);
    this.core.poke();
  }

  /** Execute exactly one instruction (one iteration of a REP string
   *  instruction), taking pending interrupts first like the hardware. */
  step(): RunResult { return this.run({ maxInstructions: 1 }); }

  /** Run until the budget is spent, HLT, a breakpoint or a stop request. */
  run(options: RunOptions = {}): RunResult {
    const budget = options.maxInstructions ?? 10_000_000;
    if (!Number.isSafeInteger(budget) || budget < 0) {
      throw new RangeError(`wasm86: maxInstructions must be a non-negative integer, got ${budget}`);
    }
    // The DataView is re-made after every call into the core: Wasm memory
    // may grow meanwhile (shared frames), detaching the old buffer.
    let dv = this.dv;
    const start = dv.getBigInt64(this.L.ICOUNT, true);
    const stop = start + BigInt(budget);
    let code: number;
    for (;;) {
      // Run in slices: V8 cannot replace a running Wasm call with its
      // optimised code (no OSR), so one endless call would stay in the
      // baseline tier. Slices also bound how long the host waits.
      const now = dv.getBigInt64(this.L.ICOUNT, true);
      // (Shorter while background translations are due: the run loop
      // installs them between slices.)
      const slice = this.jit !== undefined && this.jit.pendingTranslations > 0 ? BACKGROUND_SLICE : SLICE;
      const sliceEnd = now + slice < stop ? now + slice : stop;
      dv.setBigInt64(this.L.ICOUNT_STOP, sliceEnd, true);
      try {
        code = this.core.run();
        if (code === EXIT_COMPILE) { this.jit!.compile(); dv = this.dv; continue; }
        if (code === EXIT_DEOPT) { this.jit!.deopt(); dv = this.dv; continue; }
        // (Not before a request is answered: a reply installed then could
        // be that very region's, and the request would replace it.)
        if (this.jit !== undefined && this.jit.repliesDue) { this.jit.poll(); dv = this.dv; }
      } catch (e) {
        // A guest fault unwinds the instruction with a trap (see
        // assembly/cpu/fault.ts); anything else is a real error.
        dv = this.dv;
        if (dv.getInt32(this.L.FAULT_VECTOR, true) < 0) throw e;
        this.core.deliverFault();
        continue;
      }
      dv = this.dv;
      if (code !== EXIT_BUDGET || sliceEnd === stop) break;
    }
    const reason: StopReason =
      code === EXIT_BUDGET ? "budget" : code === EXIT_HALT ? "halt" : code === EXIT_BREAKPOINT ? "breakpoint" : "stop";
    return { reason, instructions: Number(dv.getBigInt64(this.L.ICOUNT, true) - start) };
  }

  /** Counters kept by the core. */
  get stats(): CoreStats {
    const dv = this.dv, L = this.L;
    const g = (o: number) => dv.getInt32(o, true);
    return {
      portIn: g(L.STAT_PORT_IN), portOut: g(L.STAT_PORT_OUT),
      portUnhandledIn: g(L.STAT_PORT_UNHANDLED_IN), portUnhandledOut: g(L.STAT_PORT_UNHANDLED_OUT),
      mmio: g(L.STAT_MMIO), romWrites: g(L.STAT_ROM_WRITES), cowBreaks: g(L.STAT_COW_BREAKS),
      codeWrites: g(L.STAT_CODE_WRITES), interrupts: g(L.STAT_INTERRUPTS), exceptions: g(L.STAT_EXCEPTIONS),
      tlbSlow: g(L.STAT_TLB_SLOW), openBus: g(L.STAT_OPEN_BUS), repBulk: g(L.STAT_REP_BULK),
    };
  }
}
