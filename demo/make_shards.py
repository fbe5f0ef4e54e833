#!/usr/bin/python3
"""Turn Debian's OpenClipart packages into img2dataset-style webdataset shards.

Every PNG of openclipart-png (/usr/share/openclipart/png/CATEGORY/.../NAME.png,
regular files only: the package's symlinks repeat images under a second
category) has its SVG at the same place in openclipart-svg
(/usr/share/openclipart/svg/CATEGORY/.../NAME.svg), whose RDF metadata
(<metadata><rdf:RDF><cc:Work>) holds the title, description, keywords
(dc:subject) and artist (dc:creator).  This writes, in sorted path order:

  OUT/shards/00000.tar ...   1,000 samples each, img2dataset's layout:
                             KEY.png (the image as packaged), KEY.txt (the
                             caption), KEY.json (key, url, caption and the
                             metadata fields)
  OUT/meta.csv               key, artist, title, description, keywords (a
                             PostgreSQL array literal), category, file: the
                             side table the demo joins on key
  OUT/manifest.txt           what was written, so an identical run is skipped

Keys are img2dataset's: the sample number, 9 digits, so the first N images
get the same keys whatever LIMIT is.  The caption reads like alt text:
"Title. Description. keyword, keyword".  The url is the PNG's file:// URL.
"""

import argparse
import csv
import io
import json
import os
import sys
import tarfile
import xml.etree.ElementTree as ET

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CC = "{http://web.resource.org/cc/}"

SAMPLES_PER_SHARD = 1000
FORMAT_VERSION = 1          # bump when the shard contents change


def list_pngs(png_root):
    """Return the relative paths of every PNG file (not symlink), sorted."""
    found = []
    for folder, _dirs, files in os.walk(png_root):
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".png") and not os.path.islink(path):
                found.append(os.path.relpath(path, png_root))
    return sorted(found)


def text_of(element):
    """Return the text inside an element with whitespace collapsed ('' if none)."""
    if element is None:
        return ""
    return " ".join(" ".join(element.itertext()).split())


def read_rdf(svg_path):
    """Read title, description, keywords and artist from an SVG's first cc:Work."""
    work = ET.parse(svg_path).find(".//" + CC + "Work")
    if work is None:
        return {"title": "", "description": "", "keywords": [], "artist": ""}
    keywords = []
    for item in work.findall(DC + "subject/" + RDF + "Bag/" + RDF + "li"):
        word = text_of(item)
        if word and word.lower() not in (k.lower() for k in keywords):
            keywords.append(word)
    return {
        "title": text_of(work.find(DC + "title")),
        "description": text_of(work.find(DC + "description")),
        "keywords": keywords,
        "artist": text_of(work.find(DC + "creator/" + CC + "Agent/" + DC + "title")),
    }


def make_caption(meta):
    """Build an alt-text-like caption: title, description, keywords."""
    parts = [meta["title"]]
    if meta["description"] and meta["description"].lower() != meta["title"].lower():
        parts.append(meta["description"])
    if meta["keywords"]:
        parts.append(", ".join(meta["keywords"]))
    return ". ".join(p.rstrip(".") for p in parts if p)


def pg_array(words):
    """Format a list of strings as a PostgreSQL text[] literal."""
    quoted = ('"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"' for w in words)
    return "{" + ",".join(quoted) + "}"


def add_member(tar, name, data):
    """Append one file to a tar archive."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default="/usr/share/openclipart",
                        help="where openclipart-png and openclipart-svg put their files")
    parser.add_argument("--limit", type=int, default=0, help="only the first N images (0: all)")
    parser.add_argument("--out", required=True, help="folder for shards/, meta.csv, manifest.txt")
    args = parser.parse_args()

    png_root = os.path.join(args.root, "png")
    svg_root = os.path.join(args.root, "svg")
    pngs = list_pngs(png_root)
    if not pngs:
        sys.exit("make_shards.py: no PNG under %s (is openclipart-png installed?)" % png_root)
    if args.limit > 0:
        pngs = pngs[:args.limit]

    manifest = "format %d\nroot %s\nimages %d\nlast %s\n" % (
        FORMAT_VERSION, args.root, len(pngs), pngs[-1])
    manifest_path = os.path.join(args.out, "manifest.txt")
    if os.path.exists(manifest_path) and open(manifest_path).read() == manifest:
        print("shards already written: %d images in %s" % (len(pngs), args.out))
        return

    shard_dir = os.path.join(args.out, "shards")
    os.makedirs(shard_dir, exist_ok=True)
    for old in os.listdir(shard_dir):
        os.remove(os.path.join(shard_dir, old))
    if os.path.exists(manifest_path):
        os.remove(manifest_path)

    missing_svg = 0
    with open(os.path.join(args.out, "meta.csv"), "w", newline="") as meta_file:
        meta_csv = csv.writer(meta_file, lineterminator="\n")
        meta_csv.writerow(["key", "artist", "title", "description", "keywords", "category", "file"])
        tar = None
        for number, rel in enumerate(pngs):
            if number % SAMPLES_PER_SHARD == 0:
                if tar:
                    tar.close()
                tar = tarfile.open(os.path.join(
                    shard_dir, "%05d.tar" % (number // SAMPLES_PER_SHARD)), "w")
            key = "%09d" % number
            png_path = os.path.join(png_root, rel)
            svg_path = os.path.join(svg_root, rel[:-len(".png")] + ".svg")
            if os.path.exists(svg_path):
                meta = read_rdf(svg_path)
            else:
                missing_svg += 1
                meta = {"title": os.path.basename(rel)[:-4],
                        "description": "", "keywords": [], "artist": ""}
            category = os.path.dirname(rel)
            caption = make_caption(meta)
            record = {"key": key, "url": "file://" + png_path, "caption": caption,
                      "title": meta["title"], "description": meta["description"],
                      "keywords": meta["keywords"], "artist": meta["artist"],
                      "category": category, "svg": "file://" + svg_path}
            with open(png_path, "rb") as image:
                add_member(tar, key + ".png", image.read())
            add_member(tar, key + ".txt", caption.encode())
            add_member(tar, key + ".json", json.dumps(record, ensure_ascii=False).encode())
            meta_csv.writerow([key, meta["artist"], meta["title"], meta["description"],
                               pg_array(meta["keywords"]), category, png_path])
        tar.close()

    with open(manifest_path, "w") as out:
        out.write(manifest)
    shards = (len(pngs) + SAMPLES_PER_SHARD - 1) // SAMPLES_PER_SHARD
    print("wrote %d images in %d shards to %s%s" % (
        len(pngs), shards, shard_dir,
        " (%d without SVG metadata)" % missing_svg if missing_svg else ""))


if __name__ == "__main__":
    main()
