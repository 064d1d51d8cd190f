! pls.s -- predicates: integer compares into predicates (32/64-bit, cmpand*),
! the PLS unit (pass, andp/landp with inverted inputs, movep, a PLS0 -> PLS1 ->
! PLS2 cascade, %lcntex, clpandp/clplandp shorthands), RLP conditional execution
! of ALU ops (? %predN, ? ~%predN, ? %pcntN), MRGC merges, and ct on predicates.
! Expected values follow the semantics reference §2.3 (all reads see the state
! before the bundle), §5.3, §6 and §10.5; the reasoning is in the comments.

    .include "rt.inc"
    .include "cpuutil.inc"

    .set VLC, 1 << 37

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
! ---------------------------------------------------------------- compares
! a = -5, b = 3, m = 0x80000000, h = 0x100000000, s = 1 << 63, f = 0xf0
    {
        addd,0 0, -5, %r0
        addd,1 0, 3, %r1
        addd,2 0, 0x80000000, %r2
        addd,3 0, 0xf0, %r5
    }
    {
        addd,0 0, 0x100000000, %r3
    }
    {
        addd,0 0, 0x8000000000000000, %r4
    }
    {
        cmpesb,0 %r0, %r1, %pred0          ! -5 == 3                         -> 0
        cmpbsb,1 %r0, %r1, %pred1          ! 0xfffffffb <u 3                 -> 0
        cmplsb,3 %r0, %r1, %pred2          ! -5 < 3                          -> 1
        cmplesb,4 %r0, %r0, %pred3         ! -5 <= -5                        -> 1
    }
    {
        cmpbesb,0 %r1, %r0, %pred4         ! 3 <=u 0xfffffffb                -> 1
        cmpssb,1 %r0, %r1, %pred5          ! sign(-5 - 3 = -8)               -> 1
        cmppsb,3 %r0, %r1, %pred6          ! low byte of -8 = 0xf8, 5 ones   -> 0 (odd)
        cmposb,4 %r2, 1, %pred7            ! INT32_MIN - 1 overflows         -> 1
    }
    {
        cmpedb,0 %r3, 0, %pred8            ! 64-bit: 0x100000000 != 0        -> 0
        cmpesb,1 %r3, 0, %pred9            ! 32-bit view: low word is 0      -> 1
        cmpldb,3 %r0, %r1, %pred10         ! -5 < 3 (64-bit)                 -> 1
        cmpbdb,4 %r0, %r1, %pred11         ! 2^64-5 <u 3                     -> 0
    }
    {
        cmpandedb,0 %r5, 0x0f, %pred12     ! 0xf0 & 0x0f == 0                -> 1
        cmpandsdb,1 %r0, %r4, %pred13      ! (-5 & 1<<63) < 0                -> 1
        cmpandpdb,3 %r0, 3, %pred14        ! 0xfb & 3 = 3: two ones, even    -> 1
        cmpandledb,4 %r1, 1, %pred15       ! 3 & 1 = 1 > 0                   -> 0
    }
    {
        nop 2
    }
    PMASK %r6, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    PUTS "compares p0..p15: "
    PUTBITS %r6, 16                     ! 0011110101101110
    PUTNL

! ---------------------------------------------------------------- PLS cascade
! For i = 0..15 with a = bit0, b = bit1, c = bit2, d = bit3 of i:
!   PLS0: lp0 = a, lp1 = b;   CLP0: lp4 = andp ~lp0, lp1   = ~a & b     -> %pred4
!   PLS1: lp2 = c, lp3 = d;   CLP1: lp5 = landp lp4, ~lp2 = lp4 & ~c   -> %pred5
!   PLS2:                     CLP2: lp6 = andp ~lp4, lp3  = ~lp4 & d   -> %pred6
! (CLP1 and CLP2 read CLP0's output of the same bundle, §6.3; each CLP writes a
! different predicate, §6.4.  A chain of depth 3, CLP2 reading lp5, is refused
! by the assembler: "maximal supported cascading of 2".)  A second bundle computes
!   movep lp0, lp1 -> %pred7:  %pred7 = a ? b : (old %pred7 = d)        (§6.3)
    PUTS "abcd -> ~a&b, ~a&b&~c, ~(~a&b)&d, a?b:d\n"
    {
        addd,0 0, 0, %r0
    }
.Lcascade:
    {
        andd,0 %r0, 1, %r1
        andd,1 %r0, 2, %r2
        andd,3 %r0, 4, %r3
        andd,4 %r0, 8, %r4
    }
    {
        cmpbdb,0 0, %r1, %pred0            ! a
        cmpbdb,1 0, %r2, %pred1            ! b
        cmpbdb,3 0, %r3, %pred2            ! c
        cmpbdb,4 0, %r4, %pred3            ! d
    }
    {
        cmpbdb,0 0, %r4, %pred7            ! d, the value movep keeps when a = 0
        nop 2
    }
    {
        pass %pred0, @p0
        pass %pred1, @p1
        pass %pred2, @p2
        pass %pred3, @p3
        andp ~@p0, @p1, @p4
        pass @p4, %pred4
        landp @p4, ~@p2, @p5
        pass @p5, %pred5
        andp ~@p4, @p3, @p6
        pass @p6, %pred6
    }
    {
        pass %pred0, @p0
        pass %pred1, @p1
        movep @p0, @p1, @p4
        pass @p4, %pred7
    }
    {
        nop 2
    }
    PMASK %r5, 4, 5, 6, 7
    PUTBITS %r0, 4
    PUTS " -> "
    PUTBITS %r5, 4
    PUTNL
    {
        addd,0 %r0, 1, %r0
    }
    {
        cmpbdb,0 %r0, 16, %pred8
    }
    {
        nop 2
    }
    {
        ibranch .Lcascade ? %pred8
    }

! ---------------------------------------------------------------- shorthands, %lcntex
! clpandp ~%pred0, %pred1, %pred2 = ~p0 & p1; clplandp %pred0, ~%pred1, %pred3 = p0 & ~p1.
! With p0 = 1, p1 = 0: %pred2 = 0, %pred3 = 1.
! %lcntex is "LSR.lcnt == 0" (§6.2): true after rwd lcnt=0, false after lcnt=5.
    {
        cmpedb,1 0, 0, %pred0
        cmpedb,3 0, 1, %pred1
        rwd,0 VLC, %lsr                    ! lcnt = 0
    }
    {
        nop 5
    }
    clpandp ~%pred0, %pred1, %pred2
    clplandp %pred0, ~%pred1, %pred3
    {
        pass %lcntex, @p0
        pass %pred0, @p1
        andp @p0, @p1, @p4
        pass @p4, %pred4                   ! lcnt == 0 && p0 -> 1
    }
    {
        rwd,0 VLC | 5, %lsr                ! lcnt = 5
    }
    {
        nop 5
    }
    {
        pass %lcntex, @p0
        pass %pred0, @p1
        andp ~@p0, @p1, @p4
        pass @p4, %pred5                   ! !(lcnt == 0) && p0 -> 1
        andp @p0, @p1, @p5
        pass @p5, %pred6                   ! lcnt == 0 && p0 -> 0
    }
    {
        rwd,0 0, %lsr
        nop 2
    }
    PMASK %r5, 2, 3, 4, 5, 6
    PUTS "clpandp, clplandp, lcntex: "
    PUTBITS %r5, 5                      ! 01110
    PUTNL

! ---------------------------------------------------------------- RLP
! min/max without branches: both arms in one bundle under %pred0 / ~%pred0.
    {
        addd,0 0, 10, %r1
        addd,1 0, 20, %r2
        addd,3 0, 0, %r5
        addd,4 0, 0, %r6
    }
    {
        cmpldb,0 %r2, %r1, %pred0          ! 20 < 10 -> 0
        cmpedb,1 0, 1, %pred9              ! %pred9 = 0
    }
    {
        nop 2
    }
    {
        addd,0 0, %r2, %r3 ? %pred0        ! not executed
        addd,1 0, %r1, %r3 ? ~%pred0       ! min = 10
        addd,3 0, %r1, %r4 ? %pred0        ! not executed
        addd,4 0, %r2, %r4 ? ~%pred0       ! max = 20
    }
! An RLP reads the predicate as it was before the bundle (§2.3): the compare in
! channel 0 sets %pred9 = 1, but channels 1 and 3 still see the old 0.
    {
        cmpedb,0 0, 0, %pred9
        addd,1 0, 1, %r5 ? %pred9          ! old 0: not executed, %r5 stays 0
        addd,3 0, 1, %r6 ? ~%pred9         ! old 0: executed, %r6 = 1
    }
    {
        nop 2
    }
    {
        addd,0 0, 7, %r7 ? %pred9          ! new value 1: executed
    }
    PUTS "min="
    PUTDEC %r3
    PUTS " max="
    PUTDEC %r4
    PUTS " same-bundle p9: "
    PUTDEC %r5
    PUTDEC %r6
    PUTS " next bundle: "
    PUTDEC %r7
    PUTNL
! %pcntN is "LSR.pcnt <= N" (§6.2).  With pcnt = 2: %pcnt1 false, %pcnt2 and
! %pcnt3 true.  Two RLP kinds on one op are ANDed (§6.5): ? ~%pred0, %pcnt3 with
! pred0 = 0 executes; ? %pred0, %pcnt3 does not.
    {
        rwd,0 2 << 48, %lsr
        addd,1 0, 0, %r1
        addd,2 0, 0, %r2
        addd,3 0, 0, %r3
        addd,4 0, 0, %r4
        addd,5 0, 0, %r5
    }
    {
        nop 5
    }
    {
        addd,0 0, 1, %r1 ? %pcnt1
        addd,1 0, 1, %r2 ? %pcnt2
        addd,3 0, 1, %r3 ? %pcnt3
    }
    {
        addd,1 0, 1, %r4 ? ~%pred0, %pcnt3
        addd,4 0, 1, %r5 ? %pred0, %pcnt3
    }
    {
        rwd,0 0, %lsr
    }
    PUTS "pcnt=2: pcnt1 pcnt2 pcnt3 ~p0&pcnt3 p0&pcnt3 = "
    PUTDEC %r1
    PUTDEC %r2
    PUTDEC %r3
    PUTDEC %r4
    PUTDEC %r5
    PUTNL

! ---------------------------------------------------------------- MRGC
! merge{s,d} src1, src2, dst, cond: cond ? src2 : src1 (§6.6); %pred0 = 0, %pred9 = 1
    {
        addd,0 0, 0x1111, %r1
        addd,1 0, 0x2222, %r2
    }
    {
        merged,0 %r1, %r2, %r3, %pred0     ! 0 -> src1 = 0x1111
        merged,1 %r1, %r2, %r4, %pred9     ! 1 -> src2 = 0x2222
        merges,3 %r1, %r2, %r5, ~%pred9    ! ~1 -> src1 = 0x1111
        merges,4 %r1, %r2, %r6, ~%pred0    ! ~0 -> src2 = 0x2222
    }
    PUTS "merge: "
    PUTHEXN %r3, 4
    PUTC 32
    PUTHEXN %r4, 4
    PUTC 32
    PUTHEXN %r5, 4
    PUTC 32
    PUTHEXN %r6, 4
    PUTNL

! ---------------------------------------------------------------- ct on predicates
! %pred0 = 0, %pred9 = 1.  The condition of a ct reads the predicates from before
! the bundle (§5.5): a PLS pass writing %pred10 := 1 in the ct's own bundle does
! not make "ct ? %pred10" (old value 0) jump.
    {
        cmpedb,0 0, 1, %pred10             ! %pred10 = 0
        disp %ctpr1, .Lbad
    }
    {
        disp %ctpr2, .Lok1
        nop 2
    }
    {
        ct %ctpr1 ? %pred0                 ! 0: falls through
    }
    {
        ct %ctpr1 ? ~%pred9                ! ~1: falls through
    }
    {
        pass %pred9, @p0
        andp @p0, @p0, @p4
        pass @p4, %pred10                  ! written after the condition is read
        ct %ctpr1 ? %pred10                ! old value 0: falls through
    }
    {
        ct %ctpr2 ? %pred10                ! now 1: taken
    }
.Lbad:
    PUTS "ct: wrong path\n"
    EXIT 1
.Lok1:
    {
        disp %ctpr1, .Lok2
        nop 2
    }
    {
        ct %ctpr1 ? ~%pred0                ! ~0: taken
    }
    PUTS "ct: wrong path 2\n"
    EXIT 1
.Lok2:
    PUTS "ct: p0, ~p9, same-bundle p10 fall through; p10, ~p0 taken\n"
    EXIT 0
    .size _start, . - _start
