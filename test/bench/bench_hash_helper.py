#!/usr/bin/python3
"""Python side of test/bench/bench_hash.sh (run it with Debian's /usr/bin/python3,
which has python3-pil, python3-numpy and python3-scipy).

  bench_hash_helper.py generate DIR SEED N_JPEG N_PNG
      write N_JPEG JPEGs and N_PNG PNGs of synthetic, natural-looking content
      (smooth gradients, shapes, blur, noise) into DIR, deterministically.
  bench_hash_helper.py python-times DIR REPEATS HASHES_OUT
      time, in process, Pillow's decode alone, Python ImageHash's phash recipe and
      the phash+dhash+average_hash recipe over the files of DIR, per format;
      print "key value" lines (median seconds over REPEATS passes, plus the
      min and max); write "file phash" lines to HASHES_OUT.
  bench_hash_helper.py profile-groups FORMAT PROFILE OUR_SYMBOLS
      read a profile (FORMAT callgrind: callgrind_annotate --inclusive=no output;
      perf: perf report --no-children --sort dso,sym output), group the self
      cost by function group, print "group percent" lines.
  bench_hash_helper.py compare REFERENCE OTHER
      compare two "file hash" listings (first two columns); print
      "matched total" and the first few differences on stderr.
"""
import io
import os
import re
import statistics
import sys
import time

# ------------------------------------------------------------------ generation

def generate(out_dir, seed, n_jpeg, n_png):
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    jpeg_sizes = [(512, 384), (384, 512), (512, 512), (512, 341), (341, 512), (512, 288)]
    png_sizes = [(512, 384), (512, 384), (512, 384), (384, 512)]

    def picture(width, height, noise_sigma):
        # smooth background: a linear gradient between two colours at a random
        # angle, plus a low-frequency wave per channel
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        angle = rng.uniform(0, 2 * np.pi)
        t = (xx * np.cos(angle) + yy * np.sin(angle))
        t = (t - t.min()) / max(t.max() - t.min(), 1.0)
        c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        img = (c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]).astype(np.float32)
        for ch in range(3):
            fx, fy = rng.uniform(0.5, 3, 2) * 2 * np.pi
            px, py = rng.uniform(0, 2 * np.pi, 2)
            wave_x = np.sin(fx * np.arange(width, dtype=np.float32) / width + px)
            wave_y = np.cos(fy * np.arange(height, dtype=np.float32) / height + py)
            img[..., ch] += np.float32(rng.uniform(10, 40)) * np.outer(wave_y, wave_x)
        base = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")

        # shapes: ellipses, rectangles and polygons in random colours
        draw = ImageDraw.Draw(base)
        for _ in range(int(rng.integers(4, 16))):
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            x0, y0 = rng.uniform(-0.2, 1.0) * width, rng.uniform(-0.2, 1.0) * height
            w, h = rng.uniform(0.05, 0.6) * width, rng.uniform(0.05, 0.6) * height
            kind = int(rng.integers(0, 3))
            if kind == 0:
                draw.ellipse([x0, y0, x0 + w, y0 + h], fill=colour)
            elif kind == 1:
                draw.rectangle([x0, y0, x0 + w, y0 + h], fill=colour)
            else:
                pts = [(float(x0 + rng.uniform(0, w)), float(y0 + rng.uniform(0, h)))
                       for _ in range(int(rng.integers(3, 7)))]
                draw.polygon(pts, fill=colour)

        # blur, then sensor-like noise
        base = base.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.5, 3.0))))
        arr = np.asarray(base).astype(np.float32)
        arr += np.float32(noise_sigma) * rng.standard_normal(arr.shape, dtype=np.float32)
        return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")

    os.makedirs(out_dir, exist_ok=True)
    for i in range(n_jpeg):
        width, height = jpeg_sizes[i % len(jpeg_sizes)]
        progressive = (i % 5 == 4)      # one in five progressive, all 4:2:0
        picture(width, height, rng.uniform(2, 8)).save(
            os.path.join(out_dir, f"img{i:04d}.jpg"), "JPEG", quality=85,
            subsampling=2, progressive=progressive, optimize=False)
    for i in range(n_png):
        width, height = png_sizes[i % len(png_sizes)]
        picture(width, height, rng.uniform(0, 3)).save(
            os.path.join(out_dir, f"img{i:04d}.png"), "PNG")


# ------------------------------------------------------------------ Python reference timing

def python_times(in_dir, repeats, hashes_out):
    import numpy
    import scipy.fftpack
    from PIL import Image

    lanczos = getattr(Image, "Resampling", Image).LANCZOS

    # Python ImageHash 4.x phash(), verbatim apart from returning the bits
    def phash(image, hash_size=8, highfreq_factor=4):
        img_size = hash_size * highfreq_factor
        image = image.convert("L").resize((img_size, img_size), lanczos)
        pixels = numpy.asarray(image)
        dct = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)
        dctlowfreq = dct[:hash_size, :hash_size]
        med = numpy.median(dctlowfreq)
        return dctlowfreq > med

    # phash, dhash and average_hash from one decode (what image_hashes() does);
    # the recipe of ../shared/tools/imagehash_ref.py
    def all_three(image):
        gray = image.convert("L")
        p = numpy.asarray(gray.resize((32, 32), lanczos), dtype=numpy.float64)
        dct = scipy.fftpack.dct(scipy.fftpack.dct(p, axis=0), axis=1)[:8, :8]
        d = numpy.asarray(gray.resize((9, 8), lanczos))
        a = numpy.asarray(gray.resize((8, 8), lanczos))
        return dct > numpy.median(dct), d[:, 1:] > d[:, :-1], a > a.mean()

    def to_hex(bits):
        value = 0
        for b in bits.flatten():
            value = (value << 1) | int(b)
        return f"{value:016x}"

    files = sorted(f for f in os.listdir(in_dir) if f.endswith((".jpg", ".png")))
    blobs = {"jpeg": [], "png": []}
    names = {"jpeg": [], "png": []}
    for f in files:
        with open(os.path.join(in_dir, f), "rb") as fh:
            data = fh.read()
        fmt = "jpeg" if f.endswith(".jpg") else "png"
        blobs[fmt].append(data)
        names[fmt].append(f)

    def decode_only(data):
        Image.open(io.BytesIO(data)).load()

    def phash_only(data):
        return phash(Image.open(io.BytesIO(data)))

    def three(data):
        return all_three(Image.open(io.BytesIO(data)))

    # reference hashes (also a warm-up pass)
    with open(hashes_out, "w") as out:
        for fmt in ("jpeg", "png"):
            for name, data in zip(names[fmt], blobs[fmt]):
                out.write(f"{name} {to_hex(phash_only(data))}\n")

    for label, fn in (("decode", decode_only), ("phash", phash_only), ("all3", three)):
        for fmt in ("jpeg", "png"):
            seconds = []
            for _ in range(repeats):
                start = time.perf_counter()
                for data in blobs[fmt]:
                    fn(data)
                seconds.append(time.perf_counter() - start)
            print(f"py_{label}_{fmt} {statistics.median(seconds):.6f} "
                  f"{min(seconds):.6f} {max(seconds):.6f} {len(blobs[fmt])}")
            sys.stdout.flush()


# ------------------------------------------------------------------ profile grouping

LIBJPEG_GROUPS = [
    ("libjpeg: Huffman decode", re.compile(r"decode_mcu|fill_bit_buffer|huff_decode|jsimd_huff|process_restart|huff")),
    ("libjpeg: IDCT + dequantise", re.compile(r"idct|decompress_onepass|decompress_data|decompress_smooth")),
    ("libjpeg: upsampling", re.compile(r"upsampl|h2v2|h2v1|h1v2")),
    ("libjpeg: colour conversion", re.compile(r"ycc|color_convert|rgb_convert|gray_rgb|null_convert|rgb_gray")),
]
CORE_GROUPS = [
    ("core: gray conversion", re.compile(r"Gray|gray")),
    ("core: resample horizontal", re.compile(r"Horizontal|horizontal")),
    ("core: resample vertical", re.compile(r"TargetPushRow|TargetFinish|Vertical|vertical")),
    ("core: resample weights", re.compile(r"AxisInit|Lanczos|Sinc|Coeff|coeff")),
    ("core: DCT", re.compile(r"[Dd]ct")),
    ("core: median (qsort)", re.compile(r"Compare|[Mm]edian|[Ss]ort")),
    ("core: hash bits", re.compile(r"FromGrid|Hash|hash")),
]
ORDER = [g for g, _ in LIBJPEG_GROUPS] + ["libjpeg: other (markers, setup, buffers)",
         "libpng (rows, unfilter)", "zlib (inflate, checksums)"] + \
        [g for g, _ in CORE_GROUPS] + ["core: other (decoder glue, job)",
         "libc (qsort, memcpy, malloc, ...)", "libm: sin (resample weights)", "other"]


def classify(obj, func, our_symbols):
    base = re.split(r"[.']", func)[0]   # drop .constprop.0, .isra.0, .part.0, 'N (recursion)
    if base in our_symbols:
        for group, pattern in CORE_GROUPS:
            if pattern.search(base):
                return group
        return "core: other (decoder glue, job)"
    if "libpng" in obj or base.startswith("png_"):
        return "libpng (rows, unfilter)"
    if "libz" in obj or re.match(r"(inflate|adler32|crc32|zcalloc|zcfree|updatewindow)", base):
        return "zlib (inflate, checksums)"
    if "libm." in obj or "libm-" in obj:
        return "libm: sin (resample weights)"
    if re.search(r"libc[.-]", obj) or "ld-linux" in obj:
        if re.search(r"qsort|msort", base):
            return "core: median (qsort)"
        return "libc (qsort, memcpy, malloc, ...)"
    if "libjpeg" in obj or base.startswith(("jpeg_", "jinit_", "jsimd_", "jcopy", "jzero", "jdiv", "jround")) \
            or obj.endswith("imghash_cli_prof"):
        for group, pattern in LIBJPEG_GROUPS:
            if pattern.search(base):
                return group
        return "libjpeg: other (markers, setup, buffers)"
    return "other"


def profile_groups(fmt, path, symbols_path):
    with open(symbols_path) as fh:
        our_symbols = {line.strip().split(".")[0] for line in fh if line.strip()}
    entries = []                        # (cost, object, function)
    with open(path, errors="replace") as fh:
        text = fh.read()
    if fmt == "callgrind":
        # "   9,000,000 (49.66%)  file.c:func [/path/object]"; entries for code
        # inlined from another file carry no object: borrow the function's
        line_re = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*?)(?: \[(.*)\])?$")
        object_of = {}
        raw = []
        in_functions = False
        for line in text.splitlines():
            if "file:function" in line:
                in_functions = True     # the per-function table starts
                continue
            m = line_re.match(line)
            if not in_functions or not m:
                continue
            cost = int(m.group(1).replace(",", ""))
            func = m.group(2).rsplit(":", 1)[-1]
            obj = m.group(3) or ""
            if obj:
                object_of.setdefault(func, obj)
            raw.append((cost, obj, func))
        entries = [(c, o or object_of.get(f, ""), f) for c, o, f in raw]
    else:
        # "    45.12%  imghash_cli_prof  [.] decode_mcu"
        line_re = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(\S+)")
        for line in text.splitlines():
            m = line_re.match(line)
            if m:
                entries.append((float(m.group(1)), m.group(2), m.group(3)))
    total = sum(c for c, _, _ in entries)
    if total <= 0:
        return
    groups = {}
    for cost, obj, func in entries:
        group = classify(obj, func, our_symbols)
        groups[group] = groups.get(group, 0) + cost
    if fmt == "callgrind":
        print(f"{total}\ttotal")
    for group in ORDER:                 # every group, in a fixed order
        print(f"{100.0 * groups.get(group, 0) / total:.1f}\t{group}")


# ------------------------------------------------------------------ hash comparison

def compare(reference_path, other_path):
    def load(path):
        result = {}
        with open(path) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2:
                    result[os.path.basename(parts[0])] = parts[1]
        return result
    reference, other = load(reference_path), load(other_path)
    matched = sum(1 for k, v in reference.items() if other.get(k) == v)
    shown = 0
    for k, v in sorted(reference.items()):
        if other.get(k) != v and shown < 5:
            print(f"  differs: {k} python {v} other {other.get(k)}", file=sys.stderr)
            shown += 1
    print(matched, len(reference))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "generate":
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif command == "python-times":
        python_times(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif command == "profile-groups":
        profile_groups(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
