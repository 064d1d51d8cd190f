! combined_quad.s -- combined two-stage ALU operations and 64-bit packed (SIMD)
! operations, ISA v3..v6 (semantics reference §10.7, §11.4, §12).  The 128-bit
! quad operations of v5+ are in combined_quad_v5.s.
!
! Combined ops compute r0 = op1(src1, src2), then dst = op2(src3, r0).  The
! reference takes the operand order of op2 from qemu only (§10.7 [unknown]), so
! every op2 used here is commutative (add, or, xor, and); op1 has the ordinary
! src1/src2 order.  FP combined ops round after each step (not fused):
!   fmul_addd x, x, -1 with x = 1 + 2^-30: x*x = 1 + 2^-29 + 2^-60 rounds to
!     1 + 2^-29, then - 1 = 2^-29 = 3e20000000000000 (a fused result would keep
!     the 2^-60 term)
!   fsub_addd 2^53, -1, 1: 2^53 + 1 rounds to 2^53 (tie, even), + 1 again -> 2^53
!     = 4340000000000000 (single rounding would give 2^53 + 2)
!   fmul_adds y, y, -1 with y = 1 + 2^-12 (f32): 1 + 2^-11 + 2^-24 is a tie and
!     rounds to even 1 + 2^-11; minus 1 = 2^-11 = 3a000000
!   pfmul_adds: the same per f32 lane: lane0 (y, y, -1) -> 3a000000,
!     lane1 (2.0, 3.0, 0.5) -> 6.5 = 40d00000
! The packed results follow the lane definitions of §12; the expected values are
! listed with each op below (a = 7ffe80001234ff01, b = 00058001f00f0101,
! c = 8040201008040201).

    .include "rt.inc"

! OP text, insn...: run one instruction that writes %r4, print "text=%r4"
    .macro OP text, insn:vararg
    {
        addd,0 0, 0, %r4
    }
    {
        \insn
    }
    PUTS "\text="
    PUTHEX %r4
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
    .macro LOADABC
    {
        addd,0 0, 0x7ffe80001234ff01, %r0
    }
    {
        addd,0 0, 0x00058001f00f0101, %r1
    }
    {
        addd,0 0, 0x8040201008040201, %r2
    }
    .endm
    LOADABC
! ---------------------------------------------------------------- integer combined
    OP "add_addd  c+(a+b)     ", add_addd,1 %r0, %r1, %r2, %r4      ! 004420120a480203
    OP "sub_addd  c+(a-b)     ", sub_addd,4 %r0, %r1, %r2, %r4      ! 0039200e2a2a0001
    OP "and_ord   c|(a&b)     ", and_ord,1 %r0, %r1, %r2, %r4       ! 8044a01018040301
    OP "andn_xord c^(a&~b)    ", andn_xord,4 %r0, %r1, %r2, %r4     ! ffba20100a34fc01
    OP "shl_addd  c+(a<<4)    ", shl_addd,1 %r0, 4, %r2, %r4        ! 802820112b53f211
    OP "sar_xord  a^(c>>4)    ", sar_xord,4 %r2, 4, %r0, %r4        ! 87fa820112b4bf21
    OP "xor_andd  c&(a^b)     ", xor_andd,1 %r0, %r1, %r2, %r4      ! 0040000000000200
    OP "add_adds  c+(a+b) 32  ", add_adds,4 %r0, %r1, %r2, %r4      ! 000000000a480203
! ---------------------------------------------------------------- FP combined
    {
        addd,0 0, 0x3ff0000000400000, %r0  ! 1 + 2^-30
        addd,1 0, 0xbff0000000000000, %r1  ! -1.0
    }
    OP "fmul_addd x*x-1       ", fmul_addd,1 %r0, %r0, %r1, %r4     ! 3e20000000000000
    {
        addd,0 0, 0x4340000000000000, %r0  ! 2^53
        addd,1 0, 0x3ff0000000000000, %r2  ! 1.0
    }
    OP "fsub_addd 2^53+1+1    ", fsub_addd,4 %r0, %r1, %r2, %r4     ! 4340000000000000
    {
        addd,0 0, 0x3f800800, %r0          ! 1 + 2^-12 (f32)
        addd,1 0, 0xbf800000, %r1          ! -1.0f
    }
    OP "fmul_adds y*y-1       ", fmul_adds,1 %r0, %r0, %r1, %r4     ! 000000003a000000
    {
        addd,0 0, 0x400000003f800800, %r0  ! (2.0f, y)
    }
    {
        addd,0 0, 0x4040000000000000, %r1  ! lane 1 = 3.0f (lane 0 0)
    }
    {
        ord,0 %r1, 0x3f800800, %r1         ! lane 0 = y
        addd,1 0, 0x3f000000bf800000, %r2  ! (0.5f, -1.0f)
    }
    OP "pfmul_adds            ", pfmul_adds,4 %r0, %r1, %r2, %r4    ! 40d000003a000000
! ---------------------------------------------------------------- packed
    LOADABC
! paddw: 2 x u32 wrap-around -> 8004000102440002
    OP "paddw     ", paddw,0 %r0, %r1, %r4
! paddsh: 4 x s16, saturating (7ffe + 0005 -> 7fff) -> 7fff800002430002
    OP "paddsh    ", paddsh,0 %r0, %r1, %r4
! psubusb: 8 x u8, a - b saturating at 0 -> 7ff900000025fe00
    OP "psubusb   ", psubusb,0 %r0, %r1, %r4
! pmaxsh: 4 x s16 maximum -> 7ffe800112340101
    OP "pmaxsh    ", pmaxsh,0 %r0, %r1, %r4
! pcmpgtb: 8 x s8, a > b -> ff -> ff000000ffff0000
    OP "pcmpgtb   ", pcmpgtb,0 %r0, %r1, %r4
! pavgusb: 8 x u8, (a + b + 1) >> 1 -> 4082800181228001
    OP "pavgusb   ", pavgusb,0 %r0, %r1, %r4
! psllh 4: 4 x u16 << 4 -> ffe000002340f010
    OP "psllh 4   ", psllh,1 %r0, 4, %r4
! psraw 4: 2 x s32 >> 4, arithmetic -> 00005800ff00f010
    OP "psraw 4   ", psraw,1 %r1, 4, %r4
! psraw 40: count >= 31 acts as 31: sign fill -> 00000000ffffffff
    OP "psraw 40  ", psraw,1 %r1, 40, %r4
! pmulhh: 4 x high 16 bits of s16 * s16 -> 00023ffffeddffff
    OP "pmulhh    ", pmulhh,1 %r0, %r1, %r4
! pmaddh: 2 x s32: a0*b0 + a1*b1, a2*b2 + a3*b3 -> 4001fff6fedcd10d
    OP "pmaddh    ", pmaddh,1 %r0, %r1, %r4
! psadbw: sum of |a_i - b_i| over 8 bytes -> 000000000000037a
    OP "psadbw    ", psadbw,1 %r0, %r1, %r4
! punpcklbh: even bytes from b (src2), odd from a, low halves -> 12f0340fff010101
    OP "punpcklbh ", punpcklbh,1 %r0, %r1, %r4
! packsshb: b's s16 lanes saturated to s8 in the low half, a's in the high half -> 7f807f800580807f
    OP "packsshb  ", packsshb,1 %r0, %r1, %r4
! pmovmskb: sign bits: b's bytes -> bits 0..7, a's -> bits 8..15 -> 0000000000006228
    OP "pmovmskb  ", pmovmskb,1 %r0, %r1, %r4
! pshufh 1b: lane i = a.h[(0x1b >> 2i) & 3] -> ff01123480007ffe
    OP "pshufh 1b ", pshufh,1 %r0, 0x1b, %r4
! pmerge: per byte: c.byte < 0 ? b : a -> 00fe80001234ff01
    OP "pmerge    ", pmerge,0 %r0, %r1, %r2, %r4
! pshufb control bytes (byte 0 first): 00 (b[0]), 0f (a[7]), 13 (~b[3]),
! 29 (bit-reversed a[1]), 42 (sign of b[2] replicated), a0 (7f), c0 (80), e0 (ff)
    {
        addd,0 0, 0xe0c0a0422913 << 16 | 0x0f00, %r3
    }
! pshufb: see the control bytes above -> ff807f00ff0f7f01
    OP "pshufb    ", pshufb,0 %r0, %r1, %r3, %r4
    EXIT 0
    .size _start, . - _start
