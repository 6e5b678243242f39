/**
 * pc/fuzz.test.ts — no guest byte sequence makes the PC throw: random boot
 * sectors that load random values into every register and call BIOS
 * services (INT 10h–1Ah with random AH/AL, pointers anywhere, huge counts)
 * mixed with random code, on both CPU models. Every run must end in a
 * defined state, within its budget plus the cost of the last BIOS call.
 */
import { describe, it, expect } from "vitest";
import { PC } from "../../src/pc/pc.js";
import { Disk } from "../../src/pc/disk.js";
import { mulberry32 } from "../support/mulberry32.js";


const VECTORS = [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1a, 0x1c, 0x08, 0x09];

/** A boot sector: repeatedly load random registers (incl. segments) and
 *  call a random BIOS vector; sometimes random bytes instead. */
function randomBootSector(rnd: () => number): Uint8Array {
  const b = new Uint8Array(512);
  let i = 0;
  const word = () => (rnd() * 0x10000) | 0;
  const emit = (...xs: number[]) => { for (const x of xs) if (i < 508) b[i++] = x & 0xff; };
  while (i < 480) {
    if (rnd() < 0.15) { emit(...Array.from({ length: 6 }, () => (rnd() * 256) | 0)); continue; }
    for (const op of [0xb8, 0xbb, 0xb9, 0xba, 0xbe, 0xbf, 0xbd]) if (rnd() < 0.7) { const w = word(); emit(op, w, w >> 8); } // mov r16, imm
    if (rnd() < 0.5) { const w = word(); emit(0xb8, w, w >> 8, 0x8e, 0xc0); }           // mov ax, imm; mov es, ax
    if (rnd() < 0.3) { const w = word(); emit(0xb8, w, w >> 8, 0x8e, 0xd8); }           // mov ax, imm; mov ds, ax
    const v = VECTORS[(rnd() * VECTORS.length) | 0];
    const ah = rnd() < 0.8 ? (rnd() * 0x20) | 0 : (rnd() * 256) | 0;
    emit(0xb4, ah, 0xcd, v);                                                             // mov ah, n; int v
  }
  b[510] = 0x55; b[511] = 0xaa;
  return b;
}

describe("PC fuzz", () => {
  for (const cpu of ["8086", "286"] as const) {
    it(`random BIOS calls with random registers never make the host throw (${cpu})`, () => {
      for (let seed = 1; seed <= 60; seed++) {
        const rnd = mulberry32(seed * 7919 + (cpu === "286" ? 1 : 0));
        const image = new Uint8Array(1440 * 1024);
        image.set(randomBootSector(rnd));
        for (let k = 512; k < image.length; k += 4099) image[k] = (rnd() * 256) | 0;
        const hd = rnd() < 0.5 ? new Disk("hard", new Uint8Array(2 * 1024 * 1024), "hd") : undefined;
        const pc = new PC({ cpu, floppy: new Disk("floppy", image, `seed${seed}`), hardDisk: hd, log: () => {} });
        pc.boot();
        let r;
        try {
          r = pc.run({ maxInstructions: 30_000, timeoutSeconds: 5 });
          if (rnd() < 0.5) { pc.pressKey(0x1c); pc.serialInput([0x41, 0x42]); r = pc.run({ maxInstructions: 10_000 }); }
        } catch (e) {
          throw new Error(`seed ${seed} (${cpu}): host threw ${(e as Error).stack}`);
        }
        expect(["halt", "budget", "timeout", "exit", "reset", "no-boot"], `seed ${seed}`).toContain(r.reason);
        // BIOS work is charged to the count, so the last call may overshoot
        // (a graphics-mode INT 10h AH=13h of FFFFh characters costs millions).
        expect(r.instructions, `seed ${seed}`).toBeLessThanOrEqual(30_000 + 10_000_000);
      }
    });
  }
});
