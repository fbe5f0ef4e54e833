-- demo/indexes.sql: the search indexes, made once the rows are loaded.

SET client_min_messages = warning;

-- Caption search: caption_matches() uses a GIN index on caption_tsvector().
DROP INDEX IF EXISTS images_caption_fts;	-- the index of earlier demos
CREATE INDEX IF NOT EXISTS images_caption ON images
	USING gin (caption_tsvector(caption));

-- Hash search: the mih index serves radius searches (<@ hamming_ball),
-- nearest-neighbour ordering (ORDER BY <~>) and joins on either.
CREATE INDEX IF NOT EXISTS images_phash_mih ON images USING mih (phash);

CREATE INDEX IF NOT EXISTS image_meta_artist ON image_meta (artist);

ANALYZE images;
ANALYZE image_meta;
