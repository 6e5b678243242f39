/**
 * gen.ts — what every fuzz generator shares: the generation context (the
 * seeded PRNG, the CPU model, the section being emitted, the register and
 * memory-operand policy that keeps programs valid), the basic instruction
 * emitters (ALU, shifts, MOV, INC/DEC, PUSH/POP, flag producers and
 * consumers) and the program skeleton: a LOOP over random constructs, with
 * subroutine sections on the code page and on the next-but-one page.
 * Not a test file.
 *
 * Validity rules every construct keeps:
 *   - CX is the main loop's counter: constructs may read it (CL as a
 *     shift count) but leave it as they found it (PUSH/POP around use);
 *   - SP is balanced; BP, BX, SI, DI, AX, DX (and the 8-bit halves, AH..BH
 *     included) are free data registers;
 *   - memory is written only through DS, ES, SS, FS, GS (data segments
 *     holding no code) at 16-bit offsets, or through CS: at an address a
 *     self-modification construct chose (an immediate or an opcode it
 *     keeps valid);
 *   - nothing faults, except the constructs whose point is the fault (the
 *     offset-FFFFh word on the 286/386: the handler HLTs, ending the run).
 */
import type { CpuModel } from "../../../src/index.js";
import { mulberry32 } from "../../support/mulberry32.js";
import { Section, Label, link, RangeFail } from "./asm.js";
import type { Program } from "./harness.js";

/** Model level: 0 8086, 1 286, 2 386. */
const LEVEL: Record<CpuModel, number> = { "8086": 0, "286": 1, "386": 2 };

export type Construct = (c: Ctx) => void;
/** A construct with its weight and the oldest model it is valid on. */
export interface Entry { name: string; w: number; f: Construct; min?: number }

/** Writable 16-bit registers: AX DX BX BP SI DI. */
export const W16 = [0, 2, 3, 5, 6, 7];
/** Writable 8-bit registers: AL DL BL AH DH BH. */
export const W8 = [0, 2, 3, 4, 6, 7];

export interface Mem {
  /** Prefix bytes (segment override; 67h). */
  pfx: number[];
  /** ModRM (with `reg` in bits 5–3), SIB, displacement. */
  enc(reg: number): number[];
}

export class Ctx {
  readonly rnd: () => number;
  readonly level: number;
  /** The section constructs emit into. */
  sec: Section;
  readonly main: Section;
  readonly subs: { sec: Section; far: boolean; args: number; entry: Label }[] = [];
  /** Subroutine nesting while generating (bodies of subroutines). */
  depth = 0;
  /** Nested-loop depth (constructs with their own CX loop). */
  loops = 0;
  /** The construct mix (subroutine bodies draw from it too). */
  mix: readonly Entry[] = [];
  constructor(seed: number, readonly cpu: CpuModel) {
    this.rnd = mulberry32(seed);
    this.level = LEVEL[cpu];
    this.main = this.sec = new Section("main", 0);
  }

  int(n: number): number { return Math.floor(this.rnd() * n); }
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  chance(p: number): boolean { return this.rnd() < p; }
  byte(): number { return this.int(256); }
  word(): number { return this.int(0x10000); }
  dword(): number { return (this.rnd() * 2 ** 32) >>> 0; }
  /** An "interesting" value of `size` bits: edges half the time. */
  value(size: 8 | 16 | 32): number {
    if (this.chance(0.5)) {
      const m = size === 32 ? 0xffffffff : (1 << size) - 1, top = size === 32 ? 0x80000000 : 1 << (size - 1);
      return this.pick([0, 1, 2, m, m - 1, top, top - 1, top + 1]) >>> 0;
    }
    return size === 8 ? this.byte() : size === 16 ? this.word() : this.dword();
  }

  get is386(): boolean { return this.level >= 2; }
  get is286(): boolean { return this.level >= 1; }

  /** Operand size: 8, 16, or (386) 32. */
  size(p32 = 0.3): 8 | 16 | 32 {
    if (this.is386 && this.chance(p32)) return 32;
    return this.chance(0.5) ? 8 : 16;
  }
  /** The operand-size prefix for `size`. */
  osz(size: number): number[] { return size === 32 ? [0x66] : []; }

  w(size: number): number { return this.pick(size === 8 ? W8 : W16); }
  /** Any register as a source. */
  any(): number { return this.int(8); }

  /** Emit one instruction into the current section. */
  insn(...bytes: number[]): void { this.sec.insn(...bytes); }

  /** Run `f` with `note` as the listing annotation. */
  note(name: string, f: () => void): void {
    const old = this.sec.note;
    this.sec.note = name;
    try { f(); } finally { this.sec.note = old; }
  }

  /** A random memory operand (16-bit addressing, or 67h on the 386).
   *  `write`: the operand is written (no CS: override). */
  mem(write: boolean, opts: { a32?: boolean; noOverride?: boolean } = {}): Mem {
    const pfx: number[] = [];
    if (!opts.noOverride && this.chance(0.35)) {
      const segs = [0x26, 0x36, 0x3e];                        // ES SS DS
      if (!write) segs.push(0x2e);                              // CS (reads code)
      if (this.is386) segs.push(0x64, 0x65);                    // FS GS
      pfx.push(this.pick(segs));
    }
    if (opts.a32 ?? (this.is386 && this.chance(0.2))) return this.mem32(pfx, write);
    if (this.chance(0.25)) {
      // An absolute address from a small pool: stores and loads meet.
      const a = this.chance(0.7) ? this.pick([0x0100, 0x0102, 0x0104, 0x0180, 0x01fe, 0x0ffe]) : this.word() & 0xfffe;
      return { pfx, enc: (reg) => [(reg << 3) | 6, a & 0xff, a >> 8] };
    }
    const rm = this.int(8);
    let mod = this.pick([0, 1, 1, 2]);
    if (mod === 0 && rm === 6) mod = 1;
    const d = mod === 1 ? [this.byte()] : mod === 2 ? [this.byte(), this.byte()] : [];
    return { pfx, enc: (reg) => [(mod << 6) | (reg << 3) | rm, ...d] };
  }

  /**
   * A 32-bit-addressed operand (67h, SIB often). Offsets past FFFFh raise
   * #GP in real mode, so the base and index registers are masked first
   * (AND with an imm32: also a flag producer) — emitted here, before the
   * instruction that uses the operand.
   */
  private mem32(pfx: number[], write: boolean): Mem {
    // Base and index among EAX EDX EBX EBP ESI EDI (writable), or ESP as
    // the base of a read (a write there could hit a return address).
    const regs = [0, 2, 3, 5, 6, 7];
    const base = !write && this.chance(0.1) ? 4 : this.pick(regs);
    const useIndex = this.chance(0.6);
    const index = useIndex ? this.pick(regs) : 4;               // 4: no index
    const scale = this.int(4);
    if (base !== 4) this.insn(0x66, 0x81, 0xe0 | base, 0xfe, 0x3f, 0, 0);   // and base,3ffeh
    if (useIndex) this.insn(0x66, 0x81, 0xe0 | index, 0xfe, 0x0f, 0, 0);    // and index,0ffeh
    // ESP as the base: its upper half is zero and SP is about 8000h.
    const d8 = this.byte() & 0x7f;
    const sib = useIndex || base === 4 || this.chance(0.5);
    const mod = base === 5 || this.chance(0.5) ? 1 : 0;        // [EBP] needs a displacement
    return {
      pfx: [...pfx, 0x67],
      enc: (reg) => sib
        ? [(mod << 6) | (reg << 3) | 4, (scale << 6) | (index << 3) | base, ...(mod ? [d8] : [])]
        : [(mod << 6) | (reg << 3) | base, ...(mod ? [d8] : [])],
    };
  }

  /** A new label (not bound). */
  label(name = "L"): Label { return new Label(name); }
}

// ------------------------------------------------------ basic emitters

const modrmRR = (reg: number, rm: number) => 0xc0 | (reg << 3) | rm;
export { modrmRR };

/** An immediate of `size` bits as little-endian bytes. */
export function imm(size: number, v: number): number[] {
  const out = [v & 0xff];
  if (size >= 16) out.push((v >> 8) & 0xff);
  if (size === 32) out.push((v >> 16) & 0xff, (v >>> 24) & 0xff);
  return out;
}

/** ALU op `op` (0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP) in a random form. */
export function alu(c: Ctx, op = c.int(8), size = c.size()): void {
  const w = size === 8 ? 0 : 1, p = c.osz(size);
  switch (c.int(6)) {
    case 0: c.insn(...p, op * 8 + w, modrmRR(c.any(), c.w(size))); break;                 // r/m(reg), reg
    case 1: c.insn(...p, op * 8 + 2 + w, modrmRR(c.w(size), c.any())); break;             // reg, r/m(reg)
    case 2: { const m = c.mem(false); c.insn(...m.pfx, ...p, op * 8 + 2 + w, ...m.enc(c.w(size))); break; } // reg, mem
    case 3: { const m = c.mem(op !== 7); c.insn(...m.pfx, ...p, op * 8 + w, ...m.enc(c.any())); break; }  // mem, reg
    case 4:
      if (size !== 8 && c.chance(0.5)) c.insn(...p, 0x83, modrmRR(op, c.w(size)), c.byte());
      else if (c.chance(0.4)) c.insn(...p, op * 8 + 4 + w, ...imm(size, c.value(size as 8 | 16 | 32)));   // acc, imm
      else c.insn(...p, 0x80 + w, modrmRR(op, c.w(size)), ...imm(size, c.value(size as 8 | 16 | 32)));
      break;
    default: {
      const m = c.mem(op !== 7);
      if (size !== 8 && c.chance(0.5)) c.insn(...m.pfx, ...p, 0x83, ...m.enc(op), c.byte());
      else c.insn(...m.pfx, ...p, 0x80 + w, ...m.enc(op), ...imm(size, c.value(size as 8 | 16 | 32)));
    }
  }
}

/** A shift or rotate (/0–/7 except /6) by 1, by CL (the loop counter) or
 *  by an imm8 (286+), on a register or memory. */
export function shift(c: Ctx, size = c.size(), count: "1" | "cl" | "imm" = c.pick(c.is286 ? ["1", "cl", "imm"] as const : ["1", "cl"] as const)): void {
  const w = size === 8 ? 0 : 1, p = c.osz(size);
  const op = c.pick([0, 1, 2, 3, 4, 5, 7]);
  const opc = count === "1" ? 0xd0 + w : count === "cl" ? 0xd2 + w : 0xc0 + w;
  const tail = count === "imm" ? [c.pick([0, 1, 2, 7, 8, 15, 16, 31, 33, c.byte()])] : [];
  if (c.chance(0.7)) c.insn(...p, opc, modrmRR(op, c.w(size)), ...tail);
  else { const m = c.mem(true); c.insn(...m.pfx, ...p, opc, ...m.enc(op), ...tail); }
}

/** INC/DEC on a register (short or ModRM form) or memory. */
export function incdec(c: Ctx, size = c.size()): void {
  const dec = c.int(2), p = c.osz(size);
  if (size !== 8 && c.chance(0.5)) { c.insn(...p, 0x40 + dec * 8 + c.w(size)); return; }
  const w = size === 8 ? 0 : 1;
  if (c.chance(0.5)) c.insn(...p, 0xfe + w, modrmRR(dec, c.w(size)));
  else { const m = c.mem(true); c.insn(...m.pfx, ...p, 0xfe + w, ...m.enc(dec)); }
}

/** NEG or NOT (NOT leaves the flags alone). */
export function negnot(c: Ctx, size = c.size()): void {
  const w = size === 8 ? 0 : 1, p = c.osz(size), op = c.pick([2, 3]);
  if (c.chance(0.7)) c.insn(...p, 0xf6 + w, modrmRR(op, c.w(size)));
  else { const m = c.mem(true); c.insn(...m.pfx, ...p, 0xf6 + w, ...m.enc(op)); }
}

/** TEST in a random form. */
export function test(c: Ctx, size = c.size()): void {
  const w = size === 8 ? 0 : 1, p = c.osz(size);
  switch (c.int(4)) {
    case 0: c.insn(...p, 0x84 + w, modrmRR(c.any(), c.any())); break;
    case 1: { const m = c.mem(false); c.insn(...m.pfx, ...p, 0x84 + w, ...m.enc(c.any())); break; }
    case 2: c.insn(...p, 0xa8 + w, ...imm(size, c.value(size as 8 | 16 | 32))); break;
    default: c.insn(...p, 0xf6 + w, modrmRR(0, c.any()), ...imm(size, c.value(size as 8 | 16 | 32)));
  }
}

/** MOV in a random form (no flags). */
export function mov(c: Ctx, size = c.size()): void {
  const w = size === 8 ? 0 : 1, p = c.osz(size);
  switch (c.int(7)) {
    case 0: c.insn(...p, 0x88 + w, modrmRR(c.any(), c.w(size))); break;
    case 1: c.insn(...p, 0x8a + w, modrmRR(c.w(size), c.any())); break;
    case 2: { const m = c.mem(false); c.insn(...m.pfx, ...p, 0x8a + w, ...m.enc(c.w(size))); break; }
    case 3: { const m = c.mem(true); c.insn(...m.pfx, ...p, 0x88 + w, ...m.enc(c.any())); break; }
    case 4: c.insn(...p, (size === 8 ? 0xb0 : 0xb8) + c.w(size), ...imm(size, c.value(size as 8 | 16 | 32))); break;
    case 5: { const m = c.mem(true); c.insn(...m.pfx, ...p, 0xc6 + w, ...m.enc(0), ...imm(size, c.value(size as 8 | 16 | 32))); break; }
    default: {
      // moffs: mov al/ax,[addr] / mov [addr],al/ax (16-bit address)
      const a = c.pick([0x0100, 0x0102, 0x0180, c.word()]), seg = c.chance(0.3) ? [c.pick([0x26, 0x36])] : [];
      c.insn(...seg, ...p, c.pick([0xa0, 0xa2]) + w, a & 0xff, a >> 8);
    }
  }
}

/** PUSH then POP (register, memory or, 286+, immediate). */
export function pushpop(c: Ctx): void {
  const p32 = c.is386 && c.chance(0.25) ? [0x66] : [];
  switch (c.int(3)) {
    case 0: c.insn(...p32, 0x50 + c.any()); break;
    case 1: { const m = c.mem(false); c.insn(...m.pfx, ...p32, 0xff, ...m.enc(6)); break; }
    default:
      if (c.is286) c.insn(...p32, ...(c.chance(0.5) ? [0x6a, c.byte()] : [0x68, ...imm(p32.length ? 32 : 16, c.dword())]));
      else c.insn(0x50 + c.any());
  }
  if (c.chance(0.3)) { alu(c); }
  if (c.chance(0.7)) c.insn(...p32, 0x58 + c.w(16));
  else { const m = c.mem(true); c.insn(...m.pfx, ...p32, 0x8f, ...m.enc(0)); }
}

/** Any instruction that writes the arithmetic flags (a "producer"). */
export function producer(c: Ctx): void {
  switch (c.int(9)) {
    case 0: case 1: case 2: alu(c); break;
    case 3: incdec(c); break;
    case 4: shift(c); break;
    case 5: negnot(c); break;
    case 6: test(c); break;
    case 7: c.insn(c.pick([0xf8, 0xf9, 0xf5])); break;                                      // CLC STC CMC
    default: {
      // SAHF from a random AH, or POPF of a random arithmetic-flags word
      if (c.chance(0.5)) { c.insn(0xb4, c.byte()); c.insn(0x9e); }
      else { const f = c.word() & 0x0cd5; c.insn(0xb8 + 2, f & 0xff, f >> 8); c.insn(0x52); c.insn(0x9d); } // mov dx,f / push dx / popf
    }
  }
}

/** Any instruction that reads the arithmetic flags (a "consumer"). Jcc
 *  forms jump over one instruction. */
export function consumer(c: Ctx): void {
  const n = c.int(c.is386 ? 11 : 10);
  switch (n) {
    case 0: case 1: { // Jcc over a MOV
      const l = c.label("jcc");
      c.sec.rel8([0x70 | c.int(16)], l);
      c.insn(0xb0 + c.w(8), c.byte());
      c.sec.bind(l);
      break;
    }
    case 2: alu(c, c.pick([2, 3])); break;                                                   // ADC SBB
    case 3: { // RCL/RCR
      const size = c.size(), w = size === 8 ? 0 : 1;
      c.insn(...c.osz(size), 0xd0 + w, modrmRR(c.pick([2, 3]), c.w(size)));
      break;
    }
    case 4:                                                                                  // PUSHF / POP r
      if (c.is386 && c.chance(0.3)) { c.insn(0x66, 0x9c); c.insn(0x66, 0x58 + c.w(16)); }
      else { c.insn(0x9c); c.insn(0x58 + c.w(16)); }
      break;
    case 5: c.insn(0x9f); break;                                                             // LAHF
    case 6: c.insn(0xf5); break;                                                             // CMC
    case 7: c.insn(c.pick([0x27, 0x2f, 0x37, 0x3f])); break;                                 // DAA DAS AAA AAS
    case 8: c.insn(0xd6); break;                                                             // SALC
    case 9: { // PUSHF then read the image back from the stack through BP
      c.insn(0x9c);
      c.insn(0x55);                        // push bp
      c.insn(0x89, 0xe5);                  // mov bp,sp
      c.insn(0x8b, 0x46, 2);               // mov ax,[bp+2]
      c.insn(0x5d);                        // pop bp
      c.insn(0x58 + c.pick([2, 6, 7]));    // pop dx/si/di
      break;
    }
    default: { // SETcc r/m8
      const cc = c.int(16);
      if (c.chance(0.7)) c.insn(0x0f, 0x90 | cc, modrmRR(0, c.w(8)));
      else { const m = c.mem(true); c.insn(...m.pfx, 0x0f, 0x90 | cc, ...m.enc(0)); }
    }
  }
}

// ---------------------------------------------------------- the skeleton

/** Emit `count` constructs drawn (by weight, valid on the model) from `mix`. */
export function body(c: Ctx, count: number, mix: readonly Entry[] = c.mix): void {
  const ok = mix.filter((e) => (e.min ?? 0) <= c.level);
  const total = ok.reduce((s, e) => s + e.w, 0);
  for (let i = 0; i < count; i++) {
    let x = c.rnd() * total;
    const e = ok.find((en) => (x -= en.w) < 0) ?? ok[ok.length - 1];
    c.note(e.name, () => e.f(c));
  }
}

export interface Shape {
  /** Constructs in the main loop's body. */
  constructs?: [number, number];
  /** Main-loop iterations. */
  iterations?: [number, number];
}

const ARITH_DF = 0x0cd5; // OF DF SF ZF AF PF CF

/** Build a program: a LOOP (CX times) over random constructs from `mix`, then HLT. */
export function buildProgram(seed: number, cpu: CpuModel, mix: readonly Entry[], shape: Shape = {}): Program {
  for (let attempt = 0; ; attempt++) {
    try {
      return tryBuild(seed, (seed + Math.imul(attempt, 0x7f4a7c15)) >>> 0, cpu, mix, shape);
    } catch (e) {
      if (!(e instanceof RangeFail) || attempt > 50) throw e;
    }
  }
}

function tryBuild(seed: number, genSeed: number, cpu: CpuModel, mix: readonly Entry[], shape: Shape): Program {
  const c = new Ctx(genSeed, cpu);
  c.mix = mix;
  const [cmin, cmax] = shape.constructs ?? [4, 14];
  const [imin, imax] = shape.iterations ?? [2, 10];
  const main = c.main;
  const top = main.here("top");
  body(c, c.range(cmin, cmax));
  main.note = "main loop";
  if (main.reaches8(top, 2)) main.rel8([0xe2], top);
  else {
    // loop far: / jmp short out / far: jmp near top / out:
    const far = c.label("far"), out = c.label("out");
    main.rel8([0xe2], far);
    main.rel8([0xeb], out);
    main.bind(far);
    main.rel16([0xe9], top);
    main.bind(out);
  }
  main.note = "end";
  main.insn(0xf4);
  // Subroutines: same page after the main code; the far ones at 2000h.
  const sections = [main];
  let near = (main.length + 15) & ~15, far = 0x2000;
  for (const s of c.subs) {
    if (s.far) { s.sec.base = far; far += s.sec.length; }
    else { s.sec.base = near; near += s.sec.length; }
    sections.push(s.sec);
  }
  if (near > 0x1000 || far > 0x3000) throw new RangeFail("program too long");
  link(sections);
  const regs: Record<string, number> = {};
  const r = mulberry32(genSeed ^ 0xa5a5a5a5);
  const val = () => (r() < 0.2 ? [0, 1, 0xffff, 0x8000, 0x7fff][Math.floor(r() * 5)] : Math.floor(r() * 2 ** 32) >>> 0);
  for (const name of ["eax", "edx", "ebx", "ebp", "esi", "edi"]) regs[name] = cpu === "386" ? val() : val() & 0xffff;
  // A third of the programs loop long enough for the default threshold.
  const iters = !shape.iterations && r() < 0.35 ? 20 + Math.floor(r() * 21) : imin + Math.floor(r() * (imax - imin + 1));
  regs.ecx = cpu === "386" ? ((Math.floor(r() * 0x10000) << 16) | iters) >>> 0 : iters;
  regs.flags = (Math.floor(r() * 0x10000) & ARITH_DF) | 2;
  return { seed, cpu, sections, regs, dataSeed: genSeed ^ 0x3c3c3c3c };
}
