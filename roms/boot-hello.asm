; boot-hello.asm — a boot sector that uses the BIOS: prints a greeting with
; INT 10h teletype, reports the boot drive (DL) and the conventional memory
; size (INT 12h), waits for a key (INT 16h), echoes it, and halts.
;
; Prints:  "Hello from the BIOS! drive=00 mem=640K" CR LF
;          "Press a key: " and the key typed, CR LF
; Exercises: INT 10h AH=0Eh, INT 12h, INT 16h AH=00h, DL at boot, the
; keyboard path (8042 → IRQ1 → INT 09h → BDA buffer), HLT with IF=0 at the end.
; A few thousand instructions plus the time spent waiting for the key.
cpu 8086
org 0x7c00
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        mov [drive], dl
        mov si, greeting
        call puts
        mov al, [drive]
        call puthex8
        mov si, memtext
        call puts
        int 0x12                ; AX = conventional memory in KiB
        call putdec
        mov si, ktext
        call puts
        mov ah, 0
        int 0x16                ; AL = ASCII of the key
        call putc
        mov si, crlf
        call puts
        cli
        hlt
        jmp $

puts:   lodsb                   ; print the zero-terminated string at DS:SI
        or al, al
        jz .done
        call putc
        jmp puts
.done:  ret

putc:   push bx
        mov ah, 0x0e
        mov bx, 0x0007
        int 0x10
        pop bx
        ret

%include "puthex8.inc"

putdec:                         ; AX in decimal
        xor cx, cx
        mov bx, 10
.div:   xor dx, dx
        div bx
        push dx
        inc cx
        or ax, ax
        jnz .div
.pr:    pop ax
        add al, '0'
        call putc
        loop .pr
        ret

greeting: db "Hello from the BIOS! drive=", 0
memtext:  db " mem=", 0
ktext:    db "K", 13, 10, "Press a key: ", 0
crlf:     db 13, 10, 0
drive:    db 0

times 510-($-$$) db 0
dw 0xaa55
