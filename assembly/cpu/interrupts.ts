/**
 * interrupts.ts — real-mode interrupt delivery and the events checked
 * between instructions (external IRQs, NMI, single-step trap, interrupt
 * shadow, HLT, breakpoints, host stop requests).
 *
 * Delivery: push FLAGS, CS, IP; clear IF and TF; jump through the vector
 * at linear address vector × 4 (the real-mode IVT; a 386 can move its
 * base with LIDT).
 */
import {
  EVENTS, IRQ_LINE, NMI_PENDING, SHADOW_AT, HALTED, STOP_REQUEST, BP_COUNT, BREAKPOINTS,
  REG_FLAGS, STAT_INTERRUPTS, STAT_EXCEPTIONS, FAULT_VECTOR, INSN_IP, REP_ACTIVE, ICOUNT, IDTR_BASE,
  JIT_LOOKUP,
} from "../layout";
import { getFlags, setFlagBits, IF, TF } from "./flags";
import { reg16, setReg16, segSel, segBase, setSeg, getIP, setIP, SP, SS, CS, model, MODEL_8086 } from "./state";
import { read16, write8 } from "../memory/tlb";
import { hostIrqAck } from "../host";
import { VEC_DIVIDE, VEC_DEBUG, VEC_NMI } from "./fault";
import { jitEnter } from "../jit/dispatch";

export const EXIT_BUDGET: i32 = 0;
export const EXIT_HALT: i32 = 1;
export const EXIT_BREAKPOINT: i32 = 2;
export const EXIT_STOP: i32 = 3;
/** Internal: nothing stops the loop. */
export const EXIT_NONE: i32 = -1;

/** Push a word without the 286's offset-FFFFh fault: interrupt delivery
 *  has no way to report a fault of its own in real mode. */
function pushRaw(v: i32): void {
  const sp = (reg16(SP) - 2) & 0xFFFF;
  const base = segBase(SS);
  write8(base + sp, v);
  write8(base + ((sp + 1) & 0xFFFF), v >> 8);
  setReg16(SP, sp);
}

/** Where an interrupted REP string instruction resumes on the 8086: its
 *  last prefix byte (set by string.ts when it yields between iterations). */
let repResumeIP8086: i32 = 0;
export function setRepResume8086(ip: i32): void { repResumeIP8086 = ip; }

/** Enter the handler of `vector` with `returnIP` as the pushed IP. */
export function interrupt(vector: i32, returnIP: i32): void {
  store<i32>(STAT_INTERRUPTS, load<i32>(STAT_INTERRUPTS) + 1);
  // The 8086 remembers only the last prefix of an interrupted REP string
  // instruction: with several prefixes (ES: REP MOVSB) the others are lost
  // on return. Later CPUs return to the first prefix.
  if (load<i32>(REP_ACTIVE) && model() == MODEL_8086) returnIP = repResumeIP8086;
  pushRaw(getFlags());
  pushRaw(segSel(CS));
  pushRaw(returnIP);
  setFlagBits(IF | TF, 0);
  // The vector table sits at IDTR's base: 0 unless a 386 guest moved it.
  const v = load<i32>(IDTR_BASE) + ((vector & 0xFF) << 2);
  // A table moved beyond what real mode can address (the TLB covers
  // 0–10FFFFh) reads as open bus.
  const inRange = <u32>v <= 0x10FFFC;
  const ip = inRange ? read16(v) : 0xFFFF;
  const cs = inRange ? read16(v + 2) : 0xFFFF;
  setSeg(CS, cs);
  setIP(ip);
  store<i32>(HALTED, 0);
  store<i32>(REP_ACTIVE, 0);
}

/** Deliver the fault recorded by raiseFault() after the trap unwound the
 *  instruction. The frame points at the faulting instruction, except for
 *  the 8086's divide error, which points past it. */
export function deliverFault(): void {
  const vector = load<i32>(FAULT_VECTOR);
  store<i32>(FAULT_VECTOR, -1);
  store<i32>(STAT_EXCEPTIONS, load<i32>(STAT_EXCEPTIONS) + 1);
  const ret = vector == VEC_DIVIDE && model() == MODEL_8086 ? getIP() : load<i32>(INSN_IP);
  interrupt(vector, ret);
}

/** STI (with IF clear), MOV SS and POP SS: no interrupt until one more
 *  instruction has run. */
export function beginShadow(): void {
  store<i64>(SHADOW_AT, load<i64>(ICOUNT));
  store<i32>(EVENTS, 1);
}

// Single-step: the ICOUNT at the boundary where an instruction began with
// TF = 1, or -1. The trap is taken at the first later boundary. Both this
// and the shadow are keyed to ICOUNT because a boundary can be examined
// more than once (run() returns there and is called again).
let trapArmedAt: i64 = -1;
// A breakpoint we stopped at is not hit again on the way out.
let skipBreakpointAt: i32 = -1;

function breakpointHit(): bool {
  const n = load<i32>(BP_COUNT);
  if (n == 0) return false;
  const lin = segBase(CS) + getIP();
  if (lin == skipBreakpointAt) { skipBreakpointAt = -1; return false; }
  skipBreakpointAt = -1;
  for (let i = 0; i < n; i++) {
    if (load<i32>(BREAKPOINTS + (i << 2)) == lin) return true;
  }
  return false;
}

/**
 * Everything that can happen between two instructions. Returns an exit code
 * for run() or EXIT_NONE to go on. Keeps EVENTS set while any condition
 * still needs checking before the next instruction.
 */
export function handleEvents(): i32 {
  if (load<i32>(STOP_REQUEST)) {
    store<i32>(STOP_REQUEST, 0);
    return EXIT_STOP;
  }
  const ic = load<i64>(ICOUNT);
  // The instruction that began with TF set has now run: trap after it.
  if (trapArmedAt >= 0 && ic > trapArmedAt) {
    trapArmedAt = -1;
    interrupt(VEC_DEBUG, getIP());
  }
  const shadowed = load<i64>(SHADOW_AT) == ic;
  if (!shadowed) {
    if (load<i32>(NMI_PENDING)) {
      store<i32>(NMI_PENDING, 0);
      interrupt(VEC_NMI, getIP());
    } else if (load<i32>(IRQ_LINE) && (load<i32>(REG_FLAGS) & IF)) {
      const vector = hostIrqAck();
      if (vector >= 0) interrupt(vector, getIP());
    }
  }
  // A handler called during the delivery (an MMIO stack page, the
  // controller's acknowledge) may have asked to stop: stop at the entry.
  if (load<i32>(STOP_REQUEST)) {
    store<i32>(STOP_REQUEST, 0);
    store<i32>(EVENTS, 1);
    return EXIT_STOP;
  }
  if (load<i32>(HALTED)) {
    store<i32>(EVENTS, 1);
    return EXIT_HALT;
  }
  if (breakpointHit()) {
    skipBreakpointAt = segBase(CS) + getIP();
    store<i32>(EVENTS, 1);
    return EXIT_BREAKPOINT;
  }
  const flags = load<i32>(REG_FLAGS);
  if ((flags & TF) && trapArmedAt < 0) trapArmedAt = ic;
  const again = (trapArmedAt >= 0 ? 1 : 0) | (shadowed ? 1 : 0) | load<i32>(NMI_PENDING)
    | load<i32>(BP_COUNT) | (load<i32>(IRQ_LINE) & ((flags & IF) ? 1 : 0));
  store<i32>(EVENTS, again ? 1 : 0);
  // Nothing else is pending: translated code may run from here (not in
  // an interrupt shadow — the shadowed instruction must run alone).
  if (load<i32>(JIT_LOOKUP) && !shadowed) return jitEnter();
  return EXIT_NONE;
}
