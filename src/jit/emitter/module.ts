/**
 * emitter/module.ts — Module, the emitter's implementation of ModuleSubset:
 * the module's functions, imports, exports and memory, and emitBinary(),
 * which writes the sections before the code (cached per arrangement of
 * functions and exports; signatures sorted by use count, then first use;
 * imports first, the memory import before the functions) and then the
 * code section from body.ts's function bodies.
 *
 * Not the expression constructors (nodes.ts, inherited) nor the body
 * writer (body.ts, inherited); see emitter.ts for what the whole is not.
 */
import type Binaryen from "binaryen";
import { UNREACHABLE, expandType, typeName, valueTypeByte } from "./types.js";
import type { ModuleSubset } from "./subset.js";
import { Bytes, lebSize, putU32 } from "./bytes.js";
import { BodyWriter, type Func } from "./body.js";

const utf8 = new TextEncoder();
/** UTF-8 of the few names modules use, made once: TextEncoder.encode
 *  took 1.5% of a translation (the export is named at every one). */
const encoded = new Map<string, Uint8Array>();
function nameBytes(name: string): Uint8Array {
  let b = encoded.get(name);
  if (b === undefined) {
    b = utf8.encode(name);
    if (encoded.size < 256) encoded.set(name, b); // (a module names a dozen things; bounded all the same)
  }
  return b;
}

interface Export { ref: number; external: string; externalBytes: Uint8Array; kind: 0 | 2; internal: string }

const MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function limits(w: Bytes, initial: number, maximum: number): void {
  if (maximum === -1 || maximum === 0xffffffff) { w.byte(0); w.u32(initial); }
  else { w.byte(1); w.u32(initial); w.u32(maximum); }
}

export class Module extends BodyWriter implements ModuleSubset {
  private funcs: Func[] = [];
  private exports: Export[] = [];
  private nextRef = 1;
  private memory: { initial: number; maximum: number; internal: string; importModule?: Uint8Array; importBase?: Uint8Array } | null = null;
  /** Bumped when imports or the memory change (the header cache's key). */
  private importsVersion = 0;
  private headers = new Map<string, { bytes: Uint8Array; index: Map<string, number> }>();

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
    this.memory.importModule = nameBytes(externalModuleName);
    this.memory.importBase = nameBytes(externalBaseName);
  }

  addFunctionImport(internalName: string, externalModuleName: string, externalBaseName: string, params: number, results: number): void {
    if (this.findFunc(internalName)) throw new Error(`emitter: function ${internalName} already exists`);
    this.importsVersion++;
    this.funcs.push({
      name: internalName, ref: this.nextRef++, params, results, vars: [], body: 0,
      importModule: nameBytes(externalModuleName), importBase: nameBytes(externalBaseName),
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
    const x: Export = { ref: this.nextRef++, external, externalBytes: nameBytes(external), kind, internal };
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
    // (By the functions' own names: the interned names also hold every
    // label the module has seen, and grow with the translations.)
    const nameFunc = new Int32Array(this.names.length).fill(-1);
    const params: number[][] = [];
    h.index.forEach((fi, name) => {
      const id = this.knownNameId(name);
      if (id >= 0) nameFunc[id] = fi;
    });
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

}
