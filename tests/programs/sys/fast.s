! fast.s -- the e2k "fast" system calls (trap entry 6, number in %r8,
! at most two arguments): gettimeofday, clock_gettime, getcpu and
! siggetmask, which use their own table (fast 1 is clock_gettime, not
! exit), plus the error cases.

    .include "rt.inc"

    .set SIG_BLOCK, 0
    .set CLOCK_MONOTONIC, 1

! FAST nr, a1, a2: fast system call, result in %r8
    .macro FAST nr, a1=0, a2=0
    {
        sdisp %ctpr1, 6
        addd,0 0, \nr, %r8
        addd,1 0, \a1, %r9
        addd,2 0, \a2, %r10
    }
    {
        call %ctpr1, wbs=4
    }
    .endm

    .macro SHOWDEC label, reg
    {
        addd,0 0, \reg, %r7
    }
    PUTS "\label"
    PUTSDEC %r7
    PUTNL
    .endm

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    FAST 0, tv, 0
    SHOWDEC "fast gettimeofday -> ", %r8
    {
        ldd,0 0, [ tv ], %r0
    }
    {
        cmpldb,0 %r0, 1577836800, %pred0    ! before 2020-01-01?
    }
    {
        ibranch .Ltv_ok ? ~%pred0
    }
    PUTS "bad time\n"
.Ltv_ok:
    FAST 1, CLOCK_MONOTONIC, ts
    SHOWDEC "fast clock_gettime -> ", %r8
    FAST 2, cpu, node
    SHOWDEC "fast getcpu -> ", %r8
    SYSCALL NR_rt_sigprocmask, SIG_BLOCK, usr2_set, 0, 8
    FAST 3, mask, 8
    SHOWDEC "fast siggetmask -> ", %r8
    {
        ldd,0 0, [ mask ], %r0
    }
    PUTS "blocked mask: "
    PUTHEXN %r0, 4
    PUTNL
    FAST 3, mask, 4
    SHOWDEC "fast siggetmask(size 4) -> ", %r8
    FAST 7
    SHOWDEC "fast 7 -> ", %r8
    EXIT 0
    .size _start, . - _start

    .data
    .align 8
usr2_set:
    .quad 1 << (SIGUSR2 - 1)
tv:
    .quad 0, 0
ts:
    .quad 0, 0
cpu:
    .word 0
node:
    .word 0
mask:
    .quad 0
