/**
 * memory.test.ts — the software TLB's mechanisms, driven from guest code:
 * ROM pages, MMIO, pages holding translated code, dirty logging,
 * copy-on-write sharing, the A20 gate, page-crossing and segment-wrapping
 * word accesses, and open bus past the end of memory.
 *
 * Guest code is assembled by hand; every line carries its mnemonic and the
 * offset it sits at inside the code segment.
 */
import { describe, it, expect } from "vitest";
import { Machine, type CpuModel, type MmioHandler } from "../src/index.js";

/** Code runs at 0100:0000 (linear 0x1000), the stack at 0000:8000. */
const CODE_SEG = 0x0100;
const CODE = CODE_SEG << 4;

function boot(cpu: CpuModel, code: number[], memory?: number): Machine {
  const m = new Machine({ cpu, memory });
  m.load(CODE, code);
  m.setRegisters({ cs: CODE_SEG, ip: 0, ss: 0, sp: 0x8000, ds: 0, es: 0 });
  return m;
}

/** Load more code at 0100:0000 and restart there. */
function reload(m: Machine, code: number[]): void {
  m.load(CODE, code);
  m.setRegisters({ cs: CODE_SEG, ip: 0 });
}

function word(m: Machine, addr: number): number {
  const b = m.read(addr, 2);
  return b[0] | (b[1] << 8);
}

function setVector(m: Machine, vector: number, seg: number, off: number): void {
  m.write(vector * 4, [off & 0xff, off >> 8, seg & 0xff, seg >> 8]);
}

const lo = (w: number) => w & 0xff;
const hi = (w: number) => (w >> 8) & 0xff;

// ------------------------------------------------------------------------ ROM

describe("ROM pages", () => {
  const ROM = 0xf0000;

  function romMachine(): Machine {
    const m = boot("8086", [
      0xb8, 0x00, 0xf0, // 0000  MOV AX, 0xF000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xb8, 0x55, 0x66, // 0005  MOV AX, 0x6655
      0xa2, 0x10, 0x00, // 0008  MOV [0x0010], AL
      0xa3, 0x20, 0x00, // 000B  MOV [0x0020], AX
      0xc6, 0x06, 0xff, 0x0f, 0x77, // 000E  MOV BYTE [0x0FFF], 0x77  (last byte of the first ROM page)
      0x8a, 0x1e, 0x10, 0x00, // 0013  MOV BL, [0x0010]
      0x8b, 0x0e, 0x20, 0x00, // 0017  MOV CX, [0x0020]
      0xf4, //             001B  HLT
    ]);
    m.write(ROM, Array.from({ length: 0x1000 }, (_, i) => (i * 3 + 1) & 0xff));
    m.setRom(ROM, 0x10000);
    return m;
  }

  it("guest writes are dropped and counted, guest reads still work", () => {
    const m = romMachine();
    expect(m.run().reason).toBe("halt");
    expect(m.readByte(ROM + 0x10)).toBe((0x10 * 3 + 1) & 0xff);
    expect(word(m, ROM + 0x20)).toBe(((0x21 * 3 + 1) & 0xff) << 8 | ((0x20 * 3 + 1) & 0xff));
    expect(m.readByte(ROM + 0xfff)).toBe((0xfff * 3 + 1) & 0xff);
    expect(m.registers.bx & 0xff).toBe(m.readByte(ROM + 0x10));
    expect(m.registers.cx).toBe(word(m, ROM + 0x20));
    expect(m.stats.romWrites).toBe(3);
  });

  it("host writes still land in ROM, and the guest reads them", () => {
    const m = romMachine();
    m.writeByte(ROM + 0x10, 0x99);
    m.write(ROM + 0x20, [0x01, 0x02]);
    m.run();
    expect(m.readByte(ROM + 0x10)).toBe(0x99);
    expect(m.registers.bx & 0xff).toBe(0x99);
    expect(m.registers.cx).toBe(0x0201);
  });

  it("setRom(..., false) makes the page writable again", () => {
    const m = romMachine();
    m.setRom(ROM, 0x1000, false);
    m.run();
    expect(m.readByte(ROM + 0x10)).toBe(0x55);
    expect(word(m, ROM + 0x20)).toBe(0x6655);
    expect(m.readByte(ROM + 0xfff)).toBe(0x77);
    expect(m.stats.romWrites).toBe(0);
  });

  it("a word write straddling RAM and a ROM page keeps only the RAM byte", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x30, // 0000  MOV AX, 0x3000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xb8, 0x34, 0x12, // 0005  MOV AX, 0x1234
      0xa3, 0xff, 0x0f, // 0008  MOV [0x0FFF], AX   (0x30FFF RAM, 0x31000 ROM)
      0xf4, //             000B  HLT
    ]);
    m.writeByte(0x31000, 0xee);
    m.setRom(0x31000, 0x1000);
    m.run();
    expect(m.readByte(0x30fff)).toBe(0x34);
    expect(m.readByte(0x31000)).toBe(0xee);
    expect(m.stats.romWrites).toBe(1);
  });
});

// ----------------------------------------------------------------------- MMIO

describe("MMIO", () => {
  function recorder(readValue: (addr: number, size: number) => number) {
    const log: string[] = [];
    const handler: MmioHandler = {
      read: (addr, size) => { log.push(`r ${addr.toString(16)}/${size}`); return readValue(addr, size); },
      write: (addr, size, value) => { log.push(`w ${addr.toString(16)}/${size}=${value.toString(16)}`); },
    };
    return { log, handler };
  }

  it("guest byte and word reads and writes reach the handler with physical address and size", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0xb8, // 0000  MOV AX, 0xB800
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa0, 0x10, 0x00, // 0005  MOV AL, [0x0010]
      0x88, 0xc3, //       0008  MOV BL, AL
      0xa1, 0x20, 0x00, // 000A  MOV AX, [0x0020]
      0x89, 0xc1, //       000D  MOV CX, AX
      0xb8, 0xcd, 0xab, // 000F  MOV AX, 0xABCD
      0xa2, 0x30, 0x00, // 0012  MOV [0x0030], AL
      0xa3, 0x40, 0x00, // 0015  MOV [0x0040], AX
      0xf4, //             0018  HLT
    ]);
    const { log, handler } = recorder((addr, size) => (size === 1 ? 0xc3 : 0xbeef));
    m.registerMmio(0xb8000, 0x100, handler);
    expect(m.run().reason).toBe("halt");
    expect(log).toEqual(["r b8010/1", "r b8020/2", "w b8030/1=cd", "w b8040/2=abcd"]);
    expect(m.registers.bx & 0xff).toBe(0xc3);
    expect(m.registers.cx).toBe(0xbeef);
    // The writes went to the handler, not to the RAM behind it.
    expect(m.readByte(0xb8030)).toBe(0);
    expect(word(m, 0xb8040)).toBe(0);
    expect(m.stats.mmio).toBeGreaterThanOrEqual(4);
  });

  it("an address on an intercepted page but outside the handler's range falls back to RAM", () => {
    const m = boot("286", [
      0xb8, 0x00, 0xb8, // 0000  MOV AX, 0xB800
      0x8e, 0xd8, //       0003  MOV DS, AX
      0x8a, 0x1e, 0x00, 0x02, // 0005  MOV BL, [0x0200]
      0x8b, 0x0e, 0x10, 0x02, // 0009  MOV CX, [0x0210]
      0xb8, 0x22, 0x11, // 000D  MOV AX, 0x1122
      0xa3, 0x00, 0x03, // 0010  MOV [0x0300], AX
      0xc6, 0x06, 0x10, 0x03, 0x33, // 0013  MOV BYTE [0x0310], 0x33
      0xa0, 0x00, 0x03, // 0018  MOV AL, [0x0300]
      0xf4, //             001B  HLT
    ]);
    m.writeByte(0xb8200, 0x77);
    m.write(0xb8210, [0x88, 0x99]);
    const { log, handler } = recorder(() => 0);
    m.registerMmio(0xb8000, 0x100, handler);
    m.run();
    expect(log).toEqual([]);
    expect(m.registers.bx & 0xff).toBe(0x77);
    expect(m.registers.cx).toBe(0x9988);
    expect(word(m, 0xb8300)).toBe(0x1122);
    expect(m.readByte(0xb8310)).toBe(0x33);
    expect(m.registers.ax & 0xff).toBe(0x22);
  });

  it("a word read straddling a RAM page and an MMIO page takes each byte from its own side", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0xbf, // 0000  MOV AX, 0xBF00
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa1, 0xff, 0x0f, // 0005  MOV AX, [0x0FFF]   (0xBFFFF RAM, 0xC0000 MMIO)
      0xf4, //             0008  HLT
    ]);
    m.writeByte(0xbffff, 0x11);
    const { log, handler } = recorder(() => 0x5a);
    m.registerMmio(0xc0000, 0x10, handler);
    m.run();
    expect(m.registers.ax).toBe(0x5a11);
    expect(log).toEqual(["r c0000/1"]);
  });

  it("a page with two handlers dispatches each access to the handler owning its address", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0xd0, // 0000  MOV AX, 0xD000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa0, 0x04, 0x00, // 0005  MOV AL, [0x0004]
      0x88, 0xc3, //       0008  MOV BL, AL
      0xa0, 0x84, 0x00, // 000A  MOV AL, [0x0084]
      0xf4, //             000D  HLT
    ]);
    const a = recorder(() => 0xaa);
    const b = recorder(() => 0xbb);
    m.registerMmio(0xd0000, 0x80, a.handler);
    m.registerMmio(0xd0080, 0x80, b.handler);
    m.run();
    expect(a.log).toEqual(["r d0004/1"]);
    expect(b.log).toEqual(["r d0084/1"]);
    expect(m.registers.bx & 0xff).toBe(0xaa);
    expect(m.registers.ax & 0xff).toBe(0xbb);
  });

  it("registerMmio rejects a range outside guest memory", () => {
    const m = new Machine({ memory: 0x10000 });
    const { handler } = recorder(() => 0);
    expect(() => m.registerMmio(0xff00, 0x200, handler)).toThrow(RangeError);
  });
});

// ----------------------------------------------------------------- code pages

describe("code pages", () => {
  it("a guest write to a code page calls onCodeWrite with the physical address and size", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x05, // 0000  MOV AX, 0x0500
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xb8, 0x34, 0x12, // 0005  MOV AX, 0x1234
      0xa2, 0x23, 0x01, // 0008  MOV [0x0123], AL
      0xa3, 0x56, 0x04, // 000B  MOV [0x0456], AX
      0xa3, 0x00, 0x10, // 000E  MOV [0x1000], AX   (next page: not a code page)
      0xa0, 0x23, 0x01, // 0011  MOV AL, [0x0123]  (reads are not reported)
      0xf4, //             0014  HLT
    ]);
    const writes: [number, number][] = [];
    m.onCodeWrite = (addr, size) => writes.push([addr, size]);
    m.setCodePages(0x5000, 0x1000);
    m.run();
    expect(writes).toEqual([[0x5123, 1], [0x5456, 2]]);
    expect(m.stats.codeWrites).toBe(2);
    // The writes themselves still happen.
    expect(m.readByte(0x5123)).toBe(0x34);
    expect(word(m, 0x5456)).toBe(0x1234);
    expect(word(m, 0x6000)).toBe(0x1234);
  });

  it("setCodePages(..., false) stops the notifications", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x05, // 0000  MOV AX, 0x0500
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa2, 0x23, 0x01, // 0005  MOV [0x0123], AL
      0xf4, //             0008  HLT
    ]);
    const writes: [number, number][] = [];
    m.onCodeWrite = (addr, size) => writes.push([addr, size]);
    m.setCodePages(0x5000, 0x1000);
    m.setCodePages(0x5000, 0x1000, false);
    m.run();
    expect(writes).toEqual([]);
    expect(m.stats.codeWrites).toBe(0);
  });

  it("reports the physical address when the write comes through the 1 MiB wrap", () => {
    const m = boot("8086", [
      0xb8, 0xff, 0xff, // 0000  MOV AX, 0xFFFF
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa2, 0x20, 0x00, // 0005  MOV [0x0020], AL   (FFFF:0020 = linear 0x100010 → physical 0x10)
      0xf4, //             0008  HLT
    ]);
    const writes: [number, number][] = [];
    m.onCodeWrite = (addr, size) => writes.push([addr, size]);
    m.setCodePages(0, 0x1000);
    m.run();
    expect(writes).toEqual([[0x10, 1]]);
    expect(m.readByte(0x10)).toBe(0xff);
  });
});

// --------------------------------------------------------------- dirty logging

describe("dirty logging", () => {
  const WRITE_TWO_PAGES = [
    0xb8, 0x00, 0x20, //   0000  MOV AX, 0x2000
    0x8e, 0xd8, //         0003  MOV DS, AX
    0xa2, 0x00, 0x00, //   0005  MOV [0x0000], AL    (page 0x20)
    0xa3, 0x04, 0x50, //   0008  MOV [0x5004], AX    (page 0x25)
    0xa2, 0x10, 0x00, //   000B  MOV [0x0010], AL    (page 0x20 again)
    0xf4, //               000E  HLT
  ];

  it("takeDirtyPages returns exactly the pages the guest wrote, then [] until written again", () => {
    const m = boot("8086", WRITE_TWO_PAGES);
    m.startDirtyLog();
    expect(m.takeDirtyPages()).toEqual([]);
    m.run();
    expect(m.takeDirtyPages()).toEqual([0x20, 0x25]);
    expect(m.takeDirtyPages()).toEqual([]);
    // Write page 0x25 only.
    reload(m, [
      0xa3, 0x00, 0x50, // 0000  MOV [0x5000], AX   (DS is still 0x2000)
      0xf4, //             0003  HLT
    ]);
    m.run();
    // Page 1 holds the code that reload() wrote: host writes are logged
    // too (a migrating copy must see them), then the guest wrote 0x25.
    expect(m.takeDirtyPages()).toEqual([0x01, 0x25]);
    expect(m.takeDirtyPages()).toEqual([]);
  });

  it("reads and code fetches do not dirty a page", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x20, // 0000  MOV AX, 0x2000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa1, 0x00, 0x00, // 0005  MOV AX, [0x0000]
      0xa0, 0x00, 0x30, // 0008  MOV AL, [0x3000]
      0xf4, //             000B  HLT
    ]);
    m.startDirtyLog();
    m.run();
    expect(m.takeDirtyPages()).toEqual([]);
  });

  it("a word write across a page boundary dirties both pages", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x20, // 0000  MOV AX, 0x2000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa3, 0xff, 0x0f, // 0005  MOV [0x0FFF], AX
      0xf4, //             0008  HLT
    ]);
    m.startDirtyLog();
    m.run();
    expect(m.takeDirtyPages()).toEqual([0x20, 0x21]);
  });

  it("stack pushes count as writes", () => {
    const m = boot("8086", [
      0x50, //             0000  PUSH AX     (SS:SP = 0000:8000 → page 7)
      0xf4, //             0001  HLT
    ]);
    m.startDirtyLog();
    m.run();
    expect(m.takeDirtyPages()).toEqual([7]);
  });

  it("stopDirtyLog stops logging", () => {
    const m = boot("8086", WRITE_TWO_PAGES);
    m.startDirtyLog();
    m.stopDirtyLog();
    m.run();
    expect(m.takeDirtyPages()).toEqual([]);
    expect(m.readByte(0x20000)).toBe(0x00);
    expect(word(m, 0x25004)).toBe(0x2000);
  });
});

// --------------------------------------------------------------- copy-on-write

describe("copy-on-write", () => {
  const content = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff);

  it("shared pages read the shared frame until a guest write gives one a private copy", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x30, // 0000  MOV AX, 0x3000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa0, 0x05, 0x00, // 0005  MOV AL, [0x0005]       (page 0x30)
      0x8a, 0x1e, 0x05, 0x10, // 0008  MOV BL, [0x1005] (page 0x31)
      0xc6, 0x06, 0x05, 0x00, 0xee, // 000C  MOV BYTE [0x0005], 0xEE
      0x8a, 0x0e, 0x05, 0x10, // 0011  MOV CL, [0x1005]
      0x8a, 0x16, 0x05, 0x00, // 0015  MOV DL, [0x0005]
      0xf4, //             0019  HLT
    ]);
    m.sharePages([0x30, 0x31], content);
    expect(m.isShared(0x30)).toBe(true);
    expect(m.isShared(0x31)).toBe(true);
    expect(m.isShared(0x32)).toBe(false);
    expect(Buffer.from(m.read(0x30000, 4096)).equals(content)).toBe(true);
    expect(Buffer.from(m.read(0x31000, 4096)).equals(content)).toBe(true);

    m.run();
    const r = m.registers;
    expect(r.ax & 0xff).toBe(content[5]);
    expect(r.bx & 0xff).toBe(content[5]);
    expect(r.cx & 0xff).toBe(content[5]);
    expect(r.dx & 0xff).toBe(0xee);
    expect(m.stats.cowBreaks).toBe(1);
    expect(m.isShared(0x30)).toBe(false);
    expect(m.isShared(0x31)).toBe(true);
    // The private copy kept the rest of the shared content.
    const own = m.read(0x30000, 4096);
    const expected = Uint8Array.from(content);
    expected[5] = 0xee;
    expect(Buffer.from(own).equals(expected)).toBe(true);
    // The other page still reads the unmodified shared frame.
    expect(Buffer.from(m.read(0x31000, 4096)).equals(content)).toBe(true);
  });

  it("each page breaks sharing on its own first write only", () => {
    const m = boot("286", [
      0xb8, 0x00, 0x30, // 0000  MOV AX, 0x3000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xc6, 0x06, 0x00, 0x00, 0x01, // 0005  MOV BYTE [0x0000], 1   (page 0x30)
      0xc6, 0x06, 0x01, 0x00, 0x02, // 000A  MOV BYTE [0x0001], 2   (page 0x30 again)
      0xc6, 0x06, 0xff, 0x1f, 0x03, // 000F  MOV BYTE [0x1FFF], 3   (page 0x31)
      0xf4, //             0014  HLT
    ]);
    m.sharePages([0x30, 0x31], content);
    m.run();
    expect(m.stats.cowBreaks).toBe(2);
    expect(m.isShared(0x30)).toBe(false);
    expect(m.isShared(0x31)).toBe(false);
    expect(Array.from(m.read(0x30000, 3))).toEqual([1, 2, content[2]]);
    expect(Array.from(m.read(0x31ffe, 2))).toEqual([content[0xffe], 3]);
  });

  it("a host write breaks sharing for that page only", () => {
    const m = new Machine();
    m.sharePages([0x40, 0x41], content);
    m.writeByte(0x40010, 0x99);
    expect(m.isShared(0x40)).toBe(false);
    expect(m.isShared(0x41)).toBe(true);
    expect(m.readByte(0x40010)).toBe(0x99);
    expect(m.readByte(0x40011)).toBe(content[0x11]);
    expect(m.readByte(0x41010)).toBe(content[0x10]);
  });

  it("sharePages rejects a frame that is not 4096 bytes", () => {
    const m = new Machine();
    expect(() => m.sharePages([0x40], new Uint8Array(100))).toThrow(RangeError);
  });
});

// ------------------------------------------------------------------------ A20

describe("A20", () => {
  /** Write `value` at FFFF:0010 (linear 0x100000) and read it and FFFF:0030 back. */
  const hmaProgram = (value: number) => [
    0xb8, 0xff, 0xff, // 0000  MOV AX, 0xFFFF
    0x8e, 0xd8, //       0003  MOV DS, AX
    0xc6, 0x06, 0x10, 0x00, value, // 0005  MOV BYTE [0x0010], value
    0xa0, 0x10, 0x00, // 000A  MOV AL, [0x0010]
    0x8a, 0x1e, 0x30, 0x00, // 000D  MOV BL, [0x0030]
    0xf4, //             0011  HLT
  ];

  it("on the 286 with A20 on (the default), FFFF:0010 reaches physical 0x100000", () => {
    const m = boot("286", hmaProgram(0x5a));
    expect(m.a20).toBe(true);
    m.writeByte(0x100020, 0x11);
    m.writeByte(0x000020, 0x22);
    m.run();
    expect(m.readByte(0x100000)).toBe(0x5a);
    expect(m.readByte(0x000000)).toBe(0);
    expect(m.registers.ax & 0xff).toBe(0x5a);
    expect(m.registers.bx & 0xff).toBe(0x11);
  });

  it("on the 286 with A20 off, FFFF:0010 wraps to physical 0", () => {
    const m = boot("286", hmaProgram(0xa5));
    m.writeByte(0x100020, 0x11);
    m.writeByte(0x000020, 0x22);
    m.a20 = false;
    expect(m.a20).toBe(false);
    m.run();
    expect(m.readByte(0x000000)).toBe(0xa5);
    expect(m.readByte(0x100000)).toBe(0);
    expect(m.registers.ax & 0xff).toBe(0xa5);
    expect(m.registers.bx & 0xff).toBe(0x22);
  });

  it("switching A20 between runs changes where the same address goes", () => {
    const m = boot("286", hmaProgram(0x01));
    m.run();
    m.a20 = false;
    reload(m, hmaProgram(0x02));
    m.run();
    m.a20 = true;
    reload(m, hmaProgram(0x03));
    m.run();
    expect(m.readByte(0x000000)).toBe(0x02);
    expect(m.readByte(0x100000)).toBe(0x03);
  });

  it("the 8086 always wraps at 1 MiB and has no A20 line to enable", () => {
    const m = boot("8086", hmaProgram(0x5a)); // default memory includes 0x100000–0x10FFFF
    expect(m.a20).toBe(false);
    expect(() => { m.a20 = true; }).toThrow(RangeError);
    expect(m.a20).toBe(false);
    m.a20 = false; // allowed: it is already off
    m.writeByte(0x100020, 0x11);
    m.writeByte(0x000020, 0x22);
    m.run();
    expect(m.readByte(0x000000)).toBe(0x5a);
    expect(m.readByte(0x100000)).toBe(0);
    expect(m.registers.bx & 0xff).toBe(0x22);
  });

  it("the 286 with A20 on and only 1 MiB of memory reads open bus above 1 MiB", () => {
    const m = boot("286", hmaProgram(0x5a), 1 << 20);
    m.run();
    expect(m.registers.ax & 0xff).toBe(0xff);
    expect(m.registers.bx & 0xff).toBe(0xff);
    expect(m.readByte(0)).toBe(0);
  });
});

// --------------------------------------------------- word accesses at the edges

describe("word accesses", () => {
  it("a word read and write crossing a 4 KiB page boundary use both pages", () => {
    const m = boot("286", [
      0xb8, 0x00, 0x03, // 0000  MOV AX, 0x0300
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa1, 0xff, 0x0f, // 0005  MOV AX, [0x0FFF]   (0x3FFF and 0x4000)
      0xbb, 0xef, 0xbe, // 0008  MOV BX, 0xBEEF
      0x89, 0x1e, 0xff, 0x1f, // 000B  MOV [0x1FFF], BX  (0x4FFF and 0x5000)
      0xf4, //             000F  HLT
    ]);
    m.writeByte(0x3fff, 0x34);
    m.writeByte(0x4000, 0x12);
    m.run();
    expect(m.registers.ax).toBe(0x1234);
    expect(m.readByte(0x4fff)).toBe(0xef);
    expect(m.readByte(0x5000)).toBe(0xbe);
  });

  it("on the 8086 a word at offset FFFFh wraps to offset 0 of the same segment", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x20, // 0000  MOV AX, 0x2000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa1, 0xff, 0xff, // 0005  MOV AX, [0xFFFF]   (0x2FFFF and 0x20000)
      0xbb, 0xef, 0xbe, // 0008  MOV BX, 0xBEEF
      0x89, 0x1e, 0xff, 0xff, // 000B  MOV [0xFFFF], BX
      0xf4, //             000F  HLT
    ]);
    m.writeByte(0x2ffff, 0x34);
    m.writeByte(0x20000, 0x12);
    m.writeByte(0x30000, 0x99);
    expect(m.run().reason).toBe("halt");
    expect(m.registers.ax).toBe(0x1234);
    expect(m.readByte(0x2ffff)).toBe(0xef);
    expect(m.readByte(0x20000)).toBe(0xbe);
    expect(m.readByte(0x30000)).toBe(0x99);
    expect(m.stats.exceptions).toBe(0);
  });

  describe("on the 286 a word at offset FFFFh raises #GP (interrupt 13)", () => {
    const HANDLER_SEG = 0x0200;
    const HANDLER_OFF = 0x0100;

    function gpMachine(code: number[]): Machine {
      const m = boot("286", code);
      setVector(m, 13, HANDLER_SEG, HANDLER_OFF);
      m.writeByte((HANDLER_SEG << 4) + HANDLER_OFF, 0xf4); // HLT
      m.writeByte(0x2ffff, 0x34);
      m.writeByte(0x20000, 0x12);
      m.setRegisters({ flags: 0x0201 }); // IF, CF
      return m;
    }

    function expectGpAt(m: Machine, ip: number): void {
      const r = m.registers;
      expect(r.cs).toBe(HANDLER_SEG);
      expect(r.ip).toBe(HANDLER_OFF + 1);
      expect(r.sp).toBe(0x8000 - 6);
      expect(word(m, 0x8000 - 6)).toBe(ip); // the faulting instruction, prefixes included
      expect(word(m, 0x8000 - 4)).toBe(CODE_SEG);
      expect(word(m, 0x8000 - 2)).toBe(0x0203);
      expect(r.flags & 0x0200).toBe(0);
      expect(m.stats.exceptions).toBe(1);
    }

    it("on a read: the frame points at the instruction, which had no effect", () => {
      const m = gpMachine([
        0xb8, 0x00, 0x20, // 0000  MOV AX, 0x2000
        0x8e, 0xd8, //       0003  MOV DS, AX
        0xb8, 0x11, 0x11, // 0005  MOV AX, 0x1111
        0xa1, 0xff, 0xff, // 0008  MOV AX, [0xFFFF]
        0xf4, //             000B  HLT
      ]);
      expect(m.run().reason).toBe("halt");
      expectGpAt(m, 0x0008);
      expect(m.registers.ax).toBe(0x1111);
    });

    it("on a write: memory is untouched", () => {
      const m = gpMachine([
        0xb8, 0x00, 0x20, // 0000  MOV AX, 0x2000
        0x8e, 0xd8, //       0003  MOV DS, AX
        0xbb, 0xef, 0xbe, // 0005  MOV BX, 0xBEEF
        0x89, 0x1e, 0xff, 0xff, // 0008  MOV [0xFFFF], BX
        0xf4, //             000C  HLT
      ]);
      m.run();
      expectGpAt(m, 0x0008);
      expect(m.readByte(0x2ffff)).toBe(0x34);
      expect(m.readByte(0x20000)).toBe(0x12);
    });

    it("with a segment prefix: the frame points at the prefix", () => {
      const m = gpMachine([
        0xb8, 0x00, 0x20, // 0000  MOV AX, 0x2000
        0x8e, 0xc0, //       0003  MOV ES, AX
        0x26, 0xa1, 0xff, 0xff, // 0005  MOV AX, ES:[0xFFFF]
        0xf4, //             0009  HLT
      ]);
      m.run();
      expectGpAt(m, 0x0005);
      expect(m.registers.ax).toBe(0x2000);
    });
  });
});

// -------------------------------------------------------------------- open bus

describe("memory past the configured size", () => {
  it("reads as 0xFF and ignores writes (64 KiB machine)", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x10, // 0000  MOV AX, 0x1000
      0x8e, 0xd8, //       0003  MOV DS, AX          (linear 0x10000: past the end)
      0xa0, 0x00, 0x00, // 0005  MOV AL, [0x0000]
      0x8b, 0x1e, 0x10, 0x00, // 0008  MOV BX, [0x0010]
      0xc6, 0x06, 0x20, 0x00, 0x42, // 000C  MOV BYTE [0x0020], 0x42
      0x8a, 0x0e, 0x20, 0x00, // 0011  MOV CL, [0x0020]
      0xc7, 0x06, 0x30, 0x00, 0x34, 0x12, // 0015  MOV WORD [0x0030], 0x1234
      0x8b, 0x16, 0x30, 0x00, // 001B  MOV DX, [0x0030]
      0xf4, //             001F  HLT
    ], 0x10000);
    const before = m.read(0, 0x10000);
    expect(m.run().reason).toBe("halt");
    const r = m.registers;
    expect(r.ax & 0xff).toBe(0xff);
    expect(r.bx).toBe(0xffff);
    expect(r.cx & 0xff).toBe(0xff);
    expect(r.dx).toBe(0xffff);
    // Nothing aliased into RAM.
    expect(m.readByte(0x20)).toBe(0);
    expect(word(m, 0x30)).toBe(0);
    const after = m.read(0, 0x10000);
    expect(after.findIndex((b, i) => b !== before[i])).toBe(-1);
    expect(m.stats.openBus).toBeGreaterThan(0);
    expect(() => m.readByte(0x10000)).toThrow(RangeError);
  });

  it("a word straddling the end of memory reads RAM low and 0xFF high", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x0f, // 0000  MOV AX, 0x0F00
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa1, 0xff, 0x0f, // 0005  MOV AX, [0x0FFF]    (0xFFFF RAM, 0x10000 past the end)
      0xf4, //             0008  HLT
    ], 0x10000);
    m.writeByte(0xffff, 0x5a);
    m.run();
    expect(m.registers.ax).toBe(0xff5a);
  });
});
