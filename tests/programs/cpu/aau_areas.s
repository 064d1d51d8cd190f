! aau_areas.s -- array-prefetch areas and mova channels (semantics reference §8.3):
! the bap program is a sequence of 16-byte fapb pairs; pair k describes area k
! twice: its left record for mova channels 0 and 1, its right record for mova
! channels 2 and 3.  The program stops after the pair whose left record has ct=1.
! Here pair 0 = (left: words, fmt 3; right: dwords, fmt 4), pair 1 = (left:
! halves, fmt 2; right: unused), pair 2 ends the program.
!   movaw,0 area=0 -> words[0]  = 0x11111111
!   movad,2 area=0 -> dwords[0] = 0x2222222222222222
!   movah,1 area=1 -> halves[0] = 0x3333
!   movaw,3 area=1 -> right record of pair 1 is unused (fmt 0): diagnostic value
!                     0xeaed0f70eaed0f70, tag 5 (§8.3 "fmt=0 always fails")

    .include "rt.inc"
    .include "cpuutil.inc"

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
    {
        addd,0 0, words, %r0
        addd,3 0, 0, %r3
    }
    {
        addd,1 0, dwords, %r1
    }
    {
        addd,2 0, halves, %r2
    }
    {
        aaurwd,2 %r0, %aad1
        aaurwd,5 %r1, %aad2
    }
    {
        aaurwd,2 %r2, %aad3
        aaurw,5 %r3, %aaind1
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
        movaw,0 area=0, ind=0, am=0, be=0, %r4
        movah,1 area=1, ind=0, am=0, be=0, %r5
        movad,2 area=0, ind=0, am=0, be=0, %r6
        movaw,3 area=1, ind=0, am=0, be=0, %r7
    }
    {
        eap
        addd,0 0, 0, %r3
    }
    {
        gettagd,2 %r7, %r3
        puttagd,5 %r7, 0, %r7
    }
    PUTS "ch0 area0="
    PUTHEX %r4
    PUTS " ch2 area0="
    PUTHEX %r6
    PUTNL
    PUTS "ch1 area1="
    PUTHEX %r5
    PUTS " ch3 area1: tag="
    PUTDEC %r3
    PUTS " value="
    PUTHEX %r7
    PUTNL
    EXIT 0
    .size _start, . - _start

    .align 16
prog:
    {
        fapb ct=0, dcd=0, fmt=3, mrng=4, d=1, incr=0, ind=1, asz=5, abs=0, disp=0
        fapb dpl=0, dcd=0, fmt=4, mrng=8, d=2, incr=0, ind=1, asz=5, abs=0, disp=0
    }
    {
        fapb ct=0, dcd=0, fmt=2, mrng=2, d=3, incr=0, ind=1, asz=5, abs=0, disp=0
    }
    {
        fapb ct=1, dcd=0, fmt=0, mrng=0, d=0, incr=0, ind=0, asz=0, abs=0, disp=0
    }

    .data
    .align 16
words:
    .word 0x11111111, 0
dwords:
    .quad 0x2222222222222222, 0
halves:
    .short 0x3333, 0, 0, 0
