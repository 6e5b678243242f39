/**
 * cli.ts — `npm run conformance -- [options]`: run hardware-captured
 * single-instruction tests and report per-opcode failures.
 *
 * Options:
 *   --cpu 8086|286     model to emulate (default: from the directory's
 *                      metadata.json, else 8086); alone, picks the shared set
 *   --dir DIR          a directory of <OP>.json(.gz) files (any, not only
 *                      the shared corpus)
 *   --engine interp|jit  execution engine (jit: every block translated at
 *                        its first entry, one instruction per block)
 *   --filter OP        only files whose name starts with OP (e.g. F6, F6.7, D2)
 *   --limit N          at most N tests per file
 *   --details N        failing tests to print per opcode (default 3)
 *
 * With neither --cpu nor --dir both shared sets run. Ends with a line
 * "N passed, N failed"; exits 1 if anything failed, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import { listTestFiles, readTests, readMetadata, readRevoked } from "./corpus.js";
import { ConformanceRunner } from "./runner.js";
import { ENGINES, type CpuModel, type Engine } from "../machine.js";
import { loadJit } from "../jit/load.js";

const DATASETS: Record<string, string> = { "8086": "8086", "286": "80286-real_mode" };

function usage(msg: string): never {
  process.stderr.write(`conformance: ${msg}\nusage: npm run conformance -- [--cpu 8086|286] [--dir DIR] [--engine interp|jit] [--filter OP] [--limit N]\n`);
  process.exit(2);
}

/** ../shared/conformance beside the package root. */
const sharedCorpus = () => resolve(PACKAGE_ROOT, "..", "shared", "conformance");

function cpuFromMetadata(dir: string): CpuModel | undefined {
  const p = join(dir, "metadata.json");
  if (!existsSync(p)) return undefined;
  const cpu = String((JSON.parse(readFileSync(p, "utf8")) as { cpu?: string }).cpu ?? "");
  return cpu.includes("286") ? "286" : cpu.includes("8086") || cpu.includes("8088") ? "8086" : undefined;
}

export interface SetResult { passed: number; failed: number; skipped: number; }

export function runSet(cpu: CpuModel, dir: string, filter: string | undefined, limit: number, details: number, engine: Engine = "interp"): SetResult {
  const meta = readMetadata(dir);
  const revoked = readRevoked(dir);
  const runner = new ConformanceRunner(cpu, meta, engine);
  let passed = 0, failed = 0, skipped = 0;
  const files = listTestFiles(dir).filter((f) => !filter || f.id.toUpperCase().startsWith(filter.toUpperCase()));
  if (files.length === 0) usage(`no test files${filter ? ` matching ${filter}` : ""} in ${dir}`);
  const started = Date.now();
  for (const file of files) {
    const tests = readTests(file.path).slice(0, limit);
    const failures: { name: string; id: string; diffs: string[] }[] = [];
    for (const t of tests) {
      const id = t.hash ?? t.test_hash ?? String(t.idx ?? t.test_num ?? "?");
      if (revoked.has(id)) continue;
      const why = runner.incomplete(t);
      if (why) {
        skipped++;
        process.stdout.write(`SKIP ${cpu} ${file.id} ${t.name} (${id.slice(0, 12)}): ${why}\n`);
        continue;
      }
      const diffs = runner.run(t);
      if (diffs.length === 0) passed++;
      else { failed++; failures.push({ name: t.name, id, diffs }); }
    }
    if (failures.length > 0) {
      process.stdout.write(`FAIL ${cpu} ${file.id}: ${failures.length}/${tests.length} failed\n`);
      for (const f of failures.slice(0, details)) {
        process.stdout.write(`  ${f.name}  (${f.id.slice(0, 12)})\n`);
        for (const d of f.diffs) process.stdout.write(`      ${d}\n`);
      }
    }
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${cpu}: ${files.length} files, ${passed} passed, ${failed} failed, ${skipped} skipped in ${secs}s (${dir})\n`);
  return { passed, failed, skipped };
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        cpu: { type: "string" }, dir: { type: "string" }, engine: { type: "string", default: "interp" },
        filter: { type: "string" }, limit: { type: "string" }, details: { type: "string" },
      },
      strict: true, allowPositionals: false,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (!(ENGINES as readonly string[]).includes(values.engine!)) usage(`unknown engine ${JSON.stringify(values.engine)} (available: ${ENGINES.join(", ")})`);
  if (values.cpu !== undefined && !(values.cpu in DATASETS)) usage(`unknown --cpu ${values.cpu} (8086 or 286)`);
  if (values.engine === "jit") await loadJit();
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit > 0)) usage(`--limit must be a positive number`);
  const details = values.details === undefined ? 3 : Number(values.details);
  if (!(details >= 0)) usage(`--details must be a number`);

  const sets: [CpuModel, string][] = [];
  if (values.dir) {
    const dir = resolve(values.dir);
    if (!existsSync(dir)) usage(`directory not found: ${dir}`);
    sets.push([(values.cpu as CpuModel | undefined) ?? cpuFromMetadata(dir) ?? "8086", dir]);
  } else {
    const root = sharedCorpus();
    const cpus = values.cpu ? [values.cpu] : ["8086", "286"];
    for (const c of cpus) sets.push([c as CpuModel, join(root, DATASETS[c])]);
  }

  let passed = 0, failed = 0, skipped = 0;
  for (const [cpu, dir] of sets) {
    if (!existsSync(dir)) usage(`corpus directory not found: ${dir}`);
    const r = runSet(cpu, dir, values.filter, limit, details, values.engine as Engine);
    passed += r.passed; failed += r.failed; skipped += r.skipped;
  }
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
