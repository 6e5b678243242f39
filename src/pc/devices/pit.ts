/**
 * pit.ts — the 8254 programmable interval timer at 40h–43h, and the AT's
 * "system control port B" at 61h (speaker gate and data, refresh toggle,
 * channel 2's output), which lives here because three of its four live
 * bits are the PIT's channel 2.
 *
 * It is: three channels clocked at 1,193,182 Hz, modes 0–5, LSB / MSB /
 * LSB-then-MSB access, binary and BCD counting, the counter latch command,
 * the 8254 read-back command (count and/or status), channel 0's OUT driving
 * IRQ 0 at the right virtual times (nextEventNs/advanceTo), channel 2 gated
 * by port 61h bit 0, and the speaker state for an audio backend.
 *
 * It is not: a source of time. Counts are derived from Clock.nowNs()
 * (virtual time), never from the host clock; nor is it the speaker's sound.
 * Channels 0 and 1 have their gates tied high as on the PC; channel 1 (DRAM
 * refresh on the XT) drives nothing.
 *
 * Model. Nothing is stepped clock by clock: each channel keeps a segment —
 * the tick it started at and the count it started with — and the count and
 * OUT at any later tick are closed-form functions of it, so a read or an
 * IRQ edge costs the same after a microsecond or after an hour. Clock pulse
 * k happens at ceil(k·10⁹ / 1,193,182) ns; a count written during pulse W is
 * loaded into the counting element on pulse W+1 (8254 datasheet), so in
 * mode 0 OUT rises N+1 pulses after the count is written.
 *
 * Approximations (documented for the owner): a gate change takes effect on
 * the next clock pulse whatever the phase of CLK; modes 1 and 5 are
 * triggered only by a rising gate, which channels 0/1 never see, so there
 * they just hold OUT high; the counting element's value before the first
 * count is loaded reads as whatever it held (0 after reset); a count of 1
 * (illegal) in modes 2/3 gives a constant OUT; invalid BCD digits are taken
 * at face value; port 43h reads as FFh (the control register is write-only).
 */
import { byteWidePorts, type Clock, type Device, type IrqSink, type PortBus } from "../device.js";

/** The PIT's input clock: the PC's 14.31818 MHz crystal divided by 12. */
export const PIT_HZ = 1_193_182;
/** Port 61h bit 4 toggles with each DRAM refresh request (15.085 µs). */
export const REFRESH_PERIOD_NS = 15_085;

/** Clock pulses that have happened by virtual time `ns`. */
export function pitTicksAt(ns: number): number {
  // Split so every product stays an exact integer below 2^53.
  const t = Math.floor(ns);
  const s = Math.floor(t / 1e9);
  return s * PIT_HZ + Math.floor(((t - s * 1e9) * PIT_HZ) / 1e9);
}

/** Virtual time (ns) of clock pulse `tick`: pitTicksAt(pitTickNs(k)) = k. */
export function pitTickNs(tick: number): number {
  const s = Math.floor(tick / PIT_HZ);
  return s * 1e9 + Math.ceil(((tick - s * PIT_HZ) * 1e9) / PIT_HZ);
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;

/** One counter. The Pit syncs it (pending reloads) before every use. */
class Channel {
  modeBits = 3; // M2..M0 as written (the status byte shows them)
  mode = 3;
  access = 3; // 1 = LSB, 2 = MSB, 3 = LSB then MSB
  bcd = false;
  /** The count register as clocks (1..modulus; 0 is written for the max). */
  reload = 0;
  hasCount = false;
  private lsbPending = false;
  private lsb = 0;
  private readMsb = false;
  private latched: number[] = [];
  private status: number | null = null;
  gate: boolean;

  // The segment (see the header). While `counting` is false, or before
  // tick `from`, OUT = holdOut and the count = holdCe.
  counting = false;
  /** Tick at which the counting element held `c` (for mode 3, the start
   *  of a high half even when the segment began in a low half). */
  private start = 0;
  private from = 0;
  /** Modes 0/1/4/5: the count at `start`; modes 2/3: the reload. */
  private c = 0;
  /** Modes 0/4: the terminal count passed before this segment began. */
  private done = false;
  private holdOut = true;
  private holdCe = 0;
  /** Modes 2/3: a count written while counting, taken at `pendingAt`. */
  pending = 0;
  pendingAt = Infinity;
  /** Status NULL COUNT reads 1 before this tick. */
  private nullUntil = Infinity;

  constructor(gate: boolean) { this.gate = gate; }

  get modulus(): number { return this.bcd ? 10_000 : 0x10000; }

  /** OUT at tick `t`. */
  out(t: number): boolean {
    return !this.counting || t < this.from ? this.holdOut : this.segOut(t - this.start);
  }

  /** The counting element at tick `t` (0..modulus-1). */
  count(t: number): number {
    return !this.counting || t < this.from ? this.holdCe : this.segCount(t - this.start);
  }

  private segOut(k: number): boolean {
    const c = this.c;
    switch (this.mode) {
      case 0: return this.done || k >= c;
      case 1: return k >= c;
      case 2: return k % c !== c - 1;
      case 3: return k % c < (c + 1) >> 1;
      default: return this.done || k !== c; // 4, 5: one-clock strobe
    }
  }

  private segCount(k: number): number {
    const c = this.c;
    if (this.mode === 2) return mod(c - (k % c), this.modulus);
    if (this.mode === 3) {
      // Decrements by two; an odd count runs N-1..0 high, N-1..2 low.
      const p = k % c, high = (c + 1) >> 1;
      const q = p < high ? p : p - high;
      return mod((c & 1 ? c - 1 : c) - 2 * q, this.modulus);
    }
    return mod(c - k, this.modulus);
  }

  /** The first tick after `t` at which OUT changes, or Infinity. */
  nextEdge(t: number): number {
    if (!this.counting) return Infinity;
    if (t < this.from) {
      if (this.segOut(this.from - this.start) !== this.holdOut) return this.from;
      t = this.from;
    }
    const k = t - this.start, c = this.c, s = this.start;
    switch (this.mode) {
      case 0: case 1:
        return !this.done && k < c ? s + c : Infinity;
      case 2: case 3: {
        if (c < 2) return Infinity;
        const p = k % c, base = s + k - p;
        const fall = this.mode === 2 ? c - 1 : (c + 1) >> 1;
        return p < fall ? base + fall : base + c;
      }
      default:
        if (this.done || k > c) return Infinity;
        return k < c ? s + c : s + c + 1;
    }
  }

  /** Was there a low→high transition of OUT in ticks (a, b]? */
  risesIn(a: number, b: number): boolean {
    // OUT is binary: of any two successive edges one is rising.
    const e1 = this.nextEdge(a);
    if (e1 > b) return false;
    return this.out(e1) || this.nextEdge(e1) <= b;
  }

  /** Modes 2/3: take the pending count at `pendingAt` (Pit.sync calls
   *  this once every tick before it has been processed). */
  applyPending(): void {
    const at = this.pendingAt, n = this.pending;
    this.holdOut = this.out(at - 1);
    this.holdCe = this.count(at - 1);
    this.pending = 0;
    this.pendingAt = Infinity;
    this.reload = n;
    this.c = n;
    this.from = at;
    // Mode 3 takes a new count at the end of a half-cycle: after a high
    // half the new segment begins in its low half, so its (virtual) start
    // lies one high half earlier.
    this.start = this.mode === 3 && this.holdOut ? at - ((n + 1) >> 1) : at;
  }

  private begin(at: number, c: number, done = false): void {
    this.counting = true;
    this.start = at;
    this.from = at;
    this.c = c;
    this.done = done;
  }

  /** Stop counting at tick `t`, keeping what OUT and the count show. */
  private freeze(t: number): void {
    this.holdOut = this.out(t);
    this.holdCe = this.count(t);
    this.counting = false;
  }

  /** A control word with RW ≠ 00. */
  program(t: number, access: number, modeBits: number, bcd: boolean): void {
    this.freeze(t);
    this.modeBits = modeBits;
    this.mode = modeBits > 5 ? modeBits - 4 : modeBits;
    this.access = access;
    this.bcd = bcd;
    this.hasCount = false;
    this.lsbPending = false;
    this.readMsb = false;
    this.latched = [];
    this.status = null;
    this.pending = 0;
    this.pendingAt = Infinity;
    this.nullUntil = Infinity;
    this.holdOut = this.mode !== 0;
  }

  /** A byte written to the channel's data port. */
  writeData(t: number, v: number): void {
    let raw: number;
    if (this.access === 1) raw = v;
    else if (this.access === 2) raw = v << 8;
    else if (!this.lsbPending) {
      this.lsb = v;
      this.lsbPending = true;
      // Mode 0: the first byte of a new count stops counting and drops OUT.
      if (this.mode === 0) { this.freeze(t); this.holdOut = false; }
      return;
    } else {
      raw = this.lsb | (v << 8);
      this.lsbPending = false;
    }
    this.load(t, this.toClocks(raw));
  }

  private toClocks(raw: number): number {
    let n = raw;
    if (this.bcd) {
      n = 0;
      for (let d = 3; d >= 0; d--) n = n * 10 + ((raw >> (4 * d)) & 15);
    }
    return n === 0 ? this.modulus : Math.min(n, this.modulus);
  }

  private load(t: number, n: number): void {
    const fresh = !this.hasCount;
    this.reload = n;
    this.hasCount = true;
    switch (this.mode) {
      case 0: case 4:
        this.freeze(t);
        if (this.mode === 0) this.holdOut = false;
        this.nullUntil = t + 1;
        if (this.gate) this.begin(t + 1, n);
        else { this.holdCe = n; this.done = false; }
        break;
      case 1: case 5:
        // Loaded by the next trigger; a one-shot in progress carries on.
        this.nullUntil = Infinity;
        break;
      default: // 2, 3
        if (!fresh && this.counting && t >= this.from) {
          this.pending = n;
          this.pendingAt = this.boundaryAfter(t);
          this.nullUntil = this.pendingAt;
        } else if (this.counting) {
          this.c = n; // not loaded yet: the newer count is the one loaded
        } else if (this.gate) {
          this.begin(t + 1, n);
          this.nullUntil = t + 1;
        }
    }
  }

  /** Modes 2/3: where a count written at tick `t` is taken — the next
   *  reload (mode 2) or the end of the current half-cycle (mode 3). */
  private boundaryAfter(t: number): number {
    const c = this.c, k = t - this.start, p = k % c, base = this.start + k - p;
    if (this.mode === 3 && p < (c + 1) >> 1) return base + ((c + 1) >> 1);
    return base + c;
  }

  /** Drive the gate input at tick `t`. */
  setGate(t: number, level: boolean): void {
    if (level === this.gate) return;
    this.gate = level;
    if (!this.hasCount) return;
    switch (this.mode) {
      case 0: case 4:
        if (!level) {
          if (!this.counting) return;
          const loaded = t >= this.from;
          const done = this.done || (loaded && t - this.start >= this.c);
          const c = this.c;
          this.freeze(t);
          if (!loaded) this.holdCe = c;
          this.done = done;
        } else if (!this.counting) {
          this.begin(t + 1, this.holdCe, this.done);
        }
        break;
      case 2: case 3:
        if (!level) {
          if (this.counting) {
            this.freeze(t);
            if (this.pending) { this.reload = this.pending; this.pending = 0; this.pendingAt = Infinity; }
          }
          this.holdOut = true; // a low gate forces OUT high at once
        } else {
          this.begin(t + 1, this.reload);
          this.nullUntil = Math.min(this.nullUntil, t + 1);
        }
        break;
      default: // 1, 5: a rising gate (re)triggers
        if (level) {
          this.freeze(t);
          this.begin(t + 1, this.reload);
          this.nullUntil = Math.min(this.nullUntil, t + 1);
        }
    }
  }

  private displayed(t: number): number {
    const v = this.count(t);
    if (!this.bcd) return v;
    return (v % 10) | (Math.floor(v / 10) % 10) << 4 | (Math.floor(v / 100) % 10) << 8 | Math.floor(v / 1000) << 12;
  }

  /** Counter latch (ignored while a latched count is still unread). */
  latchCount(t: number): void {
    if (this.latched.length) return;
    const v = this.displayed(t);
    this.latched = this.access === 1 ? [v & 0xff] : this.access === 2 ? [v >> 8] : [v & 0xff, v >> 8];
  }

  /** Status latch (ignored while a latched status is still unread). */
  latchStatus(t: number): void {
    if (this.status !== null) return;
    this.status = (this.out(t) ? 0x80 : 0) | (t < this.nullUntil ? 0x40 : 0)
      | (this.access << 4) | (this.modeBits << 1) | (this.bcd ? 1 : 0);
  }

  /** A read of the data port: latched status, latched count, or live. */
  readData(t: number): number {
    if (this.status !== null) { const s = this.status; this.status = null; return s; }
    const l = this.latched.shift();
    if (l !== undefined) return l;
    const v = this.displayed(t);
    if (this.access === 1) return v & 0xff;
    if (this.access === 2) return v >> 8;
    this.readMsb = !this.readMsb;
    return this.readMsb ? v & 0xff : v >> 8;
  }
}

/** What the PC speaker is being told to do, for an audio backend. */
export interface SpeakerState {
  /** Port 61h bit 0: channel 2's gate. */
  gate: boolean;
  /** Port 61h bit 1: the speaker data enable, ANDed with channel 2's OUT. */
  dataEnabled: boolean;
  /** Channel 2's mode (0–5). */
  mode: number;
  /** PIT_HZ / count when channel 2 is in mode 2 or 3 with a count (the
   *  newest count written, even if it is taken at the next half-cycle),
   *  else 0. */
  frequencyHz: number;
  /** A tone sounds: gate and data enabled, channel 2 in mode 3 with a count. */
  tone: boolean;
}

/**
 * The 8254 and port 61h as one Device. IRQ 0 follows channel 0's OUT,
 * edge by edge; if the scheduler is late by several periods, the missed
 * edges collapse into one (the PIC would have latched only one anyway).
 */
export class Pit implements Device {
  readonly name = "pit";
  private readonly ch = [new Channel(true), new Channel(true), new Channel(false)];
  /** Last tick whose channel-0 OUT has been reported on IRQ 0. */
  private irqTick = 0;
  private irqLevel = false;
  private speakerData = false;
  private lastSpeaker = "";
  /** Called with the new state (and the virtual time) when the speaker
   *  state changes: a port 61h write or a channel 2 programming. */
  onSpeakerChange: ((state: SpeakerState, nowNs: number) => void) | undefined;

  /** IRQ 0 is raised and lowered through `irq`. */
  constructor(private readonly clock: Clock, private readonly irq: IrqSink) {
    this.reset();
  }

  /** Ports 40h–43h and 61h. A word access is split into two byte cycles. */
  attach(bus: PortBus): void {
    const handler = byteWidePorts((port) => this.readPort(port), (port, value) => this.writePort(port, value));
    bus.registerPort([0x40, 0x43], handler);
    bus.registerPort(0x61, handler);
  }

  /** The 8254 has no reset input and powers up undefined. We choose every
   *  channel in mode 3, LSB-then-MSB, binary, with no count (not counting,
   *  OUT high), so nothing fires until the BIOS programs a count; port 61h
   *  bits 0–1 clear (channel 2 gated off, speaker off). */
  reset(): void {
    const t = this.tick();
    this.ch.forEach((c, i) => {
      c.program(t, 3, 3, false);
      c.gate = i !== 2;
    });
    this.speakerData = false;
    this.irqTick = Math.max(t, this.irqTick);
    this.irqLevel = this.ch[0].out(t);
    this.irq.setIrq(0, this.irqLevel);
    this.speakerChanged();
  }

  /** Virtual time of channel 0's next OUT transition (or of a pending
   *  reload that may move it), or Infinity. */
  nextEventNs(): number {
    const c = this.ch[0];
    const t = Math.min(c.nextEdge(this.irqTick), c.pendingAt);
    return t === Infinity ? Infinity : pitTickNs(t);
  }

  /** Report every IRQ 0 edge due up to `nowNs`. */
  advanceTo(nowNs: number): void { this.sync(pitTicksAt(nowNs)); }

  /** OUT of channel `n` now (for inspection). */
  out(n: number): boolean { const t = this.sync(); return this.ch[n].out(t); }

  /** Drive channel `n`'s gate (channel 2's is port 61h bit 0). */
  setGate(n: number, level: boolean): void {
    const t = this.sync();
    this.ch[n].setGate(t, level);
    this.changed(n, t);
  }

  /** The speaker as port 61h and channel 2 set it. */
  get speaker(): SpeakerState {
    const c = this.ch[2];
    const n = c.pending || c.reload;
    const periodic = (c.mode === 2 || c.mode === 3) && c.hasCount;
    return {
      gate: c.gate,
      dataEnabled: this.speakerData,
      mode: c.mode,
      frequencyHz: periodic ? PIT_HZ / n : 0,
      tone: c.gate && this.speakerData && c.mode === 3 && c.hasCount,
    };
  }

  /** Read 40h–43h or 61h (anything else reads FFh). */
  readPort(port: number): number {
    const t = this.sync();
    if (port >= 0x40 && port <= 0x42) return this.ch[port - 0x40].readData(t);
    if (port === 0x61) {
      return (this.ch[2].gate ? 0x01 : 0) | (this.speakerData ? 0x02 : 0)
        | (Math.floor(this.clock.nowNs() / REFRESH_PERIOD_NS) & 1 ? 0x10 : 0)
        | (this.ch[2].out(t) ? 0x20 : 0);
    }
    return 0xff;
  }

  /** Write 40h–43h or 61h (anything else is dropped). */
  writePort(port: number, v: number): void {
    const t = this.sync();
    if (port >= 0x40 && port <= 0x42) {
      this.ch[port - 0x40].writeData(t, v);
      this.changed(port - 0x40, t);
    } else if (port === 0x43) {
      this.control(t, v);
    } else if (port === 0x61) {
      // Only bits 0 (gate 2) and 1 (speaker data) are kept, as QEMU does;
      // the AT's parity/channel-check enables (bits 2–3) have no effect here.
      this.speakerData = (v & 0x02) !== 0;
      this.ch[2].setGate(t, (v & 0x01) !== 0);
      this.changed(2, t);
    }
  }

  private control(t: number, v: number): void {
    const sc = v >> 6;
    if (sc === 3) {
      // 8254 read-back: bit 5 clear latches counts, bit 4 clear statuses.
      for (let n = 0; n < 3; n++) {
        if (!(v & (2 << n))) continue;
        if (!(v & 0x10)) this.ch[n].latchStatus(t);
        if (!(v & 0x20)) this.ch[n].latchCount(t);
      }
      return;
    }
    const rw = (v >> 4) & 3;
    if (rw === 0) { this.ch[sc].latchCount(t); return; }
    this.ch[sc].program(t, rw, (v >> 1) & 7, (v & 1) !== 0);
    this.changed(sc, t);
  }

  private tick(): number { return pitTicksAt(this.clock.nowNs()); }

  /** Bring the channels to tick `t` (default: now), reporting IRQ 0 edges
   *  on the way. Every port access syncs first, so a pending reload is
   *  always taken at its own tick, never late. */
  private sync(t = this.tick()): number {
    t = Math.max(t, this.irqTick);
    const c0 = this.ch[0];
    for (;;) {
      const b = c0.pendingAt;
      this.reportIrq(Math.min(t, b - 1));
      if (b > t) break;
      c0.applyPending();
    }
    for (let n = 1; n < 3; n++) if (this.ch[n].pendingAt <= t) this.ch[n].applyPending();
    return t;
  }

  private reportIrq(upto: number): void {
    if (upto <= this.irqTick) return;
    const c0 = this.ch[0];
    if (c0.risesIn(this.irqTick, upto)) {
      if (this.irqLevel) this.irq.setIrq(0, false);
      this.irq.setIrq(0, (this.irqLevel = true));
    }
    const level = c0.out(upto);
    if (level !== this.irqLevel) this.irq.setIrq(0, (this.irqLevel = level));
    this.irqTick = upto;
  }

  /** After a port write changed channel `n` at tick `t`. */
  private changed(n: number, t: number): void {
    if (n === 0) {
      const level = this.ch[0].out(t);
      if (level !== this.irqLevel) this.irq.setIrq(0, (this.irqLevel = level));
    } else if (n === 2) {
      this.speakerChanged();
    }
  }

  private speakerChanged(): void {
    const s = this.speaker;
    const key = JSON.stringify(s);
    if (key === this.lastSpeaker) return;
    this.lastSpeaker = key;
    this.onSpeakerChange?.(s, this.clock.nowNs());
  }
}
