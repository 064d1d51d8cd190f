! ctpr.s -- control-transfer preparation and transfers (semantics reference §1.4,
! §4, §5): disp/ldisp/sdisp/movtd and the CTPR fields read back with rrd, ct with
! every predicate/loop condition kind (truth table over pred, loop_end, pcnt),
! indirect jump and call through movtd, a system call through sdisp %ctpr3, call
! with different wbs (arguments in, results back, caller registers kept), nested
! calls, conditional call and conditional early return, CTPRs cleared by a call
! (ct through the emptied CTPR raises SIGILL ILL_ILLOPC), and a 10000-level
! recursion that spills/fills the procedure and chain stacks.

    .include "rt.inc"
    .include "cpuutil.inc"

    .set VLC, 1 << 37

    .section .rodata
msg_sdisp:
    .ascii "sdisp %ctpr3 syscall\n"
msg_sdisp_end:

! CTFIELDS reg: %r1 = tag (bits 56:54), %r2 = opc (bits 58:57) of a CTPR value
    .macro CTFIELDS reg
    {
        shrd,0 \reg, 54, %r1
        shrd,1 \reg, 57, %r2
    }
    {
        andd,0 %r1, 7, %r1
        andd,1 %r2, 3, %r2
    }
    .endm

! CT1 cond, p, le, pcnt, bit: set `bit` in %r6 iff "ct ? cond" is taken with
! %pred0 = p, loop_end = le (vlc=1, ecnt=0, lcnt = 1 or 5) and LSR.pcnt = pcnt.
    .macro CT1 cond, p, le, pcnt, bit
    {
        rwd,0 VLC | (5 - 4 * \le) | (\pcnt << 48), %lsr
        cmpedb,1 0, 1 - \p, %pred0
        disp %ctpr1, .Lct1_t\@
    }
    {
        nop 5
    }
    {
        ct %ctpr1 ? \cond
    }
    {
        ibranch .Lct1_d\@
    }
.Lct1_t\@:
    {
        ord,0 %r6, \bit, %r6
    }
.Lct1_d\@:
    .endm

! CTROW "cond": print the 8 outcomes, bit order (pcnt, le, p) = 000, 001, 010,
! 011 | 100, 101, 110, 111
    .macro CTROW cond
    {
        addd,0 0, 0, %r6
    }
    CT1 "\cond", 0, 0, 0, 1
    CT1 "\cond", 1, 0, 0, 2
    CT1 "\cond", 0, 1, 0, 4
    CT1 "\cond", 1, 1, 0, 8
    CT1 "\cond", 0, 0, 1, 16
    CT1 "\cond", 1, 0, 1, 32
    CT1 "\cond", 0, 1, 1, 64
    CT1 "\cond", 1, 1, 1, 128
    {
        rwd,0 0, %lsr
        andd,1 %r6, 15, %r7
        shrd,2 %r6, 4, %r6
    }
    PUTBITS %r7, 4
    PUTC 32
    PUTBITS %r6, 4
    PUTS "  \cond\n"
    .endm

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=12, nfx=1
    }
    SIGACT SIGILL, resume_handler
! ---------------------------------------------------------------- CTPR fields
! disp: tag 3 (DISP), opc 0; ldisp: tag 3, opc 1 (only %ctpr2); sdisp: tag 5;
! movtd: tag 3, base = the moved address (§1.4, §5.1).  Targets are printed as
! offsets from the label they name (0).
    {
        disp %ctpr1, .Lt_a
    }
    {
        ldisp %ctpr2, .Lt_b
    }
    {
        sdisp %ctpr3, 3
        nop 4
    }
    {
        rrd,0 %ctpr1, %r3
    }
    {
        rrd,0 %ctpr2, %r4
    }
    {
        rrd,0 %ctpr3, %r5
    }
    CTFIELDS %r3
    {
        andd,0 %r3, 0xffffffffffff, %r3
    }
    {
        subd,0 %r3, .Lt_a, %r3
    }
    PUTS "disp:  tag="
    PUTDEC %r1
    PUTS " opc="
    PUTDEC %r2
    PUTS " target-label="
    PUTSDEC %r3
    PUTNL
    CTFIELDS %r4
    {
        andd,0 %r4, 0xffffffffffff, %r4
    }
    {
        subd,0 %r4, .Lt_b, %r4
    }
    PUTS "ldisp: tag="
    PUTDEC %r1
    PUTS " opc="
    PUTDEC %r2
    PUTS " target-label="
    PUTSDEC %r4
    PUTNL
    CTFIELDS %r5
    PUTS "sdisp: tag="
    PUTDEC %r1
    PUTNL
! movtd into %ctpr2 and a jump through it
    {
        addd,0 0, .Lt_c, %r3
    }
    {
        movtd,0 %r3, %ctpr2
        nop 4
    }
    {
        rrd,0 %ctpr2, %r4
    }
    CTFIELDS %r4
    {
        andd,0 %r4, 0xffffffffffff, %r4
    }
    {
        subd,0 %r4, .Lt_c, %r4
    }
    PUTS "movtd: tag="
    PUTDEC %r1
    PUTS " target-label="
    PUTSDEC %r4
    PUTNL
    {
        addd,0 0, .Lt_c, %r3
    }
    {
        movtd,0 %r3, %ctpr2
        nop 4
    }
    {
        ct %ctpr2
    }
.Lt_a:
.Lt_b:
    PUTS "movtd jump fell through\n"
    EXIT 1
.Lt_c:
    PUTS "jump through movtd ok\n"
! indirect call through movtd: triple(14) = 42
    {
        addd,0 0, triple, %r3
    }
    {
        movtd,0 %r3, %ctpr1
        addd,1 0, 14, %r8
        nop 4
    }
    {
        call %ctpr1, wbs=4
    }
    {
        addd,0 0, %r8, %r0                 ! the print macros reuse %r8..%r15
    }
    PUTS "call through movtd: "
    PUTDEC %r0
    PUTNL
! a system call through sdisp %ctpr3: write(1, msg, 21)
    {
        sdisp %ctpr3, 3
        addd,0 0, NR_write, %r8
        addd,1 0, 1, %r9
        addd,2 0, msg_sdisp, %r10
        addd,3 0, msg_sdisp_end - msg_sdisp, %r11
    }
    {
        call %ctpr3, wbs=4
    }
    {
        addd,0 0, %r8, %r0
    }
    PUTS "write returned "
    PUTDEC %r0
    PUTNL

! ---------------------------------------------------------------- ct conditions
! Taken iff (§5.3, with P = %pred0, LE = loop_end, pcnt = LSR.pcnt):
!   %pred0 P | ~%pred0 !P | #LOOP_END LE | #NOT_LOOP_END !LE
!   %pred0 || %LOOP_END         pcnt ? LE  : P || LE
!   ~%pred0 && %NOT_LOOP_END    pcnt ? !LE : !P && !LE
!   ~%pred0 || %LOOP_END        pcnt ? LE  : !P || LE
!   %pred0 && %NOT_LOOP_END     pcnt ? !LE : P && !LE
    PUTS "ct table (p,le) 00 10 01 11 | pcnt=1:\n"
    CTROW "%pred0"
    CTROW "~%pred0"
    CTROW "#LOOP_END"
    CTROW "#NOT_LOOP_END"
    CTROW "%pred0 || %LOOP_END"
    CTROW "~%pred0 && %NOT_LOOP_END"
    CTROW "~%pred0 || %LOOP_END"
    CTROW "%pred0 && %NOT_LOOP_END"

! ---------------------------------------------------------------- call with wbs
! From a 24-register window, call wbs=6: the callee's %r0, %r1 are our %r12, %r13
! and its psize is 24 - 12 = 12 (§4.1).  sumdiff returns (a+b, b-a) in its
! %r0, %r1 = our %r12, %r13 (§4.2); our %r0..%r11 are kept.
    {
        addd,0 0, 0x55, %r5
        addd,1 0, 0x77, %r11
        addd,2 0, 5, %r12
        addd,3 0, 7, %r13
        disp %ctpr1, sumdiff
    }
    {
        call %ctpr1, wbs=6
    }
    {
        addd,0 0, %r12, %r0
        addd,1 0, %r13, %r1
        addd,2 0, %r11, %r2
    }
    PUTS "wbs=6: sum="
    PUTDEC %r0
    PUTS " diff="
    PUTSDEC %r1
    PUTS " kept r5="
    PUTHEXN %r5, 2
    PUTS " r11="
    PUTHEXN %r2, 2
    PUTNL
! The callee's chain frame (§4.3), read with rrd: %cr0.hi = the return address (the
! bundle after the call), %cr1.lo bits 39:33 = wbs (6), %cr1.hi bits 27:0 = the
! caller's BR (setbn rsz=2, rbs=6, rcur=0 and setbp psz=0: 6 | 2 << 6 = 0x86).
    {
        setbn rsz=2, rbs=6, rcur=0
        setbp psz=0
        disp %ctpr1, frameinfo
    }
    {
        call %ctpr1, wbs=6
    }
.Lfi_ret:
    {
        addd,0 0, %r12, %r0
        addd,1 0, %r13, %r1
        addd,2 0, %r14, %r2
    }
    {
        subd,0 %r0, .Lfi_ret, %r0
    }
    PUTS "callee's cr0.hi-return label="
    PUTSDEC %r0
    PUTS " cr1.lo.wbs="
    PUTDEC %r1
    PUTS " cr1.hi.br="
    PUTHEXN %r2, 3
    PUTNL
! call wbs=12 from a 24-register window: the callee starts with an empty window
! (size 0) and must setwd first (§4.1); our registers below 24 are kept
    {
        addd,0 0, 0x5e, %r5
        disp %ctpr1, from_empty
    }
    {
        call %ctpr1, wbs=12
    }
    {
        addd,0 0, %g19, %r0
    }
    PUTS "empty-window callee ran: "
    PUTDEC %r0
    PUTS " r5="
    PUTHEXN %r5, 2
    PUTNL
! nested: lvl1(x) = lvl2(x*10 + 1), lvl2(x) = lvl3(x*10 + 2), lvl3(x) = x*10 + 3,
! each with a different window size and wbs: lvl1(4) = 4123
    CALL1 lvl1, 4
    {
        addd,0 0, %r8, %r0
    }
    PUTS "nested: "
    PUTDEC %r0
    PUTNL
! conditional call: taken only when the predicate holds (§4.1 precondition 3)
    {
        addd,0 0, 0, %g19
        cmpedb,1 0, 1, %pred0              ! 0
        cmpedb,3 0, 0, %pred1              ! 1
        disp %ctpr1, bump
    }
    {
        nop 2
    }
    {
        call %ctpr1, wbs=4 ? %pred0        ! not taken
    }
    {
        disp %ctpr1, bump
        nop 2
    }
    {
        call %ctpr1, wbs=4 ? %pred1        ! taken
    }
    {
        disp %ctpr1, bump
        nop 2
    }
    {
        call %ctpr1, wbs=4 ? ~%pred0       ! taken
    }
    {
        addd,0 0, %g19, %r0
    }
    PUTS "conditional calls made: "
    PUTDEC %r0
    PUTNL
! conditional early return: clamp(x) = x < 0 ? -1 : 2x
    CALL1 clamp, -9
    {
        addd,0 0, %r8, %r0
    }
    CALL1 clamp, 21
    {
        addd,0 0, %r8, %r1
    }
    PUTS "clamp(-9)="
    PUTSDEC %r0
    PUTS " clamp(21)="
    PUTSDEC %r1
    PUTNL

! ---------------------------------------------------------------- cleared CTPRs
! Every call and return clears CTPR1..3 (§1.4, §4.2): %ctpr2 prepared before a call
! reads back with tag 0 afterwards, and ct through it is illegal (SIGILL, si_code
! ILL_ILLOPC = 1, §4.7).  The handler resumes at .Lafter_empty.
    {
        disp %ctpr2, .Lt_a
    }
    CALL0 bump
    {
        rrd,0 %ctpr2, %r3
    }
    CTFIELDS %r3
    PUTS "ctpr2 after a call: tag="
    PUTDEC %r1
    PUTNL
    PUTS "ct through it:\n"
    {
        addd,0 0, .Lafter_empty, %g16
        addd,1 0, 0, %g17
    }
    {
        ct %ctpr2
    }
.Lafter_empty:

! ---------------------------------------------------------------- deep recursion
! rec(n) = n + rec(n-1), rec(0) = 0, 10000 levels deep; every level keeps 3n in a
! local register across its call and counts a mismatch in %g18.
! 1 + ... + 10000 = 50005000.
    {
        addd,0 0, 0, %g18
    }
    CALL1 rec, 10000
    {
        addd,0 0, %g18, %r1
        addd,1 0, %r8, %r0
    }
    PUTS "rec(10000)="
    PUTDEC %r0
    PUTS " bad frames="
    PUTDEC %r1
    PUTNL
    EXIT 0
    .size _start, . - _start

    .type triple, #function
    .align 8
triple:
    {
        setwd wsz=8, nfx=1
    }
    {
        muld,0 %r0, 3, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .type frameinfo, #function
    .align 8
frameinfo:
    {
        setwd wsz=8, nfx=1
    }
    {
        rrd,0 %cr0.hi, %r0
    }
    {
        rrd,0 %cr1.lo, %r3
    }
    {
        rrd,0 %cr1.hi, %r2
    }
    {
        shrd,0 %r3, 33, %r1
        andd,1 %r2, 0xfffffff, %r2
    }
    {
        andd,0 %r1, 0x7f, %r1
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .type from_empty, #function
    .align 8
from_empty:
    {
        setwd wsz=4, nfx=1
    }
    {
        addd,0 0, 1, %g19
        addd,1 0, 0x11, %r1
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .type sumdiff, #function
    .align 8
sumdiff:
    {
        setwd wsz=6, nfx=1                 ! 12 registers = the parameter size
    }
    {
        addd,0 %r0, %r1, %r0
        subd,1 %r1, %r0, %r1
        addd,2 0, 0x99, %r5                ! callee-only register
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .type lvl1, #function
    .align 8
lvl1:
    {
        setwd wsz=10, nfx=1                ! 20 registers
    }
    {
        muld,0 %r0, 10, %r0
        disp %ctpr1, lvl2
    }
    {
        addd,0 %r0, 1, %r14                ! argument for wbs=7
        addd,1 0, 0x1111, %r13
    }
    {
        call %ctpr1, wbs=7
    }
    {
        cmpedb,0 %r13, 0x1111, %pred0
    }
    {
        nop 2
    }
    {
        addd,0 0, %r14, %r0 ? %pred0       ! result only if our %r13 survived
        addd,1 0, 0, %r0 ? ~%pred0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .type lvl2, #function
    .align 8
lvl2:
    {
        setwd wsz=4, nfx=1                 ! 8 registers (psize is 20 - 14 = 6)
    }
    {
        muld,0 %r0, 10, %r0
        disp %ctpr1, lvl3
    }
    {
        addd,0 %r0, 2, %r2                 ! argument for wbs=1
    }
    {
        call %ctpr1, wbs=1
    }
    {
        addd,0 0, %r2, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .type lvl3, #function
    .align 8
lvl3:
    {
        setwd wsz=3, nfx=1                 ! psize 8 - 2 = 6
    }
    {
        muld,0 %r0, 10, %r0
    }
    {
        addd,0 %r0, 3, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .type bump, #function
    .align 8
bump:
    {
        setwd wsz=8, nfx=1
        addd,0 %g19, 1, %g19
    }
    RET

    .type clamp, #function
    .align 8
clamp:
    {
        setwd wsz=8, nfx=1
    }
    {
        cmpldb,0 %r0, 0, %pred0
        addd,1 0, -1, %r1
        return %ctpr3
    }
    {
        nop 2
    }
    {
        addd,0 0, %r1, %r0 ? %pred0
        ct %ctpr3 ? %pred0                 ! early return with -1
    }
    {
        shld,0 %r0, 1, %r0
    }
    {
        ct %ctpr3
    }

    .type rec, #function
    .align 8
rec:
    {
        setwd wsz=8, nfx=1
    }
    {
        cmpedb,0 %r0, 0, %pred0
        muld,1 %r0, 3, %r1                 ! local kept across the call
        addd,3 0, %r0, %r2
        return %ctpr3
    }
    {
        disp %ctpr1, rec
        nop 1
    }
    {
        ct %ctpr3 ? %pred0                 ! rec(0) = 0 (%r0 is 0)
    }
    {
        subd,0 %r0, 1, %r8
    }
    {
        call %ctpr1, wbs=4
    }
    {
        muld,0 %r2, 3, %r3
    }
    {
        cmpedb,0 %r1, %r3, %pred1
        addd,1 %r8, %r2, %r0
    }
    {
        nop 2
    }
    {
        addd,0 %g18, 1, %g18 ? ~%pred1
    }
    RET
    .size rec, . - rec

