/**
 * calls.ts — near CALL/RET: subroutines on the code's own page and on
 * another page (linear 3000h), nested (a subroutine calls ones generated
 * before it, so there is no recursion), called directly (E8), through a
 * register (FF /2) and through memory (FF /2 [addr]); RET and RET imm16
 * (the caller pushes the arguments), an early conditional RET, and a
 * subroutine reached from several call sites (RET goes back to each).
 * Not a test file.
 */
import { Section } from "./asm.js";
import { type Ctx, type Entry, body, consumer, producer, imm } from "./gen.js";

/** Generate a new subroutine's body (from the context's mix) and return it. */
function newSub(c: Ctx, args: number): Ctx["subs"][number] {
  const far = c.chance(0.5);
  const sec = new Section(far ? `sub${c.subs.length} (far page)` : `sub${c.subs.length}`, 0);
  const entry = c.label(`sub${c.subs.length}`);
  const outer = c.sec;
  c.sec = sec;
  c.depth++;
  try {
    sec.note = sec.name;
    sec.bind(entry);
    body(c, c.range(1, 4));
    if (c.chance(0.3)) {
      // An early return on a condition.
      producer(c);
      const l = c.label("stay");
      sec.rel8([0x70 | c.int(16)], l);
      ret(c, args);
      sec.bind(l);
      body(c, c.range(0, 2));
    }
    if (c.chance(0.3)) consumer(c);                   // the caller's flags, or the body's
    ret(c, args);
  } finally {
    c.depth--;
    c.sec = outer;
  }
  const sub = { sec, far, args, entry };
  c.subs.push(sub);
  return sub;
}

function ret(c: Ctx, args: number): void {
  if (args > 0) c.insn(0xc2, ...imm(16, args * 2));
  else if (c.chance(0.15)) c.insn(0xc2, 0, 0);       // RET 0
  else c.insn(0xc3);
}

/** A call: to a new subroutine, or to an existing one (same argument count). */
function call(c: Ctx): void {
  if (c.depth >= 3) { producer(c); return; }
  const args = c.chance(0.3) ? c.range(1, 3) : 0;
  const existing = c.subs.filter((s) => s.args === args);
  const sub = existing.length > 0 && c.chance(0.4) ? c.pick(existing) : newSub(c, args);
  for (let i = 0; i < args; i++) c.insn(0x50 + c.any());          // push the arguments
  switch (c.int(5)) {
    case 0: {                                                        // mov bx,sub / call bx
      const r = c.pick([3, 5, 6, 7, 0]);
      c.insn(0xb8 + r, 0, 0);
      c.sec.abs16(c.sec.length - 2, sub.entry);
      c.insn(0xff, 0xd0 | r);
      break;
    }
    case 1: {                                                        // mov word [a],sub / call [a]
      const a = c.pick([0x0120, 0x0130, 0x0ff0]);
      c.insn(0xc7, 0x06, a & 0xff, a >> 8, 0, 0);
      c.sec.abs16(c.sec.length - 2, sub.entry);
      c.insn(0xff, 0x16, a & 0xff, a >> 8);
      break;
    }
    default: c.sec.rel16([0xe8], sub.entry);
  }
  if (c.chance(0.3)) consumer(c);                                    // flags from inside the callee
}

/** Two calls in a row, or a call whose return lands on a jump. */
function callChain(c: Ctx): void {
  call(c);
  if (c.chance(0.5)) call(c);
  else { const l = c.label("after"); c.sec.rel8([0xeb], l); c.sec.bind(l); }
}

export const CALL_MIX: readonly Entry[] = [
  { name: "call", w: 4, f: call },
  { name: "callChain", w: 1, f: callChain },
  { name: "producer", w: 3, f: producer },
  { name: "consumer", w: 2, f: consumer },
];
