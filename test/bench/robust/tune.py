#!/usr/bin/python3
"""Choose the variants of phash_variants() and their radii, on an evaluation
set made by make_evalset.py.

    /usr/bin/python3 test/bench/robust/tune.py EVALDIR [--target 0.995]
        [--probe-budget 20] [--fm-budget 0.8] [--sum]

The candidates are the shapes that `variants_cli --explore` computes (the
whole picture in its 8 orientations, the centre square and the black border
in 8, a grid of crops of 0-20% per side, as they are and mirrored, tilts of
0.5-5 degrees cropped or on a canvas), each with a phash radius of 2-9 and
a dhash check of 6-24 bits or none.  The originals are split in two by
their index: the choice is made on one half (train) and reported on both.

Greedy cover: each step takes the candidate that finds the most edited
copies not yet found, in families still under the target recall, per unit
of what it costs: its mih probes (a share of --probe-budget times the probes
of one radius-8 ball) plus the false matches it adds (a share of
--fm-budget times the false matches of today's plain radius-8 search).  It
stops when every family reaches the target or nothing helps; then it drops
any choice the others make redundant.  The result is printed as the C table
of src/hash/variants.c.

With --sum the check of a candidate is a bound on the sum of its phash and
dhash distances (4 to 40) instead of a dhash radius: an experiment, whose
result the README's trade-off reports; it prints no C table.
"""
import argparse
import sys
from collections import defaultdict

import numpy as np

import evalset
from evalset import NO_CHECK, log, mih_probes

# phash distances are nearly always even (each phash has 32 bits set, bar
# ties at the median), so odd radii cost probes and find nothing more
RADII = [4, 6, 8]
DRADII = list(range(6, 25, 2)) + [NO_CHECK]
# --sum: the check is a bound on the sum of the phash and dhash distances
NO_SUM = 2 * NO_CHECK
SUMS = list(range(4, 41, 2)) + [NO_SUM]
# a variant must newly find this many edited copies of the training half:
# fewer is fitting single pictures, which the other half does not repeat
MIN_GAIN = 4
# what a ball costs beyond its probes (the index rescan), in probes
BALL_OVERHEAD = 40
SHAPES = {0: 'IMG_SHAPE_WHOLE', 1: 'IMG_SHAPE_CROP', 2: 'IMG_SHAPE_SQUARE',
          3: 'IMG_SHAPE_BORDER', 4: 'IMG_SHAPE_TILT_CROP', 5: 'IMG_SHAPE_TILT_CANVAS'}
FILLS = {0: 'IMG_FILL_EDGE', 1: 'IMG_FILL_BLACK', 2: 'IMG_FILL_WHITE', 3: 'IMG_FILL_GRAY'}
FAMILY_NAMES = {1: 'IMG_FAMILY_WHOLE', 2: 'IMG_FAMILY_FLIP', 4: 'IMG_FAMILY_CROP',
                8: 'IMG_FAMILY_FRAME', 16: 'IMG_FAMILY_TILT'}
# families that plain phash already finds: keep what it finds
LEGACY = {'resize', 'jpeg_q30', 'watermark', 'brightness', 'grayscale', 'blur', 'format'}


def split(n):
    idx = np.arange(n)
    return idx[idx % 2 == 0], idx[idx % 2 == 1]


def pair_points(es, cross, K):
    """Per variant k, the false-match points (pair id, dp, dd), one per pair and
    (dp, dd) Pareto point: counting points over-counts a pair only when two of
    its files both fall in a ball, which is rare"""
    q, k, f, dp, dd = cross.T
    b = es.owner[f]
    pair = q * len(es.originals) + b
    key = np.stack([k, pair, dp, dd], axis=1)
    key = np.unique(key, axis=0)
    return key


def greedy(es, train, DP, DD, fam_of_edit, cross_pts, n_variants, args, baseline_fm, probe_cost):
    fams = sorted(set(fam_of_edit))
    fam_index = {f: i for i, f in enumerate(fams)}
    fam_ids = np.array([fam_index[f] for f in fam_of_edit])
    totals = np.bincount(fam_ids, minlength=len(fams))
    target = {f: min(args.target, args.baseline.get(f, 1.0)) if f in LEGACY else args.target
              for f in fams}
    covered = np.zeros(len(fam_of_edit), dtype=bool)
    fm_pairs = set()
    chosen = []
    k_pts, pair_pts, dp_pts, dd_pts = cross_pts.T
    # start from today's search, the whole picture within 8 bits, with the
    # tightest dhash check that keeps what it finds in every family
    whole = args.names.index('whole')
    plain = DP[:, whole] <= 8
    for d in DRADII:
        found = plain & (DD[:, whole] <= d)
        if all(found[fam_ids == i].sum() >= 0.98 * plain[fam_ids == i].sum()
               for i, f in enumerate(fams) if f in LEGACY):
            break
    covered |= found
    hit = (k_pts == whole) & (dp_pts <= 8) & (dd_pts <= d)
    fm_pairs.update(pair_pts[hit].tolist())
    chosen.append((whole, 8, d))
    log('  = whole r8 d%s (today\'s search with a dhash check): fm %d' % (d, len(fm_pairs)))
    fm_budget = max(1.0, args.fm_budget * baseline_fm)
    probe_budget = args.probe_budget * (probe_cost[8] + BALL_OVERHEAD)
    nr, nd = len(RADII), len(DRADII)
    dr_arr = np.array(DRADII)
    probes_used = probe_cost[8] + BALL_OVERHEAD

    while True:
        found = np.bincount(fam_ids[covered], minlength=len(fams))
        short = np.array([found[i] < target[f] * totals[i] for i, f in enumerate(fams)])
        if not short.any():
            break
        # weight: edits of families under target, more for those furthest behind
        deficit = np.array([max(0.0, target[f] * totals[i] - found[i]) / max(1, totals[i])
                            for i, f in enumerate(fams)])
        w = np.where(short, 1.0 + 10 * deficit, 0.0)[fam_ids]
        todo = np.nonzero(~covered & (w > 0))[0]
        # gain[k, r, d]: weighted edits newly found by candidate (k, RADII[r], DRADII[d])
        dp_t, dd_t = DP[todo], DD[todo]
        rows, ks = np.nonzero(dp_t <= RADII[-1])
        g = np.zeros((n_variants, RADII[-1] + 1, nd))
        dd_bin = np.searchsorted(dr_arr, dd_t[rows, ks])        # smallest check that passes
        np.add.at(g, (ks, dp_t[rows, ks], dd_bin), w[todo][rows])
        g = g.cumsum(axis=1).cumsum(axis=2)[:, RADII, :]
        # the raw count of edits found, for MIN_GAIN
        c = np.zeros((n_variants, RADII[-1] + 1, nd))
        np.add.at(c, (ks, dp_t[rows, ks], dd_bin), 1)
        c = c.cumsum(axis=1).cumsum(axis=2)[:, RADII, :]
        g[c < MIN_GAIN] = 0
        # added false matches, over pairs not yet falsely matched
        live = ~np.isin(pair_pts, np.fromiter(fm_pairs, dtype=np.int64, count=len(fm_pairs)))
        fm = np.zeros((n_variants, RADII[-1] + 1, nd))
        sel = live & (dp_pts <= RADII[-1])
        np.add.at(fm, (k_pts[sel], dp_pts[sel], np.searchsorted(dr_arr, dd_pts[sel])), 1)
        fm = fm.cumsum(axis=1).cumsum(axis=2)[:, RADII, :]
        cost = (np.array([probe_cost[r] + BALL_OVERHEAD for r in RADII])[None, :, None] / probe_budget
                + fm / fm_budget + 1e-4)
        score = g / cost
        best = np.unravel_index(np.argmax(score), score.shape)
        if g[best] <= 0:
            log('nothing more helps; stopping short')
            break
        k, r, d = best[0], RADII[best[1]], DRADII[best[2]]
        newly = (DP[:, k] <= r) & (DD[:, k] <= DRADII[best[2]])
        covered |= newly
        hit = (k_pts == k) & (dp_pts <= r) & (dd_pts <= d)
        fm_pairs.update(pair_pts[hit].tolist())
        probes_used += probe_cost[r] + BALL_OVERHEAD
        chosen.append((k, r, d))
        log('  + %-48s r%d d%-2s  found %5.1f  fm %4d/%d  probes %d'
            % (args.names[k], r, d if d < NO_CHECK else '-', g[best], len(fm_pairs),
               int(fm_budget), probes_used))
        if probes_used >= probe_budget or len(fm_pairs) >= fm_budget:
            log('budget spent; stopping')
            break
    return prune(chosen, DP, DD, fam_ids, totals, fams, target, cross_pts, fm_pairs)


def prune(chosen, DP, DD, fam_ids, totals, fams, target, cross_pts, fm_pairs):
    """Drop choices the others make redundant (latest first)"""
    def ok(sel):
        found = np.zeros(len(fam_ids), dtype=bool)
        for k, r, d in sel:
            found |= (DP[:, k] <= r) & (DD[:, k] <= d)
        got = np.bincount(fam_ids[found], minlength=len(fams))
        return all(got[i] >= min(target[f] * totals[i], base_got[i]) for i, f in enumerate(fams))
    full = np.zeros(len(fam_ids), dtype=bool)
    for k, r, d in chosen:
        full |= (DP[:, k] <= r) & (DD[:, k] <= d)
    base_got = np.bincount(fam_ids[full], minlength=len(fams))
    kept = list(chosen)
    for c in reversed(chosen):
        trial = [x for x in kept if x != c]
        if ok(trial):
            kept = trial
            log('  - dropped %s' % (c,))
    return kept


def c_table(chosen, names, families, specs):
    """The chosen variants as VariantTable entries: one per shape and radii,
    the orientations as a mask"""
    groups = defaultdict(int)
    order = []
    for k, r, d in chosen:
        shape, l, rr, t, b, angle, fill, o = specs[k].split()
        key = (int(shape), float(l), float(rr), float(t), float(b), float(angle), families[k], r, d,
               int(fill))
        if key not in groups:
            order.append(key)
        groups[key] |= 1 << int(o)
    order.sort()
    lines = []
    for key in order:
        shape, l, rr, t, b, angle, fam, r, d, fill = key
        lines.append('\t{%s, {%s, %s, %s, %s}, %s, 0x%02x, %s, %d, %d, %s},'
                     % (SHAPES[shape], cf(l), cf(rr), cf(t), cf(b), cf(angle), groups[key],
                        FAMILY_NAMES[fam], r, d if d < NO_CHECK else -1, FILLS[fill]))
    return '\n'.join(lines)


def cf(x):
    """A float as a C literal"""
    if x == int(x):
        return '%d' % x
    return '%gf' % x


def report(es, label, originals, VP, VD, radius, dradius, cross, bound=None):
    for use_dhash in (True, False):
        rec, fm, pairs = evalset.evaluate(es, originals, VP, VD, radius, dradius, cross, use_dhash,
                                          bound)
        worst = min(rec.items(), key=lambda kv: kv[1][0] / max(1, kv[1][1]))
        print('%-28s %-12s fm %5d/%d = %.2e  worst %s %.3f' % (
            label, 'phash+dhash' if use_dhash else 'phash only', fm, pairs, fm / max(1, pairs),
            worst[0], worst[1][0] / max(1, worst[1][1])))
        print('    ' + '  '.join('%s %.3f' % (f, a / max(1, b)) for f, (a, b) in sorted(rec.items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('evaldir')
    ap.add_argument('--target', type=float, default=0.995)
    ap.add_argument('--probe-budget', type=float, default=20.0,
                    help='total probes, in radius-8 balls (default 20)')
    ap.add_argument('--sum', action='store_true',
                    help='check the sum of the phash and dhash distances, not the dhash distance')
    ap.add_argument('--fm-budget', type=float, default=0.8,
                    help='false matches, as a share of plain radius 8 (default 0.8)')
    args = ap.parse_args()

    global DRADII
    if args.sum:
        DRADII = SUMS
    es = evalset.EvalSet(args.evaldir)
    names, families, specs, _, _, VP, VD = es.variants(True, 'explore.tsv')
    args.names = names
    K = len(names)
    log('%d originals, %d files, %d candidate variants' % (len(es.originals), len(es.files), K))
    cross = es.cross_pairs(VP, VD, RADII[-1], 'explore_pairs.txt')
    train, test = split(len(es.originals))
    probe_cost = {r: mih_probes(r) for r in range(0, 65)}

    # baseline: the whole picture, radius 8, no check
    whole = names.index('whole')
    base_r = np.full(K, -1)
    base_r[whole] = 8
    base_d = np.full(K, NO_CHECK)
    for label, part in (('train', train), ('test', test)):
        report(es, 'baseline plain r8 ' + label, part, VP, VD, base_r, base_d, cross)
    base_rec, base_fm, _ = evalset.evaluate(es, train, VP, VD, base_r, base_d, cross, False)
    args.baseline = {f: a / max(1, b) for f, (a, b) in base_rec.items()}

    edits = es.edits(train)
    DP, DD = es.own_distances(edits, VP, VD)
    fam_of_edit = es.family[edits]
    cross_train = cross[np.isin(cross[:, 0], train) & np.isin(es.owner[cross[:, 2]], train)]
    if args.sum:
        DD = DP.astype(np.int64) + DD
        cross_train = cross_train.copy()
        cross_train[:, 4] += cross_train[:, 3]
    pts = pair_points(es, cross_train, K)
    chosen = greedy(es, train, DP, DD, fam_of_edit, pts, K, args, base_fm, probe_cost)

    # one column per ball chosen (a variant may be chosen with two balls)
    ks = np.array([k for k, _, _ in chosen], dtype=np.int64)
    radius = np.array([r for _, r, _ in chosen])
    dradius = np.array([d for _, _, d in chosen])
    rows, cols = np.nonzero(cross[:, 1][:, None] == ks[None, :])
    cross_balls = cross[rows].copy()
    cross_balls[:, 1] = cols
    probes = sum(probe_cost[r] + BALL_OVERHEAD for _, r, _ in chosen)
    print('\n%d variants, %d mih probes (with %d a ball for its rescan) = %.1f radius-8 balls'
          % (len(chosen), probes, BALL_OVERHEAD, probes / (probe_cost[8] + BALL_OVERHEAD)))
    for label, part in (('train', train), ('test', test)):
        if args.sum:
            report(es, 'tuned ' + label, part, VP[:, ks], VD[:, ks], radius,
                   np.full_like(dradius, NO_CHECK), cross_balls, bound=dradius)
        else:
            report(es, 'tuned ' + label, part, VP[:, ks], VD[:, ks], radius, dradius, cross_balls)
    if args.sum:
        print('\n(--sum: no C table, since phash_variants() checks a dhash radius, not a sum)')
    else:
        print('\n' + c_table(chosen, names, families, specs))


if __name__ == '__main__':
    sys.exit(main())
