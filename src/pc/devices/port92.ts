/**
 * port92.ts — "System Control Port A" at 92h (PS/2 and every later
 * chipset): bit 1 is the fast A20 gate, bit 0 the fast reset.
 *
 * What it is: the register (read back as written), A20 and reset
 * callbacks, and a helper that ORs this gate with the 8042's as chipsets
 * do. What it is not: the other bits (CMOS lock, activity LEDs) have no
 * effect.
 */
import type { Device, PortBus } from "../device.js";

/** Construction options for {@link Port92}. */
export interface Port92Options {
  /** Bit 1 changed. */
  onA20?: (enabled: boolean) => void;
  /** Bit 0 went from 0 to 1. */
  onReset?: () => void;
}

/**
 * Port 92h. A reset request is edge-triggered (writing 1 again while the
 * bit is still 1 does nothing), and reset() clears only bit 0, leaving the
 * A20 bit as it was, as QEMU does.
 */
export class Port92 implements Device {
  readonly name = "port92";
  /** See {@link Port92Options.onA20}. */
  onA20: ((enabled: boolean) => void) | undefined;
  /** See {@link Port92Options.onReset}. */
  onReset: (() => void) | undefined;
  private value = 0;

  constructor(options: Port92Options = {}) {
    this.onA20 = options.onA20;
    this.onReset = options.onReset;
  }

  attach(bus: PortBus): void {
    bus.registerPort(0x92, {
      read: (_port, size) => this.value | (size === 2 ? 0xff00 : 0),
      write: (_port, _size, v) => this.write(v & 0xff),
    });
  }

  reset(): void { this.value &= ~1; }

  /** This port's A20 bit. */
  get a20(): boolean { return (this.value & 2) !== 0; }

  private write(v: number): void {
    const old = this.value;
    this.value = v;
    if ((old ^ v) & 2) this.onA20?.((v & 2) !== 0);
    if ((v & 1) && !(old & 1)) this.onReset?.();
  }
}

/**
 * The chipset's A20 gate: enabled when either the 8042's output port or
 * port 92h enables it. Wire `kbc` to KeyboardController.onA20 and `port92`
 * to Port92.onA20; `set` is called only when the combined state changes.
 * The initial states are the sources' reset states.
 */
export function a20Gate(set: (enabled: boolean) => void, initial: { kbc: boolean; port92: boolean }):
    { kbc: (enabled: boolean) => void; port92: (enabled: boolean) => void; readonly enabled: boolean } {
  const state = { ...initial };
  let on = state.kbc || state.port92;
  const update = (): void => {
    const next = state.kbc || state.port92;
    if (next !== on) { on = next; set(on); }
  };
  return {
    kbc: (enabled) => { state.kbc = enabled; update(); },
    port92: (enabled) => { state.port92 = enabled; update(); },
    get enabled() { return on; },
  };
}
