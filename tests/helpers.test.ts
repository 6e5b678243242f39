/**
 * helpers.test.ts — the semantics helpers the JIT will call (assembly/
 * helpers.ts) are the interpreter's own: calling a helper directly gives
 * the same result and FLAGS as executing the instruction.
 */
import { describe, it, expect } from "vitest";
import { instantiateCore, type CoreExports, type Layout } from "../src/core/core.js";
import { Machine } from "../src/index.js";

interface Helpers {
  helper_alu(op: number, a: number, b: number, size: number): number;
  helper_shift(op: number, v: number, count: number, size: number): number;
  helper_div(src: number, size: number, signed: number, negate: number): void;
  helper_string(op: number, rep: number, seg: number): void;
  helper_get_flags(): number;
  helper_set_flags(v: number): void;
  helper_condition(cc: number): number;
}

function core(model = 1): { c: CoreExports & Helpers; L: Layout; dv: () => DataView } {
  const { exports, layout } = instantiateCore({
    portIn: () => 0xff, portOut: () => {}, mmioRead: () => 0xff, mmioWrite: () => {},
    irqAck: () => -1, codeWrite: () => {},
  });
  expect(exports.init(model, 1 << 20)).toBe(0);
  return { c: exports as CoreExports & Helpers, L: layout, dv: () => new DataView(exports.memory.buffer) };
}

const ARITH = 0x8d5; // OF SF ZF AF PF CF

/** Execute `op r/m8, r8`-style ALU instruction `bytes` with AL=a, BL=b on the interpreter. */
function interpAlu(m: Machine, opcode: number, a: number, b: number, flagsIn: number): { al: number; flags: number } {
  m.load(0x1000, [opcode, 0xd8, 0xf4]); // <op> al, bl ; hlt
  m.setRegisters({ cs: 0, ip: 0x1000, ax: a, bx: b, flags: flagsIn });
  m.run({ maxInstructions: 1 });
  return { al: m.registers.ax & 0xff, flags: m.registers.flags };
}

describe("exported semantics helpers", () => {
  it("helper_alu matches the interpreter for all eight ALU ops", () => {
    const { c } = core(1);
    const m = new Machine({ cpu: "286" });
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
    for (let op = 0; op < 8; op++) {
      for (let i = 0; i < 300; i++) {
        const a = rnd() & 0xff, b = rnd() & 0xff, cf = rnd() & 1;
        c.helper_set_flags(0x0002 | cf);
        const r = c.helper_alu(op, a, b, 8);
        const hf = c.helper_get_flags();
        const want = interpAlu(m, op * 8, a, b, 0x0002 | cf); // 00/08/10/... = op r/m8, r8
        // CMP stores nothing: its result is the difference the flags describe.
        const result = op === 7 ? (a - b) & 0xff : want.al;
        expect({ op, a, b, r, flags: hf & ARITH }).toEqual({ op, a, b, r: result, flags: want.flags & ARITH });
      }
    }
  });

  it("helper_shift sets CF and OF like SHL/ROR", () => {
    const { c } = core(1);
    expect(c.helper_shift(4, 0x81, 1, 8)).toBe(0x02);            // SHL 81h,1
    expect(c.helper_get_flags() & 0x801).toBe(0x801);             // CF=1, OF=1 (top bit changed)
    expect(c.helper_shift(1, 0x0001, 1, 16)).toBe(0x8000);        // ROR 1,1
    expect(c.helper_get_flags() & 0x801).toBe(0x801);             // CF = new top bit, OF = top ^ next
    expect(c.helper_condition(2)).toBe(1);                        // JB taken
  });

  it("helper_div raises #DE by trapping with FAULT_VECTOR = 0 and leaves AX alone", () => {
    const { c, L, dv } = core(1);
    dv().setUint16(L.REGS, 0x1234, true);
    dv().setInt32(L.FAULT_VECTOR, -1, true);
    expect(() => c.helper_div(0, 8, 0, 0)).toThrow(WebAssembly.RuntimeError);
    expect(dv().getInt32(L.FAULT_VECTOR, true)).toBe(0);
    expect(dv().getUint16(L.REGS, true)).toBe(0x1234);
  });

  it("helper_string runs REP MOVSB to completion", () => {
    const { c, L, dv } = core(1);
    const G = L.GUEST_BASE;
    const mem = new Uint8Array(c.memory.buffer);
    mem.set([1, 2, 3, 4], G + 0x2000);
    dv().setUint16(L.REGS + 1 * 4, 3, true);      // CX = 3
    dv().setUint16(L.REGS + 6 * 4, 0x2000, true); // SI
    dv().setUint16(L.REGS + 7 * 4, 0x3000, true); // DI
    dv().setBigInt64(L.ICOUNT_STOP, 1000n, true);
    c.helper_string(0xa4, 0xf3, -1);
    expect([...mem.subarray(G + 0x3000, G + 0x3004)]).toEqual([1, 2, 3, 0]);
    expect(dv().getUint16(L.REGS + 4, true)).toBe(0);
  });
});
