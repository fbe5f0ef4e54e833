-- demo/indexes.sql: the search indexes, made once the rows are loaded.

SET client_min_messages = warning;

-- Caption search: PostgreSQL's own full-text search for now, with the
-- 'simple' configuration so that names are not stemmed.
-- TODO(issue 4): index caption_tsvector(caption) instead, for caption_matches().
CREATE INDEX IF NOT EXISTS images_caption_fts ON images
	USING gin (to_tsvector('simple', caption));

-- Hash search: a sequential scan for now.
-- TODO(issue 3): CREATE INDEX IF NOT EXISTS images_phash_mih ON images USING mih (phash);

CREATE INDEX IF NOT EXISTS image_meta_artist ON image_meta (artist);

ANALYZE images;
ANALYZE image_meta;
