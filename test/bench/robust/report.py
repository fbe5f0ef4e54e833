#!/usr/bin/python3
"""Recall and false matches of robust search on an evaluation set, one table
per family, for test/bench/bench_robust.sh.

    /usr/bin/python3 test/bench/robust/report.py EVALDIR [--found-sql FILE]

Runs phash_variants()'s own C code (test/tools/variants_cli) on every
original and compares with the phash and dhash of every file
(test/tools/imghash_cli, the code of phash() and dhash()).  Prints, per
edit family, the recall of today's plain search (phash within 8 bits), of
robust search on a table with only a phash column, and on a table with
phash and dhash; then the false-match rate of each (the share of ordered
pairs of distinct originals where the search for one returns any file of the
other), and the number of variants and mih probes.

With --found-sql FILE (lines "original<TAB>file" that the documented SQL
query returned, from bench_robust.sh), also checks that the SQL query found
exactly what this evaluation says it finds, and exits 1 if not.
"""
import argparse
import sys

import numpy as np

import evalset
from evalset import NO_CHECK, mih_probes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('evaldir')
    ap.add_argument('--found-sql')
    args = ap.parse_args()

    es = evalset.EvalSet(args.evaldir)
    names, families, _, radius, dradius, VP, VD = es.variants(False)
    everyone = np.arange(len(es.originals))
    cross = es.cross_pairs(VP, VD, int(radius.max()))
    whole = names.index('whole')
    base_r = np.full(len(names), -1)
    base_r[whole] = 8
    base_d = np.full(len(names), NO_CHECK)

    runs = [('plain r8', base_r, base_d, False),
            ('robust, phash only', radius, dradius, False),
            ('robust, phash+dhash', radius, dradius, True)]
    results = []
    for label, r, d, use_dhash in runs:
        results.append(evalset.evaluate(es, everyone, VP, VD, r, d, cross, use_dhash))

    n_clip = sum(1 for o in es.originals if o.startswith('c'))
    print('evaluation set: %d originals (%d clip art, %d photos), %d edited files'
          % (len(es.originals), n_clip, len(es.originals) - n_clip, len(es.edits())))
    print('phash_variants: %d variants, %d with a dhash check, %d mih probes at 10M '
          '(%.1f radius-8 balls)' % (len(names), int((dradius < NO_CHECK).sum()),
                                     sum(mih_probes(int(x)) for x in radius),
                                     sum(mih_probes(int(x)) for x in radius) / mih_probes(8)))
    print()
    print('%-22s %6s  %9s  %9s  %9s' % ('family', 'copies', 'plain r8', 'robust p', 'robust pd'))
    worst = [1.0, 1.0, 1.0]
    for fam in es.families:
        cells = []
        for i, (rec, _, _) in enumerate(results):
            got, total = rec[fam]
            cells.append(got / total)
            worst[i] = min(worst[i], got / total)
        print('%-22s %6d  %9.3f  %9.3f  %9.3f' % (fam, rec[fam][1], *cells))
    print('%-22s %6s  %9.3f  %9.3f  %9.3f' % ('(worst family)', '', *worst))
    print()
    print('%-22s %14s %10s' % ('search', 'false pairs', 'rate'))
    for (label, _, _, _), (_, fm, pairs) in zip(runs, results):
        print('%-22s %7d/%-7d %10.2e' % (label, fm, pairs, fm / pairs))

    if args.found_sql:
        # what the evaluation says each original's search returns
        expect = set()
        q, k, f, dp, dd = cross.T
        hit = (dp <= radius[k]) & (dd <= dradius[k])
        expect.update(zip(q[hit].tolist(), f[hit].tolist()))
        own = np.arange(len(es.files))            # every file, originals too
        o = es.owner[own]
        DP = evalset.popcount(VP[o] ^ es.phash[own][:, None])
        DD = evalset.popcount(VD[o] ^ es.dhash[own][:, None])
        found = ((DP <= radius[None, :]) & (DD <= dradius[None, :])).any(axis=1)
        expect.update(zip(o[found].tolist(), own[found].tolist()))
        index = {name: i for i, name in enumerate(es.originals)}
        file_index = {name: i for i, name in enumerate(es.files)}
        got = set()
        with open(args.found_sql) as fh:
            for line in fh:
                orig, file = line.rstrip('\n').split('\t')
                got.add((index[orig], file_index[file]))
        print()
        print('SQL query: %d (original, file) rows; evaluation: %d; only in SQL %d, only in evaluation %d'
              % (len(got), len(expect), len(got - expect), len(expect - got)))
        if got != expect:
            for o, f in sorted(got ^ expect)[:10]:
                print('  differs: %s %s' % (es.originals[o], es.files[f]))
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
