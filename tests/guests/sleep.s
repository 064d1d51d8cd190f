! sleep.s -- prints "before", sleeps 2.5 s in one nanosleep, prints its
! result and "after". Used to show that the monitor answers while the guest
! sleeps, that time stopped by the monitor does not count as sleep, and that a
! guest migrated in the middle of the sleep sleeps the rest on the destination.

    .include "lib.inc"

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    PUTS "before\n"
    {
        addd,0 0, rem, %r1
    }
    SYSCALL NR_nanosleep, ts, %r1
    {
        addd,0 0, %r8, %r0
    }
    PUTS "nanosleep -> "
    PUTSDEC %r0
    PUTS "\nafter\n"
    EXIT 0
    .size _start, . - _start

    .section .rodata
    .align 8
ts:
    .quad 2, 500000000

    .section .bss
    .align 8
rem:
    .skip 16
