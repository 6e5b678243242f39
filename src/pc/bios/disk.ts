/**
 * disk.ts — INT 13h, the disk BIOS: reset, CHS read/write/verify (multi-
 * sector, crossing tracks and heads), drive parameters and type, and the
 * extended (LBA) functions 41h/42h/43h/48h for hard disks.
 *
 * Drives: 00h/01h floppies, 80h/81h hard disks. Status of the last
 * operation is kept per drive class (AH=01h) and in the BDA.
 */
import type { Bios, BiosCall } from "./bios.js";
import { DISKETTE_STATUS, HD_STATUS } from "./bda.js";
import { SECTOR, type Disk } from "../disk.js";
import { BIOS_SEGMENT, DISKETTE_TABLE } from "./rom.js";

const ST_OK = 0x00, ST_BAD_COMMAND = 0x01, ST_NOT_FOUND = 0x04, ST_BOUNDARY = 0x09, ST_TIMEOUT = 0x80;

export class DiskBios {
  constructor(private readonly bios: Bios, private readonly drives: Map<number, Disk>) {}

  private status(drive: number, st: number, c: BiosCall): void {
    this.bios.mem.set8(drive & 0x80 ? HD_STATUS : DISKETTE_STATUS, st);
    c.setAH(st);
    c.carry(st !== ST_OK);
  }

  service = (c: BiosCall): void => {
    const drive = c.dl;
    const disk = this.drives.get(drive);
    switch (c.ah) {
      case 0x00: this.status(drive, disk || drive < 0x80 ? ST_OK : ST_TIMEOUT, c); return;
      case 0x01: { const st = this.bios.mem.u8(drive & 0x80 ? HD_STATUS : DISKETTE_STATUS); c.setAH(st); c.carry(st !== 0); return; }
      case 0x02: case 0x03: case 0x04: return this.chs(c, disk);
      case 0x08: return this.parameters(c, disk);
      case 0x15: // drive type: AH = 0 none, 1 floppy without change line, 2 with, 3 hard disk
        if (!disk) { c.setAH(0); c.carry(drive >= 0x80); return; }
        if (disk.kind === "floppy") { c.setAH(0x02); c.carry(false); return; }
        c.set({ cx: disk.totalSectors >>> 16, dx: disk.totalSectors & 0xffff }); c.setAH(0x03); c.carry(false); return;
      case 0x16: c.setAH(0); c.carry(false); return; // disk change: not changed
      case 0x41:
        if (!disk || disk.kind !== "hard" || c.bx !== 0x55aa) { this.status(drive, ST_BAD_COMMAND, c); return; }
        c.set({ bx: 0xaa55, cx: 0x0001 }); c.setAH(0x21); c.carry(false); return; // EDD 1.1, extended access
      case 0x42: case 0x43: return this.extended(c, disk);
      case 0x48: return this.extendedParameters(c, disk);
      default: this.bios.unsupported(c); this.status(drive, ST_BAD_COMMAND, c);
    }
  };

  private chs(c: BiosCall, disk: Disk | undefined): void {
    const drive = c.dl, count = c.al;
    if (!disk) { c.setAL(0); this.status(drive, ST_TIMEOUT, c); return; }
    const cylinder = c.ch | ((c.cl & 0xc0) << 2), sector = c.cl & 0x3f, head = c.dh;
    let lba = disk.lba(cylinder, head, sector);
    if (lba < 0 || count === 0) { c.setAL(0); this.status(drive, lba < 0 ? ST_NOT_FOUND : ST_BAD_COMMAND, c); return; }
    let buf = (c.es << 4) + c.bx;
    // Floppy DMA cannot cross a 64 KiB physical boundary.
    if (disk.kind === "floppy" && c.ah !== 0x04 && (buf & 0xffff) + count * SECTOR > 0x10000) {
      c.setAL(0); this.status(drive, ST_BOUNDARY, c); return;
    }
    let done = 0;
    for (; done < count; done++, lba++) {
      if (lba >= disk.totalSectors) break;
      if (c.ah === 0x02) this.bios.mem.write(buf, disk.read(lba));
      else if (c.ah === 0x03) disk.write(lba, this.bios.mem.read(buf, SECTOR));
      buf += SECTOR;
    }
    c.setAL(done);
    this.status(drive, done === count ? ST_OK : ST_NOT_FOUND, c);
  }

  private parameters(c: BiosCall, disk: Disk | undefined): void {
    const drive = c.dl;
    const count = [...this.drives.keys()].filter((d) => (d & 0x80) === (drive & 0x80)).length;
    if (!disk) { this.status(drive, ST_BAD_COMMAND, c); c.setDL(count); return; }
    const g = disk.geometry;
    const maxCyl = g.cylinders - 1;
    c.set({ cx: ((maxCyl & 0xff) << 8) | ((maxCyl >> 2) & 0xc0) | g.sectors, dx: ((g.heads - 1) << 8) | count });
    if (disk.kind === "floppy") { c.setBL(disk.driveType); c.set({ es: BIOS_SEGMENT, di: DISKETTE_TABLE }); }
    this.status(drive, ST_OK, c);
  }

  /** AH=42h/43h: DS:SI → disk address packet (size, 0, count, buffer, LBA). */
  private extended(c: BiosCall, disk: Disk | undefined): void {
    const drive = c.dl;
    if (!disk || disk.kind !== "hard") { this.status(drive, ST_BAD_COMMAND, c); return; }
    const m = this.bios.mem;
    const p = (c.ds << 4) + c.si;
    const count = m.u16(p + 2);
    const bufOff = m.u16(p + 4), bufSeg = m.u16(p + 6);
    const lbaLo = m.u32(p + 8), lbaHi = m.u32(p + 12);
    if (lbaHi !== 0 || lbaLo + count > disk.totalSectors) { m.set16(p + 2, 0); this.status(drive, ST_NOT_FOUND, c); return; }
    let buf = (bufSeg << 4) + bufOff;
    for (let i = 0; i < count; i++, buf += SECTOR) {
      if (c.ah === 0x42) this.bios.mem.write(buf, disk.read(lbaLo + i));
      else disk.write(lbaLo + i, this.bios.mem.read(buf, SECTOR));
    }
    this.status(drive, ST_OK, c);
  }

  private extendedParameters(c: BiosCall, disk: Disk | undefined): void {
    const drive = c.dl;
    if (!disk || disk.kind !== "hard") { this.status(drive, ST_BAD_COMMAND, c); return; }
    const m = this.bios.mem;
    const p = (c.ds << 4) + c.si;
    const g = disk.geometry;
    m.set16(p, 0x1a);
    m.set16(p + 2, 0x0002); // geometry valid
    m.set32(p + 4, g.cylinders); m.set32(p + 8, g.heads); m.set32(p + 12, g.sectors);
    m.set32(p + 16, disk.totalSectors); m.set32(p + 20, 0);
    m.set16(p + 24, SECTOR);
    this.status(drive, ST_OK, c);
  }
}
