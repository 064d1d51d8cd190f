! loop_counters.s -- LSR loop counters (semantics reference §7.2-§7.3): a one-bundle
! loop { body; alc alcf=1, alct=1; ct ? #NOT_LOOP_END } run from LSR values
! (pcnt, lcnt, ecnt) with vlc=1. The expected iteration counts are the ones the
! hardware-derived tests require: (0,0,0)->1 (0,1,0)->1 (0,2,0)->2 (0,3,0)->3
! (4,8,0)->8 (8,2,0)->2 (4,8,2)->10 (4,0,8)->9. Then an rwd/rrd round trip of %lsr.

    .include "rt.inc"

! RUN p, l, e: count the iterations of the loop started with those counters
    .macro RUN p, l, e
    {
        addd,0 0, (\l) | ((\e) << 32) | (1 << 37) | ((\p) << 48), %r1
        addd,1 0, 0, %r0
    }
    {
        rwd,0 %r1, %lsr
    }
    {
        disp %ctpr2, 1f
        nop 4
    }
1:
    {
        loop_mode
        addd,0 %r0, 1, %r0
        alc alcf=1, alct=1
        ct %ctpr2 ? %NOT_LOOP_END
    }
    PUTS "p=\p l=\l e=\e -> "
    PUTDEC %r0
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
    RUN 0, 0, 0
    RUN 0, 1, 0
    RUN 0, 2, 0
    RUN 0, 3, 0
    RUN 4, 8, 0
    RUN 8, 2, 0
    RUN 4, 8, 2
    RUN 4, 0, 8
    {
        addd,0 0, 10 | (1 << 37), %r1
    }
    {
        rwd,0 %r1, %lsr
    }
    {
        rwd,0 5 | (1 << 37), %lsr
        nop 4
    }
    {
        alc alcf=1, alct=1
    }
    {
        rrd,0 %lsr, %r2
        nop 4
    }
    {
        andd,0 %r2, 0xffffffff, %r2
    }
    PUTS "lcnt after rwd 10, rwd 5, alc -> "
    PUTDEC %r2
    PUTNL
    EXIT 0
