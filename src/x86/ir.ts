/**
 * ir.ts — the decoded-instruction IR: the shapes every consumer of the
 * decoder (the NASM renderer, the disassembler, the CLI's --trace and the
 * coming translator) works from. Types and small constants only; the
 * decoding itself is decode.ts, the opcode data table.ts.
 *
 * One `Insn` describes one instruction as a given CPU model sees it in
 * real mode: its bytes, prefixes, mnemonic, operands (a discriminated
 * union), the flags it reads / writes / leaves undefined, how it transfers
 * control, and whether it is "sensitive" (needs the host or changes state
 * the translator must not cache across it).
 */

/** The CPU models the decoder knows (the same names as the Machine's). */
export type X86Model = "8086" | "286" | "386";

/** All models, oldest first. */
export const X86_MODELS: readonly X86Model[] = ["8086", "286", "386"];

// --------------------------------------------------------------- flags

/** FLAGS bits, as in the FLAGS register. */
export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
/** The six arithmetic (status) flags. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** Every flag the decoder tracks (status flags plus TF, IF, DF; IOPL/NT are
 *  folded into "all" reads and writes of PUSHF/POPF/IRET via this mask). */
export const ALL_FLAGS = ARITH | TF | IF | DF;

/**
 * Flag effects. `written` holds flags the instruction sets to a defined
 * value (when it executes at all: a shift by zero changes nothing);
 * `undefined` holds flags the SDM / the silicon leaves undefined. The two
 * are disjoint. `read` holds flags whose value the instruction consumes.
 */
export interface FlagEffects {
  readonly read: number;
  readonly written: number;
  readonly undefined: number;
}

// ----------------------------------------------------------- registers

/** Segment registers in encoding order (the Sreg field of 8C/8E). */
export const SEG_NAMES = ["es", "cs", "ss", "ds", "fs", "gs"] as const;
export type SegName = (typeof SEG_NAMES)[number];

/** General registers by size and encoding number. */
export const REG_NAMES = {
  8: ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"],
  16: ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"],
  32: ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"],
} as const;

export type RegSize = 8 | 16 | 32;

// ------------------------------------------------------------ operands

/** A general register. `num` is its encoding (0–7); `name` e.g. "ax". */
export interface RegOperand {
  readonly kind: "reg";
  readonly num: number;
  readonly size: RegSize;
  readonly name: string;
  /** Implied by the opcode and not written in NASM syntax (STOSB's AL). */
  readonly implicit?: boolean;
  /** Fixed by the opcode (AL of `add al,imm8`, DX of `in al,dx`) rather
   *  than selected by a register field. */
  readonly fixed?: boolean;
}

/** A segment register. */
export interface SegOperand {
  readonly kind: "seg";
  readonly num: number;
  readonly name: SegName;
  /** Fixed by the opcode (PUSH ES) rather than the ModRM reg field. */
  readonly fixed?: boolean;
}

/** A control, debug or test register (386 MOV CRn/DRn/TRn). */
export interface SpecialRegOperand {
  readonly kind: "creg" | "dreg" | "treg";
  readonly num: number;
  readonly name: string;
}

/**
 * An immediate. `value` is the number as the instruction uses it: signed
 * immediates (`signed`) are sign-extended, so 83 /0 with FFh holds -1;
 * unsigned ones are zero-extended. `size` is the encoded width in bits;
 * `extendedTo` the operand size a sign-extended byte is widened to.
 * `implicit` marks the constant 1 of the D0/D1 shifts (no bytes).
 */
export interface ImmOperand {
  readonly kind: "imm";
  readonly value: number;
  readonly size: 8 | 16 | 32;
  readonly signed: boolean;
  readonly extendedTo?: RegSize;
  readonly implicit?: boolean;
}

/**
 * A memory operand: segment:[base + index*scale + disp].
 *
 *   seg         the effective segment (the override, else the default:
 *               SS for BP/EBP/ESP-based forms, ES for string destinations,
 *               DS otherwise)
 *   segOverride true when a prefix chose `seg`
 *   dispSize    0 when no displacement byte(s) were encoded
 *   size        the operand's width in bits; 0 when the instruction only
 *               uses the address (LEA) or the width is structural (far
 *               pointers: see `farPointer`; LGDT/LIDT: 48)
 *   implicit    string instructions' DS:SI / ES:DI and XLAT's DS:[BX+AL]
 */
export interface MemOperand {
  readonly kind: "mem";
  readonly seg: SegName;
  readonly segOverride: boolean;
  readonly base: string | null;
  readonly index: string | null;
  readonly scale: 1 | 2 | 4 | 8;
  readonly disp: number;
  readonly dispSize: 0 | 8 | 16 | 32;
  readonly addrSize: 16 | 32;
  readonly size: number;
  /** The operand is a seg:offset pointer (LES/LDS/LSS/LFS/LGS, far CALL/JMP). */
  readonly farPointer?: boolean;
  readonly implicit?: boolean;
  /** The address was encoded with a SIB byte (32-bit addressing). */
  readonly sib?: boolean;
}

/** A relative branch, resolved: `target` is the absolute IP (wrapped to
 *  the operand size); `size` the width of the encoded displacement. */
export interface RelOperand {
  readonly kind: "rel";
  readonly target: number;
  readonly disp: number;
  readonly size: 8 | 16 | 32;
}

/** A direct far pointer seg:off (9A / EA). */
export interface FarOperand {
  readonly kind: "far";
  readonly seg: number;
  readonly off: number;
  readonly offSize: 16 | 32;
}

/** The discriminated union of operands, destination first (Intel order). */
export type Operand =
  | RegOperand | SegOperand | SpecialRegOperand | ImmOperand | MemOperand | RelOperand | FarOperand;

// -------------------------------------------------------- control flow

/**
 * How an instruction transfers control.
 *
 *   none     falls through
 *   jump     JMP near (direct `rel` or indirect r/m)
 *   jcc      conditional near jump (Jcc, and the 8086's 60–6F aliases)
 *   loop     LOOP/LOOPZ/LOOPNZ/JCXZ/JECXZ (conditional, reads CX/ECX)
 *   call     CALL near
 *   ret      RET near (with or without imm16)
 *   jmpfar   JMP far, and anything else that loads CS without a return
 *            (the 8086's POP CS and MOV CS, LOADALL)
 *   callfar  CALL far
 *   retfar   RETF
 *   int      INT n / INT3 / INTO / INT1 (INTO only when OF is set)
 *   iret     IRET/IRETD
 *   halt     HLT
 *   fault    always raises an exception when executed in real mode: an
 *            invalid encoding (#UD), a protected-mode-only instruction
 *            (#UD), an instruction longer than the model allows (#GP)
 */
export type FlowKind =
  | "none" | "jump" | "jcc" | "loop" | "call" | "ret"
  | "jmpfar" | "callfar" | "retfar" | "int" | "iret" | "halt" | "fault";

// ------------------------------------------------------------ prefixes

/** The prefixes of an instruction, as the CPU applies them. */
export interface Prefixes {
  /** The segment override in effect (the last one wins), or null. */
  readonly seg: SegName | null;
  /** REP/REPE (F3) or REPNE (F2) — the last one wins — or null. */
  readonly rep: "rep" | "repne" | null;
  /** LOCK (F0; the 8086/286 also treat F1 as LOCK). */
  readonly lock: boolean;
  /** 66h seen (386 only; on older models 66h is not a prefix). */
  readonly opsize: boolean;
  /** 67h seen (386 only). */
  readonly addrsize: boolean;
  /** Every prefix byte, in order (so repeats and order are kept). */
  readonly bytes: readonly number[];
}

// ---------------------------------------------------------- instruction

/**
 * The decoder's verdict on the bytes:
 *   ok         a complete instruction (it may still fault at run time,
 *              see `fault`)
 *   invalid    not an instruction on this model: `mnemonic` is "(bad)",
 *              `fault` says what the CPU raises
 *   truncated  the bytes ran out before the instruction was complete;
 *              `length` counts the bytes that were there
 */
export type DecodeStatus = "ok" | "invalid" | "truncated";

/** One decoded instruction. */
export interface Insn {
  readonly model: X86Model;
  /** Linear address of the first byte (CS * 16 + IP). */
  readonly address: number;
  /** CS:IP of the first byte. */
  readonly cs: number;
  readonly ip: number;
  /** Bytes consumed, 1 and up (prefixes included). */
  readonly length: number;
  /** Those bytes. (A plain array: the translator decodes every block it
   *  compiles, and a typed array per instruction cost a third of the
   *  decoder's time.) */
  readonly bytes: readonly number[];
  readonly status: DecodeStatus;
  readonly prefixes: Prefixes;
  /** The opcode without prefixes: 0x00–0xFF, or 0x0F00 | second byte. */
  readonly opcode: number;
  /** The ModRM byte, if the instruction has one. */
  readonly modrm?: number;
  /** Lower-case mnemonic as NASM spells it for this operand size
   *  ("movsw", "cwde", "jz"); "(bad)" for invalid encodings. */
  readonly mnemonic: string;
  readonly operands: readonly Operand[];
  /** Operand and address size in effect (16 unless 66h/67h on the 386). */
  readonly opSize: 16 | 32;
  readonly addrSize: 16 | 32;
  readonly flags: FlagEffects;
  readonly flow: FlowKind;
  /** Needs the host or changes state a translated block must not cache
   *  across: I/O, interrupts, IF/TF changes, HLT, SS loads (interrupt
   *  shadow), CR/DR/MSW writes, descriptor tables, LOADALL. */
  readonly sensitive: boolean;
  /** The exception the CPU raises when it executes this instruction in
   *  real mode regardless of operands: "ud" (#UD) or "gp" (#GP, too long). */
  readonly fault?: "ud" | "gp";
  /**
   * Set for encodings whose meaning here is not the documented one; names
   * what they alias. The 8086: "jcc" (60–6F), "ret" (C0/C1), "retf"
   * (C8/C9), "sreg" (8C/8E reg 4–7), "movcs" (8E /1), "popcs" (0F), "pop"
   * (8F /1–7), "mov" (C6/C7 /1–7), "push" (FF /7), "byte-as-word" (FE
   * /2–7), "noop" (register forms of LEA/LES/LDS/FF /3 /5, no effect),
   * "setmo" (D0–D3 /6), "prefix-run" (16 prefixes). Every model: "alu82"
   * (82 = 80), "test" (F6/F7 /1). 286/386: "sal" (D0–D3, C0/C1 /6). The
   * renderer and the ndisasm comparison use it.
   */
  readonly alias?: string;
}
