! fp_matrix.s -- floating-point benchmark: C = A B for N x N double matrices
! (row-major), with separate fmuld and faddd (IEEE double, round to nearest):
!     A[i][k] = double(((3i + 5k) & 31) - 16) * 0.1
!     B[k][j] = double(((7k + 2j) & 15) - 7) * 0.3
!     C[i][j] = (((0.0 + A[i][0] B[0][j]) + A[i][1] B[1][j]) + ...) + A[i][N-1] B[N-1][j]
! checksum h = h * 31 + bits(C[i][j]) (mod 2^64) over C in row-major order,
! h starting at 0. N = argv[1] (1 <= N <= 256) or 200. Prints
! "fp_matrix n=<N> checksum=<h>"; the default prints
!     fp_matrix n=200 checksum=ccceb68d8886e175
! (expected values computed by expected.py, listed in README.md).

    .include "bench.inc"

    .set NMAX, 256
    .set TENTH, 0x3fb999999999999a         ! 0.1
    .set THREE_TENTHS, 0x3fd3333333333333  ! 0.3

! FILL dst, ci, cj, mask, bias, scale:
!     dst[r][c] = double(((ci r + cj c) & mask) - bias) * scale, r, c < N
    .macro FILL dst, ci, cj, mask, bias, scale
    {
        addd,0 0, \dst, %r16               ! element pointer
        addd,1 0, 0, %r17                  ! r
        addd,2 0, 0, %r18                  ! ci r
    }
.Lrow\@:
    {
        addd,0 0, 0, %r19                  ! c
        addd,1 0, 0, %r20                  ! cj c
        disp %ctpr2, .Lcol\@
    }
.Lcol\@:
    {
        addd,0 %r18, %r20, %r21
        addd,1 %r19, 1, %r19
        addd,2 %r20, \cj, %r20
    }
    {
        andd,0 %r21, \mask, %r21
        cmpbdb,1 %r19, %r7, %pred0         ! next c < N: go on
    }
    {
        subd,0 %r21, \bias, %r21
    }
    {
        idtofd,0 %r21, %r21
    }
    {
        fmuld,0 %r21, \scale, %r21
    }
    {
        std,2 %r21, [ %r16 ]
        addd,0 %r16, 8, %r16
        ct %ctpr2 ? %pred0
    }
    {
        addd,0 %r17, 1, %r17
        addd,1 %r18, \ci, %r18
        disp %ctpr2, .Lrow\@
    }
    {
        cmpbdb,0 %r17, %r7, %pred0
        nop 2
    }
    {
        ct %ctpr2 ? %pred0
    }
    .endm

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=12, nfx=1
    }
    ARGSIZE %r7, 200
    {
        shld,0 %r7, 3, %r6                 ! 8N: row length in bytes
    }
    FILL mat_a, 3, 5, 31, 16, TENTH
    FILL mat_b, 7, 2, 15, 7, THREE_TENTHS
    {
        addd,0 0, 0, %r2                   ! h
        addd,1 0, mat_a, %r3               ! row i of A
        addd,2 0, mat_c, %r4               ! C[i][j]
        addd,3 0, 0, %r1                   ! i
    }
.Li:
    {
        addd,0 0, 0, %r5                   ! j
        subd,1 %r6, 8, %r16
    }
    {
        addd,0 %r3, %r16, %r16             ! &A[i][N-1]
    }
.Lj:
    {
        addd,0 0, %r3, %r17                ! pa = &A[i][0]
        shld,1 %r5, 3, %r18
        addd,2 0, 0, %r19                  ! acc = +0.0
        disp %ctpr2, .Lk
    }
    {
        addd,0 %r18, mat_b, %r18           ! pb = &B[0][j]
    }
.Lk:
    {
        ldd,0 %r17, 0, %r20
        ldd,2 %r18, 0, %r21
        addd,1 %r17, 8, %r17
        addd,3 %r18, %r6, %r18
        cmpbdb,4 %r17, %r16, %pred0        ! old pa < &A[i][N-1]: go on
    }
    {
        fmuld,0 %r20, %r21, %r22
    }
    {
        faddd,0 %r19, %r22, %r19
        ct %ctpr2 ? %pred0
    }
    {
        std,2 %r19, [ %r4 ]
        addd,0 %r4, 8, %r4
        muld,1 %r2, 31, %r2
        addd,3 %r5, 1, %r5
    }
    {
        addd,0 %r2, %r19, %r2
        cmpbdb,1 %r5, %r7, %pred1          ! next j < N: go on
        disp %ctpr3, .Lj
        nop 2
    }
    {
        ct %ctpr3 ? %pred1
    }
    {
        addd,0 %r1, 1, %r1
        addd,1 %r3, %r6, %r3
        disp %ctpr3, .Li
    }
    {
        cmpbdb,0 %r1, %r7, %pred1
        nop 2
    }
    {
        ct %ctpr3 ? %pred1
    }
    REPORT "fp_matrix n=", %r7, " checksum=", %r2
    .size _start, . - _start

    .section .bss
    .align 64
mat_a:
    .skip 8 * NMAX * NMAX
mat_b:
    .skip 8 * NMAX * NMAX
mat_c:
    .skip 8 * NMAX * NMAX
