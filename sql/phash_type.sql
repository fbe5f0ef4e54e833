-- The phash type: text and binary forms, casts, ordering, btree and hash
-- operator classes.
CREATE EXTENSION imgsearch;

-- text form: 16 hex digits, either case in, lower case out
SELECT 'ba8c84536bd3c366'::phash, 'BA8C84536BD3C366'::phash, 'Ba8c84536bD3C366'::phash;
SELECT '0000000000000000'::phash, 'ffffffffffffffff'::phash, '8000000000000001'::phash;
SELECT 'ba8c84536bd3c366'::phash::text = 'ba8c84536bd3c366' AS text_round_trip;

-- casts keep the bit pattern (values computed by hand)
SELECT 'ffffffffffffffff'::phash::bigint AS minus_one,
       '8000000000000000'::phash::bigint AS int64_min,
       '7fffffffffffffff'::phash::bigint AS int64_max,
       '0000000000003039'::phash::bigint AS twelve_thousand_345;
SELECT 12345::bigint::phash, (-1)::bigint::phash, (-9223372036854775808)::bigint::phash;
SELECT 'ba8c84536bd3c366'::phash::bit(64);
SELECT B'1011101010001100100001000101001101101011110100111100001101100110'::phash;
SELECT count(*) AS bigint_round_trip_failures
FROM generate_series(-500, 500) AS i,
     LATERAL (SELECT (i * 18446744073709551::numeric % 9223372036854775807)::bigint AS v) AS x
WHERE v::phash::bigint <> v OR v::phash::bit(64)::phash <> v::phash
   OR v::phash::bit(64) <> v::bit(64);

-- binary send/receive: 8 bytes, most significant first
SELECT phash_send('ba8c84536bd3c366');
\getenv abs_builddir PG_ABS_BUILDDIR
\set binfile :abs_builddir '/results/phash_type.bin'
CREATE TEMP TABLE codes (h phash);
INSERT INTO codes VALUES ('ba8c84536bd3c366'), ('0000000000000000'), ('ffffffffffffffff'), (NULL);
COPY codes TO :'binfile' (FORMAT binary);
CREATE TEMP TABLE codes_back (h phash);
COPY codes_back FROM :'binfile' (FORMAT binary);
SELECT h FROM codes_back ORDER BY h NULLS LAST;

-- ordering is unsigned: 8000... sorts after 7fff...
CREATE TEMP TABLE ordered (h phash);
INSERT INTO ordered VALUES ('8000000000000000'), ('7fffffffffffffff'), ('ffffffffffffffff'),
  ('0000000000000000'), ('00000000000000ff'), ('ba8c84536bd3c366'), ('7fffffffffffffff');
SELECT h FROM ordered ORDER BY h;
SELECT h FROM ordered ORDER BY h DESC LIMIT 3;
SELECT '8000000000000000'::phash > '7fffffffffffffff'::phash AS gt,
       '8000000000000000'::phash >= '8000000000000000'::phash AS ge,
       '0000000000000001'::phash < 'ffffffffffffffff'::phash AS lt,
       '0000000000000001'::phash <= '0000000000000001'::phash AS le,
       'ba8c84536bd3c366'::phash = 'BA8C84536BD3C366'::phash AS eq,
       'ba8c84536bd3c366'::phash <> 'ba8c84536bd3c367'::phash AS ne;
SELECT min(h::text), max(h::text), count(DISTINCT h) FROM ordered;

-- sorting agrees with the text order on many values (external sort included)
CREATE TEMP TABLE many AS
  SELECT ((i * 2654435761) # (i * 40503 << 20))::bit(64)::phash AS h
  FROM generate_series(1, 20000) AS i;
SELECT count(*) AS misordered FROM (
  SELECT h, lag(h) OVER (ORDER BY h) AS prev FROM many) s
WHERE prev::text > h::text;
SET work_mem = '64kB';
SELECT count(*) AS misordered_external FROM (
  SELECT h::text AS t, row_number() OVER (ORDER BY h) AS rn_code,
         row_number() OVER (ORDER BY h::text COLLATE "C") AS rn_text FROM many) s
WHERE rn_code <> rn_text;
RESET work_mem;

-- btree: a unique index refuses duplicates
CREATE TEMP TABLE uniq (h phash PRIMARY KEY);
INSERT INTO uniq VALUES ('ba8c84536bd3c366'), ('0026273b2b19550e');
INSERT INTO uniq VALUES ('BA8C84536BD3C366');
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM uniq WHERE h = '0026273b2b19550e';
SELECT * FROM uniq WHERE h = '0026273b2b19550e';
SELECT * FROM uniq WHERE h > '0026273b2b19550e';
RESET enable_seqscan;

-- hash opclass: hash index, hash aggregate, hash join
CREATE TEMP TABLE a (h phash, n int);
CREATE TEMP TABLE b (h phash, m int);
INSERT INTO a SELECT h, row_number() OVER () FROM many;
INSERT INTO b SELECT h, 1 FROM many WHERE h::text < '4';
INSERT INTO b SELECT h, 2 FROM many WHERE h::text < '2';
CREATE INDEX a_hash ON a USING hash (h);
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM a JOIN b USING (h);
SELECT count(*) = (SELECT count(*) FROM b) AS hash_join_complete FROM a JOIN b USING (h);
RESET enable_mergejoin;
RESET enable_nestloop;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT h, count(*) FROM b GROUP BY h;
SELECT count(*) = (SELECT count(DISTINCT h::text) FROM b) AS groups_agree,
       sum(c) = (SELECT count(*) FROM b) AS rows_agree
FROM (SELECT h, count(*) AS c FROM b GROUP BY h) g;
SELECT count(*) = (SELECT count(DISTINCT h::text) FROM b) AS distinct_agrees
FROM (SELECT DISTINCT h FROM b) d;
RESET enable_sort;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT n FROM a WHERE h = (SELECT h FROM many LIMIT 1);
SELECT count(*) FROM a WHERE h = (SELECT h FROM many ORDER BY h LIMIT 1);
RESET enable_seqscan;

-- the operator classes are valid
SELECT amname, opcname, amvalidate(c.oid)
FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
WHERE opcname = 'phash_ops' ORDER BY amname;

-- every object of the extension is documented with COMMENT ON
SELECT pg_describe_object(classid, objid, objsubid) AS undocumented
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'imgsearch')
  AND deptype = 'e'
  AND obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid)) IS NULL
ORDER BY 1;

-- bad input
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT 'xyz'::phash;
SELECT 'ba8c84536bd3c36'::phash;
SELECT 'ba8c84536bd3c3660'::phash;
SELECT ''::phash;
SELECT ' ba8c84536bd3c366'::phash;
SELECT 'ba8c84536bd3c366 '::phash;
SELECT 'ba8c84536bd3c36g'::phash;
SELECT '0xba8c84536bd3c3'::phash;
SELECT B'101'::phash;
SELECT (B'1' || 'ba8c84536bd3c366'::phash::bit(64))::phash;
SELECT ('ba8c84536bd3c366'::phash::bit(64)::varbit)::phash AS from_varbit;
SELECT NULL::phash IS NULL AS null_ok;
