/**
 * disasm.ts — linear-sweep disassembly listings in ndisasm's layout, the
 * `wasm86 disasm FILE [--org ADDR] [--cpu 8086|286|386]` command (as a
 * function the CLI calls), and the one-line instruction formatter for the
 * CLI's --trace. Text comes from nasm.ts; decoding from decode.ts. This
 * file does not read guest memory itself.
 *
 * Listing line (as `ndisasm -b 16 -o ORG` prints it):
 *
 *   00000100  B80100            mov ax,0x1
 *   00000103  6667698424000100  imul eax,[dword esp+0x100],dword 0x12345678
 *            -0078563412
 *
 * Like ndisasm, a byte that starts no valid instruction is listed as
 * `db 0x..` on its own and the sweep resumes at the next byte.
 */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import type { Insn, X86Model } from "./ir.js";
import { X86_MODELS } from "./ir.js";
import { decodeBytes } from "./decode.js";
import { renderInsn, hex } from "./nasm.js";

/** Hex bytes per listing line before ndisasm continues on the next one. */
const BYTES_PER_LINE = 8;

const hex2 = (b: number) => b.toString(16).toUpperCase().padStart(2, "0");

/** Listing lines for one instruction at `address` (one, or more when it
 *  has more than eight bytes). */
export function listingLines(address: number, bytes: Uint8Array | readonly number[], text: string): string[] {
  const all = Array.from(bytes, hex2);
  const first = all.slice(0, BYTES_PER_LINE).join("");
  const lines = [`${(address >>> 0).toString(16).toUpperCase().padStart(8, "0")}  ${first.padEnd(18)}${text}`];
  for (let i = BYTES_PER_LINE; i < all.length; i += BYTES_PER_LINE) {
    lines.push(`         -${all.slice(i, i + BYTES_PER_LINE).join("")}`);
  }
  return lines;
}

/**
 * Disassemble `code` as if loaded at `org` (IP = org + offset, CS = 0, so
 * branch targets are printed as ndisasm prints them) with `model`'s
 * decoder. Returns the listing lines.
 */
export function disassemble(code: Uint8Array, org = 0, model: X86Model = "386"): string[] {
  const out: string[] = [];
  let off = 0;
  while (off < code.length) {
    const ip = (org + off) & 0xFFFF;
    const insn = decodeBytes(code, off, model, ip);
    if (insn.status !== "ok" || insn.mnemonic === "(prefixes)") {
      out.push(...listingLines(org + off, code.subarray(off, off + 1), `db ${hex(code[off])}`));
      off += 1;
      continue;
    }
    out.push(...listingLines(org + off, insn.bytes, renderInsn(insn)));
    off += insn.length;
  }
  return out;
}

/**
 * One line for `--trace`: `1234:0100  B80100            mov ax,0x1` plus,
 * if given, a register summary after two spaces.
 */
export function formatTraceLine(insn: Insn, regsSummary?: string): string {
  const where = `${insn.cs.toString(16).toUpperCase().padStart(4, "0")}:${insn.ip.toString(16).toUpperCase().padStart(4, "0")}`;
  const bytes = Array.from(insn.bytes, hex2).join("");
  const text = renderInsn(insn);
  const line = `${where}  ${bytes.padEnd(18)}${text}`;
  return regsSummary ? `${line.padEnd(64)}  ${regsSummary}` : line;
}

const USAGE = "usage: wasm86 disasm FILE [--org ADDR] [--cpu 8086|286|386]";

/** Parse an address: decimal, 0x-hex or NASM-style 100h. */
function parseAddress(s: string): number | null {
  const t = s.trim().toLowerCase();
  let v: number;
  if (/^0x[0-9a-f]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^[0-9][0-9a-f]*h$/.test(t)) v = parseInt(t.slice(0, -1), 16);
  else if (/^[0-9]+$/.test(t)) v = parseInt(t, 10);
  else return null;
  return v <= 0xFFFFFFFF ? v : null;
}

/**
 * `wasm86 disasm FILE [--org ADDR] [--cpu 8086|286|386]`: print the
 * listing of FILE through `out` (one call per line). Returns the exit
 * status: 0, or 2 for bad arguments or an unreadable file (reported as one
 * line through `err`, default `out`).
 */
export function disasmCommand(args: string[], out: (s: string) => void, err: (s: string) => void = out): number {
  let values: { org?: string; cpu?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { org: { type: "string" }, cpu: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    err(`wasm86 disasm: ${(e as Error).message.split("\n")[0]}`);
    return 2;
  }
  if (values.help) { out(USAGE); return 0; }
  if (positionals.length !== 1) { err(`wasm86 disasm: expected one FILE (${USAGE})`); return 2; }
  const org = values.org === undefined ? 0 : parseAddress(values.org);
  if (org === null) { err(`wasm86 disasm: bad --org ${JSON.stringify(values.org)} (want e.g. 0x100, 100h or 256)`); return 2; }
  const cpu = values.cpu ?? "386";
  if (!(X86_MODELS as readonly string[]).includes(cpu)) {
    err(`wasm86 disasm: bad --cpu ${JSON.stringify(cpu)} (want 8086, 286 or 386)`);
    return 2;
  }
  let code: Uint8Array;
  try {
    code = readFileSync(positionals[0]);
  } catch (e) {
    const code_ = (e as NodeJS.ErrnoException).code ?? "error";
    err(`wasm86 disasm: cannot read ${positionals[0]}: ${code_}`);
    return 2;
  }
  for (const line of disassemble(code, org, cpu as X86Model)) out(line);
  return 0;
}
