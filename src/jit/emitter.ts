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
 */
import type Binaryen from "binaryen";

// ------------------------------------------------------------------ types

/** Basic types: binaryen's own numbering, so its constants also work. */
const NONE = 0, UNREACHABLE = 1, I32 = 2, I64 = 3, F32 = 4, F64 = 5;
const TUPLE_BASE = 0x1000;
const tuples: number[][] = [];
const tupleIds = new Map<string, number>();

function createType(types: readonly number[]): number {
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

function expandType(type: number): number[] {
  if (type === NONE) return [];
  if (type >= TUPLE_BASE) {
    const t = tuples[type - TUPLE_BASE];
    if (!t) throw new Error(`emitter: unknown type ${type}`);
    return t.slice();
  }
  return [type];
}

const TYPE_NAME = ["none", "unreachable", "i32", "i64", "f32", "f64"];
const typeName = (t: number) => TYPE_NAME[t] ?? `type#${t}`;

function valueTypeByte(t: number): number {
  switch (t) {
    case I32: return 0x7f;
    case I64: return 0x7e;
    case F32: return 0x7d;
    case F64: return 0x7c;
  }
  throw new Error(`emitter: ${typeName(t)} is not a value type`);
}

function blockTypeByte(t: number): number {
  return t === NONE || t === UNREACHABLE ? 0x40 : valueTypeByte(t);
}

// ------------------------------------------------------------ node layout

/** Node kinds. A node is 8 int32s at `id << 3`: kind, type, then a..f. */
const K_CONST32 = 1, K_CONST64 = 2, K_LGET = 3, K_LSET = 4, K_LTEE = 5, K_LOAD = 6, K_STORE = 7,
  K_BINARY = 8, K_UNARY = 9, K_BLOCK = 10, K_LOOP = 11, K_IF = 12, K_BR = 13, K_SWITCH = 14,
  K_CALL = 15, K_RETURN = 16, K_UNREACHABLE = 17, K_NOP = 18, K_DROP = 19, K_SELECT = 20;
// Field offsets.
const KIND = 0, TYPE = 1, A = 2, B = 3, C = 4, D = 5, E = 6;
//   CONST32 a=value           CONST64 a=lo b=hi         LGET a=index
//   LSET/LTEE a=index b=value LOAD a=op b=ptr c=offset d=log2 align
//   STORE a=op b=ptr c=value d=offset e=log2 align
//   BINARY a=op b=left c=right   UNARY a=op b=value     DROP a=value
//   BLOCK a=label(-1) b=first child (pool) c=count d=branched (0 ?, 1 yes, 2 no)
//   LOOP a=label(-1) b=body   IF a=cond b=then c=else(0)
//   BR a=label b=cond(0)      SWITCH a=first label (pool) b=count c=default d=cond
//   CALL a=name b=first operand (pool) c=count       RETURN a=value(0)
//   SELECT a=cond b=ifTrue c=ifFalse

/** Natural alignment (bytes) by memory opcode. */
const NATURAL: Record<number, number> = {
  0x28: 4, 0x29: 8, 0x2c: 1, 0x2d: 1, 0x2e: 2, 0x2f: 2, 0x30: 1, 0x31: 1, 0x32: 2, 0x33: 2, 0x34: 4, 0x35: 4,
  0x36: 4, 0x37: 8, 0x3a: 1, 0x3b: 2, 0x3c: 1, 0x3d: 2, 0x3e: 4,
};

// ------------------------------------------------------- public interface

type Ref = number;
type LoadFn = (offset: number, align: number, ptr: Ref, name?: string) => Ref;
type StoreFn = (offset: number, align: number, ptr: Ref, value: Ref, name?: string) => Ref;
type BinFn = (left: Ref, right: Ref) => Ref;
type UnFn = (value: Ref) => Ref;

/** The integer operations of one type, as binaryen.js names them. */
export interface IntOps<ConstArgs extends unknown[]> {
  const(...args: ConstArgs): Ref;
  load: LoadFn; load8_s: LoadFn; load8_u: LoadFn; load16_s: LoadFn; load16_u: LoadFn;
  store: StoreFn; store8: StoreFn; store16: StoreFn;
  clz: UnFn; ctz: UnFn; popcnt: UnFn; eqz: UnFn;
  add: BinFn; sub: BinFn; mul: BinFn; div_s: BinFn; div_u: BinFn; rem_s: BinFn; rem_u: BinFn;
  and: BinFn; or: BinFn; xor: BinFn; shl: BinFn; shr_u: BinFn; shr_s: BinFn; rotl: BinFn; rotr: BinFn;
  eq: BinFn; ne: BinFn; lt_s: BinFn; lt_u: BinFn; le_s: BinFn; le_u: BinFn;
  gt_s: BinFn; gt_u: BinFn; ge_s: BinFn; ge_u: BinFn;
}
export interface I32Ops extends IntOps<[value: number]> { wrap: UnFn }
export interface I64Ops extends IntOps<[lowOrBigInt: number | bigint, high?: number]> {
  load32_s: LoadFn; load32_u: LoadFn; store32: StoreFn; extend_s: UnFn; extend_u: UnFn;
}

/**
 * The part of binaryen's Module the JIT uses. `Binaryen.Module` satisfies
 * it (checked below), and so does the emitter's Module: code typed against
 * it can be given either.
 */
export interface ModuleSubset {
  i32: I32Ops;
  i64: I64Ops;
  local: {
    get(index: number, type: number): Ref;
    set(index: number, value: Ref): Ref;
    tee(index: number, value: Ref, type: number): Ref;
  };
  block(label: string | null, children: readonly Ref[], resultType?: number): Ref;
  loop(label: string | null, body: Ref): Ref;
  if(condition: Ref, ifTrue: Ref, ifFalse?: Ref): Ref;
  br(label: string, condition?: Ref, value?: Ref): Ref;
  switch(labels: readonly string[], defaultLabel: string, condition: Ref, value?: Ref): Ref;
  call(name: string, operands: readonly Ref[], returnType: number): Ref;
  select(condition: Ref, ifTrue: Ref, ifFalse: Ref): Ref;
  drop(value: Ref): Ref;
  return(value?: Ref): Ref;
  nop(): Ref;
  unreachable(): Ref;
  copyExpression(expr: Ref): Ref;
  setFeatures(features: number): void;
  setMemory(initial: number, maximum: number, exportName?: string | null, segments?: readonly Binaryen.MemorySegment[] | null,
    shared?: boolean, memory64?: boolean, internalName?: string): void;
  addMemoryImport(internalName: string, externalModuleName: string, externalBaseName: string, shared?: boolean): void;
  addFunctionImport(internalName: string, externalModuleName: string, externalBaseName: string, params: number, results: number): void;
  addFunction(name: string, params: number, results: number, vars: readonly number[], body: Ref): number;
  addFunctionExport(internalName: string, externalName: string): number;
  removeFunction(name: string): void;
  removeExport(externalName: string): void;
  getFunction(name: string): number;
  getExport(externalName: string): number;
  emitBinary(): Uint8Array;
  validate(): number;
  dispose(): void;
}

// binaryen's Module must fit the subset, or "drop-in" is not true.
type BinaryenFits = Binaryen.Module extends ModuleSubset ? true : false;
const binaryenFits: BinaryenFits = true;
void binaryenFits;

// ------------------------------------------------------------ byte writer

const utf8 = new TextEncoder();

class Bytes {
  buf: Uint8Array;
  pos = 0;
  constructor(size = 1 << 14) { this.buf = new Uint8Array(size); }

  grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + need) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }
  byte(v: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    v >>>= 0;
    while (v >= 0x80) { buf[this.pos++] = (v & 0x7f) | 0x80; v >>>= 7; }
    buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A name: its UTF-8 length and bytes. */
  name(b: Uint8Array): void { this.u32(b.length); this.bytes(b); }
  /** Prefix what was written since `start` with its length (LEB128). */
  sized(start: number): void {
    const len = this.pos - start;
    let n = 1;
    for (let v = len >>> 7; v; v >>>= 7) n++;
    if (this.pos + n > this.buf.length) this.grow(n);
    this.buf.copyWithin(start + n, start, this.pos);
    const end = this.pos + n;
    this.pos = start;
    this.u32(len);
    this.pos = end;
  }
}

// ------------------------------------------------------------ the module

interface Func {
  name: string;
  ref: number;
  params: number;
  results: number;
  /** Imports: where from (UTF-8). */
  importModule?: Uint8Array;
  importBase?: Uint8Array;
  vars: number[];
  body: number;
}
interface Export { ref: number; external: string; externalBytes: Uint8Array; kind: 0 | 2; internal: string }

/** Features, as binaryen numbers them (only MVP code is written). */
const Features = { MVP: 0, Atomics: 1, MutableGlobals: 2, NontrappingFPToInt: 4, SIMD128: 8, BulkMemory: 16, SignExt: 32, All: 0x7fffffff } as const;

export class Module implements ModuleSubset {
  /** Nodes: 8 int32s each; id 0 is "no expression". */
  private n = new Int32Array(8 * 4096);
  private count = 1;
  /** Children, operands and br_table labels of the nodes. */
  private pool = new Int32Array(4096);
  private poolLen = 0;
  /** Label and function names, interned. */
  private names: string[] = [];
  private nameIds = new Map<string, number>();

  private funcs: Func[] = [];
  private exports: Export[] = [];
  private nextRef = 1;
  private memory: { initial: number; maximum: number; internal: string; importModule?: Uint8Array; importBase?: Uint8Array } | null = null;
  /** Function bodies are written here, then copied into the result. */
  private code = new Uint8Array(1 << 15);
  /** Bumped when imports or the memory change (the header cache's key). */
  private importsVersion = 0;
  private headers = new Map<string, { bytes: Uint8Array; index: Map<string, number> }>();

  // Emission state.
  private labels = new Int32Array(64);
  private depth = 0;
  private localMap = new Int32Array(64);
  private localTypes = new Int32Array(64);
  private numLocals = 0;
  private funcIndex: Int32Array = new Int32Array(0);
  private funcParams: number[][] = [];
  private walkStack = new Int32Array(256);

  readonly i32: I32Ops;
  readonly i64: I64Ops;
  readonly local: ModuleSubset["local"];

  constructor() {
    const bin = (op: number, operand: number, result: number): BinFn => (l, r) => this.binary(op, operand, result, l, r);
    const un = (op: number, operand: number, result: number): UnFn => (v) => this.unary(op, operand, result, v);
    const ld = (op: number, type: number): LoadFn => (offset, align, ptr) => this.load(op, type, offset, align, ptr);
    const st = (op: number, type: number): StoreFn => (offset, align, ptr, value) => this.store(op, type, offset, align, ptr, value);
    this.i32 = {
      const: (v) => this.node(K_CONST32, I32, v | 0, 0, 0),
      load: ld(0x28, I32), load8_s: ld(0x2c, I32), load8_u: ld(0x2d, I32), load16_s: ld(0x2e, I32), load16_u: ld(0x2f, I32),
      store: st(0x36, I32), store8: st(0x3a, I32), store16: st(0x3b, I32),
      eqz: un(0x45, I32, I32), clz: un(0x67, I32, I32), ctz: un(0x68, I32, I32), popcnt: un(0x69, I32, I32), wrap: un(0xa7, I64, I32),
      eq: bin(0x46, I32, I32), ne: bin(0x47, I32, I32), lt_s: bin(0x48, I32, I32), lt_u: bin(0x49, I32, I32),
      gt_s: bin(0x4a, I32, I32), gt_u: bin(0x4b, I32, I32), le_s: bin(0x4c, I32, I32), le_u: bin(0x4d, I32, I32),
      ge_s: bin(0x4e, I32, I32), ge_u: bin(0x4f, I32, I32),
      add: bin(0x6a, I32, I32), sub: bin(0x6b, I32, I32), mul: bin(0x6c, I32, I32), div_s: bin(0x6d, I32, I32),
      div_u: bin(0x6e, I32, I32), rem_s: bin(0x6f, I32, I32), rem_u: bin(0x70, I32, I32), and: bin(0x71, I32, I32),
      or: bin(0x72, I32, I32), xor: bin(0x73, I32, I32), shl: bin(0x74, I32, I32), shr_s: bin(0x75, I32, I32),
      shr_u: bin(0x76, I32, I32), rotl: bin(0x77, I32, I32), rotr: bin(0x78, I32, I32),
    };
    this.i64 = {
      const: (v, high) => this.const64(v, high),
      load: ld(0x29, I64), load8_s: ld(0x30, I64), load8_u: ld(0x31, I64), load16_s: ld(0x32, I64), load16_u: ld(0x33, I64),
      load32_s: ld(0x34, I64), load32_u: ld(0x35, I64),
      store: st(0x37, I64), store8: st(0x3c, I64), store16: st(0x3d, I64), store32: st(0x3e, I64),
      eqz: un(0x50, I64, I32), clz: un(0x79, I64, I64), ctz: un(0x7a, I64, I64), popcnt: un(0x7b, I64, I64),
      extend_s: un(0xac, I32, I64), extend_u: un(0xad, I32, I64),
      eq: bin(0x51, I64, I32), ne: bin(0x52, I64, I32), lt_s: bin(0x53, I64, I32), lt_u: bin(0x54, I64, I32),
      gt_s: bin(0x55, I64, I32), gt_u: bin(0x56, I64, I32), le_s: bin(0x57, I64, I32), le_u: bin(0x58, I64, I32),
      ge_s: bin(0x59, I64, I32), ge_u: bin(0x5a, I64, I32),
      add: bin(0x7c, I64, I64), sub: bin(0x7d, I64, I64), mul: bin(0x7e, I64, I64), div_s: bin(0x7f, I64, I64),
      div_u: bin(0x80, I64, I64), rem_s: bin(0x81, I64, I64), rem_u: bin(0x82, I64, I64), and: bin(0x83, I64, I64),
      or: bin(0x84, I64, I64), xor: bin(0x85, I64, I64), shl: bin(0x86, I64, I64), shr_s: bin(0x87, I64, I64),
      shr_u: bin(0x88, I64, I64), rotl: bin(0x89, I64, I64), rotr: bin(0x8a, I64, I64),
    };
    this.local = {
      get: (index, type) => this.node(K_LGET, type, index, 0, 0),
      set: (index, value) => this.node(K_LSET, this.typeOf(value) === UNREACHABLE ? UNREACHABLE : NONE, index, this.checkValue(value, "local.set"), 0),
      tee: (index, value, type) => this.node(K_LTEE, this.typeOf(value) === UNREACHABLE ? UNREACHABLE : type, index, this.checkValue(value, "local.tee"), 0),
    };
  }

  // ------------------------------------------------------- node storage

  private node(kind: number, type: number, a: number, b: number, c: number): number {
    const id = this.count++;
    let n = this.n;
    if ((id << 3) + 8 > n.length) {
      const g = new Int32Array(n.length * 2);
      g.set(n);
      this.n = n = g;
    }
    const o = id << 3;
    n[o] = kind; n[o + 1] = type; n[o + 2] = a; n[o + 3] = b; n[o + 4] = c;
    n[o + 5] = 0; n[o + 6] = 0;
    return id;
  }

  private toPool(items: readonly number[]): number {
    const start = this.poolLen, len = items.length;
    if (start + len > this.pool.length) {
      let size = this.pool.length * 2;
      while (size < start + len) size *= 2;
      const g = new Int32Array(size);
      g.set(this.pool.subarray(0, start));
      this.pool = g;
    }
    const p = this.pool;
    for (let i = 0; i < len; i++) p[start + i] = items[i];
    this.poolLen = start + len;
    return start;
  }

  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
    }
    return id;
  }

  private typeOf(e: number): number {
    return this.n[(e << 3) + TYPE];
  }

  private checkValue(e: number, what: string): number {
    if (!(e > 0 && e < this.count)) throw new Error(`emitter: ${what}: ${e} is not an expression of this module`);
    const t = this.n[(e << 3) + TYPE];
    if (t === NONE) throw new Error(`emitter: ${what}: operand has no value (type none)`);
    return e;
  }

  private operand(e: number, want: number, what: string): number {
    if (!(e > 0 && e < this.count)) throw new Error(`emitter: ${what}: ${e} is not an expression of this module`);
    const t = this.n[(e << 3) + TYPE];
    if (t !== want && t !== UNREACHABLE) throw new Error(`emitter: ${what}: operand is ${typeName(t)}, expected ${typeName(want)}`);
    return t;
  }

  private binary(op: number, operand: number, result: number, l: number, r: number): number {
    const tl = this.operand(l, operand, "binary"), tr = this.operand(r, operand, "binary");
    return this.node(K_BINARY, tl === UNREACHABLE || tr === UNREACHABLE ? UNREACHABLE : result, op, l, r);
  }

  private unary(op: number, operand: number, result: number, v: number): number {
    return this.node(K_UNARY, this.operand(v, operand, "unary") === UNREACHABLE ? UNREACHABLE : result, op, v, 0);
  }

  private alignLog2(op: number, align: number): number {
    const natural = NATURAL[op];
    if (!align) align = natural;
    if (align > natural || (align & (align - 1)) !== 0) throw new Error(`emitter: alignment ${align} for a ${natural}-byte access`);
    return 31 - Math.clz32(align);
  }

  private load(op: number, type: number, offset: number, align: number, ptr: number): number {
    const t = this.operand(ptr, I32, "load");
    const e = this.node(K_LOAD, t === UNREACHABLE ? UNREACHABLE : type, op, ptr, offset | 0);
    this.n[(e << 3) + D] = this.alignLog2(op, align);
    return e;
  }

  private store(op: number, type: number, offset: number, align: number, ptr: number, value: number): number {
    const tp = this.operand(ptr, I32, "store"), tv = this.operand(value, type, "store");
    const e = this.node(K_STORE, tp === UNREACHABLE || tv === UNREACHABLE ? UNREACHABLE : NONE, op, ptr, value);
    const o = e << 3;
    this.n[o + D] = offset | 0;
    this.n[o + E] = this.alignLog2(op, align);
    return e;
  }

  /** binaryen 132 takes one argument, converted with BigInt(). */
  private const64(v: number | bigint, high?: number): number {
    if (high !== undefined) throw new Error("emitter: i64.const takes a single argument (which can be a bigint), as binaryen 132's");
    let lo: number, hi: number;
    if (typeof v === "number" && (v | 0) === v) { lo = v; hi = v >> 31; }
    else {
      const b = BigInt.asIntN(64, BigInt(v));
      if (b >= -0x80000000n && b <= 0x7fffffffn) { lo = Number(b); hi = lo >> 31; }
      else { lo = Number(BigInt.asIntN(32, b)); hi = Number(BigInt.asIntN(32, b >> 32n)); }
    }
    return this.node(K_CONST64, I64, lo, hi, 0);
  }

  // ------------------------------------------------------ control flow

  block(label: string | null, children: readonly number[], resultType?: number): number {
    const type = resultType ?? NONE;
    const count = children.length;
    let anyUnreachable = false;
    for (let i = 0; i < count; i++) {
      const c = children[i];
      if (!(c > 0 && c < this.count)) throw new Error(`emitter: block child ${i}: ${c} is not an expression of this module`);
      const t = this.n[(c << 3) + TYPE];
      if (t === UNREACHABLE) anyUnreachable = true;
      else if (t !== NONE && i < count - 1) {
        throw new Error(`emitter: block ${label ?? "(unnamed)"}: child ${i} leaves an ${typeName(t)} on the stack (binaryen needs a drop)`);
      }
    }
    if (count > 0) {
      const last = this.n[(children[count - 1] << 3) + TYPE];
      if (last !== UNREACHABLE && last !== type) {
        throw new Error(`emitter: block ${label ?? "(unnamed)"} of type ${typeName(type)} ends with an ${typeName(last)}`);
      }
    } else if (type !== NONE) throw new Error(`emitter: empty block of type ${typeName(type)}`);
    const labelId = label ? this.nameId(label) : -1;
    const e = this.node(K_BLOCK, type, labelId, this.toPool(children), count);
    if (type === NONE && anyUnreachable) {
      // binaryen's handleUnreachable: unreachable unless something branches here.
      const branched = labelId >= 0 && this.branchesTo(e, labelId);
      this.n[(e << 3) + D] = labelId < 0 ? 2 : branched ? 1 : 2;
      if (!branched) this.n[(e << 3) + TYPE] = UNREACHABLE;
    }
    return e;
  }

  loop(label: string | null, body: number): number {
    if (!(body > 0 && body < this.count)) throw new Error(`emitter: loop body ${body} is not an expression of this module`);
    return this.node(K_LOOP, this.typeOf(body), label ? this.nameId(label) : -1, body, 0);
  }

  if(condition: number, ifTrue: number, ifFalse?: number): number {
    const tc = this.operand(condition, I32, "if condition");
    if (!(ifTrue > 0 && ifTrue < this.count)) throw new Error(`emitter: if arm ${ifTrue} is not an expression of this module`);
    const tt = this.typeOf(ifTrue);
    let type: number;
    if (ifFalse) {
      if (!(ifFalse > 0 && ifFalse < this.count)) throw new Error(`emitter: else arm ${ifFalse} is not an expression of this module`);
      const tf = this.typeOf(ifFalse);
      if (tt === UNREACHABLE) type = tf;
      else if (tf === UNREACHABLE || tf === tt) type = tt;
      else throw new Error(`emitter: if arms of types ${typeName(tt)} and ${typeName(tf)}`);
    } else {
      if (tt !== NONE && tt !== UNREACHABLE) throw new Error(`emitter: if without else has an ${typeName(tt)} arm`);
      type = NONE;
    }
    if (tc === UNREACHABLE) type = UNREACHABLE; // binaryen 132: whatever the arms
    return this.node(K_IF, type, condition, ifTrue, ifFalse || 0);
  }

  br(label: string, condition?: number, value?: number): number {
    if (value) throw new Error("emitter: br with a value is not supported");
    if (condition) {
      const tc = this.operand(condition, I32, "br_if condition");
      return this.node(K_BR, tc === UNREACHABLE ? UNREACHABLE : NONE, this.nameId(label), condition, 0);
    }
    return this.node(K_BR, UNREACHABLE, this.nameId(label), 0, 0);
  }

  switch(labels: readonly string[], defaultLabel: string, condition: number, value?: number): number {
    if (value) throw new Error("emitter: br_table with a value is not supported");
    this.operand(condition, I32, "br_table index");
    const ids = labels.map((l) => this.nameId(l));
    const e = this.node(K_SWITCH, UNREACHABLE, this.toPool(ids), ids.length, this.nameId(defaultLabel));
    this.n[(e << 3) + D] = condition;
    return e;
  }

  call(name: string, operands: readonly number[], returnType: number): number {
    let type = returnType;
    for (let i = 0; i < operands.length; i++) if (this.typeOf(this.checkValue(operands[i], `call ${name}`)) === UNREACHABLE) type = UNREACHABLE;
    return this.node(K_CALL, type, this.nameId(name), this.toPool(operands), operands.length);
  }

  select(condition: number, ifTrue: number, ifFalse: number): number {
    const tc = this.operand(condition, I32, "select condition");
    const tt = this.typeOf(this.checkValue(ifTrue, "select")), tf = this.typeOf(this.checkValue(ifFalse, "select"));
    let type = tt === UNREACHABLE ? tf : tt;
    if (tt !== UNREACHABLE && tf !== UNREACHABLE && tt !== tf) throw new Error(`emitter: select of ${typeName(tt)} and ${typeName(tf)}`);
    if (tc === UNREACHABLE || tt === UNREACHABLE || tf === UNREACHABLE) type = UNREACHABLE;
    return this.node(K_SELECT, type, condition, ifTrue, ifFalse);
  }

  drop(value: number): number {
    return this.node(K_DROP, this.typeOf(this.checkValue(value, "drop")) === UNREACHABLE ? UNREACHABLE : NONE, value, 0, 0);
  }

  return(value?: number): number {
    if (value) this.checkValue(value, "return");
    return this.node(K_RETURN, UNREACHABLE, value || 0, 0, 0);
  }

  nop(): number { return this.node(K_NOP, NONE, 0, 0, 0); }
  unreachable(): number { return this.node(K_UNREACHABLE, UNREACHABLE, 0, 0, 0); }
  /** Nodes are immutable: the "copy" is the node itself. */
  copyExpression(expr: number): number { return expr; }

  /** Whether a br/br_table in the tree of `root` names `label`
   *  (binaryen's BranchSeeker::has, dead code included). */
  private branchesTo(root: number, label: number): boolean {
    const n = this.n, pool = this.pool;
    let stack = this.walkStack, sp = 0;
    stack[sp++] = root;
    while (sp > 0) {
      const e = stack[--sp], o = e << 3;
      if (sp + 8 > stack.length) { const g = new Int32Array(stack.length * 2); g.set(stack); this.walkStack = stack = g; }
      switch (n[o]) {
        case K_BR:
          if (n[o + A] === label) return true;
          if (n[o + B]) stack[sp++] = n[o + B];
          break;
        case K_SWITCH: {
          if (n[o + C] === label) return true;
          for (let i = n[o + A], end = i + n[o + B]; i < end; i++) if (pool[i] === label) return true;
          stack[sp++] = n[o + D];
          break;
        }
        case K_BLOCK: case K_CALL: {
          const first = n[o + B], cnt = n[o + C];
          if (sp + cnt > stack.length) { let s = stack.length * 2; while (s < sp + cnt + 8) s *= 2; const g = new Int32Array(s); g.set(stack); this.walkStack = stack = g; }
          for (let i = first + cnt - 1; i >= first; i--) stack[sp++] = pool[i];
          break;
        }
        case K_LOOP: stack[sp++] = n[o + B]; break;
        case K_IF: if (n[o + C]) stack[sp++] = n[o + C]; stack[sp++] = n[o + B]; stack[sp++] = n[o + A]; break;
        case K_LSET: case K_LTEE: case K_LOAD: case K_UNARY: stack[sp++] = n[o + B]; break;
        case K_STORE: case K_BINARY: stack[sp++] = n[o + C]; stack[sp++] = n[o + B]; break;
        case K_SELECT: stack[sp++] = n[o + C]; stack[sp++] = n[o + B]; stack[sp++] = n[o + A]; break;
        case K_DROP: case K_RETURN: if (n[o + A]) stack[sp++] = n[o + A]; break;
      }
    }
    return false;
  }

  /** Whether a named block is written as a block where binaryen writes a
   *  branch-less block's contents inline (if arms, loop and function bodies). */
  private isBranchTarget(e: number): boolean {
    const o = e << 3, label = this.n[o + A];
    if (label < 0) return false;
    let flag = this.n[o + D];
    if (flag === 0) {
      flag = this.branchesTo(e, label) ? 1 : 2;
      this.n[o + D] = flag;
    }
    return flag === 1;
  }

  // ---------------------------------------------------- module contents

  /** Accepted and ignored: only MVP instructions are ever written, and
   *  binaryen writes no features section by default either. */
  setFeatures(_features: number): void {}

  setMemory(initial: number, maximum: number, exportName?: string | null, segments?: readonly Binaryen.MemorySegment[] | null,
    shared?: boolean, memory64?: boolean, internalName?: string): void {
    if (segments && segments.length) throw new Error("emitter: data segments are not supported");
    if (shared || memory64) throw new Error("emitter: shared or 64-bit memory is not supported");
    const internal = internalName ?? "0";
    this.memory = { initial, maximum, internal };
    this.importsVersion++;
    if (exportName) this.addExport(exportName, internal, 2);
  }

  addMemoryImport(internalName: string, externalModuleName: string, externalBaseName: string, shared?: boolean): void {
    if (shared) throw new Error("emitter: shared memory is not supported");
    this.importsVersion++;
    if (!this.memory) this.memory = { initial: 0, maximum: -1, internal: internalName };
    else if (this.memory.internal !== internalName) throw new Error(`emitter: one memory only (have ${this.memory.internal}, import ${internalName})`);
    this.memory.importModule = utf8.encode(externalModuleName);
    this.memory.importBase = utf8.encode(externalBaseName);
  }

  addFunctionImport(internalName: string, externalModuleName: string, externalBaseName: string, params: number, results: number): void {
    if (this.findFunc(internalName)) throw new Error(`emitter: function ${internalName} already exists`);
    this.importsVersion++;
    this.funcs.push({
      name: internalName, ref: this.nextRef++, params, results, vars: [], body: 0,
      importModule: utf8.encode(externalModuleName), importBase: utf8.encode(externalBaseName),
    });
  }

  addFunction(name: string, params: number, results: number, vars: readonly number[], body: number): number {
    if (this.findFunc(name)) throw new Error(`emitter: function ${name} already exists`);
    if (!(body > 0 && body < this.count)) throw new Error(`emitter: function ${name}: body ${body} is not an expression of this module`);
    const bt = this.typeOf(body);
    if (bt !== UNREACHABLE && bt !== results) throw new Error(`emitter: function ${name} returns ${typeName(results)} but its body is ${typeName(bt)}`);
    const f: Func = { name, ref: this.nextRef++, params, results, vars: vars.slice(), body };
    this.funcs.push(f);
    return f.ref;
  }

  addFunctionExport(internalName: string, externalName: string): number {
    return this.addExport(externalName, internalName, 0);
  }

  private addExport(external: string, internal: string, kind: 0 | 2): number {
    if (this.exports.some((x) => x.external === external)) throw new Error(`emitter: export ${external} already exists`);
    const x: Export = { ref: this.nextRef++, external, externalBytes: utf8.encode(external), kind, internal };
    this.exports.push(x);
    return x.ref;
  }

  private findFunc(name: string): Func | undefined {
    const fs = this.funcs;
    for (let i = 0; i < fs.length; i++) if (fs[i].name === name) return fs[i];
    return undefined;
  }

  /** Remove a function. Removing the last defined one clears the
   *  expression store (see the header). */
  removeFunction(name: string): void {
    const i = this.funcs.findIndex((f) => f.name === name);
    if (i < 0) return;
    if (this.funcs[i].importModule) this.importsVersion++;
    this.funcs.splice(i, 1);
    if (!this.funcs.some((f) => !f.importModule)) this.clearExpressions();
  }

  /** Drop every expression (refs made before are void). */
  clearExpressions(): void {
    this.count = 1;
    this.poolLen = 0;
  }

  removeExport(externalName: string): void {
    const i = this.exports.findIndex((x) => x.external === externalName);
    if (i >= 0) this.exports.splice(i, 1);
  }

  getFunction(name: string): number { return this.findFunc(name)?.ref ?? 0; }

  getExport(externalName: string): number {
    return this.exports.find((x) => x.external === externalName)?.ref ?? 0;
  }

  validate(): number {
    try { this.emitBinary(); return 1; } catch { return 0; }
  }

  dispose(): void {
    this.funcs = [];
    this.exports = [];
    this.memory = null;
    this.importsVersion++;
    this.headers.clear();
    this.clearExpressions();
  }

  // ----------------------------------------------------------- writing

  /** The module's sections before the code, and the type index of each
   *  defined function, for one arrangement of functions and exports. */
  private header(): { bytes: Uint8Array; index: Map<string, number> } {
    const funcs = this.funcs;
    let key = this.importsVersion + "|";
    for (let i = 0; i < funcs.length; i++) {
      const f = funcs[i];
      if (!f.importModule) key += f.name + ":" + f.params + ":" + f.results + ",";
    }
    key += "|";
    for (const x of this.exports) key += x.external + ":" + x.kind + ":" + x.internal + ",";
    const hit = this.headers.get(key);
    if (hit) return hit;

    const w = new Bytes(512);
    w.bytes(MAGIC);
    // Signatures, by decreasing use, ties in order of first use.
    const sigIndex = new Map<string, number>();
    const sigs: { params: number; results: number; uses: number; first: number }[] = [];
    const funcSig: number[] = new Array(funcs.length);
    for (let i = 0; i < funcs.length; i++) {
      const f = funcs[i];
      const k = f.params + ":" + f.results;
      let s = sigIndex.get(k);
      if (s === undefined) {
        s = sigs.length;
        sigIndex.set(k, s);
        sigs.push({ params: f.params, results: f.results, uses: 0, first: s });
      }
      sigs[s].uses++;
      funcSig[i] = s;
    }
    const order = sigs.slice().sort((a, b) => b.uses - a.uses || a.first - b.first);
    const typeIndex = new Int32Array(sigs.length);
    order.forEach((s, i) => { typeIndex[s.first] = i; });

    // Function indices: imports first, in order of addition.
    const index = new Map<string, number>();
    const defined: Func[] = [];
    let next = 0;
    for (const f of funcs) if (f.importModule) index.set(f.name, next++);
    for (const f of funcs) if (!f.importModule) { index.set(f.name, next++); defined.push(f); }

    let start: number;
    if (sigs.length) {
      w.byte(1); start = w.pos;
      w.u32(order.length);
      for (const s of order) {
        w.byte(0x60);
        const p = expandType(s.params), r = expandType(s.results);
        w.u32(p.length); for (const t of p) w.byte(valueTypeByte(t));
        w.u32(r.length); for (const t of r) w.byte(valueTypeByte(t));
      }
      w.sized(start);
    }

    const mem = this.memory;
    const nimports = funcs.length - defined.length + (mem?.importModule ? 1 : 0);
    if (nimports) {
      w.byte(2); start = w.pos;
      w.u32(nimports);
      if (mem?.importModule) {
        w.name(mem.importModule); w.name(mem.importBase!);
        w.byte(2);
        limits(w, mem.initial, mem.maximum);
      }
      for (let i = 0; i < funcs.length; i++) {
        const f = funcs[i];
        if (!f.importModule) continue;
        w.name(f.importModule); w.name(f.importBase!);
        w.byte(0);
        w.u32(typeIndex[funcSig[i]]);
      }
      w.sized(start);
    }

    if (defined.length) {
      w.byte(3); start = w.pos;
      w.u32(defined.length);
      for (let i = 0; i < funcs.length; i++) if (!funcs[i].importModule) w.u32(typeIndex[funcSig[i]]);
      w.sized(start);
    }

    if (mem && !mem.importModule) {
      w.byte(5); start = w.pos;
      w.u32(1);
      limits(w, mem.initial, mem.maximum);
      w.sized(start);
    }

    if (this.exports.length) {
      w.byte(7); start = w.pos;
      w.u32(this.exports.length);
      for (const x of this.exports) {
        w.name(x.externalBytes);
        w.byte(x.kind);
        if (x.kind === 0) {
          const fi = index.get(x.internal);
          if (fi === undefined) throw new Error(`emitter: export ${x.external} of unknown function ${x.internal}`);
          w.u32(fi);
        } else {
          if (!mem || mem.internal !== x.internal) throw new Error(`emitter: export ${x.external} of unknown memory ${x.internal}`);
          w.u32(0);
        }
      }
      w.sized(start);
    }
    const h = { bytes: w.buf.slice(0, w.pos), index };
    if (this.headers.size >= 64) this.headers.clear();
    this.headers.set(key, h);
    return h;
  }

  emitBinary(): Uint8Array {
    const h = this.header();
    // Calls: interned name → function index (-1: not a function).
    const names = this.names, nameFunc = new Int32Array(names.length);
    const params: number[][] = [];
    for (let i = 0; i < names.length; i++) {
      const fi = h.index.get(names[i]);
      nameFunc[i] = fi ?? -1;
    }
    for (const f of this.funcs) params[h.index.get(f.name)!] = expandType(f.params);
    this.funcIndex = nameFunc;
    this.funcParams = params;

    // Bodies into the scratch buffer, then one copy into the result.
    const defined = this.funcs.filter((f) => !f.importModule);
    const bounds: number[] = [];
    let p = 0, codeLen = lebSize(defined.length);
    for (const f of defined) {
      const start = p;
      p = this.writeFunction(f, p);
      bounds.push(start, p);
      codeLen += lebSize(p - start) + p - start;
    }
    const head = h.bytes;
    const out = new Uint8Array(head.length + (defined.length ? 1 + lebSize(codeLen) + codeLen : 0));
    out.set(head);
    if (defined.length) {
      let q = head.length;
      out[q++] = 10;
      q = putU32(out, q, codeLen);
      q = putU32(out, q, defined.length);
      for (let i = 0; i < bounds.length; i += 2) {
        q = putU32(out, q, bounds[i + 1] - bounds[i]);
        out.set(this.code.subarray(bounds[i], bounds[i + 1]), q);
        q += bounds[i + 1] - bounds[i];
      }
    }
    return out;
  }

  /** Room for `need` more bytes at `p` in the code buffer. */
  private room(p: number, need: number): Uint8Array {
    if (p + need > this.code.length) {
      let size = this.code.length * 2;
      while (size < p + need) size *= 2;
      const g = new Uint8Array(size);
      g.set(this.code.subarray(0, p));
      this.code = g;
    }
    return this.code;
  }

  /** Locals grouped by type (order of first appearance), as binaryen does. */
  private writeFunction(f: Func, p: number): number {
    const params = expandType(f.params);
    const np = params.length, total = np + f.vars.length;
    if (this.localMap.length < total) { this.localMap = new Int32Array(total * 2); this.localTypes = new Int32Array(total * 2); }
    const map = this.localMap, types = this.localTypes;
    for (let i = 0; i < np; i++) { map[i] = i; types[i] = params[i]; }
    const groupTypes: number[] = [], groupCounts: number[] = [];
    for (const t of f.vars) {
      const g = groupTypes.indexOf(t);
      if (g < 0) { valueTypeByte(t); groupTypes.push(t); groupCounts.push(1); } else groupCounts[g]++;
    }
    const next = new Array<number>(groupTypes.length);
    for (let g = 0, at = np; g < groupTypes.length; g++) { next[g] = at; at += groupCounts[g]; }
    for (let i = 0; i < f.vars.length; i++) {
      const t = f.vars[i];
      map[np + i] = next[groupTypes.indexOf(t)]++;
      types[np + i] = t;
    }
    this.numLocals = total;
    let buf = this.room(p, 5 + groupTypes.length * 6);
    p = putU32(buf, p, groupTypes.length);
    for (let g = 0; g < groupTypes.length; g++) { p = putU32(buf, p, groupCounts[g]); buf[p++] = valueTypeByte(groupTypes[g]); }
    this.depth = 0;
    p = this.contents(f.body, p);
    buf = this.room(p, 1);
    buf[p++] = 0x0b;
    return p;
  }

  private pushLabel(label: number): void {
    if (this.depth >= this.labels.length) { const g = new Int32Array(this.labels.length * 2); g.set(this.labels); this.labels = g; }
    this.labels[this.depth++] = label;
  }

  private labelDepth(label: number): number {
    const labels = this.labels;
    for (let i = this.depth - 1; i >= 0; i--) if (labels[i] === label) return this.depth - 1 - i;
    throw new Error(`emitter: br to label ${this.names[label]}, which is not an enclosing block or loop`);
  }

  /** An if arm, loop body or function body: a block nothing branches to
   *  is written as its children. */
  private contents(e: number, p: number): number {
    const n = this.n, o = e << 3;
    if (n[o] === K_BLOCK && (n[o + A] < 0 || !this.isBranchTarget(e))) return this.children(n[o + B], n[o + C], p);
    return this.expr(e, p);
  }

  /** A block's children, up to the first that cannot complete. */
  private children(first: number, count: number, p: number): number {
    const end = first + count, n = this.n;
    for (let i = first; i < end; i++) {
      const c = this.pool[i];
      p = this.expr(c, p);
      if (n[(c << 3) + TYPE] === UNREACHABLE) break;
    }
    return p;
  }

  private localError(index: number, type: number, what: string): never {
    if (index < 0 || index >= this.numLocals) throw new Error(`emitter: ${what} ${index}: no such local`);
    throw new Error(`emitter: ${what} ${index}: the local is ${typeName(this.localTypes[index])}, used as ${typeName(type)}`);
  }

  /** Write expression `e` at `p` in the code buffer; returns the end. An
   *  operand that cannot complete ends it: the instruction itself is not
   *  written (binaryen's writer does the same). */
  private expr(e: number, p: number): number {
    const n = this.n, o = e << 3;
    let buf: Uint8Array;
    switch (n[o]) {
      case K_LGET: {
        const i = n[o + A];
        if (i >>> 0 >= this.numLocals || this.localTypes[i] !== n[o + TYPE]) this.localError(i, n[o + TYPE], "local.get");
        buf = this.room(p, 6);
        buf[p++] = 0x20;
        return putU32(buf, p, this.localMap[i]);
      }
      case K_CONST32:
        buf = this.room(p, 6);
        buf[p++] = 0x41;
        return putS32(buf, p, n[o + A]);
      case K_BINARY: {
        const l = n[o + B], r = n[o + C];
        p = this.expr(l, p);
        if (n[(l << 3) + TYPE] === UNREACHABLE) return p;
        p = this.expr(r, p);
        if (n[(r << 3) + TYPE] === UNREACHABLE) return p;
        this.room(p, 1)[p++] = n[o + A];
        return p;
      }
      case K_LSET: case K_LTEE: {
        const v = n[o + B], i = n[o + A];
        p = this.expr(v, p);
        const tv = n[(v << 3) + TYPE];
        if (tv === UNREACHABLE) return p;
        const tee = n[o] === K_LTEE;
        if (i >>> 0 >= this.numLocals || this.localTypes[i] !== tv || (tee && tv !== n[o + TYPE])) {
          this.localError(i, tv, tee ? "local.tee" : "local.set");
        }
        buf = this.room(p, 6);
        buf[p++] = tee ? 0x22 : 0x21;
        return putU32(buf, p, this.localMap[i]);
      }
      case K_LOAD: {
        const ptr = n[o + B];
        p = this.expr(ptr, p);
        if (n[(ptr << 3) + TYPE] === UNREACHABLE) return p;
        buf = this.room(p, 7);
        buf[p++] = n[o + A]; buf[p++] = n[o + D];
        return putU32(buf, p, n[o + C]);
      }
      case K_STORE: {
        const ptr = n[o + B], v = n[o + C];
        p = this.expr(ptr, p);
        if (n[(ptr << 3) + TYPE] === UNREACHABLE) return p;
        p = this.expr(v, p);
        if (n[(v << 3) + TYPE] === UNREACHABLE) return p;
        buf = this.room(p, 7);
        buf[p++] = n[o + A]; buf[p++] = n[o + E];
        return putU32(buf, p, n[o + D]);
      }
      case K_BLOCK: {
        const label = n[o + A];
        if (label < 0) return this.children(n[o + B], n[o + C], p);
        const type = n[o + TYPE];
        buf = this.room(p, 2);
        buf[p++] = 0x02; buf[p++] = blockTypeByte(type);
        this.pushLabel(label);
        p = this.children(n[o + B], n[o + C], p);
        this.depth--;
        buf = this.room(p, 2);
        buf[p++] = 0x0b;
        if (type === UNREACHABLE) buf[p++] = 0x00;
        return p;
      }
      case K_IF: {
        const c = n[o + A], type = n[o + TYPE], f = n[o + C];
        p = this.expr(c, p);
        if (n[(c << 3) + TYPE] === UNREACHABLE) return p;
        buf = this.room(p, 2);
        buf[p++] = 0x04; buf[p++] = blockTypeByte(type);
        this.pushLabel(-1);
        p = this.contents(n[o + B], p);
        if (f) { this.room(p, 1)[p++] = 0x05; p = this.contents(f, p); }
        this.depth--;
        buf = this.room(p, 2);
        buf[p++] = 0x0b;
        if (type === UNREACHABLE) buf[p++] = 0x00;
        return p;
      }
      case K_CALL: {
        const name = n[o + A], first = n[o + B], cnt = n[o + C];
        const fi = name < this.funcIndex.length ? this.funcIndex[name] : -1;
        if (fi < 0) throw new Error(`emitter: call to unknown function ${this.names[name]}`);
        const params = this.funcParams[fi];
        if (params.length !== cnt) throw new Error(`emitter: call ${this.names[name]} with ${cnt} operands, it takes ${params.length}`);
        for (let i = 0; i < cnt; i++) {
          const c = this.pool[first + i];
          p = this.expr(c, p);
          const t = n[(c << 3) + TYPE];
          if (t === UNREACHABLE) return p;
          if (t !== params[i]) throw new Error(`emitter: call ${this.names[name]}: operand ${i} is ${typeName(t)}, expected ${typeName(params[i])}`);
        }
        buf = this.room(p, 6);
        buf[p++] = 0x10;
        return putU32(buf, p, fi);
      }
      case K_BR: {
        const c = n[o + B];
        if (c) { p = this.expr(c, p); if (n[(c << 3) + TYPE] === UNREACHABLE) return p; }
        buf = this.room(p, 6);
        buf[p++] = c ? 0x0d : 0x0c;
        return putU32(buf, p, this.labelDepth(n[o + A]));
      }
      case K_CONST64:
        buf = this.room(p, 11);
        buf[p++] = 0x42;
        return putS64(buf, p, n[o + A], n[o + B]);
      case K_UNARY: case K_DROP: {
        const drop = n[o] === K_DROP, v = drop ? n[o + A] : n[o + B];
        p = this.expr(v, p);
        if (n[(v << 3) + TYPE] === UNREACHABLE) return p;
        this.room(p, 1)[p++] = drop ? 0x1a : n[o + A];
        return p;
      }
      case K_RETURN: {
        const v = n[o + A];
        if (v) { p = this.expr(v, p); if (n[(v << 3) + TYPE] === UNREACHABLE) return p; }
        this.room(p, 1)[p++] = 0x0f;
        return p;
      }
      case K_UNREACHABLE: this.room(p, 1)[p++] = 0x00; return p;
      case K_NOP: this.room(p, 1)[p++] = 0x01; return p;
      case K_SELECT: {
        const t = n[o + B], f = n[o + C], c = n[o + A];
        p = this.expr(t, p);
        if (n[(t << 3) + TYPE] === UNREACHABLE) return p;
        p = this.expr(f, p);
        if (n[(f << 3) + TYPE] === UNREACHABLE) return p;
        p = this.expr(c, p);
        if (n[(c << 3) + TYPE] === UNREACHABLE) return p;
        this.room(p, 1)[p++] = 0x1b;
        return p;
      }
      case K_SWITCH: {
        const c = n[o + D];
        p = this.expr(c, p);
        if (n[(c << 3) + TYPE] === UNREACHABLE) return p;
        const first = n[o + A], cnt = n[o + B];
        buf = this.room(p, 6 + 5 * (cnt + 1));
        buf[p++] = 0x0e;
        p = putU32(buf, p, cnt);
        for (let i = first; i < first + cnt; i++) p = putU32(buf, p, this.labelDepth(this.pool[i]));
        return putU32(buf, p, this.labelDepth(n[o + C]));
      }
      case K_LOOP: {
        const type = n[o + TYPE];
        buf = this.room(p, 2);
        buf[p++] = 0x03; buf[p++] = blockTypeByte(type);
        this.pushLabel(n[o + A]);
        p = this.contents(n[o + B], p);
        this.depth--;
        buf = this.room(p, 2);
        buf[p++] = 0x0b;
        if (type === UNREACHABLE) buf[p++] = 0x00;
        return p;
      }
    }
    throw new Error(`emitter: bad expression ${e}`);
  }
}

const MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** Bytes of the unsigned LEB128 of `v`. */
function lebSize(v: number): number {
  let n = 1;
  for (v >>>= 7; v; v >>>= 7) n++;
  return n;
}

function limits(w: Bytes, initial: number, maximum: number): void {
  if (maximum === -1 || maximum === 0xffffffff) { w.byte(0); w.u32(initial); }
  else { w.byte(1); w.u32(initial); w.u32(maximum); }
}

/** LEB128 writers on a buffer known to have room: they return the new end. */
function putU32(buf: Uint8Array, pos: number, v: number): number {
  v >>>= 0;
  while (v >= 0x80) { buf[pos++] = (v & 0x7f) | 0x80; v >>>= 7; }
  buf[pos++] = v;
  return pos;
}

function putS32(buf: Uint8Array, pos: number, v: number): number {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { buf[pos++] = b; return pos; }
    buf[pos++] = b | 0x80;
  }
}

/** Signed LEB128 of the 64-bit value hi:lo (two int32 halves). */
function putS64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  if (hi === lo >> 31) return putS32(buf, pos, lo);
  let l = lo >>> 0, h = hi | 0;
  for (;;) {
    const b = l & 0x7f;
    l = ((l >>> 7) | (h << 25)) >>> 0;
    h >>= 7;
    if ((h === 0 && l === 0 && (b & 0x40) === 0) || (h === -1 && l === 0xffffffff && (b & 0x40) !== 0)) {
      buf[pos++] = b;
      return pos;
    }
    buf[pos++] = b | 0x80;
  }
}

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
