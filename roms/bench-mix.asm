; bench-mix.asm - benchmark: mixed integer workload.
;
; Prints:       "mix XXXX" - a 16-bit checksum (add-and-rol) over all the
;               variables, tallies and accumulators at 0000:0502-057F at the
;               end of the run.
; Executes:     ~215 instructions per inner iteration (loop overhead 8, lcg
;               17, divs 32, xlats 29, tally ~100, memalu ~30), 256 inner
;               iterations per outer pass (~55,100), x REPS=750 outer passes
;               = ~41 million instructions.
; Per inner iteration (five near calls):
;   lcg     seed = seed*20021 + 1 (MUL); seed2 = xorshift16(7,9,8) (SHL/SHR
;           by CL, XOR).
;   divs    DIV r16 (dx:ax / (seed2|8000h)), DIV r8, IDIV r16 (CWD), IDIV r8
;           (CBW), IMUL m16, XCHG; operands are chosen so that no divide
;           overflow can occur (nor the 8086-only -128/-32768 quotient case).
;   xlats   8 dependent XLATs through a 256-byte permutation table, LOOP.
;   tally   (called indirectly, CALL [mem]) sets the flags three ways (CMP
;           r16, CMP r8, ADD r8) and after each calls tally16, which tries
;           all 16 Jcc (JO JNO JB JAE JE JNE JBE JA JS JNS JP JNP JL JGE JLE
;           JG) on those flags; each not-taken path adds its own weight to
;           SI with LEA; the sums go to memory.  Then JCXZ and LOOPNZ.
;   memalu  ADD/ADC/SUB/SBB/XOR/OR/AND/NEG/NOT/INC/DEC/ROL/RCR/SHL/SAR/CMP
;           on byte and word memory operands, XCHG with memory, PUSH/POP of
;           memory operands.
; Only architecturally defined flags are ever consumed (none after
; MUL/DIV/IMUL/IDIV, none of AF), and shift counts by CL stay below 8, so
; the 8086 and later CPUs must give the same checksum.
; Exercises:    near CALL/RET (direct, nested and indirect), PUSH/POP
;               (register and memory), MUL/DIV/IMUL/IDIV (byte and word),
;               CBW/CWD, XCHG (reg and mem), XLAT, LOOP/LOOPNZ/JCXZ, all 16
;               Jcc, LEA, [di+disp8] and [si+disp8] addressing, byte and word
;               ALU ops on memory operands, REP STOSW, STOSB, LODSW.
;
; Memory:       variables at 0000:0500-057F (DI = 0x0500 throughout), XLAT
;               table at 0000:0580-067F, stack below 0000:7C00.
;
; Load convention: flat binary loaded at 0000:7C00, entered with CS=0,
; IP=0x7C00, interrupts disabled; output goes to port 0xE9; the run ends
; on HLT with IF=0.  Also a valid 512-byte boot sector.

        cpu     8086
        bits    16
        org     0x7C00

%ifndef REPS
%define REPS    750             ; outer passes
%endif
INNER   equ     256             ; inner iterations per outer pass

VARS    equ     0x0500          ; 128 bytes of variables, zeroed at start;
                                ; DI = VARS throughout, so fields are
                                ; addressed as [di+field] (disp8)
OUTER   equ     0x00            ; word: outer passes left
SEED    equ     0x02            ; word: LCG state
SEED2   equ     0x04            ; word: xorshift state
QACC    equ     0x06            ; word: quotient accumulator
RACC    equ     0x08            ; word: remainder accumulator
IACC    equ     0x0A            ; 2 words: signed-division accumulators
XACC    equ     0x0E            ; byte: XLAT accumulator
BACC    equ     0x10            ; 16 bytes: byte accumulators
WACC    equ     0x20            ; 16 words: word accumulators
CNT     equ     0x40            ; 5 words: Jcc tallies, JCXZ, LOOPNZ
VARSLEN equ     0x80
TABLE   equ     VARS+VARSLEN    ; 256-byte XLAT table (0x0580-0x067F)

%macro TALLY 2                  ; jcc, weight
        %1      %%taken
        lea     si, [si+7*%2+1] ; si += 7w+1 (disp8): flags untouched
%%taken:
%endmacro

start:
%include "entry.inc"

        mov     di, VARS                ; zero the variables (ax = 0)
        mov     cx, VARSLEN/2
        rep     stosw                   ; leaves di = TABLE
        mov     al, 13                  ; TABLE[i] = 13 + 167*i (mod 256),
                                        ; a permutation
        mov     ch, 1                   ; cx = 256 (cl = 0 after REP)
.tbl:
        stosb
        add     al, 167
        loop    .tbl

        mov     di, VARS
        mov     word [di+OUTER], REPS
        inc     byte [di+SEED]          ; seed = 1
        mov     word [di+SEED2], 0x1234

.outer:
        mov     cx, INNER
.inner:
        push    cx
        call    lcg
        call    divs
        call    xlats
        call    [tally_vec]             ; indirect near call through memory
        call    memalu
        pop     cx
        loop    .inner
        dec     word [di+OUTER]
        jnz     .outer

        ; ---- fold all variables into one word -----------------------------
        lea     si, [di+SEED]
        mov     cx, (VARSLEN-SEED)/2
        xor     dx, dx
.fold:
        lodsw
        add     dx, ax
        rol     dx, 1
        loop    .fold

        mov     al, 'm'
        out     0xE9, al
        mov     al, 'i'
        out     0xE9, al
        mov     al, 'x'
        out     0xE9, al
        mov     al, ' '
        out     0xE9, al
        mov     cx, 0x0404              ; print dx as 4 hex digits:
.digit:                                 ; ch = digits left, cl = shift count
        rol     dx, cl                  ; next nibble into the low 4 bits
        mov     al, dl
        and     al, 0x0F
        add     al, '0'
        cmp     al, '9'
        jbe     .out
        add     al, 'A'-'9'-1
.out:
        out     0xE9, al
        dec     ch
        jnz     .digit
        mov     al, 10
        out     0xE9, al
        cli
halt:
        hlt
        jmp     halt

; lcg: advance both generators.  Out: AX = seed, DX = high word of the
; MUL product (< 20021), BX = seed2.  Clobbers CL, SI.
lcg:
        mov     ax, [di+SEED]
        mov     dx, 20021
        mul     dx                      ; dx:ax = seed * 20021
        inc     ax
        mov     [di+SEED], ax
        mov     bx, [di+SEED2]          ; xorshift16 (7, 9, 8)
        mov     si, bx
        mov     cl, 7
        shl     si, cl
        xor     bx, si
        mov     si, bx
        mov     cl, 9
        shr     si, cl
        xor     bx, si
        xor     bh, bl                  ; x ^= x << 8
        mov     [di+SEED2], bx
        ret

; divs: in AX, DX, BX from lcg.  Clobbers AX, BX, DX.
divs:
        or      bh, 0x80                ; divisor >= 8000h > dx: no overflow
        div     bx                      ; ax = quotient, dx = remainder
        xchg    ax, dx
        add     [di+QACC], dx
        xor     [di+RACC], ax
        mov     ax, [di+SEED2]          ; 16/8 unsigned: ah < 80h <= bl
        and     ah, 0x7F
        mov     bl, [di+SEED]
        or      bl, 0x80
        div     bl                      ; al = quotient, ah = remainder
        add     [di+BACC], al
        xor     [di+BACC+1], ah
        mov     ax, [di+SEED]           ; signed 32/16, divisor 2..7FFFh
        cwd
        mov     bx, [di+SEED2]
        and     bh, 0x7F
        or      bl, 2
        idiv    bx                      ; |quotient| <= 16384
        sub     [di+IACC], ax
        xor     [di+IACC+2], dx
        mov     al, [di+SEED2+1]        ; signed 16/8, divisor 2..63
        cbw
        and     bl, 0x3F
        or      bl, 2
        idiv    bl                      ; |quotient| <= 64
        add     [di+BACC+2], al
        sub     [di+BACC+3], ah
        mov     ax, [di+SEED]
        imul    word [di+SEED2]         ; dx:ax = seed * seed2 (signed)
        xchg    dl, dh
        xor     [di+WACC], dx
        ret

; xlats: 8 dependent table look-ups.  Clobbers AX, BX, CX.
xlats:
        mov     bx, TABLE
        mov     al, [di+SEED]
        mov     cx, 8
.x:
        xlat                            ; al = TABLE[al]
        xor     al, cl
        loop    .x
        xor     [di+XACC], al
        ret

; tally: every conditional jump, on the flags of three different operations
; (CMP r16, CMP r8, ADD r8).  Clobbers AX, BX, CX, DX, SI.
tally:
        mov     ax, [di+SEED]
        mov     dx, [di+SEED2]
        xor     si, si
        cmp     ax, dx
        call    tally16                 ; CALL leaves the flags alone
        add     [di+CNT], si
        cmp     al, dl
        call    tally16
        add     [di+CNT+2], si
        add     ah, dh
        call    tally16
        add     [di+CNT+4], si
        mov     cx, ax                  ; JCXZ: taken when cx%4 == 0
        and     cx, 3
        jcxz    .z
        inc     word [di+CNT+6]
.z:
        mov     cx, 8                   ; LOOPNZ: while the next bit is set
.lnz:
        shr     dl, 1
        test    dl, 1
        loopnz  .lnz
        add     [di+CNT+8], cx
        ret

; tally16: each of the 16 Jcc on the incoming flags; every not-taken path
; adds its own weight to SI with LEA (which leaves the flags intact).
tally16:
        TALLY   jo,  1
        TALLY   jno, 2
        TALLY   jb,  3
        TALLY   jae, 4
        TALLY   je,  5
        TALLY   jne, 6
        TALLY   jbe, 7
        TALLY   ja,  8
        TALLY   js,  9
        TALLY   jns, 10
        TALLY   jp,  11
        TALLY   jnp, 12
        TALLY   jl,  13
        TALLY   jge, 14
        TALLY   jle, 15
        TALLY   jg,  16
        ret

; memalu: ALU ops on memory operands.  Clobbers AX, CX, DX.
memalu:
        mov     ax, [di+SEED]
        mov     dx, [di+SEED2]
        add     [di+WACC+2], ax
        adc     word [di+WACC+4], 0
        sub     [di+WACC+6], dx
        sbb     word [di+WACC+8], 1
        or      [di+BACC+4], al
        and     [di+BACC+4], dh
        add     [di+BACC+5], dl
        adc     [di+BACC+6], ah
        neg     word [di+WACC+12]
        not     byte [di+BACC+7]
        inc     byte [di+BACC+8]
        dec     word [di+WACC+14]
        rol     word [di+WACC+16], 1
        rcr     byte [di+BACC+9], 1
        mov     cl, al
        and     cl, 7
        shl     word [di+WACC+18], cl
        or      [di+WACC+18], dx
        sar     byte [di+BACC+10], cl
        xor     [di+BACC+10], dl
        xchg    [di+WACC+20], ax
        add     [di+WACC+22], ax
        cmp     [di+WACC+2], dx
        jbe     .c
        inc     word [di+WACC+24]
.c:
        push    word [di+WACC+20]
        pop     word [di+WACC+26]
        ret

tally_vec:
        dw      tally

        times   510-($-$$) db 0
        dw      0xAA55
