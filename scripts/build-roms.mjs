#!/usr/bin/env node
// Assemble the guest programs in roms/*.asm into flat binaries with nasm.
// Sources with `org 100h` are DOS programs and become roms/<name>.com;
// everything else (boot sectors, bare-metal programs) roms/<name>.bin.
//
//   node scripts/build-roms.mjs            assemble every roms/<name>.asm
//                                          into roms/<name>.bin (or .com)
//   node scripts/build-roms.mjs --check    assemble into a temporary
//                                          directory and compare byte for
//                                          byte with the committed
//                                          roms/<name>.bin; prints
//                                          "ok <name>" or "MISMATCH <name>"
//                                          and exits 1 on any mismatch or
//                                          missing binary
//
// Exit codes: 0 success, 1 assembly error / mismatch / missing binary,
// 2 nasm is not installed.  No dependencies beyond Node itself.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const romsDir = path.join(root, 'roms');

const args = process.argv.slice(2);
const check = args.includes('--check');
const unknown = args.filter((a) => a !== '--check');
if (unknown.length > 0) {
  console.error(`usage: node scripts/build-roms.mjs [--check]  (unknown argument: ${unknown[0]})`);
  process.exit(1);
}

// nasm present?
const probe = spawnSync('nasm', ['-v'], { encoding: 'utf8' });
if (probe.error) {
  if (probe.error.code === 'ENOENT') {
    console.error('nasm not found: apt-get install nasm');
  } else {
    console.error(`cannot run nasm: ${probe.error.message}`);
  }
  process.exit(2);
}

let sources;
try {
  sources = fs
    .readdirSync(romsDir)
    .filter((f) => f.endsWith('.asm'))
    .sort();
} catch (err) {
  console.error(`cannot read ${romsDir}: ${err.message}`);
  process.exit(1);
}
if (sources.length === 0) {
  console.error(`no .asm files in ${romsDir}`);
  process.exit(1);
}

/** Assemble src into out; returns null on success or nasm's message. */
function assemble(src, out) {
  const r = spawnSync('nasm', ['-f', 'bin', '-i', `${path.join(romsDir, 'include')}${path.sep}`, '-o', out, src], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.error) return r.error.message;
  if (r.status !== 0) {
    return (r.stderr || r.stdout || `nasm exited with status ${r.status}`).trim();
  }
  return null;
}

let failed = false;
const tmp = check ? fs.mkdtempSync(path.join(os.tmpdir(), 'wasm86-roms-')) : null;
try {
  for (const file of sources) {
    const stem = file.slice(0, -'.asm'.length);
    const src = path.join('roms', file);
    const dos = /^\s*org\s+(0x100|100h|256)\b/im.test(fs.readFileSync(path.join(romsDir, file), 'utf8'));
    const name = `${stem}.${dos ? 'com' : 'bin'}`;
    const committed = path.join(romsDir, name);
    const out = check ? path.join(tmp, name) : committed;

    const err = assemble(src, out);
    if (err !== null) {
      console.error(`error assembling ${src}:\n${err}`);
      failed = true;
      continue;
    }

    if (!check) {
      console.log(`built roms/${name} (${fs.statSync(out).size} bytes)`);
      continue;
    }

    if (!fs.existsSync(committed)) {
      console.log(`MISMATCH ${name} (roms/${name} is missing)`);
      failed = true;
      continue;
    }
    const want = fs.readFileSync(committed);
    const got = fs.readFileSync(out);
    if (Buffer.compare(want, got) === 0) {
      console.log(`ok ${name}`);
    } else {
      console.log(`MISMATCH ${name}`);
      failed = true;
    }
  }
} finally {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

process.exit(failed ? 1 : 0);
