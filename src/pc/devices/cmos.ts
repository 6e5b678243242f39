/**
 * cmos.ts — the Motorola MC146818 real-time clock and its CMOS RAM, as on
 * the PC/AT (index port 70h, data port 71h, IRQ8).
 *
 * What it is: the 128-byte CMOS RAM, the RTC time and date registers
 * (00h–09h, plus the IBM century byte 32h) in BCD or binary and 12- or
 * 24-hour form, registers A–D, the NMI-disable bit of port 70h, the
 * periodic, alarm and update-ended interrupts on IRQ8, and `configure()`,
 * which fills the equipment and memory bytes a BIOS set-up writes.
 *
 * What it is not: a byte-accurate model of the chip's counters. The time is
 * kept as a count of seconds (a start time plus the virtual time elapsed)
 * and formatted when read, so switching BCD/binary or 12/24 h shows the
 * same time in the new form (the chip would show the old bytes until its
 * next update). Daylight-saving (register B bit 0) and the square-wave
 * output are not modelled; registers are always readable (during the
 * update cycle the chip's are undefined).
 */
import type { PortHandler } from "../../machine.js";
import type { Clock, Device, IrqSink, PortBus } from "../device.js";

/** The default start time: 2000-01-01 00:00:00, so runs are deterministic. */
export const CMOS_DEFAULT_START_MS = Date.UTC(2000, 0, 1, 0, 0, 0);

const SEC_NS = 1e9;
/** UIP is high for this long before each update: the chip's 244 µs
 *  warning plus its 1984 µs update cycle (32.768 kHz time base). */
const UIP_WINDOW_NS = 244_141 + 1_984_375;

const REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d, REG_CENTURY = 0x32;
const A_UIP = 0x80;
const B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_SQWE = 0x08, B_BINARY = 0x04, B_24H = 0x02;
const C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;

/** Floppy drive types as CMOS byte 10h encodes them. */
export const FLOPPY_CMOS_TYPE = { "360K": 1, "1.2M": 2, "720K": 3, "1.44M": 4, "2.88M": 5 } as const;
/** A floppy drive kind, by its capacity. */
export type FloppyKind = keyof typeof FLOPPY_CMOS_TYPE;

/** What a BIOS set-up records about the machine (see {@link Cmos.configure}). */
export interface CmosConfig {
  /** Conventional memory in KiB (at most 640). */
  baseMemKB: number;
  /** Memory above 1 MiB in KiB. */
  extMemKB: number;
  /** Floppy drives A: and B: (at most two). */
  floppies?: FloppyKind[];
  /** Hard disks C: and D: (at most two), recorded as user type 47. */
  hardDisks?: { cylinders: number; heads: number; sectors: number }[];
  /** A maths coprocessor is fitted (equipment byte bit 1). Default false. */
  fpu?: boolean;
  /** Primary display (equipment byte bits 5–4). Default "vga". */
  display?: "vga" | "cga40" | "cga80" | "mono";
}

/** Construction options for {@link Cmos}. */
export interface CmosOptions {
  /** Virtual time source: the RTC counts the time elapsed on it. */
  clock: Clock;
  /** Where IRQ8 goes (the slave PIC). */
  irqSink: IrqSink;
  /** Interrupt line (default 8). */
  irq?: number;
  /** The RTC's time when the device is built, as milliseconds since 1970
   *  or a Date, read as UTC fields (the PC's RTC holds local time: pass
   *  {@link Cmos.hostLocalTimeMs}() for --realtime).
   *  Default {@link CMOS_DEFAULT_START_MS}. */
  startTime?: number | Date;
}

/**
 * The MC146818 RTC + CMOS RAM.
 *
 * IRQ8 is asserted while register C's IRQF bit is set (an enabled flag is
 * pending) and released when register C is read. Flags are worked out
 * lazily from virtual time on every access; events are only scheduled
 * (nextEventNs) while an enabled interrupt is waiting to fire.
 */
export class Cmos implements Device {
  readonly name = "cmos";
  /** Interrupt line. */
  readonly irq: number;
  private readonly clock: Clock;
  private readonly irqSink: IrqSink;

  private readonly ram = new Uint8Array(128);
  private index = 0;
  private nmiOff = false;
  private regA = 0x26;   // 32.768 kHz time base, 1024 Hz periodic rate
  private regB = B_24H;
  /** Register C's PF/AF/UF flags (IRQF is derived). */
  private flags = 0;

  /** Time: `baseSec` (seconds since 1970, as wall-clock fields) held at
   *  virtual time `baseNs`; while running, a second passes every 1e9 ns. */
  private baseSec: number;
  private baseNs: number;
  private now: number;
  /** Offset added to the computed day of week (the guest may set it). */
  private dowOffset = 0;
  /** Last second whose update (UF, alarm check) has been accounted for. */
  private processedSec: number;
  /** Periodic interrupt edges are at pfOrigin + k * period. */
  private pfOrigin = 0;
  private pfIndex = 0;
  private irqLevel = false;

  constructor(options: CmosOptions) {
    this.clock = options.clock;
    this.irqSink = options.irqSink;
    this.irq = options.irq ?? 8;
    const start = options.startTime ?? CMOS_DEFAULT_START_MS;
    const ms = typeof start === "number" ? start : start.getTime();
    if (!Number.isFinite(ms)) throw new RangeError("cmos: invalid start time");
    this.now = this.clock.nowNs();
    this.baseSec = Math.floor(ms / 1000);
    // Keep the sub-second part: the first update comes when that second ends.
    this.baseNs = this.now - (ms - this.baseSec * 1000) * 1e6;
    this.processedSec = this.baseSec;
    this.pfOrigin = this.now;
    this.ram[REG_D] = 0x80;
  }

  /** The host's current local wall-clock time, as the milliseconds whose
   *  UTC fields read as local time (what `startTime` expects). */
  static hostLocalTimeMs(date: Date = new Date()): number {
    return date.getTime() - date.getTimezoneOffset() * 60_000;
  }

  attach(bus: PortBus): void {
    const handler: PortHandler = {
      read: (port, size) => {
        const lo = port === 0x70 ? 0xff : this.readData();
        return size === 1 ? lo : lo | ((port === 0x70 ? this.readData() : 0xff) << 8);
      },
      write: (port, size, value) => {
        if (port === 0x70) {
          this.writeIndex(value & 0xff);
          if (size === 2) this.writeData((value >> 8) & 0xff);
        } else {
          this.writeData(value & 0xff);
        }
      },
    };
    bus.registerPort([0x70, 0x71], handler);
  }

  /** The chip's RESET pin (the PC's reset): clears the interrupt enables,
   *  the square-wave enable and the flags. Time, RAM and register A are
   *  battery-backed and unchanged. */
  reset(): void {
    this.sync(this.clock.nowNs());
    this.regB &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
    this.flags = 0;
    this.updateIrq();
  }

  nextEventNs(): number {
    let t = Infinity;
    const p = this.periodNs();
    if ((this.regB & B_PIE) && !(this.flags & C_PF) && p > 0) t = this.pfOrigin + (this.pfIndex + 1) * p;
    if (this.running && (((this.regB & B_UIE) && !(this.flags & C_UF)) || ((this.regB & B_AIE) && !(this.flags & C_AF)))) {
      t = Math.min(t, this.baseNs + (this.processedSec - this.baseSec + 1) * SEC_NS);
    }
    return t;
  }

  advanceTo(nowNs: number): void {
    this.sync(nowNs);
    this.updateIrq();
  }

  /** Whether NMIs are disabled (bit 7 of the last write to port 70h). */
  get nmiDisabled(): boolean { return this.nmiOff; }

  /** The currently selected register index (0–127). */
  get selectedIndex(): number { return this.index; }

  /** The RTC's current time as milliseconds since 1970 (UTC fields = RTC fields). */
  get timeMs(): number {
    this.sync(this.clock.nowNs());
    return this.currentSec() * 1000;
  }

  /** Read a CMOS byte as the guest would see it (no side effects except
   *  those of register C). */
  peek(index: number): number {
    this.sync(this.clock.nowNs());
    const v = this.readReg(index & 0x7f);
    this.updateIrq();
    return v;
  }

  /** Write a CMOS byte as the guest would. */
  poke(index: number, value: number): void { this.sync(this.clock.nowNs()); this.writeReg(index & 0x7f, value & 0xff); this.updateIrq(); }

  /**
   * Fill the configuration bytes 10h–35h as QEMU does for SeaBIOS: floppy
   * types (10h), hard disk types and type-47 geometry (12h, 19h–2Ch),
   * equipment (14h), base memory (15h–16h), extended memory (17h–18h and
   * 30h–31h, capped at 65535 KiB), memory above 16 MiB in 64 KiB blocks
   * (34h–35h), and the checksum of 10h–2Dh at 2Eh (high) / 2Fh (low).
   */
  configure(config: CmosConfig): void {
    const { baseMemKB, extMemKB } = config;
    const floppies = config.floppies ?? [];
    const disks = config.hardDisks ?? [];
    if (!Number.isInteger(baseMemKB) || baseMemKB < 0 || baseMemKB > 640) throw new RangeError(`cmos: base memory ${baseMemKB} KiB out of range 0–640`);
    if (!Number.isInteger(extMemKB) || extMemKB < 0) throw new RangeError(`cmos: extended memory ${extMemKB} KiB out of range`);
    if (floppies.length > 2) throw new RangeError("cmos: at most two floppy drives");
    if (disks.length > 2) throw new RangeError("cmos: at most two hard disks");
    const r = this.ram;
    r.fill(0, 0x10, 0x36);
    r[0x10] = ((floppies[0] ? FLOPPY_CMOS_TYPE[floppies[0]] : 0) << 4) | (floppies[1] ? FLOPPY_CMOS_TYPE[floppies[1]] : 0);
    r[0x12] = (disks[0] ? 0xf0 : 0) | (disks[1] ? 0x0f : 0);
    disks.forEach((d, i) => {
      r[0x19 + i] = 47;
      const o = i === 0 ? 0x1b : 0x24;
      r[o] = d.cylinders & 0xff; r[o + 1] = (d.cylinders >> 8) & 0xff;
      r[o + 2] = d.heads & 0xff;
      r[o + 3] = 0xff; r[o + 4] = 0xff;                   // no write precompensation
      r[o + 5] = 0xc0 | (d.heads > 8 ? 0x08 : 0);         // control byte
      r[o + 6] = d.cylinders & 0xff; r[o + 7] = (d.cylinders >> 8) & 0xff;   // landing zone
      r[o + 8] = d.sectors & 0xff;
    });
    const display = { vga: 0, cga40: 1, cga80: 2, mono: 3 }[config.display ?? "vga"];
    r[0x14] = (floppies.length > 0 ? 0x01 | ((floppies.length - 1) << 6) : 0) | (config.fpu ? 0x02 : 0) | (display << 4);
    r[0x15] = baseMemKB & 0xff; r[0x16] = baseMemKB >> 8;
    const ext = Math.min(extMemKB, 0xffff);
    r[0x17] = r[0x30] = ext & 0xff; r[0x18] = r[0x31] = ext >> 8;
    const above16 = Math.min(Math.max(0, Math.floor((extMemKB - 15 * 1024) / 64)), 0xffff);
    r[0x34] = above16 & 0xff; r[0x35] = above16 >> 8;
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += r[i];
    r[0x2e] = (sum >> 8) & 0xff; r[0x2f] = sum & 0xff;
  }

  // --------------------------------------------------------- guest side

  private writeIndex(v: number): void {
    this.nmiOff = (v & 0x80) !== 0;
    this.index = v & 0x7f;
  }

  private readData(): number {
    this.sync(this.clock.nowNs());
    const v = this.readReg(this.index);
    this.updateIrq();
    return v;
  }

  private writeData(v: number): void {
    this.sync(this.clock.nowNs());
    this.writeReg(this.index, v);
    this.updateIrq();
  }

  private readReg(i: number): number {
    switch (i) {
      case 0x00: return this.enc(this.fields().second);
      case 0x02: return this.enc(this.fields().minute);
      case 0x04: return this.encHour(this.fields().hour);
      case 0x06: return this.enc(this.dayOfWeek());
      case 0x07: return this.enc(this.fields().day);
      case 0x08: return this.enc(this.fields().month);
      case 0x09: return this.enc(this.fields().year % 100);
      case REG_CENTURY: return this.enc(Math.floor(this.fields().year / 100) % 100);
      case REG_A: return this.regA | (this.uip() ? A_UIP : 0);
      case REG_B: return this.regB;
      case REG_C: {
        const v = this.flags | ((this.flags & this.regB & 0x70) ? C_IRQF : 0);
        this.flags = 0;   // reading C acknowledges everything
        return v;
      }
      case REG_D: return 0x80;   // VRT: the battery is good
      default: return this.ram[i];
    }
  }

  private writeReg(i: number, v: number): void {
    switch (i) {
      case 0x00: this.setTime((f) => { f.second = this.dec(v); }); break;
      case 0x02: this.setTime((f) => { f.minute = this.dec(v); }); break;
      case 0x04: this.setTime((f) => { f.hour = this.decHour(v); }); break;
      case 0x06: this.dowOffset = mod7(this.dec(v) - computedDow(this.currentSec())); break;
      case 0x07: this.setTime((f) => { f.day = this.dec(v); }); break;
      case 0x08: this.setTime((f) => { f.month = this.dec(v); }); break;
      case 0x09: this.setTime((f) => { f.year = f.year - (f.year % 100) + this.dec(v); }); break;
      case REG_CENTURY: this.setTime((f) => { f.year = this.dec(v) * 100 + (f.year % 100); }); break;
      case REG_A: this.writeA(v & 0x7f); break;   // UIP is read-only
      case REG_B: this.writeB(v); break;
      case REG_C: case REG_D: break;              // read-only
      default: this.ram[i] = v;
    }
  }

  private writeA(v: number): void {
    const wasRunning = this.running, wasDividing = this.dividing;
    const sec = this.currentSec();
    this.regA = v;
    if (this.dividing && !wasDividing) {
      // Out of divider reset: periodic edges restart, and the first update
      // comes 500 ms later, as the data sheet says.
      this.pfOrigin = this.now;
      this.pfIndex = 0;
    } else {
      this.rebasePeriodic();
    }
    this.timeStateChanged(wasRunning, sec, !wasDividing ? 500_000_000 : 0);
  }

  private writeB(v: number): void {
    const wasRunning = this.running;
    const sec = this.currentSec();
    // Setting SET stops updates and clears UIE (MC146818 data sheet).
    this.regB = (v & B_SET) ? v & ~B_UIE : v;
    this.timeStateChanged(wasRunning, sec, 0);
  }

  /** Stop or restart the seconds count after a change to A or B. */
  private timeStateChanged(wasRunning: boolean, sec: number, phaseNs: number): void {
    if (wasRunning === this.running) return;
    this.baseSec = sec;
    this.processedSec = sec;
    if (this.running) this.baseNs = this.now - phaseNs;
  }

  // ----------------------------------------------------------- time

  /** The clock counts when not in SET and the divider is not held in reset
   *  (DV = 000, 001, 010 run, as QEMU treats them). */
  private get running(): boolean { return !(this.regB & B_SET) && (this.regA & 0x70) <= 0x20; }
  /** The divider chain (periodic interrupts) runs unless DV = 11x. */
  private get dividing(): boolean { return (this.regA & 0x60) !== 0x60; }

  private currentSec(): number {
    return this.running ? this.baseSec + stepsSince(this.baseNs, SEC_NS, this.now) : this.baseSec;
  }

  private fields(): Fields { return secToFields(this.currentSec()); }

  /** 1 = Sunday … 7 = Saturday, as the guest last set it. */
  private dayOfWeek(): number {
    return mod7(computedDow(this.currentSec()) - 1 + this.dowOffset) + 1;
  }

  private setTime(change: (f: Fields) => void): void {
    const f = this.fields();
    const dow = this.dayOfWeek();
    change(f);
    const sec = fieldsToSec(f);
    if (this.running) {
      // Keep the divider's phase: the next update is still at the old boundary.
      this.baseNs += stepsSince(this.baseNs, SEC_NS, this.now) * SEC_NS;
    }
    this.baseSec = sec;
    this.processedSec = sec;
    // The chip's day-of-week register is a free counter: keep what it shows.
    this.dowOffset = mod7(dow - computedDow(sec));
  }

  private uip(): boolean {
    if (!this.running) return false;
    const intoSecond = this.now - (this.baseNs + stepsSince(this.baseNs, SEC_NS, this.now) * SEC_NS);
    return intoSecond >= SEC_NS - UIP_WINDOW_NS;
  }

  /** Periodic interrupt period from register A's rate bits (0 = off). */
  private periodNs(): number {
    const rate = this.regA & 0x0f;
    if (rate === 0 || !this.dividing) return 0;
    // Rates 1 and 2 are the same as 8 and 9 on a 32.768 kHz time base.
    const r = rate < 3 ? rate + 7 : rate;
    return (2 ** (r - 1)) * SEC_NS / 32768;   // exact in binary floating point
  }

  private rebasePeriodic(): void {
    const p = this.periodNs();
    this.pfIndex = p > 0 ? stepsSince(this.pfOrigin, p, this.now) : 0;
  }

  /** Account for updates and periodic edges up to `now`, setting flags. */
  private sync(now: number): void {
    if (now > this.now) this.now = now;
    if (this.running) {
      const cur = this.currentSec();
      if (cur > this.processedSec) {
        this.flags |= C_UF;
        // The alarm pattern repeats at least daily: one day of seconds is enough.
        for (let s = Math.max(this.processedSec + 1, cur - 86399); s <= cur; s++) {
          if (this.alarmMatches(s)) { this.flags |= C_AF; break; }
        }
        this.processedSec = cur;
      }
    }
    const p = this.periodNs();
    if (p > 0) {
      const k = stepsSince(this.pfOrigin, p, this.now);
      if (k > this.pfIndex) { this.flags |= C_PF; this.pfIndex = k; }
    }
  }

  private alarmMatches(sec: number): boolean {
    const f = secToFields(sec);
    const match = (alarm: number, now: number) => (alarm & 0xc0) === 0xc0 || alarm === now;
    return match(this.ram[0x01], this.enc(f.second)) && match(this.ram[0x03], this.enc(f.minute))
      && match(this.ram[0x05], this.encHour(f.hour));
  }

  private updateIrq(): void {
    const level = (this.flags & this.regB & 0x70) !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irqSink.setIrq(this.irq, level);
    }
  }

  // ----------------------------------------------------------- formats

  private enc(v: number): number {
    return (this.regB & B_BINARY) ? v : (Math.floor(v / 10) % 10) << 4 | (v % 10);
  }

  private dec(v: number): number {
    return (this.regB & B_BINARY) ? v : (v >> 4) * 10 + (v & 0x0f);
  }

  private encHour(h: number): number {
    if (this.regB & B_24H) return this.enc(h);
    return this.enc(h % 12 || 12) | (h >= 12 ? 0x80 : 0);
  }

  private decHour(v: number): number {
    if (this.regB & B_24H) return this.dec(v);
    return (this.dec(v & 0x7f) % 12) + ((v & 0x80) ? 12 : 0);
  }
}

const mod7 = (n: number): number => ((n % 7) + 7) % 7;

/** The real day of week of a time, 1 = Sunday (1970-01-01 was a Thursday). */
function computedDow(sec: number): number { return mod7(Math.floor(sec / 86400) + 4) + 1; }

interface Fields { year: number; month: number; day: number; hour: number; minute: number; second: number }

/** The largest k with origin + k * step <= now (the same expression the
 *  event times use, so an event at exactly that time always counts). */
function stepsSince(origin: number, step: number, now: number): number {
  let k = Math.floor((now - origin) / step);
  while (origin + (k + 1) * step <= now) k++;
  while (k > 0 && origin + k * step > now) k--;
  return Math.max(k, 0);
}

// Proleptic Gregorian calendar (H. Hinnant's days_from_civil / civil_from_days),
// so years 0–99 are not treated as 1900–1999 the way Date.UTC does.
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function secToFields(sec: number): Fields {
  const days = Math.floor(sec / 86400);
  let rem = sec - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rem / 3600); rem -= hour * 3600;
  const minute = Math.floor(rem / 60);
  return { year, month, day, hour, minute, second: rem - minute * 60 };
}

/** Fields back to seconds; out-of-range values carry over (day 32 is the
 *  1st of the next month), so a guest writing nonsense gets a defined time. */
function fieldsToSec(f: Fields): number {
  const m0 = f.month - 1;
  const year = f.year + Math.floor(m0 / 12);
  const month = (((m0 % 12) + 12) % 12) + 1;
  const days = daysFromCivil(year, month, 1) + f.day - 1;
  return days * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
}
