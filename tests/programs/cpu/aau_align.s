! aau_align.s -- alignment of mova (semantics reference §8.3, §13.3): ISA v1..v4
! require a naturally aligned element address, otherwise mova returns the
! diagnostic value 0xeaed0f70eaed0f70 (tag 5); from v5 on a misaligned mova reads
! the data.  Built for v3..v6 with one expected output per version group
! (aau_align_v34, aau_align_v56).  Area 0 = words of the array below (fmt 3);
! "movaw ind=2" reads 4 bytes at offset 2 (misaligned), "ind=4" at 4 (aligned).

    .include "rt.inc"

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    {
        addd,0 0, arr, %r0
        addd,1 0, 0, %r1
    }
    {
        aaurwd,2 %r0, %aad1
        aaurw,5 %r1, %aaind1
    }
    {
        ldisp %ctpr2, prog
        nop 5
    }
    {
        bap
    }
    {
        nop 7
    }
    {
        movaw,0 area=0, ind=4, am=0, be=0, %r2
        movaw,1 area=0, ind=2, am=0, be=0, %r3
    }
    {
        eap
        addd,0 0, 0, %r4
    }
    {
        gettagd,2 %r3, %r4
        puttagd,5 %r3, 0, %r3
    }
    PUTS "aligned movaw: "
    PUTHEXN %r2, 8
    PUTNL
    PUTS "misaligned movaw: tag="
    PUTDEC %r4
    PUTS " value="
    PUTHEX %r3
    PUTNL
    EXIT 0
    .size _start, . - _start

    .align 16
prog:
    {
        fapb ct=0, dcd=0, fmt=3, mrng=4, d=1, incr=0, ind=1, asz=5, abs=0, disp=0
    }
    {
        fapb ct=1, dcd=0, fmt=0, mrng=0, d=0, incr=0, ind=0, asz=0, abs=0, disp=0
    }

    .data
    .align 16
arr:
    .byte 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
