/**
 * io.ts — port I/O. A bitmap over the 64K port space says which ports a
 * host handler owns; only those leave Wasm. Every other port reads as
 * all ones (an undriven ISA bus) and drops writes, counted in the stats.
 */
import {
  PORT_BITMAP, STAT_PORT_IN, STAT_PORT_OUT, STAT_PORT_UNHANDLED_IN, STAT_PORT_UNHANDLED_OUT,
} from "./layout";
import { hostPortIn, hostPortOut } from "./host";

@inline function bump(stat: i32): void { store<i32>(stat, load<i32>(stat) + 1); }

@inline function owned(port: i32): bool {
  port &= 0xFFFF;
  return (load<u8>(PORT_BITMAP + (port >>> 3)) & (1 << (port & 7))) != 0;
}

/** Mark a port as owned (or not) by a host handler. */
export function setPortHandled(port: i32, on: bool): void {
  port &= 0xFFFF;
  const a = PORT_BITMAP + (port >>> 3);
  const bit = 1 << (port & 7);
  const old = <i32>load<u8>(a);
  store<u8>(a, <u8>(on ? old | bit : old & ~bit));
}

export function portIn(port: i32, size: i32): i32 {
  // A doubleword (386) crosses the 16-bit ISA bus as two word cycles.
  if (size == 4) return portIn(port, 2) | (portIn(port + 2, 2) << 16);
  port &= 0xFFFF;
  if (owned(port) || (size == 2 && owned(port + 1))) {
    bump(STAT_PORT_IN);
    return hostPortIn(port, size) & (size == 1 ? 0xFF : 0xFFFF);
  }
  bump(STAT_PORT_UNHANDLED_IN);
  return size == 1 ? 0xFF : 0xFFFF;
}

export function portOut(port: i32, size: i32, value: i32): void {
  if (size == 4) { portOut(port, 2, value); portOut(port + 2, 2, value >>> 16); return; }
  port &= 0xFFFF;
  if (owned(port) || (size == 2 && owned(port + 1))) {
    bump(STAT_PORT_OUT);
    hostPortOut(port, size, value & (size == 1 ? 0xFF : 0xFFFF));
    return;
  }
  bump(STAT_PORT_UNHANDLED_OUT);
}
