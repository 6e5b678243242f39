/**
 * time.ts — INT 08h (the IRQ0 tick: BDA tick count, midnight rollover) and
 * INT 1Ah (tick count read/set, RTC time and date from the CMOS clock).
 */
import type { Bios, BiosCall } from "./bios.js";
import { TICKS, MIDNIGHT } from "./bda.js";

/** Ticks per day at 1,193,182 / 65536 Hz (0x1800B0, as the IBM BIOS). */
export const TICKS_PER_DAY = 0x1800b0;

/** The RTC as the time services see it (devices/cmos.ts, or a stand-in). */
export interface RtcTime {
  /** Current date/time in the RTC's (virtual) clock. */
  now(): Date;
}

const bcd = (v: number) => ((Math.floor(v / 10) << 4) | (v % 10)) & 0xff;

export class TimeBios {
  constructor(private readonly bios: Bios, private readonly rtc: RtcTime) {}

  /** INT 08h body: count one tick. */
  tick = (): void => {
    const m = this.bios.mem;
    let t = m.u32(TICKS) + 1;
    if (t >= TICKS_PER_DAY) { t = 0; m.set8(MIDNIGHT, 1); }
    m.set32(TICKS, t);
  };

  service = (c: BiosCall): void => {
    const m = this.bios.mem;
    switch (c.ah) {
      case 0x00: {
        const t = m.u32(TICKS);
        c.set({ cx: t >>> 16, dx: t & 0xffff });
        c.setAL(m.u8(MIDNIGHT));
        m.set8(MIDNIGHT, 0);
        return;
      }
      case 0x01: m.set32(TICKS, ((c.cx << 16) | c.dx) >>> 0); m.set8(MIDNIGHT, 0); return;
      case 0x02: {
        const d = this.rtc.now();
        c.set({ cx: (bcd(d.getUTCHours()) << 8) | bcd(d.getUTCMinutes()), dx: bcd(d.getUTCSeconds()) << 8 });
        c.carry(false);
        return;
      }
      case 0x04: {
        const d = this.rtc.now();
        const y = d.getUTCFullYear();
        c.set({ cx: (bcd(Math.floor(y / 100)) << 8) | bcd(y % 100), dx: (bcd(d.getUTCMonth() + 1) << 8) | bcd(d.getUTCDate()) });
        c.carry(false);
        return;
      }
      case 0x03: case 0x05: c.carry(false); return; // setting the RTC: accepted, not persisted
      default: this.bios.unsupported(c);
    }
  };
}
