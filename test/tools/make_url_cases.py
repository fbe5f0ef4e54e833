#!/usr/bin/python3
"""Messy URLs as scraped datasets hold them, for the URL functions' tests
and benchmark: one a line on stdout.

    /usr/bin/python3 test/tools/make_url_cases.py N [--seed 1]

Each URL mixes, at random (seeded): scheme case; hosts of several labels
under common public suffixes (com, co.uk, com.au, github.io, ...), in
random case, internationalised (in UTF-8 or punycode), with a trailing
dot, or IPv4 addresses in decimal, hex, octal or as one number, or IPv6;
default and other ports, with leading zeros; userinfo; paths with dot
segments, doubled slashes, backslashes, spaces, non-ASCII letters and
percent-encodings of any byte in either case; queries with tracking
parameters (utm_*, fbclid, gclid, ...) among others; fragments; spaces
around and tabs inside; and now and then something that is not a URL.
"""
import argparse
import random
import sys

WORDS = ['images', 'cdn', 'static', 'media', 'art', 'gallery', 'photos', 'img', 'blog',
         'shop', 'news', 'pics', 'upload', 'files', 'www', 'assets', 'content', 'i', 'a1']
SUFFIXES = ['com', 'org', 'net', 'de', 'fr', 'co.uk', 'com.au', 'co.jp', 'github.io',
            'blogspot.com', 'io', 'ru', 'com.br', 'pvt.k12.ma.us', 'uk', 'jp', 'cn']
IDN = ['münchen', 'bücher', 'café', '食狮', 'пример', 'ελληνικά', 'faß', 'naïve', 'tōkyō']
TRACKING = ['utm_source', 'utm_medium', 'utm_campaign', 'UTM_Term', 'utm_content',
            'fbclid', 'gclid', 'msclkid', 'mc_eid', 'igshid', '_ga']
PARAMS = ['id', 'w', 'h', 'size', 'format', 'q', 'page', 'v', 'token', 'lang']


def rcase(rng, s):
    r = rng.random()
    if r < 0.6:
        return s
    if r < 0.8:
        return s.upper()
    return ''.join(c.upper() if rng.random() < 0.5 else c for c in s)


def pct(rng, s):
    """Percent-encode some characters of s, in either case"""
    out = []
    for c in s:
        if c.isascii() and rng.random() < 0.08:
            h = '%02x' % ord(c)
            out.append('%' + (h.upper() if rng.random() < 0.5 else h))
        else:
            out.append(c)
    return ''.join(out)


def host(rng):
    r = rng.random()
    if r < 0.06:
        a = [rng.randrange(256) for _ in range(4)]
        form = rng.randrange(4)
        if form == 0:
            return '.'.join(map(str, a))
        if form == 1:
            return '.'.join('0x%x' % x for x in a)
        if form == 2:
            return '.'.join('0%o' % x for x in a)
        return str((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3])
    if r < 0.09:
        parts = ['%x' % rng.randrange(65536) for _ in range(8)]
        if rng.random() < 0.5:
            parts[2:5] = ['0', '0', '0']
        return '[' + rcase(rng, ':'.join(parts)) + ']'
    labels = [rng.choice(WORDS) for _ in range(rng.randrange(0, 3))]
    name = rng.choice(WORDS) + str(rng.randrange(100)) if rng.random() < 0.5 else rng.choice(WORDS)
    if rng.random() < 0.12:
        name = rng.choice(IDN)
        if rng.random() < 0.4:
            name = 'xn--' + name.encode('punycode').decode('ascii')
    h = '.'.join(labels + [name, rng.choice(SUFFIXES)])
    h = rcase(rng, h)
    if rng.random() < 0.05:
        h += '.'
    if rng.random() < 0.02:
        h = pct(rng, h)
    return h


def path(rng):
    segs = []
    for _ in range(rng.randrange(0, 5)):
        r = rng.random()
        if r < 0.08:
            segs.append(rng.choice(['.', '..', '%2e', '%2E%2e', '.%2E']))
        elif r < 0.12:
            segs.append('')
        elif r < 0.16:
            segs.append(rng.choice(['ärger', 'ñandú', '写真', 'a b', 'x"y', 'we{ir}d']))
        else:
            segs.append(pct(rng, rng.choice(WORDS) + (str(rng.randrange(1000)) if rng.random() < 0.5 else '')))
    name = pct(rng, 'img%d.%s' % (rng.randrange(100000), rng.choice(['jpg', 'png', 'JPG', 'webp'])))
    sep = '\\' if rng.random() < 0.03 else '/'
    return sep + sep.join(segs + [name])


def query(rng):
    if rng.random() < 0.5:
        return ''
    items = []
    for _ in range(rng.randrange(0, 5)):
        if rng.random() < 0.35:
            k = rng.choice(TRACKING)
        else:
            k = rng.choice(PARAMS)
        v = pct(rng, str(rng.randrange(10000)) if rng.random() < 0.7 else rng.choice(['a b', 'é', "it's", 'x/y']))
        items.append('%s=%s' % (k, v))
    if rng.random() < 0.05:
        items.append('')
    return '?' + '&'.join(items)


def url(rng):
    r = rng.random()
    if r < 0.02:
        return rng.choice(['not a url', 'www.example.com/a.jpg', '/relative/a.png', 'data:image/png;base64,AAAA',
                           'javascript:void(0)', 'http://', 'https://exa mple.com/', 'http://[::1/', '',
                           'mailto:x@y.z', 'http://256.1.1.1/', 'http://a.com:99999/'])
    scheme = rng.choice(['http', 'https', 'https', 'https', 'ws', 'ftp'])
    s = rcase(rng, scheme) + rng.choice(['://', '://', '://', '://', ':/', ':\\\\', ':'])
    if rng.random() < 0.03:
        s += rng.choice(['user', 'user:pw', 'a%20b:c']) + '@'
    s += host(rng)
    if rng.random() < 0.08:
        default = {'http': 80, 'https': 443, 'ws': 80, 'ftp': 21}[scheme]
        port = default if rng.random() < 0.5 else rng.choice([8080, 8443, 81, 3000])
        s += ':' + ('0' * rng.randrange(2)) + str(port)
    s += path(rng) + query(rng)
    if rng.random() < 0.1:
        s += '#' + rng.choice(['top', 'x?y', 'a b', ''])
    if rng.random() < 0.03:
        s = ' ' + s + ' '
    if rng.random() < 0.02:
        i = rng.randrange(len(s) + 1)
        s = s[:i] + '\t' + s[i:]
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('n', type=int)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    for _ in range(args.n):
        out.write(url(rng) + '\n')


if __name__ == '__main__':
    main()
