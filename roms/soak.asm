; soak.asm - the translator's soak test (npm run soak, tests/jit/soak.test.ts):
; runs forever and keeps the translator busy.
;
; Prints:       one line per round: BX, a running checksum of everything the
;               stubs computed, as four hex digits ("3F1A\n"). Never halts.
; Executes:     per round P_WINDOW stubs x P_CALLS far calls x ~(4 x iter + 10)
;               instructions, iter = P_ITER + 0..63; with the defaults
;               16 x 64 x ~(4 x 2031 + 10) = ~8.3 million instructions.
; Exercises, for the translator:
;   - many distinct hot blocks: 256 stubs of 32 bytes, copied from one
;     template into 1000:0000-13FFF (64-byte stride: code in the first 32
;     bytes, the stub's data in the other 32); each round calls a window of
;     P_WINDOW of them P_CALLS times each, so every visited stub gets hot
;     and translated, and with a small function-table bound the table fills
;     and is flushed over and over;
;   - self-modifying code, two kinds: the driver rewrites each stub's
;     immediates before it visits it (a write from other code), and every
;     32nd call a stub increments the ADD immediate in its own loop from
;     inside itself (a write to code that has just run);
;     both drop the stub's translations, so invalidations never stop;
;   - code entered through different CS bases: stub k (physical
;     10000h + 40h k) is called as (1000h + 4k - j):(10h j), with the alias
;     j = (k + round) mod 4, so the same bytes are four different blocks
;     over time (the translation cache keys on physical address and CS base);
;   - data and stack in code pages: each stub's data (the word it XORs into
;     at DS:20h and its call counter at DS:22h) sits 32 bytes after its
;     code, on the same page; the stack (far-call return addresses, the
;     saved loop counter) lives in stub 0's data, and the far pointer the
;     driver calls through lives in the driver's page (0000:7E00).
; Deterministic: no ports are read, no timers, no interrupts (IF = 0).
;
; Parameters (words at 0000:7DF0, in the image: the host may patch them
; after loading, before the first instruction):
;   7DF0 P_ITER    inner-loop iterations, base (+ 0..63 per round; >= 1)
;   7DF2 P_CALLS   far calls per visited stub per round (>= 1)
;   7DF4 P_WINDOW  stubs visited per round (>= 1)
; Fewer iterations per call mean more translations per instruction.
;
; Load convention: flat binary loaded at 0000:7C00, entered with CS=0,
; IP=0x7C00, interrupts disabled; output goes to port 0xE9. Unlike the
; other roms it never halts. Also a valid 512-byte boot sector.

        cpu     8086
        bits    16
        org     0x7C00

NSTUBS  equ     256             ; stubs (the window index wraps with AND 0FFh)
STUBSEG equ     0x1000          ; segment of stub 0; stub k at STUBSEG + 4k
PTR     equ     0x7E00          ; dword: the far pointer CALLed through
SEED    equ     0x7E04          ; word: LCG state
ROUND   equ     0x7E06          ; word: round number (wraps)
ITERNOW equ     0x7E08          ; word: this round's inner-loop count
DATA    equ     0x20            ; offset of a stub's data from its base
ACC     equ     DATA            ; word: what the stub XORs BX into
CNT     equ     DATA+2          ; word: calls so far

start:
%include "entry.inc"

        ; Build the stubs: template code, zeroed data, the ADD immediate
        ; k x 9E37h.
        xor     bx, bx
        mov     dx, STUBSEG
        mov     bp, NSTUBS
.make:  mov     es, dx
        mov     si, template
        xor     di, di
        mov     cx, 16
        rep     movsw
        xor     ax, ax
        mov     cx, 16
        rep     stosw
        mov     [es:5], bx
        add     bx, 0x9E37
        add     dx, 4
        dec     bp
        jnz     .make

        ; The stack moves into stub 0's data (10024h-1003Fh; it needs 8
        ; bytes at most).
        mov     ax, STUBSEG
        mov     ss, ax
        mov     sp, 0x0040
        xor     bx, bx
        mov     word [SEED], 0x1234
        mov     word [ROUND], 0

round:  ; DS = 0 here.
        mov     ax, [SEED]              ; seed = seed x 25173 + 13849
        mov     dx, 25173
        mul     dx
        add     ax, 13849
        mov     [SEED], ax
        mov     cl, 8
        shr     ax, cl
        and     ax, 63
        add     ax, [P_ITER]
        mov     [ITERNOW], ax
        mov     ax, [ROUND]             ; the window starts at stub
        mov     cx, 37                  ; (round x 37) mod 256
        mul     cx
        mov     si, ax
        mov     bp, [P_WINDOW]

.stub:  and     si, NSTUBS-1            ; SI = k
        mov     ax, si
        shl     ax, 1
        shl     ax, 1
        add     ax, STUBSEG
        mov     es, ax                  ; ES = the stub's own segment
        mov     dx, [ITERNOW]           ; rewrite its loop count
        mov     [es:1], dx
        mov     dx, [SEED]              ; and its loop's ADD immediate
        xor     dx, si
        mov     [es:5], dx
        mov     dx, si                  ; alias j = (k + round) mod 4:
        add     dx, [ROUND]             ; call it as (seg - j):(10h j)
        and     dx, 3
        sub     ax, dx
        mov     [PTR+2], ax
        mov     cl, 4
        shl     dx, cl
        mov     [PTR], dx
        mov     di, dx                  ; the stub finds its own bytes at CS:DI
        mov     cx, [P_CALLS]
        push    es
        pop     ds                      ; DS = the stub's segment (its data)
.call:  push    cx
        call    far [cs:PTR]
        pop     cx
        loop    .call
        add     bx, [ACC]               ; fold the stub's data into BX
        xor     ax, ax
        mov     ds, ax
        inc     si
        dec     bp
        jnz     .stub

        mov     ax, bx                  ; one line per round
        call    print_hex
        mov     al, 10
        out     0xE9, al
        inc     word [ROUND]
        jmp     round

%include "print_hex.inc"

; The stub template: exactly 32 bytes, entered at any of the aliases with
; DS = its segment (data at DS:20h) and DI = the alias's offset.
; The rewritten immediate is inside the loop, so that the loop's own
; translation (a region of the loop alone, src/jit/scope.ts) is what the
; writes drop.
template:
        mov     cx, 1                   ; +0  B9 iw: rewritten by the driver
.loop:  add     bx, strict word 0       ; +3  81 C3 iw: rewritten by the
                                        ;     driver, and by the stub itself
        rol     bx, 1
        xor     [ACC], bx               ; data on the code page: no invalidation
        loop    .loop
        inc     word [CNT]
        test    byte [CNT], 31
        jnz     .ret
        inc     byte [cs:di+5]          ; every 32nd call: rewrite our own
                                        ; loop's ADD, from inside
.ret:   retf
        nop                             ; (never run: the stub is 32 bytes)
%if $-template != 32
%error "the stub template must be 32 bytes"
%endif

        times   0x1F0-($-$$) db 0
P_ITER:   dw    2000
P_CALLS:  dw    64
P_WINDOW: dw    16
        times   510-($-$$) db 0
        dw      0xAA55
