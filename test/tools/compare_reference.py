#!/usr/bin/python3
"""Randomised check of the hashing core against the independent reference.

Generates N random images (random sizes from 1 px to 2000 px a side, random
content: gradients, shapes, noise, flat areas, mirror symmetry; random
encodings: JPEG baseline/progressive at random quality and subsampling,
gray and CMYK JPEG, PNG in modes 1, L, LA, P, RGB, RGBA and I;16), hashes
each with test/tools/imghash_cli and with ../shared/tools/imagehash_ref.py
(Debian's Pillow + scipy running ImageHash's recipe), and reports every
file whose phash, dhash or ahash differ.  Exit status 1 on any mismatch.

Usage: /usr/bin/python3 test/tools/compare_reference.py [N] [SEED]
(needs python3-pil, python3-scipy; run `make test/tools/imghash_cli` first)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "tools"))
import imagehash_ref  # noqa: E402


def random_picture(rng, width, height):
    """An RGB picture with gradients, shapes and noise, sometimes mirrored or flat."""
    kind = rng.integers(0, 10)
    if kind == 0:
        return Image.new("RGB", (width, height), tuple(int(v) for v in rng.integers(0, 256, 3)))
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = np.stack([x / max(width, 1) * rng.uniform(0, 255),
                     y / max(height, 1) * rng.uniform(0, 255),
                     (x + y) / max(width + height, 1) * rng.uniform(0, 255)], -1)
    base += rng.normal(0, rng.uniform(0, 40), base.shape)
    image = Image.fromarray(base.clip(0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(0, 8))):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(1, width + 1)), y0 + int(rng.integers(1, height + 1))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        (draw.ellipse if rng.integers(0, 2) else draw.rectangle)([x0, y0, x1, y1], fill=colour)
    if kind == 1:
        a = np.asarray(image)
        image = Image.fromarray(np.concatenate([a[:, : (width + 1) // 2], a[:, : width // 2][:, ::-1]], 1))
    return image


def save_random(rng, image, path_stem):
    """Save in a random format and mode; return the file name."""
    choice = int(rng.integers(0, 11))
    if choice <= 3:
        path = path_stem + ".jpg"
        image.save(path, quality=int(rng.integers(20, 100)), subsampling=int(rng.integers(0, 3)),
                   progressive=bool(rng.integers(0, 2)))
    elif choice == 4:
        path = path_stem + ".jpg"
        image.convert("L").save(path, quality=int(rng.integers(20, 100)))
    elif choice == 5:
        path = path_stem + ".jpg"
        image.convert("CMYK").save(path, quality=int(rng.integers(50, 100)))
    else:
        path = path_stem + ".png"
        mode = ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"][choice - 6 if choice < 11 else 0]
        if mode == "P":
            converted = image.convert("P", palette=Image.ADAPTIVE, colors=int(rng.integers(2, 257)))
        elif mode == "I;16":
            a = np.asarray(image.convert("L"), dtype=np.uint16) * int(rng.integers(1, 258))
            converted = Image.fromarray(a.astype(np.uint16), "I;16")
        else:
            converted = image.convert(mode)
        converted.save(path, optimize=bool(rng.integers(0, 2)))
    return path


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = np.random.default_rng(seed)
    cli = os.path.join(HERE, "imghash_cli")
    with tempfile.TemporaryDirectory() as work:
        files = []
        for i in range(count):
            big = rng.integers(0, 10) == 0
            width = int(rng.integers(1, 2000 if big else 400))
            height = int(rng.integers(1, 2000 if big else 400))
            picture = random_picture(rng, width, height)
            stem = os.path.join(work, f"r{i:05d}")
            try:
                files.append(save_random(rng, picture, stem))
            except OSError:  # Pillow cannot write some tiny JPEG variants
                picture.save(stem + ".png")
                files.append(stem + ".png")
        ours = {}
        output = subprocess.run([cli] + files, capture_output=True, text=True).stdout
        for line in output.splitlines():
            parts = line.split()
            if parts[0] != "error":
                ours[parts[6]] = tuple(parts[:3])
        mismatches = 0
        for path in files:
            expected = imagehash_ref.hashes(path)
            if ours.get(path) != tuple(expected):
                mismatches += 1
                print(f"mismatch {os.path.basename(path)} {Image.open(path).size} "
                      f"{Image.open(path).mode}: reference {expected} ours {ours.get(path)}")
        print(f"{count - mismatches} of {count} random images hash identically to the reference")
        return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
