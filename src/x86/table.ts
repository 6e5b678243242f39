/**
 * table.ts — the opcode table: every instruction of the 8086, the 286 (with
 * the 186 additions) and the 386 in real mode, as data. decode.ts walks it;
 * the renderer, the block builder and (later) the translator read what it
 * produces. This file holds no decoding logic, only entries and the small
 * helpers that build them.
 *
 * An entry is one of
 *   Def          an instruction: mnemonic, operand specs, flag effects,
 *                control flow, sensitivity, the model that introduced it
 *   Group        selected by the ModRM reg field (bits 5–3)
 *   ByModel      different meaning per model [8086, 286, 386]
 *   ByMod        register form (mod = 11) vs memory form
 *   "prefix"     a prefix byte (decode.ts knows which)
 *   "0f"         escape to the two-byte table
 *   null         no instruction (#UD)
 *
 * Operand specs (Intel's manual letters, plus a few of our own):
 *   E? r/m  G? reg field  M? memory-only r/m  S segment reg (reg field)
 *   R rm as a register (mod ignored: MOV CRn)  C/D/T control/debug/test reg
 *   I? immediate  Is imm8 sign-extended to the operand size  J? relative
 *   A far pointer  O? moffs  X?/Y? string source DS:SI / destination ES:DI
 *   Z? register from the opcode's low 3 bits  L XLAT's [BX+AL]
 *   fixed registers AL CL DX AX eAX ES CS SS DS FS GS, 1 (shift count);
 *   a leading * marks an operand NASM syntax leaves implicit (STOSB's AL)
 * Sizes: b byte, w word, d dword, v operand size (16/32), p far pointer
 * (16:16 / 16:32), a BOUND pair, s descriptor-table pseudo-descriptor;
 * "Esw" is MOV to/from a segment register: r/m16 in memory, r/v as a reg.
 */
import {
  type FlagEffects, type FlowKind,
  CF, PF, AF, ZF, SF, OF, DF, IF, TF, ARITH, ALL_FLAGS,
} from "./ir.js";

/** How a shift/rotate's flags are derived once its count is known. */
export type ShiftKind = "rot" | "rc" | "shift" | "double";

/** One instruction definition. */
export interface Def {
  readonly kind: "def";
  /** Mnemonic for 16-bit operand size; `m32` for 32-bit if it differs. */
  readonly m: string;
  readonly m32?: string;
  /** Mnemonic with a 32-bit address size, if it differs (JCXZ → JECXZ). */
  readonly a32?: string;
  readonly ops: readonly string[];
  readonly fx: FlagEffects;
  readonly flow: FlowKind;
  readonly sens: boolean;
  /** Model index that introduced it: 0 8086, 1 186/286, 2 386. */
  readonly since: number;
  /** Raises #UD in real mode (protected-mode-only instructions), or in
   *  wasm86 because it is not modelled (LOADALL, MOV to/from test
   *  registers) — the interpreter raises #UD for both, so the IR says so. */
  readonly pmOnly?: boolean;
  /** LOCK is legal with a memory destination (386 checks this). */
  readonly lockable?: boolean;
  /** See Insn.alias. */
  readonly alias?: string;
  /** Flags are computed from the count (shifts). */
  readonly shift?: ShiftKind;
}

export interface Group { readonly kind: "group"; readonly e: readonly Entry[] }
export interface ByModel { readonly kind: "model"; readonly e: readonly [Entry, Entry, Entry] }
export interface ByMod { readonly kind: "mod"; readonly reg: Entry; readonly mem: Entry }
export type Entry = Def | Group | ByModel | ByMod | "prefix" | "0f" | null;

// ------------------------------------------------------------- helpers

const fx = (read: number, written: number, undef = 0): FlagEffects =>
  ({ read, written, undefined: undef });

const NOFX = fx(0, 0);
const ADDFX = fx(0, ARITH);
const ADCFX = fx(CF, ARITH);
const LOGICFX = fx(0, ARITH & ~AF, AF);
const INCFX = fx(0, ARITH & ~CF);
const MULFX = fx(0, CF | OF, SF | ZF | AF | PF);
const DIVFX = fx(0, 0, ARITH);
const STRFX = fx(DF, 0);
const CMPSFX = fx(DF, ARITH);
const INTFX = fx(ALL_FLAGS, IF | TF);
const BTFX = fx(0, CF, OF | SF | AF | PF);

interface Opts {
  m32?: string; a32?: string; fx?: FlagEffects; flow?: FlowKind; sens?: boolean; since?: number;
  pmOnly?: boolean; lockable?: boolean; alias?: string; shift?: ShiftKind;
}

/** An instruction: `d("add", "Eb,Gb", { fx: ADDFX })`. */
function d(m: string, ops: string, o: Opts = {}): Def {
  return {
    kind: "def", m, m32: o.m32, a32: o.a32, ops: ops ? ops.split(",") : [],
    fx: o.fx ?? NOFX, flow: o.flow ?? "none", sens: o.sens ?? false, since: o.since ?? 0,
    pmOnly: o.pmOnly, lockable: o.lockable, alias: o.alias, shift: o.shift,
  };
}
const group = (...e: Entry[]): Group => ({ kind: "group", e });
const byModel = (m8086: Entry, m286: Entry, m386: Entry): ByModel => ({ kind: "model", e: [m8086, m286, m386] });
const byMod = (reg: Entry, mem: Entry): ByMod => ({ kind: "mod", reg, mem });
/** An entry of the 186/286 on, an 8086 alias before. */
const since186 = (alias8086: Entry, e: Entry): ByModel => byModel(alias8086, e, e);
/** An entry that only the 386 has (#UD before). */
const only386 = (e: Entry): ByModel => byModel(null, null, e);

/** Condition-code suffixes as NASM/ndisasm spell them (cc 0–15). */
export const CC_NAMES = ["o", "no", "c", "nc", "z", "nz", "na", "a", "s", "ns", "pe", "po", "l", "nl", "ng", "g"];
/** Flags each condition code reads. */
export const CC_FLAGS = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF];

const jcc = (cc: number, ops: string, alias?: string): Def =>
  d("j" + CC_NAMES[cc], ops, { fx: fx(CC_FLAGS[cc], 0), flow: "jcc", alias });

// ---------------------------------------------------- one-byte opcodes

const ALU_NAMES = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
const ALU_FX = [ADDFX, LOGICFX, ADCFX, ADCFX, LOGICFX, ADDFX, LOGICFX, ADDFX];
/** ALU op n; LOCK is legal only for r/m destinations and not for CMP. */
const alu = (n: number, ops: string, alias?: string): Def =>
  d(ALU_NAMES[n], ops, { fx: ALU_FX[n], lockable: n != 7 && ops.startsWith("E"), alias });

/** Group 2 (shifts/rotates) for an r/m spec and a count spec. /6 is the
 *  8086's SETMO/SETMOC and an undocumented SAL on later CPUs. */
function shiftGroup(e: string, count: string): Group {
  const s = (m: string, k: ShiftKind, alias?: string) => d(m, `${e},${count}`, { shift: k, alias });
  const setmo = d(count == "CL" ? "setmoc" : "setmo", count == "CL" ? `${e},CL` : e, { fx: fx(0, ARITH), alias: "setmo" });
  return group(
    s("rol", "rot"), s("ror", "rot"), s("rcl", "rc"), s("rcr", "rc"),
    s("shl", "shift"), s("shr", "shift"), byModel(setmo, s("sal", "shift", "sal"), s("sal", "shift", "sal")), s("sar", "shift"));
}

/** Group 3 (F6/F7). /1 is an undocumented TEST on every model. */
function group3(e: string, imm: string): Group {
  return group(
    d("test", `${e},${imm}`, { fx: LOGICFX }), d("test", `${e},${imm}`, { fx: LOGICFX, alias: "test" }),
    d("not", e, { lockable: true }), d("neg", e, { fx: ADDFX, lockable: true }),
    d("mul", e, { fx: MULFX }), d("imul", e, { fx: MULFX }), d("div", e, { fx: DIVFX }), d("idiv", e, { fx: DIVFX }));
}

/** The 8086's alias of a later #UD encoding, or null on 286/386. */
const alias8086 = (e: Def): ByModel => byModel(e, null, null);

const FF_CALLF = byMod(alias8086(d("call", "Ev", { alias: "noop" })),
  d("call", "Mp", { flow: "callfar" }));
const FF_JMPF = byMod(alias8086(d("jmp", "Ev", { alias: "noop" })),
  d("jmp", "Mp", { flow: "jmpfar" }));

const ONE: Entry[] = new Array<Entry>(256).fill(null);

for (let n = 0; n < 8; n++) {
  const b = n << 3;
  ONE[b] = alu(n, "Eb,Gb"); ONE[b + 1] = alu(n, "Ev,Gv");
  ONE[b + 2] = alu(n, "Gb,Eb"); ONE[b + 3] = alu(n, "Gv,Ev");
  ONE[b + 4] = alu(n, "AL,Ib"); ONE[b + 5] = alu(n, "eAX,Iv");
}

ONE[0x06] = d("push", "ES"); ONE[0x07] = d("pop", "ES");
ONE[0x0E] = d("push", "CS");
ONE[0x0F] = byModel(d("pop", "CS", { flow: "jmpfar", sens: true, alias: "popcs" }), "0f", "0f");
ONE[0x16] = d("push", "SS"); ONE[0x17] = d("pop", "SS", { sens: true });
ONE[0x1E] = d("push", "DS"); ONE[0x1F] = d("pop", "DS");
for (const p of [0x26, 0x2E, 0x36, 0x3E]) ONE[p] = "prefix";
ONE[0x27] = d("daa", "", { fx: fx(CF | AF, CF | AF | SF | ZF | PF, OF) });
ONE[0x2F] = d("das", "", { fx: fx(CF | AF, CF | AF | SF | ZF | PF, OF) });
ONE[0x37] = d("aaa", "", { fx: fx(AF, AF | CF, OF | SF | ZF | PF) });
ONE[0x3F] = d("aas", "", { fx: fx(AF, AF | CF, OF | SF | ZF | PF) });

for (let r = 0; r < 8; r++) {
  ONE[0x40 + r] = d("inc", "Zv", { fx: INCFX });
  ONE[0x48 + r] = d("dec", "Zv", { fx: INCFX });
  ONE[0x50 + r] = d("push", "Zv");
  ONE[0x58 + r] = d("pop", "Zv");
  ONE[0x70 + r] = jcc(r, "Jb");
  ONE[0x78 + r] = jcc(r + 8, "Jb");
}

// 60–6F: the 8086 decodes them as Jcc 70–7F.
const jccAlias = (op: number): Def => jcc(op & 0xF, "Jb", "jcc");
ONE[0x60] = since186(jccAlias(0x60), d("pusha", "", { m32: "pushad", since: 1 }));
ONE[0x61] = since186(jccAlias(0x61), d("popa", "", { m32: "popad", since: 1 }));
ONE[0x62] = since186(jccAlias(0x62), byMod(null, d("bound", "Gv,Ma", { since: 1 })));
ONE[0x63] = since186(jccAlias(0x63), d("arpl", "Ew,Gw", { since: 1, pmOnly: true, fx: fx(0, ZF) }));
ONE[0x64] = byModel(jccAlias(0x64), null, "prefix");
ONE[0x65] = byModel(jccAlias(0x65), null, "prefix");
ONE[0x66] = byModel(jccAlias(0x66), null, "prefix");
ONE[0x67] = byModel(jccAlias(0x67), null, "prefix");
ONE[0x68] = since186(jccAlias(0x68), d("push", "Iv", { since: 1 }));
ONE[0x69] = since186(jccAlias(0x69), d("imul", "Gv,Ev,Iv", { since: 1, fx: MULFX }));
ONE[0x6A] = since186(jccAlias(0x6A), d("push", "Is", { since: 1 }));
ONE[0x6B] = since186(jccAlias(0x6B), d("imul", "Gv,Ev,Is", { since: 1, fx: MULFX }));
ONE[0x6C] = since186(jccAlias(0x6C), d("insb", "Yb,*DX", { since: 1, fx: STRFX, sens: true }));
ONE[0x6D] = since186(jccAlias(0x6D), d("insw", "Yv,*DX", { m32: "insd", since: 1, fx: STRFX, sens: true }));
ONE[0x6E] = since186(jccAlias(0x6E), d("outsb", "*DX,Xb", { since: 1, fx: STRFX, sens: true }));
ONE[0x6F] = since186(jccAlias(0x6F), d("outsw", "*DX,Xv", { m32: "outsd", since: 1, fx: STRFX, sens: true }));

ONE[0x80] = group(...ALU_NAMES.map((_, n) => alu(n, "Eb,Ib")));
ONE[0x81] = group(...ALU_NAMES.map((_, n) => alu(n, "Ev,Iv")));
ONE[0x82] = group(...ALU_NAMES.map((_, n) => alu(n, "Eb,Ib", "alu82")));
ONE[0x83] = group(...ALU_NAMES.map((_, n) => alu(n, "Ev,Is")));
ONE[0x84] = d("test", "Eb,Gb", { fx: LOGICFX });
ONE[0x85] = d("test", "Ev,Gv", { fx: LOGICFX });
ONE[0x86] = d("xchg", "Gb,Eb", { lockable: true });
ONE[0x87] = d("xchg", "Gv,Ev", { lockable: true });
ONE[0x88] = d("mov", "Eb,Gb"); ONE[0x89] = d("mov", "Ev,Gv");
ONE[0x8A] = d("mov", "Gb,Eb"); ONE[0x8B] = d("mov", "Gv,Ev");
{
  // MOV r/m, Sreg and MOV Sreg, r/m. The 8086 ignores bit 2 of the Sreg
  // field (4–7 alias ES..DS); the 386 adds FS/GS; everything else is #UD.
  const sregAlias = (e: Def) => byModel(e, null, null);
  const from = (_s: number) => d("mov", "Esw,S");
  const to = (s: number) => d("mov", "S,Esw", { sens: s == 2 });
  ONE[0x8C] = group(from(0), from(1), from(2), from(3),
    byModel(d("mov", "Esw,S", { alias: "sreg" }), null, from(4)),
    byModel(d("mov", "Esw,S", { alias: "sreg" }), null, from(5)),
    sregAlias(d("mov", "Esw,S", { alias: "sreg" })), sregAlias(d("mov", "Esw,S", { alias: "sreg" })));
  const movcs = d("mov", "S,Esw", { flow: "jmpfar", sens: true, alias: "movcs" });
  ONE[0x8E] = group(to(0), byModel(movcs, null, null), to(2), to(3),
    byModel(d("mov", "S,Esw", { alias: "sreg" }), null, to(4)),
    byModel(movcs, null, to(5)),
    sregAlias(d("mov", "S,Esw", { alias: "sreg", sens: true })),
    sregAlias(d("mov", "S,Esw", { alias: "sreg" })));
}
ONE[0x8D] = byMod(alias8086(d("lea", "Gv,Ev", { alias: "noop" })), d("lea", "Gv,M"));
ONE[0x8F] = group(d("pop", "Ev"), ...Array.from({ length: 7 }, () => alias8086(d("pop", "Ev", { alias: "pop" }))));

ONE[0x90] = d("nop", "");
for (let r = 1; r < 8; r++) ONE[0x90 + r] = d("xchg", "eAX,Zv");
ONE[0x98] = d("cbw", "", { m32: "cwde" });
ONE[0x99] = d("cwd", "", { m32: "cdq" });
ONE[0x9A] = d("call", "Ap", { flow: "callfar" });
ONE[0x9B] = d("wait", "");
ONE[0x9C] = d("pushf", "", { m32: "pushfd", fx: fx(ALL_FLAGS, 0) });
ONE[0x9D] = d("popf", "", { m32: "popfd", fx: fx(0, ALL_FLAGS), sens: true });
ONE[0x9E] = d("sahf", "", { fx: fx(0, SF | ZF | AF | PF | CF) });
ONE[0x9F] = d("lahf", "", { fx: fx(SF | ZF | AF | PF | CF, 0) });

ONE[0xA0] = d("mov", "AL,Ob"); ONE[0xA1] = d("mov", "eAX,Ov");
ONE[0xA2] = d("mov", "Ob,AL"); ONE[0xA3] = d("mov", "Ov,eAX");
ONE[0xA4] = d("movsb", "Yb,Xb", { fx: STRFX });
ONE[0xA5] = d("movsw", "Yv,Xv", { m32: "movsd", fx: STRFX });
ONE[0xA6] = d("cmpsb", "Xb,Yb", { fx: CMPSFX });
ONE[0xA7] = d("cmpsw", "Xv,Yv", { m32: "cmpsd", fx: CMPSFX });
ONE[0xA8] = d("test", "AL,Ib", { fx: LOGICFX });
ONE[0xA9] = d("test", "eAX,Iv", { fx: LOGICFX });
ONE[0xAA] = d("stosb", "Yb,*AL", { fx: STRFX });
ONE[0xAB] = d("stosw", "Yv,*eAX", { m32: "stosd", fx: STRFX });
ONE[0xAC] = d("lodsb", "*AL,Xb", { fx: STRFX });
ONE[0xAD] = d("lodsw", "*eAX,Xv", { m32: "lodsd", fx: STRFX });
ONE[0xAE] = d("scasb", "*AL,Yb", { fx: CMPSFX });
ONE[0xAF] = d("scasw", "*eAX,Yv", { m32: "scasd", fx: CMPSFX });
for (let r = 0; r < 8; r++) {
  ONE[0xB0 + r] = d("mov", "Zb,Ib");
  ONE[0xB8 + r] = d("mov", "Zv,Iv");
}

ONE[0xC0] = since186(d("ret", "Iw", { flow: "ret", alias: "ret" }), shiftGroup("Eb", "Ib"));
ONE[0xC1] = since186(d("ret", "", { flow: "ret", alias: "ret" }), shiftGroup("Ev", "Ib"));
ONE[0xC2] = d("ret", "Iw", { flow: "ret" });
ONE[0xC3] = d("ret", "", { flow: "ret" });
ONE[0xC4] = byMod(alias8086(d("les", "Gv,Ev", { alias: "noop" })), d("les", "Gv,Mp"));
ONE[0xC5] = byMod(alias8086(d("lds", "Gv,Ev", { alias: "noop" })), d("lds", "Gv,Mp"));
ONE[0xC6] = group(d("mov", "Eb,Ib"), ...Array.from({ length: 7 }, () => alias8086(d("mov", "Eb,Ib", { alias: "mov" }))));
ONE[0xC7] = group(d("mov", "Ev,Iv"), ...Array.from({ length: 7 }, () => alias8086(d("mov", "Ev,Iv", { alias: "mov" }))));
ONE[0xC8] = since186(d("retf", "Iw", { flow: "retfar", alias: "retf" }), d("enter", "Iw,Ib", { since: 1 }));
ONE[0xC9] = since186(d("retf", "", { flow: "retfar", alias: "retf" }), d("leave", "", { since: 1 }));
ONE[0xCA] = d("retf", "Iw", { flow: "retfar" });
ONE[0xCB] = d("retf", "", { flow: "retfar" });
ONE[0xCC] = d("int3", "", { flow: "int", fx: INTFX, sens: true });
ONE[0xCD] = d("int", "Ib", { flow: "int", fx: INTFX, sens: true });
ONE[0xCE] = d("into", "", { flow: "int", fx: INTFX, sens: true });
ONE[0xCF] = d("iret", "", { m32: "iretd", flow: "iret", fx: fx(0, ALL_FLAGS), sens: true });

ONE[0xD0] = shiftGroup("Eb", "1");
ONE[0xD1] = shiftGroup("Ev", "1");
ONE[0xD2] = shiftGroup("Eb", "CL");
ONE[0xD3] = shiftGroup("Ev", "CL");
ONE[0xD4] = d("aam", "Ib", { fx: fx(0, SF | ZF | PF, OF | AF | CF) });
ONE[0xD5] = d("aad", "Ib", { fx: fx(0, SF | ZF | PF, OF | AF | CF) });
ONE[0xD6] = d("salc", "", { fx: fx(CF, 0) });
ONE[0xD7] = d("xlatb", "L");
// ESC: a coprocessor instruction; the CPU decodes ModRM (and the 286 reads
// a memory operand) and does nothing else. Operands: the 6-bit ESC code
// (opcode bits 2–0 : reg field) and the r/m.
for (let k = 0; k < 8; k++) ONE[0xD8 + k] = d("esc", "Esc,Ex");

ONE[0xE0] = d("loopne", "Jb", { flow: "loop", fx: fx(ZF, 0) });
ONE[0xE1] = d("loope", "Jb", { flow: "loop", fx: fx(ZF, 0) });
ONE[0xE2] = d("loop", "Jb", { flow: "loop" });
ONE[0xE3] = d("jcxz", "Jb", { a32: "jecxz", flow: "loop" });
ONE[0xE4] = d("in", "AL,Ib", { sens: true });
ONE[0xE5] = d("in", "eAX,Ib", { sens: true });
ONE[0xE6] = d("out", "Ib,AL", { sens: true });
ONE[0xE7] = d("out", "Ib,eAX", { sens: true });
ONE[0xE8] = d("call", "Jv", { flow: "call" });
ONE[0xE9] = d("jmp", "Jv", { flow: "jump" });
ONE[0xEA] = d("jmp", "Ap", { flow: "jmpfar" });
ONE[0xEB] = d("jmp", "Jb", { flow: "jump" });
ONE[0xEC] = d("in", "AL,DX", { sens: true });
ONE[0xED] = d("in", "eAX,DX", { sens: true });
ONE[0xEE] = d("out", "DX,AL", { sens: true });
ONE[0xEF] = d("out", "DX,eAX", { sens: true });

ONE[0xF0] = "prefix";
ONE[0xF1] = byModel("prefix", "prefix", d("int1", "", { flow: "int", fx: INTFX, sens: true, since: 2 }));
ONE[0xF2] = "prefix"; ONE[0xF3] = "prefix";
ONE[0xF4] = d("hlt", "", { flow: "halt", sens: true });
ONE[0xF5] = d("cmc", "", { fx: fx(CF, CF) });
ONE[0xF6] = group3("Eb", "Ib");
ONE[0xF7] = group3("Ev", "Iv");
ONE[0xF8] = d("clc", "", { fx: fx(0, CF) });
ONE[0xF9] = d("stc", "", { fx: fx(0, CF) });
ONE[0xFA] = d("cli", "", { fx: fx(0, IF), sens: true });
ONE[0xFB] = d("sti", "", { fx: fx(0, IF), sens: true });
ONE[0xFC] = d("cld", "", { fx: fx(0, DF) });
ONE[0xFD] = d("std", "", { fx: fx(0, DF) });
{
  // FE /2–7 on the 8086 run the FF forms on a word operand (what the
  // interpreter does); later models raise #UD.
  const asWord = (e: Def): Entry => alias8086({ ...e, alias: "byte-as-word" });
  ONE[0xFE] = group(
    d("inc", "Eb", { fx: INCFX, lockable: true }), d("dec", "Eb", { fx: INCFX, lockable: true }),
    asWord(d("call", "Ev", { flow: "call" })),
    byMod(asWord(d("call", "Ev")), asWord(d("call", "Mp", { flow: "callfar" }))),
    asWord(d("jmp", "Ev", { flow: "jump" })),
    byMod(asWord(d("jmp", "Ev")), asWord(d("jmp", "Mp", { flow: "jmpfar" }))),
    asWord(d("push", "Ev")), asWord(d("push", "Ev")));
}
ONE[0xFF] = group(
  d("inc", "Ev", { fx: INCFX, lockable: true }), d("dec", "Ev", { fx: INCFX, lockable: true }),
  d("call", "Ev", { flow: "call" }), FF_CALLF,
  d("jmp", "Ev", { flow: "jump" }), FF_JMPF,
  d("push", "Ev"), alias8086(d("push", "Ev", { alias: "push" })));

// ---------------------------------------------------- two-byte opcodes

const TWO: Entry[] = new Array<Entry>(256).fill(null);

const sys = (m: string, ops: string, o: Opts = {}): Def => d(m, ops, { since: 1, sens: true, ...o });
TWO[0x00] = group(
  sys("sldt", "Esw", { pmOnly: true }), sys("str", "Esw", { pmOnly: true }),
  sys("lldt", "Ew", { pmOnly: true }), sys("ltr", "Ew", { pmOnly: true }),
  sys("verr", "Ew", { pmOnly: true, fx: fx(0, ZF) }), sys("verw", "Ew", { pmOnly: true, fx: fx(0, ZF) }),
  null, null);
TWO[0x01] = group(
  byMod(null, sys("sgdt", "Ms")), byMod(null, sys("sidt", "Ms")),
  byMod(null, sys("lgdt", "Ms")), byMod(null, sys("lidt", "Ms")),
  sys("smsw", "Esw"), null, sys("lmsw", "Ew"), null);
TWO[0x02] = sys("lar", "Gv,Ew", { pmOnly: true, fx: fx(0, ZF) });
TWO[0x03] = sys("lsl", "Gv,Ew", { pmOnly: true, fx: fx(0, ZF) });
TWO[0x05] = byModel(null, sys("loadall", "", { flow: "jmpfar", fx: fx(0, ALL_FLAGS), pmOnly: true }), null);
TWO[0x06] = sys("clts", "");
TWO[0x07] = only386(sys("loadall", "", { flow: "jmpfar", fx: fx(0, ALL_FLAGS), since: 2, pmOnly: true }));
TWO[0x20] = only386(sys("mov", "Rd,Cd", { since: 2, fx: fx(0, 0, ARITH) }));
TWO[0x21] = only386(sys("mov", "Rd,Dd", { since: 2, fx: fx(0, 0, ARITH) }));
TWO[0x22] = only386(sys("mov", "Cd,Rd", { since: 2, fx: fx(0, 0, ARITH) }));
TWO[0x23] = only386(sys("mov", "Dd,Rd", { since: 2, fx: fx(0, 0, ARITH) }));
TWO[0x24] = only386(sys("mov", "Rd,Td", { since: 2, fx: fx(0, 0, ARITH), pmOnly: true }));
TWO[0x26] = only386(sys("mov", "Td,Rd", { since: 2, fx: fx(0, 0, ARITH), pmOnly: true }));
TWO[0x31] = only386(sys("rdtsc", "", { since: 2 }));
TWO[0xA2] = only386(sys("cpuid", "", { since: 2 }));
for (let cc = 0; cc < 16; cc++) {
  TWO[0x80 + cc] = only386({ ...jcc(cc, "Jv"), since: 2 });
  TWO[0x90 + cc] = only386(d("set" + CC_NAMES[cc], "Eb", { since: 2, fx: fx(CC_FLAGS[cc], 0) }));
}
const i386 = (m: string, ops: string, o: Opts = {}): Entry => only386(d(m, ops, { since: 2, ...o }));
TWO[0xA0] = i386("push", "FS"); TWO[0xA1] = i386("pop", "FS");
TWO[0xA8] = i386("push", "GS"); TWO[0xA9] = i386("pop", "GS");
TWO[0xA3] = i386("bt", "Ev,Gv", { fx: BTFX });
TWO[0xAB] = i386("bts", "Ev,Gv", { fx: BTFX, lockable: true });
TWO[0xB3] = i386("btr", "Ev,Gv", { fx: BTFX, lockable: true });
TWO[0xBB] = i386("btc", "Ev,Gv", { fx: BTFX, lockable: true });
TWO[0xBA] = only386(group(null, null, null, null,
  d("bt", "Ev,Ib", { since: 2, fx: BTFX }), d("bts", "Ev,Ib", { since: 2, fx: BTFX, lockable: true }),
  d("btr", "Ev,Ib", { since: 2, fx: BTFX, lockable: true }), d("btc", "Ev,Ib", { since: 2, fx: BTFX, lockable: true })));
TWO[0xA4] = i386("shld", "Ev,Gv,Ib", { shift: "double" });
TWO[0xA5] = i386("shld", "Ev,Gv,CL", { shift: "double" });
TWO[0xAC] = i386("shrd", "Ev,Gv,Ib", { shift: "double" });
TWO[0xAD] = i386("shrd", "Ev,Gv,CL", { shift: "double" });
TWO[0xAF] = i386("imul", "Gv,Ev", { fx: MULFX });
TWO[0xB2] = only386(byMod(null, d("lss", "Gv,Mp", { since: 2, sens: true })));
TWO[0xB4] = only386(byMod(null, d("lfs", "Gv,Mp", { since: 2 })));
TWO[0xB5] = only386(byMod(null, d("lgs", "Gv,Mp", { since: 2 })));
TWO[0xB6] = i386("movzx", "Gv,Eb"); TWO[0xB7] = i386("movzx", "Gv,Ew");
TWO[0xBE] = i386("movsx", "Gv,Eb"); TWO[0xBF] = i386("movsx", "Gv,Ew");
TWO[0xBC] = i386("bsf", "Gv,Ev", { fx: fx(0, ZF, CF | OF | SF | AF | PF) });
TWO[0xBD] = i386("bsr", "Gv,Ev", { fx: fx(0, ZF, CF | OF | SF | AF | PF) });

/** The one-byte opcode map (index: opcode). */
export const ONE_BYTE: readonly Entry[] = ONE;
/** The 0F xx opcode map (index: second byte). */
export const TWO_BYTE: readonly Entry[] = TWO;

/** Flag effects of a shift/rotate whose count is `count` (null: CL,
 *  unknown) — OF is defined only for a count of 1. */
export function shiftEffects(kind: ShiftKind, count: number | null): FlagEffects {
  const one = count === 1;
  switch (kind) {
    case "rot": return one ? fx(0, CF | OF) : fx(0, CF, OF);
    case "rc": return one ? fx(CF, CF | OF) : fx(CF, CF, OF);
    case "shift": return one ? fx(0, CF | OF | SF | ZF | PF, AF) : fx(0, CF | SF | ZF | PF, AF | OF);
    case "double": return one ? fx(0, CF | OF | SF | ZF | PF, AF) : fx(0, CF | SF | ZF | PF, AF | OF);
  }
}
