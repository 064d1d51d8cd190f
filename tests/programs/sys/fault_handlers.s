! fault_handlers.s -- handlers for synchronous exceptions that recover by
! rewriting uc_mcontext.cr0_hi (offset 48 of the ucontext): SIGFPE from an
! unsigned division by zero (si_code FPE_INTDIV), SIGILL from an unassigned
! opcode (ILL_ILLOPC, si_addr = the bundle), and SIGSEGV from a store to an
! unmapped page (SEGV_MAPERR, si_addr = the data address).

    .include "rt.inc"

    .set SA_SIGINFO, 4

    .macro SHOWDEC label, reg
    {
        addd,0 0, \reg, %r7
    }
    PUTS "\label"
    PUTSDEC %r7
    PUTNL
    .endm

! RECOVER_AT label: the handler resumes at `label`
    .macro RECOVER_AT label
    {
        addd,0 0, \label, %r5
    }
    {
        std,2 %r5, [ resume_at ]
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
    SYSCALL NR_rt_sigaction, SIGFPE, act, 0, 8
    SYSCALL NR_rt_sigaction, SIGILL, act, 0, 8
    SYSCALL NR_rt_sigaction, SIGSEGV, act, 0, 8
    ! 1. divide by zero
    RECOVER_AT .Lafter_div
    {
        addd,0 0, 1000, %r1
        addd,1 0, 0, %r2
    }
    {
        udivd,5 %r1, %r2, %r3
    }
    PUTS "not reached (div)\n"
.Lafter_div:
    CALL0 report
    ! 2. illegal bundle
    RECOVER_AT .Lafter_ill
    {
        disp %ctpr2, bad_bundle
    }
    {
        addd,0 0, bad_bundle, %r4
        ct %ctpr2
    }
    PUTS "not reached (ill)\n"
.Lafter_ill:
    CALL0 report
    {
        ldd,0 0, [ last_addr ], %r0
    }
    {
        cmpedb,0 %r0, %r4, %pred0
    }
    {
        ibranch .Lill_addr ? %pred0
    }
    PUTS "SIGILL si_addr is not the bundle\n"
.Lill_addr:
    ! 3. store to an unmapped address
    RECOVER_AT .Lafter_segv
    {
        addd,0 0, 0x48, %r1
    }
    {
        std,2 %r1, [ %r1 ]
    }
    PUTS "not reached (segv)\n"
.Lafter_segv:
    CALL0 report
    {
        ldd,0 0, [ last_addr ], %r0
    }
    PUTS "SIGSEGV si_addr: "
    PUTHEXN %r0, 4
    PUTNL
    EXIT 0
    .size _start, . - _start

! report(): print the last signal seen by the handler
    .type report, #function
    .align 8
report:
    {
        setwd wsz=8, nfx=1
    }
    {
        ldd,0 0, [ last_sig ], %r0
        ldd,2 0, [ last_code ], %r1
    }
    PUTS "signal "
    PUTDEC %r0
    PUTS " si_code "
    PUTDEC %r1
    PUTNL
    RET
    .size report, . - report

! on_fault(signo, info, uc): record and resume at resume_at
    .type on_fault, #function
    .align 8
on_fault:
    {
        setwd wsz=8, nfx=1
        ldw,0 %r1, 8, %r3               ! si_code
        ldd,2 %r1, 16, %r4              ! si_addr
    }
    {
        std,2 %r0, [ last_sig ]
        std,5 %r3, [ last_code ]
    }
    {
        ldd,0 0, [ resume_at ], %r5
    }
    {
        std,2 %r4, [ last_addr ]
        std,5 %r5, [ %r2 + 48 ]         ! uc_mcontext.cr0_hi
    }
    RET
    .size on_fault, . - on_fault

    .align 8
bad_bundle:
    .word 0x04000001                    ! HS: ALS0 present
    .word 0x0dc0c080                    ! ALS0: unassigned opcode 0x0d

    .data
    .align 8
act:
    .quad on_fault, SA_SIGINFO, 0, 0
resume_at:
    .quad 0
last_sig:
    .quad 0
last_code:
    .quad 0
last_addr:
    .quad 0
