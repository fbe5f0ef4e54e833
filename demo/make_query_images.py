#!/usr/bin/python3
"""Make the demo's query images: altered copies of images of the sample set.

Reads lines "KEY<TAB>FILE<TAB>TITLE<TAB>MINE" on stdin (candidate images,
chosen by run_demo.sh; MINE is t for the artist's own), picks five: the
artist's first, the least transparent first (their copies look most like
the originals, see below), kept in key order; and writes into --out:

  search.jpg             the first image, resized to half and saved as a
                         JPEG: the reverse-image search looks for its original
  portfolio-N.jpg/.png   the artist's "portfolio": the other four, each
                         altered in another way, and one new picture that is
                         not in the set (drawn here)
  portfolio.csv          title, alteration, file of each portfolio image
  search.csv             the same for search.jpg
  mirrored.png           the first image mirrored, and turned.jpg, turned a
                         quarter counter-clockwise, resized to 80%, JPEG
                         quality 85: robust search finds their original

Alpha is dropped the way Pillow's convert("RGB") drops it, keeping the
colour underneath: the hashes ignore alpha (as ImageHash does) and most
transparent OpenClipart pixels are black underneath, so this keeps the
picture the hash sees.  A copy flattened onto white is, to any phash, a
different picture.
"""

import argparse
import csv
import os
import sys
import warnings

from PIL import Image, ImageDraw, ImageEnhance


# Pillow suggests RGBA for palette images with transparency: dropping it is the point here
warnings.filterwarnings("ignore", "Palette images with Transparency")


def resized(image, factor):
    """Scale an image by factor with Lanczos resampling."""
    width, height = image.size
    return image.resize((max(1, round(width * factor)), max(1, round(height * factor))),
                        Image.LANCZOS)


# how each portfolio image is altered: (description, function, file suffix, save options)
ALTERATIONS = [
    ("resized to 60%, JPEG quality 75",
     lambda im: resized(im.convert("RGB"), 0.6), ".jpg", {"quality": 75}),
    ("resized to 150%, JPEG quality 90",
     lambda im: resized(im.convert("RGB"), 1.5), ".jpg", {"quality": 90}),
    ("grey, JPEG quality 85",
     lambda im: im.convert("L"), ".jpg", {"quality": 85}),
    ("10% brighter, resized to 80%, PNG",
     lambda im: ImageEnhance.Brightness(resized(im.convert("RGB"), 0.8)).enhance(1.1), ".png", {}),
]


def transparent_part(path):
    """Return the fraction of an image's pixels that are more than half transparent."""
    with Image.open(path) as image:
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            return 0.0
        alpha = image.convert("RGBA").getchannel("A").histogram()
        return sum(alpha[:128]) / (image.width * image.height)


def draw_new_picture(path):
    """Draw a picture that is in no data set: a few circles and lines."""
    image = Image.new("RGB", (400, 300), (250, 245, 230))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        draw.ellipse((40 + 30 * i, 30 + 12 * i, 200 + 25 * i, 190 + 10 * i),
                     outline=(40 * i, 90, 200 - 30 * i), width=6)
    draw.line((0, 280, 400, 120), fill=(200, 60, 40), width=10)
    draw.rectangle((280, 20, 380, 90), fill=(30, 120, 60))
    image.save(path, quality=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="folder for the query images")
    args = parser.parse_args()

    candidates = [line.rstrip("\n").split("\t") for line in sys.stdin if line.strip()]
    if not candidates:
        sys.exit("make_query_images.py: no image to alter (is LIMIT too small?)")
    chosen, titles = [], set()
    for candidate in sorted(candidates, key=lambda c: (c[3] != "t", transparent_part(c[1]))):
        if candidate[2] not in titles and len(chosen) < 5:     # no two alike
            chosen.append(candidate[:3])
            titles.add(candidate[2])
    sources = sorted(chosen)
    os.makedirs(args.out, exist_ok=True)

    key, file, title = sources[0]
    search_path = os.path.join(args.out, "search.jpg")
    resized(Image.open(file).convert("RGB"), 0.5).save(search_path, quality=70)
    with open(os.path.join(args.out, "search.csv"), "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["title", "alteration", "file", "original_key"])
        writer.writerow([title, "resized to 50%, JPEG quality 70", search_path, key])

    # robust search: the same picture mirrored, and turned a quarter and shrunk
    source = Image.open(file).convert("RGB")
    source.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(os.path.join(args.out, "mirrored.png"))
    resized(source.transpose(Image.Transpose.ROTATE_90), 0.8).save(
        os.path.join(args.out, "turned.jpg"), quality=85)

    with open(os.path.join(args.out, "portfolio.csv"), "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["title", "alteration", "file"])
        for n, ((key, file, title), (what, alter, suffix, options)) in enumerate(
                zip(sources[1:], ALTERATIONS), start=1):
            path = os.path.join(args.out, "portfolio-%d%s" % (n, suffix))
            alter(Image.open(file)).save(path, **options)
            writer.writerow([title, what, path])
        path = os.path.join(args.out, "portfolio-new.jpg")
        draw_new_picture(path)
        writer.writerow(["New sketch (never published)", "drawn by the demo", path])
    print("wrote search.jpg, mirrored.png, turned.jpg and %d portfolio images to %s" % (min(len(sources) - 1, 4) + 1, args.out))


if __name__ == "__main__":
    main()
