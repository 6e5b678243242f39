/**
 * layout.ts — where everything lives in the core's linear memory.
 *
 * Every piece of architectural state sits at a fixed address so that code
 * generated later by the JIT can reach any register with a constant offset
 * (`i32.load offset=REG_AX (i32.const 0)`), exactly like v86. The TypeScript
 * side mirrors these numbers from the exported `LAYOUT_*` globals, so this
 * file is the single source of truth.
 *
 *   0x000000 ┌──────────────────────────────┐
 *            │ unused (null page)           │
 *   0x001000 ├──────────────────────────────┤ STATE: registers, flags, segments,
 *            │ CPU state (see below)        │        counters, pending events
 *   0x002000 ├──────────────────────────────┤
 *            │ TLB read entries  (i32 × 272)│ one per 4 KiB linear page,
 *   0x002800 ├──────────────────────────────┤ 0x000000–0x10FFFF (1 MiB + HMA)
 *            │ TLB write entries (i32 × 272)│
 *   0x003000 ├──────────────────────────────┤
 *            │ page → physical page (i32)   │ after A20 masking
 *   0x003800 ├──────────────────────────────┤
 *            │ per-physical-page flags (u8) │ ROM / MMIO / CODE / COW / ...
 *   0x004800 ├──────────────────────────────┤
 *            │ port bitmap (65536 bits)     │ 1 = a host handler owns the port
 *   0x006800 ├──────────────────────────────┤
 *            │ dirty bitmap (4096 bits)     │ one bit per physical page
 *   0x006A00 ├──────────────────────────────┤
 *            │ breakpoints (i32 × 64)       │ linear addresses
 *   0x006B00 ├──────────────────────────────┤
 *            │ code bitmap (1 bit / 32 B)   │ translated code below 1.06 MiB
 *   0x008000 ├──────────────────────────────┤
 *            │ page → frame (i32 × 4096)    │ host address backing each page
 *   0x00C000 ├──────────────────────────────┤
 *            │ translation cache (16 × 1024)│ block → function-table index
 *   0x010000 ├──────────────────────────────┤
 *            │ AssemblyScript static data   │ (memoryBase = 64 KiB)
 *   0x100000 ├──────────────────────────────┤ GUEST_BASE
 *            │ guest physical memory        │ up to 16 MiB
 *            ├──────────────────────────────┤
 *            │ shared frame pool            │ COW / dedup frames (grows)
 *            └──────────────────────────────┘
 */

// ---------------------------------------------------------------- CPU state
export const STATE: i32 = 0x1000;

/** General registers, 32 bits each, in x86 encoding order:
 *  EAX ECX EDX EBX ESP EBP ESI EDI. 16-bit and 8-bit views alias them
 *  little-endian, so AL = REGS+0, AH = REGS+1, CL = REGS+4, ... */
export const REGS: i32 = STATE + 0x00;
/** Instruction pointer (offset within CS). */
export const REG_IP: i32 = STATE + 0x20;
/** FLAGS as last materialised. The six arithmetic flags may be stale while
 *  LAZY_OP != 0: read them through flags.ts, never directly. */
export const REG_FLAGS: i32 = STATE + 0x24;
/** Segment selectors (i32 each) in encoding order: ES CS SS DS FS GS. */
export const SEG_SEL: i32 = STATE + 0x28;
/** Cached segment bases (selector << 4 in real mode), same order. */
export const SEG_BASE: i32 = STATE + 0x40;

/** Lazy condition codes (see cpu/flags.ts): the kind and width of the last
 *  flag-setting operation, its operands and its result. */
export const LAZY_OP: i32 = STATE + 0x60;
export const LAZY_A: i32 = STATE + 0x64;
export const LAZY_B: i32 = STATE + 0x68;
export const LAZY_R: i32 = STATE + 0x6C;

/** Control registers. CR0 holds the 286's machine status word in its low
 *  16 bits (SMSW/LMSW); PE and PG always read 0 (real mode only). CR2 and
 *  CR3 are the 386's, kept only so MOV to and from them round-trips. */
export const CR0: i32 = STATE + 0x70;
export const CR2: i32 = STATE + 0x74;
export const CR3: i32 = STATE + 0x78;

/** The word a rotate's CF and OF are read from while LAZY_OP has its XR
 *  bit (cpu/flags.ts): the translator's records of ROL/ROR keep the
 *  result here rather than work the two flags out. */
export const LAZY_X: i32 = STATE + 0x7C;

/** Retired instruction count (i64) and the count at which run() stops. */
export const ICOUNT: i32 = STATE + 0x80;
export const ICOUNT_STOP: i32 = STATE + 0x88;

/** CPU model: 0 = 8086, 1 = 286, 2 = 386 (real mode). */
export const CPU_MODEL: i32 = STATE + 0x90;
/** Non-zero while something needs the run loop's attention between
 *  instructions (an IRQ line, NMI, trap flag, interrupt shadow, stop
 *  request). Keeps the fast path to one test. */
export const EVENTS: i32 = STATE + 0x94;
/** Level of the INTR line from the interrupt controller (0/1). */
export const IRQ_LINE: i32 = STATE + 0x98;
/** A latched NMI request (0/1). */
export const NMI_PENDING: i32 = STATE + 0x9C;
/** 1 while halted (HLT), until an interrupt arrives. */
export const HALTED: i32 = STATE + 0xA4;
/** Set by the host (from a handler) to make run() return at the next
 *  instruction boundary. */
export const STOP_REQUEST: i32 = STATE + 0xA8;
/** Linear address of the current instruction's first byte and its IP —
 *  where faults restart and REP iterations resume. */
export const INSN_IP: i32 = STATE + 0xAC;
/** Pending guest fault (vector) raised mid-instruction, or -1. */
export const FAULT_VECTOR: i32 = STATE + 0xB0;
/** A20 gate (1 = enabled, addresses above 1 MiB reach the HMA). */
export const A20: i32 = STATE + 0xB4;
/** Guest physical memory size in bytes. */
export const MEM_SIZE: i32 = STATE + 0xB8;
/** Number of active breakpoints. */
export const BP_COUNT: i32 = STATE + 0xBC;
/** 1 while a REP string instruction is part-way through its iterations. */
export const REP_ACTIVE: i32 = STATE + 0xC0;
/** Interrupt shadow (i64): the ICOUNT at which STI / MOV SS / POP SS
 *  retired. Interrupts wait while ICOUNT still equals it, i.e. until one
 *  more instruction has run — however often the boundary is examined. */
export const SHADOW_AT: i32 = STATE + 0xC8;
/** Interrupt descriptor table register (386 LIDT/SIDT): in real mode the
 *  base of the interrupt vector table, 0 at reset, and its limit. */
export const IDTR_BASE: i32 = STATE + 0xD0;
export const IDTR_LIMIT: i32 = STATE + 0xD4;
/** Global descriptor table register (LGDT/SGDT; unused in real mode). */
export const GDTR_BASE: i32 = STATE + 0xD8;
export const GDTR_LIMIT: i32 = STATE + 0xDC;
/** Debug registers DR0–DR3, DR6, DR7 (i32 × 6; DR4/DR5 alias DR6/DR7).
 *  Stored, not acted on: no hardware breakpoints. */
export const DEBUG_REGS: i32 = STATE + 0xE0;

// -------------------------------------------------------- statistics (i32)
export const STATS: i32 = STATE + 0x100;
export const STAT_PORT_IN: i32 = STATS + 0x00;
export const STAT_PORT_OUT: i32 = STATS + 0x04;
export const STAT_PORT_UNHANDLED_IN: i32 = STATS + 0x08;
export const STAT_PORT_UNHANDLED_OUT: i32 = STATS + 0x0C;
export const STAT_MMIO: i32 = STATS + 0x10;
export const STAT_ROM_WRITES: i32 = STATS + 0x14;
export const STAT_COW_BREAKS: i32 = STATS + 0x18;
export const STAT_CODE_WRITES: i32 = STATS + 0x1C;
export const STAT_INTERRUPTS: i32 = STATS + 0x20;
export const STAT_EXCEPTIONS: i32 = STATS + 0x24;
export const STAT_TLB_SLOW: i32 = STATS + 0x28;
export const STAT_OPEN_BUS: i32 = STATS + 0x2C;
/** REP MOVS/STOS/CMPS/SCAS chunks done in bulk (cpu/string.ts). */
export const STAT_REP_BULK: i32 = STATS + 0x30;
export const STATS_END: i32 = STATS + 0x40;

// -------------------------------------------------- translator (src/jit)
/** 1 when translated code may run (the "jit" engine). */
export const JIT_ENABLED: i32 = STATE + 0x180;
/** 1: look up translated code at the next instruction boundary (set by
 *  every control transfer, and after a translated block returns). */
export const JIT_LOOKUP: i32 = STATE + 0x184;
/** Block entries before a block is translated (0: at the first). */
export const JIT_THRESHOLD: i32 = STATE + 0x188;
/** The block the host is asked to translate (EXIT_COMPILE): its linear
 *  address, CS base and the cache slot to fill. */
export const JIT_REQ_LINEAR: i32 = STATE + 0x18C;
export const JIT_REQ_CSBASE: i32 = STATE + 0x190;
export const JIT_REQ_SLOT: i32 = STATE + 0x194;
/** Counters: translated blocks entered, lookups, lookups that found no
 *  translation, and blocks skipped for lack of instruction budget. */
export const JIT_STAT_RUNS: i32 = STATE + 0x198;
export const JIT_STAT_LOOKUPS: i32 = STATE + 0x19C;
export const JIT_STAT_MISSES: i32 = STATE + 0x1A0;
export const JIT_STAT_BUDGET: i32 = STATE + 0x1A4;
/** Instructions retired inside translated blocks (i64). */
export const JIT_STAT_INSNS: i32 = STATE + 0x1A8;
/** ICOUNT where the last run() stopped for its budget (i64): entries
 *  within JIT_CUT_WINDOW instructions of a cut are not counted toward
 *  translation (assembly/jit/dispatch.ts). */
export const JIT_CUT: i32 = STATE + 0x1B0;
/** Which of a region's entry points the core is entering it at: the
 *  host's entry code from the cache slot (0: the region's first block),
 *  read by the function's prologue (src/jit/translate.ts). */
export const JIT_ENTRY: i32 = STATE + 0x1B8;
/** Side exits: translated code that left at a memory access the TLB's
 *  fast paths could not do (MMIO, ROM, a code chunk, copy-on-write, dirty
 *  logging, a page or segment crossed), for the interpreter to run it
 *  (src/jit/memory.ts). */
export const JIT_STAT_SIDE: i32 = STATE + 0x1BC;
/** Set (nonzero) by translated code that found an access group's test
 *  failed (src/jit/groups.ts) before it left at a side exit: the core
 *  clears it and hands the host EXIT_DEOPT, which translates the page's
 *  regions again without groups. */
export const JIT_DEOPT: i32 = STATE + 0x1C0;
/** The stack window (assembly/jit/stackwindow.ts): its lowest offset in
 *  SS and its length (0: none; anything that may make it stale sets 0),
 *  and the SS base it was worked out for. Read by translated PUSH/POP. */
export const JIT_WINDOW_LO: i32 = STATE + 0x1C4;
export const JIT_WINDOW_LEN: i32 = STATE + 0x1C8;
export const JIT_WINDOW_BASE: i32 = STATE + 0x1CC;

// --------------------------------------------------------------- memory map
/** Number of linear pages real mode can address: 0x000000–0x10FFEF. */
export const LIN_PAGES: i32 = 0x110;
export const TLB_READ: i32 = 0x2000;
export const TLB_WRITE: i32 = 0x2800;
export const PAGE_PHYS: i32 = 0x3000;
/** Flags per physical page (u8), up to 4096 pages (16 MiB). */
export const PAGE_FLAGS: i32 = 0x3800;
export const MAX_PHYS_PAGES: i32 = 4096;
export const PORT_BITMAP: i32 = 0x4800;
export const DIRTY_BITMAP: i32 = 0x6800;
export const BREAKPOINTS: i32 = 0x6A00;
export const MAX_BREAKPOINTS: i32 = 64;
/** One bit per 32-byte chunk of physical memory below CODE_BITMAP_LIMIT
 *  (all real mode can fetch from): set where translated code was decoded
 *  from. Written by the host (src/jit/engine.ts), read by the write slow
 *  path for pages flagged PF_JIT_CODE. 4,352 bytes. */
export const CODE_BITMAP: i32 = 0x6B00;
export const CODE_BITMAP_LIMIT: i32 = 0x110000;
/** Host (linear-memory) address of the 4 KiB frame backing each physical
 *  page. Normally GUEST_BASE + page * 4096 (the page's "home" frame); a
 *  copy-on-write page points at a shared frame in the pool instead. */
export const PAGE_FRAME: i32 = 0x8000;

/** The translation cache (src/jit): JIT_SLOTS direct-mapped entries of
 *  16 bytes, keyed by the block's physical address and CS base:
 *    +0 physical address (-1: empty)   +4 CS base
 *    +8 0: not translated, -1: never translate; otherwise
 *
 *         31 30         20 19                 0
 *        ┌──┬─────────────┬──────────────────────┐
 *        │0 │ entry code  │ function-table index │
 *        └──┴─────────────┴──────────────────────┘
 *
 *       (the entry code goes to JIT_ENTRY: which block of the region
 *       the function starts at; 0 for the block it was translated for)
 *    +12 entries counted so far, or the block's instruction count once
 *        translated (the budget check before running it) */
export const JIT_CACHE: i32 = 0xC000;
export const JIT_SLOTS: i32 = 1024;
/** Where a slot word's entry code starts: the index takes the bits below. */
export const JIT_ENTRY_SHIFT: i32 = 20;

/** Guest physical address 0 lives here in linear memory. */
export const GUEST_BASE: i32 = 0x100000;
export const MAX_MEM_SIZE: i32 = 16 << 20;
