#!/usr/bin/python3
"""Make the evaluation set of robust reverse search: originals (clip art and
photographs) and altered copies of each, for tune.py and bench_robust.sh.

    /usr/bin/python3 test/bench/robust/make_evalset.py OUTDIR
        [--clipart 300] [--photos 250] [--seed 13]

Needs Debian's python3-pil and python3-numpy, and the pictures of the
packages openclipart-png (clip art, /usr/share/openclipart/png) and
plasma-workspace-wallpapers, gnome-backgrounds and mate-backgrounds
(photographs, /usr/share/wallpapers and /usr/share/backgrounds).

Originals.  Clip art: PNGs drawn at random (seeded) from OpenClipart, at
least 64 px a side, flattened on white, at most 1024 px long, leaving out
pictures that are their own mirror image to phash (see symmetric()).  Photos: the
wallpapers hold about a hundred distinct pictures (many in several sizes:
the largest file of each is kept, and pictures whose 8x8 average hash is
within 4 bits of one already kept are skipped); each is cut into
non-overlapping tiles 400-900 px long, aspect 3:4 to 16:9 either way,
taken round-robin over pictures: tiles of one picture do not overlap, so
they are distinct originals.  Saved as PNG (clip art) or JPEG q92 (photos).

Edits (every family on every original, parameters drawn per original and
family from a seeded generator, so the set does not depend on scheduling):
  mirror_lr mirror_tb rotate90 rotate180 rotate270 transpose transverse
      Pillow's exact transposes
  crop_center crop_edge crop_corner crop_any
      keep 80-97% of the width and of the height (independently), centred,
      cut from one side (plus 0-3% off the other axis' sides), anchored at a
      corner, or anywhere
  i2d_center_crop i2d_border i2d_keep_ratio
      img2dataset's resize modes at 256 px (shorter side to 256 then the
      middle square; longer side to 256 padded with black; shorter side to
      256), box filter when shrinking, Lanczos when enlarging, JPEG q95
  rotsmall_crop rotsmall_canvas
      rotated 0.5-5 degrees either way, bicubic: cropped to the largest
      centred upright rectangle of the picture's aspect with no corner
      fill, or on a widened canvas filled with white, black, grey or the
      picture's mean edge colour
  combo_mirror_crop       mirror, crop_any, resize 0.5-1.5x, JPEG q75-90
  combo_rotate_resize     a turn or transpose, resize 0.5-1.5x, JPEG q75-90
  combo_rotsmall_jpeg     rotsmall_crop, resize 0.5-1.5x, JPEG q75-90
  combo_crop_stretch      crop_any, resize 0.7-1.3x per axis, JPEG q75-90
  resize jpeg_q30 watermark brightness grayscale blur format
      what plain phash already finds: resize 0.5-2x (Lanczos), JPEG
      quality 30, semi-transparent text (alpha 0.3-0.5, white or black,
      40-70% of the width) at a corner, brightness x0.85-0.95 or x1.05-1.15, grey, Gaussian blur
      radius 0.8-2, PNG <-> JPEG

Writes OUTDIR/orig/<id>.<ext> (ids c0000... clip art, p0000... photos),
OUTDIR/edit/<id>__<family>.<ext> and OUTDIR/manifest.tsv ("file original
family params", the originals too, with family "original"), sorted.
"""
import argparse
import hashlib
import math
import os
import random
import sys
from multiprocessing import Pool

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

CLIPART_DIR = '/usr/share/openclipart/png'
PHOTO_DIRS = ['/usr/share/wallpapers', '/usr/share/backgrounds']


def rng_for(seed, *keys):
    """A generator that depends only on the seed and the keys"""
    digest = hashlib.sha256(('%d/' % seed + '/'.join(keys)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], 'big'))


# ---------------------------------------------------------------- sources

def flatten(img):
    """RGB on white, whatever the mode"""
    if img.mode in ('RGBA', 'LA') or (img.mode == 'P' and 'transparency' in img.info):
        img = img.convert('RGBA')
        back = Image.new('RGB', img.size, 'white')
        back.paste(img, mask=img.split()[3])
        return back
    return img.convert('RGB')


def fit(img, longest):
    w, h = img.size
    if max(w, h) <= longest:
        return img
    s = longest / max(w, h)
    return img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)


def dct_hash(img):
    """ImageHash's phash recipe (Pillow + scipy), as an int"""
    from scipy.fftpack import dct
    p = np.asarray(img.convert('L').resize((32, 32), Image.LANCZOS), dtype=np.float64)
    c = dct(dct(p, axis=0), axis=1)[:8, :8].flatten()
    return int(''.join('1' if v > np.median(c) else '0' for v in c), 2)


def symmetric(img):
    """Is the picture its own mirror image, or upside-down image, to phash
    (within 12 bits)?  Such pictures (rosettes, flags, emblems) make the
    mirror families meaningless, and their phash sits on ties that any
    re-encoding flips; they are left out (README, Limits)."""
    h = dct_hash(img)
    return any(bin(h ^ dct_hash(img.transpose(t))).count('1') <= 12
               for t in (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM))


def clipart_sources(n, seed):
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(CLIPART_DIR) for f in fs
                   if f.lower().endswith('.png'))
    if not files:
        sys.exit('make_evalset: no PNG under %s (apt-get install openclipart-png)' % CLIPART_DIR)
    random.Random(seed).shuffle(files)
    out = []
    skipped = 0
    for path in files:
        if len(out) == n:
            break
        try:
            with Image.open(path) as im:
                if min(im.size) < 64:
                    continue
                img = fit(flatten(im), 1024)
        except Exception:
            continue
        if symmetric(img):
            skipped += 1
            continue
        out.append(img)
    print('make_evalset: %d clip art originals, %d symmetric pictures left out' % (len(out), skipped),
          file=sys.stderr)
    return out


def ahash(img):
    a = np.asarray(img.convert('L').resize((8, 8), Image.BOX), dtype=float)
    return int(''.join('1' if v else '0' for v in (a > a.mean()).flatten()), 2)


def photo_pictures():
    """The distinct wallpaper pictures: the largest file of each"""
    groups = {}
    for root in PHOTO_DIRS:
        for d, _, fs in os.walk(root):
            for f in fs:
                if not f.lower().endswith(('.jpg', '.jpeg', '.png')):
                    continue
                path = os.path.join(d, f)
                rel = os.path.relpath(path, root).split(os.sep)
                key = (root, rel[0] if len(rel) > 1 else os.path.splitext(f)[0])
                size = os.path.getsize(path)
                if key not in groups or size > groups[key][0]:
                    groups[key] = (size, path)
    if not groups:
        sys.exit('make_evalset: no wallpapers under %s (apt-get install plasma-workspace-wallpapers '
                 'gnome-backgrounds mate-backgrounds)' % ' '.join(PHOTO_DIRS))
    kept, hashes = [], []
    for key in sorted(groups):
        path = groups[key][1]
        try:
            with Image.open(path) as im:
                img = im.convert('RGB')
        except Exception:
            continue
        if min(img.size) < 400:
            continue
        h = ahash(img)
        if any(bin(h ^ o).count('1') <= 4 for o in hashes):
            continue
        hashes.append(h)
        kept.append(img)
    return kept


def tiles_of(img, rng):
    """Non-overlapping tiles of one picture, in a random order: shelves of
    tiles 400-900 px long, aspect between 3:4 and 16:9 either way"""
    W, H = img.size
    tiles = []
    y = 0
    while True:
        long_side = rng.randint(400, 900)
        aspect = rng.uniform(1.0, 16 / 9) if rng.random() < 0.5 else rng.uniform(3 / 4, 1.0)
        th = round(long_side / aspect) if aspect >= 1 else long_side
        if y + th > H:
            break
        x = 0
        while True:
            tw = long_side if aspect >= 1 else round(long_side * aspect)
            if x + tw > W:
                break
            tiles.append((x, y, x + tw, y + th))
            x += tw
        y += th
    rng.shuffle(tiles)
    return [img.crop(t) for t in tiles]


def photo_sources(n, seed):
    pictures = photo_pictures()
    queues = [tiles_of(p, rng_for(seed, 'tiles', str(i))) for i, p in enumerate(pictures)]
    out = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop())
    print('make_evalset: %d distinct wallpaper pictures, %d photo originals'
          % (len(pictures), len(out)), file=sys.stderr)
    return out


# ---------------------------------------------------------------- edits

def keep_box(w, h, fw, fh, ax, ay):
    """The box keeping fractions fw, fh, its free space split ax : 1 - ax"""
    cw, ch = round(w * fw), round(h * fh)
    x, y = round((w - cw) * ax), round((h - ch) * ay)
    return (x, y, x + cw, y + ch)


def frac(rng):
    return rng.uniform(0.80, 0.97)


def crop_center(img, rng):
    fw, fh = frac(rng), frac(rng)
    return img.crop(keep_box(*img.size, fw, fh, 0.5, 0.5)), 'keep=%.3fx%.3f' % (fw, fh)


def crop_edge(img, rng):
    side = rng.choice(['left', 'right', 'top', 'bottom'])
    f, other = frac(rng), 1 - rng.uniform(0, 0.03) - rng.uniform(0, 0.03)
    if side in ('left', 'right'):
        box = keep_box(*img.size, f, other, 1.0 if side == 'left' else 0.0, rng.random())
    else:
        box = keep_box(*img.size, other, f, rng.random(), 1.0 if side == 'top' else 0.0)
    return img.crop(box), 'cut=%s keep=%.3f other=%.3f' % (side, f, other)


def crop_corner(img, rng):
    fw, fh = frac(rng), frac(rng)
    ax, ay = rng.choice([0.0, 1.0]), rng.choice([0.0, 1.0])
    return img.crop(keep_box(*img.size, fw, fh, ax, ay)), 'keep=%.3fx%.3f at=%g,%g' % (fw, fh, ax, ay)


def crop_any(img, rng):
    fw, fh, ax, ay = frac(rng), frac(rng), rng.random(), rng.random()
    return img.crop(keep_box(*img.size, fw, fh, ax, ay)), 'keep=%.3fx%.3f at=%.2f,%.2f' % (fw, fh, ax, ay)


def resize_by(img, sx, sy=None):
    w, h = img.size
    sy = sx if sy is None else sy
    size = (max(8, round(w * sx)), max(8, round(h * sy)))
    return img.resize(size, Image.BOX if sx * sy < 1 else Image.LANCZOS)


def i2d_scale(img, side):
    w, h = img.size
    s = 256 / side
    return img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BOX if s < 1 else Image.LANCZOS)


def i2d_center_crop(img, rng):
    img = i2d_scale(img, min(img.size))
    return img.crop(keep_box(*img.size, 256 / img.size[0], 256 / img.size[1], 0.5, 0.5)), ''


def i2d_border(img, rng):
    img = i2d_scale(img, max(img.size))
    canvas = Image.new('RGB', (256, 256), 'black')
    canvas.paste(img.convert('RGB'), ((256 - img.size[0]) // 2, (256 - img.size[1]) // 2))
    return canvas, ''


def i2d_keep_ratio(img, rng):
    return i2d_scale(img, min(img.size)), ''


def angle(rng):
    return rng.choice([-1, 1]) * rng.uniform(0.5, 5.0)


def rotsmall_crop(img, rng, a=None):
    a = angle(rng) if a is None else a
    w, h = img.size
    t = math.radians(abs(a))
    k = min(w / (w * math.cos(t) + h * math.sin(t)), h / (w * math.sin(t) + h * math.cos(t)))
    turned = img.rotate(a, resample=Image.BICUBIC)
    return turned.crop(keep_box(w, h, k * 0.995, k * 0.995, 0.5, 0.5)), 'angle=%.2f' % a


def edge_mean(img):
    a = np.asarray(img.convert('RGB'), dtype=float)
    edge = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    return tuple(int(round(v)) for v in edge.mean(axis=0))


def rotsmall_canvas(img, rng):
    a = angle(rng)
    name = rng.choice(['white', 'black', 'gray', 'edge'])
    fill = {'white': (255, 255, 255), 'black': (0, 0, 0), 'gray': (128, 128, 128)}.get(name) or edge_mean(img)
    return img.rotate(a, resample=Image.BICUBIC, expand=True, fillcolor=fill), 'angle=%.2f fill=%s' % (a, name)


def lossy(img, rng, params):
    """resize 0.5-1.5x and a JPEG quality 75-90, for the combinations"""
    s, q = rng.uniform(0.5, 1.5), rng.randint(75, 90)
    return resize_by(img, s), '%s scale=%.2f q=%d' % (params, s, q), 'jpg', q


def combo_mirror_crop(img, rng):
    cropped, p = crop_any(img.transpose(Image.Transpose.FLIP_LEFT_RIGHT), rng)
    return lossy(cropped, rng, p)


def combo_rotate_resize(img, rng):
    name = rng.choice(['ROTATE_90', 'ROTATE_180', 'ROTATE_270', 'TRANSPOSE'])
    return lossy(img.transpose(getattr(Image.Transpose, name)), rng, name.lower())


def combo_rotsmall_jpeg(img, rng):
    turned, p = rotsmall_crop(img, rng)
    return lossy(turned, rng, p)


def combo_crop_stretch(img, rng):
    cropped, p = crop_any(img, rng)
    sx, sy, q = rng.uniform(0.7, 1.3), rng.uniform(0.7, 1.3), rng.randint(75, 90)
    return resize_by(cropped, sx, sy), '%s scale=%.2fx%.2f q=%d' % (p, sx, sy, q), 'jpg', q


def watermark(img, rng):
    """A stock-photo mark: semi-transparent text, 40-70% of the width, at a corner"""
    img = img.convert('RGB')
    w, h = img.size
    text = rng.choice(['(c) sample stock', 'PREVIEW', '@artist_name', 'shutterimages.example'])
    font = ImageFont.load_default()
    # draw small, then scale the text layer to the width wanted
    tw, th = font.getbbox(text)[2:]
    mark = Image.new('L', (tw + 4, th + 4), 0)
    ImageDraw.Draw(mark).text((2, 2), text, fill=255, font=font)
    width = max(8, round(w * rng.uniform(0.4, 0.7)))
    mark = mark.resize((width, max(4, round(mark.size[1] * width / mark.size[0]))), Image.BILINEAR)
    x = 4 if rng.random() < 0.5 else max(0, w - mark.size[0] - 4)
    y = 4 if rng.random() < 0.5 else max(0, h - mark.size[1] - 4)
    alpha = rng.uniform(0.3, 0.5)
    colour = (255, 255, 255) if rng.random() < 0.5 else (0, 0, 0)
    layer = Image.new('RGB', img.size, colour)
    mask = Image.new('L', img.size, 0)
    mask.paste(mark.point(lambda v: round(v * alpha)), (x, y))
    img.paste(layer, mask=mask)
    return img, 'text=%r width=%d alpha=%.2f colour=%s at=%d,%d' % (
        text, width, alpha, 'white' if colour[0] else 'black', x, y)


def brightness(img, rng):
    f = rng.uniform(0.85, 0.95) if rng.random() < 0.5 else rng.uniform(1.05, 1.15)
    return ImageEnhance.Brightness(img).enhance(f), 'factor=%.3f' % f


def blur(img, rng):
    r = rng.uniform(0.8, 2.0)
    return img.filter(ImageFilter.GaussianBlur(r)), 'radius=%.2f' % r


def resize(img, rng):
    s = rng.uniform(0.5, 2.0)
    return resize_by(img, s), 'scale=%.2f' % s


def transposer(op):
    return lambda img, rng: (img.transpose(op), '')


# family -> edit(img, rng) returning (img, params) or (img, params, ext, quality)
FAMILIES = {
    'mirror_lr': transposer(Image.Transpose.FLIP_LEFT_RIGHT),
    'mirror_tb': transposer(Image.Transpose.FLIP_TOP_BOTTOM),
    'rotate90': transposer(Image.Transpose.ROTATE_90),
    'rotate180': transposer(Image.Transpose.ROTATE_180),
    'rotate270': transposer(Image.Transpose.ROTATE_270),
    'transpose': transposer(Image.Transpose.TRANSPOSE),
    'transverse': transposer(Image.Transpose.TRANSVERSE),
    'crop_center': crop_center,
    'crop_edge': crop_edge,
    'crop_corner': crop_corner,
    'crop_any': crop_any,
    'i2d_center_crop': lambda img, rng: i2d_center_crop(img, rng) + ('jpg', 95),
    'i2d_border': lambda img, rng: i2d_border(img, rng) + ('jpg', 95),
    'i2d_keep_ratio': lambda img, rng: i2d_keep_ratio(img, rng) + ('jpg', 95),
    'rotsmall_crop': rotsmall_crop,
    'rotsmall_canvas': rotsmall_canvas,
    'combo_mirror_crop': combo_mirror_crop,
    'combo_rotate_resize': combo_rotate_resize,
    'combo_rotsmall_jpeg': combo_rotsmall_jpeg,
    'combo_crop_stretch': combo_crop_stretch,
    'resize': resize,
    'jpeg_q30': lambda img, rng: (img, 'q=30', 'jpg', 30),
    'watermark': watermark,
    'brightness': brightness,
    'grayscale': lambda img, rng: (img.convert('L'), ''),
    'blur': blur,
    'format': lambda img, rng: (img, 'swap', 'swap', 90),
}


def save(img, path, ext, quality):
    img = img if img.mode in ('RGB', 'L') else img.convert('RGB')
    if ext == 'jpg':
        img.save(path, quality=quality)
    else:
        img.save(path)


def make_one(job):
    """Write one original and its edits; return its manifest rows"""
    outdir, oid, img, ext, seed, families = job
    rows = []
    orig = 'orig/%s.%s' % (oid, ext)
    save(img, os.path.join(outdir, orig), ext, 92)
    rows.append((orig, oid, 'original', ''))
    for fam in families:
        result = FAMILIES[fam](img, rng_for(seed, oid, fam))
        out, params = result[0], result[1]
        fext, quality = (result[2], result[3]) if len(result) > 2 else (ext, 92)
        if fext == 'swap':
            fext = 'png' if ext == 'jpg' else 'jpg'
        file = 'edit/%s__%s.%s' % (oid, fam, fext)
        save(out, os.path.join(outdir, file), fext, quality)
        rows.append((file, oid, fam, params))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('outdir')
    ap.add_argument('--clipart', type=int, default=300)
    ap.add_argument('--photos', type=int, default=250)
    ap.add_argument('--seed', type=int, default=13)
    ap.add_argument('--families', default=','.join(FAMILIES))
    args = ap.parse_args()
    families = args.families.split(',')
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        sys.exit('make_evalset: unknown families %s' % unknown)

    os.makedirs(os.path.join(args.outdir, 'orig'), exist_ok=True)
    os.makedirs(os.path.join(args.outdir, 'edit'), exist_ok=True)
    jobs = [(args.outdir, 'c%04d' % i, img, 'png', args.seed, families)
            for i, img in enumerate(clipart_sources(args.clipart, args.seed))]
    jobs += [(args.outdir, 'p%04d' % i, img, 'jpg', args.seed, families)
             for i, img in enumerate(photo_sources(args.photos, args.seed))]
    print('make_evalset: %d originals x %d families' % (len(jobs), len(families)), file=sys.stderr)
    with Pool(os.cpu_count() or 2) as pool:
        rows = [r for rows in pool.imap(make_one, jobs, chunksize=4) for r in rows]
    rows.sort()
    tmp = os.path.join(args.outdir, 'manifest.tsv.tmp')
    with open(tmp, 'w') as f:
        f.write('file\toriginal\tfamily\tparams\n')
        for r in rows:
            f.write('\t'.join(r) + '\n')
    os.rename(tmp, os.path.join(args.outdir, 'manifest.tsv'))
    print('make_evalset: wrote %d files' % len(rows), file=sys.stderr)


if __name__ == '__main__':
    main()
