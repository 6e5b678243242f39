/**
 * keyboard.test.ts — the 8042 through ports 60h/64h: status bits, controller
 * command sequences, the output port's A20 and reset lines, keyboard
 * commands and their replies, the scancode queue with IRQ1 edges; and
 * port 92h with the combined A20 gate.
 */
import { describe, it, expect } from "vitest";
import { TestBus, type IrqSink } from "../../src/pc/device.js";
import { KeyboardController, KBC_DEFAULT_COMMAND_BYTE, type KeyboardControllerOptions } from "../../src/pc/devices/keyboard.js";
import { Port92, a20Gate } from "../../src/pc/devices/port92.js";

class FakeIrq implements IrqSink {
  readonly levels = new Map<number, boolean>();
  readonly log: [number, boolean][] = [];
  setIrq(irq: number, level: boolean): void { this.levels.set(irq, level); this.log.push([irq, level]); }
  level(irq: number): boolean { return this.levels.get(irq) ?? false; }
}

function setup(opts: Partial<KeyboardControllerOptions> = {}) {
  const irq = new FakeIrq();
  const events: string[] = [];
  const kbc = new KeyboardController({
    irqSink: irq,
    onA20: (on) => events.push(`a20:${on}`),
    onReset: () => events.push("reset"),
    onLeds: (l) => events.push(`leds:${l}`),
    ...opts,
  });
  const bus = new TestBus();
  kbc.attach(bus);
  const status = () => bus.inb(0x64);
  const cmd = (c: number) => bus.outb(0x64, c);
  const data = (d: number) => bus.outb(0x60, d);
  /** Everything in the output buffer, read the way a BIOS would. */
  const drain = () => { const got: number[] = []; while (status() & 1) got.push(bus.inb(0x60)); return got; };
  return { irq, events, kbc, bus, status, cmd, data, drain };
}

describe("8042 controller", () => {
  it("status after reset: system flag, last write a command, not inhibited", () => {
    const { status, kbc } = setup();
    expect(status()).toBe(0x1c);
    expect(kbc.commandByte).toBe(KBC_DEFAULT_COMMAND_BYTE);
  });

  it("20h reads the command byte through the output buffer, with IRQ1", () => {
    const { status, cmd, bus, irq } = setup();
    cmd(0x20);
    expect(status() & 0x09).toBe(0x09);
    expect(irq.level(1)).toBe(true);
    expect(bus.inb(0x60)).toBe(0x45);
    expect(status() & 1).toBe(0);
    expect(irq.level(1)).toBe(false);
    expect(bus.inb(0x60)).toBe(0x45);            // empty buffer reads its last byte
  });

  it("60h writes the command byte: interrupt and system flag follow it", () => {
    const { status, cmd, data, drain, irq, kbc } = setup();
    cmd(0x60);
    expect(status() & 0x08).toBe(0x08);
    data(0x40);
    expect(status() & 0x08).toBe(0);             // the last write was data
    expect(status() & 0x04).toBe(0);             // SYS follows command byte bit 2
    expect(kbc.commandByte).toBe(0x40);
    cmd(0x20);
    expect(irq.level(1)).toBe(false);            // INT disabled
    expect(status() & 1).toBe(1);
    cmd(0x60); data(0x41);                       // enabling INT with OBF set raises IRQ1
    expect(irq.level(1)).toBe(true);
    expect(drain()).toEqual([0x40]);
  });

  it("internal RAM bytes 01h–1Fh via 21h–3Fh / 61h–7Fh", () => {
    const { cmd, data, drain } = setup();
    cmd(0x65); data(0x9c);
    cmd(0x25);
    expect(drain()).toEqual([0x9c]);
    cmd(0x3f);
    expect(drain()).toEqual([0x00]);
  });

  it("AAh self-test → 55h and sets the system flag; ABh → 00h", () => {
    const { cmd, data, drain, status } = setup();
    cmd(0x60); data(0x01);
    expect(status() & 0x04).toBe(0);
    cmd(0xaa);
    expect(drain()).toEqual([0x55]);
    expect(status() & 0x04).toBe(0x04);
    cmd(0xab);
    expect(drain()).toEqual([0x00]);
    cmd(0xc0);
    expect(drain()).toEqual([0x80]);
    cmd(0xe0);
    expect(drain()).toEqual([0x00]);
  });

  it("ADh holds keyboard bytes back; AEh lets them through", () => {
    const { cmd, drain, kbc, irq } = setup();
    cmd(0xad);
    expect(kbc.commandByte & 0x10).toBe(0x10);
    kbc.pressKey(0x1e);
    expect(drain()).toEqual([]);
    expect(irq.level(1)).toBe(false);
    expect(kbc.pendingScancodes).toBe(2);
    cmd(0xae);
    expect(irq.level(1)).toBe(true);
    expect(drain()).toEqual([0x1e, 0x9e]);
    expect(kbc.pendingScancodes).toBe(0);
  });

  it("D0h/D1h: output port, A20 on bit 1, reset on bit 0 (active low)", () => {
    const { cmd, data, drain, events, kbc } = setup();
    cmd(0xd0);
    expect(drain()).toEqual([0xcf]);
    expect(kbc.a20).toBe(true);
    cmd(0xd1); data(0xdd);
    expect(events).toEqual(["a20:false"]);
    expect(kbc.a20).toBe(false);
    cmd(0xd1); data(0xdd);                       // unchanged: no callback
    expect(events).toEqual(["a20:false"]);
    cmd(0xd1); data(0xdf);
    expect(events).toEqual(["a20:false", "a20:true"]);
    cmd(0xd0);
    expect(drain()).toEqual([0xcf]);             // bit 4 is the live OBF, not what was written
    cmd(0xd1); data(0xde);                       // reset line pulled low
    expect(events).toEqual(["a20:false", "a20:true", "reset"]);
  });

  it("the output port byte is data for the controller, not the keyboard", () => {
    const { cmd, data, drain } = setup();
    cmd(0xd1); data(0xff);                       // would be a keyboard reset if misrouted
    expect(drain()).toEqual([]);
  });

  it("DDh/DFh switch A20 off and on", () => {
    const { cmd, events, kbc } = setup();
    cmd(0xdd);
    expect(kbc.a20).toBe(false);
    cmd(0xdf);
    cmd(0xdf);
    expect(events).toEqual(["a20:false", "a20:true"]);
  });

  it("FEh pulses reset; Fxh pulses only when bit 0 is clear", () => {
    const { cmd, events } = setup();
    cmd(0xff);
    cmd(0xf1);
    expect(events).toEqual([]);
    cmd(0xfe);
    expect(events).toEqual(["reset"]);
    cmd(0xf0);
    expect(events).toEqual(["reset", "reset"]);
  });

  it("a20AtReset: false starts with the gate closed", () => {
    const { cmd, drain, kbc } = setup({ a20AtReset: false });
    expect(kbc.a20).toBe(false);
    cmd(0xd0);
    expect(drain()).toEqual([0xcd]);
  });

  it("D2h puts a byte in the output buffer as if from the keyboard", () => {
    const { cmd, data, drain, irq } = setup();
    cmd(0xd2); data(0x3b);
    expect(irq.level(1)).toBe(true);
    expect(drain()).toEqual([0x3b]);
  });

  it("D4h's byte goes nowhere (no aux device)", () => {
    const { cmd, data, drain } = setup();
    cmd(0xd4); data(0xff);
    cmd(0xa8); cmd(0xa9);
    expect(drain()).toEqual([]);
  });

  it("a new command cancels one waiting for its data byte", () => {
    const { cmd, data, drain, kbc } = setup();
    cmd(0x60);
    cmd(0xaa);
    expect(drain()).toEqual([0x55]);
    data(0xee);                                  // now a keyboard command (echo)
    expect(drain()).toEqual([0xee]);
    expect(kbc.commandByte).toBe(0x45);
  });

  it("a controller reply overtakes a scancode waiting in the buffer", () => {
    const { cmd, drain, kbc } = setup();
    kbc.pressKey(0x10);
    cmd(0x20);
    expect(drain()).toEqual([0x45, 0x10, 0x90]);
  });

  it("word reads see 61h as open bus", () => {
    const { bus } = setup();
    expect(bus.handlers.get(0x64)!.read!(0x64, 2)).toBe(0xff1c);
  });
});

describe("keyboard commands", () => {
  it("FFh reset → FAh AAh", () => {
    const { data, drain } = setup();
    data(0xff);
    expect(drain()).toEqual([0xfa, 0xaa]);
  });

  it("F2h identify: AB 41 translated, AB 83 raw", () => {
    const { cmd, data, drain } = setup();
    data(0xf2);
    expect(drain()).toEqual([0xfa, 0xab, 0x41]);
    cmd(0x60); data(0x05);                       // translation off
    data(0xf2);
    expect(drain()).toEqual([0xfa, 0xab, 0x83]);
  });

  it("EDh sets the LEDs with a data byte, both ACKed", () => {
    const { data, drain, events, kbc } = setup();
    data(0xed);
    expect(drain()).toEqual([0xfa]);
    data(0x05);
    expect(drain()).toEqual([0xfa]);
    expect(events).toEqual(["leds:5"]);
    expect(kbc.leds).toBe(5);
  });

  it("F3h typematic with a data byte; a byte with bit 7 set is a new command", () => {
    const { data, drain, kbc } = setup();
    data(0xf3); data(0x20);
    expect(drain()).toEqual([0xfa, 0xfa]);
    expect(kbc.typematic).toBe(0x20);
    data(0xf3); data(0xee);
    expect(drain()).toEqual([0xfa, 0xee]);
    expect(kbc.typematic).toBe(0x20);
  });

  it("F0h: set is ACKed, 00h queries (set 2, translated 41h)", () => {
    const { data, drain } = setup();
    data(0xf0); data(0x01);
    expect(drain()).toEqual([0xfa, 0xfa]);
    data(0xf0); data(0x00);
    expect(drain()).toEqual([0xfa, 0xfa, 0x41]);
  });

  it("F5h stops scanning (keys are lost); F4h resumes", () => {
    const { data, drain, kbc } = setup();
    kbc.pressKey(0x02);
    data(0xf5);
    // The byte already in the controller stays; the keyboard's own buffer is cleared.
    expect(drain()).toEqual([0x02, 0xfa]);
    kbc.pressKey(0x03);
    expect(drain()).toEqual([]);
    data(0xf4);
    expect(drain()).toEqual([0xfa]);
    kbc.pressKey(0x04);
    expect(drain()).toEqual([0x04, 0x84]);
  });

  it("EEh echo, FEh resend, unknown bytes get FEh", () => {
    const { data, drain, kbc } = setup();
    data(0xee);
    expect(drain()).toEqual([0xee]);
    kbc.keyDown(0x1c);
    expect(drain()).toEqual([0x1c]);
    data(0xfe);
    expect(drain()).toEqual([0x1c]);
    data(0x42);
    expect(drain()).toEqual([0xfe]);
    data(0xf6);
    expect(drain()).toEqual([0xfa]);
  });

  it("writing to the keyboard re-enables the interface", () => {
    const { cmd, data, drain, kbc } = setup();
    cmd(0xad);
    data(0xf4);
    expect(kbc.commandByte & 0x10).toBe(0);
    expect(drain()).toEqual([0xfa]);
  });
});

describe("scancodes and IRQ1", () => {
  it("make and break codes, one byte per read, each with a new IRQ1 edge", () => {
    const { bus, kbc, irq, status } = setup();
    kbc.pressKey(0x1e);
    expect(status() & 1).toBe(1);
    expect(irq.log).toEqual([[1, true]]);
    expect(bus.inb(0x60)).toBe(0x1e);
    expect(irq.log).toEqual([[1, true], [1, false], [1, true]]);
    expect(bus.inb(0x60)).toBe(0x9e);
    expect(irq.log).toEqual([[1, true], [1, false], [1, true], [1, false]]);
    expect(status() & 1).toBe(0);
  });

  it("E0-prefixed keys and raw sequences", () => {
    const { kbc, drain } = setup();
    kbc.keyDown(0xe048);
    kbc.keyUp(0xe048);
    kbc.sendScancodes([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
    expect(drain()).toEqual([0xe0, 0x48, 0xe0, 0xc8, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
  });

  it("the queue counts what is not yet in the output buffer", () => {
    const { kbc, bus } = setup();
    kbc.pressKey(0x1e); kbc.pressKey(0x30);
    expect(kbc.pendingScancodes).toBe(3);
    bus.inb(0x60);
    expect(kbc.pendingScancodes).toBe(2);
  });

  it("no IRQ1 when the command byte disables it, but OBF still set", () => {
    const { cmd, data, kbc, irq, drain } = setup();
    cmd(0x60); data(0x44);
    kbc.pressKey(0x01);
    expect(irq.level(1)).toBe(false);
    expect(drain()).toEqual([0x01, 0x81]);
    expect(irq.log).toEqual([]);
  });

  it("rejects codes that are not set-1 make codes", () => {
    const { kbc } = setup();
    expect(() => kbc.keyDown(0x9e)).toThrow(RangeError);
    expect(() => kbc.keyDown(0xe148)).toThrow(RangeError);
    expect(() => kbc.keyDown(-1)).toThrow(RangeError);
    expect(() => kbc.keyDown(1.5)).toThrow(RangeError);
  });

  it("reset empties the buffer but keeps queued keys, which then arrive", () => {
    const { kbc, irq, drain, cmd, data } = setup();
    cmd(0x60); data(0x05);
    kbc.pressKey(0x10);
    expect(irq.level(1)).toBe(true);
    irq.log.length = 0;
    kbc.reset();
    expect(irq.log).toEqual([[1, false], [1, true]]);
    expect(kbc.commandByte).toBe(0x45);
    expect(drain()).toEqual([0x90]);
    kbc.reset();
    expect(irq.level(1)).toBe(false);
  });
});

describe("port 92h", () => {
  function p92() {
    const events: string[] = [];
    const p = new Port92({ onA20: (on) => events.push(`a20:${on}`), onReset: () => events.push("reset") });
    const bus = new TestBus();
    p.attach(bus);
    return { p, bus, events };
  }

  it("bit 1 is the fast A20 gate, read back as written", () => {
    const { p, bus, events } = p92();
    expect(bus.inb(0x92)).toBe(0x00);
    bus.outb(0x92, 0x02);
    expect(bus.inb(0x92)).toBe(0x02);
    expect(p.a20).toBe(true);
    bus.outb(0x92, 0x02);
    bus.outb(0x92, 0x00);
    expect(events).toEqual(["a20:true", "a20:false"]);
  });

  it("bit 0 resets on its rising edge only; reset() clears it and keeps A20", () => {
    const { p, bus, events } = p92();
    bus.outb(0x92, 0x03);
    bus.outb(0x92, 0x03);
    expect(events).toEqual(["a20:true", "reset"]);
    p.reset();
    expect(bus.inb(0x92)).toBe(0x02);
    bus.outb(0x92, 0x03);
    expect(events).toEqual(["a20:true", "reset", "reset"]);
  });

  it("a20Gate ORs the 8042 and port 92h and reports only changes", () => {
    const seen: boolean[] = [];
    const gate = a20Gate((on) => seen.push(on), { kbc: false, port92: false });
    const irq = new FakeIrq();
    const kbc = new KeyboardController({ irqSink: irq, onA20: gate.kbc, a20AtReset: false });
    const p = new Port92({ onA20: gate.port92 });
    const bus = new TestBus();
    kbc.attach(bus); p.attach(bus);
    bus.outb(0x64, 0xdf);
    expect(seen).toEqual([true]);
    bus.outb(0x92, 0x02);                        // already on
    expect(seen).toEqual([true]);
    bus.outb(0x64, 0xdd);                        // port 92h still holds it on
    expect(seen).toEqual([true]);
    expect(gate.enabled).toBe(true);
    bus.outb(0x92, 0x00);
    expect(seen).toEqual([true, false]);
    expect(gate.enabled).toBe(false);
  });
});
