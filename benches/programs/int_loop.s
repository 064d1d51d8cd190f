! int_loop.s -- integer loop benchmark: a two-bundle loop body
!     { addd; cmpbdb; shld; xord }  { addd; ct ? %pred0 }
! computing, for i = 0 .. n-1,
!     h = (h << 5) + (h ^ i)          (mod 2^64), h starting at 0x0123456789abcdef
! so the checksum depends on every iteration. n = argv[1] (at least 1) or
! 20000000. Prints "int_loop n=<n> checksum=<h in hex>"; the default prints
!     int_loop n=20000000 checksum=d22d3102b9852def
! (expected values computed by expected.py, listed in README.md).

    .include "bench.inc"

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    ARGSIZE %r7, 20000000
    {
        disp %ctpr2, .Lloop
        addd,0 0, 0, %r0                   ! i
        subd,1 %r7, 1, %r1                 ! n - 1
        addd,2 0, 0x0123456789abcdef, %r2  ! h
    }
.Lloop:
    {
        addd,0 %r0, 1, %r0
        cmpbdb,1 %r0, %r1, %pred0          ! old i < n - 1: go on
        shld,3 %r2, 5, %r3
        xord,4 %r2, %r0, %r4
    }
    {
        addd,0 %r3, %r4, %r2
        ct %ctpr2 ? %pred0
    }
    REPORT "int_loop n=", %r7, " checksum=", %r2
    .size _start, . - _start
