#!/usr/bin/python3
"""The trade-off between recall, false matches and index work behind
phash_variants()'s table, on an evaluation set: for bench_robust.sh and the
README.

    /usr/bin/python3 test/bench/robust/tradeoff.py EVALDIR

One line per way of searching, every one on the whole set (all 550
originals): the mih lookups of one search at 10M rows (from the radii,
without sharing), the false-match pairs (as report.py counts them; plain
phash within 8 bits is the baseline), the worst family's recall, and the
recall of a crop, a turn and the watermark family.

  shipped          the table of src/hash/variants.c: per variant a phash radius
                   and a dhash radius (the documented query)
  r R, sum S       the same 110 variants, every one with phash radius R and
                   a bound S on the sum of the phash and dhash distances
                   (the prototype's check), instead of the tuned radii
  + dhash-driven   the shipped table plus, for the 8 orientations, a
                   search by dhash (within a few bits, with a wide phash
                   check): it needs a second mih index, on dhash
  best of 1084     no search: whether the nearest of the 1084 candidates
                   tune.py chooses from (a dense grid of crops, every tilt)
                   is within 8 bits, whatever it costs or falsely matches
"""
import argparse
import sys

import numpy as np

import evalset
from evalset import NO_CHECK, mih_probes

SHOWN = ['crop_corner', 'crop_center', 'rotate90', 'rotsmall_canvas', 'watermark']


def line(label, lookups, fm, rec):
    worst = min(rec, key=rec.get)
    print('%-34s %8s %6s  %-22s %s' % (
        label, lookups, fm, '%s %.3f' % (worst, rec[worst]),
        '  '.join('%.3f' % rec[f] for f in SHOWN)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('evaldir')
    args = ap.parse_args()

    es = evalset.EvalSet(args.evaldir)
    names, families, _, R, DR, VP, VD = es.variants(False)
    edits = es.edits()
    fam = es.family[edits]
    DP, DD = es.own_distances(edits, VP, VD)
    DS = DP.astype(np.int64) + DD
    cross = es.cross_pairs(VP, VD, 10)
    q, k, f, dp, dd = cross.T
    owner = es.owner[f]

    def recall(found):
        return {fm: float(found[fam == fm].mean()) for fm in es.families}

    def pairs(hit, extra=()):
        return len(set(zip(q[hit].tolist(), owner[hit].tolist())) | set(extra))

    print('%-34s %8s %6s  %-22s %s' % ('search', 'lookups', 'false', 'worst family',
                                       '  '.join(SHOWN)))
    whole = names.index('whole')
    found = DP[:, whole] <= 8
    line('plain phash within 8 bits', mih_probes(8), pairs((k == whole) & (dp <= 8)), recall(found))
    found = ((DP <= R) & (DD <= DR)).any(axis=1)
    shipped_hit = (dp <= R[k]) & (dd <= DR[k])
    line('shipped (phash and dhash radii)', sum(mih_probes(int(r)) for r in R), pairs(shipped_hit),
         recall(found))
    shipped_found = found
    for r, s in ((8, 10), (8, 12), (8, 16), (10, 16), (10, 20)):
        found = ((DP <= r) & (DS <= s)).any(axis=1)
        line('r %d, sum %d' % (r, s), len(names) * mih_probes(r),
             pairs((dp <= r) & (dp + dd <= s)), recall(found))

    # by dhash, for the orientations: pairs within a few dhash bits
    orient = np.array([fl in (1, 2) for fl in families])
    ko = np.nonzero(orient)[0]
    near = es.cross_pairs(VP[:, ko], VD[:, ko], 24, None, 4)
    nq, nk, nf, ndp, ndd = near.T
    for a, b in ((2, 16), (2, 20), (4, 20)):
        found = shipped_found | ((DD[:, ko] <= a) & (DP[:, ko] <= b)).any(axis=1)
        hit = (ndd <= a) & (ndp <= b)
        extra = zip(nq[hit].tolist(), es.owner[nf[hit]].tolist())
        line('+ dhash-driven: dhash %d, phash %d' % (a, b),
             sum(mih_probes(int(r)) for r in R) + len(ko) * mih_probes(a),
             pairs(shipped_hit, extra), recall(found))

    names_x, _, _, _, _, XP, _ = es.variants(True, 'explore.tsv')
    XD, _ = es.own_distances(edits, XP, XP)
    line('best of %d candidates, 8 bits' % len(names_x), '-', '-', recall(XD.min(axis=1) <= 8))
    return 0


if __name__ == '__main__':
    sys.exit(main())
