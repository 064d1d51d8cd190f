! mem_loop.s -- memory-bound loop benchmark over a 64 KiB buffer of M = 8192
! 64-bit words: two loads, one store and wrapping index arithmetic per element.
!     a[j] = (j + 1) * 0x9e3779b97f4a7c15                  (initial contents)
!     repeat P times, for j = 0 .. M-1 in order:
!         x = a[j];  y = a[(j + 17) mod M]
!         s = s + x;  a[j] = x + (y ^ 8j)                  (mod 2^64)
!     finally s = s + a[0] + ... + a[M-1]
! s starts at 0. P = argv[1] (at least 1) or 700. Prints
! "mem_loop passes=<P> checksum=<s>"; the default prints
!     mem_loop passes=700 checksum=2ef0c6b1117dc3d5
! (expected values computed by expected.py, listed in README.md).

    .include "bench.inc"

    .set M, 8192
    .set OFF, 17

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=12, nfx=1
    }
    ARGSIZE %r7, 700
! fill: a[j] = (j + 1) * K
    {
        disp %ctpr2, .Lfill
        addd,0 0, buf, %r1
        addd,1 0, 0, %r0                   ! byte offset 8j
        addd,2 0, 0x9e3779b97f4a7c15, %r16 ! value
    }
    {
        addd,0 0, 0x9e3779b97f4a7c15, %r17 ! K
    }
.Lfill:
    {
        std,2 %r16, [ %r1 + %r0 ]
        addd,0 %r16, %r17, %r16
        addd,1 %r0, 8, %r0
        cmpbdb,3 %r0, 8 * (M - 1), %pred0  ! old 8j < 8(M-1): go on
    }
    {
        ct %ctpr2 ? %pred0
    }
    {
        addd,0 0, 0, %r2                   ! s
        addd,1 0, 0, %r3                   ! passes done
        disp %ctpr3, .Lpass
    }
.Lpass:
    {
        addd,0 0, 0, %r0                   ! 8j
        addd,1 0, 8 * OFF, %r18            ! 8 ((j + OFF) mod M)
        addd,2 0, 8 * M, %r19              ! end
        disp %ctpr2, .Lelem
    }
.Lelem:
    {
        ldd,0 %r1, %r0, %r20               ! x
        ldd,2 %r1, %r18, %r21              ! y
        addd,1 %r0, 8, %r22                ! next 8j
        addd,3 %r18, 8, %r23
    }
    {
        xord,0 %r21, %r0, %r21             ! y ^ 8j
        andd,1 %r23, 8 * (M - 1), %r18     ! wraps
        cmpbdb,3 %r22, %r19, %pred0        ! next j < M: go on
        addd,4 %r2, %r20, %r2              ! s += x
    }
    {
        addd,0 %r20, %r21, %r20
    }
    {
        std,2 %r20, [ %r1 + %r0 ]
        addd,0 %r22, 0, %r0
        ct %ctpr2 ? %pred0
    }
    {
        addd,0 %r3, 1, %r3
    }
    {
        cmpbdb,0 %r3, %r7, %pred1          ! passes done < P: go on
        disp %ctpr3, .Lpass
        nop 2
    }
    {
        ct %ctpr3 ? %pred1
    }
! s += sum of the final contents
    {
        addd,0 0, 0, %r0
        disp %ctpr2, .Lsum
    }
.Lsum:
    {
        ldd,0 %r1, %r0, %r20
        addd,1 %r0, 8, %r0
        cmpbdb,3 %r0, 8 * (M - 1), %pred0
    }
    {
        addd,0 %r2, %r20, %r2
        ct %ctpr2 ? %pred0
    }
    REPORT "mem_loop passes=", %r7, " checksum=", %r2
    .size _start, . - _start

    .section .bss
    .align 64
buf:
    .skip 8 * M
