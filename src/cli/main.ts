/**
 * main.ts — the `wasm86` command line, as a function: cli(argv, io) runs
 * one command and returns its exit status (bin.ts is the executable).
 *
 *   wasm86 boot IMAGE [options]      boot a floppy image (or --hda DISK)
 *   wasm86 run PROG.COM [options]    run a DOS .COM program
 *   wasm86 disasm FILE [--org ADDR]  NASM-syntax listing (src/x86)
 *   wasm86 --help
 *
 * Headless runs (scripts, tests, CI) are deterministic: virtual time comes
 * from the instruction count, keys are delivered when the guest has drained
 * the previous ones, and the output is the final screen and/or the serial
 * and debug-port bytes. This file is argument handling and I/O only; the
 * machine is src/pc/pc.ts.
 */
import { parseArgs } from "node:util";
import { readFileSync, writeFileSync, existsSync, statSync, openSync, writeSync, closeSync } from "node:fs";
import { PC, PcError, type PcRunResult } from "../pc/pc.js";
import { Disk, DiskError, MAX_IMAGE } from "../pc/disk.js";
import { textScreen, textScreenRaw, screenshotPng } from "../pc/screen.js";
import { parseKeys, typeKey, KeySyntaxError, type Key } from "./keys.js";
import { runInteractive } from "./terminal.js";
import { Dos, DosError } from "../pc/dos/dos.js";
import { basename } from "node:path";
import { CPU_MODELS, ENGINES, type CpuModel, type Engine, type Machine } from "../machine.js";
import type { JitStats } from "../jit/engine.js";
import { loadJit, jitLoaded } from "../jit/load.js";
import { JIT_FLAGS, JIT_FLAGS_HELP, jitOptionsFrom } from "./jit-flags.js";
import { decodeAt, disasmCommand, formatTraceLine } from "../x86/index.js";

const HELP = `wasm86 — an x86 real-mode PC emulator (WebAssembly core)

Usage:
  wasm86 boot IMAGE [options]     boot a floppy image (360K/720K/1.2M/1.44M/2.88M,
                                  or a bare 512-byte boot sector)
  wasm86 boot --hda DISK          boot a hard-disk image
  wasm86 run PROG.COM [ARGS…] [options]
                                  run a DOS .COM program; its files live in
                                  --dir DIR (default: the current directory),
                                  and nothing outside it can be reached
  wasm86 disasm FILE [--org ADDR] [--cpu 8086|286|386]
                                  list FILE as NASM-syntax instructions
                                  (ADDR like 0x7C00, 7C00h or 31744)
  wasm86 --help

Options:
  --dir DIR               (run) the host directory that is drive C:
  --fda FILE              floppy image for drive A: (same as IMAGE)
  --hda FILE              hard-disk image for drive C: (boots if no floppy)
  --write                 write the guest's disk writes back to the image files
                          (default: they go to an in-memory overlay and are lost)
  --cpu 8086|286|386      CPU model (default 386, real mode)
  --headless              no live screen (the default when not on a terminal, or
                          with --keys, --screen*, --until, --max-instructions);
                          on a terminal the screen is drawn live: Ctrl+] quits
  --keys TEXT             type TEXT: \\n Enter, \\e Esc, \\t Tab, \\b Backspace,
                          {up} {down} {left} {right} {f1}…{f10} {home} {end} {pgup}
                          {pgdn} {ins} {del}, {wait} pause; each key is delivered
                          once the guest has consumed the previous one
  --serial stdio|file:PATH  where COM1 output goes (default: discarded)
  --serial-in FILE        bytes fed to COM1's receiver
  --debugcon stdio|file:PATH  where port E9h output goes (default: stderr)
  --max-instructions N    stop after N instructions
  --timeout SECONDS       stop after SECONDS of virtual time (wall time with --realtime)
  --until TEXT            stop when TEXT appears on the screen or the serial output
  --screen                print the final text screen as plain text
  --screen-raw FILE       write the raw text buffer (char, attribute pairs)
  --screenshot FILE.png   write a PNG of the final screen (any video mode)
  --stats                 print instructions, MIPS and exits by reason
  --engine interp|jit     run on the interpreter (default) or translate hot
                          blocks to WebAssembly
${JIT_FLAGS_HELP}
  --trace[=N]             print each executed instruction (CS:IP, bytes, NASM
                          text, registers before it) on stderr, the first N
                          (default 100000); BIOS services show as OUT 0E6h
  --realtime              tie the PIT and RTC to the host clock (not reproducible)

Exit status: a DOS program's exit code (INT 21h AH=4Ch) for run; 0 when the guest halts, reaches --until or runs out of --timeout /
--max-instructions; QEMU's isa-debug-exit status (value << 1 | 1) when the guest
writes port 501h; 1 for errors and guest resets; 2 for bad usage.`;

class UsageError extends Error {}

/** Where the CLI writes (process streams by default; tests capture).
 *  `terminal` is set only when both ends are a TTY: then `boot` runs
 *  interactively unless --headless or an output option says otherwise. */
export interface CliIO {
  stdout(bytes: Uint8Array | string): void;
  stderr(bytes: Uint8Array | string): void;
  terminal?: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
}

export const processIO: CliIO = {
  stdout: (b) => { process.stdout.write(b); },
  stderr: (b) => { process.stderr.write(b); },
  terminal: process.stdin.isTTY && process.stdout.isTTY ? { stdin: process.stdin, stdout: process.stdout } : undefined,
};

function readImage(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new UsageError(`${what} not found: ${path}`);
  const st = statSync(path);
  if (!st.isFile()) throw new UsageError(`${what} is not a file: ${path}`);
  if (st.size === 0) throw new UsageError(`${what} is empty: ${path}`);
  if (st.size > MAX_IMAGE) throw new UsageError(`${what} is too large (${st.size} bytes): ${path}`);
  return readFileSync(path);
}

/** --stats lines for the translator. */
function jitStatLines(s: JitStats | undefined, n: number): string[] {
  if (!s) return [];
  const perM = (v: number) => (v / Math.max(1, n) * 1e6).toFixed(1);
  return [
    "translator (engine jit):",
    `  blocks compiled ${s.blocksCompiled} in ${s.regionsCompiled} functions (${s.instructionsCompiled} instructions, ${s.instructionsInlined} inline), refused ${s.blocksRefused}`,
    `  ways into them besides their first block (return sites, loop headers, call targets) ${s.entriesInstalled}`,
    `  compile time ${s.compileMs.toFixed(1)} ms (${(s.compileMs * 1000 / Math.max(1, s.blocksCompiled)).toFixed(0)} µs per block; ${s.wasmCompileMs.toFixed(1)} ms of it in V8; the slowest function ${s.maxRegionMs.toFixed(2)} ms, the largest ${s.maxRegionBlocks} blocks), code ${s.codeBytes} bytes`,
    ...(s.backgroundRequests > 0 ? [`  in the background: ${s.backgroundRequests} requests, the worker's time ${s.backgroundMs.toFixed(1)} ms, the longest wait from request to install ${s.maxLatencyMs.toFixed(1)} ms (interpreted meanwhile); dropped as their code changed meanwhile ${s.backgroundStale}${s.backgroundTimeouts ? `, unanswered and translated here instead ${s.backgroundTimeouts}` : ""}`] : []),
    `  hot blocks on no loop that waited for a loop around them to get hot first ${s.loopWaits}; blocks found decoded already, their bytes unchanged ${s.decodeHits}`,
    `  instructions in translated code ${s.translatedInstructions} (${(s.translatedInstructions / Math.max(1, n) * 100).toFixed(1)}%)`,
    `  block runs ${s.blockRuns} (${perM(s.blockRuns)} per million instructions); cache lookups ${s.lookups}, of them untranslated (counting toward the threshold unless near a budget cut) ${s.misses}; budget skips ${s.budgetSkips}`,
    `  side exits (a memory access left to the interpreter: MMIO, ROM, code, copy-on-write, dirty logging, a crossing) ${s.sideExits} (${perM(s.sideExits)} per million instructions)`,
    `  invalidations ${s.invalidations}, flushes ${s.flushes}${s.deopts ? `, pages translated again without access groups (a group's test failed) ${s.deopts}` : ""}${s.blocksThrashing ? `, self-patching regions left to the interpreter ${s.blocksThrashing}` : ""}${s.compilesDeferred ? `, translations put off on pages whose translations keep being dropped unused ${s.compilesDeferred}` : ""}${s.failures ? `, translation failures ${s.failures} (interpreted instead)` : ""}`,
  ];
}

function positiveNumber(v: string | undefined, name: string, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${name} must be a positive ${integer ? "integer" : "number"}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** "stdio" → stdout; "file:PATH" → that file. */
function sink(spec: string | undefined, name: string, io: CliIO, fallback: (b: number) => void): { write: (b: number) => void; close: () => void } {
  if (spec === undefined) return { write: fallback, close: () => {} };
  if (spec === "stdio") return { write: (b) => io.stdout(Uint8Array.of(b)), close: () => {} };
  if (spec.startsWith("file:")) {
    const fd = openSync(spec.slice(5), "w");
    return { write: (b) => { writeSync(fd, Uint8Array.of(b)); }, close: () => closeSync(fd) };
  }
  throw new UsageError(`${name} must be stdio or file:PATH, got ${JSON.stringify(spec)}`);
}

/** `wasm86 boot` (a disk image) and `wasm86 run` (a DOS .COM): one PC
 *  session, set up, run headless or on the terminal, and reported. */
function session(argv: string[], io: CliIO, mode: "boot" | "run"): number | Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      dir: { type: "string" },
      fda: { type: "string" }, hda: { type: "string" }, cpu: { type: "string", default: "386" },
      headless: { type: "boolean", default: false }, keys: { type: "string" },
      serial: { type: "string" }, "serial-in": { type: "string" }, debugcon: { type: "string" },
      "max-instructions": { type: "string" }, timeout: { type: "string" }, until: { type: "string" },
      screen: { type: "boolean", default: false }, "screen-raw": { type: "string" }, screenshot: { type: "string" },
      stats: { type: "boolean", default: false }, realtime: { type: "boolean", default: false },
      write: { type: "boolean", default: false }, trace: { type: "string" },
      engine: { type: "string", default: "interp" },
      ...JIT_FLAGS,
    },
  });
  if (mode === "boot" && positionals.length > 1) throw new UsageError(`boot takes one image, got ${positionals.length}`);
  if (mode === "run" && positionals.length === 0) throw new UsageError("run needs a program (wasm86 run PROG.COM [ARGS])");
  if (mode === "boot" && values.dir !== undefined) throw new UsageError("--dir goes with run, not boot");
  const program = mode === "run" ? readImage(positionals[0], "program") : undefined;
  const fdaPath = mode === "run" ? values.fda : positionals[0] ?? values.fda;
  if (mode === "boot" && positionals[0] && values.fda) throw new UsageError("give the floppy image either as IMAGE or as --fda, not both");
  if (mode === "boot" && !fdaPath && !values.hda) throw new UsageError("boot needs an image (wasm86 boot IMAGE)");
  const cpu = values.cpu as CpuModel;
  if (!CPU_MODELS.includes(cpu)) throw new UsageError(`unknown --cpu ${JSON.stringify(values.cpu)} (${CPU_MODELS.join(", ")})`);
  const maxInstructions = positiveNumber(values["max-instructions"], "--max-instructions", true);
  const engine = values.engine as Engine;
  if (!ENGINES.includes(engine)) throw new UsageError(`unknown --engine ${JSON.stringify(values.engine)} (${ENGINES.join(", ")})`);
  const jit = jitOptionsFrom(values, (message) => new UsageError(message));
  // binaryen (only for --jit-opt > 0) loads asynchronously: load it, then
  // start the session again.
  if (engine === "jit" && (jit.optimize ?? 0) > 0 && !jitLoaded()) return loadJit().then(() => session(argv, io, mode));
  const traceLimit = values.trace === undefined ? undefined
    : values.trace === "" ? DEFAULT_TRACE : positiveNumber(values.trace, "--trace", true);
  const timeout = positiveNumber(values.timeout, "--timeout", false);
  const keys: Key[] = values.keys ? parseKeys(values.keys) : [];
  const serialIn = values["serial-in"] ? readImage(values["serial-in"], "--serial-in file") : undefined;

  let floppy: Disk | undefined, hardDisk: Disk | undefined;
  try {
    if (fdaPath) floppy = new Disk("floppy", readImage(fdaPath, "floppy image"), fdaPath);
    if (values.hda) hardDisk = new Disk("hard", readImage(values.hda, "hard-disk image"), values.hda);
  } catch (e) {
    if (e instanceof DiskError) throw new UsageError(e.message);
    throw e;
  }

  let serialText = "";
  const serial = sink(values.serial, "--serial", io, () => {});
  const debug = sink(values.debugcon, "--debugcon", io, (b) => io.stderr(Uint8Array.of(b)));
  const pc = new PC({
    cpu, floppy, hardDisk, realtime: values.realtime, engine, jit,
    onSerial: (b) => { serial.write(b); if (values.until) serialText = (serialText + String.fromCharCode(b)).slice(-4096); },
    onDebug: (b) => debug.write(b),
    log: (msg) => io.stderr(`wasm86: ${msg}\n`),
  });
  let dos: Dos | undefined;
  if (program) {
    const root = values.dir ?? process.cwd();
    try {
      dos = new Dos(pc, { root, log: (msg) => io.stderr(`wasm86: ${msg}\n`) });
      dos.load(program, positionals.slice(1).join(" "), basename(positionals[0]).toUpperCase());
    } catch (e) {
      if (e instanceof DosError) throw new UsageError(e.message);
      throw e;
    }
  } else {
    pc.boot();
  }
  if (serialIn) pc.serialInput(serialIn);

  // Deliver scripted keys one at a time, each once the guest has consumed
  // the previous one (both the 8042 and the BIOS buffer are empty).
  let nextKey = 0;
  const feedKeys = () => {
    while (nextKey < keys.length && pc.keyboard.pendingScancodes === 0 && !pc.keyboardBios.hasKey) {
      typeKey(pc.keyboard, keys[nextKey++]);
      return;
    }
  };
  const interactive = io.terminal !== undefined && !values.headless && !values.screen && !values["screen-raw"]
    && !values.screenshot && values.until === undefined && values["max-instructions"] === undefined && values.keys === undefined
    && traceLimit === undefined;
  if (interactive && io.terminal) {
    const t = io.terminal;
    return runInteractive(pc, t.stdin, t.stdout).then((why) => {
      serial.close(); debug.close();
      io.stderr(`wasm86: ${why}\n`);
      return 0;
    });
  }
  const until = values.until;
  const started = performance.now();
  const runOptions = {
    maxInstructions, timeoutSeconds: timeout,
    beforeInstruction: traceLimit === undefined ? undefined : tracer(pc.machine, cpu, traceLimit, (line) => io.stderr(line + "\n")),
    until: () => {
      feedKeys();
      return until !== undefined && (serialText.includes(until) || textScreen(pc).join("\n").includes(until));
    },
  };
  const dosResult = dos?.run(runOptions);
  const result: PcRunResult = dosResult && dosResult.reason === "terminated"
    ? { ...dosResult, reason: "exit", exitStatus: dosResult.exitCode ?? 0 }
    : (dosResult as PcRunResult | undefined) ?? pc.run(runOptions);
  const seconds = (performance.now() - started) / 1000;
  pc.uart.drainTransmitter();
  serial.close();
  debug.close();
  if (values.write) {
    if (floppy?.dirty && fdaPath) writeFileSync(fdaPath, floppy.contents());
    if (hardDisk?.dirty && values.hda) writeFileSync(values.hda, hardDisk.contents());
  }

  if (values.screen) io.stdout(textScreen(pc).join("\n").replace(/\n+$/, "") + "\n");
  if (values["screen-raw"]) writeFileSync(values["screen-raw"], textScreenRaw(pc));
  if (values.screenshot) writeFileSync(values.screenshot, screenshotPng(pc));
  if (result.message && result.reason !== "halt") io.stderr(`wasm86: ${result.message}\n`);
  if (values.stats) {
    const n = result.instructions;
    const lines = [
      `stopped: ${result.reason}${result.message ? ` (${result.message})` : ""}`,
      `instructions: ${n}  time: ${seconds.toFixed(3)} s  MIPS: ${(n / seconds / 1e6).toFixed(1)}  virtual time: ${(pc.clock.nowNs() / 1e9).toFixed(3)} s`,
      "exits to the host by reason (per million instructions):",
      ...[...pc.bios.stats.calls].sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${k.padEnd(18)} ${String(v).padStart(9)}  ${(v / n * 1e6).toFixed(1)}`),
      `  port I/O (device) ${String(pc.machine.stats.portIn + pc.machine.stats.portOut).padStart(9)}`,
      `  port I/O (no device: all ones / dropped) ${pc.machine.stats.portUnhandledIn + pc.machine.stats.portUnhandledOut}`,
      `REP MOVS/STOS/CMPS/SCAS chunks done in bulk: ${pc.machine.stats.repBulk}`,
      ...jitStatLines(pc.machine.jitStats, n),
    ];
    io.stderr(lines.join("\n") + "\n");
  }
  if (result.reason === "exit") return (result.exitStatus ?? 1) & 0xff;
  if (result.reason === "reset" || result.reason === "no-boot") return 1;
  return 0;
}

/** Lines `--trace` prints when no N is given. */
const DEFAULT_TRACE = 100_000;

/** `--trace` may stand alone (parseArgs wants a value for a string
 *  option): give it an empty one, read as the default. */
function expandTrace(argv: string[]): string[] {
  return argv.map((a) => (a === "--trace" ? "--trace=" : a));
}

/**
 * The --trace hook: before each instruction, decode it at CS:IP (with the
 * same model as the CPU, from guest memory) and print it with the
 * registers as they are before it runs. An interrupt taken at that boundary
 * shows as the handler's first instruction on the next line; a HLT waiting
 * for one is printed once.
 */
function tracer(m: Machine, cpu: CpuModel, limit: number, out: (line: string) => void): () => boolean {
  let printed = 0;
  let lastCount = -1;
  const h4 = (v: number) => v.toString(16).toUpperCase().padStart(4, "0");
  const h8 = (v: number) => v.toString(16).toUpperCase().padStart(8, "0");
  const read = (lin: number) => {
    const phys = m.a20 ? lin : lin & 0xfffff;
    return phys < m.memorySize ? m.readByte(phys) : 0xff;
  };
  return () => {
    if (printed >= limit) return false;
    const count = m.instructionCount;
    if (count === lastCount && m.halted) return true;
    lastCount = count;
    const r = m.registers;
    const insn = decodeAt(read, cpu, r.cs, r.ip);
    let regs: string;
    if (cpu === "386") {
      const e = m.registers32;
      regs = `EAX=${h8(e.eax)} EBX=${h8(e.ebx)} ECX=${h8(e.ecx)} EDX=${h8(e.edx)} ESI=${h8(e.esi)} EDI=${h8(e.edi)} `
        + `EBP=${h8(e.ebp)} ESP=${h8(e.esp)} DS=${h4(r.ds)} ES=${h4(r.es)} SS=${h4(r.ss)} FS=${h4(e.fs)} GS=${h4(e.gs)} FL=${h4(r.flags)}`;
    } else {
      regs = `AX=${h4(r.ax)} BX=${h4(r.bx)} CX=${h4(r.cx)} DX=${h4(r.dx)} SI=${h4(r.si)} DI=${h4(r.di)} `
        + `BP=${h4(r.bp)} SP=${h4(r.sp)} DS=${h4(r.ds)} ES=${h4(r.es)} SS=${h4(r.ss)} FL=${h4(r.flags)}`;
    }
    out(formatTraceLine(insn, regs));
    printed++;
    return printed < limit;
  };
}

/** Run one wasm86 command; returns the exit status. Never throws for bad
 *  input: usage errors are one line on stderr and status 2. */
export function cli(argv: string[], io: CliIO = processIO): number | Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      io.stdout(HELP + "\n");
      return command === undefined ? 2 : 0;
    }
    if (command === "boot" || command === "run") return session(expandTrace(rest), io, command);
    if (command === "disasm") {
      return disasmCommand(rest, (line) => io.stdout(line + "\n"), (line) => io.stderr(line + "\n"));
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (e) {
    const usage = e instanceof UsageError || e instanceof KeySyntaxError
      || (e instanceof TypeError && "code" in e && String((e as { code: unknown }).code).startsWith("ERR_PARSE_ARGS"));
    io.stderr(`wasm86: ${e instanceof Error ? e.message : String(e)}\n`);
    if (usage) { io.stderr("Try 'wasm86 --help'.\n"); return 2; }
    if (e instanceof PcError) return 1;
    // Anything else is a bug in wasm86, not bad input: keep the trace.
    io.stderr(`${e instanceof Error ? e.stack : ""}\n`);
    return 70;
  }
}
