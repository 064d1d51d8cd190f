! siginfo.s -- pending signals with their siginfo. With SIGUSR1, SIGUSR2 and
! real-time signal 40 blocked it sends itself SIGUSR1 with kill (SI_USER),
! SIGUSR2 with tgkill (SI_TKILL), signal 40 twice with rt_sigqueueinfo
! (SI_QUEUE, own si_errno/si_pid/si_uid/si_value: real-time signals queue)
! and SIGUSR1 again (dropped: a standard signal does not queue). It prints the
! pending mask and "queued", then waits for a line on stdin (the tests migrate
! it there), unblocks the signals, and the SA_SIGINFO handler prints every
! delivered siginfo. si_pid/si_uid equal to its own pid/uid print as "self".

    .include "lib.inc"

    .set SIGRT8, 40

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    SYSCALL NR_getpid
    {
        std,2 %r8, [ mypid ]
        addd,0 0, %r8, %r0
    }
    SYSCALL NR_getuid
    {
        std,2 %r8, [ myuid ]
    }
    SYSCALL NR_rt_sigaction, SIGUSR1, act, 0, 8
    SYSCALL NR_rt_sigaction, SIGUSR2, act, 0, 8
    SYSCALL NR_rt_sigaction, SIGRT8, act, 0, 8
    SYSCALL NR_rt_sigprocmask, SIG_BLOCK, set, 0, 8
    SYSCALL NR_kill, %r0, SIGUSR1
    SYSCALL NR_tgkill, %r0, %r0, SIGUSR2
    SYSCALL NR_rt_sigqueueinfo, %r0, SIGRT8, info1
    {
        addd,0 0, %r8, %r1
    }
    SYSCALL NR_rt_sigqueueinfo, %r0, SIGRT8, info2
    {
        addd,0 0, %r8, %r2
    }
    SYSCALL NR_kill, %r0, SIGUSR1
    PUTS "rt_sigqueueinfo -> "
    PUTSDEC %r1
    PUTS " "
    PUTSDEC %r2
    PUTS "\n"
    SYSCALL NR_rt_sigpending, pend, 8
    {
        ldd,0 0, [ pend ], %r3
    }
    PUTS "pending "
    PUTHEX %r3
    PUTS "\nqueued\n"
    SYSCALL NR_read, 0, line, 16
    SYSCALL NR_rt_sigprocmask, SIG_UNBLOCK, set, 0, 8
    PUTS "done\n"
    EXIT 0
    .size _start, . - _start

! on_sig(signo, info, uc)
    .type on_sig, #function
    .align 8
on_sig:
    {
        setwd wsz=8, nfx=1
    }
    {
        addd,0 0, %r1, %r6
    }
    PUTS "sig "
    PUTSDEC %r0
    {
        ldw,0 %r6, 8, %r1
    }
    {
        shld,0 %r1, 32, %r1
    }
    {
        sard,0 %r1, 32, %r1
    }
    PUTS " code "
    PUTSDEC %r1
    {
        ldw,0 %r6, 4, %r1
    }
    PUTS " errno "
    PUTSDEC %r1
    PUTS " pid "
    {
        ldw,0 %r6, 16, %r1
        ldd,2 0, [ mypid ], %r2
    }
    {
        cmpedb,0 %r1, %r2, %pred0
    }
    {
        ibranch .Lpid_self ? %pred0
    }
    PUTSDEC %r1
    {
        ibranch .Lpid_done
    }
.Lpid_self:
    PUTS "self"
.Lpid_done:
    PUTS " uid "
    {
        ldw,0 %r6, 20, %r1
        ldd,2 0, [ myuid ], %r2
    }
    {
        cmpedb,0 %r1, %r2, %pred0
    }
    {
        ibranch .Luid_self ? %pred0
    }
    PUTSDEC %r1
    {
        ibranch .Luid_done
    }
.Luid_self:
    PUTS "self"
.Luid_done:
    {
        ldd,0 %r6, 24, %r1
    }
    PUTS " value "
    PUTHEX %r1
    PUTS "\n"
    RET
    .size on_sig, . - on_sig

    .section .data
    .align 8
act:
    .quad on_sig, SA_SIGINFO, 0, 0
set:
    .quad (1 << (SIGUSR1 - 1)) | (1 << (SIGUSR2 - 1)) | (1 << (SIGRT8 - 1))
info1:
    .word SIGRT8, 5, -1, 0
    .word 4242, 77
    .quad 0x1122334455
    .skip 96
info2:
    .word SIGRT8, 0, -1, 0
    .word 4243, 78
    .quad 0x66
    .skip 96

    .section .bss
    .align 8
mypid:
    .skip 8
myuid:
    .skip 8
pend:
    .skip 8
line:
    .skip 16
