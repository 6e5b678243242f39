/**
 * interrupts.test.ts — software interrupts, external interrupts, NMI, the
 * interrupt shadow, HLT, the trap flag, exceptions (divide error, #UD),
 * interrupted REP string instructions, and determinism.
 *
 * Guest code is assembled by hand; every line carries its mnemonic and the
 * offset it sits at inside the code segment. Code runs at 0100:0000 (linear
 * 0x1000), handlers live in segment 0200 (linear 0x2000), the stack starts
 * at 0000:8000.
 */
import { describe, it, expect } from "vitest";
import { Machine, type CpuModel } from "../src/index.js";

const CODE_SEG = 0x0100;
const CODE = CODE_SEG << 4;
const HSEG = 0x0200;
const HBASE = HSEG << 4;
const STACK = 0x8000;

const IF = 0x0200;
const TF = 0x0100;
const CF = 0x0001;

function boot(cpu: CpuModel, code: number[], flags = 0): Machine {
  const m = new Machine({ cpu });
  m.load(CODE, code);
  m.setRegisters({ cs: CODE_SEG, ip: 0, ss: 0, sp: STACK, ds: 0, es: 0, flags });
  return m;
}

/** Point `vector` at HSEG:off and put the handler's code there. */
function handler(m: Machine, vector: number, off: number, code: number[]): void {
  m.write(vector * 4, [off & 0xff, off >> 8, HSEG & 0xff, HSEG >> 8]);
  m.load(HBASE + off, code);
}

function word(m: Machine, addr: number): number {
  const b = m.read(addr, 2);
  return b[0] | (b[1] << 8);
}

/** The word at SS:SP + k. */
function stackWord(m: Machine, k = 0): number {
  const r = m.registers;
  return word(m, (r.ss << 4) + ((r.sp + k) & 0xffff));
}

/** Index of the first byte where two memory images differ, or -1. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** FLAGS as the model reads them back. */
function fl(cpu: CpuModel, v: number): number {
  const f = (v & 0x0fd5) | 2;
  return cpu === "8086" ? f | 0xf000 : f;
}

const MODELS: CpuModel[] = ["8086", "286"];

// ------------------------------------------------------------- INT n and IRET

describe.each(MODELS)("INT n and IRET (%s)", (cpu) => {
  it("INT n pushes FLAGS, CS and IP, clears IF and TF, and jumps through the IVT", () => {
    const m = boot(cpu, [
      0xcd, 0x21, //       0000  INT 21h
      0xf4, //             0002  HLT
    ], IF | CF);
    handler(m, 0x21, 0x10, [
      0x9c, //             0010  PUSHF
      0xf4, //             0011  HLT
    ]);
    expect(m.run()).toEqual({ reason: "halt", instructions: 3 });
    const r = m.registers;
    expect(r.cs).toBe(HSEG);
    expect(r.ip).toBe(0x12);
    expect(r.sp).toBe(STACK - 8);
    expect(stackWord(m, 0)).toBe(fl(cpu, CF)); // FLAGS inside the handler: IF clear, CF kept
    expect(stackWord(m, 2)).toBe(0x0002); // IP after INT 21h
    expect(stackWord(m, 4)).toBe(CODE_SEG);
    expect(stackWord(m, 6)).toBe(fl(cpu, IF | CF));
    expect(m.stats.interrupts).toBe(1);
  });

  it("the handler of an INT n issued with TF set runs with TF clear", () => {
    const m = boot(cpu, [
      0xcd, 0x21, //       0000  INT 21h
      0xf4, //             0002  HLT
    ], IF | TF | CF);
    handler(m, 1, 0x00, [
      0xcf, //             0000  IRET       (single-step handler)
    ]);
    handler(m, 0x21, 0x10, [
      0x9c, //             0010  PUSHF
      0xf4, //             0011  HLT
    ]);
    expect(m.run().reason).toBe("halt");
    const r = m.registers;
    expect(r.cs).toBe(HSEG);
    expect(r.ip).toBe(0x12);
    expect(r.sp).toBe(STACK - 8);
    expect(stackWord(m, 0)).toBe(fl(cpu, CF));
    expect(stackWord(m, 2)).toBe(0x0002);
    expect(stackWord(m, 4)).toBe(CODE_SEG);
    expect(stackWord(m, 6)).toBe(fl(cpu, IF | TF | CF));
  });

  it("IRET returns to the caller and restores its FLAGS", () => {
    const m = boot(cpu, [
      0xcd, 0x21, //       0000  INT 21h
      0xb9, 0x78, 0x56, // 0002  MOV CX, 0x5678
      0xf4, //             0005  HLT
    ], IF | CF);
    handler(m, 0x21, 0x40, [
      0xbb, 0x34, 0x12, // 0040  MOV BX, 0x1234
      0xf8, //             0043  CLC
      0xcf, //             0044  IRET
    ]);
    expect(m.run()).toEqual({ reason: "halt", instructions: 6 });
    const r = m.registers;
    expect(r).toMatchObject({ bx: 0x1234, cx: 0x5678, cs: CODE_SEG, ip: 6, sp: STACK });
    expect(r.flags).toBe(fl(cpu, IF | CF));
  });

  it("INT 3 and INTO push the address of the next instruction; INTO only with OF set", () => {
    const m = boot(cpu, [
      0xce, //             0000  INTO            (OF clear: nothing)
      0xb8, 0xff, 0x7f, // 0001  MOV AX, 0x7FFF
      0x40, //             0004  INC AX          (sets OF)
      0xce, //             0005  INTO
      0xf4, //             0006  HLT
    ]);
    handler(m, 4, 0x20, [0xf4]); // HLT
    expect(m.run()).toEqual({ reason: "halt", instructions: 5 });
    expect(m.registers).toMatchObject({ cs: HSEG, ip: 0x21 });
    expect(stackWord(m, 0)).toBe(6);

    const m3 = boot(cpu, [
      0x90, //             0000  NOP
      0xcc, //             0001  INT 3
      0xf4, //             0002  HLT
    ]);
    handler(m3, 3, 0x30, [0xf4]); // HLT
    m3.run();
    expect(m3.registers).toMatchObject({ cs: HSEG, ip: 0x31 });
    expect(stackWord(m3, 0)).toBe(2);
  });
});

// --------------------------------------------------------- external interrupts

describe.each(MODELS)("external interrupts (%s)", (cpu) => {
  it("are not taken while IF = 0", () => {
    const m = boot(cpu, [
      0x90, 0x90, 0x90, // 0000  NOP; NOP; NOP
      0xf4, //             0003  HLT
    ], 0);
    handler(m, 0x20, 0, [0xbb, 0x01, 0x00, 0xf4]); // MOV BX, 1; HLT
    m.interrupt(0x20);
    expect(m.run()).toEqual({ reason: "halt", instructions: 4 });
    expect(m.registers).toMatchObject({ cs: CODE_SEG, ip: 4, bx: 0, sp: STACK });
    expect(m.stats.interrupts).toBe(0);
  });

  it("are taken before the next instruction when IF = 1", () => {
    const m = boot(cpu, [
      0x40, //             0000  INC AX
      0xf4, //             0001  HLT
    ], IF);
    handler(m, 0x20, 0, [0xf4]); // HLT
    m.interrupt(0x20);
    expect(m.run()).toEqual({ reason: "halt", instructions: 1 });
    expect(m.registers).toMatchObject({ cs: HSEG, ip: 1, ax: 0, sp: STACK - 6 });
    expect(stackWord(m, 0)).toBe(0);
    expect(stackWord(m, 2)).toBe(CODE_SEG);
    expect(stackWord(m, 4)).toBe(fl(cpu, IF));
    expect(m.registers.flags & IF).toBe(0);
    expect(m.stats.interrupts).toBe(1);
  });

  it("raised during an instruction, are taken at the boundary after it", () => {
    const m = boot(cpu, [
      0xb0, 0x01, //       0000  MOV AL, 1
      0xe6, 0x80, //       0002  OUT 0x80, AL    (the port handler raises the interrupt)
      0x40, //             0004  INC AX
      0xf4, //             0005  HLT
    ], IF);
    handler(m, 0x20, 0, [0xf4]); // HLT
    m.registerPort(0x80, { write: () => m.interrupt(0x20) });
    expect(m.run()).toEqual({ reason: "halt", instructions: 3 });
    expect(m.registers).toMatchObject({ cs: HSEG, ax: 1 });
    expect(stackWord(m, 0)).toBe(4);
  });

  it("queued vectors are taken one at a time, in order", () => {
    const m = boot(cpu, [
      0xf4, //             0000  HLT
    ], IF);
    handler(m, 0x20, 0x00, [
      0x43, //             0000  INC BX
      0xcf, //             0001  IRET
    ]);
    handler(m, 0x21, 0x10, [
      0x89, 0xd9, //       0010  MOV CX, BX
      0x43, //             0012  INC BX
      0xcf, //             0013  IRET
    ]);
    m.interrupt(0x20);
    m.interrupt(0x21);
    expect(m.run().reason).toBe("halt");
    expect(m.registers).toMatchObject({ bx: 2, cx: 1, cs: CODE_SEG, ip: 1, sp: STACK });
    expect(m.stats.interrupts).toBe(2);
  });

  it("an interrupt controller supplies the vector when the CPU takes the interrupt", () => {
    const m = boot(cpu, [
      0x90, 0x90, //       0000  NOP; NOP
      0x90, //             0002  NOP
      0xf4, //             0003  HLT
    ], 0);
    handler(m, 0x08, 0x50, [0xf4]); // HLT
    let acks = 0;
    m.setInterruptController({ acknowledge: () => { acks++; return 0x08; } });
    m.setIrqLine(true);
    expect(m.run({ maxInstructions: 2 })).toEqual({ reason: "budget", instructions: 2 });
    expect(acks).toBe(0); // IF = 0: no acknowledge cycle
    m.setRegisters({ flags: IF });
    expect(m.run().reason).toBe("halt");
    expect(acks).toBe(1);
    expect(m.registers).toMatchObject({ cs: HSEG, ip: 0x51 });
    expect(stackWord(m, 0)).toBe(2);
  });

  it("interrupt() rejects a bad vector", () => {
    const m = new Machine({ cpu });
    for (const v of [-1, 256, 1.5]) expect(() => m.interrupt(v)).toThrow(RangeError);
  });
});

// ------------------------------------------------------------ interrupt shadow

describe.each(MODELS)("interrupt shadow (%s)", (cpu) => {
  it("after STI, the next instruction runs before a pending interrupt", () => {
    const m = boot(cpu, [
      0x90, //             0000  NOP
      0xfb, //             0001  STI
      0x40, //             0002  INC AX
      0x43, //             0003  INC BX
      0xf4, //             0004  HLT
    ], 0);
    handler(m, 0x20, 0, [0xf4]); // HLT
    m.interrupt(0x20);
    expect(m.run().reason).toBe("halt");
    expect(m.registers).toMatchObject({ cs: HSEG, ax: 1, bx: 0 });
    expect(stackWord(m, 0)).toBe(3);
  });

  it("STI; HLT: the interrupt wakes the HLT instead of arriving before it", () => {
    const m = boot(cpu, [
      0xfb, //             0000  STI
      0xf4, //             0001  HLT
      0x41, //             0002  INC CX
      0xf4, //             0003  HLT
    ], 0);
    handler(m, 0x20, 0, [
      0x43, //             0000  INC BX
      0xcf, //             0001  IRET
    ]);
    m.interrupt(0x20);
    expect(m.run().reason).toBe("halt");
    expect(m.registers).toMatchObject({ bx: 1, cx: 1, cs: CODE_SEG, ip: 4 });
  });

  it("after MOV SS, the next instruction runs before an interrupt raised during the MOV", () => {
    const m = boot(cpu, [
      0xb8, 0x00, 0xa0, // 0000  MOV AX, 0xA000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0x8e, 0x16, 0x00, 0x00, // 0005  MOV SS, [0x0000]   (MMIO: raises the interrupt, reads 0)
      0x43, //             0009  INC BX
      0x41, //             000A  INC CX
      0xf4, //             000B  HLT
    ], IF);
    handler(m, 0x20, 0, [0xf4]); // HLT
    let raised = false;
    m.registerMmio(0xa0000, 0x1000, {
      read: () => { if (!raised) { raised = true; m.interrupt(0x20); } return 0; },
      write: () => {},
    });
    expect(m.run().reason).toBe("halt");
    expect(m.registers).toMatchObject({ cs: HSEG, ss: 0, bx: 1, cx: 0 });
    expect(stackWord(m, 0)).toBe(0x000a);
  });

  it("(control) after a MOV to a general register, the interrupt is taken at once", () => {
    const m = boot(cpu, [
      0xb8, 0x00, 0xa0, // 0000  MOV AX, 0xA000
      0x8e, 0xd8, //       0003  MOV DS, AX
      0xa1, 0x00, 0x00, // 0005  MOV AX, [0x0000]   (MMIO: raises the interrupt, reads 0)
      0x43, //             0008  INC BX
      0x41, //             0009  INC CX
      0xf4, //             000A  HLT
    ], IF);
    handler(m, 0x20, 0, [0xf4]); // HLT
    let raised = false;
    m.registerMmio(0xa0000, 0x1000, {
      read: () => { if (!raised) { raised = true; m.interrupt(0x20); } return 0; },
      write: () => {},
    });
    m.run();
    expect(m.registers).toMatchObject({ cs: HSEG, bx: 0 });
    expect(stackWord(m, 0)).toBe(0x0008);
  });

  it("after POP SS, the next instruction runs before an interrupt raised during the POP", () => {
    const m = boot(cpu, [
      0x17, //             0000  POP SS     (SS:SP = A000:0100 is MMIO: raises, reads 0x0700)
      0x43, //             0001  INC BX
      0x41, //             0002  INC CX
      0xf4, //             0003  HLT
    ], IF);
    m.setRegisters({ ss: 0xa000, sp: 0x0100 });
    handler(m, 0x20, 0, [0xf4]); // HLT
    let raised = false;
    m.registerMmio(0xa0000, 0x1000, {
      read: () => { if (!raised) { raised = true; m.interrupt(0x20); } return 0x0700; },
      write: () => {},
    });
    expect(m.run().reason).toBe("halt");
    expect(m.registers).toMatchObject({ cs: HSEG, ss: 0x0700, sp: 0x0102 - 6, bx: 1, cx: 0 });
    expect(word(m, 0x7000 + 0x00fc)).toBe(0x0002);
  });

  it("the MOV SS shadow holds when execution is single-stepped", () => {
    const m = boot(cpu, [
      0x8e, 0xd0, //       0000  MOV SS, AX   (AX = 0)
      0x43, //             0002  INC BX
      0x41, //             0003  INC CX
      0xf4, //             0004  HLT
    ], IF);
    handler(m, 0x20, 0, [0xf4]); // HLT
    m.step(); // MOV SS, AX
    m.interrupt(0x20); // arrives at the boundary right after MOV SS
    m.step();
    expect(m.registers).toMatchObject({ cs: CODE_SEG, ip: 3, bx: 1 });
    m.run();
    expect(m.registers.cs).toBe(HSEG);
    expect(stackWord(m, 0)).toBe(3);
  });

  it("the STI shadow holds when run() returns right after STI (STI; HLT)", () => {
    const m = boot(cpu, [
      0xfb, //             0000  STI
      0xf4, //             0001  HLT
      0x41, //             0002  INC CX
      0xf4, //             0003  HLT
    ], 0);
    handler(m, 0x20, 0, [
      0x43, //             0000  INC BX
      0xcf, //             0001  IRET
    ]);
    expect(m.run({ maxInstructions: 1 })).toEqual({ reason: "budget", instructions: 1 });
    m.interrupt(0x20); // arrives at the boundary between STI and HLT
    expect(m.run().reason).toBe("halt");
    // The HLT ran first and the interrupt woke it: execution went on to the second HLT.
    expect(m.registers).toMatchObject({ bx: 1, cx: 1, cs: CODE_SEG, ip: 4 });
  });
});

// ------------------------------------------------------------------------ HLT

describe.each(MODELS)("HLT (%s)", (cpu) => {
  const PROGRAM = [
    0xf4, //               0000  HLT
    0xb9, 0x02, 0x00, //   0001  MOV CX, 2
    0xf4, //               0004  HLT
  ];
  const ISR = [
    0xbb, 0x01, 0x00, //   0000  MOV BX, 1
    0xcf, //               0003  IRET
  ];

  it("with IF = 1, an interrupt wakes it and the handler returns past the HLT", () => {
    const m = boot(cpu, PROGRAM, IF);
    handler(m, 0x20, 0, ISR);
    expect(m.run()).toEqual({ reason: "halt", instructions: 1 });
    expect(m.halted).toBe(true);
    expect(m.run()).toEqual({ reason: "halt", instructions: 0 });
    m.interrupt(0x20);
    expect(m.run()).toEqual({ reason: "halt", instructions: 4 });
    expect(m.registers).toMatchObject({ bx: 1, cx: 2, cs: CODE_SEG, ip: 5, sp: STACK });
    expect(m.registers.flags & IF).toBe(IF);
  });

  it("with IF = 0, an interrupt does not wake it; an NMI does", () => {
    const m = boot(cpu, PROGRAM, 0);
    handler(m, 0x20, 0, ISR);
    handler(m, 2, 0x10, [
      0xba, 0x03, 0x00, // 0010  MOV DX, 3
      0xcf, //             0013  IRET
    ]);
    expect(m.run()).toEqual({ reason: "halt", instructions: 1 });
    m.interrupt(0x20);
    expect(m.run()).toEqual({ reason: "halt", instructions: 0 });
    expect(m.halted).toBe(true);
    expect(m.registers).toMatchObject({ bx: 0, cs: CODE_SEG, ip: 1 });
    m.nmi();
    expect(m.run()).toEqual({ reason: "halt", instructions: 4 });
    expect(m.registers).toMatchObject({ bx: 0, cx: 2, dx: 3, cs: CODE_SEG, ip: 5, sp: STACK });
  });
});

// ------------------------------------------------------------------------ NMI

describe.each(MODELS)("NMI (%s)", (cpu) => {
  it("is taken through vector 2 even with IF = 0", () => {
    const m = boot(cpu, [
      0x40, //             0000  INC AX
      0x40, //             0001  INC AX
      0xf4, //             0002  HLT
    ], CF);
    handler(m, 2, 0x70, [0xf4]); // HLT
    m.step();
    m.nmi();
    expect(m.run()).toEqual({ reason: "halt", instructions: 1 });
    expect(m.registers).toMatchObject({ cs: HSEG, ip: 0x71, ax: 1 });
    expect(stackWord(m, 0)).toBe(1);
    expect(stackWord(m, 2)).toBe(CODE_SEG);
    expect(stackWord(m, 4)).toBe(fl(cpu, CF));
  });
});

// ------------------------------------------------------------------- trap flag

describe.each(MODELS)("trap flag (%s)", (cpu) => {
  /** Sets TF with POPF, then runs INC BX, INC CX, NOP, JMP $. */
  const SET_TF = [
    0x9c, //               0000  PUSHF
    0x58, //               0001  POP AX
    0x0d, 0x00, 0x01, //   0002  OR AX, 0x0100
    0x50, //               0005  PUSH AX
    0x9d, //               0006  POPF          (sets TF)
    0x43, //               0007  INC BX        (first trapped instruction)
    0x41, //               0008  INC CX
    0x90, //               0009  NOP
    0xeb, 0xfe, //         000A  JMP 000A
  ];

  it("the instruction after the POPF that sets TF is the first one trapped", () => {
    const m = boot(cpu, SET_TF);
    handler(m, 1, 0x30, [0xf4]); // HLT
    expect(m.run()).toEqual({ reason: "halt", instructions: 7 });
    const r = m.registers;
    expect(r).toMatchObject({ cs: HSEG, ip: 0x31, bx: 1, cx: 0 });
    expect(r.flags & TF).toBe(0);
    expect(stackWord(m, 0)).toBe(0x0008);
    expect(stackWord(m, 2)).toBe(CODE_SEG);
    expect(stackWord(m, 4) & TF).toBe(TF);
  });

  it("traps after every instruction, returning to the next one; the handler itself is not traced", () => {
    const m = boot(cpu, SET_TF);
    m.setRegisters({ di: 0x0600 });
    handler(m, 1, 0x00, [
      0x55, //             0000  PUSH BP
      0x89, 0xe5, //       0001  MOV BP, SP
      0x50, //             0003  PUSH AX
      0x8b, 0x46, 0x02, // 0004  MOV AX, [BP+2]   (the return IP)
      0xab, //             0007  STOSW            (log it at ES:DI)
      0x58, //             0008  POP AX
      0x5d, //             0009  POP BP
      0xcf, //             000A  IRET
    ]);
    // 5 instructions to set TF, then 5 traced instructions of 1 + 8 each.
    expect(m.run({ maxInstructions: 5 + 5 * 9 })).toEqual({ reason: "budget", instructions: 50 });
    expect(m.registers.di).toBe(0x0600 + 2 * 5);
    expect([0, 2, 4, 6, 8].map((k) => word(m, 0x0600 + k))).toEqual([0x08, 0x09, 0x0a, 0x0a, 0x0a]);
    expect(m.registers).toMatchObject({ bx: 1, cx: 1, cs: CODE_SEG, ip: 0x0a });
  });

  it("single-stepping with step() does not trap before the instruction after POPF", () => {
    const m = boot(cpu, SET_TF);
    handler(m, 1, 0x30, [0xf4]); // HLT
    for (let i = 0; i < 5; i++) m.step(); // up to and including POPF
    expect(m.registers).toMatchObject({ cs: CODE_SEG, ip: 7, bx: 0 });
    m.step();
    expect(m.registers.bx).toBe(1); // INC BX ran before any trap
    m.run();
    expect(m.registers).toMatchObject({ cs: HSEG, ip: 0x31, bx: 1, cx: 0 });
    expect(stackWord(m, 0)).toBe(0x0008);
  });
});

// ----------------------------------------------------------------- exceptions

describe("divide error", () => {
  const CASES: [string, number[], number, number][] = [
    // [what, code (from offset 5), instruction length, AX/DX check]
    ["DIV BL by zero", [0xf6, 0xf3], 2, 0], // DIV BL
    ["DIV BL with a quotient over 0xFF", [0xf6, 0xf3], 2, 0x10], // DIV BL (BL = 0x10)
    ["DIV BX by zero", [0xf7, 0xf3], 2, 0], // DIV BX
    ["IDIV BYTE ES:[0x0600] by zero", [0x26, 0xf6, 0x3e, 0x00, 0x06], 5, 0], // IDIV BYTE ES:[0x600]
  ];

  it.each(MODELS.flatMap((cpu) => CASES.map((c) => [cpu, ...c] as const)))(
    "%s: %s — the 8086 pushes the address after it, the 286 the address of it",
    (cpu, _what, insn, len, bl) => {
      const m = boot(cpu, [
        0xb3, bl, //         0000  MOV BL, bl
        0xb8, 0x34, 0x12, // 0002  MOV AX, 0x1234
        ...insn, //          0005  DIV / IDIV
        0xf4, //                   HLT
      ]);
      m.setRegisters({ dx: 0x5678 });
      handler(m, 0, 0x60, [0xf4]); // HLT
      expect(m.run().reason).toBe("halt");
      const r = m.registers;
      expect(r).toMatchObject({ cs: HSEG, ip: 0x61, ax: 0x1234, dx: 0x5678 });
      expect(stackWord(m, 0)).toBe(cpu === "8086" ? 5 + len : 5);
      expect(stackWord(m, 2)).toBe(CODE_SEG);
      expect(m.stats.exceptions).toBe(1);
    },
  );
});

describe("invalid opcodes", () => {
  it.each([
    ["0F FF", [0x0f, 0xff]],
    ["63 C0 (ARPL in real mode)", [0x63, 0xc0]],
  ])("the 286 raises #UD (int 6) for %s, pointing at the opcode", (_what, insn) => {
    const m = boot("286", [
      0x90, //             0000  NOP
      ...insn, //          0001  (invalid)
      0x43, //                   INC BX
      0xf4, //                   HLT
    ], IF);
    handler(m, 6, 0x80, [0xf4]); // HLT
    expect(m.run().reason).toBe("halt");
    expect(m.registers).toMatchObject({ cs: HSEG, ip: 0x81, bx: 0 });
    expect(stackWord(m, 0)).toBe(1);
    expect(stackWord(m, 2)).toBe(CODE_SEG);
    expect(stackWord(m, 4)).toBe(fl("286", IF));
    expect(m.stats.exceptions).toBe(1);
  });

  it("the 8086 executes 0F as POP CS", () => {
    const m = boot("8086", [
      0xb8, 0x00, 0x02, // 0000  MOV AX, 0x0200
      0x50, //             0003  PUSH AX
      0x0f, //             0004  POP CS   → continues at 0200:0005
    ]);
    m.load(HBASE + 5, [
      0x43, //             0005  INC BX   (in segment 0200)
      0xf4, //             0006  HLT
    ]);
    handler(m, 6, 0x80, [0xf4]);
    expect(m.run()).toEqual({ reason: "halt", instructions: 5 });
    expect(m.registers).toMatchObject({ cs: 0x0200, ip: 7, sp: STACK, bx: 1 });
    expect(m.stats.exceptions).toBe(0);
  });

  // Condition codes, evaluated independently of the emulator.
  const CONDITIONS: ((f: number) => boolean)[] = [
    (f) => (f & 0x800) !== 0, // O
    (f) => (f & 0x001) !== 0, // B
    (f) => (f & 0x040) !== 0, // Z
    (f) => (f & 0x041) !== 0, // BE
    (f) => (f & 0x080) !== 0, // S
    (f) => (f & 0x004) !== 0, // P
    (f) => ((f >> 7) & 1) !== ((f >> 11) & 1), // L
    (f) => (f & 0x040) !== 0 || ((f >> 7) & 1) !== ((f >> 11) & 1), // LE
  ];
  const FLAG_SETS = [0x0000, 0x0001, 0x0004, 0x0040, 0x0080, 0x0800, 0x0880, 0x0841, 0x08c5, 0x00c5];

  it.each(Array.from({ length: 16 }, (_, cc) => [(0x60 + cc).toString(16).toUpperCase(), cc] as const))(
    "the 8086 executes %sh as a Jcc alias of 70h–7Fh", (_op, cc) => {
      const m = boot("8086", [
        0x60 + cc, 0x02, //  0000  Jcc 0004   (alias of 70h + cc)
        0xb3, 0x01, //       0002  MOV BL, 1
        0xf4, //             0004  HLT
      ]);
      for (const f of FLAG_SETS) {
        m.setRegisters({ cs: CODE_SEG, ip: 0, bx: 0, flags: f });
        const taken = CONDITIONS[cc >> 1](f) !== ((cc & 1) === 1);
        expect(m.run().reason).toBe("halt");
        expect({ flags: f, bl: m.registers.bx }).toEqual({ flags: f, bl: taken ? 0 : 1 });
      }
      expect(m.stats.exceptions).toBe(0);
    },
  );
});

// --------------------------------------------------- REP string + interrupts

describe.each(MODELS)("REP MOVSB and interrupts (%s)", (cpu) => {
  const REP_MOVSB = [
    0xf3, 0xa4, //         0000  REP MOVSB
    0xf4, //               0002  HLT
  ];
  const srcByte = (addr: number) => (addr * 5 + 1) & 0xff;

  it("an interrupt raised mid-REP is taken between iterations and the REP resumes where it left off", () => {
    const m = boot(cpu, REP_MOVSB, IF);
    m.setRegisters({ ds: 0xa000, si: 0, es: 0x0300, di: 0, cx: 16 });
    // The handler records CX, SI and DI as they were when it was entered.
    handler(m, 0x20, 0, [
      0x36, 0x89, 0x0e, 0x00, 0x06, // 0000  MOV SS:[0x0600], CX
      0x36, 0x89, 0x36, 0x02, 0x06, // 0005  MOV SS:[0x0602], SI
      0x36, 0x89, 0x3e, 0x04, 0x06, // 000A  MOV SS:[0x0604], DI
      0xcf, //                         000F  IRET
    ]);
    // The source is MMIO: the fourth read raises the interrupt.
    const reads: number[] = [];
    m.registerMmio(0xa0000, 0x1000, {
      read: (addr) => { reads.push(addr); if (reads.length === 4) m.interrupt(0x20); return srcByte(addr); },
      write: () => {},
    });
    // 16 iterations (one instruction each) + 4 in the handler + HLT.
    expect(m.run()).toEqual({ reason: "halt", instructions: 21 });
    expect([word(m, 0x600), word(m, 0x602), word(m, 0x604)]).toEqual([12, 4, 4]);
    expect(word(m, STACK - 6)).toBe(0x0000); // the frame pointed at the REP prefix
    expect(word(m, STACK - 4)).toBe(CODE_SEG);
    expect(m.registers).toMatchObject({ cx: 0, si: 16, di: 16, ip: 3, sp: STACK });
    expect(m.repActive).toBe(false);
    // Every byte was read exactly once and copied.
    expect(reads).toEqual(Array.from({ length: 16 }, (_, i) => 0xa0000 + i));
    expect(Array.from(m.read(0x3000, 16))).toEqual(reads.map(srcByte));
    expect(m.stats.interrupts).toBe(1);
  });

  it("runs out of budget between iterations and resumes on the next run()", () => {
    const m = boot(cpu, REP_MOVSB);
    const src = Array.from({ length: 16 }, (_, i) => 0x40 + i);
    m.write(0x5000, src);
    m.setRegisters({ ds: 0x0500, si: 0, es: 0x0600, di: 0, cx: 16 });
    expect(m.run({ maxInstructions: 5 })).toEqual({ reason: "budget", instructions: 5 });
    expect(m.registers).toMatchObject({ cx: 11, si: 5, di: 5, ip: 0 });
    expect(m.repActive).toBe(true);
    expect(Array.from(m.read(0x6000, 6))).toEqual([...src.slice(0, 5), 0]);
    expect(m.run()).toEqual({ reason: "halt", instructions: 12 });
    expect(m.registers).toMatchObject({ cx: 0, si: 16, di: 16, ip: 3 });
    expect(Array.from(m.read(0x6000, 16))).toEqual(src);
    expect(m.instructionCount).toBe(17);
  });

  it("each iteration counts as one instruction; with CX = 0 the REP counts once", () => {
    const m = boot(cpu, REP_MOVSB);
    m.setRegisters({ cx: 10 });
    expect(m.run()).toEqual({ reason: "halt", instructions: 11 });
    const z = boot(cpu, REP_MOVSB);
    z.setRegisters({ cx: 0, si: 0x100, di: 0x200 });
    expect(z.run()).toEqual({ reason: "halt", instructions: 2 });
    expect(z.registers).toMatchObject({ si: 0x100, di: 0x200, cx: 0 });
  });
});

// ---------------------------------------------------------------- determinism

describe.each(MODELS)("determinism (%s)", (cpu) => {
  /** Ten OUTs (every third raises an interrupt), then a 100-byte REP MOVSB. */
  function make(): Machine {
    const m = boot(cpu, [
      0xb9, 0x0a, 0x00, // 0000  MOV CX, 10
      0x89, 0xc8, //       0003  MOV AX, CX
      0xe6, 0x80, //       0005  OUT 0x80, AL
      0xe2, 0xfa, //       0007  LOOP 0003
      0xb9, 0x64, 0x00, // 0009  MOV CX, 100
      0xbe, 0x00, 0x00, // 000C  MOV SI, 0
      0xbf, 0x00, 0x00, // 000F  MOV DI, 0
      0xf3, 0xa4, //       0012  REP MOVSB
      0xf4, //             0014  HLT
    ], IF);
    m.setRegisters({ es: 0x0300 });
    handler(m, 0x20, 0, [
      0x43, //             0000  INC BX
      0xcf, //             0001  IRET
    ]);
    let writes = 0;
    m.registerPort(0x80, { write: () => { if (++writes % 3 === 0) m.interrupt(0x20); } });
    return m;
  }

  // MOV CX + 10 × 3 + 3 MOVs + 100 iterations + HLT + 3 interrupts × 2.
  const TOTAL = 1 + 30 + 3 + 100 + 1 + 6;

  it("two runs of the same program retire the same instructions and end in the same state", () => {
    const a = make();
    const b = make();
    expect(a.run()).toEqual({ reason: "halt", instructions: TOTAL });
    expect(b.run()).toEqual({ reason: "halt", instructions: TOTAL });
    expect(a.instructionCount).toBe(b.instructionCount);
    expect(a.registers).toEqual(b.registers);
    expect(a.registers).toMatchObject({ bx: 3, cx: 0, si: 100, di: 100 });
    expect(firstDiff(a.read(0, 0x10000), b.read(0, 0x10000))).toBe(-1);
    expect(a.stats).toEqual(b.stats);
  });

  it.each([1, 3, 7, 50])("running in slices of %i instructions gives the same result", (slice) => {
    const ref = make();
    ref.run();
    const m = make();
    let total = 0;
    let r;
    do { r = m.run({ maxInstructions: slice }); total += r.instructions; } while (r.reason === "budget");
    expect(r.reason).toBe("halt");
    expect(total).toBe(TOTAL);
    expect(m.instructionCount).toBe(ref.instructionCount);
    expect(m.registers).toEqual(ref.registers);
    expect(firstDiff(m.read(0, 0x10000), ref.read(0, 0x10000))).toBe(-1);
  });
});
