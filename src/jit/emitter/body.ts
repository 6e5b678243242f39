/**
 * emitter/body.ts — the code writer: a function's locals and its body,
 * written as binaryen's writer writes them (locals grouped by type in
 * order of first appearance; unnamed blocks, and branch-less blocks as if
 * arms or loop/function bodies, written as their children; nothing after
 * a child that cannot complete; `unreachable` after an unreachable named
 * block, if or loop), checking labels, locals and call operands as it goes.
 *
 * Not the module around the bodies (sections, function indices: module.ts)
 * nor the typing of nodes (nodes.ts). BodyWriter is a base of Module and
 * is not used alone.
 */
import { UNREACHABLE, blockTypeByte, expandType, typeName, valueTypeByte } from "./types.js";
import { grown, putS32, putS64, putU32 } from "./bytes.js";
import {
  A, B, C, D, E, K_BINARY, K_BLOCK, K_BR, K_CALL, K_CONST32, K_CONST64, K_DROP, K_IF, K_LGET, K_LOAD, K_LOOP,
  K_LSET, K_LTEE, K_NOP, K_RETURN, K_SELECT, K_STORE, K_SWITCH, K_UNARY, K_UNREACHABLE, TYPE, Expressions,
} from "./nodes.js";

/** A function of the module, imported (importModule set) or defined. */
export interface Func {
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

export abstract class BodyWriter extends Expressions {
  /** Function bodies are written here, then copied into the result. */
  protected code = new Uint8Array(1 << 15);

  // Emission state.
  private labels = new Int32Array(64);
  private depth = 0;
  private localMap = new Int32Array(64);
  private localTypes = new Int32Array(64);
  private numLocals = 0;
  protected funcIndex: Int32Array = new Int32Array(0);
  protected funcParams: number[][] = [];

  /** Room for `need` more bytes at `p` in the code buffer. */
  protected room(p: number, need: number): Uint8Array {
    this.code = grown(this.code, p, need);
    return this.code;
  }

  /** Close a block, loop or if of `type` at `p`: `end`, and after an
   *  unreachable-typed one the `unreachable` binaryen writes there. */
  private endScope(p: number, type: number): number {
    this.depth--;
    const buf = this.room(p, 2);
    buf[p++] = 0x0b;
    if (type === UNREACHABLE) buf[p++] = 0x00;
    return p;
  }

  /** Locals grouped by type (order of first appearance), as binaryen does. */
  protected writeFunction(f: Func, p: number): number {
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
        return this.endScope(p, type);
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
        return this.endScope(p, type);
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
        return this.endScope(p, type);
      }
    }
    throw new Error(`emitter: bad expression ${e}`);
  }
}
