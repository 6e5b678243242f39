/**
 * demo.ts — `npm start`: run the bundled demo guest (roms/primes.bin, a
 * sieve that prints the primes below 1000) on the 8086 model and show what
 * it printed and how fast it ran.
 */
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { runBare } from "./bare.js";

function romPath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, "roms", name);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error(`roms/${name} not found`);
}

const image = readFileSync(romPath("primes.bin"));
process.stdout.write("wasm86 demo: roms/primes.bin on an 8086, output from debug port E9h\n\n");
const t0 = performance.now();
const r = runBare(image, { cpu: "8086", onOutput: (s) => process.stdout.write(s) });
const ms = performance.now() - t0;
process.stdout.write(
  `\nstopped: ${r.reason} after ${r.instructions.toLocaleString("en-US")} instructions in ${ms.toFixed(1)} ms\n`,
);
process.exitCode = r.reason === "halt" ? 0 : 1;
