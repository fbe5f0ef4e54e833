-- mih_data.sql -- data, query sets and timing harness of test/bench/bench_mih.sh
--
-- Run by bench_mih.sh with psql, in three parts selected by the psql
-- variable "part":
--
--   psql -v part=load    -v n=N -v skewed=0|1 -v seed=S -f mih_data.sql
--       generates the table images(id bigint, hash phash) in SQL
--       (generate_series and PostgreSQL's built-in 64-bit hash
--       hashint8extended(i, seed) as the pseudo-random generator, so the
--       data depend only on N, the variant and the seed):
--         plain:  row i has a uniform random code, except every 100th row
--                 (i % 100 = 0, so exactly 1%), a near-duplicate: the code
--                 of an earlier row that is not itself a near-duplicate,
--                 with 0 to 6 distinct bits flipped;
--         skewed: about 80% uniform random codes and about 20% of rows in
--                 duplicate clusters, members within 0 to 4 distinct bits
--                 of their cluster's centre (20% of members are exact
--                 copies): one big cluster holding about 1% of all rows,
--                 the other 19% in many small clusters (about N*0.19/16 of
--                 them, 16 members on average, Poisson sizes); cluster
--                 members are spread over the whole table.
--       The centres of the clusters are kept in mih_centres (skewed only).
--   psql -v part=queries -v n=N -v skewed=0|1 -v seed=S -f mih_data.sql
--       fills mih_queries(qset, qid, code, note) with fixed-seed query sets:
--         planted  200: the code of an existing row (drawn uniformly) with
--                       0 to 4 distinct bits flipped;
--         random   200: uniform random codes;
--         big      100: (skewed) the big cluster's centre with 0 to 4 bits
--                       flipped;
--         cluster  100: (skewed) a small cluster's centre with 0 to 4 bits
--                       flipped: a query with near-duplicates
--         far      100: (skewed) uniform random codes at least 15 bits from
--                       every small cluster's centre and at least 24 bits
--                       from the big cluster's (so no cluster member is
--                       within radius 10 of the query, and no member of
--                       the big cluster within radius 19), by rejection.
--   psql -v part=harness -f mih_data.sql
--       creates the result tables and the timing functions below.
--
-- Timing: mih_time(method, stmt, kind, qset, nqueries) runs
-- `EXECUTE stmt(code)` (a statement made with PREPARE in the calling
-- session) for the first nqueries queries of a set, one at a time, and
-- records each one's wall time (clock_timestamp() around the EXECUTE,
-- server side, so no client round trip), the number of rows, and an
-- order-independent digest of the ids (sum and xor) or, for k-NN, the ids;
-- the Hamming distances of the k-NN ids are filled in afterwards by
-- mih_knn_distances(), so that exactness is judged on the multiset of
-- distances (ties at the k-th distance may return different ids).
--
-- test/bench/mih_data.sql

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

SELECT :'part' = 'load' AS part_load, :'part' = 'queries' AS part_queries,
	:'part' = 'harness' AS part_harness \gset

-------------------------------------------------------------------------
-- helpers (created by every part; CREATE OR REPLACE)
-------------------------------------------------------------------------

-- a non-negative pseudo-random integer below m from a 64-bit hash value
CREATE OR REPLACE FUNCTION mih_mod(h bigint, m bigint) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT (h & 9223372036854775807) % m $$;

-- the k-th of up to 64 distinct bit positions drawn from h:
-- (a + k*b) mod 64 with b odd is distinct for k = 0..63
CREATE OR REPLACE FUNCTION mih_bit(h bigint, k int) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT 1::bigint << (((h & 63) + k * (((h >> 6) & 63) | 1)) & 63)::int $$;

-- code with nbits (0 to 6) distinct bits flipped, positions drawn from h
CREATE OR REPLACE FUNCTION mih_flip(code bigint, h bigint, nbits bigint) RETURNS bigint
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT code
		# (CASE WHEN nbits > 0 THEN mih_bit(h, 0) ELSE 0 END)
		# (CASE WHEN nbits > 1 THEN mih_bit(h, 1) ELSE 0 END)
		# (CASE WHEN nbits > 2 THEN mih_bit(h, 2) ELSE 0 END)
		# (CASE WHEN nbits > 3 THEN mih_bit(h, 3) ELSE 0 END)
		# (CASE WHEN nbits > 4 THEN mih_bit(h, 4) ELSE 0 END)
		# (CASE WHEN nbits > 5 THEN mih_bit(h, 5) ELSE 0 END) $$;

-------------------------------------------------------------------------
-- part=load: the table
-------------------------------------------------------------------------

\if :part_load

SELECT :skewed::int = 1 AS is_skewed,
	greatest(1, round(:n * 0.19 / 16))::bigint AS n_small \gset

BEGIN;
DROP TABLE IF EXISTS images, mih_centres;
CREATE TABLE images (id bigint NOT NULL, hash phash);

\if :is_skewed
-- centre 0 is the big cluster's, 1..n_small the small ones'
CREATE TABLE mih_centres AS
	SELECT c::int AS c, hashint8extended(c, :seed + 10) AS code
	FROM generate_series(0, :n_small) AS c;

INSERT INTO images
SELECT i, (CASE
		WHEN t >= 20 THEN hashint8extended(i, :seed)
		ELSE mih_flip(hashint8extended(CASE WHEN t = 0 THEN 0
				ELSE 1 + mih_mod(hashint8extended(i, :seed + 4), :n_small) END, :seed + 10),
			hashint8extended(i, :seed + 5), mih_mod(hashint8extended(i, :seed + 6), 5))
	END)::phash
FROM generate_series(1, :n) AS i,
	LATERAL (SELECT mih_mod(hashint8extended(i, :seed + 3), 100) AS t) AS kind;
\else
-- every 100th row copies an earlier row that is not itself a copy
INSERT INTO images
SELECT i, (CASE
		WHEN i % 100 <> 0 THEN hashint8extended(i, :seed)
		ELSE mih_flip(hashint8extended(CASE WHEN src % 100 = 0 THEN src - 1 ELSE src END, :seed),
			hashint8extended(i, :seed + 2), mih_mod(hashint8extended(i, :seed + 3), 7))
	END)::phash
FROM generate_series(1, :n) AS i,
	LATERAL (SELECT 1 + mih_mod(hashint8extended(i, :seed + 1), greatest(i - 1, 1)) AS src) AS s;
\endif
COMMIT;

\endif

-------------------------------------------------------------------------
-- part=queries: the query sets
-------------------------------------------------------------------------

\if :part_queries

SELECT :skewed::int = 1 AS is_skewed \gset

DROP TABLE IF EXISTS mih_queries;
CREATE TABLE mih_queries (
	qset text NOT NULL,
	qid int NOT NULL,           -- 0, 1, ...: the first k of a set are a fixed subset
	code phash NOT NULL,
	note text,                  -- how it was made
	PRIMARY KEY (qset, qid)
);

-- planted: an existing row (one hash join over the table) with 0-4 bits flipped
INSERT INTO mih_queries
SELECT 'planted', q.k,
	mih_flip(im.hash::bigint, hashint8extended(q.k, :seed + 21), q.nbits)::phash,
	format('row %s with %s bits flipped', q.id, q.nbits)
FROM (SELECT k, 1 + mih_mod(hashint8extended(k, :seed + 20), :n) AS id,
			mih_mod(hashint8extended(k, :seed + 22), 5) AS nbits
		FROM generate_series(0, 199) AS k) AS q
	JOIN images AS im ON im.id = q.id;

INSERT INTO mih_queries
SELECT 'random', k, hashint8extended(k, :seed + 23)::phash, 'uniform random'
FROM generate_series(0, 199) AS k;

\if :is_skewed
INSERT INTO mih_queries
SELECT 'big', k,
	mih_flip((SELECT code FROM mih_centres WHERE c = 0), hashint8extended(k, :seed + 24),
		mih_mod(hashint8extended(k, :seed + 25), 5))::phash,
	format('big cluster centre with %s bits flipped', mih_mod(hashint8extended(k, :seed + 25), 5))
FROM generate_series(0, 99) AS k;

-- cluster: a small cluster's centre with 0-4 bits flipped: a query with
-- near-duplicates (16 on average, within about 8 bits)
INSERT INTO mih_queries
SELECT 'cluster', k,
	mih_flip(c.code, hashint8extended(k, :seed + 27), mih_mod(hashint8extended(k, :seed + 28), 5))::phash,
	format('small cluster %s centre with %s bits flipped', c.c, mih_mod(hashint8extended(k, :seed + 28), 5))
FROM generate_series(0, 99) AS k
	JOIN mih_centres AS c ON c.c = 1 + mih_mod(hashint8extended(k, :seed + 29),
		(SELECT max(c) FROM mih_centres));

-- far: rejection sampling over candidates in a fixed order, until 100
SELECT set_config('mih.seed', :'seed', false) \gset mih_ignored_
CREATE TEMP TABLE mih_small_centres AS SELECT code::phash AS code FROM mih_centres WHERE c > 0;
DO $$
DECLARE
	seed bigint := current_setting('mih.seed')::bigint;
	big phash := (SELECT code FROM mih_centres WHERE c = 0)::phash;
	cand phash;
	found int := 0;
BEGIN
	FOR k IN 0..99999 LOOP
		cand := hashint8extended(k, seed + 26)::phash;
		CONTINUE WHEN (cand <~> big) < 24;
		CONTINUE WHEN EXISTS (SELECT 1 FROM mih_small_centres AS z
			WHERE z.code <@ hamming_ball(cand, 14));
		INSERT INTO mih_queries VALUES ('far', found, cand,
			format('random candidate %s, >= 15 bits from every cluster centre', k));
		found := found + 1;
		EXIT WHEN found = 100;
	END LOOP;
END
$$;
\endif

ANALYZE mih_queries;

\endif

-------------------------------------------------------------------------
-- part=harness: result tables and timing functions
-------------------------------------------------------------------------

\if :part_harness

DROP TABLE IF EXISTS mih_results;
CREATE TABLE mih_results (
	method text NOT NULL,       -- 'seq' or 'index'
	stmt text NOT NULL,         -- prepared statement name
	qset text NOT NULL,
	qid int NOT NULL,
	ms float8 NOT NULL,         -- wall time of the EXECUTE
	nrows bigint NOT NULL,      -- rows returned (count(*) for count statements)
	idsum bigint,               -- ids statements: sum of the ids
	idxor bigint,               -- ids statements: xor of the ids
	ids bigint[],               -- k-NN: the ids, in the order returned
	dists int[],                -- k-NN: their distances to the query, sorted
	ndistinct int,              -- k-NN: distinct ids among them
	PRIMARY KEY (method, stmt, qset, qid)
);

-- plans seen: 'timed' = at the end of a timed session (method's settings),
-- 'default' = a fresh session with default planner settings
DROP TABLE IF EXISTS mih_plans;
CREATE TABLE mih_plans (
	method text NOT NULL,
	qset text NOT NULL,
	stmt text NOT NULL,
	which text NOT NULL,
	plan text,
	generic_plans bigint,       -- executions so far with the generic plan
	custom_plans bigint,        -- ... with a custom plan
	PRIMARY KEY (method, qset, stmt, which)
);

-- the harness floor: the same EXECUTE path on an empty table
DROP TABLE IF EXISTS mih_empty;
CREATE TABLE mih_empty (id bigint NOT NULL, hash phash);

-- Time EXECUTE p_stmt(code) for the first p_limit queries of p_qset.
-- p_kind: 'count' (one row, count(*)), 'ids' (rows of id) or 'knn' (rows of id).
CREATE OR REPLACE FUNCTION mih_time(p_method text, p_stmt text, p_kind text,
		p_qset text, p_limit int) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	q record;
	r record;
	cmd text;
	t0 timestamptz;
	t1 timestamptz;
	n bigint;
	s bigint;
	x bigint;
	got bigint[];
	done int := 0;
BEGIN
	FOR q IN SELECT qid, code FROM mih_queries WHERE qset = p_qset AND qid < p_limit ORDER BY qid LOOP
		cmd := format('EXECUTE %I(%L)', p_stmt, q.code::text);
		n := 0;
		s := NULL;
		x := NULL;
		got := NULL;
		IF p_kind = 'count' THEN
			t0 := clock_timestamp();
			EXECUTE cmd INTO n;
			t1 := clock_timestamp();
		ELSIF p_kind = 'ids' THEN
			s := 0;
			x := 0;
			t0 := clock_timestamp();
			FOR r IN EXECUTE cmd LOOP
				n := n + 1;
				s := s + r.id;
				x := x # r.id;
			END LOOP;
			t1 := clock_timestamp();
		ELSIF p_kind = 'knn' THEN
			got := '{}';
			t0 := clock_timestamp();
			FOR r IN EXECUTE cmd LOOP
				got := array_append(got, r.id);
			END LOOP;
			t1 := clock_timestamp();
			n := cardinality(got);
		ELSE
			RAISE EXCEPTION 'mih_time: unknown kind %', p_kind;
		END IF;
		INSERT INTO mih_results (method, stmt, qset, qid, ms, nrows, idsum, idxor, ids)
			VALUES (p_method, p_stmt, p_qset, q.qid,
				extract(epoch FROM t1 - t0) * 1000, n, s, x, got);
		done := done + 1;
	END LOOP;
	RETURN done;
END
$$;

-- Fill in dists and ndistinct of the k-NN results of a method: one hash
-- join of all returned ids with the table.
CREATE OR REPLACE FUNCTION mih_knn_distances(p_method text) RETURNS void
LANGUAGE sql AS $$
	UPDATE mih_results AS r
	SET dists = d.dists, ndistinct = d.ndistinct
	FROM (SELECT r2.stmt, r2.qset, r2.qid,
				array_agg(im.hash <~> q.code ORDER BY im.hash <~> q.code) AS dists,
				count(DISTINCT u.id)::int AS ndistinct
			FROM mih_results AS r2
				CROSS JOIN LATERAL unnest(r2.ids) AS u(id)
				JOIN images AS im ON im.id = u.id
				JOIN mih_queries AS q ON q.qset = r2.qset AND q.qid = r2.qid
			WHERE r2.method = p_method AND r2.ids IS NOT NULL
			GROUP BY r2.stmt, r2.qset, r2.qid) AS d
	WHERE r.method = p_method AND r.stmt = d.stmt AND r.qset = d.qset AND r.qid = d.qid;
	-- an empty answer has no row in d
	UPDATE mih_results SET dists = '{}', ndistinct = 0
	WHERE method = p_method AND ids IS NOT NULL AND dists IS NULL;
$$;

-- The scan nodes of the plan EXECUTE p_stmt(p_code) would use now
-- (custom or generic, as the plan cache decides), e.g. "Seq Scan" or
-- "Bitmap Heap Scan > Bitmap Index Scan on images_mih".
CREATE OR REPLACE FUNCTION mih_plan(p_stmt text, p_code phash) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	line text;
	nodes text[] := '{}';
	m text[];
BEGIN
	FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) EXECUTE %I(%L)', p_stmt, p_code::text) LOOP
		m := regexp_match(line, '((Seq|Index Only|Index|Bitmap Heap|Bitmap Index|Custom|Sample) Scan( using \S+| on \S+)?)');
		IF m IS NOT NULL THEN
			nodes := array_append(nodes, regexp_replace(m[1], ' on images$', ''));
		END IF;
	END LOOP;
	RETURN array_to_string(nodes, ' > ');
END
$$;

-- Record the plan of each mih_* prepared statement of this session, and
-- how often the plan cache used a generic or a custom plan so far.
CREATE OR REPLACE FUNCTION mih_record_plans(p_method text, p_qset text, p_which text)
	RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	ps record;
	code phash := (SELECT q.code FROM mih_queries AS q WHERE q.qset = p_qset AND q.qid = 0);
BEGIN
	FOR ps IN SELECT name, generic_plans, custom_plans FROM pg_prepared_statements
			WHERE name LIKE 'mih\_%' ORDER BY name LOOP
		INSERT INTO mih_plans VALUES (p_method, p_qset, ps.name, p_which, mih_plan(ps.name, code),
			ps.generic_plans, ps.custom_plans)
		ON CONFLICT (method, qset, stmt, which) DO UPDATE
			SET plan = excluded.plan, generic_plans = excluded.generic_plans,
				custom_plans = excluded.custom_plans;
	END LOOP;
END
$$;

\endif
