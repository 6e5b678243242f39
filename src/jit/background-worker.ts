/**
 * background-worker.ts — the translator's worker thread (background.ts is
 * the main thread's side): per engine session, a decoder and the shared
 * RegionCompiler; per request, the region decoded from the copy of guest
 * memory it came with, scoped to its loop, translated and compiled by V8,
 * and the Module sent back.
 *
 * What this file is not: policy. Which requests are made, and whether a
 * reply is still good when it arrives, is the engine's (engine.ts).
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { RegionCompiler } from "./translate.js";
import { RegionDecoder, planRegion, requestView, type DecodeJournal } from "./region.js";
import { loadJit } from "./load.js";
import type { Outcome, Reply, ReplyBlock, Request, SessionSetup } from "./background.js";
import type { Block } from "../x86/block.js";
import type { Message } from "./background.js";

const signal = (workerData as { signal: Int32Array }).signal;

/** A block's bytes as decoded, for the main thread's check. */
function replyBlock(b: Block): ReplyBlock {
  const bytes = new Uint8Array(b.length);
  let n = 0;
  for (const insn of b.insns) for (let i = 0; i < insn.bytes.length; i++) bytes[n++] = insn.bytes[i];
  return { address: b.address, cs: b.cs, ip: b.ip, length: b.length, bytes: bytes.subarray(0, n) };
}

function answer(setup: SessionSetup, decoder: RegionDecoder, compiler: RegionCompiler, r: Request): Reply {
  const t0 = performance.now();
  const hits0 = decoder.hits;
  const done = (outcome: Outcome): Reply => ({ ...outcome, id: r.id, ms: performance.now() - t0, decodeHits: decoder.hits - hits0 });
  try {
    const missing: number[] = [], journal: DecodeJournal = [];
    const decoded = decoder.decode(r.cs, r.ip, requestView(r, missing), journal);
    if (decoded.blocks.length > 0 && missing.length > 0 && r.words === undefined) {
      // Decoded again with the words: as if this pass had not been.
      decoder.undo(journal, decoder.hits - hits0);
      return done({ kind: "need", addresses: missing });
    }
    const plan = planRegion(decoded, r.loopRegions, setup.maxRegion, r.mayWait);
    if (plan.kind !== "translate") return done(plan);
    const tr = compiler.translate(plan.blocks, r.options, decoded.predictions);
    // (The Module, not the binary, crosses: V8 shares the compiled module
    // between the threads, and the main thread's install took 1.6 ms
    // cold against 2.6 ms compiling the binary itself, medians of six
    // fresh runs of bench-mandel.)
    const module = new WebAssembly.Module(tr.binary as Uint8Array<ArrayBuffer>);
    return done({
      kind: "code", module, blocks: plan.blocks.map(replyBlock),
      instructions: tr.instructions, total: tr.total, inlined: tr.inlined, codeBytes: tr.binary.length, entries: tr.entries,
    });
  } catch {
    return done({ kind: "failed" });
  }
}

// A session per engine, until its channel closes (background.ts).
parentPort!.on("message", ({ port, setup }: { port: MessagePort; setup: SessionSetup }) => {
  const decoder = new RegionDecoder(setup.model, setup.maxBlock, setup.maxRegion);
  const compiler = RegionCompiler.shared(setup.layout);
  const ready = setup.binaryen ? loadJit() : Promise.resolve();
  port.on("message", (m: Message) => {
    // (Through `ready` too, to keep the order of the requests before it.)
    if (m.kind === "clear") { void ready.then(() => decoder.clear(), () => decoder.clear()); return; }
    const r = m.request;
    // (The warm-up's blocks go in a decoder of their own: the session's
    // would keep them, and count a hit should the guest ever have the
    // same bytes at 0000:0100.)
    const by = m.kind === "warm" ? new RegionDecoder(setup.model, setup.maxBlock, setup.maxRegion) : decoder;
    void ready.then(
      () => answer(setup, by, compiler, r),
      (): Reply => ({ id: r.id, ms: 0, decodeHits: 0, kind: "failed" }),
    ).then((reply) => {
      port.postMessage(reply);
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
    });
  });
});
