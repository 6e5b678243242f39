/**
 * inline.ts — which guest instructions generated code does itself, and
 * how; everything else runs through the core's execOne (codegen.ts).
 *
 * Inline: NOP; MOV, ADD/OR/ADC/SBB/AND/SUB/XOR/CMP, TEST on registers and
 * immediates and with one 16-bit-addressed memory operand; INC/DEC/NEG/NOT
 * on registers, INC/DEC/NEG/NOT and XCHG on memory; XCHG and LEA;
 * shifts and rotates (shifts.ts);
 * CBW/CWD/CWDE/CDQ;
 * the string instructions without REP, and XLAT (strings.ts); CALL/JMP
 * through a register or memory;
 * PUSH/POP of registers and memory; MUL/IMUL/DIV/IDIV (corecalls.ts);
 * JMP/Jcc/JCXZ/LOOP/LOOPZ/LOOPNZ, CALL rel16 and RET (a RET to a
 * return site of the region stays in the function). 8-, 16- and (66h)
 * 32-bit data; at most a segment override and 66h as prefixes.
 *
 * Ordering keeps faults precise: an instruction's memory read comes before
 * any register or flag write, and a memory write is the last effect but
 * the flags record (which its slow path stores before stopping).
 */
import { ARITH, CF, DF, type Insn, type MemOperand, type Operand, type RegOperand, type SegOperand } from "../x86/ir.js";
import { Gen, L_CF, L_FR, L_OFF, L_STEP, L_TMP, L_TMP2, SEGS, SP, CX, BP, sizeMask } from "./codegen.js";
import { LAZY_ADD, LAZY_DEC, LAZY_INC, LAZY_LOGIC, LAZY_SUB, carry, condition, runtimeCarry, runtimeCondition, setCarry, setRecord } from "./flags.js";
import { address, pop, popRead, popStep, push, readMem, writeMem } from "./memory.js";
import { div, imul3Reg, mul } from "./corecalls.js";
import { stringForm } from "./strings.js";
import { isShift, shift } from "./shifts.js";
import { relTarget } from "../x86/block.js";

/** ALU operations by mnemonic: the core's numbering (reg field of 80h). */
const ALU: Readonly<Record<string, number>> = { add: 0, or: 1, adc: 2, sbb: 3, and: 4, sub: 5, xor: 6, cmp: 7, test: 8 };

/** Where the instruction sits: the next IP, whether it ends its block,
 *  how many instructions follow it in the block, the flags observable
 *  after it, the region's return sites, and for an indirect CALL/JMP the
 *  target the engine predicted, when that block is in the region; for a
 *  Jcc to be if-converted, the code of what it skips (hammock.ts). */
export interface Site {
  next: number; last: boolean; remaining: number; live: number; returnSites: readonly number[]; predicted: number | null;
  hammock?: (() => number[]) | null;
}

/** The inline translation of `insn`, or null to run it through execOne. */
export function inline(g: Gen, insn: Insn, at: Site): number[] | null {
  if (insn.status !== "ok" || insn.fault || insn.alias || insn.addrSize !== 16) return null;
  const p = insn.prefixes;
  const ops = insn.operands;
  // (Plain loops rather than find/some/every: see translate.ts's setup.)
  let mem: MemOperand | undefined, seg = false, plain = true;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    if (o.kind === "mem") mem ??= o;
    else if (o.kind === "seg") seg = true;
    if (o.kind !== "reg" && o.kind !== "imm" && o.kind !== "rel") plain = false;
  }
  if (p.lock || p.addrsize || p.bytes.length !== (p.seg ? 1 : 0) + (p.opsize ? 1 : 0) + (p.rep ? 1 : 0)) return null;
  if (mem && mem.implicit) return stringForm(g, insn, mem);
  if (p.rep) return null;
  if (insn.opcode === 0xff && (insn.flow === "call" || insn.flow === "jump")) return flow(g, insn, at); // through r/m
  if (seg) return segmentForm(g, insn, mem ?? null);
  if (mem) return memoryForm(g, insn, mem, at);
  if (p.seg) return null;
  if (!plain) return null;
  return registerForm(g, insn, at) ?? (isShift(insn) ? shift(g, insn, at, null) : null) ?? mul(g, insn, at) ?? div(g, insn, at.next) ?? imul3Reg(g, insn) ?? flow(g, insn, at);
}

function value(g: Gen, o: Operand, size: number): number {
  if (o.kind === "reg") return g.reg(o);
  if (o.kind === "imm") return g.c(o.value & sizeMask(size));
  throw new Error(`jit: no value for a ${o.kind} operand`);
}

/**
 * An ALU operation `op` (ALU numbering) on `a` and `b` at `size` bits:
 * the flags record when something can observe it, then `write(result)`
 * unless CMP/TEST. `write` gets the result and the record's code, to
 * place it (a memory destination puts it after the store, on both paths).
 */
function alu(g: Gen, op: number, size: number, a: () => number, b: () => number, live: number,
  write: (r: () => number, after: () => number[]) => number[]): number[] {
  const m = g.m;
  const out: number[] = [];
  const carryIn = op === 2 || op === 3;
  if (carryIn) {
    out.push(g.set(L_CF, carry(g) ?? runtimeCarry(g)));
  }
  const result = (): number => {
    switch (op) {
      case 0: return m.i32.add(a(), b());
      case 1: return m.i32.or(a(), b());
      case 2: return m.i32.add(m.i32.add(a(), b()), g.get(L_CF));
      case 3: return m.i32.sub(m.i32.sub(a(), b()), g.get(L_CF));
      case 4: case 8: return m.i32.and(a(), b());
      case 6: return m.i32.xor(a(), b());
      default: return m.i32.sub(a(), b());
    }
  };
  const kind = op === 0 || op === 2 ? LAZY_ADD : op === 3 || op === 5 || op === 7 ? LAZY_SUB : LAZY_LOGIC;
  const keep = !g.elide || (live & ARITH) !== 0;
  const record = (): number[] => (keep
    ? setRecord(g, kind, size, kind === LAZY_LOGIC ? null : a(), kind === LAZY_LOGIC ? null : b(), result(), carryIn)
    : []);
  if (op === 7 || op === 8) return [...out, ...record()];
  return [...out, ...write(result, record)];
}

/** MOV/ALU/TEST/INC/DEC/NEG/NOT/XCHG/LEA-free register forms. */
function registerForm(g: Gen, insn: Insn, at: Site): number[] | null {
  const m = g.m, ops = insn.operands, mn = insn.mnemonic;
  const r0 = ops[0]?.kind === "reg" ? ops[0] as RegOperand : null;
  if (mn === "nop" && insn.opcode === 0x90) { g.pending++; return []; }
  if ((mn === "stc" || mn === "clc" || mn === "cmc") && ops.length === 0 && g.state.flags) {
    g.pending++;
    return setCarry(g, mn);
  }
  if ((insn.opcode === 0xfc || insn.opcode === 0xfd) && ops.length === 0) { // CLD / STD
    g.pending++;
    const set = insn.opcode === 0xfd, L = g.L;
    const flags = g.st32(L.REG_FLAGS, set ? m.i32.or(g.ld32(L.REG_FLAGS), g.c(DF)) : m.i32.and(g.ld32(L.REG_FLAGS), g.c(~DF)));
    // The string instructions' step, where the region holds it.
    return g.state.strings ? [flags, g.set(L_STEP, g.c(set ? -1 : 1))] : [flags];
  }
  if (insn.opcode === 0xc9 && ops.length === 0 && insn.opSize === 16 && g.model !== "8086") { // LEAVE (186+)
    // The read first, from SS:BP; then SP and BP (a side exit leaves both
    // as they were).
    g.pending++;
    return [...popRead(g, 16, insn.ip, BP), g.setRegN(16, SP, m.i32.add(g.regN(16, BP), g.c(2))), g.setRegN(16, BP, g.get(L_TMP))];
  }
  if (insn.opcode === 0xc8 && insn.opSize === 16 && g.model !== "8086" && ops[0]?.kind === "imm" && ops[1]?.kind === "imm"
    && (ops[1].value & 31) === 0) { // ENTER n, 0 (186+): nesting levels above 0 are the interpreter's
    // PUSH BP (SP moves once its store is done, as a side exit needs);
    // then BP = SP and SP − n.
    g.pending++;
    const frame = ops[0].value & 0xffff;
    return [...push(g, g.regN(16, BP), 16, insn.ip), g.setRegN(16, BP, g.regN(16, SP)),
      g.setRegN(16, SP, m.i32.sub(g.regN(16, SP), g.c(frame)))];
  }
  if (mn === "mov" && r0 && ops.length === 2 && ops[1].kind !== "rel") {
    g.pending++;
    const code = [g.setReg(r0, value(g, ops[1], r0.size))];
    if (r0.num === 1 && ops[1].kind === "imm") g.knownCL = ops[1].value & 0xff; // CL, CX, ECX
    return code;
  }
  if (mn in ALU && r0 && ops.length === 2 && ops[1].kind !== "rel") {
    const size = r0.size, src = ops[1];
    g.pending++;
    return alu(g, ALU[mn], size, () => g.reg(r0), () => value(g, src, size), at.live, (r, record) => {
      // The record holds the raw result: write the register from it.
      const rec = record();
      return rec.length ? [...rec, g.setReg(r0, g.get(L_FR))] : [g.setReg(r0, r())];
    });
  }
  if ((mn === "inc" || mn === "dec") && r0 && ops.length === 1) {
    g.pending++;
    return incDec(g, mn === "dec", r0.size, () => g.reg(r0), at.live, (v, after) => [...after(), g.setReg(r0, v)]);
  }
  if (mn === "neg" && r0 && ops.length === 1) {
    g.pending++;
    const keep = !g.elide || (at.live & ARITH) !== 0;
    if (!keep) return [g.setReg(r0, m.i32.sub(g.c(0), g.reg(r0)))];
    return [...setRecord(g, LAZY_SUB, r0.size, g.c(0), g.reg(r0), m.i32.sub(g.c(0), g.reg(r0))), g.setReg(r0, g.get(L_FR))];
  }
  if (mn === "not" && r0 && ops.length === 1) {
    g.pending++;
    return [g.setReg(r0, m.i32.xor(g.reg(r0), g.c(-1)))];
  }
  if (mn === "xchg" && r0 && ops.length === 2 && ops[1].kind === "reg") {
    const r1 = ops[1];
    g.pending++;
    return [g.set(L_TMP2, g.reg(r0)), g.setReg(r0, g.reg(r1)), g.setReg(r1, g.get(L_TMP2))];
  }
  if (insn.opcode === 0x98) { // CBW / CWDE
    g.pending++;
    return insn.opSize === 16
      ? [g.setRegN(16, 0, m.i32.shr_s(m.i32.shl(g.regN(8, 0), g.c(24)), g.c(24)))]
      : [g.setRegN(32, 0, m.i32.shr_s(m.i32.shl(g.regN(16, 0), g.c(16)), g.c(16)))];
  }
  if (insn.opcode === 0x99) { // CWD / CDQ
    g.pending++;
    return insn.opSize === 16
      ? [g.setRegN(16, 2, m.i32.shr_s(m.i32.shl(g.regN(16, 0), g.c(16)), g.c(31)))]
      : [g.setRegN(32, 2, m.i32.shr_s(g.regN(32, 0), g.c(31)))];
  }
  if (insn.opcode >= 0x50 && insn.opcode <= 0x57 && insn.opcode !== 0x54) { // PUSH reg (not SP: it differs by model)
    g.pending++;
    return push(g, g.reg(ops[0] as RegOperand), insn.opSize, insn.ip);
  }
  if (insn.opcode >= 0x58 && insn.opcode <= 0x5f) { // POP reg
    g.pending++;
    return [...pop(g, insn.opSize, insn.ip), g.setReg(ops[0] as RegOperand, g.get(L_TMP))];
  }
  return null;
}

/** INC/DEC of `a`: like ADD/SUB 1 but CF is kept — frozen into REG_FLAGS
 *  from the record before (flags.ts lazyIncDec) when CF is observable. */
function incDec(g: Gen, isDec: boolean, size: number, a: () => number, live: number,
  write: (v: number, after: () => number[]) => number[]): number[] {
  const m = g.m, L = g.L;
  const res = () => (isDec ? m.i32.sub(a(), g.c(1)) : m.i32.add(a(), g.c(1)));
  if (g.elide && (live & (ARITH & ~CF)) === 0) return write(res(), () => []);
  // The flags (computed from the old value) follow the write: a memory
  // operand's slow path leaves before the instruction has changed anything.
  return write(res(), () => {
    const flags: number[] = [];
    const rec = g.record;
    if (!g.elide || (live & CF) !== 0) {
      if (!rec || rec.cfOf || (rec.kind !== LAZY_INC && rec.kind !== LAZY_DEC)) { // (X bits: CF is there)
        flags.push(g.st32(L.REG_FLAGS, m.i32.or(m.i32.and(g.ld32(L.REG_FLAGS), g.c(~1)), carry(g) ?? runtimeCarry(g))));
      }
    }
    flags.push(...setRecord(g, isDec ? LAZY_DEC : LAZY_INC, size, a(), g.c(1), res()));
    return flags;
  });
}

/**
 * MOV to and from a segment register, PUSH and POP of one. Loading ES,
 * DS, FS or GS is real mode's selector × 16 (Gen.loadSeg); SS (whose load
 * opens an interrupt shadow) and CS are left to execOne. MOV r32, Sreg
 * zero-extends the selector, as the interpreter (and QEMU) do.
 */
function segmentForm(g: Gen, insn: Insn, mem: MemOperand | null): number[] | null {
  const ops = insn.operands, mn = insn.mnemonic, L = g.L;
  const seg = ops.find((o): o is SegOperand => o.kind === "seg")!;
  const s = SEGS[seg.name];
  const loads = seg.name !== "ss" && seg.name !== "cs";
  const selector = () => g.m.i32.and(g.ld32(L.SEG_SEL + s * 4), g.c(0xffff));
  if (mn === "mov" && ops.length === 2 && ops[0] === seg && loads) { // 8E
    const src = ops[1];
    if (src.kind === "reg") { g.pending++; return [g.set(L_TMP2, g.regN(16, src.num)), ...g.loadSeg(s, g.get(L_TMP2))]; }
    if (!mem || mem.size !== 16) return null;
    g.pending++;
    return [...address(g, mem), g.set(L_TMP2, readMem(g, 16, insn.ip)), ...g.loadSeg(s, g.get(L_TMP2))];
  }
  if (mn === "mov" && ops.length === 2 && ops[1] === seg) { // 8C
    const dst = ops[0];
    if (dst.kind === "reg") { g.pending++; return [g.setReg(dst, selector())]; } // r32: zero-extended
    if (!mem || mem.size !== 16) return null;
    g.pending++;
    return [...address(g, mem), ...writeMem(g, 16, selector(), insn.ip)];
  }
  if (mn === "push" && ops.length === 1 && insn.opSize === 16) { g.pending++; return push(g, selector(), 16, insn.ip); }
  if (mn === "pop" && ops.length === 1 && insn.opSize === 16 && loads) {
    g.pending++;
    return [...popRead(g, 16, insn.ip), ...g.loadSeg(s, g.get(L_TMP)), popStep(g, 16)];
  }
  return null;
}

/** Control transfers that end a block. */
function flow(g: Gen, insn: Insn, at: Site): number[] | null {
  const m = g.m, ops = insn.operands, op = insn.opcode;
  const rel = relTarget(insn);
  if (!at.last) return null;
  if (insn.flow === "jump" && rel !== null) { g.pending++; return g.branch(rel, null, at.next); }
  if (insn.flow === "jcc" && rel !== null && ((op >= 0x70 && op <= 0x7f) || (op >= 0x0f80 && op <= 0x0f8f))) {
    g.pending++;
    const cc = op & 0xf;
    const taken = condition(g, cc) ?? runtimeCondition(g, cc);
    return at.hammock ? g.predicate(taken, rel, at.hammock) : g.branch(rel, taken, at.next);
  }
  if (op === 0xe2 && rel !== null) { // LOOP: CX − 1, taken while not zero (flags untouched)
    g.pending++;
    return [g.setRegN(16, CX, m.i32.sub(g.regN(16, CX), g.c(1))), ...g.branch(rel, g.regN(16, CX), at.next)];
  }
  if ((op === 0xe0 || op === 0xe1) && rel !== null && insn.addrSize === 16) {
    // LOOPNZ / LOOPZ: CX − 1, taken while CX ≠ 0 and ZF is clear / set.
    g.pending++;
    const zf = condition(g, 4) ?? runtimeCondition(g, 4);
    return [
      g.set(g.scratch, op === 0xe1 ? zf : m.i32.eqz(zf)),
      g.setRegN(16, CX, m.i32.sub(g.regN(16, CX), g.c(1))),
      ...g.branch(rel, m.i32.and(m.i32.ne(g.regN(16, CX), g.c(0)), g.get(g.scratch)), at.next),
    ];
  }
  if (op === 0xe3 && rel !== null) { // JCXZ
    g.pending++;
    return g.branch(rel, m.i32.eqz(g.regN(16, CX)), at.next);
  }
  if (op === 0xe8 && rel !== null && insn.opSize === 16) { // CALL rel16
    g.pending++;
    return [...push(g, g.c(at.next), 16, insn.ip), ...g.goTo(rel)];
  }
  if (op === 0xff && (insn.flow === "call" || insn.flow === "jump") && insn.opSize === 16) { // CALL/JMP r/m16
    const target = ops[0];
    if (target?.kind !== "reg" && (target?.kind !== "mem" || target.farPointer || target.implicit)) return null;
    g.pending++;
    const out = target.kind === "reg" ? [g.set(L_TMP2, g.reg(target))]
      : [...address(g, target), g.set(L_TMP2, readMem(g, 16, insn.ip))];
    if (insn.flow === "call") out.push(...push(g, g.c(at.next), 16, insn.ip));
    out.push(...g.flushCount());
    // The target the engine saw at translation time, if in the region,
    // is reached inside the function; any other goes back to the core.
    if (at.predicted !== null) {
      const pending = g.pending;
      out.push(m.if(m.i32.eq(g.get(L_TMP2), g.c(at.predicted)), g.block(g.goTo(at.predicted))));
      g.pending = pending;
    }
    return [...out, ...g.exit(g.get(L_TMP2))];
  }
  if ((op === 0xc3 || op === 0xc2) && insn.opSize === 16) { // RET [imm16]
    g.pending++;
    const out = pop(g, 16, insn.ip);
    if (op === 0xc2) {
      const n = (ops[0] as { value: number }).value & 0xffff;
      out.push(g.setRegN(16, SP, m.i32.add(g.regN(16, SP), g.c(n))));
    }
    out.push(...g.flushCount());
    // A return to a call site of this region stays in the function.
    for (const site of at.returnSites) {
      const pending = g.pending;
      out.push(m.if(m.i32.eq(g.get(L_TMP), g.c(site)), g.block(g.goTo(site))));
      g.pending = pending;
    }
    out.push(...g.exit(g.get(L_TMP)));
    return out;
  }
  return null;
}

/**
 * MOV, ALU and TEST with a memory operand; INC/DEC on memory. The
 * instruction is counted first, as the interpreter has it when an access
 * faults.
 */
function memoryForm(g: Gen, insn: Insn, mem: MemOperand, at: Site): number[] | null {
  const m = g.m, ops = insn.operands, mn = insn.mnemonic, size = mem.size, op = insn.opcode;
  if (mn === "lea" && ops[0].kind === "reg" && !mem.farPointer) { // the address only: no access, no fault
    g.pending++;
    return [...address(g, mem), g.setReg(ops[0] as RegOperand, g.get(L_OFF))];
  }
  if ((size !== 8 && size !== 16 && size !== 32) || mem.farPointer || mem.implicit) return null;
  for (let i = 0; i < ops.length; i++) if (ops[i].kind !== "reg" && ops[i].kind !== "imm" && ops[i].kind !== "mem") return null;
  if (isShift(insn)) return shift(g, insn, at, mem);
  if (op === 0xf6 || op === 0xf7) { // MUL/IMUL/DIV/IDIV here; TEST/NOT/NEG below
    const code = mul(g, insn, at) ?? div(g, insn, at.next);
    if (code) return code;
  }
  if (op === 0xff && mn === "push" && size === 16 && insn.opSize === 16) { // PUSH r/m16: read, then push
    g.pending++;
    return [...address(g, mem), g.set(L_TMP2, readMem(g, 16, insn.ip)), ...push(g, g.get(L_TMP2), 16, insn.ip)];
  }
  if (op === 0x8f && mn === "pop" && size === 16 && insn.opSize === 16) { // POP r/m16: read, store, then SP moves
    g.pending++;
    return [...popRead(g, 16, insn.ip), g.set(L_TMP2, g.get(L_TMP)), ...address(g, mem),
      ...writeMem(g, 16, g.get(L_TMP2), insn.ip, () => [popStep(g, 16)])];
  }
  const isMov = mn === "mov" && ((op >= 0x88 && op <= 0x8b) || op === 0xc6 || op === 0xc7 || (op >= 0xa0 && op <= 0xa3));
  const isAlu = mn in ALU && ops.length === 2;
  const isIncDec = (mn === "inc" || mn === "dec") && ops.length === 1;
  const isNegNot = (mn === "neg" || mn === "not") && ops.length === 1;
  const isXchg = mn === "xchg" && ops.length === 2;
  if (!isMov && !isAlu && !isIncDec && !isNegNot && !isXchg) return null;
  g.pending++;
  const out: number[] = [...address(g, mem)];
  const dstIsMem = ops[0].kind === "mem";
  if (isMov) {
    if (dstIsMem) out.push(...writeMem(g, size, value(g, ops[1], size), insn.ip));
    else out.push(g.setReg(ops[0] as RegOperand, readMem(g, size, insn.ip)));
    return out;
  }
  // Read the memory operand once, into local 16.
  out.push(g.set(L_TMP2, readMem(g, size, insn.ip)));
  const get = (o: Operand) => (o.kind === "mem" ? g.get(L_TMP2) : value(g, o, size));
  if (isIncDec) {
    out.push(...incDec(g, mn === "dec", size, () => g.get(L_TMP2), at.live,
      (v, after) => writeMem(g, size, v, insn.ip, after)));
    return out;
  }
  if (mn === "not") return [...out, ...writeMem(g, size, m.i32.xor(g.get(L_TMP2), g.c(-1)), insn.ip)];
  if (mn === "neg") {
    // NEG = SUB from 0: the record (if observable) follows the store.
    const keep = !g.elide || (at.live & ARITH) !== 0;
    const record = () => (keep ? setRecord(g, LAZY_SUB, size, g.c(0), g.get(L_TMP2), m.i32.sub(g.c(0), g.get(L_TMP2))) : []);
    return [...out, ...writeMem(g, size, m.i32.sub(g.c(0), g.get(L_TMP2)), insn.ip, record)];
  }
  if (isXchg) {
    // The register takes the old memory value once the store is done.
    const r = (ops[0].kind === "reg" ? ops[0] : ops[1]) as RegOperand;
    return [...out, ...writeMem(g, size, g.reg(r), insn.ip, () => [g.setReg(r, g.get(L_TMP2))])];
  }
  const a = () => get(ops[0]), b = () => get(ops[1]);
  out.push(...alu(g, ALU[mn], size, a, b, at.live, (r, record) => {
    if (!dstIsMem) {
      const rec = record();
      return rec.length ? [...rec, g.setReg(ops[0] as RegOperand, g.get(L_FR))] : [g.setReg(ops[0] as RegOperand, r())];
    }
    // The write may stop the block on its slow path: the record goes with
    // it, after the store, on both paths.
    return writeMem(g, size, r(), insn.ip, record);
  }));
  return out;
}

