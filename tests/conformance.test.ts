/**
 * conformance.test.ts — a representative slice of the hardware-captured
 * single-instruction corpus (../shared/conformance, SingleStepTests format):
 * every opcode file of both sets, the first TESTS_PER_FILE tests of each,
 * run by the project's own ConformanceRunner (src/conformance/). The full
 * corpus runs with `npm run conformance`.
 *
 * The corpus lives beside the repository, not in it: a clone without
 * ../shared skips these tests (and says so).
 */
import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listTestFiles, readTests, readMetadata, readRevoked } from "../src/conformance/corpus.js";
import { ConformanceRunner } from "../src/conformance/runner.js";
import { ENGINES, loadJit, type CpuModel } from "../src/index.js";

/** ../shared/conformance relative to the repository root (this file's parent). */
const CORPUS = fileURLToPath(new URL("../../shared/conformance/", import.meta.url));
const DATASETS: readonly { cpu: CpuModel; dir: string }[] = [
  { cpu: "8086", dir: "8086" },
  { cpu: "286", dir: "80286-real_mode" },
];
/** Tests taken from the start of each opcode file. */
const TESTS_PER_FILE = 15;
/** Failures spelled out in the assertion message. */
const SHOW = 25;

const found = existsSync(CORPUS);
if (!found) console.log(`conformance: corpus not found at ${CORPUS}; skipping the conformance tests`);

await loadJit();

describe.skipIf(!found)("conformance (first tests of every opcode file)", () => {
  for (const { cpu, dir } of DATASETS) for (const engine of ENGINES) {
    const path = join(CORPUS, dir);
    // The translator compiles every test's block: fewer tests per file.
    const perFile = engine === "jit" ? 3 : TESTS_PER_FILE;
    it.skipIf(!existsSync(path))(`${cpu} (${engine}): ${dir}, ${perFile} tests per opcode file`, () => {
      const runner = new ConformanceRunner(cpu, readMetadata(path), engine);
      const revoked = readRevoked(path);
      const files = listTestFiles(path);
      expect(files.length, `no test files in ${path}`).toBeGreaterThan(0);
      let passed = 0;
      const skipped: string[] = [];
      const failures: string[] = [];
      for (const file of files) {
        for (const test of readTests(file.path).slice(0, perFile)) {
          const id = test.hash ?? test.test_hash ?? String(test.idx ?? test.test_num ?? "?");
          if (revoked.has(id)) continue;
          const why = runner.incomplete(test);
          if (why) { skipped.push(`${file.id} ${test.name} (${id.slice(0, 12)}): ${why}`); continue; }
          const diffs = runner.run(test);
          if (diffs.length === 0) passed++;
          else failures.push(`${file.id}  ${test.name}  (${id.slice(0, 12)})\n      ${diffs.join("\n      ")}`);
        }
      }
      for (const s of skipped) console.log(`conformance ${cpu}: skipped ${s}`);
      const report = `${cpu}: ${failures.length} of ${failures.length + passed} tests failed `
        + `(${files.length} opcode files, first ${perFile} each, engine ${engine}):\n  `
        + failures.slice(0, SHOW).join("\n  ")
        + (failures.length > SHOW ? `\n  ... and ${failures.length - SHOW} more` : "");
      expect(failures.length, report).toBe(0);
      // Nearly every test must have been judged, not skipped.
      expect(passed).toBeGreaterThan(files.length * perFile * 0.95);
    });
  }
});
