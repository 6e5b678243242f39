/**
 * nasm.ts — render a decoded instruction (ir.ts) as NASM syntax, the way
 * `ndisasm -b 16` prints it: lower case, `0x` hex numbers, size keywords
 * only where ndisasm puts them, segment overrides inside the brackets (or
 * as a prefix word when there is no explicit memory operand), `o32`/`a32`
 * when the operands do not show the size, `rep`/`repe`/`repne`/`lock`.
 *
 * Not a disassembly listing (disasm.ts adds addresses and bytes).
 *
 * Renderings of encodings ndisasm does not know (see also tests/x86):
 *   invalid / truncated     `db 0x63` (every byte of the entry)
 *   8086 aliases            as the instruction they alias: 60–6F `jo…jg`,
 *                           C0/C1 `ret`, C8/C9 `retf`, 82 like 80, 8C/8E
 *                           reg 4–7 with the segment they reach, FE /2–7 as
 *                           the FF forms, F6/F7 /1 `test`, 8F/C6/C7 /1–7
 *                           `pop`/`mov`, register forms of LEA/LES/LDS and
 *                           FF /3 /5 with a register operand (`lea ax,bx`)
 *   0F on the 8086          `pop cs`
 *   D0–D3 /6                `setmo`/`setmoc` (8086), `sal` (286/386)
 *   D8–DF                   `esc 0x1b,[bx]`: the 6-bit ESC code and the
 *                           operand (ndisasm prints x87 mnemonics)
 *   a 16-prefix run (8086)  `db` of the prefix bytes
 */
import type { Insn, Operand, MemOperand, ImmOperand } from "./ir.js";

/** `0x` + lower-case hex of the unsigned value. */
export function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16);
}

/** Signed hex with an explicit sign: `+0x5`, `-0x1`. */
function signedHex(v: number): string {
  return v < 0 ? "-" + hex(-v) : "+" + hex(v);
}

const SIZE_KEYWORD: Record<number, string> = { 8: "byte", 16: "word", 32: "dword", 48: "fword", 64: "qword" };

/** Instructions whose memory operand ndisasm prints without a size. */
const SIZELESS = new Set([
  "lea", "les", "lds", "lss", "lfs", "lgs", "bound", "sgdt", "sidt", "lgdt", "lidt", "smsw", "lmsw",
  "sldt", "str", "lldt", "ltr", "verr", "verw", "lar", "lsl", "arpl", "esc", "call", "jmp",
  "shld", "shrd",
]);

/** SETcc: ndisasm prints its byte operand without a size. */
const isSetcc = (m: string) => m.startsWith("set") && m !== "setmo" && m !== "setmoc";

/** Render a memory operand's brackets: `[es:bx+si+0x12]`. `moffs`: the
 *  operand of A0–A3 (ndisasm writes `[es:dword 0x100]` there but
 *  `[dword es:0x100]` for the same address from a ModRM byte). */
export function renderAddress(m: MemOperand, moffs = false): string {
  const parts: string[] = [];
  if (m.base) parts.push(m.base);
  if (m.index) parts.push(m.scale === 1 ? m.index : `${m.index}*${m.scale}`);
  let s = parts.join("+");
  if (m.dispSize !== 0) {
    if (parts.length === 0) s = hex(m.addrSize === 16 ? m.disp & 0xFFFF : m.disp);
    else s += signedHex(m.disp);
  }
  // ndisasm marks 32-bit forms that have a SIB byte or an absolute disp32
  // with an explicit `dword` inside the brackets.
  const explicit32 = m.addrSize === 32 && (m.sib === true || m.base === null);
  const seg = m.segOverride ? `${m.seg}:` : "";
  const dword = explicit32 ? "dword " : "";
  return moffs ? `[${seg}${dword}${s}]` : `[${dword}${seg}${s}]`;
}

interface RenderState {
  /** Something in the text shows the 32-bit operand size. */
  usedOpSize: boolean;
  /** An explicit memory operand shows the address size and segment. */
  usedMem: boolean;
}

/** Does ndisasm print a size keyword before this memory operand? Not when
 *  a register operand of the same width implies it (shift counts do not
 *  count), nor for the address-only and pointer operands of SIZELESS. */
function needsSize(insn: Insn, mem: MemOperand): boolean {
  const m = insn.mnemonic;
  if (SIZELESS.has(m) || isSetcc(m) || mem.farPointer) return false;
  if (m === "movzx" || m === "movsx") {
    const r = insn.operands[0];
    return !(r.kind === "reg" && r.size === 16 && mem.size === 8);
  }
  if (insn.operands.some((o) => o.kind === "seg")) return false;
  const isShift = /^(rol|ror|rcl|rcr|shl|shr|sal|sar|setmoc)$/.test(m);
  return !insn.operands.some((o, i) =>
    o.kind === "reg" && !o.implicit && o.size === mem.size && !(isShift && i > 0));
}

function renderImm(insn: Insn, o: ImmOperand, st: RenderState): string {
  const m = insn.mnemonic;
  if (o.signed) {
    // A sign-extended byte: ndisasm always shows `byte ±0x..`.
    return "byte " + signedHex(o.value);
  }
  if (o.implicit) return String(o.value);
  const v = hex(o.value);
  if (o.size === 32) st.usedOpSize = true;
  if ((m === "push" || m === "imul") && o.size >= 16) return `${SIZE_KEYWORD[o.size]} ${v}`;
  if (o.size === 8 && /^(rol|ror|rcl|rcr|shl|shr|sal|sar|bt|bts|btr|btc)$/.test(m)) return "byte " + v;
  return v;
}

function renderOperand(insn: Insn, o: Operand, st: RenderState): string {
  switch (o.kind) {
    case "reg":
      // A 32-bit register shows the operand size, except the always-32-bit
      // register of MOV CRn/DRn/TRn.
      if (o.size === 32 && !insn.operands.some((x) => x.kind === "creg" || x.kind === "dreg" || x.kind === "treg")) {
        st.usedOpSize = true;
      }
      return o.name;
    case "seg": case "creg": case "dreg": case "treg":
      return o.name;
    case "imm":
      return renderImm(insn, o, st);
    case "rel":
      return hex(o.target);
    case "far":
      if (o.offSize === 32) st.usedOpSize = true;
      return `${o.offSize === 32 ? "dword " : ""}${hex(o.seg)}:${hex(o.off)}`;
    case "mem": {
      st.usedMem = true;
      const branch = insn.mnemonic === "call" || insn.mnemonic === "jmp";
      const o32 = insn.opSize === 32;
      let pre = "";
      if (branch) pre = (o32 ? "dword " : "") + (o.farPointer ? "far " : "");
      else if (needsSize(insn, o) && o.size) pre = SIZE_KEYWORD[o.size] + " ";
      // The operand's width shows a 32-bit operand size: a dword keyword,
      // or a 16:32 pointer / BOUND pair (so ndisasm writes no o32).
      if (o32 && (pre.startsWith("dword") || o.farPointer || insn.mnemonic === "bound")) st.usedOpSize = true;
      return pre + renderAddress(o, insn.modrm === undefined);
    }
  }
}

/** `db 0x12,0x34` for bytes that are no instruction. */
export function renderBytes(bytes: Uint8Array | readonly number[]): string {
  return "db " + Array.from(bytes, (b) => hex(b)).join(",");
}

/** Mnemonics that spell out the 32-bit operand size themselves. */
const M32 = new Set([
  "cwde", "cdq", "pushad", "popad", "pushfd", "popfd", "iretd",
  "movsd", "cmpsd", "stosd", "lodsd", "scasd", "insd", "outsd",
]);

/**
 * The NASM text of one instruction, without address or bytes:
 * `mov ax,[es:bx+si+0x12]`, `rep movsb`, `jz 0x1d`, `db 0x63`.
 */
export function renderInsn(insn: Insn): string {
  if (insn.status !== "ok" || insn.mnemonic === "(prefixes)") return renderBytes(insn.bytes);
  const st: RenderState = { usedOpSize: M32.has(insn.mnemonic), usedMem: false };
  const m = insn.mnemonic;
  let ops = insn.operands.filter((o) => !((o.kind === "mem" || o.kind === "reg") && o.implicit));
  let text = m;
  let hidesA32 = false;
  // ndisasm reads 90 with a 66h/67h prefix as XCHG (E)AX,(E)AX.
  if (m === "nop" && (insn.prefixes.opsize || insn.prefixes.addrsize)) {
    text = insn.opSize === 32 ? "xchg eax,eax" : "xchg ax,ax";
    st.usedOpSize = true;
    hidesA32 = true;
  }
  const rel = insn.operands[0]?.kind === "rel" ? insn.operands[0] : null;
  if (rel) {
    // The branch forms ndisasm distinguishes: `jmp short`, `jz near`,
    // `call dword`; LOOP with a 32-bit address size names ECX.
    const t = hex(rel.target);
    st.usedOpSize = rel.size === 32;
    if (m === "jmp" && rel.size === 8) text = `jmp short ${t}`;
    else if (rel.size === 32) text = `${m} dword ${t}`;
    else if (rel.size === 16 && (insn.opcode & 0xFFF0) === 0x0F80) text = `${m} near ${t}`;
    else text = `${m} ${t}`;
    if (insn.flow === "loop" && m !== "jcxz" && m !== "jecxz" && insn.addrSize === 32) text += ",ecx";
    ops = [];
  } else if ((m === "aam" || m === "aad") && ops[0]?.kind === "imm" && ops[0].value === 10) {
    ops = [];                                   // base 10 is the default
  } else if ((m === "ret" || m === "retf") && insn.opSize === 32) {
    text += "d";                                // ndisasm's retd/retfd
    st.usedOpSize = true;
  }
  if (ops.length > 0) text += " " + ops.map((o) => renderOperand(insn, o, st)).join(",");
  // Prefix words, in ndisasm's order: segment, rep, lock, o32, a32.
  const pfx: string[] = [];
  const p = insn.prefixes;
  if (p.seg && !st.usedMem) pfx.push(p.seg);
  if (p.rep) pfx.push(p.rep === "repne" ? "repne" : /^(cmps|scas)/.test(m) ? "repe" : "rep");
  if (p.lock) pfx.push("lock");
  if (p.opsize && !st.usedOpSize) pfx.push("o32");
  // ndisasm shows a32 unless an explicit memory operand shows the address
  // size, or the instruction has an immediate, a branch target or a register
  // fixed by the opcode (its templates then do not mention the prefix).
  hidesA32 ||= st.usedMem || insn.flow === "loop" || insn.operands.some((o) =>
    o.kind === "imm" || o.kind === "rel" || o.kind === "far" ||
    ((o.kind === "reg" || o.kind === "seg") && o.fixed === true && !(o.kind === "reg" && o.implicit)));
  if (p.addrsize && !hidesA32) pfx.push("a32");
  return pfx.length ? `${pfx.join(" ")} ${text}` : text;
}
