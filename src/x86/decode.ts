/**
 * decode.ts — decode one x86 instruction (8086, 286 or 386, real mode) into
 * the IR of ir.ts by walking the opcode table of table.ts. It never throws:
 * undefined encodings become "invalid" entries (with the fault the CPU
 * raises), and running out of bytes gives a "truncated" entry.
 *
 * Not here: grouping into blocks (block.ts), text (nasm.ts).
 *
 * Length limits, as the models enforce them:
 *   8086  none; but, like the interpreter, a run of 16 prefix bytes ends
 *         as an instruction of its own (mnemonic "(prefixes)")
 *   286   10 bytes: longer (prefix-stuffed) instructions raise #GP; the
 *         entry is invalid, fault "gp", length 10
 *   386   15 bytes: likewise, length 15
 */
import {
  type Insn, type Operand, type MemOperand, type RegOperand, type Prefixes, type SegName,
  type X86Model, type FlagEffects, type FlowKind, type RegSize,
  REG_NAMES, SEG_NAMES,
} from "./ir.js";
import { ONE_BYTE, TWO_BYTE, shiftEffects, type Entry, type Def } from "./table.js";
import { decodeAddress, type ByteCursor } from "./modrm.js";

/** Reads byte `i` of the instruction (0 = its first byte); `undefined`
 *  when there is no such byte (the end of the buffer). */
export type InsnByteSource = (i: number) => number | undefined;

/** Reads the guest byte at a linear address, `undefined` if out of range. */
export type LinearReader = (linear: number) => number | undefined;

const MODEL_INDEX: Record<X86Model, number> = { "8086": 0, "286": 1, "386": 2 };
const MAX_LENGTH: Record<X86Model, number> = { "8086": Infinity, "286": 10, "386": 15 };

const NO_FLAGS: FlagEffects = { read: 0, written: 0, undefined: 0 };

/** The prefixes of an instruction that has none (never written to). */
const NO_PREFIXES = Object.freeze({ seg: null, rep: null, lock: false, opsize: false, addrsize: false, bytes: Object.freeze([]) }) as unknown as
  { -readonly [K in keyof Prefixes]: Prefixes[K] } & { bytes: number[] };

class Truncated extends Error {}
const TRUNCATED = new Truncated("truncated");

class Cursor implements ByteCursor {
  pos = 0;
  readonly bytes: number[] = [];
  constructor(private readonly src: InsnByteSource) {}
  u8(): number {
    const b = this.src(this.pos);
    if (b === undefined) throw TRUNCATED;
    this.pos++;
    this.bytes.push(b & 0xFF);
    return b & 0xFF;
  }
  u16(): number { const lo = this.u8(); return lo | this.u8() << 8; }
  u32(): number { const lo = this.u16(); return (lo | this.u16() << 16) >>> 0; }
}

function isPrefix(b: number, model: X86Model): boolean {
  switch (b) {
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0xF0: case 0xF2: case 0xF3: return true;
    case 0xF1: return model !== "386";
    case 0x64: case 0x65: case 0x66: case 0x67: return model === "386";
  }
  return false;
}

/** Resolve model switches (and, once the ModRM byte is known, groups). */
function resolve(e: Entry, mi: number, modrm: number | undefined): Entry {
  for (;;) {
    if (e === null || typeof e === "string" || e.kind === "def") return e;
    if (e.kind === "model") { e = e.e[mi]; continue; }
    if (modrm === undefined) return e;
    if (e.kind === "group") { e = e.e[(modrm >> 3) & 7]; continue; }
    e = modrm >= 0xC0 ? e.reg : e.mem;
  }
}

const MODRM_SPEC = /^(E[bwvx]|Esw|Esc|G[bwv]|M[pas]?|S|Rd|Cd|Dd|Td)$/;

/** What decoding needs of a definition's operand specs, worked out at
 *  its first use (the tables are constants): whether they take a ModRM
 *  byte, whether its r/m is always a register (MOV CRn/DRn/TRn), and
 *  each spec without its "implicit" star. */
interface DefInfo { modrm: boolean; rIsReg: boolean; specs: readonly string[]; implicit: readonly boolean[] }
const DEF_INFO = new WeakMap<Def, DefInfo>();

function defInfo(d: Def): DefInfo {
  let info = DEF_INFO.get(d);
  if (info === undefined) {
    info = {
      modrm: d.ops.some((o) => MODRM_SPEC.test(o)), rIsReg: d.ops.some((o) => o === "Rd"),
      specs: d.ops.map((s) => (s[0] === "*" ? s.slice(1) : s)), implicit: d.ops.map((s) => s[0] === "*"),
    };
    DEF_INFO.set(d, info);
  }
  return info;
}

/** Does this (partly resolved) entry need a ModRM byte? */
function needsModrm(e: Entry): boolean {
  if (e === null || typeof e === "string") return false;
  if (e.kind !== "def") return true;
  return defInfo(e).modrm;
}

function reg(num: number, size: RegSize): RegOperand {
  return { kind: "reg", num, size, name: REG_NAMES[size][num] };
}

/** A register the opcode fixes (AL of `add al,imm8`). */
function fixedReg(num: number, size: RegSize): RegOperand {
  return { kind: "reg", num, size, name: REG_NAMES[size][num], fixed: true };
}

const SIZE_LETTER: Record<string, number> = { b: 8, w: 16, d: 32 };

interface Ctx {
  model: X86Model;
  mi: number;
  op: number;
  opSize: 16 | 32;
  addrSize: 16 | 32;
  seg: SegName | null;
  modrm?: number;
  mem?: MemOperand | null;
  ip: number;
  c: Cursor;
  faultUD: boolean;
}

function sizeOf(letter: string, ctx: Ctx): number {
  return letter === "v" ? ctx.opSize : SIZE_LETTER[letter] ?? 0;
}

/** The memory operand for the ModRM (decoded once, sized per spec). */
function memOperand(ctx: Ctx, size: number, farPointer?: boolean): MemOperand {
  const m = ctx.mem!;
  const o: { -readonly [K in keyof MemOperand]: MemOperand[K] } = {
    kind: "mem", seg: m.seg, segOverride: m.segOverride, base: m.base, index: m.index, scale: m.scale,
    disp: m.disp, dispSize: m.dispSize, addrSize: m.addrSize, size,
  };
  if (m.sib) o.sib = true;
  if (farPointer) o.farPointer = true;
  return o;
}

function stringMem(ctx: Ctx, src: boolean, size: number): MemOperand {
  const a32 = ctx.addrSize === 32;
  return {
    kind: "mem", seg: src ? ctx.seg ?? "ds" : "es", segOverride: src && ctx.seg !== null,
    base: src ? (a32 ? "esi" : "si") : (a32 ? "edi" : "di"), index: null, scale: 1,
    disp: 0, dispSize: 0, addrSize: ctx.addrSize, size, implicit: true,
  };
}

function operand(spec: string, ctx: Ctx): Operand {
  const { c } = ctx;
  const modrm = ctx.modrm ?? 0;
  const regField = (modrm >> 3) & 7, rm = modrm & 7;
  // E and G with a size letter (not ES, GS, Ex: the switch has those),
  // first: the common forms.
  const letter = spec[1];
  if (spec.length === 2 && (letter === "b" || letter === "w" || letter === "v" || letter === "d")) {
    const kind = spec[0];
    if (kind === "G") return reg(regField, sizeOf(letter, ctx) as RegSize);
    if (kind === "E") return ctx.mem ? memOperand(ctx, sizeOf(letter, ctx)) : reg(rm, sizeOf(letter, ctx) as RegSize);
  }
  switch (spec) {
    case "AL": return fixedReg(0, 8);
    case "CL": return fixedReg(1, 8);
    case "DX": return fixedReg(2, 16);
    case "eAX": return fixedReg(0, ctx.opSize);
    case "ES": case "CS": case "SS": case "DS": case "FS": case "GS": {
      const num = SEG_NAMES.indexOf(spec.toLowerCase() as SegName);
      return { kind: "seg", num, name: SEG_NAMES[num], fixed: true };
    }
    case "1": return { kind: "imm", value: 1, size: 8, signed: false, implicit: true };
    case "S": {
      // The 8086 ignores bit 2 of the Sreg field.
      const num = ctx.mi === 0 ? regField & 3 : regField;
      return { kind: "seg", num, name: SEG_NAMES[num] };
    }
    case "Esw":
      return ctx.mem ? memOperand(ctx, 16) : reg(rm, ctx.opSize);
    case "Esc":
      return { kind: "imm", value: ((ctx.op & 7) << 3) | regField, size: 8, signed: false };
    case "Ex":
      return ctx.mem ? memOperand(ctx, 0) : reg(rm, 16);
    case "M":
      return memOperand(ctx, 0);
    case "Mp":
      return memOperand(ctx, ctx.opSize + 16, true);
    case "Ma":
      return memOperand(ctx, ctx.opSize * 2);
    case "Ms":
      return memOperand(ctx, 48);
    case "Rd": return reg(rm, 32);
    case "Cd": {
      if (regField === 1 || regField > 3) ctx.faultUD = true;
      return { kind: "creg", num: regField, name: "cr" + regField };
    }
    case "Dd": return { kind: "dreg", num: regField, name: "dr" + regField };
    case "Td": {
      if (regField < 6) ctx.faultUD = true;
      return { kind: "treg", num: regField, name: "tr" + regField };
    }
    case "Ib": return { kind: "imm", value: c.u8(), size: 8, signed: false };
    case "Iw": return { kind: "imm", value: c.u16(), size: 16, signed: false };
    case "Iv":
      return ctx.opSize === 32
        ? { kind: "imm", value: c.u32(), size: 32, signed: false }
        : { kind: "imm", value: c.u16(), size: 16, signed: false };
    case "Is":
      return { kind: "imm", value: (c.u8() << 24) >> 24, size: 8, signed: true, extendedTo: ctx.opSize };
    case "Jb": case "Jv": {
      const size = spec === "Jb" ? 8 : ctx.opSize;
      const disp = size === 8 ? (c.u8() << 24) >> 24 : size === 16 ? (c.u16() << 16) >> 16 : c.u32() | 0;
      const next = ctx.ip + c.pos;
      const target = ctx.opSize === 16 ? (next + disp) & 0xFFFF : (next + disp) >>> 0;
      return { kind: "rel", target, disp, size: size as 8 | 16 | 32 };
    }
    case "Ap": {
      const off = ctx.opSize === 32 ? c.u32() : c.u16();
      return { kind: "far", off, seg: c.u16(), offSize: ctx.opSize };
    }
    case "Ob": case "Ov": {
      const disp = ctx.addrSize === 32 ? c.u32() : c.u16();
      return {
        kind: "mem", seg: ctx.seg ?? "ds", segOverride: ctx.seg !== null, base: null, index: null,
        scale: 1, disp, dispSize: ctx.addrSize, addrSize: ctx.addrSize, size: sizeOf(spec[1], ctx),
      };
    }
    case "Xb": case "Xv": return stringMem(ctx, true, sizeOf(spec[1], ctx));
    case "Yb": case "Yv": return stringMem(ctx, false, sizeOf(spec[1], ctx));
    case "Zb": case "Zv": return reg(ctx.op & 7, sizeOf(spec[1], ctx) as RegSize);
    case "L": return {
      kind: "mem", seg: ctx.seg ?? "ds", segOverride: ctx.seg !== null,
      base: ctx.addrSize === 32 ? "ebx" : "bx", index: "al", scale: 1, disp: 0, dispSize: 0,
      addrSize: ctx.addrSize, size: 8, implicit: true,
    };
  }
  throw new Error(`x86 table: unknown operand spec ${spec}`);
}

/** What is known of an instruction while it is being decoded. */
interface Draft {
  model: X86Model;
  cs: number;
  ip: number;
  address: number;
  bytes: number[];
  prefixes: Prefixes;
  opcode: number;
}

/** An instruction from what decoding found, the rest as a plain one has
 *  it (no operands, 16-bit sizes, no flags, no flow): the invalid, the
 *  truncated and the 8086's prefix run. */
function make(p: Draft, rest: Partial<Insn> & Pick<Insn, "status" | "mnemonic">): Insn {
  return Object.assign(decoded(p, rest.mnemonic, [], 16, 16, undefined, NO_FLAGS, "none", false, undefined, undefined), rest);
}

/** A decoded instruction, every field given: one object shape, no spread
 *  (the translator decodes every block it compiles). */
function decoded(p: Draft, mnemonic: string, operands: Operand[], opSize: 16 | 32, addrSize: 16 | 32, modrm: number | undefined,
  flags: FlagEffects, flow: FlowKind, sensitive: boolean, fault: "ud" | undefined, alias: string | undefined): Insn {
  return {
    model: p.model, address: p.address, cs: p.cs, ip: p.ip,
    length: p.bytes.length, bytes: p.bytes, prefixes: p.prefixes, opcode: p.opcode,
    status: "ok", mnemonic, operands, opSize, addrSize, modrm, flags, flow, sensitive, fault, alias,
  };
}

function invalid(p: Draft, fault: "ud" | "gp", modrm?: number, extra: Partial<Insn> = {}): Insn {
  return make(p, { status: "invalid", mnemonic: "(bad)", flow: "fault", fault, modrm, ...extra });
}

/**
 * Decode the instruction whose bytes `src` yields, as `model` executes it
 * in real mode at `cs:ip` (linear `address`, by default cs*16+ip; IPs of
 * branch targets wrap at the operand size).
 */
export function decodeInstruction(
  src: InsnByteSource, model: X86Model, cs: number, ip: number, address = cs * 16 + ip,
): Insn {
  const c = new Cursor(src);
  const mi = MODEL_INDEX[model];
  // (Most instructions have no prefix: they share one empty record.)
  let pfx: { -readonly [K in keyof Prefixes]: Prefixes[K] } & { bytes: number[] } = NO_PREFIXES;
  const part: Draft = { model, cs, ip, address, bytes: c.bytes, prefixes: pfx, opcode: 0 };
  try {
    // ---- prefixes
    let b = c.u8();
    while (isPrefix(b, model)) {
      if (pfx === NO_PREFIXES) part.prefixes = pfx = { seg: null, rep: null, lock: false, opsize: false, addrsize: false, bytes: [] };
      pfx.bytes.push(b);
      if (b === 0xF0 || b === 0xF1) pfx.lock = true;
      else if (b === 0xF2) pfx.rep = "repne";
      else if (b === 0xF3) pfx.rep = "rep";
      else if (b === 0x66) pfx.opsize = true;
      else if (b === 0x67) pfx.addrsize = true;
      else pfx.seg = b < 0x40 ? SEG_NAMES[(b >> 3) & 3] : b === 0x64 ? "fs" : "gs";
      const n = pfx.bytes.length;
      if (model === "286" && n >= 10) return invalid(part, "gp");
      if (model === "386" && n >= 15) return invalid(part, "gp");
      if (model === "8086" && n >= 16) {
        return make(part, { status: "ok", mnemonic: "(prefixes)", alias: "prefix-run" });
      }
      b = c.u8();
    }
    // ---- opcode
    let opcode = b;
    let entry = resolve(ONE_BYTE[b], mi, undefined);
    if (entry === "0f") {
      const b2 = c.u8();
      opcode = 0x0F00 | b2;
      entry = resolve(TWO_BYTE[b2], mi, undefined);
    }
    part.opcode = opcode;
    const opSize: 16 | 32 = pfx.opsize ? 32 : 16;
    const addrSize: 16 | 32 = pfx.addrsize ? 32 : 16;
    let modrm: number | undefined;
    if (needsModrm(entry)) {
      modrm = c.u8();
      entry = resolve(entry, mi, modrm);
    }
    if (entry === null || typeof entry === "string" || entry.kind !== "def" || entry.since > mi) {
      return finishLength(invalid(part, "ud", modrm), model);
    }
    const def: Def = entry;
    const ctx: Ctx = { model, mi, op: opcode & 0xFF, opSize, addrSize, seg: pfx.seg, modrm, ip, c, faultUD: false };
    const info = defInfo(def);
    // Mod 11 of MOV CRn/DRn/TRn is ignored: the r/m is always a register.
    if (modrm !== undefined && modrm < 0xC0 && !info.rIsReg) {
      const a = decodeAddress(modrm, addrSize, c);
      const mem: { -readonly [K in keyof MemOperand]: MemOperand[K] } = {
        kind: "mem", seg: pfx.seg ?? a.defaultSeg, segOverride: pfx.seg !== null,
        base: a.base, index: a.index, scale: a.scale, disp: a.disp, dispSize: a.dispSize, addrSize, size: 0,
      };
      if (a.sib !== undefined) mem.sib = true;
      ctx.mem = mem;
    }
    const operands: Operand[] = [];
    for (let i = 0; i < info.specs.length; i++) {
      const o = operand(info.specs[i], ctx);
      operands.push(info.implicit[i] ? { ...o, implicit: true } as Operand : o);
    }
    let mnemonic = opSize === 32 && def.m32 ? def.m32 : def.m;
    if (addrSize === 32 && def.a32) mnemonic = def.a32;
    let flags = def.fx;
    if (def.shift) {
      const cnt = operands[operands.length - 1];
      const count = cnt.kind === "imm" ? (model === "8086" ? cnt.value : cnt.value & 31) : null;
      flags = shiftEffects(def.shift, count);
    }
    let fault: "ud" | undefined;
    if (def.pmOnly || ctx.faultUD) fault = "ud";
    // The 386 raises #UD for LOCK on anything but a lockable instruction
    // with a memory operand (which is its destination).
    let memOp = false;
    for (const o of operands) if (o.kind === "mem" && !o.implicit) memOp = true;
    if (model === "386" && pfx.lock && !(def.lockable && memOp)) fault = "ud";
    const flow: FlowKind = fault ? "fault" : def.flow;
    return finishLength(decoded(part, mnemonic, operands, opSize, addrSize, modrm, flags, flow, def.sens, fault, def.alias), model);
  } catch (e) {
    if (e !== TRUNCATED) throw e;
    return make(part, { status: "truncated", mnemonic: "(bad)", flow: "fault" });
  }
}

/** Apply the model's length limit. */
function finishLength(insn: Insn, model: X86Model): Insn {
  const max = MAX_LENGTH[model];
  if (insn.length <= max) return insn;
  return {
    ...insn, status: "invalid", mnemonic: "(bad)", operands: [], flow: "fault", fault: "gp",
    sensitive: false, flags: NO_FLAGS, length: max, bytes: insn.bytes.slice(0, max), alias: undefined,
  };
}

/**
 * Decode at `cs:ip` from guest memory, fetching as real mode does: byte i
 * comes from linear cs*16 + ((ip + i) & 0xFFFF).
 */
export function decodeAt(read: LinearReader, model: X86Model, cs: number, ip: number): Insn {
  const base = cs * 16;
  return decodeInstruction((i) => read(base + ((ip + i) & 0xFFFF)), model, cs, ip, base + ip);
}

/**
 * Decode from a byte buffer at `offset`, as if it sat at `ip` (default: the
 * offset) in segment `cs` (default 0). Bytes past the end truncate.
 */
export function decodeBytes(
  bytes: Uint8Array | readonly number[], offset: number, model: X86Model, ip = offset, cs = 0,
): Insn {
  return decodeInstruction((i) => (offset + i < bytes.length ? bytes[offset + i] : undefined), model, cs, ip, cs * 16 + ip);
}
