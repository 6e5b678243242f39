/**
 * fuzz.test.ts — the host must never throw, hang or leave the Machine in an
 * inconsistent state, whatever bytes the guest executes.
 *
 * Every random program is generated from a fixed seed (mulberry32), so a
 * failure names the seed that reproduces it; replay that one program with
 *   FUZZ_SEED=<seed> npx vitest run tests/fuzz.test.ts -t "<model>: "
 * Programs vary the CPU model, the memory size (64 KiB machines where most
 * of the address space is open bus; 16 MiB 286 machines with A20 on), the
 * registers (segments anywhere, IP near FFFFh), the code, the IVT and the
 * bytes around segment ends, and attach port handlers, an MMIO region, ROM
 * and copy-on-write pages, breakpoints and interrupt / NMI requests between
 * run() calls.
 *
 * Hand-picked nasty sequences follow, and last the regression tests of the
 * bugs the fuzzer found (all fixed: an 8086 prefix flood that hung the host,
 * POPA leaking core heap into guest RAM, stop requests lost during
 * interrupt delivery). A program that may hang the host runs in a worker thread with a
 * time limit, so that a hang fails the test instead of freezing the suite.
 */
import { describe, it, expect, afterAll } from "vitest";
import { Worker } from "node:worker_threads";
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mulberry32 } from "./support/mulberry32.js";
import { Machine, type CpuModel, type Registers, type RunResult, type StopReason } from "../src/index.js";

// ------------------------------------------------------------------ PRNG

/** Drawing helpers over the shared mulberry32 generator. */
class Rng {
  private readonly next: () => number;
  constructor(seed: number) { this.next = mulberry32(seed); }
  /** The generator's 32-bit integer (its fraction × 2³² is exact). */
  u32(): number { return this.next() * 4294967296; }
  /** 0 .. n-1 */
  int(n: number): number { return Math.floor((this.u32() / 4294967296) * n); }
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  u8(): number { return this.u32() & 0xff; }
  u16(): number { return this.u32() & 0xffff; }
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
}

// ------------------------------------------------------------ invariants

const REASONS: readonly StopReason[] = ["budget", "halt", "breakpoint", "stop"];
const REG_NAMES: readonly (keyof Registers)[] = [
  "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "ip", "flags", "es", "cs", "ss", "ds",
];

const hex = (v: number, w = 4) => v.toString(16).toUpperCase().padStart(w, "0");

function fmtRegs(r: Registers): string {
  return REG_NAMES.map((n) => `${n}=${hex(r[n])}`).join(" ");
}

/** Run with a budget and check what every run() must guarantee. */
function checkedRun(m: Machine, budget: number, ctx: () => string): RunResult {
  const before = m.instructionCount;
  let r: RunResult;
  try {
    r = m.run({ maxInstructions: budget });
  } catch (e) {
    throw new Error(`${ctx()}: run() threw ${(e as Error).stack ?? String(e)}`);
  }
  const after = m.instructionCount;
  if (!REASONS.includes(r.reason)) throw new Error(`${ctx()}: bad reason ${JSON.stringify(r.reason)}`);
  if (!Number.isSafeInteger(r.instructions) || r.instructions < 0 || r.instructions > budget) {
    throw new Error(`${ctx()}: run reported ${r.instructions} instructions with a budget of ${budget}`);
  }
  if (after - before !== r.instructions) {
    throw new Error(`${ctx()}: instructionCount advanced by ${after - before}, run reported ${r.instructions}`);
  }
  if (r.reason === "budget" && r.instructions !== budget) {
    throw new Error(`${ctx()}: reason budget after ${r.instructions} of ${budget} instructions`);
  }
  const regs = m.registers;
  for (const n of REG_NAMES) {
    const v = regs[n];
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new Error(`${ctx()}: register ${n} = ${v}`);
  }
  // FLAGS fixed bits: bit 1 set, bits 3/5 clear; 12-15 set on the 8086,
  // clear on the 286; the 386 clears only bit 15 (IOPL and NT are writable).
  const fixed = m.cpu === "8086" ? 0xf002 : 0x0002;
  const fixedMask = m.cpu === "386" ? 0x802a : 0xf02a;
  if ((regs.flags & fixedMask) !== fixed) throw new Error(`${ctx()}: flags ${hex(regs.flags)} break the fixed bits`);
  if (r.reason === "halt" && !m.halted) throw new Error(`${ctx()}: reason halt but the CPU is not halted`);
  return r;
}

/** A halted CPU with nothing new pending stays halted and retires nothing. */
function checkHaltStable(m: Machine, ctx: () => string): void {
  const regs = m.registers;
  const count = m.instructionCount;
  const again = checkedRun(m, 1000, () => `${ctx()} (second run after HLT)`);
  if (again.reason !== "halt" || again.instructions !== 0) {
    throw new Error(`${ctx()}: halted CPU ran again with ${JSON.stringify(again)}`);
  }
  if (m.instructionCount !== count || fmtRegs(m.registers) !== fmtRegs(regs)) {
    throw new Error(`${ctx()}: halted CPU changed state: ${fmtRegs(regs)} -> ${fmtRegs(m.registers)}`);
  }
}

// ------------------------------------------------------- program builder

const PAGE = 4096;

/**
 * Whether MMIO and code-write handlers also call requestStop(). They are
 * the handlers that can run *during interrupt delivery* (IVT reads, frame
 * pushes), where a stop request is currently lost: see the regression
 * tests "requestStop() from a handler during interrupt delivery". Port
 * handlers always may. Turn this on once that bug is fixed.
 */
const PAGE_HANDLERS_STOP = true;
/** Highest linear address + 1 real mode can form (FFFF:FFFF + 1). */
const LIN_END = 0x10fff0;

/** Guest bytes staged while a program is built, then written in runs
 *  (one Machine.write per run of consecutive addresses, not per byte). */
class GuestImage {
  private readonly bytes = new Map<number, number>();
  constructor(private readonly m: Machine) {}
  /** Stage a byte at a linear address if it lands in RAM (A20 applied). */
  poke(lin: number, value: number): void {
    const phys = this.m.a20 ? lin : lin & 0xfffff;
    if (phys < this.m.memorySize) this.bytes.set(phys, value & 0xff);
  }
  pokeSeg(seg: number, off: number, value: number): void { this.poke((seg << 4) + (off & 0xffff), value); }
  peek(phys: number): number { return this.bytes.get(phys) ?? this.m.readByte(phys); }
  flush(): void {
    const addrs = [...this.bytes.keys()].sort((a, b) => a - b);
    for (let i = 0; i < addrs.length;) {
      let j = i;
      while (j + 1 < addrs.length && addrs[j + 1] === addrs[j] + 1) j++;
      this.m.write(addrs[i], addrs.slice(i, j + 1).map((a) => this.bytes.get(a) ?? 0));
      i = j + 1;
    }
    this.bytes.clear();
  }
}

// Instruction fragments that reach the interesting paths more often than
// uniform bytes do: string ops under REP, faults, interrupts, stack and
// flow control, I/O, segment loads, HLT, prefixes.
const STRING_OPS = [0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x6c, 0x6d, 0x6e, 0x6f];
const PREFIXES = [0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf1, 0xf2, 0xf3];

function fragment(rng: Rng, ports: number[]): number[] {
  switch (rng.int(24)) {
    case 0: return [rng.pick([0xf2, 0xf3]), rng.pick(STRING_OPS)];
    case 1: return [rng.pick(PREFIXES), rng.pick([0xf2, 0xf3]), rng.pick(STRING_OPS)];
    case 2: return [rng.pick([0xf6, 0xf7]), 0x30 | rng.int(0x10) | (rng.int(4) << 6)]; // DIV/IDIV
    case 3: return [0xcd, rng.u8()];
    case 4: return [rng.pick([0xcc, 0xce, 0xcf, 0x9d, 0x9c, 0xfb, 0xfa, 0xf4])];
    case 5: return [rng.pick([0x60, 0x61, 0xc9, 0x17, 0x07, 0x1f, 0x0f])];
    case 6: return [0xc8, rng.u8(), rng.u8(), rng.u8()]; // ENTER
    case 7: return [0x62, rng.u8()]; // BOUND
    case 8: return [0xea, rng.u8(), rng.u8(), rng.u8(), rng.u8()];
    case 9: return [0x9a, rng.u8(), rng.u8(), rng.u8(), rng.u8()];
    case 10: return [0xff, (rng.pick([2, 3, 4, 5, 6, 7]) << 3) | rng.int(8) | (rng.int(4) << 6)];
    case 11: return [rng.pick([0xc2, 0xc3, 0xca, 0xcb, 0xc0, 0xc1])];
    case 12: return [rng.pick([0xe4, 0xe5, 0xe6, 0xe7]), rng.pick(ports) & 0xff];
    case 13: return [0xba, ...le16(rng.pick(ports)), rng.pick([0xec, 0xed, 0xee, 0xef])];
    case 14: return [0x8e, (rng.int(8) << 3) | rng.int(8) | 0xc0]; // MOV sreg, r16
    case 15: return [rng.pick([0xc4, 0xc5]), rng.u8()];
    case 16: return [rng.pick([0xe0, 0xe1, 0xe2, 0xe3, 0xeb]), rng.u8()];
    case 17: return [0xb9, rng.u8(), rng.pick([0x00, 0x00, 0x01, 0xff])]; // MOV CX
    case 18: return [rng.pick([0x50, 0x54, 0x58, 0x5c, 0x8f]), rng.u8()];
    case 19: return [rng.pick([0xd0, 0xd1, 0xd2, 0xd3, 0xc0, 0xc1]), rng.u8(), rng.u8()];
    case 20: return [rng.pick([0xd4, 0xd5]), rng.pick([0, 0, rng.u8()])]; // AAM 0 = #DE
    default: return [rng.u8()];
  }
}

function le16(v: number): number[] { return [v & 0xff, (v >> 8) & 0xff]; }

/** Random code bytes: mostly uniform, about a third from the fragments. */
function randomCode(rng: Rng, length: number, ports: number[]): number[] {
  const out: number[] = [];
  while (out.length < length) {
    if (rng.chance(0.35)) out.push(...fragment(rng, ports));
    else out.push(rng.u8());
  }
  return out.slice(0, length);
}

const MEMORY_SIZES: Record<CpuModel, readonly number[]> = {
  "8086": [0x10000, 0x10000, 0x40000, 0x100000, 0x110000],
  // A 16 MiB machine takes ~50 ms to create: one in ten.
  "286": [0x10000, 0x10000, 0x10000, 0x40000, 0x100000, 0x100000, 0x110000, 0x110000, 0x110000, 16 << 20],
  "386": [0x10000, 0x10000, 0x10000, 0x40000, 0x100000, 0x100000, 0x110000, 0x110000, 0x110000, 16 << 20],
};

interface FuzzOutcome { runs: number; instructions: number; reasons: Record<StopReason, number> }

/** Build and run one random program; throws (with the seed) on any violation. */
function fuzzOne(cpu: CpuModel, seed: number, budget: number, outcome: FuzzOutcome): void {
  const rng = new Rng(seed);
  const memory = rng.pick(MEMORY_SIZES[cpu]);
  const m = new Machine({ cpu, memory });
  if (cpu !== "8086") m.a20 = memory === 16 << 20 ? true : rng.chance(0.7);
  const ramEnd = Math.min(memory, m.a20 ? LIN_END : 0x100000);
  let phase = "setup";
  const ctx = () => `cpu ${cpu} seed ${seed} (memory 0x${memory.toString(16)}, a20 ${m.a20}) ${phase}`;

  // Host devices. Handlers draw from the same generator, so a run is
  // reproducible; now and then one asks the CPU to stop.
  let stopRequested = false;
  const requestStop = () => { stopRequested = true; m.requestStop(); };
  const ports: number[] = [];
  for (let i = rng.range(2, 6); i > 0; i--) {
    const from = rng.chance(0.5) ? rng.u8() : rng.u16();
    const to = Math.min(0xffff, from + rng.int(4));
    ports.push(from, to);
    const kind = rng.int(3); // 0 read+write, 1 read only, 2 write only (word accesses split)
    m.registerPort([from, to], {
      read: kind === 2 ? undefined : (port, size) => {
        if (port < 0 || port > 0xffff || (size !== 1 && size !== 2)) throw new Error(`portIn(${port}, ${size})`);
        if (rng.chance(0.01)) requestStop();
        return rng.u32() & (size === 1 ? 0xff : 0xffff);
      },
      write: kind === 1 ? undefined : (port, size, value) => {
        if (port < 0 || port > 0xffff || (size !== 1 && size !== 2)) throw new Error(`portOut(${port}, ${size})`);
        if (value < 0 || value > (size === 1 ? 0xff : 0xffff)) throw new Error(`portOut value ${value}`);
        if (rng.chance(0.01)) requestStop();
      },
    });
  }

  // Code somewhere in RAM (usually), or anywhere, or at the end of a segment.
  const codeLin = rng.chance(0.8) ? rng.int(ramEnd) : rng.int(LIN_END);
  let cs: number, ip: number;
  if (rng.chance(0.15)) {
    cs = rng.u16(); ip = 0xffff - rng.int(32);
  } else {
    const maxBack = Math.min(0xfff, codeLin >> 4, 0xffff);
    cs = Math.min(0xffff, (codeLin >> 4) - rng.int(maxBack + 1));
    ip = (codeLin - (cs << 4)) & 0xffff;
  }
  const code = randomCode(rng, rng.range(128, 512), ports);
  const img = new GuestImage(m);
  code.forEach((b, i) => img.pokeSeg(cs, ip + i, b));

  const segs = { es: rng.u16(), ss: rng.u16(), ds: rng.u16() };
  if (rng.chance(0.3)) segs.ss = cs;
  if (rng.chance(0.3)) segs.ds = cs;
  if (rng.chance(0.2)) segs.es = segs.ds;

  // The IVT: entirely random, or vectors aimed at random code (some into
  // the program itself), with random code at the handlers.
  if (rng.chance(0.3)) {
    for (let a = 0; a < 0x400; a++) img.poke(a, rng.u8());
  } else {
    for (let v = 0; v < 256; v++) {
      if (!rng.chance(0.6)) continue;
      let hs: number, ho: number;
      if (rng.chance(0.3)) { hs = cs; ho = (ip + rng.int(code.length)) & 0xffff; }
      else { const lin = rng.int(ramEnd); hs = Math.min(0xffff, lin >> 4); ho = lin - (hs << 4); }
      img.poke(v * 4, ho & 0xff); img.poke(v * 4 + 1, ho >> 8);
      img.poke(v * 4 + 2, hs & 0xff); img.poke(v * 4 + 3, hs >> 8);
    }
  }
  for (const v of [0, 1, 2, 3, 4, 5, 6, 7, 8, 13, rng.u8(), rng.u8()]) {
    const ho = readIvt(img, v);
    randomCode(rng, 48, ports).forEach((b, i) => img.pokeSeg(ho[1], ho[0] + i, b));
  }
  // Around the IVT and the BIOS data area, and sprinkled across memory.
  for (let i = 0; i < 64; i++) img.poke(0x400 + rng.int(0x200), rng.u8());
  for (let i = 0; i < 400; i++) img.poke(rng.int(ramEnd), rng.u8());
  // Segment ends: offset FFFFh wrap for every segment register.
  for (const s of [cs, segs.es, segs.ss, segs.ds]) {
    for (let o = 0xfff0; o <= 0x1000f; o++) if (rng.chance(0.7)) img.pokeSeg(s, o, rng.u8());
  }
  img.flush();

  // Page-level devices on interesting pages: the code, the stack, the IVT.
  const pagesInRam = memory / PAGE;
  const somePage = (): number => {
    const candidates = [rng.int(pagesInRam), 0];
    const physOf = (lin: number) => (m.a20 ? lin : lin & 0xfffff) >>> 12;
    candidates.push(physOf(codeLin), physOf((segs.ss << 4) + 0xfff0));
    const p = rng.pick(candidates);
    return p < pagesInRam ? p : rng.int(pagesInRam);
  };
  if (rng.chance(0.6)) {
    const base = somePage() * PAGE + rng.int(PAGE);
    const length = Math.min(memory - base, rng.range(1, 2 * PAGE));
    m.registerMmio(base, length, {
      read: (addr, size) => {
        if (addr < base || addr >= base + length || size < 1 || size > 2) throw new Error(`mmioRead(${addr}, ${size})`);
        if (PAGE_HANDLERS_STOP && rng.chance(0.01)) requestStop();
        return rng.u32() & (size === 1 ? 0xff : 0xffff);
      },
      write: (addr, size, value) => {
        if (addr < base || addr >= base + length || size < 1 || size > 2) throw new Error(`mmioWrite(${addr}, ${size})`);
        if (value < 0 || value > (size === 1 ? 0xff : 0xffff)) throw new Error(`mmioWrite value ${value}`);
        if (PAGE_HANDLERS_STOP && rng.chance(0.01)) requestStop();
      },
    });
  }
  if (rng.chance(0.5)) m.setRom(somePage() * PAGE, PAGE);
  if (rng.chance(0.3)) {
    const pages = [somePage(), somePage()].filter((p, i, a) => a.indexOf(p) === i);
    const content = new Uint8Array(PAGE);
    for (let i = 0; i < PAGE; i += 7) content[i] = rng.u8();
    m.sharePages(pages, content);
  }
  if (rng.chance(0.3)) {
    m.setCodePages(somePage() * PAGE, PAGE);
    m.onCodeWrite = (addr, size) => {
      if (addr < 0 || addr >= memory || (size !== 1 && size !== 2)) throw new Error(`onCodeWrite(${addr}, ${size})`);
      if (PAGE_HANDLERS_STOP && rng.chance(0.01)) requestStop();
    };
  }
  const dirtyLog = rng.chance(0.3);
  if (dirtyLog) m.startDirtyLog();
  for (let i = rng.chance(0.3) ? rng.range(1, 3) : 0; i > 0; i--) {
    m.addBreakpoint(rng.chance(0.7) ? (cs << 4) + ((ip + rng.int(64)) & 0xffff) : rng.int(LIN_END));
  }

  m.setRegisters({
    ax: rng.u16(), cx: rng.chance(0.3) ? rng.int(16) : rng.u16(), dx: rng.chance(0.3) ? rng.pick(ports) : rng.u16(),
    bx: rng.u16(), sp: rng.chance(0.2) ? rng.int(4) : rng.u16(), bp: rng.u16(),
    si: rng.chance(0.2) ? 0xffff - rng.int(3) : rng.u16(), di: rng.chance(0.2) ? 0xffff - rng.int(3) : rng.u16(),
    flags: rng.u16(), cs, ip, ...segs,
  });

  // Run the budget in slices; between slices, raise interrupts and NMIs.
  // A stop requested by a handler ends that run() with "stop" -- or, when
  // the budget ran out at the same boundary, the next run() with budget
  // left, at once.
  let stopCarried = false;
  let remaining = budget;
  for (let slice = 0; remaining > 0 && slice < 128; slice++) {
    if (rng.chance(0.25)) m.interrupt(rng.u8());
    if (rng.chance(0.08)) m.nmi();
    if (cpu !== "8086" && memory !== 16 << 20 && rng.chance(0.05)) m.a20 = !m.a20;
    const n = Math.min(remaining, rng.pick([0, 1, 2, rng.int(100), rng.int(SLICE), SLICE, SLICE]));
    phase = `slice ${slice} (budget ${n})`;
    stopRequested = false;
    const r = checkedRun(m, n, ctx);
    outcome.runs++;
    outcome.instructions += r.instructions;
    outcome.reasons[r.reason]++;
    if (stopCarried && n > 0 && (r.reason !== "stop" || r.instructions !== 0)) {
      throw new Error(`${ctx()}: a stop left pending by the previous run() was not taken at once: ${JSON.stringify(r)}`);
    }
    if (r.reason === "stop") stopCarried = false;
    if (stopRequested && r.reason !== "stop") {
      if (r.instructions !== n) {
        throw new Error(`${ctx()}: a handler requested a stop during run(), which returned ${JSON.stringify(r)}`);
      }
      stopCarried = true;
    }
    remaining -= r.instructions;
    // Halted with budget left: nothing deliverable is pending (the run
    // would have taken it), so the CPU must stay put.
    if (r.reason === "halt" && r.instructions < n && !stopCarried) {
      checkHaltStable(m, ctx);
      if (rng.chance(0.5)) m.nmi(); else break;
    }
    // A fault storm (a handler that faults again, forever) only repeats
    // itself and each fault costs a trap through the host: move on.
    if (m.stats.exceptions > FAULT_STORM) break;
  }
  phase = "end";
  if (dirtyLog) {
    for (const p of m.takeDirtyPages()) {
      if (!Number.isInteger(p) || p < 0 || p >= pagesInRam) throw new Error(`${ctx()}: dirty page ${p}`);
    }
  }
}

function readIvt(img: GuestImage, v: number): [number, number] {
  const b = (a: number) => img.peek(a);
  return [b(v * 4) | (b(v * 4 + 1) << 8), b(v * 4 + 2) | (b(v * 4 + 3) << 8)];
}

// --------------------------------------------------------------- random

const PROGRAMS_PER_MODEL = 300;
/** Replay a single seed (see the header). */
const ONLY_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED) >>> 0;
const BUDGET = 20_000;
/** Faults after which a program has shown what it does (see fuzzOne). */
const FAULT_STORM = 200;
/** Longest run() slice. */
const SLICE = 500;

describe("fuzz: random programs never break the host", () => {
  for (const cpu of ["8086", "286", "386"] as const) {
    it(`${cpu}: ${PROGRAMS_PER_MODEL} seeded programs`, () => {
      const outcome: FuzzOutcome = { runs: 0, instructions: 0, reasons: { budget: 0, halt: 0, breakpoint: 0, stop: 0 } };
      if (ONLY_SEED !== undefined) { fuzzOne(cpu, ONLY_SEED, BUDGET, outcome); return; }
      const base = cpu === "8086" ? 0x8086_0000 : cpu === "286" ? 0x0286_0000 : 0x0386_0000;
      for (let i = 0; i < PROGRAMS_PER_MODEL; i++) fuzzOne(cpu, (base + i) >>> 0, BUDGET, outcome);
      expect(outcome.runs).toBeGreaterThan(PROGRAMS_PER_MODEL);
      // Every kind of stop should have been seen at least once.
      for (const reason of REASONS) expect(outcome.reasons[reason], `no run ended with ${reason}`).toBeGreaterThan(0);
    });
  }
});

// ----------------------------------------------------------- hand-picked

interface Setup {
  cpu: CpuModel;
  memory?: number;
  /** [physical address, bytes] */
  writes?: [number, number[]][];
  regs: Partial<Registers>;
}

function machine(s: Setup): Machine {
  const m = new Machine({ cpu: s.cpu, memory: s.memory ?? 0x110000 });
  for (const [addr, bytes] of s.writes ?? []) m.write(addr, bytes);
  m.setRegisters(s.regs);
  return m;
}

/** An IVT with every vector pointing at seg:off. */
function ivtAllTo(seg: number, off: number): [number, number[]] {
  const ivt: number[] = [];
  for (let v = 0; v < 256; v++) ivt.push(off & 0xff, off >> 8, seg & 0xff, seg >> 8);
  return [0, ivt];
}

describe("fuzz: hand-picked sequences", () => {
  describe.each(["8086", "286", "386"] as const)("%s", (cpu) => {
    const ctx = (what: string) => () => `cpu ${cpu} ${what}`;

    it("endless REP MOVSW with CX=FFFFh over segments wrapping at FFFFh", () => {
      // 1000:0000  mov cx,0FFFFh / rep movsw / jmp short 0
      const code = [0xb9, 0xff, 0xff, 0xf3, 0xa5, 0xeb, 0xf9];
      const m = machine({
        cpu,
        writes: [[0x10000, code], [0x20, [0x00, 0x05, 0x00, 0x00]], [0x500, [0xcf]]], // INT 8 -> IRET
        regs: { cs: 0x1000, ip: 0, ds: 0x2000, es: 0x3000, si: 0xfff8, di: 0xfff8, ss: 0x4000, sp: 0x100, flags: 0x0200 },
      });
      // Stopped by the budget inside the REP: IP stays on the prefix.
      let r = checkedRun(m, 101, ctx("first slice"));
      expect(r).toEqual({ reason: "budget", instructions: 101 });
      expect(m.repActive).toBe(true);
      expect(m.registers).toMatchObject({ ip: 3, cx: 0xffff - 100, si: (0xfff8 + 200) & 0xffff, di: (0xfff8 + 200) & 0xffff });
      // The rest of the REP, one iteration per instruction.
      r = checkedRun(m, 65535 - 100, ctx("rest of the REP"));
      expect(r.reason).toBe("budget");
      expect(m.repActive).toBe(false);
      expect(m.registers).toMatchObject({ ip: 5, cx: 0, si: (0xfff8 + 2 * 65535) & 0xffff, di: (0xfff8 + 2 * 65535) & 0xffff });
      // Then round and round, in odd slices, with interrupts landing mid-REP.
      const rng = new Rng(0x5eed);
      for (let i = 0; i < 60; i++) {
        if (rng.chance(0.3)) m.interrupt(8);
        if (rng.chance(0.05)) m.nmi(); // INT 2 -> 0000:0000: zeros, ADD [BX+SI],AL
        const n = rng.pick([0, 1, 2, 7, rng.int(5000)]);
        expect(checkedRun(m, n, ctx(`slice ${i}`)).instructions).toBe(n);
      }
    });

    it("REP MOVSW at odd offsets: the 286 faults at FFFFh and the handler resumes it", () => {
      // Vector 13 and 8 -> IRET: a faulting iteration is retried.
      const code = [0xb9, 0xff, 0xff, 0xf3, 0xa5, 0xfd, 0xf3, 0xa5, 0xfc, 0xeb, 0xf5];
      const m = machine({
        cpu,
        writes: [[0x10000, code], [13 * 4, [0x00, 0x05, 0x00, 0x00]], [0x20, [0x00, 0x05, 0x00, 0x00]], [0x500, [0xcf]]],
        regs: { cs: 0x1000, ip: 0, ds: 0x2000, es: 0x2000, si: 0xfff1, di: 0x0003, ss: 0x5000, sp: 0x100, flags: 0x0200 },
      });
      for (let i = 0; i < 40; i++) {
        if (i % 3 === 0) m.interrupt(8);
        expect(checkedRun(m, 4099, ctx(`slice ${i}`)).reason).toBe("budget");
      }
      if (cpu !== "8086") expect(m.stats.exceptions).toBeGreaterThan(0);
    });

    it("every vector on a divide error whose handler divides by zero again ends at the budget", () => {
      // 0000:0500  div bl (BL = 0). On the 8086 the frame points past it,
      // so the handler would fall through; put it in a loop as well.
      const m = machine({
        cpu, memory: 0x10000,
        writes: [ivtAllTo(0, 0x500), [0x500, [0xf6, 0xf3, 0xeb, 0xfc]]],
        regs: { cs: 0, ip: 0x500, bx: 0, ss: 0x0800, sp: 0x0010, flags: 0x0200 },
      });
      m.nmi();
      m.interrupt(0x21);
      const t0 = performance.now();
      const r = checkedRun(m, 20_000, ctx("divide storm"));
      expect(r).toEqual({ reason: "budget", instructions: 20_000 });
      expect(m.stats.exceptions).toBeGreaterThanOrEqual(cpu !== "8086" ? 19_000 : 9_000);
      expect(performance.now() - t0).toBeLessThan(5_000);
    });

    it("PUSH, PUSHA, CALL FAR, INT and ENTER with SP near 0 and odd", () => {
      // Vector 13 (the 286's #GP) and every other vector: HLT.
      const pushes = cpu !== "8086"
        ? [[0x50], [0x54], [0x60], [0x9a, 0, 0, 0, 0x02], [0xcd, 0x21], [0xc8, 4, 0, 3], [0xff, 0x36, 0, 0], [0x68, 1, 2]]
        : [[0x50], [0x54], [0x9a, 0, 0, 0, 0x02], [0xcd, 0x21], [0xff, 0x36, 0, 0], [0x9c]];
      // The 386's doubleword pushes: PUSH EAX, PUSHAD, PUSHFD, PUSH imm8,
      // CALL FAR ptr16:32, ENTER with 32-bit frames, PUSH FS.
      if (cpu === "386") {
        pushes.push([0x66, 0x50], [0x66, 0x60], [0x66, 0x9c], [0x66, 0x6a, 1],
          [0x66, 0x9a, 0, 0, 0, 0, 0, 0x02], [0x66, 0xc8, 4, 0, 3], [0x0f, 0xa0]);
      }
      for (const insn of pushes) {
        for (const sp of [0, 1, 2, 3, 5, 0xffff]) {
          const m = machine({
            cpu,
            writes: [ivtAllTo(0, 0x600), [0x600, [0xf4]], [0x2000, [0xf4]], [0x10000, [...insn, 0xf4]]],
            regs: { cs: 0x1000, ip: 0, ss: 0x3000, sp, ax: 0x1234, bp: 0x2222, flags: 0x0002 },
          });
          const what = `${insn.map((b) => hex(b, 2)).join(" ")} with SP=${hex(sp)}`;
          const r = checkedRun(m, 100, ctx(what));
          expect(r.reason, what).toBe("halt");
          checkHaltStable(m, ctx(what));
        }
      }
    });

    it("an instruction stuffed with 15 prefixes, also across IP FFFFh", () => {
      const prefixes = [0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf2, 0xf3, 0x26];
      for (const ip of [0x0000, 0xfff8]) {
        const m = machine({
          cpu,
          writes: [ivtAllTo(0, 0x600), [0x600, [0xf4]]],
          regs: { cs: 0x1000, ip, ss: 0x3000, sp: 0x100, ax: 0, flags: 0x0002 },
        });
        [...prefixes, 0x40, 0xf4].forEach((b, i) => m.writeByte(0x10000 + ((ip + i) & 0xffff), b)); // inc ax; hlt
        const r = checkedRun(m, 100, ctx(`15 prefixes at IP=${hex(ip)}`));
        expect(r.reason).toBe("halt");
        if (cpu === "8086") {
          // One instruction; the prefixes belong to it.
          expect(r.instructions).toBe(2);
          expect(m.registers).toMatchObject({ ax: 1, cs: 0x1000, ip: (ip + 17) & 0xffff });
        } else {
          // Longer than 10 bytes: an exception before it executes.
          expect(m.stats.exceptions).toBe(1);
          expect(m.registers).toMatchObject({ ax: 0, cs: 0, ip: 0x601 });
        }
      }
    });

    it("jumping to the last byte of memory", () => {
      const sizes = cpu === "8086" ? [0x10000, 0x100000, 0x110000] : [0x10000, 0x100000, 0x110000, 16 << 20];
      for (const memory of sizes) {
        for (const a20 of cpu === "8086" ? [false] : memory === 16 << 20 ? [true] : [true, false]) {
          const last = Math.min(memory, a20 ? LIN_END : 0x100000) - 1;
          // Reach it with the largest segment, and at offset FFFFh.
          const high = Math.min(0xffff, last >> 4);
          for (const [seg, off] of [[high, last - (high << 4)], [(last - 0xffff) >> 4, 0xffff]]) {
            const m = machine({
              cpu, memory,
              // 0000:7C00  jmp far seg:off;  at the last byte: MOV AX, imm16
              writes: [[0x7c00, [0xea, off & 0xff, off >> 8, seg & 0xff, seg >> 8]], [last, [0xb8]]],
              regs: { cs: 0, ip: 0x7c00, ss: 0, sp: 0x7c00, flags: 0x0002 },
            });
            if (cpu !== "8086") m.a20 = a20;
            const what = `memory 0x${memory.toString(16)} a20 ${a20}: jmp ${hex(seg)}:${hex(off)}`;
            checkedRun(m, 2, ctx(what));
            // The immediate comes from past the end of RAM (open bus, or
            // address 0 when the 20-bit address wraps), or on the 8086 from
            // offset 0 after IP wraps. (Running past offset FFFFh is a
            // segment overrun on the 286: not asserted here.)
            if (cpu === "8086" || off <= 0xfffd) {
              const next = off === 0xffff ? seg << 4 : last + 1;
              const phys = (lin: number) => (a20 ? lin : lin & 0xfffff);
              const byte = (lin: number) => (phys(lin) < memory ? m.readByte(phys(lin)) : 0xff);
              expect(m.registers.ax, what).toBe(byte(next) | (byte(next + 1) << 8));
            }
            for (let i = 0; i < 20; i++) checkedRun(m, 97, ctx(`${what}, slice ${i}`));
          }
        }
      }
    });
  });
});

// ------------------------------------------------ isolated (hang-proof) runs

/**
 * Runs a scenario on a Machine in a worker thread, so that a guest program
 * that hangs the host (a loop inside one Wasm call) fails the test instead
 * of freezing the suite: the worker is terminated after `limitMs` of run().
 * The worker imports a plain-JS copy of src/ (transpiled into a temp
 * directory next to a copy of build/core.wasm).
 */
interface IsolatedOutcome {
  status: "done" | "timeout";
  result?: RunResult;
  registers?: Registers;
  ms: number;
}

/** Transpiles src/ with TypeScript (a dev dependency) into `out`; runs in
 *  its own thread, so the ~1 s it takes overlaps the random fuzzing. */
const TRANSPILE_SRC = `
  const { parentPort, workerData } = require("node:worker_threads");
  const { createRequire } = require("node:module");
  const fs = require("node:fs");
  const path = require("node:path");
  const { repo, out } = workerData;
  const ts = createRequire(path.join(repo, "package.json"))("typescript");
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) { walk(file); continue; }
      if (!e.name.endsWith(".ts") || e.name.endsWith(".d.ts")) continue;
      const js = ts.transpileModule(fs.readFileSync(file, "utf8"), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      const target = path.join(out, path.relative(repo, file)).replace(/\\.ts$/, ".js");
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, js);
    }
  };
  walk(path.join(repo, "src"));
  parentPort.postMessage("done");
`;

/** Runs one scenario and reports back (see runIsolated). */
const SCENARIO_MJS = `
  import { parentPort, workerData } from "node:worker_threads";
  const { Machine } = await import(workerData.machineUrl);
  const { cpu, memory, writes, regs, budget } = workerData.setup;
  const m = new Machine({ cpu, memory });
  for (const [addr, bytes] of writes) m.write(addr, bytes);
  m.setRegisters(regs);
  parentPort.postMessage({ ready: true });
  const result = m.run({ maxInstructions: budget });
  parentPort.postMessage({ result, registers: m.registers });
`;

let workerRoot: string | undefined;
let workerRootReady: Promise<string> | undefined;

function prepareWorkerRoot(): Promise<string> {
  if (workerRootReady) return workerRootReady;
  const repo = fileURLToPath(new URL("..", import.meta.url));
  const out = (workerRoot = mkdtempSync(join(tmpdir(), "wasm86-fuzz-")));
  mkdirSync(join(out, "build"));
  copyFileSync(join(repo, "build", "core.wasm"), join(out, "build", "core.wasm"));
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(out, "scenario.mjs"), SCENARIO_MJS);
  workerRootReady = new Promise<string>((resolve, reject) => {
    const w = new Worker(TRANSPILE_SRC, { eval: true, workerData: { repo, out } });
    w.once("message", () => { resolve(out); void w.terminate(); });
    w.once("error", reject);
  });
  workerRootReady.catch(() => undefined); // reported by the test that awaits it
  return workerRootReady;
}
// Start now: the transpiling overlaps the random programs above.
void prepareWorkerRoot();

async function runIsolated(setup: Setup & { budget: number }, limitMs: number): Promise<IsolatedOutcome> {
  const root = await prepareWorkerRoot();
  const machineUrl = pathToFileURL(join(root, "src", "machine.js")).href;
  const worker = new Worker(join(root, "scenario.mjs"), {
    workerData: { machineUrl, setup: { memory: 0x110000, writes: [], ...setup } },
  });
  return new Promise<IsolatedOutcome>((resolve, reject) => {
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    worker.on("message", (msg: { ready?: boolean; result?: RunResult; registers?: Registers }) => {
      if (msg.ready) {
        started = performance.now();
        timer = setTimeout(() => {
          void worker.terminate();
          resolve({ status: "timeout", ms: performance.now() - started });
        }, limitMs);
        return;
      }
      clearTimeout(timer);
      void worker.terminate();
      resolve({ status: "done", result: msg.result, registers: msg.registers, ms: performance.now() - started });
    });
    worker.on("error", (e) => { clearTimeout(timer); reject(e); });
  });
}

afterAll(async () => {
  await workerRootReady?.catch(() => undefined);
  if (workerRoot) rmSync(workerRoot, { recursive: true, force: true });
});

// --------------------------------------------------- known bugs (regressions)

describe("fuzz: regressions", () => {
  // Found by the fuzzer (with PAGE_HANDLERS_STOP on): a stop requested by a
  // handler that runs *while an interrupt is delivered* (here the MMIO page
  // holding the stack, written by the NMI frame; or the interrupt
  // controller's acknowledge) is lost: run() goes on to the end of the
  // budget, and the stale request fires at some later boundary.
  // handleEvents() (assembly/cpu/interrupts.ts) recomputes EVENTS at its
  // end from IRQ/NMI/TF/shadow/breakpoints but not STOP_REQUEST.
  // Expected behaviour: run() returns "stop" before the handler's first
  // instruction.
  describe.each(["8086", "286", "386"] as const)("%s", (cpu) => {
    it("requestStop() from a handler during interrupt delivery (MMIO stack write by an NMI frame)", () => {
      const m = machine({
        cpu, memory: 0x10000,
        writes: [[8, [0x00, 0x10, 0x00, 0x00]], [0x1000, [0xeb, 0xfe]], [0x2000, [0xeb, 0xfe]]],
        regs: { cs: 0x200, ip: 0, ss: 0x800, sp: 0x100, flags: 0x0002 },
      });
      m.registerMmio(0x8000, PAGE, { read: () => 0, write: () => m.requestStop() });
      m.nmi();
      const r = checkedRun(m, 10, () => `cpu ${cpu} NMI frame on MMIO`);
      expect(r).toEqual({ reason: "stop", instructions: 0 });
      expect(m.registers).toMatchObject({ cs: 0, ip: 0x1000 });
    });

    it("requestStop() from a handler during interrupt delivery (interrupt controller acknowledge)", () => {
      const m = machine({
        cpu, memory: 0x10000,
        writes: [[0x20 * 4, [0x00, 0x10, 0x00, 0x00]], [0x1000, [0xeb, 0xfe]], [0x2000, [0xeb, 0xfe]]],
        regs: { cs: 0x200, ip: 0, ss: 0x800, sp: 0x100, flags: 0x0202 },
      });
      m.setInterruptController({ acknowledge: () => { m.requestStop(); m.setIrqLine(false); return 0x20; } });
      m.setIrqLine(true);
      const r = checkedRun(m, 10, () => `cpu ${cpu} acknowledge`);
      expect(r).toEqual({ reason: "stop", instructions: 0 });
      expect(m.registers).toMatchObject({ cs: 0, ip: 0x1000 });
    });
  });

  // Found while reading step()'s prefix loop: on the 8086 an instruction
  // may carry any number of prefixes, and the loop fetches them without
  // limit or budget check, so a code segment made only of prefix bytes
  // never finishes its "instruction" and run() never returns: the host
  // hangs. Twelve guest bytes build such a segment (REP STOSW of 2E2Eh
  // over CS) and fall into it. The 286 stops at ten prefixes (#GP).
  // (assembly/cpu/interp.ts, the prefix case of dispatch(); before the
  // refactor, step().)
  const prefixFlood = {
    memory: 0x110000,
    // 1000:0000  mov ax,2E2Eh / mov cx,8000h / xor di,di / push cs / pop es / rep stosw
    writes: [[0x10000, [0xb8, 0x2e, 0x2e, 0xb9, 0x00, 0x80, 0x31, 0xff, 0x0e, 0x07, 0xf3, 0xab]]] as [number, number[]][],
    regs: { cs: 0x1000, ip: 0, ss: 0x3000, sp: 0x100, flags: 0x0002 },
    budget: 50_000,
  };
  it("8086: a code segment full of prefixes ends at the budget (it used to hang the host)", async () => {
    const o = await runIsolated({ cpu: "8086", ...prefixFlood }, 1_000);
    expect(o.status, `run() did not return within ${Math.round(o.ms)} ms`).toBe("done");
    expect(o.result).toEqual({ reason: "budget", instructions: 50_000 });
  });
  it("286: a code segment full of prefixes ends at the budget", async () => {
    const o = await runIsolated({ cpu: "286", ...prefixFlood }, 5_000);
    expect(o.status, `run() did not return within ${Math.round(o.ms)} ms`).toBe("done");
    expect(o.result).toEqual({ reason: "budget", instructions: 50_000 });
  });

  // Found while reading the opcode map: POPA (286) collects the popped
  // words in `let v: StaticArray<i32> = [...]` (assembly/cpu/interp.ts,
  // case 0x61), which the stub runtime allocates on every execution and
  // never frees: 64 bytes of Wasm heap per POPA. The heap starts below
  // GUEST_BASE, so after ~15,400 POPAs the allocator writes its block
  // headers and the zeroed array over guest RAM from physical address 0
  // (the IVT: 3C 00 00 00 ... 04 00 00 00 20 00 ...); after ~31,700 on a
  // 64 KiB machine (more with more RAM) it reaches the end of linear memory
  // and calls memory.grow, which detaches the ArrayBuffer behind the
  // DataView that Machine.run() holds: run() throws "TypeError: Cannot
  // perform DataView.prototype.getBigInt64 on a detached ArrayBuffer".
  // Expected: POPA allocates nothing (eight locals or a fixed scratch area).
  const popaLoop = (budgetPopas: number): Setup & { budget: number } => ({
    cpu: "286", memory: 0x10000,
    writes: [[0, new Array<number>(0x400).fill(0xa5)], [0x1000, [0x61, 0xeb, 0xfd]]], // popa; jmp short popa
    regs: { cs: 0x100, ip: 0, ss: 0x200, sp: 0 },
    budget: 2 * budgetPopas,
  });
  it("286: 16,000 POPAs leave guest memory alone (they used to overwrite the IVT)", () => {
    const s = popaLoop(16_000);
    const m = machine(s);
    expect(checkedRun(m, s.budget, () => "POPA loop").reason).toBe("budget");
    expect(Array.from(m.read(0, 0x400)).findIndex((b) => b !== 0xa5), "first IVT byte changed").toBe(-1);
    expect(Array.from(m.read(0x1000, 3))).toEqual([0x61, 0xeb, 0xfd]);
  });
  it("286: 35,000 POPAs do not make run() throw (Wasm memory grows under the host)", () => {
    const s = popaLoop(35_000);
    const m = machine(s);
    expect(checkedRun(m, s.budget, () => "POPA loop")).toEqual({ reason: "budget", instructions: s.budget });
  });
});
