-- demo/indexes.sql: the search indexes, made once the rows are loaded.

SET client_min_messages = warning;

-- Caption search: caption_matches() uses the caption index on the caption
-- (its counts and top k too).
DROP INDEX IF EXISTS images_caption_fts;	-- the indexes of earlier demos:
DROP INDEX IF EXISTS images_caption;		-- GIN on caption_tsvector()
CREATE INDEX IF NOT EXISTS images_caption_words ON images USING caption (caption);

-- Hash search: the mih index serves radius searches (<@ hamming_ball),
-- nearest-neighbour ordering (ORDER BY <~>) and joins on either.
CREATE INDEX IF NOT EXISTS images_phash_mih ON images USING mih (phash);

CREATE INDEX IF NOT EXISTS image_meta_artist ON image_meta (artist);

ANALYZE images;
ANALYZE image_meta;
