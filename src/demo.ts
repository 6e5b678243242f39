/**
 * demo.ts — `npm start`: boot the bundled text-mode demo (roms/textdemo.bin)
 * on the emulated PC, then print its screen in colour and how it ran; and
 * run roms/primes.bin on the bare CPU to show the debug-console path.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "./package-root.js";
import { PC } from "./pc/pc.js";
import { Disk } from "./pc/disk.js";
import { ansiScreen, textScreen } from "./pc/screen.js";
import { runBare } from "./bare.js";

const romPath = (name: string) => join(PACKAGE_ROOT, "roms", name);

const out = (s: string) => process.stdout.write(s);
// Piped into `head`: stop quietly when the reader goes away.
process.stdout.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") process.exit(0); throw e; });
const color = process.stdout.isTTY;

out("wasm86 demo 1/2: booting roms/textdemo.bin on a 286 PC (BIOS, VGA text mode)\n\n");
const pc = new PC({ floppy: new Disk("floppy", readFileSync(romPath("textdemo.bin")), "textdemo.bin") });
pc.boot();
let t0 = performance.now();
const r = pc.run({ maxInstructions: 10_000_000 });
let ms = performance.now() - t0;
const rows = color ? ansiScreen(pc) : textScreen(pc);
out(rows.join(color ? "\x1b[0m\n" : "\n") + (color ? "\x1b[0m" : "") + "\n\n");
out(`${r.reason}: ${r.message ?? ""} — ${r.instructions.toLocaleString("en-US")} instructions in ${ms.toFixed(1)} ms\n\n`);

out("wasm86 demo 2/2: roms/primes.bin on a bare 8086, output from debug port E9h\n\n");
t0 = performance.now();
const p = runBare(readFileSync(romPath("primes.bin")), { cpu: "8086", onOutput: (s) => out(s) });
ms = performance.now() - t0;
out(`\nstopped: ${p.reason} after ${p.instructions.toLocaleString("en-US")} instructions in ${ms.toFixed(1)} ms\n`);
out("\nMore: npx wasm86 --help, npx wasm86 boot roms/keyecho.bin, npx wasm86 run roms/hello-com.com\n");
process.exitCode = r.reason === "halt" && p.reason === "halt" ? 0 : 1;
