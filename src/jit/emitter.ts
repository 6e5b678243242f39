/**
 * emitter.ts — a direct WebAssembly binary writer whose API is the subset
 * of binaryen.js's `Module` that the JIT (codegen/memory/inline/flags/
 * translate.ts) uses, so the code generator can target either. Building a
 * region through binaryen's JS API costs milliseconds (every expression is
 * a call into binaryen's own Wasm); here an expression is a row of a flat
 * Int32Array, and emitBinary() is one recursive pass over the tree into a
 * reused byte buffer (the sections before the code are cached).
 *
 * What it is: the same constructors with the same signatures and typing
 * rules (binaryen 132's finalize(): a block's type is the one passed —
 * `none` when omitted, as binaryen.js passes it — or `unreachable` when it
 * is `none`, a child is unreachable and nothing branches to it; an if-else
 * takes its arms' type, an if on an unreachable condition is unreachable;
 * an unconditional br, br_table, return, unreachable are unreachable and
 * so is anything with an unreachable operand), and the same writer rules
 * (unnamed blocks, and branch-less blocks as if arms or loop/function
 * bodies, are written as their children; nothing is written after a child
 * that cannot complete; an unreachable named block/if/loop is followed by
 * `unreachable`; locals are grouped by type in order of first appearance;
 * signatures are sorted by use count, then first use; the memory import
 * comes first). tests/jit/emitter.test.ts holds it to byte equality with
 * binaryen's emitBinary() for the same calls.
 *
 * What it is not: an optimiser, a text printer (read the binary back with
 * binaryen for text), nor a full validator — it throws at construction on
 * what binaryen's validator would reject in the JIT's usage (a value left
 * on the stack, mismatched operand or arm types, a bad alignment) and at
 * emission on an unknown label, local or function or a local of the wrong
 * type. Only MVP integer code: one memory (no data segments), function
 * imports and exports, no tables, globals, float operations, branch
 * values or multi-value blocks.
 *
 * Lifetime: expressions belong to the module. When the last defined
 * function is removed (translate.ts removes the region's function after
 * each emitBinary) the expression store is cleared and earlier refs are
 * void — binaryen keeps them until dispose(), but the JIT never reuses
 * them. copyExpression returns its argument: nodes are immutable, and a
 * shared subtree is simply written twice. Label and function names are
 * interned per module (a module given ever-new label names grows).
 *
 * Files (src/jit/emitter/): types.ts the value types; subset.ts the
 * ModuleSubset interface; nodes.ts the expression store and constructors
 * (class Expressions); body.ts the function-body writer (BodyWriter
 * extends Expressions); bytes.ts the byte buffer and LEB128; module.ts
 * functions, imports, exports, memory and emitBinary (Module extends
 * BodyWriter). The layers are subclasses rather than separate objects so
 * that the writer's hot loop still reads the node array as a field of
 * `this`, as it did when this was one class. This file is the public
 * entry: the names the JIT and the tests import.
 */
import { NONE, UNREACHABLE, I32, I64, F32, F64, createType, expandType, Features } from "./emitter/types.js";
import { Module } from "./emitter/module.js";

export type { IntOps, I32Ops, I64Ops, ModuleSubset } from "./emitter/subset.js";
export { Module };

/**
 * The parts of the binaryen namespace the code generator reads, for the
 * emitter: `new emitter.Module()`, the basic types (binaryen's numbers),
 * createType/expandType and Features.
 */
export const emitter = {
  Module,
  none: NONE,
  unreachable: UNREACHABLE,
  i32: I32,
  i64: I64,
  f32: F32,
  f64: F64,
  createType,
  expandType,
  Features,
};
