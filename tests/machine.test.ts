/**
 * machine.test.ts — the public API of Machine: construction, registers,
 * physical memory access, run()/step() and their stop reasons, and port I/O.
 *
 * Guest code is assembled by hand; every line carries its mnemonic and the
 * offset it sits at inside the code segment.
 */
import { describe, it, expect } from "vitest";
import { Machine, CPU_MODELS, type CpuModel, type Registers, type PortHandler } from "../src/index.js";

/** Code runs at 0100:0000 (linear 0x1000), the stack at 0000:8000. */
const CODE_SEG = 0x0100;
const CODE = CODE_SEG << 4;

function boot(cpu: CpuModel, code: number[], memory?: number): Machine {
  const m = new Machine({ cpu, memory });
  m.load(CODE, code);
  m.setRegisters({ cs: CODE_SEG, ip: 0, ss: 0, sp: 0x8000, ds: 0, es: 0 });
  return m;
}

// ---------------------------------------------------------------- constructor

describe("constructor", () => {
  it("defaults to an 8086 with 1 MiB + 64 KiB of memory", () => {
    const m = new Machine();
    expect(m.cpu).toBe("8086");
    expect(m.memorySize).toBe(0x110000);
    expect(CPU_MODELS).toEqual(["8086", "286", "386"]);
  });

  it("accepts every model and the smallest and largest memory sizes", () => {
    const small = new Machine({ cpu: "286", memory: 0x10000 });
    expect(small.cpu).toBe("286");
    expect(new Machine({ cpu: "386" }).cpu).toBe("386");
    expect(small.memorySize).toBe(0x10000);
    const big = new Machine({ cpu: "8086", memory: 16 << 20 });
    expect(big.memorySize).toBe(16 << 20);
    big.writeByte((16 << 20) - 1, 0x5a);
    expect(big.readByte((16 << 20) - 1)).toBe(0x5a);
  });

  it("rejects an unknown engine, and the jit's optimiser before loadJit()", () => {
    expect(() => new Machine({ engine: "dynarec" as never })).toThrow(/unknown engine "dynarec"/);
    // The translator needs nothing loaded (its own emitter); binaryen's
    // optimiser does. This file never calls loadJit().
    expect(() => new Machine({ engine: "jit" })).not.toThrow();
    expect(() => new Machine({ engine: "jit", jit: { optimize: 2 } })).toThrow(/await loadJit\(\)/);
  });

  it("rejects an unknown CPU model with a RangeError naming it", () => {
    for (const cpu of ["486", "80286", "", "8088"]) {
      expect(() => new Machine({ cpu: cpu as CpuModel })).toThrow(RangeError);
      expect(() => new Machine({ cpu: cpu as CpuModel })).toThrow(
        `unknown CPU model ${JSON.stringify(cpu)} (expected one of 8086, 286, 386)`,
      );
    }
  });

  it.each([
    ["not a multiple of 4096", 0x10001],
    ["not a multiple of 4096 (above 64 KiB)", 0x100800],
    ["below 64 KiB", 0xf000],
    ["zero", 0],
    ["negative", -0x10000],
    ["above 16 MiB", (16 << 20) + 4096],
    ["non-integer", 65536.5],
    ["NaN", NaN],
    ["Infinity", Infinity],
  ])("rejects a memory size that is %s", (_what, memory) => {
    expect(() => new Machine({ memory })).toThrow(RangeError);
    expect(() => new Machine({ memory })).toThrow(
      `memory size must be a multiple of 4096 between 64 KiB and 16 MiB, got ${memory}`,
    );
  });
});

// ------------------------------------------------------------------ registers

describe("registers", () => {
  const ALL: Registers = {
    ax: 0x1111, cx: 0x2222, dx: 0x3333, bx: 0x4444, sp: 0x5555, bp: 0x6666, si: 0x7777, di: 0x8888,
    ip: 0x9999, flags: 0xf0d7, es: 0xaaaa, cs: 0xbbbb, ss: 0xcccc, ds: 0xdddd,
  };

  it("start at zero with FLAGS reading only its fixed bits", () => {
    const m86 = new Machine({ cpu: "8086" });
    expect(m86.registers).toEqual({
      ax: 0, cx: 0, dx: 0, bx: 0, sp: 0, bp: 0, si: 0, di: 0, ip: 0, flags: 0xf002, es: 0, cs: 0, ss: 0, ds: 0,
    });
    expect(new Machine({ cpu: "286" }).registers.flags).toBe(0x0002);
  });

  it("round-trip through setRegisters", () => {
    const m = new Machine();
    m.setRegisters(ALL);
    expect(m.registers).toEqual(ALL);
    expect(m.pc).toBe(((0xbbbb << 4) + 0x9999));
  });

  it("setting a subset leaves the others alone", () => {
    const m = new Machine();
    m.setRegisters(ALL);
    m.setRegisters({ bx: 0x0102, ds: 0x0304 });
    expect(m.registers).toEqual({ ...ALL, bx: 0x0102, ds: 0x0304 });
  });

  it("truncates values to 16 bits", () => {
    const m = new Machine();
    m.setRegisters({ ax: 0x12345, bx: -1, cx: 0x10000, cs: 0x10100, ip: 0x1fffe, ds: -2 });
    const r = m.registers;
    expect(r.ax).toBe(0x2345);
    expect(r.bx).toBe(0xffff);
    expect(r.cx).toBe(0);
    expect(r.cs).toBe(0x0100);
    expect(r.ip).toBe(0xfffe);
    expect(r.ds).toBe(0xfffe);
  });

  it("a truncated segment value is the one the CPU uses for addressing", () => {
    const m = new Machine();
    m.load(0x1000, [
      0xb8, 0x34, 0x12, // 0000  MOV AX, 0x1234
      0xf4, //             0003  HLT
    ]);
    m.setRegisters({ cs: 0x10100, ip: 0x10000 }); // → 0100:0000
    expect(m.run().reason).toBe("halt");
    expect(m.registers.ax).toBe(0x1234);
    expect(m.registers.ip).toBe(4);
  });

  it("rejects an unknown register name with a TypeError", () => {
    const m = new Machine();
    const bad = { rax: 1 } as unknown as Partial<Registers>;
    expect(() => m.setRegisters(bad)).toThrow(TypeError);
    expect(() => m.setRegisters(bad)).toThrow('unknown register "rax"');
    expect(() => m.setRegisters({ eip: 1 } as unknown as Partial<Registers>)).toThrow(TypeError);
  });

  it("sets and reads the 32-bit registers and FS/GS; the 16-bit names are their low halves", () => {
    const m = new Machine({ cpu: "386" });
    m.setRegisters({ eax: 0x89abcdef, esp: 0x12345678, fs: 0x1234, gs: 0xabcd });
    expect(m.registers32).toMatchObject({ eax: 0x89abcdef, esp: 0x12345678, fs: 0x1234, gs: 0xabcd });
    expect(m.registers.ax).toBe(0xcdef);
    m.setRegisters({ ax: 0x1111 });
    expect(m.registers32.eax).toBe(0x89ab1111);
  });

  it("on the 8086 and 286, which have no upper halves, a 32-bit name sets the 16-bit register", () => {
    for (const cpu of ["8086", "286"] as const) {
      const m = new Machine({ cpu });
      m.setRegisters({ eax: 0x89abcdef, esi: 0x12345678 });
      expect(m.registers32).toMatchObject({ eax: 0xcdef, esi: 0x5678 });
      expect(m.registers).toMatchObject({ ax: 0xcdef, si: 0x5678 });
    }
  });

  it("rejects non-numeric values with a TypeError", () => {
    const m = new Machine();
    expect(() => m.setRegisters({ ax: NaN })).toThrow(TypeError);
    expect(() => m.setRegisters({ ax: Infinity })).toThrow(TypeError);
    expect(() => m.setRegisters({ ax: "5" as unknown as number })).toThrow(TypeError);
    expect(m.registers.ax).toBe(0);
  });

  it.each([
    // [model, written, read back]
    ["8086", 0x0000, 0xf002],
    ["8086", 0xffff, 0xffd7],
    ["8086", 0x0fd5, 0xffd7],
    ["8086", 0x0028, 0xf002], // bits 3 and 5 always read 0
    ["286", 0x0000, 0x0002],
    ["286", 0xffff, 0x0fd7],
    ["286", 0xf000, 0x0002], // bits 12–15 always read 0 in real mode
    ["286", 0x0028, 0x0002],
  ] as const)("FLAGS fixed bits on the %s: %i written reads back as %i", (cpu, written, read) => {
    const m = new Machine({ cpu });
    m.setRegisters({ flags: written });
    expect(m.registers.flags).toBe(read);
  });

  it.each([
    ["8086", 0xf002, 0xf0d7],
    ["286", 0x0002, 0x00d7],
  ] as const)("the %s shows the same fixed FLAGS bits to the guest (POPF/PUSHF)", (cpu, zero, arith) => {
    const m = boot(cpu, [
      0x31, 0xc0, //       0000  XOR AX, AX
      0x50, //             0002  PUSH AX
      0x9d, //             0003  POPF
      0x9c, //             0004  PUSHF
      0x5b, //             0005  POP BX
      0xb8, 0xff, 0xf0, // 0006  MOV AX, 0xF0FF   (all arithmetic flags, bits 3/5, bits 12–15)
      0x50, //             0009  PUSH AX
      0x9d, //             000A  POPF
      0x9c, //             000B  PUSHF
      0x59, //             000C  POP CX
      0xf4, //             000D  HLT
    ]);
    expect(m.run().reason).toBe("halt");
    expect(m.registers.bx).toBe(zero);
    expect(m.registers.cx).toBe(arith);
    expect(m.registers.flags).toBe(arith);
  });
});

// --------------------------------------------------------------------- memory

describe("physical memory", () => {
  it("write/read round-trip, including across a 4 KiB page boundary", () => {
    const m = new Machine();
    m.write(0x2ffc, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(m.read(0x2ffc, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(m.readByte(0x3000)).toBe(5);
    m.load(0x5000, Uint8Array.of(0xaa, 0xbb));
    expect(Array.from(m.read(0x4fff, 4))).toEqual([0, 0xaa, 0xbb, 0]);
  });

  it("writeByte stores the low 8 bits", () => {
    const m = new Machine();
    m.writeByte(0x500, 0x1a5);
    expect(m.readByte(0x500)).toBe(0xa5);
  });

  it("the last byte of memory is accessible", () => {
    const m = new Machine({ memory: 0x20000 });
    m.write(0x1fffe, [0x11, 0x22]);
    expect(Array.from(m.read(0x1fffe, 2))).toEqual([0x11, 0x22]);
  });

  it("the guest sees host writes and the host sees guest writes", () => {
    const m = boot("8086", [
      0xa1, 0x00, 0x20, // 0000  MOV AX, [0x2000]
      0x40, //             0003  INC AX
      0xa3, 0x02, 0x20, // 0004  MOV [0x2002], AX
      0xf4, //             0007  HLT
    ]);
    m.write(0x2000, [0xff, 0x12]);
    m.run();
    expect(m.registers.ax).toBe(0x1300);
    expect(Array.from(m.read(0x2002, 2))).toEqual([0x00, 0x13]);
  });

  it.each([
    ["readByte past the end", (m: Machine) => m.readByte(0x10000)],
    ["readByte at -1", (m: Machine) => m.readByte(-1)],
    ["read running past the end", (m: Machine) => m.read(0xfffe, 3)],
    ["read with a negative length", (m: Machine) => m.read(0, -1)],
    ["read at a non-integer address", (m: Machine) => m.read(1.5, 1)],
    ["write running past the end", (m: Machine) => m.write(0xffff, [1, 2])],
    ["writeByte past the end", (m: Machine) => m.writeByte(0x10000, 1)],
    ["load running past the end", (m: Machine) => m.load(0xfff0, new Uint8Array(17))],
  ])("%s throws a RangeError", (_what, f) => {
    const m = new Machine({ memory: 0x10000 });
    expect(() => f(m)).toThrow(RangeError);
    expect(() => f(m)).toThrow(/outside guest memory \(0x10000 bytes\)/);
  });

  it("a failed write changes nothing", () => {
    const m = new Machine({ memory: 0x10000 });
    expect(() => m.write(0xfffe, [1, 2, 3])).toThrow(RangeError);
    expect(Array.from(m.read(0xfffe, 2))).toEqual([0, 0]);
  });
});

// ------------------------------------------------------------------ execution

describe("run()", () => {
  /** INC AX; JMP back: two instructions per round. */
  const LOOP = [
    0x40, //             0000  INC AX
    0xeb, 0xfd, //       0001  JMP 0000
  ];

  it('stops with "budget" after exactly maxInstructions', () => {
    const m = boot("8086", LOOP);
    expect(m.run({ maxInstructions: 10 })).toEqual({ reason: "budget", instructions: 10 });
    expect(m.registers.ax).toBe(5);
    expect(m.registers.ip).toBe(0);
    expect(m.instructionCount).toBe(10);
    expect(m.run({ maxInstructions: 3 })).toEqual({ reason: "budget", instructions: 3 });
    expect(m.registers.ax).toBe(7);
    expect(m.registers.ip).toBe(1);
    expect(m.instructionCount).toBe(13);
  });

  it("a budget of 0 executes nothing", () => {
    const m = boot("8086", LOOP);
    expect(m.run({ maxInstructions: 0 })).toEqual({ reason: "budget", instructions: 0 });
    expect(m.registers.ip).toBe(0);
    expect(m.registers.ax).toBe(0);
    expect(m.instructionCount).toBe(0);
  });

  it.each([-1, 1.5, NaN, Infinity, 2 ** 53])("rejects maxInstructions = %s", (n) => {
    const m = boot("8086", LOOP);
    expect(() => m.run({ maxInstructions: n })).toThrow(RangeError);
    expect(m.instructionCount).toBe(0);
  });

  it('stops with "halt" after HLT, which counts as an instruction', () => {
    const m = boot("286", [
      0xb8, 0x01, 0x00, // 0000  MOV AX, 1
      0xf4, //             0003  HLT
      0x40, //             0004  INC AX    (never reached)
    ]);
    expect(m.halted).toBe(false);
    expect(m.run()).toEqual({ reason: "halt", instructions: 2 });
    expect(m.halted).toBe(true);
    expect(m.registers.ip).toBe(4);
    // Still halted: nothing runs.
    expect(m.run()).toEqual({ reason: "halt", instructions: 0 });
    expect(m.registers.ax).toBe(1);
    // setRegisters takes the CPU out of HLT.
    m.setRegisters({ ip: 4 });
    expect(m.halted).toBe(false);
    expect(m.run({ maxInstructions: 1 })).toEqual({ reason: "budget", instructions: 1 });
    expect(m.registers.ax).toBe(2);
  });

  it('stops with "breakpoint" before the instruction at a linear address, and resumes past it', () => {
    const m = boot("8086", [
      0x40, //             0000  INC AX
      0x43, //             0001  INC BX     ← breakpoint
      0xeb, 0xfc, //       0002  JMP 0000
    ]);
    m.addBreakpoint(CODE + 1);
    expect(m.run()).toEqual({ reason: "breakpoint", instructions: 1 });
    expect(m.registers).toMatchObject({ ip: 1, ax: 1, bx: 0 });
    // Resuming executes the instruction at the breakpoint, then stops there next time round.
    expect(m.run()).toEqual({ reason: "breakpoint", instructions: 3 });
    expect(m.registers).toMatchObject({ ip: 1, ax: 2, bx: 1 });
    m.removeBreakpoint(CODE + 1);
    expect(m.run({ maxInstructions: 30 })).toEqual({ reason: "budget", instructions: 30 });
    expect(m.registers).toMatchObject({ ax: 12, bx: 11 });
  });

  it("a breakpoint on the first instruction stops before anything runs", () => {
    const m = boot("8086", [
      0x40, //             0000  INC AX    ← breakpoint
      0xf4, //             0001  HLT
    ]);
    m.addBreakpoint(CODE);
    expect(m.run()).toEqual({ reason: "breakpoint", instructions: 0 });
    expect(m.registers.ax).toBe(0);
    expect(m.run()).toEqual({ reason: "halt", instructions: 2 });
    expect(m.registers.ax).toBe(1);
  });

  it("breakpoints are linear addresses, whatever CS:IP reaches them", () => {
    const m = boot("8086", [
      0x40, //             0000  INC AX
      0x43, //             0001  INC BX   ← breakpoint at linear 0x1001
      0xf4, //             0002  HLT
    ]);
    m.setRegisters({ cs: 0x0000, ip: 0x1000 });
    m.addBreakpoint(0x1001);
    expect(m.run()).toEqual({ reason: "breakpoint", instructions: 1 });
    expect(m.registers).toMatchObject({ cs: 0, ip: 0x1001 });
  });

  it('stops with "stop" after the instruction whose port handler called requestStop()', () => {
    const m = boot("8086", [
      0x40, //             0000  INC AX
      0xe6, 0x80, //       0001  OUT 0x80, AL   (handler requests a stop)
      0x43, //             0003  INC BX
      0x41, //             0004  INC CX
      0xf4, //             0005  HLT
    ]);
    const seen: number[] = [];
    m.registerPort(0x80, { write: (_p, _s, v) => { seen.push(v); m.requestStop(); } });
    expect(m.run()).toEqual({ reason: "stop", instructions: 2 });
    expect(seen).toEqual([1]);
    expect(m.registers).toMatchObject({ ip: 3, bx: 0 });
    // The request was consumed: the next run goes on to the HLT.
    expect(m.run()).toEqual({ reason: "halt", instructions: 3 });
    expect(m.registers).toMatchObject({ bx: 1, cx: 1 });
  });

  it("requestStop() before run() stops at the first boundary", () => {
    const m = boot("8086", [0x40, 0xf4]); // INC AX; HLT
    m.requestStop();
    expect(m.run()).toEqual({ reason: "stop", instructions: 0 });
    expect(m.run()).toEqual({ reason: "halt", instructions: 2 });
  });

  it("step() executes exactly one instruction", () => {
    const m = boot("8086", [
      0xb8, 0x34, 0x12, // 0000  MOV AX, 0x1234
      0x89, 0xc3, //       0003  MOV BX, AX
      0xf4, //             0005  HLT
    ]);
    expect(m.step()).toEqual({ reason: "budget", instructions: 1 });
    expect(m.registers).toMatchObject({ ip: 3, ax: 0x1234, bx: 0 });
    expect(m.step()).toEqual({ reason: "budget", instructions: 1 });
    expect(m.registers).toMatchObject({ ip: 5, bx: 0x1234 });
    expect(m.step()).toEqual({ reason: "halt", instructions: 1 });
    expect(m.instructionCount).toBe(3);
  });

  it("instructionCount accumulates over run() and step()", () => {
    const m = boot("286", [0x40, 0xeb, 0xfd]); // INC AX; JMP back
    expect(m.instructionCount).toBe(0);
    m.run({ maxInstructions: 100 });
    m.step();
    m.run({ maxInstructions: 7 });
    expect(m.instructionCount).toBe(108);
    expect(m.registers.ax).toBe(54);
  });
});

// ----------------------------------------------------------------------- ports

describe("ports", () => {
  it("a handler on one port sees byte and word IN/OUT with their size", () => {
    const m = boot("8086", [
      0xe4, 0x60, //       0000  IN AL, 0x60
      0x88, 0xc3, //       0002  MOV BL, AL
      0xe5, 0x60, //       0004  IN AX, 0x60
      0x89, 0xc1, //       0006  MOV CX, AX
      0xb8, 0x34, 0x12, // 0008  MOV AX, 0x1234
      0xe6, 0x60, //       000B  OUT 0x60, AL
      0xe7, 0x60, //       000D  OUT 0x60, AX
      0xf4, //             000F  HLT
    ]);
    const log: string[] = [];
    m.registerPort(0x60, {
      read: (port, size) => { log.push(`in ${port.toString(16)}/${size}`); return size === 1 ? 0xab : 0xbeef; },
      write: (port, size, value) => { log.push(`out ${port.toString(16)}/${size}=${value.toString(16)}`); },
    });
    expect(m.run().reason).toBe("halt");
    expect(log).toEqual(["in 60/1", "in 60/2", "out 60/1=34", "out 60/2=1234"]);
    expect(m.registers.bx & 0xff).toBe(0xab);
    expect(m.registers.cx).toBe(0xbeef);
    expect(m.stats).toMatchObject({ portIn: 2, portOut: 2, portUnhandledIn: 0, portUnhandledOut: 0 });
  });

  it("a handler's read value is cut to the access size", () => {
    const m = boot("8086", [
      0xe4, 0x40, //       0000  IN AL, 0x40
      0xf4, //             0002  HLT
    ]);
    m.setRegisters({ ax: 0x7700 });
    m.registerPort(0x40, { read: () => 0x12345 });
    m.run();
    expect(m.registers.ax).toBe(0x7745);
  });

  it("a handler on a range receives every port of the range, and only those", () => {
    const m = boot("286", [
      0xba, 0xf8, 0x03, // 0000  MOV DX, 0x3F8
      0xec, //             0003  IN AL, DX
      0xba, 0xff, 0x03, // 0004  MOV DX, 0x3FF
      0xee, //             0007  OUT DX, AL
      0xba, 0xf7, 0x03, // 0008  MOV DX, 0x3F7
      0xec, //             000B  IN AL, DX       (not in the range)
      0xba, 0x00, 0x04, // 000C  MOV DX, 0x400
      0xee, //             000F  OUT DX, AL      (not in the range)
      0xf4, //             0010  HLT
    ]);
    const log: string[] = [];
    m.registerPort([0x3f8, 0x3ff], {
      read: (port) => { log.push(`in ${port.toString(16)}`); return 0x42; },
      write: (port, _s, value) => { log.push(`out ${port.toString(16)}=${value.toString(16)}`); },
    });
    m.run();
    expect(log).toEqual(["in 3f8", "out 3ff=42"]);
    expect(m.registers.ax & 0xff).toBe(0xff);
    expect(m.stats).toMatchObject({ portIn: 1, portOut: 1, portUnhandledIn: 1, portUnhandledOut: 1 });
  });

  it("unregistered ports read all ones, drop writes, and are counted", () => {
    const m = boot("8086", [
      0xe4, 0x80, //       0000  IN AL, 0x80
      0x88, 0xc3, //       0002  MOV BL, AL
      0xba, 0x34, 0x12, // 0004  MOV DX, 0x1234
      0xed, //             0007  IN AX, DX
      0xe6, 0x80, //       0008  OUT 0x80, AL
      0xef, //             000A  OUT DX, AX
      0xe7, 0x81, //       000B  OUT 0x81, AX
      0xf4, //             000D  HLT
    ]);
    m.run();
    expect(m.registers.bx & 0xff).toBe(0xff);
    expect(m.registers.ax).toBe(0xffff);
    expect(m.stats).toMatchObject({ portIn: 0, portOut: 0, portUnhandledIn: 2, portUnhandledOut: 3 });
  });

  it("a word IN whose low port is unregistered reads 0xFF there and the high port's byte from its handler", () => {
    const m = boot("8086", [
      0xe5, 0x70, //       0000  IN AX, 0x70
      0xf4, //             0002  HLT
    ]);
    const calls: [number, number][] = [];
    m.registerPort(0x71, { read: (p, s) => { calls.push([p, s]); return 0x5a; } });
    m.run();
    expect(m.registers.ax).toBe(0x5aff);
    expect(calls).toEqual([[0x71, 1]]);
    expect(m.stats.portIn).toBe(1);
    expect(m.stats.portUnhandledIn).toBe(0);
  });

  it("a word access to a handler without the needed method is split into two byte accesses", () => {
    const m = boot("8086", [
      0xe5, 0x70, //       0000  IN AX, 0x70
      0x89, 0xc3, //       0002  MOV BX, AX
      0xb8, 0xcd, 0xab, // 0004  MOV AX, 0xABCD
      0xe7, 0x72, //       0007  OUT 0x72, AX
      0xf4, //             0009  HLT
    ]);
    const log: string[] = [];
    // 0x70 is write-only and 0x72 read-only: their word accesses go byte-wise.
    m.registerPort(0x70, { write: (p, s, v) => { log.push(`out ${p.toString(16)}/${s}=${v.toString(16)}`); } });
    m.registerPort(0x71, { read: (p, s) => { log.push(`in ${p.toString(16)}/${s}`); return 0x22; } });
    m.registerPort(0x72, { read: (p, s) => { log.push(`in ${p.toString(16)}/${s}`); return 0x33; } });
    m.registerPort(0x73, { write: (p, s, v) => { log.push(`out ${p.toString(16)}/${s}=${v.toString(16)}`); } });
    m.run();
    expect(m.registers.bx).toBe(0x22ff);
    expect(log).toEqual(["in 71/1", "out 73/1=ab"]);
  });

  it("a handler with a read method receives word reads whole", () => {
    const m = boot("8086", [
      0xe5, 0x70, //       0000  IN AX, 0x70
      0xf4, //             0002  HLT
    ]);
    const calls: [number, number][] = [];
    const second: PortHandler = { read: (p, s) => { calls.push([p, s]); return 0x99; } };
    m.registerPort(0x70, { read: (p, s) => { calls.push([p, s]); return 0x1234; } });
    m.registerPort(0x71, second);
    m.run();
    expect(m.registers.ax).toBe(0x1234);
    expect(calls).toEqual([[0x70, 2]]);
  });

  it("a word access at port 0xFFFF takes its high byte from port 0", () => {
    const m = boot("8086", [
      0xba, 0xff, 0xff, // 0000  MOV DX, 0xFFFF
      0xed, //             0003  IN AX, DX
      0xf4, //             0004  HLT
    ]);
    m.registerPort(0, { read: (p, s) => (p === 0 && s === 1 ? 0x42 : 0) });
    m.run();
    expect(m.registers.ax).toBe(0x42ff);
  });

  it.each([
    ["a negative port", -1],
    ["port 0x10000", 0x10000],
    ["a non-integer port", 1.5],
    ["a reversed range", [0x10, 0x0f]],
    ["a range past 0xFFFF", [0xfff0, 0x10000]],
    ["a range starting below 0", [-1, 4]],
  ] as const)("registerPort rejects %s", (_what, port) => {
    const m = new Machine();
    expect(() => m.registerPort(port as number | [number, number], {})).toThrow(RangeError);
    expect(() => m.registerPort(port as number | [number, number], {})).toThrow(/bad port range/);
  });

  it("registerPort accepts the whole port space at its edges", () => {
    const m = boot("8086", [
      0xba, 0xff, 0xff, // 0000  MOV DX, 0xFFFF
      0xec, //             0003  IN AL, DX
      0xe4, 0x00, //       0004  IN AL, 0x00
      0xf4, //             0006  HLT
    ]);
    const ports: number[] = [];
    m.registerPort([0, 0], { read: (p) => { ports.push(p); return 0; } });
    m.registerPort(0xffff, { read: (p) => { ports.push(p); return 0; } });
    m.run();
    expect(ports).toEqual([0xffff, 0]);
  });
});

describe("flags of SHL by one", () => {
  // mov ax,4008h / shl ax,1 / pushf / pop bx / hlt: v + v = 8010h. CF 0,
  // OF 1 (the top bit changed), SF 1, ZF 0, PF 0 (10h has one bit set);
  // AF, undefined after a shift, is what the addition gives: bit 3 of v.
  for (const cpu of ["8086", "286", "386"] as const) for (const engine of ["interp", "jit"] as const) {
    it(`are those of v + v (${cpu}, ${engine})`, () => {
      const m = new Machine({ cpu, engine, jit: { threshold: 0 } });
      m.load(0x1000, [0xb8, 0x08, 0x40, 0xd1, 0xe0, 0x9c, 0x5b, 0xf4]);
      m.setRegisters({ cs: 0, ip: 0x1000, ss: 0, sp: 0x800 });
      expect(m.run({ maxInstructions: 100 }).reason).toBe("halt");
      const f = m.registers.bx;
      expect({ cf: f & 1, pf: (f >> 2) & 1, af: (f >> 4) & 1, zf: (f >> 6) & 1, sf: (f >> 7) & 1, of: (f >> 11) & 1 })
        .toEqual({ cf: 0, pf: 0, af: 1, zf: 0, sf: 1, of: 1 });
      expect(m.registers.ax).toBe(0x8010);
    });
  }
});
