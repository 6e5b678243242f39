; bench-string.asm - benchmark: string instructions over buffers in other
; segments.
;
; Prints:       "string XXXX" - a 16-bit checksum built from the mismatch
;               positions found by REPE CMPSB, the match positions found by
;               REPNE SCASB and a LODSB-summed 2 KB block, over all passes.
;               The word "string " itself is copied with a CS-override
;               REP MOVSB into segment 0x3000 and printed back from there
;               with ES-override LODSB.
; Executes:     per pass (p = passes left, REPS .. 1), counting each REP
;               iteration as one instruction:
;                 REP STOSB 8,192 + transform loop 2,048 x 6 = 12,288
;                 + REP MOVSW 4,096 + REPE CMPSB (pos+1, ~4,100 average)
;                 + REPNE SCASB (<= 256) + LODSB sum loop 2,048 x 4 = 8,192
;                 + ~50 = ~37,000;  x REPS=1200 passes = ~44.4 million.
;               Counting a whole REP instruction as one instruction instead:
;               ~20,500 per pass, ~24.6 million in total.
; Per pass:     1. fill A (2000:0000, 8 KB) with the byte p (REP STOSB)
;               2. rewrite A[0..2047] in place: A[i] = (A[i] + p + 3i) xor
;                  hi(p), with ES:LODSB / STOSB in a LOOP
;               3. copy A to B (3000:0000, 8 KB) with REP MOVSW (DS = A)
;               4. flip one byte: B[pos] ^= 0x5A, pos = (p*1237) mod 8192
;               5. REPE CMPSB A against B: finds pos; checksum += pos
;               6. REPNE SCASB B for the byte B[pos]; checksum += DI
;               7. checksum = rol(checksum + byte, 1) for each byte of the
;                  2 KB block of B holding pos (DS = B, LODSB in a LOOP)
;               Variables live at 0000:0500 and are reached with SS:
;               overrides while DS points at a buffer.
; Exercises:    REP STOSB, REP MOVSW, REPE CMPSB, REPNE SCASB, REP MOVSB
;               with CS: override, LODSB with and without ES: override,
;               STOSB, DS/ES loads from registers, SS:/ES: overrides on ALU
;               memory operands, MUL, LOOP, ROL by 1.
;
; Memory:       buffers at 2000:0000-2000:1FFF and 3000:0000-3000:1FFF,
;               variables at 0000:0500, stack below 0000:7C00.
;
; Load convention: flat binary loaded at 0000:7C00, entered with CS=0,
; IP=0x7C00, interrupts disabled; output goes to port 0xE9; the run ends
; on HLT with IF=0.  Also a valid 512-byte boot sector.

        cpu     8086
        bits    16
        org     0x7C00

%ifndef REPS
%define REPS    1200            ; number of passes
%endif
SEGA    equ     0x2000
SEGB    equ     0x3000
BUFLEN  equ     8192            ; bytes per buffer (power of two)
TRLEN   equ     2048            ; bytes rewritten / summed per pass
PASSES  equ     0x0500          ; word: passes left (p)
CHK     equ     0x0502          ; word: checksum

start:
%include "entry.inc"

        mov     word [PASSES], REPS
        mov     [CHK], ax               ; ax = 0

.pass:
        ; ---- 1. fill A with the byte p ------------------------------------
        mov     ax, [PASSES]            ; DS = 0 here
        mov     dx, SEGA
        mov     es, dx
        xor     di, di
        mov     cx, BUFLEN
        rep     stosb

        ; ---- 2. rewrite the first TRLEN bytes of A in place --------------
        mov     bl, al                  ; bl = p + 3i
        xor     si, si
        xor     di, di
        mov     cx, TRLEN
.tr:
        es lodsb                        ; al = A[i]
        add     al, bl
        xor     al, ah
        stosb                           ; A[i] = al
        add     bl, 3
        loop    .tr

        ; ---- 3. copy A to B ----------------------------------------------
        mov     ds, dx                  ; DS = A
        mov     dx, SEGB
        mov     es, dx                  ; ES = B
        xor     si, si
        xor     di, di
        mov     cx, BUFLEN/2
        rep     movsw

        ; ---- 4. flip the byte at pos -------------------------------------
        mov     ax, [ss:PASSES]
        mov     dx, 1237
        mul     dx
        and     ax, BUFLEN-1
        mov     bx, ax                  ; bx = pos
        xor     byte [es:bx], 0x5A

        ; ---- 5. find it again with REPE CMPSB ----------------------------
        xor     si, si
        xor     di, di
        mov     cx, BUFLEN
        repe    cmpsb                   ; stops just after the mismatch
        mov     ax, di
        dec     ax                      ; ax = pos
        add     [ss:CHK], ax

        ; ---- 6. REPNE SCASB for the flipped byte's value ------------------
        mov     al, [es:bx]
        xor     di, di
        mov     cx, BUFLEN
        repne   scasb                   ; di = 1 + first index holding al
        add     [ss:CHK], di

        ; ---- 7. LODSB-sum the 2 KB block of B that holds pos ---------------
        mov     ax, es
        mov     ds, ax                  ; DS = B
        mov     si, bx
        and     si, BUFLEN-TRLEN        ; block start
        mov     cx, TRLEN
        mov     dx, [ss:CHK]
        xor     ax, ax                  ; ah = 0
.sum:
        lodsb
        add     dx, ax
        rol     dx, 1
        loop    .sum

        xor     ax, ax
        mov     ds, ax                  ; DS = 0 again
        mov     [CHK], dx
        dec     word [PASSES]
        jnz     .pass

        ; ---- report: copy the label to B with CS: REP MOVSB, print it -----
        mov     si, msg                 ; ES = B still
        xor     di, di
        mov     cx, MSGLEN
        rep cs  movsb
        xor     si, si
        mov     cx, MSGLEN
.puts:
        es lodsb
        out     0xE9, al
        loop    .puts
        mov     ax, [CHK]
        call    print_hex
        mov     al, 10
        out     0xE9, al
        cli
halt:
        hlt
        jmp     halt

%include "print_hex.inc"

msg:    db      'string '
MSGLEN  equ     $-msg

        times   510-($-$$) db 0
        dw      0xAA55
