"""What tune.py and bench_robust.py share: reading an evaluation set made by
make_evalset.py, hashing its files with the extension's own C core (the
tools under test/tools/, which run the code phash_variants() and phash()
run in the server), and measuring recall and false matches.

Terms.  An *original* is a picture of the set; its *files* are the original
itself and every edited copy (manifest.tsv).  A search for original A looks
for A's variants (phash_variants of A's own file) among the hashes of every
file.  It *finds* an edited copy e of A when some variant v has
phash(e) within v's radius of v's phash and, when v has a dhash check and
the table keeps dhash, dhash(e) within the check's radius of v's dhash.  It
*falsely matches* original B (B != A) when it finds any file of B: the
false-match rate is the share of ordered pairs (A, B) of distinct originals
with a false match.  The baseline is today's search: phash(A) within 8 bits,
no variants, no dhash.
"""
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
TOOLS = os.path.join(ROOT, 'test', 'tools')
NO_CHECK = 64          # a dhash radius that accepts everything

# The mih probes of one ball at 10M rows (3 substrings of 22, 21 and 21
# bits), as MihPlanRadius in src/mih/mihradius.c plans a radius scan: table j
# probes to s = radius / m when j <= radius % m, else to s - 1.
def mih_probes(radius, bits=(22, 21, 21)):
    from math import comb
    s, a = divmod(radius, len(bits))
    return sum(comb(b, t) for j, b in enumerate(bits)
               for t in range(0, (s if j <= a else s - 1) + 1))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def popcount(x):
    """Bits set in each element of a uint64 array"""
    x = x.astype(np.uint64, copy=True)
    x -= (x >> np.uint64(1)) & np.uint64(0x5555555555555555)
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0f0f0f0f0f0f0f0f)
    return ((x * np.uint64(0x0101010101010101)) >> np.uint64(56)).astype(np.uint8)


def run_tool(cmd, stdin_text):
    """A tool's stdout, given its stdin"""
    return subprocess.run(cmd, input=stdin_text, stdout=subprocess.PIPE, check=True, text=True).stdout


def build_tools(*names):
    subprocess.run(['make', '-s', '-C', ROOT] + ['test/tools/' + n for n in names], check=True)


class EvalSet:
    """The manifest of an evaluation set, and every file's phash and dhash"""

    def __init__(self, directory):
        self.dir = directory
        rows = []
        with open(os.path.join(directory, 'manifest.tsv')) as f:
            header = f.readline().rstrip('\n').split('\t')
            assert header[:3] == ['file', 'original', 'family'], header
            for line in f:
                file, original, family, params = (line.rstrip('\n').split('\t') + [''])[:4]
                rows.append((file, original, family, params))
        self.originals = sorted({r[1] for r in rows})
        index = {o: i for i, o in enumerate(self.originals)}
        self.files = [r[0] for r in rows]
        self.owner = np.array([index[r[1]] for r in rows], dtype=np.int64)
        self.family = np.array([r[2] for r in rows])
        self.params = [r[3] for r in rows]
        orig_file = {r[1]: r[0] for r in rows if r[2] == 'original'}
        missing = [o for o in self.originals if o not in orig_file]
        assert not missing, 'originals without a file: %s' % missing[:5]
        self.original_files = [orig_file[o] for o in self.originals]
        self.families = sorted(set(self.family) - {'original'})
        self.phash, self.dhash = self._file_hashes()

    def path(self, file):
        return os.path.join(self.dir, file)

    def cached(self, cache_name, produce):
        """produce()'s text, kept in the set's folder as cache_name when given"""
        cache = os.path.join(self.dir, cache_name) if cache_name else None
        if cache and os.path.exists(cache):
            with open(cache) as f:
                return f.read()
        text = produce()
        if cache:
            with open(cache + '.tmp', 'w') as out:
                out.write(text)
            os.rename(cache + '.tmp', cache)
        return text

    def _file_hashes(self):
        """phash and dhash of every file, by imghash_cli (cached)"""
        def produce():
            build_tools('imghash_cli')
            log('hashing %d files' % len(self.files))
            return run_tool([os.path.join(TOOLS, 'imghash_cli')] + [self.path(f) for f in self.files], '')
        text = self.cached('hashes.tsv', produce)
        by_path = {}
        for line in text.splitlines():
            fields = line.split()
            if fields[0] == 'error':
                raise SystemExit('cannot hash %s' % fields[-1])
            by_path[fields[-1]] = (int(fields[0], 16), int(fields[1], 16))
        ph = np.array([by_path[self.path(f)][0] for f in self.files], dtype=np.uint64)
        dh = np.array([by_path[self.path(f)][1] for f in self.files], dtype=np.uint64)
        return ph, dh

    def variants(self, explore, cache_name=None):
        """The variants of every original, by variants_cli (cached in
        cache_name when given: the explore set is fixed, the table is not).

        Returns (names, families, specs, radius, dhash_radius, VP, VD): one
        entry per variant in the order the tool prints them, the same for
        every original, and VP, VD of shape (originals, variants)."""
        def produce():
            build_tools('variants_cli')
            log('variants of %d originals%s' % (len(self.originals), ' (explore)' if explore else ''))
            cmd = [os.path.join(TOOLS, 'variants_cli')] + (['--explore'] if explore else [])
            return run_tool(cmd, '\n'.join(self.path(f) for f in self.original_files) + '\n')
        text = self.cached(cache_name, produce)
        per_file = {}
        for line in text.splitlines():
            fields = line.split('\t')
            per_file.setdefault(fields[0], []).append(fields[1:])
        first = per_file[self.path(self.original_files[0])]
        names = [v[0] for v in first]
        families = [int(v[1]) for v in first]
        specs = [v[6] if len(v) > 6 else '' for v in first]
        radius = np.array([int(v[4]) for v in first])
        dradius = np.array([int(v[5]) if int(v[5]) >= 0 else NO_CHECK for v in first])
        VP = np.zeros((len(self.originals), len(names)), dtype=np.uint64)
        VD = np.zeros_like(VP)
        for i, file in enumerate(self.original_files):
            vs = per_file[self.path(file)]
            if [v[0] for v in vs] != names:
                raise SystemExit('variants differ in number or order for %s' % file)
            VP[i] = [int(v[2], 16) for v in vs]
            VD[i] = [int(v[3], 16) for v in vs]
        return names, families, specs, radius, dradius, VP, VD

    def edits(self, originals=None):
        """Indexes of the edited files (not originals), optionally only those of some originals"""
        keep = self.family != 'original'
        if originals is not None:
            keep &= np.isin(self.owner, originals)
        return np.nonzero(keep)[0]

    def own_distances(self, edits, VP, VD):
        """phash and dhash distances between each edit and every variant of its own original"""
        o = self.owner[edits]
        DP = popcount(VP[o] ^ self.phash[edits][:, None])
        DD = popcount(VD[o] ^ self.dhash[edits][:, None])
        return DP, DD

    def cross_pairs(self, VP, VD, max_distance, cache_name=None, max_dhash=64):
        """(query, variant, file, dp, dd) for every variant and file of
        different originals within max_distance phash bits and max_dhash
        dhash bits (near_pairs)"""
        def produce():
            build_tools('near_pairs')
            log('near pairs of %d variants and %d files' % (VP.size, len(self.files)))
            lines = ['V %d' % VP.size]
            for q in range(VP.shape[0]):
                lines.extend('%d %d %x %x' % (q, k, p, d) for k, (p, d) in enumerate(zip(VP[q], VD[q])))
            lines.append('F %d' % len(self.files))
            lines.extend('%d %x %x' % t for t in zip(self.owner, self.phash, self.dhash))
            return run_tool([os.path.join(TOOLS, 'near_pairs'), str(max_distance), str(max_dhash)],
                            '\n'.join(lines) + '\n')
        text = self.cached(cache_name, produce)
        data = np.array(text.split(), dtype=np.int64).reshape(-1, 5)
        return data

def recall_by_family(es, edits, found):
    """{family: (found, total)} for a boolean per edit"""
    out = {}
    for fam in es.families:
        sel = es.family[edits] == fam
        out[fam] = (int(found[sel].sum()), int(sel.sum()))
    return out


def evaluate(es, originals, VP, VD, radius, dradius, cross, use_dhash=True, bound=None):
    """Recall per family and false-match pairs of a variant set over some originals.

    radius, dradius: per variant (dradius NO_CHECK: none); bound: per
    variant, a bound on the sum of the phash and dhash distances (None:
    none); use_dhash False searches as on a table without a dhash column
    (no dhash radius, no bound).  cross: cross_pairs() with max_distance >=
    max(radius)."""
    dr = dradius if use_dhash else np.full_like(dradius, NO_CHECK)
    bd = bound if (use_dhash and bound is not None) else np.full_like(dradius, 2 * NO_CHECK)
    edits = es.edits(originals)
    DP, DD = es.own_distances(edits, VP, VD)
    DS = DP.astype(np.int64) + DD
    found = ((DP <= radius[None, :]) & (DD <= dr[None, :]) & (DS <= bd[None, :])).any(axis=1)
    q, k, f, dp, dd = cross.T
    owner_b = es.owner[f]
    inset = np.isin(q, originals) & np.isin(owner_b, originals)
    hit = inset & (dp <= radius[k]) & (dd <= dr[k]) & (dp + dd <= bd[k])
    pairs = set(zip(q[hit].tolist(), owner_b[hit].tolist()))
    n = len(originals)
    return recall_by_family(es, edits, found), len(pairs), n * (n - 1)
