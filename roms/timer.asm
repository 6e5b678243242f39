; timer.asm — a boot sector that busy-waits on the two clocks DOS-era
; programs spin on, to show that time passes while a program spins: the
; BIOS tick count and the VGA vertical retrace.
;
; Prints:  "18 ticks... tick ok" CR LF
;          "60 retraces... retrace ok" CR LF
; then halts (CLI; HLT).
;
;   1. Syncs to a tick edge, then spins (interrupts on, no HLT) reading the
;      tick count at 0040:006Ch until it has advanced by 18: one second at
;      18.2 Hz. It only advances if IRQ0 → INT 08h keeps firing while the
;      CPU spins.
;   2. Spins on input status 1 (port 3DAh) waiting for 60 starts of vertical
;      retrace (bit 3 going 0 → 1): one second at 60 Hz.
; Under wasm86's virtual time the whole run takes about 2 virtual seconds
; (~50 M instructions), so the tick count ends near 36. QEMU toggles the 3DAh
; bits on every read, so there step 2 takes no time at all.
;
; Exercises: the PIT (channel 0, mode 3) → PIC → INT 08h tick in the BDA,
; STI/CLI, the VGA input status register 3DAh, INT 10h AH=0Eh.
cpu 8086
org 0x7c00
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        cld

        mov si, msg_ticks
        call puts
        mov bx, [0x46c]         ; 0040:006Ch as 0000:046Ch
.sync:  cmp bx, [0x46c]         ; wait for the next tick
        je .sync
        mov bx, [0x46c]
.tick:  mov ax, [0x46c]
        sub ax, bx
        cmp ax, 18
        jb .tick
        mov si, msg_tick_ok
        call puts

        mov si, msg_retrace
        call puts
        mov dx, 0x3da
        mov cx, 60
.out:   in al, dx               ; wait while in retrace
        test al, 0x08
        jnz .out
.in:    in al, dx               ; wait for the retrace to start
        test al, 0x08
        jz .in
        loop .out
        mov si, msg_retrace_ok
        call puts

.halt:  cli
        hlt
        jmp .halt

puts:   lodsb                   ; print the zero-terminated string at DS:SI
        or al, al
        jz .done
        mov ah, 0x0e
        mov bx, 0x0007
        int 0x10
        jmp puts
.done:  ret

msg_ticks:      db "18 ticks... ", 0
msg_tick_ok:    db "tick ok", 13, 10, 0
msg_retrace:    db "60 retraces... ", 0
msg_retrace_ok: db "retrace ok", 13, 10, 0

times 510-($-$$) db 0
dw 0xaa55
