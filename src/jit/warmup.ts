/**
 * warmup.ts — the region an engine with the background option has the
 * worker translate as it starts, before any guest code is hot: a made-up
 * loop of the instructions guest loops are made of.
 *
 * Why: in a fresh process every path a translation takes is cold
 * JavaScript, parsed and compiled by V8 as it first runs. Through the
 * worker, the guest's first real translation paid that twice over on the
 * main thread — sending the request, then receiving a WebAssembly.Module
 * from another thread and instantiating it (~0.5 ms the first time, 0.07
 * after) — and in the worker, the translator's own cold start. The warm-up
 * takes the same paths once (request at engine start, before the guest
 * runs; reply installed nowhere, only instantiated and checked against
 * guest memory as a reply is, in a run slice of its own), so that the
 * guest's first real translation finds them compiled.
 * The numbers are in bench/EXPERIMENTS.md.
 *
 * What it is not: a warm-up of translating at once. On the run's thread a
 * warm-up is itself a long stall (one pass over a bench kernel: 55–100
 * ms at start), and it leaves the first real translation at 4–9 ms:
 * one pass leaves the translator far from the speed V8 reaches after
 * many.
 */
import type { Request } from "./background.js";
import type { TranslateOptions } from "./translate.js";

/** The warm-up's request id: no real request's (engine.ts numbers them
 *  from 1). */
export const WARM_UP_ID = -1;

/** Where the loop sits: 0000:0100. */
const WARM_UP_IP = 0x100;

/**
 * The loop, assembled by NASM (bits 16, org 0x100):
 *
 *   top:  lodsb                      mix:  mov ax, [bx+si+8]
 *         add al, bl                       mul cx
 *         xor ah, ah                       xchg ax, dx
 *         mov [di], ax                     sub ax, [es:0x40]
 *         add di, 2                        sbb dx, 0
 *         cmp al, 0x41                     test dh, 0x80
 *         jb .skip                         jnz .neg
 *         inc word [bp+6]                  stosw
 *   .skip: shl bx, 1                 .neg: ror ax, cl
 *         adc bx, dx                       and ax, 0x7fff
 *         push cx                          mov cx, 7
 *         call mix                         div cx
 *         pop cx                           ret
 *         loop top
 *         jmp top
 */
export const WARM_UP_CODE: readonly number[] = [
  0xac, 0x00, 0xd8, 0x30, 0xe4, 0x89, 0x05, 0x83, 0xc7, 0x02, 0x3c, 0x41,
  0x72, 0x03, 0xff, 0x46, 0x06, 0xd1, 0xe3, 0x11, 0xd3, 0x51, 0xe8, 0x05,
  0x00, 0x59, 0xe2, 0xe4, 0xeb, 0xe2, 0x8b, 0x40, 0x08, 0xf7, 0xe1, 0x92,
  0x26, 0x2b, 0x06, 0x40, 0x00, 0x83, 0xda, 0x00, 0xf6, 0xc6, 0x80, 0x75,
  0x01, 0xab, 0xd3, 0xc8, 0x25, 0xff, 0x7f, 0xb9, 0x07, 0x00, 0xf7, 0xf1,
  0xc3,
];

/** The warm-up as a request, translated with the engine's `options`: the
 *  loop in a page of its own at linear 0, every register and segment base
 *  0. */
export function warmUpRequest(options: TranslateOptions, loopRegions: boolean): Request {
  const bytes = new Uint8Array(4096);
  bytes.set(WARM_UP_CODE, WARM_UP_IP);
  return {
    id: WARM_UP_ID, cs: 0, ip: WARM_UP_IP, windows: [{ base: 0, bytes }],
    regs: [0, 0, 0, 0, 0, 0, 0, 0], segBases: [0, 0, 0, 0, 0, 0], options, loopRegions, mayWait: false,
  };
}
