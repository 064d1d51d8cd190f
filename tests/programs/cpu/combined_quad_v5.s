! combined_quad_v5.s -- operations that exist from ISA v5 on (semantics reference
! §10.2, §10.7, §12): 128-bit qp operations on whole quad registers (each 64-bit
! half is processed independently, §12), qppackdl/qpswitchd, the three-input
! bitwise plog/qplog (result bit = table[(a << 2) | (b << 1) | c]; only
! symmetric tables are used, so the input order does not matter), and the
! carry chain addcd/addcd_c, subcd/subcd_c (a +- b +- (src3 & 1), carry/borrow).
! Built for v5 and v6.  Operands (hi:lo):
!   A = 8040201008040201:7ffe80001234ff01   B = 0102030405060708:00058001f00f0101
!   C = 00ff00ff00ff00ff:ff00ff00ff00ff00
! Expected values (from the lane definitions; the low halves equal the 64-bit
! packed results of combined_quad.s for the same inputs where the op exists):
!   qpaddd    814223140d0a0909:8004000202440002  (2 x u64: carries cross u32 lanes)
!   qpsubw    7f3e1d0c02fdfaf9:7ff8ffff2225fe00  (4 x u32)
!   qpmaxsh   0102201008040708:7ffe800112340101  (8 x s16)
!   qpmulhh   ff7f00600028000e:00023ffffeddffff  (8 x high half of s16*s16)
!   qpsadbw   00000000000000f7:000000000000037a  (per 64-bit half)
!   qpand     0000000000040200:0004800010040101
!   qpxor     814223140d020509:7ffb0001e23bfe00
!   qpswitchd A   7ffe80001234ff01:8040201008040201  (halves swapped)
!   qppackdl (src1 = 0x1111 -> hi, src2 = 0x2222 -> lo)
!             0000000000001111:0000000000002222
!   plog_0x96 (a ^ b ^ c, low halves)      80fbff011d3b0100
!   plog_0xe8 (majority, low halves)        7f048000f204ff01
!   qplog_0x80 (a & b & c)  0000000000040000:0000800010000100
!   addcd ffffffffffffffff + 0 + 1 = 0, carry 1;  addcd 5 + 7 + 0 = 12, carry 0
!   subcd 0 - 0 - 1 = ffffffffffffffff, borrow 1; subcd 9 - 4 - 1 = 4, borrow 0

    .include "rt.inc"

! SHOWQ text, qreg: store the quad register and print hi:lo
    .macro SHOWQ text, q
    {
        stqp,2 \q, [ qbuf ]
    }
    {
        ldd,0 0, [ qbuf + 8 ], %r6
        ldd,2 0, [ qbuf ], %r7
    }
    PUTS "\text"
    PUTHEX %r6
    PUTC 58
    PUTHEX %r7
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
    {
        ldqp,0 0, [ va ], %qpr0
    }
    {
        ldqp,0 0, [ vb ], %qpr1
    }
    {
        ldqp,0 0, [ vc ], %qpr2
    }
    {
        qpaddd,0 %qpr0, %qpr1, %qpr3
        qpsubw,3 %qpr0, %qpr1, %qpr4
    }
    SHOWQ "qpaddd    ", %qpr3
    SHOWQ "qpsubw    ", %qpr4
    {
        qpmaxsh,0 %qpr0, %qpr1, %qpr3
        qpmulhh,1 %qpr0, %qpr1, %qpr4
    }
    SHOWQ "qpmaxsh   ", %qpr3
    SHOWQ "qpmulhh   ", %qpr4
    {
        qpsadbw,1 %qpr0, %qpr1, %qpr3
        qpand,0 %qpr0, %qpr1, %qpr4
    }
    SHOWQ "qpsadbw   ", %qpr3
    SHOWQ "qpand     ", %qpr4
    {
        qpxor,0 %qpr0, %qpr1, %qpr3
        qpswitchd,1 %qpr0, %qpr4
    }
    SHOWQ "qpxor     ", %qpr3
    SHOWQ "qpswitchd ", %qpr4
    {
        addd,0 0, 0x1111, %r3
        addd,1 0, 0x2222, %r4
    }
    {
        qppackdl,0 %r3, %r4, %qpr5
    }
    SHOWQ "qppackdl  ", %qpr5
    {
        plog_0x96,0 %r0, %r1, %r2, %r3
        plog_0xe8,1 %r0, %r1, %r2, %r4
        qplog_0x80,3 %qpr0, %qpr1, %qpr2, %qpr5
    }
    PUTS "plog_0x96 "
    PUTHEX %r3
    PUTS " plog_0xe8 "
    PUTHEX %r4
    PUTNL
    SHOWQ "qplog_0x80 ", %qpr5
! carry chains
    {
        addd,0 0, -1, %r0
        addd,1 0, 1, %r1
        addd,2 0, 0, %r2
        addd,3 0, 5, %r3
        addd,4 0, 7, %r4
    }
    {
        addcd,1 %r0, 0, %r1, %r5
        addcd_c,4 %r0, 0, %r1, %r6
    }
    PUTS "addcd -1+0+1="
    PUTHEX %r5
    PUTS " c="
    PUTDEC %r6
    {
        addcd,1 %r3, %r4, %r2, %r5
        addcd_c,4 %r3, %r4, %r2, %r6
    }
    PUTS "; 5+7+0="
    PUTDEC %r5
    PUTS " c="
    PUTDEC %r6
    PUTNL
    {
        addd,0 0, 9, %r3
        addd,1 0, 4, %r4
    }
    {
        subcd,1 %r2, 0, %r1, %r5
        subcd_c,4 %r2, 0, %r1, %r6
    }
    PUTS "subcd 0-0-1="
    PUTHEX %r5
    PUTS " b="
    PUTDEC %r6
    {
        subcd,1 %r3, %r4, %r1, %r5
        subcd_c,4 %r3, %r4, %r1, %r6
    }
    PUTS "; 9-4-1="
    PUTDEC %r5
    PUTS " b="
    PUTDEC %r6
    PUTNL
    EXIT 0
    .size _start, . - _start

    .data
    .align 16
va:
    .quad 0x7ffe80001234ff01, 0x8040201008040201
vb:
    .quad 0x00058001f00f0101, 0x0102030405060708
vc:
    .quad 0xff00ff00ff00ff00, 0x00ff00ff00ff00ff
qbuf:
    .skip 16
