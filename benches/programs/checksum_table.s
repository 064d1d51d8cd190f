! checksum_table.s -- table-driven checksum: builds the 256-entry CRC-32 table
! (polynomial 0xedb88320), then runs CRC-32 over the bytes i & 0xff for
! i = 0 .. N-1 and prints "checksum" (the final CRC, inverted) in hex.
    .include "lib.inc"
    .set N, 3000000
    .text
    .global _start
    .align 8
_start:
    { setwd wsz=8, nfx=1 }
    ! table: for n in 0..256: c = n; 8 times: c = c & 1 ? (c >> 1) ^ poly : c >> 1
    { addd,0 0, 0, %r0
      addd,1 0, table, %r1 }
3:
    { disp %ctpr1, 4f
      addd,0 %r0, 0, %r2
      addd,1 0, 0, %r3 }
4:
    { andd,0 %r2, 1, %r4
      shrd,1 %r2, 1, %r2
      addd,2 %r3, 1, %r3 }
    { cmpedb,0 %r4, 1, %pred0
      cmpbdb,1 %r3, 8, %pred1 }
    { xord,0 %r2, 0xedb88320, %r2 ? %pred0 }
    { ct %ctpr1 ? %pred1 }
    { disp %ctpr1, 3b
      shld,0 %r0, 3, %r5
      addd,1 %r0, 1, %r0 }
    { std,2 %r2, [ %r1 + %r5 ]
      cmpbdb,0 %r0, 256, %pred2 }
    { ct %ctpr1 ? %pred2 }
    ! crc over the bytes
    { disp %ctpr1, 5f
      addd,0 0, 0, %r0
      addd,1 0, 0xffffffff, %r2 }
5:
    { andd,0 %r0, 0xff, %r3
      addd,1 %r0, 1, %r0 }
    { xord,0 %r2, %r3, %r3 }
    { andd,0 %r3, 0xff, %r3 }
    { shld,0 %r3, 3, %r3
      shrd,1 %r2, 8, %r2 }
    { ldd,0 %r1, %r3, %r4
      cmpbdb,1 %r0, N, %pred0 }
    { xord,0 %r2, %r4, %r2 }
    { ct %ctpr1 ? %pred0 }
    { xord,0 %r2, 0xffffffff, %r2 }
    PUTS "checksum "
    PUTHEX %r2
    PUTS "\n"
    EXIT 0
    .bss
    .align 8
table:
    .skip 2048
