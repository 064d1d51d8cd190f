! dirty.s -- a guest that dirties memory as fast as it can: it rewrites one
! word in every page of an 8 MiB buffer, over and over, and prints
! "pass N" after every 64 sweeps. It never exits (the tests stop it with
! quit). Used to show that precopy does not converge when the guest dirties
! memory faster than max-bandwidth allows.

    .set NR_write,         4
    .set NR_mmap,         90
    .set PAGES,         2048

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
        addd,1 0, 0, %r0
    }
.Lsweep:
    {
        addd,0 0, %r2, %r6
        addd,1 0, 0, %r5
        disp %ctpr2, .Lpage
    }
.Lpage:
    {
        std,2 %r0, [ %r6 + 0 ]
        addd,0 %r6, 4096, %r6
        addd,1 %r5, 1, %r5
    }
    {
        cmpedb,0 %r5, PAGES, %pred0
    }
    {
        ct %ctpr2 ? ~%pred0
    }
    {
        addd,0 %r0, 1, %r0
    }
    {
        andd,0 %r0, 63, %r4
    }
    {
        cmpedb,0 %r4, 0, %pred1
        disp %ctpr2, .Lsweep
    }
    {
        ct %ctpr2 ? ~%pred1
    }
    SYSCALL NR_write, 1, msg, 5
    {
        disp %ctpr2, .Lsweep
    }
    {
        ct %ctpr2
    }
    .size _start, . - _start

    .section .rodata
msg:
    .ascii "pass\n"
