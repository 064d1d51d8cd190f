! timers.s -- signals that come from the host: an interval timer
! (setitimer ITIMER_REAL, 20 ms) raises SIGALRM while the program waits in
! pause(), and again while it waits in rt_sigsuspend with SIGALRM otherwise
! blocked; the handler counts.  alarm() arms and cancels a timer.

    .include "rt.inc"

    .set NR_alarm,         27
    .set NR_pause,         29
    .set NR_setitimer,    104
    .set NR_rt_sigsuspend, 179
    .set SIGALRM, 14
    .set SIG_BLOCK, 0

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
    SYSCALL NR_rt_sigaction, SIGALRM, act, 0, 8
    SYSCALL NR_alarm, 100
    SHOWDEC "alarm(100) -> ", %r8
    SYSCALL NR_alarm, 0
    {
        cmpldb,0 0, %r8, %pred0         ! some seconds were left
    }
    {
        ibranch .Lalarm_ok ? %pred0
    }
    PUTS "alarm(0) returned nothing\n"
.Lalarm_ok:
    SYSCALL NR_setitimer, 0, itv, 0
    SHOWDEC "setitimer -> ", %r8
    SYSCALL NR_pause
    SHOWDEC "pause -> ", %r8
    {
        ldd,0 0, [ count ], %r0
    }
    SHOWDEC "SIGALRM handler calls: ", %r0
    SYSCALL NR_rt_sigprocmask, SIG_BLOCK, alrm_set, 0, 8
    SYSCALL NR_setitimer, 0, itv, 0
    SYSCALL NR_rt_sigsuspend, empty_set, 8
    SHOWDEC "rt_sigsuspend -> ", %r8
    {
        ldd,0 0, [ count ], %r0
    }
    SHOWDEC "SIGALRM handler calls: ", %r0
    SYSCALL NR_rt_sigprocmask, SIG_BLOCK, 0, old_set, 8
    {
        ldd,0 0, [ old_set ], %r0
    }
    PUTS "mask after rt_sigsuspend: "
    PUTHEXN %r0, 4
    PUTNL
    EXIT 0
    .size _start, . - _start

    .type on_alrm, #function
    .align 8
on_alrm:
    {
        setwd wsz=8, nfx=1
        ldd,0 0, [ count ], %r1
    }
    {
        addd,0 %r1, 1, %r1
    }
    {
        std,2 %r1, [ count ]
    }
    RET
    .size on_alrm, . - on_alrm

    .data
    .align 8
act:
    .quad on_alrm, 0, 0, 0
itv:
    .quad 0, 0                          ! it_interval: one shot
    .quad 0, 20000                      ! it_value: 20 ms
alrm_set:
    .quad 1 << (SIGALRM - 1)
empty_set:
    .quad 0
old_set:
    .quad 0
count:
    .quad 0
