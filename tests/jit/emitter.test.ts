/**
 * emitter.test.ts — src/jit/emitter.ts against binaryen.js: each test
 * builds the same module through one builder function given either
 * binaryen's Module or the emitter's, and requires the emitter's binary to
 * be byte-for-byte binaryen's emitBinary() (which implies equal text when
 * binaryen reads both back — checked too), to pass WebAssembly.validate,
 * and binaryen's own module to validate (so the shapes are legal). Shapes:
 * a region function like translate.ts's, nested named blocks and branch
 * depths, br_table dispatch, if/else values, i64, calls, mixed locals,
 * every load/store width and alignment, unreachable code, module reuse,
 * and seeded random trees. Not a benchmark (that is in the report of the
 * change that added the emitter), and not a test of translate.ts.
 */
import { describe, it, expect } from "vitest";
import binaryen from "binaryen";
import { emitter, type ModuleSubset } from "../../src/jit/emitter.js";
import { declareCoreImports } from "../../src/jit/translate.js";
import { mulberry32 } from "../support/mulberry32.js";

/** What a builder sees of either library. */
interface Api {
  Module: new () => ModuleSubset;
  none: number; i32: number; i64: number;
  createType(types: number[]): number;
  Features: { MVP: number };
}
const BINARYEN = binaryen as unknown as Api;
const EMITTER: Api = emitter;

type Build = (api: Api, m: ModuleSubset) => void;

/** The JIT's module: memory and the core's helpers, as translate.ts
 *  declares them, plus one (i32) → i32 import the random modules call and
 *  the segmented accesses and fault the shapes here call in their slow
 *  paths (generated code leaves instead, but calls of these types are
 *  what the emitter must get right). */
export function jitImports(api: Api, m: ModuleSubset): void {
  declareCoreImports(api, m);
  m.addFunctionImport("cond", "core", "helper_condition", api.i32, api.i32);
  const i32x2 = api.createType([api.i32, api.i32]), i32x3 = api.createType([api.i32, api.i32, api.i32]);
  for (const size of [8, 16, 32]) {
    m.addFunctionImport(`read${size}`, "core", `helper_read${size}`, i32x2, api.i32);
    m.addFunctionImport(`write${size}`, "core", `helper_write${size}`, i32x3, api.none);
  }
  m.addFunctionImport("fault", "core", "helper_fault", api.i32, api.none);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function readBack(bytes: Uint8Array): string {
  const r = binaryen.readBinary(bytes);
  try { return r.emitText(); } finally { r.dispose(); }
}

/** Build with both, emit, compare. Returns the emitter's bytes. */
function same(build: Build, note = ""): Uint8Array {
  const ref = new BINARYEN.Module();
  const ours = new EMITTER.Module();
  try {
    build(BINARYEN, ref);
    build(EMITTER, ours);
    expect(ref.validate(), `binaryen rejects the shape itself ${note}`).toBe(1);
    const want = ref.emitBinary();
    const got = ours.emitBinary();
    expect(WebAssembly.validate(got), `WebAssembly.validate ${note}`).toBe(true);
    if (hex(got) !== hex(want)) {
      // Show the difference as text first: more readable than hex.
      expect(readBack(got), `text ${note}`).toBe(readBack(want));
      expect(hex(got), `bytes ${note}`).toBe(hex(want));
    }
    expect(readBack(got)).toBe(readBack(want));
    return got;
  } finally {
    ref.dispose();
    ours.dispose();
  }
}

/** One function `f` of `vars` locals around `body`, exported. */
function fn(vars: (api: Api) => number[], body: (api: Api, m: ModuleSubset) => number, params?: (api: Api) => number, results?: (api: Api) => number): Build {
  return (api, m) => {
    jitImports(api, m);
    m.addFunction("f", params ? params(api) : api.none, results ? results(api) : api.none, vars(api), body(api, m));
    m.addFunctionExport("f", "f");
  };
}

// -------------------------------------------------------- a JIT region

/** Locals as codegen.ts lays them out: 17 i32, two i64, two i32. */
export const jitLocals = (api: Api) => [...Array<number>(17).fill(api.i32), api.i64, api.i64, api.i32, api.i32];

/**
 * A region the shape of translate.ts's output: prologue loads, a
 * br_table dispatch loop over `blocks` blocks, each with TLB-style reads
 * (if with an i32 result from a call on the slow path), writes (slow path
 * block with a call and a copied value), ALU ops on locals, an i64 budget
 * check before `br $dispatch`, exits through `br $exit` and a fault
 * epilogue. `rnd` varies the mix per block.
 */
export function jitRegion(api: Api, m: ModuleSubset, blocks: number, rnd: () => number): number {
  const { i32, i64, none } = api;
  const c = (v: number) => m.i32.const(v | 0);
  const get = (l: number) => m.local.get(l, l === 17 || l === 18 ? i64 : i32);
  const set = (l: number, v: number) => m.local.set(l, v);
  const ld32 = (a: number) => m.i32.load(0, 4, c(a), "mem");
  const st32 = (a: number, v: number) => m.i32.store(0, 4, c(a), v, "mem");
  const pick = (n: number) => Math.floor(rnd() * n);
  const sync = () => [
    ...[0, 1, 2, 3].map((r) => st32(0x100 + r * 4, get(4 + r))),
    st32(0x140, get(12)), st32(0x144, get(13)),
    m.i64.store(0, 8, c(0x150), m.i64.add(get(17), m.i64.const(BigInt(pick(9) + 1))), "mem"),
  ];
  const reload = () => [
    ...[0, 1, 2, 3].map((r) => set(4 + r, ld32(0x100 + r * 4))),
    set(12, ld32(0x140)), set(13, ld32(0x144)),
    set(17, m.i64.load(0, 8, c(0x150), "mem")), set(18, m.i64.load(0, 8, c(0x158), "mem")),
  ];
  const slowTest = (size: number) => {
    const entry = m.local.tee(3, m.i32.load(0, 4, m.i32.add(c(0x2000), m.i32.shl(m.i32.shr_u(get(2), c(12)), c(2))), "mem"), i32);
    let slow = m.i32.and(entry, c(0xfff));
    if (size > 8) {
      slow = m.i32.or(slow, m.i32.or(m.i32.gt_u(m.i32.and(get(2), c(0xfff)), c(0x1000 - size / 8)),
        m.i32.gt_u(get(1), c(0x10000 - size / 8))));
    }
    return slow;
  };
  const exit = (ip: number) => [set(20, ip), m.br("exit")];
  const fault = (ip: number) => [st32(0x160, c(ip)), m.br("fault")];
  const goTo = (target: number, index: number) => [
    m.if(m.i32.and(m.i64.le_s(m.i64.add(get(17), m.i64.const(BigInt(pick(20) + 1))), get(18)), m.i32.eqz(ld32(0x164))),
      m.block(null, [set(0, c(index)), m.br("dispatch")])),
    ...exit(c(target)),
  ];
  const address = () => [
    set(1, m.i32.and(m.i32.add(c(pick(0x10000)), m.i32.and(get(4 + pick(4)), c(0xffff))), c(0xffff))),
    set(2, m.i32.add(ld32(0x180 + pick(4) * 4), get(1))),
  ];
  const read = (size: number) => {
    const host = m.i32.add(get(3), get(2));
    const fast = size === 8 ? m.i32.load8_u(0, 1, host, "mem") : size === 16 ? m.i32.load16_u(0, 1, host, "mem") : m.i32.load(0, 1, host, "mem");
    const check = size === 8 ? [] : [m.if(m.i32.gt_u(get(1), c(0x10000 - size / 8)), m.block(null, fault(0x1234)))];
    const slow = m.block(null, [...check, m.call(`read${size}`, [c(3), get(1)], i32)], i32);
    return m.if(slowTest(size), slow, fast);
  };
  const write = (size: number, value: number, next: number) => {
    const host = m.i32.add(get(3), get(2));
    const fast = size === 8 ? m.i32.store8(0, 1, host, value, "mem") : size === 16 ? m.i32.store16(0, 1, host, value, "mem") : m.i32.store(0, 1, host, value, "mem");
    const after = () => [set(15, m.i32.add(get(13), get(14)))];
    const slow = m.block(null, [
      m.call(`write${size}`, [c(3), get(1), m.copyExpression(value)], none),
      ...after(),
      m.if(ld32(0x164), m.block(null, exit(c(next)))),
    ]);
    return m.if(slowTest(size), slow, m.block(null, [fast, ...after()]));
  };
  const alu = () => {
    const a = get(4 + pick(4)), b = pick(2) ? c(pick(0x10000)) : get(4 + pick(4));
    const ops = [m.i32.add, m.i32.sub, m.i32.and, m.i32.or, m.i32.xor];
    const r = ops[pick(ops.length)](a, b);
    const reg = 4 + pick(4);
    return [set(15, r), set(13, get(4)), set(12, c(0x201)),
      set(reg, m.i32.or(m.i32.and(get(reg), c(0xffff0000)), m.i32.and(get(15), c(0xffff))))];
  };
  const codes: number[][] = [];
  for (let b = 0; b < blocks; b++) {
    const body: number[] = [];
    const insns = 3 + pick(8);
    for (let i = 0; i < insns; i++) {
      const ip = 0x1000 + b * 0x40 + i * 3;
      switch (pick(5)) {
        case 0: case 1: body.push(...alu()); break;
        case 2: body.push(...address(), set(16, read([8, 16, 32][pick(3)]))); break;
        case 3: body.push(...address(), write([8, 16, 32][pick(3)], m.i32.add(get(4), c(1)), ip + 3)); break;
        default:
          body.push(...sync(), st32(0x168, c(ip)), m.call("execOne", [], none),
            m.if(m.i32.or(m.i32.ne(ld32(0x168), c(ip + 3)), ld32(0x164)), m.return()), ...reload());
          if (pick(3) === 0) {
            body.push(m.if(m.i64.gt_s(m.i64.add(get(17), m.i64.const(5n)), get(18)), m.return()));
          }
      }
    }
    if (pick(2)) {
      const taken = pick(2) ? m.call("cond", [c(pick(16))], i32) : m.i32.lt_u(m.i32.and(get(13), c(0xffff)), m.i32.and(get(14), c(0xffff)));
      body.push(m.if(taken, m.block(null, goTo(0x1000 + pick(blocks) * 0x40, pick(blocks)))));
    }
    body.push(...goTo(0x1000 + ((b + 1) % blocks) * 0x40, (b + 1) % blocks));
    codes.push(body);
  }
  const names = codes.map((_, i) => `b${i}`);
  let nest = m.block(names[0], [m.switch(names, names[0], m.local.get(0, i32))]);
  for (let i = 0; i < blocks; i++) {
    nest = i + 1 < blocks
      ? m.block(names[i + 1], [nest, m.block(null, codes[i])])
      : m.block(null, [nest, m.block(null, codes[i])]);
  }
  const loop = m.loop("dispatch", nest);
  const exitPart = m.block("exit", [...reload(), loop]);
  const faultPart = m.block("fault", [exitPart, ...sync(), st32(0x16c, get(20)), m.return()]);
  return m.block(null, [faultPart, ...sync(), m.call("fault", [c(13)], none), m.unreachable()]);
}

describe("emitter: byte-identical to binaryen", () => {
  it("emits a region shaped like translate.ts's", () => {
    for (const [blocks, seed] of [[1, 1], [2, 2], [3, 3], [6, 4], [12, 5]]) {
      same(fn(jitLocals, (api, m) => jitRegion(api, m, blocks, mulberry32(seed))), `blocks=${blocks} seed=${seed}`);
    }
  });

  it("reuses one module for many functions, as translate.ts does", () => {
    const run = (api: Api, m: ModuleSubset, out: Uint8Array[]) => {
      jitImports(api, m);
      for (let k = 0; k < 5; k++) {
        m.addFunction("block", api.none, api.none, jitLocals(api), jitRegion(api, m, 1 + k, mulberry32(100 + k)));
        m.addFunctionExport("block", "block");
        out.push(m.emitBinary());
        expect(m.getExport("block")).not.toBe(0);
        expect(m.getFunction("block")).not.toBe(0);
        m.removeExport("block");
        m.removeFunction("block");
        expect(m.getExport("block")).toBe(0);
        expect(m.getFunction("block")).toBe(0);
        // A change of imports between uses (the emitter caches the header).
        if (k === 2) m.addFunctionImport("late", "core", "late", api.createType([api.i64, api.i32]), api.none);
      }
      m.addFunction("other", api.i32, api.i32, [], m.call("cond", [m.local.get(0, api.i32)], api.i32));
      m.addFunctionExport("other", "o");
      out.push(m.emitBinary());
    };
    const ref = new BINARYEN.Module(), ours = new EMITTER.Module();
    const want: Uint8Array[] = [], got: Uint8Array[] = [];
    run(BINARYEN, ref, want);
    run(EMITTER, ours, got);
    ref.dispose(); ours.dispose();
    expect(got.map(hex)).toEqual(want.map(hex));
  });

  it("resolves branches to named blocks at every depth, with br_if", () => {
    same(fn(jitLocals, (api, m) => {
      const c = (v: number) => m.i32.const(v);
      const g = (l: number) => m.local.get(l, api.i32);
      let inner = m.block("d0", [m.br("d0", g(1)), m.br("d1", g(2)), m.local.set(3, c(4)), m.br("d3", g(3))]);
      for (let d = 1; d < 6; d++) {
        inner = m.block(`d${d}`, [inner, m.local.set(d, c(d)), m.if(g(d), m.br(`d${d + ((d * 7) % (6 - d))}`)),
          m.br(`d${Math.min(5, d + 1)}`, m.i32.eqz(g(d)))]);
      }
      return inner;
    }));
  });

  it("dispatches through br_table in a loop", () => {
    same(fn(jitLocals, (api, m) => {
      const names = ["a", "b", "c", "d"];
      let nest = m.block("a", [m.switch(["a", "b", "c", "d", "b", "a"], "d", m.local.get(0, api.i32))]);
      for (let i = 1; i < names.length; i++) {
        nest = m.block(names[i], [nest, m.local.set(i, m.i32.add(m.local.get(i, api.i32), m.i32.const(i))),
          m.if(m.i32.lt_s(m.local.get(i, api.i32), m.i32.const(100)), m.block(null, [m.local.set(0, m.i32.const(i)), m.br("top")]))]);
      }
      return m.block("out", [m.loop("top", m.block(null, [nest, m.br("out")]))]);
    }));
  });

  it("types if/else and blocks with values as binaryen does", () => {
    same(fn(jitLocals, (api, m) => {
      const { i32 } = api;
      const c = (v: number) => m.i32.const(v);
      const g = (l: number) => m.local.get(l, i32);
      return m.block("x", [
        m.local.set(1, m.if(g(0), m.block(null, [m.call("execOne", [], api.none), m.call("read8", [c(1), g(2)], i32)], i32), m.i32.load8_u(0, 1, g(3), "mem"))),
        m.local.set(2, m.if(g(1), c(5), m.unreachable())),
        m.local.set(3, m.if(g(1), m.block(null, [m.br("x")]), c(6))),
        m.local.set(4, m.block("v", [m.local.set(5, c(2)), c(9)], i32)),
        m.local.set(5, m.block(null, [m.block(null, [m.local.set(6, c(1)), c(2)], i32)], i32)),
        m.local.set(6, m.i32.add(g(1), m.block(null, [m.local.set(7, c(3)), c(7)], i32))),
        m.local.set(7, m.select(g(1), g(2), g(3))),
        m.local.set(8, m.local.tee(9, m.if(g(2), m.if(g(3), c(1), c(2)), m.local.tee(10, c(3), i32)), i32)),
        m.if(g(4), m.block("named", [m.local.set(11, c(1))]), m.block("named2", [m.local.set(11, c(2)), m.br("named2", g(5)), m.nop()])),
        m.block("y", [m.nop()]),
      ]);
    }));
  });

  it("encodes i64 constants and operations", () => {
    const values: (bigint | number)[] = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 0x7fffffffn, -0x80000000n, 0x80000000n,
      0xffffffffn, 0x100000000n, -0x100000001n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdefn, -0x123456789abcdefn,
      -1, 5, 2 ** 40, -(2 ** 52), 0x7fffffff];
    same(fn(jitLocals, (api, m) => {
      const { i64 } = api;
      const g = () => m.local.get(17, i64);
      const out: number[] = [];
      for (const v of values) {
        const k = m.i64.const(v);
        out.push(m.local.set(17, m.i64.add(g(), k)), m.local.set(18, m.i64.sub(m.local.get(18, i64), m.i64.mul(g(), k))));
      }
      out.push(m.local.set(1, m.i64.le_s(g(), m.local.get(18, i64))), m.local.set(2, m.i64.gt_s(g(), m.i64.const(3n))),
        m.local.set(3, m.i32.wrap(m.i64.shr_u(g(), m.i64.extend_u(m.local.get(1, api.i32))))),
        m.local.set(4, m.i64.eqz(m.i64.xor(g(), m.i64.extend_s(m.local.get(2, api.i32))))));
      return m.block(null, out);
    }));
  });

  it("calls imports and functions of its own with operands", () => {
    same((api, m) => {
      jitImports(api, m);
      const { i32, i64, none } = api;
      m.addFunctionImport("wide", "env", "wide", api.createType([i64, i32, i64]), i64);
      m.addFunction("helper", api.createType([i32, i64]), i32, [i64, i32],
        m.i32.add(m.local.get(0, i32), m.i32.wrap(m.call("wide", [m.local.get(1, i64), m.local.get(0, i32), m.local.get(2, i64)], i64))));
      m.addFunction("main", none, i32, [i32],
        m.block(null, [
          m.call("write16", [m.i32.const(1), m.call("read8", [m.i32.const(2), m.call("imul3", [m.i32.const(5), m.i32.const(6), m.i32.const(7)], i32)], i32), m.i32.const(3)], none),
          m.local.set(0, m.call("helper", [m.call("cond", [m.i32.const(4)], i32), m.i64.const(9n)], i32)),
          m.call("execOne", [], none),
          m.return(m.local.get(0, i32)),
        ]));
      m.addFunctionExport("main", "main");
      m.addFunctionExport("helper", "h");
    });
  });

  it("groups mixed locals by type, remapping their indices", () => {
    same(fn(
      (api) => [api.i64, api.i32, api.i64, api.i32, api.i32, api.i64],
      (api, m) => {
        const { i32, i64 } = api;
        const out: number[] = [];
        const types = [i32, i64, i64, i32, i64, i32, i32, i64]; // params i32 i64, then the vars
        for (let i = 0; i < types.length; i++) {
          out.push(types[i] === i32 ? m.local.set(i, m.i32.add(m.local.get(i, i32), m.i32.const(i)))
            : m.local.set(i, m.i64.add(m.local.get(i, i64), m.i64.const(BigInt(i)))));
        }
        out.push(m.local.set(3, m.local.tee(6, m.local.get(0, i32), i32)));
        return m.block(null, out);
      },
      (api) => api.createType([api.i32, api.i64])));
  });

  it("writes loads and stores of every width, alignment and offset", () => {
    same(fn(jitLocals, (api, m) => {
      const p = () => m.local.get(1, api.i32);
      const v32 = () => m.local.get(2, api.i32);
      const v64 = () => m.local.get(17, api.i64);
      const out: number[] = [];
      const loads32 = [[m.i32.load, 4], [m.i32.load8_u, 1], [m.i32.load8_s, 1], [m.i32.load16_u, 2], [m.i32.load16_s, 2]] as const;
      const loads64 = [[m.i64.load, 8], [m.i64.load8_u, 1], [m.i64.load8_s, 1], [m.i64.load16_u, 2], [m.i64.load16_s, 2], [m.i64.load32_u, 4], [m.i64.load32_s, 4]] as const;
      const stores32 = [[m.i32.store, 4], [m.i32.store8, 1], [m.i32.store16, 2]] as const;
      const stores64 = [[m.i64.store, 8], [m.i64.store8, 1], [m.i64.store16, 2], [m.i64.store32, 4]] as const;
      for (const offset of [0, 1, 127, 128, 0xffff, 0x12345678, 0xfffffff0]) {
        for (const [f, natural] of loads32) for (let a = 0; a <= natural; a = a ? a * 2 : 1) out.push(m.local.set(3, f(offset, a, p(), "mem")));
        for (const [f, natural] of loads64) for (let a = 0; a <= natural; a = a ? a * 2 : 1) out.push(m.local.set(18, f(offset, a, p(), "mem")));
        for (const [f, natural] of stores32) for (let a = 0; a <= natural; a = a ? a * 2 : 1) out.push(f(offset, a, p(), v32(), "mem"));
        for (const [f, natural] of stores64) for (let a = 0; a <= natural; a = a ? a * 2 : 1) out.push(f(offset, a, p(), v64(), "mem"));
      }
      return m.block(null, out);
    }));
  });

  it("writes unreachable code as binaryen's writer does", () => {
    const g = (api: Api, m: ModuleSubset, l = 0) => m.local.get(l, api.i32);
    const cases: [string, (api: Api, m: ModuleSubset) => number][] = [
      ["named block, no br", (api, m) => m.block(null, [m.block("x", [m.local.set(0, m.i32.const(1))]), m.local.set(1, m.i32.const(2))])],
      ["dead code after br", (api, m) => m.block("e", [m.block(null, [m.local.set(0, m.i32.const(1)), m.br("e")]), m.local.set(1, m.i32.const(2))])],
      ["if, both arms unreachable", (api, m) => m.block("e", [m.if(g(api, m), m.br("e"), m.return()), m.local.set(1, m.i32.const(2))])],
      ["named unreachable block", (api, m) => m.block(null, [m.local.set(1, m.i32.const(3)), m.block("x", [m.local.set(0, m.i32.const(1)), m.return()]), m.local.set(1, m.i32.const(2))])],
      ["unreachable loop", (api, m) => m.block(null, [m.loop("L", m.block(null, [m.local.set(0, m.i32.const(1)), m.br("L")]))])],
      ["unreachable operand", (api, m) => m.block("e", [m.drop(m.call("read8", [m.i32.const(1), m.block(null, [m.br("e")])], api.i32)), m.local.set(1, m.i32.const(2))])],
      ["unreachable condition", (api, m) => m.block("e", [m.if(m.block(null, [m.br("e")]), m.nop()), m.nop()])],
      ["unreachable store value", (api, m) => m.block("e", [m.i32.store(0, 4, g(api, m), m.unreachable(), "mem"), m.nop()])],
      ["br to a block only in dead code", (api, m) => m.block(null, [m.block("x", [m.return(), m.br("x")]), m.local.set(1, m.i32.const(2))])],
      ["br made but left out of the tree", (api, m) => {
        m.block(null, [m.br("x")]); // never placed in the function
        return m.block(null, [m.block("x", [m.local.set(0, m.i32.const(1)), m.return()]), m.local.set(1, m.i32.const(2))]);
      }],
      ["br reached only through its second parent", (api, m) => {
        const br = m.br("x", g(api, m));
        m.block(null, [br]); // its first parent, left out of the tree
        return m.block(null, [m.block("x", [m.block(null, [m.copyExpression(br)]), m.return()]), m.local.set(1, m.i32.const(2))]);
      }],
      ["br whose later parent is left out of the tree", (api, m) => {
        const br = m.br("x", g(api, m));
        const inner = m.block(null, [br]);
        m.block(null, [m.copyExpression(br)]); // its second parent, left out
        return m.block(null, [m.block("x", [inner, m.return()]), m.local.set(1, m.i32.const(2))]);
      }],
      ["blocks nested a hundred deep, each branched to from the innermost", (api, m) => {
        let body = m.block(null, Array.from({ length: 100 }, (_, k) => m.br(`b${k}`, m.i32.eq(g(api, m), m.i32.const(k)))));
        for (let k = 0; k < 100; k++) body = m.block(`b${k}`, [body, m.local.set(1, m.i32.const(k)), k % 2 ? m.return() : m.br(`b${k}`)]);
        return body;
      }],
      ["body ends unreachable", (api, m) => m.block(null, [m.local.set(1, m.i32.const(2)), m.unreachable()])],
      ["named body with br", (api, m) => m.block("e", [m.local.set(1, m.i32.const(2)), m.br("e")])],
      ["bare body", (api, m) => m.local.set(1, m.i32.const(2))],
      ["empty blocks", (api, m) => m.block(null, [m.block(null, []), m.block("n", []), m.local.set(1, m.i32.const(3))])],
      ["loop without br", (api, m) => m.loop("L", m.local.set(1, m.i32.const(3)))],
      ["loop with value", (api, m) => m.local.set(1, m.loop("L", m.block(null, [m.br("L", g(api, m)), m.i32.const(3)], api.i32)))],
      ["nop body", (api, m) => m.nop()],
      ["return in value position", (api, m) => m.local.set(1, m.i32.add(g(api, m), m.return()))],
      ["unreachable tee", (api, m) => m.block(null, [m.local.set(0, m.local.tee(1, m.unreachable(), api.i32))])],
    ];
    for (const [name, body] of cases) same(fn((api) => [api.i32, api.i32], body), name);
  });

  it("writes defined and exported memory, and exports in order", () => {
    same((api, m) => {
      m.setMemory(2, 10, "memx", [], false, false, "mem");
      m.addFunction("h", api.none, api.none, [], m.i32.store(4, 4, m.i32.const(0), m.i32.load(0, 0, m.i32.const(8), "mem"), "mem"));
      m.addFunction("g", api.none, api.i32, [], m.i32.const(-5));
      m.addFunctionExport("h", "hh");
      m.addFunctionExport("g", "gg");
    });
    same((api, m) => {
      m.setMemory(1, 1, null, [], false, false, "mem");
      m.addFunction("h", api.none, api.none, [], m.nop());
    });
  });

  it("matches on random trees", () => {
    for (let seed = 1; seed <= 150; seed++) {
      same((api, m) => randomModule(api, m, mulberry32(seed)), `seed ${seed}`);
    }
  });
});

describe("emitter: behaviour", () => {
  it("runs: a loop summing memory through a br_table dispatch", async () => {
    const m = new EMITTER.Module();
    const { i32, none } = emitter;
    m.setMemory(1, -1, null, [], false, false, "mem");
    m.addMemoryImport("mem", "core", "memory");
    m.addFunctionImport("note", "core", "note", i32, none);
    const g = (l: number) => m.local.get(l, i32);
    // sum = Σ mem32[0..n) with n = param 0, odd words through the import.
    const body = m.block(null, [
      m.block("done", [m.loop("top", m.block(null, [
        m.br("done", m.i32.eqz(m.i32.lt_u(g(1), g(0)))),
        m.block("odd", [m.block("even", [m.switch(["even", "odd"], "even", m.i32.and(g(1), m.i32.const(1)))]),
          m.local.set(2, m.i32.add(g(2), m.i32.load(0, 4, m.i32.shl(g(1), m.i32.const(2)), "mem"))),
          m.local.set(1, m.i32.add(g(1), m.i32.const(1))),
          m.br("top")]),
        m.call("note", [m.i32.load(0, 4, m.i32.shl(g(1), m.i32.const(2)), "mem")], none),
        m.local.set(1, m.i32.add(g(1), m.i32.const(1))),
        m.br("top"),
      ]))]),
      m.return(g(2)),
    ]);
    m.addFunction("sum", i32, i32, [i32, i32], body);
    m.addFunctionExport("sum", "sum");
    const memory = new WebAssembly.Memory({ initial: 1 });
    const words = new Int32Array(memory.buffer);
    for (let i = 0; i < 10; i++) words[i] = i * 11 + 1;
    const noted: number[] = [];
    const { instance } = await WebAssembly.instantiate(m.emitBinary(), { core: { memory, note: (v: number) => { noted.push(v); } } });
    const sum = instance.exports.sum as (n: number) => number;
    expect(sum(10)).toBe([0, 2, 4, 6, 8].reduce((s, i) => s + words[i], 0));
    expect(noted).toEqual([1, 3, 5, 7, 9].map((i) => words[i]));
  });

  it("throws clearly on what binaryen's validator would reject", () => {
    const m = new EMITTER.Module();
    const { i32, i64, none } = emitter;
    expect(() => m.block(null, [m.i32.const(1), m.nop()])).toThrow(/leaves an i32/);
    expect(() => m.block(null, [m.i32.const(1)])).toThrow(/ends with an i32/);
    expect(() => m.if(m.i32.const(1), m.i32.const(2))).toThrow(/without else/);
    expect(() => m.if(m.i32.const(1), m.i32.const(2), m.i64.const(2n))).toThrow(/arms/);
    expect(() => m.i32.add(m.i32.const(1), m.i64.const(1n))).toThrow(/expected i32/);
    expect(() => m.i32.load(0, 8, m.i32.const(0))).toThrow(/alignment/);
    m.addFunction("a", none, none, [i32], m.br("nowhere"));
    expect(() => m.emitBinary()).toThrow(/nowhere/);
    expect(m.validate()).toBe(0);
    m.removeFunction("a");
    m.addFunction("b", none, none, [i32], m.local.set(0, m.local.get(0, i64)));
    expect(() => m.emitBinary()).toThrow(/local\.get 0/);
    m.removeFunction("b");
    m.addFunction("c", none, none, [i32], m.call("missing", [], none));
    expect(() => m.emitBinary()).toThrow(/unknown function missing/);
    m.dispose();
  });
});

// ------------------------------------------------------ random trees

/**
 * A random function over a few imports: statements (sets, stores, named
 * blocks and loops, if/else, br/br_if/br_table to labels in scope, calls,
 * drops, returns) and i32/i64 expressions (including if/block values,
 * tees, selects and, now and then, an unreachable operand). Labels are
 * unique per function; only none-typed blocks and loops are targets.
 */
function randomModule(api: Api, m: ModuleSubset, rnd: () => number): void {
  const { i32, i64, none } = api;
  jitImports(api, m);
  m.addFunctionImport("wide", "env", "wide", api.createType([i64, i32]), i64);
  const pick = (n: number) => Math.floor(rnd() * n);
  const vars = [i32, i64, i32, i32, i64, i32].filter(() => rnd() < 0.8);
  const params = [i32, i64].slice(0, pick(3));
  const types = [...params, ...vars];
  if (!types.includes(i32)) types.push(i32), vars.push(i32);
  if (!types.includes(i64)) types.push(i64), vars.push(i64);
  const localsOf = (t: number) => types.flatMap((u, i) => (u === t ? [i] : []));
  const scope: string[] = [];
  let labels = 0, budget = 120 + pick(200);

  const e32 = (d: number): number => {
    budget--;
    if (d <= 0 || budget <= 0) return pick(2) ? m.i32.const((rnd() * 2 ** 32) | 0) : m.local.get(localsOf(i32)[pick(localsOf(i32).length)], i32);
    switch (pick(15)) {
      case 0: return m.i32.const([0, 1, -1, 63, 64, -65, 0x7fffffff, -0x80000000][pick(8)]);
      case 1: case 2: {
        const ops = [m.i32.add, m.i32.sub, m.i32.and, m.i32.or, m.i32.xor, m.i32.shl, m.i32.shr_u, m.i32.shr_s, m.i32.eq, m.i32.ne,
          m.i32.lt_u, m.i32.le_u, m.i32.lt_s, m.i32.le_s, m.i32.gt_u, m.i32.mul, m.i32.rotl];
        return ops[pick(ops.length)](e32(d - 1), e32(d - 1));
      }
      case 3: return m.i32.eqz(e32(d - 1));
      case 4: {
        const loads = [m.i32.load, m.i32.load8_u, m.i32.load16_u, m.i32.load8_s, m.i32.load16_s];
        const f = loads[pick(loads.length)];
        return f(pick(3) ? 0 : pick(0x100000), f === m.i32.load ? [0, 1, 2, 4][pick(4)] : 1, e32(d - 1), "mem");
      }
      case 5: return m.if(e32(d - 1), e32(d - 1), e32(d - 1));
      case 6: return m.block(pick(3) ? null : `v${labels++}`, [...stmts(d - 1, pick(3)), e32(d - 1)], i32);
      case 7: return m.local.tee(localsOf(i32)[pick(localsOf(i32).length)], e32(d - 1), i32);
      case 8: return m.call(["read8", "read16", "read32"][pick(3)], [e32(d - 1), e32(d - 1)], i32);
      case 9: return m.call("cond", [e32(d - 1)], i32);
      case 10: return m.select(e32(d - 1), e32(d - 1), e32(d - 1));
      case 11: return [m.i64.le_s, m.i64.gt_s, m.i64.eq, m.i64.lt_u][pick(4)](e64(d - 1), e64(d - 1));
      case 12: return m.i32.wrap(e64(d - 1));
      case 13: if (pick(4) === 0) return dead(); return e32(d - 1);
      default: return m.local.get(localsOf(i32)[pick(localsOf(i32).length)], i32);
    }
  };
  const e64 = (d: number): number => {
    budget--;
    if (d <= 0 || budget <= 0) return pick(2) ? m.i64.const(BigInt.asIntN(64, BigInt(pick(2 ** 30)) << BigInt(pick(40)))) : m.local.get(localsOf(i64)[pick(localsOf(i64).length)], i64);
    switch (pick(7)) {
      case 0: return m.i64.add(e64(d - 1), e64(d - 1));
      case 1: return m.i64.sub(e64(d - 1), m.i64.const(-BigInt(pick(1000))));
      case 2: return m.i64.load(pick(16) * 8, 8, e32(d - 1), "mem");
      case 3: return m.i64.extend_u(e32(d - 1));
      case 4: return m.call("wide", [e64(d - 1), e32(d - 1)], i64);
      case 5: return m.if(e32(d - 1), e64(d - 1), e64(d - 1));
      default: return m.local.get(localsOf(i64)[pick(localsOf(i64).length)], i64);
    }
  };
  /** Something that does not complete, usable in any position. */
  const dead = (): number => {
    if (scope.length && pick(2)) return m.block(null, [m.br(scope[pick(scope.length)])]);
    return pick(2) ? m.unreachable() : m.return();
  };
  const stmt = (d: number): number => {
    budget--;
    if (d <= 0 || budget <= 0) return m.local.set(localsOf(i32)[pick(localsOf(i32).length)], e32(0));
    switch (pick(14)) {
      case 0: case 1: return m.local.set(localsOf(i32)[pick(localsOf(i32).length)], e32(d - 1));
      case 2: return m.local.set(localsOf(i64)[pick(localsOf(i64).length)], e64(d - 1));
      case 3: {
        const stores = [[m.i32.store, 4], [m.i32.store8, 1], [m.i32.store16, 2]] as const;
        const [f, a] = stores[pick(3)];
        return pick(4) ? f(pick(64), a, e32(d - 1), e32(d - 1), "mem") : m.i64.store(0, pick(2) ? 8 : 1, e32(d - 1), e64(d - 1), "mem");
      }
      case 4: case 5: {
        const name = `L${labels++}`;
        scope.push(name);
        const body = stmts(d - 1, 1 + pick(4));
        scope.pop();
        return pick(4) ? m.block(name, body) : m.loop(name, m.block(null, body));
      }
      case 6: return m.if(e32(d - 1), m.block(null, stmts(d - 1, pick(3))), pick(2) ? m.block(null, stmts(d - 1, pick(3))) : undefined);
      case 7: if (scope.length) return m.br(scope[pick(scope.length)], pick(2) ? e32(d - 1) : undefined); return m.nop();
      case 8: if (scope.length) return m.switch(Array.from({ length: pick(4) }, () => scope[pick(scope.length)]), scope[pick(scope.length)], e32(d - 1)); return m.nop();
      case 9: return m.call(["write8", "write16", "write32"][pick(3)], [e32(d - 1), e32(d - 1), e32(d - 1)], none);
      case 10: return pick(2) ? m.call("execOne", [], none) : m.drop(e32(d - 1));
      case 11: return pick(6) ? m.nop() : dead();
      case 12: return m.block(null, stmts(d - 1, pick(3)));
      default: return m.drop(pick(2) ? e64(d - 1) : e32(d - 1));
    }
  };
  const stmts = (d: number, n: number): number[] => Array.from({ length: n }, () => stmt(d));
  const body = m.block(null, stmts(5, 3 + pick(6)));
  m.addFunction("f", api.createType(params), none, vars, body);
  m.addFunctionExport("f", "f");
}
