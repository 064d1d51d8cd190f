! div_store.s -- integer division by zero in channel 5 and a store in channel 2 of
! the same bundle (semantics reference §2.5, table "Exceptions raised inside a
! bundle", hardware-derived): the process gets SIGFPE (FPE_INTDIV = 1) and the
! store of the bundle *is* performed.  The handler resumes after the bundle.

    .include "rt.inc"
    .include "cpuutil.inc"

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    SIGACT SIGFPE, resume_handler
    {
        addd,0 0, buf, %r2
        addd,1 0, 0x55, %r1
    }
    {
        addd,0 0, .Ldone, %g16
        addd,1 0, 0, %g17
    }
    {
        stw,2 %r1, [ %r2 + 0 ]
        udivs,5 %r1, 0, %r3
    }
.Ldone:
    {
        ldd,0 %r2, 0, %r4
    }
    PUTS "buf after the bundle: "
    PUTHEX %r4
    PUTNL
    EXIT 0
    .size _start, . - _start

    .data
    .align 8
buf:
    .quad 0
