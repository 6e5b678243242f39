/**
 * translate.test.ts — the shape of generated code: golden WebAssembly text
 * for a few blocks (binaryen's optimiser off, so the text is what
 * translate.ts emits), and the module's contract (imports, one export,
 * validation). Regenerate the goldens after an intended change with
 * UPDATE_GOLDEN=1 npx vitest run tests/jit/translate.test.ts — and read
 * the diff.
 */
import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Machine, loadJit } from "../../src/index.js";
import { decodeBlock, splitBefore } from "../../src/x86/block.js";
import type { X86Model } from "../../src/x86/ir.js";
import { translateRegion, blockText } from "../../src/jit/translate.js";
import { L_TMP } from "../../src/jit/codegen.js";
import { instantiateCore, type Layout } from "../../src/core/core.js";

await loadJit();

const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}.wat`, import.meta.url));
const layout: Layout = instantiateCore({
  portIn: () => 0, portOut: () => {}, mmioRead: () => 0, mmioWrite: () => {}, irqAck: () => -1, codeWrite: () => {},
}).layout;

/** Translate the block of `code` placed at 0000:1000 (8086 decoding). */
function translate(code: number[], maxRegion = 1, model: X86Model = "8086"): { text: string; binary: Uint8Array; inlined: number; total: number } {
  const read = (a: number) => (a >= 0x1000 && a < 0x1000 + code.length ? code[a - 0x1000] : 0x90);
  const blocks = [decodeBlock(read, model, 0, 0x1000)];
  if (maxRegion > 1 && blocks[0].fallthrough !== null) blocks.push(decodeBlock(read, model, 0, blocks[0].fallthrough));
  const t = translateRegion(blocks, layout, { optimize: 0, inline: true, text: true });
  expect(blockText(t.binary)).toMatch(/^\(module/); // the binary reads back
  return { text: t.text!, binary: t.binary, inlined: t.inlined, total: t.total };
}

function expectGolden(name: string, text: string): void {
  const path = golden(name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, "utf8"));
}

describe("generated code", () => {
  it("a self-loop: ALU on registers with the lazy-flags record, LOOP back inside the function as a Wasm loop", () => {
    // 1000: l: add ax,dx / cmp ax,bx / loop l
    const t = translate([0x01, 0xd0, 0x39, 0xd8, 0xe2, 0xfa]);
    expect(t.inlined).toBe(t.total);
    expect(t.text).toMatch(/\(loop \$l0/);
    expect(t.text).toMatch(/br \$l0/); // the back edge: a br to the loop, not through the dispatch
    expect(t.text).not.toMatch(/br \$dispatch/);
    expect(t.text).toMatch(/\(import "core" "memory"/);
    expect(t.text).toMatch(/\(export "block"/);
    expectGolden("alu-loop", t.text);
  });

  it("memory operands: the TLB fast path inline, a side exit (no call) on the slow path", () => {
    // mov ax,[bx+si+4] / add [di],ax / hlt
    const t = translate([0x8b, 0x40, 0x04, 0x01, 0x05, 0xf4]);
    expect(t.inlined).toBe(2); // HLT goes through execOne
    // The home frame: the entry compared with GUEST_BASE, the access at
    // GUEST_BASE (the load's or store's offset) + linear.
    expect(t.text).toMatch(/i32\.const 1048576\)/);
    expect(t.text).toMatch(/i32\.load16_u offset=1048576/);
    expect(t.text).toMatch(/i32\.store16 offset=1048576/);
    // Anything else leaves before the instruction: no helper is called.
    expect(t.text).toMatch(/br \$side/);
    expect(t.text).not.toMatch(/call \$(read|write)/);
    expect(t.text).toMatch(/call \$execOne/);
    expectGolden("memory", t.text);
  });

  it("PUSH and POP: one range test against the stack window the core keeps; the TLB's path only with the window off", () => {
    // push ax / pop bx / hlt
    const code = [0x50, 0x5b, 0xf4];
    const t = translate(code);
    expect(t.inlined).toBe(2);
    // Each word: offset − JIT_WINDOW_LO <u JIT_WINDOW_LEN, else a side
    // exit; then straight to GUEST_BASE + linear — no TLB entry (TLB_WRITE's
    // or TLB_READ's), no call.
    expect(t.text.match(/i32\.ge_u/g)).toHaveLength(2);
    expect(t.text.match(new RegExp(`i32\\.const ${layout.JIT_WINDOW_LO}\\)`, "g"))).toHaveLength(2);
    expect(t.text.match(new RegExp(`i32\\.const ${layout.JIT_WINDOW_LEN}\\)`, "g"))).toHaveLength(2);
    expect(t.text).not.toMatch(/call \$(?!execOne)/);
    expect(t.text).toMatch(/i32\.store16 offset=1048576/);
    expect(t.text).toMatch(/i32\.load16_u offset=1048576/);
    expect(t.text).not.toMatch(new RegExp(`offset=(${layout.TLB_WRITE}|${layout.TLB_READ})\\b`));
    expectGolden("stack-window", t.text);
    const read = (a: number) => (a >= 0x1000 && a < 0x1000 + code.length ? code[a - 0x1000] : 0x90);
    const off = translateRegion([decodeBlock(read, "8086", 0, 0x1000)], layout, { optimize: 0, inline: true, text: true, stackWindow: false }).text!;
    expect(off).not.toMatch(new RegExp(`i32\\.const ${layout.JIT_WINDOW_LEN}\\)`));
    expect(off).toMatch(new RegExp(`offset=${layout.TLB_WRITE}\\b`));
  });

  it("Jcc after CMP compares the recorded operands directly, without calling the core", () => {
    // 1000: l: inc si / cmp si,di / jb l
    const direct = translate([0x46, 0x39, 0xfe, 0x72, 0xfb]);
    expect(direct.text).toMatch(/i32\.lt_u/);
    expect(direct.text).not.toMatch(/call \$cond/);
    expectGolden("cmp-jb", direct.text);
    // After a rotate through carry by CL, done by the core's helper, the
    // record is whatever the core left: the condition is decided at run
    // time from its kind (LAZY_OP & 0xFF), still without a call...
    const helper = translate([0xd3, 0xd6, 0x72, 0xfc]); // l: rcl si,cl / jb l
    expect(helper.text).toMatch(/call \$shift/);
    expect(helper.text).toMatch(/i32\.const 255/);
    // ...while a SHL by CL is inline, its count tested at run time.
    const variable = translate([0xd3, 0xe6, 0x72, 0xfc]); // l: shl si,cl / jb l
    expect(variable.text).not.toMatch(/call \$shift/);
    // ...but a constant count is inline, flags and all. SHL by one is
    // v + v: an ADD record (LAZY_OP 4097 = ADD, 16 bits), and JB tests the
    // bit shifted out (bit 15), kept in a local, rather than compare the
    // sum with the operand.
    const byOne = translate([0xd1, 0xe6, 0x72, 0xfc]); // l: shl si,1 / jb l
    expect(byOne.text).not.toMatch(/call \$shift/);
    expect(byOne.text).not.toMatch(/call \$cond/);
    expect(byOne.text).toMatch(/i32\.const 4097/);
    expect(byOne.text).toMatch(/i32\.const 15/);
    expect(byOne.text).not.toMatch(/i32\.lt_u/);
    expectGolden("shl-jb", byOne.text);
    // CL set by a MOV in the same block is a constant count too; by more
    // than one, CF and OF go into LAZY_OP's X bits (1 << 16) and JB tests
    // bit 17 (kept in a local of its own as well).
    const byCl = translate([0xb1, 0x03, 0xd3, 0xe6, 0x72, 0xfa]); // l: mov cl,3 / shl si,cl / jb l
    expect(byCl.text).not.toMatch(/call \$shift/);
    expect(byCl.text).not.toMatch(/call \$cond/);
    expect(byCl.text).toMatch(/i32\.const 17/);
  });

  it("ROL keeps its result for CF and OF (LAZY_OP's XR bits): in a loop, nothing is worked out until read", () => {
    // 1000: l: add dx,ax / rol dx,1 / loop l / hlt
    const t = translate([0x01, 0xc2, 0xd1, 0xc2, 0xe2, 0xfa, 0xf4]);
    // The result to L_X (local 33); LAZY_OP = ADD's low half | X | XR |
    // CF at bit 0, OF against bit 15: one constant.
    expect(t.text).toMatch(/\(local\.set \$33\s+\(local\.get \$21\)/);
    expect(t.text).toMatch(new RegExp(`i32\\.const ${0x10000 | 0x80000 | (0 << 20) | (15 << 25)}\\)`));
    // No CF or OF put together: nothing shifted to bits 17 or 18.
    expect(t.text).not.toMatch(/i32\.const 1[78]\)/);
    // Synced with the record where the core can look.
    expect(t.text).toMatch(new RegExp(`\\(i32\\.store\\s+\\(i32\\.const ${layout.LAZY_X}\\)\\s+\\(local\\.get \\$33\\)`));
    expectGolden("rotate-xr", t.text);
  });

  it("a Jcc over a register-only instruction is if-converted: the XOR's writes are selects, no branch", () => {
    // 1000: shl dx,1 / jnc 1008 / 1004: xor dx,0x1021 / 1008: loop 1000
    const code = [0xd1, 0xe2, 0x73, 0x04, 0x81, 0xf2, 0x21, 0x10, 0xe2, 0xf6];
    const t = translate(code, 2);
    expect(t.text).toMatch(/\(select/);
    expect(t.text).toMatch(/i32\.const 4129/); // the XOR's immediate, computed either way
    expectGolden("crc-hammock", t.text);
  });

  it("a Jcc ladder on flags it did not make works them out once, and each Jcc tests a bit", () => {
    // 1000: 16 × (jcc +3 / lea si,[si+w]) / ret — a callee testing its
    // caller's flags: the record's kind is known only at run time
    const code = [...Array.from({ length: 16 }, (_, cc) => [0x70 + cc, 0x03, 0x8d, 0x74, cc + 1]).flat(), 0xc3];
    const read = (a: number) => (a >= 0x1000 && a < 0x1000 + code.length ? code[a - 0x1000] : 0x90);
    const starts = [...Array.from({ length: 16 }, (_, k) => [0x1000 + 5 * k, 0x1002 + 5 * k]).flat(), 0x1050];
    const blocks = starts.map((ip) => { const b = decodeBlock(read, "8086", 0, ip); return splitBefore(b, new Set(starts)) ?? b; });
    const t = translateRegion(blocks, layout, { optimize: 0, inline: true, text: true });
    expect(t.inlined).toBe(t.total);
    // PF's popcount (JP/JNP need it) appears once: the flags are worked out
    // at the first Jcc, for all sixteen.
    expect(t.text!.match(/i32\.popcnt/g)?.length).toBe(1);
  });

  it("after a SHL/XOR hammock CF is in a local either way: a DEC after the loop keeps it, not worked out at run time", () => {
    // 1000: shl dx,1 / jnc 1008 / 1004: xor dx,0x1021 / 1008: loop 1000 / 100A: dec bx / jnz 1000 / hlt
    const code = [0xd1, 0xe2, 0x73, 0x04, 0x81, 0xf2, 0x21, 0x10, 0xe2, 0xf6, 0x4b, 0x75, 0xf3, 0xf4];
    const read = (a: number) => (a >= 0x1000 && a < 0x1000 + code.length ? code[a - 0x1000] : 0x90);
    const starts = [0x1000, 0x1004, 0x1008, 0x100a, 0x100d];
    const blocks = starts.map((ip) => { const b = decodeBlock(read, "8086", 0, ip); return splitBefore(b, new Set(starts)) ?? b; });
    const text = (ifConversion: boolean) => translateRegion(blocks, layout, { optimize: 0, inline: true, ifConversion, text: true }).text!;
    // If-converted, the XOR's CF of 0 goes to L_XCF too, the block it
    // skips is never fallen into, and DEC freezes CF from L_XCF...
    // (A run-time CF tests the record's X bits: LAZY_CFOF, 65536.)
    const runtimeCf = /\(i32\.const 65536\)/;
    expect(text(true)).not.toMatch(runtimeCf);
    // ...while as a branch the loop's start is reached with either record:
    // DEC works CF out at run time, still without calling the core.
    expect(text(false)).toMatch(runtimeCf);
    for (const conv of [true, false]) expect(text(conv)).not.toMatch(/\(call \$(?!execOne)/); // no helper
  });

  it("INC/DEC and ADC/SBB after a record of unknown kind work CF out at run time: no call", () => {
    // At a block's start the record's kind is unknown.
    for (const [name, code] of [["inc ax", [0x40]], ["dec byte [bx]", [0xfe, 0x0f]], ["adc ax,bx", [0x11, 0xd8]],
      ["sbb byte [si],1", [0x80, 0x1c, 0x01]]] as [string, number[]][]) {
      const t = translate([...code, 0x72, 0x00, 0xeb, 0xfe]); // ... / jc $+2 (CF observed) / jmp $
      expect(t.inlined, name).toBe(t.total);
      expect(t.text, name).not.toMatch(/call \$/);
    }
  });

  it("the memory forms of group 2, group 3, PUSH and POP are inline (no execOne)", () => {
    const forms: [string, number[]][] = [
      ["neg word [bx]", [0xf7, 0x1f]], ["not byte [si+4]", [0xf6, 0x54, 0x04]], ["test word [di],7", [0xf7, 0x05, 0x07, 0x00]],
      ["mul word [bx]", [0xf7, 0x27]], ["imul byte [bx]", [0xf6, 0x2f]], ["div word [bx]", [0xf7, 0x37]],
      ["idiv byte [bx]", [0xf6, 0x3f]], ["push word [bx]", [0xff, 0x37]], ["pop word [bx]", [0x8f, 0x07]],
      ["shl word [bx],cl", [0xd3, 0x27]], ["sar byte [bx],1", [0xd0, 0x3f]], ["rcr byte [bx],1 after add ax,bx", [0x01, 0xd8, 0xd0, 0x1f]],
    ];
    for (const [name, code] of forms) {
      const t = translate([...code, 0xeb, 0xfe]); // ... / jmp $
      expect(t.inlined, name).toBe(t.total);
      expect(t.text, name).not.toMatch(/call \$execOne/);
    }
  });

  it("STC, CLC and CMC are inline, after a record of known kind or not", () => {
    // (At a block's start the record's kind is unknown: OF, kept, and
    // CMC's CF are worked out from it at run time.)
    for (const [name, code] of [["stc", [0xf9]], ["clc", [0xf8]], ["cmc", [0xf5]], ["cmp ax,bx / cmc", [0x39, 0xd8, 0xf5]],
      ["add ax,bx / stc", [0x01, 0xd8, 0xf9]]] as [string, number[]][]) {
      const t = translate([...code, 0xeb, 0xfe]); // ... / jmp $
      expect(t.inlined, name).toBe(t.total);
      expect(t.text, name).not.toMatch(/call \$/);
    }
  });

  it("CLD, STD, LEAVE and ENTER n,0 (286) are inline; ENTER with a nesting level is the interpreter's", () => {
    const inline: [string, number[]][] = [["cld", [0xfc]], ["std / lodsb", [0xfd, 0xac]], ["leave", [0xc9]], ["enter 10h,0", [0xc8, 0x10, 0x00, 0x00]]];
    for (const [name, code] of inline) {
      const t = translate([...code, 0xeb, 0xfe], 1, "286"); // ... / jmp $
      expect(t.inlined, name).toBe(t.total);
      expect(t.text, name).not.toMatch(/call \$/);
    }
    const nested = translate([0xc8, 0x10, 0x00, 0x01, 0xeb, 0xfe], 1, "286"); // enter 10h,1 / jmp $
    expect(nested.inlined).toBe(nested.total - 1);
    expect(nested.text).toMatch(/call \$execOne/);
  });

  it("MOV, PUSH and POP of ES/DS are inline; SS and CS are the interpreter's", () => {
    const inline: [string, number[]][] = [
      ["mov ds,ax", [0x8e, 0xd8]], ["mov es,[bx]", [0x8e, 0x07]], ["mov ax,es", [0x8c, 0xc0]], ["mov [bx],ds", [0x8c, 0x1f]],
      ["push ds", [0x1e]], ["pop es", [0x07]], ["push ss", [0x16]], ["push cs", [0x0e]],
    ];
    for (const [name, code] of inline) {
      const t = translate([...code, 0xeb, 0xfe]); // ... / jmp $
      expect(t.inlined, name).toBe(t.total);
      expect(t.text, name).not.toMatch(/call \$execOne/);
    }
    // Loading SS opens an interrupt shadow; POP CS is the 8086's oddity.
    for (const [name, code] of [["mov ss,ax", [0x8e, 0xd0]], ["pop ss", [0x17]]] as [string, number[]][]) {
      expect(translate([...code, 0xeb, 0xfe]).text, name).toMatch(/call \$execOne/);
    }
  });

  it("an indirect CALL through a pointer stays in the function when the target is the one seen at translation", () => {
    // 1000: mov cx,100 / l: call [1100h] / loop l / hlt, the pointer at 1100h
    const main = [0xb9, 0x64, 0x00, 0xff, 0x16, 0x00, 0x11, 0xe2, 0xfa, 0xf4, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90];
    const run = (engine: "interp" | "jit", callees: number[]) => {
      const m = new Machine({ engine, jit: { threshold: 2 } });
      m.load(0x1000, [...main, ...callees]);
      m.load(0x1100, [0x10, 0x10]);
      m.setRegisters({ cs: 0, ds: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
      expect(m.run({ maxInstructions: 10_000 }).reason).toBe("halt");
      return { regs: m.registers, count: m.instructionCount, pointer: m.readByte(0x1100) | (m.readByte(0x1101) << 8), runs: m.jitStats?.blockRuns ?? 0 };
    };
    // 1010: f: inc ax / ret — the pointer never changes
    const same = run("jit", [0x40, 0xc3]);
    expect(same.regs.ax).toBe(100);
    expect(same.runs).toBeLessThan(10); // call, f and RET inside one function
    expect({ ...same, runs: 0 }).toEqual({ ...run("interp", [0x40, 0xc3]), runs: 0 });
    // 1010: f: mov word [1100h],1018h / inc ax / ret; 1018: g: add ax,2 / ret — the
    // first call moves the pointer: the prediction is wrong from then on.
    const moved = [0xc7, 0x06, 0x00, 0x11, 0x18, 0x10, 0x40, 0xc3, 0x83, 0xc0, 0x02, 0xc3];
    const jit = run("jit", moved);
    expect(jit.regs.ax).toBe(1 + 2 * 99);
    expect({ ...jit, runs: 0 }).toEqual({ ...run("interp", moved), runs: 0 });
  });

  it("a RET tests only the return sites of the calls to its own function", () => {
    // 1003: l: call f / call g / loop l ; 1010: f: inc ax / ret ; 1013: g: inc bx / ret
    const code = [0xb9, 0x05, 0x00, 0xe8, 0x0a, 0x00, 0xe8, 0x0a, 0x00, 0xe2, 0xf8, 0xf4, 0x90, 0x90, 0x90, 0x90,
      0x40, 0xc3, 0x90, 0x43, 0xc3];
    const read = (a: number) => (a >= 0x1000 && a < 0x1000 + code.length ? code[a - 0x1000] : 0x90);
    const blocks = [0x1003, 0x1010, 0x1006, 0x1013, 0x1009].map((ip) => decodeBlock(read, "8086", 0, ip));
    const text = translateRegion(blocks, layout, { optimize: 0, inline: true, text: true }).text!;
    // A RET's test of a return site: the popped IP (L_TMP) against it.
    const tests = (site: number) => text.match(new RegExp(`i32\\.eq\\s*\\(local\\.get \\$${L_TMP}\\)\\s*\\(i32\\.const ${site}\\)`, "g"))?.length ?? 0;
    expect(tests(0x1006)).toBe(1); // f's RET, to after `call f`
    expect(tests(0x1009)).toBe(1); // g's RET, to after `call g`
    // And it runs as the interpreter does.
    const run = (engine: "interp" | "jit") => {
      const m = new Machine({ engine, jit: { threshold: 0 } });
      m.load(0x1000, code);
      m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0, bx: 0 });
      expect(m.run({ maxInstructions: 1000 }).reason).toBe("halt");
      return { regs: m.registers, count: m.instructionCount };
    };
    expect(run("jit")).toEqual(run("interp"));
  });

  it("the direct emitter writes the very bytes binaryen writes for a translation", () => {
    const blocks = [
      [0x01, 0xd0, 0x39, 0xd8, 0xe2, 0xfa], [0x8b, 0x40, 0x04, 0x01, 0x05, 0xf4], [0x46, 0x39, 0xfe, 0x72, 0xfb],
      [0xd1, 0xe6, 0x72, 0xfc], [0xe8, 0x01, 0x00, 0xf4, 0x40, 0x50, 0x5b, 0xc3], [0x13, 0x47, 0x02, 0xfe, 0x4f, 0x03, 0x75, 0xf8],
      [0xf7, 0xf3, 0xf6, 0xfb, 0xf7, 0x3f, 0xd3, 0xe0, 0xff, 0x16, 0x00, 0x11], // div bx / idiv bl / idiv word [bx] / shl ax,cl / call [1100h]
    ];
    for (const code of blocks) {
      const read = (a: number) => (a >= 0x1000 && a < 0x1000 + code.length ? code[a - 0x1000] : 0x90);
      const region = [decodeBlock(read, "286", 0, 0x1000)];
      const viaBinaryen = translateRegion(region, layout, { optimize: 0, inline: true, text: true }).binary;
      const direct = translateRegion(region, layout, { optimize: 0, inline: true }).binary;
      expect(Buffer.from(direct).equals(Buffer.from(viaBinaryen))).toBe(true);
    }
  });

  it("a translation that retires nothing is not entered again and again: the interpreter takes the instruction", () => {
    const m = new Machine({ engine: "jit", jit: { threshold: 0 } });
    m.load(0x1000, [0x40, 0x40, 0xeb, 0xfc]); // l: inc ax / inc ax / jmp l
    m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0 });
    m.run({ maxInstructions: 30 });
    expect(m.jitStats!.blockRuns).toBeGreaterThan(0);
    // Replace the translation with a function that does nothing (what a
    // translator bug returning at once would be).
    const table = (m as unknown as { core: { table: WebAssembly.Table } }).core.table;
    const noop = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 4, 1, 2, 0, 11,
    ]))).exports.f as () => void;
    table.set(table.length - 1, noop); // the one region translated
    const before = m.registers.ax;
    expect(m.run({ maxInstructions: 30 }).reason).toBe("budget");
    expect(m.registers.ax).toBe((before + 20) & 0xffff);
  });

  it("the module validates and instantiates against a real core", () => {
    const t = translate([0x40, 0x50, 0x5b, 0xc3]); // inc ax / push ax / pop bx / ret
    expect(WebAssembly.validate(t.binary as Uint8Array<ArrayBuffer>)).toBe(true);
    const m = new Machine({ engine: "jit", jit: { threshold: 0 } });
    m.load(0x1000, [0xe8, 0x01, 0x00, 0xf4, 0x40, 0x50, 0x5b, 0xc3]); // call +1 / hlt / (inc ax / push ax / pop bx / ret)
    m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800, ax: 0x41 });
    expect(m.run({ maxInstructions: 100 }).reason).toBe("halt");
    expect(m.registers).toMatchObject({ ax: 0x42, bx: 0x42, sp: 0x800, ip: 0x1004 });
    expect(m.jitStats!.blocksCompiled).toBeGreaterThan(0);
  });
});
