#!/usr/bin/env node
/**
 * bin.ts — the `wasm86` executable: runs cli() on the process arguments.
 */
import { cli } from "./main.js";

process.exitCode = await cli(process.argv.slice(2));
