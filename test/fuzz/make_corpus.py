#!/usr/bin/python3
"""Generate the seed corpus of the imghash fuzzer (test/fuzz/corpus/).

Small valid JPEGs (written by Pillow) and PNGs (written here, byte by byte,
so that every colour type, bit depth, filter and Adam7 interlacing is
covered), then broken variants of some of them: truncations, bad CRCs, bad
lengths and markers, absurd sizes.  The project's own
fixtures (test/fixtures/) of at most 4 KB are copied in too, as fx_*.
Every file stays under about 4 KB so the
fuzzer's mutations reach the interesting bytes quickly.  Deterministic:
rerunning it rewrites the same files.

Needs Pillow; on Debian run it with /usr/bin/python3 (python3-pil).

    /usr/bin/python3 test/fuzz/make_corpus.py [OUTDIR]
"""

import io
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib

import warnings

from PIL import Image

warnings.simplefilter("ignore")

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "corpus")
rng = random.Random(20240601)
written = {}


def put(name, data):
    """Write one corpus file, keeping track of names."""
    assert name not in written, name
    written[name] = len(data)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def gradient(mode, w, h):
    """Make a small test picture: gradients plus a few shapes."""
    im = Image.new("RGB", (w, h))
    px = im.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = ((x * 255) // max(w - 1, 1), (y * 255) // max(h - 1, 1),
                        ((x ^ y) * 16) & 255)
    return im.convert(mode)


def jpegtool(tool, args, data):
    """Run libjpeg-turbo's cjpeg or jpegtran (None when not installed)."""
    if shutil.which(tool) is None:
        return None
    return subprocess.run([tool] + args, input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, check=True).stdout


def ppm(im):
    """Encode as PPM or PGM, cjpeg's input."""
    buf = io.BytesIO()
    im.save(buf, "PPM")
    return buf.getvalue()


def jpeg(im, **kw):
    """Encode with Pillow's JPEG writer."""
    buf = io.BytesIO()
    im.save(buf, "JPEG", **kw)
    return buf.getvalue()


# ---------------------------------------------------------------- PNG writer

def chunk(ctype, body):
    """Make one PNG chunk with its CRC."""
    return (struct.pack(">I", len(body)) + ctype + body +
            struct.pack(">I", zlib.crc32(ctype + body) & 0xffffffff))


def pack_row(samples, depth):
    """Pack a row of samples at the given bit depth."""
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    if depth == 8:
        return bytes(samples)
    out = bytearray()
    per = 8 // depth
    for i in range(0, len(samples), per):
        byte = 0
        for j in range(per):
            v = samples[i + j] if i + j < len(samples) else 0
            byte |= v << (8 - depth * (j + 1))
        out.append(byte)
    return bytes(out)


def filter_row(ftype, row, prev, bpp):
    """Apply PNG filter ftype (0..4) to one row."""
    out = bytearray([ftype])
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i] if prev else 0
        c = prev[i - bpp] if prev and i >= bpp else 0
        if ftype == 0:
            p = 0
        elif ftype == 1:
            p = a
        elif ftype == 2:
            p = b
        elif ftype == 3:
            p = (a + b) // 2
        else:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out.append((x - p) & 255)
    return bytes(out)


CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
         (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_raw(w, h, ctype, depth, interlace=False, filters=(0, 1, 2, 3, 4),
            sample=None):
    """Make the filtered, uncompressed image data of a PNG."""
    ch = CHANNELS[ctype]
    top = (1 << depth) - 1
    if sample is None:
        def sample(x, y, c):
            return ((x * 7 + y * 13 + c * 50) * top // 60) % (top + 1)
    bpp = max(1, ch * depth // 8)

    def rows(xs, ys):
        out = b""
        prev = None
        for n, y in enumerate(ys):
            samples = [sample(x, y, c) for x in xs for c in range(ch)]
            row = pack_row(samples, depth)
            out += filter_row(filters[n % len(filters)], row, prev, bpp)
            prev = row
        return out

    if not interlace:
        return rows(range(w), range(h))
    data = b""
    for x0, y0, dx, dy in ADAM7:
        xs, ys = range(x0, w, dx), range(y0, h, dy)
        if len(xs) and len(ys):
            data += rows(xs, ys)
    return data


def png(w, h, ctype, depth, interlace=False, extra=(), idat_split=0,
        plte=None, raw=None, level=9, **kw):
    """Make a whole PNG; extra is a list of chunks placed before IDAT."""
    if raw is None:
        raw = png_raw(w, h, ctype, depth, interlace, **kw)
    z = zlib.compress(raw, level)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0,
                                      1 if interlace else 0))
    if ctype == 3:
        if plte is None:
            plte = bytes(v for i in range(1 << depth)
                         for v in (i * 37 & 255, i * 91 & 255, 255 - i * 5 & 255))
        out += chunk(b"PLTE", plte)
    for c in extra:
        out += c
    if idat_split:
        for i in range(0, len(z), idat_split):
            out += chunk(b"IDAT", z[i:i + idat_split])
    else:
        out += chunk(b"IDAT", z)
    out += chunk(b"IEND", b"")
    return out


def check_pillow(name, data):
    """Make sure Pillow reads a file meant to be valid."""
    im = Image.open(io.BytesIO(data))
    im.convert("L")


def main():
    os.makedirs(OUT, exist_ok=True)
    valid = {}

    # ---- JPEG: Pillow's encoder, every layout it can write
    rgb = gradient("RGB", 24, 17)
    gray = gradient("L", 19, 13)
    cmyk = gradient("CMYK", 16, 16)
    valid["jpeg_baseline_420.jpg"] = jpeg(rgb, quality=75)
    valid["jpeg_baseline_444.jpg"] = jpeg(rgb, quality=90, subsampling=0)
    valid["jpeg_baseline_422.jpg"] = jpeg(rgb, quality=60, subsampling=1)
    valid["jpeg_optimized.jpg"] = jpeg(rgb, quality=50, optimize=True)
    valid["jpeg_progressive.jpg"] = jpeg(rgb, quality=70, progressive=True)
    valid["jpeg_progressive_444.jpg"] = jpeg(rgb, quality=80,
                                             progressive=True, subsampling=0)
    valid["jpeg_gray.jpg"] = jpeg(gray, quality=75)
    valid["jpeg_gray_progressive.jpg"] = jpeg(gray, quality=75,
                                              progressive=True)
    valid["jpeg_cmyk.jpg"] = jpeg(cmyk, quality=75)
    valid["jpeg_cmyk_progressive.jpg"] = jpeg(cmyk, quality=75,
                                              progressive=True)
    valid["jpeg_1x1.jpg"] = jpeg(gradient("RGB", 1, 1))
    valid["jpeg_1x1_gray.jpg"] = jpeg(gradient("L", 1, 1))
    valid["jpeg_7x5.jpg"] = jpeg(gradient("RGB", 7, 5))
    valid["jpeg_9x8.jpg"] = jpeg(gradient("RGB", 9, 8), subsampling=0)
    valid["jpeg_33x32_q100.jpg"] = jpeg(gradient("RGB", 33, 32), quality=100)
    valid["jpeg_wide_200x2.jpg"] = jpeg(gradient("L", 200, 2))
    valid["jpeg_tall_2x200.jpg"] = jpeg(gradient("RGB", 2, 200))
    valid["jpeg_comment_exif.jpg"] = jpeg(gradient("RGB", 8, 8),
                                          comment=b"fuzz seed",
                                          exif=b"Exif\x00\x00MM\x00\x2a"
                                          b"\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00")
    valid["jpeg_icc.jpg"] = jpeg(gradient("RGB", 8, 8),
                                 icc_profile=b"\x00" * 200)
    valid["jpeg_qtables.jpg"] = jpeg(gray, qtables=[[1] * 64])
    valid["jpeg_dpi.jpg"] = jpeg(gradient("RGB", 8, 8), dpi=(300, 300))

    # what Pillow cannot write: restart markers, arithmetic coding, odd
    # sampling factors (libjpeg-turbo-progs; skipped when not installed)
    for name, tool, args, src in (
            ("jpeg_restart.jpg", "jpegtran", ["-restart", "1B"],
             valid["jpeg_baseline_420.jpg"]),
            ("jpeg_restart_progressive.jpg", "jpegtran",
             ["-restart", "2B", "-progressive"], valid["jpeg_gray.jpg"]),
            ("jpeg_arithmetic.jpg", "jpegtran", ["-arithmetic"],
             valid["jpeg_baseline_420.jpg"]),
            ("jpeg_arithmetic_progressive.jpg", "jpegtran",
             ["-arithmetic", "-progressive"], valid["jpeg_cmyk.jpg"]),
            ("jpeg_sample_4x1.jpg", "cjpeg", ["-sample", "4x1"], ppm(rgb)),
            ("jpeg_sample_1x4.jpg", "cjpeg", ["-sample", "1x4", "-progressive"],
             ppm(rgb)),
            ("jpeg_sample_mixed.jpg", "cjpeg",
             ["-sample", "2x1,1x2,1x1"], ppm(rgb)),
            ("jpeg_smooth_dct_fast.jpg", "cjpeg",
             ["-dct", "fast", "-smooth", "50", "-quality", "20"], ppm(gray)),
            ("jpeg_rgb_colorspace.jpg", "cjpeg", ["-rgb"], ppm(rgb))):
        data = jpegtool(tool, args, src)
        if data is not None:
            valid[name] = data

    # ---- PNG: every colour type and bit depth, plain and interlaced
    for depth in (1, 2, 4, 8, 16):
        valid["png_gray%d.png" % depth] = png(13, 11, 0, depth)
        valid["png_gray%d_interlaced.png" % depth] = png(13, 11, 0, depth,
                                                         interlace=True)
    for depth in (1, 2, 4, 8):
        valid["png_palette%d.png" % depth] = png(13, 11, 3, depth)
        valid["png_palette%d_interlaced.png" % depth] = png(
            11, 9, 3, depth, interlace=True)
    for depth in (8, 16):
        for ctype, name in ((2, "rgb"), (4, "graya"), (6, "rgba")):
            valid["png_%s%d.png" % (name, depth)] = png(12, 9, ctype, depth)
            valid["png_%s%d_interlaced.png" % (name, depth)] = png(
                12, 9, ctype, depth, interlace=True)
    valid["png_1x1.png"] = png(1, 1, 0, 8)
    valid["png_1x1_interlaced.png"] = png(1, 1, 2, 8, interlace=True)
    valid["png_3x3_interlaced.png"] = png(3, 3, 6, 8, interlace=True)
    valid["png_wide_300x1.png"] = png(300, 1, 0, 8)
    valid["png_tall_1x300.png"] = png(1, 300, 0, 8)
    valid["png_32x32_exact.png"] = png(32, 32, 0, 8)
    valid["png_9x8_exact.png"] = png(9, 8, 2, 8)
    valid["png_8x8_exact.png"] = png(8, 8, 0, 8)
    valid["png_gray16_high.png"] = png(
        8, 8, 0, 16, sample=lambda x, y, c: (x * 8000 + y * 300) & 0xffff)
    valid["png_palette_short_plte.png"] = png(
        10, 10, 3, 8, plte=bytes([255, 0, 0, 0, 255, 0]),
        sample=lambda x, y, c: (x * 29 + y) & 255)
    valid["png_palette_trns.png"] = png(
        10, 10, 3, 4, extra=[chunk(b"tRNS", bytes([0, 128, 255]))])
    valid["png_gray_trns.png"] = png(10, 10, 0, 8,
                                     extra=[chunk(b"tRNS", b"\x00\x10")])
    valid["png_rgb_trns.png"] = png(10, 10, 2, 8,
                                    extra=[chunk(b"tRNS", b"\x00\x10" * 3)])
    valid["png_ancillary.png"] = png(10, 10, 2, 8, extra=[
        chunk(b"gAMA", struct.pack(">I", 45455)),
        chunk(b"sRGB", b"\x00"),
        chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1)),
        chunk(b"tEXt", b"Comment\x00fuzz seed"),
        chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"fuzz seed")),
        chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(b"\x00" * 128)),
        chunk(b"bKGD", b"\x00\x01\x00\x02\x00\x03"),
        chunk(b"cHRM", bytes(32)),
        chunk(b"sBIT", b"\x08\x08\x08"),
        chunk(b"prIV", b"private chunk"),
    ])
    valid["png_multi_idat.png"] = png(16, 12, 2, 8, idat_split=7)
    valid["png_stored_deflate.png"] = png(16, 12, 0, 8, level=0)
    valid["png_filter_paeth_only.png"] = png(16, 12, 6, 8, filters=(4,))
    valid["png_filter_avg_16.png"] = png(12, 9, 6, 16, filters=(3,))
    valid["png_trailing_garbage.png"] = png(8, 8, 0, 8) + b"garbage" * 4
    # Pillow also writes PNGs, with its own choices
    for mode in ("1", "L", "P", "RGB", "RGBA", "LA", "I;16"):
        buf = io.BytesIO()
        gradient("RGB", 10, 7).convert(
            "L" if mode == "I;16" else mode).save(buf, "PNG") \
            if mode != "I;16" else \
            gradient("L", 10, 7).convert("I").save(buf, "PNG")
        valid["png_pillow_%s.png" % mode.replace(";", "")] = buf.getvalue()

    for name, data in sorted(valid.items()):
        check_pillow(name, data)
        put(name, data)

    # ---- broken JPEGs
    base = valid["jpeg_baseline_420.jpg"]
    prog = valid["jpeg_progressive.jpg"]
    for name, src in (("jpeg", base), ("jpeg_progressive", prog),
                      ("jpeg_cmyk", valid["jpeg_cmyk_progressive.jpg"])):
        for frac in (0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
            put("bad_%s_trunc_%02d.jpg" % (name, int(frac * 100)),
                src[:int(len(src) * frac)])
    put("bad_jpeg_no_eoi.jpg", base[:-2])
    put("bad_jpeg_soi_only.jpg", b"\xff\xd8\xff")
    put("bad_jpeg_soi_eoi.jpg", b"\xff\xd8\xff\xd9")

    def markers(data):
        """List (offset, marker, length) of the header segments."""
        out, pos = [], 2
        while pos + 4 <= len(data) and data[pos] == 0xff:
            m = data[pos + 1]
            ln = struct.unpack(">H", data[pos + 2:pos + 4])[0]
            out.append((pos, m, ln))
            if m == 0xda:
                break
            pos += 2 + ln
        return out

    segs = markers(base)
    sof = next(p for p, m, _ in segs if m == 0xc0)
    sos = next(p for p, m, _ in segs if m == 0xda)
    dqt = next(p for p, m, _ in segs if m == 0xdb)
    dht = next(p for p, m, _ in segs if m == 0xc4)

    def patch(data, pos, new):
        return data[:pos] + new + data[pos + len(new):]

    put("bad_jpeg_sof_2001x2000.jpg", patch(base, sof + 5,
                                            struct.pack(">HH", 2000, 2001)))
    put("bad_jpeg_sof_500x400.jpg", patch(base, sof + 5,
                                          struct.pack(">HH", 400, 500)))
    put("bad_jpeg_sof_65535x65535.jpg", patch(base, sof + 5,
                                              b"\xff\xff\xff\xff"))
    put("bad_jpeg_sof_1x6000.jpg", patch(base, sof + 5,
                                         struct.pack(">HH", 6000, 1)))
    put("bad_jpeg_sof_zero_height.jpg", patch(base, sof + 5, b"\x00\x00"))
    put("bad_jpeg_sof_precision12.jpg", patch(base, sof + 4, b"\x0c"))
    put("bad_jpeg_sof_2_components.jpg", patch(base, sof + 9, b"\x02"))
    put("bad_jpeg_sof_sampling_5.jpg", patch(base, sof + 11, b"\x55"))
    put("bad_jpeg_sof_qtable_3.jpg", patch(base, sof + 12, b"\x03"))
    put("bad_jpeg_sof3_lossless.jpg", patch(base, sof + 1, b"\xc3"))
    put("bad_jpeg_sof9_arith.jpg", patch(base, sof + 1, b"\xc9"))
    put("bad_jpeg_sof_length_2.jpg", patch(base, sof + 2, b"\x00\x02"))
    put("bad_jpeg_dqt_length_huge.jpg", patch(base, dqt + 2, b"\xff\xf0"))
    put("bad_jpeg_dqt_index_7.jpg", patch(base, dqt + 4, b"\x07"))
    put("bad_jpeg_dht_length_0.jpg", patch(base, dht + 2, b"\x00\x00"))
    put("bad_jpeg_dht_counts_ff.jpg", patch(base, dht + 5, b"\xff" * 16))
    put("bad_jpeg_sos_component_9.jpg", patch(base, sos + 5, b"\x09"))
    put("bad_jpeg_sos_table_3.jpg", patch(base, sos + 6, b"\x33"))
    put("bad_jpeg_sos_spectral.jpg", patch(base, sos + 2 + 2 + 1 + 2 * 3,
                                           b"\x05\x02"))
    put("bad_jpeg_marker_ff01.jpg", patch(base, dht, b"\xff\x01"))
    put("bad_jpeg_marker_not_ff.jpg", patch(base, dht, b"\x12"))
    put("bad_jpeg_sof_twice.jpg", base[:sos] + base[sof:sof + 2 + 17] +
        base[sos:])
    put("bad_jpeg_no_sof.jpg", base[:sof] + base[sof + 19:])
    put("bad_jpeg_no_dht.jpg", base[:dht] + base[dht + 2 + segs[
        [p for p, _, _ in segs].index(dht)][2]:])
    body = bytearray(base)
    for i in range(sos + 20, len(body) - 2, 9):
        body[i] ^= 0x55
    put("bad_jpeg_scan_noise.jpg", bytes(body))
    if "jpeg_restart.jpg" in valid:
        body = bytearray(valid["jpeg_restart.jpg"])
        for i in range(len(body) - 2):
            if body[i] == 0xff and 0xd0 <= body[i + 1] <= 0xd7:
                body[i + 1] = 0xd0 + ((body[i + 1] + 3) & 7)
        put("bad_jpeg_restart_wrong_order.jpg", bytes(body))
        put("bad_jpeg_restart_trunc_60.jpg",
            valid["jpeg_restart.jpg"][:len(body) * 6 // 10])
    pseg = markers(prog)
    psos = [p for p, m, _ in pseg if m == 0xda]
    put("bad_jpeg_progressive_only_dc.jpg", prog[:psos[0]] + prog[
        psos[0]:prog.index(b"\xff\xda", psos[0] + 2)] + b"\xff\xd9")
    # the same scan repeated, past what a sane encoder writes
    first_scan = prog[psos[0]:prog.index(b"\xff\xda", psos[0] + 2)]
    ac = prog[prog.index(b"\xff\xda", psos[0] + 2):]
    ac_scan = ac[:ac.index(b"\xff", 2 + struct.unpack(">H", ac[2:4])[0]) + 0]
    put("bad_jpeg_progressive_many_scans.jpg",
        prog[:psos[0]] + first_scan + ac_scan * 40 + b"\xff\xd9")
    put("bad_jpeg_garbage.jpg", b"\xff\xd8\xff" +
        bytes(rng.randrange(256) for _ in range(500)))

    # ---- broken PNGs
    pbase = valid["png_rgb8.png"]
    pint = valid["png_rgba8_interlaced.png"]
    ppal = valid["png_palette8.png"]
    for name, src in (("png", pbase), ("png_interlaced", pint)):
        for frac in (0.02, 0.1, 0.5, 0.9, 0.99):
            put("bad_%s_trunc_%02d.png" % (name, int(frac * 100)),
                src[:int(len(src) * frac)])
    put("bad_png_signature_only.png", pbase[:8])
    put("bad_png_crc_ihdr.png", patch(pbase, 8 + 8 + 13, b"\x00\x00\x00\x00"))
    idat = pbase.index(b"IDAT")
    idat_len = struct.unpack(">I", pbase[idat - 4:idat])[0]
    put("bad_png_crc_idat.png", patch(pbase, idat + 4 + idat_len, b"\x00"))
    put("bad_png_idat_length_huge.png", patch(pbase, idat - 4,
                                              b"\x7f\xff\xff\xff"))
    put("bad_png_idat_length_2g.png", patch(pbase, idat - 4,
                                            b"\xff\xff\xff\xf0"))
    put("bad_png_no_idat.png", pbase[:idat - 4] + pbase[idat + 8 + idat_len:])
    put("bad_png_no_iend.png", pbase[:-12])

    def ihdr(w, h, depth, ctype, interlace=0, comp=0, filt=0):
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
            ">IIBBBBB", w, h, depth, ctype, comp, filt, interlace)))

    tiny = zlib.compress(b"\x00" * 8)
    for name, head in (
            ("2000x2000_gray", ihdr(2000, 2000, 8, 0)),
            ("2001x2000_gray", ihdr(2001, 2000, 8, 0)),
            ("1x4000000_gray", ihdr(1, 4000000, 8, 0)),
            ("4000000x1_rgba16", ihdr(4000000, 1, 16, 6)),
            ("2000x2000_interlaced", ihdr(2000, 2000, 8, 2, 1)),
            ("bad_depth_3", ihdr(8, 8, 3, 0)),
            ("bad_colortype_7", ihdr(8, 8, 8, 7)),
            ("rgb_depth_4", ihdr(8, 8, 4, 2)),
            ("palette_depth_16", ihdr(8, 8, 16, 3)),
            ("bad_interlace_2", ihdr(8, 8, 8, 0, 2)),
            ("bad_compression_1", ihdr(8, 8, 8, 0, 0, 1)),
            ("bad_filter_method_1", ihdr(8, 8, 8, 0, 0, 0, 1)),
            ("width_2g", ihdr(0x80000000, 1, 8, 0)),
            ("zero_width", ihdr(0, 8, 8, 0))):
        put("bad_png_ihdr_%s.png" % name,
            head + chunk(b"IDAT", tiny) + chunk(b"IEND", b""))
    # large, valid, highly compressible images: the pixel limit and speed
    big = b"".join(b"\x00" + bytes(500) for _ in range(500))
    put("png_500x500_flat.png", png(500, 500, 0, 8, raw=big))
    col = b"\x00\x80" * 5000
    put("png_1x5000_column.png", png(1, 5000, 0, 8, raw=col))
    put("png_idat_too_short.png", png(16, 16, 0, 8,
                                      raw=png_raw(16, 8, 0, 8)))
    put("bad_png_idat_too_long.png", png(16, 8, 0, 8,
                                         raw=png_raw(16, 16, 0, 8)))
    raw = bytearray(png_raw(16, 8, 0, 8))
    raw[17 * 3] = 9
    put("bad_png_filter_type_9.png", png(16, 8, 0, 8, raw=bytes(raw)))
    z = bytearray(zlib.compress(png_raw(16, 8, 2, 8)))
    for i in range(2, len(z) - 4, 5):
        z[i] ^= 0xff
    put("bad_png_deflate_noise.png",
        ihdr(16, 8, 8, 2) + chunk(b"IDAT", bytes(z)) + chunk(b"IEND", b""))
    put("bad_png_zlib_header.png",
        ihdr(16, 8, 8, 0) + chunk(b"IDAT", b"\x78\x00" + bytes(z[2:])) +
        chunk(b"IEND", b""))
    put("bad_png_palette_missing_plte.png",
        ihdr(8, 8, 8, 3) + chunk(b"IDAT", zlib.compress(
            png_raw(8, 8, 3, 8))) + chunk(b"IEND", b""))
    put("bad_png_plte_300_entries.png", png(8, 8, 3, 8, plte=bytes(900)))
    put("bad_png_plte_length_4.png", png(8, 8, 3, 8, plte=bytes(4)))
    put("bad_png_trns_too_long.png", png(8, 8, 3, 2, extra=[
        chunk(b"tRNS", bytes(200))]))
    put("bad_png_plte_in_gray.png", png(8, 8, 0, 8, extra=[
        chunk(b"PLTE", bytes(30))]))
    put("bad_png_ihdr_twice.png", ppal[:33] + ppal[8:33] + ppal[33:])
    put("bad_png_critical_unknown.png", png(8, 8, 0, 8, extra=[
        chunk(b"ABCD", b"critical and unknown")]))
    put("bad_png_chunk_name_binary.png", png(8, 8, 0, 8, extra=[
        chunk(b"\x00\x01\x02\x03", b"xx")]))
    put("bad_png_idat_then_plte.png",
        ihdr(8, 8, 8, 3) + chunk(b"IDAT", zlib.compress(
            png_raw(8, 8, 3, 8))) + chunk(b"PLTE", bytes(768)) +
        chunk(b"IEND", b""))
    put("bad_png_ztxt_bomb.png", png(8, 8, 0, 8, extra=[
        chunk(b"zTXt", b"k\x00\x00" + zlib.compress(bytes(1 << 20)))]))
    put("bad_png_iccp_bomb.png", png(8, 8, 0, 8, extra=[
        chunk(b"iCCP", b"k\x00\x00" + zlib.compress(bytes(1 << 20)))]))
    put("bad_png_garbage.png", b"\x89PNG\r\n\x1a\n" +
        bytes(rng.randrange(256) for _ in range(500)))

    # the project's own small fixtures, when present, as fx_<dir>_<name>
    seen = set()
    for name in sorted(written):
        with open(os.path.join(OUT, name), "rb") as f:
            seen.add(f.read())
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "fixtures")
    for sub in ("valid", "broken"):
        folder = os.path.join(fixtures, sub)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if (name.endswith((".md", ".tsv")) or
                    os.path.getsize(path) > 4096):
                continue
            with open(path, "rb") as f:
                data = f.read()
            if data not in seen:
                seen.add(data)
                put("fx_%s_%s" % (sub, name), data)

    total = sum(written.values())
    big = [n for n, s in written.items() if s > 4096]
    print("%d files, %d bytes%s" % (len(written), total,
                                   ", over 4 KB: " + " ".join(big)
                                   if big else ""))


if __name__ == "__main__":
    main()
