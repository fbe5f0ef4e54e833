-- imgsearch 0.3 -> 0.4: robust reverse search, URL functions, the opt-out registry
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

CREATE FUNCTION url_host_domains(url text) RETURNS text[]
	AS 'MODULE_PATHNAME', 'url_host_domains'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION url_host_domains(text) IS 'the host of a web URL and each domain it is under, down to its registrable domain (images.cdn.example.co.uk: {images.cdn.example.co.uk, cdn.example.co.uk, example.co.uk}), or NULL';

-- The opt-out registry: entries by exact URL, by domain (with or without
-- its subdomains) and by picture, each with its source and time.  The
-- tables belong to the extension, and pg_dump dumps their rows.
CREATE TABLE optout_url (
	id bigserial PRIMARY KEY,
	url text NOT NULL,
	url_normal text GENERATED ALWAYS AS (url_normalize(url)) STORED,
	source text NOT NULL DEFAULT '',
	registered_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT optout_url_is_a_url CHECK (url_normal IS NOT NULL)
);
CREATE INDEX optout_url_normal ON optout_url (url_normal);
-- the 64-bit key of the normal form, which optout_check_urls() looks a
-- batch up by in one walk along this index's leaves (int8 keys sort the
-- same in every collation, and compare cheaply)
CREATE INDEX optout_url_key ON optout_url (hashtextextended(url_normal, 0));
COMMENT ON TABLE optout_url IS 'opt-out registry: links whose picture must not be used, matched by url_normalize()';

CREATE TABLE optout_domain (
	id bigserial PRIMARY KEY,
	domain text NOT NULL,
	domain_normal text GENERATED ALWAYS AS (url_host('http://' || domain || '/')) STORED,
	subdomains boolean NOT NULL DEFAULT true,
	source text NOT NULL DEFAULT '',
	registered_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT optout_domain_is_a_host CHECK (domain_normal IS NOT NULL AND domain !~ '[/\\?#@:]')
);
CREATE INDEX optout_domain_normal ON optout_domain (domain_normal);
COMMENT ON TABLE optout_domain IS 'opt-out registry: hosts or domains (with their subdomains unless subdomains is false) whose pictures must not be used';

CREATE TABLE optout_image (
	id bigserial PRIMARY KEY,
	hash phash NOT NULL,
	dhash phash,
	radius integer NOT NULL DEFAULT 8 CONSTRAINT optout_image_radius CHECK (radius BETWEEN 0 AND 64),
	label text,
	source text NOT NULL DEFAULT '',
	registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX optout_image_hash ON optout_image USING mih (hash);
COMMENT ON TABLE optout_image IS 'opt-out registry: pictures (their phash and dhash) whose copies must not be used';

COMMENT ON SEQUENCE optout_url_id_seq IS 'ids of optout_url entries';
COMMENT ON SEQUENCE optout_domain_id_seq IS 'ids of optout_domain entries';
COMMENT ON SEQUENCE optout_image_id_seq IS 'ids of optout_image entries';

SELECT pg_catalog.pg_extension_config_dump('optout_url', '');
SELECT pg_catalog.pg_extension_config_dump('optout_url_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('optout_domain', '');
SELECT pg_catalog.pg_extension_config_dump('optout_domain_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('optout_image', '');
SELECT pg_catalog.pg_extension_config_dump('optout_image_id_seq', '');

-- Register a picture from its bytes: its phash and dhash, searched within
-- radius bits (not STRICT: label may be NULL; NULL bytes fail the NOT NULL
-- of hash)
CREATE FUNCTION optout_register_image(image bytea, source text DEFAULT '',
		label text DEFAULT NULL, radius integer DEFAULT 8)
	RETURNS bigint
	LANGUAGE sql VOLATILE PARALLEL UNSAFE
	BEGIN ATOMIC
		INSERT INTO optout_image (hash, dhash, radius, label, source)
		SELECT h.phash, h.dhash, optout_register_image.radius, optout_register_image.label,
			   optout_register_image.source
		FROM image_hashes(optout_register_image.image) h
		RETURNING id;
	END;
COMMENT ON FUNCTION optout_register_image(bytea, text, text, integer) IS 'add a picture to the opt-out registry from its bytes; returns its entry''s id';

-- Check a batch of URLs: one row per element, in order, with the entry
-- that opts it out (by exact URL, else by domain; the lowest id of a
-- kind).  In C (src/optout/check_urls.c): each URL is normalised once,
-- then the batch's URL keys are looked up in optout_url_key (one walk
-- along its leaves), and its hosts and parent domains in
-- optout_domain_normal (a descent per name, or one pass over the index).
CREATE FUNCTION optout_check_urls(urls text[],
		OUT ord bigint, OUT url text, OUT normal text, OUT opted_out boolean,
		OUT reason text, OUT entry_id bigint, OUT entry text, OUT source text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'optout_check_urls'
	LANGUAGE C STABLE STRICT PARALLEL SAFE COST 200 ROWS 1000;
COMMENT ON FUNCTION optout_check_urls(text[]) IS 'check a batch of URLs against the opt-out registry: one row per URL with whether it is opted out, why (url or domain) and by which entry';

-- Check a picture: the registered pictures it, or an altered copy of it
-- (robust search's variants), matches
CREATE FUNCTION optout_check_image(image bytea,
		OUT entry_id bigint, OUT label text, OUT source text, OUT variant text,
		OUT distance integer)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
	BEGIN ATOMIC
		SELECT DISTINCT ON (o.id) o.id, o.label, o.source, v.variant, o.hash <~> v.hash
		FROM phash_variants(optout_check_image.image) v
		JOIN optout_image o ON o.hash <@ v.ball
			AND (v.dhash_ball IS NULL OR o.dhash IS NULL OR o.dhash <@ v.dhash_ball)
		ORDER BY o.id, o.hash <~> v.hash;
	END;
COMMENT ON FUNCTION optout_check_image(bytea) IS 'the opt-out registry''s pictures that an uploaded picture, or a mirrored, turned, cropped or tilted copy of it, matches';

-- The caption index (src/caption/index/capindex.h): an index access method
-- of its own that keeps each caption's words with their positions, so that
-- caption search is answered exactly from it, phrases included, with no
-- word pairs.  CREATE INDEX ON images USING caption (caption), then
-- WHERE caption @@@ 'query'.
-- (COST: it tokenises the caption, some microseconds, so that the planner
-- weighs a sequential scan calling it on every row against the index)
CREATE FUNCTION caption_match_op(caption text, query text) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION caption_match_op(text, text) IS 'the function of caption @@@ query: whether the caption matches the web-search style query, as caption_matches';

-- its selectivity: from the words' document frequencies in a caption index
-- on the column, else matchingsel's
CREATE FUNCTION caption_match_sel(internal, oid, internal, integer) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_match_sel(internal, oid, internal, integer) IS 'restriction selectivity of caption @@@ query: from the words'' document frequencies in a caption index on the column, else matchingsel''s';

CREATE OPERATOR @@@ (
	LEFTARG = text, RIGHTARG = text, FUNCTION = caption_match_op,
	RESTRICT = caption_match_sel, JOIN = matchingjoinsel);
COMMENT ON OPERATOR @@@ (text, text) IS 'caption @@@ query: whether the caption matches the web-search style query (as caption_matches); served by a caption index';

CREATE FUNCTION caption_handler(internal) RETURNS index_am_handler
	AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION caption_handler(internal) IS 'handler of the caption index access method';

CREATE ACCESS METHOD caption TYPE INDEX HANDLER caption_handler;
COMMENT ON ACCESS METHOD caption IS 'inverted index of caption words with positions: caption @@@ query, phrases exact';

CREATE OPERATOR CLASS caption_ops DEFAULT FOR TYPE text USING caption AS
	OPERATOR 1 @@@ (text, text);
COMMENT ON OPERATOR CLASS caption_ops USING caption IS 'caption index operator class for text: caption @@@ query';

CREATE FUNCTION caption_index_stats(index regclass,
		OUT segments integer, OUT documents bigint, OUT dead_documents bigint,
		OUT words bigint, OUT pending_entries bigint, OUT pending_pages bigint,
		OUT pages bigint)
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_index_stats(regclass) IS 'what a caption index holds: segments, documents (dead ones included) and distinct words in them, pending list entries and pages, index pages';
COMMENT ON OPERATOR FAMILY caption_ops USING caption IS 'caption index operator family for text: caption @@@ query';

-- caption_matches becomes caption @@@ query's C function with a planner
-- support function: a caption index on the caption serves it (index
-- condition caption @@@ query); without one, a GIN index on
-- caption_tsvector(caption) serves it as before (the call becomes
-- caption_tsvector(caption) @@ caption_tsquery(query), its definition)
CREATE FUNCTION caption_matches_support(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
COMMENT ON FUNCTION caption_matches_support(internal) IS 'planner support for caption_matches: served by a caption index, or by a GIN index on caption_tsvector';

CREATE OR REPLACE FUNCTION caption_matches(caption text, query text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'caption_match_op'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100
	SUPPORT caption_matches_support;
COMMENT ON FUNCTION caption_matches(text, text) IS 'whether the caption matches the web-search style query; uses a caption index on the caption, or a GIN index on caption_tsvector(caption)';
