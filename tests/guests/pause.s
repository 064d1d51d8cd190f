! pause.s -- installs a SIGUSR1 handler, prints "ready" and waits in pause(2)
! until the signal comes from outside; the handler prints "handler", then
! the result of pause (-4, EINTR) is printed.

    .include "lib.inc"

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    SYSCALL NR_rt_sigaction, SIGUSR1, act, 0, 8
    PUTS "ready\n"
    SYSCALL NR_pause
    {
        addd,0 0, %r8, %r0
    }
    PUTS "pause -> "
    PUTSDEC %r0
    PUTS "\n"
    EXIT 0
    .size _start, . - _start

    .type on_usr1, #function
    .align 8
on_usr1:
    {
        setwd wsz=8, nfx=1
    }
    PUTS "handler\n"
    RET
    .size on_usr1, . - on_usr1

    .section .data
    .align 8
act:
    .quad on_usr1, 0, 0, 0
