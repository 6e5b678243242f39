/**
 * differential.test.ts — the translator against the interpreter: the same
 * guest code under engine "interp" and engine "jit" must end in the same
 * registers, memory, output and instruction count, however the run is
 * sliced. Covers the compute roms, the boot-sector roms on the PC, the
 * 386 differential images (thousands of instruction forms), and
 * self-modifying code. (The whole hardware corpus also runs translated:
 * `npm run conformance -- --engine jit`.)
 */
import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Machine, loadJit, type CpuModel, type Engine } from "../../src/index.js";
import type { JitOptions } from "../../src/jit/engine.js";
import { runBare } from "../../src/bare.js";
import { PC } from "../../src/pc/pc.js";
import { Disk } from "../../src/pc/disk.js";
import { parseKeys, typeKey } from "../../src/cli/keys.js";
import { mulberry32 } from "../support/mulberry32.js";

await loadJit();

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const rom = (name: string) => readFileSync(here(`../../roms/${name}`));

/** Everything observable about a machine, for comparison. */
function snapshot(m: Machine): { regs: unknown; regs32: unknown; count: number; mem: string } {
  const mem = m.read(0, 0x110000);
  let h = 0x811c9dc5;
  for (let i = 0; i < mem.length; i++) h = Math.imul(h ^ mem[i], 0x01000193);
  return { regs: m.registers, regs32: m.registers32, count: m.instructionCount, mem: (h >>> 0).toString(16) };
}

describe("jit vs interpreter: compute roms", () => {
  for (const name of ["bench-crc.bin", "bench-mandel.bin", "bench-mix.bin", "bench-sieve.bin", "bench-string.bin", "primes.bin"]) {
    it(`${name}: same output, registers, memory and count after 3,000,000 instructions, sliced`, () => {
      const out: Record<Engine, string> = { interp: "", jit: "" };
      const snaps = (["interp", "jit"] as const).map((engine) => {
        const m = new Machine({ cpu: "8086", engine, jit: { threshold: 2 } });
        m.registerPort(0xe9, { write: (_p, _s, v) => { out[engine] += String.fromCharCode(v); } });
        m.load(0x7c00, rom(name));
        m.setRegisters({ cs: 0, ip: 0x7c00, ss: 0, sp: 0x7c00 });
        // Uneven slices: blocks must not run past a budget.
        for (const n of [1, 7, 1000, 12_345, 99_999, 2_886_648]) m.run({ maxInstructions: n });
        // Most of the run happened in translated code.
        if (engine === "jit") expect(m.jitStats!.translatedInstructions).toBeGreaterThan(m.instructionCount / 2);
        return snapshot(m);
      });
      expect(snaps[1]).toEqual(snaps[0]);
      expect(out.jit).toBe(out.interp);
    });
  }
});

describe("jit vs interpreter: boot sectors on the PC", () => {
  const cases: [string, CpuModel, string][] = [
    ["textdemo.bin", "286", ""], ["mode13.bin", "286", "\\n"], ["cpu386.bin", "386", ""], ["keyecho.bin", "8086", "hi{up}\\n\\e"],
  ];
  // The third run translates in the worker (background.ts), each reply
  // awaited where it was asked for: the same translations, the same run.
  const configs = [["interp", {}], ["jit", {}], ["jit", { background: true, backgroundWait: true }]] as const;
  for (const [name, cpu, keys] of cases) {
    it(`${name} (${cpu}): same video memory and instruction count, translating at once and in the worker`, () => {
      const results = configs.map(([engine, jit]) => {
        const img = new Uint8Array(1474560);
        img.set(rom(name));
        const pc = new PC({ cpu, engine, jit: { threshold: 0, ...jit }, floppy: new Disk("floppy", img, name) });
        pc.boot();
        const queue = parseKeys(keys);
        let k = 0;
        const r = pc.run({
          maxInstructions: 3_000_000,
          until: () => {
            if (k < queue.length && pc.keyboard.pendingScancodes === 0 && !pc.keyboardBios.hasKey) typeKey(pc.keyboard, queue[k++]);
            return false;
          },
        });
        const s = pc.machine.jitStats;
        const code = s && { regions: s.regionsCompiled, bytes: s.codeBytes, translated: s.translatedInstructions, requests: s.backgroundRequests };
        return { reason: r.reason, n: pc.machine.instructionCount, video: Buffer.from(pc.machine.read(0xa0000, 0x20000)).toString("base64"), code };
      });
      for (const other of [results[1], results[2]]) {
        expect(other.n).toBe(results[0].n);
        expect(other.reason).toBe(results[0].reason);
        expect(other.video === results[0].video).toBe(true);
      }
      expect(results[2].code!.requests).toBeGreaterThan(0);
      expect({ ...results[2].code, requests: 0 }).toEqual({ ...results[1].code, requests: 0 });
    });
  }
});

describe("jit vs interpreter: the 386 differential images", () => {
  const dir = here("../diff386/");
  const images = readdirSync(dir).filter((f) => f.endsWith(".bin"));
  it(`${images.length} images give the same debug-port stream and count`, () => {
    expect(images.length).toBeGreaterThan(0);
    for (const file of images) {
      const runs = (["interp", "jit"] as const).map((engine) => {
        const img = new Uint8Array(1474560);
        img.set(readFileSync(dir + file));
        let e9 = "";
        const pc = new PC({ cpu: "386", engine, jit: { threshold: 0 }, floppy: new Disk("floppy", img, file), onDebug: (b) => { e9 += String.fromCharCode(b); } });
        pc.boot();
        const r = pc.run({ maxInstructions: 20_000_000 });
        return { reason: r.reason, n: pc.machine.instructionCount, e9 };
      });
      expect(runs[1].reason, file).toBe(runs[0].reason);
      expect(runs[1].n, file).toBe(runs[0].n);
      expect(runs[1].e9 === runs[0].e9, `${file}: debug stream differs`).toBe(true);
    }
  });
});

describe("jit vs interpreter: Jcc after ALU instructions (conditions computed inline)", () => {
  it("1,200 random operand pairs, every ALU op, both sizes, all 16 conditions", () => {
    let seed = 0x1234567;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
    const edge = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff];
    const value = () => (rnd() & 3 ? rnd() & 0xffff : edge[rnd() & 7]);
    const machines = (["interp", "jit"] as const).map((engine) => new Machine({ cpu: "286", engine, jit: { threshold: 0 } }));
    const ops = [0x00, 0x08, 0x20, 0x28, 0x30, 0x38]; // ADD OR AND SUB XOR CMP (r/m8, r8); +1 for 16 bits
    for (let i = 0; i < 1200; i++) {
      const a = value(), b = value(), op = ops[rnd() % ops.length] | (rnd() & 1), cc = rnd() & 15;
      // 1000: mov ax,a / mov bx,b / op ax|al,bx|bl / jcc +2 / mov cl,1 / hlt
      const code = [0xb8, a & 0xff, a >> 8, 0xbb, b & 0xff, b >> 8, op, 0xd8, 0x70 | cc, 0x02, 0xb1, 0x01, 0xf4];
      const results = machines.map((m) => {
        m.load(0x1000 + (i & 7) * 0x20, code); // vary the address: each is a fresh block
        m.setRegisters({ cs: 0, ip: 0x1000 + (i & 7) * 0x20, cx: 0, flags: 0x0002 });
        m.run({ maxInstructions: 10 });
        return { cx: m.registers.cx, ax: m.registers.ax, flags: m.registers.flags };
      });
      expect(results[1], `a=${a.toString(16)} b=${b.toString(16)} op=${op.toString(16)} cc=${cc}`).toEqual(results[0]);
    }
    expect(machines[1].jitStats!.blocksCompiled).toBeGreaterThan(100);
  });
});

describe("jit vs interpreter: a rotate's CF and OF kept as its result (LAZY_OP's XR bits)", () => {
  it("ROL/ROR of 8, 16 and 32 bits, then every kind of reader, also across a hammock and sliced runs", () => {
    const rnd = mulberry32(0x5eed);
    const int = (n: number) => Math.floor(rnd() * n);
    const edge = [0, 1, 0x7f, 0x80, 0xff, 0x4000, 0x7fff, 0x8000, 0xc000, 0xffff];
    const word = () => (int(4) ? int(0x10000) : edge[int(edge.length)]);
    const w = (v: number) => [v & 0xff, v >> 8];
    const models = ["286", "386"] as const;
    const machines = models.map((cpu) => (["interp", "jit"] as const).map((engine) => new Machine({ cpu, engine, jit: { threshold: 0 } })));
    const readers = [
      (cc: number) => [0x70 | cc, 0x02, 0xb1, 0x01],         // jcc +2 / mov cl,1: CF/OF in this block
      () => [0x9c, 0x5e],                                    // pushf / pop si: the core's getFlags
      () => [0x11, 0xde],                                    // adc si,bx: CF inline
      () => [0x47, 0x9c, 0x5e],                              // inc di (keeps CF) / pushf / pop si
      () => [0xd1, 0xd0, 0x9c, 0x5e],                        // rcl ax,1 (CF in) / pushf / pop si
      (cc: number) => [0xeb, 0x00, 0x70 | cc, 0x02, 0xb1, 0x01], // jmp $+2 / jcc: the next block's record
      () => [0x9f, 0x89, 0xc6],                              // lahf / mov si,ax
    ];
    let hammocks = 0;
    for (let i = 0; i < 1500; i++) {
      const wide = i & 1, cpu = models[wide], kind = int(2), size = [8, 16, 16, 32][int(wide ? 4 : 3)];
      const rm = 2; // DL, DX or EDX
      // The rotate: by 1 (D0/D1) or by an immediate (C0/C1), 66h for 32 bits.
      const byOne = int(2) === 0, count = int(40);
      const rot = [...size === 32 ? [0x66] : [], (byOne ? 0xd0 : 0xc0) | (size === 8 ? 0 : 1), 0xc0 | (kind << 3) | rm, ...byOne ? [] : [count]];
      // A record under it for SF/ZF/PF: ADD OR AND SUB XOR CMP ax,bx.
      const alu = [[0x00, 0x08, 0x20, 0x28, 0x30, 0x38][int(6)] | 1, 0xd8];
      // Sometimes a hammock: jc/jnc over a rotate of BX, whose result must
      // not reach LAZY_X when the jump is taken.
      const hammock = int(3) === 0 ? [0x72 | int(2), 0x02, 0xd1, 0xc3 | (int(2) << 3)] : [];
      if (hammock.length) hammocks++;
      const reader = readers[int(readers.length)](int(16));
      const code = [0xb8, ...w(word()), 0xbb, ...w(word()), 0xba, ...w(word()), ...alu, ...rot, ...hammock, ...reader, 0xf4];
      // Each case at its own address: code loaded over a translation
      // would be dropped, and after a few drops left to the interpreter.
      // Half of them in one run, half in slices that cut them anywhere.
      const at = 0x8000 + i * 0x40, cs = at >> 4;
      const slices = int(2) ? [100] : Array.from({ length: 40 }, () => 1 + int(12));
      const results = machines[wide].map((m) => {
        m.load(at, code);
        m.setRegisters({ cs, ip: 0, cx: 0, si: 0, di: 0xffff, ss: 0, sp: 0x800, flags: 0x0002 });
        for (const n of slices) if (m.run({ maxInstructions: n }).reason === "halt") break;
        return { regs: m.registers, regs32: m.registers32, count: m.instructionCount };
      });
      expect(results[0].regs.ip, `case ${i} did not halt`).toBe(code.length);
      expect(results[1], `case ${i}: ${code.map((b) => b.toString(16).padStart(2, "0")).join(" ")}`).toEqual(results[0]);
    }
    expect(hammocks).toBeGreaterThan(300);
    // Translated code did the work: most instructions ran in it.
    for (const [, jit] of machines) expect(jit.jitStats!.translatedInstructions).toBeGreaterThan(jit.instructionCount / 2);
  });

  it("a block reached after a ROL one way and a ROR the other does not take either's bit positions as known", () => {
    // 1000: mov ax,3 / mov bx,4 / mov dx,d / add ax,bx / jcxz ror_ /
    //       rol dx,1 / jmp join /
    //       add ax,bx / jmp end     (never run: a block whose end — ADD's
    //                                record — falls off into ror_, so that
    //                                ror_ starts from ADD's record either way)
    //       ror_: ror dx,1 / jmp join /
    //       join: jo +2 / mov bl,1 / jc +2 / mov bh,1 / end: hlt
    // The join's two ways in agree on all but where CF and OF are.
    const code = (d: number) => [0xb8, 0x03, 0x00, 0xbb, 0x04, 0x00, 0xba, d & 0xff, d >> 8, 0x01, 0xd8, 0xe3, 0x08,
      0xd1, 0xc2, 0xeb, 0x08, 0x01, 0xd8, 0xeb, 0x0c, 0xd1, 0xca, 0xeb, 0x00,
      0x70, 0x02, 0xb3, 0x01, 0x72, 0x02, 0xb7, 0x01, 0xf4];
    for (const d of [0x0001, 0x8000, 0x4001, 0xc000]) {
      for (const cx of [1, 0]) { // ROL first, so the join block is translated after it
        const results = (["interp", "jit"] as const).map((engine) => {
          const m = new Machine({ cpu: "8086", engine, jit: { threshold: 0 } });
          m.load(0x1000, code(d));
          m.setRegisters({ cs: 0, ip: 0x1000, cx, flags: 0x0002 });
          expect(m.run({ maxInstructions: 100 }).reason).toBe("halt");
          return { bx: m.registers.bx, flags: m.registers.flags, translated: m.jitStats?.translatedInstructions };
        });
        const rotated = cx ? ((d << 1) | (d >> 15)) & 0xffff : ((d >> 1) | (d << 15)) & 0xffff;
        const cf = cx ? rotated & 1 : rotated >> 15, of = cf ^ (cx ? rotated >> 15 : (rotated >> 14) & 1);
        expect(results[0].bx, `d=${d.toString(16)} cx=${cx}`).toBe((cf ? 0 : 0x100) | (of ? 4 : 1));
        expect(results[1].bx, `d=${d.toString(16)} cx=${cx}`).toBe(results[0].bx);
        expect(results[1].flags).toBe(results[0].flags);
        expect(results[1].translated).toBeGreaterThan(8);
      }
    }
  });
});

describe("self-modifying code under the translator", () => {
  // 0000:1000  mov cx,5
  //     1003   mov al,1
  //     1005   mov byte [1004h],2   ; patch the immediate of the MOV above
  //     100A   add bl,al
  //     100C   loop 1003h
  //     100E   hlt
  const code = [0xb9, 0x05, 0x00, 0xb0, 0x01, 0xc6, 0x06, 0x04, 0x10, 0x02, 0x00, 0xc3, 0xe2, 0xf5, 0xf4];
  it("a loop that patches its own code sees the new bytes, as the interpreter does", () => {
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "286", engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, ss: 0, sp: 0x800, bx: 0 });
      const r = m.run({ maxInstructions: 1000 });
      return { r, bl: m.registers.bx & 0xff, count: m.instructionCount, stats: m.jitStats };
    });
    // First pass adds 1, the four after it 2: 9.
    expect(results[0].bl).toBe(9);
    expect(results[1].bl).toBe(9);
    expect(results[1].count).toBe(results[0].count);
    expect(results[1].stats!.invalidations).toBeGreaterThan(0);
  });

  it("a segment register loaded inside a region moves the accesses after it (segment bases held in locals)", () => {
    // mov cx,3 / l: mov ax,2000h / mov ds,ax / mov [10h],cl / mov ax,3000h /
    // mov ds,ax / add [10h],cl / push ds / pop es / mov [es:12h],cl / loop l / hlt
    const code = [0xb9, 0x03, 0x00, 0xb8, 0x00, 0x20, 0x8e, 0xd8, 0x88, 0x0e, 0x10, 0x00, 0xb8, 0x00, 0x30, 0x8e, 0xd8,
      0x00, 0x0e, 0x10, 0x00, 0x1e, 0x07, 0x26, 0x88, 0x0e, 0x12, 0x00, 0xe2, 0xe5, 0xf4];
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "8086", engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, es: 0, ss: 0, sp: 0x800 });
      expect(m.run({ maxInstructions: 1000 }).reason).toBe("halt");
      return [...m.read(0x20010, 1), ...m.read(0x30010, 3), m.instructionCount];
    });
    expect(results[0].slice(0, 4)).toEqual([1, 6, 0, 1]); // the last pass writes cl = 1; the ADDs make 3 + 2 + 1
    expect(results[1]).toEqual(results[0]);
  });

  it("CLD/STD inside a region turn the string instructions after them (DF held in a local)", () => {
    // mov cx,4 / l: cld / lodsb / stosb / std / lodsb / stosb / stosb / loop l / hlt
    const code = [0xb9, 0x04, 0x00, 0xfc, 0xac, 0xaa, 0xfd, 0xac, 0xaa, 0xaa, 0xe2, 0xf7, 0xf4];
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "8086", engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.load(0x2000, [1, 2, 3, 4, 5, 6, 7, 8]);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, es: 0, ss: 0, sp: 0x800, si: 0x2004, di: 0x3008 });
      expect(m.run({ maxInstructions: 1000 }).reason).toBe("halt");
      const r = m.registers;
      return { si: r.si, di: r.di, al: r.ax & 0xff, out: [...m.read(0x3000, 16)], count: m.instructionCount };
    });
    expect(results[0].si).toBe(0x2004); // +1 then −1 each pass
    expect(results[0].di).toBe(0x3004); // +1 then −2 each pass
    expect(results[1]).toEqual(results[0]);
  });

  it("code that writes into the code ahead of it, instruction after instruction, is not retranslated at every IP", () => {
    // 0000:1000  mov al,88h / mov bx,<the last copy> / 300 × mov [bx],al
    //            mov cx,500 / l: add dx,cx / loop l / hlt
    // Every MOV writes a byte of code translated after it (the same byte:
    // nothing changes, but the write drops the translation). At threshold
    // 0 each next IP would get a new region, of all the copies to come,
    // dropped before it ran anything. The loop after them, on the same
    // page, must still run translated. (Without access groups: the MOVs'
    // [bx] would be one, whose test fails at once on the code it writes,
    // and the page would be translated again without groups — deopts,
    // tested with the groups below.)
    const n = 300, last = 0x1005 + 2 * (n - 1);
    const code = [0xb0, 0x88, 0xbb, last & 0xff, last >> 8, ...Array.from({ length: n }, () => [0x88, 0x07]).flat(),
      0xb9, 0xf4, 0x01, 0x01, 0xca, 0xe2, 0xfc, 0xf4];
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "286", engine, jit: { threshold: 0, accessGroups: false } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, ss: 0, sp: 0x800, dx: 0 });
      expect(m.run({ maxInstructions: 10_000 }).reason).toBe("halt");
      return { regs: m.registers, count: m.instructionCount, stats: m.jitStats };
    });
    expect(results[1].count).toBe(n + 3 + 1000 + 1);
    expect(results[1].regs.dx).toBe((500 * 501 / 2) & 0xffff);
    expect({ ...results[1], stats: undefined }).toEqual({ ...results[0], stats: undefined });
    const s = results[1].stats!;
    expect(s.invalidations).toBeGreaterThan(0);
    expect(s.compilesDeferred).toBeGreaterThan(0);
    expect(s.regionsCompiled).toBeLessThan(20); // not ~300
    expect(s.translatedInstructions).toBeGreaterThan(900); // the loop: a translation put off, not refused
  });

  it("a page whose code keeps being replaced, each copy run before the next, is translated at once each time", () => {
    // 0000:1000  mov dx,24 / mov di,3000h
    //     1006   o: mov si,101Ch / push di / mov cx,5 / rep movsb / pop di
    //     1010   mov cx,500 / call di / add di,4 / dec dx / jnz o / hlt
    //     101C   t: add ax,cx / loop t / ret      ; copied to 3000h, 3004h, …
    // Each copy overwrites the last byte (RET) of the one before: 23
    // invalidations on page 3, each after the copy it drops did its work.
    const code = [0xba, 0x18, 0x00, 0xbf, 0x00, 0x30, 0xbe, 0x1c, 0x10, 0x57, 0xb9, 0x05, 0x00, 0xf3, 0xa4, 0x5f,
      0xb9, 0xf4, 0x01, 0xff, 0xd7, 0x83, 0xc7, 0x04, 0x4a, 0x75, 0xeb, 0xf4, 0x01, 0xc8, 0xe2, 0xfc, 0xc3];
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "286", engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, es: 0, ss: 0, sp: 0x800, ax: 0 });
      expect(m.run({ maxInstructions: 100_000 }).reason).toBe("halt");
      return { regs: m.registers, count: m.instructionCount, stats: m.jitStats };
    });
    expect(results[0].regs.ax).toBe((24 * 500 * 501 / 2) & 0xffff);
    expect({ ...results[1], stats: undefined }).toEqual({ ...results[0], stats: undefined });
    const s = results[1].stats!;
    expect(s.invalidations).toBeGreaterThanOrEqual(23);
    expect(s.compilesDeferred).toBe(0);
    expect(s.translatedInstructions).toBeGreaterThan(0.97 * results[1].count);
  });

  it("a write that reaches its own code through the 1 MiB wrap (A20 off) is a write to code", () => {
    // 0000:1000  mov cx,5
    //     1003   mov al,1
    //     1005   mov byte [es:1014h],2  ; ES = FFFFh: linear 101004h, which
    //                                   ; wraps to 1004h, the MOV's immediate
    //     100B   add bl,al
    //     100D   loop 1003h
    //     100F   hlt
    const wrapped = [0xb9, 0x05, 0x00, 0xb0, 0x01, 0x26, 0xc6, 0x06, 0x14, 0x10, 0x02, 0x00, 0xc3, 0xe2, 0xf4, 0xf4];
    for (const cpu of ["8086", "286"] as const) {
      const results = (["interp", "jit"] as const).map((engine) => {
        const m = new Machine({ cpu, engine, jit: { threshold: 0 } });
        m.a20 = false;
        m.load(0x1000, wrapped);
        m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, es: 0xffff, ss: 0, sp: 0x800, bx: 0 });
        expect(m.run({ maxInstructions: 1000 }).reason).toBe("halt");
        return { bl: m.registers.bx & 0xff, count: m.instructionCount, stats: m.jitStats };
      });
      expect(results[0].bl, cpu).toBe(9); // 1, then 2 four times
      expect(results[1].bl, cpu).toBe(9);
      expect(results[1].count, cpu).toBe(results[0].count);
      expect(results[1].stats!.invalidations, cpu).toBeGreaterThan(0);
    }
  });

  it("a word written across a chunk boundary, data below and code above, is a write to code", () => {
    // 0000:101F  db 0                     ; data: no code in its 32-byte chunk
    //     1020   l: mov bl,5 / add dl,bl / mov bl,0
    //     1027   mov word [101Fh],0B000h  ; its high byte makes 1020h "mov al,5"
    //     102D   loop l / hlt
    //     1040   mov cx,4 / xor dx,dx / jmp l
    const code = [0x00, 0xb3, 0x05, 0x00, 0xda, 0xb3, 0x00, 0xc7, 0x06, 0x1f, 0x10, 0x00, 0xb0, 0xe2, 0xf2, 0xf4,
      ...new Array(16).fill(0x90), 0x90, 0xb9, 0x04, 0x00, 0x31, 0xd2, 0xeb, 0xd9];
    for (const threshold of [0, 1]) {
      const results = (["interp", "jit"] as const).map((engine) => {
        const m = new Machine({ cpu: "286", engine, jit: { threshold } });
        m.load(0x101f, code);
        m.setRegisters({ cs: 0, ip: 0x1040, ds: 0, ss: 0, sp: 0x800 });
        expect(m.run({ maxInstructions: 1000 }).reason).toBe("halt");
        return { regs: m.registers, count: m.instructionCount, stats: m.jitStats };
      });
      expect(results[0].regs.dx & 0xff).toBe(5); // only the first pass adds 5
      expect({ ...results[1], stats: undefined }, `threshold ${threshold}`).toEqual({ ...results[0], stats: undefined });
      expect(results[1].stats!.invalidations).toBeGreaterThan(0);
    }
  });

  it("data and stack in the same page as hot code do not cause retranslation, nor leave the fast path", () => {
    // 0000:1000  mov cx,1000 / l: push cx / mov [1100h],cx / pop ax / loop l / hlt   (SP in the page)
    const loop = [0xb9, 0xe8, 0x03, 0x51, 0x89, 0x0e, 0x00, 0x11, 0x58, 0xe2, 0xf8, 0xf4];
    const m = new Machine({ cpu: "286", engine: "jit", jit: { threshold: 0 } });
    m.load(0x1000, loop);
    m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, ss: 0, sp: 0x1800 });
    const r = m.run({ maxInstructions: 10_000 });
    expect(r.reason).toBe("halt");
    const s = m.jitStats!;
    expect(s.invalidations).toBe(0);
    expect(s.blocksCompiled).toBeLessThan(5);
    expect(s.translatedInstructions).toBeGreaterThan(3900); // the 4-instruction loop body, 1000 times
    // The PUSH and the MOV write the code's page, outside its 32-byte
    // chunks: generated code tests CODE_BITMAP itself, no slow-path call.
    expect(m.stats.tlbSlow).toBeLessThan(20);
  });
});

/** A 286 at 0000:1000 running `code` (stack frames) from SS:SP = 0:`sp`,
 *  BP = 1234h, under each engine (the translator's knobs `jit`): the
 *  registers it leaves, the 16 bytes below SP, the count and the side
 *  exits taken. */
function framesBothEngines(code: number[], sp: number, jit: JitOptions = {}) {
  return (["interp", "jit"] as const).map((engine) => {
    const m = new Machine({ cpu: "286", engine, jit: { threshold: 0, ...jit } });
    m.load(0x1000, code);
    m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, ss: 0, sp, bp: 0x1234, bx: 0 });
    expect(m.run({ maxInstructions: 10_000 }).reason).toBe("halt");
    const r = m.registers;
    return { bx: r.bx, bp: r.bp, sp: r.sp, count: m.instructionCount, mem: [...m.read(sp - 16, 16)], side: m.jitStats?.sideExits ?? 0 };
  });
}

describe("access groups: one TLB test for a region's [di+disp] operands", () => {
  // 0000:1000  mov cx,300
  //     1003   l: add [di+2],cx / add [di+4],ax / mov bx,[di+2] / xor [di+6],bx / inc word [di+8]
  //     1012   add di,1F7h          ; the group's register set: its test runs again
  //     1016   mov ax,[di+10] / add ax,cx / mov [di+12],ax
  //     101E   loop l / hlt
  const moving = [0xb9, 0x2c, 0x01, 0x01, 0x4d, 0x02, 0x01, 0x45, 0x04, 0x8b, 0x5d, 0x02, 0x31, 0x5d, 0x06, 0xff, 0x45, 0x08,
    0x81, 0xc7, 0xf7, 0x01, 0x8b, 0x45, 0x0a, 0x01, 0xc8, 0x89, 0x45, 0x0c, 0xe2, 0xe3, 0xf4];
  // The same with `test cl,7 / jnz s` before the ADD to DI: an
  // if-converted Jcc sets DI, where no test can follow (translated again
  // without groups).
  const predicated = [0xb9, 0x2c, 0x01, 0x01, 0x4d, 0x02, 0x01, 0x45, 0x04, 0x8b, 0x5d, 0x02, 0x31, 0x5d, 0x06, 0xff, 0x45, 0x08,
    0xf6, 0xc1, 0x07, 0x75, 0x04, 0x81, 0xc7, 0xf6, 0x03, 0x8b, 0x45, 0x0a, 0x01, 0xc8, 0x89, 0x45, 0x0c, 0xe2, 0xde, 0xf4];
  const run = (code: number[], engine: "interp" | "jit", jit: JitOptions = {}, di = 0x0e00) => {
    const m = new Machine({ cpu: "286", engine, jit: { threshold: 0, ...jit } });
    m.load(0x1000, code);
    m.setRegisters({ cs: 0, ip: 0x1000, ds: 0x3000, ss: 0, sp: 0x800, di, ax: 0x1234 });
    expect(m.run({ maxInstructions: 100_000 }).reason).toBe("halt");
    return {
      regs: m.registers, count: m.instructionCount, data: Buffer.from(m.read(0x30000, 0x10000)).toString("hex"),
      side: m.jitStats?.sideExits ?? 0, deopts: m.jitStats?.deopts ?? 0,
    };
  };
  it("a register the loop moves: the test again after each move; a range across a page end stays in the group", () => {
    const interp = run(moving, "interp");
    const jit = run(moving, "jit");
    expect({ ...jit, side: 0 }).toEqual({ ...interp, side: 0 });
    // DI's range crosses page ends (two pages of the home frame): no exit.
    expect(jit.side).toBe(0);
    expect({ ...run(moving, "jit", { accessGroups: false }), side: 0 }).toEqual({ ...interp, side: 0 });
  });
  it("a range that wraps at 64 KiB fails the test: one side exit, and the page is translated again without groups", () => {
    // From DI = 0E46h, the 123rd pass's range [DI+2, DI+13] wraps.
    const interp = run(moving, "interp", {}, 0x0e46);
    const jit = run(moving, "jit", {}, 0x0e46);
    expect({ ...jit, side: 0, deopts: 0 }).toEqual({ ...interp, side: 0, deopts: 0 });
    expect(jit.deopts).toBe(1);
    expect(jit.side).toBeGreaterThan(1); // the lost bet's, then words across FFFFh through the TLB
  });
  it("a write group whose range reaches translated code fails the test: its write to the code is seen", () => {
    // 0000:1000  mov cx,20
    //     1003   l: mov ax,1234h      ; the immediate at 1004h: CX of the pass before
    //     1006   add dx,ax / mov [di+d],cx / mov [di+e],cx / loop l / hlt
    // DS:DI = 0:1000h, d = 4, e = 40h: the range on the code's page, over
    // a chunk of code; DI = 0FE0h, d = 24h, e = 0: from the page below (no
    // code) into it.
    for (const [di, d, e] of [[0x1000, 4, 0x40], [0x0fe0, 0x24, 0]]) {
      const code = [0xb9, 0x14, 0x00, 0xb8, 0x34, 0x12, 0x01, 0xc2, 0x89, 0x4d, d, 0x89, 0x4d, e, 0xe2, 0xf3, 0xf4];
      const results = (["interp", "jit"] as const).map((engine) => {
        const m = new Machine({ cpu: "286", engine, jit: { threshold: 0 } });
        m.load(0x1000, code);
        m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, ss: 0, sp: 0x800, di, dx: 0 });
        expect(m.run({ maxInstructions: 10_000 }).reason).toBe("halt");
        return { dx: m.registers.dx, count: m.instructionCount, deopts: m.jitStats?.deopts ?? 0 };
      });
      expect(results[0].dx, `di ${di}`).toBe((0x1234 + (20 * 21 / 2 - 1)) & 0xffff);
      expect({ ...results[1], deopts: 0 }, `di ${di}`).toEqual(results[0]);
      expect(results[1].deopts, `di ${di}`).toBe(1);
    }
  });
  it("a register set by if-converted code: the region is translated without groups, with the same result", () => {
    const interp = run(predicated, "interp");
    expect({ ...run(predicated, "jit"), side: 0 }).toEqual({ ...interp, side: 0 });
  });
});

describe("the stack window: PUSH, POP, CALL and RET with one range test", () => {
  /** `code` at 0000:`at` on `cpu`, from SS:SP = `ss`:`sp`, under each
   *  engine: AX, BX, DX, SP, the count and the translator's counters. */
  const both = (code: number[], at: number, ss: number, sp: number, cpu: CpuModel = "8086") =>
    (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu, engine, jit: { threshold: 0 } });
      m.load(at, code);
      m.setRegisters({ cs: 0, ip: at, ds: 0, ss, sp, ax: 0x1111, bx: 0, dx: 0 });
      expect(m.run({ maxInstructions: 100_000 }).reason).toBe("halt");
      const r = m.registers;
      return { regs: [r.ax, r.bx, r.dx, r.sp], count: m.instructionCount, mem: [...m.read(ss * 16, 0x10000)], stats: m.jitStats };
    });
  const same = ([interp, jit]: ReturnType<typeof both>) => expect({ ...jit, stats: undefined }).toEqual({ ...interp, stats: undefined });

  it("a boot sector's stack just below its code, on the code's page: no side exit", () => {
    // 0000:7C00  mov cx,200
    //     7C03   l: call f / loop l / hlt
    //     7C09   f: push ax / add ax,cx / pop bx / add dx,bx / ret
    const code = [0xb9, 0xc8, 0x00, 0xe8, 0x03, 0x00, 0xe2, 0xfb, 0xf4, 0x50, 0x01, 0xc8, 0x5b, 0x01, 0xda, 0xc3];
    const results = both(code, 0x7c00, 0, 0x7c00);
    same(results);
    expect(results[0].regs[3]).toBe(0x7c00);
    expect(results[1].stats!.sideExits).toBe(0);
    expect(results[1].stats!.translatedInstructions).toBeGreaterThan(200 * 7);
  });

  it("a CALL whose return address lands on translated code: left to the interpreter, which drops that code", () => {
    // 0000:1000  mov cx,50
    //     1003   l: call f / loop l / hlt
    //     1009   f: mov ax,1234h        ; SP = 100Ch: CALL writes 1006h over the immediate
    //     100C   add bx,ax / ret
    const code = [0xb9, 0x32, 0x00, 0xe8, 0x03, 0x00, 0xe2, 0xfb, 0xf4, 0xb8, 0x34, 0x12, 0x01, 0xc3, 0xc3];
    const results = both(code, 0x1000, 0, 0x100c);
    same(results);
    expect(results[0].regs[1]).toBe((50 * 0x1006) & 0xffff);
    expect(results[1].stats!.invalidations).toBeGreaterThan(0);
  });

  it("a word at offset FFFFh (the 8086 wraps it to offset 0) leaves, each PUSH and POP", () => {
    // 0000:1000  mov cx,40
    //     1003   l: push ax / pop bx / add dx,bx / inc ax / loop l / hlt
    // SP = 1, SS neither page- nor chunk-aligned, so that the segment's
    // ends lie inside the window's pages and chunks: SS = 2001h, and SS =
    // 0001h, where the code's chunk bounds the window from below.
    const code = [0xb9, 0x28, 0x00, 0x50, 0x5b, 0x01, 0xda, 0x40, 0xe2, 0xf9, 0xf4];
    for (const ss of [0x2001, 0x0001]) {
      const results = both(code, 0x1000, ss, 0x0001);
      same(results);
      expect(results[0].mem[0xffff], `ss ${ss}`).toBe(0x11 + 39); // AX's low byte at SS:FFFF, its high byte at SS:0000
      expect(results[0].mem[0], `ss ${ss}`).toBe(0x11);
      expect(results[1].stats!.sideExits, `ss ${ss}`).toBeGreaterThanOrEqual(2 * 39);
    }
  });

  it("a PUSH onto code through a new SS (MOV SS, run by the interpreter) is seen, every pass", () => {
    // 0000:1000  mov cx,30
    //     1003   l: mov ax,0 / mov ss,ax / mov sp,800h / push cx / pop bx
    //     100D   add dx,1234h        ; its immediate at 100Fh = 00F1:00FF
    //     1011   mov ax,00F1h / mov ss,ax / mov sp,101h / push cx / pop bx / loop l / hlt
    // Each pass's second PUSH writes CX over the ADD's immediate: SS 0's
    // window (the page below the code) must not serve SS 00F1h.
    const code = [0xb9, 0x1e, 0x00, 0xb8, 0x00, 0x00, 0x8e, 0xd0, 0xbc, 0x00, 0x08, 0x51, 0x5b, 0x81, 0xc2, 0x34, 0x12,
      0xb8, 0xf1, 0x00, 0x8e, 0xd0, 0xbc, 0x01, 0x01, 0x51, 0x5b, 0xe2, 0xe6, 0xf4];
    const results = both(code, 0x1000, 0, 0x800);
    same(results);
    expect(results[0].regs[2]).toBe((0x1234 + (30 * 31 / 2 - 1)) & 0xffff);
  });

  it("a new SS whose SP lies in the old SS's window gets a window of its own: a PUSH onto translated code is seen", () => {
    // 0000:1000  mov cx,30
    //     1003   l: xor ax,ax / mov ss,ax / mov sp,8000h / push cx / pop bx / call 9000h
    //     100F   mov ax,0400h / mov ss,ax / mov sp,5004h / push cx / pop bx / loop l / hlt
    // 0000:9000  f: add dx,1234h / ret
    // SS 0's window runs from the loop's code up to f's, and holds offset
    // 5002h; through SS 0400h that offset is f's immediate (0400:5002 =
    // 9002h): each second PUSH writes CX there, from the second pass on
    // with every region already translated — no compile empties the
    // window between the two SS. Kept for SS 0 it would let the PUSH past
    // the code check, and f would go on adding 1234h.
    const main = [0xb9, 0x1e, 0x00, 0x31, 0xc0, 0x8e, 0xd0, 0xbc, 0x00, 0x80, 0x51, 0x5b, 0xe8, 0xf1, 0x7f,
      0xb8, 0x00, 0x04, 0x8e, 0xd0, 0xbc, 0x04, 0x50, 0x51, 0x5b, 0xe2, 0xe8, 0xf4];
    const f = [0x81, 0xc2, 0x34, 0x12, 0xc3];
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "8086", engine, jit: { threshold: 0 } });
      m.load(0x1000, main);
      m.load(0x9000, f);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, ss: 0, sp: 0x8000, dx: 0 });
      expect(m.run({ maxInstructions: 100_000 }).reason).toBe("halt");
      return { dx: m.registers.dx, count: m.instructionCount, f: [...m.read(0x9000, 5)] };
    });
    expect(results[0].dx).toBe((0x1234 + (30 * 31 / 2 - 1)) & 0xffff); // the first pass adds 1234h, the others CX
    expect(results[1]).toEqual(results[0]);
  });

  it("SP moved past code to a second stack: one side exit a switch, then a window around the new SP", () => {
    // 0000:1000  mov cx,40
    //     1003   l: mov sp,0FF0h / call f / mov sp,1100h / call f / loop l / hlt
    //     1012   f: push ax / add ax,cx / pop bx / add dx,bx / ret
    const code = [0xb9, 0x28, 0x00, 0xbc, 0xf0, 0x0f, 0xe8, 0x09, 0x00, 0xbc, 0x00, 0x11, 0xe8, 0x03, 0x00, 0xe2, 0xf2, 0xf4,
      0x50, 0x01, 0xc8, 0x5b, 0x01, 0xda, 0xc3];
    const results = both(code, 0x1000, 0, 0x0800);
    same(results);
    const s = results[1].stats!;
    // Through the TLB each PUSH, POP, CALL and RET would leave on the
    // code's page: four a call, eight a pass. A window worked out again at
    // each way back in leaves one a switch.
    expect(s.sideExits).toBeGreaterThan(0);
    expect(s.sideExits).toBeLessThanOrEqual(2 * 40 + 2);
  });
});

describe("side exits: accesses the TLB's fast paths cannot do leave translated code", () => {
  it("a loop over MMIO leaves at the access each pass; the interpreter does it, and translated code takes over right after", () => {
    // 0000:1000  mov cx,200
    //     1003   l: mov ax,[2000h]   ; MMIO read: a counter
    //     1006   add bx,ax
    //     1008   mov [2002h],bx      ; MMIO write: logged
    //     100C   inc dx
    //     100D   loop l
    //     100F   hlt
    const code = [0xb9, 0xc8, 0x00, 0xa1, 0x00, 0x20, 0x01, 0xc3, 0x89, 0x1e, 0x02, 0x20, 0x42, 0xe2, 0xf4, 0xf4];
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "286", engine, jit: { threshold: 0 } });
      let reads = 0;
      const writes: number[] = [];
      m.registerMmio(0x2000, 0x1000, { read: () => reads++, write: (_a, _s, v) => { writes.push(v); } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, ss: 0, sp: 0x800, bx: 0, dx: 0 });
      expect(m.run({ maxInstructions: 10_000 }).reason).toBe("halt");
      const r = m.registers;
      return { bx: r.bx, dx: r.dx, reads, writes, count: m.instructionCount, stats: m.jitStats };
    });
    const [interp, jit] = results;
    expect(interp.bx).toBe((199 * 200 / 2) & 0xffff);
    expect(interp.writes.length).toBe(200);
    expect({ ...jit, stats: undefined }).toEqual({ ...interp, stats: undefined });
    const s = jit.stats!;
    // Two side exits a pass (the read, then the write), and each time the
    // interpreter runs that one instruction only: the other three of the
    // pass's five run translated.
    expect(s.sideExits).toBeGreaterThanOrEqual(2 * 199);
    expect(s.translatedInstructions).toBeGreaterThan(3 * 190);
  });

  it("LEAVE (286) pops BP from SS:BP, also where that word crosses a page (through the TLB, it leaves)", () => {
    // 0000:1000  mov cx,60
    //     1003   l: call f
    //     1006   loop l
    //     1008   hlt
    //     1009   f: push bp / mov bp,sp / sub sp,6 / mov [bp-2],cx / add [bp-2],bx
    //     1015   mov bx,[bp-2] / leave / ret
    const code = [0xb9, 0x3c, 0x00, 0xe8, 0x03, 0x00, 0xe2, 0xfb, 0xf4,
      0x55, 0x89, 0xe5, 0x83, 0xec, 0x06, 0x89, 0x4e, 0xfe, 0x01, 0x5e, 0xfe, 0x8b, 0x5e, 0xfe, 0xc9, 0xc3];
    for (const sp of [0x800, 0x3001]) for (const stackWindow of [true, false]) { // the second: BP at 2FFFh, its word across the page end
      const results = framesBothEngines(code, sp, { stackWindow });
      expect(results[0].bx).toBe((60 * 61 / 2) & 0xffff);
      expect(results[0].bp).toBe(0x1234);
      expect({ ...results[1], side: 0 }).toEqual({ ...results[0], side: 0 });
      // Through the TLB, LEAVE's read leaves each pass; the stack window
      // spans both pages.
      if (sp === 0x3001) {
        if (stackWindow) expect(results[1].side).toBe(0);
        else expect(results[1].side).toBeGreaterThanOrEqual(60);
      }
    }
  });

  it("ENTER n,0 (286) pushes BP and makes the frame inline, also across a page; with a nesting level the interpreter does it", () => {
    // 0000:1000  mov cx,60
    //     1003   l: call f
    //     1006   loop l
    //     1008   hlt
    //     1009   f: enter 6,0 / mov [bp-2],cx / add [bp-2],bx / mov bx,[bp-2]
    //     1016   enter 2,1 / leave / leave / ret
    const code = [0xb9, 0x3c, 0x00, 0xe8, 0x03, 0x00, 0xe2, 0xfb, 0xf4,
      0xc8, 0x06, 0x00, 0x00, 0x89, 0x4e, 0xfe, 0x01, 0x5e, 0xfe, 0x8b, 0x5e, 0xfe,
      0xc8, 0x02, 0x00, 0x01, 0xc9, 0xc9, 0xc3];
    for (const sp of [0x800, 0x3003]) for (const stackWindow of [true, false]) { // the second: ENTER's push at 2FFFh, across the page end
      const results = framesBothEngines(code, sp, { stackWindow });
      expect(results[0].bx).toBe((60 * 61 / 2) & 0xffff);
      expect(results[0].bp).toBe(0x1234);
      expect(results[0].sp).toBe(sp);
      expect({ ...results[1], side: 0 }).toEqual({ ...results[0], side: 0 });
      // ENTER's push each pass: through the TLB it leaves; the window
      // spans both pages.
      if (sp === 0x3003) {
        if (stackWindow) expect(results[1].side).toBe(0);
        else expect(results[1].side).toBeGreaterThanOrEqual(60);
      }
    }
  });

  it("a word that crosses a page and a word at offset FFFFh leave each pass and are done by the interpreter", () => {
    // 0000:1000  mov cx,50
    //     1003   l: mov ax,[2FFFh]      ; crosses into the next page
    //     1006   add bx,ax
    //     1008   add word [es:0FFFFh],9 ; 8086: the high byte at ES:0000
    //     100E   loop l
    //     1010   hlt
    const code = [0xb9, 0x32, 0x00, 0xa1, 0xff, 0x2f, 0x01, 0xc3, 0x26, 0x83, 0x06, 0xff, 0xff, 0x09, 0xe2, 0xf3, 0xf4];
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "8086", engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.load(0x2ffe, [0x11, 0x22, 0x33, 0x44]);
      m.load(0x40000, [0x05, 0x06]);
      m.load(0x4fffe, [0x07, 0x08]);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, es: 0x4000, ss: 0, sp: 0x800, bx: 0 });
      expect(m.run({ maxInstructions: 10_000 }).reason).toBe("halt");
      return { bx: m.registers.bx, mem: [...m.read(0x40000, 2), ...m.read(0x4fffe, 2)], count: m.instructionCount, stats: m.jitStats };
    });
    const [interp, jit] = results;
    expect(interp.bx).toBe((0x3322 * 50) & 0xffff);
    // The word at ES:FFFF (low byte) and ES:0000 (high byte): 0508h + 450.
    expect(interp.mem).toEqual([0x06, 0x06, 0x07, 0xca]);
    expect({ ...jit, stats: undefined }).toEqual({ ...interp, stats: undefined });
    // Both accesses leave on every pass; the other two instructions of the
    // four run translated.
    expect(jit.stats!.sideExits).toBeGreaterThanOrEqual(2 * 49);
    expect(jit.stats!.translatedInstructions).toBeGreaterThan(2 * 45);
  });

  it("words that end a 16-byte paragraph but cross nothing stay in translated code", () => {
    // 0000:1000  mov cx,50
    //     1003   l: mov ax,[200Fh]          ; bytes 200F–2010: a paragraph's end
    //     1006   add [20FFh],ax             ; 20FF–2100
    //     100A   add bx,[es:0FFEh]          ; ES:0FFE–0FFF (linear 30FFE–30FFF: the page's end)
    //     100F   loop l
    //     1011   hlt
    const code = [0xb9, 0x32, 0x00, 0xa1, 0x0f, 0x20, 0x01, 0x06, 0xff, 0x20, 0x26, 0x03, 0x1e, 0xfe, 0x0f, 0xe2, 0xf2, 0xf4];
    const results = (["interp", "jit"] as const).map((engine) => {
      const m = new Machine({ cpu: "286", engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.load(0x200f, [0x34, 0x12]);
      m.load(0x30ffe, [0x01, 0x00]);
      m.setRegisters({ cs: 0, ip: 0x1000, ds: 0, es: 0x3000, ss: 0, sp: 0x800, bx: 0 });
      expect(m.run({ maxInstructions: 10_000 }).reason).toBe("halt");
      return { bx: m.registers.bx, mem: [...m.read(0x20ff, 2)], count: m.instructionCount, side: m.jitStats?.sideExits ?? 0 };
    });
    expect(results[0].bx).toBe(50);
    expect(results[0].mem).toEqual([(0x1234 * 50) & 0xff, ((0x1234 * 50) >> 8) & 0xff]);
    expect(results[1]).toEqual({ ...results[0], side: 0 });
  });
});
