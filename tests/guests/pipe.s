! pipe.s -- a guest holding a pipe (which cannot move to another process):
! it creates a pipe, then sleeps in a loop, printing "alive" every 50 ms.
! Migration must be refused with the pipe named as the reason.

    .set NR_write,         4
    .set NR_pipe,         42
    .set NR_nanosleep,   162

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
    SYSCALL NR_pipe, fds
.Lloop:
    SYSCALL NR_write, 1, msg, 6
    SYSCALL NR_nanosleep, ts, 0
    {
        disp %ctpr2, .Lloop
    }
    {
        ct %ctpr2
    }
    .size _start, . - _start

    .section .rodata
msg:
    .ascii "alive\n"
    .align 8
ts:
    .quad 0, 50000000

    .section .bss
    .align 8
fds:
    .skip 8
