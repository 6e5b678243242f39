/**
 * pic.test.ts — the 8259A pair through its ports (TestBus), its IRQ inputs
 * (setIrq) and the CPU's side (acknowledge, the INTR callback): the ICW
 * sequence, masking, priority and nesting, the EOI and rotation commands,
 * the cascade, IRR/ISR reads, poll, special mask and special fully nested
 * modes, level triggering and spurious interrupts.
 *
 * Not here: the PIC wired to a real CPU (pic-cpu.test.ts).
 */
import { describe, it, expect } from "vitest";
import { Pic } from "../../src/pc/devices/pic.js";
import { TestBus } from "../../src/pc/device.js";

/** A PIC on a test bus, with every INTR level it reported. */
function setup() {
  const reported: boolean[] = [];
  const pic = new Pic((level) => reported.push(level));
  const bus = new TestBus();
  pic.attach(bus);
  return { pic, bus, reported };
}

/** The PC BIOS's programming: master base 08h, slave base 70h, cascade on
 *  IR2, 8086 mode (plus whatever extra ICW4 bits are given). */
function initPc(bus: TestBus, master4 = 0x01, slave4 = 0x01): void {
  bus.outb(0x20, 0x11); // ICW1: edge, cascade, ICW4 follows
  bus.outb(0x21, 0x08); // ICW2: vector base 08h
  bus.outb(0x21, 0x04); // ICW3: a slave on IR2
  bus.outb(0x21, master4); // ICW4
  bus.outb(0xa0, 0x11);
  bus.outb(0xa1, 0x70);
  bus.outb(0xa1, 0x02); // ICW3: slave ID 2
  bus.outb(0xa1, slave4);
}

function pc(master4?: number, slave4?: number) {
  const s = setup();
  initPc(s.bus, master4, slave4);
  return s;
}

/** Pulse an IRQ line (raise, then lower), as an edge-triggered device. */
function pulse(pic: Pic, irq: number): void {
  pic.setIrq(irq, true);
  pic.setIrq(irq, false);
}

const readIrr = (bus: TestBus, port = 0x20) => { bus.outb(port, 0x0a); return bus.inb(port); };
const readIsr = (bus: TestBus, port = 0x20) => { bus.outb(port, 0x0b); return bus.inb(port); };
const EOI = 0x20;

describe("ports and reset", () => {
  it("registers 20h, 21h, A0h and A1h and nothing else", () => {
    const { bus } = setup();
    expect([...bus.handlers.keys()].sort((a, b) => a - b)).toEqual([0x20, 0x21, 0xa0, 0xa1]);
  });

  it("comes out of reset fully masked, with nothing in service and INTR low", () => {
    const { pic, bus, reported } = setup();
    expect(bus.inb(0x21)).toBe(0xff);
    expect(bus.inb(0xa1)).toBe(0xff);
    pic.setIrq(1, true);
    expect(pic.intr).toBe(false);
    expect(reported).toEqual([]);
    expect(pic.master.irr).toBe(0x02); // latched, only hidden by the mask
  });

  it("reset() after use masks everything again and drops INTR", () => {
    const { pic, bus, reported } = pc();
    pic.setIrq(0, true);
    pic.acknowledge();
    pic.setIrq(3, true);
    expect(reported).toEqual([true, false]); // IRQ3 waits behind IRQ0 in service
    bus.outb(0x20, EOI);
    expect(pic.intr).toBe(true);
    pic.reset();
    expect(pic.intr).toBe(false);
    expect(reported.at(-1)).toBe(false);
    expect(pic.master.isr).toBe(0);
    expect(pic.master.imr).toBe(0xff);
    expect(pic.master.irr).toBe(0);
  });

  it("a word read of 20h returns the IRR and the IMR", () => {
    const { pic, bus } = pc();
    bus.outb(0x21, 0x5a);
    pic.setIrq(0, true);
    const h = bus.handlers.get(0x20)!;
    expect(h.read!(0x20, 2)).toBe(0x5a01);
    h.write!(0x20, 2, 0xa50b); // OCW3 read ISR to 20h, then 0xa5 to the IMR
    expect(bus.inb(0x21)).toBe(0xa5);
    expect(bus.inb(0x20)).toBe(0); // ISR
  });

  it("rejects IRQ numbers outside 0–15", () => {
    const { pic } = setup();
    for (const irq of [-1, 16, 1.5]) expect(() => pic.setIrq(irq, true)).toThrow(RangeError);
  });
});

describe("initialisation (ICW1–ICW4)", () => {
  it("takes the vector base from ICW2 with its low three bits ignored", () => {
    const { pic, bus } = setup();
    bus.outb(0x20, 0x11); bus.outb(0x21, 0x4f); bus.outb(0x21, 0x04); bus.outb(0x21, 0x01);
    expect(pic.master.vectorBase).toBe(0x48);
    pic.setIrq(5, true);
    expect(pic.acknowledge()).toBe(0x4d);
  });

  it("ICW1 unmasks everything, clears ISR and forgets old requests", () => {
    const { pic, bus } = pc();
    bus.outb(0x21, 0xf0);
    pic.setIrq(0, true);
    pic.acknowledge();
    pic.setIrq(1, true);
    expect(pic.master.isr).toBe(0x01);
    initPc(bus);
    expect(bus.inb(0x21)).toBe(0x00);
    expect(pic.master.isr).toBe(0);
    expect(pic.master.irr).toBe(0);
    expect(pic.intr).toBe(false);
  });

  it("a line already high at ICW1 requests nothing until it falls and rises again", () => {
    const { pic, bus } = setup();
    pic.setIrq(4, true);
    initPc(bus);
    pic.setIrq(4, true); // no transition
    expect(pic.intr).toBe(false);
    pic.setIrq(4, false);
    pic.setIrq(4, true);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x0c);
  });

  it("without IC4, the sequence ends after ICW3 and the next write is the IMR", () => {
    const { pic, bus } = setup();
    bus.outb(0x20, 0x10); // ICW1: no ICW4
    bus.outb(0x21, 0x20);
    expect(pic.master.ready).toBe(false);
    bus.outb(0x21, 0x04);
    expect(pic.master.ready).toBe(true);
    bus.outb(0x21, 0xfe);
    expect(bus.inb(0x21)).toBe(0xfe);
    expect(pic.master.icw3).toBe(0x04);
    expect(pic.master.autoEoi).toBe(false);
  });

  it("in single mode (SNGL) there is no ICW3: ICW2 is followed by ICW4", () => {
    const { pic, bus } = setup();
    bus.outb(0x20, 0x13); // ICW1: single, ICW4 follows
    bus.outb(0x21, 0x50);
    bus.outb(0x21, 0x03); // ICW4: 8086, auto-EOI
    expect(pic.master.ready).toBe(true);
    expect(pic.master.autoEoi).toBe(true);
    bus.outb(0x21, 0xfb);
    expect(bus.inb(0x21)).toBe(0xfb);
    // With no slave, IR2 is an ordinary input with its own vector.
    pic.setIrq(9, true);
    expect(pic.intr).toBe(false); // the slave is still masked from reset
    expect(pic.master.cascades(2)).toBe(false);
  });

  it("ICW1 with LTIM makes the inputs level-triggered", () => {
    const { pic, bus } = setup();
    bus.outb(0x20, 0x19); bus.outb(0x21, 0x08); bus.outb(0x21, 0x04); bus.outb(0x21, 0x01);
    expect(pic.master.levelTriggered).toBe(true);
  });
});

describe("requests, edges and masking", () => {
  it("latches a rising edge, reports INTR, and the acknowledge moves IRR to ISR", () => {
    const { pic, bus, reported } = pc();
    pic.setIrq(1, true);
    expect(reported).toEqual([true]);
    expect(readIrr(bus)).toBe(0x02);
    expect(readIsr(bus)).toBe(0x00);
    expect(pic.acknowledge()).toBe(0x09);
    expect(reported).toEqual([true, false]);
    expect(readIrr(bus)).toBe(0x00);
    expect(readIsr(bus)).toBe(0x02);
  });

  it("a line held high interrupts once; a new request needs a new edge", () => {
    const { pic, bus } = pc();
    pic.setIrq(0, true);
    expect(pic.acknowledge()).toBe(0x08);
    bus.outb(0x20, EOI);
    expect(pic.intr).toBe(false);
    pic.setIrq(0, true);
    expect(pic.intr).toBe(false);
    pic.setIrq(0, false);
    expect(pic.intr).toBe(false);
    pic.setIrq(0, true);
    expect(pic.intr).toBe(true);
  });

  it("keeps an edge request latched after the line falls (as QEMU does)", () => {
    const { pic } = pc();
    pulse(pic, 6);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x0e);
  });

  it("masking hides a request without clearing it; unmasking delivers it", () => {
    const { pic, bus, reported } = pc();
    bus.outb(0x21, 0x02);
    pulse(pic, 1);
    expect(pic.intr).toBe(false);
    expect(readIrr(bus)).toBe(0x02);
    bus.outb(0x21, 0x00);
    expect(pic.intr).toBe(true);
    bus.outb(0x21, 0x02); // masking a pending request drops INTR again
    expect(pic.intr).toBe(false);
    expect(reported).toEqual([true, false]);
    bus.outb(0x21, 0x00);
    expect(pic.acknowledge()).toBe(0x09);
  });

  it("only reports INTR when it changes", () => {
    const { pic, reported } = pc();
    pulse(pic, 5);
    pulse(pic, 4);
    pulse(pic, 3);
    expect(reported).toEqual([true]);
  });
});

describe("priority, nesting and EOI", () => {
  it("serves the lowest-numbered request first", () => {
    const { pic, bus } = pc();
    pulse(pic, 5);
    pulse(pic, 3);
    pulse(pic, 4);
    expect(pic.acknowledge()).toBe(0x0b);
    bus.outb(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x0c);
    bus.outb(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x0d);
    bus.outb(0x20, EOI);
    expect(pic.intr).toBe(false);
  });

  it("a lower priority waits for the EOI; a higher one nests", () => {
    const { pic, bus } = pc();
    pulse(pic, 3);
    expect(pic.acknowledge()).toBe(0x0b);
    pulse(pic, 5);
    expect(pic.intr).toBe(false); // IRQ5 < IRQ3 in service
    pulse(pic, 3);
    expect(pic.intr).toBe(false); // the same level does not nest either
    pulse(pic, 1);
    expect(pic.intr).toBe(true); // IRQ1 beats IRQ3
    expect(pic.acknowledge()).toBe(0x09);
    expect(readIsr(bus)).toBe(0x0a);
    bus.outb(0x20, EOI); // non-specific: ends IRQ1, the highest in service
    expect(readIsr(bus)).toBe(0x08);
    expect(pic.intr).toBe(false); // IRQ3 and IRQ5 still wait behind IRQ3
    bus.outb(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x0b); // the second IRQ3 request
    bus.outb(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x0d);
  });

  it("a specific EOI ends the named level, not the highest", () => {
    const { pic, bus } = pc();
    pulse(pic, 4);
    pic.acknowledge();
    pulse(pic, 1);
    pic.acknowledge();
    expect(pic.master.isr).toBe(0x12);
    bus.outb(0x20, 0x64); // specific EOI, level 4
    expect(pic.master.isr).toBe(0x02);
    bus.outb(0x20, 0x61);
    expect(pic.master.isr).toBe(0x00);
  });

  it("an EOI with nothing in service does nothing", () => {
    const { pic, bus } = pc();
    bus.outb(0x20, EOI);
    bus.outb(0x20, 0x40); // OCW2 no-op
    expect(pic.master.isr).toBe(0);
    expect(pic.master.irr).toBe(0);
  });

  it("auto-EOI leaves nothing in service", () => {
    const { pic } = pc(0x03);
    pulse(pic, 4);
    pulse(pic, 6);
    expect(pic.acknowledge()).toBe(0x0c);
    expect(pic.master.isr).toBe(0);
    expect(pic.intr).toBe(true); // IRQ6 is not blocked by anything
    expect(pic.acknowledge()).toBe(0x0e);
    expect(pic.intr).toBe(false);
  });
});

describe("rotation and priority commands", () => {
  it("rotate on non-specific EOI makes the ended level the lowest", () => {
    const { pic, bus } = pc();
    pulse(pic, 0);
    expect(pic.acknowledge()).toBe(0x08);
    bus.outb(0x20, 0xa0); // rotate on non-specific EOI
    expect(pic.master.priorityBase).toBe(1);
    pulse(pic, 0);
    pulse(pic, 7);
    expect(pic.acknowledge()).toBe(0x0f); // IRQ7 now outranks IRQ0
  });

  it("set priority (C0h | L) makes L the lowest level", () => {
    const { pic, bus } = pc();
    bus.outb(0x20, 0xc4);
    pulse(pic, 3);
    pulse(pic, 6);
    expect(pic.acknowledge()).toBe(0x0e);
    // IRQ3 (priority rank 6) now waits behind IRQ6 in service.
    expect(pic.intr).toBe(false);
    bus.outb(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x0b);
  });

  it("rotate on specific EOI (E0h | L) ends L and makes it the lowest", () => {
    const { pic, bus } = pc();
    pulse(pic, 5);
    pic.acknowledge();
    bus.outb(0x20, 0xe5);
    expect(pic.master.isr).toBe(0);
    expect(pic.master.priorityBase).toBe(6);
    pulse(pic, 4);
    pulse(pic, 6);
    expect(pic.acknowledge()).toBe(0x0e);
  });

  it("rotate in auto-EOI mode rotates at each acknowledge until cleared", () => {
    const { pic, bus } = pc(0x03);
    bus.outb(0x20, 0x80); // set rotate in AEOI
    pulse(pic, 3);
    expect(pic.acknowledge()).toBe(0x0b);
    expect(pic.master.priorityBase).toBe(4);
    bus.outb(0x20, 0x00); // clear rotate in AEOI
    pulse(pic, 5);
    expect(pic.acknowledge()).toBe(0x0d);
    expect(pic.master.priorityBase).toBe(4);
  });
});

describe("OCW3: register reads, poll and special mask mode", () => {
  it("the IRR/ISR selection persists until changed; 21h always reads the IMR", () => {
    const { pic, bus } = pc();
    pulse(pic, 3);
    pulse(pic, 5);
    pic.acknowledge();
    bus.outb(0x20, 0x0b);
    expect(bus.inb(0x20)).toBe(0x08);
    expect(bus.inb(0x20)).toBe(0x08);
    bus.outb(0x21, 0x81);
    expect(bus.inb(0x21)).toBe(0x81);
    bus.outb(0x20, 0x08); // OCW3 without RR: selection unchanged
    expect(bus.inb(0x20)).toBe(0x08);
    bus.outb(0x20, 0x0a);
    expect(bus.inb(0x20)).toBe(0x20);
  });

  it("poll returns 80h | level and acknowledges it; the next read is normal", () => {
    const { pic, bus } = pc();
    bus.outb(0x20, 0x0a);
    pulse(pic, 6);
    pulse(pic, 4);
    bus.outb(0x20, 0x0c); // poll
    expect(bus.inb(0x20)).toBe(0x84);
    expect(pic.master.isr).toBe(0x10);
    expect(pic.intr).toBe(false); // IRQ6 waits behind IRQ4 in service
    expect(bus.inb(0x20)).toBe(0x40); // back to IRR
    bus.outb(0x20, EOI);
    bus.outb(0x20, 0x0c);
    expect(bus.inb(0x21)).toBe(0x86); // the poll byte can be read at either port
    bus.outb(0x20, EOI);
    bus.outb(0x20, 0x0c);
    expect(bus.inb(0x20)).toBe(0x00); // nothing requesting
    expect(pic.master.isr).toBe(0);
  });

  it("special mask mode lets lower levels in while the handler masks its own", () => {
    const { pic, bus } = pc();
    pulse(pic, 3);
    pic.acknowledge();
    pulse(pic, 5);
    expect(pic.intr).toBe(false);
    bus.outb(0x21, 0x08); // mask IRQ3...
    bus.outb(0x20, 0x68); // ...and enter special mask mode
    expect(pic.master.specialMask).toBe(true);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x0d);
    // A non-specific EOI in special mask mode skips the masked IRQ3.
    bus.outb(0x20, EOI);
    expect(pic.master.isr).toBe(0x08);
    bus.outb(0x20, 0x48); // leave special mask mode
    expect(pic.master.specialMask).toBe(false);
  });
});

describe("cascade", () => {
  it("delivers IRQ 8–15 through master IR2 with the slave's vector", () => {
    const { pic, bus } = pc();
    pulse(pic, 10);
    expect(pic.intr).toBe(true);
    expect(readIrr(bus)).toBe(0x04);
    expect(readIrr(bus, 0xa0)).toBe(0x04);
    expect(pic.acknowledge()).toBe(0x72);
    expect(readIsr(bus)).toBe(0x04);
    expect(readIsr(bus, 0xa0)).toBe(0x04);
    expect(pic.intr).toBe(false);
    bus.outb(0xa0, EOI);
    bus.outb(0x20, EOI);
    expect(pic.master.isr).toBe(0);
    expect(pic.slave.isr).toBe(0);
  });

  it("ranks the slave's IRQs in place of IRQ2: after IRQ1, before IRQ3", () => {
    const { pic, bus } = pc();
    pulse(pic, 3);
    pulse(pic, 15);
    pulse(pic, 1);
    expect(pic.acknowledge()).toBe(0x09);
    bus.outb(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x77);
    bus.outb(0xa0, EOI);
    bus.outb(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x0b);
  });

  it("the slave's own priorities pick among IRQ 8–15", () => {
    const { pic, bus } = pc();
    pulse(pic, 14);
    pulse(pic, 12);
    expect(pic.acknowledge()).toBe(0x74);
    bus.outb(0xa0, EOI);
    bus.outb(0x20, EOI);
    expect(pic.intr).toBe(true); // IRQ14 re-raises master IR2
    expect(pic.acknowledge()).toBe(0x76);
  });

  it("without special fully nested mode, a higher slave IRQ waits for the master's EOI", () => {
    const { pic, bus } = pc();
    pulse(pic, 12);
    expect(pic.acknowledge()).toBe(0x74);
    pulse(pic, 8);
    expect(pic.intr).toBe(false); // master IR2 is in service
    bus.outb(0xa0, EOI);
    expect(pic.intr).toBe(false);
    bus.outb(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x70);
  });

  it("special fully nested mode lets a higher slave IRQ nest, but not a lower one", () => {
    const { pic } = pc(0x11);
    expect(pic.master.specialFullyNested).toBe(true);
    pulse(pic, 12);
    expect(pic.acknowledge()).toBe(0x74);
    pulse(pic, 13);
    expect(pic.intr).toBe(false); // the slave itself blocks IRQ13
    pulse(pic, 3);
    expect(pic.intr).toBe(false); // IR2 in service still blocks IRQ3
    pulse(pic, 8);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x70);
    expect(pic.slave.isr).toBe(0x11);
  });

  it("masking IR2 on the master masks the whole slave; the slave's IMR masks its lines", () => {
    const { pic, bus } = pc();
    bus.outb(0x21, 0x04);
    pulse(pic, 11);
    expect(pic.intr).toBe(false);
    bus.outb(0x21, 0x00);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x73);
    bus.outb(0xa0, EOI);
    bus.outb(0x20, EOI);
    bus.outb(0xa1, 0x01);
    pulse(pic, 8);
    expect(pic.intr).toBe(false);
    expect(readIrr(bus, 0xa0)).toBe(0x01);
  });

  it("routes the ISA IRQ2 pin to IRQ9, as the AT does", () => {
    const { pic } = pc();
    pulse(pic, 2);
    expect(pic.slave.irr).toBe(0x02);
    expect(pic.acknowledge()).toBe(0x71);
  });

  it("with auto-EOI on the slave, a second slave request still reaches the CPU", () => {
    const { pic, bus } = pc(0x01, 0x03);
    pulse(pic, 9);
    pulse(pic, 11);
    expect(pic.acknowledge()).toBe(0x71);
    expect(pic.slave.isr).toBe(0);
    bus.outb(0x20, EOI);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x73);
  });
});

describe("spurious interrupts", () => {
  it("an acknowledge with nothing pending gives IRQ7's vector and sets no ISR bit", () => {
    const { pic } = pc();
    expect(pic.acknowledge()).toBe(0x0f);
    expect(pic.master.isr).toBe(0);
  });

  it("a level-triggered request that goes away before the acknowledge is spurious", () => {
    const { pic, bus } = setup();
    bus.outb(0x20, 0x19); bus.outb(0x21, 0x08); bus.outb(0x21, 0x04); bus.outb(0x21, 0x01);
    pic.setIrq(5, true);
    expect(pic.intr).toBe(true);
    pic.setIrq(5, false); // the CPU sampled INTR just before this
    expect(pic.intr).toBe(false);
    expect(pic.acknowledge()).toBe(0x0f);
    expect(pic.master.isr).toBe(0);
  });

  it("a slave request masked after the master latched it gives a spurious IRQ15", () => {
    const { pic, bus } = pc();
    pulse(pic, 8);
    bus.outb(0xa1, 0x01); // the slave drops INT; the master keeps IR2 latched
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x77);
    expect(pic.slave.isr).toBe(0);
    expect(pic.master.isr).toBe(0x04); // the handler must still EOI the master
    bus.outb(0x20, EOI);
    expect(pic.master.isr).toBe(0);
  });
});

describe("level-triggered inputs", () => {
  it("IRR follows the line, and a line still high interrupts again after EOI", () => {
    const { pic, bus } = setup();
    bus.outb(0x20, 0x19); bus.outb(0x21, 0x08); bus.outb(0x21, 0x04); bus.outb(0x21, 0x01);
    pic.setIrq(4, true);
    expect(pic.acknowledge()).toBe(0x0c);
    expect(pic.master.irr).toBe(0x10);
    expect(pic.intr).toBe(false);
    bus.outb(0x20, EOI);
    expect(pic.intr).toBe(true);
    pic.setIrq(4, false);
    expect(pic.master.irr).toBe(0);
    expect(pic.intr).toBe(false);
  });
});
