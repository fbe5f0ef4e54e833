-- Bad image input: every broken file in test/fixtures/broken gives an ERROR
-- with a SQLSTATE and a message naming the problem (never a crash), and the
-- pixel limit refuses large images from their header.
CREATE EXTENSION IF NOT EXISTS imgsearch;

\getenv abs_srcdir PG_ABS_SRCDIR
\set broken_dir :abs_srcdir '/test/fixtures/broken/'
\set valid_dir :abs_srcdir '/test/fixtures/valid/'

\set VERBOSITY default
\set SHOW_CONTEXT never

-- not images at all
SELECT phash(''::bytea);
SELECT phash('\x00'::bytea);
SELECT dhash(convert_to('hello, world', 'UTF8'));
SELECT ahash('\x4749463839610100010000'::bytea);
SELECT * FROM image_info('\x89504e47'::bytea);

-- the signature alone, and broken headers
SELECT phash('\xffd8ff'::bytea);
SELECT phash('\x89504e470d0a1a0a'::bytea);

-- each broken fixture: SQLSTATE and message, from a function that catches the error
CREATE FUNCTION try_hash(path text, which text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	img bytea := pg_read_binary_file(path);
	state text;
	msg text;
	detail text;
BEGIN
	IF which = 'phash' THEN
		RETURN phash(img)::text;
	ELSIF which = 'image_hashes' THEN
		RETURN (SELECT h::text FROM image_hashes(img) h);
	ELSE
		RETURN (SELECT i::text FROM image_info(img) i);
	END IF;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
	RETURN state || ' ' || msg || ' / ' || detail;
END $$;

SELECT name, try_hash(:'broken_dir' || name, 'phash') AS phash
FROM pg_ls_dir(:'broken_dir') AS name
WHERE name NOT LIKE '%.md' AND name NOT LIKE '%.tsv'
ORDER BY name;

-- header-only reading tells sizes without decoding, even of huge images
SELECT name, try_hash(:'broken_dir' || name, 'image_info') AS info
FROM (VALUES ('png_ihdr_100000x100000.png'), ('jpeg_sof_65000x65000.jpg'),
             ('jpeg_trunc_scan_50pct.jpg'), ('png_trunc_mid_idat.png')) AS v(name)
ORDER BY name;

-- the pixel limit: refused from the header, with a hint
SET imgsearch.max_image_pixels = 1000;
SELECT phash(pg_read_binary_file(:'valid_dir' || 'png_rgb8.png'));
SELECT try_hash(:'valid_dir' || 'jpeg_420.jpg', 'image_hashes');
SELECT * FROM image_info(pg_read_binary_file(:'valid_dir' || 'png_rgb8.png'));
SET imgsearch.max_image_pixels = 2867;	-- png_rgb8.png is 61 x 47 = 2867 pixels
SELECT phash(pg_read_binary_file(:'valid_dir' || 'png_rgb8.png')) IS NOT NULL AS exactly_at_limit;
SET imgsearch.max_image_pixels = 2866;
SELECT phash(pg_read_binary_file(:'valid_dir' || 'png_rgb8.png')) IS NOT NULL AS one_over_limit;
RESET imgsearch.max_image_pixels;
SHOW imgsearch.max_image_pixels;
SET imgsearch.max_image_pixels = 0;
SET imgsearch.no_such_setting = 1;

-- the limit is a superuser setting
CREATE ROLE imgsearch_plain_user;
SET ROLE imgsearch_plain_user;
SET imgsearch.max_image_pixels = 1000000000;
RESET ROLE;
DROP ROLE imgsearch_plain_user;

-- NULL in, NULL out
SELECT phash(NULL) IS NULL AS null_phash, (image_info(NULL)).format IS NULL AS null_info;
