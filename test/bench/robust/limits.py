#!/usr/bin/python3
"""What robust search cannot reach, measured: for bench_robust.sh and the
README's Limits.

    /usr/bin/python3 test/bench/robust/limits.py EVALDIR [--every 5] [--seed 7]

On every 5th original of an evaluation set (make_evalset.py), two cases
that query-side variants do not cover, each against today's plain search
(phash within 8 bits) and robust search (phash_variants() with its dhash
checks, and without them as on a phash-only table):

  query smaller   the uploaded picture is a crop of the dataset's (keeping
                  85-95% of each side, anchored anywhere): does the search
                  for the crop find the original?
  deep crop       the dataset holds a crop keeping 60-75% of each side
                  (more than the fifth a side the variants go to): does the
                  search for the original find it?

Files are made with Pillow in a temporary folder (PNG for clip art, JPEG
quality 92 for photos, as the originals) and hashed with the extension's
own C core (test/tools/variants_cli and imghash_cli).
"""
import argparse
import os
import random
import sys
import tempfile

import numpy as np
from PIL import Image

import evalset
from evalset import NO_CHECK, TOOLS, build_tools, popcount, run_tool


def crop(img, lo, hi, rng):
    w, h = img.size
    fw, fh = rng.uniform(lo, hi), rng.uniform(lo, hi)
    cw, ch = max(8, round(w * fw)), max(8, round(h * fh))
    x, y = round((w - cw) * rng.random()), round((h - ch) * rng.random())
    return img.crop((x, y, x + cw, y + ch))


def save(img, path):
    img = img if img.mode in ('RGB', 'L') else img.convert('RGB')
    if path.endswith('.jpg'):
        img.save(path, quality=92)
    else:
        img.save(path)


def variants_of(paths):
    """Per path, arrays (phash, dhash, radius, dhash radius) of its variants"""
    out = {}
    for line in run_tool([os.path.join(TOOLS, 'variants_cli')], '\n'.join(paths) + '\n').splitlines():
        f = line.split('\t')
        out.setdefault(f[0], []).append((int(f[3], 16), int(f[4], 16), int(f[5]),
                                         int(f[6]) if int(f[6]) >= 0 else NO_CHECK))
    return {p: [np.array(c, dtype=np.uint64 if i < 2 else np.int64) for i, c in enumerate(zip(*v))]
            for p, v in out.items()}


def hashes_of(paths):
    out = {}
    for line in run_tool([os.path.join(TOOLS, 'imghash_cli')] + paths, '').splitlines():
        f = line.split()
        if f[0] == 'error':
            raise SystemExit('cannot hash %s' % f[-1])
        out[f[-1]] = (int(f[0], 16), int(f[1], 16))
    return out


def finds(variants, target):
    """(plain, robust phash only, robust phash+dhash): does a search with
    these variants find a file of these hashes?"""
    vp, vd, r, dr = variants
    dp = popcount(vp ^ np.uint64(target[0]))
    dd = popcount(vd ^ np.uint64(target[1]))
    return (bool(dp[0] <= 8), bool((dp <= r).any()), bool(((dp <= r) & (dd <= dr)).any()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('evaldir')
    ap.add_argument('--every', type=int, default=5)
    ap.add_argument('--seed', type=int, default=7)
    args = ap.parse_args()

    es = evalset.EvalSet(args.evaldir)
    build_tools('variants_cli', 'imghash_cli')
    picked = list(range(0, len(es.originals), args.every))
    counts = {'query smaller': np.zeros(3, dtype=int), 'deep crop': np.zeros(3, dtype=int)}
    with tempfile.TemporaryDirectory() as tmp:
        small, deep, origs = [], [], []
        for i in picked:
            src = es.path(es.original_files[i])
            ext = src.rsplit('.', 1)[1]
            img = Image.open(src)
            img.load()
            rng = random.Random('%d %s' % (args.seed, es.originals[i]))
            small.append(os.path.join(tmp, '%s_small.%s' % (es.originals[i], ext)))
            save(crop(img, 0.85, 0.95, rng), small[-1])
            deep.append(os.path.join(tmp, '%s_deep.%s' % (es.originals[i], ext)))
            save(crop(img, 0.60, 0.75, rng), deep[-1])
            origs.append(src)
        v_small = variants_of(small)
        v_orig = variants_of(origs)
        h_deep = hashes_of(deep)
        for n, i in enumerate(picked):
            # the dataset's original, as phash() hashed it
            f = es.files.index(es.original_files[i])
            target = (int(es.phash[f]), int(es.dhash[f]))
            counts['query smaller'] += finds(v_small[small[n]], target)
            counts['deep crop'] += finds(v_orig[origs[n]], h_deep[deep[n]])
    print('%d originals (every %d of the evaluation set)' % (len(picked), args.every))
    print('%-14s %9s  %9s  %9s' % ('case', 'plain r8', 'robust p', 'robust pd'))
    for case, c in counts.items():
        print('%-14s %9.3f  %9.3f  %9.3f' % (case, *(c / len(picked))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
