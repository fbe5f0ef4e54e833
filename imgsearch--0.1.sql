/* imgsearch--0.1.sql: the phash type, image hashing and Hamming distance */

\echo Use "CREATE EXTENSION imgsearch" to load this file. \quit

-------------------------------------------------------------------------
-- The phash type
-------------------------------------------------------------------------

CREATE TYPE phash;

CREATE FUNCTION phash_in(cstring) RETURNS phash
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION phash_out(phash) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION phash_recv(internal) RETURNS phash
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION phash_send(phash) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE phash (
	INPUT = phash_in,
	OUTPUT = phash_out,
	RECEIVE = phash_recv,
	SEND = phash_send,
	INTERNALLENGTH = 8,
	PASSEDBYVALUE,
	ALIGNMENT = double,
	STORAGE = plain
);

COMMENT ON TYPE phash IS '64-bit perceptual image hash, written as 16 hexadecimal digits (Python ImageHash format)';
COMMENT ON FUNCTION phash_in(cstring) IS 'parse 16 hexadecimal digits as a phash';
COMMENT ON FUNCTION phash_out(phash) IS 'print a phash as 16 lower-case hexadecimal digits';
COMMENT ON FUNCTION phash_recv(internal) IS 'read a phash in binary form (8 bytes, most significant first)';
COMMENT ON FUNCTION phash_send(phash) IS 'write a phash in binary form (8 bytes, most significant first)';

-- Casts that keep the bit pattern

CREATE FUNCTION phash_to_bigint(phash) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION phash_from_bigint(bigint) RETURNS phash
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION phash_to_bit(phash) RETURNS bit
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION phash_from_bit(bit) RETURNS phash
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (phash AS bigint) WITH FUNCTION phash_to_bigint(phash);
CREATE CAST (bigint AS phash) WITH FUNCTION phash_from_bigint(bigint);
CREATE CAST (phash AS bit) WITH FUNCTION phash_to_bit(phash);
CREATE CAST (bit AS phash) WITH FUNCTION phash_from_bit(bit);
CREATE CAST (bit varying AS phash) WITH FUNCTION phash_from_bit(bit);

COMMENT ON CAST (phash AS bigint) IS 'the 64 bits as a bigint (first bit = sign bit)';
COMMENT ON CAST (bigint AS phash) IS 'a bigint''s 64 bits as a phash';
COMMENT ON CAST (phash AS bit) IS 'the 64 bits as bit(64), first bit first';
COMMENT ON CAST (bit AS phash) IS 'bit(64) as a phash; other lengths are an error';
COMMENT ON CAST (bit varying AS phash) IS '64-bit bit varying as a phash; other lengths are an error';
COMMENT ON FUNCTION phash_to_bigint(phash) IS 'the phash bits as a bigint (the first bit becomes the sign)';
COMMENT ON FUNCTION phash_from_bigint(bigint) IS 'a bigint''s 64 bits as a phash';
COMMENT ON FUNCTION phash_to_bit(phash) IS 'the phash as bit(64), first bit first';
COMMENT ON FUNCTION phash_from_bit(bit) IS 'a bit(64) or 64-bit bit varying as a phash; other lengths are an error';

-- Comparison (unsigned 64-bit order, which is also the text order)

CREATE FUNCTION phash_eq(phash, phash) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION phash_ne(phash, phash) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION phash_lt(phash, phash) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION phash_le(phash, phash) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION phash_gt(phash, phash) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION phash_ge(phash, phash) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION phash_cmp(phash, phash) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION phash_sortsupport(internal) RETURNS void
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION phash_hash(phash) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION phash_hash_extended(phash, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

COMMENT ON FUNCTION phash_eq(phash, phash) IS 'implementation of = for phash';
COMMENT ON FUNCTION phash_ne(phash, phash) IS 'implementation of <> for phash';
COMMENT ON FUNCTION phash_lt(phash, phash) IS 'implementation of < for phash';
COMMENT ON FUNCTION phash_le(phash, phash) IS 'implementation of <= for phash';
COMMENT ON FUNCTION phash_gt(phash, phash) IS 'implementation of > for phash';
COMMENT ON FUNCTION phash_ge(phash, phash) IS 'implementation of >= for phash';
COMMENT ON FUNCTION phash_cmp(phash, phash) IS 'btree comparison for phash';
COMMENT ON FUNCTION phash_sortsupport(internal) IS 'btree sort support for phash';
COMMENT ON FUNCTION phash_hash(phash) IS 'hash function for phash';
COMMENT ON FUNCTION phash_hash_extended(phash, bigint) IS 'seeded 64-bit hash function for phash';

CREATE OPERATOR = (
	LEFTARG = phash, RIGHTARG = phash, PROCEDURE = phash_eq,
	COMMUTATOR = =, NEGATOR = <>,
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = phash, RIGHTARG = phash, PROCEDURE = phash_ne,
	COMMUTATOR = <>, NEGATOR = =,
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
	LEFTARG = phash, RIGHTARG = phash, PROCEDURE = phash_lt,
	COMMUTATOR = >, NEGATOR = >=,
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = phash, RIGHTARG = phash, PROCEDURE = phash_le,
	COMMUTATOR = >=, NEGATOR = >,
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
	LEFTARG = phash, RIGHTARG = phash, PROCEDURE = phash_gt,
	COMMUTATOR = <, NEGATOR = <=,
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = phash, RIGHTARG = phash, PROCEDURE = phash_ge,
	COMMUTATOR = <=, NEGATOR = <,
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

COMMENT ON OPERATOR = (phash, phash) IS 'equal';
COMMENT ON OPERATOR <> (phash, phash) IS 'not equal';
COMMENT ON OPERATOR < (phash, phash) IS 'less than (unsigned 64-bit order)';
COMMENT ON OPERATOR <= (phash, phash) IS 'less than or equal (unsigned 64-bit order)';
COMMENT ON OPERATOR > (phash, phash) IS 'greater than (unsigned 64-bit order)';
COMMENT ON OPERATOR >= (phash, phash) IS 'greater than or equal (unsigned 64-bit order)';

CREATE OPERATOR CLASS phash_ops
	DEFAULT FOR TYPE phash USING btree AS
		OPERATOR 1 <,
		OPERATOR 2 <=,
		OPERATOR 3 =,
		OPERATOR 4 >=,
		OPERATOR 5 >,
		FUNCTION 1 phash_cmp(phash, phash),
		FUNCTION 2 phash_sortsupport(internal);

CREATE OPERATOR CLASS phash_ops
	DEFAULT FOR TYPE phash USING hash AS
		OPERATOR 1 =,
		FUNCTION 1 phash_hash(phash),
		FUNCTION 2 phash_hash_extended(phash, bigint);

COMMENT ON OPERATOR CLASS phash_ops USING btree IS 'btree operator class for phash: unsigned 64-bit order';
COMMENT ON OPERATOR FAMILY phash_ops USING btree IS 'btree operator family for phash';
COMMENT ON OPERATOR CLASS phash_ops USING hash IS 'hash operator class for phash';
COMMENT ON OPERATOR FAMILY phash_ops USING hash IS 'hash operator family for phash';

-------------------------------------------------------------------------
-- Hamming distance and the hamming_ball radius predicate
-------------------------------------------------------------------------

CREATE FUNCTION hamming_distance(phash, phash) RETURNS integer
	AS 'MODULE_PATHNAME', 'phash_hamming_distance'
	LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION hamming_distance(phash, phash) IS 'number of bits in which two hashes differ (0 to 64)';

CREATE OPERATOR <~> (
	LEFTARG = phash, RIGHTARG = phash, PROCEDURE = hamming_distance,
	COMMUTATOR = <~>
);
COMMENT ON OPERATOR <~> (phash, phash) IS 'Hamming distance';

CREATE TYPE hamming_ball;

CREATE FUNCTION hamming_ball_in(cstring) RETURNS hamming_ball
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hamming_ball_out(hamming_ball) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hamming_ball_recv(internal) RETURNS hamming_ball
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hamming_ball_send(hamming_ball) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE hamming_ball (
	INPUT = hamming_ball_in,
	OUTPUT = hamming_ball_out,
	RECEIVE = hamming_ball_recv,
	SEND = hamming_ball_send,
	INTERNALLENGTH = 16,
	ALIGNMENT = double,
	STORAGE = plain
);

COMMENT ON TYPE hamming_ball IS 'the phash values within a Hamming radius of a centre, written (centre,radius)';
COMMENT ON FUNCTION hamming_ball_in(cstring) IS 'parse (centre,radius) as a hamming_ball';
COMMENT ON FUNCTION hamming_ball_out(hamming_ball) IS 'print a hamming_ball as (centre,radius)';
COMMENT ON FUNCTION hamming_ball_recv(internal) IS 'read a hamming_ball in binary form';
COMMENT ON FUNCTION hamming_ball_send(hamming_ball) IS 'write a hamming_ball in binary form';

CREATE FUNCTION hamming_ball(center phash, radius integer) RETURNS hamming_ball
	AS 'MODULE_PATHNAME', 'hamming_ball_make'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hamming_ball(phash, integer) IS 'the hashes within radius bits (0 to 64) of center, for use with <@';

CREATE FUNCTION hamming_ball_center(hamming_ball) RETURNS phash
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hamming_ball_center(hamming_ball) IS 'the centre of a hamming_ball';
CREATE FUNCTION hamming_ball_radius(hamming_ball) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hamming_ball_radius(hamming_ball) IS 'the radius of a hamming_ball';

CREATE FUNCTION phash_in_hamming_ball(phash, hamming_ball) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION phash_in_hamming_ball(phash, hamming_ball) IS 'implementation of <@ (phash, hamming_ball)';
CREATE FUNCTION hamming_ball_contains_phash(hamming_ball, phash) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION hamming_ball_contains_phash(hamming_ball, phash) IS 'implementation of @> (hamming_ball, phash)';

CREATE FUNCTION hamming_ball_restrict_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hamming_ball_restrict_sel(internal, oid, internal, integer) IS 'restriction selectivity of <@ and @> (MCVs, histogram and the binomial tail)';
CREATE FUNCTION hamming_ball_join_sel(internal, oid, internal, smallint, internal) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hamming_ball_join_sel(internal, oid, internal, smallint, internal) IS 'join selectivity of <@ and @> (the binomial tail of the radius)';

CREATE OPERATOR <@ (
	LEFTARG = phash, RIGHTARG = hamming_ball,
	PROCEDURE = phash_in_hamming_ball,
	COMMUTATOR = @>,
	RESTRICT = hamming_ball_restrict_sel, JOIN = hamming_ball_join_sel
);
COMMENT ON OPERATOR <@ (phash, hamming_ball) IS 'is within the Hamming radius of the centre';

CREATE OPERATOR @> (
	LEFTARG = hamming_ball, RIGHTARG = phash,
	PROCEDURE = hamming_ball_contains_phash,
	COMMUTATOR = <@,
	RESTRICT = hamming_ball_restrict_sel, JOIN = hamming_ball_join_sel
);
COMMENT ON OPERATOR @> (hamming_ball, phash) IS 'contains the hash within its Hamming radius';

-------------------------------------------------------------------------
-- Hashing images (JPEG or PNG bytes), bit-identical to Python ImageHash 4.x
-------------------------------------------------------------------------

CREATE FUNCTION phash(image bytea) RETURNS phash
	AS 'MODULE_PATHNAME', 'image_phash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION phash(bytea) IS 'perceptual (DCT) hash of a JPEG or PNG image, as ImageHash phash()';

CREATE FUNCTION dhash(image bytea) RETURNS phash
	AS 'MODULE_PATHNAME', 'image_dhash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION dhash(bytea) IS 'difference hash of a JPEG or PNG image, as ImageHash dhash()';

CREATE FUNCTION ahash(image bytea) RETURNS phash
	AS 'MODULE_PATHNAME', 'image_ahash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION ahash(bytea) IS 'average hash of a JPEG or PNG image, as ImageHash average_hash()';

CREATE FUNCTION image_hashes(image bytea,
							 OUT phash phash, OUT dhash phash, OUT ahash phash)
	AS 'MODULE_PATHNAME', 'image_hashes'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION image_hashes(bytea) IS 'phash, dhash and ahash of a JPEG or PNG image from a single decode';

CREATE FUNCTION image_info(image bytea,
						   OUT format text, OUT width integer, OUT height integer)
	AS 'MODULE_PATHNAME', 'image_info'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION image_info(bytea) IS 'format (jpeg or png), width and height of an image, from its header';

-------------------------------------------------------------------------
-- Caption search
-------------------------------------------------------------------------

CREATE FUNCTION caption_tsvector(caption text) RETURNS tsvector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_tsvector(text) IS 'a caption''s words, case and accents folded, camelCase split, CJK as bigrams, for GIN indexes';

CREATE FUNCTION caption_tsquery(query text) RETURNS tsquery
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_tsquery(text) IS 'a web-search style query (words ANDed, "phrases", or, -word) normalised as caption_tsvector';

CREATE FUNCTION caption_matches(caption text, query text) RETURNS boolean
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN caption_tsvector(caption) @@ caption_tsquery(query);
COMMENT ON FUNCTION caption_matches(text, text) IS 'whether the caption matches the web-search style query; uses a GIN index on caption_tsvector(caption)';

CREATE FUNCTION caption_phrase_tsquery(query text) RETURNS tsquery
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_phrase_tsquery(text) IS 'every word of the query, in order, as one phrase (for caption_rank)';

CREATE FUNCTION caption_rank(caption text, query text) RETURNS real
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_rank(text, text) IS 'relevance of a caption to a query: the typed words adjacent and in order first, then close together; shorter captions first';

CREATE FUNCTION caption_highlight(caption text, query text,
								  start_sel text DEFAULT '<b>', stop_sel text DEFAULT '</b>')
	RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caption_highlight(text, text, text, text) IS 'the caption with the words the query names between start_sel and stop_sel';
