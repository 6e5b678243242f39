/**
 * bios.ts — the host side of the BIOS: receives hypercalls from the ROM
 * stubs (rom.ts), dispatches them to the service modules (video.ts,
 * disk.ts, keyboard.ts, time.ts, system.ts) and gives those modules a small
 * API over the guest: registers, the FLAGS image the stub's IRET will pop,
 * guest memory. Counts every call per vector and function, and logs each
 * unsupported function once.
 */
import type { Machine, Registers } from "../../machine.js";
import { GuestMem } from "../guest-memory.js";
import { BIOS_SEGMENT, HYPERCALL_PORT, vectorOfHypercall } from "./rom.js";

export type Service = (call: BiosCall) => void;

/** One BIOS call in progress: register access and result helpers. */
export class BiosCall {
  private regs: Registers;
  private changed: Partial<Registers> = {};
  constructor(readonly machine: Machine, readonly mem: GuestMem, readonly vector: number) {
    this.regs = machine.registers;
  }
  get ax(): number { return this.regs.ax; }  get ah(): number { return this.regs.ax >> 8; }  get al(): number { return this.regs.ax & 0xff; }
  get bx(): number { return this.regs.bx; }  get bh(): number { return this.regs.bx >> 8; }  get bl(): number { return this.regs.bx & 0xff; }
  get cx(): number { return this.regs.cx; }  get ch(): number { return this.regs.cx >> 8; }  get cl(): number { return this.regs.cx & 0xff; }
  get dx(): number { return this.regs.dx; }  get dh(): number { return this.regs.dx >> 8; }  get dl(): number { return this.regs.dx & 0xff; }
  get si(): number { return this.regs.si; }  get di(): number { return this.regs.di; }  get bp(): number { return this.regs.bp; }
  get es(): number { return this.regs.es; }  get ds(): number { return this.regs.ds; }
  set(values: Partial<Registers>): void {
    Object.assign(this.regs, values);
    Object.assign(this.changed, values);
  }
  setAH(v: number): void { this.set({ ax: ((v & 0xff) << 8) | (this.regs.ax & 0xff) }); }
  setAL(v: number): void { this.set({ ax: (this.regs.ax & 0xff00) | (v & 0xff) }); }
  setBH(v: number): void { this.set({ bx: ((v & 0xff) << 8) | (this.regs.bx & 0xff) }); }
  setBL(v: number): void { this.set({ bx: (this.regs.bx & 0xff00) | (v & 0xff) }); }
  setCH(v: number): void { this.set({ cx: ((v & 0xff) << 8) | (this.regs.cx & 0xff) }); }
  setCL(v: number): void { this.set({ cx: (this.regs.cx & 0xff00) | (v & 0xff) }); }
  setDH(v: number): void { this.set({ dx: ((v & 0xff) << 8) | (this.regs.dx & 0xff) }); }
  setDL(v: number): void { this.set({ dx: (this.regs.dx & 0xff00) | (v & 0xff) }); }

  /** Physical address of the FLAGS word the stub's IRET will restore. */
  private get flagsImage(): number { return (this.regs.ss << 4) + ((this.regs.sp + 4) & 0xffff); }
  /** Set or clear flag bits in the caller's FLAGS (returned by IRET). */
  setReturnFlag(mask: number, on: boolean): void {
    const a = this.flagsImage;
    const f = this.mem.u16(a);
    this.mem.set16(a, on ? f | mask : f & ~mask);
  }
  /** The caller's FLAGS as pushed by the INT. */
  get callerFlags(): number { return this.mem.u16(this.flagsImage); }
  /** Success/failure the usual BIOS way: CF (and AH = status on failure). */
  carry(on: boolean): void { this.setReturnFlag(0x0001, on); }
  zero(on: boolean): void { this.setReturnFlag(0x0040, on); }
  /** Make the stub continue at another ROM offset instead of its IRET. */
  jumpRom(offset: number): void { this.set({ ip: offset }); }

  /** Write back the registers the service changed. */
  commit(): void {
    if (Object.keys(this.changed).length > 0) this.machine.setRegisters(this.changed);
  }
}

export interface BiosStats {
  /** Calls per "INT xxh/AH=yy". */
  calls: Map<string, number>;
  unsupported: Set<string>;
  /** OUTs to the hypercall port from outside the ROM stubs. */
  strayHypercalls: number;
}

export class Bios {
  readonly mem: GuestMem;
  private readonly services = new Map<number, Service>();
  readonly stats: BiosStats = { calls: new Map(), unsupported: new Set(), strayHypercalls: 0 };
  /** Where unsupported functions are reported (once each). */
  log: (msg: string) => void = (msg) => process.stderr.write(`wasm86: ${msg}\n`);

  constructor(readonly machine: Machine) {
    this.mem = new GuestMem(machine);
    machine.registerPort(HYPERCALL_PORT, { write: () => this.hypercall() });
  }

  register(vector: number, service: Service): void { this.services.set(vector, service); }

  /** Report (once) and fail a function the BIOS does not implement:
   *  CF = 1, AH = 86h ("function not supported"), as real BIOSes answer. */
  unsupported(call: BiosCall, what = `INT ${hex(call.vector)}h AH=${hex(call.ah)}h`): void {
    if (!this.stats.unsupported.has(what)) {
      this.stats.unsupported.add(what);
      this.log(`unsupported BIOS function ${what}`);
    }
    call.setAH(0x86);
    call.carry(true);
  }

  private hypercall(): void {
    const r = this.machine.registers;
    const vector = r.cs === BIOS_SEGMENT ? vectorOfHypercall(r.ip) : -1;
    const service = vector >= 0 ? this.services.get(vector) : undefined;
    if (vector < 0) { this.stats.strayHypercalls++; return; }
    // Hardware interrupts have no function number: AH means nothing there.
    const key = vector === 0x08 || vector === 0x09 ? `INT ${hex(vector)}h (IRQ${vector - 8})` : `INT ${hex(vector)}h AH=${hex(r.ax >> 8)}h`;
    this.stats.calls.set(key, (this.stats.calls.get(key) ?? 0) + 1);
    if (!service) return; // a vector without a service: the stub just IRETs
    const call = new BiosCall(this.machine, this.mem, vector);
    const ops = this.mem.ops;
    service(call);
    call.commit();
    // A real BIOS is guest code: its work retires instructions and takes
    // time. Charge one instruction per four guest-memory bytes the service
    // touched, so a huge request (INT 10h AH=13h with CX = FFFFh) costs the
    // guest its budget and virtual time instead of being free.
    const charge = (this.mem.ops - ops) >> 2;
    if (charge > 0) this.machine.chargeInstructions(charge);
  }
}

export function hex(v: number, digits = 2): string { return v.toString(16).toUpperCase().padStart(digits, "0"); }
