#!/usr/bin/python3
"""bench_captions_helper.py -- the Python side of bench_captions.sh

    generate OUT.tsv N SEED
        writes N LAION-like captions as COPY text ("id<TAB>caption"), ids 1..N:
        5-30 words each from a Zipf-distributed vocabulary of about 50,000
        words (with punctuation, URLs, @handles, snake_case and camelCase
        forms), with "Zdzislaw Beksinski" planted in 10 rows per million and
        "Greg Rutkowski" (and variants) in 1% of rows.  Prints on stdout
        "rare_planted common_planted common_exact_phrase".

    sqlite IN.tsv DB RUNS RARE_PHRASE COMMON_PHRASE
        builds an SQLite FTS5 table c(caption) with rowid = id in one
        transaction, then times (time.perf_counter, one warm-up then RUNS runs,
        median) the top-100 by bm25() and count(*) for each phrase.  Prints
        "key value" lines: build_s, db_bytes, then per query ms and rows.
"""

import os
import sqlite3
import statistics
import sys
import time

import numpy as np

VOCAB_SIZE = 50000
ZIPF_S = 1.05
BANNED = ("greg", "rutkowski", "zdzislaw", "beksinski")

COMMON_WORDS = """a the of and in on with by art painting portrait digital photo
illustration style trending artstation concept highly detailed 4k 8k stock
image vector background black white red blue green for to at is from an woman
man girl boy dragon city landscape night sky fantasy t-shirt poster logo
design cartoon anime cute beautiful old new vintage sunset forest castle
""".split()


def make_vocab(rng):
    syll = ["ka", "lo", "mi", "ne", "ru", "ta", "so", "vi", "pe", "da", "zu",
            "bo", "fi", "ga", "ha", "je", "ko", "li", "mo", "nu", "pa", "qui",
            "re", "si", "tu", "va", "wo", "xe", "yo", "ze", "ar", "en", "is",
            "on", "ul", "st", "tr", "pl", "br", "ch"]
    seen = set(COMMON_WORDS)
    vocab = list(COMMON_WORDS)
    while len(vocab) < VOCAB_SIZE:
        n = int(rng.integers(1, 5))
        w = "".join(syll[i] for i in rng.integers(0, len(syll), n))
        kind = rng.random()
        if kind < 0.03:        # camelCase
            w2 = "".join(syll[i] for i in rng.integers(0, len(syll), 2))
            w = w.capitalize() + w2.capitalize()
        elif kind < 0.06:      # snake_case
            w2 = "".join(syll[i] for i in rng.integers(0, len(syll), 2))
            w = w + "_" + w2
        elif kind < 0.08:      # @handle
            w = "@" + w + str(int(rng.integers(0, 100)))
        elif kind < 0.10:      # URL
            w2 = "".join(syll[i] for i in rng.integers(0, len(syll), 3))
            w = "https://www.%s.com/images/%s-%d.jpg" % (w, w2, int(rng.integers(0, 1000)))
        elif kind < 0.16:      # trailing punctuation
            w = w + ",.:;!?"[int(rng.integers(0, 6))]
        elif kind < 0.22:      # Capitalised
            w = w.capitalize()
        if w in seen or any(b in w.lower() for b in BANNED):
            continue
        seen.add(w)
        vocab.append(w)
    # a few bare punctuation tokens, ranked among the frequent words
    for i, p in enumerate(["-", "|", ",", "&", "/"]):
        vocab.insert(10 + 7 * i, p)
    return vocab[:VOCAB_SIZE]


COMMON_VARIANTS = [  # (weight, words)
    (0.70, ["Greg", "Rutkowski"]),
    (0.10, ["greg_rutkowski"]),
    (0.10, ["GregRutkowski"]),
    (0.10, ["Greg", "Rutkowski's"]),
]


def generate(out, n, seed):
    rng = np.random.default_rng(seed)
    vocab = make_vocab(rng)
    ranks = np.arange(1, VOCAB_SIZE + 1, dtype=np.float64)
    cdf = np.cumsum(ranks ** -ZIPF_S)
    cdf /= cdf[-1]

    n_rare = max(1, n * 10 // 1000000)
    n_common = n // 100
    planted = rng.choice(n, n_rare + n_common, replace=False)
    rare_rows = set(planted[:n_rare].tolist())
    common_rows = planted[n_rare:]
    weights = np.array([w for w, _ in COMMON_VARIANTS])
    variant = rng.choice(len(COMMON_VARIANTS), n_common, p=weights / weights.sum())
    common = dict(zip(common_rows.tolist(), variant.tolist()))
    exact = int((variant == 0).sum())

    chunk = 200000
    with open(out, "w", encoding="utf-8") as fh:
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            lengths = rng.integers(5, 31, m)
            idx = np.searchsorted(cdf, rng.random(int(lengths.sum())))
            np.minimum(idx, VOCAB_SIZE - 1, out=idx)
            words = [vocab[i] for i in idx.tolist()]
            pos_r = rng.random(m)
            lines = []
            off = 0
            for j in range(m):
                row = start + j
                ln = int(lengths[j])
                ws = words[off:off + ln]
                off += ln
                if row in rare_rows:
                    p = int(pos_r[j] * (ln + 1))
                    ws[p:p] = ["Zdzislaw", "Beksinski"]
                elif row in common:
                    p = int(pos_r[j] * (ln + 1))
                    ws[p:p] = COMMON_VARIANTS[common[row]][1]
                lines.append("%d\t%s\n" % (row + 1, " ".join(ws)))
            fh.write("".join(lines))
    print(n_rare, n_common, exact)


def sqlite_bench(tsv, db, runs, rare, common):
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("CREATE VIRTUAL TABLE c USING fts5(caption)")
    t0 = time.perf_counter()
    con.execute("BEGIN")
    with open(tsv, encoding="utf-8") as fh:
        con.executemany("INSERT INTO c(rowid, caption) VALUES (?, ?)",
                        (line.rstrip("\n").split("\t", 1) for line in fh))
    con.execute("COMMIT")
    build = time.perf_counter() - t0
    print("build_s %.3f" % build)
    print("db_bytes %d" % os.path.getsize(db))

    for name, phrase in (("rare", rare), ("common", common)):
        match = '"%s"' % phrase.replace('"', '""')
        for qname, sql in (
                ("top", "SELECT rowid FROM c WHERE c MATCH ? ORDER BY bm25(c) LIMIT 100"),
                ("count", "SELECT count(*) FROM c WHERE c MATCH ?")):
            rows = con.execute(sql, (match,)).fetchall()          # warm-up
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                rows = con.execute(sql, (match,)).fetchall()
                times.append((time.perf_counter() - t) * 1000)
            nrows = rows[0][0] if qname == "count" else len(rows)
            print("%s_%s_ms %.3f" % (name, qname, statistics.median(times)))
            print("%s_%s_rows %d" % (name, qname, nrows))
    con.close()


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "sqlite":
        sqlite_bench(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6])
    else:
        sys.exit("usage: bench_captions_helper.py generate|sqlite ...")
