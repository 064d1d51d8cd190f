! rotation.s -- rotating registers and predicates (semantics reference §3.3, §3.4,
! §5.4, §7): setbn with a non-zero rcur, abn rotation and the abnf/abnt stubs
! depending on whether the bundle's transfer is taken, a %b[] index beyond the
! based area (SIGSEGV, SEGV_BNDERR), setbp/abp rotating predicates in a loop, and
! a software-pipelined loop in loop_mode (based registers, rotating predicates,
! prologue store suppression by pcnt, epilogue by ecnt, final-pass suppression
! by strmd = 0) that squares and sums an array.
!
! Mapping used throughout (§3.3): with setbn rsz=3, rbs=8 the based area is
! %r16..%r23 (bsize = 2*3+2 = 8) and %b[n] = %r(16 + (2*rcur' + n) mod 8), where
! rcur' starts at rcur and every abn does rcur' := rcur' - 1 (bcur -= 2) mod 4.
! The based area is copied to memory before printing: the print macros call with
! wbs=4, which hands %r8.. (including %r16..%r23) to the callee.

    .include "rt.inc"
    .include "cpuutil.inc"

    .set VLC, 1 << 37
    .set N, 10

! SNAP: store %b[0..7] to snap[0..7]
    .macro SNAP
    {
        std,2 %b[0], [ snap + 0 ]
        std,5 %b[1], [ snap + 8 ]
    }
    {
        std,2 %b[2], [ snap + 16 ]
        std,5 %b[3], [ snap + 24 ]
    }
    {
        std,2 %b[4], [ snap + 32 ]
        std,5 %b[5], [ snap + 40 ]
    }
    {
        std,2 %b[6], [ snap + 48 ]
        std,5 %b[7], [ snap + 56 ]
    }
    .endm

! FILL: %r16..%r23 = 0x10..0x17
    .macro FILL
    {
        addd,0 0, 0x10, %r16
        addd,1 0, 0x11, %r17
        addd,2 0, 0x12, %r18
        addd,3 0, 0x13, %r19
        addd,4 0, 0x14, %r20
        addd,5 0, 0x15, %r21
    }
    {
        addd,0 0, 0x16, %r22
        addd,1 0, 0x17, %r23
    }
    .endm

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=12, nfx=1
    }
    SIGACT SIGSEGV, resume_handler
! ---------------------------------------------------------------- setbn, abn
    {
        setbn rsz=3, rbs=8, rcur=1         ! bcur = 2: %b[0] = %r18, %b[6] = %r16
    }
    FILL
    SNAP
    PUTS "rcur=1:      "
    CALL3 dump, snap, 8, 2                 ! 12 13 14 15 16 17 10 11
    {
        abn abnf=1, abnt=1                 ! no transfer = not taken: abnf fires, bcur = 0
    }
    FILL                                   ! the calls above reused %r16..%r23
    SNAP
    PUTS "abn once:    "
    CALL3 dump, snap, 8, 2                 ! 10 11 12 13 14 15 16 17
    {
        abn abnf=1, abnt=1                 ! bcur = (0 - 2) mod 8 = 6
    }
    FILL
    SNAP
    PUTS "abn twice:   "
    CALL3 dump, snap, 8, 2                 ! 16 17 10 11 12 13 14 15

! ---------------------------------------------------------------- abnt / abnf
! %b[0] is recorded after each step (bcur in brackets):
!   ct not taken + abnt  -> no rotation      [0] %b[0] = %r16 = 10
!   ct not taken + abnf  -> rotation         [6] %r22 = 16
!   ct taken + abnt      -> rotation         [4] %r20 = 14
!   ibranch (always taken) + abnf -> none    [4] 14
!   ibranch + abnt       -> rotation         [2] %r18 = 12
    {
        setbn rsz=3, rbs=8, rcur=0
        cmpedb,0 0, 1, %pred0              ! %pred0 = 0
        disp %ctpr1, .Lt1
    }
    FILL
    {
        disp %ctpr1, .Lt1
        nop 2
    }
    {
        ct %ctpr1 ? %pred0
        abn abnf=0, abnt=1
    }
    {
        std,2 %b[0], [ snap + 0 ]
    }
    {
        ct %ctpr1 ? %pred0
        abn abnf=1, abnt=0
    }
    {
        std,2 %b[0], [ snap + 8 ]
    }
    {
        ct %ctpr1 ? ~%pred0
        abn abnf=0, abnt=1
    }
    PUTS "ct ? ~pred0 not taken\n"
    EXIT 1
.Lt1:
    {
        std,2 %b[0], [ snap + 16 ]
    }
    {
        ibranch .Lt2
        abn abnf=1, abnt=0
    }
.Lt2:
    {
        std,2 %b[0], [ snap + 24 ]
    }
    {
        ibranch .Lt3
        abn abnf=0, abnt=1
    }
.Lt3:
    {
        std,2 %b[0], [ snap + 32 ]
    }
    PUTS "abnt/abnf:   "
    CALL3 dump, snap, 5, 2                 ! 10 16 14 14 12

! ---------------------------------------------------------------- %b beyond the area
! bsize is 8, so %b[8] is outside the based area: exc_window_bounds -> SIGSEGV with
! si_code SEGV_BNDERR = 3 (§3.2, §14.1); the handler resumes after the bundle.
! The signal returns into the interrupted frame with its own predicates and BR
! (§17.1, §17.3): the handler sets its %pred1 to 1, but ours stays 0, and BR
! still has rbs 8, rsz 3, rcur 1 (from the abnt/abnf steps): 10c8.
    PUTS "write %b[8] with rsz=3:\n"
    {
        addd,0 0, .Lafter_b8, %g16
        addd,1 0, 0, %g17
        cmpedb,3 0, 1, %pred1
    }
    {
        addd,0 0, 1, %b[8]
    }
.Lafter_b8:
    {
        rrd,0 %br, %r1
    }
    PMASK %r0, 1
    {
        andd,0 %r1, 0x3ffff, %r1
    }
    PUTS "after the handler: pred1="
    PUTDEC %r0
    PUTS " br="
    PUTHEXN %r1, 4
    PUTNL

! ---------------------------------------------------------------- rotating predicates
! setbp psz=3: %pred0..%pred3 rotate (psize 4), %pred4 does not.  Iteration i
! (0..6) writes %pred0 := bit i of 0b1110010 and prints %pred0..%pred4; abp in the
! loop-closing ibranch (abpt and abpf) makes the old %pred0 appear as %pred1, so
! the line for i shows bits i, i-1, i-2, i-3 (0 before the start) and then 1.
    {
        setbp psz=3
        cmpedb,0 0, 1, %pred0
        cmpedb,1 0, 1, %pred1
        cmpedb,3 0, 1, %pred2
        cmpedb,4 0, 1, %pred3
    }
    {
        cmpedb,0 0, 0, %pred4
        addd,1 0, 0, %r0                   ! i
        addd,2 0, 0x72, %r1                ! pattern 0b1110010
    }
.Lprot:
    {
        shrd,0 %r1, %r0, %r2
    }
    {
        andd,0 %r2, 1, %r2
    }
    {
        cmpbdb,0 0, %r2, %pred0            ! %pred0 = bit i
        addd,1 %r0, 1, %r0
        nop 2
    }
    PMASK %r3, 0, 1, 2, 3, 4
    PUTS "preds i="
    {
        subd,0 %r0, 1, %r4
    }
    PUTDEC %r4
    PUTS ": "
    PUTBITS %r3, 5
    PUTNL
    {
        cmpbdb,0 %r0, 7, %pred5            ! %pred5 is outside the rotating area
    }
    {
        nop 2
    }
    {
        ibranch .Lprot ? %pred5
        abp abpf=1, abpt=1
    }
! After 7 writes and 7 rotations pcur = -7 mod 4 = 1.  Iteration i wrote physical
! predicate (-i) mod 4: phys0 = bit4 = 1, phys3 = bit5 = 1, phys2 = bit6 = 1,
! phys1 = bit3 = 0.  Now %pred0..3 = phys1, phys2, phys3, phys0 = 0 1 1 1.
! setbp does not clear predicates and resets pcur to 0 (§3.4): phys0..3 = 1 0 1 1.
    PMASK %r3, 0, 1, 2, 3
    {
        setbp psz=3
    }
    PMASK %r4, 0, 1, 2, 3
    PUTS "after loop: "
    PUTBITS %r3, 4
    PUTS ", after setbp: "
    PUTBITS %r4, 4
    PUTNL

! ---------------------------------------------------------------- %br read back
! BR fields (§1.2): rbs 5:0, rsz 11:6, rcur 17:12, psz 22:18, pcur 27:23.
!   setbn rsz=3, rbs=8, rcur=1; setbp psz=3  -> 8 | 3<<6 | 1<<12 | 3<<18 = 0c10c8
!   abn + abp: rcur 0, pcur (0-1) mod 4 = 3   -> 0c00c8 | 3<<23 = 18c00c8
!   abp again: pcur 2                         -> 10c00c8
    {
        setbn rsz=3, rbs=8, rcur=1
        setbp psz=3
    }
    {
        rrd,0 %br, %r0
    }
    {
        abn abnf=1, abnt=1
        abp abpf=1, abpt=1
    }
    {
        rrd,0 %br, %r1
    }
    {
        abp abpf=1, abpt=1
    }
    {
        rrd,0 %br, %r2
    }
    PUTS "br: "
    PUTHEXN %r0, 7
    PUTC 32
    PUTHEXN %r1, 7
    PUTC 32
    PUTHEXN %r2, 7
    PUTNL

! ---------------------------------------------------------------- pipelined loop
! y[k] = x[k]*x[k] (32-bit) and sum = x[0] + ... + x[N-1], three stages per pass k:
!   stage 0: ldw,sm x[k] -> %b[0];   %pred0 := (k < N)
!   stage 1: muls,sm %b[2] (x[k-1]) squared -> %b[1];  sum += %b[2] ? %pred1
!   stage 2: stw %b[3] (x[k-2]^2) -> y[k-2]
! LSR: lcnt = N, ecnt = 3, pcnt = 2, vlc = 1.  Passes: N + ecnt = 13 (§7.3).
! Stores are suppressed while pcnt != 0 (passes 0 and 1 would write y[-2], y[-1])
! and on the last pass (loop_end with strmd = 0; it would write y[N] = x[N]^2)
! (§7.4), so the sentinels around y keep 0x5555 / 0x7777.  After the loop:
! lcnt 0, ecnt 0, pcnt 0, over 1, vlc 1: LSR = 0x0000006000000000.
    {
        setbn rsz=3, rbs=8, rcur=0
        setbp psz=2
        cmpedb,0 0, 1, %pred0
        cmpedb,1 0, 1, %pred1
        cmpedb,3 0, 1, %pred2
    }
    {
        addd,0 0, 0, %b[0]
        addd,1 0, 0, %b[1]
        addd,2 0, 0, %b[2]
        addd,3 0, 0, %b[3]
        addd,4 0, 0, %b[4]
        addd,5 0, 0, %b[5]
    }
    {
        addd,0 0, 0, %b[6]
        addd,1 0, 0, %b[7]
        addd,2 0, x, %r2
        addd,3 0, y - 8, %r3
        addd,4 0, 0, %r4                   ! 4 * k
        addd,5 0, 0, %r5                   ! sum
    }
    {
        rwd,0 N | (3 << 32) | VLC | (2 << 48), %lsr
        disp %ctpr1, .Lpipe
    }
    {
        nop 5
    }
.Lpipe:
    {
        loop_mode
        ldw,0,sm %r2, %r4, %b[0]
        cmpbdb,1 %r4, 4 * N, %pred0
        muls,3,sm %b[2], %b[2], %b[1]
        adds,4 %r5, %b[2], %r5 ? %pred1
        stw,2 %b[3], [ %r3 + %r4 ]
        addd,5 %r4, 4, %r4
        alc alcf=1, alct=1
        abn abnf=1, abnt=1
        abp abpf=1, abpt=1
        ct %ctpr1 ? #NOT_LOOP_END
    }
    {
        rrd,0 %lsr, %r6
        shrd,1 %r4, 2, %r4
        sxt,2 2, %r5, %r5
    }
    PUTS "pipeline: passes="
    PUTDEC %r4
    PUTS " sum="
    PUTSDEC %r5
    PUTS " lsr="
    PUTHEX %r6
    PUTNL
    PUTS "y[-2..N]:"
    {
        addd,0 0, 0, %r0
    }
.Lpy:
    {
        shld,0 %r0, 2, %r1
    }
    {
        ldw,0 %r1, y - 8, %r1
    }
    {
        sxt,0 2, %r1, %r1
    }
    PUTC 32
    PUTSDEC %r1
    {
        addd,0 %r0, 1, %r0
    }
    {
        cmpbdb,0 %r0, N + 3, %pred0
    }
    {
        nop 2
    }
    {
        ibranch .Lpy ? %pred0
    }
    PUTNL
    EXIT 0
    .size _start, . - _start

! dump(%r0 = address, %r1 = count, %r2 = hex digits): " v v v ...\n"
    .type dump, #function
    .align 8
dump:
    {
        setwd wsz=8, nfx=1
    }
    {
        addd,0 0, %r0, %r3
        addd,1 0, %r1, %r4
    }
.Ldump:
    {
        ldd,0 %r3, 0, %r5
        addd,1 %r3, 8, %r3
        subd,3 %r4, 1, %r4
    }
    PUTC 32
    PUTHEXN %r5, %r2
    {
        cmpedb,0 %r4, 0, %pred0
    }
    {
        nop 2
    }
    {
        ibranch .Ldump ? ~%pred0
    }
    PUTNL
    RET
    .size dump, . - dump

    .data
    .align 8
snap:
    .skip 64
x:
    .word 3, -1, 7, 100, -50, 12, 0, 9, 0x10000, -2
    .word 1000, 2000, 3000, 4000         ! past the end: loaded by the epilogue
    .align 8
    .word 0x5555, 0x5555                 ! y[-2], y[-1]
y:
    .skip 4 * N
    .word 0x7777                         ! y[N]
    .word 0
