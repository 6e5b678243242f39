/**
 * clock.ts — virtual time for the PC.
 *
 * Deterministic by default: time is the retired instruction count at a
 * fixed rate (INSTRUCTIONS_PER_SECOND) plus the time the CPU spent halted
 * waiting for an interrupt (which the scheduler skips over in one jump, to
 * the next device event). Same program, same inputs → same time at every
 * instruction → same output and the same instruction count.
 *
 * `--realtime` swaps in a clock tied to the host's: the PIT and RTC then
 * follow the wall clock and runs are no longer reproducible.
 */
import type { Clock } from "./device.js";

/** Virtual CPU speed: 25 million instructions per virtual second (40 ns
 *  each) — roughly a 386/486-class machine, so programs calibrated on the
 *  PIT tick (18.2 Hz) get ~1.37 M instructions per tick. */
export const INSTRUCTIONS_PER_SECOND = 25_000_000;
export const NS_PER_INSTRUCTION = 1e9 / INSTRUCTIONS_PER_SECOND;

/** Virtual time from an instruction counter plus idle (halted) time. */
export class VirtualClock implements Clock {
  private idleNs = 0;
  constructor(private readonly instructions: () => number) {}
  nowNs(): number { return this.instructions() * NS_PER_INSTRUCTION + this.idleNs; }
  /** Let time pass with no instructions retiring (the CPU is in HLT). */
  idleUntil(ns: number): void {
    const now = this.nowNs();
    if (ns > now) this.idleNs += ns - now;
  }
  /** Instructions that fit before virtual time `ns` (at least 1). */
  instructionsUntil(ns: number): number {
    const n = Math.ceil((ns - this.nowNs()) / NS_PER_INSTRUCTION);
    return n < 1 ? 1 : n;
  }
}

/** Wall-clock time (--realtime). Time never goes backwards. */
export class RealtimeClock implements Clock {
  private readonly start = performance.now();
  private last = 0;
  nowNs(): number {
    const t = (performance.now() - this.start) * 1e6;
    if (t > this.last) this.last = t;
    return this.last;
  }
  idleUntil(_ns: number): void { /* real time passes by itself */ }
  instructionsUntil(ns: number): number {
    const n = Math.ceil((ns - this.nowNs()) / NS_PER_INSTRUCTION);
    return n < 1 ? 1 : n;
  }
}

export type PcClock = VirtualClock | RealtimeClock;
