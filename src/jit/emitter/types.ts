/**
 * emitter/types.ts — the emitter's value types, numbered as binaryen
 * numbers them (so binaryen's constants also work), tuple types made by
 * createType, the byte each is written as, and binaryen's Features numbers.
 *
 * Not the typing rules of expressions (nodes.ts) nor a full type system:
 * no reference or vector types.
 */

/** Basic types: binaryen's own numbering, so its constants also work. */
export const NONE = 0, UNREACHABLE = 1, I32 = 2, I64 = 3, F32 = 4, F64 = 5;
const TUPLE_BASE = 0x1000;
const tuples: number[][] = [];
const tupleIds = new Map<string, number>();

export function createType(types: readonly number[]): number {
  if (types.length === 0) return NONE;
  if (types.length === 1) return types[0];
  const key = types.join(",");
  let id = tupleIds.get(key);
  if (id === undefined) {
    for (const t of types) if (t < I32 || t > F64) throw new Error(`emitter: tuple of non-value type ${t}`);
    id = TUPLE_BASE + tuples.length;
    tuples.push(types.slice());
    tupleIds.set(key, id);
  }
  return id;
}

export function expandType(type: number): number[] {
  if (type === NONE) return [];
  if (type >= TUPLE_BASE) {
    const t = tuples[type - TUPLE_BASE];
    if (!t) throw new Error(`emitter: unknown type ${type}`);
    return t.slice();
  }
  return [type];
}

const TYPE_NAME = ["none", "unreachable", "i32", "i64", "f32", "f64"];
export const typeName = (t: number) => TYPE_NAME[t] ?? `type#${t}`;

export function valueTypeByte(t: number): number {
  switch (t) {
    case I32: return 0x7f;
    case I64: return 0x7e;
    case F32: return 0x7d;
    case F64: return 0x7c;
  }
  throw new Error(`emitter: ${typeName(t)} is not a value type`);
}

export function blockTypeByte(t: number): number {
  return t === NONE || t === UNREACHABLE ? 0x40 : valueTypeByte(t);
}

/** Features, as binaryen numbers them (only MVP code is written). */
export const Features = { MVP: 0, Atomics: 1, MutableGlobals: 2, NontrappingFPToInt: 4, SIMD128: 8, BulkMemory: 16, SignExt: 32, All: 0x7fffffff } as const;
