! pipelined.s -- software-pipelined loop benchmark: a 64-bit integer dot
! product in loop mode, one bundle per pass, three stages:
!     stage 0  ldd x[q], y[q] -> %b[0], %b[1];   %pred0 = (q < N)
!     stage 1  muld %b[2] * %b[3] -> %b[4]       (the pair loaded one pass ago)
!     stage 2  s += %b[6] ? %pred2               (the product of two passes ago)
! The based registers (setbn rsz=3: %r16..%r23) rotate by two per pass (abn),
! the rotating predicates (setbp psz=2) by one (abp); %lsr holds lcnt = N and
! ecnt = 2 (the epilogue), alc counts the passes, the loop ends on
! #NOT_LOOP_END after N + 2 passes. %pred2 keeps the prologue's stale
! registers out of the sum.
! Data: N = 1024 pairs from
!     v = v * 6364136223846793005 + 1442695040888963407 (mod 2^64), v0 = 7
! taking the new v for x[0], y[0], x[1], y[1], ...; then R rounds of
!     s = s + x[0] y[0] + ... + x[N-1] y[N-1];  x[r mod N] += 1
! (round r = 0 .. R-1, everything mod 2^64, s starting at 0).
! R = argv[1] (at least 1) or 4000. Prints "pipelined rounds=<R> checksum=<s>";
! the default prints
!     pipelined rounds=4000 checksum=e74417d3ad6bdb70
! (expected values computed by expected.py, listed in README.md).

    .include "bench.inc"

    .set N, 1024
    .set VLC, 1 << 37
    .set YOFF, ys - xs

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=12, nfx=1
    }
    ARGSIZE %r7, 4000
! the data
    {
        addd,0 0, xs, %r16                 ! &x[i]
        addd,1 0, 7, %r18                  ! v
        addd,3 0, xs + 8 * (N - 1), %r17   ! &x[N-1]
        disp %ctpr2, .Lfill
    }
    {
        addd,0 0, 6364136223846793005, %r19
    }
    {
        addd,0 0, 1442695040888963407, %r20
    }
.Lfill:
    {
        muld,0 %r18, %r19, %r18
    }
    {
        addd,0 %r18, %r20, %r18
    }
    {
        std,2 %r18, [ %r16 ]
        muld,0 %r18, %r19, %r18
    }
    {
        addd,0 %r18, %r20, %r18
        cmpbdb,1 %r16, %r17, %pred0        ! &x[i] < &x[N-1]: go on
    }
    {
        std,2 %r18, [ %r16 + YOFF ]
        addd,0 %r16, 8, %r16
        ct %ctpr2 ? %pred0
    }
    {
        addd,0 0, 0, %r2                   ! s
        addd,1 0, 0, %r3                   ! r
        addd,2 0, xs + 8 * N, %r4          ! end of x
    }
.Lround:
    {
        setbn rsz=3, rbs=8, rcur=0
        setbp psz=2
    }
    {
        cmpedb,0 0, 1, %pred0
        cmpedb,1 0, 1, %pred1
        cmpedb,3 0, 1, %pred2
        addd,2 0, xs, %r1                  ! p = &x[q]
    }
    {
        rwd,0 N | (2 << 32) | VLC, %lsr
        disp %ctpr1, .Lpipe
        nop 5
    }
.Lpipe:
    {
        loop_mode
        ldd,0 %r1, 0, %b[0]
        ldd,2 %r1, YOFF, %b[1]
        addd,1 %r1, 8, %r1
        cmpbdb,3 %r1, %r4, %pred0
        muld,4 %b[2], %b[3], %b[4]
        addd,5 %r2, %b[6], %r2 ? %pred2
        alc alcf=1, alct=1
        abn abnf=1, abnt=1
        abp abpf=1, abpt=1
        ct %ctpr1 ? #NOT_LOOP_END
    }
! x[r mod N] += 1
    {
        andd,0 %r3, N - 1, %r5
        addd,1 %r3, 1, %r3
        disp %ctpr3, .Lround
    }
    {
        shld,0 %r5, 3, %r5
        cmpbdb,1 %r3, %r7, %pred3          ! rounds done < R: go on
    }
    {
        ldd,0 %r5, xs, %r6
    }
    {
        addd,0 %r6, 1, %r6
    }
    {
        std,2 %r6, [ %r5 + xs ]
        ct %ctpr3 ? %pred3
    }
    REPORT "pipelined rounds=", %r7, " checksum=", %r2
    .size _start, . - _start

    .section .bss
    .align 64
xs:
    .skip 8 * N + 16                       ! + the epilogue's loads past the end
ys:
    .skip 8 * N + 16
