#!/usr/bin/env node
// record.mjs — record the golden QEMU outputs of the 386 differential tests
// (tests/diff386/README.md).
//
// What it is: for each image spec below, generate the NASM source
// (generate.mjs), assemble it with nasm, boot it under qemu-system-i386
// (TCG, qemu32 CPU, SeaBIOS) from a 1.44 MB floppy padded in a temporary
// file, and write
//   tests/diff386/<name>.bin   the raw program (boot sector + test program,
//                              not padded: the test pads it in memory)
//   tests/diff386/<name>.json  metadata: per case the instruction text, its
//                              bytes and the undefined flags/registers/memory
//   tests/diff386/<name>.qemu  QEMU's debug-console (E9h) output, the golden
// It refuses to write an image whose QEMU run is not clean (a harness fault,
// a missing case, or a case that faults under QEMU — that would be a
// generator bug, since every case is meant to be exception-free).
//
// What it is not: it never runs wasm86 (tests/diff386.test.ts does), and it
// is not needed to run the tests — only to regenerate the goldens.
//
//   node scripts/diff386/record.mjs [--only NAME[,NAME…]] [--out DIR]
//
// Exit codes: 0 success, 1 a failed image, 2 nasm or qemu-system-i386 missing.
// The helpers (assemble, runQemu, parseE9) are exported for the live test.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The committed images: themes kept apart so a failure points at an area. */
export const IMAGES = [
  { name: 'alu-1', seed: 101, count: 250, themes: ['alu'] },
  { name: 'alu-2', seed: 102, count: 250, themes: ['alu'] },
  { name: 'bits-1', seed: 201, count: 250, themes: ['bits'] },
  { name: 'muldiv-1', seed: 301, count: 200, themes: ['muldiv'] },
  { name: 'flow-1', seed: 401, count: 250, themes: ['flow'] },
  { name: 'flow-2', seed: 402, count: 250, themes: ['flow'] },
  { name: 'mixed-1', seed: 501, count: 300, themes: ['alu', 'bits', 'muldiv', 'flow'] },
  // 8086/186 instructions only, with a 16-bit harness: runs on every model
  // and checks the harness itself against QEMU.
  { name: 'legacy16-1', seed: 601, count: 250, themes: ['alu', 'muldiv', 'flow'], mode: '16' },
];

export const FLOPPY_BYTES = 1474560;
export const QEMU = 'qemu-system-i386';
/** Everything but the floppy image and the output file. TCG (never KVM:
 *  it would execute on the host CPU, whose undefined flags differ). */
export const QEMU_ARGS = ['-accel', 'tcg', '-cpu', 'qemu32', '-m', '16', '-display', 'none', '-no-reboot', '-nodefaults',
  '-boot', 'a', '-device', 'isa-debug-exit,iobase=0x501,iosize=2'];

/** Missing tools, as a list of messages (empty: all there). */
export function missingTools() {
  const out = [];
  const nasm = spawnSync('nasm', ['-v'], { encoding: 'utf8' });
  if (nasm.error) out.push(nasm.error.code === 'ENOENT' ? 'nasm not found (apt-get install nasm)' : `cannot run nasm: ${nasm.error.message}`);
  const q = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (q.error) out.push(q.error.code === 'ENOENT' ? `${QEMU} not found (apt-get install qemu-system-x86)` : `cannot run ${QEMU}: ${q.error.message}`);
  return out;
}

/**
 * Assemble generated source. Returns the binary and the symbol table of the
 * program section (file offsets), from NASM's map file.
 */
export function assemble(asm, dir) {
  const src = path.join(dir, 'image.asm'), bin = path.join(dir, 'image.bin'), map = path.join(dir, 'image.map');
  fs.writeFileSync(src, `[map symbols ${map}]\n` + asm);
  const r = spawnSync('nasm', ['-f', 'bin', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nasm failed:\n${r.stderr}`);
  const symbols = new Map();
  let inProg = false;
  for (const line of fs.readFileSync(map, 'utf8').split('\n')) {
    if (line.startsWith('---- Section')) inProg = line.includes('Section prog');
    const m = /^\s*([0-9A-F]+)\s+([0-9A-F]+)\s+(\S+)\s*$/.exec(line);
    if (inProg && m) symbols.set(m[3], parseInt(m[1], 16));
  }
  return { bin: new Uint8Array(fs.readFileSync(bin)), symbols };
}

/** Boot `bin` under QEMU; returns { e9: Uint8Array, status, ms }. */
export function runQemu(bin, { timeoutMs = 60_000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diff386-qemu-'));
  try {
    const img = path.join(dir, 'floppy.img'), out = path.join(dir, 'e9.out');
    const padded = new Uint8Array(FLOPPY_BYTES);
    padded.set(bin);
    fs.writeFileSync(img, padded);
    const t0 = Date.now();
    const r = spawnSync(QEMU, [...QEMU_ARGS, '-drive', `file=${img},format=raw,if=floppy`, '-debugcon', `file:${out}`],
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
    const ms = Date.now() - t0;
    if (r.error) throw new Error(r.error.code === 'ETIMEDOUT' ? `${QEMU} did not finish within ${timeoutMs} ms (killed)` : `${QEMU}: ${r.error.message}`);
    const e9 = fs.existsSync(out) ? new Uint8Array(fs.readFileSync(out)) : new Uint8Array(0);
    return { e9, status: r.status, stderr: r.stderr, ms };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const REC = 57; // bytes of a case record before its memory differences

/**
 * Parse a debug-console stream (layout in tests/diff386/README.md).
 * Returns { mode, count, cases, end, harnessFault, error } — `error` says
 * where the stream stops making sense (truncated or garbage).
 */
export function parseE9(buf) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const res = { mode: 0, count: -1, cases: [], end: null, harnessFault: null, error: null };
  if (buf.length < 8 || String.fromCharCode(...buf.subarray(0, 4)) !== 'W86D' || buf[4] !== 1) {
    res.error = `no W86D v1 header (${buf.length} bytes)`;
    return res;
  }
  res.mode = buf[5];
  res.count = dv.getUint16(6, true);
  let p = 8;
  while (p < buf.length) {
    const tag = buf[p];
    if (tag === 0x43 && p + REC <= buf.length) {
      const regs = [], segs = [];
      for (let i = 0; i < 8; i++) regs.push(dv.getUint32(p + 7 + 4 * i, true));
      for (let i = 0; i < 6; i++) segs.push(dv.getUint16(p + 39 + 2 * i, true));
      const n = dv.getUint16(p + 55, true);
      if (p + REC + 3 * n > buf.length) { res.error = `case record at byte ${p} is truncated`; return res; }
      const mem = [];
      for (let i = 0; i < n; i++) mem.push([dv.getUint16(p + REC + 3 * i, true), buf[p + REC + 3 * i + 2]]);
      res.cases.push({
        index: dv.getUint16(p + 1, true), fault: buf[p + 3], path: buf[p + 4], faultIp: dv.getUint16(p + 5, true),
        regs, segs, eflags: dv.getUint32(p + 51, true), mem,
      });
      p += REC + 3 * n;
    } else if (tag === 0x45 && p + 3 <= buf.length) {
      res.end = dv.getUint16(p + 1, true);
      p += 3;
    } else if (tag === 0x46 && p + 8 <= buf.length) {
      res.harnessFault = { vector: buf[p + 1], ip: dv.getUint16(p + 2, true), cs: dv.getUint16(p + 4, true), case: dv.getUint16(p + 6, true) };
      p += 8;
    } else {
      res.error = `unexpected byte ${buf[p].toString(16)}h at ${p}`;
      return res;
    }
  }
  return res;
}

/** Generate + assemble one spec; metadata gains each case's bytes and the
 *  offset of the initial-state blocks (the test decodes them for messages). */
export function buildImage(spec, dir) {
  const { asm, meta } = generate({ ...spec, name: spec.name });
  const { bin, symbols } = assemble(asm, dir);
  for (const c of meta.cases) {
    const a = symbols.get(`t_${c.i}`), b = symbols.get(`tx_${c.i}`);
    if (a === undefined || b === undefined) throw new Error(`${spec.name}: no t_${c.i}/tx_${c.i} in the map file`);
    c.bytes = [...bin.subarray(a, b)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  }
  const blocks = symbols.get('blocks');
  if (blocks === undefined) throw new Error(`${spec.name}: no blocks symbol`);
  meta.blocksOffset = blocks;
  return { bin, meta };
}

/** Metadata as JSON with one line per case (reviewable diffs, small files). */
export function metaJson(meta) {
  const { cases, ...head } = meta;
  const lines = JSON.stringify(head, null, 1).split('\n');
  lines.pop(); // closing brace
  lines[lines.length - 1] += ',';
  lines.push(' "cases": [');
  cases.forEach((c, i) => lines.push('  ' + JSON.stringify(c) + (i < cases.length - 1 ? ',' : '')));
  lines.push(' ]', '}');
  return lines.join('\n') + '\n';
}

/** What is wrong with a QEMU run of an image with `n` cases, or null. */
export function checkGolden(parsed, n, status) {
  if (parsed.error) return parsed.error;
  if (parsed.harnessFault) { const h = parsed.harnessFault; return `harness fault: vector ${h.vector} at ${h.cs.toString(16)}:${h.ip.toString(16)} in case ${h.case}`; }
  if (parsed.count !== n || parsed.cases.length !== n || parsed.end !== n) return `expected ${n} cases, got ${parsed.cases.length} (header ${parsed.count}, end ${parsed.end})`;
  const faulted = parsed.cases.filter((c) => c.fault !== 0xff);
  if (faulted.length) return `QEMU raised an exception in ${faulted.length} case(s), first case ${faulted[0].index} vector ${faulted[0].fault} — a generator bug`;
  if (status !== 1) return `QEMU exited with status ${status} (expected 1, the isa-debug-exit of a clean run)`;
  return null;
}

function main(argv) {
  let only = null, outDir = path.join(root, 'tests', 'diff386');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') only = argv[++i].split(',');
    else if (argv[i] === '--out') outDir = path.resolve(argv[++i]);
    else { console.error(`usage: node scripts/diff386/record.mjs [--only NAME[,NAME…]] [--out DIR]  (unknown argument: ${argv[i]})`); process.exit(2); }
  }
  const missing = missingTools();
  if (missing.length) {
    for (const m of missing) console.error(`record.mjs: ${m}`);
    console.error('record.mjs: both nasm and qemu-system-i386 are needed to record the goldens; nothing written');
    process.exit(2);
  }
  const specs = only ? IMAGES.filter((s) => only.includes(s.name)) : IMAGES;
  if (only && specs.length !== only.length) {
    console.error(`record.mjs: unknown image name(s); known: ${IMAGES.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'diff386-'));
  let failed = 0;
  try {
    for (const spec of specs) {
      const { bin, meta } = buildImage(spec, tmp);
      const q = runQemu(bin);
      const parsed = parseE9(q.e9);
      const problem = checkGolden(parsed, meta.cases.length, q.status);
      if (problem) { console.error(`FAIL ${spec.name}: ${problem}`); failed++; continue; }
      fs.writeFileSync(path.join(outDir, `${spec.name}.bin`), bin);
      fs.writeFileSync(path.join(outDir, `${spec.name}.json`), metaJson(meta));
      fs.writeFileSync(path.join(outDir, `${spec.name}.qemu`), q.e9);
      const withMem = parsed.cases.filter((c) => c.mem.length).length;
      const taken = parsed.cases.filter((c) => c.path === 2).length, notTaken = parsed.cases.filter((c) => c.path === 1).length;
      console.log(`ok ${spec.name.padEnd(11)} mode ${meta.mode.padEnd(3)} ${String(meta.cases.length).padStart(3)} cases  ` +
        `bin ${bin.length} B, e9 ${q.e9.length} B  memory written in ${withMem}, branches ${taken} taken / ${notTaken} not  (QEMU ${q.ms} ms)`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (failed) { console.error(`${failed} image(s) failed; their files were left as they were`); process.exit(1); }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
