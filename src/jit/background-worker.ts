/**
 * background-worker.ts — the translator's worker thread (background.ts is
 * the main thread's side): per engine session, a decoder and the shared
 * RegionCompiler; per request, the answer (background-answer.ts: the
 * region decoded from the copy of guest memory it came with, scoped to
 * its loop, translated and compiled by V8) sent back.
 *
 * What this file is not: policy. Which requests are made, and whether a
 * reply is still good when it arrives, is the engine's (engine.ts).
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { RegionCompiler } from "./translate.js";
import { RegionDecoder } from "./region.js";
import { loadJit } from "./load.js";
import { answer } from "./background-answer.js";
import type { Message, Reply, SessionSetup } from "./background.js";

const signal = (workerData as { signal: Int32Array }).signal;

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
