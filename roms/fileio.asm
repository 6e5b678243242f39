; fileio.asm — a DOS .COM that exercises the DOS file handle functions:
; creates OUT.TXT in the current directory (3Ch), writes one line (40h),
; closes it (3Eh), opens it again for reading (3Dh), reads it back (3Fh),
; closes it, and prints what it read. It deletes nothing, so OUT.TXT stays
; behind for the caller to inspect.
;
; Prints:  "Read back: Hello, file! Written by FILEIO.COM on wasm86." CR LF
;          and exits with code 0.
; On any DOS error it prints "fileio: <call> failed, error XXXXh" (XXXX =
; the DOS error code from AX) and exits with that code (nonzero).
; Build:   nasm -f bin -o roms/fileio.com roms/fileio.asm
; Run:     wasm86 run roms/fileio.com   (OUT.TXT appears in the DOS directory)
;
; A DOS .COM file (org 100h; DOS loads it at PSP:0100), not a boot sector.
; 8086 instructions only.
cpu 8086
org 0x100

        mov ah, 0x3c            ; create (or truncate) OUT.TXT
        xor cx, cx              ;   CX = attributes: normal file
        mov dx, fname           ;   DS:DX -> ASCIZ name
        int 0x21                ;   AX = handle, or CF and AX = error
        mov si, s_create
        jc fail
        mov [handle], ax

        mov bx, ax              ; write the line to the new file
        mov ah, 0x40
        mov cx, line_len
        mov dx, line
        int 0x21                ;   AX = bytes written
        mov si, s_write
        jc fail
        cmp ax, line_len        ; a short write (disk full) is an error too
        mov ax, 0x001d          ;   report it as 1Dh, "write fault"
        jne fail

        mov ah, 0x3e            ; close it
        mov bx, [handle]
        int 0x21
        mov si, s_close
        jc fail

        mov ax, 0x3d00          ; open OUT.TXT again, read-only
        mov dx, fname
        int 0x21
        mov si, s_open
        jc fail
        mov [handle], ax

        mov bx, ax              ; read up to 128 bytes into the buffer
        mov ah, 0x3f
        mov cx, 128
        mov dx, buffer
        int 0x21                ;   AX = bytes read
        mov si, s_read
        jc fail
        mov [count], ax

        mov ah, 0x3e            ; close it
        mov bx, [handle]
        int 0x21
        mov si, s_close
        jc fail

        mov dx, s_said          ; "Read back: "
        mov ah, 0x09
        int 0x21
        mov ah, 0x40            ; and the bytes read, to stdout (handle 1)
        mov bx, 1
        mov cx, [count]
        mov dx, buffer
        int 0x21

        mov ax, 0x4c00          ; exit code 0
        int 0x21

; A DOS call failed: SI -> its '$'-terminated name, AX = the error code.
; Prints the message and exits with the error code as the exit code.
fail:   push ax
        mov dx, s_fail1
        mov ah, 0x09
        int 0x21
        mov dx, si
        int 0x21
        mov dx, s_fail2
        int 0x21
        pop ax
        push ax
        call hex16
        mov dx, s_fail3
        mov ah, 0x09
        int 0x21
        pop ax
        mov ah, 0x4c            ; exit code = AL, the error code
        int 0x21

; Print AX as four hex digits with INT 21h AH=02h.
hex16:  mov cx, 4
.next:  push cx
        mov cl, 4
        rol ax, cl              ; next digit into the low nibble
        pop cx
        push ax
        and al, 0x0f
        add al, '0'
        cmp al, '9'
        jbe .put
        add al, 'A' - '0' - 10
.put:   mov dl, al
        mov ah, 0x02
        int 0x21
        pop ax
        loop .next
        ret

fname:    db "OUT.TXT", 0
line:     db "Hello, file! Written by FILEIO.COM on wasm86.", 13, 10
line_len  equ $ - line
s_create: db "create$"
s_write:  db "write$"
s_close:  db "close$"
s_open:   db "open$"
s_read:   db "read$"
s_said:   db "Read back: $"
s_fail1:  db "fileio: $"
s_fail2:  db " failed, error $"
s_fail3:  db "h", 13, 10, "$"
handle:   dw 0
count:    dw 0
buffer:                         ; 128 bytes past the end of the file (DOS
                                ; gives a .COM the whole segment)
