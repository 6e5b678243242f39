/**
 * ndisasm-harness.ts — helpers for comparing our NASM renderer with
 * Debian's `ndisasm -b 16`: load the instruction bytes of the conformance
 * corpus, lay many instructions out in one file at fixed 32-byte slots
 * padded with NOPs (ndisasm resynchronises inside the padding: no
 * instruction is longer than 15 bytes and 16+ NOPs follow each one), run
 * ndisasm once, and read back the line that starts at each slot.
 *
 * Test support only; the assertions live in ndisasm.test.ts.
 */
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { execFileSync, spawnSync } from "node:child_process";
import type { Insn } from "../../src/x86/ir.js";

export const SLOT = 32;

/** Is ndisasm (and nasm) on PATH? */
export function hasTool(name: string): boolean {
  const r = spawnSync(name, ["-v"], { encoding: "utf8" });
  return r.status === 0;
}

/** One corpus instruction: its bytes and the file it came from. */
export interface CorpusInsn {
  readonly bytes: readonly number[];
  readonly file: string;
}

/**
 * The distinct instruction byte strings of one dataset directory. The 286
 * set's trailing F4 (the HLT that ends each test) is dropped.
 */
export function loadCorpus(dir: string, dropTrailingHlt: boolean): CorpusInsn[] {
  const out: CorpusInsn[] = [];
  const seen = new Set<string>();
  const re = /"bytes":\[([0-9,]*)\]/;
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json.gz")).sort()) {
    const text = gunzipSync(readFileSync(join(dir, f))).toString("latin1");
    for (const line of text.split("\n")) {
      const m = re.exec(line);
      if (!m) continue;
      let bytes = m[1].split(",").map(Number);
      if (dropTrailingHlt && bytes[bytes.length - 1] === 0xF4) bytes = bytes.slice(0, -1);
      const key = bytes.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ bytes, file: f.replace(".json.gz", "") });
    }
  }
  return out;
}

/** What ndisasm printed for the instruction starting at an address. */
export interface NdisasmLine {
  readonly length: number;
  readonly text: string;
}

/** Parse ndisasm's listing into address → line (continuation lines, which
 *  hold the rest of a long instruction's bytes, are folded in). */
export function parseNdisasm(out: string): Map<number, NdisasmLine> {
  const lines = new Map<number, NdisasmLine>();
  let last = -1;
  for (const line of out.split("\n")) {
    const m = /^([0-9A-F]{8})  ([0-9A-F]+)\s+(.*)$/.exec(line);
    if (m) {
      last = parseInt(m[1], 16);
      lines.set(last, { length: m[2].length / 2, text: m[3] });
      continue;
    }
    const c = /^\s+-([0-9A-F]+)$/.exec(line);
    if (c && last >= 0) {
      const l = lines.get(last)!;
      lines.set(last, { length: l.length + c[1].length / 2, text: l.text });
    }
  }
  return lines;
}

/** Slots per ndisasm run: 1024 × 32 bytes keeps every slot address and
 *  every short-branch target below 64 KiB, where ndisasm's 16-bit view of
 *  targets and the CPU's agree. */
export const SLOTS_PER_RUN = 1024;

/** The IP the instruction in slot `i` sits at. */
export const slotIp = (i: number): number => (i % SLOTS_PER_RUN) * SLOT;

/** Run `ndisasm -b 16` over byte strings placed at 32-byte slots; returns
 *  the line at each slot (undefined if ndisasm lost sync there). */
export function ndisasmSlots(insns: readonly (readonly number[])[]): (NdisasmLine | undefined)[] {
  const dir = mkdtempSync(join(tmpdir(), "wasm86-ndisasm-"));
  const result: (NdisasmLine | undefined)[] = [];
  try {
    const file = join(dir, "slots.bin");
    for (let start = 0; start < insns.length; start += SLOTS_PER_RUN) {
      const chunk = insns.slice(start, start + SLOTS_PER_RUN);
      const buf = Buffer.alloc(chunk.length * SLOT, 0x90);
      chunk.forEach((b, i) => buf.set(b, i * SLOT));
      writeFileSync(file, buf);
      const out = execFileSync("ndisasm", ["-b", "16", file], { encoding: "latin1", maxBuffer: 1 << 28 });
      const lines = parseNdisasm(out);
      chunk.forEach((_, i) => result.push(lines.get(i * SLOT)));
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assemble NASM source (BITS 16) to a flat binary with `nasm`. */
export function nasmAssemble(source: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "wasm86-nasm-"));
  try {
    const src = join(dir, "in.asm"), bin = join(dir, "out.bin");
    writeFileSync(src, source);
    execFileSync("nasm", ["-f", "bin", "-o", bin, src], { encoding: "utf8" });
    return readFileSync(bin);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The outcome of comparing one instruction with ndisasm. */
export type Verdict =
  | { readonly kind: "agree" }
  | { readonly kind: "skip"; readonly category: string }
  | { readonly kind: "known"; readonly category: string }
  | { readonly kind: "differ"; readonly ours: string; readonly theirs: string };

const PREFIX_WORD = /^(es|cs|ss|ds|fs|gs|o16|o32|a16|a32|rep|repe|repne|lock|db 0x[0-9a-f]+)$/;

/**
 * Known, documented differences between the CPU (our decoder) and
 * ndisasm, each a rule recognising it. Everything else must agree.
 */
export const KNOWN_DIFFERENCES: readonly {
  readonly name: string;
  readonly why: string;
  readonly test: (insn: Insn, theirs: NdisasmLine | undefined) => boolean;
}[] = [
  {
    name: "loadall",
    why: "0F 05 is LOADALL on the 286 and 0F 07 LOADALL on the 386; ndisasm knows only the later SYSCALL/SYSRET there",
    test: (i) => i.opcode === 0x0F05 || i.opcode === 0x0F07,
  },
  {
    name: "setcc-reg-field",
    why: "SETcc ignores the ModRM reg field on the 386; ndisasm accepts only reg = 0",
    test: (i, t) => (i.opcode & 0xFFF0) === 0x0F90 && ((i.modrm ?? 0) & 0x38) !== 0 && isReject(t),
  },
  {
    name: "mov-special-mod",
    why: "MOV to/from CRn/DRn/TRn ignores the ModRM mod field on the 386 (always a register); ndisasm rejects mod ≠ 11",
    test: (i, t) => i.opcode >= 0x0F20 && i.opcode <= 0x0F26 && (i.modrm ?? 0xC0) < 0xC0 && isReject(t),
  },
  {
    name: "mov-tr",
    why: "MOV to/from test registers (0F 24/26, 386 only) is unknown to ndisasm",
    test: (i, t) => (i.opcode === 0x0F24 || i.opcode === 0x0F26) && isReject(t),
  },
  {
    name: "f2-f3-before-0f",
    why: "ndisasm reads F2/F3 before a 0F opcode as a mandatory prefix (SSE, TZCNT/LZCNT) and rejects or renames the 386 instruction; the 386 ignores REP there",
    test: (i) => i.prefixes.rep !== null && (i.opcode & 0xFF00) === 0x0F00,
  },
  {
    name: "xrelease",
    why: "ndisasm prints F3 before MOV/XCHG to memory as the TSX hint XRELEASE; the 386 ignores it (we print rep)",
    test: (i, t) => i.prefixes.rep === "rep" && /\bxrelease\b/.test(t?.text ?? ""),
  },
  {
    name: "movzx-movsx-16",
    why: "MOVZX/MOVSX r16, r/m16 (0F B7/BF without 66h) is a plain 16-bit move on the 386; ndisasm rejects it",
    test: (i, t) => (i.opcode === 0x0FB7 || i.opcode === 0x0FBF) && i.opSize === 16 && isReject(t),
  },
  {
    name: "later-cpu-opcode",
    why: "encodings that are #UD on the 386 but later CPUs define (INVLPG 0F 01 /7, VMX/SVM/… register forms of 0F 01, JMPE 0F 00 /6, XABORT/XBEGIN C6/C7 /7, the VEX/EVEX prefixes C4/C5/62 that reuse the register forms of LES/LDS/BOUND) or that ndisasm decodes anyway (MOV to CS, MOV to/from segr6/segr7)",
    test: (i, t) => i.status === "invalid" && !isReject(t) && (
      i.opcode === 0x0F01 || i.opcode === 0x0F00 ||
      ((i.opcode === 0xC6 || i.opcode === 0xC7) && ((i.modrm ?? 0) & 0x38) === 0x38) ||
      ((i.opcode === 0xC4 || i.opcode === 0xC5 || i.opcode === 0x62) && (i.modrm ?? 0) >= 0xC0 && /^v/.test(t?.text ?? "")) ||
      (i.opcode === 0x8E && ((i.modrm ?? 0) & 0x38) === 0x08) ||
      ((i.opcode === 0x8C || i.opcode === 0x8E) && ((i.modrm ?? 0) & 0x38) >= 0x30)),
  },
  {
    name: "lock-mov-cr",
    why: "LOCK MOV CRn is #UD on the 386; ndisasm decodes it as AMD's alternative encoding of CR8–CR15",
    test: (i, t) => (i.opcode === 0x0F20 || i.opcode === 0x0F22) && i.prefixes.lock && /\bcr(8|9|1[0-5])\b/.test(t?.text ?? ""),
  },
  {
    name: "pause",
    why: "F3 90 is REP NOP on these CPUs; ndisasm prints the Pentium 4's PAUSE",
    test: (i, t) => i.opcode === 0x90 && i.prefixes.rep === "rep" && /\bpause$/.test(t?.text ?? ""),
  },
];

/** ndisasm printed a lone prefix word or `db`: it rejected the opcode. */
export function isReject(t: NdisasmLine | undefined): boolean {
  return t !== undefined && PREFIX_WORD.test(t.text);
}

/**
 * Compare one decoded instruction with what ndisasm printed at its slot.
 *
 *   skip   the encoding means something else to ndisasm: the 8086's
 *          aliases and undocumented forms (Insn.alias), ESC (ndisasm
 *          prints x87 mnemonics), instructions the 286 rejects as too long
 *          (#GP) or as 386-only (then `as386` must render as ndisasm does)
 *   agree  equal text and length, or both reject the bytes, or ndisasm
 *          folded WAIT into the following padding NOP (it prints
 *          `wait nop`: the one normalisation)
 *   known  one of KNOWN_DIFFERENCES
 */
export function compareWithNdisasm(insn: Insn, ours: string, theirs: NdisasmLine | undefined, as386?: () => [Insn, string]): Verdict {
  if (insn.alias) return { kind: "skip", category: `alias: ${insn.alias}` };
  if (insn.mnemonic === "esc") return { kind: "skip", category: "esc (ndisasm prints x87)" };
  if (insn.status === "invalid") {
    if (isReject(theirs)) return { kind: "agree" };
    if (insn.fault === "gp") return { kind: "skip", category: "286 length limit (#GP)" };
    if (as386) {
      const [i386, text] = as386();
      if (i386.status === "ok" && theirs && text === theirs.text) return { kind: "skip", category: "386 instruction, #UD on the 286" };
    }
  }
  if (insn.mnemonic === "wait" && theirs && theirs.text.includes("wait ")) return { kind: "agree" };
  if (theirs && theirs.text === ours && theirs.length === insn.length) return { kind: "agree" };
  for (const k of KNOWN_DIFFERENCES) if (k.test(insn, theirs)) return { kind: "known", category: k.name };
  return { kind: "differ", ours: `${ours} (${insn.length})`, theirs: `${theirs?.text} (${theirs?.length})` };
}
