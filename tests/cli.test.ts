/**
 * cli.test.ts — `wasm86` as users drive it: booting the project's boot
 * sectors headless, scripted keys, screen and serial output, exit statuses,
 * and clear one-line errors (status 2) for bad input.
 */
import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cli } from "../src/cli/main.js";

const rom = (name: string) => fileURLToPath(new URL(`../roms/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "wasm86-cli-"));

function run(...argv: string[]): { status: number; out: string; err: string } {
  let out = "", err = "";
  const text = (b: Uint8Array | string) => (typeof b === "string" ? b : Buffer.from(b).toString("latin1"));
  const status = cli(argv, { stdout: (b) => { out += text(b); }, stderr: (b) => { err += text(b); } }) as number;
  return { status, out, err };
}

/** A 512-byte boot sector from code bytes. */
function bootSector(code: number[]): string {
  const img = new Uint8Array(512);
  img.set(code);
  img[510] = 0x55; img[511] = 0xaa;
  const p = join(tmp, `bs-${code.length}-${code[0]}-${code.at(-1)}.img`);
  writeFileSync(p, img);
  return p;
}

describe("wasm86 boot", () => {
  it("boots a boot sector headless, types the scripted key and prints the screen", () => {
    const r = run("boot", rom("boot-hello.bin"), "--keys", "q", "--screen");
    expect(r.status).toBe(0);
    expect(r.out).toBe("Hello from the BIOS! drive=00 mem=640K\nPress a key: q\n");
  });

  it("runs a bare-metal rom and shows its debug-port output", () => {
    const r = run("boot", rom("hello.bin"), "--debugcon", "stdio");
    expect(r.status).toBe(0);
    expect(r.out).toBe("Hello from wasm86!\n");
  });

  it("--until stops when the text appears on screen", () => {
    const r = run("boot", rom("boot-hello.bin"), "--until", "Press a key", "--stats");
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/stopped: until/);
    expect(r.err).toMatch(/INT 10h AH=0Eh/);
  });

  it("--max-instructions bounds a guest waiting forever", () => {
    const r = run("boot", rom("boot-hello.bin"), "--max-instructions", "50000", "--stats");
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/stopped: budget/);
    expect(r.err).toMatch(/instructions: 50000 /);
  });

  it("--timeout is virtual time: a spinning guest stops after that many virtual seconds", () => {
    const r = run("boot", bootSector([0xfb, 0xeb, 0xfe]), "--timeout", "0.5", "--stats"); // sti; jmp $
    expect(r.err).toMatch(/stopped: timeout/);
    expect(r.err).toMatch(/virtual time: 0\.5\d\d s/);
  });

  it("serial output goes to a file with --serial file:PATH", () => {
    // mov dx,3F8h; mov al,'S'; out dx,al; mov al,'!'; out dx,al; cli; hlt
    const img = bootSector([0xba, 0xf8, 0x03, 0xb0, 0x53, 0xee, 0xb0, 0x21, 0xee, 0xfa, 0xf4]);
    const out = join(tmp, "serial.txt");
    expect(run("boot", img, "--serial", `file:${out}`).status).toBe(0);
    expect(readFileSync(out, "latin1")).toBe("S!");
  });

  it("isa-debug-exit: the exit status is (value << 1) | 1", () => {
    // mov dx,501h; mov al,3; out dx,al; cli; hlt
    const r = run("boot", bootSector([0xba, 0x01, 0x05, 0xb0, 0x03, 0xee, 0xfa, 0xf4]));
    expect(r.status).toBe(7);
  });

  it("writes a PNG screenshot", () => {
    const p = join(tmp, "shot.png");
    expect(run("boot", rom("boot-hello.bin"), "--keys", "x", "--screenshot", p).status).toBe(0);
    const png = readFileSync(p);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(640); // IHDR width: 80 columns × 8
  });

  it("two runs give the same screen and the same instruction count", () => {
    const a = run("boot", rom("primes.bin"), "--debugcon", "stdio", "--stats");
    const b = run("boot", rom("primes.bin"), "--debugcon", "stdio", "--stats");
    expect(a.out).toContain("168 primes");
    expect(a.out).toBe(b.out);
    expect(a.err.match(/instructions: \d+/)?.[0]).toBe(b.err.match(/instructions: \d+/)?.[0]);
  });
});

describe("wasm86 run (DOS .COM)", () => {
  it("runs a .COM that prints with INT 21h and exits with its code", () => {
    const r = run("run", rom("hello-com.com"), "--screen");
    expect(r.status).toBe(0);
    expect(r.out.split("\n")[0]).toBe("Hello from DOS on wasm86!");
  });
  it("file I/O stays inside --dir", () => {
    const dir = mkdtempSync(join(tmp, "dos-"));
    const r = run("run", rom("fileio.com"), "--dir", dir, "--screen");
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, "OUT.TXT"), "latin1")).toMatch(/^Hello, file!/);
  });
  it("the exit code of INT 21h AH=4Ch is the status; bad programs are one-line errors", () => {
    // mov ax, 4C2Ah; int 21h
    const p = join(tmp, "exit42.com"); writeFileSync(p, Uint8Array.of(0xb8, 0x2a, 0x4c, 0xcd, 0x21));
    expect(run("run", p).status).toBe(42);
    const big = join(tmp, "big.com"); writeFileSync(big, new Uint8Array(65_281));
    const r = run("run", big);
    expect(r.status).toBe(2);
    expect(r.err.split("\n")[0]).toMatch(/^wasm86: .*65,?280/);
    expect(run("run").err).toMatch(/run needs a program/);
  });
});

describe("wasm86 --trace and disasm", () => {
  it("--trace=N prints the first N executed instructions with the registers before each", () => {
    const r = run("boot", rom("hello.bin"), "--trace=5", "--debugcon", "stdio", "--cpu", "286");
    expect(r.status).toBe(0);
    expect(r.out).toBe("Hello from wasm86!\n"); // the run itself goes on to the end
    const lines = r.err.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^0000:7C00  FA {16}cli {2,}AX=0000 BX=0000 CX=0000 DX=0000 SI=0000 DI=0000 BP=0000 SP=7C00 DS=0000 ES=0000 SS=0000 FL=\w{4}$/);
    expect(lines[1]).toMatch(/^0000:7C01  EA067C0000 {8}jmp 0x0:0x7c06 /);
    expect(lines[2]).toMatch(/^0000:7C06  31C0 {14}xor ax,ax /);
    // The 386 shows the 32-bit registers and FS/GS.
    const w = run("boot", rom("cpu386.bin"), "--trace=40", "--max-instructions", "40");
    expect(w.err).toMatch(/^0000:7C15  8EE0 {14}mov fs,ax {2,}EAX=00000800 .* FS=0000 GS=0000 FL=\w{4}$/m);
  });

  it("--trace alone traces (up to its default), and a bad N is a usage error", () => {
    const r = run("boot", rom("hello.bin"), "--trace", "--debugcon", "stdio");
    expect(r.status).toBe(0);
    expect(r.err.trimEnd().split("\n")).toHaveLength(109); // every instruction hello.bin runs
    const bad = run("boot", rom("hello.bin"), "--trace=0");
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/--trace must be a positive integer/);
  });

  it("disasm lists a file in NASM syntax at an origin, as ndisasm does", () => {
    const r = run("disasm", rom("cpu386.bin"), "--org", "7C00h");
    expect(r.status).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("00007C00  FA                cli");
    expect(lines[1]).toBe("00007C01  EA067C0000        jmp 0x0:0x7c06");
    expect(r.out).toMatch(/^00007C\w\w {2}0FA2 {14}cpuid$/m);
    expect(r.out).toMatch(/^00007C\w\w {2}660FA4D810 {8}shld eax,ebx,0x10$/m);
  });

  it("disasm: bad input is one line and status 2", () => {
    for (const argv of [["disasm"], ["disasm", join(tmp, "missing.bin")], ["disasm", rom("hello.bin"), "--org", "zz"],
      ["disasm", rom("hello.bin"), "--cpu", "486"], ["disasm", rom("hello.bin"), "--bogus"]]) {
      const r = run(...argv);
      expect(r.status, argv.join(" ")).toBe(2);
      expect(r.err.trimEnd().split("\n"), argv.join(" ")).toHaveLength(1);
    }
  });
});

describe("wasm86 --engine jit", () => {
  it("runs the same guest to the same output and count, and --stats shows the translator", async () => {
    const interp = run("boot", rom("primes.bin"), "--debugcon", "stdio", "--stats");
    let out = "", err = "";
    const text = (b: Uint8Array | string) => (typeof b === "string" ? b : Buffer.from(b).toString("latin1"));
    const status = await cli(["boot", rom("primes.bin"), "--debugcon", "stdio", "--stats", "--engine", "jit", "--jit-threshold", "0"],
      { stdout: (b) => { out += text(b); }, stderr: (b) => { err += text(b); } });
    expect(status).toBe(0);
    expect(out).toBe(interp.out);
    expect(err.match(/instructions: (\d+)/)?.[1]).toBe(interp.err.match(/instructions: (\d+)/)?.[1]);
    expect(err).toMatch(/translator \(engine jit\):\n {2}blocks compiled [1-9]/);
    expect(err).toMatch(/instructions in translated code \d+ \(\d+\.\d%\)/);
  });

  it("every translator knob gives the same output and count", async () => {
    const interp = run("boot", rom("bench-crc.bin"), "--debugcon", "stdio", "--stats");
    for (const knob of [["--no-if-conversion"], ["--no-wasm-loops"], ["--no-region-entries"], ["--no-access-groups"], ["--no-stack-window"], ["--no-loop-regions"], ["--no-flag-elision"], ["--jit-max-region", "4"], ["--no-region"], ["--jit-background"]]) {
      const r = run("boot", rom("bench-crc.bin"), "--debugcon", "stdio", "--stats", "--engine", "jit", ...knob);
      expect(r.status, knob.join(" ")).toBe(0);
      expect(r.out, knob.join(" ")).toBe(interp.out);
      expect(r.err.match(/instructions: (\d+)/)?.[1], knob.join(" ")).toBe(interp.err.match(/instructions: (\d+)/)?.[1]);
      if (knob[0] === "--jit-background") expect(r.err).toMatch(/in the background: [1-9]\d* requests/);
    }
  });

  it("bad engine options are usage errors", () => {
    for (const argv of [["--engine", "dynarec"], ["--jit-opt", "9"], ["--jit-max-block", "0"], ["--jit-threshold", "-1"], ["--jit-max-region", "x"]]) {
      const r = run("boot", rom("hello.bin"), ...argv);
      expect(r.status, argv.join(" ")).toBe(2);
    }
  });
});

describe("wasm86 errors", () => {
  const usage = (r: { status: number; err: string }, pattern: RegExp) => {
    expect(r.status).toBe(2);
    expect(r.err.split("\n")[0]).toMatch(pattern);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  };
  it("missing, empty and unsigned images", () => {
    usage(run("boot", join(tmp, "nope.img")), /^wasm86: floppy image not found: /);
    const empty = join(tmp, "empty.img"); writeFileSync(empty, "");
    usage(run("boot", empty), /^wasm86: floppy image is empty: /);
    const odd = join(tmp, "odd.img"); writeFileSync(odd, new Uint8Array(1474561));
    usage(run("boot", odd), /is not a floppy size/);
    const unsigned = join(tmp, "unsigned.img"); writeFileSync(unsigned, new Uint8Array(512));
    const r = run("boot", unsigned);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/not bootable \(no 55AAh signature/);
  });
  it("unknown flags, commands and bad values", () => {
    usage(run("boot", rom("hello.bin"), "--frobnicate"), /Unknown option '--frobnicate'/);
    usage(run("explode"), /unknown command "explode"/);
    usage(run("boot", rom("hello.bin"), "--max-instructions=-5"), /--max-instructions must be a positive integer/);
    usage(run("boot", rom("hello.bin"), "--timeout", "soon"), /--timeout must be a positive number/);
    usage(run("boot", rom("hello.bin"), "--cpu", "z80"), /unknown --cpu "z80"/);
    usage(run("boot", rom("hello.bin"), "--keys", "{warp}"), /unknown key \{warp\}/);
    usage(run("boot", rom("hello.bin"), "--serial", "tcp:1"), /--serial must be stdio or file:PATH/);
    usage(run("boot"), /boot needs an image/);
  });
  it("--help prints the usage and exits 0", () => {
    const r = run("--help");
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^wasm86 — an x86 real-mode PC emulator/);
  });
});

describe("terminal input", () => {
  it("maps terminal bytes and escape sequences to set-1 keys", async () => {
    const { terminalKeys } = await import("../src/cli/terminal.js");
    expect(terminalKeys("aZ\r\x1b[A\x1bOP\x03")).toEqual([
      { code: 0x1e, shift: false },             // a
      { code: 0x2c, shift: true },              // Z
      { code: 0x1c, shift: false },             // Enter
      { code: 0xe048, shift: false },           // Up
      { code: 0x3b, shift: false },             // F1
      { code: 0x2e, shift: false, ctrl: true }, // Ctrl+C
    ]);
  });
});

describe("wasm86 boot --write", () => {
  it("disk writes reach the image file only with --write", () => {
    // Write sector 2 from 0000:7C00 (this boot sector): mov ax,0301h;
    // mov cx,0002h; xor dx,dx; mov bx,7C00h; int 13h; cli; hlt
    const code = [0xb8, 0x01, 0x03, 0xb9, 0x02, 0x00, 0x31, 0xd2, 0xbb, 0x00, 0x7c, 0xcd, 0x13, 0xfa, 0xf4];
    const img = new Uint8Array(1440 * 1024);
    img.set(code); img[510] = 0x55; img[511] = 0xaa;
    const p = join(tmp, "writable.img");
    writeFileSync(p, img);
    expect(run("boot", p).status).toBe(0);
    expect(readFileSync(p).subarray(512, 512 + code.length).every((b) => b === 0)).toBe(true);
    expect(run("boot", p, "--write").status).toBe(0);
    expect([...readFileSync(p).subarray(512, 512 + code.length)]).toEqual(code);
  });
});
