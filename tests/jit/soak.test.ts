/**
 * soak.test.ts — the short version of `npm run soak` (bench/soak.ts):
 * roms/soak.bin under the translator with a function table of 16, for
 * 1.6 × 10^7 instructions — ~200 translations, a dozen full flushes,
 * invalidations from self-modifying code. Resources must stay bounded:
 * the table never passes its bound, no more translated Wasm instances
 * than it holds stay alive after a GC, the core's and binaryen's Wasm
 * memories stop growing, the engine's page map stays small, and the live
 * JS heap (after a full GC) does not grow from the first half of the run
 * after warm-up to the second. rss is sampled and checked only loosely
 * here (it depends on when V8 returns pages); `npm run soak` checks it
 * over 10^10 instructions. The run must also equal the interpreter's.
 */
import { describe, it, expect } from "vitest";
import {
  soakMachine, stateSummary, takeSample, tableLength, checkFlat, loadJitWatchingMemory, gc, InstanceCensus, MiB, type Sample,
} from "../../bench/soak-lib.js";

await loadJitWatchingMemory();

const N = 16_000_000;
const SAMPLES = 8;
const WARMUP = 0.25;
const MAX_FUNCTIONS = 16;
/** Half the rom's inner-loop iterations: more translations per
 *  instruction, so a short run still flushes a dozen times. */
const PARAMS = { iter: 1000 };

describe("soak: bounded translator resources (short)", () => {
  it(`${N.toExponential(1)} instructions of roms/soak.bin, maxFunctions ${MAX_FUNCTIONS}: bounded table, flat memory, same as the interpreter`, async () => {
    const { machine: m, output } = soakMachine({ engine: "jit", maxFunctions: MAX_FUNCTIONS, params: PARAMS });
    const base = tableLength(m);
    expect(base).toBeTypeOf("number");
    const bound = base! + MAX_FUNCTIONS;
    const samples: Sample[] = [];
    const census = new InstanceCensus();
    census.start();
    const t0 = performance.now();
    try {
      for (let k = 1; k <= SAMPLES; k++) {
        const r = m.run({ maxInstructions: Math.round((N * k) / SAMPLES) - m.instructionCount });
        expect(r.reason).toBe("budget");
        samples.push(takeSample(m, (performance.now() - t0) / 1000, await census.live()));
      }
    } finally {
      census.stop();
    }
    expect(m.instructionCount).toBe(N);
    const last = samples[samples.length - 1];

    // The translator was kept busy and evicted, and never failed.
    expect(last.regions).toBeGreaterThan(6 * MAX_FUNCTIONS);
    expect(last.flushes).toBeGreaterThanOrEqual(5);
    expect(last.invalidations).toBeGreaterThan(50);
    expect(last.failures).toBe(0);
    expect(last.translatedInstructions).toBeGreaterThan(N * 0.9);

    // Bounded: the table, the translations alive after a GC (evicted
    // ones must be collectable), the engine's page map (the guest's code
    // spans the driver's page and 4 stub pages), the Wasm memories.
    expect(census.created).toBe(last.regions);
    for (const s of samples) {
      expect(s.table).toBeLessThanOrEqual(bound);
      if (s.liveInstances !== undefined) expect(s.liveInstances).toBeLessThanOrEqual(MAX_FUNCTIONS);
      if (s.codePages !== undefined) expect(s.codePages).toBeLessThanOrEqual(5);
    }
    expect(new Set(samples.map((s) => s.coreMemory)).size).toBe(1);
    expect(samples[0].binaryenMemory).toBeTypeOf("number"); // caught by loadJitWatchingMemory

    // Flat after warm-up. With a GC before each sample the heap is what is
    // live; windows' maxima, so one late GC cannot fake or hide growth.
    const verdicts = checkFlat(samples, WARMUP, {
      heapUsed: { relative: 0.10, absolute: 4 * MiB },
      external: { relative: 0.10, absolute: 4 * MiB },
      arrayBuffers: { relative: 0.10, absolute: 4 * MiB },
      binaryenMemory: { relative: 0, absolute: 0 },
      // Loose: a gross leak (tens of KiB per translation) only.
      rss: { relative: 0.25, absolute: 64 * MiB },
    });
    const table = verdicts.map((v) => `${v.metric}: ${(v.earlyMax / MiB).toFixed(1)} → ${(v.lateMax / MiB).toFixed(1)} MiB (limit ${(v.limit / MiB).toFixed(1)})`);
    if (gc()) expect(verdicts.filter((v) => !v.ok), table.join("\n")).toEqual([]);
    else expect(verdicts.filter((v) => !v.ok && v.metric !== "heapUsed" && v.metric !== "rss"), table.join("\n")).toEqual([]);

    // The same machine state and output as the interpreter after N.
    const ref = soakMachine({ engine: "interp", params: PARAMS });
    expect(ref.machine.run({ maxInstructions: N }).reason).toBe("budget");
    expect(stateSummary(m)).toEqual(stateSummary(ref.machine));
    expect(output.summary).toEqual(ref.output.summary);
    expect(output.lines).toBeGreaterThanOrEqual(2);
  });
});
