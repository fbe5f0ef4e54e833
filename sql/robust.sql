-- Robust reverse search: phash_variants() and the documented query, on the
-- pictures of test/fixtures/robust (three sources and altered copies of
-- each, made by Pillow; their phash and dhash from the independent
-- reference, ImageHash's recipe: test/tools/make_robust_fixtures.py).
CREATE EXTENSION IF NOT EXISTS imgsearch;
SET jit = off;

\getenv abs_srcdir PG_ABS_SRCDIR
\set robust_dir :abs_srcdir '/test/fixtures/robust/'
\set expected_tsv :robust_dir 'expected.tsv'

CREATE TEMP TABLE robust_files (file text, source text, edit text, phash phash, dhash phash);
COPY robust_files FROM :'expected_tsv' (FORMAT csv, DELIMITER E'\t', HEADER true);
ALTER TABLE robust_files ADD COLUMN img bytea;
UPDATE robust_files SET img = pg_read_binary_file(:'robust_dir' || file);
SELECT count(*) AS files, count(DISTINCT source) AS sources FROM robust_files;

-- the fixtures hash as the reference says
SELECT file FROM robust_files WHERE phash(img) <> phash OR dhash(img) <> dhash;

-------------------------------------------------------------------------
-- phash_variants
-------------------------------------------------------------------------

CREATE TEMP TABLE variants AS
  SELECT f.source, v.* FROM robust_files f, phash_variants(f.img) v WHERE f.edit = 'original';

-- every source has the same variants, names unique, in each family
SELECT family, count(*) / 3 AS variants, count(DISTINCT variant) AS names,
       min(hamming_ball_radius(ball)) AS min_radius, max(hamming_ball_radius(ball)) AS max_radius,
       count(dhash_ball) / 3 AS with_dhash_check
FROM variants GROUP BY family ORDER BY family <> 'whole', family;
SELECT count(*) AS sources_with_other_names FROM (
  SELECT source FROM variants
  GROUP BY source HAVING array_agg(variant ORDER BY variant) <>
    (SELECT array_agg(variant ORDER BY variant) FROM variants WHERE source = 'painting')) s;

-- each ball is centred on its variant's hash; "whole" is phash() and dhash()
SELECT count(*) AS off_centre FROM variants
WHERE hamming_ball_center(ball) <> hash OR hamming_ball_center(dhash_ball) <> dhash;
SELECT f.source, v.hash = f.phash AS whole_is_phash, v.dhash = f.dhash AS whole_is_dhash
FROM robust_files f JOIN variants v ON v.source = f.source AND v.variant = 'whole'
WHERE f.edit = 'original' ORDER BY f.source;

-- the lossless mirrors and turns (PNG): the variant of the same name is
-- within 2 bits of the reference phash of the transformed file
SELECT count(*) AS lossless_copies,
       count(*) FILTER (WHERE v.hash <~> f.phash <= 2) AS within_2_bits,
       max(v.hash <~> f.phash) AS worst
FROM robust_files f JOIN variants v ON v.source = f.source AND v.variant = f.edit
WHERE f.edit IN ('mirror', 'flip', 'rotate 90', 'rotate 180', 'rotate 270',
                 'transpose', 'transverse');

-- families: a subset, in the same order; an overall radius
SELECT array_agg(DISTINCT family) AS families, count(*) AS variants
FROM robust_files f, phash_variants(f.img, '{flip}') v WHERE f.file = 'painting_original.png';
SELECT count(*) = (SELECT count(*) FROM variants WHERE source = 'painting') AS same_count,
       min(hamming_ball_radius(ball)) AS min_radius, max(hamming_ball_radius(ball)) AS max_radius
FROM robust_files f, phash_variants(f.img, '{whole,flip,crop,frame,tilt}', 3) v
WHERE f.file = 'painting_original.png';

-------------------------------------------------------------------------
-- The documented query on a table with a mih index: 20,000 unrelated
-- rows and the files of the fixtures
-------------------------------------------------------------------------

CREATE TABLE robust_images (id serial PRIMARY KEY, url text, hash phash, dhash phash);
INSERT INTO robust_images (url, hash, dhash)
  SELECT 'https://example.org/' || i, ('x' || md5(i::text))::bit(64)::phash,
         ('x' || md5((-i)::text))::bit(64)::phash
  FROM generate_series(1, 20000) AS i;
INSERT INTO robust_images (url, hash, dhash)
  SELECT file, phash, dhash FROM robust_files ORDER BY file;
CREATE INDEX robust_images_hash ON robust_images USING mih (hash);
ANALYZE robust_images;

PREPARE robust_search(bytea) AS
  SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
  FROM phash_variants($1) v
  JOIN robust_images i ON i.hash <@ v.ball
                      AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
  ORDER BY i.id, distance;

-- served by the mih index, one probe per variant
EXPLAIN (COSTS OFF)
EXECUTE robust_search(pg_read_binary_file(:'robust_dir' || 'painting_original.png'));

-- one search per source, as the documented query: no row of another
-- source is found, and every copy of each source is, except the known
-- misses (README, Limits: a corner crop of 12% and 9%, a mirrored crop
-- shrunk to 3/4, a tilt on a white canvas are beyond the variants' reach
-- for some pictures)
CREATE FUNCTION pg_temp.robust_rows()
RETURNS TABLE (source text, id int, url text, variant text, distance int)
LANGUAGE sql AS $$
  SELECT s.source, r.*
  FROM robust_files s CROSS JOIN LATERAL (
    SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
    FROM phash_variants(s.img) v
    JOIN robust_images i ON i.hash <@ v.ball
                        AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
    ORDER BY i.id, distance) r
  WHERE s.edit = 'original'
$$;
CREATE TEMP TABLE found AS SELECT * FROM pg_temp.robust_rows();
SELECT f.source, f.edit AS not_found FROM robust_files f
WHERE NOT EXISTS (SELECT FROM found WHERE found.source = f.source AND found.url = f.file)
ORDER BY 1, 2;
SELECT found.source, found.url AS wrongly_found FROM found
LEFT JOIN robust_files f ON f.file = found.url
WHERE f.source IS DISTINCT FROM found.source ORDER BY 1, 2;
SELECT count(*) AS rows_found, count(DISTINCT (source, id)) AS distinct_rows FROM found;

-- what each copy was found by: the mirrors and turns by their own variant,
-- at distance 0 to 2
SELECT f.source, f.edit, found.variant, found.distance
FROM found JOIN robust_files f ON f.file = found.url AND f.source = found.source
WHERE f.edit IN ('mirror', 'flip', 'rotate 90', 'rotate 180', 'rotate 270',
                 'transpose', 'transverse')
  AND (found.variant <> f.edit OR found.distance > 2);

-- the same rows and distances as without the index (the variant that
-- DISTINCT ON keeps among equally near ones may differ)
SET enable_indexscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
EXECUTE robust_search(pg_read_binary_file(:'robust_dir' || 'painting_original.png'));
SELECT count(*) AS differences FROM (
  (SELECT source, id, distance FROM pg_temp.robust_rows()
   EXCEPT SELECT source, id, distance FROM found)
  UNION ALL
  (SELECT source, id, distance FROM found
   EXCEPT SELECT source, id, distance FROM pg_temp.robust_rows())) d;
RESET enable_indexscan;
RESET enable_bitmapscan;

-- today's plain search finds none of the mirrors and turns
SELECT count(*) AS plain_radius_8_finds_turned
FROM robust_files s JOIN robust_images i ON i.hash <@ hamming_ball(s.phash, 8)
JOIN robust_files f ON f.file = i.url
WHERE s.edit = 'original' AND f.source = s.source
  AND f.edit IN ('rotate 90', 'rotate 270', 'transpose', 'transverse');

-------------------------------------------------------------------------
-- Bad input: the errors of phash(), and of the options
-------------------------------------------------------------------------
\set VERBOSITY default
SELECT * FROM phash_variants('\x00'::bytea);
SELECT phash('\x00'::bytea);
SELECT * FROM phash_variants('\x89504e470d0a1a0a'::bytea);
SELECT count(*) AS null_image_rows FROM phash_variants(NULL::bytea);
SELECT * FROM phash_variants((SELECT img FROM robust_files WHERE file = 'painting_original.png'), '{mirrors}');
SELECT * FROM phash_variants((SELECT img FROM robust_files WHERE file = 'painting_original.png'), '{}');
SELECT * FROM phash_variants((SELECT img FROM robust_files WHERE file = 'painting_original.png'), '{flip,NULL}');
SELECT * FROM phash_variants((SELECT img FROM robust_files WHERE file = 'painting_original.png'), '{flip}', 65);
SELECT * FROM phash_variants((SELECT img FROM robust_files WHERE file = 'painting_original.png'), '{flip}', -1);
\set VERBOSITY terse

DROP TABLE robust_images;
