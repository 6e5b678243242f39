/**
 * pit.test.ts — the 8254 and port 61h through their ports (TestBus) in
 * virtual time (ManualClock): every mode's OUT and count at given clock
 * pulses, reloads, the latch and read-back commands, access modes, BCD,
 * IRQ 0 edges and the scheduler interface, channel 2's gate and port 61h,
 * and the speaker state.
 *
 * Times are given in clock pulses: `at(k)` moves the clock to the instant
 * of pulse k (the first nanosecond at which k pulses of 1,193,182 Hz have
 * happened). A count written at pulse W is loaded at pulse W+1.
 */
import { describe, it, expect } from "vitest";
import { Pit, PIT_HZ, pitTicksAt, pitTickNs, type SpeakerState } from "../../src/pc/devices/pit.js";
import { ManualClock, TestBus } from "../../src/pc/device.js";

function setup() {
  const clock = new ManualClock();
  const irq0: { level: boolean; ns: number }[] = [];
  const pit = new Pit(clock, {
    setIrq(irq, level) {
      expect(irq).toBe(0);
      irq0.push({ level, ns: clock.nowNs() });
    },
  });
  const bus = new TestBus();
  pit.attach(bus);
  const at = (tick: number) => clock.set(pitTickNs(tick));
  /** Rising edges of IRQ 0 seen so far (after the initial level). */
  const rises = () => irq0.filter((e, i) => e.level && i > 0 && !irq0[i - 1].level).length;
  /** Run the device as the PC's scheduler would, up to `ns`. */
  const runTo = (ns: number) => {
    for (let t = pit.nextEventNs(); t <= ns; t = pit.nextEventNs()) {
      if (t > clock.nowNs()) clock.set(t);
      pit.advanceTo(clock.nowNs());
    }
    clock.set(ns);
    pit.advanceTo(ns);
  };
  return { clock, pit, bus, irq0, at, rises, runTo };
}

type Setup = ReturnType<typeof setup>;

/** Control word then a 16-bit count, LSB first. */
function program(bus: TestBus, ch: number, mode: number, count: number): void {
  bus.outb(0x43, (ch << 6) | 0x30 | (mode << 1));
  bus.outb(0x40 + ch, count & 0xff);
  bus.outb(0x40 + ch, count >> 8);
}

/** Latch and read a channel's 16-bit count. */
function latched(bus: TestBus, ch: number): number {
  bus.outb(0x43, ch << 6);
  return bus.inb(0x40 + ch) | (bus.inb(0x40 + ch) << 8);
}

/** The read-back status byte of a channel. */
function status(bus: TestBus, ch: number): number {
  bus.outb(0x43, 0xe0 | (2 << ch));
  return bus.inb(0x40 + ch);
}

const out = (s: Setup, ch: number) => (status(s.bus, ch) & 0x80) !== 0;

describe("virtual time", () => {
  it("converts between nanoseconds and clock pulses exactly", () => {
    expect(pitTickNs(1)).toBe(839); // 838.095 ns, rounded up
    expect(pitTicksAt(838)).toBe(0);
    expect(pitTicksAt(839)).toBe(1);
    expect(pitTicksAt(1e9)).toBe(PIT_HZ);
    expect(pitTickNs(PIT_HZ)).toBe(1e9);
    expect(pitTickNs(65537)).toBe(54_926_240);
    // An hour in: no loss of precision.
    expect(pitTicksAt(3600e9)).toBe(3600 * 1_193_182);
    expect(pitTicksAt(3600e9 - 1)).toBe(3600 * 1_193_182 - 1);
    expect(pitTicksAt(pitTickNs(0))).toBe(0);
    // From about 15 minutes in, ns × Hz no longer fits a double exactly
    // (floor(ns × Hz / 1e9) would be one pulse off for 1_117_209_119).
    for (const k of [1, 2, 999, 1_193_181, 1_117_209_119, 4_295_455_199, 987_654_321_123]) {
      expect(pitTicksAt(pitTickNs(k))).toBe(k);
      expect(pitTicksAt(pitTickNs(k) - 1)).toBe(k - 1);
    }
  });
});

describe("reset and ports", () => {
  it("registers 40h–43h and 61h", () => {
    const { bus } = setup();
    expect([...bus.handlers.keys()].sort((a, b) => a - b)).toEqual([0x40, 0x41, 0x42, 0x43, 0x61]);
  });

  it("comes out of reset not counting, OUT high, no event due", () => {
    const s = setup();
    expect(s.irq0).toEqual([{ level: true, ns: 0 }]);
    expect(s.pit.nextEventNs()).toBe(Infinity);
    expect(status(s.bus, 0)).toBe(0xc0 | 0x36); // OUT, null count, LSB+MSB, mode 3
    s.at(5000);
    expect(latched(s.bus, 0)).toBe(0);
    expect(s.bus.inb(0x43)).toBe(0xff);
  });
});

describe("mode 0: interrupt on terminal count", () => {
  it("drops OUT at the control word and raises it N+1 pulses after the count", () => {
    const s = setup();
    program(s.bus, 0, 0, 100);
    expect(s.irq0.at(-1)).toEqual({ level: false, ns: 0 });
    expect(status(s.bus, 0)).toBe(0x70); // OUT low, null count (not loaded yet)
    expect(s.pit.nextEventNs()).toBe(pitTickNs(101));
    expect(pitTickNs(101)).toBe(84_648);
    s.at(1);
    expect(latched(s.bus, 0)).toBe(100);
    expect(status(s.bus, 0)).toBe(0x30);
    s.at(51);
    expect(latched(s.bus, 0)).toBe(50);
    s.at(100);
    expect(latched(s.bus, 0)).toBe(1);
    expect(out(s, 0)).toBe(false);
    s.at(101);
    expect(latched(s.bus, 0)).toBe(0);
    expect(out(s, 0)).toBe(true);
    s.at(102);
    expect(latched(s.bus, 0)).toBe(0xffff); // keeps counting, OUT stays high
    s.at(70_000);
    expect(out(s, 0)).toBe(true);
    expect(s.rises()).toBe(1);
    expect(s.irq0.at(-1)!.level).toBe(true);
  });

  it("reports the IRQ 0 edge at the pulse it happens through advanceTo", () => {
    const s = setup();
    program(s.bus, 0, 0, 100);
    s.runTo(1e6);
    expect(s.irq0.slice(1)).toEqual([{ level: false, ns: 0 }, { level: true, ns: 84_648 }]);
    expect(s.pit.nextEventNs()).toBe(Infinity);
  });

  it("a new count restarts the one-shot; its first byte stops the count", () => {
    const s = setup();
    program(s.bus, 0, 0, 100);
    s.at(50);
    s.bus.outb(0x40, 200 & 0xff);
    s.at(60);
    expect(latched(s.bus, 0)).toBe(51); // frozen at pulse 50
    s.bus.outb(0x40, 0);
    s.at(61);
    expect(latched(s.bus, 0)).toBe(200);
    s.at(260);
    expect(out(s, 0)).toBe(false);
    s.at(261);
    expect(out(s, 0)).toBe(true);
  });

  it("rewriting the count after terminal count drops OUT again", () => {
    const s = setup();
    program(s.bus, 0, 0, 10);
    s.at(20);
    expect(out(s, 0)).toBe(true);
    s.bus.outb(0x40, 5);
    expect(out(s, 0)).toBe(false);
    s.bus.outb(0x40, 0);
    s.at(26);
    expect(out(s, 0)).toBe(true);
    expect(s.rises()).toBe(2);
  });
});

describe("mode 2: rate generator", () => {
  it("counts N..1, pulses OUT low for one clock at 1, reloads", () => {
    const s = setup();
    program(s.bus, 0, 2, 1000);
    expect(s.irq0.length).toBe(1); // OUT stays high
    s.at(1000);
    expect(latched(s.bus, 0)).toBe(1);
    expect(out(s, 0)).toBe(false);
    s.at(1001);
    expect(latched(s.bus, 0)).toBe(1000);
    expect(out(s, 0)).toBe(true);
    s.clock.set(1e6); // 1 ms = pulse 1193: 192 pulses into the second period
    expect(latched(s.bus, 0)).toBe(808);
    s.at(1999);
    expect(latched(s.bus, 0)).toBe(2);
  });

  it("raises IRQ 0 once per period at the right times", () => {
    const s = setup();
    program(s.bus, 0, 2, 1000);
    s.runTo(pitTickNs(3500));
    const events = s.irq0.slice(1);
    expect(events).toEqual([
      { level: false, ns: pitTickNs(1000) }, { level: true, ns: pitTickNs(1001) },
      { level: false, ns: pitTickNs(2000) }, { level: true, ns: pitTickNs(2001) },
      { level: false, ns: pitTickNs(3000) }, { level: true, ns: pitTickNs(3001) },
    ]);
    expect(pitTickNs(2001)).toBe(1_677_029);
  });

  it("a second count written before the first is loaded replaces it", () => {
    const s = setup();
    program(s.bus, 0, 2, 1000);
    s.bus.outb(0x40, 500 & 0xff);
    s.bus.outb(0x40, 500 >> 8);
    s.runTo(pitTickNs(1200));
    const risesAt = s.irq0.filter((e) => e.level && e.ns > 0).map((e) => pitTicksAt(e.ns));
    expect(risesAt).toEqual([501, 1001]);
  });

  it("a new count takes effect at the next reload, not in the current period", () => {
    const s = setup();
    program(s.bus, 0, 2, 1000);
    s.runTo(pitTickNs(1500));
    s.bus.outb(0x40, 500 & 0xff);
    s.bus.outb(0x40, 500 >> 8);
    expect(status(s.bus, 0) & 0x40).toBe(0x40); // null count until the reload
    s.runTo(pitTickNs(1700));
    expect(latched(s.bus, 0)).toBe(301); // still the old period
    s.runTo(pitTickNs(2001));
    expect(latched(s.bus, 0)).toBe(500);
    expect(status(s.bus, 0) & 0x40).toBe(0);
    s.runTo(pitTickNs(2100));
    expect(latched(s.bus, 0)).toBe(401);
    s.runTo(pitTickNs(3100));
    const risesAt = s.irq0.filter((e) => e.level && e.ns > 0).map((e) => pitTicksAt(e.ns));
    expect(risesAt).toEqual([1001, 2001, 2501, 3001]);
  });
});

describe("mode 3: square wave", () => {
  it("even count: high N/2 pulses, low N/2, counting down by two", () => {
    const s = setup();
    program(s.bus, 0, 3, 1000);
    s.at(1);
    expect(latched(s.bus, 0)).toBe(1000);
    s.at(11);
    expect(latched(s.bus, 0)).toBe(980);
    s.at(500);
    expect(latched(s.bus, 0)).toBe(2);
    expect(out(s, 0)).toBe(true);
    s.at(501);
    expect(latched(s.bus, 0)).toBe(1000);
    expect(out(s, 0)).toBe(false);
    s.at(600);
    expect(latched(s.bus, 0)).toBe(802);
    s.at(1001);
    expect(out(s, 0)).toBe(true);
    s.runTo(pitTickNs(2600));
    const edges = s.irq0.slice(1).map((e) => [e.level, pitTicksAt(e.ns)]);
    expect(edges).toEqual([[false, 501], [true, 1001], [false, 1501], [true, 2001], [false, 2501]]);
  });

  it("odd count: high (N+1)/2 pulses, low (N-1)/2", () => {
    const s = setup();
    program(s.bus, 2, 3, 5);
    s.bus.outb(0x61, 0x01); // gate channel 2 on
    // Pulses 1..11 (loaded at 1): the count runs 4, 2, 0 high, 4, 2 low.
    const seen: [boolean, number][] = [];
    for (let k = 1; k <= 11; k++) {
      s.at(k);
      seen.push([(s.bus.inb(0x61) & 0x20) !== 0, latched(s.bus, 2)]);
    }
    expect(seen).toEqual([
      [true, 4], [true, 2], [true, 0], [false, 4], [false, 2],
      [true, 4], [true, 2], [true, 0], [false, 4], [false, 2], [true, 4],
    ]);
  });

  it("a new count is taken at the end of the current half-cycle", () => {
    const s = setup();
    program(s.bus, 0, 3, 1000);
    s.at(100);
    s.bus.outb(0x40, 200 & 0xff);
    s.bus.outb(0x40, 200 >> 8);
    s.runTo(pitTickNs(1000));
    const edges = s.irq0.slice(1).map((e) => [e.level, pitTicksAt(e.ns)]);
    // The high half of 1000 ends at 501; then halves of 100.
    expect(edges).toEqual([[false, 501], [true, 601], [false, 701], [true, 801], [false, 901]]);
    s.at(1001);
    expect(latched(s.bus, 0)).toBe(200);
  });
});

describe("IRQ 0 frequency", () => {
  for (const mode of [2, 3]) {
    it(`mode ${mode} with count 0 (65536) gives 18 edges per virtual second (18.2065 Hz)`, () => {
      const s = setup();
      program(s.bus, 0, mode, 0);
      s.runTo(1e9);
      expect(s.rises()).toBe(18);
      const first = s.irq0.find((e, i) => i > 0 && e.level)!;
      expect(first.ns).toBe(54_926_240); // pulse 65537 = 1 + 65536
      s.runTo(10e9);
      expect(s.rises()).toBe(182); // 10 s * 18.2065 Hz
    });
  }

  it("a late scheduler collapses missed periods into one edge and stays O(1)", () => {
    const s = setup();
    program(s.bus, 0, 2, 2);
    s.clock.set(3600e9);
    s.pit.advanceTo(3600e9);
    expect(s.rises()).toBe(1);
    expect(s.irq0.at(-1)!.level).toBe(s.pit.out(0));
    expect(s.pit.nextEventNs()).toBeGreaterThanOrEqual(3600e9);
    expect(s.pit.nextEventNs()).toBeLessThanOrEqual(3600e9 + 2 * 839);
  });
});

describe("modes 1, 4 and 5", () => {
  it("mode 4 strobes OUT low for one clock at terminal count", () => {
    const s = setup();
    program(s.bus, 0, 4, 50);
    s.runTo(pitTickNs(200));
    const edges = s.irq0.slice(1).map((e) => [e.level, pitTicksAt(e.ns)]);
    expect(edges).toEqual([[false, 51], [true, 52]]);
  });

  it("mode 1 on channel 0 is never triggered (gate tied high): OUT stays high", () => {
    const s = setup();
    program(s.bus, 0, 1, 50);
    expect(s.pit.nextEventNs()).toBe(Infinity);
    s.runTo(pitTickNs(500));
    expect(s.irq0.length).toBe(1);
  });

  it("mode 1 on channel 2: a rising gate starts a retriggerable one-shot", () => {
    const s = setup();
    program(s.bus, 2, 1, 10);
    s.at(5);
    expect(s.pit.out(2)).toBe(true);
    s.bus.outb(0x61, 0x01); // trigger at pulse 5: OUT low from pulse 6
    expect(s.pit.out(2)).toBe(true);
    s.at(6);
    expect(s.pit.out(2)).toBe(false);
    expect(latched(s.bus, 2)).toBe(10);
    s.at(10);
    s.bus.outb(0x61, 0x00);
    s.bus.outb(0x61, 0x01); // retrigger at 10: low until 21
    s.at(20);
    expect(s.pit.out(2)).toBe(false);
    s.at(21);
    expect(s.pit.out(2)).toBe(true);
  });

  it("mode 5 on channel 2: a rising gate starts a strobe after N clocks", () => {
    const s = setup();
    program(s.bus, 2, 5, 4);
    s.at(2);
    s.bus.outb(0x61, 0x01);
    const seen = [];
    for (let k = 3; k <= 9; k++) { s.at(k); seen.push(s.pit.out(2)); }
    expect(seen).toEqual([true, true, true, true, false, true, true]);
  });
});

describe("latch, read-back and access modes", () => {
  it("a latched count holds until read, and a second latch is ignored", () => {
    const s = setup();
    program(s.bus, 0, 2, 1000);
    s.at(101);
    s.bus.outb(0x43, 0x00); // latch: 900
    s.at(201);
    s.bus.outb(0x43, 0x00); // ignored: the first latch is unread
    s.at(301);
    expect(s.bus.inb(0x40)).toBe(900 & 0xff);
    expect(s.bus.inb(0x40)).toBe(900 >> 8);
    // Then live reads again, LSB then MSB.
    expect(s.bus.inb(0x40) | (s.bus.inb(0x40) << 8)).toBe(700);
  });

  it("read-back latches status and count of several channels; status reads first", () => {
    const s = setup();
    program(s.bus, 0, 2, 1000);
    program(s.bus, 2, 0, 300);
    s.at(101);
    s.bus.outb(0x43, 0xc0 | 0x08 | 0x02); // read back count+status, channels 0 and 2
    s.at(151);
    expect(s.bus.inb(0x40)).toBe(0x80 | 0x34);
    expect(s.bus.inb(0x40) | (s.bus.inb(0x40) << 8)).toBe(900);
    // Channel 2's gate is low (port 61h bit 0): mode 0 has not counted.
    expect(s.bus.inb(0x42)).toBe(0x30);
    expect(s.bus.inb(0x42) | (s.bus.inb(0x42) << 8)).toBe(300);
  });

  it("a second status latch is ignored until the first is read", () => {
    const s = setup();
    program(s.bus, 0, 0, 10);
    s.bus.outb(0x43, 0xe2); // status at pulse 0: OUT low, null count
    s.at(20);
    s.bus.outb(0x43, 0xe2); // ignored
    expect(s.bus.inb(0x40)).toBe(0x70);
    expect(status(s.bus, 0)).toBe(0xb0); // now OUT high, count loaded
  });

  it("read-back of the count only, then of the status only", () => {
    const s = setup();
    program(s.bus, 1, 3, 100);
    s.at(11);
    s.bus.outb(0x43, 0xd0 | 0x04); // count only, channel 1
    expect(s.bus.inb(0x41) | (s.bus.inb(0x41) << 8)).toBe(80);
    s.bus.outb(0x43, 0xe0 | 0x04); // status only
    expect(s.bus.inb(0x41)).toBe(0x80 | 0x36);
    s.at(61); // 60 pulses in: 10 into the low half
    expect(s.bus.inb(0x41) | (s.bus.inb(0x41) << 8)).toBe(80);
    expect(status(s.bus, 1) & 0x80).toBe(0);
  });

  it("LSB-only and MSB-only access", () => {
    const s = setup();
    s.bus.outb(0x43, 0x14); // channel 0, LSB only, mode 2
    s.bus.outb(0x40, 0x40); // count 64
    s.at(11);
    expect(s.bus.inb(0x40)).toBe(54);
    expect(s.bus.inb(0x40)).toBe(54);
    s.bus.outb(0x43, 0x24); // MSB only, mode 2
    s.bus.outb(0x40, 0x02); // count 512 at pulse 11, loaded at 12
    s.at(12 + 100);
    expect(s.bus.inb(0x40)).toBe(412 >> 8);
    s.at(12 + 300);
    s.bus.outb(0x43, 0x00);
    expect(s.bus.inb(0x40)).toBe(0); // MSB of 212
    expect(status(s.bus, 0) & 0x30).toBe(0x20);
  });

  it("BCD counting: counts in decimal and reads BCD digits", () => {
    const s = setup();
    s.bus.outb(0x43, 0x35); // channel 0, LSB+MSB, mode 2, BCD
    s.bus.outb(0x40, 0x00);
    s.bus.outb(0x40, 0x10); // 1000 decimal
    s.clock.set(1e6); // pulse 1193
    expect(latched(s.bus, 0)).toBe(0x0808);
    s.runTo(pitTickNs(2500));
    expect(s.rises()).toBe(2); // period 1000: rises at 1001, 2001
    s.bus.outb(0x43, 0x31); // mode 0, BCD, count 0 = 10000
    s.bus.outb(0x40, 0);
    s.bus.outb(0x40, 0);
    s.at(2502);
    expect(latched(s.bus, 0)).toBe(0x9999);
  });
});

describe("channel 2 and port 61h", () => {
  it("bits 0–1 are read back; bits 2–7 written are not kept", () => {
    const s = setup();
    expect(s.bus.inb(0x61) & 0x0f).toBe(0);
    s.bus.outb(0x61, 0xff);
    expect(s.bus.inb(0x61) & 0x0f).toBe(0x03);
    s.bus.outb(0x61, 0x02);
    expect(s.bus.inb(0x61) & 0x0f).toBe(0x02);
  });

  it("bit 4 toggles every 15.085 µs of virtual time", () => {
    const s = setup();
    const bit4 = () => (s.bus.inb(0x61) >> 4) & 1;
    expect(bit4()).toBe(0);
    s.clock.set(15_084);
    expect(bit4()).toBe(0);
    s.clock.set(15_085);
    expect(bit4()).toBe(1);
    s.clock.set(30_169);
    expect(bit4()).toBe(1);
    s.clock.set(30_170);
    expect(bit4()).toBe(0);
  });

  it("bit 5 is channel 2's OUT, which counts only while the gate (bit 0) is high", () => {
    const s = setup();
    program(s.bus, 2, 3, 100);
    s.at(500);
    expect(latched(s.bus, 2)).toBe(0); // gate low: never loaded (CE as reset left it)
    expect(s.bus.inb(0x61) & 0x20).toBe(0x20);
    s.bus.outb(0x61, 0x01); // gate on at pulse 500: loaded at 501
    s.at(550);
    expect(s.bus.inb(0x61) & 0x20).toBe(0x20);
    expect(latched(s.bus, 2)).toBe(100 - 2 * 49);
    s.at(551);
    expect(s.bus.inb(0x61) & 0x20).toBe(0);
    s.bus.outb(0x61, 0x00); // a low gate forces OUT high at once and stops counting
    expect(s.bus.inb(0x61) & 0x20).toBe(0x20);
    const held = latched(s.bus, 2);
    s.at(900);
    expect(latched(s.bus, 2)).toBe(held);
    s.bus.outb(0x61, 0x01); // a rising gate reloads: a full high half again
    s.at(901 + 49);
    expect(s.bus.inb(0x61) & 0x20).toBe(0x20);
    s.at(901 + 50);
    expect(s.bus.inb(0x61) & 0x20).toBe(0);
  });

  it("mode 0 on channel 2: a low gate pauses the count, a high gate resumes it", () => {
    const s = setup();
    s.bus.outb(0x61, 0x01);
    program(s.bus, 2, 0, 100);
    s.at(41);
    expect(latched(s.bus, 2)).toBe(60);
    s.bus.outb(0x61, 0x00);
    s.at(1000);
    expect(latched(s.bus, 2)).toBe(60);
    expect(s.bus.inb(0x61) & 0x20).toBe(0);
    s.bus.outb(0x61, 0x01); // resumes at 1001 from 60: terminal at 1061
    s.at(1060);
    expect(s.bus.inb(0x61) & 0x20).toBe(0);
    s.at(1061);
    expect(s.bus.inb(0x61) & 0x20).toBe(0x20);
    expect(latched(s.bus, 2)).toBe(0);
  });

  it("mode 0 on channel 2: pausing after terminal count keeps OUT high", () => {
    const s = setup();
    s.bus.outb(0x61, 0x01);
    program(s.bus, 2, 0, 10);
    s.at(20);
    expect(s.bus.inb(0x61) & 0x20).toBe(0x20);
    s.bus.outb(0x61, 0x00);
    s.at(30);
    s.bus.outb(0x61, 0x01);
    for (const k of [31, 100, 70_000]) {
      s.at(k);
      expect(s.bus.inb(0x61) & 0x20).toBe(0x20);
    }
  });

  it("channel 2 does not touch IRQ 0", () => {
    const s = setup();
    s.bus.outb(0x61, 0x01);
    program(s.bus, 2, 2, 10);
    s.runTo(pitTickNs(1000));
    expect(s.irq0.length).toBe(1);
  });
});

describe("speaker state", () => {
  it("reports gate, data enable and channel 2's frequency, and calls back on changes", () => {
    const s = setup();
    const changes: SpeakerState[] = [];
    s.pit.onSpeakerChange = (state) => changes.push(state);
    expect(s.pit.speaker).toEqual({ gate: false, dataEnabled: false, mode: 3, frequencyHz: 0, tone: false });
    program(s.bus, 2, 3, 1193); // a 1 kHz beep, as BIOSes program it
    expect(s.pit.speaker.frequencyHz).toBeCloseTo(1000.15, 2);
    expect(s.pit.speaker.tone).toBe(false);
    s.bus.outb(0x61, 0x03);
    expect(s.pit.speaker).toMatchObject({ gate: true, dataEnabled: true, tone: true });
    s.bus.outb(0x61, 0x03); // no change, no callback
    s.bus.outb(0x61, 0x00);
    expect(changes.map((c) => c.tone)).toEqual([false, true, false]);
    expect(changes[0].frequencyHz).toBeCloseTo(1000.15, 2);
  });
});
