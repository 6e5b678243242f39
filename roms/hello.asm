; hello.asm - minimal wasm86 guest program ("hello world").
;
; Prints:       Hello from wasm86!<LF>
; Executes:     109 instructions (9 setup + 5 per character x 19 + 5 to halt).
; Exercises:    far JMP (CS normalisation), segment register loads, CLD,
;               LODSB, TEST/JZ, OUT imm8,AL (port 0xE9 debug console),
;               CLI/HLT.
;
; Load convention: flat binary loaded at 0000:7C00, entered with CS=0,
; IP=0x7C00, interrupts disabled; output goes to port 0xE9; the run ends
; on HLT with IF=0.  Also a valid 512-byte boot sector.

        cpu     8086
        bits    16
        org     0x7C00

start:
%include "entry.inc"

        mov     si, msg
.next:
        lodsb
        test    al, al
        jz      .done
        out     0xE9, al
        jmp     .next
.done:
        cli
halt:
        hlt
        jmp     halt

msg:    db      'Hello from wasm86!', 10, 0

        times   510-($-$$) db 0
        dw      0xAA55
