! mem_align.s -- scalar loads and stores (semantics reference §13, §14): every
! width (ldb/ldh/ldw/ldd, stb/sth/stw/std), loads writing the whole 64-bit
! register zero-extended, aligned and misaligned addresses (ordinary accesses
! with mas = 0 never trap on misalignment in user mode, §13.3), MAS values that
! compiled code uses (cache hints 0x20/0x40/0x60, the locked load mas = 0x7 and
! conditional store mas = 0x2 of an atomic increment, §13.2, §13.5), and
! faulting accesses caught by a SIGSEGV handler that prints si_code and the
! fault address (the data address, §14.1) relative to the page:
!   load from an unmapped page     -> SEGV_MAPERR (1)
!   store to a read-only page      -> SEGV_ACCERR (2), the store is not done
!   load from a PROT_NONE page     -> SEGV_ACCERR (2)
! The test area is an anonymous mapping of four pages: RW, read-only,
! PROT_NONE, and one unmapped again.

    .include "rt.inc"
    .include "cpuutil.inc"

    .set PAGE, 4096

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    SIGACT SIGSEGV, resume_handler
    SYSCALL NR_mmap, 0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0
    {
        addd,0 0, %r8, %r0                 ! base
    }
    {
        addd,0 %r0, PAGE, %r1
        addd,1 %r0, 2 * PAGE, %r2
        addd,2 %r0, 3 * PAGE, %r3
    }
    SYSCALL NR_mprotect, %r1, PAGE, PROT_READ
    SYSCALL NR_mprotect, %r2, PAGE, 0
    SYSCALL NR_munmap, %r3, PAGE
! ---------------------------------------------------------------- widths
! memory at base: 11 22 33 44 55 66 77 88, then zeros.  Each load goes to a
! register holding all ones first: the load replaces all 64 bits (§13.1).
    {
        addd,0 0, 0x8877665544332211, %r4
    }
    {
        std,2 %r4, [ %r0 + 0 ]
        addd,0 0, -1, %r4
        addd,1 0, -1, %r5
        addd,3 0, -1, %r6
        addd,4 0, -1, %r7
    }
    {
        ldb,0 %r0, 7, %r4                  ! 0x88, not sign-extended
        ldh,2 %r0, 6, %r5                  ! 0x8877
        ldw,3 %r0, 4, %r6                  ! 0x88776655
        ldd,5 %r0, 0, %r7                  ! 0x8877665544332211
    }
    PUTS "ldb/ldh/ldw/ldd: "
    PUTHEX %r4
    PUTC 32
    PUTHEX %r5
    PUTC 32
    PUTHEX %r6
    PUTC 32
    PUTHEX %r7
    PUTNL
! misaligned loads: ldh @7 = 88 00 -> 0x0088; ldw @3 = 44 55 66 77 -> 0x77665544;
! ldd @1 = 22 .. 88 00 -> 0x0088776655443322; ldd @5 = 66 77 88 00 00 00 00 00 -> 0x887766
    {
        ldh,0 %r0, 7, %r4
        ldw,2 %r0, 3, %r5
        ldd,3 %r0, 1, %r6
        ldd,5 %r0, 5, %r7
    }
    PUTS "misaligned ldh@7 ldw@3 ldd@1 ldd@5: "
    PUTHEXN %r4, 4
    PUTC 32
    PUTHEXN %r5, 8
    PUTC 32
    PUTHEX %r6
    PUTC 32
    PUTHEX %r7
    PUTNL
! misaligned stores of the low bytes of wider registers:
!   sth @9 (aaaa), stw @11 (bbbbbbbb), stb @15 (cc), std @17 (dd x 8)
!   -> qword @8  = 00 aa aa bb bb bb bb cc = ccbbbbbbbbaaaa00
!      qword @16 = 00 dd dd dd dd dd dd dd = dddddddddddddd00
!      qword @24 = dd 00 ..                = 00000000000000dd
    {
        addd,0 0, 0x123456789abcaaaa, %r4
    }
    {
        addd,0 0, 0x12345678bbbbbbbb, %r5
    }
    {
        addd,0 0, 0x12345678abcdefcc, %r6
    }
    {
        addd,0 0, 0xdddddddddddddddd, %r7
    }
    {
        sth,2 %r4, [ %r0 + 9 ]
        stw,5 %r5, [ %r0 + 11 ]
    }
    {
        stb,2 %r6, [ %r0 + 15 ]
        std,5 %r7, [ %r0 + 17 ]
    }
    {
        ldd,0 %r0, 8, %r4
        ldd,2 %r0, 16, %r5
        ldd,3 %r0, 24, %r6
    }
    PUTS "after sth@9 stw@11 stb@15 std@17: "
    PUTHEX %r4
    PUTC 32
    PUTHEX %r5
    PUTC 32
    PUTHEX %r6
    PUTNL
! a doubleword across the boundary of the RW page and the read-only page: both
! are readable, the read-only page holds zeros: bytes fc..ff = 01 02 03 04
    {
        addd,0 0, 0x04030201, %r4
    }
    {
        stw,2 %r4, %r0, PAGE - 4
    }
    {
        ldd,0 %r0, PAGE - 4, %r4
        ldw,2 %r0, PAGE - 2, %r5
    }
    PUTS "across the page end ldd@-4 ldw@-2: "
    PUTHEX %r4
    PUTC 32
    PUTHEXN %r5, 8
    PUTNL
! ---------------------------------------------------------------- MAS
! cache-control hints (bits 6:5) do not change the data
    {
        addd,0 0, 0x0102030405060708, %r4
    }
    {
        std,2 %r4, [ %r0 + 32 ], mas=0x20
        std,5 %r4, [ %r0 + 40 ], mas=0x40
    }
    {
        stw,2 %r4, [ %r0 + 48 ], mas=0x60
    }
    {
        ldd,0 %r0, 32, %r5, mas=0x20
        ldd,2 %r0, 40, %r6, mas=0x40
        ldw,3 %r0, 48, %r7, mas=0x60
    }
    PUTS "mas hints: "
    PUTHEX %r5
    PUTC 32
    PUTHEX %r6
    PUTC 32
    PUTHEXN %r7, 8
    PUTNL
! atomic increment of the qword @56 (= 41): locked load (mas 0x7, channel 0),
! add, conditional store (mas 0x2) with a retry branch on %MLOCK in the same
! bundle.  Single-threaded, nothing intervenes: the store succeeds, %MLOCK stays
! clear, the value becomes 42 after 0 retries.
    {
        addd,0 0, 41, %r4
        addd,1 0, 0, %r6                   ! retries
    }
    {
        std,2 %r4, [ %r0 + 56 ]
    }
    {
        ibranch .Latomic
    }
.Lretry:
    {
        addd,0 %r6, 1, %r6
    }
.Latomic:
    {
        ldd,0 %r0, 56, %r4, mas=0x7
    }
    {
        addd,0 %r4, 1, %r5
    }
    {
        std,2 %r5, [ %r0 + 56 ], mas=0x2
        ibranch .Lretry ? %MLOCK
    }
    {
        ldd,0 %r0, 56, %r4
    }
    PUTS "atomic increment: "
    PUTDEC %r4
    PUTS " retries="
    PUTDEC %r6
    PUTNL
! ---------------------------------------------------------------- faults
    PUTS "ldd from the unmapped page +0x10:\n"
    {
        addd,0 %r0, 3 * PAGE, %g17
        addd,1 0, .Lf1_done, %g16
    }
    {
        ldd,0 %r0, 3 * PAGE + 0x10, %r4
    }
.Lf1_done:
    PUTS "std to the read-only page +8:\n"
    {
        addd,0 %r0, PAGE, %g17
        addd,1 0, .Lf2_done, %g16
        addd,2 0, 0x5a5a, %r4
    }
    {
        std,2 %r4, %r0, PAGE + 8
    }
.Lf2_done:
    {
        ldd,0 %r0, PAGE + 8, %r4
    }
    PUTS "read-only page +8 still "
    PUTHEX %r4
    PUTNL
    PUTS "ldb from the PROT_NONE page +5:\n"
    {
        addd,0 %r0, 2 * PAGE, %g17
        addd,1 0, .Lf3_done, %g16
    }
    {
        ldb,0 %r0, 2 * PAGE + 5, %r4
    }
.Lf3_done:
    PUTS "done\n"
    EXIT 0
    .size _start, . - _start
