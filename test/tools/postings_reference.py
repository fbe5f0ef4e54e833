#!/usr/bin/python3
"""Check the caption index's posting block codec against this file's own
reading of the format that src/caption/index/postings.h documents.

    postings_reference.py PATH/TO/postings_cli [--cases N] [--seed S]

This encoder and decoder are written from the header's description alone
(integers and lists, no bit tricks shared with the C code).  The check:

  1. encodes generated blocks (sizes 1 to 128, gaps from 0 to 2^32 - 1,
     frequencies from 1 to the highest position, positions near 1 and
     near 16383) both here and with `postings_cli encode`: the bytes must
     be equal;
  2. decodes the C bytes with `postings_cli decode`, trailing bytes added:
     the postings and the block's length must be those encoded;
  3. gives blocks that break the rules (ordinals not ascending or below
     the base, a position 0, repeated or past 16383, no positions, more
     than 128 postings): the C encoder must refuse every one;
  4. truncates and alters valid blocks: the C decoder must reach the same
     verdict as this decoder on each (and never crash).

Prints what it checked; exits 1 on the first difference.
"""
import argparse
import random
import subprocess
import sys

BLOCK_DOCS = 128
MAX_POS = 16383
HEADER = 4


def width(v):
    return v.bit_length()


def encode(base, postings):
    """postings: [(ord, [positions])]; bytes, or None when invalid"""
    n = len(postings)
    if not 1 <= n <= BLOCK_DOCS:
        return None
    gaps, tfs, pgaps = [], [], []
    prev_ord = None
    for ord_, pos in postings:
        if prev_ord is None:
            if ord_ < base:
                return None
            gaps.append(ord_ - base)
        else:
            if ord_ <= prev_ord:
                return None
            gaps.append(ord_ - prev_ord - 1)
        prev_ord = ord_
        if not 1 <= len(pos) <= MAX_POS:
            return None
        tfs.append(len(pos) - 1)
        prev = 0
        for p in pos:
            if p <= prev or p > MAX_POS:
                return None
            pgaps.append(p - prev - 1)
            prev = p
    bd, bt, bp = width(max(gaps)), width(max(tfs)), width(max(pgaps))
    bits = []                       # one 0/1 per bit, in stream order
    for values, w in ((gaps, bd), (tfs, bt), (pgaps, bp)):
        for v in values:
            bits.extend((v >> k) & 1 for k in range(w))
    while len(bits) % 8:
        bits.append(0)
    stream = bytes(sum(bits[i + k] << k for k in range(8)) for i in range(0, len(bits), 8))
    return bytes([n - 1, bd, bt, bp]) + stream


def decode(base, data):
    """(length, [(ord, positions or None when corrupt)]) or None when corrupt"""
    if len(data) < HEADER:
        return None
    n, bd, bt, bp = data[0] + 1, data[1], data[2], data[3]
    if n > BLOCK_DOCS or bd > 32 or bt > 14 or bp > 14:
        return None
    avail = (len(data) - HEADER) * 8

    def bit(i):
        return (data[HEADER + i // 8] >> (i % 8)) & 1

    def read(at, w):
        return sum(bit(at + k) << k for k in range(w))

    if n * (bd + bt) > avail:
        return None
    at, ords, ord_ = 0, [], base
    for i in range(n):
        ord_ += (0 if i == 0 else 1) + read(at, bd)
        at += bd
        if ord_ > 2**32 - 1:
            return None
        ords.append(ord_)
    tfs = []
    for i in range(n):
        tf = read(at, bt) + 1
        at += bt
        if tf > MAX_POS:
            return None
        tfs.append(tf)
    if at + sum(tfs) * bp > avail:
        return None
    length = HEADER + (at + sum(tfs) * bp + 7) // 8
    out = []
    for ord_, tf in zip(ords, tfs):
        pos, p = [], 0
        for _ in range(tf):
            p += read(at, bp) + 1
            at += bp
            pos.append(p)
        out.append((ord_, pos if p <= MAX_POS else None))
    return length, out


def line_of(base, postings):
    return "%d %s" % (base, " ".join(
        "%d:%s" % (o, ",".join(map(str, pos))) for o, pos in postings))


def decoded_line(result):
    if result is None:
        return "corrupt"
    length, postings = result
    words = [str(length)]
    for ord_, pos in postings:
        if pos is None:
            words.append("corrupt")
            break
        words.append("%d:%s" % (ord_, ",".join(map(str, pos))))
    return " ".join(words)


def random_block(rng):
    n = rng.choice([1, 2, 3, 17, 64, 127, 128, rng.randint(1, 128)])
    gap_bits = rng.choice([0, 1, 3, 8, 13, 20, 31, 32])
    tf_kind = rng.choice(["one", "few", "many"])
    pos_kind = rng.choice(["low", "spread", "high"])
    base = rng.choice([0, 1, rng.randrange(2**20), rng.randrange(2**31)])
    postings, ord_ = [], base - 1
    for i in range(n):
        gap = rng.randrange(2**gap_bits) if gap_bits else 0
        ord_ = ord_ + 1 + gap if i else base + gap
        if ord_ > 2**32 - 1 - (n - i):
            break
        tf = {"one": 1, "few": rng.randint(1, 4), "many": rng.randint(1, 300)}[tf_kind]
        if pos_kind == "low":
            pos = sorted(rng.sample(range(1, 40 + tf), tf))
        elif pos_kind == "spread":
            pos = sorted(rng.sample(range(1, MAX_POS + 1), tf))
        else:
            pos = sorted(rng.sample(range(MAX_POS - tf - 20, MAX_POS + 1), tf))
        postings.append((ord_, pos))
    return base, postings


def edge_blocks():
    yield 0, [(0, [1])]                                   # every width 0
    yield 0, [(2**32 - 1, [MAX_POS])]                     # widest gap, last position
    yield 2**32 - 1, [(2**32 - 1, [1])]
    yield 5, [(5, list(range(1, MAX_POS + 1)))]          # the highest frequency
    yield 0, [(i, [1]) for i in range(BLOCK_DOCS)]        # 128 postings, gaps 0
    yield 0, [(i * 2**24, [i + 1]) for i in range(BLOCK_DOCS)]


def bad_blocks():
    yield 0, []                                           # no postings
    yield 0, [(i, [1]) for i in range(BLOCK_DOCS + 1)]    # too many
    yield 10, [(9, [1])]                                  # below the base
    yield 0, [(3, [1]), (3, [1])]                         # repeated ordinal
    yield 0, [(4, [1]), (3, [1])]                         # descending
    yield 0, [(1, [0])]                                   # position 0
    yield 0, [(1, [2, 2])]                                # repeated position
    yield 0, [(1, [3, 2])]                                # descending positions
    yield 0, [(1, [MAX_POS + 1])]                         # past the last
    yield 0, [(1, [1]), (2, [])]                          # no positions


def run(cli, mode, lines):
    out = subprocess.run([cli, mode], input="\n".join(lines) + "\n", text=True,
                         capture_output=True, check=False)
    if out.returncode != 0:
        sys.exit("postings_cli %s failed (exit %d): %s" % (mode, out.returncode, out.stderr))
    return out.stdout.split("\n")[:len(lines)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    blocks = list(edge_blocks()) + [random_block(rng) for _ in range(args.cases)]
    blocks = [(b, p) for b, p in blocks if p]
    ours = [encode(b, p) for b, p in blocks]
    theirs = run(args.cli, "encode", [line_of(b, p) for b, p in blocks])
    for (b, p), mine, c in zip(blocks, ours, theirs):
        if mine is None or mine.hex() != c:
            sys.exit("encode differs for %s...: reference %s, C %s" % (
                line_of(b, p)[:200], mine.hex()[:80] if mine else None, c[:80]))
    print("encode: %d blocks byte for byte as the reference (%d bytes in all)"
          % (len(blocks), sum(len(m) for m in ours)))

    tails = [bytes(rng.randrange(256) for _ in range(rng.choice([0, 0, 1, 9]))) for _ in blocks]
    decoded = run(args.cli, "decode", ["%d %s" % (b, (m + t).hex())
                                       for (b, _), m, t in zip(blocks, ours, tails)])
    for (b, p), m, d in zip(blocks, ours, decoded):
        want = decoded_line((len(m), p))
        if d != want:
            sys.exit("decode differs for %s...: want %s, C %s" % (line_of(b, p)[:200], want[:200], d[:200]))
    print("decode: %d blocks read back, with trailing bytes, lengths exact" % len(blocks))

    bad = list(bad_blocks())
    refused = run(args.cli, "encode", [line_of(b, p) for b, p in bad])
    for (b, p), r in zip(bad, refused):
        if encode(b, p) is not None:
            sys.exit("the reference accepts a bad block: %s" % line_of(b, p)[:200])
        if r != "invalid":
            sys.exit("C encodes a bad block: %s -> %s" % (line_of(b, p)[:200], r[:80]))
    print("invalid input: %d blocks that break the rules, all refused" % len(bad))

    damaged = []
    for (b, _), m in zip(blocks[:400], ours[:400]):
        for cut in sorted({0, 1, 3, 4, 5, len(m) // 2, len(m) - 1}):
            if cut < len(m):
                damaged.append((b, m[:cut]))
        for _ in range(3):
            x = bytearray(m)
            x[rng.randrange(len(x))] = rng.randrange(256)
            damaged.append((b, bytes(x)))
    verdicts = run(args.cli, "decode", ["%d %s" % (b, d.hex()) for b, d in damaged])
    corrupt = 0
    for (b, d), v in zip(damaged, verdicts):
        want = decoded_line(decode(b, d))
        if v != want:
            sys.exit("damaged block %d %s: reference says %s, C %s" % (b, d.hex()[:80], want[:120], v[:120]))
        corrupt += want == "corrupt" or want.endswith("corrupt")
    print("damaged input: %d truncated or altered blocks, the same verdict as the reference "
          "(%d corrupt, the rest still valid blocks)" % (len(damaged), corrupt))


if __name__ == "__main__":
    main()
