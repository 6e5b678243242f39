; textdemo.asm — a text-mode demo boot sector that draws everything with the
; video BIOS: a blue screen, a grey box with a double-line border and a drop
; shadow, a title, and colour bars for all 16 foreground and all 16
; background colours, then halts.
;
; Shows (80×25, mode 03h, rows/columns 0-based):
;   whole screen         blank, attribute 17h (grey on blue)
;   rows 5-19, cols 12-69  shadow, attribute 08h
;   rows 4-18, cols 10-67  the box, attribute 70h (black on grey), border
;                        ╔═╗ ║ ╚═╝ (C9h CDh BBh BAh C8h BCh)
;   row 4, col 28        title " wasm86 text-mode demo " in 1Fh
;   row 6                "16 foreground colours (attribute 0Xh):"
;   row 7                hex digits 0…F at cols 13, 16, …, 58 (attr 70h)
;   row 8                "██" (DBh DBh) at the same columns in attribute 0Xh
;   row 10               "16 background colours (attribute X0h, blink off):"
;   row 11               two blanks at the same columns in attribute X0h
;   row 13               "write string AL=02h:" then "wasm86" with one
;                        attribute per character (0Ch 0Eh 0Ah 0Bh 09h 0Dh)
;   row 15               "teletype keeps the attribute" typed with AH=0Eh
;                        (the cells keep the box's 70h)
;   the cursor ends at row 15, col 41.
; Exact text screen (CP437): see tests/roms.test.ts.
;
; Exercises: INT 10h AH=00h (mode 03h), AX=1003h (blink off: bright
; backgrounds), AH=06h (clear a window with an attribute), AH=02h (set
; cursor), AH=09h (write char+attr, with a repeat count), AH=13h AL=00h and
; AL=02h (write string, plain and with char/attr pairs), AH=0Eh (teletype in
; text mode leaves the attribute alone). No keyboard, no timer: deterministic.
; Ends with CLI; HLT.
cpu 8086
org 0x7c00
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax              ; ES:BP for AH=13h
        mov ss, ax
        mov sp, 0x7c00
        sti
        cld

        mov ax, 0x0003          ; mode 03h: 80×25 colour text
        int 0x10
        mov ax, 0x1003          ; BL=00h: attribute bit 7 = bright background
        xor bx, bx
        int 0x10

        ; clears: whole screen, shadow, box (SI walks a table of windows)
        mov si, windows
        mov bp, 3
.win:   lodsw                   ; AL = attribute, AH = 0
        mov bh, al
        lodsw
        xchg cx, ax             ; CX = top-left (row:col)
        lodsw
        xchg dx, ax             ; DX = bottom-right
        mov ax, 0x0600          ; AL=0: clear the window
        int 0x10
        dec bp
        jnz .win

        ; the border
        mov bl, 0x70
        mov dx, 0x040a          ; row 4, col 10
        mov si, 0xbbc9          ; ╔ … ╗
        call hline
        mov dx, 0x120a          ; row 18
        mov si, 0xbcc8          ; ╚ … ╝
        call hline
        mov dx, 0x050a          ; sides, rows 5-17
.side:  mov al, 0xba            ; ║
        mov cx, 1
        call putn
        mov dl, 67
        call putn
        mov dl, 10
        inc dh
        cmp dh, 18
        jb .side

        ; the colour bars: i = 0…15 at column 13 + 3i
        xor di, di
        mov dl, 13
.bar:   mov ax, di
        add al, '0'
        cmp al, '9'
        jbe .dig
        add al, 'A' - '0' - 10
.dig:   mov bl, 0x70
        mov dh, 7
        mov cx, 1
        call putn
        mov cx, 2
        mov al, 0xdb            ; █
        mov bx, di              ; attribute 0Xh
        inc dh
        call putn
        mov al, ' '
        mov cl, 4
        shl bl, cl              ; attribute X0h
        mov cx, 2
        mov dh, 11
        call putn
        add dl, 3
        inc di
        cmp di, 16
        jb .bar

        ; the strings (AH=13h)
        mov si, strings
.str:   lodsw                   ; AL = col, AH = row
        xchg dx, ax
        cmp dh, 0xff
        je .tty
        lodsw                   ; AL = attribute (00h: char/attr pairs), AH = length
        xor bx, bx
        xor cx, cx
        mov bl, al
        mov cl, ah
        mov bp, si
        add si, cx
        mov ax, 0x1300
        or bl, bl
        jnz .plain
        add si, cx              ; pairs: twice the length
        mov al, 0x02
.plain: push si
        int 0x10
        pop si
        jmp .str

        ; teletype (AH=0Eh) from the cursor set by AH=02h
.tty:   mov dx, 0x0f0d          ; row 15, col 13
        mov bh, 0
        mov ah, 0x02
        int 0x10
.ch:    lodsb
        or al, al
        jz .done
        mov ah, 0x0e
        int 0x10
        jmp .ch
.done:  cli
        hlt
        jmp .done

; hline: a border line at DH:DL (col 10) to col 67, SI = right:left corner
hline:  xchg ax, si
        mov cx, 1
        call putn               ; left corner
        mov al, ah
        mov dl, 67
        call putn               ; right corner
        mov al, 0xcd            ; ═ × 56
        mov cl, 56
        mov dl, 11
        ; fall through

; putn: CX copies of AL in attribute BL at row DH, col DL (page 0)
putn:   push ax
        push bx
        mov bh, 0
        mov ah, 0x02
        int 0x10
        mov ah, 0x09
        int 0x10
        pop bx
        pop ax
        ret

; windows: attribute, 0, top-left (col, row), bottom-right (col, row)
windows:
        db 0x17, 0,  0, 0,   79, 24
        db 0x08, 0, 12, 5,   69, 19
        db 0x70, 0, 10, 4,   67, 18

; strings: col, row, attribute (00h = char/attr pairs), length, text
strings:
        db 28, 4, 0x1f, 23, " wasm86 text-mode demo "
        db 13, 6, 0x70, 38, "16 foreground colours (attribute 0Xh):"
        db 13, 10, 0x70, 49, "16 background colours (attribute X0h, blink off):"
        db 13, 13, 0x70, 20, "write string AL=02h:"
        db 34, 13, 0, 6, "w", 0x0c, "a", 0x0e, "s", 0x0a, "m", 0x0b, "8", 0x09, "6", 0x0d
        db 0, 0xff
        db "teletype keeps the attribute", 0

times 510-($-$$) db 0
dw 0xaa55
