; bench-sieve.asm - benchmark: sieve of Eratosthenes over a 16 KB byte array.
;
; Prints:       "sieve 076C XXXX" - the number of primes below 16384 (1900 =
;               0x076C) from the last pass, and a 16-bit checksum (the sum,
;               mod 2^16, of the primes found, added up over all passes).
; Executes:     ~209,900 instructions per pass (REP STOSW counted per word)
;               x REPS=200 passes = ~42 million instructions.
;               Per pass: fill 8,192 (REP STOSW), striking 28,732 multiples
;               x 4 = 114,928, outer loop over p = 2..128 ~1,000, scan of
;               16,384 bytes x 5 + 1,900 primes x 2 = 85,720.
; Exercises:    ES segment override on byte loads/stores ([es:bx], [es:di]),
;               REP STOSW, MUL, CMP/ADD/INC on registers, JB/JAE/JE/JNZ,
;               word ALU on memory (pass counter, checksum).
;
; Memory:       sieve at 1000:0000-1000:3FFF (one byte per number, 1 = prime),
;               variables at 0000:0500, stack below 0000:7C00.
;
; Load convention: flat binary loaded at 0000:7C00, entered with CS=0,
; IP=0x7C00, interrupts disabled; output goes to port 0xE9; the run ends
; on HLT with IF=0.  Also a valid 512-byte boot sector.

        cpu     8086
        bits    16
        org     0x7C00

%ifndef REPS
%define REPS    200             ; number of sieve passes
%endif
N       equ     16384           ; sieve size (numbers 0..N-1)
SIEVESEG equ    0x1000
PASSES  equ     0x0500          ; word: passes left
CHK     equ     0x0502          ; word: running checksum

start:
        cli
        jmp     0x0000:.norm            ; normalise CS:IP to 0000:7Cxx
.norm:
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x7C00
        cld
        mov     ax, SIEVESEG
        mov     es, ax                  ; ES = sieve segment throughout

        mov     word [PASSES], REPS
        mov     word [CHK], 0

.pass:
        ; ---- fill the sieve with 1 (every number is a candidate) ---------
        xor     di, di
        mov     cx, N/2
        mov     ax, 0x0101
        rep     stosw
        mov     word [es:0], 0          ; 0 and 1 are not prime

        ; ---- strike out multiples ---------------------------------------
        mov     bx, 2                   ; bx = p
.outer:
        mov     ax, bx
        mul     bx                      ; ax = p*p (dx = 0)
        cmp     ax, N
        jae     .sieved                 ; p*p >= N: done
        cmp     byte [es:bx], 0
        je      .nextp                  ; p composite: skip
        mov     di, ax                  ; strike p*p, p*p+p, ...
.mark:
        mov     byte [es:di], 0
        add     di, bx
        cmp     di, N
        jb      .mark
.nextp:
        inc     bx
        jmp     .outer

        ; ---- count the primes and sum them ------------------------------
.sieved:
        xor     bx, bx                  ; bx = n
        xor     si, si                  ; si = count
        xor     dx, dx                  ; dx = sum of primes mod 2^16
.scan:
        cmp     byte [es:bx], 0
        je      .np
        inc     si
        add     dx, bx
.np:
        inc     bx
        cmp     bx, N
        jb      .scan

        add     [CHK], dx
        dec     word [PASSES]
        jnz     .pass

        ; ---- report -----------------------------------------------------
        mov     al, 's'
        out     0xE9, al
        mov     al, 'i'
        out     0xE9, al
        mov     al, 'e'
        out     0xE9, al
        mov     al, 'v'
        out     0xE9, al
        mov     al, 'e'
        out     0xE9, al
        mov     al, ' '
        out     0xE9, al
        mov     ax, si
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

%include "print_hex.inc"

        times   510-($-$$) db 0
        dw      0xAA55
