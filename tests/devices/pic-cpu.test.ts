/**
 * pic-cpu.test.ts — the PIC wired to a real Machine: the guest programs it
 * with the ICW sequence, a host-raised IRQ reaches the CPU through INTR and
 * the acknowledge cycle, and the handler's EOI clears the in-service bit.
 * Then the whole timer chain: the PIT's IRQ 0 edges, scheduled in virtual
 * time, through the PIC into the CPU.
 *
 * Not here: the devices' own behaviour (pic.test.ts, pit.test.ts).
 * Guest code is assembled by hand; every line carries its offset and
 * mnemonic. Code runs at 0100:0000, handlers in segment 0200, the stack at
 * 0000:8000.
 */
import { describe, it, expect } from "vitest";
import { Machine, type CpuModel } from "../../src/index.js";
import { Pic } from "../../src/pc/devices/pic.js";
import { Pit } from "../../src/pc/devices/pit.js";
import { ManualClock } from "../../src/pc/device.js";

const CODE_SEG = 0x0100;
const HSEG = 0x0200;

/** OUT 20h/21h the PC's master programming: ICW1..ICW4, vector base 08h,
 *  then OCW1 unmasking IRQ0 and IRQ1. 20 bytes. */
const PROGRAM_PIC = [
  0xb0, 0x11, //       MOV AL, 11h    ICW1: edge, cascade, ICW4 follows
  0xe6, 0x20, //       OUT 20h, AL
  0xb0, 0x08, //       MOV AL, 08h    ICW2: vector base 08h
  0xe6, 0x21, //       OUT 21h, AL
  0xb0, 0x04, //       MOV AL, 04h    ICW3: slave on IR2
  0xe6, 0x21, //       OUT 21h, AL
  0xb0, 0x01, //       MOV AL, 01h    ICW4: 8086 mode
  0xe6, 0x21, //       OUT 21h, AL
  0xb0, 0xfc, //       MOV AL, 0FCh   OCW1: unmask IRQ0 and IRQ1
  0xe6, 0x21, //       OUT 21h, AL
];

/** A machine with a PIC attached the way the PC attaches it. */
function pcMachine(cpu: CpuModel) {
  const m = new Machine({ cpu });
  const pic = new Pic((level) => m.setIrqLine(level));
  pic.attach(m);
  m.setInterruptController(pic);
  return { m, pic };
}

/** Point `vector` at HSEG:off and put the handler's code there. */
function handler(m: Machine, vector: number, off: number, code: number[]): void {
  m.write(vector * 4, [off & 0xff, off >> 8, HSEG & 0xff, HSEG >> 8]);
  m.load((HSEG << 4) + off, code);
}

const MODELS: CpuModel[] = ["8086", "286"];

describe.each(MODELS)("PIC and CPU (%s)", (cpu) => {
  it("a guest-programmed PIC delivers a host-raised IRQ1 at vector 09h; EOI clears ISR", () => {
    const { m, pic } = pcMachine(cpu);
    m.load(CODE_SEG << 4, [
      0xfa, //             0000  CLI
      ...PROGRAM_PIC, //   0001..0014
      0xb0, 0x0b, //       0015  MOV AL, 0Bh    OCW3: reads of 20h return the ISR
      0xe6, 0x20, //       0017  OUT 20h, AL
      0xfb, //             0019  STI
      0xf4, //             001A  HLT          (wait for the interrupt)
      0xe4, 0x20, //       001B  IN AL, 20h   (ISR after the handler)
      0x88, 0xc2, //       001D  MOV DL, AL
      0xf4, //             001F  HLT
    ]);
    handler(m, 0x09, 0x0000, [
      0x43, //             0000  INC BX
      0xe4, 0x20, //       0001  IN AL, 20h   (ISR inside the handler)
      0x88, 0xc1, //       0003  MOV CL, AL
      0xb0, 0x20, //       0005  MOV AL, 20h
      0xe6, 0x20, //       0007  OUT 20h, AL  (non-specific EOI)
      0xcf, //             0009  IRET
    ]);
    // A trap if the wrong vector is taken: any of 08h..0Fh but 09h halts.
    for (const v of [0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]) handler(m, v, 0x100, [0xf4]);
    m.setRegisters({ cs: CODE_SEG, ip: 0, ss: 0, sp: 0x8000, ds: 0, es: 0, flags: 0, bx: 0, cx: 0xffff, dx: 0xffff });

    expect(m.run().reason).toBe("halt");
    expect(m.registers).toMatchObject({ cs: CODE_SEG, ip: 0x1b, bx: 0 });
    expect(pic.master.ready).toBe(true);
    expect(pic.master.vectorBase).toBe(0x08);
    expect(pic.master.imr).toBe(0xfc);
    expect(pic.intr).toBe(false);

    pic.setIrq(1, true);
    expect(pic.intr).toBe(true);
    expect(m.run().reason).toBe("halt");
    const r = m.registers;
    expect(r).toMatchObject({ cs: CODE_SEG, ip: 0x20, sp: 0x8000 });
    expect(r.bx).toBe(1); // the handler ran once
    expect(r.cx & 0xff).toBe(0x02); // IRQ1 was in service inside the handler
    expect(r.dx & 0xff).toBe(0x00); // and no longer after its EOI
    expect(pic.master.isr).toBe(0);
    expect(pic.master.irr).toBe(0);
    expect(pic.intr).toBe(false);
    expect(m.stats.interrupts).toBe(1);

    // The line is still high: no new edge, no second interrupt.
    expect(m.run({ maxInstructions: 100 }).reason).toBe("halt");
    expect(m.registers.bx).toBe(1);
  });

  it("the PIT's IRQ 0, scheduled in virtual time, ticks the guest's handler", () => {
    const { m, pic } = pcMachine(cpu);
    const clock = new ManualClock();
    const pit = new Pit(clock, pic);
    pit.attach(m);
    m.load(CODE_SEG << 4, [
      0xfa, //             0000  CLI
      ...PROGRAM_PIC, //   0001..0014
      0xb0, 0x34, //       0015  MOV AL, 34h    PIT channel 0, LSB+MSB, mode 2
      0xe6, 0x43, //       0017  OUT 43h, AL
      0xb0, 0xe8, //       0019  MOV AL, 0E8h   count 1000 (03E8h)
      0xe6, 0x40, //       001B  OUT 40h, AL
      0xb0, 0x03, //       001D  MOV AL, 03h
      0xe6, 0x40, //       001F  OUT 40h, AL
      0xfb, //             0021  STI
      0xf4, //             0022  HLT
      0xeb, 0xfd, //       0023  JMP 0022
    ]);
    handler(m, 0x08, 0x0000, [
      0x43, //             0000  INC BX
      0xb0, 0x20, //       0001  MOV AL, 20h
      0xe6, 0x20, //       0003  OUT 20h, AL  (EOI)
      0xcf, //             0005  IRET
    ]);
    m.setRegisters({ cs: CODE_SEG, ip: 0, ss: 0, sp: 0x8000, ds: 0, es: 0, flags: 0, bx: 0 });

    // A minimal scheduler: the CPU runs until it halts, then virtual time
    // jumps to the PIT's next event. 10 ms at a period of 1000 clocks:
    // IRQ 0 rises at clock 1001, 2001, ..., 11001 (10 ms = clock 11931).
    for (;;) {
      expect(m.run({ maxInstructions: 10_000 }).reason).toBe("halt");
      const next = pit.nextEventNs();
      if (next > 10e6) break;
      clock.set(Math.max(next, clock.nowNs()));
      pit.advanceTo(clock.nowNs());
    }
    expect(m.registers.bx).toBe(11);
    expect(pic.master.isr).toBe(0);
  });
});
