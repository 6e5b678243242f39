/**
 * state.ts — register accessors over the fixed-address CPU state.
 *
 * Register numbers are x86 encodings: 16/32-bit AX CX DX BX SP BP SI DI =
 * 0..7; 8-bit AL CL DL BL AH CH DH BH = 0..7 (4..7 are the high bytes of
 * 0..3); segments ES CS SS DS FS GS = 0..5.
 */
import { REGS, REG_IP, SEG_SEL, SEG_BASE, CPU_MODEL, JIT_ENABLED, JIT_LOOKUP, EVENTS } from "../layout";

export const AX: i32 = 0; export const CX: i32 = 1; export const DX: i32 = 2; export const BX: i32 = 3;
export const SP: i32 = 4; export const BP: i32 = 5; export const SI: i32 = 6; export const DI: i32 = 7;
export const ES: i32 = 0; export const CS: i32 = 1; export const SS: i32 = 2; export const DS: i32 = 3;
export const FS: i32 = 4; export const GS: i32 = 5;

export const MODEL_8086: i32 = 0;
export const MODEL_286: i32 = 1;
export const MODEL_386: i32 = 2;

@inline export function model(): i32 { return load<i32>(CPU_MODEL); }
@inline export function is386(): bool { return load<i32>(CPU_MODEL) == MODEL_386; }

@inline export function reg32(r: i32): i32 { return load<i32>(REGS + (r << 2)); }
@inline export function setReg32(r: i32, v: i32): void { store<i32>(REGS + (r << 2), v); }

/** Zero-extend an i32 to 64 bits. Written as sign-extend-and-mask because
 *  `<u64><u32>x` of an inlined i32 load was folded into `i64.load32_s`
 *  (sign-extending) by asc 0.28.20 at -O3 — caught by tests/diff386. */
@inline export function zext64(x: i32): u64 { return <u64><i64>x & 0xFFFFFFFF; }

@inline export function reg16(r: i32): i32 { return <i32>load<u16>(REGS + (r << 2)); }
@inline export function setReg16(r: i32, v: i32): void { store<u16>(REGS + (r << 2), <u16>v); }

/** Address of 8-bit register r: AL CL DL BL at byte 0, AH CH DH BH at byte 1. */
@inline export function reg8Addr(r: i32): i32 { return REGS + ((r & 3) << 2) + (r >> 2); }
@inline export function reg8(r: i32): i32 { return <i32>load<u8>(reg8Addr(r)); }
@inline export function setReg8(r: i32, v: i32): void { store<u8>(reg8Addr(r), <u8>v); }

@inline export function getIP(): i32 { return load<i32>(REG_IP); }
/** IP after a control transfer. With the translator on, the new IP may
 *  start a translated block: look it up at the next boundary. */
@inline export function setIP(v: i32): void {
  store<i32>(REG_IP, v & 0xFFFF);
  if (load<i32>(JIT_ENABLED)) { store<i32>(JIT_LOOKUP, 1); store<i32>(EVENTS, 1); }
}

@inline export function segSel(s: i32): i32 { return load<i32>(SEG_SEL + (s << 2)); }
@inline export function segBase(s: i32): i32 { return load<i32>(SEG_BASE + (s << 2)); }

/** Load a segment register in real mode: the base is selector × 16. */
@inline export function setSeg(s: i32, sel: i32): void {
  sel &= 0xFFFF;
  store<i32>(SEG_SEL + (s << 2), sel);
  store<i32>(SEG_BASE + (s << 2), sel << 4);
}
