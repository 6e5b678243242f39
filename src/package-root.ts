/**
 * package-root.ts — where the wasm86 package lives on disk: the first
 * directory above this file that holds a package.json (src/ and dist/ have
 * none of their own). Works from src/ (vitest, tsx) and
 * from dist/src/ (compiled) alike; build/, roms/ and ../shared are beside it.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function find(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("wasm86: cannot find the package root (package.json)");
    dir = up;
  }
}

/** Absolute path of the package root. */
export const PACKAGE_ROOT = find();
