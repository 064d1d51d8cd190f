! tags.s -- speculative mode and tags (semantics reference §9): a speculative load
! from an unmapped address yields the diagnostic value 0x4afafafa4afafafa with tag 5;
! a speculative add of it is poisoned and stays diagnostic; gettagd reads tags;
! puttagd x, 0 cleans a value; a 32-bit result over a diagnostic register leaves only
! the high word diagnostic, which 32-bit consumers ignore; a non-speculative use of a
! diagnostic value raises SIGILL with si_code ILL_ILLOPN (2), caught by a handler.

    .include "rt.inc"

    .set SA_SIGINFO, 4

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    SYSCALL NR_rt_sigaction, SIGILL, act, 0, 8
    {
        ldd,0,sm 0, 0x10, %r0              ! unmapped page: diagnostic value
    }
    {
        gettagd,2 %r0, %r1
        puttagd,5 %r0, 0, %r2
        addd,3,sm %r0, 1, %r3              ! speculative: poisoned result
    }
    PUTS "ldd,sm [0x10]: tag="
    PUTDEC %r1
    PUTS " value="
    PUTHEX %r2
    PUTNL
    {
        gettagd,2 %r3, %r1
        puttagd,5 %r3, 0, %r2
    }
    PUTS "addd,sm DV+1: tag="
    PUTDEC %r1
    PUTS " value="
    PUTHEX %r2
    PUTNL
    {
        addd,0,sm 0, 5, %r4                ! speculative on clean data: clean
    }
    {
        gettagd,2 %r4, %r1
    }
    PUTS "addd,sm 0+5: tag="
    PUTDEC %r1
    PUTS " value="
    PUTDEC %r4
    PUTNL
    {
        adds,0 0, 7, %r0                   ! low word clean, high word still diagnostic
    }
    {
        gettagd,2 %r0, %r1
        adds,1 %r0, 1, %r5                 ! 32-bit consumer: no fault
    }
    PUTS "after adds over it: tag="
    PUTDEC %r1
    PUTS " adds low+1="
    PUTDEC %r5
    PUTNL
    PUTS "non-speculative addd of it:\n"
    {
        addd,0 %r0, 0, %r6
    }
    PUTS "not reached\n"
    EXIT 1
    .size _start, . - _start

    .type on_ill, #function
    .align 8
on_ill:
    {
        setwd wsz=8, nfx=1
    }
    {
        ldw,0 %r1, 0, %r3                  ! si_signo
        ldw,2 %r1, 8, %r4                  ! si_code
    }
    PUTS "SIGILL handler: si_signo="
    PUTDEC %r3
    PUTS " si_code="
    PUTDEC %r4
    PUTNL
    EXIT 0
    .size on_ill, . - on_ill

    .data
    .align 8
act:
    .quad on_ill                           ! sa_handler
    .quad SA_SIGINFO                       ! sa_flags
    .quad 0                                ! sa_restorer
    .quad 0                                ! sa_mask
