; bench-crc.asm - benchmark: bitwise CRC-16 over a 4 KB LCG-generated buffer.
;
; Prints:       "crc 29B1 XXXX" - first the CRC of the ASCII string
;               "123456789" (self-test: 29B1 is the standard check value of
;               CRC-16/CCITT-FALSE), then a 16-bit checksum over all passes
;               (checksum = rol(checksum,1) + crc_of_pass).
; Executes:     per pass: buffer generation 4,096 bytes x 5 = ~20,500,
;               CRC 4,096 bytes x (5 + 8 bits x 3 + ~4 XORs) = ~135,000,
;               total ~155,700; x REPS=256 passes = ~39.9 million instructions.
; Algorithm:    CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, MSB first,
;               no reflection, no final XOR; one bit at a time (SHL, JNC, XOR).
;               Data: 16-bit LCG  seed = seed*25173 + 13849 (mod 2^16),
;               initial seed 1, each byte is the high byte of the new seed;
;               the seed carries over to the next pass plus 1 (without the +1
;               the data would repeat every 16 passes), so passes differ.
; Exercises:    MUL r16, ES segment override on a store ([es:di]) and on a
;               string instruction (ES: LODSB), SHL r16,1, XOR r8/r16 and
;               XOR r16,imm16, JNC, LOOP, DEC/JNZ, near CALL/RET, PUSH/POP,
;               ROL by 1, INC, word ALU on memory.
;
; Memory:       buffer at 2000:0000-2000:0FFF, variables at 0000:0500,
;               stack below 0000:7C00.
;
; Load convention: flat binary loaded at 0000:7C00, entered with CS=0,
; IP=0x7C00, interrupts disabled; output goes to port 0xE9; the run ends
; on HLT with IF=0.  Also a valid 512-byte boot sector.

        cpu     8086
        bits    16
        org     0x7C00

%ifndef REPS
%define REPS    256             ; number of passes
%endif
BUFSEG  equ     0x2000
BUFLEN  equ     4096
PASSES  equ     0x0500          ; word: passes left
CHK     equ     0x0502          ; word: checksum over all passes
SEED    equ     0x0504          ; word: LCG state
SELF    equ     0x0506          ; word: CRC of "123456789"

start:
%include "entry.inc"

        ; ---- self-test: CRC of "123456789" (ES = 0 here) ------------------
        mov     si, check_str
        mov     bx, 9
        call    crc16
        mov     [SELF], dx

        mov     word [PASSES], REPS
        mov     word [CHK], 0
        mov     word [SEED], 1
        mov     ax, BUFSEG
        mov     es, ax                  ; ES = buffer segment from now on

.pass:
        ; ---- fill the buffer from the LCG --------------------------------
        mov     ax, [SEED]
        mov     si, 25173               ; multiplier
        xor     di, di
        mov     cx, BUFLEN
.gen:
        mul     si                      ; dx:ax = seed * 25173
        add     ax, 13849               ; ax = new seed
        mov     [es:di], ah             ; store its high byte
        inc     di
        loop    .gen
        inc     ax                      ; step off the 65536-long cycle so
        mov     [SEED], ax              ; passes do not repeat every 16

        ; ---- CRC the buffer ----------------------------------------------
        xor     si, si
        mov     bx, BUFLEN
        call    crc16

        mov     ax, [CHK]
        rol     ax, 1
        add     ax, dx
        mov     [CHK], ax
        dec     word [PASSES]
        jnz     .pass

        ; ---- report -----------------------------------------------------
        mov     si, msg
.puts:
        lodsb
        test    al, al
        jz      .hex
        out     0xE9, al
        jmp     .puts
.hex:
        mov     ax, [SELF]
        call    print_hex
        mov     al, ' '
        out     0xE9, al
        mov     ax, [CHK]
        call    print_hex
        mov     al, 10
        out     0xE9, al
        cli
halt:
        hlt
        jmp     halt

; crc16: CRC-16/CCITT-FALSE of BX bytes at ES:SI.
; Out: DX = crc, SI advanced.  Clobbers AX, BX, CX.
crc16:
        mov     dx, 0xFFFF
.byte:
        es lodsb                        ; al = es:[si++]
        xor     dh, al
        mov     cx, 8
.bit:
        shl     dx, 1
        jnc     .nox
        xor     dx, 0x1021
.nox:
        loop    .bit
        dec     bx
        jnz     .byte
        ret

%include "print_hex.inc"

check_str:
        db      '123456789'
msg:    db      'crc ', 0

        times   510-($-$$) db 0
        dw      0xAA55
