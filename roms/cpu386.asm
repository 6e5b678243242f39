; cpu386.asm — a boot sector written for the 386 in real mode: 32-bit
; registers and arithmetic, SIB addressing, FS/GS, MOVZX/MOVSX, SETcc,
; BT/BSF/BSR, SHLD/SHRD, IMUL r,r/m, 32-bit MUL/DIV, PUSHAD/POPAD, string
; instructions on doublewords, Jcc rel16, CPUID. Prints through INT 10h
; teletype and the debug console (E9h), then halts.
;
; Prints (checked against QEMU 7.2 + SeaBIOS, see tests/roms.test.ts):
;   "386 GenuineIntel"
;   "crc 414FA339 fact 479001600 "
;   "bits 13 0 31 1 shld 456789ABCDEF0123 ok"
; crc is CRC-32 of "The quick brown fox jumps over the lazy dog", fact =
; 12! printed in decimal by repeated 32-bit DIV; "ok" says REP MOVSD copied the string and REPE CMPSD agrees.
cpu 386
org 0x7c00
start:
%include "entry.inc"
        mov     ax, 0x0800              ; FS = GS = 0800h (scratch at 8000h)
        mov     fs, ax
        mov     gs, ax

        mov     si, msg_head
        call    puts
        xor     eax, eax
        db      0x0F, 0xA2              ; CPUID (486+; NASM's "cpu 386" refuses the mnemonic)
        mov     [fs:0], ebx
        mov     [fs:4], edx
        mov     [fs:8], ecx
        mov     byte [fs:12], 0
        push    ds
        push    fs
        pop     ds
        xor     si, si
        call    puts
        pop     ds
        call    crlf

        ; CRC-32, bit by bit, over the string
        mov     si, fox
        mov     edx, 0xFFFFFFFF
.byte:  movzx   eax, byte [si]
        test    al, al
        jz      .crcdone
        xor     edx, eax
        mov     cx, 8
.bit:   shr     edx, 1
        jnc     .nox
        xor     edx, 0xEDB88320
.nox:   loop    .bit
        inc     si
        jmp     .byte
.crcdone:
        not     edx
        mov     si, msg_crc
        call    puts
        mov     eax, edx
        call    hex32

        ; 12! with IMUL r32, r/m32, printed in decimal
        mov     eax, 1
        mov     ecx, 12
.fact:  imul    eax, ecx
        dec     ecx
        jnz     near .fact              ; Jcc rel16
        mov     si, msg_fact            ; " fact "
        call    puts
        call    dec32
        call    crlf

        ; bit scans and tests on 0x80002000
        mov     si, msg_bits
        call    puts
        mov     ebx, 0x80002000
        bsf     eax, ebx
        call    dec32                   ; 13
        bt      ebx, 12
        setc    al
        movzx   eax, al
        call    dec32                   ; 0
        bsr     eax, ebx
        call    dec32                   ; 31
        mov     ecx, 31
        bt      ebx, ecx
        setc    al
        neg     al                      ; FFh
        movsx   eax, al                 ; FFFFFFFFh
        neg     eax
        call    dec32                   ; 1

        ; 64-bit rotate left by 16 with SHLD: 0123456789ABCDEF → 456789ABCDEF0123
        mov     edx, 0x01234567
        mov     eax, 0x89ABCDEF
        mov     ebx, edx
        shld    edx, eax, 16
        shld    eax, ebx, 16
        push    eax
        mov     si, msg_shld
        call    puts
        mov     eax, edx
        call    hex32
        pop     eax
        call    hex32

        ; REP MOVSD between FS:0 and GS:100h through DS/ES, then compare
        pushad
        push    es
        push    gs
        pop     es
        mov     si, fox
        mov     di, 0x100
        mov     cx, 11                  ; 44 bytes
        rep     movsd
        mov     si, fox
        mov     di, 0x100
        mov     cx, 11
        repe    cmpsd
        pop     es
        popad
        mov     si, msg_ok
        je      .same
        mov     si, msg_bad
.same:  call    puts
        call    crlf
        hlt
        jmp     $

; print EAX as eight hex digits
hex32:  pushad
        mov     cx, 8
.h:     rol     eax, 4
        push    eax
        and     al, 0x0F
        add     al, '0'
        cmp     al, '9'
        jbe     .d
        add     al, 'A' - '9' - 1
.d:     call    putc
        pop     eax
        loop    .h
        popad
        ret

; print EAX in decimal (unsigned), by repeated DIV r32, and a space
dec32:  pushad
        mov     ebx, 10
        xor     cx, cx
.div:   xor     edx, edx
        div     ebx
        push    dx
        inc     cx
        test    eax, eax
        jnz     .div
.out:   pop     ax
        add     al, '0'
        call    putc
        loop    .out
        mov     al, ' '
        call    putc
        popad
        ret

crlf:   mov     al, 13
        call    putc
        mov     al, 10
putc:   pusha
        out     0xE9, al
        mov     ah, 0x0E
        mov     bx, 0x0007
        int     0x10
        popa
        ret
puts:   lodsb                           ; the zero-terminated string at DS:SI
        test    al, al
        jz      .e
        call    putc
        jmp     puts
.e:     ret

msg_head: db "386 ", 0
msg_crc:  db "crc ", 0
msg_fact: db " fact ", 0
msg_bits: db "bits ", 0
msg_shld: db "shld ", 0
msg_ok:   db " ok", 0
msg_bad:  db " BAD", 0
fox:      db "The quick brown fox jumps over the lazy dog", 0

times 510 - ($ - $$) db 0
        dw 0xAA55
