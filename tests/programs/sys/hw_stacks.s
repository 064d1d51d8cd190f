! hw_stacks.s -- access_hw_stacks (e2k system call 254): sizes of the
! procedure and chain stacks, reading and rewriting a caller's spilled
! register through the procedure stack, the chain-stack offset of the
! current frame, and the rejection of a misaligned buffer or a range beyond
! the stack.  A callee that calls the kernel with wbs=4 after being called
! with wbs=4 finds its caller's %r0 256 bytes below the procedure stack top.

    .include "rt.inc"

    .set NR_access_hw_stacks, 254
    .set GET_CHAIN_STACK_OFFSET,   3
    .set GET_CHAIN_STACK_SIZE,     4
    .set GET_PROCEDURE_STACK_SIZE, 5
    .set READ_PROCEDURE_STACK_EX,  7
    .set WRITE_PROCEDURE_STACK_EX, 8

    .macro SHOWDEC label, reg
    {
        addd,0 0, \reg, %r7
    }
    PUTS "\label"
    PUTSDEC %r7
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
    SYSCALL NR_access_hw_stacks, GET_PROCEDURE_STACK_SIZE, 0, 0, 0, size
    SHOWDEC "GET_PROCEDURE_STACK_SIZE -> ", %r8
    {
        ldd,0 0, [ size ], %r0
    }
    {
        cmpldb,0 0, %r0, %pred0
    }
    {
        ibranch .Lps_ok ? %pred0
    }
    PUTS "procedure stack size is zero\n"
.Lps_ok:
    SYSCALL NR_access_hw_stacks, GET_CHAIN_STACK_SIZE, 0, 0, 0, size
    SHOWDEC "GET_CHAIN_STACK_SIZE -> ", %r8
    ! a callee reads our %r0 from the procedure stack
    {
        addd,0 0, 0x5678, %r0
    }
    CALL0 peek_r0
    {
        addd,0 0, %r8, %r1
    }
    PUTS "callee read the caller's %r0: "
    PUTHEXN %r1, 4
    PUTNL
    ! a callee rewrites our %r0 in the procedure stack
    {
        addd,0 0, 0x1234, %r0
    }
    CALL0 poke_r0
    PUTS "caller's %r0 after the callee wrote it: "
    PUTHEX %r0
    PUTNL
    ! the current chain frame: %pcsp.lo base + %pcsp.hi index
    {
        rrd,0 %pcsp.lo, %r0
    }
    {
        rrd,0 %pcsp.hi, %r1
    }
    {
        andd,0 %r0, 0xffffffffffff, %r0
        andd,1 %r1, 0xffffffff, %r1
    }
    {
        addd,0 %r0, %r1, %r0
    }
    {
        std,2 %r0, [ frame ]
    }
    {
        addd,0 0, size, %r4
    }
    SYSCALL NR_access_hw_stacks, GET_CHAIN_STACK_OFFSET, frame, 0, 0, %r4
    SHOWDEC "GET_CHAIN_STACK_OFFSET -> ", %r8
    ! errors
    {
        std,2 %r8, [ frame ]            ! offset 0
        addd,0 0, buf + 1, %r2
    }
    SYSCALL NR_access_hw_stacks, READ_PROCEDURE_STACK_EX, frame, %r2, 8, 0
    SHOWDEC "misaligned buffer -> ", %r8
    {
        addd,0 0, 0x100000, %r3
    }
    {
        std,2 %r3, [ frame ]
        addd,0 0, buf, %r2
    }
    SYSCALL NR_access_hw_stacks, READ_PROCEDURE_STACK_EX, frame, %r2, 8, 0
    SHOWDEC "beyond the stack -> ", %r8
    SYSCALL NR_access_hw_stacks, 77, 0, 0, 0, 0
    SHOWDEC "unknown mode -> ", %r8
    EXIT 0
    .size _start, . - _start

! peek_r0() -> the caller's %r0, read from the procedure stack
    .type peek_r0, #function
    .align 8
peek_r0:
    {
        setwd wsz=8, nfx=1
    }
    SYSCALL NR_access_hw_stacks, GET_PROCEDURE_STACK_SIZE, 0, 0, 0, size
    {
        ldd,0 0, [ size ], %r0
    }
    {
        subd,0 %r0, 256, %r0
    }
    {
        std,2 %r0, [ frame ]
        addd,0 0, buf, %r2
    }
    SYSCALL NR_access_hw_stacks, READ_PROCEDURE_STACK_EX, frame, %r2, 32, 0
    {
        ldd,0 0, [ buf ], %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }
    .size peek_r0, . - peek_r0

! poke_r0(): the caller's %r0 becomes 0xdeadbeef
    .type poke_r0, #function
    .align 8
poke_r0:
    {
        setwd wsz=8, nfx=1
    }
    SYSCALL NR_access_hw_stacks, GET_PROCEDURE_STACK_SIZE, 0, 0, 0, size
    {
        ldd,0 0, [ size ], %r0
    }
    {
        subd,0 %r0, 256, %r0
    }
    {
        std,2 %r0, [ frame ]
        addd,0 0, newval, %r2
    }
    SYSCALL NR_access_hw_stacks, WRITE_PROCEDURE_STACK_EX, frame, %r2, 8, 0
    RET
    .size poke_r0, . - poke_r0

    .data
    .align 8
newval:
    .quad 0xdeadbeef
size:
    .quad 0
frame:
    .quad 0
buf:
    .skip 64
