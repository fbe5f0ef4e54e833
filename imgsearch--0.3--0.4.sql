-- imgsearch 0.3 -> 0.4: robust reverse search
\echo Use "ALTER EXTENSION imgsearch UPDATE TO '0.4'" to load this file. \quit

-- The variants of a query picture that robust search looks for: one row
-- per altered version (mirrored, rotated, cropped, framed, tilted), each
-- with its phash, the ball to search the dataset's phash column with, and
-- its dhash with the ball a dataset's dhash column must also fall in
-- (NULL where no check applies).  Joined to a table on hash <@ ball, a
-- mih index finds every altered copy in one query.
CREATE FUNCTION phash_variants(image bytea,
		families text[] DEFAULT '{whole,flip,crop,frame,tilt}',
		OUT variant text, OUT family text, OUT hash phash,
		OUT ball hamming_ball, OUT dhash phash, OUT dhash_ball hamming_ball)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'image_phash_variants'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 40000 ROWS 110;
COMMENT ON FUNCTION phash_variants(bytea, text[]) IS 'the mirrored, rotated, cropped, framed and tilted variants of an image that robust search looks for, each with its phash, search ball, dhash and dhash check';

CREATE FUNCTION phash_variants(image bytea, families text[], radius integer,
		OUT variant text, OUT family text, OUT hash phash,
		OUT ball hamming_ball, OUT dhash phash, OUT dhash_ball hamming_ball)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'image_phash_variants'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 40000 ROWS 110;
COMMENT ON FUNCTION phash_variants(bytea, text[], integer) IS 'the variants of an image as phash_variants(image, families), every ball of the given radius';
