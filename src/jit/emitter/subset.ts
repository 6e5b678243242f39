/**
 * emitter/subset.ts — ModuleSubset, the part of binaryen.js's `Module` the
 * JIT uses, written as an interface so that code generated against it can
 * be given binaryen's Module or the emitter's, and the compile-time check
 * that binaryen's Module fits it.
 *
 * Not an implementation (module.ts is the emitter's).
 */
import type Binaryen from "binaryen";

export type Ref = number;
export type LoadFn = (offset: number, align: number, ptr: Ref, name?: string) => Ref;
export type StoreFn = (offset: number, align: number, ptr: Ref, value: Ref, name?: string) => Ref;
export type BinFn = (left: Ref, right: Ref) => Ref;
export type UnFn = (value: Ref) => Ref;

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
