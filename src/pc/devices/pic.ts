/**
 * pic.ts — the PC/AT's pair of 8259A programmable interrupt controllers:
 * the master at 20h/21h and the slave at A0h/A1h, whose INT output is wired
 * to the master's IR2 (IRQs 0–7 on the master, 8–15 on the slave).
 *
 * It is: the ICW1–ICW4 initialisation sequence, OCW1 (IMR), OCW2 (EOI,
 * specific EOI, and the rotation / set-priority commands, all implemented),
 * OCW3 (IRR/ISR read select, poll, special mask mode), fully nested and
 * special fully nested modes, auto-EOI, edge- and level-triggered inputs,
 * the INTA cycle (`acknowledge()`), spurious IRQ 7 / IRQ 15, and the INTR
 * line it drives through the callback given to the constructor.
 *
 * It is not: the BIOS's programming of it (vector bases 08h/70h, masks —
 * the BIOS writes the ICWs), the EISA/PCI edge/level control registers
 * (4D0h/4D1h), or an APIC. The 8080/8085 (MCS-80) call-vector mode does not
 * exist on an x86 bus: vectors are always delivered 8086-style, whatever
 * ICW4 bit 0 says. Buffered mode and the ICW4 M/S bit are ignored (which
 * chip is the master is fixed by the wiring), the slave's ICW3 ID is not
 * checked, and the A0-only decoding that aliases the ports over 20h–3Fh
 * and A0h–BFh is not reproduced.
 *
 * Edge-triggered requests are latched as QEMU's i8259 latches them: a
 * low→high transition sets the IRR bit, and it stays set until the request
 * is acknowledged (or ICW1 clears it) even if the line falls first. A real
 * 8259A forgets such a request and answers the INTA with a spurious IR7;
 * latching keeps the PC deterministic when a device raises and lowers a line
 * within one scheduler step. Masking (IMR) hides a request, it never clears
 * it, as on the chip.
 */
import { byteWidePorts, type Device, type IrqSink, type PortBus } from "../device.js";
import type { InterruptController } from "../../machine.js";

/** The master input the slave's INT output is wired to. */
export const CASCADE_IRQ = 2;

/** Index, within `mask`, of the highest-priority set bit counting from
 *  `base` (the level with the highest priority): 0–7, or 8 when empty. */
function rank(mask: number, base: number): number {
  for (let r = 0; r < 8; r++) if (mask & (1 << ((r + base) & 7))) return r;
  return 8;
}

/**
 * One 8259A. The pair (`Pic`) drives it through `write`/`read` (its two
 * ports), `setLine` (its IR inputs) and `acknowledgeLevel` (INTA); the
 * getters are for inspection (tests, debuggers).
 */
export class PicChip {
  private irr_ = 0;
  private isr_ = 0;
  private imr_ = 0xff;
  /** Current level of the eight IR inputs (the edge detector's memory). */
  private lines = 0;
  /** 0 = operational; otherwise the number of the ICW expected next. */
  private initStep = 0;
  private single = false;
  private needIcw4 = false;
  private level_ = false;
  private vectorBase_ = 0;
  private icw3_ = 0;
  private autoEoi_ = false;
  private rotateOnAutoEoi = false;
  private sfnm_ = false;
  private specialMask_ = false;
  private readIsr = false;
  private pollPending = false;
  /** The level with the highest priority (0 under fixed priority); the
   *  rotation commands move it. */
  private priorityBase_ = 0;

  /** `isMaster` decides whether ICW3 names slaves (master) or an ID. */
  constructor(readonly isMaster: boolean) {}

  /** Interrupt request register. */
  get irr(): number { return this.irr_; }
  /** In-service register. */
  get isr(): number { return this.isr_; }
  /** Interrupt mask register (OCW1). */
  get imr(): number { return this.imr_; }
  /** Vector of IR0 (ICW2 with the low three bits clear). */
  get vectorBase(): number { return this.vectorBase_; }
  /** ICW3 as written: the master's slave bitmap, or the slave's ID. */
  get icw3(): number { return this.icw3_; }
  /** Level with the highest priority (changed by the rotate commands). */
  get priorityBase(): number { return this.priorityBase_; }
  /** True once the ICW sequence is complete (or after reset). */
  get ready(): boolean { return this.initStep === 0; }
  /** Level-triggered inputs (ICW1 LTIM). */
  get levelTriggered(): boolean { return this.level_; }
  /** ICW4 AEOI. */
  get autoEoi(): boolean { return this.autoEoi_; }
  /** ICW4 SFNM. */
  get specialFullyNested(): boolean { return this.sfnm_; }
  /** OCW3 special mask mode. */
  get specialMask(): boolean { return this.specialMask_; }

  /** Power-on state. The 8259A has no reset pin and powers up undefined;
   *  this is a safe choice (everything masked, nothing pending, fixed
   *  priority, vector base 0) that the BIOS's ICW1 overrides. The input
   *  levels are kept: they belong to the devices driving them. */
  reset(): void {
    this.isr_ = 0;
    this.imr_ = 0xff;
    this.initStep = 0;
    this.single = false;
    this.needIcw4 = false;
    this.level_ = false;
    this.irr_ = 0;
    this.vectorBase_ = 0;
    this.icw3_ = 0;
    this.autoEoi_ = false;
    this.rotateOnAutoEoi = false;
    this.sfnm_ = false;
    this.specialMask_ = false;
    this.readIsr = false;
    this.pollPending = false;
    this.priorityBase_ = 0;
  }

  /** Drive IR input `n` (0–7). */
  setLine(n: number, level: boolean): void {
    const bit = 1 << n;
    const was = (this.lines & bit) !== 0;
    if (level) this.lines |= bit; else this.lines &= ~bit;
    if (this.level_) {
      if (level) this.irr_ |= bit; else this.irr_ &= ~bit;
    } else if (level && !was) {
      this.irr_ |= bit;
    }
  }

  /** Is `n` an input with a slave behind it (ICW3 on a cascaded master)? */
  cascades(n: number): boolean {
    return this.isMaster && !this.single && (this.icw3_ & (1 << n)) !== 0;
  }

  /** The level this chip would hand to an INTA now, or -1: the highest-
   *  priority unmasked request that beats every level in service. */
  highestRequest(): number {
    const r = rank(this.irr_ & ~this.imr_ & 0xff, this.priorityBase_);
    if (r === 8) return -1;
    const level = (r + this.priorityBase_) & 7;
    // In special mask mode a masked level in service no longer blocks the
    // others: that is how a handler lets lower priorities in.
    const blocking = this.specialMask_ ? this.isr_ & ~this.imr_ : this.isr_;
    const cur = rank(blocking, this.priorityBase_);
    if (r < cur) return level;
    // Special fully nested: a slave's higher-priority request must reach
    // the CPU although the slave's master input is already in service.
    if (r === cur && this.sfnm_ && this.cascades(level)) return level;
    return -1;
  }

  /** The chip's INT output. */
  get interrupting(): boolean { return this.highestRequest() >= 0; }

  /** The INTA cycle for `level`: IRR → ISR (unless auto-EOI). A level-
   *  triggered request stays in IRR for as long as its line is high. */
  acknowledgeLevel(level: number): void {
    const bit = 1 << level;
    if (this.autoEoi_) {
      if (this.rotateOnAutoEoi) this.priorityBase_ = (level + 1) & 7;
    } else {
      this.isr_ |= bit;
    }
    if (!this.level_) this.irr_ &= ~bit;
  }

  /** A0 = 0 or 1 (the chip's address line). */
  write(a0: number, v: number): void {
    if (a0 === 0) {
      if (v & 0x10) this.icw1(v);
      else if (v & 0x08) this.ocw3(v);
      else this.ocw2(v);
      return;
    }
    switch (this.initStep) {
      case 2:
        this.vectorBase_ = v & 0xf8;
        this.initStep = this.single ? (this.needIcw4 ? 4 : 0) : 3;
        break;
      case 3:
        this.icw3_ = v;
        this.initStep = this.needIcw4 ? 4 : 0;
        break;
      case 4:
        this.autoEoi_ = (v & 0x02) !== 0;
        this.sfnm_ = (v & 0x10) !== 0;
        this.initStep = 0;
        break;
      default:
        this.imr_ = v;
    }
  }

  /** A0 = 0: IRR or ISR (OCW3 selects); A0 = 1: IMR. After a poll
   *  command, the next read of either port is the poll byte. */
  read(a0: number): number {
    if (this.pollPending) {
      this.pollPending = false;
      const level = this.highestRequest();
      if (level < 0) return 0x00;
      this.acknowledgeLevel(level);
      return 0x80 | level;
    }
    if (a0 === 1) return this.imr_;
    return this.readIsr ? this.isr_ : this.irr_;
  }

  private icw1(v: number): void {
    this.single = (v & 0x02) !== 0;
    this.needIcw4 = (v & 0x01) !== 0;
    this.level_ = (v & 0x08) !== 0;
    // The edge detectors are reset: a line already high must fall and rise
    // again before it requests anything.
    this.irr_ = this.level_ ? this.lines : 0;
    this.isr_ = 0;
    this.imr_ = 0;
    this.priorityBase_ = 0;
    this.specialMask_ = false;
    this.readIsr = false;
    this.pollPending = false;
    this.rotateOnAutoEoi = false;
    if (!this.needIcw4) { this.autoEoi_ = false; this.sfnm_ = false; }
    this.initStep = 2;
  }

  private ocw2(v: number): void {
    const level = v & 7;
    switch (v >> 5) {
      case 0b000: this.rotateOnAutoEoi = false; break;
      case 0b100: this.rotateOnAutoEoi = true; break;
      case 0b001: this.nonSpecificEoi(); break;
      case 0b101: {
        const done = this.nonSpecificEoi();
        if (done >= 0) this.priorityBase_ = (done + 1) & 7;
        break;
      }
      case 0b011: this.isr_ &= ~(1 << level); break;
      case 0b111: this.isr_ &= ~(1 << level); this.priorityBase_ = (level + 1) & 7; break;
      case 0b110: this.priorityBase_ = (level + 1) & 7; break;
      default: break; // 010: no operation
    }
  }

  /** Clear the highest-priority ISR bit; return its level or -1. In
   *  special mask mode a masked level is skipped (datasheet). */
  private nonSpecificEoi(): number {
    const candidates = this.specialMask_ ? this.isr_ & ~this.imr_ : this.isr_;
    const r = rank(candidates, this.priorityBase_);
    if (r === 8) return -1;
    const level = (r + this.priorityBase_) & 7;
    this.isr_ &= ~(1 << level);
    return level;
  }

  private ocw3(v: number): void {
    if (v & 0x04) this.pollPending = true;
    if (v & 0x02) this.readIsr = (v & 0x01) !== 0;
    if (v & 0x40) this.specialMask_ = (v & 0x20) !== 0;
  }
}

/**
 * The cascaded pair as the PC wires it. Devices raise IRQs through
 * `setIrq` (IrqSink), the CPU takes them through `acknowledge`
 * (InterruptController), and every change that can move the master's INT
 * output re-evaluates it and reports it through `onIntr` (only when it
 * changes).
 *
 * On the AT bus the ISA pin called IRQ2 is wired to the slave's IR1, so
 * `setIrq(2, …)` drives IRQ 9; the master's IR2 carries only the slave.
 */
export class Pic implements Device, IrqSink, InterruptController {
  readonly name = "pic";
  /** The chip at 20h/21h (IRQ 0–7). */
  readonly master = new PicChip(true);
  /** The chip at A0h/A1h (IRQ 8–15). */
  readonly slave = new PicChip(false);
  private intr_ = false;

  /** `onIntr` receives the CPU's INTR level, e.g. machine.setIrqLine. */
  constructor(private readonly onIntr: (level: boolean) => void) {
    this.reset();
  }

  /** The INTR level last reported to the CPU. */
  get intr(): boolean { return this.intr_; }

  /** Ports 20h/21h and A0h/A1h. */
  attach(bus: PortBus): void {
    const handler = byteWidePorts((port) => this.readPort(port), (port, value) => this.writePort(port, value));
    // A word access is two byte cycles, as the bus splits it.
    bus.registerPort([0x20, 0x21], handler);
    bus.registerPort([0xa0, 0xa1], handler);
  }

  /** Both chips to their reset state (see PicChip.reset); INTR drops. */
  reset(): void {
    this.master.reset();
    this.slave.reset();
    this.update();
  }

  /** IrqSink: drive ISA interrupt request line `irq` (0–15). */
  setIrq(irq: number, level: boolean): void {
    if (!Number.isInteger(irq) || irq < 0 || irq > 15) throw new RangeError(`pic: bad IRQ ${irq}`);
    if (irq === CASCADE_IRQ) irq = 9;
    if (irq < 8) this.master.setLine(irq, level);
    else this.slave.setLine(irq - 8, level);
    this.update();
  }

  /**
   * InterruptController: the INTA cycle. Returns the vector and moves the
   * request from IRR to ISR. With nothing to deliver, the master answers
   * with its IR7 vector and the slave with its IR7 (IRQ 15) vector; a
   * spurious interrupt sets no ISR bit on the chip that produced it (the
   * master's IR2 stays in service after a spurious IRQ 15, as on the
   * hardware, so the handler must still EOI the master).
   */
  acknowledge(): number {
    const level = this.master.highestRequest();
    if (level < 0) return (this.master.vectorBase + 7) & 0xff;
    this.master.acknowledgeLevel(level);
    let vector: number;
    if (level === CASCADE_IRQ && this.master.cascades(level)) {
      const s = this.slave.highestRequest();
      if (s < 0) {
        vector = this.slave.vectorBase + 7;
      } else {
        this.slave.acknowledgeLevel(s);
        vector = this.slave.vectorBase + s;
      }
      // The slave drops INT during the acknowledge; a request it still has
      // (auto-EOI, special mask mode) reaches the master as a new edge.
      this.master.setLine(CASCADE_IRQ, false);
    } else {
      vector = this.master.vectorBase + level;
    }
    this.update();
    return vector & 0xff;
  }

  /** Read a PIC port (20h, 21h, A0h, A1h; anything else reads FFh). */
  readPort(port: number): number {
    const chip = this.chipAt(port);
    if (!chip) return 0xff;
    const v = chip.read(port & 1);
    this.update(); // a poll read acknowledges
    return v;
  }

  /** Write a PIC port (20h, 21h, A0h, A1h; anything else is dropped). */
  writePort(port: number, value: number): void {
    const chip = this.chipAt(port);
    if (!chip) return;
    chip.write(port & 1, value & 0xff);
    this.update();
  }

  private chipAt(port: number): PicChip | undefined {
    if (port === 0x20 || port === 0x21) return this.master;
    if (port === 0xa0 || port === 0xa1) return this.slave;
    return undefined;
  }

  private update(): void {
    this.master.setLine(CASCADE_IRQ, this.slave.interrupting);
    const level = this.master.interrupting;
    if (level !== this.intr_) {
      this.intr_ = level;
      this.onIntr(level);
    }
  }
}
