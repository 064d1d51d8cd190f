! mem_loop.s -- memory-bound benchmark: R rounds over a 4 KiB buffer of 512
! doublewords: buf[k] = buf[k] * 3 + k, sum += buf[k]; prints "checksum" (sum in
! hex) and exits 0.
    .include "lib.inc"
    .set R, 4000
    .text
    .global _start
    .align 8
_start:
    { setwd wsz=8, nfx=1 }
    { addd,0 0, 0, %r5          ! sum
      addd,1 0, 0, %r6          ! round
      addd,2 0, buf, %r1 }
2:
    { disp %ctpr1, 1f
      addd,0 0, 0, %r0 }        ! byte offset
1:
    { ldd,0 %r1, %r0, %r2
      shrd,1 %r0, 3, %r7 }
    { muld,0 %r2, 3, %r3 }
    { addd,0 %r3, %r7, %r3 }
    { std,2 %r3, [ %r1 + %r0 ]
      addd,0 %r5, %r3, %r5
      addd,1 %r0, 8, %r0 }
    { cmpbdb,0 %r0, 4096, %pred0 }
    { ct %ctpr1 ? %pred0 }
    { disp %ctpr1, 2b
      addd,0 %r6, 1, %r6 }
    { cmpbdb,0 %r6, R, %pred1 }
    { ct %ctpr1 ? %pred1 }
    PUTS "checksum "
    PUTHEX %r5
    PUTS "\n"
    EXIT 0
    .bss
    .align 8
buf:
    .skip 4096
