/**
 * ndisasm.test.ts — our NASM renderer against Debian's `ndisasm -b 16`:
 *   1. every distinct instruction of the conformance corpus (8086 and 286
 *      sets, ~90k byte strings), decoded with its own model;
 *   2. 20,000 generated 386 instructions (66h/67h/segment/REP prefixes,
 *      every one- and two-byte opcode of the table, random ModRM/SIB/
 *      displacement/immediate bytes; fixed seed);
 *   3. a NASM-assembled file of 386 instructions, listing against listing.
 * Agreement must be 100% on comparable instructions, apart from the
 * documented KNOWN_DIFFERENCES; skips are counted by category and printed.
 * Runs only where ndisasm (and, for 3, nasm) is on PATH.
 */
import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import {
  hasTool, loadCorpus, ndisasmSlots, slotIp, compareWithNdisasm, nasmAssemble, KNOWN_DIFFERENCES,
  type Verdict,
} from "./ndisasm-harness.js";
import { decodeBytes } from "../../src/x86/decode.js";
import { renderInsn } from "../../src/x86/nasm.js";
import { disassemble } from "../../src/x86/disasm.js";
import { ONE_BYTE, TWO_BYTE } from "../../src/x86/table.js";
import type { X86Model } from "../../src/x86/ir.js";

const CORPUS = new URL("../../../shared/conformance/", import.meta.url).pathname;
const HAVE_NDISASM = hasTool("ndisasm");
const HAVE_NASM = hasTool("nasm");
const itNd = HAVE_NDISASM ? it : it.skip;
if (!HAVE_NDISASM) console.warn("ndisasm.test.ts: ndisasm is not on PATH — comparison tests skipped (apt install nasm)");

interface Tally { compared: number; agreed: number; known: Map<string, number>; skipped: Map<string, number>; differ: string[] }

function tally(): Tally { return { compared: 0, agreed: 0, known: new Map(), skipped: new Map(), differ: [] }; }

function count(t: Tally, v: Verdict, bytes: readonly number[]): void {
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  if (v.kind === "skip") { bump(t.skipped, v.category); return; }
  t.compared++;
  if (v.kind === "agree") t.agreed++;
  else if (v.kind === "known") bump(t.known, v.category);
  else t.differ.push(`${bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ")}: ours ${v.ours} / ndisasm ${v.theirs}`);
}

function report(name: string, t: Tally): void {
  const fmt = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} ${n}`).join(", ") || "none";
  console.log(`${name}: compared ${t.compared}, agreed ${t.agreed}, known differences ${t.compared - t.agreed - t.differ.length} (${fmt(t.known)}), ` +
    `differ ${t.differ.length}; skipped ${[...t.skipped.values()].reduce((a, b) => a + b, 0)} (${fmt(t.skipped)})`);
}

function compareSet(model: X86Model, cases: readonly (readonly number[])[]): Tally {
  const nd = ndisasmSlots(cases);
  const t = tally();
  cases.forEach((bytes, i) => {
    const insn = decodeBytes(bytes, 0, model, slotIp(i));
    const as386 = (): [ReturnType<typeof decodeBytes>, string] => {
      const i386 = decodeBytes(bytes, 0, "386", slotIp(i));
      return [i386, renderInsn(i386)];
    };
    count(t, compareWithNdisasm(insn, renderInsn(insn), nd[i], model === "386" ? undefined : as386), bytes);
  });
  return t;
}

describe("renderer vs ndisasm", () => {
  for (const [dir, model] of [["8086", "8086"], ["80286-real_mode", "286"]] as const) {
    const path = join(CORPUS, dir);
    const run = HAVE_NDISASM && existsSync(path) ? it : it.skip;
    run(`conformance corpus ${dir} (${model} decoding)`, () => {
      const corpus = loadCorpus(path, model === "286");
      expect(corpus.length).toBeGreaterThan(10_000);
      const t = compareSet(model, corpus.map((c) => c.bytes));
      report(`ndisasm vs ${dir}`, t);
      expect(t.differ.slice(0, 20)).toEqual([]);
      // The comparison really compares: most of the corpus is comparable.
      expect(t.agreed).toBeGreaterThan(corpus.length * 0.75);
    });
  }

  itNd("generated 386 instructions (prefixes, 0F opcodes, 32-bit addressing)", () => {
    let seed = 42;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF; return seed >> 8; };
    const opcodes: number[][] = [];
    for (let o = 0; o < 256; o++) {
      if (ONE_BYTE[o] !== "prefix" && ONE_BYTE[o] !== null && o !== 0x0F) opcodes.push([o]);
      if (TWO_BYTE[o] !== null) opcodes.push([0x0F, o]);
    }
    const PFX = [[], [], [0x66], [0x67], [0x66, 0x67], [0x64], [0x26, 0x66], [0xF3], [0x67, 0x65], [0xF0]];
    const cases: number[][] = [];
    for (let i = 0; i < 20_000; i++) {
      const bytes = [...PFX[rnd() % PFX.length], ...opcodes[rnd() % opcodes.length], ...Array.from({ length: 10 }, () => rnd() & 0xFF)];
      cases.push(bytes.slice(0, decodeBytes(bytes, 0, "386").length));
    }
    const t = compareSet("386", cases);
    report("ndisasm vs generated 386", t);
    expect(t.differ.slice(0, 20)).toEqual([]);
    expect(t.agreed).toBeGreaterThan(15_000);
  });

  (HAVE_NDISASM && HAVE_NASM ? it : it.skip)("a NASM-assembled 386 program, listing for listing", () => {
    const src = `BITS 16
      mov eax, [ebx+ecx*4+0x10]
      mov ax, [dword esp+4]
      add dword [bx], 0x12345678
      add eax, byte -3
      movzx eax, byte [si]
      movzx cx, al
      movsx edx, word [bp+di-2]
      setnz al
      setc byte [bx]
      bt eax, 5
      bts word [di], cx
      btr ecx, edx
      btc dword [eax], 31
      bsf ax, [bx]
      bsr ecx, edx
      shld ax, bx, 4
      shrd [ecx], edx, cl
      imul ecx, [esi]
      imul eax, ebx, 1000
      push fs
      pop gs
      lss sp, [bx]
      lfs esi, [eax]
      lgs di, [bp]
      mov eax, cr0
      mov cr3, ecx
      mov dr7, eax
      mov ebx, dr6
      pushad
      popad
      pushfd
      popfd
      cwde
      cdq
      movsd
      rep stosd
      a32 rep movsb
      lodsd
      jecxz $
      a32 loop $
      cpuid
      rdtsc
      int1
      jz near $+0x200
      jmp dword $+0x10000
      call dword 0x1234:0x56789abc
      jmp word 0x1234:0x5678
      call far [bx]
      call dword far [eax]
      push dword 0x12345678
      push word 0x1234
      mov fs, ax
      mov ax, gs
      mov eax, [fs:dword 0x12345678]
      mov [gs:ebp+8], ecx
      lock add [bx], ax
      lock bts dword [eax], 3
      xchg eax, ecx
      in eax, dx
      out 0x80, eax
      insd
      outsd
      iretd
      ret
      retf 8
      enter 16, 1
      leave
      lgdt [bx]
      sidt [si]
      smsw ax
      lmsw [bx]
      clts
      bound eax, [bx]
      shl dword [ebx], 3
      rcr ecx, cl
      test eax, 0x80000000
      not dword [edi]
      neg word [bp+si]
      idiv ecx
      mul byte [eax*2]
      aam 16
      salc
      xlatb
      lea esi, [eax+ebx*8+0x100]
      les bx, [si]
      `.replace(/^\s+/gm, "");
      const bin = nasmAssemble(src);
      const dir = mkdtempSync(join(tmpdir(), "wasm86-nd-"));
      try {
        writeFileSync(join(dir, "a.bin"), bin);
        const theirs = execFileSync("ndisasm", ["-b", "16", "-o", "0x100", join(dir, "a.bin")], { encoding: "latin1" })
          .trimEnd().split("\n");
        const ours = disassemble(new Uint8Array(bin), 0x100, "386");
        expect(ours).toEqual(theirs);
        expect(ours.length).toBeGreaterThan(80);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
  });

  it("documents every known difference", () => {
    for (const k of KNOWN_DIFFERENCES) expect(k.why.length).toBeGreaterThan(20);
  });
});
