/**
 * dos.test.ts — the DOS layer end to end: .COM programs (hand-assembled
 * here, one comment per instruction, since nasm is not available to
 * `npm test`; plus the committed roms/*.com) loaded on a PC and run
 * headless. Covers the PSP and registers at entry, console output and
 * input (including blocking reads fed by pc.pressKey), files in a
 * temporary host directory and the sandbox around it, directory search,
 * memory blocks, and the error paths.
 *
 * It does not test the CLI (`wasm86 run`), which is wired separately.
 */
import { describe, it, expect, afterEach } from "vitest";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync, symlinkSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PC } from "../../src/pc/pc.js";
import { Dos, DosError, MAX_COM_SIZE, PSP_SEGMENT, ENV_SEGMENT, DOS_SEGMENT } from "../../src/pc/dos/dos.js";
import { textScreen } from "../../src/pc/screen.js";
import { keyForChar } from "../../src/cli/keys.js";

const romPath = (name: string) => fileURLToPath(new URL(`../../roms/${name}`, import.meta.url));
const PSP = PSP_SEGMENT << 4;

const temps: string[] = [];
afterEach(() => { for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A PC with DOS over a fresh temporary directory (inside its own parent,
 *  so tests can check that nothing escapes into the parent). */
function setup(options: { maxFileSize?: number } = {}) {
  const parent = mkdtempSync(join(tmpdir(), "wasm86-dos-"));
  temps.push(parent);
  const root = join(parent, "root");
  mkdirSync(root);
  const logs: string[] = [];
  let output = "";
  const pc = new PC({ log: (m) => logs.push(m) });
  const dos = new Dos(pc, { root, onOutput: (b) => { output += String.fromCharCode(b); }, ...options });
  return { pc, dos, root, parent, logs, output: () => output };
}

/** A .COM image: `code` at 0100h, then data at absolute offsets (0200h…). */
function com(code: number[], data: Record<number, number[] | string> = {}): Uint8Array {
  let end = 0x100 + code.length;
  for (const [at, d] of Object.entries(data)) end = Math.max(end, Number(at) + d.length);
  const img = new Uint8Array(end - 0x100);
  img.set(code);
  for (const [at, d] of Object.entries(data)) img.set(typeof d === "string" ? [...d].map((c) => c.charCodeAt(0)) : d, Number(at) - 0x100);
  return img;
}

const w = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const asciz = (s: string) => s + "\0";
const u16 = (pc: PC, a: number) => pc.bios.mem.u16(a);
const bytesAt = (pc: PC, a: number, n: number) => String.fromCharCode(...pc.machine.read(a, n));

/** A program that sets AX, BX, CX, DX, calls INT 21h once, stores the
 *  results in its data area and exits with code 0. */
function probe(ax: number, bx: number, cx: number, dx: number, data: Record<number, number[] | string> = {}): Uint8Array {
  return com([
    0xb8, ...w(ax),           // mov ax, ax
    0xbb, ...w(bx),           // mov bx, bx
    0xb9, ...w(cx),           // mov cx, cx
    0xba, ...w(dx),           // mov dx, dx
    0xcd, 0x21,               // int 21h
    0xa3, 0xf0, 0x03,         // mov [03F0h], ax
    0x89, 0x1e, 0xf2, 0x03,   // mov [03F2h], bx
    0x89, 0x0e, 0xf4, 0x03,   // mov [03F4h], cx
    0x89, 0x16, 0xf6, 0x03,   // mov [03F6h], dx
    0x8c, 0x06, 0xf8, 0x03,   // mov [03F8h], es
    0x9c,                     // pushf
    0x8f, 0x06, 0xfa, 0x03,   // pop word [03FAh]
    0xb8, 0x00, 0x4c,         // mov ax, 4C00h
    0xcd, 0x21,               // int 21h
  ], data);
}

/** Run `probe(...)` and return what INT 21h left in the registers. */
function call(env: ReturnType<typeof setup>, ax: number, bx: number, cx: number, dx: number, data: Record<number, number[] | string> = {}) {
  env.dos.load(probe(ax, bx, cx, dx, data));
  const r = env.dos.run({ maxInstructions: 100_000 });
  expect(r).toMatchObject({ reason: "terminated", exitCode: 0 });
  const pc = env.pc;
  return {
    ax: u16(pc, PSP + 0x3f0), bx: u16(pc, PSP + 0x3f2), cx: u16(pc, PSP + 0x3f4), dx: u16(pc, PSP + 0x3f6),
    es: u16(pc, PSP + 0x3f8), cf: u16(pc, PSP + 0x3fa) & 1, zf: (u16(pc, PSP + 0x3fa) >> 6) & 1,
  };
}

/** Run for `seconds` more of virtual time (the guest mostly sleeps in HLT
 *  while it waits for keys, so an instruction budget would mean hours). */
function runFor(env: ReturnType<typeof setup>, seconds: number) {
  return env.dos.run({ timeoutSeconds: env.pc.clock.nowNs() / 1e9 + seconds, maxInstructions: 1_000_000 });
}

/** Type text on the keyboard, letting the guest run after each key. */
function type(env: ReturnType<typeof setup>, text: string): void {
  for (const ch of text) {
    const k = keyForChar(ch);
    if (!k || "wait" in k) throw new Error(`no key for ${JSON.stringify(ch)}`);
    if (k.shift) env.pc.keyboard.keyDown(0x2a);
    env.pc.pressKey(k.code);
    if (k.shift) env.pc.keyboard.keyUp(0x2a);
    runFor(env, 0.2);
  }
}

describe("DOS: loading a .COM", () => {
  it("prints with AH=09h and exits with AH=4Ch", () => {
    const env = setup();
    env.dos.load(com([
      0xba, 0x0c, 0x01,   // mov dx, 010Ch
      0xb4, 0x09,         // mov ah, 09h
      0xcd, 0x21,         // int 21h
      0xb8, 0x00, 0x4c,   // mov ax, 4C00h
      0xcd, 0x21,         // int 21h
    ], { 0x10c: "Hi there!\r\n$" }));
    const r = env.dos.run({ maxInstructions: 100_000 });
    expect(r).toMatchObject({ reason: "terminated", exitCode: 0 });
    // Five instructions, the stubs' OUTs, and the console output the BIOS
    // charges to the guest (one instruction per four bytes it touches).
    expect(r.instructions).toBeLessThan(100);
    expect(textScreen(env.pc)[0]).toBe("Hi there!");
    expect(env.output()).toBe("Hi there!\r\n");
    expect(env.dos.terminated).toBe(true);
  });

  it("passes the exit code of AH=4Ch to the host and stops the PC", () => {
    const env = setup();
    env.dos.load(com([
      0xb8, 0x2a, 0x4c,   // mov ax, 4C2Ah
      0xcd, 0x21,         // int 21h
      0xeb, 0xfe,         // jmp $   (never reached)
    ]));
    const r = env.dos.run({ maxInstructions: 1_000_000 });
    // MOV, INT 21h and the ROM stub's OUT (the hypercall); then it stops.
    expect(r).toMatchObject({ reason: "terminated", exitCode: 0x2a, instructions: 3 });
    expect(env.dos.exitCode).toBe(0x2a);
    // The CPU is parked on CLI;HLT in the DOS code: running on halts cleanly.
    expect(env.pc.machine.registers.cs).toBe(DOS_SEGMENT);
    expect(env.pc.run({ maxInstructions: 1000 }).reason).toBe("halt");
  });

  it("builds the PSP, environment, MCBs and registers as DOS does; RET ends the program", () => {
    const env = setup();
    const { pc, dos } = env;
    dos.load(com([
      0x8a, 0x0e, 0x80, 0x00, // mov cl, [0080h]   tail length
      0x32, 0xed,             // xor ch, ch
      0xba, 0x81, 0x00,       // mov dx, 0081h     tail text
      0xbb, 0x01, 0x00,       // mov bx, 1         stdout
      0xb4, 0x40,             // mov ah, 40h
      0xcd, 0x21,             // int 21h
      0xc3,                   // ret               to PSP:0000 (INT 20h)
    ]), "foo BAR", "/some/host/dir/tail.com");
    expect(pc.machine.registers).toMatchObject({
      cs: 0x1000, ds: 0x1000, es: 0x1000, ss: 0x1000, ip: 0x100, sp: 0xfffe,
      ax: 0, bx: 0, cx: 0x00ff, dx: 0x1000, si: 0x100, di: 0xfffe,
    });
    expect(pc.machine.registers.flags & 0x200).toBe(0x200);
    expect(u16(pc, PSP + 0xfffe)).toBe(0);                       // RET goes to PSP:0000
    expect([...pc.machine.read(PSP, 2)]).toEqual([0xcd, 0x20]);  // INT 20h
    expect(u16(pc, PSP + 0x02)).toBe(0xa000);                    // top of memory
    expect(u16(pc, PSP + 0x2c)).toBe(ENV_SEGMENT);
    expect(u16(pc, PSP + 0x16)).toBe(PSP_SEGMENT);               // parent: itself
    expect([...pc.machine.read(PSP + 0x18, 6)]).toEqual([1, 1, 1, 0, 2, 0xff]); // JFT
    expect([...pc.machine.read(PSP + 0x50, 3)]).toEqual([0xcd, 0x21, 0xcb]);
    expect(bytesAt(pc, PSP + 0x5c, 12)).toBe("\0" + " ".repeat(11)); // FCB 1 blank
    expect(bytesAt(pc, PSP + 0x6c, 12)).toBe("\0" + " ".repeat(11)); // FCB 2 blank
    expect(pc.bios.mem.u8(PSP + 0x80)).toBe(8);
    expect(bytesAt(pc, PSP + 0x81, 9)).toBe(" foo BAR\r");
    expect(bytesAt(pc, ENV_SEGMENT << 4, 72)).toBe(
      "COMSPEC=C:\\COMMAND.COM\0PATH=C:\\\0PROMPT=$P$G\0\0\x01\0C:\\TAIL.COM\0".padEnd(72, "\0"));
    // MCB chain: environment, then the program owning the rest of 640 KiB.
    expect(dos.memory.blocks()).toEqual([
      { segment: ENV_SEGMENT, owner: PSP_SEGMENT, paragraphs: 0x20 },
      { segment: PSP_SEGMENT, owner: PSP_SEGMENT, paragraphs: 0x9000 },
    ]);
    expect(bytesAt(pc, (PSP_SEGMENT - 1) << 4, 1)).toBe("Z");
    expect(bytesAt(pc, ((PSP_SEGMENT - 1) << 4) + 8, 4)).toBe("TAIL");
    // INT 20h/21h/29h point at the ROM stubs, where hooks can chain to them.
    expect([u16(pc, 0x21 * 4), u16(pc, 0x21 * 4 + 2)]).toEqual([0xe208, 0xf000]);
    expect([u16(pc, 0x20 * 4), u16(pc, 0x29 * 4)]).toEqual([0xe200, 0xe248]);

    expect(dos.run({ maxInstructions: 100_000 })).toMatchObject({ reason: "terminated", exitCode: 0 });
    expect(env.output()).toBe(" foo BAR");
  });

  it("keeps an empty command tail empty and a leading space as given", () => {
    const env = setup();
    env.dos.load(com([0xcd, 0x20]));
    expect(bytesAt(env.pc, PSP + 0x80, 2)).toBe("\0\r");
    env.dos.load(com([0xcd, 0x20]), "  two");
    expect(bytesAt(env.pc, PSP + 0x80, 7)).toBe("\x05  two\r");
    expect(() => env.dos.load(com([0xcd, 0x20]), "x".repeat(126))).toThrow(/command tail is too long: 127/);
  });

  it("rejects an empty image and one over 65,280 bytes with a one-line DosError", () => {
    const { dos } = setup();
    expect(() => dos.load(new Uint8Array(0))).toThrow(DosError);
    expect(() => dos.load(new Uint8Array(0))).toThrow(/^the \.COM program is empty \(0 bytes\)$/);
    expect(() => dos.load(new Uint8Array(MAX_COM_SIZE + 1))).toThrow(/too large: 65281 bytes/);
    expect(() => dos.load(new Uint8Array(MAX_COM_SIZE))).not.toThrow();
    expect(MAX_COM_SIZE).toBe(65_280);
  });

  it("refuses a DOS root that is not a directory", () => {
    expect(() => new Dos(new PC(), { root: "/nonexistent/wasm86" })).toThrow(DosError);
  });
});

describe("DOS: console", () => {
  it("AH=01h blocks in HLT until a key arrives, without hanging the host", () => {
    const env = setup();
    env.dos.load(com([
      0xb4, 0x01,   // mov ah, 01h      read a key with echo
      0xcd, 0x21,   // int 21h
      0xb4, 0x4c,   // mov ah, 4Ch      exit code = the key
      0xcd, 0x21,   // int 21h
    ]));
    const waiting = runFor(env, 2);
    expect(waiting.reason).toBe("timeout");
    expect(env.dos.terminated).toBe(false);
    expect(env.pc.machine.registers.cs).toBe(DOS_SEGMENT); // parked in the wait loop
    // It slept: virtual time passed in HLT, not in millions of retries.
    const retries = env.pc.bios.stats.calls.get("INT 21h AH=01h")!;
    expect(retries).toBeGreaterThan(30); // woken by each timer tick (18.2 Hz)…
    expect(retries).toBeLessThan(40);    // …and by nothing else
    expect(waiting.instructions).toBeLessThan(2000);
    env.pc.pressKey(0x10); // 'q'
    expect(env.dos.run({ maxInstructions: 1_000_000 })).toMatchObject({ reason: "terminated", exitCode: 0x71 });
    expect(textScreen(env.pc)[0]).toBe("q");
  });

  it("AH=07h returns 00h then the scan code for an extended key, without echo", () => {
    const env = setup();
    env.dos.load(com([
      0xb4, 0x07,         // mov ah, 07h
      0xcd, 0x21,         // int 21h
      0xa2, 0x00, 0x02,   // mov [0200h], al
      0xb4, 0x07,         // mov ah, 07h
      0xcd, 0x21,         // int 21h
      0xa2, 0x01, 0x02,   // mov [0201h], al
      0xcd, 0x20,         // int 20h
    ]));
    env.pc.pressKey(0x3b); // F1
    expect(env.dos.run({ maxInstructions: 1_000_000 }).reason).toBe("terminated");
    expect([...env.pc.machine.read(PSP + 0x200, 2)]).toEqual([0x00, 0x3b]);
    expect(textScreen(env.pc)[0]).toBe("");
  });

  it("AH=0Ah reads a line with echo and backspace; extra keys beyond the buffer beep", () => {
    const env = setup();
    const prog = (max: number) => com([
      0xba, 0x00, 0x02,   // mov dx, 0200h    buffer: max, count, chars
      0xb4, 0x0a,         // mov ah, 0Ah
      0xcd, 0x21,         // int 21h
      0xb8, 0x00, 0x4c,   // mov ax, 4C00h
      0xcd, 0x21,         // int 21h
    ], { 0x200: [max, 0xee] });
    env.dos.load(prog(10));
    runFor(env, 0.5);
    type(env, "abx\bc\r");
    expect(env.dos.terminated).toBe(true);
    expect(bytesAt(env.pc, PSP + 0x200, 6)).toBe("\x0a\x03abc\r");
    expect(textScreen(env.pc)[0]).toBe("abc");

    env.dos.load(prog(4)); // room for 3 characters and the CR
    runFor(env, 0.5);
    type(env, "wxyz\r");
    expect(bytesAt(env.pc, PSP + 0x200, 6)).toBe("\x04\x03wxy\r");
    expect(env.pc.video.bell).toBe(1);
  });

  it("reads a typed line from handle 0 (CR LF appended) and serves it across reads", () => {
    const env = setup();
    env.dos.load(com([
      0x31, 0xdb,         // xor bx, bx       handle 0: stdin
      0xb9, 0x02, 0x00,   // mov cx, 2
      0xba, 0x00, 0x02,   // mov dx, 0200h
      0xb4, 0x3f,         // mov ah, 3Fh
      0xcd, 0x21,         // int 21h          "hi" (2 of "hi\r\n")
      0xa3, 0xf0, 0x03,   // mov [03F0h], ax
      0xb9, 0x10, 0x00,   // mov cx, 16
      0xba, 0x02, 0x02,   // mov dx, 0202h
      0xb4, 0x3f,         // mov ah, 3Fh
      0xcd, 0x21,         // int 21h          the rest: "\r\n"
      0xa3, 0xf2, 0x03,   // mov [03F2h], ax
      0xcd, 0x20,         // int 20h
    ]));
    runFor(env, 0.5);
    type(env, "hi\r");
    expect(env.dos.terminated).toBe(true);
    expect(bytesAt(env.pc, PSP + 0x200, 4)).toBe("hi\r\n");
    expect([u16(env.pc, PSP + 0x3f0), u16(env.pc, PSP + 0x3f2)]).toEqual([2, 2]);
  });

  it("AH=06h DL=FFh reads without waiting (ZF=1 when no key); 0Bh reports input", () => {
    const env = setup();
    expect(call(env, 0x06ff, 0, 0, 0x00ff)).toMatchObject({ zf: 1 });
    expect(call(env, 0x0b00, 0, 0, 0).ax & 0xff).toBe(0x00);
    env.pc.pressKey(0x1e); // 'a' — delivered by IRQ1 once the guest runs
    expect(call(env, 0x0b00, 0, 0, 0).ax & 0xff).toBe(0xff);
    const r = call(env, 0x06ff, 0, 0, 0x00ff);
    expect([r.zf, r.ax & 0xff]).toEqual([0, 0x61]);
  });

  it("AH=02h expands TAB to the next multiple of 8; INT 29h writes AL", () => {
    const env = setup();
    env.dos.load(com([
      0xb4, 0x02,         // mov ah, 02h
      0xb2, 0x41,         // mov dl, 'A'
      0xcd, 0x21,         // int 21h
      0xb2, 0x09,         // mov dl, TAB
      0xcd, 0x21,         // int 21h
      0xb2, 0x42,         // mov dl, 'B'
      0xcd, 0x21,         // int 21h
      0xb0, 0x43,         // mov al, 'C'
      0xcd, 0x29,         // int 29h
      0xcd, 0x20,         // int 20h
    ]));
    expect(env.dos.run({ maxInstructions: 100_000 }).reason).toBe("terminated");
    expect(textScreen(env.pc)[0]).toBe("A       BC");
  });
});

describe("DOS: files in the host directory", () => {
  it("creates, writes, closes, reopens, seeks, reads and overwrites a file", () => {
    const env = setup();
    env.dos.load(com([
      0xb4, 0x3c,         // 0100 mov ah, 3Ch       create DATA.BIN
      0x31, 0xc9,         // 0102 xor cx, cx
      0xba, 0x00, 0x02,   // 0104 mov dx, 0200h
      0xcd, 0x21,         // 0107 int 21h
      0x72, 0x62,         // 0109 jc fail
      0x89, 0xc3,         // 010B mov bx, ax        handle
      0xb4, 0x40,         // 010D mov ah, 40h       write "0123456789"
      0xb9, 0x0a, 0x00,   // 010F mov cx, 10
      0xba, 0x10, 0x02,   // 0112 mov dx, 0210h
      0xcd, 0x21,         // 0115 int 21h
      0x72, 0x54,         // 0117 jc fail
      0xb4, 0x3e,         // 0119 mov ah, 3Eh       close
      0xcd, 0x21,         // 011B int 21h
      0x72, 0x4e,         // 011D jc fail
      0xb8, 0x02, 0x3d,   // 011F mov ax, 3D02h     open read/write
      0xba, 0x00, 0x02,   // 0122 mov dx, 0200h
      0xcd, 0x21,         // 0125 int 21h
      0x72, 0x44,         // 0127 jc fail
      0x89, 0xc3,         // 0129 mov bx, ax
      0xb8, 0x00, 0x42,   // 012B mov ax, 4200h     lseek to 4 from the start
      0x31, 0xc9,         // 012E xor cx, cx
      0xba, 0x04, 0x00,   // 0130 mov dx, 4
      0xcd, 0x21,         // 0133 int 21h
      0x72, 0x36,         // 0135 jc fail
      0xb4, 0x3f,         // 0137 mov ah, 3Fh       read 3 bytes
      0xb9, 0x03, 0x00,   // 0139 mov cx, 3
      0xba, 0x20, 0x02,   // 013C mov dx, 0220h
      0xcd, 0x21,         // 013F int 21h
      0x72, 0x2a,         // 0141 jc fail
      0xa3, 0x30, 0x02,   // 0143 mov [0230h], ax   bytes read
      0xb8, 0x02, 0x42,   // 0146 mov ax, 4202h     lseek to −2 from the end
      0xb9, 0xff, 0xff,   // 0149 mov cx, FFFFh
      0xba, 0xfe, 0xff,   // 014C mov dx, FFFEh
      0xcd, 0x21,         // 014F int 21h
      0x72, 0x1a,         // 0151 jc fail
      0xa3, 0x32, 0x02,   // 0153 mov [0232h], ax   new position
      0xb4, 0x40,         // 0156 mov ah, 40h       overwrite "89" with "AB"
      0xb9, 0x02, 0x00,   // 0158 mov cx, 2
      0xba, 0x34, 0x02,   // 015B mov dx, 0234h
      0xcd, 0x21,         // 015E int 21h
      0x72, 0x0b,         // 0160 jc fail
      0xb4, 0x3e,         // 0162 mov ah, 3Eh       close
      0xcd, 0x21,         // 0164 int 21h
      0x72, 0x05,         // 0166 jc fail
      0xb8, 0x00, 0x4c,   // 0168 mov ax, 4C00h
      0xcd, 0x21,         // 016B int 21h
      0xb4, 0x4c,         // 016D fail: mov ah, 4Ch   exit code = error
      0xcd, 0x21,         // 016F int 21h
    ], { 0x200: asciz("data.bin"), 0x210: "0123456789", 0x234: "AB" }));
    expect(env.dos.run({ maxInstructions: 100_000 })).toMatchObject({ reason: "terminated", exitCode: 0 });
    expect(readdirSync(env.root)).toEqual(["DATA.BIN"]);
    expect(readFileSync(join(env.root, "DATA.BIN"), "latin1")).toBe("01234567AB");
    expect(bytesAt(env.pc, PSP + 0x220, 3)).toBe("456");
    expect([u16(env.pc, PSP + 0x230), u16(env.pc, PSP + 0x232)]).toEqual([3, 8]);
  });

  it("matches names case-insensitively and reports DOS errors for missing files and bad handles", () => {
    const env = setup();
    writeFileSync(join(env.root, "readme.txt"), "x");
    const opened = call(env, 0x3d00, 0, 0, 0x200, { 0x200: asciz("ReadMe.TXT") });
    expect([opened.cf, opened.ax]).toEqual([0, 5]); // the first free handle
    expect(call(env, 0x3d00, 0, 0, 0x200, { 0x200: asciz("NOPE.TXT") })).toMatchObject({ cf: 1, ax: 2 });
    expect(call(env, 0x3d00, 0, 0, 0x200, { 0x200: asciz("NODIR\\X.TXT") })).toMatchObject({ cf: 1, ax: 3 });
    expect(call(env, 0x3e00, 12, 0, 0)).toMatchObject({ cf: 1, ax: 6 });
    expect(call(env, 0x3d07, 0, 0, 0x200, { 0x200: asciz("README.TXT") })).toMatchObject({ cf: 1, ax: 0x0c });
    expect(call(env, 0x4100, 0, 0, 0x200, { 0x200: asciz("readme.TXT") })).toMatchObject({ cf: 0 });
    expect(existsSync(join(env.root, "readme.txt"))).toBe(false);
  });

  it("runs out of handles after 20 (error 4)", () => {
    const env = setup();
    writeFileSync(join(env.root, "F.TXT"), "");
    env.dos.load(com([
      0xb8, 0x00, 0x3d,   // 0100 again: mov ax, 3D00h
      0xba, 0x00, 0x02,   // 0103 mov dx, 0200h
      0xcd, 0x21,         // 0106 int 21h
      0x73, 0xf6,         // 0108 jnc again (0100)
      0xb4, 0x4c,         // 010A mov ah, 4Ch   exit code = the error
      0xcd, 0x21,         // 010C int 21h
    ], { 0x200: asciz("F.TXT") }));
    expect(env.dos.run({ maxInstructions: 100_000 })).toMatchObject({ reason: "terminated", exitCode: 4 });
  });

  it("refuses .., absolute paths, other drives and symlinks out of the root", () => {
    const env = setup();
    writeFileSync(join(env.parent, "SECRET.TXT"), "outside");
    mkdirSync(join(env.root, "sub"));
    writeFileSync(join(env.root, "sub", "inner.txt"), "inside");
    symlinkSync(join(env.parent, "SECRET.TXT"), join(env.root, "LINK.TXT"));
    symlinkSync(env.parent, join(env.root, "UP"));
    const open = (path: string) => call(env, 0x3d00, 0, 0, 0x200, { 0x200: asciz(path) });
    const create = (path: string) => call(env, 0x3c00, 0, 0, 0x200, { 0x200: asciz(path) });
    for (const path of ["..\\SECRET.TXT", "\\etc\\passwd", "/etc/passwd", "C:\\..\\SECRET.TXT", "A:SECRET.TXT",
      "SUB\\..\\..\\SECRET.TXT", "C:\\SUB\\INNER.TXT", "D:\\X"]) {
      expect(open(path), path).toMatchObject({ cf: 1, ax: 3 });
    }
    expect(open("LINK.TXT")).toMatchObject({ cf: 1, ax: 5 });
    expect(open("UP\\SECRET.TXT")).toMatchObject({ cf: 1, ax: 5 });
    for (const path of ["..\\ESCAPE.TXT", "\\ESCAPE.TXT", "C:\\..\\ESCAPE.TXT"]) {
      expect(create(path), path).toMatchObject({ cf: 1, ax: 3 });
    }
    expect(create("LINK.TXT")).toMatchObject({ cf: 1, ax: 5 });
    expect(create("UP\\ESCAPE.TXT")).toMatchObject({ cf: 1, ax: 5 });
    expect(call(env, 0x4100, 0, 0, 0x200, { 0x200: asciz("LINK.TXT") })).toMatchObject({ cf: 1, ax: 5 });
    expect(readdirSync(env.parent).sort()).toEqual(["SECRET.TXT", "root"]);
    expect(readFileSync(join(env.parent, "SECRET.TXT"), "latin1")).toBe("outside");
    // Relative paths inside the root, in any case, work.
    expect(open("sub\\Inner.Txt")).toMatchObject({ cf: 0 });
    expect(open("C:SUB/INNER.TXT")).toMatchObject({ cf: 0 });
  });

  it("4Eh/4Fh list the directory with wildcards and fill the DTA", () => {
    const env = setup();
    writeFileSync(join(env.root, "B.TXT"), "bb");
    writeFileSync(join(env.root, "A.TXT"), "a");
    writeFileSync(join(env.root, "C.DAT"), "cccc");
    writeFileSync(join(env.root, "lower.txt"), "");
    writeFileSync(join(env.root, "LONGFILENAME.TXT"), "invisible: not an 8.3 name");
    mkdirSync(join(env.root, "sub"));
    const list = (pattern: string, attr: number) => {
      env.dos.load(com([
        0xb4, 0x1a,         // 0100 mov ah, 1Ah      DTA = 0300h
        0xba, 0x00, 0x03,   // 0102 mov dx, 0300h
        0xcd, 0x21,         // 0105 int 21h
        0xbf, 0x00, 0x04,   // 0107 mov di, 0400h    results: 22 bytes each
        0xb4, 0x4e,         // 010A mov ah, 4Eh      find first
        0xb9, ...w(attr),   // 010C mov cx, attr
        0xba, 0x00, 0x02,   // 010F mov dx, 0200h    pattern
        0xcd, 0x21,         // 0112 int 21h
        0x72, 0x0e,         // 0114 next: jc done
        0xbe, 0x15, 0x03,   // 0116 mov si, 0315h    DTA+15h: attr, time, date, size, name
        0xb9, 0x16, 0x00,   // 0119 mov cx, 22
        0xf3, 0xa4,         // 011C rep movsb
        0xb4, 0x4f,         // 011E mov ah, 4Fh      find next
        0xcd, 0x21,         // 0120 int 21h
        0xeb, 0xf0,         // 0122 jmp next
        0xa3, 0xf0, 0x03,   // 0124 done: mov [03F0h], ax
        0xb8, 0x00, 0x4c,   // 0127 mov ax, 4C00h
        0xcd, 0x21,         // 012A int 21h
      ], { 0x200: asciz(pattern) }));
      expect(env.dos.run({ maxInstructions: 100_000 }).reason).toBe("terminated");
      expect(u16(env.pc, PSP + 0x3f0)).toBe(0x12); // ended with "no more files"
      const found: { name: string; attr: number; size: number }[] = [];
      for (let a = PSP + 0x400; env.pc.bios.mem.u8(a + 9) !== 0 && found.length < 20; a += 22) {
        found.push({ name: bytesAt(env.pc, a + 9, 13).replace(/\0.*$/s, ""), attr: env.pc.bios.mem.u8(a), size: env.pc.bios.mem.u32(a + 5) });
      }
      return found;
    };
    expect(list("*.*", 0x10)).toEqual([
      { name: "A.TXT", attr: 0x20, size: 1 }, { name: "B.TXT", attr: 0x20, size: 2 }, { name: "C.DAT", attr: 0x20, size: 4 },
      { name: "LOWER.TXT", attr: 0x20, size: 0 }, { name: "SUB", attr: 0x10, size: 0 },
    ]);
    expect(list("*.txt", 0).map((f) => f.name)).toEqual(["A.TXT", "B.TXT", "LOWER.TXT"]);
    expect(list("?.*", 0).map((f) => f.name)).toEqual(["A.TXT", "B.TXT", "C.DAT"]);
    expect(list("*", 0x10).map((f) => f.name)).toEqual(["SUB"]); // "*" has an empty extension
    expect(list("NOPE.*", 0)).toEqual([]);
    // The DTA's date and time are the host file's modification time.
    const t = statSync(join(env.root, "C.DAT")).mtime;
    expect(list("C.DAT", 0).map((f) => f.name)).toEqual(["C.DAT"]);
    expect(u16(env.pc, PSP + 0x400 + 3)).toBe(((t.getFullYear() - 1980) << 9) | ((t.getMonth() + 1) << 5) | t.getDate());
    expect(u16(env.pc, PSP + 0x400 + 1)).toBe((t.getHours() << 11) | (t.getMinutes() << 5) | (t.getSeconds() >> 1));
  });

  it("reports attributes (43h), device info (44h/00h), the current directory (47h)", () => {
    const env = setup();
    writeFileSync(join(env.root, "RO.TXT"), "r");
    expect(call(env, 0x4300, 0, 0, 0x200, { 0x200: asciz("RO.TXT") })).toMatchObject({ cf: 0, cx: 0x20 });
    expect(call(env, 0x4301, 0, 0x01, 0x200, { 0x200: asciz("RO.TXT") })).toMatchObject({ cf: 0 });
    expect(call(env, 0x4300, 0, 0, 0x200, { 0x200: asciz("RO.TXT") })).toMatchObject({ cf: 0, cx: 0x21 });
    expect(call(env, 0x4100, 0, 0, 0x200, { 0x200: asciz("RO.TXT") })).toMatchObject({ cf: 1, ax: 5 });
    expect(call(env, 0x4400, 1, 0, 0)).toMatchObject({ cf: 0, dx: 0x80d3 });
    expect(call(env, 0x4400, 9, 0, 0)).toMatchObject({ cf: 1, ax: 6 });
    env.dos.load(com([
      0xbe, 0x00, 0x02,   // mov si, 0200h
      0xb4, 0x47,         // mov ah, 47h       current directory of
      0x30, 0xd2,         // xor dl, dl        the default drive
      0xcd, 0x21,         // int 21h
      0xa3, 0xf0, 0x03,   // mov [03F0h], ax
      0xcd, 0x20,         // int 20h
    ], { 0x200: "junk" }));
    expect(env.dos.run({ maxInstructions: 1000 }).reason).toBe("terminated");
    expect(bytesAt(env.pc, PSP + 0x200, 2)).toBe("\0u"); // "" (the root)
    expect(u16(env.pc, PSP + 0x3f0)).toBe(0x0100);
    expect(call(env, 0x4700, 0, 0, 5)).toMatchObject({ cf: 1, ax: 0x0f });
  });

  it("caps file growth at maxFileSize like a full disk: a short write, CF clear", () => {
    const env = setup({ maxFileSize: 16 });
    env.dos.load(com([
      0xb4, 0x3c,         // mov ah, 3Ch       create BIG.DAT
      0x31, 0xc9,         // xor cx, cx
      0xba, 0x00, 0x02,   // mov dx, 0200h
      0xcd, 0x21,         // int 21h
      0x89, 0xc3,         // mov bx, ax
      0xb4, 0x40,         // mov ah, 40h       write 20 bytes
      0xb9, 0x14, 0x00,   // mov cx, 20
      0xba, 0x10, 0x02,   // mov dx, 0210h
      0xcd, 0x21,         // int 21h
      0xa3, 0xf0, 0x03,   // mov [03F0h], ax   bytes written
      0x9c,               // pushf
      0x8f, 0x06, 0xf2, 0x03, // pop word [03F2h]
      0xcd, 0x20,         // int 20h           (closes the file)
    ], { 0x200: asciz("BIG.DAT"), 0x210: "abcdefghijklmnopqrst" }));
    expect(env.dos.run({ maxInstructions: 100_000 }).reason).toBe("terminated");
    expect(u16(env.pc, PSP + 0x3f0)).toBe(16);
    expect(u16(env.pc, PSP + 0x3f2) & 1).toBe(0);
    expect(readFileSync(join(env.root, "BIG.DAT"), "latin1")).toBe("abcdefghijklmnop");
  });
});

describe("DOS: memory, vectors and misc", () => {
  it("48h fails while the .COM owns all memory; after 4Ah shrinks it, 48h/49h work", () => {
    const env = setup();
    env.dos.load(com([
      0xb4, 0x48,               // 0100 mov ah, 48h     allocate 100h paragraphs
      0xbb, 0x00, 0x01,         // 0102 mov bx, 0100h
      0xcd, 0x21,               // 0105 int 21h         CF, AX = 8, BX = 0
      0xa3, 0xf0, 0x03,         // 0107 mov [03F0h], ax
      0x89, 0x1e, 0xf2, 0x03,   // 010A mov [03F2h], bx
      0xb4, 0x4a,               // 010E mov ah, 4Ah     ES = PSP: shrink to 64 KiB
      0xbb, 0x00, 0x10,         // 0110 mov bx, 1000h
      0xcd, 0x21,               // 0113 int 21h
      0x72, 0x19,               // 0115 jc fail
      0xb4, 0x48,               // 0117 mov ah, 48h
      0xbb, 0x00, 0x01,         // 0119 mov bx, 0100h
      0xcd, 0x21,               // 011C int 21h
      0x72, 0x10,               // 011E jc fail
      0xa3, 0xf4, 0x03,         // 0120 mov [03F4h], ax  the new block
      0x8e, 0xc0,               // 0123 mov es, ax
      0xb4, 0x49,               // 0125 mov ah, 49h      free it
      0xcd, 0x21,               // 0127 int 21h
      0x72, 0x05,               // 0129 jc fail
      0xb8, 0x00, 0x4c,         // 012B mov ax, 4C00h
      0xcd, 0x21,               // 012E int 21h
      0xb4, 0x4c,               // 0130 fail: mov ah, 4Ch
      0xcd, 0x21,               // 0132 int 21h
    ]));
    expect(env.dos.run({ maxInstructions: 100_000 })).toMatchObject({ reason: "terminated", exitCode: 0 });
    expect([u16(env.pc, PSP + 0x3f0), u16(env.pc, PSP + 0x3f2), u16(env.pc, PSP + 0x3f4)]).toEqual([8, 0, 0x2001]);
    expect(env.dos.memory.blocks()).toEqual([
      { segment: ENV_SEGMENT, owner: PSP_SEGMENT, paragraphs: 0x20 },
      { segment: 0x1000, owner: PSP_SEGMENT, paragraphs: 0x1000 },
      { segment: 0x2001, owner: 0, paragraphs: 0xa000 - 0x2001 },
    ]);
    // Freeing something that is not a block is error 9.
    const bad = new Uint8Array([0xb8, 0x34, 0x12, 0x8e, 0xc0, 0xb4, 0x49, 0xcd, 0x21, 0xb4, 0x4c, 0xcd, 0x21]);
    // mov ax, 1234h / mov es, ax / mov ah, 49h / int 21h / mov ah, 4Ch / int 21h
    env.dos.load(bad);
    expect(env.dos.run({ maxInstructions: 1000 })).toMatchObject({ reason: "terminated", exitCode: 9 });
  });

  it("sets and gets interrupt vectors (25h/35h), reports version 5.0 and drive C:", () => {
    const env = setup();
    // AH=25h AL=60h with DS = PSP: the vector becomes PSP:5678.
    expect(call(env, 0x2560, 0, 0, 0x5678)).toMatchObject({ cf: 0 });
    expect([u16(env.pc, 0x60 * 4), u16(env.pc, 0x60 * 4 + 2)]).toEqual([0x5678, PSP_SEGMENT]);
    expect(call(env, 0x3560, 0, 0, 0)).toMatchObject({ bx: 0x5678, es: PSP_SEGMENT });
    expect(call(env, 0x3000, 0, 0, 0)).toMatchObject({ ax: 0x0005, bx: 0xff00 });
    expect(call(env, 0x1900, 0, 0, 0).ax & 0xff).toBe(2);
    const d = new Date(env.pc.cmos.timeMs);
    expect(call(env, 0x2a00, 0, 0, 0)).toMatchObject({ cx: d.getUTCFullYear(), dx: ((d.getUTCMonth() + 1) << 8) | d.getUTCDate() });
    const t = call(env, 0x2c00, 0, 0, 0), now = new Date(env.pc.cmos.timeMs); // virtual time: same second
    expect([t.cx >> 8, t.cx & 0xff, t.dx >> 8, t.dx & 0xff]).toEqual([now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), 0]);
    expect(call(env, 0x0e02, 0, 0, 0).ax & 0xff).toBe(5); // select disk: LASTDRIVE = E:
  });

  it("an unsupported function returns CF=1 AX=0001h and is logged once", () => {
    const env = setup();
    expect(call(env, 0xf000, 0, 0, 0)).toMatchObject({ cf: 1, ax: 1 });
    expect(call(env, 0xf000, 0, 0, 0)).toMatchObject({ cf: 1, ax: 1 });
    expect(call(env, 0x4408, 0, 0, 0)).toMatchObject({ cf: 1, ax: 1 });
    expect(env.logs).toEqual(["unsupported DOS function INT 21h AH=F0h", "unsupported DOS function INT 21h AX=4408h"]);
  });
});

describe("DOS: robustness", () => {
  it("random INT 21h calls never throw, and nothing appears outside the root", () => {
    const env = setup();
    writeFileSync(join(env.root, "F.TXT"), "some text");
    let seed = 12345;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
    const implemented = [0x00, 0x01, 0x02, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0e, 0x19, 0x1a, 0x25, 0x2a, 0x2c, 0x2f, 0x30,
      0x33, 0x35, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x47, 0x48, 0x49, 0x4a, 0x4c, 0x4e, 0x4f, 0x62];
    for (let i = 0; i < 300; i++) {
      const ah = rnd(2) ? implemented[rnd(implemented.length)] : rnd(256);
      const ds = rnd(2) ? PSP_SEGMENT : rnd(0x10000);
      const dx = ds === PSP_SEGMENT && rnd(2) ? 0x200 : rnd(0x10000);
      env.dos.load(com([
        0xb8, ...w(rnd(0x10000)), // mov ax, random
        0x8e, 0xc0,               // mov es, ax
        0xb8, ...w(ds),           // mov ax, ds value
        0x8e, 0xd8,               // mov ds, ax
        0xbb, ...w(rnd(24)),      // mov bx, random (mostly a plausible handle)
        0xb9, ...w(rnd(2) ? rnd(0x10000) : rnd(64)), // mov cx, random
        0xba, ...w(dx),           // mov dx, dx value
        0xbe, ...w(rnd(0x10000)), // mov si, random
        0xb8, ...w((ah << 8) | rnd(256)), // mov ax, function
        0xcd, 0x21,               // int 21h
        0xcd, 0x20,               // int 20h
      ], { 0x200: asciz(["F.TXT", "NEW.TXT", "*.*", "..\\X", "SUB\\Y"][rnd(5)]) }));
      const r = runFor(env, 0.3);
      expect(["terminated", "timeout", "budget", "halt"]).toContain(r.reason);
    }
    expect(readdirSync(env.parent)).toEqual(["root"]);
  });
});

describe("DOS: the committed roms", () => {
  it("hello-com.com prints its greeting and exits with 0", () => {
    const env = setup();
    env.dos.load(readFileSync(romPath("hello-com.com")), "", "hello-com.com");
    expect(env.dos.run({ maxInstructions: 100_000 })).toMatchObject({ reason: "terminated", exitCode: 0 });
    expect(textScreen(env.pc)[0]).toBe("Hello from DOS on wasm86!");
  });

  it("fileio.com writes OUT.TXT, reads it back and prints it", () => {
    const env = setup();
    env.dos.load(readFileSync(romPath("fileio.com")), "", "fileio.com");
    expect(env.dos.run({ maxInstructions: 100_000 })).toMatchObject({ reason: "terminated", exitCode: 0 });
    const line = "Hello, file! Written by FILEIO.COM on wasm86.";
    expect(readFileSync(join(env.root, "OUT.TXT"), "latin1")).toBe(`${line}\r\n`);
    expect(textScreen(env.pc)[0]).toBe(`Read back: ${line}`);
  });

  it("fileio.com reports a failing call and exits with the DOS error code", () => {
    const env = setup();
    mkdirSync(join(env.root, "OUT.TXT")); // a directory cannot be created as a file
    env.dos.load(readFileSync(romPath("fileio.com")), "", "fileio.com");
    expect(env.dos.run({ maxInstructions: 100_000 })).toMatchObject({ reason: "terminated", exitCode: 5 });
    expect(textScreen(env.pc)[0]).toBe("fileio: create failed, error 0005h");
  });
});
