-- The mih index access method: radius searches (<@ hamming_ball, @>, =)
-- by index and bitmap scans, k-nearest searches (ORDER BY <~>), NULL
-- codes, inserts through the pending list, VACUUM, UPDATE, TRUNCATE,
-- REINDEX, the substrings option and builds larger than
-- maintenance_work_mem.  Every search is also answered by sequential scan
-- and the answers compared; the test prints how many differ (always 0).
CREATE EXTENSION IF NOT EXISTS imgsearch;

-- JIT compilation costs more than it saves on the many small queries here
SET jit = off;

-------------------------------------------------------------------------
-- Helpers
-------------------------------------------------------------------------

-- A deterministic pseudo-random code for an integer (the first 64 bits of
-- its md5), and a code with nbits bits flipped: bits seed*7 + k*13 (mod 64)
-- for k = 0 .. nbits-1, all different since 13 is prime to 64, so the
-- result is exactly nbits away from h.
CREATE FUNCTION pg_temp.code(i int) RETURNS phash
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ('x' || md5(i::text))::bit(64)::phash;
CREATE FUNCTION pg_temp.flip(h phash, nbits int, seed int) RETURNS phash
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  mask bigint := 0;
BEGIN
  FOR k IN 0 .. nbits - 1 LOOP
    mask := mask | (1::bigint << ((seed * 7 + k * 13) % 64));
  END LOOP;
  RETURN (h::bigint # mask)::phash;
END $$;
SELECT pg_temp.flip('0000000000000000', 3, 1) AS bits_7_20_33,
       pg_temp.flip('ffffffffffffffff', 0, 1) AS unchanged,
       pg_temp.flip(pg_temp.code(1), 6, 5) <~> pg_temp.code(1) AS six;

-- The query points of the comparisons, by qid % 4: codes with exact and
-- near copies in the table, codes 3 bits from a row, codes far from
-- everything, and codes 0 to 4 bits from the dense cluster a5a5...
CREATE TEMP TABLE queries (qid int, q phash);
INSERT INTO queries
  SELECT qid, CASE qid % 4
                WHEN 0 THEN pg_temp.code(qid * 3)
                WHEN 1 THEN pg_temp.flip(pg_temp.code(1000 + qid * 97), 3, qid)
                WHEN 2 THEN pg_temp.code(900000 + qid)
                ELSE pg_temp.flip('a5a5a5a5a5a5a5a5', qid % 5, qid)
              END
  FROM generate_series(1, 60) AS qid;
CREATE TEMP TABLE radii (r int);
INSERT INTO radii VALUES (0), (1), (2), (3), (4), (6), (8), (10), (12), (16), (24), (32), (64);
CREATE TEMP TABLE ks (k int);
INSERT INTO ks VALUES (1), (5), (10), (50), (1000);
ANALYZE queries, radii, ks;

-- Results of the comparisons: the reference (sequential scan) and the
-- index and bitmap scans.  A radius result is its row count, the sum of
-- the ids and the sum of a hash of the ids; a k-nearest result is the
-- list of distances in the order returned and the ids ordered by
-- (distance, id).
CREATE TEMP TABLE ref_radius (qid int, r int, n bigint, ids bigint, idhash bigint);
CREATE TEMP TABLE idx_radius (LIKE ref_radius);
CREATE TEMP TABLE bm_radius (LIKE ref_radius);
CREATE TEMP TABLE ref_knn (qid int, dists int[], ids int[]);
CREATE TEMP TABLE idx_knn (qid int, k int, dists int[], ids int[]);

-- The plan of a query, as text
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  line text;
  plan text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    plan := plan || line || E'\n';
  END LOOP;
  RETURN plan;
END $$;

-- Compare the searches of the first nq query points, radii up to max_r and
-- every k, on table tbl (columns id and h): by index scan and by bitmap
-- scan (through a mih index, which must be named *_mih; plans_ok says the
-- plans used it) against the reference by sequential scan.  The reference
-- reads the table once per query point, counting rows by distance (a
-- radius gets the sums up to it) and keeping the 1000 nearest by
-- (distance, id): the first k of them are the k nearest.  The index side
-- runs the searches as users write them, inside a nested loop (so every
-- search is a rescan); the exact k nearest rows come from an incremental
-- sort on (distance, id) over the index order (PostgreSQL 15 plans ORDER
-- BY h <~> q, id as a full sort of the table, so the distance order is in
-- a subquery).  Returns the number of groups compared and of groups that
-- differ.
CREATE FUNCTION pg_temp.compare_scans(tbl regclass, nq int, max_r int,
    OUT plans_ok boolean, OUT radius_groups bigint, OUT index_diff bigint, OUT bitmap_diff bigint,
    OUT knn_groups bigint, OUT knn_dist_diff bigint, OUT knn_row_diff bigint)
LANGUAGE plpgsql AS $$
DECLARE
  radius_sql text := format(
    'SELECT q.qid, r.r, s.n, s.ids, s.idhash
     FROM queries q CROSS JOIN radii r CROSS JOIN LATERAL
       (SELECT count(id) AS n, coalesce(sum(id), 0) AS ids, coalesce(sum(hashint4(id)), 0) AS idhash
        FROM %s i WHERE i.h <@ hamming_ball(q.q, r.r)) s
     WHERE q.qid <= %s AND r.r <= %s', tbl, nq, max_r);
  knn_sql text := format(
    'SELECT q.qid, k.k,
       ARRAY(SELECT i.h <~> q.q FROM %1$s i ORDER BY i.h <~> q.q LIMIT k.k),
       ARRAY(SELECT id FROM (SELECT i.id, i.h <~> q.q AS d FROM %1$s i
                             ORDER BY i.h <~> q.q OFFSET 0) s
             ORDER BY d, id LIMIT k.k)
     FROM queries q CROSS JOIN ks k
     WHERE q.qid <= %2$s', tbl, nq);
  uses_mih_index text := '(Index Scan using|Bitmap Index Scan on) \w+_mih\M';
  seqscan text := 'Seq Scan on ' || (SELECT relname FROM pg_class WHERE oid = tbl) || ' ';
  plan text;
BEGIN
  TRUNCATE ref_radius, idx_radius, bm_radius, ref_knn, idx_knn;

  -- the reference, by sequential scan
  PERFORM set_config('enable_seqscan', 'on', true);
  PERFORM set_config('enable_indexscan', 'off', true);
  PERFORM set_config('enable_bitmapscan', 'off', true);
  EXECUTE format(
    'INSERT INTO ref_radius
       SELECT q.qid, r.r, coalesce(sum(s.n) FILTER (WHERE s.d <= r.r), 0),
              coalesce(sum(s.ids) FILTER (WHERE s.d <= r.r), 0),
              coalesce(sum(s.idhash) FILTER (WHERE s.d <= r.r), 0)
       FROM queries q
         LEFT JOIN LATERAL (SELECT i.h <~> q.q AS d, count(*) AS n, sum(i.id) AS ids,
                                   sum(hashint4(i.id)) AS idhash
                            FROM %s i GROUP BY 1) s ON true
         CROSS JOIN radii r
       WHERE q.qid <= %s AND r.r <= %s
       GROUP BY q.qid, r.r', tbl, nq, max_r);
  EXECUTE format(
    'INSERT INTO ref_knn
       SELECT q.qid, coalesce(s.dists, ''{}''), coalesce(s.ids, ''{}'')
       FROM queries q
         CROSS JOIN LATERAL (SELECT array_agg(d ORDER BY d, id) AS dists,
                                    array_agg(id ORDER BY d, id) AS ids
                             FROM (SELECT i.id, i.h <~> q.q AS d FROM %s i
                                   ORDER BY 2, 1 LIMIT (SELECT max(k) FROM ks)) n) s
       WHERE q.qid <= %s', tbl, nq);

  -- the same searches by index scan, then by bitmap scan
  PERFORM set_config('enable_seqscan', 'off', true);
  PERFORM set_config('enable_indexscan', 'on', true);
  plan := pg_temp.plan_of(radius_sql);
  plans_ok := plan ~ uses_mih_index AND strpos(plan, seqscan) = 0;
  EXECUTE 'INSERT INTO idx_radius ' || radius_sql;
  plan := pg_temp.plan_of(knn_sql);
  plans_ok := plans_ok AND plan ~ uses_mih_index AND plan ~ 'Incremental Sort'
              AND strpos(plan, seqscan) = 0;
  EXECUTE 'INSERT INTO idx_knn ' || knn_sql;
  PERFORM set_config('enable_indexscan', 'off', true);
  PERFORM set_config('enable_bitmapscan', 'on', true);
  plan := pg_temp.plan_of(radius_sql);
  plans_ok := plans_ok AND plan ~ uses_mih_index AND plan ~ 'Bitmap Heap Scan'
              AND strpos(plan, seqscan) = 0;
  EXECUTE 'INSERT INTO bm_radius ' || radius_sql;

  SELECT count(*) INTO radius_groups FROM ref_radius;
  SELECT count(*) INTO index_diff
    FROM ref_radius s FULL JOIN idx_radius i USING (qid, r)
    WHERE (s.n, s.ids, s.idhash) IS DISTINCT FROM (i.n, i.ids, i.idhash);
  SELECT count(*) INTO bitmap_diff
    FROM ref_radius s FULL JOIN bm_radius i USING (qid, r)
    WHERE (s.n, s.ids, s.idhash) IS DISTINCT FROM (i.n, i.ids, i.idhash);
  SELECT count(*) INTO knn_groups FROM idx_knn;
  SELECT count(*) FILTER (WHERE i.dists IS DISTINCT FROM s.dists[1:i.k]),
         count(*) FILTER (WHERE i.ids IS DISTINCT FROM s.ids[1:i.k])
    INTO knn_dist_diff, knn_row_diff
    FROM (ref_knn CROSS JOIN ks) s FULL JOIN idx_knn i USING (qid, k);
END $$;

-- Run a query with index scans allowed (and sequential scans disabled)
-- and again by sequential scan; returns whether the first plan used a mih
-- index, the number of rows, and the number of rows the two results do
-- not have in common (as multisets).
CREATE FUNCTION pg_temp.same_results(query text,
    OUT index_used boolean, OUT result_rows bigint, OUT differing bigint)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('enable_seqscan', 'off', true);
  index_used := pg_temp.plan_of(query) ~ '(Index Scan using|Bitmap Index Scan on) \w+_mih\M';
  EXECUTE 'CREATE TEMP TABLE res_index AS ' || query;
  PERFORM set_config('enable_seqscan', 'on', true);
  PERFORM set_config('enable_indexscan', 'off', true);
  PERFORM set_config('enable_bitmapscan', 'off', true);
  EXECUTE 'CREATE TEMP TABLE res_seq AS ' || query;
  SELECT count(*) INTO result_rows FROM res_seq;
  SELECT (SELECT count(*) FROM (TABLE res_index EXCEPT ALL TABLE res_seq) a) +
         (SELECT count(*) FROM (TABLE res_seq EXCEPT ALL TABLE res_index) b)
    INTO differing;
  DROP TABLE res_index, res_seq;
END $$;

-- Searches by sets of balls (h <@ ANY (array)), compared as compare_scans
-- does: for each of the first nq query points a set of seven elements,
-- balls of radius 0 to 12 around the point and around codes 5 and 9 bits
-- from it, a repeated ball, a narrower ball around the same centre, a NULL
-- and a ball around an unrelated code; alone, with a single ball as well,
-- and with a second set.  By index scan and by bitmap scan against the
-- sequential scan; plans_ok says the index scans took every set as one
-- index condition.
CREATE FUNCTION pg_temp.compare_sets(tbl regclass, nq int,
    OUT result_rows bigint, OUT index_diff bigint, OUT bitmap_diff bigint, OUT plans_ok boolean)
LANGUAGE plpgsql AS $$
DECLARE
  set_sql text := format(
    'SELECT s.qid, 1 AS how, i.id FROM set_q s JOIN %1$s i ON i.h <@ ANY (s.balls)
     UNION ALL
     SELECT s.qid, 2, i.id FROM set_q s JOIN %1$s i
       ON i.h <@ ANY (s.balls) AND i.h <@ hamming_ball(s.q, 10)
     UNION ALL
     SELECT s.qid, 3, i.id FROM set_q s JOIN %1$s i
       ON i.h <@ ANY (s.balls) AND i.h <@ ANY (s.balls[2:3])', tbl);
  plan text;
BEGIN
  CREATE TEMP TABLE set_q AS
    SELECT q.qid, q.q, ARRAY[hamming_ball(q.q, q.qid % 13),
           hamming_ball(pg_temp.flip(q.q, 5, q.qid), 6),
           hamming_ball(pg_temp.flip(q.q, 9, 3), 8), hamming_ball(pg_temp.flip(q.q, 9, 3), 8),
           hamming_ball(pg_temp.flip(q.q, 9, 3), 2), NULL,
           hamming_ball(pg_temp.code(q.qid * 5), 4)] AS balls
    FROM queries q WHERE q.qid <= nq;
  ANALYZE set_q;
  CREATE TEMP TABLE set_ref AS SELECT 0 AS qid, 0 AS how, 0 AS id WITH NO DATA;
  CREATE TEMP TABLE set_idx (LIKE set_ref);
  CREATE TEMP TABLE set_bm (LIKE set_ref);
  PERFORM set_config('enable_seqscan', 'on', true);
  PERFORM set_config('enable_indexscan', 'off', true);
  PERFORM set_config('enable_bitmapscan', 'off', true);
  EXECUTE 'INSERT INTO set_ref ' || set_sql;
  PERFORM set_config('enable_seqscan', 'off', true);
  PERFORM set_config('enable_indexscan', 'on', true);
  plan := pg_temp.plan_of(set_sql);
  plans_ok := plan ~ 'Index Scan using \w+_mih\M' AND plan ~ 'Index Cond: \(h <@ ANY \(s\.balls\)\)';
  EXECUTE 'INSERT INTO set_idx ' || set_sql;
  PERFORM set_config('enable_indexscan', 'off', true);
  PERFORM set_config('enable_bitmapscan', 'on', true);
  plan := pg_temp.plan_of(set_sql);
  plans_ok := plans_ok AND plan ~ 'Bitmap Index Scan on \w+_mih\M'
              AND plan ~ 'Index Cond: \(h <@ ANY \(s\.balls\)\)';
  EXECUTE 'INSERT INTO set_bm ' || set_sql;
  SELECT count(*) INTO result_rows FROM set_ref;
  SELECT (SELECT count(*) FROM (TABLE set_idx EXCEPT ALL TABLE set_ref) a) +
         (SELECT count(*) FROM (TABLE set_ref EXCEPT ALL TABLE set_idx) b)
    INTO index_diff;
  SELECT (SELECT count(*) FROM (TABLE set_bm EXCEPT ALL TABLE set_ref) a) +
         (SELECT count(*) FROM (TABLE set_ref EXCEPT ALL TABLE set_bm) b)
    INTO bitmap_diff;
  DROP TABLE set_q, set_ref, set_idx, set_bm;
END $$;

-- The rows a cursor has left, and the distances an ordering cursor has
-- left: how many, how many come after a larger one or after a NULL, and
-- how many are NULL
CREATE FUNCTION pg_temp.rows_left(c refcursor) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  MOVE FORWARD ALL IN c;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
CREATE FUNCTION pg_temp.distances_left(c refcursor,
    OUT n bigint, OUT out_of_order bigint, OUT nulls bigint)
LANGUAGE plpgsql AS $$
DECLARE
  d int;
  prev int := 0;
BEGIN
  n := 0; out_of_order := 0; nulls := 0;
  LOOP
    FETCH c INTO d;
    EXIT WHEN NOT FOUND;
    n := n + 1;
    IF d IS NULL THEN
      nulls := nulls + 1;
    ELSIF nulls > 0 OR d < prev THEN
      out_of_order := out_of_order + 1;
    ELSE
      prev := d;
    END IF;
  END LOOP;
END $$;

-------------------------------------------------------------------------
-- An empty table, and a table of NULL codes only
-------------------------------------------------------------------------

-- Queries on an empty index find nothing; its first rows go to the
-- pending list (the NULL to the null list) and are found there.
CREATE TABLE empty_codes (id int, h phash);
CREATE INDEX empty_codes_mih ON empty_codes USING mih (h);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM empty_codes WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 64);
SELECT id FROM empty_codes WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 64);
SELECT id FROM empty_codes WHERE h = 'a5a5a5a5a5a5a5a5';
SELECT id FROM empty_codes ORDER BY h <~> 'a5a5a5a5a5a5a5a5' LIMIT 5;
INSERT INTO empty_codes VALUES (1, 'a5a5a5a5a5a5a5a5'), (2, NULL), (3, 'a5a5a5a5a5a5a5a4'),
                               (4, '5a5a5a5a5a5a5a5a'), (5, 'a5a5a5a5a5a5a5a5');
SELECT id FROM empty_codes WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 1) ORDER BY id;
SELECT id FROM empty_codes WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 64) ORDER BY id;
-- ordered by distance (0, 0, 1, 64), the NULL code last; ties by id
EXPLAIN (COSTS OFF)
SELECT id, h, d FROM (SELECT id, h, h <~> 'a5a5a5a5a5a5a5a5' AS d FROM empty_codes
                      ORDER BY h <~> 'a5a5a5a5a5a5a5a5' OFFSET 0) s
ORDER BY d, id;
SELECT id, h, d FROM (SELECT id, h, h <~> 'a5a5a5a5a5a5a5a5' AS d FROM empty_codes
                      ORDER BY h <~> 'a5a5a5a5a5a5a5a5' OFFSET 0) s
ORDER BY d, id;

-- NULL codes only: no operator returns them, an ordering scan returns
-- them all (with a NULL distance), after any row with a code
CREATE TABLE null_codes (id int, h phash);
INSERT INTO null_codes SELECT i, NULL FROM generate_series(1, 5) AS i;
CREATE INDEX null_codes_mih ON null_codes USING mih (h);
SELECT id FROM null_codes WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 64);
EXPLAIN (COSTS OFF)
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM null_codes ORDER BY h <~> 'a5a5a5a5a5a5a5a5') s;
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM null_codes ORDER BY h <~> 'a5a5a5a5a5a5a5a5') s;
INSERT INTO null_codes VALUES (6, 'a5a5a5a5a5a5a5a5'), (7, NULL);
SELECT id, d FROM (SELECT id, h <~> 'a5a5a5a5a5a5a5a5' AS d FROM null_codes
                   ORDER BY h <~> 'a5a5a5a5a5a5a5a5' OFFSET 0) s
ORDER BY d, id;
SELECT id FROM null_codes ORDER BY h <~> 'a5a5a5a5a5a5a5a5' LIMIT 1;
RESET enable_seqscan;

-------------------------------------------------------------------------
-- The main table: random codes with planted copies, a cluster and NULLs
-------------------------------------------------------------------------

-- ids 1..16000: random codes; 20001..20600: code(i) with 1 + i % 6 bits
-- flipped (100 at each distance 1..6); 21001..21200: exact copies of
-- code(1..200); 22001..23500: the cluster, 1500 times a5a5a5a5a5a5a5a5;
-- 23501..23600: 1 + i % 3 bits from the cluster; 24001..24200: NULLs.
-- (No btree index: every index scan in the plans below is a mih scan.
-- Autovacuum is off so that VACUUM runs exactly where the test says.)
CREATE TABLE images (id int, h phash) WITH (autovacuum_enabled = off);
INSERT INTO images SELECT i, pg_temp.code(i) FROM generate_series(1, 16000) AS i;
INSERT INTO images SELECT 20000 + i, pg_temp.flip(pg_temp.code(i), 1 + i % 6, i)
  FROM generate_series(1, 600) AS i;
INSERT INTO images SELECT 21000 + i, pg_temp.code(i) FROM generate_series(1, 200) AS i;
INSERT INTO images SELECT 22000 + i, 'a5a5a5a5a5a5a5a5' FROM generate_series(1, 1500) AS i;
INSERT INTO images SELECT 23500 + i, pg_temp.flip('a5a5a5a5a5a5a5a5', 1 + i % 3, i)
  FROM generate_series(1, 100) AS i;
INSERT INTO images SELECT 24000 + i, NULL FROM generate_series(1, 200) AS i;
CREATE INDEX images_mih ON images USING mih (h);
ANALYZE images;

-- the planted near copies are 1 to 6 bits from their originals, 100 each
SELECT c.h <~> o.h AS distance, count(*)
FROM images c JOIN images o ON o.id = c.id - 20000
WHERE c.id BETWEEN 20001 AND 20600
GROUP BY 1 ORDER BY 1;

-- With default settings the planner picks an index scan for small radii
-- around a code (c4ca4238a0b92382 is code(1)), equality, the ball on the
-- left (@>) and k-nearest searches, and a bitmap scan for the ~1600 rows
-- near the cluster
EXPLAIN (COSTS OFF) SELECT id FROM images WHERE h <@ hamming_ball('c4ca4238a0b92382', 8);
EXPLAIN (COSTS OFF) SELECT id FROM images WHERE h = 'c4ca4238a0b92382';
EXPLAIN (COSTS OFF) SELECT id FROM images WHERE hamming_ball('c4ca4238a0b92382', 2) @> h;
EXPLAIN (COSTS OFF) SELECT id FROM images ORDER BY h <~> 'c4ca4238a0b92382' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM images WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 3);
-- but not for radius 40, which matches nearly every row
EXPLAIN (COSTS OFF) SELECT id FROM images WHERE h <@ hamming_ball('c4ca4238a0b92382', 40);
-- a bitmap scan when index scans are off
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM images WHERE h <@ hamming_ball('c4ca4238a0b92382', 8);
RESET enable_indexscan;

-- Small results checked by hand, by index scan
SET enable_seqscan = off;
-- code(1) has its exact copy 21001 and its near copy 20001 (2 bits);
-- code(5) its copy 21005 and 20005 (6 bits); code(300) only 20300 (1 bit)
SELECT id, h <~> pg_temp.code(1) AS d FROM images
WHERE h <@ hamming_ball(pg_temp.code(1), 10) ORDER BY d, id;
SELECT id, h <~> pg_temp.code(5) AS d FROM images
WHERE h <@ hamming_ball(pg_temp.code(5), 6) ORDER BY d, id;
SELECT id FROM images WHERE h <@ hamming_ball(pg_temp.code(5), 5) ORDER BY id;
SELECT id, h <~> pg_temp.code(300) AS d FROM images
WHERE hamming_ball(pg_temp.code(300), 8) @> h ORDER BY d, id;
-- the cluster: 1500 codes at 0 bits; 33, 34 and 33 rows at 1, 2 and 3
SELECT h <~> 'a5a5a5a5a5a5a5a5' AS d, count(id) FROM images
WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 3) GROUP BY 1 ORDER BY 1;
SELECT count(id) FROM images WHERE h = 'a5a5a5a5a5a5a5a5';
SELECT count(id) FROM images WHERE hamming_ball('a5a5a5a5a5a5a5a5', 2) @> h;
-- the nearest rows of code(7): itself, its copy, its near copy (2 bits),
-- then the nearest random code
SELECT id, d FROM (SELECT id, h <~> pg_temp.code(7) AS d FROM images
                   ORDER BY h <~> pg_temp.code(7) OFFSET 0) s
ORDER BY d, id LIMIT 4;
RESET enable_seqscan;
SELECT id, h <~> pg_temp.code(7) AS d FROM images ORDER BY d, id LIMIT 4;

-- A join: a portfolio searched in the table, by a nested loop with a
-- parameterised index scan.  'sketch' is 5 bits from code(42) and its copy
-- 21042, and 6 from the near copy 20042 (1 bit elsewhere); nothing is
-- near 'unknown', and a NULL code matches nothing.
CREATE TABLE portfolio (title text, h phash);
INSERT INTO portfolio VALUES
  ('dragon', pg_temp.code(1)), ('castle', pg_temp.code(300)),
  ('sketch', pg_temp.flip(pg_temp.code(42), 5, 1)), ('unknown', pg_temp.code(999999)),
  ('no hash', NULL);
ANALYZE portfolio;
EXPLAIN (COSTS OFF)
SELECT p.title, i.id FROM portfolio p JOIN images i ON i.h <@ hamming_ball(p.h, 8);
SELECT p.title, i.id, i.h <~> p.h AS d
FROM portfolio p JOIN images i ON i.h <@ hamming_ball(p.h, 8)
ORDER BY 1, 3, 2;

-------------------------------------------------------------------------
-- Many searches by index and bitmap scan against sequential scans
-------------------------------------------------------------------------

-- 60 query points x 11 radii up to 24, and x 5 values of k
SELECT * FROM pg_temp.compare_scans('images', 60, 24);
-- Totals of the reference.  At radius 0: 15 query points with a copy
-- (2 rows each), 3 on the cluster (1500 each) and 5 that happen to equal
-- a row near the cluster (the same bits flipped: qids 7, 11, 23, 27, 51)
SELECT r, sum(n) AS matches FROM ref_radius GROUP BY r ORDER BY r;
SELECT count(*) FILTER (WHERE dists[1] = 0) AS nearest_at_0,
       count(*) FILTER (WHERE dists[1] BETWEEN 1 AND 4) AS nearest_at_1_to_4,
       count(*) FILTER (WHERE dists[1] > 4) AS nearest_farther,
       min(cardinality(ids)) AS min_kept, max(dists[1000]) > 0 AS far_rows_kept
FROM ref_knn;
-- radii 32 and 64 (a large part of the table, or all of it) for 12 points
SELECT * FROM pg_temp.compare_scans('images', 12, 64);
SELECT r, sum(n) AS matches FROM ref_radius WHERE r >= 32 GROUP BY r ORDER BY r;

-- NULL arguments: the operators are strict, so the planner folds these
-- into "false" and a constant sort key (every row, in any order) ...
SELECT count(id) FROM images WHERE h <@ NULL;
SELECT count(id) FROM images WHERE h = NULL;
SELECT count(id), count(h) FROM (SELECT id, h FROM images ORDER BY h <~> NULL) s;
-- ... but a generic plan passes the NULL to the index scan
PREPARE in_ball(hamming_ball) AS SELECT count(id) FROM images WHERE h <@ $1;
PREPARE equal(phash) AS SELECT count(id) FROM images WHERE h = $1;
PREPARE by_distance(phash) AS
  SELECT count(id) AS n, count(h) AS codes, count(DISTINCT id) AS distinct_ids
  FROM (SELECT id, h FROM images ORDER BY h <~> $1) s;
SET plan_cache_mode = force_generic_plan;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) EXECUTE in_ball(NULL);
EXECUTE in_ball(NULL);
EXECUTE in_ball('(a5a5a5a5a5a5a5a5,0)');
EXPLAIN (COSTS OFF) EXECUTE equal(NULL);
EXECUTE equal(NULL);
EXECUTE equal('a5a5a5a5a5a5a5a5');
-- every row once, NULL codes included, whatever the ordering argument
EXPLAIN (COSTS OFF) EXECUTE by_distance(NULL);
EXECUTE by_distance(NULL);
EXECUTE by_distance('a5a5a5a5a5a5a5a5');
RESET enable_seqscan;
RESET plan_cache_mode;
DEALLOCATE ALL;

-- Several conditions on the column: every one is checked.  Within 3 bits
-- of the cluster and 1 bit of a5a5a5a5a5a5a5a4: the 1500 cluster codes,
-- and 23564, 2 bits from the cluster, one of them the lowest bit.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM images
WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 3) AND h <@ hamming_ball('a5a5a5a5a5a5a5a4', 1);
SELECT h <~> 'a5a5a5a5a5a5a5a5' AS d, count(id) FROM images
WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 3) AND h <@ hamming_ball('a5a5a5a5a5a5a5a4', 1)
GROUP BY 1 ORDER BY 1;
SELECT count(id) FROM images WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 3) AND h = 'a5a5a5a5a5a5a5a5';
SELECT count(id) FROM images
WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 1) AND h <@ hamming_ball('5a5a5a5a5a5a5a5a', 1);
RESET enable_seqscan;
SELECT * FROM pg_temp.same_results($$
  SELECT q.qid, i.id FROM queries q JOIN images i
    ON i.h <@ hamming_ball(q.q, 10) AND i.h <@ hamming_ball(pg_temp.flip(q.q, 4, q.qid), 7)
       AND hamming_ball(q.q, 9) @> i.h
  WHERE q.qid <= 12$$);

-- Sets of balls: "h <@ ANY (array)" is one index condition, and a
-- radius scan probes the union of the balls, each substring value once
-- (a row is returned once even when several balls hold it)
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM images
WHERE h <@ ANY (ARRAY[hamming_ball('a5a5a5a5a5a5a5a5', 1), hamming_ball('a5a5a5a5a5a5a5a4', 1)]);
-- by hand: code(1) and its copies 21001 (0 bits) and 20001 (2 bits);
-- code(300) and 20300 (1 bit); the 1500 cluster codes and the 33 at 1
-- bit from it, a subset of the second ball
SELECT count(id), sum(id) FILTER (WHERE id < 22001 OR id > 23600) AS ids_outside_cluster FROM images
WHERE h <@ ANY (ARRAY[hamming_ball(pg_temp.code(1), 2), hamming_ball(pg_temp.code(300), 1),
                      hamming_ball('a5a5a5a5a5a5a5a5', 1), hamming_ball('a5a5a5a5a5a5a5a5', 0)]);
-- = ANY (array of codes): code(1) twice (1 and 21001), code(5) twice, code(300) once
SELECT count(id) FROM images
WHERE h = ANY (ARRAY[pg_temp.code(1), pg_temp.code(5), pg_temp.code(300), NULL, pg_temp.code(1)]);
-- an empty array, only NULLs, a NULL array: nothing
SELECT count(id) FROM images WHERE h <@ ANY ('{}'::hamming_ball[]);
SELECT count(id) FROM images WHERE h <@ ANY (ARRAY[NULL::hamming_ball, NULL]);
PREPARE by_set(hamming_ball[]) AS SELECT count(id) FROM images WHERE h <@ ANY ($1);
SET plan_cache_mode = force_generic_plan;
EXECUTE by_set(NULL);
EXECUTE by_set(ARRAY[hamming_ball(pg_temp.code(7), 0)]);
RESET plan_cache_mode;
DEALLOCATE by_set;
RESET enable_seqscan;
-- many sets, by index and bitmap scans against sequential scans
SELECT * FROM pg_temp.compare_sets('images', 60);
-- with 64kB of work_mem the scan makes its lookups for at most 2340 at a
-- time (28 bytes each): 40 balls of radius 8 (232 to 254 lookups a table
-- each) take 4 or 5 passes over each table
CREATE TEMP TABLE many_balls AS
  SELECT q.qid, ARRAY(SELECT hamming_ball(pg_temp.flip(q.q, k % 9, k), 8)
                      FROM generate_series(1, 40) k) AS balls
  FROM queries q WHERE q.qid <= 16;
SET work_mem = '64kB';
SET enable_bitmapscan = off;
SELECT * FROM pg_temp.same_results($$
  SELECT m.qid, i.id FROM many_balls m JOIN images i ON i.h <@ ANY (m.balls)$$);
RESET enable_bitmapscan;
SET enable_indexscan = off;
SELECT * FROM pg_temp.same_results($$
  SELECT m.qid, i.id FROM many_balls m JOIN images i ON i.h <@ ANY (m.balls)$$);
RESET enable_indexscan;
RESET work_mem;
-- wide balls (radius 24 and 32): the scan reads the index linearly and
-- checks every code against every ball
SELECT * FROM pg_temp.same_results($$
  SELECT q.qid, i.id FROM queries q JOIN images i
    ON i.h <@ ANY (ARRAY[hamming_ball(q.q, 24), hamming_ball(pg_temp.flip(q.q, 20, 2), 32)])
  WHERE q.qid <= 3$$);
-- ordering scans check the sets (and stop at the farthest ball's edge)
SELECT * FROM pg_temp.same_results($$
  SELECT q.qid, ARRAY(SELECT id FROM (SELECT i.id, i.h <~> q.q AS d FROM images i
                                      WHERE i.h <@ ANY (ARRAY[hamming_ball(q.q, 6),
                                                              hamming_ball(pg_temp.flip(q.q, 8, 1), 4)])
                                      ORDER BY i.h <~> q.q OFFSET 0) s
                      ORDER BY d, id LIMIT 20) AS ids
  FROM queries q WHERE q.qid <= 12$$);

-- ORDER BY with a radius condition, around the same point or another one
-- (the nearest rows to q2 within the ball around q1 are at most
-- distance(q1, q2) + radius away)
EXPLAIN (COSTS OFF) SELECT id FROM images
WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 2) ORDER BY h <~> 'a5a5a5a5a5a5a5a4' LIMIT 5;
SELECT * FROM pg_temp.same_results($$
  SELECT q.qid, ARRAY(SELECT id FROM (SELECT i.id, i.h <~> q.q AS d FROM images i
                                      WHERE i.h <@ hamming_ball(q.q, 12)
                                      ORDER BY i.h <~> q.q OFFSET 0) s
                      ORDER BY d, id LIMIT 20) AS ids
  FROM queries q WHERE q.qid <= 12$$);
SELECT * FROM pg_temp.same_results($$
  SELECT q.qid, ARRAY(SELECT id FROM (SELECT i.id, i.h <~> pg_temp.flip(q.q, 20, 1) AS d FROM images i
                                      WHERE i.h <@ hamming_ball(q.q, 6)
                                      ORDER BY i.h <~> pg_temp.flip(q.q, 20, 1) OFFSET 0) s
                      ORDER BY d, id LIMIT 5) AS ids
  FROM queries q WHERE q.qid <= 12$$);

-- Ordering the whole table (NULL codes last) with little work_mem: the
-- candidate lists outgrow it, and the scan reads the index in several
-- passes, keeping the nearest distances each time
SET work_mem = '64kB';
SELECT * FROM pg_temp.same_results($$
  SELECT q.qid, ARRAY(SELECT i.h <~> q.q FROM images i ORDER BY i.h <~> q.q) AS dists
  FROM queries q WHERE q.qid IN (1, 2, 3)$$);
SELECT * FROM pg_temp.same_results($$
  SELECT q.qid, ARRAY(SELECT i.h <~> q.q FROM images i ORDER BY i.h <~> q.q LIMIT 15000) AS dists
  FROM queries q WHERE q.qid IN (3, 15)$$);
RESET work_mem;

-------------------------------------------------------------------------
-- Inserts after CREATE INDEX
-------------------------------------------------------------------------

-- With pending_list_limit = 64 (kB, of 16-byte entries) the pending list
-- is sorted into a new segment every 4096 inserts, and the newest
-- segments are merged as they accumulate: the six batches below flush it
-- five times and merge segments twice.  They add random codes, near
-- copies of existing ones, more of the cluster (a bucket over several
-- pages) and NULLs (the null list over several pages).
ALTER INDEX images_mih SET (pending_list_limit = 64);
INSERT INTO images SELECT 30000 + i, pg_temp.code(30000 + i) FROM generate_series(1, 4000) AS i;
INSERT INTO images SELECT 34000 + i, pg_temp.flip(pg_temp.code(i), 1 + i % 4, i + 1)
  FROM generate_series(1, 1000) AS i;
INSERT INTO images SELECT 35000 + i, CASE WHEN i % 3 = 0 THEN NULL ELSE pg_temp.code(35000 + i) END
  FROM generate_series(1, 5000) AS i;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
INSERT INTO images SELECT 40000 + i, 'a5a5a5a5a5a5a5a5' FROM generate_series(1, 3000) AS i;
-- Scans opened before the next batches flush and merge read on, from the
-- index as it was: 4567 rows within 2 bits of the cluster, and all 31600
-- rows in distance order, the 1866 NULL codes last
SET enable_seqscan = off;
BEGIN;
DECLARE near_cluster CURSOR FOR
  SELECT id FROM images WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 2);
DECLARE by_distance CURSOR FOR
  SELECT h <~> 'a5a5a5a5a5a5a5a5' AS d FROM images ORDER BY h <~> 'a5a5a5a5a5a5a5a5';
MOVE 10 IN near_cluster;
FETCH 3 FROM by_distance;
INSERT INTO images SELECT 43000 + i, pg_temp.code(43000 + i) FROM generate_series(1, 4000) AS i;
INSERT INTO images SELECT 47000 + i, pg_temp.flip(pg_temp.code(30000 + i), 2, i)
  FROM generate_series(1, 8000) AS i;
SELECT pg_temp.rows_left('near_cluster');
SELECT * FROM pg_temp.distances_left('by_distance');
COMMIT;
RESET enable_seqscan;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
SELECT * FROM pg_temp.compare_sets('images', 24);
-- the new rows are found, exact copies at 0 and near copies at 2 bits
SET enable_seqscan = off;
SELECT id, h <~> pg_temp.code(30005) AS d FROM images
WHERE h <@ hamming_ball(pg_temp.code(30005), 4) ORDER BY d, id;
SELECT count(id) FROM images WHERE h = 'a5a5a5a5a5a5a5a5';
RESET enable_seqscan;
-- and an ordering scan returns every row once, the NULL codes last
SELECT * FROM pg_temp.same_results($$
  SELECT q.qid, ARRAY(SELECT i.h <~> q.q FROM images i ORDER BY i.h <~> q.q) AS dists
  FROM queries q WHERE q.qid IN (1, 3)$$);

-------------------------------------------------------------------------
-- DELETE, VACUUM and new rows in the freed space
-------------------------------------------------------------------------

-- Three rounds: delete a fifth of the rows; VACUUM marks their entries
-- dead and merges the segments; new rows then take the freed heap slots
-- (reused_slots says some went into pages the table had before), so an
-- entry VACUUM left alive would point at a row with another code.
DELETE FROM images WHERE id % 5 = 1;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
VACUUM images;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
SELECT pg_relation_size('images') / current_setting('block_size')::int AS old_pages \gset
INSERT INTO images SELECT 60000 + i, pg_temp.flip(pg_temp.code(i), 1, i) FROM generate_series(1, 6000) AS i;
SELECT count(id) FILTER (WHERE (ctid::text::point)[0] < :old_pages) > 1000 AS reused_slots
FROM images WHERE id > 60000;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);

DELETE FROM images WHERE id % 5 = 2;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
VACUUM images;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
SELECT pg_relation_size('images') / current_setting('block_size')::int AS old_pages \gset
INSERT INTO images SELECT 70000 + i, CASE WHEN i % 10 = 0 THEN NULL ELSE pg_temp.code(70000 + i) END
  FROM generate_series(1, 6000) AS i;
SELECT count(id) FILTER (WHERE (ctid::text::point)[0] < :old_pages) > 1000 AS reused_slots
FROM images WHERE id > 70000;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);

DELETE FROM images WHERE id % 5 = 3 OR h = 'a5a5a5a5a5a5a5a5';
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
VACUUM images;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
SELECT pg_relation_size('images') / current_setting('block_size')::int AS old_pages \gset
INSERT INTO images SELECT 80000 + i, pg_temp.flip(pg_temp.code(i), 3, i) FROM generate_series(1, 6000) AS i;
SELECT count(id) FILTER (WHERE (ctid::text::point)[0] < :old_pages) > 1000 AS reused_slots
FROM images WHERE id > 80000;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
-- the cluster is gone; code(30005)'s rows 30005 and 47005 (0 mod 5) are
-- still there; of code(6)'s rows 6, 20006, 21006 and 34006 (1 mod 5) were
-- deleted, and 60006 and 80006 (code(6) with 1 and 3 bits flipped) added
SET enable_seqscan = off;
SELECT count(id) FROM images WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 0);
SELECT id, h <~> pg_temp.code(30005) AS d FROM images
WHERE h <@ hamming_ball(pg_temp.code(30005), 4) ORDER BY d, id;
SELECT id, h <~> pg_temp.code(6) AS d FROM images
WHERE h <@ hamming_ball(pg_temp.code(6), 6) ORDER BY d, id;
RESET enable_seqscan;

-------------------------------------------------------------------------
-- UPDATE, REINDEX, the substrings option
-------------------------------------------------------------------------

-- Updates move codes, set codes to NULL and NULLs to codes
UPDATE images SET h = pg_temp.flip(h, 2, id) WHERE id % 7 = 3;
UPDATE images SET h = NULL WHERE id % 97 = 5;
UPDATE images SET h = pg_temp.code(-id) WHERE h IS NULL AND id % 2 = 0;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
-- 30005 (3 mod 7) moved 2 bits away from code(30005), like 47005 (other
-- bits); 24010 (a NULL, even) got code(-24010)
SET enable_seqscan = off;
SELECT id, h <~> pg_temp.code(30005) AS d FROM images
WHERE h <@ hamming_ball(pg_temp.code(30005), 4) ORDER BY d, id;
SELECT id FROM images WHERE h = pg_temp.code(-24010);
RESET enable_seqscan;

-- A new substring count takes effect at REINDEX
ALTER INDEX images_mih SET (substrings = 3);
SELECT * FROM pg_temp.compare_scans('images', 6, 16);
REINDEX INDEX images_mih;
SELECT * FROM pg_temp.compare_scans('images', 6, 16);

-- Every substring count gives the same answers (2 substrings of 32 bits,
-- 3 of 22 and 21, 4 of 16, 8 of 8 bits)
DROP INDEX images_mih;
CREATE INDEX images_mih ON images USING mih (h) WITH (substrings = 2);
SELECT * FROM pg_temp.compare_scans('images', 6, 24);
SELECT * FROM pg_temp.compare_sets('images', 12);
DROP INDEX images_mih;
CREATE INDEX images_mih ON images USING mih (h) WITH (substrings = 3);
SELECT * FROM pg_temp.compare_scans('images', 6, 24);
SELECT * FROM pg_temp.compare_sets('images', 12);
DROP INDEX images_mih;
CREATE INDEX images_mih ON images USING mih (h) WITH (substrings = 4, pending_list_limit = 64);
SELECT * FROM pg_temp.compare_scans('images', 6, 24);
SELECT * FROM pg_temp.compare_sets('images', 12);
DROP INDEX images_mih;
CREATE INDEX images_mih ON images USING mih (h) WITH (substrings = 8);
SELECT * FROM pg_temp.compare_scans('images', 6, 24);
SELECT * FROM pg_temp.compare_sets('images', 12);
SELECT c.relname, c.reloptions FROM pg_class c WHERE c.relname = 'images_mih';

-------------------------------------------------------------------------
-- TRUNCATE
-------------------------------------------------------------------------

TRUNCATE images;
SELECT * FROM pg_temp.compare_scans('images', 12, 64);
INSERT INTO images VALUES (1, 'a5a5a5a5a5a5a5a5'), (2, NULL), (3, '5a5a5a5a5a5a5a5a'), (4, 'a5a5a5a5a5a5a5a7');
SET enable_seqscan = off;
SELECT id, d FROM (SELECT id, h <~> 'a5a5a5a5a5a5a5a5' AS d FROM images
                   ORDER BY h <~> 'a5a5a5a5a5a5a5a5' OFFSET 0) s
ORDER BY d, id;
SELECT id FROM images WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 2) ORDER BY id;
RESET enable_seqscan;

-------------------------------------------------------------------------
-- A build larger than maintenance_work_mem; temporary and unlogged tables
-------------------------------------------------------------------------

-- With 1MB the build holds 32768 codes at a time: 100000 rows are sorted
-- in four chunks into temporary files, and merged from there
CREATE TABLE big_images (id int, h phash) WITH (autovacuum_enabled = off);
INSERT INTO big_images
  SELECT i, CASE WHEN i % 1000 = 0 THEN NULL ELSE hashint8extended(i, 0)::phash END
  FROM generate_series(1, 100000) AS i;
INSERT INTO big_images SELECT 100000 + i, pg_temp.code(i * 3) FROM generate_series(1, 500) AS i;
SET maintenance_work_mem = '1MB';
CREATE INDEX big_images_mih ON big_images USING mih (h);
RESET maintenance_work_mem;
SELECT * FROM pg_temp.compare_scans('big_images', 4, 16);
SET enable_seqscan = off;
SELECT count(id) FROM big_images WHERE h <@ hamming_ball(hashint8extended(99999, 0)::phash, 0);
SELECT count(id), count(h) FROM (SELECT id, h FROM big_images ORDER BY h <~> pg_temp.code(3)) s;
RESET enable_seqscan;

-- A temporary table (local buffers: its inserts flush the pending list
-- twice, and the two segments merge), and an unlogged one (with an init
-- fork)
CREATE TEMP TABLE temp_images (id int, h phash);
CREATE INDEX temp_images_mih ON temp_images USING mih (h) WITH (pending_list_limit = 64);
INSERT INTO temp_images SELECT i, pg_temp.code(i) FROM generate_series(1, 10000) AS i;
INSERT INTO temp_images SELECT 20000 + i, pg_temp.flip(pg_temp.code(i), 1 + i % 6, i)
  FROM generate_series(1, 600) AS i;
SELECT * FROM pg_temp.compare_scans('temp_images', 12, 24);
CREATE UNLOGGED TABLE unlogged_images (id int, h phash);
INSERT INTO unlogged_images SELECT i, pg_temp.code(i) FROM generate_series(1, 2000) AS i;
INSERT INTO unlogged_images VALUES (0, NULL);
-- (CREATE INDEX CONCURRENTLY: the validation pass lists the index's
-- entries through VACUUM's bulk delete, and adds the rows it misses)
CREATE INDEX CONCURRENTLY unlogged_images_mih ON unlogged_images USING mih (h);
INSERT INTO unlogged_images SELECT 20000 + i, pg_temp.flip(pg_temp.code(i), 1 + i % 6, i)
  FROM generate_series(1, 600) AS i;
SELECT * FROM pg_temp.compare_scans('unlogged_images', 12, 64);

-- An exclusion constraint with = allows one row per code (and any
-- number of NULLs)
CREATE TABLE unique_codes (id int, h phash, EXCLUDE USING mih (h WITH =));
INSERT INTO unique_codes SELECT i, pg_temp.code(i) FROM generate_series(1, 2000) AS i;
INSERT INTO unique_codes VALUES (0, NULL), (-1, NULL), (2001, pg_temp.flip(pg_temp.code(77), 1, 1));
INSERT INTO unique_codes VALUES (2002, pg_temp.code(77));

-------------------------------------------------------------------------
-- Scans without a condition on the hash; a rebuild in the same file
-------------------------------------------------------------------------

-- The planner never picks a mih scan without a condition or an ordering
-- (it would read every entry and cannot return the hash): a partial index
-- must not answer count(*) over its predicate (100 rows, 50 of them with a
-- NULL code), nor an index-only scan count(*) (20000)
CREATE TABLE partial_images (id int, src text, h phash);
INSERT INTO partial_images
  SELECT i, CASE WHEN i % 200 = 0 THEN 'mine' ELSE 'laion' END,
         CASE WHEN i % 400 = 0 THEN NULL ELSE pg_temp.code(i) END
  FROM generate_series(1, 20000) AS i;
CREATE INDEX partial_images_mine ON partial_images USING mih (h) WHERE src = 'mine';
CREATE INDEX partial_images_all ON partial_images USING mih (h);
VACUUM ANALYZE partial_images;
SELECT count(id) FROM partial_images WHERE src = 'mine';
SELECT count(*) FROM partial_images;
SET enable_seqscan = off;
SELECT EXISTS (SELECT FROM partial_images) AS any_row;
RESET enable_seqscan;

-- TRUNCATE in the transaction that created the table rebuilds the index in
-- the same file: this session's cached map of the old index must go
-- (every one of the 4200 new codes is found once)
BEGIN;
CREATE TABLE rebuilt_images (id int, h phash);
INSERT INTO rebuilt_images VALUES (0, NULL);
INSERT INTO rebuilt_images SELECT i, pg_temp.code(i) FROM generate_series(1, 50000) AS i;
CREATE INDEX rebuilt_images_mih ON rebuilt_images USING mih (h) WITH (pending_list_limit = 64);
SET LOCAL enable_seqscan = off;
SELECT count(id) FROM rebuilt_images WHERE h = pg_temp.code(7);
TRUNCATE rebuilt_images;
INSERT INTO rebuilt_images SELECT i, pg_temp.code(i) FROM generate_series(100001, 104200) AS i;
COMMIT;
SET enable_seqscan = off;
SELECT count(*) FILTER (WHERE c <> 1) AS not_found_once
FROM generate_series(100001, 104200) AS i,
     LATERAL (SELECT count(id) AS c FROM rebuilt_images WHERE h = pg_temp.code(i)) AS x;
RESET enable_seqscan;

-------------------------------------------------------------------------
-- The access method and its operator class
-------------------------------------------------------------------------

SELECT amvalidate(opc.oid) FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
WHERE am.amname = 'mih';
SELECT p.name, pg_indexam_has_property(am.oid, p.name)
FROM pg_am am,
     unnest(ARRAY['can_order', 'can_unique', 'can_multi_col', 'can_exclude', 'can_include']) AS p(name)
WHERE am.amname = 'mih';
SELECT p.name, pg_index_column_has_property('big_images_mih'::regclass, 1, p.name)
FROM unnest(ARRAY['orderable', 'distance_orderable', 'returnable', 'search_array', 'search_nulls']) AS p(name);

-------------------------------------------------------------------------
-- Errors
-------------------------------------------------------------------------

\set VERBOSITY default
\set SHOW_CONTEXT never
-- substrings: 0 (automatic) or 2 to 8
CREATE INDEX ON big_images USING mih (h) WITH (substrings = 1);
CREATE INDEX ON big_images USING mih (h) WITH (substrings = 9);
CREATE INDEX ON big_images USING mih (h) WITH (substrings = -1);
ALTER INDEX big_images_mih SET (substrings = 1);
-- pending_list_limit: at least 64 kB
CREATE INDEX ON big_images USING mih (h) WITH (pending_list_limit = 10);
-- no other options
CREATE INDEX ON big_images USING mih (h) WITH (fillfactor = 50);
-- only phash columns, one column, no INCLUDE, not UNIQUE
CREATE INDEX ON big_images USING mih (id);
CREATE INDEX ON big_images USING mih (h, h);
CREATE INDEX ON big_images USING mih (h) INCLUDE (id);
CREATE UNIQUE INDEX ON big_images USING mih (h);
-- radii: 0 to 64
SELECT count(id) FROM big_images WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', 65);
SELECT count(id) FROM big_images WHERE h <@ hamming_ball('a5a5a5a5a5a5a5a5', -1);

DROP TABLE empty_codes, null_codes, images, portfolio, big_images, unlogged_images, unique_codes;
