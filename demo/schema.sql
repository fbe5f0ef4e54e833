-- demo/schema.sql: the demo database's tables, before any row is loaded.
--
-- images is what img2pgsql loads, a LAION-style row per image (img2pgsql
-- -C key,url,caption,width,height,phash, the same definition its --create
-- makes); image_meta is the OpenClipart metadata the captions were built
-- from, one row per key; load_failures lists the images img2pgsql refused
-- and why.  clipart joins them for psql users.  Safe to run again.

SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS imgsearch;
ALTER EXTENSION imgsearch UPDATE;	-- a demo database kept from an older release
ALTER EXTENSION imgsearch UPDATE;

CREATE TABLE IF NOT EXISTS images (
	key text PRIMARY KEY,
	url text,
	caption text,
	width integer,
	height integer,
	phash phash
);

CREATE TABLE IF NOT EXISTS image_meta (
	key text PRIMARY KEY,
	artist text,
	title text,
	description text,
	keywords text[],
	category text,
	file text
);

CREATE TABLE IF NOT EXISTS load_failures (
	key text PRIMARY KEY,
	reason text
);

CREATE OR REPLACE VIEW clipart AS
	SELECT i.key, m.artist, m.title, i.caption, i.width, i.height, i.phash,
		   i.url, m.file, m.category, m.keywords
	FROM images i
	JOIN image_meta m USING (key);

COMMENT ON TABLE images IS 'the OpenClipart sample set, LAION-style, loaded by img2pgsql';
COMMENT ON TABLE image_meta IS 'OpenClipart RDF metadata (artist, title, ...) of each image, by key';
COMMENT ON TABLE load_failures IS 'images img2pgsql could not load, with its reason';
COMMENT ON VIEW clipart IS 'images with their artist and title';
