/**
 * boot.test.ts — the PC end to end: BIOS POST state, booting a floppy,
 * INT 10h/12h/13h/16h services reached through the ROM hypercalls, the
 * keyboard path (8042 → IRQ1 → INT 09h → BDA buffer), virtual time, and
 * determinism.
 */
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PC, PcError } from "../../src/pc/pc.js";
import { Disk, DiskError } from "../../src/pc/disk.js";

const rom = (name: string) => readFileSync(fileURLToPath(new URL(`../../roms/${name}`, import.meta.url)));

function screen(pc: PC, rows = 25): string[] {
  const t = pc.machine.read(0xb8000, 160 * rows);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let s = "";
    for (let c = 0; c < 80; c++) s += String.fromCharCode(t[(r * 80 + c) * 2]);
    lines.push(s.trimEnd());
  }
  return lines;
}

/** A 1.44 MB floppy whose boot sector is `code` (padded, signed). */
function floppyWith(code: number[], extra: (img: Uint8Array) => void = () => {}): Disk {
  const img = new Uint8Array(1440 * 1024);
  img.set(code);
  img[510] = 0x55; img[511] = 0xaa;
  extra(img);
  return new Disk("floppy", img, "test.img");
}

describe("PC boot", () => {
  it("boots a BIOS-using boot sector, which prints, waits for a key and halts", () => {
    const pc = new PC({ floppy: new Disk("floppy", rom("boot-hello.bin"), "boot-hello.bin") });
    pc.boot();
    // Without a key the guest sleeps in INT 16h: the budget runs out.
    expect(pc.run({ maxInstructions: 1_000_000 }).reason).toBe("budget");
    expect(screen(pc).slice(0, 2)).toEqual(["Hello from the BIOS! drive=00 mem=640K", "Press a key:"]);
    pc.pressKey(0x1e); // 'a'
    const r = pc.run({ maxInstructions: 1_000_000 });
    expect(r.reason).toBe("halt");
    expect(r.message).toMatch(/halted with interrupts disabled at 0000:7C/);
    expect(screen(pc)[1]).toBe("Press a key: a");
    expect(pc.bios.stats.calls.get("INT 09h (IRQ1)")).toBe(2); // make and break
  });

  it("enters the boot sector like SeaBIOS: 0000:7C00, DL = drive, sector at 7C00", () => {
    const pc = new PC({ floppy: floppyWith([0xfa, 0xf4]) }); // CLI; HLT
    pc.boot();
    const r = pc.machine.registers;
    expect(r).toMatchObject({ cs: 0, ip: 0x7c00, dx: 0 });
    expect([...pc.machine.read(0x7dfe, 2)]).toEqual([0x55, 0xaa]);
  });

  it("refuses an image without the 55AAh signature, and a missing drive", () => {
    const img = new Uint8Array(1440 * 1024);
    const pc = new PC({ floppy: new Disk("floppy", img, "blank.img") });
    expect(() => pc.boot()).toThrow(PcError);
    expect(() => pc.boot()).toThrow(/not bootable \(no 55AAh signature/);
    expect(() => pc.boot(0x80)).toThrow(/no disk in drive 80h/);
  });

  it("rejects empty images and sizes that are no floppy format", () => {
    expect(() => new Disk("floppy", new Uint8Array(0), "e.img")).toThrow(DiskError);
    expect(() => new Disk("floppy", new Uint8Array(1440 * 1024 + 1), "odd.img")).toThrow(/not a floppy size/);
  });

  it("INT 13h AH=02h reads sectors across a track boundary into ES:BX", () => {
    const code = [
      0xb8, 0x03, 0x02, // mov ax, 0203h   read 3 sectors
      0xb9, 0x11, 0x00, // mov cx, 0011h   cylinder 0, sector 17
      0xba, 0x00, 0x00, // mov dx, 0000h   head 0, drive 0
      0xbb, 0x00, 0x80, // mov bx, 8000h   ES:BX = 0000:8000
      0xcd, 0x13,       // int 13h
      0xfa, 0xf4,       // cli; hlt
    ];
    // LBA 16, 17 (head 0, sectors 17-18) and 18 (head 1, sector 1).
    const pc = new PC({ floppy: floppyWith(code, (img) => { for (let s = 16; s < 19; s++) img.fill(s, s * 512, s * 512 + 512); }) });
    pc.boot();
    expect(pc.run({ maxInstructions: 10_000 }).reason).toBe("halt");
    const r = pc.machine.registers;
    expect(r.ax).toBe(0x0003);       // AH = 0 (ok), AL = sectors read
    expect(r.flags & 1).toBe(0);     // CF clear
    expect([0, 511, 512, 1023, 1024, 1535].map((o) => pc.machine.readByte(0x8000 + o))).toEqual([16, 16, 17, 17, 18, 18]);
  });

  it("INT 13h reports a bad sector number with CF set and status 04h", () => {
    const code = [0xb8, 0x01, 0x02, 0xb9, 0x13, 0x00, 0xba, 0x00, 0x00, 0xbb, 0x00, 0x80, 0xcd, 0x13, 0xfa, 0xf4];
    const pc = new PC({ floppy: floppyWith(code) }); // sector 19 > 18 per track
    pc.boot();
    pc.run({ maxInstructions: 10_000 });
    expect(pc.machine.registers.ax >> 8).toBe(0x04);
    expect(pc.machine.registers.flags & 1).toBe(1);
  });

  it("virtual time: the BDA tick count advances at 18.2 Hz of virtual time", () => {
    // STI; JMP $ — spin with interrupts on for a virtual second.
    const pc = new PC({ floppy: floppyWith([0xfb, 0xeb, 0xfe]) });
    pc.boot();
    expect(pc.run({ timeoutSeconds: 1 }).reason).toBe("timeout");
    const ticks = pc.bios.mem.u32(0x46c);
    expect(ticks === 18 || ticks === 19).toBe(true);
  });

  it("is deterministic: same image and keys give the same screen and instruction count", () => {
    const once = () => {
      const pc = new PC({ floppy: new Disk("floppy", rom("boot-hello.bin"), "b") });
      pc.boot();
      pc.run({ maxInstructions: 300_000 });
      pc.pressKey(0x30); // 'b'
      const r = pc.run({ maxInstructions: 1_000_000 });
      return { n: pc.machine.instructionCount, r: r.reason, s: screen(pc).join("\n"), t: pc.clock.nowNs() };
    };
    expect(once()).toEqual(once());
  });

  it("a guest that halts with interrupts disabled ends the run with a clear message", () => {
    const pc = new PC({ floppy: floppyWith([0xfa, 0xf4]) });
    pc.boot();
    const r = pc.run({ maxInstructions: 1000 });
    expect(r).toMatchObject({ reason: "halt", instructions: 2 });
    expect(r.message).toBe("the CPU halted with interrupts disabled at 0000:7C01");
  });

  it("INT 14h AH=01h sends a byte on COM1", () => {
    const sent: number[] = [];
    // mov ax, 015Ah ('Z'); xor dx, dx; int 14h; cli; hlt
    const pc = new PC({ floppy: floppyWith([0xb8, 0x5a, 0x01, 0x31, 0xd2, 0xcd, 0x14, 0xfa, 0xf4]), onSerial: (b) => sent.push(b) });
    pc.boot();
    expect(pc.run({ maxInstructions: 10_000 }).reason).toBe("halt");
    pc.uart.drainTransmitter();
    expect(sent).toEqual([0x5a]);
    expect(pc.machine.registers.ax >> 8 & 0x80).toBe(0); // no timeout bit
  });

  it("INT 1Ah AH=02h/04h read the RTC (deterministic start: 2000-01-01 00:00:00) in BCD", () => {
    // mov ah,02h; int 1Ah; mov bx,cx; mov si,dx; mov ah,04h; int 1Ah; cli; hlt
    const pc = new PC({ floppy: floppyWith([0xb4, 0x02, 0xcd, 0x1a, 0x89, 0xcb, 0x89, 0xd6, 0xb4, 0x04, 0xcd, 0x1a, 0xfa, 0xf4]) });
    pc.boot();
    pc.run({ maxInstructions: 10_000 });
    const r = pc.machine.registers;
    expect({ hm: r.bx, s: r.si >> 8, century: r.cx >> 8, year: r.cx & 0xff, month: r.dx >> 8, day: r.dx & 0xff })
      .toEqual({ hm: 0x0000, s: 0x00, century: 0x20, year: 0x00, month: 0x01, day: 0x01 });
  });

  it("INT 11h, 12h and 15h AH=88h report the configuration", () => {
    // int 11h; mov bx,ax; int 12h; mov cx,ax; mov ah,88h; int 15h; cli; hlt
    const pc = new PC({ floppy: floppyWith([0xcd, 0x11, 0x89, 0xc3, 0xcd, 0x12, 0x89, 0xc1, 0xb4, 0x88, 0xcd, 0x15, 0xfa, 0xf4]) });
    pc.boot();
    pc.run({ maxInstructions: 10_000 });
    const r = pc.machine.registers;
    expect(r.bx & 0x0001).toBe(1);          // a floppy drive
    expect((r.bx >> 4) & 3).toBe(2);        // 80×25 colour
    expect((r.bx >> 9) & 7).toBe(1);        // one serial port
    expect(r.cx).toBe(640);                 // KiB of conventional memory
    expect(r.ax).toBe(64);                  // KiB above 1 MiB (1 MiB + 64 KiB machine)
  });

  it("INT 10h AX=1130h points at the ROM's 8×8 font (BH=03h: characters 00h–7Fh)", () => {
    // mov ax,1130h; mov bh,03h; int 10h; cli; hlt
    const pc = new PC({ floppy: floppyWith([0xb8, 0x30, 0x11, 0xb7, 0x03, 0xcd, 0x10, 0xfa, 0xf4]) });
    pc.boot();
    pc.run({ maxInstructions: 10_000 });
    const r = pc.machine.registers;
    expect(r.cx).toBe(8);
    const font = (r.es << 4) + r.bp;
    expect([...pc.machine.read(font + 0x41 * 8, 8)]).toEqual([...pc.vga.glyph(0x41)]);
    expect([...pc.machine.read(font + 0x41 * 8, 8)].some((b) => b !== 0)).toBe(true);
  });
});

