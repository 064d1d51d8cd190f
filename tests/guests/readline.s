! readline.s -- prints "ready", then waits in read(2) on stdin for a line and
! prints what read returned and the line. Used to show that the monitor
! answers while the guest is blocked in a system call, and that a guest
! migrated while blocked continues the read on the destination.

    .include "lib.inc"

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    PUTS "ready\n"
    SYSCALL NR_read, 0, line, 255
    {
        addd,0 0, %r8, %r0
    }
    PUTS "read -> "
    PUTSDEC %r0
    PUTS "\n"
    {
        cmpledb,0 %r0, 0, %pred0
    }
    {
        ibranch .Lend ? %pred0
    }
    PUTS "got: "
    CALLF put_str, line, %r0
.Lend:
    EXIT 0
    .size _start, . - _start

    .section .bss
    .align 8
line:
    .skip 256
