/**
 * disk.ts — disk images and their geometry.
 *
 * A floppy's geometry follows from its size (160K … 2.88M, the standard
 * formats); a hard disk image gets a BIOS-style translated geometry of
 * 16 heads × 63 sectors (cylinders from the size, at most 1024). Writes go
 * to an in-memory copy-on-write overlay of 512-byte sectors unless the
 * image was opened writable, in which case the caller flushes them back.
 */

export interface Geometry { cylinders: number; heads: number; sectors: number }

export type DiskKind = "floppy" | "hard";

const FLOPPY_FORMATS: Record<number, Geometry & { type: number }> = {
  [160 * 1024]: { cylinders: 40, heads: 1, sectors: 8, type: 1 },
  [180 * 1024]: { cylinders: 40, heads: 1, sectors: 9, type: 1 },
  [320 * 1024]: { cylinders: 40, heads: 2, sectors: 8, type: 1 },
  [360 * 1024]: { cylinders: 40, heads: 2, sectors: 9, type: 1 },
  [720 * 1024]: { cylinders: 80, heads: 2, sectors: 9, type: 3 },
  [1200 * 1024]: { cylinders: 80, heads: 2, sectors: 15, type: 2 },
  [1440 * 1024]: { cylinders: 80, heads: 2, sectors: 18, type: 4 },
  [2880 * 1024]: { cylinders: 80, heads: 2, sectors: 36, type: 6 },
};

export const SECTOR = 512;
/** Largest image accepted (a 1024×16×63 CHS disk, ~504 MiB, and more for LBA). */
export const MAX_IMAGE = 2 * 1024 * 1024 * 1024 - SECTOR;

export class DiskError extends Error {}

export class Disk {
  readonly geometry: Geometry;
  /** CMOS/INT 13h drive type (floppies: 1 = 360K … 4 = 1.44M, 6 = 2.88M). */
  readonly driveType: number;
  /** Sectors written since load (the overlay); flush() hands them out. */
  private readonly overlay = new Map<number, Uint8Array>();

  constructor(readonly kind: DiskKind, private readonly image: Uint8Array, readonly name = "disk") {
    if (image.length === 0) throw new DiskError(`${name}: the image is empty`);
    if (image.length > MAX_IMAGE) throw new DiskError(`${name}: the image is larger than ${MAX_IMAGE} bytes`);
    if (kind === "floppy") {
      // A boot sector alone (or any image shorter than a real floppy) is
      // padded to 1.44 MB, as people run single-sector programs that way.
      const f = FLOPPY_FORMATS[image.length] ?? (image.length < 1440 * 1024 ? FLOPPY_FORMATS[1440 * 1024] : undefined);
      if (!f) throw new DiskError(`${name}: ${image.length} bytes is not a floppy size (160K, 180K, 320K, 360K, 720K, 1.2M, 1.44M, 2.88M)`);
      this.geometry = { cylinders: f.cylinders, heads: f.heads, sectors: f.sectors };
      this.driveType = f.type;
    } else {
      const sectors = Math.ceil(image.length / SECTOR);
      const cylinders = Math.max(1, Math.min(1024, Math.ceil(sectors / (16 * 63))));
      this.geometry = { cylinders, heads: 16, sectors: 63 };
      this.driveType = 0;
    }
  }

  /** Sectors the geometry addresses (CHS-visible). */
  get totalSectors(): number {
    const g = this.geometry;
    return this.kind === "floppy" ? g.cylinders * g.heads * g.sectors : Math.ceil(this.image.length / SECTOR);
  }

  /** LBA of a CHS address, or -1 if it is outside the geometry. */
  lba(cylinder: number, head: number, sector: number): number {
    const g = this.geometry;
    if (cylinder >= g.cylinders || head >= g.heads || sector < 1 || sector > g.sectors) return -1;
    return (cylinder * g.heads + head) * g.sectors + sector - 1;
  }

  /** Read one sector (zeros past the end of the image). */
  read(lba: number): Uint8Array {
    const o = this.overlay.get(lba);
    if (o) return o.slice();
    const out = new Uint8Array(SECTOR);
    const start = lba * SECTOR;
    if (start < this.image.length) out.set(this.image.subarray(start, Math.min(start + SECTOR, this.image.length)));
    return out;
  }

  write(lba: number, data: Uint8Array): void {
    if (data.length !== SECTOR) throw new RangeError("a sector is 512 bytes");
    this.overlay.set(lba, data.slice());
  }

  /** The image with the overlay applied (for writing back to the file). */
  contents(): Uint8Array {
    const size = Math.max(this.image.length, this.totalSectors * SECTOR);
    const out = new Uint8Array(size);
    out.set(this.image);
    for (const [lba, data] of this.overlay) out.set(data, lba * SECTOR);
    return out.subarray(0, Math.max(this.image.length, ...[...this.overlay.keys()].map((l) => (l + 1) * SECTOR)));
  }

  get dirty(): boolean { return this.overlay.size > 0; }
}
