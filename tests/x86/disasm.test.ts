/**
 * disasm.test.ts — the listing layout, the `disasm` command's argument
 * handling and errors, and the --trace line formatter.
 */
import { describe, it, expect } from "vitest";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { disassemble, disasmCommand, formatTraceLine, listingLines } from "../../src/x86/disasm.js";
import { decodeBytes } from "../../src/x86/decode.js";

describe("disassemble", () => {
  it("prints ndisasm's layout at an origin", () => {
    const code = new Uint8Array([0xB8, 0x01, 0x00, 0xEB, 0xFE, 0xCD, 0x21]);
    expect(disassemble(code, 0x100, "8086")).toEqual([
      "00000100  B80100            mov ax,0x1",
      "00000103  EBFE              jmp short 0x103",
      "00000105  CD21              int 0x21",
    ]);
  });

  it("continues long instructions on a second line and lists bad bytes one at a time", () => {
    const code = new Uint8Array([0x66, 0x67, 0x69, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12, 0x63, 0xB8]);
    // Exactly what `ndisasm -b 16 -o 0x100` prints for these bytes.
    expect(disassemble(code, 0x100, "386")).toEqual([
      "00000100  6667698424000100  imul eax,[dword esp+0x100],dword 0x12345678",
      "         -0078563412",
      "0000010D  63                db 0x63",      // ARPL's ModRM is B8, then its bytes run out
      "0000010E  B8                db 0xb8",      // truncated at the end of the file
    ]);
    // The 286 has no 66h/67h prefixes: each is an invalid byte of its own.
    expect(disassemble(code, 0x100, "286").slice(0, 3)).toEqual([
      "00000100  66                db 0x66",
      "00000101  67                db 0x67",
      "00000102  698424000100      imul ax,[si+0x24],word 0x1",
    ]);
  });

  it("listingLines pads the bytes column to 18 characters", () => {
    expect(listingLines(0xABC, new Uint8Array([0x90]), "nop")).toEqual(["00000ABC  90                nop"]);
  });
});

describe("disasmCommand", () => {
  const run = (args: string[]) => {
    const out: string[] = [], err: string[] = [];
    const status = disasmCommand(args, (s) => out.push(s), (s) => err.push(s));
    return { status, out, err };
  };
  const dir = mkdtempSync(join(tmpdir(), "wasm86-disasm-"));
  const file = join(dir, "prog.com");
  writeFileSync(file, Buffer.from([0xB4, 0x09, 0xCD, 0x21, 0xC3]));

  it("disassembles a file with --org and --cpu", () => {
    const r = run([file, "--org", "0x100", "--cpu", "8086"]);
    expect(r.status).toBe(0);
    expect(r.out).toEqual([
      "00000100  B409              mov ah,0x9",
      "00000102  CD21              int 0x21",
      "00000104  C3                ret",
    ]);
    expect(run([file, "--org", "100h"]).out[0]).toMatch(/^00000100 /);
    expect(run([file, "--org", "256"]).out[0]).toMatch(/^00000100 /);
  });

  it("bad input: one line, status 2", () => {
    for (const args of [[], [file, "--org", "zz"], [file, "--cpu", "486"], [join(dir, "missing.bin")], [file, "--bogus"], [file, file]]) {
      const r = run(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.err.length).toBe(1);
      expect(r.err[0]).toMatch(/^wasm86 disasm: /);
      expect(r.out).toEqual([]);
    }
    expect(run([join(dir, "missing.bin")]).err[0]).toContain("ENOENT");
  });

  it("--help prints the usage", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.out[0]).toMatch(/^usage: wasm86 disasm FILE/);
  });

  it("cleans up", () => { rmSync(dir, { recursive: true, force: true }); });
});

describe("formatTraceLine", () => {
  it("CS:IP, bytes, text and an optional register summary", () => {
    const insn = decodeBytes([0x26, 0x8B, 0x07], 0, "286", 0x7C00, 0x07C0);
    expect(formatTraceLine(insn)).toBe("07C0:7C00  268B07            mov ax,[es:bx]");
    const withRegs = formatTraceLine(insn, "AX=0000 BX=1234");
    expect(withRegs.startsWith("07C0:7C00  268B07            mov ax,[es:bx]")).toBe(true);
    expect(withRegs.endsWith("  AX=0000 BX=1234")).toBe(true);
  });
});
