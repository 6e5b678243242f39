/**
 * emitter/bytes.ts — byte output for the writer: Bytes, a growable buffer
 * for the sections (with length-prefixing after the fact), and the LEB128
 * writers that the code writer calls on a buffer it has already made room in.
 *
 * Not what is written (module.ts writes sections, body.ts function bodies).
 */

/** `a` itself if it has room for `need` more elements past `used`;
 *  otherwise a copy of its first `used`, its length doubled until they
 *  fit. The emitter's one way of growing a buffer. */
export function grown<T extends Uint8Array | Int32Array>(a: T, used: number, need: number): T {
  if (used + need <= a.length) return a;
  let size = a.length * 2;
  while (size < used + need) size *= 2;
  const g = new (a.constructor as new (length: number) => T)(size);
  g.set(a.subarray(0, used) as ArrayLike<number>);
  return g;
}

export class Bytes {
  buf: Uint8Array;
  pos = 0;
  constructor(size = 1 << 14) { this.buf = new Uint8Array(size); }

  grow(need: number): void { this.buf = grown(this.buf, this.pos, need); }
  byte(v: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    v >>>= 0;
    while (v >= 0x80) { buf[this.pos++] = (v & 0x7f) | 0x80; v >>>= 7; }
    buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A name: its UTF-8 length and bytes. */
  name(b: Uint8Array): void { this.u32(b.length); this.bytes(b); }
  /** Prefix what was written since `start` with its length (LEB128). */
  sized(start: number): void {
    const len = this.pos - start;
    let n = 1;
    for (let v = len >>> 7; v; v >>>= 7) n++;
    if (this.pos + n > this.buf.length) this.grow(n);
    this.buf.copyWithin(start + n, start, this.pos);
    const end = this.pos + n;
    this.pos = start;
    this.u32(len);
    this.pos = end;
  }
}

/** Bytes of the unsigned LEB128 of `v`. */
export function lebSize(v: number): number {
  let n = 1;
  for (v >>>= 7; v; v >>>= 7) n++;
  return n;
}

/** LEB128 writers on a buffer known to have room: they return the new end. */
export function putU32(buf: Uint8Array, pos: number, v: number): number {
  v >>>= 0;
  while (v >= 0x80) { buf[pos++] = (v & 0x7f) | 0x80; v >>>= 7; }
  buf[pos++] = v;
  return pos;
}

export function putS32(buf: Uint8Array, pos: number, v: number): number {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { buf[pos++] = b; return pos; }
    buf[pos++] = b | 0x80;
  }
}

/** Signed LEB128 of the 64-bit value hi:lo (two int32 halves). */
export function putS64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  if (hi === lo >> 31) return putS32(buf, pos, lo);
  let l = lo >>> 0, h = hi | 0;
  for (;;) {
    const b = l & 0x7f;
    l = ((l >>> 7) | (h << 25)) >>> 0;
    h >>= 7;
    if ((h === 0 && l === 0 && (b & 0x40) === 0) || (h === -1 && l === 0xffffffff && (b & 0x40) !== 0)) {
      buf[pos++] = b;
      return pos;
    }
    buf[pos++] = b | 0x80;
  }
}
