#!/usr/bin/env node
/**
 * bin.ts — the `wasm86` executable: runs cli() on the process arguments.
 */
import { cli } from "./main.js";

// Piped into `head`: stop quietly when the reader goes away.
process.stdout.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") process.exit(0); throw e; });

process.exitCode = await cli(process.argv.slice(2));
