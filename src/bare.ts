/**
 * bare.ts — running a flat binary on the bare CPU (no BIOS yet).
 *
 * The convention of the project's roms/ (see roms/README.md): the image is
 * loaded at physical 0x07C00 and entered at 0000:7C00 with SS:SP =
 * 0000:7C00 and interrupts disabled, as a BIOS enters a boot sector;
 * output goes byte by byte to the Bochs/QEMU debug console port E9h; the
 * program ends with CLI; HLT.
 */
import { Machine, type CpuModel, type RunResult, type MachineOptions } from "./machine.js";

export const LOAD_ADDRESS = 0x7c00;
export const DEBUG_CONSOLE_PORT = 0xe9;

export interface BareRunOptions {
  cpu?: CpuModel;
  /** Instruction budget (default 2 billion). */
  maxInstructions?: number;
  /** Called with each chunk of debug-console output as it is written. */
  onOutput?: (text: string) => void;
  /** Further machine options (memory size, core build). */
  machineOptions?: Omit<MachineOptions, "cpu">;
}

export interface BareRunResult extends RunResult {
  /** Everything written to port E9h. */
  output: string;
  machine: Machine;
}

/** Create a machine with `image` loaded and the debug console attached. */
export function bareMachine(
  image: Uint8Array, cpu: CpuModel = "8086", onByte?: (b: number) => void, options: Omit<MachineOptions, "cpu"> = {},
): Machine {
  if (image.length === 0) throw new RangeError("wasm86: the image is empty");
  if (LOAD_ADDRESS + image.length > 0xa0000) throw new RangeError(`wasm86: the image (${image.length} bytes) does not fit below 640 KiB at 0x7C00`);
  const m = new Machine({ ...options, cpu });
  m.load(LOAD_ADDRESS, image);
  m.setRegisters({ cs: 0, ip: LOAD_ADDRESS, ss: 0, sp: LOAD_ADDRESS, ds: 0, es: 0, flags: 0 });
  if (onByte) m.registerPort(DEBUG_CONSOLE_PORT, { write: (_port, _size, v) => onByte(v & 0xff) });
  return m;
}

/** Run a flat binary until it halts (or the budget runs out). */
export function runBare(image: Uint8Array, options: BareRunOptions = {}): BareRunResult {
  const bytes: number[] = [];
  const m = bareMachine(image, options.cpu, (b) => {
    bytes.push(b);
    if (options.onOutput) options.onOutput(String.fromCharCode(b));
  }, options.machineOptions);
  const result = m.run({ maxInstructions: options.maxInstructions ?? 2_000_000_000 });
  return { ...result, output: String.fromCharCode(...bytes), machine: m };
}
