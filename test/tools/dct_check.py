#!/usr/bin/python3
"""Check src/hash/dct.c bit for bit against scipy's DCT, as ImageHash's phash uses it.

ImageHash computes scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)
on a 32x32 uint8 array and keeps the top-left 8x8 block.  This script builds
test/tools/dct_check.c with src/hash/dct.c, feeds it 100,000 deterministic 32x32
cases (random images plus degenerate ones: flat, mirror-symmetric, periodic,
checkerboards, gradients, 0/255 only, near-flat, ...), computes the same cases
with scipy exactly the way ImageHash calls it, and counts the cases where any
coefficient differs in its bit pattern: in the top-left 8x8 of ImgDct2d32, in
the output of ImgDct2d32TopLeft8, and anywhere in the 1024 values.  It also
re-derives the twiddle tables of src/hash/dct.c the way pocketfft computes them
(glibc cos/sin, same products) and checks the literals there, and checks the
driver's text mode on a sample.  Exit status 1 on any mismatch in the kept
8x8 coefficients, in the tables or in text mode; 0 otherwise.

Run with Debian's interpreter, which has numpy, scipy and PIL:
    /usr/bin/python3 test/tools/dct_check.py
"--print-tables" prints the C initialisers of the twiddle tables instead;
"--cc=clang --cflags='-O3 -march=native'" checks other compilers and flags.
"""

import argparse
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy
import scipy.fftpack

REPO = Path(__file__).resolve().parents[2]
DCT_C = REPO / "src" / "hash" / "dct.c"
CHECK_C = REPO / "test" / "tools" / "dct_check.c"
SEED = 20240607
DEFAULT_CASES = 100_000
CHUNK = 10_000
BLOCK = 1024
KEPT = 64


# --- twiddle tables, computed as pocketfft's sincos_2pibyn does ------------

def pocketfft_sincos(n):
    """Return idx -> (cos, sin)(2 pi idx / n) as pocketfft's sincos_2pibyn(n)
    computes them in double: two small tables of glibc cos/sin values (octant
    reduced), combined by one complex product."""
    # double(0.25L*pi/n): exact for a power-of-two n, since the 80-bit pi
    # rounds to math.pi.
    assert n & (n - 1) == 0
    ang = math.pi * 0.25 / n

    def calc(x):
        x <<= 3
        if x < 4 * n:
            if x < 2 * n:
                if x < n:
                    return (math.cos(x * ang), math.sin(x * ang))
                return (math.sin((2 * n - x) * ang), math.cos((2 * n - x) * ang))
            x -= 2 * n
            if x < n:
                return (-math.sin(x * ang), math.cos(x * ang))
            return (-math.cos((2 * n - x) * ang), math.sin((2 * n - x) * ang))
        x = 8 * n - x
        if x < 2 * n:
            if x < n:
                return (math.cos(x * ang), -math.sin(x * ang))
            return (math.sin((2 * n - x) * ang), -math.cos((2 * n - x) * ang))
        x -= 2 * n
        if x < n:
            return (-math.sin(x * ang), -math.cos(x * ang))
        return (-math.cos((2 * n - x) * ang), -math.sin((2 * n - x) * ang))

    nval = (n + 2) // 2
    shift = 1
    while (1 << shift) * (1 << shift) < nval:
        shift += 1
    mask = (1 << shift) - 1
    v1 = [(1.0, 0.0)] + [calc(i) for i in range(1, mask + 1)]
    v2 = [(1.0, 0.0)] + [calc(i * (mask + 1))
                         for i in range(1, (nval + mask) // (mask + 1))]

    def get(idx):
        sign = 1.0
        if 2 * idx > n:
            idx = n - idx
            sign = -1.0
        x1 = v1[idx & mask]
        x2 = v2[idx >> shift]
        return (x1[0] * x2[0] - x1[1] * x2[1],
                sign * (x1[0] * x2[1] + x1[1] * x2[0]))

    return get


def expected_tables():
    """Return (RfftTwiddle rows, DctTwiddle values) as src/hash/dct.c holds them."""
    t32 = pocketfft_sincos(32)
    t128 = pocketfft_sincos(128)
    rfft = [(1.0, 0.0)] + [t32(m) for m in range(1, 8)]
    dct = [t128(k)[0] for k in range(1, 32)]
    return rfft, dct


def format_tables():
    rfft, dct = expected_tables()
    lines = ["static const double RfftTwiddle[8][2] = {",
             "\t{1.0, 0.0},\t\t\t\t\t/* m = 0, unused */"]
    for m in range(1, 8):
        lines.append("\t{%s, %s},\t/* m = %d */"
                     % (rfft[m][0].hex(), rfft[m][1].hex(), m))
    lines += ["};", "", "static const double DctTwiddle[31] = {"]
    for k, v in enumerate(dct, 1):
        lines.append("\t%s,\t\t/* k = %d */" % (v.hex(), k))
    lines.append("};")
    return "\n".join(lines)


def parse_table(src, name):
    m = re.search(r"\b%s\s*\[[^=]*=\s*\{(.*?)\};" % re.escape(name), src, re.S)
    if not m:
        raise SystemExit("dct_check: table %s not found in %s" % (name, DCT_C))
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    nums = re.findall(r"-?0x[0-9a-fA-F.]+p[-+]?\d+|-?\d+\.\d*", body)
    return [float.fromhex(x) if "x" in x else float(x) for x in nums]


def check_tables():
    """Return a list of problems with the literals in src/hash/dct.c."""
    src = DCT_C.read_text()
    rfft, dct = expected_tables()
    problems = []
    got = parse_table(src, "RfftTwiddle")
    want = [v for pair in rfft for v in pair]
    if [x.hex() for x in got] != [x.hex() for x in want]:
        problems.append("RfftTwiddle differs from pocketfft's values")
    got = parse_table(src, "DctTwiddle")
    if [x.hex() for x in got] != [x.hex() for x in dct]:
        problems.append("DctTwiddle differs from pocketfft's values")
    return problems


# --- cases -------------------------------------------------------------------

def make_cases(total, rng):
    """Return a list of (category, uint8 array of shape (n, 32, 32))."""
    f = total / DEFAULT_CASES

    def count(n):
        return max(1, int(round(n * f)))

    def u8(a):
        return np.clip(np.rint(a), 0, 255).astype(np.uint8)

    def levels(n):
        """Per-case pairs of grey levels, a quarter of them 0 and 255."""
        ab = rng.integers(0, 256, size=(n, 2))
        ab[: n // 4] = (0, 255)
        return ab[:, 0, None, None], ab[:, 1, None, None]

    def mixed_base(n, shape):
        """Random content: half full-range, half two nearby levels."""
        full = rng.integers(0, 256, size=(n,) + shape)
        lo = rng.integers(0, 255, size=(n, 1, 1))
        two = lo + rng.integers(0, 2, size=(n,) + shape)
        pick = (np.arange(n) % 2 == 0)[:, None, None]
        return np.where(pick, full, two).astype(np.uint8)

    cases = []
    ii, jj = np.mgrid[0:32, 0:32]

    cases.append(("flat", np.repeat(np.arange(256, dtype=np.uint8), BLOCK)
                  .reshape(256, 32, 32)))

    n = count(8000)
    b = mixed_base(n, (32, 16))
    cases.append(("mirror-horizontal", np.concatenate([b, b[:, :, ::-1]], 2)))
    n = count(8000)
    b = mixed_base(n, (16, 32))
    cases.append(("mirror-vertical", np.concatenate([b, b[:, ::-1, :]], 1)))
    n = count(8000)
    b = mixed_base(n, (16, 16))
    b = np.concatenate([b, b[:, :, ::-1]], 2)
    cases.append(("mirror-both", np.concatenate([b, b[:, ::-1, :]], 1)))
    n = count(3000)
    b = mixed_base(n, (16, 32))
    cases.append(("rotate-180", np.concatenate([b, b[:, ::-1, ::-1]], 1)))

    n = count(5000)
    out = np.empty((n, 32, 32), np.uint8)
    for c in range(n):
        p = 1 << int(rng.integers(0, 5))
        q = 1 << int(rng.integers(0, 5))
        tile = mixed_base(1, (p, q))[0]
        out[c] = np.tile(tile, (32 // p, 32 // q))
    cases.append(("periodic-tile", out))

    n = count(6000)
    cy = rng.integers(1, 17, size=(n, 1, 1))
    cx = rng.integers(1, 17, size=(n, 1, 1))
    oy = rng.integers(0, 16, size=(n, 1, 1))
    ox = rng.integers(0, 16, size=(n, 1, 1))
    a, bb = levels(n)
    odd = (((ii + oy) // cy + (jj + ox) // cx) % 2).astype(bool)
    cases.append(("checkerboard", np.where(odd, a, bb).astype(np.uint8)))

    n = count(3000)
    period = rng.integers(1, 17, size=(n, 1, 1))
    horiz = (rng.integers(0, 2, size=(n, 1, 1)) == 1)
    a, bb = levels(n)
    coord = np.where(horiz, ii, jj)
    cases.append(("stripes", np.where((coord // period) % 2 == 1, a, bb)
                  .astype(np.uint8)))

    n = count(6000)
    kind = rng.integers(0, 5, size=(n, 1, 1))
    slope = rng.choice([0.25, 0.5, 1, 2, 3, 4, 7.5, 8, 16, -1, -4, -8],
                       size=(n, 1, 1))
    off = rng.integers(0, 256, size=(n, 1, 1))
    coord = np.select([kind == 0, kind == 1, kind == 2, kind == 3],
                      [jj + 0 * kind, ii + 0 * kind, ii + jj, ii - jj],
                      np.abs(ii - 15.5) + np.abs(jj - 15.5))
    ramp = off + slope * coord
    wrap = (rng.integers(0, 2, size=(n, 1, 1)) == 1)
    cases.append(("gradient", np.where(wrap, np.mod(np.floor(ramp), 256),
                                       np.clip(np.rint(ramp), 0, 255))
                  .astype(np.uint8)))

    n = count(8000)
    p = rng.uniform(0.02, 0.98, size=(n, 1, 1))
    cases.append(("only-0-255", np.where(rng.random((n, 32, 32)) < p, 255, 0)
                  .astype(np.uint8)))

    n = count(10000)
    out = np.repeat(rng.integers(0, 256, size=n).astype(np.uint8), BLOCK) \
        .reshape(n, 32, 32)
    pos = rng.integers(0, BLOCK, size=n)
    val = rng.integers(0, 256, size=n)
    near = rng.integers(0, 2, size=n) == 1      # half: change by +-1 only
    step = np.where(rng.integers(0, 2, size=n) == 1, 1, -1)
    flat = out.reshape(n, BLOCK)
    base = flat[np.arange(n), pos].astype(int)
    flat[np.arange(n), pos] = np.where(near, np.clip(base + step, 0, 255), val)
    cases.append(("near-flat-1px", out))

    n = count(5000)
    out = np.repeat(rng.integers(0, 256, size=n).astype(np.uint8), BLOCK) \
        .reshape(n, BLOCK)
    for c in range(n):
        k = int(rng.integers(2, 9))
        idx = rng.choice(BLOCK, size=k, replace=False)
        out[c, idx] = np.clip(out[c, idx].astype(int)
                              + rng.integers(-3, 4, size=k), 0, 255)
    cases.append(("near-flat-few-px", out.reshape(n, 32, 32)))

    n = count(5000)
    lo = rng.integers(0, 255, size=(n, 1, 1))
    cases.append(("two-adjacent-levels",
                  (lo + rng.integers(0, 2, size=(n, 32, 32))).astype(np.uint8)))

    n = count(5000)
    out = np.empty((n, 32, 32), np.uint8)
    try:
        from PIL import Image
        lanczos = getattr(Image, "Resampling", Image).LANCZOS
        for c in range(n):
            h, w = (int(x) for x in rng.integers(2, 65, size=2))
            src = rng.integers(0, 256, size=(h, w), dtype=np.uint8)
            out[c] = np.asarray(Image.fromarray(src, "L").resize((32, 32),
                                                                 lanczos))
        cases.append(("lanczos-resized", out))
    except ImportError:
        pass

    used = sum(len(x) for _, x in cases)
    n = max(total - used, count(10000))
    cases.insert(0, ("random", rng.integers(0, 256, size=(n, 32, 32),
                                            dtype=np.uint8)))
    return cases


# --- running -----------------------------------------------------------------

def build(tmp, cc, extra):
    exe = Path(tmp) / "dct_check"
    cmd = [cc, "-O2", "-std=c99", "-Wall", "-Wextra"] + extra + \
        ["-I", "src/hash", "test/tools/dct_check.c", "src/hash/dct.c", "-lm",
         "-o", str(exe)]
    res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise SystemExit("dct_check: build failed: %s" % shlex.join(cmd))
    if res.stderr:
        sys.stderr.write(res.stderr)
    return exe, shlex.join(cmd[:-2])


def run_binary(exe, x):
    res = subprocess.run([str(exe), "-b"], input=x.tobytes(),
                         capture_output=True, check=True)
    out = np.frombuffer(res.stdout, dtype=np.float64)
    return out.reshape(len(x), BLOCK + KEPT)


def run_text(exe, x):
    text = "\n".join(" ".join(str(int(v)) for v in img.ravel()) for img in x)
    res = subprocess.run([str(exe)], input=text + "\n", capture_output=True,
                         text=True, check=True)
    rows = [[int(t, 16) for t in line.split()]
            for line in res.stdout.splitlines()]
    return np.array(rows, dtype=np.uint64)


def scipy_dct(img):
    """The call ImageHash's phash makes, on the uint8 pixel array."""
    return scipy.fftpack.dct(scipy.fftpack.dct(img, axis=0), axis=1)


def matrix_dct(x):
    """A textbook DCT-II as two matrix products: numerically fine, but not
    bitwise scipy; shows how often the check would catch a naive version."""
    k = np.arange(32)
    m = 2 * np.cos(np.pi * np.outer(k, 2 * k + 1) / 64)
    return m @ x.astype(np.float64) @ m.T


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=DEFAULT_CASES,
                    help="total number of cases (default %(default)s)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--cc", default="gcc", help="C compiler (default gcc)")
    ap.add_argument("--cflags", default="",
                    help="extra compiler flags, e.g. '-O3 -march=native'")
    ap.add_argument("--print-tables", action="store_true",
                    help="print the twiddle tables for src/hash/dct.c and exit")
    args = ap.parse_args()

    if args.print_tables:
        print(format_tables())
        return 0

    t0 = time.time()
    failed = False
    problems = check_tables()
    for p in problems:
        print("FAIL:", p)
    failed |= bool(problems)

    rng = np.random.default_rng(args.seed)
    cases = make_cases(args.cases, rng)
    total = sum(len(x) for _, x in cases)

    with tempfile.TemporaryDirectory() as tmp:
        exe, cmd = build(tmp, args.cc, shlex.split(args.cflags))
        print("scipy %s, numpy %s; built: %s" % (scipy.__version__,
                                                 np.__version__, cmd))
        print("%d cases, seed %d" % (total, args.seed))
        header = "%-20s %7s %9s %9s %9s %9s %9s" % (
            "category", "cases", "tl8-full", "tl8-fn", "all-1024",
            "tl8-zeros", "naive-tl8")
        print(header)
        print("-" * len(header))
        sums = np.zeros(6, dtype=np.int64)
        first_bad = None
        for name, x in cases:
            row = np.zeros(6, dtype=np.int64)
            row[0] = len(x)
            for s in range(0, len(x), CHUNK):
                xs = x[s:s + CHUNK]
                got = run_binary(exe, xs)
                full = got[:, :BLOCK].reshape(-1, 32, 32)
                tl8 = got[:, BLOCK:].reshape(-1, 8, 8)
                ref = np.empty((len(xs), 32, 32))
                for c in range(len(xs)):
                    ref[c] = scipy_dct(xs[c])
                rb = ref.view(np.uint64)
                bad_full = (full.view(np.uint64) != rb)
                bad_tl_full = bad_full[:, :8, :8].any(axis=(1, 2))
                bad_tl_fn = (tl8.view(np.uint64) != rb[:, :8, :8]) \
                    .any(axis=(1, 2))
                bad_all = bad_full.any(axis=(1, 2))
                naive = matrix_dct(xs)[:, :8, :8]
                row[1] += bad_tl_full.sum()
                row[2] += bad_tl_fn.sum()
                row[3] += bad_all.sum()
                row[4] += (ref[:, :8, :8] == 0).sum()
                row[5] += (naive.view(np.uint64) != rb[:, :8, :8]) \
                    .any(axis=(1, 2)).sum()
                if first_bad is None and (bad_tl_full | bad_tl_fn).any():
                    c = int(np.argmax(bad_tl_full | bad_tl_fn))
                    first_bad = (name, xs[c])
            sums += row
            print("%-20s %7d %9d %9d %9d %9d %9d" % ((name,) + tuple(row)))
        print("-" * len(header))
        print("%-20s %7d %9d %9d %9d %9d %9d" % (("TOTAL",) + tuple(sums)))
        print("columns: cases with any bit difference in the top-left 8x8 of "
              "ImgDct2d32 (tl8-full),\n  in ImgDct2d32TopLeft8 (tl8-fn), in "
              "any of the 1024 values (all-1024);\n  tl8-zeros = scipy's "
              "exact-zero kept coefficients (all must match);\n  naive-tl8 = "
              "cases where a plain matrix-product DCT differs (information)")
        if sums[1] or sums[2]:
            failed = True
            print("FAIL: kept-coefficient mismatches; first in category %s:"
                  % first_bad[0])
            print(" ".join(str(int(v)) for v in first_bad[1].ravel()))
        if sums[3]:
            print("NOTE: mismatches outside the kept 8x8 block")

        # text mode: a sample from every category, against the binary mode
        sample = np.concatenate([x[:40] for _, x in cases])
        text = run_text(exe, sample)
        binary = run_binary(exe, sample).view(np.uint64)
        text_bad = int((text != binary).any(axis=1).sum()) \
            if text.shape == binary.shape else len(sample)
        print("text mode: %d cases, %d differ from binary mode"
              % (len(sample), text_bad))
        failed |= text_bad != 0

    print("twiddle tables: %s" % ("mismatch" if problems else "ok"))
    print("%s in %.1f s" % ("FAIL" if failed else "PASS", time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
