/**
 * dos.ts — a small DOS for running .COM programs on the PC: it loads a
 * program with a PSP and an environment as MS-DOS 5 does, and serves INT
 * 20h, INT 21h and INT 29h in TypeScript through the BIOS hypercall
 * mechanism (bios.ts / rom.ts): the vectors point at the ROM stubs
 * F000:E100+8·v, so programs can hook and chain them like real DOS vectors.
 *
 * What it is not: there is no COMMAND.COM, no EXEC (4Bh), no .EXE loader,
 * no FCB file functions and no disk below the file API. Files live in one
 * host directory (files.ts), the console is the BIOS keyboard and screen
 * (console.ts), memory is a real MCB chain in guest RAM (memory.ts).
 *
 * Memory layout (fixed, see common.ts): DOS code at 0070:0000, environment
 * at 0FDF:0000 (its MCB at 0FDE), the PSP at 1000:0000 (PSP_SEGMENT) and the
 * program at 1000:0100; the program owns everything up to A000h.
 *
 * Registers at entry, as MS-DOS 5.0 sets them for a .COM (measured values
 * collected at fysnet.net "DOS .COM startup registers"): CS = DS = ES = SS =
 * PSP, IP = 0100h, SP = FFFEh with a 0000h word at SS:FFFE (so a near RET
 * reaches PSP:0000, INT 20h), AX = 0000h (both FCB drives valid), BX = 0000h,
 * CX = 00FFh, DX = PSP, SI = 0100h, DI = FFFEh, BP = 091Ch, IF = 1. (BX:CX =
 * file size is what DEBUG sets, not DOS.)
 *
 * Termination (INT 20h, INT 21h AH=00h/4Ch) records `exitCode`, sets
 * `terminated`, closes the files, parks the CPU on CLI;HLT in the DOS code
 * and asks the machine to stop. PC.run() does not end on a machine stop by
 * itself, so drive the program with Dos.run(), which adds the stop
 * condition, or pass `until: () => dos.terminated` to pc.run().
 */
import * as fs from "node:fs";
import type { PC, PcRunOptions, PcRunResult } from "../pc.js";
import type { BiosCall } from "../bios/bios.js";
import { MEMORY_KB } from "../bios/bda.js";
import { BIOS_SEGMENT, stubOffset } from "../bios/rom.js";
import { DosConsole } from "./console.js";
import { DosFiles, FAT16_MAX_FILE } from "./files.js";
import { DosMemory } from "./memory.js";
import {
  DOS_SEGMENT, DOS_WAIT, DOS_EXIT, DOS_INT23, DOS_INT24, PSP_SEGMENT, ENV_SEGMENT, ENV_PARAGRAPHS, FIRST_MCB,
  type GuestMem, dosCode, fail, ok, linear, bytesOf, hex2, type Outcome,
} from "./common.js";

export { PSP_SEGMENT, ENV_SEGMENT, DOS_SEGMENT } from "./common.js";

/** A .COM that cannot be loaded, or a bad DOS configuration; the message
 *  is one line, fit for the CLI. */
export class DosError extends Error {}

/** The largest .COM: one 64 KiB segment minus the 256-byte PSP. */
export const MAX_COM_SIZE = 0xff00;
/** Drive letters DOS reports (AH=0Eh): A–E, MS-DOS's default LASTDRIVE. */
const LASTDRIVE = 5;

export interface DosOptions {
  /** Host directory that is drive C:\ for the file functions. */
  root: string;
  /** Where unsupported functions are reported, once each (default: the
   *  PC's BIOS log). */
  log?: (msg: string) => void;
  /** Every byte the program writes to the console (INT 21h 02h/06h/09h,
   *  handles 1/2, INT 29h, echo), e.g. to mirror it on the host's stdout. */
  onOutput?: (byte: number) => void;
  /** Files never grow beyond this many bytes (default 2 GiB − 1, FAT16's
   *  limit); writes past it write what fits, like DOS on a full disk. */
  maxFileSize?: number;
}

/** PC.run's result, plus "terminated" when the program ended through DOS. */
export interface DosRunResult extends Omit<PcRunResult, "reason"> {
  reason: PcRunResult["reason"] | "terminated";
  /** The program's exit code (INT 21h AH=4Ch AL; 0 for INT 20h and 00h). */
  exitCode?: number;
}

/** DOS installed on a PC: load a .COM with load(), run it with run(). */
export class Dos {
  readonly console: DosConsole;
  readonly files: DosFiles;
  readonly memory: DosMemory;
  /** True once the program has terminated. */
  terminated = false;
  /** The exit code, once terminated. */
  exitCode: number | undefined;
  private dtaSeg = PSP_SEGMENT;
  private dtaOff = 0x80;
  /** The call parked in the wait loop: its function and stack frame, which
   *  identify its retry (a nested call from an interrupt handler has a
   *  different SP). */
  private parked: { ah: number; ss: number; sp: number } | undefined;
  private readonly log: (msg: string) => void;
  private readonly mem: GuestMem;

  /** Install DOS on `pc`: INT 20h/21h/29h services and vectors, the DOS
   *  code in RAM. Throws DosError if `root` is not a directory. */
  constructor(readonly pc: PC, options: DosOptions) {
    let isDir = false;
    try { isDir = fs.statSync(options.root).isDirectory(); } catch { /* reported below */ }
    if (!isDir) throw new DosError(`DOS directory not found or not a directory: ${options.root}`);
    this.log = (msg) => (options.log ?? pc.bios.log)(msg);
    // The BIOS's instance: DOS work is charged to the guest the same way.
    const mem = pc.bios.mem;
    this.mem = mem;
    this.console = new DosConsole(mem, pc.video, options.onOutput);
    this.files = new DosFiles(options.root, {
      mem, console: this.console,
      psp: () => PSP_SEGMENT, dta: () => linear(this.dtaSeg, this.dtaOff),
    }, options.maxFileSize ?? FAT16_MAX_FILE);
    const top = Math.min(mem.u16(MEMORY_KB) << 6, pc.machine.memorySize >> 4, 0xa000);
    this.memory = new DosMemory(mem, FIRST_MCB, top);
    pc.bios.register(0x20, this.int20);
    pc.bios.register(0x21, this.int21);
    pc.bios.register(0x29, this.int29);
    this.install();
  }

  /** The DOS code and the vectors DOS owns. */
  private install(): void {
    this.pc.machine.write(linear(DOS_SEGMENT, 0), dosCode(stubOffset(0x21)));
    for (const v of [0x20, 0x21, 0x29]) this.setVector(v, BIOS_SEGMENT, stubOffset(v));
    this.setVector(0x22, DOS_SEGMENT, DOS_EXIT);
    this.setVector(0x23, DOS_SEGMENT, DOS_INT23);
    this.setVector(0x24, DOS_SEGMENT, DOS_INT24);
  }

  private setVector(v: number, seg: number, off: number): void {
    this.pc.machine.write(v * 4, [off & 0xff, (off >> 8) & 0xff, seg & 0xff, (seg >> 8) & 0xff]);
  }

  private getVector(v: number): { seg: number; off: number } {
    return { off: this.mem.u16(v * 4), seg: this.mem.u16(v * 4 + 2) };
  }

  // ------------------------------------------------------------ loading

  /**
   * Load a .COM image and point the CPU at it, as COMMAND.COM would after
   * `NAME ARGS`. `args` becomes the command tail at PSP:80h: DOS keeps the
   * separator, so a non-empty tail gets a leading space if it has none (at
   * most 126 characters). `name` (a host file name; only its last component
   * is used) goes after the environment, as C:\NAME.COM.
   */
  load(image: Uint8Array, args = "", name = "PROGRAM.COM"): void {
    if (image.length === 0) throw new DosError("the .COM program is empty (0 bytes)");
    if (image.length > MAX_COM_SIZE) {
      throw new DosError(`the .COM program is too large: ${image.length} bytes (at most 65,280 fit in a segment after the PSP)`);
    }
    const tail = args === "" || args.startsWith(" ") ? args : ` ${args}`;
    if (tail.length > 126) throw new DosError(`the command tail is too long: ${tail.length} characters (DOS allows 126)`);
    if (/[^\x20-\xff\t]/.test(tail)) throw new DosError("the command tail may only hold printable Latin-1 characters and tabs");
    if (this.memory.top < PSP_SEGMENT + 0x1000) throw new DosError("not enough conventional memory for a .COM program");

    const m = this.pc.machine;
    this.install();
    this.terminated = false;
    this.exitCode = undefined;
    this.parked = undefined;
    this.dtaSeg = PSP_SEGMENT;
    this.dtaOff = 0x80;
    this.console.reset();
    this.files.reset();
    m.write(FIRST_MCB << 4, new Uint8Array(((PSP_SEGMENT - FIRST_MCB) << 4) + 0x10000));

    const prog = programName(name);
    this.memory.init([
      { owner: PSP_SEGMENT, size: ENV_PARAGRAPHS },
      { owner: PSP_SEGMENT, name: prog.split(".")[0] },
    ]);

    // Environment: variables, an empty string, a word 0001h, the program.
    const env = [
      ...["COMSPEC=C:\\COMMAND.COM", "PATH=C:\\", "PROMPT=$P$G"].flatMap((v) => [...bytesOf(v), 0]),
      0, 0x01, 0x00, ...bytesOf(`C:\\${prog}`), 0,
    ];
    m.write(ENV_SEGMENT << 4, env);

    m.write(PSP_SEGMENT << 4, buildPsp(this.memory.top, tail));
    m.write(linear(PSP_SEGMENT, 0x100), image);
    m.write(linear(PSP_SEGMENT, 0xfffe), [0, 0]);
    m.setRegisters({
      cs: PSP_SEGMENT, ds: PSP_SEGMENT, es: PSP_SEGMENT, ss: PSP_SEGMENT, ip: 0x100, sp: 0xfffe,
      ax: 0, bx: 0, cx: 0x00ff, dx: PSP_SEGMENT, si: 0x100, di: 0xfffe, bp: 0x091c, flags: 0x0202,
    });
  }

  /** Run the loaded program (PC.run) until it terminates or another stop
   *  condition of `options` holds. */
  run(options: PcRunOptions = {}): DosRunResult {
    const r = this.pc.run({ ...options, until: () => this.terminated || (options.until?.() ?? false) });
    return this.terminated ? { ...r, reason: "terminated", exitCode: this.exitCode } : r;
  }

  // ----------------------------------------------------------- services

  private terminate(c: BiosCall, code: number): void {
    this.exitCode = code & 0xff;
    this.terminated = true;
    this.files.reset();
    c.set({ cs: DOS_SEGMENT, ip: DOS_EXIT });
    this.pc.machine.requestStop();
  }

  /** Report (once) and fail a function this DOS does not implement:
   *  CF = 1, AX = 0001h (invalid function). */
  private unsupported(c: BiosCall, what = `INT 21h AH=${hex2(c.ah)}h`): void {
    const seen = this.pc.bios.stats.unsupported;
    if (!seen.has(what)) {
      seen.add(what);
      this.log(`unsupported DOS function ${what}`);
    }
    fail(c, 0x0001);
  }

  /** INT 20h: terminate with exit code 0. */
  private int20 = (c: BiosCall): void => { this.terminate(c, 0); };

  /** INT 29h: fast console output of AL. */
  private int29 = (c: BiosCall): void => { this.console.raw(c.al); };

  /** INT 21h: dispatch, and park calls that must wait for a key. */
  private int21 = (c: BiosCall): void => {
    const { ss, sp } = this.pc.machine.registers;
    const ah = c.ah;
    const p = this.parked;
    const resumed = p !== undefined && p.ah === ah && p.ss === ss && p.sp === sp;
    if (resumed) this.parked = undefined;
    if (this.dispatch(c, ah, resumed) === "wait") {
      this.parked = { ah, ss, sp };
      c.set({ cs: DOS_SEGMENT, ip: DOS_WAIT });
    }
  };

  private dispatch(c: BiosCall, ah: number, resumed: boolean): Outcome {
    const f = this.files;
    switch (ah) {
      case 0x00: this.terminate(c, 0); return;
      case 0x01: case 0x02: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x0c:
        return this.console.service(c, ah, resumed);
      case 0x0e: c.setAL(LASTDRIVE); return; // C: stays the current drive
      case 0x19: c.setAL(2); return;         // C:
      case 0x1a: this.dtaSeg = c.ds; this.dtaOff = c.dx; return;
      case 0x25: this.setVector(c.al, c.ds, c.dx); return;
      case 0x2a: {
        const d = new Date(this.pc.cmos.timeMs);
        c.set({ cx: d.getUTCFullYear(), dx: ((d.getUTCMonth() + 1) << 8) | d.getUTCDate() });
        c.setAL(d.getUTCDay());
        return;
      }
      case 0x2c: {
        // The RTC counts whole seconds: hundredths are always 0.
        const d = new Date(this.pc.cmos.timeMs);
        c.set({ cx: (d.getUTCHours() << 8) | d.getUTCMinutes(), dx: d.getUTCSeconds() << 8 });
        return;
      }
      case 0x2f: c.set({ es: this.dtaSeg, bx: this.dtaOff }); return;
      case 0x30: // DOS 5.0; OEM FFh (Microsoft), or with AL=01h the version flag 00h
        c.set({ ax: 0x0005, bx: c.al === 0x01 ? 0x0000 : 0xff00, cx: 0 });
        return;
      case 0x33: // Ctrl-Break flag (always off), boot drive, true version
        if (c.al === 0x00) c.setDL(0);
        else if (c.al === 0x05) c.setDL(3);
        else if (c.al === 0x06) c.set({ bx: 0x0005, dx: 0 });
        else if (c.al !== 0x01) c.setAL(0xff);
        return;
      case 0x35: { const v = this.getVector(c.al); c.set({ es: v.seg, bx: v.off }); return; }
      case 0x3c: f.create(c); return;
      case 0x3d: f.open(c); return;
      case 0x3e: f.close(c); return;
      case 0x3f: return f.read(c, resumed);
      case 0x40: f.write(c); return;
      case 0x41: f.unlink(c); return;
      case 0x42: f.seek(c); return;
      case 0x43: if (!f.attributes(c)) this.unsupported(c, `INT 21h AX=43${hex2(c.al)}h`); return;
      case 0x44: if (!f.ioctl(c)) this.unsupported(c, `INT 21h AX=44${hex2(c.al)}h`); return;
      case 0x47: f.getcwd(c); return;
      case 0x48: {
        const r = this.memory.allocate(c.bx, PSP_SEGMENT);
        if (typeof r === "number") ok(c, { ax: r });
        else { fail(c, r.error); if (r.largest !== undefined) c.set({ bx: r.largest }); }
        return;
      }
      case 0x49: { const e = this.memory.free(c.es); if (e) fail(c, e); else ok(c); return; }
      case 0x4a: {
        const r = this.memory.resize(c.es, c.bx);
        if (r === 0) ok(c);
        else { fail(c, r.error); if (r.largest !== undefined) c.set({ bx: r.largest }); }
        return;
      }
      case 0x4c: this.terminate(c, c.al); return;
      case 0x4d: c.set({ ax: 0 }); return;   // no child has run: code 0, normal end
      case 0x4e: f.findFirst(c); return;
      case 0x4f: f.findNext(c); return;
      case 0x51: case 0x62: c.set({ bx: PSP_SEGMENT }); return;
    }
    this.unsupported(c);
  }
}

/** The DOS name for the program: the host name's last component, upper
 *  case, if it is a plain 8.3 name; otherwise PROGRAM.COM. */
function programName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const up = base.replace(/[a-z]/g, (ch) => ch.toUpperCase());
  return /^[A-Z0-9_$~!#%&@^'`{}()-]{1,8}(\.[A-Z0-9_$~!#%&@^'`{}()-]{1,3})?$/.test(up) ? up : "PROGRAM.COM";
}

/** The 256-byte PSP of a .COM loaded at PSP_SEGMENT. */
function buildPsp(top: number, tail: string): Uint8Array {
  const p = new Uint8Array(0x100);
  const w16 = (o: number, v: number) => { p[o] = v & 0xff; p[o + 1] = (v >> 8) & 0xff; };
  p.set([0xcd, 0x20], 0x00);                 // INT 20h: where RET to 0000 lands
  w16(0x02, top);                            // first segment beyond the program's memory
  // CALL FAR F01D:FEF0, the CP/M entry. Only its word at 06h (FEF0h, bytes
  // available in the segment) is meaningful here: CALL 5 is not supported.
  p.set([0x9a, 0xf0, 0xfe, 0x1d, 0xf0], 0x05);
  w16(0x0a, DOS_EXIT); w16(0x0c, DOS_SEGMENT);   // INT 22h terminate address
  w16(0x0e, DOS_INT23); w16(0x10, DOS_SEGMENT);  // INT 23h Ctrl-C
  w16(0x12, DOS_INT24); w16(0x14, DOS_SEGMENT);  // INT 24h critical error
  w16(0x16, PSP_SEGMENT);                    // parent: itself (as COMMAND.COM's PSP)
  p.set(DosFiles.initialJft(), 0x18);        // job file table: handles 0–19
  w16(0x2c, ENV_SEGMENT);
  w16(0x32, 20); w16(0x34, 0x18); w16(0x36, PSP_SEGMENT); // JFT size and pointer
  p.fill(0xff, 0x38, 0x3c);                  // previous PSP: none
  w16(0x40, 0x0005);                         // DOS version 5.0
  p.set([0xcd, 0x21, 0xcb], 0x50);           // INT 21h; RETF (far-call DOS entry)
  p.fill(0x20, 0x5d, 0x68);                  // FCB 1: default drive, blank name
  p.fill(0x20, 0x6d, 0x78);                  // FCB 2
  p[0x80] = tail.length;
  p.set(bytesOf(tail), 0x81);
  p[0x81 + tail.length] = 0x0d;
  return p;
}
