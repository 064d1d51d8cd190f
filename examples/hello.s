! hello.s -- the example e2kemu runs when no PROGRAM is given:
! write(1, message, len) and exit_group(0).
!
! An e2k Linux system call is a procedure call into the kernel gate prepared
! with "sdisp %ctprN, 3". With "call ..., wbs=4" the callee window starts at
! the caller's %r8: %r8 holds the call number, %r9.. the arguments, and the
! result comes back in %r8.

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1              ! 16 window registers: %r0..%r15
    }
    {
        sdisp %ctpr1, 3                 ! 64-bit system call entry
        addd,0 0, 4, %r8                ! write
        addd,1 0, 1, %r9                ! fd 1 (stdout)
        addd,2 0, message, %r10         ! buffer
        addd,3 0, message_len, %r11     ! length
    }
    {
        call %ctpr1, wbs=4
    }
    {
        sdisp %ctpr1, 3
        addd,0 0, 300, %r8              ! exit_group
        addd,1 0, 0, %r9                ! status 0
    }
    {
        call %ctpr1, wbs=4
    }
    .size _start, . - _start

    .section .rodata
message:
    .ascii "Hello from e2kemu! Run your own program with: e2kemu PROGRAM [ARGS...]\n"
    .set message_len, . - message
