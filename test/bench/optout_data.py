#!/usr/bin/python3
"""LAION-like data for the opt-out benchmark (bench_optout.sh), with the
answer known by construction.

    /usr/bin/python3 test/bench/optout_data.py OUTDIR --rows N [--seed 3]

Every dataset row is a messy spelling of its own base link
(https://SUB.SITEk.SUFFIX/.../ID.jpg, about 200,000 sites under common
public suffixes): scheme and host case, an explicit default port, a
trailing dot, tracking parameters, a fragment, an unreserved character
percent-encoded, its phash random.  The registry is made of
  - N/10 URL entries: another spelling of the base link of N/10 rows drawn
    at random (every one planted);
  - N/100 domain entries: half registrable domains or subdomains of sites
    the dataset uses (planted: every row under them, with subdomains or
    exactly the host as the entry says), half of sites it does not;
  - N/100 picture entries of radius 4: a tenth a copy of a row's phash with
    0 to 4 bits flipped (planted), the rest random (a random phash is within
    4 bits of one of N random ones with chance N * 3.7e-14, so none match).

Writes dataset.csv (id, url, hash), optout_url.csv (url, source),
optout_domain.csv (domain, subdomains, source), optout_image.csv (hash,
radius, label), expected.csv (id, reason: every planted row and why; a row
can be there for several reasons) and batch.csv (id, url: 10,000 dataset
rows drawn at random, for the batch check).
"""
import argparse
import csv
import os
import random
import sys

SUFFIXES = ['com', 'org', 'net', 'de', 'co.uk', 'com.au', 'co.jp', 'fr', 'io', 'com.br',
            'ru', 'nl', 'it', 'es', 'pl', 'blogspot.com', 'github.io']
SUBS = ['images', 'cdn', 'static', 'media', 'img', 'i', 'assets', 'upload', 'files', 'pics']
TRACKING = ['utm_source=feed', 'utm_medium=social', 'fbclid=IwAR0x', 'gclid=Cj0KCQ', 'utm_campaign=x']
NSITES = 200000


def site(k):
    return 'site%d.%s' % (k, SUFFIXES[k % len(SUFFIXES)])


def base_link(i, rng_site, rng_sub):
    return 'https://%s.%s/p/%d/%d.jpg?w=%d' % (rng_sub, site(rng_site), i % 97, i, 256 + i % 5)


def messy(rng, link):
    """Another spelling of a base link (https://SUB.SITE/PATH?w=...)"""
    scheme, rest = link.split('://', 1)
    host, path = rest.split('/', 1)
    path = '/' + path
    if rng.random() < 0.3:
        scheme = scheme.upper()
    if rng.random() < 0.3:
        host = ''.join(c.upper() if rng.random() < 0.5 else c for c in host)
    if rng.random() < 0.1:
        host += '.'
    if rng.random() < 0.15:
        host += ':443'
    if rng.random() < 0.2:
        # percent-encode one letter of the path
        letters = [i for i, c in enumerate(path) if c.isalpha()]
        if letters:
            i = rng.choice(letters)
            path = path[:i] + '%%%02X' % ord(path[i]) + path[i + 1:]
    if rng.random() < 0.3:
        path += '&' + rng.choice(TRACKING)
    if rng.random() < 0.1:
        path += '#top'
    return scheme + '://' + host + path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('outdir')
    ap.add_argument('--rows', type=int, required=True)
    ap.add_argument('--seed', type=int, default=3)
    args = ap.parse_args()
    n = args.rows
    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    out = lambda name: open(os.path.join(args.outdir, name), 'w', newline='')

    # the dataset: row i's site, subdomain and hash
    sites = [rng.randrange(NSITES) for _ in range(n)]
    subs = [rng.choice(SUBS) for _ in range(n)]
    hashes = [rng.getrandbits(64) for _ in range(n)]
    batch = set(rng.sample(range(n), min(10000, n)))
    batch_urls = []
    with out('dataset.csv') as f:
        w = csv.writer(f)
        for i in range(n):
            url = messy(rng, base_link(i, sites[i], subs[i]))
            w.writerow([i + 1, url, '%016x' % hashes[i]])
            if i in batch:
                batch_urls.append((i, url))

    expected = []
    # URL entries: other spellings of rows' links, a tenth of the rows
    planted_urls = rng.sample(range(n), n // 10)
    with out('optout_url.csv') as f:
        w = csv.writer(f)
        for i in planted_urls:
            w.writerow([messy(rng, base_link(i, sites[i], subs[i])), 'bench'])
            expected.append((i + 1, 'url'))
    # domain entries: half on the dataset's sites
    used = sorted(set(sites))
    nd = max(2, n // 100)
    chosen = rng.sample(used, min(nd // 2, len(used)))
    domain_rule = {}
    with out('optout_domain.csv') as f:
        w = csv.writer(f)
        for k in chosen:
            if rng.random() < 0.5:
                name, subdomains = site(k), True          # the site and all below
            else:
                name, subdomains = '%s.%s' % (rng.choice(SUBS), site(k)), rng.random() < 0.5
            domain_rule[k] = (name, subdomains)
            w.writerow([rcase(rng, name), 't' if subdomains else 'f', 'bench'])
        for j in range(nd - len(chosen)):
            w.writerow(['absent%d.example.%s' % (j, rng.choice(SUFFIXES)), 't', 'bench'])
    for i in range(n):
        rule = domain_rule.get(sites[i])
        if rule is None:
            continue
        name, subdomains = rule
        host = '%s.%s' % (subs[i], site(sites[i]))
        if host == name or (subdomains and host.endswith('.' + name)):
            expected.append((i + 1, 'domain'))
    # picture entries
    ni = max(10, n // 100)
    planted_images = rng.sample(range(n), ni // 10)
    with out('optout_image.csv') as f:
        w = csv.writer(f)
        for i in planted_images:
            h = hashes[i]
            for b in rng.sample(range(64), rng.randrange(5)):
                h ^= 1 << b
            w.writerow(['%016x' % h, 4, 'planted %d' % (i + 1)])
            expected.append((i + 1, 'image'))
        for j in range(ni - len(planted_images)):
            w.writerow(['%016x' % rng.getrandbits(64), 4, 'random'])
    with out('expected.csv') as f:
        w = csv.writer(f)
        for row in sorted(set(expected)):
            w.writerow(row)
    with out('batch.csv') as f:
        w = csv.writer(f)
        for i, url in batch_urls:
            w.writerow([i + 1, url])
    print('optout_data: %d rows, %d URL, %d domain and %d picture entries, %d planted (row, reason)'
          % (n, len(planted_urls), nd, ni, len(set(expected))), file=sys.stderr)


def rcase(rng, s):
    return s.upper() if rng.random() < 0.3 else s


if __name__ == '__main__':
    main()
