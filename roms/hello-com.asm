; hello-com.asm — the smallest DOS program: prints a greeting with INT 21h
; AH=09h and ends with INT 21h AH=4Ch, exit code 0.
;
; Prints:  "Hello from DOS on wasm86!" CR LF
; Build:   nasm -f bin -o roms/hello-com.com roms/hello-com.asm
; Run:     wasm86 run roms/hello-com.com
;
; Unlike the .bin programs here this is not a boot sector or a bare-metal
; binary: it is a DOS .COM file (org 100h), which DOS loads at PSP:0100
; with CS = DS = ES = SS = the PSP segment. It needs wasm86's DOS layer
; (src/pc/dos) or a real DOS. 8086 instructions only.
cpu 8086
org 0x100

        mov dx, greeting        ; DS:DX -> '$'-terminated string (DS = PSP)
        mov ah, 0x09            ; DOS: write string
        int 0x21
        mov ax, 0x4c00          ; DOS: terminate, exit code AL = 0
        int 0x21

greeting: db "Hello from DOS on wasm86!", 13, 10, "$"
