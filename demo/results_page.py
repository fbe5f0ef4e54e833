#!/usr/bin/python3
"""Write the demo's results page: query images beside their matches.

Reads the JSON document of results_page.sql (--results) and the query
images' CSV files (--queries, from make_query_images.py), and writes one
self-contained HTML file (--out): every picture is a thumbnail embedded as
a data: URI, so the page opens from disk, or anywhere it is copied to.

A small script in the page counts the pictures that loaded (naturalWidth >
0) once the page has loaded and writes the count into #image-check, with
data-status="ok" when all did: test_results_page.sh reads it back from
headless Chromium.
"""

import argparse
import base64
import csv
import html
import io
import json
import os
import warnings

from PIL import Image

THUMB_SIZE = 160
warnings.simplefilter("ignore", Image.DecompressionBombWarning)

CHECK_SCRIPT = """
window.addEventListener("load", function () {
  var images = document.images, loaded = 0;
  for (var i = 0; i < images.length; i++)
    if (images[i].complete && images[i].naturalWidth > 0) loaded++;
  var check = document.getElementById("image-check");
  check.textContent = loaded + " of " + images.length + " images loaded";
  check.dataset.status = (images.length > 0 && loaded === images.length) ? "ok" : "failed";
});
"""

STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 1.8em; border-bottom: 2px solid #ccc; }
.row { display: flex; align-items: flex-start; gap: 1em; margin: 1em 0; }
.query { flex: none; }
.matches { display: flex; flex-wrap: wrap; gap: 0.6em; }
.card { width: 180px; background: #fff; border: 1px solid #ddd; border-radius: 6px;
        padding: 6px; font-size: 12px; }
.card.query-card { border: 2px solid #36c; background: #eef3ff; }
.card.original { border: 2px solid #2a2; }
.card .pic { height: 160px; display: flex; align-items: center; justify-content: center;
             background: #fff; }
.card img { max-width: 160px; max-height: 160px; }
.card .caption { color: #555; max-height: 4.2em; overflow: hidden; }
.distance { font-weight: bold; color: #2a2; }
.none { color: #a22; font-style: italic; align-self: center; }
.text-query { font-size: 20px; padding: 1em; width: 150px; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
td img { max-height: 48px; max-width: 64px; }
.note { color: #666; font-size: 13px; max-width: 60em; }
#image-check { color: #666; font-size: 12px; }
"""


def thumbnail_uri(path):
    """Return a PNG thumbnail of an image file as a data: URI."""
    with Image.open(path) as image:
        image.draft("RGB", (THUMB_SIZE, THUMB_SIZE))    # JPEG: decode small
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def esc(value):
    """Escape a value for HTML text or attributes."""
    return html.escape("" if value is None else str(value))


def card(picture, lines, css=""):
    """One thumbnail with lines of text under it."""
    text = "".join("<div%s>%s</div>" % (' class="%s"' % c if c else "", t) for c, t in lines)
    return ('<div class="card %s"><div class="pic"><img src="%s" alt=""></div>%s</div>'
            % (css, thumbnail_uri(picture), text))


def match_card(match, extra=None, css=""):
    """A matching image of the set: thumbnail, key, title, artist, caption."""
    lines = [("", "<b>%s</b> &middot; %s" % (esc(match["title"]), esc(match["key"]))),
             ("", "by " + esc(match["artist"] or "(unknown)"))]
    if extra:
        lines.append(extra)
    lines.append(("caption", esc(match["caption"])))
    return card(match["file"], lines, css)


def distance_line(distance):
    """The Hamming distance line of a match."""
    return ("distance", "distance %d bit%s" % (distance, "" if distance == 1 else "s"))


def matches_html(matches, radius, original_key=None):
    """The matches of an image query, or a note that there are none."""
    if not matches:
        return '<div class="none">no image within %d bits</div>' % radius
    return "".join(match_card(m, distance_line(m["distance"]),
                              "original" if m["key"] == original_key else "")
                   for m in matches)


def read_csv(path):
    """Read a CSV file with a header into a list of dicts."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", required=True, help="results_page.sql's JSON")
    parser.add_argument("--queries", required=True, help="the query images' folder")
    parser.add_argument("--out", required=True, help="the HTML file to write")
    args = parser.parse_args()

    with open(args.results) as f:
        results = json.load(f)
    search = read_csv(os.path.join(args.queries, "search.csv"))[0]
    radius = results["radius"]
    parts = []

    parts.append("<h1>imgsearch demo: the OpenClipart sample set</h1>")
    parts.append('<p>%d images by %d artists, loaded with img2pgsql%s. Image searches find '
                 'every image whose phash is within %d bits of the query&rsquo;s.</p>'
                 % (results["images"], results["artists"],
                    " (%d refused as too large)" % results["refused"] if results["refused"] else "",
                    radius))

    caption = results["caption_search"]
    parts.append("<h2>(a) Caption search: &ldquo;%s&rdquo;</h2>" % esc(caption["text"]))
    parts.append("<p>%d captions mention it; the first %d by rank:</p>"
                 % (caption["count"], len(caption["top"])))
    parts.append('<div class="row"><div class="card query-card text-query">&ldquo;%s&rdquo;</div>'
                 '<div class="matches">%s</div></div>'
                 % (esc(caption["text"]),
                    "".join(match_card(m, ("", "rank %s" % m["rank"])) for m in caption["top"])
                    or '<div class="none">no caption mentions it</div>'))

    image = results["image_search"]
    parts.append("<h2>(b) Reverse-image search: an altered copy</h2>")
    parts.append('<p class="note">The query is a copy of image %s, %s. Its hash is %s. '
                 'The copy drops the transparency (as Pillow&rsquo;s convert(&quot;RGB&quot;) '
                 'does), showing the colour underneath, which is what the hashes see: they '
                 'ignore alpha, as ImageHash does.</p>'
                 % (esc(search["original_key"]), esc(search["alteration"]), esc(image["hash"])))
    parts.append('<div class="row"><div class="query">%s</div><div class="matches">%s</div></div>'
                 % (card(image["file"], [("", "<b>query</b>: " + esc(search["alteration"]))],
                         "query-card"),
                    matches_html(image["matches"], radius, search["original_key"])))

    parts.append("<h2>(c) Artists ranked by number of images</h2>")
    rows = "".join('<tr><td>%s</td><td>%s</td><td>%d</td></tr>'
                   % ('<img src="%s" alt="">' % thumbnail_uri(a["sample_file"])
                      if a["sample_file"] else "", esc(a["artist"]), a["images"])
                   for a in results["artist_ranking"] or [])
    parts.append("<table><tr><th></th><th>artist</th><th>images</th></tr>%s</table>" % rows)

    parts.append("<h2>(d) A portfolio matched against the whole set</h2>")
    parts.append('<p class="note">One join: <code>portfolio p LEFT JOIN clipart c ON '
                 'c.phash &lt;@ hamming_ball(p.hash, %d)</code>.</p>' % radius)
    for item in results["portfolio"] or []:
        parts.append('<div class="row"><div class="query">%s</div><div class="matches">%s</div></div>'
                     % (card(item["file"], [("", "<b>%s</b>" % esc(item["title"])),
                                            ("", esc(item["alteration"]))], "query-card"),
                        matches_html(item["matches"], radius)))

    parts.append('<p id="image-check" data-status="pending">images not checked yet</p>')
    page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<title>imgsearch demo results</title><style>%s</style>'
            '<script>%s</script></head>\n<body>\n%s\n</body></html>\n'
            % (STYLE, CHECK_SCRIPT, "\n".join(parts)))
    with open(args.out, "w") as f:
        f.write(page)


if __name__ == "__main__":
    main()
