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

-- URLs and domains, for opt-out checks: the normal form of a web URL (the
-- WHATWG URL standard's, plus the README's extra steps), its host, and its
-- registrable domain from the Public Suffix List.  NULL for anything that
-- is not an absolute http, https, ws, wss or ftp URL.
CREATE FUNCTION url_normalize(url text) RETURNS text
	AS 'MODULE_PATHNAME', 'url_normalize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION url_normalize(text) IS 'the normal form of a web URL (WHATWG URL standard, fragment and tracking parameters removed, unreserved percent-encodings decoded), or NULL if it is not one';

CREATE FUNCTION url_host(url text) RETURNS text
	AS 'MODULE_PATHNAME', 'url_host'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION url_host(text) IS 'the host of a web URL as url_normalize writes it (lower case, internationalised names in punycode, IP addresses in their usual form), or NULL';

CREATE FUNCTION url_domain(url text) RETURNS text
	AS 'MODULE_PATHNAME', 'url_domain'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION url_domain(text) IS 'the registrable domain of a web URL''s host from the Public Suffix List (images.example.co.uk: example.co.uk), or NULL for IP addresses, public suffixes and what is not a URL';
