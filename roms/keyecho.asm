; keyecho.asm — a keyboard echo boot sector: prints a prompt, then echoes
; every key it reads from the BIOS until Esc.
;
; Prints:  "keyecho: type keys, Esc quits" CR LF
;          then, per key read with INT 16h AH=00h:
;            Enter          CR LF
;            Backspace      BS, space, BS (rubs out the last character)
;            Esc            CR LF if the cursor is not in column 0, then
;                           "bye" CR LF, and halts (CLI; HLT)
;            ASCII 00h/E0h  the scan code in hex in brackets: arrows
;                           [48] [50] [4B] [4D], F1…F10 [3B]…[44]
;            anything else  the character itself (teletype)
; e.g. the keys  h i Up Enter F1 x Esc  give
;          keyecho: type keys, Esc quits
;          hi[48]
;          [3B]x
;          bye
;
; Exercises: INT 16h AH=00h (the keyboard path 8042 → IRQ1 → INT 09h → BDA
; buffer, and the CPU sleeping in the BIOS until a key comes), INT 10h
; AH=0Eh (teletype: CR, LF, BS, scrolling) and AH=03h (read cursor).
cpu 8086
org 0x7c00
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        cld
        mov si, prompt
        call puts

.key:   mov ah, 0x00
        int 0x16                ; AH = scan code, AL = ASCII
        cmp al, 0x1b
        je .esc
        cmp al, 0x0d
        je .enter
        cmp al, 0x08
        je .bs
        or al, al
        jz .scan
        cmp al, 0xe0
        je .scan
        call putc
        jmp .key

.enter: mov si, crlf
        call puts
        jmp .key

.bs:    mov si, rubout
        call puts
        jmp .key

.scan:  push ax
        mov al, '['
        call putc
        pop ax
        mov al, ah
        call puthex8
        mov al, ']'
        call putc
        jmp .key

.esc:   mov ah, 0x03            ; DL = cursor column
        mov bh, 0
        int 0x10
        or dl, dl
        jz .bye
        mov si, crlf
        call puts
.bye:   mov si, bye
        call puts
.halt:  cli
        hlt
        jmp .halt

puts:   lodsb                   ; print the zero-terminated string at DS:SI
        or al, al
        jz .done
        call putc
        jmp puts
.done:  ret

putc:   push ax
        push bx
        mov ah, 0x0e
        mov bx, 0x0007
        int 0x10
        pop bx
        pop ax
        ret

%include "puthex8.inc"

prompt: db "keyecho: type keys, Esc quits"
crlf:   db 13, 10, 0
rubout: db 8, " ", 8, 0
bye:    db "bye", 13, 10, 0

times 510-($-$$) db 0
dw 0xaa55
