! illegal.s -- bundles the hardware rejects (semantics reference §1.9, §2.1, §2.6,
! §3.1, §4.1, §6.3-§6.4, §14.1, §18.2), several of which qemu-e2k accepts.  Each
! one raises SIGILL; a SA_SIGINFO handler prints si_code and resumes after the
! bundle (by rewriting uc_mcontext.cr0_hi).  si_code: ILL_ILLOPC = 1 (illegal
! opcode, static rule violations), ILL_PRVOPC = 5 (privileged action: writing a
! privileged state register).  A faulting bundle has no effect (§2.5): the store
! of case 3 does not happen.  Bundles the assembler refuses to build are written
! as raw words (encoding reference §1, §9.1); each differs from a valid bundle
! (rrd %lsr = 04100011 3f83c081 01c00000 00000000, PLS0 andp @p0, @p1 = 60610062,
! setwd = 00008011 00000000 00000000 00000110) only in the field named.

    .include "rt.inc"
    .include "cpuutil.inc"

! CASE text, label: announce a case whose faulting bundle follows at `label`;
! the handler resumes at label_done
    .macro CASE text, label
    PUTS "\text:\n"
    {
        addd,0 0, \label\()_done, %g16
        addd,1 0, 0, %g17
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
    SIGACT SIGILL, resume_handler
    {
        addd,0 0, buf, %r2
        addd,1 0, 0x77, %r1
    }
! 1. an ordinary ALU result written to a CTPR (only the move-to-CTPR ops may)
    CASE "addd to %ctpr1", .Lc1
.Lc1:
    {
        addd,0 0, 1, %ctpr1
    }
.Lc1_done:
! 2. a CTPR write under an RLP condition
    CASE "movtd to %ctpr1 under ? %pred0", .Lc2
    {
        cmpedb,0 0, 0, %pred0
        addd,1 0, .Lc2_done, %r3
    }
.Lc2:
    {
        movtd,0 %r3, %ctpr1 ? %pred0
    }
.Lc2_done:
! 3./4. a store and a load on "mirrored" channels (2 with 3, 5 with 0); the store
! of the rejected bundle must not happen: buf keeps 0
    CASE "std,2 with ldd,3", .Lc3
.Lc3:
    {
        std,2 %r1, [ %r2 + 0 ]
        ldd,3 %r2, 8, %r3
    }
.Lc3_done:
    CASE "std,5 with ldd,0", .Lc4
.Lc4:
    {
        std,5 %r1, [ %r2 + 0 ]
        ldd,0 %r2, 8, %r3
    }
.Lc4_done:
    {
        ldd,0 %r2, 0, %r3
    }
    PUTS "buf after both: "
    PUTDEC %r3
    PUTNL
! 5./6. writing privileged state registers: priv_action, ILL_PRVOPC
    CASE "rwd to %psr", .Lc5
.Lc5:
    {
        rwd,0 %r1, %psr
    }
.Lc5_done:
    CASE "rwd to %ctpr1", .Lc6
.Lc6:
    {
        rwd,0 %r1, %ctpr1
    }
.Lc6_done:
! 7./8. writing the read-only %ip and %cuir: illegal opcode
    CASE "rwd to %ip", .Lc7
.Lc7:
    {
        rwd,0 %r1, %ip
    }
.Lc7_done:
    CASE "rwd to %cuir", .Lc8
.Lc8:
    {
        rwd,0 %r1, %cuir
    }
.Lc8_done:
! 9. reading a state register number that does not exist (0xfe):
!    HS = ALS0 + ALES0, ALS0 = rrd (opc 0x3f) sr 0xfe -> %r1
    CASE "rrd of state register 0xfe", .Lc9
    .align 8
.Lc9:
    .word 0x04100011, 0x3ffec081, 0x01c00000, 0x00000000
.Lc9_done:
! 10. setwd with wsz > 112
    CASE "setwd wsz=120", .Lc10
.Lc10:
    {
        setwd wsz=120, nfx=1
    }
.Lc10_done:
! 11. two PLU results written to the same predicate in one bundle
    CASE "two CLPs write %pred2", .Lc11
.Lc11:
    {
        pass %pred0, @p0
        pass %pred1, @p1
        andp @p0, @p1, @p4
        pass @p4, %pred2
        andp @p0, ~@p1, @p5
        pass @p5, %pred2
    }
.Lc11_done:
! 12. CLP0 reading @p2, which no ELP of this bundle produces (PLS1 absent):
!     HS = one PLS; PLS0 = elp0 %pred0, elp1 %pred1, andp @p2, @p1 -> %pred2
    CASE "CLP0 reads an undefined @p2", .Lc12
    .align 8
.Lc12:
    .word 0x00040000, 0x60610862
.Lc12_done:
! 13. the reserved CLP opcode 2
    CASE "reserved CLP opcode", .Lc13
    .align 8
.Lc13:
    .word 0x00040000, 0x60618062
.Lc13_done:
! 14. setwd (CS1 SETR0) in an 8-byte bundle that has no LTS0 for its operand
    CASE "setwd without LTS0", .Lc14
    .align 8
.Lc14:
    .word 0x00008001, 0x00000000
.Lc14_done:
! 15. call through a CTPR holding RETURN
!     (inside a called function, so that a frame to return to exists)
    PUTS "call %ctpr3 after return %ctpr3:\n"
    CALL0 ret_call
! 16. a transfer to an address that is not 8-byte aligned (§2.1)
    CASE "ct to a misaligned target", .Lc16
    {
        addd,0 0, .Lc16_done + 4, %r3
    }
    {
        movtd,0 %r3, %ctpr1
        nop 4
    }
.Lc16:
    {
        ct %ctpr1
    }
.Lc16_done:
! 17. an unassigned ALS opcode (0x0d in channel 0)
    CASE "unassigned opcode", .Lc17
    .align 8
.Lc17:
    .word 0x04000001, 0x0dc0c080
.Lc17_done:
    PUTS "done\n"
    EXIT 0
    .size _start, . - _start

    .type ret_call, #function
    .align 8
ret_call:
    {
        setwd wsz=8, nfx=1
        addd,0 0, .Lc15_done, %g16
        addd,1 0, 0, %g17
    }
    {
        return %ctpr3
        nop 4
    }
.Lc15:
    {
        call %ctpr3, wbs=4
    }
.Lc15_done:
    RET
    .size ret_call, . - ret_call

    .data
    .align 8
buf:
    .quad 0, 0
