/**
 * run.ts — the run loop and machine reset.
 *
 *   run():  while budget left { events? → handleEvents;  ICOUNT++; step() }
 *
 * The loop never leaves Wasm except through the host imports (port/MMIO
 * handlers, IRQ acknowledge) and through a guest fault, which unwinds with a
 * trap that the host turns into deliverFault() + run() (see cpu/fault.ts).
 */
import {
  STATE, STATS, STATS_END, ICOUNT, ICOUNT_STOP, EVENTS, CPU_MODEL, MEM_SIZE, A20,
  FAULT_VECTOR, GUEST_BASE, MAX_MEM_SIZE, PORT_BITMAP, BP_COUNT, REG_FLAGS, INT_SHADOW,
} from "./layout";
import { step } from "./cpu/interp";
import { handleEvents, EXIT_NONE, EXIT_BUDGET } from "./cpu/interrupts";
import { memoryReset, tlbRefreshAll } from "./memory/tlb";
import { normalizeFlags } from "./cpu/flags";
import { setSeg, CS } from "./cpu/state";

/** Run until ICOUNT reaches ICOUNT_STOP or something stops the CPU.
 *  Returns an EXIT_* code (cpu/interrupts.ts). */
export function run(): i32 {
  for (;;) {
    if (load<i32>(EVENTS)) {
      const r = handleEvents();
      if (r != EXIT_NONE) return r;
    }
    const ic = load<i64>(ICOUNT);
    if (ic >= load<i64>(ICOUNT_STOP)) return EXIT_BUDGET;
    store<i64>(ICOUNT, ic + 1);
    step();
  }
  return EXIT_BUDGET; // not reached
}

/** End of guest RAM in linear memory; the frame pool starts here. */
let poolTop: i32 = 0;

/**
 * Set up a machine: `model` 0 = 8086, 1 = 286, 2 = 386; `memSize` bytes of
 * guest RAM (a multiple of 4 KiB, 64 KiB – 16 MiB). Returns 0, or -1 for a
 * bad argument (the TypeScript API reports it properly first).
 */
export function init(model: i32, memSize: i32): i32 {
  if (model < 0 || model > 2) return -1;
  if (memSize < 0x10000 || memSize > MAX_MEM_SIZE || (memSize & 0xFFF) != 0) return -1;
  const need = GUEST_BASE + memSize;
  const have = memory.size() << 16;
  if (need > have && memory.grow((need - have + 0xFFFF) >>> 16) < 0) return -1;
  memory.fill(STATE, 0, STATS_END - STATE);
  memory.fill(PORT_BITMAP, 0, 0x2000);
  memory.fill(GUEST_BASE, 0, memSize);
  store<i32>(CPU_MODEL, model);
  store<i32>(MEM_SIZE, memSize);
  store<i32>(A20, 1);
  store<i32>(FAULT_VECTOR, -1);
  store<i32>(REG_FLAGS, normalizeFlags(0));
  store<i32>(BP_COUNT, 0);
  setSeg(CS, 0);
  poolTop = GUEST_BASE + memSize;
  memoryReset();
  return 0;
}

/** Reserve `n` 4 KiB frames past guest RAM for shared (COW) pages; returns
 *  the host address of the first, or 0 if memory cannot grow. */
export function allocFrames(n: i32): i32 {
  const addr = poolTop;
  const need = addr + (n << 12);
  const have = memory.size() << 16;
  if (need > have && memory.grow((need - have + 0xFFFF) >>> 16) < 0) return 0;
  poolTop = need;
  return addr;
}

/** Gate A20: off makes 0x100000–0x10FFEF wrap to 0 like an 8086. */
export function setA20(on: bool): void {
  store<i32>(A20, on ? 1 : 0);
  tlbRefreshAll();
}

/** Make run() re-check events (after the host changed IRQ_LINE, NMI,
 *  breakpoints, or FLAGS.IF/TF). */
export function poke(): void { store<i32>(EVENTS, 1); }

/** Set the interrupt shadow as after MOV SS / STI. */
export function setShadow(n: i32): void { store<i32>(INT_SHADOW, n); store<i32>(EVENTS, 1); }

export { STATS, ICOUNT_STOP };
