/**
 * host.ts — the functions the core imports from the TypeScript host.
 *
 * These are the only ways out of Wasm while the guest runs: port I/O to a
 * port the host registered, MMIO to a page the host registered, the
 * interrupt acknowledge cycle, and the notification that a page holding
 * translated code was written. Everything else stays inside the core.
 */

/** IN from a port with a registered handler. size is 1 or 2 (bytes). */
@external("host", "portIn")
export declare function hostPortIn(port: i32, size: i32): i32;

/** OUT to a port with a registered handler. */
@external("host", "portOut")
export declare function hostPortOut(port: i32, size: i32, value: i32): void;

/** Read from a physical address on an MMIO page. */
@external("host", "mmioRead")
export declare function hostMmioRead(addr: i32, size: i32): i32;

/** Write to a physical address on an MMIO page. */
@external("host", "mmioWrite")
export declare function hostMmioWrite(addr: i32, size: i32, value: i32): void;

/** Interrupt acknowledge: the controller hands over the vector to run
 *  (and updates its in-service state). Called only while IRQ_LINE = 1. */
@external("host", "irqAck")
export declare function hostIrqAck(): i32;

/** A guest write hit a physical page flagged as holding translated code. */
@external("host", "codeWrite")
export declare function hostCodeWrite(physAddr: i32, size: i32): void;
