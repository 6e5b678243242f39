/**
 * cmos.test.ts — the MC146818 RTC/CMOS through ports 70h/71h: time and date
 * in BCD/binary and 12/24 h, time advancing with the virtual clock, setting
 * the time, registers A–D (UIP, divider, SET, read-to-clear C), the
 * periodic/alarm/update interrupts on IRQ8, the NMI bit, CMOS RAM and
 * configure().
 */
import { describe, it, expect } from "vitest";
import { ManualClock, TestBus, type IrqSink } from "../../src/pc/device.js";
import { Cmos, CMOS_DEFAULT_START_MS, type CmosOptions } from "../../src/pc/devices/cmos.js";

class FakeIrq implements IrqSink {
  readonly levels = new Map<number, boolean>();
  readonly log: [number, boolean][] = [];
  setIrq(irq: number, level: boolean): void { this.levels.set(irq, level); this.log.push([irq, level]); }
  level(irq: number): boolean { return this.levels.get(irq) ?? false; }
}

const S = 1e9;

function setup(opts: Partial<CmosOptions> = {}) {
  const clock = new ManualClock();
  const irq = new FakeIrq();
  const rtc = new Cmos({ clock, irqSink: irq, ...opts });
  const bus = new TestBus();
  rtc.attach(bus);
  const rd = (i: number) => { bus.outb(0x70, i); return bus.inb(0x71); };
  const wr = (i: number, v: number) => { bus.outb(0x70, i); bus.outb(0x71, v); };
  /** sec, min, hour, dow, day, month, year, century */
  const time = () => [0, 2, 4, 6, 7, 8, 9, 0x32].map(rd);
  const runTo = (t: number) => {
    for (let e = rtc.nextEventNs(); e <= t; e = rtc.nextEventNs()) {
      expect(e).toBeGreaterThanOrEqual(clock.nowNs());
      clock.set(e); rtc.advanceTo(e);
    }
    clock.set(t); rtc.advanceTo(t);
  };
  return { clock, irq, rtc, bus, rd, wr, time, runTo };
}

describe("time and date", () => {
  it("starts at 2000-01-01 00:00:00 (a Saturday), BCD, 24 h", () => {
    const { time, rd } = setup();
    expect(time()).toEqual([0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x20]);
    expect(rd(0x0b)).toBe(0x02);
    expect(new Date(CMOS_DEFAULT_START_MS).toISOString()).toBe("2000-01-01T00:00:00.000Z");
  });

  it("advances with the virtual clock", () => {
    const { clock, time, rtc } = setup();
    clock.set(999_999_999);
    expect(time()[0]).toBe(0x00);
    clock.set(S);
    expect(time()[0]).toBe(0x01);
    clock.set((13 * 3600 + 45 * 60 + 30) * S);
    expect(time().slice(0, 3)).toEqual([0x30, 0x45, 0x13]);
    clock.set((2 * 86400 + 59) * S);            // Monday 3 January
    expect(time()).toEqual([0x59, 0x00, 0x00, 0x02, 0x03, 0x01, 0x00, 0x20]);
    expect(rtc.timeMs).toBe(Date.UTC(2000, 0, 3, 0, 0, 59));
  });

  it("rolls over the year and century and knows leap days", () => {
    const a = setup({ startTime: Date.UTC(1999, 11, 31, 23, 59, 59) });
    expect(a.time()).toEqual([0x59, 0x59, 0x23, 0x06, 0x31, 0x12, 0x99, 0x19]);
    a.clock.set(S);
    expect(a.time()).toEqual([0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x20]);
    const b = setup({ startTime: new Date(Date.UTC(2024, 1, 28, 23, 59, 59)) });
    b.clock.set(S);
    expect(b.time().slice(4, 7)).toEqual([0x29, 0x02, 0x24]);
    const c = setup({ startTime: Date.UTC(2100, 1, 28, 23, 59, 59) });   // not a leap year
    c.clock.set(S);
    expect(c.time().slice(4, 8)).toEqual([0x01, 0x03, 0x00, 0x21]);
  });

  it("keeps the sub-second part of the start time", () => {
    const { clock, rd } = setup({ startTime: CMOS_DEFAULT_START_MS + 750 });
    clock.set(249_999_999);
    expect(rd(0)).toBe(0x00);
    clock.set(250_000_000);
    expect(rd(0)).toBe(0x01);
  });

  it("binary mode (register B bit 2)", () => {
    const { clock, wr, time } = setup({ startTime: Date.UTC(2023, 11, 25, 18, 42, 37) });
    wr(0x0b, 0x06);
    expect(time()).toEqual([37, 42, 18, 2, 25, 12, 23, 20]);
    clock.set(S);
    expect(time()[0]).toBe(38);
  });

  it.each([
    [0, 0x12, 12], [1, 0x01, 1], [11, 0x11, 11], [12, 0x92, 0x8c], [13, 0x81, 0x81], [23, 0x91, 0x8b],
  ])("12-hour mode: %i h reads %s (BCD) / %s (binary)", (hour, bcd, bin) => {
    const { wr, rd } = setup({ startTime: Date.UTC(2000, 0, 1, hour, 0, 0) });
    wr(0x0b, 0x00);
    expect(rd(4)).toBe(bcd);
    wr(0x0b, 0x04);
    expect(rd(4)).toBe(bin);
    wr(0x0b, 0x02);
    expect(rd(4)).toBe(Number.parseInt(String(hour), 16));   // 24 h BCD
  });

  it("the host's local time helper gives UTC fields equal to local fields", () => {
    const d = new Date(2021, 5, 15, 10, 20, 30);
    const ms = Cmos.hostLocalTimeMs(d);
    const u = new Date(ms);
    expect([u.getUTCFullYear(), u.getUTCMonth(), u.getUTCDate(), u.getUTCHours(), u.getUTCMinutes()]).toEqual([2021, 5, 15, 10, 20]);
  });
});

describe("setting the time", () => {
  it("SET freezes the clock; writes take effect; clearing SET restarts it", () => {
    const { clock, wr, rd, time } = setup();
    clock.set(10.5 * S);
    wr(0x0b, 0x82);
    expect(rd(0x0b)).toBe(0x82);
    wr(0, 0x30); wr(2, 0x15); wr(4, 0x08); wr(7, 0x17); wr(8, 0x06); wr(9, 0x91); wr(0x32, 0x19);
    wr(6, 0x04);
    clock.set(100 * S);
    expect(time()).toEqual([0x30, 0x15, 0x08, 0x04, 0x17, 0x06, 0x91, 0x19]);
    wr(0x0b, 0x02);
    clock.set(101 * S - 1);
    expect(rd(0)).toBe(0x30);
    clock.set(101 * S);
    expect(rd(0)).toBe(0x31);
    // Day of week is a free counter: 1991-06-17 was a Monday but the guest said 4.
    clock.set(101 * S + 86400 * S);
    expect(rd(6)).toBe(0x05);
    expect(rd(7)).toBe(0x18);
  });

  it("writes while running keep the second's phase", () => {
    const { clock, wr, rd } = setup();
    clock.set(0.7 * S);
    wr(2, 0x59);
    expect(rd(2)).toBe(0x59);
    clock.set(S);                                // the old boundary still applies
    expect(rd(0)).toBe(0x01);
  });

  it("decodes writes in binary and 12-hour form", () => {
    const { wr, rd } = setup();
    wr(0x0b, 0x80);                              // SET, 12 h, BCD
    wr(4, 0x85);                                 // 5 PM
    wr(0x0b, 0x86);                              // SET, 24 h, binary
    expect(rd(4)).toBe(17);
    wr(4, 0x0b);
    wr(0x0b, 0x82);
    expect(rd(4)).toBe(0x11);
    wr(0x0b, 0x80);
    wr(4, 0x12);                                 // 12 AM is midnight
    wr(0x0b, 0x82);
    expect(rd(4)).toBe(0x00);
  });

  it("out-of-range dates carry over instead of failing", () => {
    const { wr, rd } = setup();
    wr(0x0b, 0x82);
    wr(8, 0x02); wr(7, 0x30);                    // 30 February 2000
    expect([rd(7), rd(8)]).toEqual([0x01, 0x03]);
  });
});

describe("registers A–D", () => {
  it("A: reset value, UIP read-only and high just before each update", () => {
    const { clock, wr, rd } = setup();
    expect(rd(0x0a)).toBe(0x26);
    wr(0x0a, 0xa6);
    expect(rd(0x0a)).toBe(0x26);
    clock.set(0.5 * S);
    expect(rd(0x0a) & 0x80).toBe(0);
    clock.set(S - 2_228_516);
    expect(rd(0x0a) & 0x80).toBe(0x80);
    expect(rd(0)).toBe(0x00);                    // still the old second
    clock.set(S);
    expect(rd(0x0a) & 0x80).toBe(0);
    expect(rd(0)).toBe(0x01);
    wr(0x0b, 0x82);
    clock.set(2 * S - 1000);
    expect(rd(0x0a) & 0x80).toBe(0);             // no updates while SET
  });

  it("A: the divider in reset stops time; restarting it updates 500 ms later", () => {
    const { clock, wr, rd } = setup();
    clock.set(3.2 * S);
    wr(0x0a, 0x76);
    clock.set(50 * S);
    expect(rd(0)).toBe(0x03);
    wr(0x0a, 0x26);
    clock.set(50.5 * S - 1);
    expect(rd(0)).toBe(0x03);
    clock.set(50.5 * S);
    expect(rd(0)).toBe(0x04);
  });

  it("B: SET clears UIE; C and D are read-only; D reports valid RAM", () => {
    const { wr, rd } = setup();
    wr(0x0b, 0x12);
    expect(rd(0x0b)).toBe(0x12);
    wr(0x0b, 0x92);
    expect(rd(0x0b)).toBe(0x82);
    wr(0x0c, 0xff); wr(0x0d, 0x00);
    expect(rd(0x0c)).toBe(0x00);
    expect(rd(0x0d)).toBe(0x80);
  });

  it("C: flags are set even when not enabled, without IRQF, and reading clears them", () => {
    const { clock, rd, irq } = setup();
    clock.set(1.001 * S);
    expect(rd(0x0c)).toBe(0x50);                 // PF (1024 Hz) and UF
    expect(rd(0x0c)).toBe(0x00);
    expect(irq.log).toEqual([]);
  });
});

describe("interrupts on IRQ8", () => {
  it("periodic interrupt at the rate in register A", () => {
    const { rtc, wr, rd, irq, runTo } = setup();
    const p = 1e9 / 1024;                        // rate 6
    wr(0x0b, 0x42);
    expect(rtc.nextEventNs()).toBe(p);
    runTo(p - 1);
    expect(irq.level(8)).toBe(false);
    runTo(p);
    expect(irq.level(8)).toBe(true);
    expect(rtc.nextEventNs()).toBe(Infinity);   // nothing new until C is read
    expect(rd(0x0c)).toBe(0xc0);
    expect(irq.level(8)).toBe(false);
    expect(rd(0x0c)).toBe(0x00);
    expect(rtc.nextEventNs()).toBe(2 * p);
    // Rate 15: 2 Hz; rates 1 and 2 equal 8 and 9.
    wr(0x0a, 0x2f);
    expect(rtc.nextEventNs()).toBe(0.5 * S);
    wr(0x0a, 0x21);
    expect(rtc.nextEventNs()).toBe(3_906_250);   // 256 Hz, like rate 8
    wr(0x0a, 0x22);
    expect(rtc.nextEventNs()).toBe(7_812_500);   // 128 Hz, like rate 9
    wr(0x0a, 0x20);                               // rate 0: off
    expect(rtc.nextEventNs()).toBe(Infinity);
  });

  it("counts periodic edges over a stretch of time", () => {
    const { rtc, wr, rd, irq, runTo } = setup();
    wr(0x0a, 0x23);                               // 8192 Hz
    wr(0x0b, 0x42);
    let n = 0;
    for (let e = rtc.nextEventNs(); e <= 0.01 * S; e = rtc.nextEventNs()) {
      runTo(e);
      expect(irq.level(8)).toBe(true);
      expect(rd(0x0c)).toBe(0xc0);
      n++;
    }
    expect(n).toBe(Math.floor(0.01 * 8192));
  });

  it("update-ended interrupt once a second", () => {
    const { rtc, wr, rd, irq, runTo } = setup();
    wr(0x0a, 0x20);
    wr(0x0b, 0x12);
    expect(rtc.nextEventNs()).toBe(S);
    runTo(S);
    expect(irq.level(8)).toBe(true);
    expect(rd(0x0c)).toBe(0x90);
    expect(rtc.nextEventNs()).toBe(2 * S);
  });

  it("alarm interrupt when the time matches, with don't-care bytes", () => {
    const { rtc, wr, rd, irq, runTo } = setup();
    wr(0x0a, 0x20);
    wr(1, 0x05); wr(3, 0x00); wr(5, 0x00);
    wr(0x0b, 0x22);
    runTo(4 * S);
    expect(irq.level(8)).toBe(false);
    expect(rd(0x0c)).toBe(0x10);                 // updates, no alarm yet
    runTo(5 * S);
    expect(irq.level(8)).toBe(true);
    expect(rd(0x0c)).toBe(0xb0);
    wr(1, 0xc0); wr(3, 0xff); wr(5, 0xc0);       // every second
    runTo(6 * S);
    expect(rd(0x0c)).toBe(0xb0);
    expect(rtc.nextEventNs()).toBe(7 * S);
  });

  it("an alarm passed while nobody looked still sets AF", () => {
    const { clock, wr, rd } = setup();
    wr(1, 0x30); wr(3, 0x10); wr(5, 0x00);       // 00:10:30
    clock.set(3600 * S);
    expect(rd(0x0c) & 0x20).toBe(0x20);
  });

  it("enabling an interrupt whose flag is set raises IRQ8 at once", () => {
    const { clock, wr, irq } = setup();
    clock.set(S);
    wr(0x0b, 0x12);
    expect(irq.level(8)).toBe(true);
  });

  it("reset clears enables and flags but keeps time and RAM", () => {
    const { clock, wr, rd, rtc, irq } = setup();
    wr(0x40, 0x99);
    wr(0x0b, 0x72);
    clock.set(S);
    rd(0x0a);                                    // any access catches up with the clock
    expect(irq.level(8)).toBe(true);
    rtc.reset();
    expect(irq.level(8)).toBe(false);
    expect(rd(0x0b)).toBe(0x02);
    expect(rd(0x0c)).toBe(0x00);
    expect(rd(0)).toBe(0x01);
    expect(rd(0x40)).toBe(0x99);
  });
});

describe("ports, NMI bit and RAM", () => {
  it("bit 7 of port 70h is the NMI mask; the index is 7 bits", () => {
    const { bus, rtc, wr, rd } = setup();
    expect(rtc.nmiDisabled).toBe(false);
    bus.outb(0x70, 0x8a);
    expect(rtc.nmiDisabled).toBe(true);
    expect(rtc.selectedIndex).toBe(0x0a);
    expect(bus.inb(0x71)).toBe(0x26);
    bus.outb(0x70, 0x0a);
    expect(rtc.nmiDisabled).toBe(false);
    expect(bus.inb(0x70)).toBe(0xff);            // write-only
    bus.outb(0x70, 0xff); bus.outb(0x71, 0x5a);
    expect(rd(0x7f)).toBe(0x5a);
    wr(0x40, 0x12);
    expect(rd(0x40)).toBe(0x12);
    expect(rd(0x41)).toBe(0x00);
  });

  it("peek and poke act like the guest's accesses", () => {
    const { rtc, rd } = setup();
    rtc.poke(0x50, 0xab);
    expect(rd(0x50)).toBe(0xab);
    expect(rtc.peek(0x09)).toBe(0x00);
    expect(rtc.peek(0x32)).toBe(0x20);
  });

  it("a word write to 70h sets the index and writes the data", () => {
    const { bus, rd } = setup();
    bus.handlers.get(0x70)!.write!(0x70, 2, 0x7760);
    expect(rd(0x60)).toBe(0x77);
    bus.outb(0x70, 0x60);
    expect(bus.handlers.get(0x70)!.read!(0x70, 2)).toBe(0x77ff);
  });
});

describe("configure", () => {
  it("fills equipment, memory, drives and the checksum as QEMU does", () => {
    const { rtc, rd } = setup();
    rtc.configure({
      baseMemKB: 640, extMemKB: 15 * 1024 + 640, floppies: ["1.44M", "360K"],
      hardDisks: [{ cylinders: 1024, heads: 16, sectors: 63 }], fpu: true, display: "vga",
    });
    expect(rd(0x10)).toBe(0x41);
    expect(rd(0x12)).toBe(0xf0);
    expect(rd(0x14)).toBe(0x43);                 // 2 floppies, FPU, drives present, VGA
    expect([rd(0x15), rd(0x16)]).toEqual([0x80, 0x02]);
    const ext = 15 * 1024 + 640;
    expect([rd(0x17), rd(0x18), rd(0x30), rd(0x31)]).toEqual([ext & 0xff, ext >> 8, ext & 0xff, ext >> 8]);
    expect([rd(0x34), rd(0x35)]).toEqual([10, 0]);   // 640 KiB above 16 MiB
    expect(rd(0x19)).toBe(47);
    expect([0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23].map(rd))
      .toEqual([0x00, 0x04, 16, 0xff, 0xff, 0xc8, 0x00, 0x04, 63]);
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += rd(i);
    expect((rd(0x2e) << 8) | rd(0x2f)).toBe(sum);
    expect(sum).toBeGreaterThan(0x100);          // the high byte matters
  });

  it("minimal machine: one drive, no extended memory, CGA", () => {
    const { rtc, rd } = setup();
    rtc.configure({ baseMemKB: 512, extMemKB: 0, floppies: ["720K"], display: "cga80" });
    expect([rd(0x10), rd(0x12), rd(0x14), rd(0x15), rd(0x16), rd(0x17), rd(0x19)]).toEqual([0x30, 0, 0x21, 0x00, 0x02, 0, 0]);
    expect(rd(0x2f)).toBe((0x30 + 0x21 + 0x02) & 0xff);
  });

  it("caps extended memory at 65535 KiB and rejects impossible configurations", () => {
    const { rtc, rd } = setup();
    rtc.configure({ baseMemKB: 640, extMemKB: 100_000 });
    expect([rd(0x17), rd(0x18)]).toEqual([0xff, 0xff]);
    expect(() => rtc.configure({ baseMemKB: 641, extMemKB: 0 })).toThrow(RangeError);
    expect(() => rtc.configure({ baseMemKB: 640, extMemKB: -1 })).toThrow(RangeError);
    expect(() => rtc.configure({ baseMemKB: 640, extMemKB: 0, floppies: ["1.44M", "1.44M", "1.44M"] })).toThrow(RangeError);
    expect(() => new Cmos({ clock: new ManualClock(), irqSink: new FakeIrq(), startTime: Number.NaN })).toThrow(RangeError);
  });
});
