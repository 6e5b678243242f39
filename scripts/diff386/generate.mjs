#!/usr/bin/env node
// generate.mjs — the test-image generator of the 386 differential tests
// (tests/diff386/README.md): its entry point and CLI.
//
// What it is: a deterministic function of (seed, case count, themes, mode)
// that returns the NASM source of a bootable floppy program plus per-case
// metadata. Each case loads a random but controlled register state, runs
// one instruction (or a short sequence: flag-setter + Jcc/SETcc, a loop, a
// push + RET), captures the state and writes it to the debug console port
// E9h. The same image runs under QEMU and under wasm86; record.mjs and
// tests/diff386.test.ts compare the two outputs. This file only draws the
// cases in order and puts the image together; the pieces are
//   rng.mjs          the seeded PRNG (sfc32) and its pickers
//   x86.mjs          register names, flag bits, NASM number spelling
//   case.mjs         one case: initial state, registers, metadata record
//   operands.mjs     memory operands solved into the window; reg/mem, imm
//   theme-alu.mjs, theme-bits.mjs, theme-muldiv.mjs, theme-flow.mjs
//                    the instruction-family generators, one file per theme
//   image.mjs        memory map, boot sector, harness, blocks, pattern
//
// What it is not: it does not assemble, boot or compare anything, and it
// does not compute the expected results of the instructions — QEMU is the
// reference. It only knows enough about each instruction to keep it inside
// architecturally defined, exception-free territory: memory operands inside
// the dumped window, no divide overflow, no 16-bit SHLD/SHRD count > 16,
// 32-bit offsets with zero upper halves wherever the hardware would check
// them against the 64 KiB real-mode limit, and a mask of the flags (and the
// register or memory bytes) the SDM leaves undefined.
//
//   node scripts/diff386/generate.mjs --seed 1 --count 200 [--theme alu,bits]
//        [--mode 386|16] [--asm OUT.asm] [--meta OUT.json]
//
// Only Node built-ins; no Math.random (every choice comes from the seeded Rng).

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rng } from './rng.mjs';
import { Case } from './case.mjs';
import { WINDOW_LINEAR, WINDOW_SIZE, PATTERN_SIZE, imageAsm } from './image.mjs';
import { FLAGS_ALWAYS_MASKED, hex } from './x86.mjs';
import { ALU_GENS } from './theme-alu.mjs';
import { BITS_GENS } from './theme-bits.mjs';
import { MULDIV_GENS } from './theme-muldiv.mjs';
import { FLOW_GENS } from './theme-flow.mjs';

export { Rng, WINDOW_LINEAR, WINDOW_SIZE, FLAGS_ALWAYS_MASKED };

export const FORMAT_VERSION = 1;

export const THEMES = ['alu', 'bits', 'muldiv', 'flow'];

const THEME_GENS = { alu: ALU_GENS, bits: BITS_GENS, muldiv: MULDIV_GENS, flow: FLOW_GENS };

/** A [theme, generator] pair, weighted across the chosen themes (a theme
 *  with more families gets more cases). */
function pickGen(rng, themes) {
  const all = themes.flatMap((t) => THEME_GENS[t].map(([f, w]) => [t, f, w]));
  const total = all.reduce((s, [, , w]) => s + w, 0);
  let k = rng.int(total);
  for (const [t, f, w] of all) { if (k < w) return [t, f]; k -= w; }
  throw new Error('unreachable');
}

/**
 * Generate one image.
 * @param {{seed:number, count:number, themes?:string[], mode?:'386'|'16', name?:string}} opts
 * @returns {{asm:string, meta:object}}
 */
export function generate(opts) {
  const { seed, count } = opts;
  const themes = opts.themes ?? THEMES;
  const mode = opts.mode ?? '386';
  for (const t of themes) if (!THEME_GENS[t]) throw new Error(`unknown theme ${t} (expected ${THEMES.join(', ')})`);
  if (mode !== '386' && mode !== '16') throw new Error(`unknown mode ${mode} (expected 386 or 16)`);
  if (!(count >= 1 && count <= 600)) throw new Error('count must be 1 … 600');
  const rng = new Rng(seed);
  const pattern = Array.from({ length: PATTERN_SIZE }, () => rng.int(256));
  const cases = [];
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 1000) throw new Error(`case ${i}: no valid case after 1000 attempts`);
      const [theme, gen] = pickGen(rng, themes);
      const c = new Case(rng, mode, i, pattern);
      if (gen(c) === false) continue;
      if (c.lines.length === 0) continue;
      cases.push({ c, theme });
      break;
    }
  }
  const meta = {
    format: FORMAT_VERSION,
    name: opts.name ?? `seed${seed}`,
    seed, mode, themes,
    window: { linear: WINDOW_LINEAR, size: WINDOW_SIZE },
    flagsAlwaysMasked: hex(FLAGS_ALWAYS_MASKED),
    cases: cases.map(({ c, theme }) => c.meta(theme)),
  };
  return { asm: imageAsm(cases.map(({ c }) => c), mode, meta), meta };
}

// ------------------------------------------------------------------ CLI

function main(argv) {
  const args = { seed: 1, count: 200, themes: THEMES, mode: '386', asm: null, meta: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === '--seed') { args.seed = Number(v); i++; }
    else if (a === '--count') { args.count = Number(v); i++; }
    else if (a === '--theme') { args.themes = v.split(','); i++; }
    else if (a === '--mode') { args.mode = v; i++; }
    else if (a === '--asm') { args.asm = v; i++; }
    else if (a === '--meta') { args.meta = v; i++; }
    else { console.error(`usage: node scripts/diff386/generate.mjs [--seed N] [--count N] [--theme ${THEMES.join(',')}] [--mode 386|16] [--asm OUT.asm] [--meta OUT.json]  (unknown argument: ${a})`); process.exit(2); }
  }
  const { asm, meta } = generate(args);
  if (args.asm) fs.writeFileSync(args.asm, asm); else process.stdout.write(asm);
  if (args.meta) fs.writeFileSync(args.meta, JSON.stringify(meta, null, 1) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
