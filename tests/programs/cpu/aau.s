! aau.s -- the array access unit (semantics reference §8): aaurw/aaurr round trips
! of %aad, %aasti, %aaind, %aaincr (%aaincr0 is hard-wired to 1), staa stores
! through a descriptor with a literal offset and post-increments of %aasti
! (by %aaincr << log2(size)), and array prefetch: ldisp %ctpr2 + bap load a fapb
! program, mova in a counted loop reads the area and advances it (am=1) by
! (1 << (fmt-1)) * %aaincr bytes, a mova wider than the area format gives the
! diagnostic value 0xeaed0f70eaed0f70 (tag 5), big-endian mova (be=1), and eap
! ends the prefetch.  Only area 0 read by mova channels 0 and 1 is used here
! (the left fapb record of the first pair, §8.3).
!
! fapb fields that only describe the hardware prefetch buffer (mrng, asz, abs,
! dcd) have no architectural effect in the reference; plausible values are used.

    .include "rt.inc"
    .include "cpuutil.inc"

    .set VLC, 1 << 37

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=8, nfx=1
    }
! ---------------------------------------------------------------- AAU registers
    {
        addd,0 0, out, %r0
        addd,1 0, 0x30, %r1
    }
    {
        aaurwd,2 %r0, %aad1                ! descriptor 1: base = out
        aaurw,5 %r1, %aaind2               ! 0x30
    }
    {
        aaurw,2 %r1, %aasti3               ! 0x30 (overwritten below)
        aaurw,5 %r1, %aaincr3
        addd,0 0, 1, %r2
        addd,1 0, 3, %r3
    }
    {
        aaurw,2 %r2, %aasti3               ! 1
        aaurw,5 %r3, %aaincr2              ! 3
    }
    {
        nop 5
    }
    {
        aaurrd,2 %aad1, %r2
        aaurr,5 %aasti3, %r3
    }
    {
        aaurr,2 %aaind2, %r4
        aaurr,5 %aaincr2, %r5
    }
    {
        aaurr,2 %aaincr0, %r6
    }
    {
        andd,0 %r2, 0xffffffffffff, %r2
    }
    {
        subd,0 %r2, %r0, %r2
    }
    PUTS "aad1.base-out="
    PUTSDEC %r2
    PUTS " aasti3="
    PUTDEC %r3
    PUTS " aaind2="
    PUTHEXN %r4, 2
    PUTS " aaincr2="
    PUTDEC %r5
    PUTS " aaincr0="
    PUTDEC %r6
    PUTNL
! ---------------------------------------------------------------- staa
! %aasti1 = 0.  Three staaw with incr %aaincr0 (=1): offsets 0, 4, 8, %aasti1 -> 12.
! Then staad with incr %aaincr2 (=3) at %aasti1 + literal 0x24 = 0x30:
! %aasti1 += 3 << 3 = 24 -> 36.  A staah without incr at %aasti1 (36) + 0 leaves
! %aasti1 unchanged.
    {
        addd,0 0, 0x11111111, %r1
        addd,1 0, 0x22222222, %r2
        addd,3 0, 0x33333333, %r3
        addd,4 0, 0, %r5
    }
    {
        aaurw,2 %r5, %aasti1
        addd,0 0, 0x4444444455555555, %r4
    }
    {
        nop 5
    }
    {
        staaw,2 %r1, %aad1 [ %aasti1 ]
        incr,2 %aaincr0
    }
    {
        staaw,2 %r2, %aad1 [ %aasti1 ]
        incr,2 %aaincr0
    }
    {
        staaw,2 %r3, %aad1 [ %aasti1 ]
        incr,2 %aaincr0
    }
    {
        staad,2 %r4, %aad1 [ %aasti1 + _f32s,_lts0 0x24 ]
        incr,2 %aaincr2
    }
    {
        addd,0 0, 0x6666, %r5
    }
    {
        staah,5 %r5, %aad1 [ %aasti1 ]
    }
    {
        nop 5
    }
    {
        aaurr,2 %aasti1, %r6
        addd,0 0, out, %r7
    }
    {
        ldw,0 %r7, 0, %r1
        ldw,2 %r7, 4, %r2
        ldw,3 %r7, 8, %r3
    }
    {
        ldd,0 %r7, 0x30, %r4
        ldh,2 %r7, 36, %r5
    }
    PUTS "staa: "
    PUTHEXN %r1, 8
    PUTC 32
    PUTHEXN %r2, 8
    PUTC 32
    PUTHEXN %r3, 8
    PUTS " @30="
    PUTHEX %r4
    PUTS " @24="
    PUTHEXN %r5, 4
    PUTS " aasti1="
    PUTDEC %r6
    PUTNL
! ---------------------------------------------------------------- array prefetch
! %aad4 = words (the word array 10, 20, .., 90), %aaind5 = 0, %aaincr1 = 1.
! Area 0 = fmt 3 (words), descriptor 4, index register 5, increment register 1.
! Loop of 8 passes (lcnt 8): channel 0 "movaw area=0, ind=0, am=1" reads
! words[k] and advances the area by 4 * 1 bytes; channel 1 "movaw area=0, ind=4,
! am=0" reads the next word words[k+1].  Sums: 10+..+80 = 360, 20+..+90 = 440.
! movad on the word area is invalid (fmt 3 < 4): 0xeaed0f70eaed0f70, tag 5.
    {
        addd,0 0, words, %r0
    }
    {
        addd,1 0, 0, %r1
        addd,2 0, 1, %r2
    }
    {
        aaurwd,2 %r0, %aad4
        aaurw,5 %r1, %aaind5
    }
    {
        aaurw,2 %r2, %aaincr1
    }
    {
        ldisp %ctpr2, prog_words
        nop 5
    }
    {
        bap
    }
    {
        rwd,0 8 | VLC, %lsr
        addd,1 0, 0, %r6
        addd,2 0, 0, %r7
        disp %ctpr1, .Lsum
        nop 7
    }
.Lsum:
    {
        movaw,0 area=0, ind=0, am=1, be=0, %r4
        movaw,1 area=0, ind=4, am=0, be=0, %r5
    }
    {
        addd,0 %r6, %r4, %r6
        addd,1 %r7, %r5, %r7
        alc alcf=1, alct=1
        ct %ctpr1 ? #NOT_LOOP_END
    }
    {
        movad,0 area=0, ind=0, am=0, be=0, %r4
    }
    {
        addd,0 0, 0, %r5
    }
    {
        gettagd,2 %r4, %r5
        puttagd,5 %r4, 0, %r4
    }
    PUTS "mova sums: "
    PUTDEC %r6
    PUTC 32
    PUTDEC %r7
    PUTS " movad on a word area: tag="
    PUTDEC %r5
    PUTS " value="
    PUTHEX %r4
    PUTNL
    {
        eap
    }
! A second program: area 0 = fmt 4 (doublewords), descriptor 4 re-pointed to
! dwords, %aaind6 = 16 (start at element 2), increment register 2 (= 3): the area
! advances by 8 * 3 = 24 bytes, so 3 passes read dwords[2], [5], [8].  Before the
! loop channels 0 and 1 read dwords[2] = 0x0807060504030201 little-endian and
! with be=1 (0x0102030405060708).  The loop reads with be=1 and sums:
! 0x0102030405060708 + 0x0505050505050505 + 0x0808080808080808
! = 0x0e0f101112131415.
    {
        addd,0 0, dwords, %r0
        addd,1 0, 16, %r1
    }
    {
        aaurwd,2 %r0, %aad4
        aaurw,5 %r1, %aaind6
    }
    {
        ldisp %ctpr2, prog_dwords
        nop 5
    }
    {
        bap
    }
    {
        rwd,0 3 | VLC, %lsr
        addd,1 0, 0, %r6
        disp %ctpr1, .Lsum2
        nop 7
    }
    {
        movad,0 area=0, ind=0, am=0, be=0, %r2
        movad,1 area=0, ind=0, am=0, be=1, %r3
    }
.Lsum2:
    {
        movad,0 area=0, ind=0, am=1, be=1, %r4
    }
    {
        addd,0 %r6, %r4, %r6
        alc alcf=1, alct=1
        ct %ctpr1 ? #NOT_LOOP_END
    }
    {
        eap
        rwd,0 0, %lsr
    }
    PUTS "dwords[2] le="
    PUTHEX %r2
    PUTS " be="
    PUTHEX %r3
    PUTNL
    PUTS "movad be sum of [2],[5],[8]="
    PUTHEX %r6
    PUTNL
    EXIT 0
    .size _start, . - _start

! the prefetch programs (16-byte fapb pairs; the left record of the first pair is
! area 0 for mova channels 0/1; a pair whose left record has ct=1 ends the program)
    .align 16
prog_words:
    {
        fapb ct=0, dcd=0, fmt=3, mrng=4, d=4, incr=1, ind=5, asz=5, abs=0, disp=0
    }
    {
        fapb ct=1, dcd=0, fmt=0, mrng=0, d=0, incr=0, ind=0, asz=0, abs=0, disp=0
    }
prog_dwords:
    {
        fapb ct=0, dcd=0, fmt=4, mrng=8, d=4, incr=2, ind=6, asz=5, abs=0, disp=0
    }
    {
        fapb ct=1, dcd=0, fmt=0, mrng=0, d=0, incr=0, ind=0, asz=0, abs=0, disp=0
    }

    .data
    .align 16
words:
    .word 10, 20, 30, 40, 50, 60, 70, 80, 90, 100
    .align 16
dwords:
    .quad 0x0000000000000000, 0x0101010101010101
    .quad 0x0807060504030201
    .quad 0x0303030303030303, 0x0404040404040404
    .quad 0x0505050505050505, 0x0606060606060606
    .quad 0x0707070707070707, 0x0808080808080808
    .align 16
out:
    .skip 64
