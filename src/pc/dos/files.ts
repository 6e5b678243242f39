/**
 * files.ts — DOS file handles and directory search over ONE host directory
 * (the "root", drive C:\): INT 21h AH=3Ch–43h, 44h/00h, 47h, 4Eh/4Fh.
 *
 * Sandboxing: a DOS path is resolved component by component against the
 * host directory's entries, case-insensitively, and only entries whose host
 * names already are valid 8.3 names are visible (no ~1 mangling). `..` in
 * any position, absolute paths (a leading \ or /, including after C:) and
 * drive letters other than C: are refused with error 3 (path not found);
 * an entry that resolves (through a symlink) outside the root, or does not
 * resolve at all, is refused with error 5 (access denied) and left out of
 * directory searches. Nothing outside the root can be named, and new files
 * are created with O_NOFOLLOW. Over-long name parts are truncated to 8.3,
 * as DOS does. The device names CON, NUL, AUX and PRN (with any extension,
 * in any directory) open devices; AUX and PRN behave like NUL.
 *
 * Handles 0–4 are stdin, stdout, stderr (CON), aux and prn; there are at
 * most 20 handles, as in the PSP's job file table (whose bytes are kept in
 * step: FFh = closed). File times are the host's (local time); DOS's own
 * clock does not stamp files. Not implemented: sharing modes (ignored),
 * handle duplication (45h/46h), FCB functions, directories (39h–3Bh).
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import type { BiosCall } from "../bios/bios.js";
import type { DosConsole } from "./console.js";
import { E, fail, ok, linear, type GuestMem, type Outcome } from "./common.js";

/** The job file table's size: handles 0–19. */
export const MAX_HANDLES = 20;
/** FAT16's largest file (2 GiB − 1): the default cap on file growth. */
export const FAT16_MAX_FILE = 0x7fffffff;

type Device = "con" | "nul";
interface OpenFile { kind: "file"; fd: number; pos: number; access: number; written: boolean }
interface OpenDevice { kind: "device"; device: Device }
type Handle = OpenFile | OpenDevice;

/** What the file functions need from the rest of DOS. */
export interface FilesContext {
  mem: GuestMem;
  console: DosConsole;
  /** The running program's PSP segment (for the job file table). */
  psp(): number;
  /** Linear address of the current disk transfer area. */
  dta(): number;
}

/** A name part split into base and extension, upper case, 8.3-truncated. */
interface Name83 { base: string; ext: string }

/** A resolved path: a device, or a name in a host directory (host and st:
 *  the existing entry's host path and stats, if there is one). */
type Resolved = { device: Device } | { dir: string; name: Name83; host?: string; st?: fs.Stats };

const DEVICES = new Map<string, Device>([["CON", "con"], ["NUL", "nul"], ["AUX", "nul"], ["PRN", "nul"]]);
const INVALID_CHARS = new Set([...'"+,/:;<=>[\\]| .']);
const DTA_MAGIC = [0x57, 0x38, 0x36, 0x00]; // "W86": marks a DTA holding our search state

const upper = (s: string) => s.replace(/[a-z]/g, (ch) => ch.toUpperCase());
const canonical = (n: Name83) => (n.ext ? `${n.base}.${n.ext}` : n.base);

/** Parse one path component as DOS does: upper case, at most one dot,
 *  parts truncated to 8 and 3 characters. Undefined if it has characters
 *  DOS forbids (or wildcards, unless allowed). */
function parse83(s: string, wildcards: boolean): Name83 | undefined {
  const dot = s.indexOf(".");
  const base = dot < 0 ? s : s.slice(0, dot);
  const ext = dot < 0 ? "" : s.slice(dot + 1);
  if (base.length === 0) return undefined;
  for (const ch of base + ext) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code > 0xff) return undefined;
    if (ch === "?" || ch === "*") { if (!wildcards) return undefined; continue; }
    if (INVALID_CHARS.has(ch)) return undefined;
  }
  return { base: upper(base.slice(0, 8)), ext: upper(ext.slice(0, 3)) };
}

/** The DOS name of a host entry, if the host name is already a valid 8.3
 *  name (printable ASCII, no truncation needed). */
function hostName83(name: string): string | undefined {
  if (!/^[\x21-\x7e]+$/.test(name)) return undefined;
  const n = parse83(name, false);
  if (!n) return undefined;
  const dot = name.indexOf(".");
  if ((dot < 0 ? name.length : dot) > 8 || (dot >= 0 && name.length - dot - 1 > 3)) return undefined;
  return canonical(n);
}

/** An 11-character FCB-style template ("*" fills its field with "?"). */
function template(n: Name83): string {
  const field = (s: string, len: number) => {
    const star = s.indexOf("*");
    return (star < 0 ? s : s.slice(0, star).padEnd(len, "?")).padEnd(len, " ").slice(0, len);
  };
  return field(n.base, 8) + field(n.ext, 3);
}

function matches(tpl: string, dosName: string): boolean {
  const dot = dosName.indexOf(".");
  const n = (dot < 0 ? dosName : dosName.slice(0, dot)).padEnd(8, " ") + (dot < 0 ? "" : dosName.slice(dot + 1)).padEnd(3, " ");
  for (let i = 0; i < 11; i++) if (tpl[i] !== "?" && tpl[i] !== n[i]) return false;
  return true;
}

/** DOS attribute bits of a host entry: directory 10h, else archive 20h;
 *  read-only 01h when the owner may not write. */
function attributesOf(st: fs.Stats): number {
  return (st.isDirectory() ? 0x10 : 0x20) | (st.mode & 0o200 ? 0 : 0x01);
}

/** DOS packed time and date of a host time (local time, 1980–2107). */
function dosDateTime(d: Date): { time: number; date: number } {
  if (d.getFullYear() < 1980) return { time: 0, date: (1 << 5) | 1 };
  const y = Math.min(d.getFullYear(), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((y - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** DOS error for a failed host file operation. */
function hostError(e: unknown): number {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return E.FILE_NOT_FOUND;
  if (code === "ENOTDIR") return E.PATH_NOT_FOUND;
  if (code === "EMFILE" || code === "ENFILE") return E.TOO_MANY_FILES;
  return E.ACCESS_DENIED;
}

/** The job file table and the handle and search functions over the root. */
export class DosFiles {
  private readonly rootReal: string;
  private handles: (Handle | undefined)[] = [];
  /** Directories searched by 4Eh; a DTA refers to one by index. */
  private readonly searchDirs: string[] = [];

  /** @param root the host directory that is C:\ (must exist).
   *  @param maxFileSize files never grow past this; a write beyond it
   *  writes what fits and returns the count, as DOS does on a full disk. */
  constructor(root: string, private readonly ctx: FilesContext, private readonly maxFileSize = FAT16_MAX_FILE) {
    this.rootReal = fs.realpathSync(root);
    this.reset();
  }

  /** Close every file and reopen the five standard handles. */
  reset(): void {
    for (const h of this.handles) if (h?.kind === "file") { try { fs.closeSync(h.fd); } catch { /* already gone */ } }
    const con: OpenDevice = { kind: "device", device: "con" };
    const nul: OpenDevice = { kind: "device", device: "nul" };
    this.handles = [con, con, con, nul, nul];
    for (let h = 5; h < MAX_HANDLES; h++) this.handles.push(undefined);
  }

  /** The job file table bytes DOS puts in a new PSP (at 18h). */
  static initialJft(): number[] { return [0x01, 0x01, 0x01, 0x00, 0x02, ...new Array<number>(MAX_HANDLES - 5).fill(0xff)]; }

  // ------------------------------------------------------- path handling

  private inside(real: string): boolean {
    return real === this.rootReal || real.startsWith(this.rootReal.endsWith(nodePath.sep) ? this.rootReal : this.rootReal + nodePath.sep);
  }

  /** Visible entries of a host directory as (host path, DOS name), sorted
   *  by DOS name; of names that differ only in case, the first in host
   *  order wins. */
  private listing(dir: string): { host: string; dos: string }[] {
    let names: string[];
    try { names = fs.readdirSync(dir).sort(); } catch { return []; }
    const seen = new Set<string>();
    const out: { host: string; dos: string }[] = [];
    for (const name of names) {
      const dos = hostName83(name);
      if (!dos || seen.has(dos)) continue;
      seen.add(dos);
      out.push({ host: nodePath.join(dir, name), dos });
    }
    return out.sort((a, b) => (a.dos < b.dos ? -1 : a.dos > b.dos ? 1 : 0));
  }

  /** Stats of an entry if it (after symlinks) lies inside the root. */
  private safeStat(host: string): fs.Stats | undefined {
    try {
      const real = fs.realpathSync(host);
      return this.inside(real) ? fs.statSync(real) : undefined;
    } catch {
      return undefined;
    }
  }

  private lookup(dir: string, dosName: string): string | undefined {
    return this.listing(dir).find((e) => e.dos === dosName)?.host;
  }

  /** Resolve a DOS path to a device or a host directory entry; a DOS error
   *  code if it is malformed or not allowed. */
  resolve(path: string, wildcards = false): Resolved | number {
    let s = path;
    if (/^[A-Za-z]:/.test(s)) {
      if (upper(s[0]) !== "C") return E.PATH_NOT_FOUND;
      s = s.slice(2);
    }
    if (s.startsWith("\\") || s.startsWith("/")) return E.PATH_NOT_FOUND; // absolute: refused
    const parts = s.split(/[\\/]/);
    if (parts.includes("..")) return E.PATH_NOT_FOUND;
    let dir = this.rootReal;
    for (const part of parts.slice(0, -1)) {
      if (part === ".") continue;
      const n = parse83(part, false);
      const host = n && this.lookup(dir, canonical(n));
      if (!host) return E.PATH_NOT_FOUND;
      const st = this.safeStat(host);
      if (!st) return E.ACCESS_DENIED;
      if (!st.isDirectory()) return E.PATH_NOT_FOUND;
      dir = fs.realpathSync(host);
    }
    const name = parse83(parts[parts.length - 1], wildcards);
    if (!name) return E.PATH_NOT_FOUND;
    const device = DEVICES.get(name.base);
    if (!wildcards && device) return { device };
    if (wildcards) return { dir, name };
    const host = this.lookup(dir, canonical(name));
    if (!host) return { dir, name };
    const st = this.safeStat(host);
    return st ? { dir, name, host, st } : E.ACCESS_DENIED;
  }

  /** The path at DS:DX, resolved; on failure the call has been failed. */
  private pathArg(c: BiosCall, wildcards = false): Resolved | undefined {
    const path = this.ctx.mem.asciz(linear(c.ds, c.dx));
    const r = path === undefined ? E.PATH_NOT_FOUND : this.resolve(path, wildcards);
    if (typeof r === "number") { fail(c, r); return undefined; }
    return r;
  }

  // ------------------------------------------------------------ handles

  private install(h: Handle): number {
    const i = this.handles.indexOf(undefined);
    if (i < 0) return -1;
    this.handles[i] = h;
    this.ctx.mem.set8(linear(this.ctx.psp(), 0x18 + i), h.kind === "file" ? 0x05 + i : h.device === "con" ? 0x01 : 0x00);
    return i;
  }

  private handle(c: BiosCall): Handle | undefined {
    const h = c.bx < MAX_HANDLES ? this.handles[c.bx] : undefined;
    if (!h) fail(c, E.INVALID_HANDLE);
    return h;
  }

  /** Open a host file and give it a handle (AX) or fail the call. */
  private openHost(c: BiosCall, path: string, flags: number, access: number): void {
    if (!this.handles.includes(undefined)) { fail(c, E.TOO_MANY_FILES); return; }
    let fd: number;
    try { fd = fs.openSync(path, flags, 0o666); } catch (e) { fail(c, hostError(e)); return; }
    ok(c, { ax: this.install({ kind: "file", fd, pos: 0, access, written: false }) });
  }

  /** AH=3Ch: create or truncate (CX = attributes; read-only is ignored). */
  create(c: BiosCall): void {
    if (c.cx & 0x18) { fail(c, E.ACCESS_DENIED); return; } // volume label / directory
    const r = this.pathArg(c);
    if (!r) return;
    if ("device" in r) { this.openDevice(c, r.device); return; }
    if (r.st?.isDirectory()) { fail(c, E.ACCESS_DENIED); return; }
    const { O_RDWR, O_CREAT, O_TRUNC, O_NOFOLLOW = 0 } = fs.constants;
    this.openHost(c, r.host ?? nodePath.join(r.dir, canonical(r.name)), O_RDWR | O_CREAT | O_TRUNC | (r.host ? 0 : O_NOFOLLOW), 2);
  }

  private openDevice(c: BiosCall, device: Device): void {
    const h = this.install({ kind: "device", device });
    if (h < 0) fail(c, E.TOO_MANY_FILES); else ok(c, { ax: h });
  }

  /** AH=3Dh: open (AL bits 0–2: 0 read, 1 write, 2 read/write). */
  open(c: BiosCall): void {
    const access = c.al & 7;
    if (access > 2) { fail(c, E.INVALID_ACCESS); return; }
    const r = this.pathArg(c);
    if (!r) return;
    if ("device" in r) { this.openDevice(c, r.device); return; }
    if (!r.host || !r.st) { fail(c, E.FILE_NOT_FOUND); return; }
    if (r.st.isDirectory()) { fail(c, E.ACCESS_DENIED); return; }
    const { O_RDONLY, O_WRONLY, O_RDWR } = fs.constants;
    this.openHost(c, r.host, [O_RDONLY, O_WRONLY, O_RDWR][access], access);
  }

  /** AH=3Eh: close BX. */
  close(c: BiosCall): void {
    const h = this.handle(c);
    if (!h) return;
    if (h.kind === "file") { try { fs.closeSync(h.fd); } catch { /* nothing to do */ } }
    this.handles[c.bx] = undefined;
    this.ctx.mem.set8(linear(this.ctx.psp(), 0x18 + c.bx), 0xff);
    ok(c);
  }

  /** AH=3Fh: read CX bytes from BX into DS:DX; AX = bytes read. Handle 0
   *  (CON) waits for a typed line. */
  read(c: BiosCall, resumed: boolean): Outcome {
    const h = this.handle(c);
    if (!h) return;
    const addr = linear(c.ds, c.dx);
    const count = c.cx;
    if (h.kind === "device") {
      if (h.device === "nul" || count === 0) { ok(c, { ax: 0 }); return; }
      const bytes = this.ctx.console.readStdin(count, resumed);
      if (bytes === "wait") return "wait";
      this.ctx.mem.write(addr, bytes);
      ok(c, { ax: bytes.length });
      return;
    }
    if (h.access === 1) { fail(c, E.ACCESS_DENIED); return; }
    const buf = new Uint8Array(count);
    let n: number;
    try { n = fs.readSync(h.fd, buf, 0, count, h.pos); } catch (e) { fail(c, hostError(e)); return; }
    this.ctx.mem.write(addr, buf.subarray(0, n));
    h.pos += n;
    ok(c, { ax: n });
  }

  /** AH=40h: write CX bytes from DS:DX to BX; AX = bytes written. CX = 0
   *  truncates (or extends) the file at the current position, as on DOS. */
  write(c: BiosCall): void {
    const h = this.handle(c);
    if (!h) return;
    const addr = linear(c.ds, c.dx);
    const count = c.cx;
    if (h.kind === "device") {
      if (h.device === "con") this.ctx.console.write(this.ctx.mem.read(addr, count));
      ok(c, { ax: count });
      return;
    }
    if (h.access === 0) { fail(c, E.ACCESS_DENIED); return; }
    const room = Math.max(0, this.maxFileSize - h.pos);
    try {
      if (count === 0) {
        fs.ftruncateSync(h.fd, Math.min(h.pos, this.maxFileSize));
        h.written = true;
        ok(c, { ax: 0 });
        return;
      }
      const n = Math.min(count, room);
      const written = n > 0 ? fs.writeSync(h.fd, this.ctx.mem.read(addr, n), 0, n, h.pos) : 0;
      h.pos += written;
      h.written ||= written > 0;
      ok(c, { ax: written });
    } catch (e) {
      fail(c, hostError(e));
    }
  }

  /** AH=41h: delete the file at DS:DX (no wildcards). */
  unlink(c: BiosCall): void {
    const r = this.pathArg(c);
    if (!r) return;
    if ("device" in r) { fail(c, E.ACCESS_DENIED); return; }
    if (!r.host || !r.st) { fail(c, E.FILE_NOT_FOUND); return; }
    if (r.st.isDirectory() || attributesOf(r.st) & 0x01) { fail(c, E.ACCESS_DENIED); return; }
    try { fs.unlinkSync(r.host); } catch (e) { fail(c, hostError(e)); return; }
    ok(c);
  }

  /** AH=42h: move the pointer of BX by CX:DX from the start (AL=0), the
   *  current position (1) or the end (2); DX:AX = new position. As MS-DOS,
   *  a position before the start is not an error (it wraps to 32 bits). */
  seek(c: BiosCall): void {
    if (c.al > 2) { fail(c, E.INVALID_FUNCTION); return; }
    const h = this.handle(c);
    if (!h) return;
    if (h.kind === "device") { ok(c, { ax: 0, dx: 0 }); return; }
    const raw = (c.cx << 16) | c.dx;
    let base = 0;
    if (c.al === 1) base = h.pos;
    if (c.al === 2) { try { base = fs.fstatSync(h.fd).size; } catch (e) { fail(c, hostError(e)); return; } }
    const pos = (((base + (c.al === 0 ? raw >>> 0 : raw | 0)) % 2 ** 32) + 2 ** 32) % 2 ** 32;
    h.pos = pos;
    ok(c, { ax: pos & 0xffff, dx: pos >>> 16 });
  }

  /** AH=43h: AL=0 get attributes (CX), AL=1 set them (only read-only,
   *  01h, is kept: it clears or restores the host's write permission). */
  attributes(c: BiosCall): boolean {
    if (c.al > 1) return false;
    const r = this.pathArg(c);
    if (!r) return true;
    if ("device" in r) { ok(c, c.al === 0 ? { cx: 0, ax: 0 } : {}); return true; }
    if (!r.host || !r.st) { fail(c, E.FILE_NOT_FOUND); return true; }
    const st = r.st;
    if (c.al === 0) { const a = attributesOf(st); ok(c, { cx: a, ax: a }); return true; }
    if (c.cx & 0x18) { fail(c, E.ACCESS_DENIED); return true; }
    if (!st.isDirectory()) {
      try { fs.chmodSync(r.host, c.cx & 0x01 ? st.mode & ~0o222 : st.mode | 0o200); } catch (e) { fail(c, hostError(e)); return true; }
    }
    ok(c);
    return true;
  }

  /** AH=44h AL=00h: device information in DX (and AX). Other IOCTL
   *  functions are not handled (false). */
  ioctl(c: BiosCall): boolean {
    if (c.al !== 0x00) return false;
    const h = this.handle(c);
    if (!h) return true;
    // CON: device, stdin, stdout, special (INT 29h), not EOF = 80D3h; NUL
    // (also AUX/PRN here): device, NUL = 8084h; a file: drive C: (2) and
    // 40h while it has not been written.
    const info = h.kind === "device" ? (h.device === "con" ? 0x80d3 : 0x8084) : 0x02 | (h.written ? 0 : 0x40);
    ok(c, { dx: info, ax: info });
    return true;
  }

  /** AH=47h: current directory of drive DL (0 = default, 3 = C:) at DS:SI:
   *  always the root, an empty string. */
  getcwd(c: BiosCall): void {
    if (c.dl !== 0 && c.dl !== 3) { fail(c, E.INVALID_DRIVE); return; }
    this.ctx.mem.set8(linear(c.ds, c.si), 0);
    ok(c, { ax: 0x0100 });
  }

  // ----------------------------------------------------- find first/next

  /** AH=4Eh: find the first entry matching DS:DX (wildcards ? and *) with
   *  attributes CX; the search state and the result go to the DTA:
   *    00h drive  01h template (11)  0Ch attributes  0Dh next index (word)
   *    0Fh directory id (word)  11h "W86"\0 (marks our state)
   *    15h attribute  16h time  18h date  1Ah size (dword)  1Eh name (13) */
  findFirst(c: BiosCall): void {
    const r = this.pathArg(c, true);
    if (!r) return;
    if ("device" in r) { fail(c, E.FILE_NOT_FOUND); return; }
    let id = this.searchDirs.indexOf(r.dir);
    if (id < 0) id = this.searchDirs.push(r.dir) - 1;
    const dta = this.ctx.dta(), mem = this.ctx.mem;
    mem.set8(dta, 3);
    [...template(r.name)].forEach((ch, i) => mem.set8(dta + 1 + i, ch.charCodeAt(0)));
    mem.set8(dta + 0x0c, c.cx & 0xff);
    mem.set16(dta + 0x0d, 0);
    mem.set16(dta + 0x0f, id);
    DTA_MAGIC.forEach((b, i) => mem.set8(dta + 0x11 + i, b));
    this.findNext(c);
  }

  /** AH=4Fh: the next match of the search whose state is in the DTA. */
  findNext(c: BiosCall): void {
    const dta = this.ctx.dta(), mem = this.ctx.mem;
    const dir = this.searchDirs[mem.u16(dta + 0x0f)];
    if (!DTA_MAGIC.every((b, i) => mem.u8(dta + 0x11 + i) === b) || dir === undefined) { fail(c, E.NO_MORE_FILES); return; }
    const tpl = String.fromCharCode(...mem.read(dta + 1, 11));
    const mask = mem.u8(dta + 0x0c);
    const list = this.listing(dir);
    for (let i = mem.u16(dta + 0x0d); i < list.length; i++) {
      const e = list[i];
      if (!matches(tpl, e.dos)) continue;
      const st = this.safeStat(e.host);
      if (!st) continue;
      const attr = attributesOf(st);
      // Only a search for exactly 08h (volume label) differs: no label here.
      // Otherwise hidden, system and directory entries need their bit in CX.
      if (mask === 0x08 || attr & 0x16 & ~mask) continue;
      const { time, date } = dosDateTime(st.mtime);
      mem.set16(dta + 0x0d, i + 1);
      mem.set8(dta + 0x15, attr);
      mem.set16(dta + 0x16, time);
      mem.set16(dta + 0x18, date);
      mem.set32(dta + 0x1a, st.isDirectory() ? 0 : Math.min(st.size, 0xffffffff));
      for (let k = 0; k < 13; k++) mem.set8(dta + 0x1e + k, k < e.dos.length ? e.dos.charCodeAt(k) : 0);
      ok(c);
      return;
    }
    mem.set16(dta + 0x0d, list.length);
    fail(c, E.NO_MORE_FILES);
  }
}
