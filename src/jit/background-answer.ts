/**
 * background-answer.ts — what the translator's worker answers a request
 * with (background-worker.ts is the thread around it): the region decoded
 * from the request's copy of guest memory (region.ts), scoped to its loop,
 * translated (translate.ts) and compiled by V8 — or "need" the words an
 * indirect CALL/JMP loads, a refusal, a wait or a failure. Apart from the
 * worker so that tests can run the very same path on the main thread.
 *
 * What this file is not: the messaging (background-worker.ts) nor what
 * the engine does with the answer (engine.ts).
 */
import type { RegionCompiler } from "./translate.js";
import { planRegion, requestView, type DecodeJournal, type RegionDecoder } from "./region.js";
import type { Outcome, Reply, ReplyBlock, Request, SessionSetup } from "./background.js";
import type { Block } from "../x86/block.js";

/** A block's bytes as decoded, for the main thread's check. */
function replyBlock(b: Block): ReplyBlock {
  const bytes = new Uint8Array(b.length);
  let n = 0;
  for (const insn of b.insns) for (let i = 0; i < insn.bytes.length; i++) bytes[n++] = insn.bytes[i];
  return { address: b.address, cs: b.cs, ip: b.ip, length: b.length, bytes: bytes.subarray(0, n) };
}

/** The worker's answer to request `r` (decoded with the session's
 *  `decoder`), timed. Never throws: a translator bug is a "failed". */
export function answer(setup: SessionSetup, decoder: RegionDecoder, compiler: RegionCompiler, r: Request): Reply {
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
