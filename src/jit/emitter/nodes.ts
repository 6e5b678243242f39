/**
 * emitter/nodes.ts — the expression store and its constructors: each
 * binaryen.js constructor the JIT calls (i32.*, i64.*, local.*, block,
 * loop, if, br, switch, call, select, drop, return, nop, unreachable) as a
 * node in a flat Int32Array, typed by binaryen 132's finalize() rules and
 * checked as binaryen's validator would (see emitter.ts for the rules).
 *
 * Not the writer: nothing here emits bytes (body.ts writes a node tree,
 * module.ts the module around it). Expressions is the base of Module and
 * is not used alone.
 */
import { NONE, UNREACHABLE, I32, I64, typeName } from "./types.js";
import type { BinFn, I32Ops, I64Ops, LoadFn, ModuleSubset, StoreFn, UnFn } from "./subset.js";
import { grown } from "./bytes.js";

// ------------------------------------------------------------ node layout

/** Node kinds. A node is 8 int32s at `id << 3`: kind, type, then a..f. */
export const K_CONST32 = 1, K_CONST64 = 2, K_LGET = 3, K_LSET = 4, K_LTEE = 5, K_LOAD = 6, K_STORE = 7,
  K_BINARY = 8, K_UNARY = 9, K_BLOCK = 10, K_LOOP = 11, K_IF = 12, K_BR = 13, K_SWITCH = 14,
  K_CALL = 15, K_RETURN = 16, K_UNREACHABLE = 17, K_NOP = 18, K_DROP = 19, K_SELECT = 20;
// Field offsets.
export const KIND = 0, TYPE = 1, A = 2, B = 3, C = 4, D = 5, E = 6, PARENT = 7;
//   CONST32 a=value           CONST64 a=lo b=hi         LGET a=index
//   LSET/LTEE a=index b=value LOAD a=op b=ptr c=offset d=log2 align
//   STORE a=op b=ptr c=value d=offset e=log2 align
//   BINARY a=op b=left c=right   UNARY a=op b=value     DROP a=value
//   BLOCK a=label(-1) b=first child (pool) c=count d=branched (0 ?, 1 yes, 2 no)
//   LOOP a=label(-1) b=body   IF a=cond b=then c=else(0)
//   BR a=label b=cond(0)      SWITCH a=first label (pool) b=count c=default d=cond
//   CALL a=name b=first operand (pool) c=count       RETURN a=value(0)
//   SELECT a=cond b=ifTrue c=ifFalse
//   every node: PARENT = the first node made with it as a child, or 0
//   (filled in by linkParents, when a branch is looked for)

/** Natural alignment (bytes) by memory opcode. */
const NATURAL: Record<number, number> = {
  0x28: 4, 0x29: 8, 0x2c: 1, 0x2d: 1, 0x2e: 2, 0x2f: 2, 0x30: 1, 0x31: 1, 0x32: 2, 0x33: 2, 0x34: 4, 0x35: 4,
  0x36: 4, 0x37: 8, 0x3a: 1, 0x3b: 2, 0x3c: 1, 0x3d: 2, 0x3e: 4,
};

export abstract class Expressions {
  /** Nodes: 8 int32s each; id 0 is "no expression". */
  protected n = new Int32Array(8 * 4096);
  protected count = 1;
  /** Children, operands and br_table labels of the nodes. */
  protected pool = new Int32Array(4096);
  private poolLen = 0;
  /** Label and function names, interned. */
  protected names: string[] = [];
  private nameIds = new Map<string, number>();
  /** The br and br_table nodes made to each label id since the last
   *  clearExpressions: none means no block with it can be branched to. */
  private branches: number[][] = [];
  /** Nodes below this id have their children's PARENT set (linkParents);
   *  a node that is the child of more than one (copyExpression) has its
   *  other parents here. */
  private linked = 1;
  private moreParents = new Map<number, number[]>();

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
    const o = id << 3;
    const n = this.n = grown(this.n, o, 8);
    n[o] = kind; n[o + 1] = type; n[o + 2] = a; n[o + 3] = b; n[o + 4] = c;
    n[o + 5] = 0; n[o + 6] = 0; n[o + 7] = 0;
    return id;
  }

  private toPool(items: readonly number[]): number {
    const start = this.poolLen, len = items.length;
    const p = this.pool = grown(this.pool, start, len);
    for (let i = 0; i < len; i++) p[start + i] = items[i];
    this.poolLen = start + len;
    return start;
  }

  /** The interned id of `name`, or -1 if it has none yet. */
  protected knownNameId(name: string): number { return this.nameIds.get(name) ?? -1; }

  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
    }
    return id;
  }

  protected typeOf(e: number): number {
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
      return this.node(K_BR, tc === UNREACHABLE ? UNREACHABLE : NONE, this.branchTo(label), condition, 0);
    }
    return this.node(K_BR, UNREACHABLE, this.branchTo(label), 0, 0);
  }

  private branchTo(label: string): number {
    const id = this.nameId(label);
    (this.branches[id] ??= []).push(this.count); // the node about to be made
    return id;
  }

  switch(labels: readonly string[], defaultLabel: string, condition: number, value?: number): number {
    if (value) throw new Error("emitter: br_table with a value is not supported");
    this.operand(condition, I32, "br_table index");
    const ids = labels.map((l) => this.branchTo(l));
    const e = this.node(K_SWITCH, UNREACHABLE, this.toPool(ids), ids.length, this.branchTo(defaultLabel));
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
   *  (binaryen's BranchSeeker::has, dead code included). Searched upwards:
   *  from each branch to the label, through the parents, for `root`. A
   *  region's function nests a block per guest block around all the code
   *  before it, so a search down from each block would make the whole
   *  translation quadratic in its size (bench-mix: 0.9 of 4 ms); a search
   *  up costs the depth of the few branches that name the label. */
  private branchesTo(root: number, label: number): boolean {
    const from = this.branches[label];
    if (!from) return false;
    this.linkParents();
    const n = this.n;
    let stack = this.walkStack;
    for (const br of from) {
      if (br > root) continue; // made after root: not in its tree
      let sp = 0;
      stack[sp++] = br;
      while (sp > 0) {
        let e = stack[--sp];
        // Up the first parents; a node with more than one queues the others.
        while (e !== 0 && e !== root) {
          const more = this.moreParents.get(e);
          if (more) {
            this.walkStack = stack = grown(stack, sp, more.length);
            for (const p of more) stack[sp++] = p;
          }
          e = n[(e << 3) + PARENT];
        }
        if (e === root) return true;
      }
    }
    return false;
  }

  /** PARENT for the children of every node made since the last call. */
  private linkParents(): void {
    const n = this.n, pool = this.pool;
    const link = (child: number, parent: number) => {
      if (child === 0) return;
      const o = (child << 3) + PARENT;
      if (n[o] === 0) n[o] = parent;
      else if (n[o] !== parent) {
        const more = this.moreParents.get(child);
        if (!more) this.moreParents.set(child, [parent]);
        else if (!more.includes(parent)) more.push(parent);
      }
    };
    for (let e = this.linked; e < this.count; e++) {
      const o = e << 3;
      switch (n[o]) {
        case K_BR: link(n[o + B], e); break;
        case K_SWITCH: link(n[o + D], e); break;
        case K_BLOCK: case K_CALL: for (let i = n[o + B], end = i + n[o + C]; i < end; i++) link(pool[i], e); break;
        case K_LOOP: link(n[o + B], e); break;
        case K_IF: case K_SELECT: link(n[o + A], e); link(n[o + B], e); link(n[o + C], e); break;
        case K_LSET: case K_LTEE: case K_LOAD: case K_UNARY: link(n[o + B], e); break;
        case K_STORE: case K_BINARY: link(n[o + B], e); link(n[o + C], e); break;
        case K_DROP: case K_RETURN: link(n[o + A], e); break;
      }
    }
    this.linked = this.count;
  }

  /** Whether a named block is written as a block where binaryen writes a
   *  branch-less block's contents inline (if arms, loop and function bodies). */
  protected isBranchTarget(e: number): boolean {
    const o = e << 3, label = this.n[o + A];
    if (label < 0) return false;
    let flag = this.n[o + D];
    if (flag === 0) {
      flag = this.branchesTo(e, label) ? 1 : 2;
      this.n[o + D] = flag;
    }
    return flag === 1;
  }

  /** Drop every expression (refs made before are void). */
  clearExpressions(): void {
    this.count = 1;
    this.poolLen = 0;
    this.branches = [];
    this.linked = 1;
    this.moreParents.clear();
  }
}
