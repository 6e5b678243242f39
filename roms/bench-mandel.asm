; bench-mandel.asm - benchmark: fixed-point Mandelbrot set, 80x25 points.
;
; Prints:       "mandel XXXX" - a 16-bit checksum of the iteration counts of
;               all points of all frames (checksum = rol(checksum,1) + n for
;               every point, in scan order).
; Executes:     per frame 41,247 full iterations x 25 instructions = 1,031,175
;               + 1,484 escaping iterations x 13 + 2,000 points x 17 + 25
;               rows x 12 = ~1,085,000; x REPS=40 frames = ~43.4 million
;               instructions.
; Arithmetic:   8.8 signed fixed point.  Region re -2.0 .. +0.47 (step 8/256),
;               im -1.2 .. +1.2 (step 25.6/256), iteration cap 64, escape when
;               zr^2 + zi^2 > 4.0.  Products are 32-bit IMUL results shifted
;               right by 8 (byte moves), 2*zr*zi via SAL/RCL by 1; values stay
;               well inside 16 bits (|z| components <= 6.0, |z|^2 <= 72).
; Exercises:    IMUL r16 (signed 16x16->32), SAL/RCL by 1, SHL/SAR by CL,
;               NEG, XCHG, LOOP, signed JG/JLE, word ALU on memory operands
;               (ADD/DEC/INC/CMP [mem]), ROL by 1, byte register moves.
;
; Memory:       variables at 0000:0500-050B, stack below 0000:7C00.
;
; Load convention: flat binary loaded at 0000:7C00, entered with CS=0,
; IP=0x7C00, interrupts disabled; output goes to port 0xE9; the run ends
; on HLT with IF=0.  Also a valid 512-byte boot sector.

        cpu     8086
        bits    16
        org     0x7C00

%ifndef REPS
%define REPS    40              ; number of frames
%endif
MAXIT   equ     64              ; iteration cap
COLS    equ     80
FRAMES  equ     0x0500          ; word: frames left
CHK     equ     0x0502          ; word: checksum
YV      equ     0x0504          ; word: row - 12  (-12 .. 12)
XV      equ     0x0506          ; word: column    (0 .. 79)
ZR2     equ     0x0508          ; word: zr^2 of the current iteration

start:
%include "entry.inc"

        mov     word [FRAMES], REPS
        mov     [CHK], ax               ; ax = 0

.frame:
        mov     word [YV], -12
.row:
        mov     ax, [YV]
        mov     dx, 205
        imul    dx                      ; ax = (y-12) * 205
        mov     cl, 3
        sar     ax, cl                  ; ci = (y-12) * 25.6  (8.8)
        mov     di, ax                  ; di = ci
        mov     word [XV], 0
.col:
        mov     ax, [XV]
        mov     cl, 3
        shl     ax, cl
        sub     ax, 512
        mov     si, ax                  ; si = cr = x*8 - 512  (8.8)
        xor     bx, bx                  ; bx = zr
        xor     bp, bp                  ; bp = zi
        mov     cx, MAXIT
.iter:
        mov     ax, bx
        imul    ax                      ; dx:ax = zr*zr (16.16)
        mov     al, ah
        mov     ah, dl                  ; ax = zr^2 (8.8)
        mov     [ZR2], ax
        mov     ax, bp
        imul    ax                      ; dx:ax = zi*zi
        mov     al, ah
        mov     ah, dl                  ; ax = zi^2
        mov     dx, ax
        add     dx, [ZR2]               ; dx = |z|^2
        cmp     dx, 0x0400
        jg      .escaped                ; |z|^2 > 4.0
        neg     ax
        add     ax, [ZR2]
        add     ax, si                  ; ax = zr^2 - zi^2 + cr
        xchg    ax, bx                  ; bx = new zr, ax = old zr
        imul    bp                      ; dx:ax = zr*zi
        sal     ax, 1
        rcl     dx, 1                   ; dx:ax = 2*zr*zi
        mov     al, ah
        mov     ah, dl
        add     ax, di                  ; ax = 2*zr*zi + ci
        mov     bp, ax                  ; bp = new zi
        loop    .iter
.escaped:
        mov     ax, MAXIT
        sub     ax, cx                  ; ax = iterations done
        mov     dx, [CHK]
        rol     dx, 1
        add     dx, ax
        mov     [CHK], dx

        inc     word [XV]
        cmp     word [XV], COLS
        jb      .col
        inc     word [YV]
        cmp     word [YV], 12
        jle     .row
        dec     word [FRAMES]
        jnz     .frame

        ; ---- report -----------------------------------------------------
        mov     si, msg
.puts:
        lodsb
        test    al, al
        jz      .hex
        out     0xE9, al
        jmp     .puts
.hex:
        mov     ax, [CHK]
        call    print_hex
        mov     al, 10
        out     0xE9, al
        cli
halt:
        hlt
        jmp     halt

%include "print_hex.inc"

msg:    db      'mandel ', 0

        times   510-($-$$) db 0
        dw      0xAA55
