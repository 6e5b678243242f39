/**
 * flags.ts — the arithmetic flags in generated code: the lazy record held
 * in locals, which records are worth keeping (liveness within a block),
 * and conditions computed from the record's operands.
 *
 * The record is the interpreter's (assembly/cpu/flags.ts): LAZY_OP = kind |
 * size << 8, LAZY_A and LAZY_B the operands, LAZY_R the raw result, and
 * LAZY_X the word a rotate's CF and OF come from (setRotateFlags). Inline
 * code keeps it in locals 12–15 and 33 (codegen.ts) and the core's copy is brought
 * up to date only where the core can look (a sync). Within a block a record
 * nothing can observe — the next instruction overwrites every flag it set
 * before anything reads them, faults or leaves — is not even kept: that is
 * the flag elision (`--no-flag-elision` turns it off, and then every
 * record is also stored to the core at once, as the interpreter does).
 *
 * Across blocks, what the record *is* (its kind and size) is known where
 * every way into a block comes from blocks that agree on it
 * (recordAtStart); which flags are live is not — every block end counts
 * as an observer, since the region may return to the core there. What is
 * not here: the flag formulas themselves (the core's, one definition).
 */
import { ARITH, type Insn, type MemOperand, type X86Model } from "../x86/ir.js";
import { Gen, L_FA, L_FB, L_FOP, L_FR, L_WORD, L_X, L_XCF, sizeMask } from "./codegen.js";

/** The lazy-flag kinds (assembly/cpu/flags.ts). */
export const LAZY_ADD = 1, LAZY_SUB = 2, LAZY_LOGIC = 3, LAZY_INC = 5, LAZY_DEC = 6;
/** LAZY_OP's X bit: CF and OF are its bits 17 and 18. */
export const LAZY_CFOF = 1 << 16;
/** LAZY_OP's XR bit, with X: CF and OF come from LAZY_X (local L_X), at
 *  the bit positions in LAZY_OP's bits 20–24 and 25–29. */
export const LAZY_XROT = 1 << 19;
/** Where LAZY_OP holds, with XR, the bit positions of CF and OF in L_X. */
const XR_CF_AT = 20, XR_OF_AT = 25;
/** A Record's kind when only the X bits are known (a rotate after a
 *  record this block did not make). */
export const KIND_UNKNOWN = -1;

/** What generated code knows about the record in the flag locals: set by
 *  an inline instruction (kind, size; `cfOf`: CF and OF are in LAZY_OP's
 *  X bits; `cfLocal`: CF is in local L_XCF too, where a Jcc reads it
 *  without waiting for LAZY_OP to be put together or comparing operands —
 *  a shift's CF is on the critical path of loops like a CRC's), or
 *  unknown. */
export type Record = { kind: number; size: number; carryIn?: boolean; cfOf?: boolean; cfLocal?: boolean; xr?: XBits } | null;

/** Where a rotate's CF and OF are in L_X (LAZY_XROT): CF is its bit
 *  `cf`, OF is CF xor its bit `of`. */
export interface XBits { readonly cf: number; readonly of: number }

/** Mnemonics whose flag effects the IR states exactly — every flag in
 *  `written | undefined` is overwritten, as the core does it — and that
 *  cannot fault but through a memory operand. */
const KNOWN = new Set(["mov", "add", "or", "and", "sub", "xor", "cmp", "test", "inc", "dec", "neg", "not", "adc", "sbb",
  "nop", "xchg", "lea", "mul", "imul"]);
const SHIFTS = new Set(["rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar"]);

/**
 * For each instruction of a block, the arithmetic flags that may be
 * observed after it (a bit mask of ir.ts's CF..OF). An instruction observes
 * every flag when it may fault (the exception frame holds FLAGS: on the
 * 286/386 a word access at offset FFFFh; the 8086 never faults on memory)
 * or runs in the interpreter, and the block's end observes everything.
 * A shift kills what it writes only when its count is a nonzero constant
 * (a zero count leaves the flags alone).
 */
export function flagLiveness(insns: readonly Insn[], model: X86Model): number[] {
  const live = new Array<number>(insns.length);
  let after = ARITH;
  for (let i = insns.length - 1; i >= 0; i--) {
    live[i] = after;
    const insn = insns[i];
    let read = ARITH, kill = 0;
    // (Plain loops rather than find/every: see translate.ts's setup.)
    let mem: MemOperand | undefined, simple = true;
    for (let k = 0; k < insn.operands.length; k++) {
      const o = insn.operands[k];
      if (o.kind === "mem") { mem ??= o; if (o.implicit || o.farPointer) simple = false; }
      else if (o.kind !== "reg" && o.kind !== "imm") simple = false;
    }
    const plain = insn.status === "ok" && !insn.alias && insn.prefixes.bytes.length === (insn.prefixes.seg && mem ? 1 : 0)
      && simple && !(mem && model !== "8086" && mem.size > 8);
    const flags = insn.flags;
    if (plain && KNOWN.has(insn.mnemonic)) {
      read = flags.read & ARITH;
      kill = (flags.written | flags.undefined) & ARITH;
    } else if (plain && SHIFTS.has(insn.mnemonic)) {
      const op = insn.opcode, count = insn.operands[1];
      const constant = op === 0xd0 || op === 0xd1 || ((op === 0xc0 || op === 0xc1) && count?.kind === "imm" && (count.value & 31) !== 0);
      read = flags.read & ARITH;
      kill = constant ? (flags.written | flags.undefined) & ARITH : 0;
    } else if (insn.status === "ok" && insn.prefixes.bytes.length === 0
      && (insn.flow === "jcc" || insn.flow === "loop" || (insn.flow === "jump" && insn.operands[0]?.kind === "rel"))) {
      read = flags.read & ARITH;
    }
    after = (after & ~kill) | read;
  }
  return live;
}

/** Set the flag locals to a new record (after the result is computed:
 *  `a`, `b`, `r` may read the old locals). LOGIC keeps only R. */
export function setRecord(g: Gen, kind: number, size: number, a: number | null, b: number | null, r: number, carryIn = false): number[] {
  if (!g.state.flags) throw new Error("jit: a flags record in a region without flag locals");
  const out: number[] = [];
  // Compute everything into temps first: the operands may be the locals.
  out.push(g.set(L_FR, r));
  if (a !== null) out.push(g.set(L_FA, a));
  if (b !== null) out.push(g.set(L_FB, b));
  out.push(g.set(L_FOP, g.c(kind | (size << 8))));
  g.record = { kind, size, carryIn };
  g.flagsChanged();
  if (!g.elide) out.push(...g.syncFlags());
  return out;
}

/**
 * A logic record of `r` (SZP from it, AF clear) with CF and OF given: the
 * flags of SHL/SHR/SAR (shifts.ts). `r`, `cf`, `of` may read the old
 * flag locals.
 */
export function setShiftRecord(g: Gen, size: number, r: number, cf: number, of: number): number[] {
  const out = [g.set(L_XCF, cf), g.set(L_FR, r), g.set(L_FOP, xBits(g, g.c(LAZY_LOGIC | (size << 8) | LAZY_CFOF), g.get(L_XCF), of))];
  return [...out, ...recorded(g, { kind: LAZY_LOGIC, size, cfOf: true, cfLocal: true })];
}

/** CF and OF set, the other flags kept (RCL/RCR, STC/CLC/CMC, a rotate
 *  by CL): the X bits added to the record in the locals. */
export function setCfOf(g: Gen, cf: number, of: number): number[] {
  const m = g.m;
  const out = [g.set(L_XCF, cf), g.set(L_FOP, xBits(g, m.i32.or(m.i32.and(g.get(L_FOP), g.c(0xffff)), g.c(LAZY_CFOF)), g.get(L_XCF), of))];
  return [...out, ...recorded(g, g.record ? { ...g.record, cfOf: true, cfLocal: true, xr: undefined } : { kind: KIND_UNKNOWN, size: 0, cfOf: true, cfLocal: true })];
}

/**
 * A rotate's CF and OF (ROL/ROR by a constant), the other flags kept: the
 * word `x` they come from into L_X, and LAZY_OP's X and XR bits with the
 * positions `at` — nothing worked out until a flag is read, by a Jcc here
 * (conditionCfOf) or by the core (assembly/cpu/flags.ts xCF/xOF). In a
 * loop that rotates each pass (a checksum's ROL), the flags only an exit
 * could see cost a move.
 */
export function setRotateFlags(g: Gen, x: number, at: XBits): number[] {
  const m = g.m;
  const bits = LAZY_CFOF | LAZY_XROT | (at.cf << XR_CF_AT) | (at.of << XR_OF_AT);
  const out = [g.set(L_X, x), g.set(L_FOP, m.i32.or(m.i32.and(g.get(L_FOP), g.c(0xffff)), g.c(bits)))];
  return [...out, ...recorded(g, g.record ? { ...g.record, cfOf: true, cfLocal: false, xr: at } : { kind: KIND_UNKNOWN, size: 0, cfOf: true, xr: at })];
}

/** Bit `n` of local `local`: of L_X, a rotate's CF or OF; of L_FOP,
 *  the X bits (xFlag). */
function localBit(g: Gen, local: number, n: number): number {
  return g.m.i32.and(g.m.i32.shr_u(g.get(local), g.c(n)), g.c(1));
}

/** STC, CLC, CMC: CF set, cleared or flipped; OF and the other flags as
 *  the record has them (worked out at run time where this block does not
 *  know its kind: no call), through the X bits (setCfOf). */
export function setCarry(g: Gen, mnemonic: "stc" | "clc" | "cmc"): number[] {
  const m = g.m, f = runtimeFlags(g);
  const cf = mnemonic === "stc" ? g.c(1) : mnemonic === "clc" ? g.c(0) : m.i32.xor(carry(g) ?? f.cf(), g.c(1));
  return setCfOf(g, cf, f.of());
}

function xBits(g: Gen, op: number, cf: number, of: number): number {
  const m = g.m;
  return m.i32.or(op, m.i32.or(m.i32.shl(cf, g.c(17)), m.i32.shl(of, g.c(18))));
}

function recorded(g: Gen, rec: Record): number[] {
  if (!g.state.flags) throw new Error("jit: a flags record in a region without flag locals");
  g.record = rec;
  g.flagsChanged();
  return g.elide ? [] : g.syncFlags();
}

/** CF of the record in the locals, when its kind is known (the core's
 *  formula, right for ADC/SBB records too); null otherwise. INC/DEC keep
 *  CF in REG_FLAGS: null too, the caller reads it there. */
export function carry(g: Gen): number | null {
  const rec = g.record, m = g.m;
  if (!rec) return null;
  if (rec.cfLocal) return g.get(L_XCF);
  if (rec.xr) return localBit(g, L_X, rec.xr.cf);
  if (rec.cfOf) return xFlag(g, 17);
  if (rec.kind === LAZY_LOGIC) return g.c(0);
  if (rec.kind !== LAZY_ADD && rec.kind !== LAZY_SUB) return null;
  const a = () => g.get(L_FA), b = () => g.get(L_FB), r = () => g.get(L_FR);
  const bits = rec.kind === LAZY_ADD
    ? m.i32.or(m.i32.and(a(), b()), m.i32.and(m.i32.or(a(), b()), m.i32.xor(r(), g.c(-1))))
    : m.i32.or(m.i32.and(m.i32.xor(a(), g.c(-1)), b()), m.i32.and(m.i32.or(m.i32.xor(a(), g.c(-1)), b()), r()));
  return m.i32.and(m.i32.shr_u(bits, g.c(rec.size - 1)), g.c(1));
}

/**
 * Condition `cc` (Jcc's low nibble) from the record of an inline ADD,
 * SUB/CMP or logic instruction earlier in this block — the values flags.ts
 * would derive the flag from — or null when the kind is unknown or the
 * condition needs PF/AF/OF of an ADD (the core's helper decides then).
 */
export function condition(g: Gen, cc: number): number | null {
  const rec = g.record;
  if (!rec) return null;
  const m = g.m, size = rec.size, k = sizeMask(size);
  if (rec.cfOf) return conditionCfOf(g, rec, cc);
  // After ADC/SBB the operands alone do not give CF/OF: only ZF and SF.
  if (rec.carryIn && (cc & ~1) !== 4 && (cc & ~1) !== 8) return null;
  const sext = (e: number) => (size === 32 ? e : m.i32.shr_s(m.i32.shl(e, g.c(32 - size)), g.c(32 - size)));
  const a = () => m.i32.and(g.get(L_FA), g.c(k));
  const b = () => m.i32.and(g.get(L_FB), g.c(k));
  const zf = () => m.i32.eqz(m.i32.and(g.get(L_FR), g.c(k)));
  const sf = () => m.i32.and(m.i32.shr_u(g.get(L_FR), g.c(size - 1)), g.c(1));
  let r: number | null = null;
  const base = cc & ~1;
  if (rec.kind === LAZY_SUB) {
    switch (base) {
      case 2: r = m.i32.lt_u(a(), b()); break;                          // B
      case 4: r = zf(); break;                                          // Z
      case 6: r = m.i32.le_u(a(), b()); break;                          // BE
      case 8: r = sf(); break;                                          // S
      case 12: r = m.i32.lt_s(sext(a()), sext(b())); break;             // L
      case 14: r = m.i32.le_s(sext(a()), sext(b())); break;             // LE
    }
  } else if (rec.kind === LAZY_LOGIC) {                                 // CF = OF = 0
    switch (base) {
      case 0: case 2: r = g.c(0); break;                                // O, B
      case 4: case 6: r = zf(); break;                                  // Z, BE
      case 8: case 12: r = sf(); break;                                 // S, L
      case 14: r = m.i32.or(zf(), sf()); break;                         // LE
    }
  } else if (rec.kind === LAZY_ADD) {
    switch (base) {
      case 2: r = rec.cfLocal ? g.get(L_XCF) : m.i32.lt_u(m.i32.and(g.get(L_FR), g.c(k)), a()); break; // B: the sum wrapped
      case 4: r = zf(); break;
      case 8: r = sf(); break;
    }
  } else if (rec.kind === LAZY_INC || rec.kind === LAZY_DEC) {
    switch (base) {
      case 4: r = zf(); break;
      case 8: r = sf(); break;
    }
  }
  if (r === null) return null;
  return cc & 1 ? m.i32.eqz(r) : r;
}

/**
 * Condition `cc` from whatever record the flag locals hold, decided at run
 * time, for a Jcc whose record this block did not make (a callee's Jcc
 * ladder after CMPs of three sizes at its call sites). The first such Jcc
 * works out all five flags a condition may need into L_WORD, as FLAGS
 * holds them; it and the Jccs after it — in this block or the next, while
 * the record stays (Gen.flagsWord) — test bits of it. No call, no stores.
 * Requires the flag locals (a region that reads flags has them).
 */
export function runtimeCondition(g: Gen, cc: number): number {
  const m = g.m, bit = (n: number) => () => m.i32.and(m.i32.shr_u(g.get(L_WORD), g.c(n)), g.c(1));
  const test = () => combine(g, cc, { cf: bit(0), pf: bit(2), zf: bit(6), sf: bit(7), of: bit(11) })!;
  if (g.flagsWord) return test();
  const f = runtimeFlags(g);
  const word = m.i32.or(m.i32.or(m.i32.or(f.cf(), m.i32.shl(f.pf(), g.c(2))), m.i32.or(m.i32.shl(f.zf(), g.c(6)), m.i32.shl(f.sf(), g.c(7)))),
    m.i32.shl(f.of(), g.c(11)));
  const out = m.block(null, [g.set(L_WORD, word), test()], g.i32);
  g.flagsWord = true;
  return out;
}

/** CF of whatever record the flag locals hold, worked out at run time
 *  (runtimeFlags): for INC/DEC and ADC/SBB after a record this block did
 *  not make — no call, no stores. (Both write or read the arithmetic
 *  flags, so their region holds the flag locals.) */
export function runtimeCarry(g: Gen): number {
  if (!g.state.flags) throw new Error("jit: a run-time CF in a region without flag locals");
  return runtimeFlags(g).cf();
}

/**
 * The flags of whatever record the flag locals hold, worked out at run
 * time: the core's getCF/getOF/getZF/getSF/getPF (assembly/cpu/flags.ts)
 * over LAZY_OP's kind, size and X bits, with REG_FLAGS for kind 0.
 */
function runtimeFlags(g: Gen): { [F in keyof FlagSources]: () => number } {
  const m = g.m, c = (n: number) => g.c(n);
  const op = () => g.get(L_FOP), a = () => g.get(L_FA), b = () => g.get(L_FB), r = () => g.get(L_FR);
  const kind = () => m.i32.and(op(), c(0xff));
  const kind3 = () => m.i32.and(op(), c(3));
  const size = () => m.i32.and(m.i32.shr_u(op(), c(8)), c(0xff));
  const flag = (bit: number) => m.i32.and(m.i32.shr_u(g.ld32(g.L.REG_FLAGS), c(bit)), c(1));
  const top = (e: number) => m.i32.and(m.i32.shr_u(e, m.i32.sub(size(), c(1))), c(1));
  const hasX = () => m.i32.and(op(), c(LAZY_CFOF));
  // With XR, CF and OF are bits of L_X at the positions LAZY_OP gives.
  const hasXR = () => m.i32.and(op(), c(LAZY_XROT));
  const xAt = (field: number) => m.i32.and(m.i32.shr_u(g.get(L_X), m.i32.and(m.i32.shr_u(op(), c(field)), c(31))), c(1));
  const xCF = () => pick(hasXR(), xAt(XR_CF_AT), xFlag(g, 17));
  const xOF = () => pick(hasXR(), m.i32.xor(xAt(XR_CF_AT), xAt(XR_OF_AT)), xFlag(g, 18));
  const none = () => m.i32.eqz(kind());
  const pick = (cond: number, yes: number, no: number) => m.if(cond, yes, no);
  const zf = () => pick(none(), flag(6), m.i32.eqz(m.i32.shl(r(), m.i32.sub(c(32), size()))));
  const sf = () => pick(none(), flag(7), top(r()));
  const pf = () => pick(none(), flag(2), m.i32.xor(m.i32.and(m.i32.popcnt(m.i32.and(r(), c(0xff))), c(1)), c(1)));
  const not = (e: number) => m.i32.xor(e, c(-1));
  const addCarry = () => m.i32.or(m.i32.and(a(), b()), m.i32.and(m.i32.or(a(), b()), not(r())));
  const subCarry = () => m.i32.or(m.i32.and(not(a()), b()), m.i32.and(m.i32.or(not(a()), b()), r()));
  const cf = () => pick(hasX(), xCF(),
    pick(m.i32.or(none(), m.i32.and(kind(), c(4))), flag(0),
      pick(m.i32.eq(kind3(), c(LAZY_LOGIC)), c(0),
        top(pick(m.i32.eq(kind3(), c(LAZY_ADD)), addCarry(), subCarry())))));
  const addOverflow = () => m.i32.and(m.i32.xor(a(), r()), m.i32.xor(b(), r()));
  const subOverflow = () => m.i32.and(m.i32.xor(a(), b()), m.i32.xor(a(), r()));
  const of = () => pick(hasX(), xOF(),
    pick(none(), flag(11),
      pick(m.i32.eq(kind3(), c(LAZY_LOGIC)), c(0),
        top(pick(m.i32.eq(kind3(), c(LAZY_ADD)), addOverflow(), subOverflow())))));
  return { of, cf, zf, sf, pf };
}

/** The flags a condition is made of, each an expression maker, or null
 *  where it cannot be had. */
interface FlagSources { of: Maker; cf: Maker; zf: Maker; sf: Maker; pf: Maker }
type Maker = (() => number) | null;

/** Condition `cc` (Jcc's low nibble) from its flags, as testCondition in
 *  assembly/cpu/flags.ts combines them; null when one it needs is null. */
function combine(g: Gen, cc: number, f: FlagSources): number | null {
  const m = g.m;
  const need = (...makers: Maker[]) => (makers.every((x) => x !== null) ? makers.map((x) => x!()) : null);
  let parts: number[] | null, e: ((p: number[]) => number);
  switch (cc & ~1) {
    case 0: parts = need(f.of); e = ([o]) => o; break;
    case 2: parts = need(f.cf); e = ([c]) => c; break;
    case 4: parts = need(f.zf); e = ([z]) => z; break;
    case 6: parts = need(f.cf, f.zf); e = ([c, z]) => m.i32.or(c, z); break;
    case 8: parts = need(f.sf); e = ([s]) => s; break;
    case 10: parts = need(f.pf); e = ([p]) => p; break;
    case 12: parts = need(f.sf, f.of); e = ([s, o]) => m.i32.xor(s, o); break;
    default: parts = need(f.zf, f.sf, f.of); e = ([z, s, o]) => m.i32.or(z, m.i32.xor(s, o)); break;
  }
  if (parts === null) return null;
  const r = e(parts);
  return cc & 1 ? m.i32.eqz(r) : r;
}

/** CF (bit 17) or OF (bit 18) of LAZY_OP's X bits, in the flag locals. */
function xFlag(g: Gen, bit: 17 | 18): number {
  return localBit(g, L_FOP, bit);
}

/** Condition `cc` from the record in g.record, whose CF and OF are in the
 *  X bits: those two from LAZY_OP (or, with XR, L_X), ZF and SF from the
 *  result (every kind but none has one), PF left to the core. */
function conditionCfOf(g: Gen, rec: NonNullable<Record>, cc: number): number | null {
  const m = g.m, size = rec.size, known = rec.kind !== KIND_UNKNOWN;
  return combine(g, cc, {
    cf: () => carry(g)!, // (a record with X bits always has one)
    of: () => (rec.xr ? m.i32.xor(localBit(g, L_X, rec.xr.cf), localBit(g, L_X, rec.xr.of)) : xFlag(g, 18)), pf: null,
    zf: known ? () => m.i32.eqz(m.i32.and(g.get(L_FR), g.c(sizeMask(size)))) : null,
    sf: known ? () => m.i32.and(m.i32.shr_u(g.get(L_FR), g.c(size - 1)), g.c(1)) : null,
  });
}

/**
 * What the flag locals hold when a block starts: the record every
 * predecessor leaves (`ends`, each block's record at its end, null where
 * unknown), when they agree; null for a block the function may enter
 * other than by a branch from another block (its entry, a loop header:
 * `entered`), or with no predecessor. Agreeing on the kind and size is
 * enough: the operands are in the same locals whichever way came in.
 */
export function recordAtStart(preds: readonly number[], ends: ReadonlyMap<number, Record>, entered: boolean): Record {
  if (entered || preds.length === 0) return null;
  let at: Record | undefined;
  for (const p of preds) {
    const r = ends.get(p);
    if (!r) return null; // unknown, or not generated yet (not a forward edge)
    if (at === undefined) at = r;
    else if (at!.kind !== r.kind || at!.size !== r.size || !at!.carryIn !== !r.carryIn || !at!.cfOf !== !r.cfOf
      || at!.xr?.cf !== r.xr?.cf || at!.xr?.of !== r.xr?.of) return null;
    else if (!at!.cfLocal !== !r.cfLocal) at = { ...at!, cfLocal: false }; // LAZY_OP has CF either way
  }
  return at ?? null;
}
