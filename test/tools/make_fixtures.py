#!/usr/bin/python3
"""Generate imgsearch's image test fixtures (deterministic: fixed seeds, re-runs are byte-identical).

Requirements (Debian 12):
  * /usr/bin/python3 with python3-pil (Pillow 9.4) and python3-numpy
  * python3-scipy, for the reference hasher ../shared/tools/imagehash_ref.py
    (relative to the repository root; override with --ref), which computes expected.tsv
Nothing else: PNGs are written by the small PNG writer below (zlib + struct), so every
colour type, bit depth, Adam7 interlacing and any chunk can be produced; JPEGs are written by
Pillow (libjpeg-turbo) or, for what Pillow 9.4 cannot write (YCCK, Adobe-RGB, no-Adobe CMYK,
restart intervals), by the small baseline JPEG encoder below.

Writes (removing what was there before):
  test/fixtures/valid/*          valid images
  test/fixtures/expected.tsv     file format width height phash dhash ahash (header line first)
  test/fixtures/expected_gray.tsv  intermediate values (decoded gray plane, resized grids) per file
  test/fixtures/broken/*         invalid inputs, with broken/README.md and broken/pillow_verdicts.tsv

Usage: /usr/bin/python3 test/tools/make_fixtures.py [--ref PATH/TO/imagehash_ref.py]
"""
import argparse
import hashlib
import importlib.util
import io
import math
import os
import re
import shutil
import struct
import sys
import warnings
import zlib

import numpy as np
import PIL
from PIL import Image, ImageCms

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "test", "fixtures")
VALID = os.path.join(FIX, "valid")
BROKEN = os.path.join(FIX, "broken")

# --------------------------------------------------------------------------------------------
# Synthetic content
# --------------------------------------------------------------------------------------------


def fractal(rng, h, w, beta=2.0):
    """1/f^beta noise in [0, 1] (zeros for degenerate sizes)."""
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    spec = (rng.normal(size=f.shape) + 1j * rng.normal(size=f.shape)) / f ** (beta / 2)
    spec[0, 0] = 0
    n = np.fft.irfft2(spec, s=(h, w))
    n -= n.min()
    mx = n.max()
    return n / mx if mx > 0 else np.zeros((h, w))


def scene(w, h, seed, noise=3.0):
    """Natural-looking landscape (sky, clouds, ridge, grass, sun, house, tree) as float RGB 0..255."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    u = (xx + 0.5) / w
    v = (yy + 0.5) / h
    img = np.zeros((h, w, 3))
    top, hor = np.array([55, 105, 190.0]), np.array([200, 215, 235.0])
    img[:] = top + (hor - top) * v[..., None] ** 0.8
    clouds = fractal(rng, h, w, 2.2)
    c = np.clip((clouds - 0.55) * 3.0, 0, 1)[..., None]
    img = img * (1 - c) + np.array([245, 245, 250.0]) * c
    # sun
    d = np.hypot((u - 0.78) * w, (v - 0.18) * h) / max(1.0, min(w, h))
    img = np.where((d < 0.07)[..., None], np.array([255, 230, 120.0]), img)
    # mountain ridge
    ridge = fractal(rng, 1, max(w, 2), 1.8)[0][:w]
    ry = 0.42 + 0.18 * (ridge - 0.5) - 0.08 * np.sin(u[0] * 3.1)
    mtex = fractal(rng, h, w, 1.6)
    mount = v > ry[None, :]
    mcol = np.array([95, 105, 120.0]) + (mtex[..., None] - 0.5) * 50
    img = np.where(mount[..., None], mcol, img)
    # grass
    gy = 0.62 + 0.05 * np.sin(u * 7.0 + 1.0)
    gtex = fractal(rng, h, w, 1.4)
    grass = v > gy
    gcol = np.array([70, 130, 50.0]) * (1.15 - 0.5 * (v - 0.6))[..., None] + (gtex[..., None] - 0.5) * 60
    img = np.where(grass[..., None], gcol, img)
    # house
    hx0, hx1, hy0, hy1 = 0.12, 0.34, 0.60, 0.82
    body = (u > hx0) & (u < hx1) & (v > hy0) & (v < hy1)
    img = np.where(body[..., None], np.array([190, 170, 140.0]), img)
    roof = (v <= hy0) & (v > hy0 - 0.12) & (np.abs(u - (hx0 + hx1) / 2) < (v - (hy0 - 0.12)) * 1.0)
    img = np.where(roof[..., None], np.array([150, 45, 35.0]), img)
    door = (u > 0.21) & (u < 0.25) & (v > 0.70) & (v < hy1)
    img = np.where(door[..., None], np.array([80, 50, 30.0]), img)
    # tree
    crown = ((u - 0.62) / 0.09) ** 2 + ((v - 0.55) / 0.14) ** 2 < 1
    trunk = (np.abs(u - 0.62) < 0.015) & (v > 0.62) & (v < 0.80)
    img = np.where(trunk[..., None], np.array([90, 60, 35.0]), img)
    img = np.where(crown[..., None], np.array([35, 90, 40.0]) + (gtex[..., None] - 0.5) * 40, img)
    img += rng.normal(0, noise, img.shape)
    return np.clip(img, 0, 255)


def pattern(w, h, seed, noise=4.0):
    """Gradients + random shapes + noise as float RGB 0..255."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    u = (xx + 0.5) / w
    v = (yy + 0.5) / h
    img = np.stack([60 + 150 * u, 40 + 170 * v, 200 - 120 * (u + v) / 2], -1)
    for _ in range(6):
        col = rng.uniform(0, 255, 3)
        cx, cy, rx, ry = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.05, 0.3), rng.uniform(0.05, 0.3)
        if rng.uniform() < 0.5:
            m = ((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2 < 1
        else:
            m = (np.abs(u - cx) < rx) & (np.abs(v - cy) < ry)
        img = np.where(m[..., None], col, img)
    img += rng.normal(0, noise, img.shape)
    return np.clip(img, 0, 255)


def lum(rgb):
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def u8(a):
    return np.clip(np.round(a), 0, 255).astype(np.uint8)


def alpha_plane(w, h, seed):
    """Alpha with fully transparent, partial and opaque areas."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    r = np.hypot((xx + 0.5) / w - 0.5, (yy + 0.5) / h - 0.5)
    a = np.clip(1.6 - 3.2 * r, 0, 1) * 255 + rng.normal(0, 10, (h, w))
    a[:, : max(1, w // 6)] = 0  # a fully transparent band whose colour must still count
    return np.clip(np.round(a), 0, 255).astype(np.int64)


def to16(a8float, seed, spread=1.0):
    """Float 0..255 data to 16 bits with non-trivial low bytes (Pillow keeps the high byte)."""
    rng = np.random.default_rng(seed)
    v = np.round(a8float * 257.0 + rng.uniform(-spread * 128, spread * 128, a8float.shape))
    return np.clip(v, 0, 65535).astype(np.int64)


def quantize(rgb, ncolors):
    """Median-cut palette (Pillow, no dither): returns (indices, palette as (n, 3))."""
    im = Image.fromarray(u8(rgb), "RGB").quantize(colors=ncolors, method=Image.Quantize.MEDIANCUT,
                                                  dither=Image.Dither.NONE)
    idx = np.asarray(im).astype(np.int64)
    pal = np.array(im.getpalette()[: 3 * ncolors], dtype=np.int64).reshape(-1, 3)
    n = max(int(idx.max()) + 1, 1)
    return idx, pal[:n]


# --------------------------------------------------------------------------------------------
# Minimal PNG writer
# --------------------------------------------------------------------------------------------

PNG_SIG = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(ctype, data):
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)


def ihdr(w, h, bitdepth, colortype, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bitdepth, colortype, 0, 0, interlace))


def pack_rows(a, bitdepth):
    """(h, w[, c]) integer samples -> list of packed row bytes."""
    a = np.asarray(a, dtype=np.int64)
    if a.ndim == 2:
        a = a[:, :, None]
    rows = []
    for y in range(a.shape[0]):
        r = a[y].reshape(-1)
        if bitdepth == 16:
            rows.append(r.astype(">u2").tobytes())
        elif bitdepth == 8:
            rows.append(r.astype(np.uint8).tobytes())
        else:
            per = 8 // bitdepth
            r = np.concatenate([r, np.zeros((-len(r)) % per, dtype=np.int64)]).reshape(-1, per)
            v = np.zeros(len(r), dtype=np.int64)
            for i in range(per):
                v |= r[:, i] << (8 - bitdepth * (i + 1))
            rows.append(v.astype(np.uint8).tobytes())
    return rows


def filter_rows(rows, bpp, mode):
    """PNG filtering of one (sub-)image; mode 'adaptive' (min sum of abs) or 'cycle' or int 0..4."""
    out = b""
    prev = np.zeros(len(rows[0]) if rows else 0, dtype=np.int64)
    for y, row in enumerate(rows):
        x = np.frombuffer(row, dtype=np.uint8).astype(np.int64)
        a = np.concatenate([np.zeros(bpp, dtype=np.int64), x[:-bpp]]) if len(x) > bpp else np.zeros_like(x)
        if len(x) > bpp:
            c = np.concatenate([np.zeros(bpp, dtype=np.int64), prev[:-bpp]])
        else:
            c = np.zeros_like(x)
        b = prev
        p = a + b - c
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        cands = [x, x - a, x - b, x - (a + b) // 2, x - paeth]
        cands = [np.mod(cd, 256) for cd in cands]
        if mode == "adaptive":
            costs = [int(np.sum(np.where(cd < 128, cd, 256 - cd))) for cd in cands]
            ft = int(np.argmin(costs))
        elif mode == "cycle":
            ft = y % 5
        else:
            ft = mode
        out += bytes([ft]) + cands[ft].astype(np.uint8).tobytes()
        prev = x
    return out


def png_idat_data(a, bitdepth, colortype, interlace=False, filt="adaptive"):
    a = np.asarray(a, dtype=np.int64)
    bpp = max(1, bitdepth * CHANNELS[colortype] // 8)
    if not interlace:
        return filter_rows(pack_rows(a, bitdepth), bpp, filt)
    raw = b""
    for x0, y0, dx, dy in ADAM7:
        sub = a[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue  # empty pass: no rows, no filter bytes
        raw += filter_rows(pack_rows(sub, bitdepth), bpp, filt)
    return raw


def make_png(a, bitdepth, colortype, interlace=False, plte=None, trns=None, pre=b"", mid=b"", post=b"",
             filt="adaptive", level=9, idat_split=None):
    """Encode samples a ((h, w) or (h, w, c)) as PNG.  pre: chunks after IHDR; mid: chunks after
    PLTE (before IDAT); post: chunks between the last IDAT and IEND."""
    a = np.asarray(a)
    h, w = a.shape[:2]
    out = PNG_SIG + ihdr(w, h, bitdepth, colortype, 1 if interlace else 0) + pre
    if plte is not None:
        out += chunk(b"PLTE", bytes(np.asarray(plte, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += mid
    z = zlib.compress(png_idat_data(a, bitdepth, colortype, interlace, filt), level)
    if idat_split:
        parts = [z[i:i + idat_split] for i in range(0, len(z), idat_split)]
        parts.insert(1, b"")  # an empty IDAT chunk in the middle is legal
        out += b"".join(chunk(b"IDAT", p) for p in parts)
    else:
        out += chunk(b"IDAT", z)
    return out + post + chunk(b"IEND", b"")


def srgb_icc():
    """A real sRGB ICC profile (littlecms via Pillow) with its creation date pinned."""
    p = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    p[24:36] = struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
    return bytes(p)


# --------------------------------------------------------------------------------------------
# Minimal baseline JPEG encoder (single interleaved scan, optimal Huffman tables, optional DRI)
# --------------------------------------------------------------------------------------------

ZIGZAG = sorted(((r, c) for r in range(8) for c in range(8)),
                key=lambda p: (p[0] + p[1], p[0] if (p[0] + p[1]) % 2 else -p[0]))
ZZ_R = np.array([p[0] for p in ZIGZAG])
ZZ_C = np.array([p[1] for p in ZIGZAG])
STD_LUMA_Q = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]).reshape(8, 8)
STD_CHROMA_Q = np.full((8, 8), 99)
STD_CHROMA_Q[:4, :4] = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]]
_k = np.arange(8)
DCT_M = np.sqrt(2 / 8) * np.cos((2 * _k[None, :] + 1) * _k[:, None] * np.pi / 16)
DCT_M[0] /= np.sqrt(2)


def qtable(base, quality):
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return np.clip((base * scale + 50) // 100, 1, 255)


def huff_optimal(freq):
    """libjpeg's jpeg_gen_optimal_table (JPEG Annex K.2): (bits[16], values)."""
    freq = [freq.get(i, 0) for i in range(256)] + [1]
    codesize = [0] * 257
    others = [-1] * 257
    while True:
        c1, v = -1, None
        for i in range(257):
            if freq[i] and (v is None or freq[i] <= v):
                v, c1 = freq[i], i
        c2, v = -1, None
        for i in range(257):
            if freq[i] and i != c1 and (v is None or freq[i] <= v):
                v, c2 = freq[i], i
        if c2 < 0:
            break
        freq[c1] += freq[c2]
        freq[c2] = 0
        codesize[c1] += 1
        while others[c1] >= 0:
            c1 = others[c1]
            codesize[c1] += 1
        others[c1] = c2
        codesize[c2] += 1
        while others[c2] >= 0:
            c2 = others[c2]
            codesize[c2] += 1
    bits = [0] * 33
    for i in range(257):
        if codesize[i]:
            bits[codesize[i]] += 1
    i = 32
    while i > 16:
        while bits[i] > 0:
            j = i - 2
            while bits[j] == 0:
                j -= 1
            bits[i] -= 2
            bits[i - 1] += 1
            bits[j + 1] += 2
            bits[j] -= 1
        i -= 1
    while bits[i] == 0:
        i -= 1
    bits[i] -= 1  # drop the reserved code point
    vals = [s for n in range(1, 33) for s in range(256) if codesize[s] == n]
    return bits[1:17], vals


def huff_codes(bits, vals):
    codes, code, k = {}, 0, 0
    for n in range(1, 17):
        for _ in range(bits[n - 1]):
            codes[vals[k]] = (code, n)
            code += 1
            k += 1
        code <<= 1
    return codes


def _cat(v):
    a = abs(int(v))
    n = a.bit_length()
    return n, (v if v >= 0 else v + (1 << n) - 1)


def encode_jpeg(planes, sampling, tables, quality=85, ids=None, adobe=None, jfif=True,
                restart=0, precision_byte=8):
    """planes: full-resolution uint8 arrays (h, w), one per component, as the decoder should
    return them (before any Adobe inversion).  sampling: [(H, V)] per component.  tables: quant /
    Huffman table index (0 or 1) per component.  adobe: None or Adobe transform (0, 1, 2).
    restart: restart interval in MCUs (0 = none)."""
    h, w = planes[0].shape
    n = len(planes)
    ids = ids or list(range(1, n + 1))
    hmax = max(s[0] for s in sampling)
    vmax = max(s[1] for s in sampling)
    qt = [qtable(STD_LUMA_Q, quality), qtable(STD_CHROMA_Q, quality)]
    if n == 1:
        mcux, mcuy = math.ceil(w / 8), math.ceil(h / 8)
        mw, mh = 8, 8
    else:
        mw, mh = 8 * hmax, 8 * vmax
        mcux, mcuy = math.ceil(w / mw), math.ceil(h / mh)
    comp_blocks = []
    for c in range(n):
        hs, vs = (1, 1) if n == 1 else sampling[c]
        p = np.pad(planes[c].astype(np.float64), ((0, mcuy * mh - h), (0, mcux * mw - w)), mode="edge")
        fx, fy = (1, 1) if n == 1 else (hmax // hs, vmax // vs)
        p = p.reshape(p.shape[0] // fy, fy, p.shape[1] // fx, fx).mean(axis=(1, 3)) - 128.0
        by, bx = p.shape[0] // 8, p.shape[1] // 8
        blk = p.reshape(by, 8, bx, 8).transpose(0, 2, 1, 3)
        coef = np.einsum("ux,abxy,vy->abuv", DCT_M, blk, DCT_M)
        q = np.round(coef / qt[tables[c]]).astype(np.int64)
        comp_blocks.append((hs, vs, q[:, :, ZZ_R, ZZ_C]))
    # symbol stream
    syms = []  # (kind, table, symbol, bits, nbits) or ("RST", m)
    pred = [0] * n
    total = mcux * mcuy
    for m in range(total):
        if restart and m and m % restart == 0:
            syms.append(("RST", (m // restart - 1) % 8))
            pred = [0] * n
        my, mx = divmod(m, mcux)
        for c in range(n):
            hs, vs, q = comp_blocks[c]
            for v in range(vs):
                for hh in range(hs):
                    zz = q[my * vs + v, mx * hs + hh]
                    t = tables[c]
                    diff = int(zz[0]) - pred[c]
                    pred[c] = int(zz[0])
                    s, b = _cat(diff)
                    syms.append(("DC", t, s, b, s))
                    run = 0
                    last = max([i for i in range(1, 64) if zz[i] != 0], default=0)
                    for i in range(1, last + 1):
                        if zz[i] == 0:
                            run += 1
                            continue
                        while run > 15:
                            syms.append(("AC", t, 0xF0, 0, 0))
                            run -= 16
                        s, b = _cat(zz[i])
                        syms.append(("AC", t, (run << 4) | s, b, s))
                        run = 0
                    if last < 63:
                        syms.append(("AC", t, 0x00, 0, 0))
    used_tables = sorted(set(tables))
    freq = {(k, t): {} for k in ("DC", "AC") for t in used_tables}
    for s in syms:
        if s[0] != "RST":
            d = freq[(s[0], s[1])]
            d[s[2]] = d.get(s[2], 0) + 1
    huff = {key: huff_optimal(f) for key, f in freq.items()}
    codes = {key: huff_codes(*hv) for key, hv in huff.items()}
    # entropy-coded data
    data = bytearray()
    acc, nacc = 0, 0

    def put(code, length):
        nonlocal acc, nacc
        acc = (acc << length) | code
        nacc += length
        while nacc >= 8:
            nacc -= 8
            byte = (acc >> nacc) & 0xFF
            data.append(byte)
            if byte == 0xFF:
                data.append(0)
        acc &= (1 << nacc) - 1

    def flush():
        nonlocal acc, nacc
        if nacc:
            put((1 << (8 - nacc)) - 1, 8 - nacc)

    for s in syms:
        if s[0] == "RST":
            flush()
            data += bytes([0xFF, 0xD0 + s[1]])
            continue
        code, length = codes[(s[0], s[1])][s[2]]
        put(code, length)
        if s[4]:
            put(s[3], s[4])
    flush()

    def seg(marker, payload):
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    out = b"\xFF\xD8"
    if jfif:
        out += seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if adobe is not None:
        out += seg(0xEE, b"Adobe" + struct.pack(">HHHB", 100, 0, 0, adobe))
    out += seg(0xDB, b"".join(bytes([t]) + bytes(qt[t].reshape(8, 8)[ZZ_R, ZZ_C].astype(np.uint8))
                              for t in used_tables))
    sof = struct.pack(">BHHB", precision_byte, h, w, n)
    for c in range(n):
        hs, vs = (1, 1) if n == 1 else sampling[c]
        sof += bytes([ids[c], (hs << 4) | vs, tables[c]])
    out += seg(0xC0, sof)
    dht = b""
    for k, cls in (("DC", 0), ("AC", 1)):
        for t in used_tables:
            bits, vals = huff[(k, t)]
            dht += bytes([(cls << 4) | t]) + bytes(bits) + bytes(vals)
    out += seg(0xC4, dht)
    if restart:
        out += seg(0xDD, struct.pack(">H", restart))
    sos = bytes([n]) + b"".join(bytes([ids[c], (tables[c] << 4) | tables[c]]) for c in range(n)) + b"\x00\x3f\x00"
    out += seg(0xDA, sos) + bytes(data) + b"\xFF\xD9"
    return out


def rgb_to_ycc(rgb):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    return [u8(y), u8(cb), u8(cr)]


# --------------------------------------------------------------------------------------------
# Pillow helpers
# --------------------------------------------------------------------------------------------


def pil_jpeg(arr, mode, **kw):
    buf = io.BytesIO()
    Image.fromarray(arr, mode).save(buf, "JPEG", **kw)
    return buf.getvalue()


def jpeg_segments(data):
    """[(offset, marker, length)] of the marker segments before the first SOS (inclusive)."""
    segs, i = [], 2
    while i < len(data):
        assert data[i] == 0xFF, i
        m = data[i + 1]
        ln = struct.unpack(">H", data[i + 2:i + 4])[0]
        segs.append((i, m, ln))
        if m == 0xDA:
            break
        i += 2 + ln
    return segs


def png_chunks(data):
    """[(offset, type, length)] of all chunks."""
    out, i = [], 8
    while i + 8 <= len(data):
        ln = struct.unpack(">I", data[i:i + 4])[0]
        out.append((i, data[i + 4:i + 8], ln))
        i += 12 + ln
    return out


# --------------------------------------------------------------------------------------------
# Valid fixtures
# --------------------------------------------------------------------------------------------


def build_valid():
    """Returns [(name, bytes, check)] where check is None or expected decoded array for Pillow
    (mode-specific) to verify the writer."""
    files = []

    def add(name, data, expect_mode=None, expect=None):
        files.append((name, data, expect_mode, expect))

    W, H = 61, 47  # odd sizes: partial bytes for low bit depths, partial Adam7 passes
    base = scene(W, H, 1)
    base_g = lum(base)

    # ---- PNG gray, every bit depth
    bayer = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]) / 16.0
    thr = np.tile(bayer, (H // 4 + 1, W // 4 + 1))[:H, :W]
    g1 = (base_g / 255.0 > thr).astype(np.int64)
    add("png_gray1.png", make_png(g1, 1, 0), "1", g1 * 255)
    g2 = np.clip(np.round(base_g / 85.0), 0, 3).astype(np.int64)
    add("png_gray2.png", make_png(g2, 2, 0), "L", g2 * 85)
    g4 = np.clip(np.round(base_g / 17.0), 0, 15).astype(np.int64)
    add("png_gray4.png", make_png(g4, 4, 0), "L", g4 * 17)
    g8 = u8(base_g).astype(np.int64)
    add("png_gray8.png", make_png(g8, 8, 0), "L", g8)
    g16o = np.clip(np.round(base_g * 2.2 + np.random.default_rng(2).uniform(-1, 1, base_g.shape) * 3), 0, 65535).astype(np.int64)
    add("png_gray16_over255.png", make_png(g16o, 16, 0), "I", g16o)  # 0..~560: the top half clips to 255
    g16l = g8.copy()
    add("png_gray16_le255.png", make_png(g16l, 16, 0), "I", g16l)  # same pixels as png_gray8.png
    g16f = to16(base_g, 3)
    add("png_gray16_fullrange.png", make_png(g16f, 16, 0), "I", g16f)  # real 16-bit data: L is nearly all 255
    # ---- gray + alpha
    al = alpha_plane(W, H, 4)
    add("png_graya8.png", make_png(np.stack([g8, al], -1), 8, 4), "LA", np.stack([g8, al], -1))
    ga16 = np.stack([to16(base_g, 5), to16(al.astype(float), 6)], -1)
    add("png_graya16.png", make_png(ga16, 16, 4), "RGBA",
        np.stack([ga16[..., 0] >> 8] * 3 + [ga16[..., 1] >> 8], -1))
    # ---- RGB / RGBA
    rgb8 = u8(base).astype(np.int64)
    add("png_rgb8.png", make_png(rgb8, 8, 2), "RGB", rgb8)
    W16, H16 = 48, 36
    base16 = scene(W16, H16, 7)
    rgb16 = to16(base16, 8)
    add("png_rgb16.png", make_png(rgb16, 16, 2), "RGB", rgb16 >> 8)
    rgba8 = np.concatenate([rgb8, al[..., None]], -1)
    add("png_rgba8.png", make_png(rgba8, 8, 6), "RGBA", rgba8)
    rgba16 = np.concatenate([rgb16, to16(alpha_plane(W16, H16, 9).astype(float), 10)[..., None]], -1)
    add("png_rgba16.png", make_png(rgba16, 16, 6), "RGBA", rgba16 >> 8)
    # ---- palette
    P = pattern(W, H, 11)
    for bd, ncol in ((1, 2), (2, 3), (4, 16), (8, 256)):
        src = base if bd >= 4 else P
        idx, pal = quantize(src, ncol)
        exp = pal[idx]
        add(f"png_pal{bd}.png", make_png(idx, bd, 3, plte=pal), "P", exp)
    idx8, pal8 = quantize(base, 200)
    rng = np.random.default_rng(12)
    trns = bytes(rng.integers(0, 256, len(pal8) - 20).astype(np.uint8))  # shorter than PLTE
    add("png_pal8_trns.png", make_png(idx8, 8, 3, plte=pal8, trns=trns), "P", pal8[idx8])
    idx4, pal4 = quantize(base, 16)
    t1 = bytearray(b"\xff" * len(pal4))
    t1[int(idx4[H // 2, W // 2])] = 0
    add("png_pal4_trns_single.png", make_png(idx4, 4, 3, plte=pal4, trns=bytes(t1)), "P", pal4[idx4])
    # indices beyond the PLTE length: Pillow maps index i to (i, i, i) (its default grey ramp)
    idxo, palo = quantize(P, 10)
    io4 = idxo.copy()
    io4[(np.arange(H)[:, None] + np.arange(W)[None, :]) % 7 == 0] = 13
    io4[10:20, 30:45] = 15
    exp = np.where(io4[..., None] < len(palo), palo[np.minimum(io4, len(palo) - 1)], io4[..., None])
    add("png_pal4_index_overflow.png", make_png(io4, 4, 3, plte=palo), "P", exp)
    idx32, pal32 = quantize(base, 32)
    io8 = idx32.copy()
    io8[H // 3: 2 * H // 3, :] = np.clip(np.round(base_g[H // 3: 2 * H // 3, :]), 40, 255).astype(np.int64)
    exp = np.where(io8[..., None] < len(pal32), pal32[np.minimum(io8, len(pal32) - 1)], io8[..., None])
    add("png_pal8_index_overflow.png", make_png(io8, 8, 3, plte=pal32), "P", exp)
    # ---- tRNS on gray / RGB
    add("png_gray8_trns.png", make_png(g8, 8, 0, trns=struct.pack(">H", int(g8[5, 5]))), "L", g8)
    add("png_gray16_trns.png", make_png(g16o, 16, 0, trns=struct.pack(">H", int(g16o[5, 5]))), "I", g16o)
    add("png_rgb8_trns.png", make_png(rgb8, 8, 2, trns=struct.pack(">HHH", *map(int, rgb8[5, 5]))), "RGB", rgb8)
    add("png_gray1_trns.png", make_png(g1, 1, 0, trns=struct.pack(">H", 1)), "1", g1 * 255)
    # ---- Adam7 (same pixels as the non-interlaced files: same hashes)
    add("png_gray8_interlaced.png", make_png(g8, 8, 0, interlace=True), "L", g8)
    add("png_rgb8_interlaced.png", make_png(rgb8, 8, 2, interlace=True), "RGB", rgb8)
    add("png_pal4_interlaced.png", make_png(idx4, 4, 3, interlace=True, plte=pal4), "P", pal4[idx4])
    add("png_rgba16_interlaced.png", make_png(rgba16, 16, 6, interlace=True), "RGBA", rgba16 >> 8)
    add("png_gray1_interlaced.png", make_png(g1, 1, 0, interlace=True), "1", g1 * 255)
    add("png_gray16_interlaced.png", make_png(g16o, 16, 0, interlace=True), "I", g16o)
    t32 = u8(scene(3, 2, 13)).astype(np.int64)
    add("png_rgb8_interlaced_3x2.png", make_png(t32, 8, 2, interlace=True), "RGB", t32)  # empty passes
    t5 = (lum(pattern(5, 3, 14)) > 120).astype(np.int64)
    add("png_gray1_interlaced_5x3.png", make_png(t5, 1, 0, interlace=True), "1", t5 * 255)
    # ---- ancillary chunks that must be ignored (same pixels as png_rgb8.png)
    icc = srgb_icc()
    pre = (chunk(b"gAMA", struct.pack(">I", 100000))  # gamma 1.0: applying it would change pixels
           + chunk(b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000))
           + chunk(b"sRGB", b"\x00")
           + chunk(b"tEXt", b"Title\x00imgsearch fixture")
           + chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"compressed text " * 8, 9))
           + chunk(b"iTXt", b"Description\x00\x00\x00en\x00Beschreibung\x00caf\xc3\xa9")
           + chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1))
           + chunk(b"tIME", struct.pack(">HBBBBB", 2024, 1, 2, 3, 4, 5))
           + chunk(b"prVt", b"private ancillary chunk"))
    mid = chunk(b"bKGD", struct.pack(">HHH", 255, 0, 0))  # red background: must not be composited
    post = chunk(b"tEXt", b"Comment\x00after IDAT")
    add("png_rgb8_ancillary.png", make_png(rgb8, 8, 2, pre=pre, mid=mid, post=post), "RGB", rgb8)
    add("png_rgb8_iccp.png", make_png(rgb8, 8, 2, pre=chunk(b"iCCP", b"sRGB IEC61966-2.1\x00\x00" + zlib.compress(icc, 9))
                                      + chunk(b"gAMA", struct.pack(">I", 45455))), "RGB", rgb8)
    add("png_rgba8_gama_bkgd.png", make_png(rgba8, 8, 6, pre=chunk(b"gAMA", struct.pack(">I", 220000)),
                                            mid=chunk(b"bKGD", struct.pack(">HHH", 0, 0, 255))), "RGBA", rgba8)
    add("png_pal8_gama_srgb.png", make_png(idx8, 8, 3, plte=pal8, pre=chunk(b"gAMA", struct.pack(">I", 100000))
                                           + chunk(b"sRGB", b"\x01"), mid=chunk(b"bKGD", b"\x00")), "P", pal8[idx8])
    # ---- stream structure variants (same pixels as png_rgb8.png / png_gray8.png)
    add("png_rgb8_multi_idat.png", make_png(rgb8, 8, 2, idat_split=97), "RGB", rgb8)
    add("png_rgb8_all_filters.png", make_png(rgb8, 8, 2, filt="cycle"), "RGB", rgb8)
    add("png_rgb8_trailing_garbage.png", make_png(rgb8, 8, 2) + b"trailing bytes after IEND\n" * 4, "RGB", rgb8)
    add("png_gray8_stored_zlib.png", make_png(g8, 8, 0, filt=0, level=0), "L", g8)
    # ---- sizes hitting Pillow resize edge cases
    def gray_png(w, h, seed, name, fn=scene):
        g = u8(lum(fn(w, h, seed))).astype(np.int64)
        add(name, make_png(g, 8, 0), "L", g)

    def rgb_png(w, h, seed, name, fn=scene):
        c = u8(fn(w, h, seed)).astype(np.int64)
        add(name, make_png(c, 8, 2), "RGB", c)

    gray_png(32, 45, 20, "png_gray8_32x45.png")  # phash: horizontal pass skipped
    rgb_png(50, 32, 21, "png_rgb8_50x32.png")  # phash: vertical pass skipped
    gray_png(32, 32, 22, "png_gray8_32x32.png")  # phash: no resampling at all
    gray_png(9, 8, 23, "png_gray8_9x8.png", pattern)  # dhash: no resampling
    gray_png(9, 20, 24, "png_gray8_9x20.png")  # dhash: horizontal pass skipped
    rgb_png(30, 8, 25, "png_rgb8_30x8.png")  # dhash/ahash: vertical pass skipped
    gray_png(8, 8, 26, "png_gray8_8x8.png", pattern)  # ahash: no resampling
    rgb_png(1, 1, 27, "png_rgb8_1x1.png")
    gray_png(1, 50, 28, "png_gray8_1x50.png")
    gray_png(50, 1, 29, "png_gray8_50x1.png")
    rgb_png(20, 12, 30, "png_rgb8_20x12.png")  # upscaling in both directions
    gray_png(2000, 3, 31, "png_gray8_2000x3.png")
    rgb_png(5, 300, 32, "png_rgb8_5x300.png", pattern)
    # ---- degenerate content
    flat = np.zeros((40, 56, 3), dtype=np.int64) + np.array([90, 160, 200])
    add("png_flat_rgb.png", make_png(flat, 8, 2), "RGB", flat)
    add("png_flat_black_gray.png", make_png(np.zeros((24, 24), dtype=np.int64), 8, 0), "L",
        np.zeros((24, 24), dtype=np.int64))
    half = u8(scene(32, 48, 33)).astype(np.int64)
    mirror = np.concatenate([half, half[:, ::-1]], axis=1)
    add("png_mirror_rgb.png", make_png(mirror, 8, 2), "RGB", mirror)
    halfv = u8(lum(pattern(40, 20, 36))).astype(np.int64)
    mirrorv = np.concatenate([halfv, halfv[::-1]], axis=0)
    add("png_mirror_vertical_gray.png", make_png(mirrorv, 8, 0), "L", mirrorv)
    yy, xx = np.mgrid[0:48, 0:64]
    two = np.where((((xx - 22) / 14.0) ** 2 + ((yy - 20) / 11.0) ** 2 < 1)[..., None]
                   | ((xx > 38) & (xx < 58) & (yy > 28) & (yy < 44))[..., None],
                   np.array([200, 40, 30]), np.array([20, 60, 140])).astype(np.int64)
    add("png_twocolor_rgb.png", make_png(two, 8, 2), "RGB", two)
    # ---- APNG: Pillow (and libpng, which ignores acTL/fcTL/fdAT) see the default image only
    fr = [Image.fromarray(u8(scene(40, 30, 34)), "RGB"), Image.fromarray(u8(pattern(40, 30, 35)), "RGB")]
    buf = io.BytesIO()
    fr[0].save(buf, "PNG", save_all=True, append_images=fr[1:], duration=100, loop=0)
    add("png_apng_2frames.png", buf.getvalue(), "RGB", np.asarray(fr[0]).astype(np.int64))

    # ---- JPEG (Pillow / libjpeg-turbo)
    JW, JH = 96, 64
    j = u8(scene(JW, JH, 40))
    add("jpeg_420.jpg", pil_jpeg(j, "RGB", quality=85, subsampling=2))
    add("jpeg_422.jpg", pil_jpeg(j, "RGB", quality=85, subsampling=1))
    add("jpeg_444.jpg", pil_jpeg(j, "RGB", quality=85, subsampling=0))
    add("jpeg_progressive.jpg", pil_jpeg(j, "RGB", quality=85, subsampling=2, progressive=True))
    add("jpeg_optimized.jpg", pil_jpeg(j, "RGB", quality=85, subsampling=2, optimize=True))
    jg = u8(lum(scene(JW, JH, 41)))
    add("jpeg_gray.jpg", pil_jpeg(jg, "L", quality=85))
    # EXIF Orientation = 6 (rotate 90 CW): must NOT be applied; same scan as jpeg_420.jpg
    ex = Image.Exif()
    ex[0x0112] = 6
    add("jpeg_exif_orientation6.jpg", pil_jpeg(j, "RGB", quality=85, subsampling=2, exif=ex.tobytes()))
    add("jpeg_trailing_garbage.jpg", pil_jpeg(j, "RGB", quality=85, subsampling=2) + b"trailing bytes after EOI\n" * 4)
    add("jpeg_icc.jpg", pil_jpeg(j, "RGB", quality=85, subsampling=2, icc_profile=icc))
    # CMYK: Pillow writes an Adobe APP14 (transform 0) and inverted ("Adobe") samples
    cm = scene(72, 48, 42)
    kk = 255 - np.max(cm, axis=-1)
    cmyk = np.stack([255 - cm[..., 0] - kk, 255 - cm[..., 1] - kk, 255 - cm[..., 2] - kk, kk * 0.8], -1)
    cmyk = u8(cmyk)
    add("jpeg_cmyk_adobe.jpg", pil_jpeg(cmyk, "CMYK", quality=90))
    add("jpeg_cmyk_adobe_progressive.jpg", pil_jpeg(cmyk, "CMYK", quality=90, progressive=True))
    # hand-encoded variants
    stored = [255 - cmyk[..., i] for i in range(4)]  # what libjpeg returns for Adobe-style CMYK
    ycc = rgb_to_ycc(np.stack([255.0 - s for s in stored[:3]], -1))  # libjpeg's CMYK->YCCK input rule
    add("jpeg_ycck_adobe.jpg", encode_jpeg(ycc + [stored[3]], [(2, 2), (1, 1), (1, 1), (2, 2)], [0, 1, 1, 0],
                                           quality=90, adobe=2, jfif=False))
    add("jpeg_cmyk_no_adobe.jpg", encode_jpeg(stored, [(1, 1)] * 4, [0, 0, 0, 0], quality=90, jfif=False))
    jr = u8(scene(64, 48, 43))
    add("jpeg_rgb_adobe0.jpg", encode_jpeg([jr[..., i] for i in range(3)], [(1, 1)] * 3, [0, 0, 0],
                                           quality=90, adobe=0, jfif=False))
    add("jpeg_rgb_component_ids.jpg", encode_jpeg([jr[..., i] for i in range(3)], [(1, 1)] * 3, [0, 0, 0],
                                                  quality=90, ids=[ord("R"), ord("G"), ord("B")], jfif=False))
    jrs = u8(scene(80, 56, 44))
    add("jpeg_restart_420.jpg", encode_jpeg(rgb_to_ycc(jrs.astype(float)), [(2, 2), (1, 1), (1, 1)], [0, 1, 1],
                                            quality=85, restart=2))
    add("jpeg_restart_gray.jpg", encode_jpeg([u8(lum(jrs.astype(float)))], [(1, 1)], [0], quality=85, restart=3))
    add("jpeg_handmade_422_odd.jpg", encode_jpeg(rgb_to_ycc(scene(45, 29, 45)), [(2, 1), (1, 1), (1, 1)],
                                                 [0, 1, 1], quality=80))
    # marker padding (fill bytes 0xFF before markers) and a COM segment
    d = pil_jpeg(j, "RGB", quality=85, subsampling=2, comment=b"imgsearch fixture")
    segs = jpeg_segments(d)
    sof = [s for s in segs if s[1] == 0xC0][0][0]
    add("jpeg_marker_fill_bytes.jpg", d[:sof] + b"\xFF\xFF\xFF" + d[sof:])
    # sizes
    add("jpeg_1x1.jpg", pil_jpeg(u8(scene(1, 1, 46)), "RGB", quality=90))
    add("jpeg_7x5.jpg", pil_jpeg(u8(scene(7, 5, 47)), "RGB", quality=90))
    add("jpeg_37x23_420.jpg", pil_jpeg(u8(scene(37, 23, 48)), "RGB", quality=85, subsampling=2))
    add("jpeg_33x17_progressive.jpg", pil_jpeg(u8(pattern(33, 17, 49)), "RGB", quality=85, progressive=True))
    add("jpeg_32x40.jpg", pil_jpeg(u8(scene(32, 40, 50)), "RGB", quality=85))
    add("jpeg_9x8_gray.jpg", pil_jpeg(u8(lum(pattern(9, 8, 51))), "L", quality=95))
    big = Image.fromarray(u8(scene(250, 175, 53, noise=0.0)), "RGB").resize((1000, 700), Image.BICUBIC)
    add("jpeg_1000x700_q80.jpg", pil_jpeg(np.asarray(big), "RGB", quality=80, subsampling=2))
    add("jpeg_3x2000_gray.jpg", pil_jpeg(u8(lum(scene(3, 2000, 54))), "L", quality=85))
    add("jpeg_2000x3.jpg", pil_jpeg(u8(scene(2000, 3, 55)), "RGB", quality=85))
    add("jpeg_320x240_natural.jpg", pil_jpeg(u8(scene(320, 240, 56, noise=2.0)), "RGB", quality=75))
    add("jpeg_flat.jpg", pil_jpeg(np.full((40, 56, 3), (90, 160, 200), dtype=np.uint8), "RGB", quality=85))
    add("jpeg_flat_gray.jpg", pil_jpeg(np.full((16, 24), 77, dtype=np.uint8), "L", quality=85))
    return files


def check_valid(name, data, expect_mode, expect):
    im = Image.open(io.BytesIO(data))
    im.load()
    if expect_mode is not None:
        assert im.mode == expect_mode, (name, im.mode, expect_mode)
        if im.mode == "P":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Palette images with Transparency expressed in bytes..."
                got = np.asarray(im.convert("RGB")).astype(np.int64)
        else:
            got = np.asarray(im).astype(np.int64)
            if im.mode == "1":
                got = got * 255
        assert got.shape == np.asarray(expect).shape, (name, got.shape, np.asarray(expect).shape)
        assert np.array_equal(got, expect), name
    return im


# --------------------------------------------------------------------------------------------
# Broken fixtures
# --------------------------------------------------------------------------------------------


def corrupt_crc(png, ctype):
    for off, t, ln in png_chunks(png):
        if t == ctype:
            p = bytearray(png)
            p[off + 8 + ln] ^= 0x5A
            return bytes(p)
    raise KeyError(ctype)


def build_broken(valid):
    v = dict((n, d) for n, d, _, _ in valid)
    out = []

    def add(name, data, why):
        assert len(data) < 50 * 1024, name
        out.append((name, data, why))

    jp = v["jpeg_420.jpg"]
    segs = jpeg_segments(jp)
    sos_off, _, sos_len = [s for s in segs if s[1] == 0xDA][0]
    scan0 = sos_off + 2 + sos_len
    dqt = [s for s in segs if s[1] == 0xDB][0]
    add("jpeg_trunc_in_dqt.jpg", jp[:dqt[0] + 30], "JPEG cut 30 bytes into the first DQT segment (inside the header).")
    sof = [s for s in segs if s[1] == 0xC0][0]
    add("jpeg_trunc_in_sof.jpg", jp[:sof[0] + 9], "JPEG cut inside the SOF0 segment (after the height field).")
    add("jpeg_trunc_after_sos.jpg", jp[:scan0], "JPEG cut right after the SOS header: no entropy-coded data at all.")
    add("jpeg_trunc_scan_10pct.jpg", jp[:scan0 + (len(jp) - scan0) // 10], "JPEG cut at 10% of the scan data.")
    add("jpeg_trunc_scan_50pct.jpg", jp[:scan0 + (len(jp) - scan0) // 2], "JPEG cut at 50% of the scan data.")
    add("jpeg_trunc_scan_90pct.jpg", jp[:scan0 + 9 * (len(jp) - scan0) // 10], "JPEG cut at 90% of the scan data.")
    pj = v["jpeg_progressive.jpg"]
    psos = [s for s in jpeg_segments(pj) if s[1] == 0xDA][0]
    add("jpeg_progressive_trunc_first_scan.jpg", pj[:psos[0] + 2 + psos[2] + 40],
        "Progressive JPEG cut 40 bytes into the first scan (later scans missing).")
    add("jpeg_progressive_trunc_60pct.jpg", pj[:int(len(pj) * 0.6)],
        "Progressive JPEG cut at 60% of the file (inside a later scan; no EOI).")
    p = bytearray(jp)
    p[dqt[0] + 2:dqt[0] + 4] = struct.pack(">H", 0xFFF0)
    add("jpeg_bad_dqt_length.jpg", bytes(p), "First DQT segment length field set to 0xFFF0 (runs past the end of the file).")
    p = bytearray(jp)
    p[sof[0] + 2:sof[0] + 4] = struct.pack(">H", 2)
    add("jpeg_bad_sof_length.jpg", bytes(p), "SOF0 segment length field set to 2 (too short to hold a frame header).")
    rng = np.random.default_rng(99)
    garbage = bytes(rng.integers(0, 255, 64).astype(np.uint8)).replace(b"\xff", b"\x00")
    add("jpeg_garbage_after_soi.jpg", jp[:2] + garbage + jp[2:],
        "64 random non-0xFF bytes inserted between SOI and the first marker.")
    add("jpeg_soi_then_garbage.jpg", jp[:2] + bytes(rng.integers(0, 256, 4000).astype(np.uint8)),
        "SOI followed only by 4000 random bytes (no valid header).")
    p = bytearray(jp[:sof[0] + 2 + sof[2]])
    p[sof[0] + 5:sof[0] + 9] = struct.pack(">HH", 65000, 65000)
    add("jpeg_sof_65000x65000.jpg", bytes(p) + jp[sof[0] + 2 + sof[2]:],
        "SOF0 claims 65000x65000 (4.2 Gpixel) with the scan data of a 96x64 image: refuse from the header (pixel limit).")
    p = bytearray(jp)
    p[sof[0] + 7:sof[0] + 9] = struct.pack(">H", 0)
    add("jpeg_sof_zero_width.jpg", bytes(p), "SOF0 width field is 0.")
    p = bytearray(jp)
    p[sof[0] + 4] = 12
    add("jpeg_sof_precision12.jpg", bytes(p), "SOF0 sample precision byte changed from 8 to 12 (12-bit JPEG, unsupported).")
    add("jpeg_scan_cut_then_eoi.jpg", jp[:scan0 + (len(jp) - scan0) // 2] + b"\xFF\xD9",
        "Scan data cut at 50% and followed directly by EOI (libjpeg: 'premature end of data segment', pads the rest).")
    add("jpeg_no_eoi.jpg", jp[:-2], "Complete JPEG except that the final EOI marker (FFD9) is missing.")
    add("jpeg_soi_eoi_only.jpg", b"\xFF\xD8\xFF\xD9", "SOI immediately followed by EOI.")
    add("empty.jpg", b"", "0-byte file.")
    add("random_bytes.bin", bytes(np.random.default_rng(100).integers(0, 256, 2048).astype(np.uint8)),
        "2048 random bytes.")
    add("text.txt", b"This is a text file, not an image.\nimgsearch test fixture\n", "Plain ASCII text.")
    add("gif_header_only.gif", b"GIF89a\x10\x00\x10\x00\x80\x00\x00", "GIF89a signature and logical screen descriptor only.")
    gb = io.BytesIO()
    Image.fromarray(u8(pattern(16, 12, 101)), "RGB").quantize(16, dither=Image.Dither.NONE).save(gb, "GIF")
    add("gif_valid_unsupported.gif", gb.getvalue(), "A complete, valid 16x12 GIF: a format imgsearch does not support.")

    pn = v["png_rgb8.png"]
    ch = png_chunks(pn)
    add("png_bad_crc_ihdr.png", corrupt_crc(pn, b"IHDR"), "IHDR CRC wrong (last CRC byte xor 0x5A).")
    add("png_bad_crc_idat.png", corrupt_crc(pn, b"IDAT"), "IDAT CRC wrong (last CRC byte xor 0x5A); data intact.")
    idat = [c for c in ch if c[1] == b"IDAT"][0]
    iend = [c for c in ch if c[1] == b"IEND"][0]
    txt = chunk(b"tEXt", b"Comment\x00chunk with a bad CRC")
    txt = txt[:-1] + bytes([txt[-1] ^ 0x5A])
    add("png_bad_crc_text_before_idat.png", pn[:idat[0]] + txt + pn[idat[0]:],
        "Ancillary tEXt chunk with a wrong CRC, placed before IDAT (image data intact).")
    add("png_bad_crc_text_after_idat.png", pn[:iend[0]] + txt + pn[iend[0]:],
        "Ancillary tEXt chunk with a wrong CRC, placed after IDAT (image data intact).")
    add("png_trunc_mid_idat.png", pn[:idat[0] + 8 + idat[2] // 2], "PNG cut in the middle of the (only) IDAT chunk.")
    add("png_no_iend.png", pn[:iend[0]], "IEND chunk missing (file ends right after the complete IDAT chunk).")
    add("png_trunc_in_ihdr.png", pn[:20], "PNG cut inside the IHDR chunk.")
    add("png_signature_only.png", PNG_SIG, "Only the 8-byte PNG signature.")
    p = bytearray(pn)
    p[1] = ord("Q")
    add("png_bad_signature.png", bytes(p), "Second signature byte changed ('PNG' -> 'QNG').")
    tiny = zlib.compress(b"\x00" * 4, 9)
    add("png_ihdr_100000x100000.png", PNG_SIG + ihdr(100000, 100000, 8, 0) + chunk(b"IDAT", tiny) + chunk(b"IEND", b""),
        "IHDR claims 100000x100000 8-bit gray (10 Gpixel) with a tiny IDAT: refuse from the header (pixel limit).")
    add("png_ihdr_1x200000000.png", PNG_SIG + ihdr(1, 200000000, 8, 0) + chunk(b"IDAT", tiny) + chunk(b"IEND", b""),
        "IHDR claims 1x200000000 (a 200 Mpixel column) with a tiny IDAT: refuse from the header (pixel limit).")
    add("png_bad_colortype_bitdepth.png", PNG_SIG + ihdr(4, 4, 4, 2) + chunk(b"IDAT", zlib.compress(b"\x00" * 4 * 7))
        + chunk(b"IEND", b""), "IHDR colour type 2 (RGB) with bit depth 4: not a legal combination.")
    add("png_bad_colortype.png", PNG_SIG + ihdr(4, 4, 8, 5) + chunk(b"IDAT", zlib.compress(b"\x00" * 4 * 5))
        + chunk(b"IEND", b""), "IHDR colour type 5 (undefined).")
    add("png_zero_width.png", PNG_SIG + ihdr(0, 4, 8, 0) + chunk(b"IDAT", zlib.compress(b"\x00" * 4))
        + chunk(b"IEND", b""), "IHDR width 0.")
    add("png_zero_height.png", PNG_SIG + ihdr(4, 0, 8, 0) + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b""), "IHDR height 0.")
    # corrupt deflate stream with correct CRCs
    z = bytearray(zlib.compress(png_idat_data(np.asarray(Image.open(io.BytesIO(pn))).astype(np.int64), 8, 2), 9))
    for k in range(2, min(len(z) - 4, 40)):
        z[k] ^= 0xFF
    add("png_bad_deflate.png", pn[:idat[0]] + chunk(b"IDAT", bytes(z)) + pn[idat[0] + 12 + idat[2]:],
        "IDAT CRC correct but the deflate data is corrupted (bytes 2..39 inverted).")
    short = zlib.compress(png_idat_data(g8_of(v), 8, 0)[: 20 * 62], 9)
    add("png_idat_too_short.png", PNG_SIG + ihdr(61, 47, 8, 0) + chunk(b"IDAT", short) + chunk(b"IEND", b""),
        "Complete zlib stream with correct CRCs, but it holds only 20 of the 47 rows.")
    rows = bytearray(png_idat_data(g8_of(v), 8, 0, filt=0))
    rows[10 * 62] = 7
    add("png_bad_filter_type.png", PNG_SIG + ihdr(61, 47, 8, 0) + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b""), "Row 10 has filter type 7 (only 0..4 exist).")
    pp = v["png_pal4.png"]
    pch = [c for c in png_chunks(pp) if c[1] == b"PLTE"][0]
    add("png_palette_missing_plte.png", pp[:pch[0]] + pp[pch[0] + 12 + pch[2]:],
        "Colour type 3 (palette) with no PLTE chunk.")
    return out


def g8_of(v):
    return np.asarray(Image.open(io.BytesIO(v["png_gray8.png"]))).astype(np.int64)


def pillow_verdict(path, ref):
    """What ImageHash's first step (Image.open(f).convert('L')) does with the file; for files
    Pillow accepts, the hashes it gives (phash dhash ahash)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            with open(path, "rb") as fh:
                im = Image.open(io.BytesIO(fh.read()))
            fmt = im.format
            im.convert("L")
            w = [x for x in w if not issubclass(x.category, ResourceWarning)]
            return "accepted", f"{fmt} {im.size[0]}x{im.size[1]} mode {im.mode}, hashes " + " ".join(
                ref.hashes(path)) + (f" (warning: {w[0].category.__name__}: {w[0].message})" if w else "")
        except Exception as e:  # noqa: BLE001 - we record whatever Pillow raises
            return "refused", re.sub(r" <_io.BytesIO object at 0x[0-9a-f]+>", "", f"{type(e).__name__}: {e}")


# --------------------------------------------------------------------------------------------


def gray_stages(path):
    """Intermediate values of the recipe, for locating a mismatch: sha256 of Pillow's 8-bit "L"
    image (row-major, width*height bytes), sha256 of its 32x32 LANCZOS grid (1024 bytes), and the
    9x8 and 8x8 grids as hex (row-major)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = Image.open(path).convert("L")
    return (hashlib.sha256(g.tobytes()).hexdigest(),
            hashlib.sha256(g.resize((32, 32), Image.LANCZOS).tobytes()).hexdigest(),
            g.resize((9, 8), Image.LANCZOS).tobytes().hex(),
            g.resize((8, 8), Image.LANCZOS).tobytes().hex())


def load_ref(path):
    spec = importlib.util.spec_from_file_location("imagehash_ref", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def reset_dir(d):
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", default=os.path.join(ROOT, "..", "shared", "tools", "imagehash_ref.py"))
    ap.add_argument("--any-pillow", action="store_true",
                    help="run with a Pillow other than Debian 12's 9.4 (expected values may then differ)")
    args = ap.parse_args()
    if not PIL.__version__.startswith("9.4.") and not args.any_pillow:
        sys.exit(f"Pillow {PIL.__version__} found; the expected values are defined by Debian 12's Pillow 9.4 "
                 "(run with /usr/bin/python3, or pass --any-pillow)")
    ref = load_ref(args.ref)

    valid = build_valid()
    names = [n for n, _, _, _ in valid]
    assert len(names) == len(set(names)), "duplicate fixture names"
    reset_dir(VALID)
    rows = ["file\tformat\twidth\theight\tphash\tdhash\tahash"]
    grays = ["file\tgray_sha256\tgrid32x32_sha256\tgrid9x8_hex\tgrid8x8_hex"]
    for name, data, mode, expect in valid:
        im = check_valid(name, data, mode, expect)
        fmt = {"JPEG": "jpeg", "PNG": "png"}[im.format]
        assert name.startswith(fmt), name
        path = os.path.join(VALID, name)
        with open(path, "wb") as f:
            f.write(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Palette images with Transparency expressed in bytes..."
            ph, dh, ah = ref.hashes(path)
        rows.append(f"{name}\t{fmt}\t{im.size[0]}\t{im.size[1]}\t{ph}\t{dh}\t{ah}")
        grays.append(name + "\t" + "\t".join(gray_stages(path)))
    with open(os.path.join(FIX, "expected.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(FIX, "expected_gray.tsv"), "w") as f:
        f.write("\n".join(grays) + "\n")

    broken = build_broken(valid)
    reset_dir(BROKEN)
    readme = ["# Broken inputs", "",
              "Generated by `test/tools/make_fixtures.py` from the valid fixtures; every file here is invalid.",
              "The last column is what Pillow 9.4 does with it in ImageHash's first step",
              "(`Image.open(f).convert('L')`), recorded when the files were generated",
              "(also in `pillow_verdicts.tsv`). imgsearch should refuse all of them with an error;",
              "the few that Pillow tolerates are marked **accepted**.", "",
              "| file | size | what is wrong | Pillow 9.4 |", "|---|---|---|---|"]
    verdicts = ["file\tpillow\tdetail"]
    for name, data, why in broken:
        path = os.path.join(BROKEN, name)
        with open(path, "wb") as f:
            f.write(data)
        vd, detail = pillow_verdict(path, ref)
        verdicts.append(f"{name}\t{vd}\t{detail}")
        shown = f"**accepted**: {detail}" if vd == "accepted" else detail
        readme.append(f"| `{name}` | {len(data)} | {why} | {shown.replace('|', '/')} |")
    with open(os.path.join(BROKEN, "README.md"), "w") as f:
        f.write("\n".join(readme) + "\n")
    with open(os.path.join(BROKEN, "pillow_verdicts.tsv"), "w") as f:
        f.write("\n".join(verdicts) + "\n")

    total = sum(len(d) for _, d, _, _ in valid)
    print(f"{len(valid)} valid fixtures ({total} bytes), {len(broken)} broken fixtures", file=sys.stderr)


if __name__ == "__main__":
    main()
