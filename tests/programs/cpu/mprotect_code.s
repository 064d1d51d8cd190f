! mprotect_code.s -- taking execute permission away from code that already ran
! (and, under the JIT, was compiled: the loop is hot and the caller's loop too)
! must make the next fetch from it fault (SIGSEGV, SEGV_ACCERR = 2, at the
! function's address; cpuutil's resume_handler prints it and goes on): decoded and
! compiled code of the page is dropped. Then giving the permission back makes it
! run again. "sum(n)" adds 1 + 2 + ... + (n + 1) in a loop.

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
    SIGACT SIGSEGV, resume_handler
    {
        addd,0 0, 0, %r4                  ! rounds
        addd,1 0, 0, %r5                  ! total
    }
.Lwarm:
    CALL1 sum, 2000
    {
        addd,0 %r5, %r8, %r5
        addd,1 %r4, 1, %r4
    }
    {
        cmpbdb,0 %r4, 1500, %pred0
        disp %ctpr2, .Lwarm
    }
    {
        ct %ctpr2 ? %pred0
    }
    PUTS "warm total "
    PUTDEC %r5
    PUTNL
    SYSCALL NR_mprotect, sum_page, 4096, 1
    {
        addd,0 0, %r8, %r7
    }
    PUTS "mprotect(PROT_READ) = "
    PUTDEC %r7
    PUTNL
    {
        addd,0 0, .Lafter, %g16
        addd,1 0, sum, %g17
    }
    {
        disp %ctpr2, sum                   ! a jump: the fault hits this frame
    }
    {
        ct %ctpr2
    }
.Lafter:
    SYSCALL NR_mprotect, sum_page, 4096, 5
    {
        addd,0 0, %r8, %r7
    }
    PUTS "mprotect(PROT_READ|PROT_EXEC) = "
    PUTDEC %r7
    PUTNL
    CALL1 sum, 10
    {
        addd,0 0, %r8, %r6
    }
    PUTS "sum(10) = "
    PUTDEC %r6
    PUTNL
    EXIT 0
    .size _start, . - _start

! sum(n): 1 + 2 + ... + n, alone in its page
    .section .text.sum, "ax"
    .align 4096
sum_page:
    .type sum, #function
sum:
    {
        setwd wsz=8, nfx=1
        disp %ctpr2, .Lloop
        addd,0 0, 0, %r1
        addd,1 0, 0, %r2
    }
.Lloop:
    {
        addd,0 %r1, 1, %r1
        cmpbdb,1 %r1, %r0, %pred0
    }
    {
        addd,0 %r2, %r1, %r2
        ct %ctpr2 ? %pred0
    }
    {
        addd,0 0, %r2, %r0
    }
    RET
    .size sum, . - sum
