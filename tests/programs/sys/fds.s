! fds.s -- descriptors: pipe, read/write through it, fstat of a pipe, a
! terminal ioctl on a non-terminal, dup, EOF after the writer is closed,
! open/read/lseek of /proc/self/exe (the program's own ELF file), readlink,
! getcwd, a missing file, and closing a descriptor twice.

    .include "rt.inc"

    .set NR_open,       5
    .set NR_lseek,     19
    .set NR_dup,       41
    .set NR_pipe,      42
    .set NR_ioctl,     54
    .set NR_readlink,  85
    .set NR_fstat,    108
    .set NR_getcwd,   183
    .set NR_openat,   335
    .set TCGETS,  0x5401
    .set SEEK_END,     2
    .set AT_FDCWD,  -100

! SHOWDEC "label", reg: print "label" then the signed value and a newline
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
    SYSCALL NR_pipe, fds
    SHOWDEC "pipe -> ", %r8
    {
        ldw,0 0, [ fds ], %r0           ! read end
        ldw,2 0, [ fds + 4 ], %r1       ! write end
    }
    SYSCALL NR_write, %r1, ping, 4
    SHOWDEC "write(pipe) -> ", %r8
    SYSCALL NR_read, %r0, buf, 64
    {
        addd,0 0, %r8, %r2
    }
    SHOWDEC "read(pipe) -> ", %r2
    CALL2 put_str, buf, %r2
    PUTNL
    SYSCALL NR_fstat, %r0, statbuf
    SHOWDEC "fstat(pipe) -> ", %r8
    {
        ldw,0 0, [ statbuf + 16 ], %r3  ! st_mode
    }
    {
        andd,0 %r3, 0xf000, %r3
    }
    PUTS "st_mode & S_IFMT = "
    PUTHEXN %r3, 4
    PUTNL
    SYSCALL NR_ioctl, %r0, TCGETS, buf
    SHOWDEC "ioctl(pipe, TCGETS) -> ", %r8
    SYSCALL NR_dup, %r1
    {
        addd,0 0, %r8, %r4
    }
    SYSCALL NR_write, %r4, pong, 4
    SYSCALL NR_close, %r4
    SHOWDEC "close(dup) -> ", %r8
    SYSCALL NR_close, %r1
    SYSCALL NR_read, %r0, buf, 64
    {
        addd,0 0, %r8, %r2
    }
    SHOWDEC "read after dup -> ", %r2
    CALL2 put_str, buf, %r2
    PUTNL
    SYSCALL NR_read, %r0, buf, 64
    SHOWDEC "read at EOF -> ", %r8
    SYSCALL NR_close, %r0
    ! the program's own file
    SYSCALL NR_open, self_exe, 0, 0
    {
        addd,0 0, %r8, %r0
    }
    SYSCALL NR_read, %r0, buf, 4
    SHOWDEC "read(/proc/self/exe, 4) -> ", %r8
    CALL2 put_str, buf + 1, 3
    PUTNL
    SYSCALL NR_lseek, %r0, 0, SEEK_END
    {
        cmpldb,0 0, %r8, %pred0         ! size > 0
    }
    {
        ibranch .Lsize_ok ? %pred0
    }
    PUTS "lseek(SEEK_END) failed\n"
.Lsize_ok:
    SYSCALL NR_close, %r0
    SHOWDEC "close -> ", %r8
    SYSCALL NR_close, %r0
    SHOWDEC "close again -> ", %r8
    {
        addd,0 0, buf, %r5
    }
    SYSCALL NR_readlink, self_exe, %r5, 256
    {
        cmpldb,0 0, %r8, %pred0
    }
    {
        ibranch .Llink_ok ? %pred0
    }
    PUTS "readlink failed\n"
.Llink_ok:
    SYSCALL NR_getcwd, buf, 256
    {
        cmpldb,0 0, %r8, %pred0
    }
    {
        ibranch .Lcwd_ok ? %pred0
    }
    PUTS "getcwd failed\n"
.Lcwd_ok:
    {
        addd,0 0, AT_FDCWD, %r5
    }
    SYSCALL NR_openat, %r5, missing, 0, 0
    SHOWDEC "openat(missing) -> ", %r8
    SYSCALL NR_write, 1, 0, 1
    SHOWDEC "write(1, NULL) -> ", %r8
    EXIT 0
    .size _start, . - _start

    .section .rodata
ping:
    .ascii "ping"
pong:
    .ascii "pong"
self_exe:
    .asciz "/proc/self/exe"
missing:
    .asciz "/nonexistent/e2kemu/file"

    .data
    .align 8
fds:
    .word 0, 0
statbuf:
    .skip 128
buf:
    .skip 256
