-- Hashing images in SQL: phash(), dhash(), ahash(), image_hashes() and
-- image_info() on the fixtures in test/fixtures/valid, against the hashes
-- that the independent reference (Debian's Pillow + scipy running
-- ImageHash's recipe, test/tools/make_fixtures.py) wrote to expected.tsv.
CREATE EXTENSION IF NOT EXISTS imgsearch;

\getenv abs_srcdir PG_ABS_SRCDIR
\set fixtures :abs_srcdir '/test/fixtures/'
\set expected_tsv :fixtures 'expected.tsv'
\set valid_dir :fixtures 'valid/'

CREATE TEMP TABLE expected (file text, format text, width int, height int,
                            phash phash, dhash phash, ahash phash);
COPY expected FROM :'expected_tsv' (FORMAT csv, DELIMITER E'\t', HEADER true);

CREATE TEMP TABLE fixtures AS
  SELECT e.*, pg_read_binary_file(:'valid_dir' || e.file) AS img FROM expected e;

SELECT count(*) >= 60 AS enough_fixtures,
       count(DISTINCT format) AS formats FROM fixtures;

-- every hash matches the reference bit for bit: list any that does not
SELECT file, phash(img) AS got, phash AS expected FROM fixtures WHERE phash(img) <> phash;
SELECT file, dhash(img) AS got, dhash AS expected FROM fixtures WHERE dhash(img) <> dhash;
SELECT file, ahash(img) AS got, ahash AS expected FROM fixtures WHERE ahash(img) <> ahash;
SELECT file FROM fixtures f, image_hashes(img) h
WHERE (h.phash, h.dhash, h.ahash) IS DISTINCT FROM (f.phash, f.dhash, f.ahash);
SELECT file, i.* FROM fixtures f, image_info(img) i
WHERE (i.format, i.width, i.height) IS DISTINCT FROM (f.format, f.width, f.height);

-- a phash has 32 bits set (above the median of 64 values) unless values tie
-- at the median: flat, tiny and mirror-symmetric images.  The counts come
-- from the reference hashes; ours are identical (checked above).
SELECT file, length(replace(phash::bit(64)::text, '0', '')) AS bits_set
FROM expected WHERE length(replace(phash::bit(64)::text, '0', '')) <> 32 ORDER BY file;

-- a search over the fixtures: the same picture encoded in other ways and
-- sizes comes first
SELECT file, phash(img) <~> (SELECT phash FROM expected WHERE file = 'png_rgb8.png') AS distance
FROM fixtures ORDER BY distance, file LIMIT 12;

-- image_info reads the header only
SELECT * FROM image_info((SELECT img FROM fixtures ORDER BY file LIMIT 1));
