! signals.s -- signal features beyond the shared suite: a handler on the
! alternate stack (SA_ONSTACK) with siginfo of a kill() (si_code SI_USER,
! si_pid), sigaltstack query, rt_sigpending while blocked, a handler that
! leaves through the rt_sigreturn system call instead of returning, and
! SA_RESETHAND: the second SIGUSR2 takes the default action and kills the
! process.

    .include "rt.inc"

    .set NR_rt_sigpending, 176
    .set NR_sigaltstack,   186
    .set SA_SIGINFO,   4
    .set SA_ONSTACK,   0x08000000
    .set SA_RESETHAND, 0x80000000
    .set SIG_BLOCK,   0
    .set SIG_UNBLOCK, 1
    .set ALTSIZE, 16384

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
    SYSCALL NR_getpid
    {
        addd,0 0, %r8, %r0              ! pid
        addd,1 0, 0x7e57, %r6           ! canary
    }
    {
        std,2 %r0, [ mypid ]
    }
    ! alternate stack
    SYSCALL NR_mmap, 0, ALTSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0
    {
        std,2 %r8, [ ss ]
        std,5 %r8, [ altbase ]
    }
    SYSCALL NR_sigaltstack, ss, 0
    SHOWDEC "sigaltstack(set) -> ", %r8
    SYSCALL NR_sigaltstack, 0, oss
    {
        ldd,0 0, [ oss + 16 ], %r1
        ldw,2 0, [ oss + 8 ], %r2
    }
    SHOWDEC "sigaltstack(query) size = ", %r1
    SHOWDEC "sigaltstack(query) flags = ", %r2
    ! 1. SA_ONSTACK | SA_SIGINFO handler
    SYSCALL NR_rt_sigaction, SIGUSR1, act_alt, 0, 8
    SYSCALL NR_kill, %r0, SIGUSR1
    {
        ldd,0 0, [ was_on_alt ], %r1
        ldd,2 0, [ got_code ], %r2
    }
    SHOWDEC "handler ran on the alternate stack: ", %r1
    SHOWDEC "si_code = ", %r2
    {
        ldd,0 0, [ got_pid_ok ], %r1
    }
    SHOWDEC "si_pid is our pid: ", %r1
    ! 2. pending while blocked
    SYSCALL NR_rt_sigprocmask, SIG_BLOCK, usr1_set, 0, 8
    SYSCALL NR_kill, %r0, SIGUSR1
    SYSCALL NR_rt_sigpending, pending, 8
    {
        ldd,0 0, [ pending ], %r1
    }
    PUTS "pending mask while blocked: "
    PUTHEXN %r1, 4
    PUTNL
    ! 3. the next delivery goes to a handler that calls rt_sigreturn itself
    SYSCALL NR_rt_sigaction, SIGUSR1, act_direct, 0, 8
    SYSCALL NR_rt_sigprocmask, SIG_UNBLOCK, usr1_set, 0, 8
    {
        ldd,0 0, [ direct_count ], %r1
    }
    SHOWDEC "direct rt_sigreturn handler calls: ", %r1
    {
        cmpedb,0 %r6, 0x7e57, %pred0
    }
    {
        ibranch .Lcanary ? %pred0
    }
    PUTS "canary lost\n"
.Lcanary:
    PUTS "registers intact\n"
    ! 4. SA_RESETHAND
    SYSCALL NR_rt_sigaction, SIGUSR2, act_once, 0, 8
    SYSCALL NR_kill, %r0, SIGUSR2
    PUTS "first SIGUSR2 handled\n"
    SYSCALL NR_kill, %r0, SIGUSR2
    PUTS "not reached\n"
    EXIT 1
    .size _start, . - _start

! on_alt(signo, info, uc): is the stack pointer inside the alternate stack?
    .type on_alt, #function
    .align 8
on_alt:
    {
        setwd wsz=8, nfx=1
        rrd,0 %usd.lo, %r3
    }
    {
        andd,0 %r3, 0xffffffffffff, %r3
        ldd,2 0, [ altbase ], %r4
    }
    {
        subd,0 %r3, %r4, %r3            ! offset into the alternate stack
        ldw,2 %r1, 8, %r5               ! si_code
    }
    {
        cmpbdb,0 %r3, ALTSIZE, %pred0   ! unsigned offset < size
        std,2 %r5, [ got_code ]
    }
    {
        ibranch .Lnot_alt ? ~%pred0
    }
    {
        addd,0 0, 1, %r3
    }
    {
        std,2 %r3, [ was_on_alt ]
    }
.Lnot_alt:
    {
        ldw,0 %r1, 16, %r5              ! si_pid
        ldd,2 0, [ mypid ], %r4
    }
    {
        cmpedb,0 %r5, %r4, %pred0
    }
    {
        ibranch .Lpid_done ? ~%pred0
    }
    {
        addd,0 0, 1, %r3
    }
    {
        std,2 %r3, [ got_pid_ok ]
    }
.Lpid_done:
    RET
    .size on_alt, . - on_alt

! on_direct(signo): count, then rt_sigreturn
    .type on_direct, #function
    .align 8
on_direct:
    {
        setwd wsz=8, nfx=1
        ldd,0 0, [ direct_count ], %r1
    }
    {
        addd,0 %r1, 1, %r1
    }
    {
        std,2 %r1, [ direct_count ]
    }
    SYSCALL NR_rt_sigreturn
    PUTS "rt_sigreturn returned\n"
    EXIT 2
    .size on_direct, . - on_direct

! on_once(signo): nothing
    .type on_once, #function
    .align 8
on_once:
    {
        setwd wsz=8, nfx=1
    }
    RET
    .size on_once, . - on_once

    .data
    .align 8
act_alt:
    .quad on_alt, SA_SIGINFO | SA_ONSTACK, 0, 0
act_direct:
    .quad on_direct, 0, 0, 0
act_once:
    .quad on_once, SA_RESETHAND, 0, 0
usr1_set:
    .quad 1 << (SIGUSR1 - 1)
ss:
    .quad 0                             ! ss_sp
    .word 0, 0                          ! ss_flags, padding
    .quad ALTSIZE                       ! ss_size
oss:
    .skip 24
altbase:
    .quad 0
mypid:
    .quad 0
was_on_alt:
    .quad 0
got_code:
    .quad -1
got_pid_ok:
    .quad 0
pending:
    .quad 0
direct_count:
    .quad 0
