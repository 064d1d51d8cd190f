! int_loop.s -- integer loop benchmark: N iterations of a two-bundle loop
!   { i += 1; x = (x ^ i) + (i << 3); pred0 = i < N }  { ct ? pred0 }
! (every source is read before the bundle writes, so x and pred0 use the old i)
! prints "checksum XXXXXXXX" (x in hex) and exits 0.
    .include "lib.inc"
    .set N, 20000000
    .text
    .global _start
    .align 8
_start:
    { setwd wsz=8, nfx=1 }
    { disp %ctpr2, 1f
      addd,0 0, 0, %r0
      addd,1 0, N, %r1
      addd,2 0, 0, %r2 }
1:
    { addd,0 %r0, 1, %r0
      xord,1 %r2, %r0, %r3
      shld,2 %r0, 3, %r4 }
    { addd,0 %r3, %r4, %r2
      cmpbdb,1 %r0, %r1, %pred0 }
    { ct %ctpr2 ? %pred0 }
    PUTS "checksum "
    PUTHEX %r2
    PUTS "\n"
    EXIT 0
