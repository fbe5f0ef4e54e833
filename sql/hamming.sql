-- Hamming distance (<~>, hamming_distance) and the radius predicate
-- (<@ hamming_ball), checked against hand-computed values and against an
-- independent count of bits through PostgreSQL's own bit(64) xor.
CREATE EXTENSION IF NOT EXISTS imgsearch;

-- hand-computed distances
SELECT '0000000000000000'::phash <~> 'ffffffffffffffff'::phash AS all_64,
       'ba8c84536bd3c366'::phash <~> 'ba8c84536bd3c366'::phash AS same_0,
       '0000000000000000'::phash <~> '8000000000000000'::phash AS top_bit_1,
       '0000000000000000'::phash <~> '0000000000000001'::phash AS low_bit_1,
       '00000000000000ff'::phash <~> '000000000000000f'::phash AS four,
       hamming_distance('ba8c84536bd3c366', '0026273b2b19550e') AS readme_pair;
-- by hand: ba8c84536bd3c366 xor 0026273b2b19550e = ba aa a3 68 40 ca 96 68,
-- 5+4+4+3+1+4+4+3 = 28 bits; and again through bit(64):
SELECT length(replace(('ba8c84536bd3c366'::phash::bit(64) #
                       '0026273b2b19550e'::phash::bit(64))::text, '0', '')) AS readme_pair_by_bits;

-- random pairs: <~> equals the number of 1s in the bit(64) xor
SELECT setseed(0.42);
CREATE TEMP TABLE pairs AS
  SELECT (floor(random() * 2^63)::bigint # (CASE WHEN random() < 0.5 THEN -1 ELSE 0 END))::phash AS a,
         (floor(random() * 2^63)::bigint # (CASE WHEN random() < 0.5 THEN -1 ELSE 0 END))::phash AS b
  FROM generate_series(1, 5000);
INSERT INTO pairs SELECT a, (a::bigint # (1::bigint << (i % 64)))::phash FROM pairs, generate_series(0, 2) i LIMIT 3000;
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE a <~> b <> length(replace((a::bit(64) # b::bit(64))::text, '0', ''))) AS mismatches,
       count(*) FILTER (WHERE a <~> b <> b <~> a) AS asymmetric,
       count(*) FILTER (WHERE hamming_distance(a, b) <> a <~> b) AS function_differs,
       min(a <~> b), max(a <~> b)
FROM pairs;

-- hamming_ball: construction, text form, accessors
SELECT hamming_ball('ba8c84536bd3c366', 8);
SELECT '(ba8c84536bd3c366,8)'::hamming_ball, ' ( BA8C84536BD3C366 , 0 ) '::hamming_ball;
SELECT hamming_ball_center(hamming_ball('ba8c84536bd3c366', 64)),
       hamming_ball_radius(hamming_ball('ba8c84536bd3c366', 64));

-- <@ is "distance at most radius", for every radius 0..64
SELECT count(*) AS checks,
       count(*) FILTER (WHERE (a <@ hamming_ball(b, r)) <> (a <~> b <= r)) AS mismatches,
       count(*) FILTER (WHERE (a <@ hamming_ball(b, r)) <> (hamming_ball(b, r) @> a)) AS commutator_differs
FROM (SELECT * FROM pairs LIMIT 1000) p, generate_series(0, 64) AS r;
SELECT 'ba8c84536bd3c366'::phash <@ hamming_ball('ba8c84536bd3c366', 0) AS centre_in_r0,
       'ba8c84536bd3c367'::phash <@ hamming_ball('ba8c84536bd3c366', 0) AS one_off_not_in_r0,
       'ba8c84536bd3c367'::phash <@ hamming_ball('ba8c84536bd3c366', 1) AS one_off_in_r1,
       '0000000000000000'::phash <@ hamming_ball('ffffffffffffffff', 63) AS opposite_not_in_r63,
       '0000000000000000'::phash <@ hamming_ball('ffffffffffffffff', 64) AS opposite_in_r64;

-- a radius query and a k-nearest query by sequential scan
CREATE TEMP TABLE images (id int, hash phash);
INSERT INTO images SELECT row_number() OVER (), a FROM pairs;
SELECT count(*) FROM images WHERE hash <@ hamming_ball((SELECT a FROM pairs LIMIT 1), 8);
SELECT count(*) = count(*) FILTER (WHERE hash <~> (SELECT a FROM pairs LIMIT 1) <= 8) AS radius_agrees
FROM images WHERE hash <@ hamming_ball((SELECT a FROM pairs LIMIT 1), 8);
SELECT (SELECT array_agg(d) FROM (
          SELECT hash <~> q AS d FROM images ORDER BY hash <~> q LIMIT 10) s)
     = (SELECT array_agg(d) FROM (
          SELECT length(replace((hash::bit(64) # q::bit(64))::text, '0', '')) AS d
          FROM images ORDER BY 1 LIMIT 10) s) AS ten_nearest_agree
FROM (SELECT a AS q FROM pairs LIMIT 1) query;

-- selectivity estimates: a duplicated code's MCV frequency, the binomial
-- tail for well-spread codes, histogram bounds for wide radii, and the
-- radius alone for joins (the table is small enough for ANALYZE to read
-- every row, so the statistics are deterministic)
CREATE TEMP TABLE spread AS
  SELECT i AS id, ((i::bigint * 2654435761) # (i::bigint * 40503 << 20) # (i::bigint << 40))::phash AS hash
  FROM generate_series(1, 20000) i;
INSERT INTO spread SELECT 100000 + i, 'ba8c84536bd3c366' FROM generate_series(1, 400) i;
ANALYZE spread;
CREATE FUNCTION estimated_rows(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	EXECUTE 'EXPLAIN ' || query INTO line;
	RETURN substring(line FROM 'rows=([0-9]+)')::bigint;
END $$;
SELECT r, estimated_rows(format('SELECT * FROM spread WHERE hash <@ hamming_ball(%L, %s)', q, r)) AS estimate,
       (SELECT count(*) FROM spread WHERE hash <@ hamming_ball(q::phash, r)) AS actual
FROM (VALUES ('ba8c84536bd3c366', 0), ('ba8c84536bd3c366', 8), ('0000000000000001', 8)) AS v(q, r);
SELECT r, estimated_rows(format('SELECT * FROM spread WHERE hash <@ hamming_ball(%L, %s)', '0000000000000001', r))
          BETWEEN actual / 2 AND actual * 2 AS estimate_within_2x
FROM (SELECT r, (SELECT count(*) FROM spread WHERE hash <@ hamming_ball('0000000000000001', r)) AS actual
      FROM generate_series(30, 34) AS r) AS v;
-- join: 20400^2 pairs times P(8 bits or fewer of 64) = 2.5e-10 is 0.1 row,
-- which the planner rounds up to 1 (the duplicates are not seen: a limit)
SELECT estimated_rows('SELECT * FROM spread a JOIN spread b ON b.hash <@ hamming_ball(a.hash, 8)') AS join_estimate;
-- NULLs: strict functions give NULL
SELECT NULL::phash <~> 'ba8c84536bd3c366' IS NULL AS null_distance,
       'ba8c84536bd3c366'::phash <@ hamming_ball(NULL, 3) IS NULL AS null_ball;

-- bad input
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT hamming_ball('ba8c84536bd3c366', -1);
SELECT hamming_ball('ba8c84536bd3c366', 65);
SELECT 'ba8c84536bd3c366'::phash <@ hamming_ball('ba8c84536bd3c366', 1000);
SELECT '(ba8c84536bd3c366,65)'::hamming_ball;
SELECT '(ba8c84536bd3c366)'::hamming_ball;
SELECT 'ba8c84536bd3c366,8'::hamming_ball;
SELECT '(ba8c84536bd3c36,8)'::hamming_ball;
SELECT '(ba8c84536bd3c366,8) x'::hamming_ball;
SELECT '(ba8c84536bd3c366,99999999999999999999)'::hamming_ball;
