/**
 * block.test.ts — basic-block grouping: blocks end at control transfers,
 * sensitive instructions, faults, truncation, 4 KiB page boundaries and
 * the size limits; and a block cut short where another starts.
 */
import { describe, it, expect } from "vitest";
import { decodeBlock, splitBefore } from "../../src/x86/block.js";

/** A 1 MiB guest memory with `code` at linear `at`; reads past the end of
 *  memory are undefined (truncation). */
function memory(at: number, code: number[], size = 1 << 20) {
  const mem = new Uint8Array(size).fill(0x90);
  mem.set(code, at);
  return (a: number) => (a < size ? mem[a] : undefined);
}

describe("decodeBlock", () => {
  it("ends at a conditional jump and falls through after it", () => {
    // mov ax,1 ; add ax,bx ; jz +2 ; nop
    const read = memory(0x7C00, [0xB8, 0x01, 0x00, 0x01, 0xD8, 0x74, 0x02, 0x90]);
    const b = decodeBlock(read, "286", 0, 0x7C00);
    expect(b.insns.map((i) => i.mnemonic)).toEqual(["mov", "add", "jz"]);
    expect(b).toMatchObject({ end: "control", length: 7, address: 0x7C00, fallthrough: 0x7C07 });
  });

  it("ends at an unconditional jump with no fall-through", () => {
    const b = decodeBlock(memory(0x500, [0x40, 0xEB, 0xFD]), "8086", 0x50, 0);
    expect(b.insns.length).toBe(2);
    expect(b).toMatchObject({ end: "control", fallthrough: null, cs: 0x50, ip: 0 });
  });

  it("ends after a sensitive instruction (CLI, OUT, MOV SS) and resumes after it", () => {
    const b = decodeBlock(memory(0x1000, [0x40, 0xFA, 0x40]), "286", 0, 0x1000);
    expect(b.insns.map((i) => i.mnemonic)).toEqual(["inc", "cli"]);
    expect(b).toMatchObject({ end: "sensitive", fallthrough: 0x1002 });
    expect(decodeBlock(memory(0x1000, [0x8E, 0xD0, 0x40]), "286", 0, 0x1000).insns.length).toBe(1);
    expect(decodeBlock(memory(0x1000, [0xE6, 0x80, 0x40]), "8086", 0, 0x1000).end).toBe("sensitive");
  });

  it("ends at an invalid instruction (which faults) and at HLT", () => {
    const b = decodeBlock(memory(0x1000, [0x40, 0x66, 0x90]), "286", 0, 0x1000);
    expect(b.insns.map((i) => i.status)).toEqual(["ok", "invalid"]);
    expect(b.end).toBe("fault");
    // On the 386 the same bytes are an instruction (66h prefix): no fault.
    expect(decodeBlock(memory(0x1000, [0x40, 0x66, 0x90, 0xF4]), "386", 0, 0x1000).insns.map((i) => i.mnemonic))
      .toEqual(["inc", "nop", "hlt"]);
  });

  it("stops before the next 4 KiB page, so a block's first bytes live on one page", () => {
    // Four NOPs, the last ending exactly at the page boundary 0x2000.
    const b = decodeBlock(memory(0x1FFC, []), "386", 0, 0x1FFC);
    expect(b.insns.length).toBe(4);
    expect(b).toMatchObject({ end: "page", fallthrough: 0x2000 });
    // An instruction may straddle the boundary; the block ends after it.
    const s = decodeBlock(memory(0x1FFE, [0x40, 0xB8, 0x34, 0x12, 0x40]), "386", 0, 0x1FFE);
    expect(s.insns.map((i) => i.length)).toEqual([1, 3]);
    expect(s.end).toBe("page");
  });

  it("honours the instruction and byte limits", () => {
    const read = memory(0x3000, []);
    expect(decodeBlock(read, "8086", 0, 0x3000, { maxInstructions: 5 })).toMatchObject({ end: "limit", length: 5 });
    const mov = Array(10).fill([0xB8, 0x00, 0x00]).flat();
    const b = decodeBlock(memory(0x3000, mov), "8086", 0, 0x3000, { maxBytes: 10 });
    expect(b.insns.length).toBe(3);                 // a 4th would pass 10 bytes
    expect(b).toMatchObject({ end: "limit", length: 9, fallthrough: 0x3009 });
  });

  it("ends at truncation when memory runs out", () => {
    const b = decodeBlock(memory(0x1000, [0x40, 0xB8], 0x1002), "286", 0, 0x1000);
    expect(b.insns.map((i) => i.status)).toEqual(["ok", "truncated"]);
    expect(b.end).toBe("truncated");
  });

  it("IP wraps at 64 KiB inside the segment", () => {
    const read = memory(0x1000 * 16 + 0xFFFF, [0x40]);
    const b = decodeBlock(read, "8086", 0x1000, 0xFFFF);
    expect(b.insns.map((i) => i.ip)).toEqual([0xFFFF]);
    // The next instruction is at 1000:0000 = linear 0x10000, another page.
    expect(b).toMatchObject({ end: "page", fallthrough: 0 });
    const next = decodeBlock(read, "8086", 0x1000, b.fallthrough!);
    expect(next.address).toBe(0x10000);
  });
});

describe("splitBefore", () => {
  it("cuts a block before another's start and falls through to it", () => {
    // 1000: mov cx,8 / 1003: .bit: shl dx,1 / jnc +4 — decoded from 1000,
    // the block runs through .bit's first pass
    const read = memory(0x1000, [0xB9, 0x08, 0x00, 0xD1, 0xE2, 0x73, 0x04]);
    const b = decodeBlock(read, "8086", 0, 0x1000);
    expect(b.insns.length).toBe(3);
    const cut = splitBefore(b, new Set([0x1005, 0x1003]))!; // the first of them in the block
    expect(cut.insns.map((i) => i.mnemonic)).toEqual(["mov"]);
    expect(cut).toMatchObject({ ip: 0x1000, address: 0x1000, length: 3, end: "split", fallthrough: 0x1003 });
    // Not at an instruction boundary, or at the block's own start: no cut.
    expect(splitBefore(b, new Set([0x1004]))).toBeNull();
    expect(splitBefore(b, new Set([0x1000]))).toBeNull();
  });
});
