/**
 * index.ts — the x86 front end's public surface: the decoder and its IR,
 * basic blocks, the NASM renderer and the disassembler. Re-exports only.
 */
export * from "./ir.js";
export { decodeInstruction, decodeAt, decodeBytes, type InsnByteSource, type LinearReader } from "./decode.js";
export { decodeBlock, splitBefore, type Block, type BlockEnd, type BlockLimits } from "./block.js";
export { renderInsn, renderAddress, renderBytes, hex } from "./nasm.js";
export { disassemble, disasmCommand, formatTraceLine, listingLines } from "./disasm.js";
