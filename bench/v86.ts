/**
 * v86.ts — `npm run bench -- --v86`: run a bench kernel (a boot sector for
 * 0000:7C00 that prints to port E9h and ends in CLI; HLT) in v86, the npm
 * package, headless under Node, and time it from start to the HLT.
 *
 * No SeaBIOS: v86 takes any image as its BIOS (mapped below 1 MiB, entered
 * at F000:FFF0 after reset), so stubRom() builds a 64 KiB ROM whose reset
 * code copies the kernel to 0000:7C00 and jumps there with the registers as
 * wasm86's runBare sets them (all zero, SS:SP = 0000:7C00, FLAGS = 0). The
 * stub is 23 instructions plus one REP MOVSW (v86 counted 22 more than
 * wasm86's kernel count on bench-crc, which has no REP) and adds
 * microseconds to the time.
 *
 * What this is not: a general v86 front end. It reaches into v86's
 * internals in two places (the CPU's I/O port table, for E9h, and the
 * "cpu-event-halt" bus event) that its type declarations do not cover.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The stub ROM: image at ROM offset 100h, reset code at 0, far jump at FFF0h. */
export function stubRom(image: Uint8Array): Uint8Array {
  if (image.length > 0xfe00) throw new RangeError("v86 bench: the image does not fit the stub ROM");
  const words = Math.ceil(image.length / 2);
  const rom = new Uint8Array(0x10000);
  rom.set([
    0xfa, 0xfc,                   // cli; cld
    0x31, 0xc0, 0x8e, 0xd0,       // xor ax,ax; mov ss,ax
    0xbc, 0x00, 0x7c,             // mov sp,7C00h
    0x8e, 0xc0,                   // mov es,ax
    0x8c, 0xc8, 0x8e, 0xd8,       // mov ax,cs; mov ds,ax
    0xbe, 0x00, 0x01,             // mov si,100h
    0xbf, 0x00, 0x7c,             // mov di,7C00h
    0xb9, words & 0xff, words >> 8, // mov cx,words
    0xf3, 0xa5,                   // rep movsw
    0x31, 0xc0, 0x8e, 0xd8,       // xor ax,ax; mov ds,ax
    0x50, 0x9d,                   // push ax; popf (FLAGS = 0, as runBare)
    0x31, 0xf6, 0x31, 0xff, 0x31, 0xc9, 0x31, 0xdb, 0x31, 0xd2, 0x31, 0xed, // zero SI DI CX BX DX BP
    0xea, 0x00, 0x7c, 0x00, 0x00, // jmp 0000:7C00
  ], 0);
  rom.set(image, 0x100);
  rom.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0); // reset vector: jmp F000:0000
  return rom;
}

export interface V86Run {
  /** Wall time from run() to the HLT, ms. */
  ms: number;
  /** v86's instruction counter over the same span (stub included). */
  instructions: number;
  /** What the kernel wrote to port E9h. */
  output: string;
}

/** The parts of v86 used here, typed narrowly (see the header). */
interface V86Like {
  add_listener(event: string, fn: () => void): void;
  run(): void;
  stop(): Promise<void> | void;
  destroy(): Promise<void> | void;
  get_instruction_counter(): number;
  v86: { cpu: { io: { register_write(port: number, ctx: unknown, fn: (v: number) => void): void } } };
}
type V86Ctor = new (options: Record<string, unknown>) => V86Like;

let cached: { V86: V86Ctor; wasmPath: string; version: string } | undefined;

/** Load the v86 package, or say why it cannot be. */
export async function loadV86(): Promise<{ version: string }> {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let main: string;
  try {
    main = require.resolve("v86");
  } catch {
    throw new Error("the v86 package is not installed (it is a devDependency: run npm ci)");
  }
  const mod = (await import("v86")) as unknown as { V86: V86Ctor };
  // v86 finds its .wasm next to the page or __dirname; an ES module has
  // neither, so give the path.
  const dir = dirname(main);
  const version = (require(join(dir, "..", "package.json")) as { version: string }).version;
  cached = { V86: mod.V86, wasmPath: join(dir, "v86.wasm"), version };
  return cached;
}

/** Boot `image` in a fresh v86 (its JIT on, as by default) and time it to the HLT. */
export async function runV86(image: Uint8Array, timeoutMs = 120_000): Promise<V86Run> {
  const { V86, wasmPath } = cached ?? (await loadV86(), cached!);
  const rom = stubRom(image);
  const emulator = new V86({
    wasm_path: wasmPath,
    bios: { buffer: rom.buffer },
    memory_size: 16 << 20,
    autostart: false,
  });
  try {
    return await new Promise<V86Run>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`v86 did not halt within ${timeoutMs / 1000} s`)), timeoutMs);
      emulator.add_listener("emulator-ready", () => {
        let output = "";
        emulator.v86.cpu.io.register_write(0xe9, null, (v) => { output += String.fromCharCode(v & 0xff); });
        const c0 = emulator.get_instruction_counter();
        let t0 = 0;
        // Sent from inside v86's Wasm when HLT runs with IF = 0.
        emulator.add_listener("cpu-event-halt", () => {
          const ms = performance.now() - t0;
          const instructions = emulator.get_instruction_counter() - c0;
          clearTimeout(timer);
          void emulator.stop();
          resolve({ ms, instructions, output });
        });
        t0 = performance.now();
        emulator.run();
      });
    });
  } finally {
    await emulator.destroy();
  }
}
