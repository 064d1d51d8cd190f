! calls.s -- call/return benchmark: naive recursive Fibonacci,
!     fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
! every level a procedure call (wbs=4) into a fresh 16-register window, %g16
! counting the calls. n = argv[1] (at least 1) or 31. Prints
! "calls n=<n> fib=<fib(n)> calls=<number of calls>" (the number of calls is
! 2 fib(n + 1) - 1); the default prints
!     calls n=31 fib=1346269 calls=4356617
! (expected values computed by expected.py, listed in README.md).

    .include "bench.inc"

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
        addd,0 0, 0, %g16
    }
    ARGSIZE %r7, 31
    BCALL fib, %r7, 0
    {
        addd,0 0, %r8, %r0
    }
    PUTS "calls n="
    PUTDEC %r7
    PUTS " fib="
    PUTDEC %r0
    PUTS " calls="
    PUTDEC %g16
    PUTS "\n"
    EXIT 0
    .size _start, . - _start

! fib(%r0 = n) -> %r0
    .type fib, #function
    .align 8
fib:
    {
        setwd wsz=8, nfx=1
        return %ctpr3
        cmpbdb,0 %r0, 2, %pred0            ! n < 2: fib(n) = n
        addd,1 %g16, 1, %g16
    }
    {
        ct %ctpr3 ? %pred0
    }
    {
        disp %ctpr1, fib
        subd,0 %r0, 1, %r8
    }
    {
        call %ctpr1, wbs=4
    }
    {
        disp %ctpr1, fib
        addd,0 0, %r8, %r1                 ! fib(n - 1)
        subd,1 %r0, 2, %r8
    }
    {
        call %ctpr1, wbs=4
    }
    {
        addd,0 %r1, %r8, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }
    .size fib, . - fib
