/**
 * roms.test.ts — the project's own guest programs (roms/*.bin) booted
 * headless, through `wasm86 boot` (the `cli` function with captured I/O) and
 * through the PC directly: the exact screen or debug-port output of each,
 * the pixels of the mode 13h picture, the PNG screenshot, the time that
 * passes while a program spins on the tick count or on port 3DAh, and that
 * two runs give the same output and the same instruction count.
 *
 * The layouts asserted here are documented in the header of each .asm file.
 */
import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { cli } from "../src/cli/main.js";
import { PC } from "../src/pc/pc.js";
import { Disk } from "../src/pc/disk.js";
import { textScreen } from "../src/pc/screen.js";

const romPath = (name: string) => fileURLToPath(new URL(`../roms/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "wasm86-roms-"));

interface Run { status: number; out: string; err: string; instructions: number | undefined }

/** `wasm86 ARGV` with stdout and stderr captured. A guest that never
 *  halts is stopped after 30 virtual seconds or 100 M instructions, and the
 *  tests then see "stopped: timeout" or "stopped: budget", not a hang.
 *  Always --headless (a headless run returns its status, not a promise). */
function run(...argv: string[]): Run {
  argv.push("--headless");
  if (!argv.includes("--timeout")) argv.push("--timeout", "30");
  if (!argv.includes("--max-instructions")) argv.push("--max-instructions", "100000000");
  let out = "", err = "";
  const text = (b: Uint8Array | string) => (typeof b === "string" ? b : Buffer.from(b).toString("latin1"));
  const status = cli(argv, { stdout: (b) => { out += text(b); }, stderr: (b) => { err += text(b); } });
  if (typeof status !== "number") throw new Error("a headless run must finish synchronously");
  const n = /^instructions: (\d+)/m.exec(err);
  return { status, out, err, instructions: n ? Number(n[1]) : undefined };
}

/** A PC with `name` in drive A:, booted. */
function boot(name: string): PC {
  const pc = new PC({ floppy: new Disk("floppy", readFileSync(romPath(name)), name) });
  pc.boot();
  return pc;
}

/** The stats line "stopped: REASON". */
const stopped = (r: Run) => /^stopped: (\w+)/m.exec(r.err)?.[1];

/** Decode a PNG written by src/pc/video/png.ts (8-bit RGBA, filter 0). */
function decodePng(png: Uint8Array): { width: number; height: number; rgb: (x: number, y: number) => number[] } {
  const b = Buffer.from(png);
  expect([...b.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let width = 0, height = 0;
  const idat: Buffer[] = [];
  for (let o = 8; o < b.length;) {
    const len = b.readUInt32BE(o);
    const type = b.toString("latin1", o + 4, o + 8);
    const data = b.subarray(o + 8, o + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]); // 8-bit RGBA
    }
    if (type === "IDAT") idat.push(data);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  expect(raw.length).toBe(height * stride);
  return {
    width, height,
    rgb: (x, y) => {
      expect(raw[y * stride]).toBe(0); // filter type 0
      const i = y * stride + 1 + x * 4;
      return [raw[i], raw[i + 1], raw[i + 2]];
    },
  };
}

// ---------------------------------------------------------------- textdemo

/** One row of the textdemo box: border, two blanks, text, border. */
const boxRow = (text = "") => `${" ".repeat(10)}║${`  ${text}`.padEnd(56)}║`;
const columns = (cell: (i: number) => string) => Array.from({ length: 16 }, (_, i) => cell(i)).join("");

const TEXTDEMO = [
  "", "", "", "",
  `${" ".repeat(10)}╔${"═".repeat(17)} wasm86 text-mode demo ${"═".repeat(16)}╗`,
  boxRow(),
  boxRow("16 foreground colours (attribute 0Xh):"),
  boxRow(columns((i) => `${i.toString(16).toUpperCase()}  `)),
  boxRow(columns(() => "██ ")),
  boxRow(),
  boxRow("16 background colours (attribute X0h, blink off):"),
  boxRow(),
  boxRow(),
  boxRow("write string AL=02h: wasm86"),
  boxRow(),
  boxRow("teletype keeps the attribute"),
  boxRow(),
  boxRow(),
  `${" ".repeat(10)}╚${"═".repeat(56)}╝`,
].map((l) => l.trimEnd());

describe("textdemo.bin", () => {
  it("draws the box, title and colour bars with INT 10h and halts", () => {
    const rawFile = join(tmp, "textdemo.raw");
    const r = run("boot", romPath("textdemo.bin"), "--screen", "--screen-raw", rawFile, "--stats");
    expect(r.status).toBe(0);
    expect(stopped(r)).toBe("halt");
    expect(r.err).not.toMatch(/unsupported/i);
    expect(r.out).toBe(TEXTDEMO.join("\n") + "\n");

    const raw = readFileSync(rawFile);
    expect(raw.length).toBe(80 * 25 * 2);
    const cell = (row: number, col: number) => [raw[(row * 80 + col) * 2], raw[(row * 80 + col) * 2 + 1]];
    const attr = (row: number, col: number) => cell(row, col)[1];
    // The screen, the shadow (one row down, two columns right) and the box.
    expect(cell(0, 0)).toEqual([0x20, 0x17]);
    expect(cell(24, 79)).toEqual([0x20, 0x17]);
    expect(cell(4, 9)).toEqual([0x20, 0x17]);
    expect(cell(19, 11)).toEqual([0x20, 0x17]);
    expect(cell(19, 12)).toEqual([0x20, 0x08]);
    expect(cell(19, 69)).toEqual([0x20, 0x08]);
    expect(cell(5, 68)).toEqual([0x20, 0x08]);
    expect(cell(4, 68)).toEqual([0x20, 0x17]);
    expect(cell(20, 69)).toEqual([0x20, 0x17]);
    expect(cell(4, 10)).toEqual([0xc9, 0x70]);
    expect(cell(4, 67)).toEqual([0xbb, 0x70]);
    expect(cell(18, 10)).toEqual([0xc8, 0x70]);
    expect(cell(18, 67)).toEqual([0xbc, 0x70]);
    expect(cell(17, 67)).toEqual([0xba, 0x70]);
    expect(cell(12, 40)).toEqual([0x20, 0x70]);
    // The title in 1Fh, the text in 70h.
    for (let c = 28; c < 28 + 23; c++) expect(attr(4, c)).toBe(0x1f);
    expect(attr(4, 27)).toBe(0x70);
    expect(attr(4, 51)).toBe(0x70);
    expect(attr(6, 13)).toBe(0x70);
    // The bars: █ in attribute 0Xh, blanks in attribute X0h, and the gaps.
    for (let i = 0; i < 16; i++) {
      const c = 13 + 3 * i;
      expect(cell(7, c)).toEqual([i.toString(16).toUpperCase().charCodeAt(0), 0x70]);
      expect(cell(8, c)).toEqual([0xdb, i]);
      expect(cell(8, c + 1)).toEqual([0xdb, i]);
      expect(cell(8, c + 2)).toEqual([0x20, 0x70]);
      expect(cell(11, c)).toEqual([0x20, i << 4]);
      expect(cell(11, c + 1)).toEqual([0x20, i << 4]);
      expect(cell(11, c + 2)).toEqual([0x20, 0x70]);
    }
    // AH=13h AL=02h: one attribute per character.
    const word = [34, 35, 36, 37, 38, 39].map((c) => cell(13, c));
    expect(word).toEqual([[0x77, 0x0c], [0x61, 0x0e], [0x73, 0x0a], [0x6d, 0x0b], [0x38, 0x09], [0x36, 0x0d]]);
    // Teletype in a text mode writes characters only: the box's 70h stays.
    for (let c = 13; c < 13 + 28; c++) expect(attr(15, c)).toBe(0x70);
  });

  it("leaves the cursor after the teletype text, in the BDA and in the CRTC", () => {
    const pc = boot("textdemo.bin");
    expect(pc.run({ maxInstructions: 100_000 }).reason).toBe("halt");
    expect(pc.video.cursor(0)).toEqual({ row: 15, col: 41 });
    expect(pc.vga.cursorLocation).toBe(15 * 80 + 41);
    expect(pc.machine.readByte(0x449)).toBe(0x03);
    expect(textScreen(pc).slice(0, TEXTDEMO.length)).toEqual(TEXTDEMO);
  });
});

// ----------------------------------------------------------------- keyecho

describe("keyecho.bin", () => {
  it("echoes keys, shows scan codes of arrows and F-keys, Enter is CR LF, Esc says bye", () => {
    const keys = "hi{up}{enter}{f1}x{left}{down}{right}{f10}{enter}ab{bs}c{enter}{esc}";
    const r = run("boot", romPath("keyecho.bin"), "--keys", keys, "--screen", "--stats");
    expect(r.status).toBe(0);
    expect(stopped(r)).toBe("halt");
    expect(r.out).toBe([
      "keyecho: type keys, Esc quits",
      "hi[48]",
      "[3B]x[4B][50][4D][44]",
      "ac",
      "bye",
    ].join("\n") + "\n");
  });

  it("Esc in the middle of a line starts a new one; shifted keys echo shifted", () => {
    const r = run("boot", romPath("keyecho.bin"), "--keys", "Q!{home}\\e", "--screen");
    expect(r.status).toBe(0);
    expect(r.out).toBe("keyecho: type keys, Esc quits\nQ![47]\nbye\n");
  });

  it("without keys it sleeps in INT 16h until the timeout, showing only the prompt", () => {
    const r = run("boot", romPath("keyecho.bin"), "--timeout", "0.5", "--screen", "--stats");
    expect(r.status).toBe(0);
    expect(stopped(r)).toBe("timeout");
    expect(r.out).toBe("keyecho: type keys, Esc quits\n");
    expect(r.instructions).toBeLessThan(10_000); // asleep in HLT, not spinning
  });
});

// ------------------------------------------------------------------ mode13

/** The mode 13h picture as mode13.asm documents it, without the caption
 *  (text row 23, col 24 … 31: x 192-255, y 184-191). */
function mode13Model(): Uint8Array {
  const px = new Uint8Array(320 * 200);
  for (let y = 0; y < 40; y++) for (let x = 0; x < 320; x++) px[y * 320 + x] = Math.floor(x / 20);
  for (let y = 48; y < 64; y++) for (let c = 0; c < 256; c++) px[y * 320 + 32 + c] = c;
  for (let t = 0; t < 128; t++) px[(72 + t) * 320 + 20 + t] = 0x0f;
  for (let y = 80; y < 160; y++) for (let x = 180; x < 260; x++) px[y * 320 + x] = 0x28;
  for (let x = 288; x < 320; x += 4) px[180 * 320 + x] = 0x0a;
  return px;
}
const inCaption = (x: number, y: number) => x >= 192 && x < 256 && y >= 184 && y < 192;

describe("mode13.bin", () => {
  it("draws the picture in A000h, waits for a key, then halts", () => {
    const pc = boot("mode13.bin");
    // Drawn, then asleep in INT 16h: the run only ends at the timeout.
    const first = pc.run({ timeoutSeconds: 0.3 });
    expect(first.reason).toBe("timeout");
    expect(pc.machine.readByte(0x449)).toBe(0x13);
    const vram = pc.machine.read(0xa0000, 320 * 200);
    const model = mode13Model();
    const wrong: string[] = [];
    let caption = 0;
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 320; x++) {
        const v = vram[y * 320 + x];
        if (inCaption(x, y)) {
          expect([0x00, 0x0f]).toContain(v);
          if (v) caption++;
        } else if (v !== model[y * 320 + x] && wrong.length < 5) {
          wrong.push(`(${x},${y})=${v.toString(16)} want ${model[y * 320 + x].toString(16)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // "mode 13h" in the 8×8 font: 7 glyphs' worth of white pixels.
    expect(caption).toBeGreaterThan(100);
    expect(caption).toBeLessThan(400);
    // A few spot checks that read as the documentation does.
    const at = (x: number, y: number) => vram[y * 320 + x];
    expect([at(0, 0), at(25, 20), at(319, 39), at(319, 40)]).toEqual([0x00, 0x01, 0x0f, 0x00]);
    expect([at(32, 50), at(32 + 0x28, 50), at(287, 63), at(288, 63)]).toEqual([0x00, 0x28, 0xff, 0x00]);
    expect([at(20, 72), at(147, 199), at(21, 72)]).toEqual([0x0f, 0x0f, 0x00]);
    expect([at(180, 80), at(259, 159), at(260, 159), at(179, 80)]).toEqual([0x28, 0x28, 0x00, 0x00]);
    expect([at(288, 180), at(316, 180), at(289, 180)]).toEqual([0x0a, 0x0a, 0x00]);

    pc.pressKey(0x39); // Space
    const second = pc.run({ maxInstructions: 100_000 });
    expect(second.reason).toBe("halt");
    expect(second.message).toMatch(/halted with interrupts disabled/);
    expect([...pc.machine.read(0xa0000, 320 * 200)]).toEqual([...vram]); // the picture stays
  });

  it("--screenshot writes a 320×200 PNG in the default VGA palette", () => {
    const p = join(tmp, "mode13.png");
    const r = run("boot", romPath("mode13.bin"), "--keys", "x", "--screenshot", p, "--stats");
    expect(r.status).toBe(0);
    expect(stopped(r)).toBe("halt");
    const png = decodePng(readFileSync(p));
    expect([png.width, png.height]).toEqual([320, 200]);
    expect(png.rgb(0, 0)).toEqual([0, 0, 0]);           // bar 0: black
    expect(png.rgb(30, 10)).toEqual([0, 0, 170]);       // bar 1: blue
    expect(png.rgb(130, 10)).toEqual([170, 85, 0]);     // bar 6: brown
    expect(png.rgb(290, 10)).toEqual([255, 255, 85]);   // bar 14: yellow
    expect(png.rgb(300, 39)).toEqual([255, 255, 255]);  // bar 15: white
    expect(png.rgb(32 + 0x20, 50)).toEqual([0, 0, 255]); // DAC 20h: the hue ring starts at blue
    expect(png.rgb(200, 100)).toEqual([255, 0, 0]);     // the rectangle, DAC 28h
    expect(png.rgb(20 + 50, 72 + 50)).toEqual([255, 255, 255]); // the diagonal
    expect(png.rgb(292, 180)).toEqual([85, 255, 85]);   // an INT 10h AH=0Ch dot
  });
});

// ------------------------------------------------------------------- timer

describe("timer.bin", () => {
  it("spinning on the tick count and on 3DAh progresses in virtual time", () => {
    const pc = boot("timer.bin");
    const ticks = () => pc.machine.read(0x46c, 4).reduce((v, b, i) => v + b * 2 ** (8 * i), 0);
    const screen = () => textScreen(pc).join("\n");
    // Phase 1: the tick loop. It needs 18 IRQ0s while the CPU spins.
    const a = pc.run({ until: () => screen().includes("tick ok"), timeoutSeconds: 3 });
    expect(a.reason).toBe("until");
    const t1 = pc.clock.nowNs() / 1e9;
    // Booted at t = 0 with the count at 0: synced to tick 1, then 18 more.
    // (`until` is checked between scheduler slices, so t1 is a little late.)
    expect(t1).toBeGreaterThanOrEqual(19 / 18.2065);
    expect(t1).toBeLessThan(20 / 18.2065);
    const ticks1 = ticks();
    expect(ticks1 === 19 || ticks1 === 20).toBe(true);
    // Phase 2: 60 retrace starts at 60 Hz of virtual time.
    const b = pc.run({ timeoutSeconds: 4 });
    expect(b.reason).toBe("halt");
    const t2 = pc.clock.nowNs() / 1e9;
    expect(t2 - t1).toBeGreaterThan(59 / 60 - 0.015);
    expect(t2 - t1).toBeLessThan(60 / 60 + 0.015);
    expect(ticks() - ticks1).toBeGreaterThanOrEqual(17);
    expect(ticks() - ticks1).toBeLessThanOrEqual(19);
    expect(textScreen(pc).slice(0, 3)).toEqual(["18 ticks... tick ok", "60 retraces... retrace ok", ""]);

    // The CLI run is the same run: same screen, same instruction count.
    const r = run("boot", romPath("timer.bin"), "--screen", "--stats");
    expect(r.status).toBe(0);
    expect(stopped(r)).toBe("halt");
    expect(r.out).toBe("18 ticks... tick ok\n60 retraces... retrace ok\n");
    expect(r.instructions).toBe(pc.machine.instructionCount);
    expect(r.err).toMatch(/virtual time: 2\.0\d\d s/);
  });
});

// --------------------------------------------------- the older programs

const PRIMES = `2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89
97 101 103 107 109 113 127 131 137 139 149 151 157 163 167 173 179 181
191 193 197 199 211 223 227 229 233 239 241 251 257 263 269 271 277
281 283 293 307 311 313 317 331 337 347 349 353 359 367 373 379 383
389 397 401 409 419 421 431 433 439 443 449 457 461 463 467 479 487
491 499 503 509 521 523 541 547 557 563 569 571 577 587 593 599 601
607 613 617 619 631 641 643 647 653 659 661 673 677 683 691 701 709
719 727 733 739 743 751 757 761 769 773 787 797 809 811 821 823 827
829 839 853 857 859 863 877 881 883 887 907 911 919 929 937 941 947
953 967 971 977 983 991 997
168 primes
`;

describe("boot-hello.bin, hello.bin, primes.bin", () => {
  it("boot-hello prints through the BIOS and echoes the key", () => {
    const r = run("boot", romPath("boot-hello.bin"), "--keys", "Z", "--screen", "--stats");
    expect(r.status).toBe(0);
    expect(stopped(r)).toBe("halt");
    expect(r.out).toBe("Hello from the BIOS! drive=00 mem=640K\nPress a key: Z\n");
  });

  it("hello prints on the debug console and leaves the screen blank", () => {
    const r = run("boot", romPath("hello.bin"), "--debugcon", "stdio", "--screen", "--stats");
    expect(r.status).toBe(0);
    expect(r.out).toBe("Hello from wasm86!\n\n"); // the debug text, then an empty screen
    expect(r.instructions).toBe(109);
  });

  it("primes prints the 168 primes below 1000 on the debug console", () => {
    const r = run("boot", romPath("primes.bin"), "--debugcon", "stdio", "--stats");
    expect(r.status).toBe(0);
    expect(r.out).toBe(PRIMES);
    expect(r.instructions).toBe(19_772);
  });
});

describe("cpu386.bin", () => {
  it("runs the 386's instructions as QEMU does (expected output captured from QEMU 7.2 + SeaBIOS)", () => {
    const r = run("boot", romPath("cpu386.bin"), "--debugcon", "stdio", "--stats");
    expect(r.status).toBe(0);
    expect(stopped(r)).toBe("halt");
    expect(r.out).toBe("386 GenuineIntel\r\ncrc 414FA339 fact 479001600 \r\nbits 13 0 31 1 shld 456789ABCDEF0123 ok\r\n");
  });

  it("prints the same on the screen through INT 10h", () => {
    const r = run("boot", romPath("cpu386.bin"), "--screen");
    expect(r.out).toBe("386 GenuineIntel\ncrc 414FA339 fact 479001600\nbits 13 0 31 1 shld 456789ABCDEF0123 ok\n");
  });
});

// ------------------------------------------------------------ determinism

describe("determinism", () => {
  const cases: [string, string[]][] = [
    ["textdemo.bin", ["--screen"]],
    ["keyecho.bin", ["--keys", "abc{up}{f2}\\n{pgdn}x\\e", "--screen"]],
    ["mode13.bin", ["--keys", "{enter}", "--screenshot", "SHOT"]],
    ["boot-hello.bin", ["--keys", "k", "--screen"]],
    ["primes.bin", ["--debugcon", "stdio"]],
    ["cpu386.bin", ["--debugcon", "stdio"]],
  ];
  for (const [name, args] of cases) {
    it(`${name}: two runs give identical output and instruction counts`, () => {
      const once = (i: number) => {
        const shot = join(tmp, `det-${name}-${i}.png`);
        const r = run("boot", romPath(name), ...args.map((a) => (a === "SHOT" ? shot : a)), "--stats");
        return { r, png: args.includes("SHOT") ? readFileSync(shot) : undefined };
      };
      const a = once(1), b = once(2);
      expect(a.r.status).toBe(0);
      expect(stopped(a.r)).toBe("halt");
      expect(a.r.instructions).toBeGreaterThan(0);
      expect(b.r.out).toBe(a.r.out);
      expect(b.r.instructions).toBe(a.r.instructions);
      expect(b.r.err.match(/virtual time: \S+/)?.[0]).toBe(a.r.err.match(/virtual time: \S+/)?.[0]);
      if (a.png) expect(Buffer.compare(a.png, b.png!)).toBe(0);
    });
  }
});

// ------------------------------------------------------------------ images

describe("the rom images", () => {
  it("each is a 512-byte boot sector ending in 55AAh, with its source next to it", () => {
    for (const name of ["textdemo", "keyecho", "mode13", "timer", "boot-hello", "hello", "primes"]) {
      const bin = readFileSync(romPath(`${name}.bin`));
      expect(bin.length, name).toBe(512);
      expect([bin[510], bin[511]], name).toEqual([0x55, 0xaa]);
      expect(readFileSync(romPath(`${name}.asm`), "utf8"), name).toMatch(/^;[^]*^\s*cpu\s+8086\s*$/m);
    }
    const c386 = readFileSync(romPath("cpu386.bin"));
    expect([c386.length, c386[510], c386[511]]).toEqual([512, 0x55, 0xaa]);
    expect(readFileSync(romPath("cpu386.asm"), "utf8")).toMatch(/^;[^]*^\s*cpu\s+386\s*$/m);
  });
});
