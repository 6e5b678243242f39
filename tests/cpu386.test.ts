/**
 * cpu386.test.ts — the 386 real-mode model where QEMU cannot be the
 * reference (tests/diff386.test.ts compares everything else against it):
 * real mode's 64 KiB limit for 32-bit offsets and doubleword accesses,
 * the 15-byte length limit, #UD for the 386 encodings on older models,
 * FLAGS bits 12–15, CR0's PE/PG, the relocatable vector table (LIDT),
 * CPUID and RDTSC (ours, deterministic), the divide that Wasm itself would
 * trap on, and a few worked examples of the new instructions.
 *
 * Code is assembled with NASM (`bits 16`) and pasted as bytes, the source
 * beside them. It runs at 0100:0000; DS = ES = 2000h, SS:SP = 3000:1000.
 * Every interrupt vector points at 0000:0700, which holds HLT, so a fault
 * shows up as "halted at 0000:0701 with the frame on the stack".
 */
import { describe, it, expect } from "vitest";
import { Machine, type CpuModel } from "../src/index.js";

const HANDLER = 0x700;
const DATA = 0x20000;
const STACK = 0x30000 + 0x1000;

interface RunOpts {
  cpu?: CpuModel;
  /** [offset in the data segment, bytes] */
  data?: [number, number[]][];
  /** [physical address, bytes] */
  mem?: [number, number[]][];
  steps?: number;
}

function run(code: number[], opts: RunOpts = {}): Machine {
  const m = new Machine({ cpu: opts.cpu ?? "386" });
  const ivt: number[] = [];
  for (let v = 0; v < 256; v++) ivt.push(HANDLER & 0xff, HANDLER >> 8, 0, 0);
  m.write(0, ivt);
  m.write(HANDLER, [0xf4]);
  m.load(0x1000, code);
  for (const [off, bytes] of opts.data ?? []) m.write(DATA + off, bytes);
  for (const [addr, bytes] of opts.mem ?? []) m.write(addr, bytes);
  m.setRegisters({ cs: 0x100, ip: 0, ds: 0x2000, es: 0x2000, ss: 0x3000, sp: 0x1000, flags: 0x0002 });
  m.run({ maxInstructions: opts.steps ?? 10_000 });
  return m;
}

const word = (m: Machine, addr: number) => { const b = m.read(addr, 2); return b[0] | (b[1] << 8); };
const dword = (m: Machine, addr: number) => (word(m, addr) | (word(m, addr + 2) << 16)) >>> 0;

/** Halted in the handler of an exception raised by the instruction at
 *  0100:`ip` (the frame's return address points at the instruction). */
function expectFault(m: Machine, ip: number): void {
  expect(m.registers.cs).toBe(0);
  expect(m.registers.ip).toBe(HANDLER + 1);
  const sp = m.registers.sp;
  expect(word(m, 0x30000 + sp), "frame IP").toBe(ip);
  expect(word(m, 0x30000 + sp + 2), "frame CS").toBe(0x100);
}

/** Halted by the HLT at the end of the code, at 0100:`ip`. */
function expectDone(m: Machine, endIP: number): void {
  expect(m.halted).toBe(true);
  expect(m.registers.cs).toBe(0x100);
  expect(m.registers.ip).toBe(endIP);
}

describe("386: 32-bit addressing", () => {
  it("SIB forms with every part: base + index × scale + displacement", () => {
    // mov ebx,100h / mov ecx,4 / mov eax,[ebx+ecx*4] / mov edx,[ebx+ecx*2+10h]
    // lea esi,[ebx+ecx*8-1] / hlt
    const m = run([
      0x66, 0xbb, 0x00, 0x01, 0x00, 0x00, 0x66, 0xb9, 0x04, 0x00, 0x00, 0x00, 0x66, 0x67, 0x8b, 0x04, 0x8b,
      0x66, 0x67, 0x8b, 0x54, 0x4b, 0x10, 0x66, 0x67, 0x8d, 0x74, 0xcb, 0xff, 0xf4,
    ], { data: [[0x110, [0x78, 0x56, 0x34, 0x12]], [0x118, [0xef, 0xbe, 0xad, 0xde]]] });
    expectDone(m, 30);
    expect(m.registers32.eax).toBe(0x12345678);
    expect(m.registers32.edx).toBe(0xdeadbeef);
    expect(m.registers32.esi).toBe(0x11f);
  });

  it("an offset above FFFFh is a #GP, not a wrap (QEMU does not check real-mode limits)", () => {
    // mov ebx,10000h / mov al,[ebx] / hlt
    const m = run([0x66, 0xbb, 0x00, 0x00, 0x01, 0x00, 0x67, 0x8a, 0x03, 0xf4]);
    expectFault(m, 6);
    expect(m.registers.ax & 0xff).toBe(0);
  });

  it("LEA computes such an offset without faulting: it accesses nothing", () => {
    // mov ebx,10000h / lea eax,[ebx+ebx*2] / hlt
    const m = run([0x66, 0xbb, 0x00, 0x00, 0x01, 0x00, 0x66, 0x67, 0x8d, 0x04, 0x5b, 0xf4]);
    expectDone(m, 12);
    expect(m.registers32.eax).toBe(0x30000);
  });

  it("a doubleword at offset FFFEh runs past the limit: #GP", () => {
    // mov bx,0FFFEh / mov eax,[bx] / hlt
    const m = run([0xbb, 0xfe, 0xff, 0x66, 0x8b, 0x07, 0xf4]);
    expectFault(m, 3);
  });

  it("BTS with a negative bit offset in a register addresses memory below the operand", () => {
    // mov bx,110h / mov eax,-9 / bts [bx],eax / hlt  → bit 23 of the dword at 10Ch
    const m = run([0xbb, 0x10, 0x01, 0x66, 0xb8, 0xf7, 0xff, 0xff, 0xff, 0x66, 0x0f, 0xab, 0x07, 0xf4]);
    expectDone(m, 14);
    expect(dword(m, DATA + 0x10c)).toBe(1 << 23);
    expect(dword(m, DATA + 0x110)).toBe(0);
  });

  it("A32 REP MOVSD counts ECX and steps ESI/EDI by four", () => {
    // mov ecx,3 / mov esi,100h / mov edi,200h / a32 rep movsd / hlt
    const src = Array.from({ length: 16 }, (_, i) => i + 1);
    const m = run([
      0x66, 0xb9, 0x03, 0x00, 0x00, 0x00, 0x66, 0xbe, 0x00, 0x01, 0x00, 0x00,
      0x66, 0xbf, 0x00, 0x02, 0x00, 0x00, 0xf3, 0x66, 0x67, 0xa5, 0xf4,
    ], { data: [[0x100, src]] });
    expectDone(m, 23);
    expect([...m.read(DATA + 0x200, 16)]).toEqual([...src.slice(0, 12), 0, 0, 0, 0]);
    expect(m.registers32).toMatchObject({ ecx: 0, esi: 0x10c, edi: 0x20c });
    // Three MOVs, three iterations (one instruction each), HLT.
    expect(m.instructionCount).toBe(3 + 3 + 1);
  });
});

describe("386: control transfers and the stack", () => {
  it("PUSHAD/POPAD round-trip and POPAD skips ESP's slot", () => {
    // mov eax,11111111h / mov esp,8000h / pushad / mov eax,0 / popad / hlt
    const m = run([
      0x66, 0xb8, 0x11, 0x11, 0x11, 0x11, 0x66, 0xbc, 0x00, 0x80, 0x00, 0x00, 0x66, 0x60,
      0x66, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x66, 0x61, 0xf4,
    ]);
    expectDone(m, 23);
    expect(m.registers32.eax).toBe(0x11111111);
    expect(m.registers32.esp).toBe(0x8000);
    expect(dword(m, 0x30000 + 0x8000 - 20)).toBe(0x8000); // the pushed ESP
  });

  it("a 32-bit RET to an EIP past FFFFh faults before popping", () => {
    // push dword 12345h / o32 ret
    const m = run([0x66, 0x68, 0x45, 0x23, 0x01, 0x00, 0x66, 0xc3]);
    expectFault(m, 6);
    // Frame (6 bytes) below the untouched doubleword.
    expect(m.registers.sp).toBe(0x1000 - 4 - 6);
    expect(dword(m, 0x30000 + 0x1000 - 4)).toBe(0x12345);
  });

  it("LIDT moves the real-mode vector table; SIDT reads it back", () => {
    // lidt [600h] / int 20h / hlt   — table at 500h: vector 20h at 580h → 0000:0900
    const m = run([0x0f, 0x01, 0x1e, 0x00, 0x06, 0xcd, 0x20, 0xf4], {
      data: [[0x600, [0xff, 0x03, 0x00, 0x05, 0x00, 0x00]]],
      mem: [[0x580, [0x00, 0x09, 0x00, 0x00]], [0x900, [0xf4]]],
    });
    expect(m.registers).toMatchObject({ cs: 0, ip: 0x901 });
    // SIDT reads it back: o32 sidt [610h] / hlt
    const s = run([0x0f, 0x01, 0x1e, 0x00, 0x06, 0x66, 0x0f, 0x01, 0x0e, 0x10, 0x06, 0xf4], {
      data: [[0x600, [0x34, 0x12, 0x78, 0x56, 0x34, 0x12]]],
    });
    expect([...s.read(DATA + 0x610, 6)]).toEqual([0x34, 0x12, 0x78, 0x56, 0x34, 0x00]); // 16-bit LIDT: 24-bit base
    // The 286 has them too (real mode), and stores FFh as the sixth byte:
    // lidt [600h] / sidt [610h] / hlt
    const t = run([0x0f, 0x01, 0x1e, 0x00, 0x06, 0x0f, 0x01, 0x0e, 0x10, 0x06, 0xf4], {
      cpu: "286", data: [[0x600, [0x34, 0x12, 0x78, 0x56, 0x34, 0x12]]],
    });
    expect([...t.read(DATA + 0x610, 6)]).toEqual([0x34, 0x12, 0x78, 0x56, 0x34, 0xff]);
  });
});

describe("386: limits and model differences", () => {
  it("15 bytes is the longest instruction: 14 prefixes and a NOP run, 15 prefixes are #GP", () => {
    const ok = run([...Array(14).fill(0x3e), 0x90, 0xf4]);
    expectDone(ok, 16);
    const bad = run([...Array(15).fill(0x3e), 0x90, 0xf4]);
    expectFault(bad, 0);
  });

  it("the 386 prefixes are #UD on the 286 and Jcc aliases on the 8086", () => {
    // o32 mov eax, 1 / hlt
    expectFault(run([0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4], { cpu: "286" }), 0);
    // 64h (FS:) = JZ on the 8086; ZF = 0: not taken, so MOV AX, 1 runs.
    const m = run([0x64, 0x00, 0xb8, 0x01, 0x00, 0xf4], { cpu: "8086" });
    expect(m.registers.ax).toBe(1);
    // The 0F map: MOVZX is #UD on the 286 (0F is POP CS on the 8086).
    expectFault(run([0x0f, 0xb6, 0xc0, 0xf4], { cpu: "286" }), 0);
  });

  it("FLAGS: IOPL and NT are writable, bit 15 reads 0", () => {
    // push word 0FEFFh / popf / pushf / pop ax / hlt   (everything but TF)
    const code = [0x68, 0xff, 0xfe, 0x9d, 0x9c, 0x58, 0xf4];
    expect(run(code).registers.ax).toBe(0x7ed7);
    expect(run(code, { cpu: "286" }).registers.ax).toBe(0x0ed7);
  });

  it("CR0: PE and PG cannot be set (real mode only), ET reads 1", () => {
    // mov eax,cr0 / or eax,80000001h / mov cr0,eax / mov ebx,cr0 / hlt
    const m = run([0x0f, 0x20, 0xc0, 0x66, 0x0d, 0x01, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0x0f, 0x20, 0xc3, 0xf4]);
    expectDone(m, 16);
    expect(m.registers32.eax).toBe(0x80000011);
    expect(m.registers32.ebx).toBe(0x10);
  });

  it("LOCK: only read-modify-write memory forms; anything else is #UD on the 386", () => {
    // lock add [bx],ax / lock bts [bx],ax / lock xchg [bx],ax / hlt
    expectDone(run([0xf0, 0x01, 0x07, 0xf0, 0x0f, 0xab, 0x07, 0xf0, 0x87, 0x07, 0xf4]), 11);
    expectFault(run([0xf0, 0x01, 0xc3, 0xf4]), 0);        // lock add bx,ax (register)
    expectFault(run([0x90, 0xf0, 0x89, 0x07, 0xf4]), 1);  // lock mov [bx],ax
    expectFault(run([0xf0, 0x39, 0x07, 0xf4]), 0);        // lock cmp [bx],ax
    expectFault(run([0x2e, 0xf0, 0x66, 0x90, 0xf4]), 0);  // cs lock o32 nop
    // The 286 accepts LOCK anywhere.
    expectDone(run([0xf0, 0x89, 0x07, 0xf0, 0x01, 0xc3, 0xf4], { cpu: "286" }), 7);
  });

  it("ICEBP (F1) raises interrupt 1 after itself; ARPL (63) is #UD", () => {
    const m = run([0xf1, 0xf4]);
    expect(m.registers.ip).toBe(HANDLER + 1);
    expect(word(m, 0x30000 + m.registers.sp)).toBe(1); // returns past F1
    expectFault(run([0x63, 0xc0, 0xf4]), 0);
  });
});

describe("386: CPUID, RDTSC and the divide Wasm would trap on", () => {
  it("CPUID names the vendor, family 3 and the TSC feature", () => {
    // xor eax,eax / cpuid / hlt
    const m = run([0x66, 0x31, 0xc0, 0x0f, 0xa2, 0xf4]);
    const r = m.registers32;
    const text = [r.ebx, r.edx, r.ecx].map((v) => String.fromCharCode(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24)).join("");
    expect(r.eax).toBe(1);
    expect(text).toBe("GenuineIntel");
    // mov eax,1 / cpuid / hlt
    const l1 = run([0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xa2, 0xf4]).registers32;
    expect((l1.eax >> 8) & 0xf).toBe(3);
    expect(l1.edx & 0x10).toBe(0x10);
    expect(l1.edx & 1).toBe(0); // no FPU
  });

  it("RDTSC reads the retired-instruction count: deterministic", () => {
    // nop / nop / rdtsc / hlt  → two instructions had retired before RDTSC
    const m = run([0x90, 0x90, 0x0f, 0x31, 0xf4]);
    expect(m.registers32.eax).toBe(3);
    expect(m.registers32.edx).toBe(0);
  });

  it("IDIV of 8000000000000000h by -1 is #DE, not a host trap", () => {
    // mov edx,80000000h / xor eax,eax / mov ebx,-1 / idiv ebx / hlt
    const m = run([
      0x66, 0xba, 0x00, 0x00, 0x00, 0x80, 0x66, 0x31, 0xc0, 0x66, 0xbb, 0xff, 0xff, 0xff, 0xff, 0x66, 0xf7, 0xfb, 0xf4,
    ]);
    expectFault(m, 15);
    expect(m.registers32.edx).toBe(0x80000000);
  });

  it("MOVZX, MOVSX, SHLD, SHRD, SETcc, BSF, BSR and IMUL r,r/m worked through", () => {
    // mov ecx,4 / movzx eax,byte [300h] / movsx ebx,word [302h] / shld eax,ebx,8 /
    // shrd ebx,eax,cl / setc dl / bsf esi,ebx / bsr edi,ebx / imul ecx,ebx / hlt
    const n = run([
      0x66, 0xb9, 0x04, 0x00, 0x00, 0x00,
      0x66, 0x0f, 0xb6, 0x06, 0x00, 0x03, 0x66, 0x0f, 0xbf, 0x1e, 0x02, 0x03, 0x66, 0x0f, 0xa4, 0xd8, 0x08,
      0x66, 0x0f, 0xad, 0xc3, 0x0f, 0x92, 0xc2, 0x66, 0x0f, 0xbc, 0xf3, 0x66, 0x0f, 0xbd, 0xfb, 0x66, 0x0f, 0xaf, 0xcb, 0xf4,
    ], { data: [[0x300, [0x9a, 0x00, 0x34, 0x92]]] });
    expectDone(n, 43);
    const r = n.registers32;
    // eax = 9Ah; ebx = sign-extended 9234h = FFFF9234h
    // shld eax,ebx,8: eax = 9AFFh (the top byte of ebx shifted in), CF = 0
    // shrd ebx,eax,4: ebx = (eax low 4 bits F) : FFFF923h → FFFFF923h, CF = bit 3 of ebx = 0
    expect(r.eax).toBe(0x9aff);
    expect(r.ebx).toBe(0xfffff923);
    expect(n.registers.dx & 0xff).toBe(0);
    expect(r.esi).toBe(0);  // lowest set bit of ...923h
    expect(r.edi).toBe(31);
    expect(r.ecx).toBe(Math.imul(4, 0xfffff923) >>> 0);
  });
});
