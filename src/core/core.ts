/**
 * core.ts — loads the AssemblyScript core (build/core.wasm) and types its
 * exports. One compiled WebAssembly.Module is shared by every machine; each
 * Machine gets its own instance, memory and state.
 *
 * This file knows the core's ABI (export names, layout constants, exit
 * codes); nothing outside src/core/ should.
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";

/** The functions the core exports (see assembly/index.ts). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  run(): number;
  init(model: number, memSize: number): number;
  allocFrames(n: number): number;
  setA20(on: number): void;
  poke(): void;
  clearShadow(): void;
  deliverFault(): void;
  interrupt(vector: number, returnIP: number): void;
  getFlags(): number;
  setFlags(v: number): void;
  materializeFlags(): void;
  setSeg(seg: number, sel: number): void;
  setPortHandled(port: number, on: number): void;
  setPageFlags(page: number, flags: number): void;
  getPageFlags(page: number): number;
  mapPageFrame(page: number, frame: number, cow: number): void;
  pageFrame(page: number): number;
  dirtyLogEnable(on: number): void;
  dirtyTest(page: number): number;
  dirtyClear(page: number): void;
  dirtyMark(page: number): void;
  tlbRefreshAll(): void;
}

/** Imports the core needs from its host. */
export interface CoreImports {
  portIn(port: number, size: number): number;
  portOut(port: number, size: number, value: number): void;
  mmioRead(addr: number, size: number): number;
  mmioWrite(addr: number, size: number, value: number): void;
  irqAck(): number;
  codeWrite(physAddr: number, size: number): void;
}

/** Layout constants, read once from the module's exported globals. */
export interface Layout {
  REGS: number; REG_IP: number; REG_FLAGS: number; SEG_SEL: number; SEG_BASE: number;
  ICOUNT: number; ICOUNT_STOP: number; CPU_MODEL: number; EVENTS: number; IRQ_LINE: number;
  NMI_PENDING: number; SHADOW_AT: number; HALTED: number; STOP_REQUEST: number; INSN_IP: number;
  FAULT_VECTOR: number; A20: number; MEM_SIZE: number; BP_COUNT: number; REP_ACTIVE: number;
  STATS: number; BREAKPOINTS: number; MAX_BREAKPOINTS: number; GUEST_BASE: number;
  MAX_MEM_SIZE: number; PF_ROM: number; PF_MMIO: number; PF_CODE: number; PF_DIRTY_LOG: number;
  PF_COW: number; PF_UNMAPPED: number; LIN_PAGES: number;
  STAT_PORT_IN: number; STAT_PORT_OUT: number; STAT_PORT_UNHANDLED_IN: number;
  STAT_PORT_UNHANDLED_OUT: number; STAT_MMIO: number; STAT_ROM_WRITES: number;
  STAT_COW_BREAKS: number; STAT_CODE_WRITES: number; STAT_INTERRUPTS: number;
  STAT_EXCEPTIONS: number; STAT_TLB_SLOW: number; STAT_OPEN_BUS: number; STAT_REP_BULK: number;
  LAZY_OP: number; LAZY_A: number; LAZY_B: number; LAZY_R: number; LAZY_X: number; PAGE_PHYS: number;
  JIT_ENABLED: number; JIT_LOOKUP: number; JIT_THRESHOLD: number; JIT_REQ_LINEAR: number;
  JIT_REQ_CSBASE: number; JIT_REQ_SLOT: number; JIT_STAT_RUNS: number; JIT_STAT_LOOKUPS: number;
  JIT_STAT_MISSES: number; JIT_STAT_BUDGET: number; JIT_CACHE: number; JIT_SLOTS: number; JIT_ENTRY_SHIFT: number;
  CODE_BITMAP: number; CODE_BITMAP_LIMIT: number; PF_JIT_CODE: number; JIT_STAT_INSNS: number; JIT_ENTRY: number; JIT_STAT_SIDE: number; JIT_DEOPT: number;
  JIT_WINDOW_LO: number; JIT_WINDOW_LEN: number;
  TLB_READ: number; TLB_WRITE: number;
}

/** Exit codes of run() (assembly/cpu/interrupts.ts). */
export const EXIT_BUDGET = 0;
export const EXIT_HALT = 1;
export const EXIT_BREAKPOINT = 2;
/** The core asks the host to translate a block (assembly/jit/dispatch.ts). */
export const EXIT_COMPILE = 4;
/** A translation's access group failed its test: the host translates the
 *  page again without groups (assembly/jit/dispatch.ts EXIT_DEOPT). */
export const EXIT_DEOPT = 5;
export const EXIT_STOP = 3;

/** Builds of the core (asconfig.json targets). "default" is the one to
 *  use; the others exist for measured experiments (bench/). */
export const CORE_BUILDS = { default: "core.wasm", "eager-flags": "core-eager-flags.wasm" } as const;
export type CoreBuild = keyof typeof CORE_BUILDS;

function findCoreWasm(file: string): string {
  const path = join(PACKAGE_ROOT, "build", file);
  if (!existsSync(path)) throw new Error(`wasm86: build/${file} not found — run \`npm run build:core\` first`);
  return path;
}

const compiled = new Map<CoreBuild, WebAssembly.Module>();

export function coreModule(build: CoreBuild = "default"): WebAssembly.Module {
  let m = compiled.get(build);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(findCoreWasm(CORE_BUILDS[build])));
    compiled.set(build, m);
  }
  return m;
}

export interface CoreInstance {
  exports: CoreExports;
  layout: Layout;
}

export function instantiateCore(imports: CoreImports, build: CoreBuild = "default"): CoreInstance {
  const instance = new WebAssembly.Instance(coreModule(build), { host: { ...imports } });
  const raw = instance.exports as Record<string, unknown>;
  const layout: Record<string, number> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value instanceof WebAssembly.Global) layout[name] = value.value as number;
  }
  return { exports: raw as unknown as CoreExports, layout: layout as unknown as Layout };
}
