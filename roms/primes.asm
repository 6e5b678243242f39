; primes.asm - the bundled wasm86 demo: primes below 1000.
;
; Prints:       the 168 primes below 1000 in decimal, separated by single
;               spaces, lines wrapped so that none exceeds 70 columns,
;               then a line "168 primes".  Exact output: see roms/README.md.
; Executes:     ~19,800 instructions (sieve ~4,400 of which 1,000 are
;               REP STOSB iterations; scan, wrapping and decimal conversion
;               of the 168 primes ~15,400).
; Exercises:    far JMP, segment register loads, REP STOSB, MUL, byte
;               compares with [base+disp16] addressing, near CALL/RET,
;               PUSH/POP, DIV (16-bit, decimal conversion), LOOP,
;               conditional jumps (JE/JB/JAE/JBE/JNZ/JZ), OUT imm8,AL.
;
; Memory:       sieve of 1000 bytes at 0000:8000-83E7 (one byte per number,
;               1 = prime), stack below 0000:7C00, program at 7C00-7DFF.
;
; Load convention: flat binary loaded at 0000:7C00, entered with CS=0,
; IP=0x7C00, interrupts disabled; output goes to port 0xE9; the run ends
; on HLT with IF=0.  Also a valid 512-byte boot sector.

        cpu     8086
        bits    16
        org     0x7C00

LIMIT   equ     1000            ; find primes below this
SIEVE   equ     0x8000          ; sieve array (segment 0)
WRAPCOL equ     66              ; start a new line once the column exceeds this
                                ; (66 + ' ' + 3 digits = 70 columns max)

start:
%include "entry.inc"

; ---- sieve of Eratosthenes over 0..LIMIT-1 --------------------------------
        mov     di, SIEVE
        mov     cx, LIMIT
        mov     al, 1
        rep     stosb                   ; everything is a candidate
        mov     word [SIEVE], 0         ; 0 and 1 are not prime
        mov     bx, 2                   ; bx = p
.outer:
        mov     ax, bx
        mul     bx                      ; ax = p*p (dx = 0)
        cmp     ax, LIMIT
        jae     .sieved                 ; p*p >= LIMIT: done
        cmp     byte [SIEVE+bx], 0
        je      .nextp                  ; p composite: skip
        mov     di, ax                  ; strike p*p, p*p+p, ...
.mark:
        mov     byte [SIEVE+di], 0
        add     di, bx
        cmp     di, LIMIT
        jb      .mark
.nextp:
        inc     bx
        jmp     .outer

; ---- print the primes ---------------------------------------------------
.sieved:
        xor     bx, bx                  ; bx = n
        xor     bp, bp                  ; bp = number of primes found
        xor     di, di                  ; di = current output column
.scan:
        cmp     byte [SIEVE+bx], 0
        je      .skip
        inc     bp
        test    di, di
        jz      .print                  ; first number on the line
        cmp     di, WRAPCOL
        jbe     .space
        mov     al, 10                  ; line full: wrap
        out     0xE9, al
        xor     di, di
        jmp     .print
.space:
        mov     al, ' '
        out     0xE9, al
        inc     di
.print:
        mov     ax, bx
        call    print_dec               ; cx = digits printed
        add     di, cx
.skip:
        inc     bx
        cmp     bx, LIMIT
        jb      .scan

        mov     al, 10
        out     0xE9, al
        mov     ax, bp
        call    print_dec
        mov     si, msg_primes
.puts:
        lodsb
        test    al, al
        jz      .done
        out     0xE9, al
        jmp     .puts
.done:
        cli
halt:
        hlt
        jmp     halt

; print_dec: print AX as unsigned decimal.
; Out: CX = number of digits printed.  Clobbers AX, DX.
print_dec:
        push    si
        mov     si, 10
        xor     cx, cx
.div:
        xor     dx, dx
        div     si                      ; ax = ax/10, dx = digit
        push    dx
        inc     cx
        test    ax, ax
        jnz     .div
        mov     dx, cx                  ; remember the digit count
.out:
        pop     ax
        add     al, '0'
        out     0xE9, al
        loop    .out
        mov     cx, dx
        pop     si
        ret

msg_primes:
        db      ' primes', 10, 0

        times   510-($-$$) db 0
        dw      0xAA55
