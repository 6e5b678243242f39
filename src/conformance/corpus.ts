/**
 * corpus.ts — reading SingleStepTests-format test files and metadata.
 *
 * Format (see ../shared/conformance/README.md): one gzipped JSON array per
 * opcode (`<OP>.json.gz`, group opcodes `<OP>.<reg>.json.gz`), plus
 * `metadata.json` with per-opcode undefined-flag masks. Works on any
 * directory laid out that way.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";

export interface TestRegs {
  ax?: number; bx?: number; cx?: number; dx?: number; cs?: number; ss?: number; ds?: number;
  es?: number; sp?: number; bp?: number; si?: number; di?: number; ip?: number; flags?: number;
}

export interface TestState {
  regs: TestRegs;
  ram: [number, number][];
}

export interface ConformanceTest {
  name: string;
  bytes: number[];
  initial: TestState;
  final: TestState;
  /** 286 only: the exception the instruction raised. */
  exception?: { number: number; flag_address: number };
  hash?: string;
  test_hash?: string;
  idx?: number;
  test_num?: number;
}

interface OpcodeMeta { status?: string; flags?: string; "flags-mask"?: number; reg?: Record<string, OpcodeMeta> }
export interface Metadata { opcodes: Record<string, OpcodeMeta> }

export interface TestFile {
  /** File stem, e.g. "F6.7" or "00". */
  id: string;
  path: string;
}

/** List the test files of a directory, sorted by opcode. */
export function listTestFiles(dir: string): TestFile[] {
  if (!existsSync(dir)) throw new Error(`conformance directory not found: ${dir}`);
  return readdirSync(dir)
    .filter((f) => /\.json(\.gz)?$/.test(f) && f !== "metadata.json")
    .map((f) => ({ id: f.replace(/\.json(\.gz)?$/, ""), path: join(dir, f) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export function readTests(path: string): ConformanceTest[] {
  const raw = readFileSync(path);
  const text = path.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON array of tests`);
  return data as ConformanceTest[];
}

export function readMetadata(dir: string): Metadata | undefined {
  const p = join(dir, "metadata.json");
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as Metadata) : undefined;
}

/** Hashes of tests known to be bad (revocation_list.txt), if any. */
export function readRevoked(dir: string): Set<string> {
  const p = join(dir, "revocation_list.txt");
  if (!existsSync(p)) return new Set();
  return new Set(readFileSync(p, "utf8").split(/\s+/).filter(Boolean));
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf1, 0xf2, 0xf3]);

/** The metadata key of a test's instruction and its ModRM reg field. */
export function opcodeKey(bytes: number[]): { key: string; reg: number } {
  let i = 0;
  while (i < bytes.length - 1 && PREFIXES.has(bytes[i])) i++;
  const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, "0");
  if (bytes[i] === 0x0f && i + 1 < bytes.length) {
    return { key: "0F" + hex(bytes[i + 1]), reg: ((bytes[i + 2] ?? 0) >> 3) & 7 };
  }
  return { key: hex(bytes[i]), reg: ((bytes[i + 1] ?? 0) >> 3) & 7 };
}

/** Mask of the FLAGS bits that are defined for this instruction. */
export function flagsMask(meta: Metadata | undefined, bytes: number[]): number {
  if (!meta) return 0xffff;
  const { key, reg } = opcodeKey(bytes);
  let entry = meta.opcodes[key];
  if (entry?.reg) entry = entry.reg[String(reg)];
  return entry?.["flags-mask"] ?? 0xffff;
}
