! upsr_ac.s -- UPSR.ac (bit 2, "trap on misaligned access when 1", semantics
! reference §1.2, §13.3, §14.1 addr_not_aligned -> SIGBUS BUS_ADRALN with the data
! address): with ac set, a misaligned ldw faults; an aligned one does not; with
! ac clear again the misaligned load works.

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
    SIGACT SIGBUS, resume_handler
    {
        rrs,0 %upsr, %r0
    }
    {
        ord,0 %r0, 4, %r1                  ! ac = 1
    }
    {
        rws,0 %r1, %upsr
    }
    {
        nop 5
        addd,0 0, buf, %g17
        addd,1 0, .Lf1_done, %g16
    }
    {
        ldw,0 0, [ buf + 4 ], %r2          ! aligned: fine
    }
    PUTS "aligned ldw with ac=1: ok\n"
    PUTS "misaligned ldw with ac=1:\n"
    {
        ldw,0 0, [ buf + 3 ], %r2
    }
.Lf1_done:
    {
        rws,0 %r0, %upsr
    }
    {
        nop 5
    }
    {
        ldw,0 0, [ buf + 3 ], %r2
    }
    PUTS "misaligned ldw with ac=0: "
    PUTHEXN %r2, 8
    PUTNL
    EXIT 0
    .size _start, . - _start

    .data
    .align 8
buf:
    .byte 0, 1, 2, 3, 4, 5, 6, 7
