/**
 * index.ts — the core's public surface (what the Wasm module exports).
 *
 * The host sees: the layout constants (to address state directly), the run
 * loop, machine set-up, the TLB/page controls that later features hook
 * into, and the instruction semantics helpers the JIT will call.
 */
export * from "./layout";
export { init, allocFrames, setA20, poke, clearShadow } from "./run";
export { run, execOne } from "./cpu/interp";
export { jitInstall, jitAddEntry, jitInvalidate, jitReset, jitSlot, EXIT_COMPILE, EXIT_DEOPT } from "./jit/dispatch";
export { deliverFault, interrupt } from "./cpu/interrupts";
export { getFlags, setFlags, materializeFlags, testConditionVar } from "./cpu/flags";
export { setSeg } from "./cpu/state";
export { setPortHandled } from "./io";
export {
  setPageFlags, getPageFlags, mapPageFrame, pageFrame, dirtyLogEnable, dirtyTest, dirtyClear, dirtyMark,
  tlbRefreshAll, PF_ROM, PF_MMIO, PF_CODE, PF_DIRTY_LOG, PF_COW, PF_UNMAPPED, PF_JIT_CODE,
} from "./memory/tlb";
export * from "./helpers";
