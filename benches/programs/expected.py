#!/usr/bin/env python3
# expected.py -- computes the expected output line of each benchmark program in
# this directory independently of the emulator (plain Python integers and IEEE
# doubles), for README.md and tests/bench_programs.rs.
#   python3 expected.py                 all programs at their default sizes
#   python3 expected.py NAME [SIZE]     one program
# The default sizes take seconds to a minute in CPython.
import struct
import sys
import zlib

MASK = (1 << 64) - 1
LCG_A, LCG_C = 6364136223846793005, 1442695040888963407


def int_loop(n):
    h = 0x0123456789ABCDEF
    for i in range(n):
        h = ((h << 5) + (h ^ i)) & MASK
    return f"int_loop n={n} checksum={h:016x}"


def mem_loop(p):
    m = 8192
    a = [((j + 1) * 0x9E3779B97F4A7C15) & MASK for j in range(m)]
    s = 0
    for _ in range(p):
        for j in range(m):
            x, y = a[j], a[(j + 17) % m]
            s = (s + x) & MASK
            a[j] = (x + (y ^ (8 * j))) & MASK
    s = (s + sum(a)) & MASK
    return f"mem_loop passes={p} checksum={s:016x}"


def calls(n):
    fib = [0, 1]
    while len(fib) < n + 2:
        fib.append(fib[-1] + fib[-2])
    return f"calls n={n} fib={fib[n]} calls={2 * fib[n + 1] - 1}"


def fp_matrix(n):
    a = [[float(((3 * i + 5 * k) & 31) - 16) * 0.1 for k in range(n)] for i in range(n)]
    b = [[float(((7 * k + 2 * j) & 15) - 7) * 0.3 for j in range(n)] for k in range(n)]
    h = 0
    for i in range(n):
        row = a[i]
        for j in range(n):
            acc = 0.0
            for k in range(n):
                acc = acc + row[k] * b[k][j]
            h = (h * 31 + struct.unpack("<Q", struct.pack("<d", acc))[0]) & MASK
    return f"fp_matrix n={n} checksum={h:016x}"


def checksum_table(p):
    x, buf = 1, bytearray()
    for _ in range(65536):
        x = (x * LCG_A + LCG_C) & MASK
        buf.append(x >> 56)
    return f"checksum_table passes={p} crc32={zlib.crc32(bytes(buf) * p):016x}"


def pipelined(r):
    v, xs, ys = 7, [], []
    for _ in range(1024):
        v = (v * LCG_A + LCG_C) & MASK
        xs.append(v)
        v = (v * LCG_A + LCG_C) & MASK
        ys.append(v)
    # x[k] += 1 raises the dot product by y[k]
    dot = sum(a * b for a, b in zip(xs, ys)) & MASK
    s = 0
    for k in range(r):
        s = (s + dot) & MASK
        dot = (dot + ys[k % 1024]) & MASK
    return f"pipelined rounds={r} checksum={s:016x}"


PROGRAMS = {
    "int_loop": (int_loop, 20000000),
    "mem_loop": (mem_loop, 700),
    "calls": (calls, 31),
    "fp_matrix": (fp_matrix, 200),
    "checksum_table": (checksum_table, 100),
    "pipelined": (pipelined, 4000),
}

if __name__ == "__main__":
    names = sys.argv[1:2] or list(PROGRAMS)
    for name in names:
        fn, default = PROGRAMS[name]
        size = int(sys.argv[2]) if len(sys.argv) > 2 else default
        print(fn(size))
