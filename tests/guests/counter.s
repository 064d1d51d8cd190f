! counter.s -- the guest of the migration tests.
!
! Every round it rewrites one word in each page of a 1 MiB mmap'ed buffer
! (so precopy always has dirty pages to resend), folds the words into a
! checksum, reads 8 bytes of its own source file through a descriptor (moved
! by path and offset), prints "count N", and sleeps 40 ms (nanosleep). After
! ROUNDS rounds it folds the whole buffer into the checksum, prints
! "checksum XXXXXXXXXXXXXXXX" and exits with status 0. An unmigrated run and a
! migrated one must print exactly the same lines.
!
! Run it from the repository root (it opens tests/guests/counter.s).

    .set NR_read,          3
    .set NR_write,         4
    .set NR_open,          5
    .set NR_mmap,         90
    .set NR_nanosleep,   162
    .set NR_exit_group,  300
    .set ROUNDS,          60
    .set PAGES,          256

! SYSCALL nr, args...: result in %r8 (clobbers %r8..%r14 and %ctpr1)
    .macro SYSCALL nr, a1=0, a2=0, a3=0, a4=0, a5=0, a6=0
    {
        sdisp %ctpr1, 3
        addd,0 0, \nr, %r8
        addd,1 0, \a1, %r9
        addd,2 0, \a2, %r10
        addd,3 0, \a3, %r11
        addd,4 0, \a4, %r12
        addd,5 0, \a5, %r13
    }
    {
        addd,0 0, \a6, %r14
        call %ctpr1, wbs=4
    }
    .endm

    .macro CALLF fn, a1, a2
    {
        disp %ctpr1, \fn
        addd,0 0, \a1, %r8
        addd,1 0, \a2, %r9
    }
    {
        call %ctpr1, wbs=4
    }
    .endm

    .macro RET
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }
    .endm

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    ! %r0 round, %r1 checksum, %r2 buffer, %r3 file descriptor
    SYSCALL NR_mmap, 0, PAGES * 4096, 3, 0x12, -1, 0
    {
        addd,0 0, %r8, %r2
        addd,1 0, 0, %r0
        addd,2 0, 0x243f6a8885a308d3, %r1
    }
    SYSCALL NR_open, path, 0, 0
    {
        addd,0 0, %r8, %r3
    }
.Lround:
    {
        andd,0 %r0, 511, %r4
        addd,1 0, 0, %r5
        disp %ctpr2, .Lpage
    }
    {
        shld,0 %r4, 3, %r4
    }
    {
        addd,0 %r2, %r4, %r6
    }
.Lpage:
    {
        muld,0 %r0, %r5, %r7
        addd,1 %r5, 1, %r5
    }
    {
        xord,0 %r7, %r1, %r7
        cmpedb,1 %r5, PAGES, %pred0
    }
    {
        std,2 %r7, [ %r6 + 0 ]
        muld,0 %r1, 31, %r1
        addd,1 %r6, 4096, %r6
    }
    {
        addd,0 %r1, %r7, %r1
        ct %ctpr2 ? ~%pred0
    }
    SYSCALL NR_read, %r3, rdbuf, 8
    {
        ldd,0 0, [ rdbuf ], %r4
        addd,1 %r1, %r8, %r1
    }
    {
        xord,0 %r1, %r4, %r1
        addd,1 %r0, 1, %r0
    }
    CALLF put_str, s_count, 6
    CALLF put_dec, %r0, 0
    CALLF put_str, s_nl, 1
    SYSCALL NR_nanosleep, sleep_ts, 0
    {
        cmpedb,0 %r0, ROUNDS, %pred0
        disp %ctpr2, .Lround
    }
    {
        ct %ctpr2 ? ~%pred0
    }
    ! fold the whole buffer
    {
        addd,0 0, %r2, %r6
        addd,1 0, 0, %r5
        disp %ctpr2, .Lfold
    }
.Lfold:
    {
        ldd,0 %r6, 0, %r7
        addd,1 %r5, 1, %r5
        addd,2 %r6, 8, %r6
    }
    {
        muld,0 %r1, 3, %r1
        cmpedb,1 %r5, PAGES * 512, %pred0
    }
    {
        addd,0 %r1, %r7, %r1
        ct %ctpr2 ? ~%pred0
    }
    CALLF put_str, s_sum, 9
    CALLF put_hex, %r1, 0
    CALLF put_str, s_nl, 1
    SYSCALL NR_exit_group, 0
    .size _start, . - _start

! put_str(%r0 = address, %r1 = length)
    .type put_str, #function
    .align 8
put_str:
    {
        setwd wsz=8, nfx=1
    }
    SYSCALL NR_write, 1, %r0, %r1
    RET
    .size put_str, . - put_str

! put_dec(%r0 = unsigned value)
    .type put_dec, #function
    .align 8
put_dec:
    {
        setwd wsz=8, nfx=1
    }
    {
        disp %ctpr2, .Ldec
        addd,0 0, numbuf + 24, %r2
        addd,1 0, %r0, %r3
    }
.Ldec:
    {
        udivd,5 %r3, 10, %r4
        subd,0 %r2, 1, %r2
    }
    {
        muld,0 %r4, 10, %r5
        cmpedb,1 %r4, 0, %pred0
    }
    {
        subd,0 %r3, %r5, %r5
        addd,1 0, %r4, %r3
    }
    {
        addd,0 %r5, 0x30, %r5
    }
    {
        stb,2 %r5, [ %r2 ]
        ct %ctpr2 ? ~%pred0
    }
    {
        subd,0 0, %r2, %r6
    }
    {
        addd,0 %r6, numbuf + 24, %r6
    }
    SYSCALL NR_write, 1, %r2, %r6
    RET
    .size put_dec, . - put_dec

! put_hex(%r0 = value): 16 hex digits
    .type put_hex, #function
    .align 8
put_hex:
    {
        setwd wsz=8, nfx=1
    }
    {
        disp %ctpr2, .Lhex
        addd,0 0, numbuf + 16, %r2
        addd,1 0, %r0, %r3
        addd,2 0, 16, %r6
    }
.Lhex:
    {
        andd,0 %r3, 15, %r4
        shrd,1 %r3, 4, %r3
        subd,3 %r2, 1, %r2
        subd,4 %r6, 1, %r6
    }
    {
        ldb,0 %r4, hexdigits, %r5
        cmpedb,1 %r6, 0, %pred0
    }
    {
        stb,2 %r5, [ %r2 ]
        ct %ctpr2 ? ~%pred0
    }
    SYSCALL NR_write, 1, numbuf, 16
    RET
    .size put_hex, . - put_hex

    .section .rodata
path:
    .ascii "tests/guests/counter.s\0"
s_count:
    .ascii "count "
s_sum:
    .ascii "checksum "
s_nl:
    .ascii "\n"
hexdigits:
    .ascii "0123456789abcdef"
    .align 8
sleep_ts:
    .quad 0, 40000000

    .section .bss
    .align 16
numbuf:
    .skip 32
rdbuf:
    .skip 8
