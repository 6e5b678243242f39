// theme-flow.mjs — the "flow" theme of the 386 differential-test generator
// (tests/diff386/README.md): string instructions, the stack (PUSH/POP in
// every form, PUSHA/POPA, PUSHF/POPF, LDS/LES/LSS/LFS/LGS), CALL/RET/JMP,
// LOOP/JCXZ, CPUID/RDTSC.
//
// What it is: three generators (strings, stack, control transfer). They
// keep string pointers, counts and branch targets inside the 64 KiB limits a
// 386 checks and QEMU does not, and mask the model-specific outputs.
//
// What it is not: no expected results (QEMU is the reference), and no
// memory-operand solving (operands.mjs).

import { branchTail } from './case.mjs';
import { WINDOW_SIZE } from './image.mjs';
import { AF, DF, R16, R32, SIZE_KW, hex } from './x86.mjs';

function genString(c) {
  const rng = c.rng;
  const op = rng.pick(['movs', 'cmps', 'scas', 'lods', 'stos']);
  const size = c.size([8, 16, 32]);
  const sz = size / 8;
  const a32 = c.is386 && rng.chance(0.5);
  const rep = op === 'cmps' || op === 'scas' ? rng.pick(['', 'repe', 'repne']) : rng.pick(['', 'rep']);
  const usesSrc = op === 'movs' || op === 'cmps' || op === 'lods';
  const usesDst = op !== 'lods';
  const ovr = usesSrc && rng.chance(0.4) ? rng.pick(c.segs()) : null;
  const k = rep ? rng.int(13) : 1;
  const down = (c.eflags & DF) !== 0;
  const place = (seg) => {
    const limit = WINDOW_SIZE - c.segOff(seg);
    const span = Math.max(k, 1) * sz;
    const lo = down ? span - sz : 0, hi = limit - (down ? sz : span);
    return rng.range(lo, hi);
  };
  const setPtr = (i, v) => { if (a32) c.set(R32[i], v); else c.set(R16[i], v); };
  if (usesSrc) setPtr(6, place(ovr ?? 'ds'));
  if (usesDst) setPtr(7, place('es'));
  if (rep) { if (a32) c.set('ecx', k); else c.set('cx', k); }
  if (op === 'scas' && rng.chance(0.5)) {
    // Make the scan stop somewhere inside the run.
    const di = a32 ? c.get('edi') : c.get('di');
    const j = rng.int(Math.max(k, 1));
    c.set(c.regName(0, size), c.memRead('es', di + (down ? -j : j) * sz, sz));
  }
  const suffix = { 8: 'b', 16: 'w', 32: 'd' }[size];
  c.emit([a32 ? 'a32' : '', rep, ovr ?? '', op + suffix].filter(Boolean).join(' '));
}

function genStack(c) {
  const rng = c.rng;
  const o32 = c.is386 && rng.chance(0.5);
  const w = o32 ? 32 : 16;
  const kw = SIZE_KW[w];
  const sregs = c.is386 ? ['es', 'ds', 'fs', 'gs', 'ss'] : ['es', 'ds', 'ss'];
  switch (rng.pick(['pushr', 'popr', 'pushi', 'pushm', 'popm', 'pushs', 'pops', 'pusha', 'popa', 'pushf', 'popf', 'lxs', 'lxs'])) {
    case 'pushr': c.emit(`push ${c.regName(rng.int(8), w)}`); break;
    case 'popr': c.emit(`pop ${c.regName(rng.int(8), w)}`); break;
    case 'pushi':
      if (rng.chance(0.5)) c.emit(`push ${kw} ${rng.int(256) - 128}`);
      else c.emit(`push strict ${kw} ${hex(rng.value(w), w / 4)}`);
      break;
    case 'pushm': { const m = c.mem(w / 8); c.emit(`push ${kw} ${m.text}`); break; }
    // POP [ESP-based]: the address uses ESP after the pop; keep ESP out of it.
    case 'popm': { const m = c.mem(w / 8, { avoid: [4] }); c.emit(`pop ${kw} ${m.text}`); break; }
    case 'pushs': {
      const s = rng.pick([...sregs, 'cs']);
      c.emit(`${o32 ? 'o32 ' : ''}push ${s}`);
      // A 32-bit push of a segment register writes the upper word on some
      // CPUs and not on others (SDM, PUSH).
      if (o32) c.undefMem.push([c.segOff('ss') + ((c.r[4] - 2) & 0xffff), 2]);
      break;
    }
    case 'pops': c.emit(`${o32 ? 'o32 ' : ''}pop ${rng.pick(sregs)}`); break;
    case 'pusha': c.emit(o32 ? 'pushad' : 'pusha'); break;
    case 'popa': c.emit(o32 ? 'popad' : 'popa'); break;
    case 'pushf': c.emit(o32 ? 'pushfd' : 'pushf'); break;
    case 'popf': {
      // What POPF(D) loads comes from a controlled push: TF and IF stay 0
      // so no trap or interrupt can follow; IOPL, NT and the high bits vary.
      let v = rng.u32() & ~0x300;
      if (!c.is386) v &= 0x0fff & ~0x300;
      if (!o32) v &= 0xffff;
      c.emit(`push strict ${kw} ${hex(v, w / 4)}`);
      c.emit(o32 ? 'popfd' : 'popf');
      break;
    }
    case 'lxs': {
      const op = rng.pick(c.is386 ? ['lss', 'lfs', 'lgs', 'lds', 'les'] : ['lds', 'les']);
      const m = c.mem(w / 8 + 2);
      c.emit(`${op} ${c.pickReg(w)}, ${m.text}`);
      break;
    }
  }
}

function genControl(c) {
  const rng = c.rng;
  const L = c.label;
  const o32 = c.is386 && rng.chance(0.5);
  const w = o32 ? 32 : 16;
  const kw = SIZE_KW[w];
  const kind = rng.pick(c.is386 ? ['call', 'calli', 'jmp', 'jmpi', 'ret', 'callret', 'loop', 'loop', 'loopbody', 'cpuid'] : ['call', 'calli', 'jmp', 'jmpi', 'ret', 'callret', 'loop', 'loop', 'loopbody']);
  switch (kind) {
    case 'call': c.emit(o32 ? `call dword ${L}_t` : `call ${L}_t`); branchTail(c); break;
    // "jmp dword" is 66 E9 rel32 ("o32 jmp near" would be 66 E9 rel16).
    case 'jmp': c.emit(o32 ? `jmp dword ${L}_t` : rng.pick([`jmp short ${L}_t`, `jmp near ${L}_t`])); branchTail(c); break;
    case 'calli':
    case 'jmpi': {
      const insn = kind === 'calli' ? 'call' : 'jmp';
      // A 32-bit target must have a zero upper half (the CS limit is FFFFh).
      if (rng.chance(0.5)) {
        const r = c.regName(rng.pick([0, 1, 2, 3, 5, 6, 7]), w);
        c.emit(`mov ${r}, ${L}_t`);
        c.emit(`${insn} ${r}`);
      } else {
        const m = c.mem(w / 8);
        c.emit(`mov ${kw} ${m.text}, ${L}_t`);
        c.emit(`${insn} ${kw} ${m.text}`);
      }
      branchTail(c);
      break;
    }
    case 'ret': {
      const n = rng.chance(0.5) ? rng.int(9) * 2 : null;
      c.emit(`push ${kw} ${L}_t`);
      c.emit(`${o32 ? 'o32 ' : ''}ret${n === null ? '' : ' ' + n}`);
      branchTail(c);
      break;
    }
    case 'callret':
      c.emit(o32 ? `call dword ${L}_f` : `call ${L}_f`);
      c.tail.push('mov byte [cs:path], 1', 'jmp capture', `${L}_f:`, o32 ? 'o32 ret' : 'ret');
      c.text.push(o32 ? 'o32 ret' : 'ret');
      break;
    case 'loop': {
      const op = rng.pick(['loop', 'loope', 'loopne', 'jcxz', 'jcxz']);
      const a32 = c.is386 && rng.chance(0.5);
      const cnt = a32 ? 'ecx' : 'cx';
      if (rng.chance(0.4)) c.set(cnt, rng.pick([0, 1, 2]));
      const mn = op === 'jcxz' && a32 ? 'jecxz' : op;
      c.emit(`${a32 && op !== 'jcxz' ? 'a32 ' : ''}${mn} ${L}_t`);
      branchTail(c);
      break;
    }
    case 'loopbody': {
      const a32 = c.is386 && rng.chance(0.5);
      const op = rng.pick(['loop', 'loope', 'loopne']);
      if (a32) c.set('ecx', rng.range(1, 10)); else c.set('cx', rng.range(1, 10));
      const size = c.size([8, 16, 32]);
      const acc = c.regName(0, size), other = c.regName(rng.pick([2, 3, 6, 7]), size);
      c.emit(`${L}_l:`, false);
      c.emit(rng.pick([`add ${acc}, ${other}`, `sub ${acc}, ${other}`, `inc ${other}`, `cmp ${acc}, ${other}`, `xor ${acc}, ${other}`]));
      c.emit(`${a32 ? 'a32 ' : ''}${op} ${L}_l`);
      if (c.lines[1].startsWith('xor')) c.undef(AF);
      break;
    }
    case 'cpuid':
      if (rng.chance(0.5)) {
        c.set('eax', rng.pick([0, 1, 0x80000000, rng.u32()]));
        c.emit('cpuid');
        for (const r of ['eax', 'ebx', 'ecx', 'edx']) c.undefRegs[r] = 0xffffffff;
      } else {
        c.emit('rdtsc');
        for (const r of ['eax', 'edx']) c.undefRegs[r] = 0xffffffff;
      }
      break;
  }
}

/** The theme's generators with their relative weights (the order is part
 *  of the seed → image mapping: changing it changes every image). */
export const FLOW_GENS = [[genString, 4], [genStack, 4], [genControl, 3]];
