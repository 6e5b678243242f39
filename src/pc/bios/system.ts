/**
 * system.ts — the small BIOS services: INT 11h (equipment), 12h (memory
 * size), 14h (serial port), 15h (system: wait, extended memory, A20,
 * configuration), 18h (no ROM BASIC) and 19h (bootstrap).
 */
import type { Bios, BiosCall } from "./bios.js";
import { EQUIPMENT, MEMORY_KB } from "./bda.js";
import { BIOS_SEGMENT, CONFIG_TABLE } from "./rom.js";

/** What the system services need from the PC around them. */
export interface SystemHooks {
  /** Bytes of guest RAM. */
  memorySize: number;
  /** Let `ns` of virtual time pass with the CPU idle (INT 15h AH=86h). */
  idle(ns: number): void;
  getA20(): boolean;
  setA20(on: boolean): boolean;
  /** Reload the boot sector and jump to it (INT 19h). */
  bootstrap(call: BiosCall): void;
  /** INT 18h: nothing to boot. */
  noBootDevice(): void;
  serial?: SerialPort;
}

/** INT 14h's view of COM1 (devices/uart.ts behind an adapter). */
export interface SerialPort {
  init(params: number): void;
  send(byte: number): boolean;
  receive(): number | undefined;
  lineStatus(): number;
  modemStatus(): number;
}


export class SystemBios {
  constructor(private readonly bios: Bios, private readonly hooks: SystemHooks) {}

  equipment = (c: BiosCall): void => { c.set({ ax: this.bios.mem.u16(EQUIPMENT) }); };
  memory = (c: BiosCall): void => { c.set({ ax: this.bios.mem.u16(MEMORY_KB) }); };
  bootstrap = (c: BiosCall): void => { this.hooks.bootstrap(c); };
  basic = (): void => { this.hooks.noBootDevice(); };

  system = (c: BiosCall): void => {
    switch (c.ah) {
      case 0x86: // wait CX:DX microseconds
        this.hooks.idle(((c.cx << 16) | c.dx) * 1000);
        c.carry(false);
        return;
      case 0x88: // extended memory above 1 MiB in KiB
        c.set({ ax: Math.min(0xfc00, Math.max(0, (this.hooks.memorySize - 0x100000) >> 10)) });
        c.carry(false);
        return;
      case 0xc0:
        c.set({ es: BIOS_SEGMENT, bx: CONFIG_TABLE });
        c.setAH(0); c.carry(false);
        return;
      case 0x24:
        switch (c.al) {
          case 0x00: case 0x01:
            if (!this.hooks.setA20(c.al === 1)) { this.bios.unsupported(c, "INT 15h AX=240xh (A20 on an 8086)"); return; }
            c.setAH(0); c.carry(false); return;
          case 0x02: c.setAL(this.hooks.getA20() ? 1 : 0); c.setAH(0); c.carry(false); return;
          case 0x03: c.set({ bx: 0x0003 }); c.setAH(0); c.carry(false); return; // via 8042 and port 92h
        }
        break;
      case 0x4f: c.carry(true); return;              // keyboard intercept: keep the scancode
      case 0x90: case 0x91: c.setAH(0); c.carry(false); return; // device busy / interrupt complete
    }
    this.bios.unsupported(c);
  };

  serial = (c: BiosCall): void => {
    const port = this.hooks.serial;
    if (!port || c.dx !== 0) { c.setAH(0x80); return; } // timeout: no such port
    switch (c.ah) {
      case 0x00: port.init(c.al); break;
      case 0x01: if (!port.send(c.al)) { c.setAH(0x80 | port.lineStatus()); return; } break;
      case 0x02: {
        const b = port.receive();
        if (b === undefined) { c.setAH(0x80 | port.lineStatus()); return; }
        c.setAL(b); c.setAH(port.lineStatus() & 0x1e); return;
      }
      case 0x03: break;
      default: this.bios.unsupported(c); return;
    }
    c.set({ ax: (port.lineStatus() << 8) | (c.ah === 0x01 ? c.al : port.modemStatus()) });
  };
}
