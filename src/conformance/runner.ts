/**
 * runner.ts — runs one conformance test on a Machine and reports how the
 * outcome differs from the silicon's.
 *
 * One Machine per CPU model is reused across tests (creating one per test
 * would zero 16 MiB each time); the bytes a test touched are cleared before
 * the next one. See ../shared/conformance/README.md for the rules encoded
 * here: 8086 runs one instruction (all REP iterations, and the divide-error
 * entry); the 286 runs until the HLT that follows the instruction or the
 * exception handler; undefined flags are masked, also in exception frames.
 */
import { Machine, type Engine, type CpuModel, type Registers } from "../machine.js";
import type { ConformanceTest, Metadata } from "./corpus.js";
import { flagsMask } from "./corpus.js";

const REGS = ["ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags"] as const;
type RegName = (typeof REGS)[number];
const FLAG_LETTERS = "odiszapc";
const FLAG_BITS = [11, 10, 9, 7, 6, 4, 2, 0];

/** A flags value as letters (upper case = set), e.g. "oDIszaPc". */
export function flagString(v: number): string {
  return FLAG_BITS.map((b, i) => ((v >> b) & 1 ? FLAG_LETTERS[i].toUpperCase() : FLAG_LETTERS[i])).join("");
}

const hex = (v: number, w = 4) => v.toString(16).toUpperCase().padStart(w, "0");

/** Instruction budget for one 286 test: a REP with CX up to 65535. */
const MAX_STEPS = 300_000;

export class ConformanceRunner {
  readonly machine: Machine;
  private touched: number[] = [];

  constructor(readonly cpu: CpuModel, private readonly meta: Metadata | undefined, engine: Engine = "interp") {
    // The 8086 has 20 address lines: 1 MiB that wraps. The 286 tests use
    // 16 MiB with A20 on, so FFFF:xxxx reaches the HMA. With the JIT, every
    // block is translated at its first entry and holds one instruction, so
    // each test runs its instruction as translated code.
    this.machine = new Machine({
      cpu, memory: cpu === "8086" ? 1 << 20 : 16 << 20,
      engine, jit: { threshold: 0, maxBlock: 1, maxRegion: 1 },
    });
  }

  /**
   * Why a test cannot be judged, or undefined if it can. A test that enters
   * an exception handler must give the handler's vector in initial.ram;
   * one 286 test (C6, eaaf835a6600) leaves two of its bytes out, so its
   * expected CS:IP came from whatever the capture rig's memory held.
   */
  incomplete(test: ConformanceTest): string | undefined {
    const vector = test.exception?.number;
    if (vector === undefined) return undefined;
    const given = new Set(test.initial.ram.map(([a]) => a));
    for (let i = 0; i < 4; i++) {
      if (!given.has(vector * 4 + i)) return `initial.ram does not set byte ${i} of the INT ${vector} vector`;
    }
    return undefined;
  }

  /** Run a test; returns the list of differences (empty = pass). */
  run(test: ConformanceTest): string[] {
    const m = this.machine;
    for (const a of this.touched) m.writeByte(a, 0);
    this.touched = [];
    const memMask = m.memorySize - 1;

    const init = test.initial.regs as Required<Pick<Registers, RegName>>;
    const initFlags = this.cpu === "8086" ? init.flags : init.flags & 0x0fff;
    m.setRegisters({ ...init, flags: initFlags });
    for (const [addr, value] of test.initial.ram) {
      m.writeByte(addr & memMask, value);
      this.touched.push(addr & memMask);
    }
    for (const [addr] of test.final.ram) this.touched.push(addr & memMask);

    const diffs: string[] = [];
    try {
      if (this.cpu === "8086") {
        // One instruction: a REP string instruction yields after each
        // iteration when the budget is 1, so step until it completes.
        m.run({ maxInstructions: 1 });
        for (let i = 0; m.repActive && i < MAX_STEPS; i++) m.run({ maxInstructions: 1 });
      } else {
        const r = m.run({ maxInstructions: MAX_STEPS });
        if (r.reason !== "halt") diffs.push(`did not reach HLT (${r.reason} after ${r.instructions} instructions)`);
      }
    } catch (e) {
      return [`host exception: ${(e as Error).message}`];
    }

    const mask = flagsMask(this.meta, test.bytes);
    const actual = m.registers;
    for (const r of REGS) {
      let expected = test.final.regs[r] ?? init[r];
      let got = actual[r];
      if (r === "flags") {
        if (test.final.regs.flags === undefined) expected = initFlags;
        expected &= mask;
        got &= mask;
        if (expected !== got) {
          diffs.push(`flags: expected ${hex(expected)} ${flagString(expected)}, got ${hex(got)} ${flagString(got)}`);
        }
      } else if (expected !== got) {
        diffs.push(`${r}: expected ${hex(expected)}, got ${hex(got)}`);
      }
    }

    // Addresses of a pushed FLAGS word, whose undefined bits are masked too.
    const flagAddr = this.exceptionFlagsAddress(test);
    for (const [addr, value] of test.final.ram) {
      const a = addr & memMask;
      let byteMask = 0xff;
      if (flagAddr >= 0 && a === flagAddr) byteMask = mask & 0xff;
      else if (flagAddr >= 0 && a === ((flagAddr + 1) & memMask)) byteMask = mask >> 8;
      const got = m.readByte(a);
      if ((got & byteMask) !== (value & byteMask)) {
        diffs.push(`[${hex(a, 5)}]: expected ${hex(value, 2)}, got ${hex(got, 2)}`);
      }
    }
    return diffs;
  }

  private exceptionFlagsAddress(test: ConformanceTest): number {
    // The FLAGS word is the first push of the exception frame, at SS:SP-2.
    // (The 286 files' flag_address is one too low when SP is odd, so it
    // is recomputed here.) 8086 divide errors enter 0000:0400.
    const f = test.final.regs;
    if (test.exception || (this.cpu === "8086" && f.cs === 0 && f.ip === 0x400)) {
      const ss = test.initial.regs.ss ?? 0, sp = test.initial.regs.sp ?? 0;
      return ((ss << 4) + ((sp - 2) & 0xffff)) & (this.machine.memorySize - 1);
    }
    return -1;
  }
}


