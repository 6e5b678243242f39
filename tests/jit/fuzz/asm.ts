/**
 * asm.ts — a tiny x86 assembler for the fuzz generators: sections of bytes
 * at fixed IPs, labels, and fixups (rel8, rel16, abs16) resolved at link
 * time. It knows no mnemonics: generators emit encodings as bytes, one
 * `insn()` call per instruction, so the report can list the program
 * instruction by instruction (with the construct that produced it).
 * Not a test file.
 */

/** A position in a section, bound when the assembler reaches it. */
export class Label {
  section: Section | null = null;
  offset = 0;
  constructor(readonly name: string) {}
  /** The IP of the label (throws while unbound). */
  get ip(): number {
    if (!this.section) throw new Error(`asm: label ${this.name} is not bound`);
    return (this.section.base + this.offset) & 0xffff;
  }
}

interface Fixup { at: number; kind: "rel8" | "rel16" | "abs16"; label: Label; addend: number; end: number }

/** The instruction starts of a section, with the construct that emitted them. */
export interface InsnMark { offset: number; note: string }

export class Section {
  readonly bytes: number[] = [];
  readonly marks: InsnMark[] = [];
  readonly fixups: Fixup[] = [];
  /** The construct whose instructions are being emitted (for listings). */
  note = "";
  constructor(readonly name: string, public base: number) {}

  get ip(): number { return (this.base + this.bytes.length) & 0xffff; }
  get length(): number { return this.bytes.length; }

  /** One instruction's bytes. */
  insn(...bytes: number[]): this {
    this.marks.push({ offset: this.bytes.length, note: this.note });
    for (const b of bytes) this.bytes.push(b & 0xff);
    return this;
  }

  /** Raw bytes that are not instructions (data, padding). */
  data(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b & 0xff);
    return this;
  }

  bind(l: Label): Label {
    if (l.section) throw new Error(`asm: label ${l.name} bound twice`);
    l.section = this;
    l.offset = this.bytes.length;
    return l;
  }

  /** A new label bound here. */
  here(name = "L"): Label { return this.bind(new Label(name)); }

  /** `opcode… rel8` to `l` (one instruction). */
  rel8(op: number[], l: Label): this {
    this.insn(...op, 0);
    this.fixups.push({ at: this.bytes.length - 1, kind: "rel8", label: l, addend: 0, end: this.bytes.length });
    return this;
  }

  /** `opcode… rel16` to `l` (one instruction). */
  rel16(op: number[], l: Label): this {
    this.insn(...op, 0, 0);
    this.fixups.push({ at: this.bytes.length - 2, kind: "rel16", label: l, addend: 0, end: this.bytes.length });
    return this;
  }

  /** Make the 16-bit field at `at` (an offset in this section) hold
   *  `l.ip + addend` once linked. */
  abs16(at: number, l: Label, addend = 0): void {
    this.fixups.push({ at, kind: "abs16", label: l, addend, end: 0 });
  }

  /** Backward distance from here to `l` would fit a rel8 of an
   *  instruction `len` bytes long. */
  reaches8(l: Label, len: number): boolean {
    if (l.section !== this) return false;
    const d = l.offset - (this.bytes.length + len);
    return d >= -128 && d <= 127;
  }
}

/** Out-of-range rel8: the generator draws the program again. */
export class RangeFail extends Error {}

/** Resolve every fixup of every section (labels may cross sections). */
export function link(sections: readonly Section[]): void {
  for (const s of sections) {
    for (const f of s.fixups) {
      const target = f.label.ip + f.addend;
      if (f.kind === "abs16") {
        s.bytes[f.at] = target & 0xff; s.bytes[f.at + 1] = (target >> 8) & 0xff;
        continue;
      }
      const from = (s.base + f.end) & 0xffff;
      let d = (target - from) & 0xffff;
      if (f.kind === "rel8") {
        if (d >= 0x8000) d -= 0x10000;
        if (d < -128 || d > 127) throw new RangeFail(`asm: rel8 to ${f.label.name} out of range (${d})`);
        s.bytes[f.at] = d & 0xff;
      } else {
        s.bytes[f.at] = d & 0xff; s.bytes[f.at + 1] = d >> 8;
      }
    }
  }
}
