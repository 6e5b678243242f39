/**
 * run.ts — machine set-up: init (model, memory size), the frame pool for
 * shared pages, the A20 gate and host pokes. The run loop itself is in
 * cpu/interp.ts.
 */
import {
  STATE, STATS, STATS_END, ICOUNT_STOP, EVENTS, CPU_MODEL, MEM_SIZE, A20,
  FAULT_VECTOR, GUEST_BASE, MAX_MEM_SIZE, PORT_BITMAP, BP_COUNT, REG_FLAGS, SHADOW_AT,
  CR0, IDTR_LIMIT, JIT_ENABLED, JIT_STAT_INSNS, JIT_CUT, CODE_BITMAP, CODE_BITMAP_LIMIT,
} from "./layout";
import { memoryReset, tlbRefreshAll } from "./memory/tlb";
import { normalizeFlags } from "./cpu/flags";
import { setSeg, CS } from "./cpu/state";
import { jitReset } from "./jit/dispatch";

/** End of guest RAM in linear memory; the frame pool starts here. */
let poolTop: i32 = 0;
/** No init() yet: linear memory is as instantiated, all zeros. */
let pristine = true;

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
  // Fresh memory is zero already; filling it would touch (fault in) every
  // page of guest RAM — ~4 ms a machine on a VM, most of a short run.
  if (!pristine) memory.fill(GUEST_BASE, 0, memSize);
  pristine = false;
  store<i32>(CPU_MODEL, model);
  store<i32>(MEM_SIZE, memSize);
  store<i32>(A20, 1);
  store<i32>(FAULT_VECTOR, -1);
  store<i64>(SHADOW_AT, -1);
  store<i32>(REG_FLAGS, normalizeFlags(0));
  store<i32>(BP_COUNT, 0);
  // The 286's reserved MSW bits read as ones; the 386 has ET (bit 4) set.
  store<i32>(CR0, model == 1 ? 0xFFF0 : model == 2 ? 0x10 : 0);
  store<i32>(IDTR_LIMIT, 0x3FF);
  memory.fill(JIT_ENABLED, 0, JIT_STAT_INSNS + 8 - JIT_ENABLED);
  store<i64>(JIT_CUT, i64.MIN_VALUE >> 1); // no cut yet
  memory.fill(CODE_BITMAP, 0, CODE_BITMAP_LIMIT >>> 8);
  jitReset();
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

/** End any interrupt shadow (the host replaced the registers). */
export function clearShadow(): void { store<i64>(SHADOW_AT, -1); store<i32>(EVENTS, 1); }

export { STATS, ICOUNT_STOP };
