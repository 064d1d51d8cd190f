! spec_mode.s -- speculative mode and tags (semantics reference §6.3, §6.5, §9,
! §14): speculative loads of unmapped memory give the diagnostic value (DV)
! 0x4afafafa4afafafa with tag 5 (32-bit view: tag 1); tags propagate through
! 64- and 32-bit ALU ops with poisoning; gettags/gettagd/puttags/puttagd; a
! speculative store of a tagged value writes the poisoned value and memory keeps
! no tag; speculative stores to unmapped memory are dropped; speculative division
! by zero; diagnostic predicates from speculative compares (andp keeps them,
! landp with a false first operand hides them, a speculative op under one is
! executed and poisoned).  Non-speculative uses raise the hardware exceptions,
! each caught by a SA_SIGINFO handler that prints si_signo/si_code and the fault
! address relative to the faulting bundle, then resumes:
!   DV as a load address, DV as a store address, DV operand of addd,
!   non-speculative op under a diagnostic RLP predicate, ct on a diagnostic
!   predicate: SIGILL (4) ILL_ILLOPN (2) at the bundle (§9.5, §14.1, §14.3);
!   udivd by zero: SIGFPE (8) FPE_INTDIV (1) (§9.7).
! (A non-speculative store of a tagged *value* is not tested: the reference
! leaves it open, §9.5.)

    .include "rt.inc"
    .include "cpuutil.inc"

! TV text, reg: print "text tag=T value=V" (tag with gettagd, value cleaned with
! puttagd reg, 0 so that printing it does not fault)
    .macro TV text, reg
    {
        addd,0 0, 0, %r6
    }
    {
        gettagd,2 \reg, %r6
        puttagd,5 \reg, 0, %r7
    }
    PUTS "\text tag="
    PUTDEC %r6
    PUTS " value="
    PUTHEX %r7
    PUTNL
    .endm

! FAULT label: the next bundle (at `label`) is expected to fault; the handler
! prints si_addr - label and resumes after it (at label_done)
    .macro FAULT label
    {
        addd,0 0, \label, %g17
        addd,1 0, \label\()_done, %g16
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
    SIGACT SIGILL, resume_handler
    SIGACT SIGFPE, resume_handler
! ---------------------------------------------------------------- DVs from loads
    {
        ldd,0,sm 0, 0x18, %r0              ! page 0 is unmapped
        ldw,2,sm 0, 0x20, %r1
        ldd,3,sm 0, buf, %r2               ! mapped: ordinary load
    }
    TV "ldd,sm unmapped:", %r0             ! tag 5, 4afafafa4afafafa
    {
        addd,0 0, 0, %r6
    }
    {
        gettags,2 %r1, %r6                 ! the 32-bit view of the DV: tag 1
    }
    PUTS "ldw,sm unmapped: gettags="
    PUTDEC %r6
    PUTNL
    TV "ldd,sm mapped:", %r2               ! tag 0, 1122334455667788
! ---------------------------------------------------------------- propagation
! 64-bit ops on a DV are diagnostic and poisoned (OR 0x4000000040000000, §9.3):
!   DV + 1 = 4afafafa4afafafb; (DV + 1) << 4 = afafafa4afafafb0 | poison
!   = efafafa4efafafb0; xor with a clean value keeps tag 5.
! A 32-bit op reads only the low word: adds,sm DV, 1 -> 4afafafb (already has
! bit 30) with tag 1 in the low word of a clean register: gettagd = 1.
    {
        addd,0,sm %r0, 1, %r3
        addd,1 0, 0, %r4
    }
    {
        shld,0,sm %r3, 4, %r3
        adds,1,sm %r0, 1, %r4
    }
    TV "(DV+1)<<4:", %r3
    TV "adds,sm DV,1:", %r4
    {
        xord,0,sm %r3, %r2, %r3
        addd,1 0, 0, %r5
    }
    {
        gettagd,2 %r3, %r5
    }
    PUTS "xor with clean: tag="
    PUTDEC %r5
    PUTNL
! a clean 32-bit result over the DV leaves only the high word diagnostic (tag 4);
! 32-bit consumers do not fault, a speculative 64-bit consumer is poisoned:
!   (4afafafa:00000007 + 0) | poison = 4afafafa40000007
    {
        adds,0 0, 7, %r0
    }
    {
        adds,0 %r0, 1, %r5                 ! non-speculative, 32-bit: fine
        addd,1,sm %r0, 0, %r3
    }
    TV "high-word DV:", %r0
    PUTS "adds of its low word: "
    PUTDEC %r5
    PUTNL
    TV "addd,sm of it:", %r3
! ---------------------------------------------------------------- gettag/puttag
! puttagd 0x1234, 5 makes a 64-bit DV with the plain value (puttag never faults
! and is not poisoned); puttags 9, 1 a 32-bit one; puttagd x, 0 cleans (§9.4).
    {
        addd,0 0, 0x1234, %r1
        addd,1 0, 0, %r2
    }
    {
        puttagd,2 %r1, 5, %r3
        puttags,5 9, 1, %r2
    }
    TV "puttagd 0x1234,5:", %r3
    TV "puttags 9,1:", %r2
! a speculative store of the tagged value writes the poisoned value; memory holds
! no tag, so it reads back clean: 4000000040001234 tag 0 (§9.3, §9.4 loads)
    {
        std,2,sm %r3, [ buf + 8 ]
    }
    {
        ldd,0 0, [ buf + 8 ], %r4
    }
    TV "std,sm of it, ldd back:", %r4
! a speculative store to unmapped memory is dropped without a fault (§9.6)
    {
        std,2,sm %r1, [ 0x28 ]
        stw,5,sm %r1, [ 0x30 ]
    }
    PUTS "std,sm/stw,sm to unmapped: no fault\n"
! a DV load address: with ,sm the result is diagnostic (§9.4 loads)
    {
        ldd,0,sm %r3, 0, %r5
    }
    {
        gettagd,2 %r5, %r6
    }
    PUTS "ldd,sm [DV]: tag="
    PUTDEC %r6
    PUTNL
! movtd copies value and tag without a check: a DV moved to %ctpr2 does not fault
! (§5.1; jumping through it would be undefined, so it is not used)
    {
        movtd,0 %r3, %ctpr2
    }
    PUTS "movtd of a DV to %ctpr2: no fault\n"
! ---------------------------------------------------------------- division
! udivd,sm by zero: result 0, poisoned to 4000000040000000 with tag 5 (§9.2);
! udivs,sm by zero: 40000000 with tag 1 in a clean register (dbl = 0 keeps the
! high word 0).
    {
        addd,0 0, 0, %r4
    }
    {
        udivd,5,sm %r1, 0, %r3
    }
    {
        udivs,5,sm %r1, 0, %r4
    }
    TV "udivd,sm x/0:", %r3
    TV "udivs,sm x/0:", %r4
! ---------------------------------------------------------------- predicates
! cmpedb,sm on the DV in %r3 gives a diagnostic %pred0.  With %pred1 = 0:
!   andp  ~%pred1, %pred0 -> D (true AND D)  -> %pred2
!   landp  %pred1, %pred0 -> 0 (false first operand hides D) -> %pred3
! A speculative op under a D predicate is executed and poisoned:
!   addd,sm 0, 0 ? %pred0 -> 4000000040000000 tag 5 (§6.5).
! %pred3 is an ordinary false predicate: ct ? %pred3 falls through.
    {
        cmpedb,0,sm %r3, 0, %pred0
        cmpedb,1 0, 1, %pred1
    }
    {
        nop 2
    }
    {
        pass %pred0, @p0
        pass %pred1, @p1
        andp ~@p1, @p0, @p4
        pass @p4, %pred2
        landp @p1, @p0, @p5
        pass @p5, %pred3
    }
    {
        nop 2
        addd,0 0, 0, %r5
    }
    {
        addd,1,sm 0, 0, %r5 ? %pred0
    }
    TV "addd,sm under D pred:", %r5
    {
        disp %ctpr1, .Lbad
        nop 2
    }
    {
        ct %ctpr1 ? %pred3
    }
    PUTS "ct on landp(0, D): not taken, no fault\n"
! ---------------------------------------------------------------- merge, dbl
! merged selects cond ? src2 : src1 and takes the tag of the selected operand
! only (§6.6): with %pred7 = 0 the DV in src2 (%r3 = 4000000040000000, tag 5)
! is not selected: 5, tag 0.
! A diagnostic MRGC condition with ,sm gives the poisoned selected value:
! 5 | 0x4000000040000000, tag 5.  (The faulting forms are below.)
    {
        cmpedb,0 0, 1, %pred7
        cmpedb,1 0, 0, %pred8
        addd,2 0, 5, %r2
        addd,3 0, 0, %r4
    }
    {
        nop 2
    }
    {
        merged,0 %r2, %r3, %r5, %pred7
    }
    {
        gettagd,2 %r5, %r4
    }
    PUTS "merge, DV not selected: "
    PUTDEC %r5
    PUTS " tag="
    PUTDEC %r4
    PUTNL
    {
        merged,0,sm %r2, %r2, %r5, %pred0
    }
    TV "merged,sm under a D condition:", %r5
! with dbl = 1 a 32-bit result replaces the whole register (§3.6): adds,sm on the
! DV gives 0000000040000001 with the 64-bit tag 5, and a clean adds over a DV
! register leaves it completely clean (tag 0)
    {
        disp %ctpr1, dbl_test
        movtd,0 %r3, %r8                   ! passes the DV without a tag check
    }
    {
        call %ctpr1, wbs=4
    }
    {
        addd,0 0, %r8, %r5
        addd,1 0, %r9, %r6
        addd,2 0, %r10, %r7
    }
    PUTS "dbl=1: adds,sm DV,1 tag="
    PUTDEC %r5
    PUTS " value="
    PUTHEX %r6
    PUTS "; clean adds over a DV: tag="
    PUTDEC %r7
    PUTNL
! ---------------------------------------------------------------- faults
    PUTS "merge selecting a DV:\n"
    FAULT .Lf11
.Lf11:
    {
        merged,0 %r2, %r3, %r5, %pred8
    }
.Lf11_done:
    PUTS "merge under a D condition:\n"
    FAULT .Lf12
.Lf12:
    {
        merged,0 %r2, %r2, %r5, %pred0
    }
.Lf12_done:
    PUTS "ldd with a DV address:\n"
    FAULT .Lf1
.Lf1:
    {
        ldd,0 %r3, 0, %r5
    }
.Lf1_done:
    PUTS "std with a DV address:\n"
    FAULT .Lf2
.Lf2:
    {
        std,2 %r1, [ %r3 + 0 ]
    }
.Lf2_done:
! the operand fault is precise (§2.5): the store and the other ALU result of the
! bundle are not performed, so buf+8 and %r6 keep their values
    PUTS "addd with a DV operand (with a store and an add beside it):\n"
    {
        addd,0 0, 0, %r6
    }
    FAULT .Lf3
.Lf3:
    {
        addd,0 %r3, 1, %r5
        stw,2 %r1, [ buf + 8 ]
        addd,1 0, 9, %r6
    }
.Lf3_done:
    {
        ldd,0 0, [ buf + 8 ], %r7
    }
    PUTS "  buf+8="
    PUTHEX %r7
    PUTS " r6="
    PUTDEC %r6
    PUTNL
    PUTS "addd under a diagnostic predicate:\n"
    FAULT .Lf4
.Lf4:
    {
        addd,0 0, 1, %r5 ? %pred0
    }
.Lf4_done:
    PUTS "ct on andp(1, D):\n"
    {
        disp %ctpr1, .Lbad
    }
    FAULT .Lf5
.Lf5:
    {
        ct %ctpr1 ? %pred2
    }
.Lf5_done:
! andp is not lazy: andp(0, D) is D (§6.3 table); movep with a false condition
! keeps the old destination, here the diagnostic %pred0 copied to %pred6
    PUTS "ct on andp(0, D):\n"
    {
        pass %pred1, @p0
        pass %pred0, @p1
        andp @p0, @p1, @p4
        pass @p4, %pred5
        andp @p1, @p1, @p5
        pass @p5, %pred6
    }
    {
        pass %pred1, @p0
        pass %pred1, @p1
        movep @p0, @p1, @p4
        pass @p4, %pred6
    }
    {
        disp %ctpr1, .Lbad
        nop 2
    }
    FAULT .Lf7
.Lf7:
    {
        ct %ctpr1 ? %pred5
    }
.Lf7_done:
    PUTS "ct on movep(0, x) over a D predicate:\n"
    {
        disp %ctpr1, .Lbad
    }
    FAULT .Lf8
.Lf8:
    {
        ct %ctpr1 ? %pred6
    }
.Lf8_done:
! a diagnostic predicate survives setbp and a call (predicates are passed to the
! callee, §4.1, §18.2): ct on %pred5 in a callee faults
    {
        setbp psz=7
    }
    PUTS "ct on the D predicate in a callee after setbp:\n"
    CALL0 ct_on_pred5
    {
        setbp psz=0
    }
! In the loop prologue (LSR.pcnt != 0) a diagnostic predicate is tolerated (§5.3,
! §6.5): "ct ? %pred0 || %LOOP_END" only looks at loop_end (false: lcnt 5), and
! an op under "? %pred0, %pcnt0" with pcnt = 1 (%pcnt0 false) is skipped without
! a fault.  With pcnt = 0 the same ct faults.
    {
        rwd,0 (1 << 37) | 5 | (1 << 48), %lsr
        addd,1 0, 0, %r4
    }
    {
        nop 5
        disp %ctpr1, .Lbad
    }
    {
        ct %ctpr1 ? %pred0 || %LOOP_END
    }
    {
        addd,0 0, 1, %r4 ? %pred0, %pcnt0
    }
    PUTS "prologue (pcnt=1), D predicate: no fault, r4="
    PUTDEC %r4
    PUTNL
    PUTS "the same ct with pcnt=0:\n"
    {
        rwd,0 (1 << 37) | 5, %lsr
    }
    {
        nop 5
        disp %ctpr1, .Lbad
    }
    FAULT .Lf9
.Lf9:
    {
        ct %ctpr1 ? %pred0 || %LOOP_END
    }
.Lf9_done:
    {
        rwd,0 0, %lsr
    }
    PUTS "udivd by zero:\n"
    FAULT .Lf6
.Lf6:
    {
        udivd,5 %r1, 0, %r5
    }
.Lf6_done:
    PUTS "done\n"
    EXIT 0
.Lbad:
    PUTS "wrong branch\n"
    EXIT 1
    .size _start, . - _start

! dbl_test(%r0 = a DV) -> %r0 = tag, %r1 = value of adds,sm DV,1; %r2 = tag of a
! DV register after a clean adds, all with dbl = 1
    .type dbl_test, #function
    .align 8
dbl_test:
    {
        setwd wsz=8, nfx=1, dbl=1
    }
    {
        adds,0,sm %r0, 1, %r3
        movtd,1 %r0, %r4                   ! a DV copy (no tag check)
    }
    {
        adds,0 0, 7, %r4
    }
    {
        gettagd,2 %r3, %r0
        puttagd,5 %r3, 0, %r1
    }
    {
        gettagd,2 %r4, %r2
        return %ctpr3
    }
    {
        ct %ctpr3
    }
    .size dbl_test, . - dbl_test

    .type ct_on_pred5, #function
    .align 8
ct_on_pred5:
    {
        setwd wsz=8, nfx=1
        disp %ctpr1, .Lbad2
    }
    FAULT .Lf10
.Lf10:
    {
        ct %ctpr1 ? %pred5
    }
.Lf10_done:
    RET
.Lbad2:
    EXIT 2
    .size ct_on_pred5, . - ct_on_pred5

    .data
    .align 8
buf:
    .quad 0x1122334455667788
    .quad 0
