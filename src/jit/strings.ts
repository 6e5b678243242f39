/**
 * strings.ts — the string instructions without REP in generated code:
 * LODS, STOS, MOVS, CMPS, SCAS (bytes and words, 16-bit addressing), and
 * XLAT. One element each, with the TLB fast path inline; SI/DI step by
 * ±size as DF says.
 *
 * Word forms only on the 8086: on the 286/386 a word element at offset
 * FFFFh faults after the microcode has stepped the index
 * (assembly/cpu/string.ts, gpAfterUpdate), which is the core's business.
 * (Handing such an element back to the core by an exit does not work: the
 * core would enter the same translation again, and never progress.)
 *
 * What is not here: REP forms. The core runs them (execOne) with a bulk
 * path — a page at a time by memory.copy/fill or a compare loop on host
 * memory — that no element-by-element loop in generated code can beat
 * (measured: REP STOSB 300 MIPS as a Wasm loop with the TLB inline, 2,900
 * in bulk). Nor INS/OUTS (port I/O: sensitive) or 66h/67h forms.
 */
import type { Insn, MemOperand, SegName } from "../x86/ir.js";
import { Gen, L_CF, L_OFF, L_STEP, L_TMP2 } from "./codegen.js";
import { LAZY_SUB, setRecord } from "./flags.js";
import { address, readMem, setLinear, writeMem } from "./memory.js";

const SI = 6, DI = 7;

/** XLAT and the string instructions above; null leaves `insn` to execOne. */
export function stringForm(g: Gen, insn: Insn, mem: MemOperand): number[] | null {
  const op = insn.opcode, m = g.m;
  const p = insn.prefixes;
  if (op === 0xd7) { // XLAT: AL = [seg:BX + AL]
    if (p.rep) return null;
    g.pending++;
    return [
      g.set(L_OFF, m.i32.and(m.i32.add(g.regN(16, 3), g.regN(8, 0)), g.c(0xffff))),
      setLinear(g, mem.seg),
      g.setRegN(8, 0, readMem(g, 8, insn.ip)),
    ];
  }
  const kind = KINDS[op & 0xfe];
  if (kind === undefined || insn.opSize !== 16 || insn.addrSize !== 16) return null;
  if (p.rep) return null; // the core's, with its bulk path
  const size = op & 1 ? 16 : 8;
  // A word at offset FFFFh on the 286/386 faults after the microcode has
  // stepped the index (string.ts, gpAfterUpdate): the core's business.
  if (size === 16 && g.model !== "8086") return null;
  const src = insn.operands.find((o): o is MemOperand => o.kind === "mem" && o.base === "si");
  const s: Str = { kind, size, srcSeg: src?.seg ?? "ds", ip: insn.ip };
  return once(g, s);
}

type Kind = "lods" | "stos" | "movs" | "cmps" | "scas";
const KINDS: Readonly<Record<number, Kind>> = { 0xac: "lods", 0xaa: "stos", 0xa4: "movs", 0xa6: "cmps", 0xae: "scas" };

/** One string instruction: its kind, element size, source segment (DS
 *  or the override) and IP. */
interface Str { kind: Kind; size: number; srcSeg: SegName; ip: number }

const usesSI = (k: Kind) => k !== "stos" && k !== "scas";
const usesDI = (k: Kind) => k !== "lods";

/** One element: the access(es), the flags record of CMPS/SCAS, the index
 *  steps — after the accesses, which may leave before the instruction (a
 *  side exit, memory.ts). */
function element(g: Gen, s: Str): number[] {
  const m = g.m, size = s.size;
  const out: number[] = [];
  const stepIndex = (r: number) => g.setRegN(16, r, m.i32.add(g.regN(16, r), dfStep(g, size)));
  const at = (seg: SegName, r: number) => address(g, { kind: "mem", seg, segOverride: false, base: r === SI ? "si" : "di", index: null, scale: 1, disp: 0, dispSize: 0, addrSize: 16, size, implicit: true });
  const steps = () => [...(usesSI(s.kind) ? [stepIndex(SI)] : []), ...(usesDI(s.kind) ? [stepIndex(DI)] : [])];
  switch (s.kind) {
    case "lods":
      return [...at(s.srcSeg, SI), g.setRegN(size, 0, readMem(g, size, s.ip)), ...steps()];
    case "stos":
      return [...at("es", DI), ...writeMem(g, size, g.regN(size, 0), s.ip, steps)];
    case "movs":
      out.push(...at(s.srcSeg, SI), g.set(L_TMP2, readMem(g, size, s.ip)));
      return [...out, ...at("es", DI), ...writeMem(g, size, g.get(L_TMP2), s.ip, steps)];
    case "cmps": // [src:SI] − [ES:DI]
      out.push(...at(s.srcSeg, SI), g.set(L_TMP2, readMem(g, size, s.ip)));
      out.push(...at("es", DI), g.set(L_CF, readMem(g, size, s.ip)));
      break;
    case "scas": // AL/AX − [ES:DI]
      out.push(g.set(L_TMP2, g.regN(size, 0)), ...at("es", DI), g.set(L_CF, readMem(g, size, s.ip)));
      break;
  }
  return [...out, ...setRecord(g, LAZY_SUB, size, g.get(L_TMP2), g.get(L_CF), m.i32.sub(g.get(L_TMP2), g.get(L_CF))), ...steps()];
}

/** The step DF gives: ±1 for bytes, ±2 for words, ±4 for dwords (DF is
 *  held in L_STEP as ±1: codegen.ts). */
function dfStep(g: Gen, size: number): number {
  if (!g.state.strings) throw new Error("jit: a string instruction in a region without the step local");
  return size === 8 ? g.get(L_STEP) : g.m.i32.shl(g.get(L_STEP), g.c(size === 16 ? 1 : 2));
}

/** Without REP: one element. */
function once(g: Gen, s: Str): number[] {
  g.pending++;
  return element(g, s);
}
