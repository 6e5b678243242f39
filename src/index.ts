/**
 * wasm86 — public entry point.
 */
export { Machine, CPU_MODELS, ENGINES } from "./machine.js";
export { loadJit } from "./jit/load.js";
export { stopBackgroundWorker } from "./jit/background.js";
export type {
  CpuModel, Engine, MachineOptions, Registers, Registers32, RunResult, RunOptions, StopReason, PortHandler,
  MmioHandler, InterruptController, CoreStats,
} from "./machine.js";
export { runBare, bareMachine, LOAD_ADDRESS, DEBUG_CONSOLE_PORT } from "./bare.js";
export type { BareRunOptions, BareRunResult } from "./bare.js";
