; mode13.asm — a VGA mode 13h (320×200, 256 colours) drawing boot sector:
; draws a test picture, waits for a key, then halts (the picture stays up).
;
; Shows (x, y in pixels; colours are indices into the default VGA palette):
;   y   0-39            16 bars, 20 px wide: bar i (x = 20i … 20i+19) in
;                       colour i, the 16 CGA colours (black, blue, … white)
;   y  48-63, x 32-287  all 256 colours: x = 32 + c is colour c
;   y  72-199           a white (0Fh) diagonal line, (20+t, 72+t), t = 0…127
;   y  80-159, x 180-259  a filled rectangle in colour 28h (bright red)
;   y 180, x 288…316    8 light-green (0Ah) dots 4 px apart, drawn with
;                       INT 10h AH=0Ch
;   text row 23, col 24 "mode 13h" in white (0Fh) on black, drawn by INT 10h
;                       AH=0Eh teletype in graphics mode (pixels at
;                       x 192-255, y 184-191)
; Everything else is black (00h). Prints nothing else.
;
; Exercises: INT 10h AH=00h (mode 13h, which clears A000:0000-F9FF), direct
; writes to video memory at A000h (REP STOSB, byte stores), INT 10h AH=0Ch
; (write pixel), AH=02h + AH=0Eh (text in a graphics mode), INT 16h AH=00h
; (wait for a key), the default 256-colour DAC palette. Ends with CLI; HLT.
cpu 8086
org 0x7c00
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        cld

        mov ax, 0x0013          ; mode 13h
        int 0x10
        mov ax, 0xa000
        mov es, ax

        ; 16 colour bars, 40 rows of 16 × 20 pixels
        xor di, di
        mov dx, 40
.row:   xor al, al
.bar:   mov cx, 20
        rep stosb
        inc al
        cmp al, 16
        jb .bar
        dec dx
        jnz .row

        ; the 256-colour band: rows 48-63, x = 32 … 287
        mov di, 48*320 + 32
        mov dx, 16
.band:  xor al, al
.col:   stosb
        inc al
        jnz .col                ; 256 pixels
        add di, 320 - 256
        dec dx
        jnz .band

        ; the diagonal line: (20+t, 72+t), t = 0 … 127
        mov di, 72*320 + 20
        mov al, 0x0f
        mov cx, 128
.diag:  mov [es:di], al
        add di, 321
        loop .diag

        ; the rectangle: 80 × 80 at (180, 80) in colour 28h
        mov di, 80*320 + 180
        mov al, 0x28
        mov dx, 80
.rect:  mov cx, 80
        rep stosb
        add di, 320 - 80
        dec dx
        jnz .rect

        ; dots with the BIOS: AH=0Ch, AL = colour, CX = x, DX = y, BH = page
        mov cx, 288
        mov dx, 180
        xor bx, bx
.dot:   mov ax, 0x0c0a
        int 0x10
        add cx, 4
        cmp cx, 320
        jb .dot

        ; the caption, teletype in colour BL
        mov ah, 0x02            ; BH = 0
        mov dx, 0x1718          ; row 23, col 24
        int 0x10
        mov si, caption
.ch:    lodsb
        or al, al
        jz .wait
        mov ah, 0x0e
        mov bx, 0x000f
        int 0x10
        jmp .ch

.wait:  mov ah, 0x00            ; wait for a key
        int 0x16
.halt:  cli
        hlt
        jmp .halt

caption: db "mode 13h", 0

times 510-($-$$) db 0
dw 0xaa55
