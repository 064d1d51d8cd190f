! fp_modes.s -- floating-point control and status (semantics reference §1.7, §11):
! the four rounding modes of %pfpfr (rc, bits 14:13) on overflow, underflow,
! fmuls, fsqrts, a halfway faddd and fdtois; the accrued exception flags
! (%pfpfr bits 5:0: IE 1, DE 2, ZE 4, OE 8, UE 0x10, PE 0x20) of each result,
! read back with rrs after clearing them with rws; invalid operations, division
! by zero and integer conversions (fdtoistr, fstoid, fdtoid, out-of-range and NaN
! giving the "integer indefinite" value); and the separate x87-style control of
! the 80-bit ops: %fpcr precision control (pc, bits 9:8) and rounding (rc, bits
! 11:10) on fxdivxx, with flags in %fpsr, independent of %pfpfr.
!
! Every expected value is the correctly rounded IEEE 754 result for the mode
! (computed exactly by hand/with rational arithmetic, not by an emulator):
!   1e308 * 10 overflows: nearest/up -> +inf 7ff0..., down/zero -> DBL_MAX
!     7fefffffffffffff; flags OE|PE = 28 in every mode
!   2^-1000 * 2^-100 = 2^-1100 < 2^-1074: nearest/down/zero -> +0, up -> the
!     smallest subnormal 0000000000000001; flags UE|PE = 30
!   (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46 (f32): up -> 3f800003, else 3f800002; PE
!   sqrt(2) (f32) = 1.41421353816986083984375 + 0.00000002...: nearest/down/zero
!     3fb504f3, up 3fb504f4; PE
!   1 + 2^-53 (exact halfway between 1 and 1 + 2^-52): nearest (ties to even)
!     down, zero -> 3ff0000000000000, up -> 3ff0000000000001; PE
!   fdtois(-2.5): nearest -2, down -3, up -2, zero -2; PE
!   sqrt(2) in f64 with the fsqrtid + fsqrttd pair (§11.4: the pair computes the
!     square root of the original operand) = 1.41421356237309504880..:
!     nearest/up 3ff6a09e667f3bcd, down/zero 3ff6a09e667f3bcc; PE

    .include "rt.inc"
    .include "cpuutil.inc"

    .set PFPFR0, 0x1f80                    ! all exceptions masked, nearest, no flags
    .set FPCR0, 0x037f                     ! x87 default: masked, pc = extended, nearest

! CLRF: %pfpfr := %r7 (mode, flags clear)
    .macro CLRF
    {
        rws,0 %r7, %pfpfr
    }
    {
        nop 5
    }
    .endm

! GETF reg: reg := %pfpfr flags
    .macro GETF reg
    {
        nop 7
    }
    {
        rrs,0 %pfpfr, \reg
    }
    {
        andd,0 \reg, 0x3f, \reg
    }
    .endm

! SHOW text, value, digits, flags
    .macro SHOW text, val, n, fl
    PUTS "\text"
    PUTHEXN \val, \n
    PUTC 47
    PUTHEXN \fl, 2
    .endm

! MODE m: the rounding-mode dependent results
    .macro MODE m
    {
        addd,0 0, PFPFR0 | (\m << 13), %r7
    }
    CLRF
    {
        addd,0 0, 0x7fe1ccf385ebc8a0, %r0  ! 1e308
    }
    {
        addd,0 0, 0x4024000000000000, %r1  ! 10.0
    }
    {
        fmuld,0 %r0, %r1, %r2
    }
    GETF %r3
    PUTS "rc=\m"
    SHOW " ovf=", %r2, 16, %r3
    CLRF
    {
        addd,0 0, 0x0170000000000000, %r0  ! 2^-1000
    }
    {
        addd,0 0, 0x39b0000000000000, %r1  ! 2^-100
    }
    {
        fmuld,0 %r0, %r1, %r2
    }
    GETF %r3
    SHOW " unf=", %r2, 16, %r3
    CLRF
    {
        addd,0 0, 0x3f800001, %r0          ! 1 + 2^-23 (f32)
    }
    {
        fmuls,0 %r0, %r0, %r2
    }
    GETF %r3
    SHOW " mul=", %r2, 8, %r3
    PUTNL
    CLRF
    {
        addd,0 0, 0x40000000, %r0          ! 2.0f
    }
    {
        fsqrts,5 %r0, %r2
    }
    GETF %r3
    SHOW "     sqrt=", %r2, 8, %r3
    CLRF
    {
        addd,0 0, 0x3ff0000000000000, %r0  ! 1.0
    }
    {
        addd,0 0, 0x3ca0000000000000, %r1  ! 2^-53
    }
    {
        faddd,0 %r0, %r1, %r2
    }
    GETF %r3
    SHOW " tie=", %r2, 16, %r3
    CLRF
    {
        addd,0 0, 0xc004000000000000, %r0  ! -2.5
    }
    {
        fdtois,0 %r0, %r2
    }
    GETF %r3
    SHOW " fdtois(-2.5)=", %r2, 8, %r3
    PUTNL
    CLRF
    {
        addd,0 0, 0x4000000000000000, %r0  ! 2.0
    }
    {
        fsqrtid,5 %r0, %r1
    }
    {
        fsqrttd,5 %r0, %r1, %r2
    }
    GETF %r3
    SHOW "     dsqrt=", %r2, 16, %r3
    PUTNL
    .endm

! FX pc, rc, label: %fpcr := pc/rc, %fpsr flags cleared, print 1/3 in f80 as
! exponent:significand and the %fpsr flags
    .macro FX pc, rc, label
    {
        addd,0 0, 0x7f | (\pc << 8) | (\rc << 10), %r0
    }
    {
        rws,0 %r0, %fpcr
    }
    {
        rws,0 0, %fpsr
    }
    {
        nop 5
    }
    {
        fxdivxx,5 %r4, %r5, %r2
    }
    {
        nop 7
    }
    {
        rrs,0 %fpsr, %r3
        movfi,1 %r2, %r1
    }
    {
        andd,0 %r3, 0x3f, %r3
    }
    PUTS "\label"
    PUTHEXN %r1, 4
    PUTC 58
    PUTHEX %r2
    PUTS " fpsr="
    PUTHEXN %r3, 2
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
    MODE 0
    MODE 1
    MODE 2
    MODE 3

! ---------------------------------------------------------------- special cases
! (nearest mode)
!   inf - inf: invalid -> default NaN fff8000000000000 (x86 rule, §11.3), IE = 01
!   1 / 0: +inf 7ff0000000000000, ZE = 04
!   fdtois(1e20): out of range -> integer indefinite 80000000, IE
!   fdtoid(NaN): 8000000000000000, IE
!   fstoid(1e10f): exactly 10000000000 = 00000002540be400, no flag
!   fdtoistr(-2.7): truncates -> -2 = fffffffe, PE
!   fdtofs(0.1): 0.1 rounded to f32 = 3dcccccd, PE
!   flags accumulate: the three ops 1/0, inf-inf, fdtofs(0.1) without clearing
!   in between leave ZE|IE|PE = 25
    {
        addd,0 0, PFPFR0, %r7
    }
    CLRF
    {
        addd,0 0, 0x7ff0000000000000, %r0
    }
    {
        fsubd,0 %r0, %r0, %r2
    }
    GETF %r3
    SHOW "inf-inf=", %r2, 16, %r3
    CLRF
    {
        addd,0 0, 0x3ff0000000000000, %r0
    }
    {
        fdivd,5 %r0, 0, %r2
    }
    GETF %r3
    SHOW " 1/0=", %r2, 16, %r3
    PUTNL
    CLRF
    {
        addd,0 0, 0x4415af1d78b58c40, %r0  ! 1e20
    }
    {
        fdtois,0 %r0, %r2
    }
    GETF %r3
    SHOW "fdtois(1e20)=", %r2, 8, %r3
    CLRF
    {
        addd,0 0, 0x7ff8000000000000, %r0  ! quiet NaN
    }
    {
        fdtoid,0 %r0, %r2
    }
    GETF %r3
    SHOW " fdtoid(NaN)=", %r2, 16, %r3
    PUTNL
    CLRF
    {
        addd,0 0, 0x501502f9, %r0          ! 1e10f
    }
    {
        fstoid,0 %r0, %r2
    }
    GETF %r3
    SHOW "fstoid(1e10f)=", %r2, 16, %r3
    CLRF
    {
        addd,0 0, 0xc00599999999999a, %r0  ! -2.7
    }
    {
        fdtoistr,0 %r0, %r2
    }
    GETF %r3
    SHOW " fdtoistr(-2.7)=", %r2, 8, %r3
    PUTNL
    CLRF
    {
        addd,0 0, 0x3fb999999999999a, %r0  ! 0.1
    }
    {
        fdtofs,0 %r0, %r2
    }
    GETF %r3
    SHOW "fdtofs(0.1)=", %r2, 8, %r3
    CLRF
    {
        addd,0 0, 0x3ff0000000000000, %r0
        addd,1 0, 0x7ff0000000000000, %r1
    }
    {
        addd,0 0, 0x3fb999999999999a, %r4
    }
    {
        fdivd,5 %r0, 0, %r2
    }
    {
        fsubd,0 %r1, %r1, %r2
    }
    {
        fdtofs,0 %r4, %r2
    }
    GETF %r3
    PUTS " accrued="
    PUTHEXN %r3, 2
    PUTNL

! ---------------------------------------------------------------- unmasked traps
! With the mask bit of a flag cleared (%pfpfr em, bits 12:7), raising that flag
! traps: SIGFPE with the si_code of the flag (§11.2, §14.1): 1/0 with ZE unmasked
! -> FPE_FLTDIV (3); inf - inf with IE unmasked -> FPE_FLTINV (7).  Only one flag
! is raised in each case.  The handler resumes after the bundle.
    SIGACT SIGFPE, resume_handler
    {
        addd,0 0, PFPFR0 & ~(1 << 9), %r7  ! ZE unmasked
        addd,1 0, .Ltrap1, %g16
        addd,2 0, 0, %g17
    }
    CLRF
    PUTS "1/0 with ZE unmasked:\n"
    {
        addd,0 0, 0x3ff0000000000000, %r0
    }
    {
        fdivd,5 %r0, 0, %r2
    }
.Ltrap1:
    {
        addd,0 0, PFPFR0 & ~(1 << 7), %r7  ! IE unmasked
        addd,1 0, .Ltrap2, %g16
    }
    CLRF
    PUTS "inf-inf with IE unmasked:\n"
    {
        addd,0 0, 0x7ff0000000000000, %r0
    }
    {
        fsubd,0 %r0, %r0, %r2
    }
.Ltrap2:
    {
        addd,0 0, PFPFR0, %r7
    }
    CLRF

! ---------------------------------------------------------------- 80-bit, %fpcr
! 1/3 = binary 0.010101...: significand 0xaaaa...aaaa|aaa... with exponent 3ffd.
!   pc = extended (64 bits), rc nearest: aaaaaaaaaaaaaaab (the rest is 2/3 ulp)
!   pc = extended, rc down:    aaaaaaaaaaaaaaaa
!   pc = double (53 bits), rc nearest: aaaaaaaaaaaaa800
!   pc = double, rc up:        aaaaaaaaaaaaa800 + 0x800 = aaaaaaaaaaaab000
!   pc = single (24 bits), rc nearest: aaaaab0000000000
!   pc = single, rc zero:      aaaaaa0000000000
! All inexact: %fpsr = 20.
    {
        addd,0 0, 0x3ff0000000000000, %r0
        addd,1 0, 0x4008000000000000, %r1
    }
    {
        fdtofx,0 %r0, %r4                  ! 1.0 (exact)
        fdtofx,1 %r1, %r5                  ! 3.0 (exact)
    }
    FX 3, 0, "ext    near: "
    FX 3, 1, "ext    down: "
    FX 2, 0, "double near: "
    FX 2, 2, "double up:   "
    FX 0, 0, "single near: "
    FX 0, 3, "single zero: "
! The two control registers are independent (§11.2): %fpcr rounds up, %pfpfr
! rounds down.  fxdivxd (f80 / f80 -> f64) uses %fpcr: 1/3 up = 3fd5555555555556;
! fdivd uses %pfpfr: 1/3 down = 3fd5555555555555.  Its inexact flag goes to
! %fpsr only (fpsr 20, pfpfr flags 00); fdivd's only to %pfpfr.
    {
        addd,0 0, FPCR0 | (2 << 10), %r2
        addd,1 0, PFPFR0 | (1 << 13), %r7
    }
    {
        rws,0 %r2, %fpcr
    }
    {
        rws,0 0, %fpsr
    }
    CLRF
    {
        fxdivxd,5 %r4, %r5, %r2
    }
    {
        nop 7
    }
    {
        rrs,0 %fpsr, %r3
    }
    {
        rrs,0 %pfpfr, %r6
    }
    {
        andd,0 %r3, 0x3f, %r3
        andd,1 %r6, 0x3f, %r6
    }
    PUTS "fxdivxd (fpcr up)="
    PUTHEX %r2
    PUTS " fpsr="
    PUTHEXN %r3, 2
    PUTS " pfpfr="
    PUTHEXN %r6, 2
    PUTNL
    {
        rws,0 0, %fpsr
    }
    {
        addd,0 0, 0x3ff0000000000000, %r0
        addd,1 0, 0x4008000000000000, %r1
    }
    {
        fdivd,5 %r0, %r1, %r2
    }
    {
        nop 7
    }
    {
        rrs,0 %fpsr, %r3
    }
    {
        rrs,0 %pfpfr, %r6
    }
    {
        andd,0 %r3, 0x3f, %r3
        andd,1 %r6, 0x3f, %r6
    }
    PUTS "fdivd (pfpfr down)="
    PUTHEX %r2
    PUTS " fpsr="
    PUTHEXN %r3, 2
    PUTS " pfpfr="
    PUTHEXN %r6, 2
    PUTNL
! f80 special results and conversions (fpcr back to the default, nearest):
!   1/0 in f80: +inf = 7fff:8000000000000000, fpsr ZE = 04
!   fxtois(2.5): nearest even -> 2; fxtoistr(-2.5) truncates -> -2 (fffffffe);
!   fxtoid(1/3) -> 0; each inexact
    {
        addd,0 0, FPCR0, %r2
    }
    {
        rws,0 %r2, %fpcr
    }
    {
        rws,0 0, %fpsr
        addd,1 0, 0, %r0
    }
    {
        nop 5
        fdtofx,0 %r0, %r6                  ! +0.0
    }
    {
        fxdivxx,5 %r4, %r6, %r2
    }
    {
        nop 7
    }
    {
        rrs,0 %fpsr, %r3
        movfi,1 %r2, %r1
    }
    {
        andd,0 %r3, 0x3f, %r3
    }
    PUTS "f80 1/0="
    PUTHEXN %r1, 4
    PUTC 58
    PUTHEX %r2
    PUTS " fpsr="
    PUTHEXN %r3, 2
    PUTNL
    {
        addd,0 0, 0x4004000000000000, %r0  ! 2.5
        addd,1 0, 0xc004000000000000, %r1  ! -2.5
    }
    {
        fdtofx,0 %r0, %r0
        fdtofx,1 %r1, %r1
    }
    {
        fxtois,0 %r0, %r2
        fxtoistr,1 %r1, %r3
        fxdivxx,5 %r4, %r5, %r6            ! 1/3
    }
    {
        fxtoid,0 %r6, %r6
    }
    PUTS "fxtois(2.5)="
    PUTHEXN %r2, 8
    PUTS " fxtoistr(-2.5)="
    PUTHEXN %r3, 8
    PUTS " fxtoid(1/3)="
    PUTHEX %r6
    PUTNL
    EXIT 0
    .size _start, . - _start
