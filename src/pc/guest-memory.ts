/**
 * guest-memory.ts — guest memory as the host-side services (BIOS, DOS) see
 * it. Their addresses come from guest registers, so nothing here throws: an
 * address past the end of RAM wraps at 1 MiB as a real-mode address does,
 * and one still outside RAM reads as FFh (open bus) and drops writes.
 * Ranges inside RAM go through in one piece. Every byte touched is counted
 * (`ops`): the BIOS charges the guest for that work (bios/bios.ts).
 */
import type { Machine } from "../machine.js";

export class GuestMem {
  private readonly size: number;
  /** Guest-memory bytes read or written so far. */
  ops = 0;
  constructor(readonly machine: Machine) { this.size = machine.memorySize; }
  private at(a: number): number {
    if (a >= 0 && a < this.size) return a;
    const w = a & 0xfffff;
    return w < this.size ? w : -1;
  }
  u8(a: number): number { this.ops++; const p = this.at(a); return p < 0 ? 0xff : this.machine.readByte(p); }
  u16(a: number): number { return this.u8(a) | (this.u8(a + 1) << 8); }
  u32(a: number): number { return (this.u16(a) | (this.u16(a + 2) << 16)) >>> 0; }
  set8(a: number, v: number): void { this.ops++; const p = this.at(a); if (p >= 0) this.machine.writeByte(p, v & 0xff); }
  set16(a: number, v: number): void { this.set8(a, v); this.set8(a + 1, v >> 8); }
  set32(a: number, v: number): void { this.set16(a, v); this.set16(a + 2, v >>> 16); }
  /** Read `n` bytes. */
  read(a: number, n: number): Uint8Array {
    if (a >= 0 && a + n <= this.size) { this.ops += n; return this.machine.read(a, n); }
    return Uint8Array.from({ length: n }, (_, i) => this.u8(a + i));
  }
  write(a: number, bytes: ArrayLike<number>): void {
    if (a >= 0 && a + bytes.length <= this.size) { this.ops += bytes.length; this.machine.write(a, bytes); return; }
    for (let i = 0; i < bytes.length; i++) this.set8(a + i, bytes[i]);
  }
  /** The NUL-terminated string at `a`, at most `max` bytes (undefined if
   *  no NUL within them). Bytes map to chars 1:1 (Latin-1). */
  asciz(a: number, max = 128): string | undefined {
    const bytes = this.read(a, max);
    const end = bytes.indexOf(0);
    return end < 0 ? undefined : String.fromCharCode(...bytes.subarray(0, end));
  }
}
