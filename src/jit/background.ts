/**
 * background.ts — translation off the main thread (JitOptions.background,
 * CLI --jit-background): the host side of the translator's worker.
 *
 *   main thread                               worker (background-worker.ts)
 *   EXIT_COMPILE ─▶ copy the code page and
 *     the next, registers ──request──▶       decode (region.ts), loopScope,
 *   the interpreter runs on                   translate, new WebAssembly.Module
 *   every run slice / exit: poll() ◀─reply──  (the Module itself crosses)
 *     bytes still the same? ─▶ Instance, table, cache (engine.ts)
 *
 * Why: in a fresh process the translator is cold JavaScript — V8 parses,
 * compiles and interprets it — and a hot loop's first translation stalls
 * the guest 14–29 ms (npm run bench:cold). In the worker that time passes
 * while the interpreter keeps running the loop; the main thread pays the
 * copy and the install, about 1 ms at most, the first time, after the
 * engine's warm-up (warmup.ts) — but the code comes ~180 ms after the
 * request (the worker starting and translating cold).
 *
 * The price is determinism of *when*: the instruction count at which a
 * translation starts running depends on the worker's speed. What the guest
 * computes and how many instructions it takes do not (both engines are
 * exact), but --stats and the split between the engines vary from run to
 * run. So it is not the default.
 *
 * One worker per process, shared by every engine that asks (each on its
 * own MessageChannel), started with the first and unref'd: it never keeps
 * the process alive. Replies are taken synchronously (receiveMessageOnPort)
 * since the run loop never yields to the event loop; `wait` blocks on a
 * shared counter the worker bumps after each reply.
 *
 * What this file is not: the worker's side (background-worker.ts) or what
 * the engine does with a reply (engine.ts).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { Layout } from "../core/core.js";
import type { X86Model } from "../x86/ir.js";
import { PACKAGE_ROOT } from "../package-root.js";
import type { TranslateOptions } from "./translate.js";

/** What an engine's worker session is set up with. */
export interface SessionSetup {
  layout: Layout;
  model: X86Model;
  maxBlock: number;
  maxRegion: number;
  /** Load binaryen first (optimize > 0). */
  binaryen: boolean;
}

/** A window of guest memory copied at a request: `bytes` from linear
 *  address `base` on. */
export interface Window { base: number; bytes: Uint8Array }

/** A translation request: the region entered at cs:ip, the guest as the
 *  request found it, and what to do. */
export interface Request {
  id: number;
  cs: number;
  ip: number;
  /** The bytes decoding the region can read: its 4 KiB page and the
   *  next (an instruction that starts on the page may end on the next),
   *  within the segment (IP wraps at 64 KiB: then its start too). */
  windows: Window[];
  /** The words indirect CALL/JMPs through [disp16] load, as [linear
   *  address, value], when the worker has asked for them ("need"). */
  words?: [number, number][];
  /** AX…DI, and the six segment bases (SEGS order). */
  regs: number[];
  segBases: number[];
  options: TranslateOptions;
  /** Keep only the loop around the entry (engine option loopRegions). */
  loopRegions: boolean;
  /** A block on no loop may be put off (engine.ts LOOP_FIRST). */
  mayWait: boolean;
}

/** What an engine sends on its channel: a request; the warm-up
 *  (warmup.ts: a request answered as any, from a decoder of its own so
 *  that the session's keeps no trace of it); or "forget the decoded
 *  blocks" (it flushed; its own decoder forgets them too). */
export type Message = { kind: "request"; request: Request } | { kind: "warm"; request: Request } | { kind: "clear" };

/** A translated block as the main thread checks and tracks it. */
export interface ReplyBlock {
  /** Linear address, CS and IP of its first byte, its length. */
  address: number; cs: number; ip: number; length: number;
  /** Its bytes as decoded (IP order, wrapping in the segment). */
  bytes: Uint8Array;
}

/** The worker's answer. `ms`: its time on the request; `decodeHits`:
 *  blocks its decoder had kept (region.ts). */
export type Reply = { id: number; ms: number; decodeHits: number } & Outcome;

/** What became of a request: as engine.ts compile() would answer it
 *  (refused, put off as on no loop, failed), translated — or asked again
 *  with the words at `addresses` (an indirect CALL/JMP through memory
 *  elsewhere: copying every segment with each request, in case, cost
 *  more than this rare second trip). */
export type Outcome = { kind: "refuse" } | { kind: "wait" } | { kind: "failed" } | { kind: "need"; addresses: number[] } | {
  kind: "code";
  module: WebAssembly.Module;
  blocks: ReplyBlock[];
  /** As Translation's (translate.ts). */
  instructions: number; total: number; inlined: number; codeBytes: number;
  entries: { index: number; instructions: number }[];
};

/** The worker's script: compiled JavaScript, beside this file — or, when
 *  this file runs as TypeScript source (vitest), in the build (dist/). */
function workerScript(): string {
  const here = fileURLToPath(new URL("./background-worker.js", import.meta.url));
  if (existsSync(here)) return here;
  const built = join(PACKAGE_ROOT, "dist", "src", "jit", "background-worker.js");
  if (existsSync(built)) return built;
  throw new Error("wasm86: the background translator's worker script is missing (run `npm run build`)");
}

let shared: { worker: Worker; signal: Int32Array } | null = null;

/** The process's translator worker, started at the first call. */
function sharedWorker(): { worker: Worker; signal: Int32Array } {
  if (shared) return shared;
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(workerScript(), { workerData: { signal } });
  worker.unref();
  // (Seen only when the event loop runs; a dead worker's requests simply
  // go unanswered, and the engine translates them itself after a while.)
  worker.on("error", () => { if (shared?.worker === worker) shared = null; });
  shared = { worker, signal };
  return shared;
}

/** Stop the process's translator worker. Engines that were using it
 *  find their requests unanswered and translate on their own thread
 *  (engine.ts BACKGROUND_TIMEOUT_MS); a later engine starts another. */
export async function stopBackgroundWorker(): Promise<void> {
  const s = shared;
  shared = null;
  if (s) await s.worker.terminate();
}

/** Channels whose engine is gone are closed: the worker then drops the
 *  session (its decoder's blocks) too. */
const orphans = new FinalizationRegistry<MessagePort>((port) => port.close());

/** One engine's channel to the worker. */
export class BackgroundTranslator {
  private readonly port: MessagePort;
  private readonly signal: Int32Array;

  constructor(setup: SessionSetup) {
    const { worker, signal } = sharedWorker();
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ port: port2, setup }, [port2]);
    this.port = port1;
    this.signal = signal;
    orphans.register(this, port1);
  }

  /** Send a request; its windows' buffers move to the worker. */
  request(r: Request): void {
    const m: Message = { kind: "request", request: r };
    this.port.postMessage(m, r.windows.map((w) => w.bytes.buffer as ArrayBuffer));
  }

  /** Send the warm-up (warmup.ts); its window's buffer moves too. */
  warmUp(r: Request): void {
    const m: Message = { kind: "warm", request: r };
    this.port.postMessage(m, r.windows.map((w) => w.bytes.buffer as ArrayBuffer));
  }

  /** Have the worker forget its decoded blocks (the engine flushed). */
  clear(): void {
    const m: Message = { kind: "clear" };
    this.port.postMessage(m);
  }

  /** A reply, if one has come. */
  poll(): Reply | undefined {
    return receiveMessageOnPort(this.port)?.message as Reply | undefined;
  }

  /** A reply, waiting up to `timeoutMs` for one. */
  wait(timeoutMs: number): Reply | undefined {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const r = this.poll();
      if (r !== undefined) return r;
      const left = until - performance.now();
      if (left <= 0) return undefined;
      Atomics.wait(this.signal, 0, seen, left);
    }
  }

}
