-- imgsearch 0.1 -> 0.2: the mih index access method
\echo Use "ALTER EXTENSION imgsearch UPDATE TO '0.2'" to load this file. \quit

CREATE FUNCTION mih_handler(internal) RETURNS index_am_handler
	AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION mih_handler(internal) IS 'handler of the mih index access method';

CREATE ACCESS METHOD mih TYPE INDEX HANDLER mih_handler;
COMMENT ON ACCESS METHOD mih IS 'multi-index hashing: exact Hamming radius (<@ hamming_ball) and nearest-neighbour (ORDER BY <~>) search over phash';

CREATE OPERATOR CLASS phash_ops
	DEFAULT FOR TYPE phash USING mih AS
		OPERATOR 1 <@ (phash, hamming_ball),
		OPERATOR 2 = (phash, phash),
		OPERATOR 3 <~> (phash, phash) FOR ORDER BY integer_ops;
COMMENT ON OPERATOR CLASS phash_ops USING mih IS 'mih operator class for phash: <@ hamming_ball, =, and ORDER BY <~>';
COMMENT ON OPERATOR FAMILY phash_ops USING mih IS 'mih operator family for phash';
