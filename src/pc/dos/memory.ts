/**
 * memory.ts — DOS memory management (INT 21h AH=48h/49h/4Ah) over a real
 * memory control block (MCB) chain in guest RAM, as MS-DOS keeps it.
 *
 * Each block is preceded by a 16-byte MCB one paragraph below it:
 *   +0 type 'M' (4Dh, more follow) or 'Z' (5Ah, last)   +1 owner PSP
 *   (0 = free)   +3 size in paragraphs (excluding the MCB)   +8 name (DOS 4+)
 * The chain starts at FIRST_MCB (the environment's block), then the
 * program's block, which — as DOS does for a .COM — gets all the rest of
 * conventional memory. So AH=48h fails until the program shrinks itself with
 * AH=4Ah, exactly as on DOS. Allocation is first fit; adjacent free blocks
 * are merged when the chain is walked. Because the chain lives in guest
 * memory, programs that walk or corrupt it see what they would on DOS (a
 * corrupt chain gives error 7). This is not DOS's upper-memory or
 * allocation-strategy support (AH=58h is not implemented).
 */
import { E, type GuestMem } from "./common.js";

const MCB_M = 0x4d;
const MCB_Z = 0x5a;

/** One block of the chain as read from guest memory. */
interface Block { mcb: number; type: number; owner: number; size: number }

/** A failed request: the DOS error code and, for AH=48h/4Ah, the largest
 *  size that would have succeeded (returned in BX). */
export interface MemoryError { error: number; largest?: number }

/** The MCB chain from `first` up to `top`, and the 48h/49h/4Ah operations. */
export class DosMemory {
  /** @param first segment of the first MCB; @param top first segment past
   *  the memory DOS manages (A000h for 640 KiB). */
  constructor(private readonly mem: GuestMem, readonly first: number, readonly top: number) {}

  private read(mcb: number): Block {
    const a = mcb << 4;
    return { mcb, type: this.mem.u8(a), owner: this.mem.u16(a + 1), size: this.mem.u16(a + 3) };
  }

  private write(b: Block, name?: string): void {
    const a = b.mcb << 4;
    this.mem.set8(a, b.type);
    this.mem.set16(a + 1, b.owner);
    this.mem.set16(a + 3, b.size);
    for (let i = 5; i < 8; i++) this.mem.set8(a + i, 0);
    if (name !== undefined) for (let i = 0; i < 8; i++) this.mem.set8(a + 8 + i, i < name.length ? name.charCodeAt(i) : 0);
  }

  /** Build a fresh chain: one block per entry of `blocks` (owner, size,
   *  name), then the last block extends to `top`. */
  init(blocks: { owner: number; size?: number; name?: string }[]): void {
    let mcb = this.first;
    blocks.forEach((b, i) => {
      const last = i === blocks.length - 1;
      const size = last ? this.top - mcb - 1 : b.size ?? 0;
      this.write({ mcb, type: last ? MCB_Z : MCB_M, owner: b.owner, size }, b.name ?? "");
      mcb += size + 1;
    });
  }

  /** The chain, merging runs of free blocks on the way; undefined if it is
   *  corrupt (bad type byte, or a block running past `top`). */
  private walk(): Block[] | undefined {
    const out: Block[] = [];
    let mcb = this.first;
    for (let guard = 0; guard < 0x10000; guard++) {
      const b = this.read(mcb);
      if ((b.type !== MCB_M && b.type !== MCB_Z) || mcb + 1 + b.size > this.top) return undefined;
      const prev = out[out.length - 1];
      if (prev && prev.owner === 0 && b.owner === 0) {
        prev.size += b.size + 1;
        prev.type = b.type;
        this.write(prev);
      } else {
        out.push(b);
      }
      if (b.type === MCB_Z) return out;
      mcb += b.size + 1;
    }
    return undefined;
  }

  /** Split `b` so it keeps `size` paragraphs; the rest becomes a free block. */
  private split(b: Block, size: number): void {
    if (b.size <= size) return;
    const rest: Block = { mcb: b.mcb + 1 + size, type: b.type, owner: 0, size: b.size - size - 1 };
    b.type = MCB_M;
    b.size = size;
    this.write(rest, "");
    this.write(b);
    // The split-off block may now touch another free block: merge them.
    this.walk();
  }

  /** AH=48h: allocate `paragraphs` for `owner`; the segment of the block. */
  allocate(paragraphs: number, owner: number): number | MemoryError {
    const chain = this.walk();
    if (!chain) return { error: E.MCB_DESTROYED };
    let largest = 0;
    for (const b of chain) {
      if (b.owner !== 0) continue;
      if (b.size >= paragraphs) {
        b.owner = owner;
        this.write(b);
        this.split(b, paragraphs);
        return b.mcb + 1;
      }
      largest = Math.max(largest, b.size);
    }
    return { error: E.INSUFFICIENT_MEMORY, largest };
  }

  /** The block whose data starts at `segment`, if it is in the chain. */
  private find(segment: number): { chain: Block[]; i: number } | MemoryError {
    const chain = this.walk();
    if (!chain) return { error: E.MCB_DESTROYED };
    const i = chain.findIndex((b) => b.mcb + 1 === segment);
    return i < 0 ? { error: E.INVALID_BLOCK } : { chain, i };
  }

  /** AH=49h: free the block at `segment`; 0 or a DOS error. */
  free(segment: number): number {
    const f = this.find(segment);
    if ("error" in f) return f.error;
    const b = f.chain[f.i];
    b.owner = 0;
    this.write(b);
    this.walk();
    return 0;
  }

  /** AH=4Ah: resize the block at `segment` to `paragraphs`. On failure the
   *  block is unchanged and `largest` is the most it could grow to. */
  resize(segment: number, paragraphs: number): 0 | MemoryError {
    const f = this.find(segment);
    if ("error" in f) return f;
    const b = f.chain[f.i];
    const next = f.chain[f.i + 1];
    const room = b.size + (next && next.owner === 0 ? next.size + 1 : 0);
    if (paragraphs > room) return { error: E.INSUFFICIENT_MEMORY, largest: room };
    if (paragraphs > b.size && next) {
      // Take the free neighbour over, then give back what is not needed.
      b.size = room;
      b.type = next.type;
      this.write(b);
    }
    this.split(b, paragraphs);
    return 0;
  }

  /** The chain as (segment, owner, paragraphs) triples, for tests and
   *  diagnostics; undefined if it is corrupt. */
  blocks(): { segment: number; owner: number; paragraphs: number }[] | undefined {
    return this.walk()?.map((b) => ({ segment: b.mcb + 1, owner: b.owner, paragraphs: b.size }));
  }
}
