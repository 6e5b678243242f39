/**
 * decode.test.ts — the decoder's IR for representative instructions of
 * each model: operands, lengths, flag masks, control flow, sensitivity,
 * the 8086 aliases, invalid encodings, truncation, length limits, and a
 * fuzz test (never throws, bounded lengths, deterministic).
 */
import { describe, it, expect } from "vitest";
import { decodeBytes, decodeAt } from "../../src/x86/decode.js";
import { renderInsn } from "../../src/x86/nasm.js";
import { CF, PF, AF, ZF, SF, OF, DF, IF, ARITH, type X86Model, type Insn } from "../../src/x86/ir.js";

const dec = (model: X86Model, ...bytes: number[]): Insn => decodeBytes(bytes, 0, model, 0x100);

describe("8086/286 instructions", () => {
  it("ALU r/m,reg with a segment override and disp16", () => {
    const i = dec("8086", 0x26, 0x01, 0x87, 0x34, 0x12);   // add [es:bx+0x1234],ax
    expect(i.length).toBe(5);
    expect(i.mnemonic).toBe("add");
    expect(i.prefixes).toMatchObject({ seg: "es", bytes: [0x26] });
    expect(i.operands[0]).toMatchObject({ kind: "mem", seg: "es", segOverride: true, base: "bx", index: null, disp: 0x1234, dispSize: 16, size: 16, addrSize: 16 });
    expect(i.operands[1]).toMatchObject({ kind: "reg", name: "ax", size: 16, num: 0 });
    expect(i.flags).toEqual({ read: 0, written: ARITH, undefined: 0 });
    expect(i.flow).toBe("none");
    expect(i.sensitive).toBe(false);
  });

  it("BP-based addressing defaults to SS; disp8 is sign-extended", () => {
    const i = dec("286", 0x8B, 0x42, 0xFE);                // mov ax,[bp+si-0x2]
    expect(i.operands[1]).toMatchObject({ kind: "mem", seg: "ss", segOverride: false, base: "bp", index: "si", disp: -2, dispSize: 8 });
    expect(renderInsn(i)).toBe("mov ax,[bp+si-0x2]");
  });

  it("ADC reads CF, logic ops leave AF undefined, INC keeps CF", () => {
    expect(dec("8086", 0x12, 0xC1).flags).toEqual({ read: CF, written: ARITH, undefined: 0 });
    expect(dec("8086", 0x21, 0xC0).flags).toEqual({ read: 0, written: ARITH & ~AF, undefined: AF });
    expect(dec("8086", 0x40).flags).toEqual({ read: 0, written: ARITH & ~CF, undefined: 0 });
  });

  it("shifts: OF is defined only for a count of 1", () => {
    expect(dec("286", 0xD1, 0xE0).flags).toEqual({ read: 0, written: CF | OF | SF | ZF | PF, undefined: AF });
    expect(dec("286", 0xD3, 0xE0).flags).toEqual({ read: 0, written: CF | SF | ZF | PF, undefined: AF | OF });
    expect(dec("286", 0xC1, 0xE0, 0x01).flags.written & OF).toBe(OF);
    expect(dec("286", 0xC1, 0xE0, 0x03).flags.undefined & OF).toBe(OF);
    expect(dec("286", 0xD1, 0xD0).flags.read).toBe(CF);           // rcl reads CF
  });

  it("MUL/DIV/BCD undefined flags", () => {
    expect(dec("8086", 0xF7, 0xE1).flags).toEqual({ read: 0, written: CF | OF, undefined: SF | ZF | AF | PF });
    expect(dec("8086", 0xF7, 0xF1).flags).toEqual({ read: 0, written: 0, undefined: ARITH });
    expect(dec("8086", 0x27).flags).toEqual({ read: CF | AF, written: CF | AF | SF | ZF | PF, undefined: OF });
    expect(dec("8086", 0xD4, 0x0A).flags.undefined).toBe(OF | AF | CF);
  });

  it("Jcc: target resolved, flags read, control flow", () => {
    const i = dec("8086", 0x74, 0xFE);
    expect(i.operands[0]).toEqual({ kind: "rel", target: 0x100, disp: -2, size: 8 });
    expect(i.flow).toBe("jcc");
    expect(i.flags.read).toBe(ZF);
    expect(dec("8086", 0x7E, 0x00).flags.read).toBe(ZF | SF | OF);
    // 16-bit targets wrap inside the segment.
    expect(decodeBytes([0xE9, 0x00, 0x00], 0, "286", 0xFFFE).operands[0]).toMatchObject({ target: 0x0001 });
  });

  it("control-flow kinds and sensitivity", () => {
    const flow = (m: X86Model, ...b: number[]) => [dec(m, ...b).flow, dec(m, ...b).sensitive];
    expect(flow("8086", 0xE8, 0, 0)).toEqual(["call", false]);
    expect(flow("8086", 0xC3)).toEqual(["ret", false]);
    expect(flow("8086", 0xCA, 2, 0)).toEqual(["retfar", false]);
    expect(flow("8086", 0x9A, 0, 0, 0, 0)).toEqual(["callfar", false]);
    expect(flow("8086", 0xEA, 0, 0, 0, 0)).toEqual(["jmpfar", false]);
    expect(flow("8086", 0xFF, 0xE0)).toEqual(["jump", false]);        // jmp ax
    expect(flow("8086", 0xFF, 0x1F)).toEqual(["callfar", false]);     // call far [bx]
    expect(flow("8086", 0xE2, 0xFE)).toEqual(["loop", false]);
    expect(flow("8086", 0xCD, 0x21)).toEqual(["int", true]);
    expect(flow("8086", 0xCF)).toEqual(["iret", true]);
    expect(flow("8086", 0xF4)).toEqual(["halt", true]);
    for (const b of [[0xFA], [0xFB], [0x9D], [0xE4, 0x60], [0xEE], [0x17], [0x8E, 0xD0]]) {
      expect(dec("286", ...b).sensitive, b.join(",")).toBe(true);
    }
    expect(dec("286", 0x8E, 0xD8).sensitive).toBe(false);             // mov ds,ax
    expect(dec("286", 0x0F, 0x01, 0xF0).sensitive).toBe(true);         // lmsw ax
    expect(dec("286", 0xFA).flags.written).toBe(IF);
    expect(dec("286", 0xFD).flags.written).toBe(DF);
  });

  it("string instructions: implicit DS:SI / ES:DI, REP, overrides", () => {
    const i = dec("8086", 0x2E, 0xF3, 0xA5);
    expect(i.mnemonic).toBe("movsw");
    expect(i.prefixes).toMatchObject({ seg: "cs", rep: "rep" });
    expect(i.operands[0]).toMatchObject({ kind: "mem", seg: "es", base: "di", implicit: true, size: 16 });
    expect(i.operands[1]).toMatchObject({ kind: "mem", seg: "cs", base: "si", implicit: true, segOverride: true });
    expect(i.flags.read).toBe(DF);
    expect(renderInsn(i)).toBe("cs rep movsw");
    expect(dec("8086", 0xF2, 0xAE).flags).toEqual({ read: DF, written: ARITH, undefined: 0 });
  });

  it("286 additions", () => {
    expect(renderInsn(dec("286", 0x60))).toBe("pusha");
    expect(renderInsn(dec("286", 0x6A, 0xFF))).toBe("push byte -0x1");
    expect(dec("286", 0x6A, 0xFF).operands[0]).toEqual({ kind: "imm", value: -1, size: 8, signed: true, extendedTo: 16 });
    expect(renderInsn(dec("286", 0x6B, 0xC3, 0x05))).toBe("imul ax,bx,byte +0x5");
    expect(renderInsn(dec("286", 0xC8, 0x10, 0x00, 0x01))).toBe("enter 0x10,0x1");
    expect(dec("286", 0x62, 0x07).operands[1]).toMatchObject({ kind: "mem", size: 32 });   // bound
    expect(dec("286", 0x6C).sensitive).toBe(true);                                         // insb
    expect(renderInsn(dec("286", 0x0F, 0x01, 0xE0))).toBe("smsw ax");
    expect(renderInsn(dec("286", 0x0F, 0x06))).toBe("clts");
  });

  it("protected-mode-only instructions decode but fault in real mode", () => {
    const i = dec("286", 0x0F, 0x00, 0xD8);                  // ltr ax
    expect(i.mnemonic).toBe("ltr");
    expect(i.fault).toBe("ud");
    expect(i.flow).toBe("fault");
    expect(dec("286", 0x63, 0xC0)).toMatchObject({ mnemonic: "arpl", fault: "ud" });
    expect(dec("386", 0x0F, 0x02, 0xC0)).toMatchObject({ mnemonic: "lar", fault: "ud" });
  });
});

describe("8086 aliases and the later models' #UD", () => {
  const cases: [number[], string, string, string][] = [
    // bytes, 8086 rendering, 8086 alias, 286 status
    [[0x60, 0x05], "jo 0x107", "jcc", "ok"],
    [[0x6F, 0x05], "jg 0x107", "jcc", "ok"],
    [[0xC0, 0x04, 0x00], "ret 0x4", "ret", "ok"],
    [[0xC1], "ret", "ret", "truncated"],
    [[0xC8, 0x02, 0x00], "retf 0x2", "retf", "truncated"],
    [[0xC9], "retf", "retf", "ok"],
    [[0x82, 0x07, 0x05], "add byte [bx],0x5", "alu82", "ok"],
    [[0x8C, 0xE0], "mov ax,es", "sreg", "invalid"],
    [[0x8E, 0xF8], "mov ds,ax", "sreg", "invalid"],
    [[0x8F, 0xC8], "pop ax", "pop", "invalid"],
    [[0xC6, 0xC8, 0x05], "mov al,0x5", "mov", "invalid"],
    [[0xF6, 0xC8, 0x05], "test al,0x5", "test", "ok"],
    [[0xFF, 0xF8], "push ax", "push", "invalid"],
    [[0xFE, 0xD0], "call ax", "byte-as-word", "invalid"],
    [[0xD0, 0xF0], "setmo al", "setmo", "ok"],
    [[0xD2, 0xF0], "setmoc al,cl", "setmo", "ok"],
    [[0x8D, 0xC3], "lea ax,bx", "noop", "invalid"],
    [[0x0F], "pop cs", "popcs", "truncated"],
  ];
  for (const [bytes, text, alias, st286] of cases) {
    it(`${bytes.map((b) => b.toString(16)).join(" ")}: ${text}`, () => {
      const i = dec("8086", ...bytes);
      expect(i.status).toBe("ok");
      expect(i.alias).toBe(alias);
      expect(renderInsn(i)).toBe(text);
      expect(i.length).toBe(bytes.length);
      expect(dec("286", ...bytes).status).toBe(st286);
    });
  }

  it("alias semantics carry over: jcc flow, ret flow, MOV CS and POP CS are far transfers", () => {
    expect(dec("8086", 0x64, 0x00)).toMatchObject({ flow: "jcc", flags: { read: ZF, written: 0, undefined: 0 } });
    expect(dec("8086", 0xC1).flow).toBe("ret");
    expect(dec("8086", 0x0F)).toMatchObject({ mnemonic: "pop", flow: "jmpfar", sensitive: true });
    expect(dec("8086", 0x8E, 0xC8)).toMatchObject({ flow: "jmpfar", alias: "movcs" });
    expect(dec("286", 0x8E, 0xC8).status).toBe("invalid");
  });

  it("F1 is a LOCK prefix on the 8086/286 and INT1 on the 386", () => {
    expect(dec("8086", 0xF1, 0x90).prefixes).toMatchObject({ lock: true, bytes: [0xF1] });
    expect(dec("286", 0xF1, 0x90).mnemonic).toBe("nop");
    expect(dec("386", 0xF1)).toMatchObject({ mnemonic: "int1", flow: "int", length: 1 });
  });

  it("SALC and ESC exist on every model", () => {
    for (const m of ["8086", "286", "386"] as const) {
      expect(dec(m, 0xD6)).toMatchObject({ mnemonic: "salc", flags: { read: CF } });
      const esc = dec(m, 0xDB, 0x2F);
      expect(esc.mnemonic).toBe("esc");
      expect(esc.operands[0]).toMatchObject({ kind: "imm", value: 0x1D });
      expect(renderInsn(esc)).toBe("esc 0x1d,[bx]");
    }
  });

  it("286: 64–67 are #UD (one-byte invalid entries), 66h is no prefix", () => {
    for (const op of [0x64, 0x65, 0x66, 0x67]) {
      expect(dec("286", op, 0x90)).toMatchObject({ status: "invalid", fault: "ud", length: 1, mnemonic: "(bad)", flow: "fault" });
    }
    expect(dec("386", 0x66, 0x90).prefixes.opsize).toBe(true);
    expect(dec("8086", 0x66, 0x00).mnemonic).toBe("jna");
  });
});

describe("386 forms", () => {
  it("operand-size prefix: 32-bit registers and immediates", () => {
    const i = dec("386", 0x66, 0xB8, 0x78, 0x56, 0x34, 0x12);
    expect(i).toMatchObject({ opSize: 32, addrSize: 16, length: 6 });
    expect(i.operands).toEqual([
      { kind: "reg", num: 0, size: 32, name: "eax" },
      { kind: "imm", value: 0x12345678, size: 32, signed: false },
    ]);
    expect(renderInsn(i)).toBe("mov eax,0x12345678");
  });

  it("address-size prefix: SIB with scale, disp32, default segment from the base", () => {
    const i = dec("386", 0x67, 0x8B, 0x44, 0x8D, 0xF0);   // mov ax,[ebp+ecx*4-0x10]
    expect(i.operands[1]).toMatchObject({ kind: "mem", base: "ebp", index: "ecx", scale: 4, disp: -16, dispSize: 8, seg: "ss", addrSize: 32, sib: true });
    expect(renderInsn(i)).toBe("mov ax,[dword ebp+ecx*4-0x10]");
    const abs = dec("386", 0x67, 0x8B, 0x05, 0x78, 0x56, 0x34, 0x12);
    expect(abs.operands[1]).toMatchObject({ base: null, index: null, disp: 0x12345678, dispSize: 32, seg: "ds" });
    const sibNoBase = dec("386", 0x67, 0x8B, 0x04, 0x8D, 0, 1, 0, 0);   // [ecx*4+0x100]
    expect(sibNoBase.operands[1]).toMatchObject({ base: null, index: "ecx", scale: 4, disp: 0x100 });
    expect(dec("386", 0x67, 0x8B, 0x04, 0x24).operands[1]).toMatchObject({ base: "esp", index: null, seg: "ss" });
  });

  it("FS/GS overrides, PUSH/POP FS/GS, LSS/LFS/LGS", () => {
    expect(dec("386", 0x64, 0x8B, 0x07).operands[1]).toMatchObject({ seg: "fs", segOverride: true });
    expect(renderInsn(dec("386", 0x0F, 0xA0))).toBe("push fs");
    expect(renderInsn(dec("386", 0x0F, 0xA9))).toBe("pop gs");
    const lss = dec("386", 0x66, 0x0F, 0xB2, 0x07);
    expect(lss).toMatchObject({ mnemonic: "lss", sensitive: true });
    expect(lss.operands[1]).toMatchObject({ kind: "mem", farPointer: true, size: 48 });
  });

  it("MOVSX/MOVZX, SETcc, BT group, BSF, SHLD, IMUL r,r/m", () => {
    expect(renderInsn(dec("386", 0x66, 0x0F, 0xBE, 0x07))).toBe("movsx eax,byte [bx]");
    const set = dec("386", 0x0F, 0x9F, 0xC0);
    expect(set).toMatchObject({ mnemonic: "setg", flags: { read: ZF | SF | OF } });
    const bt = dec("386", 0x0F, 0xBA, 0xE8, 0x05);
    expect(bt.mnemonic).toBe("bts");
    expect(bt.flags).toEqual({ read: 0, written: CF, undefined: OF | SF | AF | PF });
    expect(dec("386", 0x0F, 0xBA, 0xC0, 0x05).status).toBe("invalid");       // /0 is #UD
    expect(dec("386", 0x0F, 0xBC, 0xC3).flags.written).toBe(ZF);
    expect(renderInsn(dec("386", 0x0F, 0xA4, 0xD8, 0x04))).toBe("shld ax,bx,0x4");
    expect(renderInsn(dec("386", 0x0F, 0xAF, 0xC3))).toBe("imul ax,bx");
  });

  it("Jcc rel16/rel32, JECXZ and LOOP with 67h", () => {
    const j = dec("386", 0x0F, 0x84, 0x00, 0x10);
    expect(j).toMatchObject({ flow: "jcc", length: 4 });
    expect(j.operands[0]).toMatchObject({ kind: "rel", size: 16, target: 0x1104 });
    const j32 = dec("386", 0x66, 0x0F, 0x85, 0x00, 0x00, 0x01, 0x00);
    expect(j32.operands[0]).toMatchObject({ size: 32, target: 0x10107 });
    expect(dec("386", 0x67, 0xE3, 0x00).mnemonic).toBe("jecxz");
    expect(renderInsn(dec("386", 0x67, 0xE2, 0xFD))).toBe("loop 0x100,ecx");
  });

  it("MOV CRn/DRn, CPUID, RDTSC, 32-bit stack and string ops", () => {
    const cr = dec("386", 0x0F, 0x22, 0x00);          // mod ignored: mov cr0,eax
    expect(cr).toMatchObject({ mnemonic: "mov", sensitive: true, length: 3 });
    expect(cr.operands).toEqual([{ kind: "creg", num: 0, name: "cr0" }, { kind: "reg", num: 0, size: 32, name: "eax" }]);
    expect(dec("386", 0x0F, 0x22, 0xC8).fault).toBe("ud");   // cr1
    expect(renderInsn(dec("386", 0x0F, 0x21, 0xF8))).toBe("mov eax,dr7");
    expect(dec("386", 0x0F, 0xA2)).toMatchObject({ mnemonic: "cpuid", sensitive: true });
    expect(dec("386", 0x0F, 0x31).mnemonic).toBe("rdtsc");
    for (const [b, m] of [[0x60, "pushad"], [0x9C, "pushfd"], [0x98, "cwde"], [0x99, "cdq"], [0xA5, "movsd"], [0xCF, "iretd"]] as const) {
      expect(dec("386", 0x66, b).mnemonic).toBe(m);
    }
    expect(dec("286", 0x0F, 0xA2).status).toBe("invalid");
  });

  it("LOCK on the 386: legal only with a memory destination of a lockable op", () => {
    expect(dec("386", 0xF0, 0x01, 0x07).fault).toBeUndefined();
    expect(dec("386", 0xF0, 0x01, 0xC0)).toMatchObject({ fault: "ud", flow: "fault" });
    expect(dec("386", 0xF0, 0x8B, 0x07).fault).toBe("ud");
    expect(dec("286", 0xF0, 0x8B, 0x07).fault).toBeUndefined();
  });
});

describe("limits, truncation, robustness", () => {
  it("truncation: the bytes that were there, status truncated", () => {
    expect(dec("8086", 0xB8, 0x01)).toMatchObject({ status: "truncated", length: 2 });
    expect(dec("386", 0x66, 0x67)).toMatchObject({ status: "truncated", length: 2 });
    expect(dec("386", 0x0F)).toMatchObject({ status: "truncated", length: 1 });
    expect(decodeBytes([], 0, "286")).toMatchObject({ status: "truncated", length: 0 });
  });

  it("286: more than 10 bytes is #GP; 386: more than 15", () => {
    const p286 = [0x26, 0x26, 0x26, 0x26, 0x26, 0x81, 0x87, 0x00, 0x01, 0x34, 0x12];   // 11 bytes
    expect(dec("286", ...p286)).toMatchObject({ status: "invalid", fault: "gp", length: 10 });
    expect(dec("286", ...p286.slice(1))).toMatchObject({ status: "ok", length: 10 });
    expect(dec("286", ...Array(12).fill(0x2E), 0x90)).toMatchObject({ fault: "gp", length: 10 });
    const p386 = [...Array(10).fill(0x26), 0x66, 0x81, 0x87, 0x00, 0x01, 0x78, 0x56, 0x34, 0x12];
    expect(dec("386", ...p386)).toMatchObject({ fault: "gp", length: 15 });
    expect(dec("8086", ...p386.slice(0, 10), 0x90)).toMatchObject({ status: "ok", mnemonic: "nop", length: 11 });
  });

  it("8086: a run of 16 prefixes is an instruction of its own (as the interpreter runs it)", () => {
    const i = dec("8086", ...Array(20).fill(0x3E), 0x90);
    expect(i).toMatchObject({ status: "ok", mnemonic: "(prefixes)", length: 16 });
  });

  it("decodeAt fetches with IP wrapping inside the segment", () => {
    const mem = new Uint8Array(0x30000);
    const cs = 0x1000;
    mem[cs * 16 + 0xFFFF] = 0xB8; mem[cs * 16] = 0x34; mem[cs * 16 + 1] = 0x12;
    const i = decodeAt((a) => mem[a], "286", cs, 0xFFFF);
    expect(i).toMatchObject({ mnemonic: "mov", length: 3, address: 0x1FFFF, cs, ip: 0xFFFF });
    expect(i.operands[1]).toMatchObject({ value: 0x1234 });
  });

  it("fuzz: random bytes never throw, lengths are bounded, decoding is deterministic", () => {
    let seed = 1234567;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF; return (seed >> 8) & 0xFF; };
    const max: Record<X86Model, number> = { "8086": 21, "286": 10, "386": 15 };
    const seen = new Set<string>();
    for (let n = 0; n < 12_000; n++) {
      const bytes = Array.from({ length: 24 }, rnd);
      // Bias towards prefixes and 0F so the long paths are exercised.
      if (n % 3 === 0) bytes.splice(0, 0, ...[0x66, 0x67, 0x26, 0xF3, 0x0F].slice(0, 1 + (n % 5)));
      for (const m of ["8086", "286", "386"] as const) {
        const a = decodeBytes(bytes, 0, m);
        expect(a.length).toBeGreaterThanOrEqual(1);
        expect(a.length).toBeLessThanOrEqual(max[m]);
        expect(a.bytes.length).toBe(a.length);
        expect(a.flags.written & a.flags.undefined).toBe(0);
        const text = renderInsn(a);
        expect(text.length).toBeGreaterThan(0);
        seen.add(a.mnemonic);
        const b = decodeBytes(bytes, 0, m);
        expect(b).toEqual(a);
      }
    }
    expect(seen.size).toBeGreaterThan(150);
  });
});
