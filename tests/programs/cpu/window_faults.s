! window_faults.s -- register-window rules (semantics reference §3.2, §4.7, §14.3):
! a %rN beyond WD.size and a call with 2*wbs > WD.size raise SIGSEGV with si_code
! SEGV_BNDERR (3); setwd below the parameter size raises SIGILL (ILL_ILLOPC, 1).
! The handler resumes after each fault by rewriting the saved IP (uc_mcontext.cr0_hi)
! to the address kept in %g16, then returns through rt_sigreturn.

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
    SYSCALL NR_rt_sigaction, SIGSEGV, act, 0, 8
    SYSCALL NR_rt_sigaction, SIGILL, act, 0, 8
    PUTS "write %r20 with a 16-register window:\n"
    {
        addd,0 0, .Lr1, %g16
    }
    {
        addd,0 0, 1, %r20
    }
.Lr1:
    PUTS "call with wbs=16 from a 16-register window:\n"
    {
        addd,0 0, .Lr2, %g16
        disp %ctpr2, callee
    }
    {
        call %ctpr2, wbs=16
    }
.Lr2:
    PUTS "in a callee with 8 parameter registers, setwd to 4 registers:\n"
    {
        disp %ctpr2, shrink
    }
    {
        call %ctpr2, wbs=4
    }
    PUTS "done\n"
    EXIT 0
    .size _start, . - _start

    .align 8
callee:
    {
        setwd wsz=8, nfx=1
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .align 8
shrink:
    {
        addd,0 0, .Lr3, %g16
    }
    {
        setwd wsz=2, nfx=1                 ! 4 registers < the 8 parameters received
    }
.Lr3:
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .type on_fault, #function
    .align 8
on_fault:
    {
        setwd wsz=8, nfx=1
    }
    {
        ldw,0 %r1, 0, %r3                  ! si_signo
        ldw,2 %r1, 8, %r4                  ! si_code
        addd,1 %r2, 48, %r5                ! &uc.uc_mcontext.cr0_hi
    }
    PUTS "  signal "
    PUTDEC %r3
    PUTS " si_code "
    PUTDEC %r4
    PUTNL
    {
        std,2 %g16, [ %r5 ]
        return %ctpr3
    }
    {
        ct %ctpr3
    }
    .size on_fault, . - on_fault

    .data
    .align 8
act:
    .quad on_fault                         ! sa_handler
    .quad SA_SIGINFO                       ! sa_flags
    .quad 0                                ! sa_restorer
    .quad 0                                ! sa_mask
