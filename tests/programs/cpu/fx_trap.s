! fx_trap.s -- an unmasked x87-style exception of an 80-bit op (semantics reference
! §1.7, §11.2, §14.1): with ZE unmasked in %fpcr (em bit 2 clear), fxdivxx 1/0
! raises SIGFPE; %fpsr has ZE and the error summary es set, so the kernel takes
! the code from %fpsr: FPE_FLTDIV (3).  (%pfpfr flags are all clear.)

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
        addd,0 0, 0x037f & ~4, %r7
        addd,1 0, .Ldone, %g16
        addd,2 0, 0, %g17
    }
    {
        rws,0 %r7, %fpcr
    }
    {
        rws,0 0, %fpsr
    }
    {
        nop 5
        addd,0 0, 0x3ff0000000000000, %r0
        addd,1 0, 0, %r1
    }
    {
        fdtofx,0 %r0, %r4
        fdtofx,1 %r1, %r5
    }
    PUTS "fxdivxx 1/0 with ZE unmasked in fpcr:\n"
    {
        fxdivxx,5 %r4, %r5, %r2
    }
.Ldone:
    PUTS "done\n"
    EXIT 0
    .size _start, . - _start
