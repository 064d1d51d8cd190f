! big.s -- a guest with 256 MiB of written memory for the migration
! measurement: it maps 256 MiB, writes a word into every page (so every page
! is a "normal" page to transfer, none is elided as zero), then forever
! prints "tick" every 50 ms while dirtying 16 pages per tick.

    .set NR_write,         4
    .set NR_mmap,         90
    .set NR_nanosleep,   162
    .set PAGES,        65536

    .macro SYSCALL nr, a1=0, a2=0, a3=0, a4=0, a5=0, a6=0
    {
        sdisp %ctpr1, 3
        addd,0 0, \nr, %r8
        addd,1 0, \a1, %r9
        addd,2 0, \a2, %r10
        addd,3 0, \a3, %r11
        addd,4 0, \a4, %r12
        addd,5 0, \a5, %r13
    }
    {
        addd,0 0, \a6, %r14
        call %ctpr1, wbs=4
    }
    .endm

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    SYSCALL NR_mmap, 0, PAGES * 4096, 3, 0x12, -1, 0
    {
        addd,0 0, %r8, %r2
        addd,1 0, %r8, %r6
        addd,2 0, 0, %r5
        disp %ctpr2, .Lfill
    }
.Lfill:
    {
        std,2 %r6, [ %r6 + 0 ]
        addd,0 %r6, 4096, %r6
        addd,1 %r5, 1, %r5
    }
    {
        cmpedb,0 %r5, PAGES, %pred0
    }
    {
        ct %ctpr2 ? ~%pred0
    }
    SYSCALL NR_write, 1, ready, 6
    {
        addd,0 0, 0, %r0
    }
.Ltick:
    {
        andd,0 %r0, 4095, %r4
        addd,1 0, 0, %r5
        disp %ctpr2, .Ldirty
    }
    {
        shld,0 %r4, 16, %r4
    }
    {
        addd,0 %r2, %r4, %r6
    }
.Ldirty:
    {
        std,2 %r0, [ %r6 + 8 ]
        addd,0 %r6, 4096, %r6
        addd,1 %r5, 1, %r5
    }
    {
        cmpedb,0 %r5, 16, %pred0
    }
    {
        ct %ctpr2 ? ~%pred0
    }
    {
        addd,0 %r0, 1, %r0
    }
    SYSCALL NR_write, 1, tick, 5
    SYSCALL NR_nanosleep, ts, 0
    {
        disp %ctpr2, .Ltick
    }
    {
        ct %ctpr2
    }
    .size _start, . - _start

    .section .rodata
ready:
    .ascii "ready\n"
tick:
    .ascii "tick\n"
    .align 8
ts:
    .quad 0, 50000000
