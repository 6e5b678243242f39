/**
 * uart.test.ts — the 16550A UART through its ports: registers and DLAB,
 * FIFOs and trigger levels, the interrupt identification priorities and how
 * each source is cleared, the OUT2 gate, loopback, modem status, and
 * character timing in virtual time (driven as the PC's scheduler does:
 * run to nextEventNs(), then advanceTo()).
 */
import { describe, it, expect } from "vitest";
import { ManualClock, TestBus, type IrqSink } from "../../src/pc/device.js";
import { Uart, UART_RESET_DIVISOR, type UartOptions } from "../../src/pc/devices/uart.js";

class FakeIrq implements IrqSink {
  readonly levels = new Map<number, boolean>();
  readonly log: [number, boolean][] = [];
  setIrq(irq: number, level: boolean): void { this.levels.set(irq, level); this.log.push([irq, level]); }
  level(irq: number): boolean { return this.levels.get(irq) ?? false; }
}

const B = 0x3f8;
const RBR = B, THR = B, DLL = B, IER = B + 1, DLM = B + 1, IIR = B + 2, FCR = B + 2, LCR = B + 3,
  MCR = B + 4, LSR = B + 5, MSR = B + 6, SCR = B + 7;
const OUT2 = 0x08, LOOP = 0x10;

function setup(opts: Partial<UartOptions> = {}) {
  const clock = new ManualClock();
  const irq = new FakeIrq();
  const out: number[] = [];
  const u = new Uart({ clock, irqSink: irq, onTransmit: (b) => out.push(b), ...opts });
  const bus = new TestBus();
  u.attach(bus);
  /** Move time forward to t, stopping at every device event on the way. */
  const runTo = (t: number) => {
    for (let e = u.nextEventNs(); e <= t; e = u.nextEventNs()) {
      expect(e).toBeGreaterThan(clock.nowNs() - 1);   // events never lie in the past
      clock.set(e); u.advanceTo(e);
    }
    clock.set(t); u.advanceTo(t);
  };
  /** 8N1 at the given divisor. */
  const line = (divisor: number) => {
    bus.outb(LCR, 0x80); bus.outb(DLL, divisor & 0xff); bus.outb(DLM, divisor >> 8); bus.outb(LCR, 0x03);
  };
  return { clock, irq, out, u, bus, runTo, line };
}

/** 8N1 at divisor 1: ten bits at 115200 baud. */
const C1 = Math.round(10 * 1e9 / 115200);

describe("registers", () => {
  it("reset values", () => {
    const { bus } = setup();
    expect(bus.inb(IER)).toBe(0x00);
    expect(bus.inb(IIR)).toBe(0x01);
    expect(bus.inb(LCR)).toBe(0x00);
    expect(bus.inb(MCR)).toBe(0x00);
    expect(bus.inb(LSR)).toBe(0x60);
    expect(bus.inb(MSR)).toBe(0xb0);   // CTS, DSR, DCD asserted by the far end; no deltas
    expect(bus.inb(SCR)).toBe(0x00);
    bus.outb(LCR, 0x80);
    expect(bus.inb(DLL)).toBe(UART_RESET_DIVISOR & 0xff);
    expect(bus.inb(DLM)).toBe(UART_RESET_DIVISOR >> 8);
  });

  it("DLAB switches offsets 0 and 1 to the divisor latch", () => {
    const { bus, out, u } = setup();
    bus.outb(IER, 0x05);
    bus.outb(LCR, 0x83);
    bus.outb(DLL, 0x34); bus.outb(DLM, 0x12);
    expect(bus.inb(DLL)).toBe(0x34);
    expect(bus.inb(DLM)).toBe(0x12);
    expect(out).toEqual([]);            // the DLL write did not transmit
    expect(bus.inb(LCR)).toBe(0x83);
    bus.outb(LCR, 0x03);
    expect(bus.inb(IER)).toBe(0x05);    // IER untouched by the DLM write
    // 0x1234 = 4660: ten bits at 115200/4660 baud
    expect(u.charTimeNs()).toBe(Math.round(10 * 4660 * 1e9 / 115200));
  });

  it("scratch register, IER and MCR masks, read-only LSR/MSR", () => {
    const { bus } = setup();
    bus.outb(SCR, 0xa5);
    expect(bus.inb(SCR)).toBe(0xa5);
    bus.outb(IER, 0xff);
    expect(bus.inb(IER)).toBe(0x0f);
    bus.outb(IER, 0);
    bus.outb(MCR, 0xff);
    expect(bus.inb(MCR)).toBe(0x1f);
    bus.outb(MCR, 0);
    bus.outb(LSR, 0x00); bus.outb(MSR, 0x00);
    expect(bus.inb(LSR)).toBe(0x60);
  });

  it("word accesses split into the two byte registers", () => {
    const { bus, out, u } = setup();
    bus.handlers.get(THR)!.write!(THR, 2, 0x0241);   // THR = 'A', IER = 02h
    expect(out).toEqual([0x41]);
    expect(bus.inb(IER)).toBe(0x02);
    bus.outb(SCR, 0x77);
    expect(bus.handlers.get(MSR)!.read!(MSR, 2)).toBe(0x77b0);
    expect(u.name).toBe("COM1");
  });

  it("honours base and irq parameters (COM2)", () => {
    const clock = new ManualClock();
    const irq = new FakeIrq();
    const u = new Uart({ clock, irqSink: irq, base: 0x2f8, irq: 3, name: "COM2" });
    const bus = new TestBus();
    u.attach(bus);
    expect([...bus.handlers.keys()].sort((a, b) => a - b)).toEqual([0x2f8, 0x2f9, 0x2fa, 0x2fb, 0x2fc, 0x2fd, 0x2fe, 0x2ff]);
    bus.outb(0x2fc, OUT2);
    bus.outb(0x2f9, 0x02);   // ETBEI with THR empty
    expect(irq.level(3)).toBe(true);
    expect(irq.level(4)).toBe(false);
    expect(u.irqAsserted).toBe(true);
  });
});

describe("character time", () => {
  it("counts start, data, parity and stop bits at 115200/divisor baud", () => {
    const { bus, u, line } = setup();
    line(1);
    expect(u.charTimeNs()).toBe(C1);
    const at = (lcr: number, bits: number) => { bus.outb(LCR, lcr); expect(u.charTimeNs()).toBe(Math.round(bits * 1e9 / 115200)); };
    at(0x00, 7);      // 5N1
    at(0x04, 7.5);    // 5 bits, 1.5 stop bits
    at(0x07, 11);     // 8N2
    at(0x1f, 12);     // 8E2
    at(0x0a, 10);     // 7O1
    line(12);
    expect(u.charTimeNs()).toBe(Math.round(10 * 12 * 1e9 / 115200));
    line(0);          // divisor 0 is the slowest, 65536
    expect(u.charTimeNs()).toBe(Math.round(10 * 65536 * 1e9 / 115200));
  });

  it("instant mode has zero character time", () => {
    const { u, line } = setup({ instant: true });
    line(12);
    expect(u.charTimeNs()).toBe(0);
  });
});

describe("transmitter", () => {
  it("THR empties at once into an idle shift register; TEMT after one character", () => {
    const { bus, out, u, runTo, line } = setup();
    line(1);
    bus.outb(THR, 0x41);
    expect(out).toEqual([0x41]);                // on the line at once
    expect(bus.inb(LSR) & 0x60).toBe(0x20);     // THRE, not TEMT
    expect(u.nextEventNs()).toBe(C1);
    runTo(C1 - 1);
    expect(bus.inb(LSR) & 0x60).toBe(0x20);
    runTo(C1);
    expect(bus.inb(LSR) & 0x60).toBe(0x60);
    expect(u.nextEventNs()).toBe(Infinity);
  });

  it("a second byte waits in THR until the first is out, back to back", () => {
    const { bus, out, clock, runTo, line } = setup();
    line(1);
    clock.set(1000);
    bus.outb(THR, 0x41);
    clock.set(5000);
    bus.outb(THR, 0x42);
    expect(bus.inb(LSR) & 0x60).toBe(0x00);
    expect(out).toEqual([0x41]);
    runTo(1000 + C1 - 1);
    expect(out).toEqual([0x41]);
    // Late sync: the second character still starts when the first ends.
    runTo(1000 + C1 + 10);
    expect(out).toEqual([0x41, 0x42]);
    expect(bus.inb(LSR) & 0x60).toBe(0x20);
    runTo(1000 + 2 * C1 - 1);
    expect(bus.inb(LSR) & 0x40).toBe(0);
    runTo(1000 + 2 * C1);
    expect(bus.inb(LSR) & 0x60).toBe(0x60);
  });

  it("without FIFOs a third byte overwrites the waiting one", () => {
    const { bus, out, runTo, line } = setup();
    line(1);
    bus.outb(THR, 1); bus.outb(THR, 2); bus.outb(THR, 3);
    runTo(10 * C1);
    expect(out).toEqual([1, 3]);
  });

  it("with FIFOs 16 bytes wait behind the shift register; more are lost", () => {
    const { bus, out, u, runTo, line } = setup();
    line(1);
    bus.outb(FCR, 0x07);
    for (let i = 0; i < 18; i++) bus.outb(THR, i);
    expect(out).toEqual([0]);
    expect(bus.inb(LSR) & 0x60).toBe(0);
    const times: number[] = [];
    for (let e = u.nextEventNs(); e !== Infinity; e = u.nextEventNs()) {
      const before = out.length;
      runTo(e);
      if (out.length > before) times.push(e);
    }
    expect(out).toEqual([...Array(17).keys()]);   // 0..16; byte 17 did not fit
    expect(times).toEqual([...Array(16).keys()].map((k) => (k + 1) * C1));
    expect(bus.inb(LSR) & 0x60).toBe(0x60);
  });

  it("FCR bit 2 empties the TX FIFO but the character on the line finishes", () => {
    const { bus, out, runTo, line } = setup();
    line(1);
    bus.outb(FCR, 0x01);
    bus.outb(THR, 1); bus.outb(THR, 2); bus.outb(THR, 3);
    bus.outb(FCR, 0x05);
    expect(bus.inb(LSR) & 0x60).toBe(0x20);
    runTo(C1);
    expect(out).toEqual([1]);
    expect(bus.inb(LSR) & 0x60).toBe(0x60);
  });

  it("keeps an in-flight character's time when LCR changes", () => {
    const { bus, u, line } = setup();
    line(1);
    bus.outb(THR, 1);
    bus.outb(LCR, 0x80); bus.outb(DLL, 12); bus.outb(LCR, 0x03);
    expect(u.nextEventNs()).toBe(C1);
  });

  it("runs slower at a larger divisor", () => {
    const { bus, out, u, runTo, line } = setup();
    line(12);
    const c12 = Math.round(10 * 12 * 1e9 / 115200);   // 9600 baud: 1.0417 ms
    expect(u.charTimeNs()).toBe(c12);
    bus.outb(THR, 1); bus.outb(THR, 2);
    runTo(c12 - 1);
    expect(out).toEqual([1]);
    runTo(c12);
    expect(out).toEqual([1, 2]);
  });

  it("instant mode: everything is sent at once and THRE/TEMT stay set", () => {
    const { bus, out, u } = setup({ instant: true });
    bus.outb(FCR, 0x07);
    for (const c of "Hello") {
      bus.outb(THR, c.charCodeAt(0));
      expect(bus.inb(LSR) & 0x60).toBe(0x60);
    }
    expect(String.fromCharCode(...out)).toBe("Hello");
    expect(u.nextEventNs()).toBe(Infinity);
  });

  it("drainTransmitter pushes waiting bytes out at once", () => {
    const { bus, out, u, line } = setup();
    line(1);
    bus.outb(FCR, 0x01);
    for (const b of [1, 2, 3, 4]) bus.outb(THR, b);
    expect(out).toEqual([1]);
    u.drainTransmitter();
    expect(out).toEqual([1, 2, 3, 4]);
    expect(bus.inb(LSR) & 0x60).toBe(0x60);
    expect(u.nextEventNs()).toBe(Infinity);
  });

  it("onTransmit can be replaced after construction", () => {
    const { bus, u } = setup({ onTransmit: undefined, instant: true });
    const got: number[] = [];
    bus.outb(THR, 1);
    u.onTransmit = (b) => got.push(b);
    bus.outb(THR, 2);
    expect(got).toEqual([2]);
  });
});

describe("receiver", () => {
  it("RBR, DR, and overrun without FIFOs (the newer byte wins)", () => {
    const { bus, u } = setup();
    u.receive([0x41]);
    expect(bus.inb(LSR) & 0x03).toBe(0x01);
    expect(bus.inb(RBR)).toBe(0x41);
    expect(bus.inb(LSR) & 0x01).toBe(0);
    expect(bus.inb(RBR)).toBe(0x41);           // empty: the last byte again
    u.receive([1, 2]);
    expect(bus.inb(LSR) & 0x03).toBe(0x03);    // DR + OE
    expect(bus.inb(LSR) & 0x02).toBe(0);       // OE cleared by the read
    expect(bus.inb(RBR)).toBe(2);
  });

  it("16-byte RX FIFO: overrun keeps the FIFO and loses the new byte", () => {
    const { bus, u } = setup();
    bus.outb(FCR, 0x01);
    u.receive([...Array(16).keys()]);
    expect(bus.inb(LSR) & 0x02).toBe(0);
    u.receive([99]);
    expect(bus.inb(LSR) & 0x03).toBe(0x03);
    const got: number[] = [];
    while (bus.inb(LSR) & 1) got.push(bus.inb(RBR));
    expect(got).toEqual([...Array(16).keys()]);
  });

  it("FCR bit 1 empties the RX FIFO; toggling FIFO enable empties both", () => {
    const { bus, u } = setup();
    bus.outb(FCR, 0x01);
    u.receive([1, 2, 3]);
    bus.outb(FCR, 0x03);
    expect(bus.inb(LSR) & 1).toBe(0);
    u.receive([4, 5]);
    expect(bus.inb(IIR) & 0xc0).toBe(0xc0);
    bus.outb(FCR, 0x00);
    expect(bus.inb(IIR) & 0xc0).toBe(0x00);
    expect(bus.inb(LSR) & 1).toBe(0);
  });

  it("FCR writes with bit 0 clear program nothing else", () => {
    const { bus, u } = setup();
    bus.outb(FCR, 0xc6);
    expect(bus.inb(IIR)).toBe(0x01);
    u.receive([1, 2]);
    expect(bus.inb(LSR) & 0x02).toBe(0x02);   // one-byte receiver: overrun
  });

  it.each([[0x00, 1], [0x40, 4], [0x80, 8], [0xc0, 14]])("FCR %i: data-available interrupt at %i bytes", (bits, level) => {
    const { bus, u, irq } = setup();
    bus.outb(FCR, bits | 0x01);
    bus.outb(MCR, OUT2);
    bus.outb(IER, 0x01);
    if (level > 1) u.receive(Array(level - 1).fill(0x55));
    expect(bus.inb(IIR)).toBe(0xc1);
    expect(irq.level(4)).toBe(false);
    u.receive([0x66]);
    expect(bus.inb(IIR)).toBe(0xc4);
    expect(irq.level(4)).toBe(true);
    bus.inb(RBR);                               // below the trigger again
    expect(bus.inb(IIR)).toBe(0xc1);
    expect(irq.level(4)).toBe(false);
  });

  it("character timeout after four character times without activity", () => {
    const { bus, u, irq, runTo, line } = setup();
    line(1);
    bus.outb(FCR, 0x41);                        // trigger 4
    bus.outb(MCR, OUT2);
    bus.outb(IER, 0x01);
    u.receive([1, 2]);
    expect(u.nextEventNs()).toBe(4 * C1);
    runTo(4 * C1 - 1);
    expect(bus.inb(IIR)).toBe(0xc1);
    runTo(4 * C1);
    expect(irq.level(4)).toBe(true);
    expect(bus.inb(IIR)).toBe(0xcc);
    expect(bus.inb(RBR)).toBe(1);               // reading restarts the timer
    expect(bus.inb(IIR)).toBe(0xc1);
    expect(irq.level(4)).toBe(false);
    runTo(8 * C1);
    expect(bus.inb(IIR)).toBe(0xcc);
    expect(bus.inb(RBR)).toBe(2);
    expect(bus.inb(IIR)).toBe(0xc1);            // empty: no timeout
    expect(u.nextEventNs()).toBe(Infinity);
  });

  it("a new character also restarts the timeout", () => {
    const { bus, u, clock, runTo, line } = setup();
    line(1);
    bus.outb(FCR, 0x81);                        // trigger 8
    bus.outb(IER, 0x01);
    u.receive([1]);
    runTo(3 * C1);
    u.receive([2]);
    runTo(6 * C1);
    expect(bus.inb(IIR)).toBe(0xc1);
    runTo(7 * C1);
    expect(clock.nowNs()).toBe(7 * C1);
    expect(bus.inb(IIR)).toBe(0xcc);
  });

  it("queueInput delivers at line speed and never overruns", () => {
    const { bus, u, runTo, line } = setup();
    line(1);
    u.queueInput([0x61, 0x62, 0x63]);
    expect(u.pendingInput).toBe(3);
    expect(bus.inb(LSR) & 1).toBe(0);
    expect(u.nextEventNs()).toBe(C1);
    runTo(C1);
    expect(bus.inb(LSR) & 3).toBe(1);
    runTo(5 * C1);                              // guest does not read: sender waits
    expect(bus.inb(LSR) & 3).toBe(1);
    expect(u.pendingInput).toBe(2);
    expect(u.nextEventNs()).toBe(Infinity);
    expect(bus.inb(RBR)).toBe(0x61);
    expect(u.nextEventNs()).toBe(6 * C1);
    runTo(6 * C1);
    expect(bus.inb(RBR)).toBe(0x62);
    runTo(7 * C1);
    expect(bus.inb(RBR)).toBe(0x63);
    expect(u.pendingInput).toBe(0);
    expect(bus.inb(LSR) & 2).toBe(0);
  });

  it("queueInput in instant mode fills the FIFO at once and refills on reads", () => {
    const { bus, u } = setup({ instant: true });
    bus.outb(FCR, 0x01);
    u.queueInput([...Array(20).keys()]);
    expect(u.pendingInput).toBe(4);
    expect(bus.inb(RBR)).toBe(0);
    expect(u.pendingInput).toBe(3);
    const got: number[] = [];
    while (bus.inb(LSR) & 1) got.push(bus.inb(RBR));
    expect(got).toEqual([...Array(19).keys()].map((i) => i + 1));
    expect(bus.inb(LSR) & 2).toBe(0);
  });
});

describe("interrupts", () => {
  it("IIR reports line status > data > THRE > modem status, each cleared its own way", () => {
    const { bus, u, irq } = setup();
    bus.outb(MCR, OUT2);
    u.receive([7, 8]);                          // overrun (no FIFO): OE + data
    u.setModemInputs({ cts: false });           // delta CTS
    bus.outb(IER, 0x0f);                        // also raises THRE (THR empty)
    expect(irq.level(4)).toBe(true);
    expect(bus.inb(IIR)).toBe(0x06);
    expect(bus.inb(IIR)).toBe(0x06);            // reading IIR does not clear line status
    bus.inb(LSR);
    expect(bus.inb(IIR)).toBe(0x04);
    expect(bus.inb(IIR)).toBe(0x04);
    expect(bus.inb(RBR)).toBe(8);
    expect(bus.inb(IIR)).toBe(0x02);            // this read clears THRE...
    expect(bus.inb(IIR)).toBe(0x00);
    expect(irq.level(4)).toBe(true);
    expect(bus.inb(MSR)).toBe(0xa1);            // DCD, DSR, and the CTS delta
    expect(bus.inb(IIR)).toBe(0x01);
    expect(irq.level(4)).toBe(false);
  });

  it("modem status interrupt from the far end, cleared by reading MSR", () => {
    const { bus, u, irq } = setup();
    bus.outb(MCR, OUT2);
    bus.outb(IER, 0x08);
    expect(bus.inb(IIR)).toBe(0x01);
    u.setModemInputs({ cts: false, dcd: false });
    expect(bus.inb(IIR)).toBe(0x00);
    expect(irq.level(4)).toBe(true);
    expect(bus.inb(MSR)).toBe(0x20 | 0x01 | 0x08);
    expect(bus.inb(MSR)).toBe(0x20);
    expect(bus.inb(IIR)).toBe(0x01);
    expect(irq.level(4)).toBe(false);
    u.setModemInputs({ ri: true });
    expect(bus.inb(MSR)).toBe(0x60);            // RI rising edge: no delta
    u.setModemInputs({ ri: false });
    expect(bus.inb(MSR)).toBe(0x24);            // trailing edge of RI
  });

  it("THRE interrupt: IIR read clears it only when it is the one reported", () => {
    const { bus, u, irq } = setup();
    bus.outb(MCR, OUT2);
    u.receive([1]);
    bus.outb(IER, 0x03);
    expect(bus.inb(IIR)).toBe(0x04);
    bus.inb(RBR);
    expect(bus.inb(IIR)).toBe(0x02);            // THRE survived the earlier IIR read
    expect(bus.inb(IIR)).toBe(0x01);
    expect(irq.level(4)).toBe(false);
  });

  it("THRE returns when THR empties again, and on the rising edge of ETBEI only", () => {
    const { bus, irq, runTo, line } = setup();
    line(1);
    bus.outb(MCR, OUT2);
    bus.outb(IER, 0x02);
    expect(bus.inb(IIR)).toBe(0x02);
    bus.outb(IER, 0x02);                        // no change: no new THRE
    expect(bus.inb(IIR)).toBe(0x01);
    bus.outb(IER, 0x00); bus.outb(IER, 0x02);   // rising edge: THRE again
    expect(bus.inb(IIR)).toBe(0x02);
    bus.outb(THR, 1);                           // straight to the shift register: THR empty
    expect(bus.inb(IIR)).toBe(0x02);
    bus.outb(THR, 2);                           // waits in THR
    expect(bus.inb(IIR)).toBe(0x01);
    expect(irq.level(4)).toBe(false);
    runTo(C1);
    expect(irq.level(4)).toBe(true);
    expect(bus.inb(IIR)).toBe(0x02);
  });

  it("THRE with FIFOs only when the whole TX FIFO is empty", () => {
    const { bus, irq, runTo, line } = setup();
    line(1);
    bus.outb(FCR, 0x01);
    bus.outb(MCR, OUT2);
    bus.outb(IER, 0x02);
    bus.inb(IIR);
    for (const b of [1, 2, 3]) bus.outb(THR, b);
    runTo(C1);
    expect(bus.inb(IIR)).toBe(0xc1);
    runTo(2 * C1);
    expect(irq.level(4)).toBe(true);
    expect(bus.inb(IIR)).toBe(0xc2);
  });

  it("OUT2 gates the IRQ line; loopback keeps it off", () => {
    const { bus, irq } = setup();
    bus.outb(IER, 0x02);
    expect(bus.inb(IIR) & 1).toBe(0);   // pending (and now acknowledged)
    bus.outb(IER, 0); bus.outb(IER, 0x02);
    expect(irq.level(4)).toBe(false);
    bus.outb(MCR, OUT2);
    expect(irq.level(4)).toBe(true);
    bus.outb(MCR, 0);
    expect(irq.level(4)).toBe(false);
    bus.outb(MCR, OUT2 | LOOP);
    expect(irq.level(4)).toBe(false);
    expect(bus.inb(IIR)).toBe(0x02);    // still pending inside the chip
    expect(irq.log.filter(([n]) => n === 4).map(([, l]) => l)).toEqual([true, false]);
  });

  it("reset lowers the line and restores the registers", () => {
    const { bus, u, irq } = setup();
    bus.outb(MCR, OUT2); bus.outb(IER, 0x0f); bus.outb(LCR, 0x1b); bus.outb(FCR, 0x01); bus.outb(SCR, 9);
    u.receive([1]);
    expect(irq.level(4)).toBe(true);
    u.reset();
    expect(irq.level(4)).toBe(false);
    expect([IER, IIR, LCR, MCR, LSR, SCR].map((p) => bus.inb(p))).toEqual([0, 1, 0, 0, 0x60, 0]);
  });
});

describe("loopback", () => {
  it("transmitted bytes come back after one character time, not to the host", () => {
    const { bus, u, out, runTo, line } = setup();
    line(1);
    bus.outb(MCR, LOOP);
    bus.outb(THR, 0x5a);
    expect(out).toEqual([]);
    expect(bus.inb(LSR) & 1).toBe(0);
    runTo(C1);
    expect(bus.inb(LSR) & 0x61).toBe(0x61);
    expect(bus.inb(RBR)).toBe(0x5a);
    u.receive([1, 2, 3]);                       // input pin disconnected
    expect(bus.inb(LSR) & 1).toBe(0);
    bus.outb(MCR, 0);
    bus.outb(THR, 0x5b);
    expect(out).toEqual([0x5b]);
  });

  it("in instant mode the byte is back at once", () => {
    const { bus } = setup({ instant: true });
    bus.outb(MCR, LOOP);
    bus.outb(THR, 0x77);
    expect(bus.inb(RBR)).toBe(0x77);
  });

  it("MSR follows MCR: RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD, with deltas", () => {
    const { bus } = setup();
    bus.outb(MCR, LOOP);
    // The external CTS/DSR/DCD disappear: deltas for all three.
    expect(bus.inb(MSR)).toBe(0x0b);
    bus.outb(MCR, LOOP | 0x02);
    expect(bus.inb(MSR)).toBe(0x11);
    bus.outb(MCR, LOOP | 0x01);
    expect(bus.inb(MSR)).toBe(0x23);
    bus.outb(MCR, LOOP | 0x04);
    expect(bus.inb(MSR)).toBe(0x42);            // RI rising: no TERI
    bus.outb(MCR, LOOP | 0x08);
    expect(bus.inb(MSR)).toBe(0x8c);            // RI falling: TERI; DCD delta
    bus.outb(MCR, LOOP | 0x0f);
    expect(bus.inb(MSR) & 0xf0).toBe(0xf0);
    bus.outb(MCR, 0x0f);                        // back to the far end's lines
    expect(bus.inb(MSR)).toBe(0xb4);
  });

  it("the modem status interrupt works in loopback (visible in IIR)", () => {
    const { bus, irq } = setup();
    bus.outb(MCR, LOOP);
    bus.inb(MSR);
    bus.outb(IER, 0x08);
    bus.outb(MCR, LOOP | 0x02);
    expect(bus.inb(IIR)).toBe(0x00);
    expect(irq.level(4)).toBe(false);
  });
});
