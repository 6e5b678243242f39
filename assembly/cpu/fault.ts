/**
 * fault.ts — raising guest exceptions from the middle of an instruction.
 *
 * x86 faults are precise: the faulting instruction has no effect and the
 * exception frame points at it. The interpreter orders every instruction so
 * that anything that can fault (a memory access, a divide) happens before
 * any register is written; a fault then records its vector and unwinds the
 * whole Wasm stack with `unreachable`. The host's run loop (src/core/)
 * catches the trap, sees FAULT_VECTOR, calls `deliverFault()` and re-enters.
 * Faults are rare (divide errors, #UD, #GP at offset FFFFh), so the fast
 * path pays nothing: no status checks after every access.
 *
 * This is not used for the 8086 divide error, whose frame points *past* the
 * instruction: the caller still unwinds, and deliverFault picks the return
 * address by model and vector.
 */
import { FAULT_VECTOR } from "../layout";

export const VEC_DIVIDE: i32 = 0;
export const VEC_DEBUG: i32 = 1;
export const VEC_NMI: i32 = 2;
export const VEC_BREAKPOINT: i32 = 3;
export const VEC_OVERFLOW: i32 = 4;
export const VEC_BOUND: i32 = 5;
export const VEC_INVALID_OPCODE: i32 = 6;
export const VEC_NO_FPU: i32 = 7;
export const VEC_GP: i32 = 13;

/** Abort the current instruction with a guest exception. Never returns. */
export function raiseFault(vector: i32): void {
  store<i32>(FAULT_VECTOR, vector);
  unreachable();
}
