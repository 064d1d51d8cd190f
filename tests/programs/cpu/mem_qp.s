! mem_qp.s -- 128-bit memory access of ISA v5+ (semantics reference §13.1,
! §13.3, §13.4): ldqp/stqp of a whole quad register, stmqp (masked store:
! byte i is written iff mask bit i is set), and the version difference for a
! misaligned stmqp: on v5 the address must be 16-byte aligned (the access
! faults; the reference does not say which signal, so the handler prints only
! "fault"), on v6 it may be misaligned and only the enabled bytes are accessed,
! so disabled bytes may even lie in a read-only page.  Built for v5 and v6, with
! one expected output per version (mem_qp_v5, mem_qp_v6).

    .include "rt.inc"
    .include "cpuutil.inc"

    .set PAGE, 4096

! SHOW16 text, offset: print the two qwords at base + offset (high first)
    .macro SHOW16 text, off
    {
        ldd,0 %r0, \off + 8, %r4
        ldd,2 %r0, \off, %r5
    }
    PUTS "\text"
    PUTHEX %r4
    PUTC 58
    PUTHEX %r5
    PUTNL
    .endm

! FILLEE: base[0..63] = 0xee bytes
    .macro FILLEE
    {
        addd,0 0, 0xeeeeeeeeeeeeeeee, %r4
    }
    {
        std,2 %r4, [ %r0 + 0 ]
        std,5 %r4, [ %r0 + 8 ]
    }
    {
        std,2 %r4, [ %r0 + 16 ]
        std,5 %r4, [ %r0 + 24 ]
    }
    {
        std,2 %r4, [ %r0 + 32 ]
        std,5 %r4, [ %r0 + 40 ]
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
    SIGACT SIGSEGV, resume_handler
    SIGACT SIGBUS, resume_handler
    SIGACT SIGILL, resume_handler
    {
        addd,0 0, 1, %g20                  ! handler: print only "fault"
    }
! two pages: RW, then read-only
    SYSCALL NR_mmap, 0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0
    {
        addd,0 0, %r8, %r0
    }
    {
        addd,0 %r0, PAGE, %r1
    }
    SYSCALL NR_mprotect, %r1, PAGE, PROT_READ
! ldqp/stqp: copy the 16 bytes 00 01 .. 0f from .data to base + 16
    {
        ldqp,0 0, [ bytes16 ], %qpr6
    }
    {
        stqp,2 %qpr6, [ %r0 + 16 ]
    }
    SHOW16 "ldqp/stqp copy:   ", 16              ! 0f0e0d0c0b0a0908:0706050403020100
! stmqp with mask 0xaa55 at base (aligned): bytes 0,2,4,6,9,11,13,15 written
    FILLEE
    {
        addd,0 0, 0xaa55, %r2
    }
    {
        stmqp,2 %qpr6, %r0, %r2
    }
    SHOW16 "stmqp 0xaa55:     ", 0               ! 0fee0dee0bee09ee:ee06ee04ee02ee00
! stmqp with mask 0xffff at base + 4 (misaligned)
!   v5: fault, memory unchanged
!   v6: bytes base+4 .. base+19 = 00 .. 0f
    FILLEE
    {
        addd,0 0, 0xffff, %r2
        addd,1 %r0, 4, %r3
        addd,2 0, .Lf1_done, %g16
    }
    {
        stmqp,2 %qpr6, %r3, %r2
    }
.Lf1_done:
    SHOW16 "stmqp @4 low 16:  ", 0
    SHOW16 "stmqp @4 next 16: ", 16
! stmqp at the last 8 bytes of the RW page with mask 0x00ff: the enabled bytes
! 00..07 are in the RW page, the disabled 08..0f in the read-only page.
!   v5: misaligned: fault
!   v6: written without a fault: qword at PAGE-8 = 0706050403020100
    {
        addd,0 0, 0x00ff, %r2
        addd,1 %r0, PAGE - 8, %r3
        addd,2 0, .Lf2_done, %g16
        addd,3 0, 0, %r4
    }
    {
        std,2 %r4, [ %r3 + 0 ]
    }
    {
        stmqp,2 %qpr6, %r3, %r2
    }
.Lf2_done:
    {
        ldd,0 %r3, 0, %r4
    }
    PUTS "stmqp at page end - 8, mask 00ff: "
    PUTHEX %r4
    PUTNL
    EXIT 0
    .size _start, . - _start

    .data
    .align 16
bytes16:
    .byte 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
