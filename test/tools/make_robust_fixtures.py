#!/usr/bin/python3
"""Generate the fixtures of robust reverse search (sql/robust.sql):
three source pictures and altered copies of each, made with Pillow, and the
copies' hashes from the independent reference (ImageHash's recipe,
../shared/tools/imagehash_ref.py).  Deterministic: re-running reproduces
every file byte for byte.

Requirements (Debian 12): /usr/bin/python3 with python3-pil, python3-numpy
and python3-scipy.

Writes (removing what was there before):
  test/fixtures/robust/*.png, *.jpg   sources and their copies
  test/fixtures/robust/expected.tsv   file source edit phash dhash (header first)

The edits: the seven lossless mirrors and turns (PNG, so phash_variants'
variant of the same name must be within 2 bits of their phash), and lossy
copies of the kinds robust search is for (crops at an edge, a corner and
the middle, a tilt with cropped corners, a tilt on a widened canvas,
img2dataset's 256-px centre square and black border, mirror plus crop plus
JPEG) that one robust search must find.

Usage: /usr/bin/python3 test/tools/make_robust_fixtures.py [--ref PATH]
"""
import argparse
import importlib.util
import math
import os
import shutil

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "robust")

TRANSPOSES = {
    "mirror": Image.Transpose.FLIP_LEFT_RIGHT,
    "flip": Image.Transpose.FLIP_TOP_BOTTOM,
    "rotate 180": Image.Transpose.ROTATE_180,
    "rotate 90": Image.Transpose.ROTATE_90,     # counter-clockwise, as Pillow
    "rotate 270": Image.Transpose.ROTATE_270,
    "transpose": Image.Transpose.TRANSPOSE,
    "transverse": Image.Transpose.TRANSVERSE,
}


def painting(rng):
    """A photo-like picture: smooth colour fields, soft shapes and noise"""
    w, h = 224, 162
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    r = 120 + 90 * np.sin(3.1 * x + 1.3 * y) + 30 * np.cos(7 * y)
    g = 100 + 80 * np.cos(2.3 * x * y + 0.5) + 40 * x
    b = 140 + 70 * np.sin(5 * y - 2 * x)
    img = np.stack([r, g, b], axis=2)
    img += rng.normal(0, 2, img.shape)
    pic = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(pic)
    d.ellipse((28, 21, 105, 98), fill=(230, 200, 60))
    d.rectangle((133, 84, 210, 147), fill=(30, 60, 120))
    d.polygon([(140, 14), (210, 28), (168, 70)], fill=(200, 40, 40))
    return pic.filter(ImageFilter.GaussianBlur(1.2))


def clipart(rng):
    """A clip-art-like picture: flat shapes and outlines on white"""
    pic = Image.new("RGB", (248, 300), "white")
    d = ImageDraw.Draw(pic)
    d.ellipse((30, 20, 170, 160), fill=(250, 180, 40), outline="black", width=4)
    d.rectangle((120, 150, 220, 280), fill=(60, 140, 60), outline="black", width=4)
    d.polygon([(20, 290), (90, 170), (140, 290)], fill=(90, 60, 200), outline="black")
    d.line((10, 10, 240, 120), fill="black", width=5)
    return pic


def photo_fixture():
    """The natural photo among the hashing fixtures, smaller, as a JPEG source"""
    pic = Image.open(os.path.join(ROOT, "test", "fixtures", "valid", "jpeg_320x240_natural.jpg"))
    return pic.convert("RGB").resize((200, 150), Image.LANCZOS)


def crop(pic, left, right, top, bottom):
    w, h = pic.size
    return pic.crop((round(w * left), round(h * top), w - round(w * right), h - round(h * bottom)))


def tilt_crop(pic, degrees):
    """Rotate and keep the largest centred upright rectangle with no fill"""
    w, h = pic.size
    a = math.radians(abs(degrees))
    # the largest rectangle of the picture's aspect inside the turned one
    scale = min(w / (w * math.cos(a) + h * math.sin(a)), h / (w * math.sin(a) + h * math.cos(a)))
    turned = pic.rotate(degrees, resample=Image.BICUBIC)
    cw, ch = int(w * scale), int(h * scale)
    return turned.crop(((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch))


def i2d(pic, mode):
    """img2dataset's resize at 256 px: center_crop or border"""
    w, h = pic.size
    if mode == "center_crop":
        s = 256 / min(w, h)
        pic = pic.resize((max(256, round(w * s)), max(256, round(h * s))), Image.BOX)
        w, h = pic.size
        return pic.crop(((w - 256) // 2, (h - 256) // 2, (w - 256) // 2 + 256, (h - 256) // 2 + 256))
    s = 256 / max(w, h)
    pic = pic.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BOX)
    canvas = Image.new("RGB", (256, 256), "black")
    canvas.paste(pic, ((256 - pic.size[0]) // 2, (256 - pic.size[1]) // 2))
    return canvas


def edits(pic):
    """(edit name, picture, format) for one source"""
    out = [(name, pic.transpose(t), "png") for name, t in TRANSPOSES.items()]
    w, h = pic.size
    out += [
        ("crop 7% left", crop(pic, 0.07, 0, 0, 0), "png"),
        ("crop corner 12% right 9% bottom", crop(pic, 0, 0.12, 0, 0.09), "png"),
        ("crop centre 91%", crop(pic, 0.045, 0.045, 0.045, 0.045), "jpg"),
        ("tilt +2.5 cropped", tilt_crop(pic, 2.5), "jpg"),
        ("tilt -3 canvas", pic.rotate(-3, resample=Image.BICUBIC, expand=True, fillcolor="white"), "jpg"),
        ("img2dataset center_crop", i2d(pic, "center_crop"), "jpg"),
        ("img2dataset border", i2d(pic, "border"), "jpg"),
        ("mirror, crop 6% top, resized", crop(pic.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                              0.03, 0.02, 0.06, 0).resize((w * 3 // 4, h * 3 // 4),
                                                                          Image.LANCZOS), "jpg"),
    ]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", default=os.path.join(ROOT, "..", "shared", "tools", "imagehash_ref.py"))
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("imagehash_ref", args.ref)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)

    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    rng = np.random.default_rng(13)
    sources = [("painting", painting(rng), "png"), ("clipart", clipart(rng), "png"),
               ("photo", photo_fixture(), "jpg")]
    rows = []
    for sname, pic, fmt in sources:
        files = [("original", pic, fmt)] + edits(pic)
        for ename, img, efmt in files:
            file = "%s_%s.%s" % (sname, ename.replace(",", "").replace("%", "pc").replace(" ", "_"), efmt)
            path = os.path.join(OUT, file)
            if efmt == "png":
                img.save(path, optimize=False)
            else:
                img.save(path, quality=88)
            p, d, _ = ref.hashes(path)
            rows.append((file, sname, ename, p, d))
    with open(os.path.join(OUT, "expected.tsv"), "w") as f:
        f.write("file\tsource\tedit\tphash\tdhash\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print("wrote %d files to %s" % (len(rows), OUT))


if __name__ == "__main__":
    main()
