/**
 * debug.test.ts — the debug console (E9h), the POST code port (80h) and
 * QEMU's isa-debug-exit (501h–502h): what reaches the host callbacks, what
 * reads return, and the exit status formula (v << 1) | 1.
 */
import { describe, it, expect } from "vitest";
import { TestBus } from "../../src/pc/device.js";
import { DebugConsole, DebugExit, PostCodePort } from "../../src/pc/devices/debug.js";

describe("debug console (E9h)", () => {
  it("outputs each byte written and reads back E9h", () => {
    const got: number[] = [];
    const con = new DebugConsole((b) => got.push(b));
    const bus = new TestBus();
    con.attach(bus);
    for (const c of "Hi\n") bus.outb(0xe9, c.charCodeAt(0));
    expect(String.fromCharCode(...got)).toBe("Hi\n");
    expect(bus.inb(0xe9)).toBe(0xe9);
    expect(bus.handlers.get(0xe9)!.read!(0xe9, 2)).toBe(0xffe9);
  });

  it("a word write outputs the low byte then the high byte", () => {
    const got: number[] = [];
    const con = new DebugConsole();
    con.onOutput = (b) => got.push(b);
    const bus = new TestBus();
    con.attach(bus);
    bus.handlers.get(0xe9)!.write!(0xe9, 2, 0x4241);
    expect(got).toEqual([0x41, 0x42]);
    con.reset();
    bus.outb(0xe9, 0x43);
    expect(got).toEqual([0x41, 0x42, 0x43]);
  });

  it("can sit at another port", () => {
    const bus = new TestBus();
    new DebugConsole(undefined, 0x402).attach(bus);
    expect([...bus.handlers.keys()]).toEqual([0x402]);
  });
});

describe("POST code port (80h)", () => {
  it("remembers the last code and reports each one; reads return FFh", () => {
    const codes: number[] = [];
    const post = new PostCodePort((c) => codes.push(c));
    const bus = new TestBus();
    post.attach(bus);
    expect(post.lastCode).toBeUndefined();
    bus.outb(0x80, 0x12);
    bus.outb(0x80, 0x34);
    expect(codes).toEqual([0x12, 0x34]);
    expect(post.lastCode).toBe(0x34);
    expect(bus.inb(0x80)).toBe(0xff);
    post.reset();
    expect(post.lastCode).toBe(0x34);
    bus.handlers.get(0x80)!.write!(0x80, 2, 0xbeef);
    expect(post.lastCode).toBe(0xef);
  });
});

describe("isa-debug-exit (501h)", () => {
  function setup() {
    const statuses: number[] = [];
    const dev = new DebugExit((s) => statuses.push(s));
    const bus = new TestBus();
    dev.attach(bus);
    return { statuses, dev, bus };
  }

  it.each([[0x00, 1], [0x01, 3], [0x10, 0x21], [0x7f, 0xff], [0xff, 0x1ff]])("byte %i exits with %i", (v, status) => {
    const { statuses, dev, bus } = setup();
    bus.outb(0x501, v);
    expect(statuses).toEqual([status]);
    expect(dev.exitStatus).toBe(status);
  });

  it("a word write passes the whole 16-bit value", () => {
    const { statuses, bus } = setup();
    bus.handlers.get(0x501)!.write!(0x501, 2, 0x1234);
    expect(statuses).toEqual([0x2469]);
  });

  it("owns 502h too (iosize 2), and reads return FFh", () => {
    const { statuses, bus } = setup();
    expect([...bus.handlers.keys()]).toEqual([0x501, 0x502]);
    bus.outb(0x502, 0x02);
    expect(statuses).toEqual([5]);
    expect(bus.inb(0x501)).toBe(0xff);
    expect(bus.inb(0x500)).toBe(0xff);   // not ours
  });

  it("does nothing until written", () => {
    const { statuses, dev } = setup();
    dev.reset();
    expect(statuses).toEqual([]);
    expect(dev.exitStatus).toBeUndefined();
  });
});
