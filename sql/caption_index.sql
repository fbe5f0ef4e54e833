-- The caption index access method: USING caption (caption), served by
-- caption @@@ query.  Its answers are checked against the hand-made pairs
-- of the caption test and against caption_matches evaluated row by row (a
-- sequential scan) on generated captions and queries: after the build,
-- after inserts (the pending list), after deletes and VACUUM.
CREATE EXTENSION IF NOT EXISTS imgsearch;
SET jit = off;

-- caption_matches evaluated on each row, whatever indexes the table has:
-- its definition, inlined (what 0.3's caption_matches was)
CREATE FUNCTION pg_temp.row_matches(caption text, query text) RETURNS boolean
LANGUAGE sql IMMUTABLE RETURN caption_tsvector(caption) @@ caption_tsquery(query);

-- the operator means caption_matches
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (caption @@@ query) IS DISTINCT FROM caption_matches(caption, query)) AS differ
FROM caption_pairs;

-- the hand-made pairs through the index: every disagreement is listed
CREATE TABLE pair_captions AS
  SELECT row_number() OVER (ORDER BY rule, caption, query) AS id, * FROM caption_pairs;
CREATE INDEX pair_captions_idx ON pair_captions USING caption (caption);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT p.rule, p.caption, p.query FROM pair_captions p
WHERE p.should_match <> EXISTS (SELECT 1 FROM pair_captions c WHERE c.caption @@@ p.query AND c.id = p.id);
SELECT p.rule, p.caption, p.query, p.should_match FROM pair_captions p
WHERE p.should_match <> EXISTS (SELECT 1 FROM pair_captions c WHERE c.caption @@@ p.query AND c.id = p.id);
RESET enable_seqscan;

-- Generated captions: names with accents, camelCase and CJK, common
-- words, thousands of rare words (so that the dictionary has several
-- levels and common words several posting blocks), NULLs, repeated words
-- and a few captions of thousands of words (autovacuum off: the test runs VACUUM itself)
CREATE TABLE caps(id int PRIMARY KEY, caption text) WITH (autovacuum_enabled = off);
INSERT INTO caps
SELECT i,
  concat_ws(' ',
    (ARRAY['Greg Rutkowski','GregRutkowski','Björk Guðmundsdóttir','Antonín Dvořák','Łukasz Żak','Hokusai 葛飾北斎','東京タワー at night','Alfons Mucha''s','Jean-Michel Basquiat','McDonald farm', NULL])[1 + (i * 7) % 11],
    (ARRAY['painting','portrait','landscape','of','a','the','dragon','castle','art','by','trending','on','artstation'])[1 + (i * 13) % 13],
    (ARRAY['painting','portrait','landscape','of','a','the','dragon','castle','art','by','trending','on','artstation'])[1 + (i * 5 + 3) % 13],
    'w' || ((i * 7919) % 4999),
    CASE WHEN i % 3 = 0 THEN 'x' || ((i * 104729) % 3001) END,
    (ARRAY['greg','rutkowski','mucha','dragon','of the','a b c','night','tower'])[1 + (i * 3) % 8],
    CASE WHEN i % 50 = 0 THEN repeat('dragon castle ', 20) END,
    CASE WHEN i % 997 = 0 THEN repeat('long' || i || ' ', 3000) END)
FROM generate_series(1, 20000) i;
UPDATE caps SET caption = NULL WHERE id % 101 = 0;
CREATE TABLE queries(qid serial, query text);
INSERT INTO queries(query) VALUES
 ('greg rutkowski'), ('"greg rutkowski"'), ('gregrutkowski'), ('GregRutkowski'), ('"rutkowski greg"'),
 ('bjork'), ('Björk'), ('dvorak'), ('lukasz zak'), ('葛飾北斎'), ('北'), ('葛'), ('東京'), ('タワー'),
 ('mucha'), ('"alfons mucha"'), ('mucha''s'), ('basquiat'), ('"jean michel basquiat"'), ('jean-michel'),
 ('dragon'), ('dragon castle'), ('"dragon castle"'), ('"castle dragon"'), ('"dragon castle dragon castle"'),
 ('dragon -castle'), ('-dragon'), ('-dragon -castle'), ('dragon or castle'), ('mucha or basquiat'),
 ('"of the"'), ('"a b c"'), ('"b c"'), ('a b c'), ('"the dragon"'), ('trending on artstation'), ('"trending on artstation"'),
 ('"on artstation"'), ('w17'), ('w17 or w18'), ('w4998'), ('x5'), ('w100 x200'), ('nothingatall'), (''), ('   '), ('-'),
 ('"'), ('""'), ('or'), ('greg or'), ('or greg'), ('long997'), ('"long997 long997"'), ('"long997 long997 long997"'),
 ('"long1994 long1994"'), ('mcdonald'), ('"mc donald"'), ('McDonald'), ('farm -mcdonald'), ('night tower'),
 ('"at night"'), ('"tower at night"'), ('-greg -rutkowski dragon'), ('painting -painting'), ('"painting portrait"');
INSERT INTO queries(query)
SELECT 'w' || (i * 37 % 4999) || ' ' || (ARRAY['painting','"of the"','-dragon','or castle','art'])[1 + i % 5] FROM generate_series(1, 60) i;
INSERT INTO queries(query)
SELECT '"' || split_part(caption, ' ', 2) || ' ' || split_part(caption, ' ', 3) || ' ' || split_part(caption, ' ', 4) || '"'
FROM caps WHERE id % 211 = 0 AND caption IS NOT NULL;

-- rows of every query: through the index, and by caption_matches on every
-- row (a sequential scan)
CREATE FUNCTION pg_temp.compare() RETURNS TABLE (index_rows_equal boolean, only_index bigint, only_seq bigint, queries_with_rows bigint)
LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL enable_seqscan = off;
  SET LOCAL enable_indexscan = off;
  CREATE TEMP TABLE via_index ON COMMIT DROP AS
    SELECT q.qid, c.id FROM queries q, LATERAL (SELECT id FROM caps WHERE caption @@@ q.query) c;
  SET LOCAL enable_seqscan = on;
  SET LOCAL enable_bitmapscan = off;
  -- caption_matches(c, q) is caption_tsvector(c) @@ caption_tsquery(q):
  -- each side computed once per row and per query
  CREATE TEMP TABLE via_seq ON COMMIT DROP AS
    WITH v AS MATERIALIZED (SELECT id, caption_tsvector(caption) AS v FROM caps),
         t AS MATERIALIZED (SELECT qid, caption_tsquery(query) AS t FROM queries)
    SELECT t.qid, v.id FROM t JOIN v ON v.v @@ t.t;
  RETURN QUERY SELECT
    (SELECT count(*) FROM via_index) = (SELECT count(*) FROM via_seq),
    (SELECT count(*) FROM (SELECT * FROM via_index EXCEPT SELECT * FROM via_seq) x),
    (SELECT count(*) FROM (SELECT * FROM via_seq EXCEPT SELECT * FROM via_index) x),
    (SELECT count(DISTINCT qid) FROM via_seq);
END $$;

-- count(*) of every query by the index's count scan (a correlated
-- subquery: the scan runs once per query), against caption_matches on
-- every row; and how many of the index's matches it looked up in the heap
CREATE FUNCTION pg_temp.compare_counts() RETURNS TABLE (counts_differ bigint, heap_fetches bigint)
LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  -- the count scan whatever the visibility map's coverage makes it cost
  SET LOCAL enable_bitmapscan = off;
  SET LOCAL enable_seqscan = off;
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) SELECT q.qid, (SELECT count(*) FROM caps WHERE caption @@@ q.query) FROM queries q' INTO plan;
  IF plan->0->'Plan'->'Plans'->0->>'Custom Plan Provider' IS DISTINCT FROM 'CaptionCount' THEN
    RAISE EXCEPTION 'no count scan: %', plan;
  END IF;
  heap_fetches := (plan->0->'Plan'->'Plans'->0->>'Heap Fetches')::bigint;
  CREATE TEMP TABLE counts_index ON COMMIT DROP AS
    SELECT q.qid, (SELECT count(*) FROM caps WHERE caption @@@ q.query) AS n FROM queries q;
  SET LOCAL enable_seqscan = on;
  CREATE TEMP TABLE counts_seq ON COMMIT DROP AS
    WITH v AS MATERIALIZED (SELECT id, caption_tsvector(caption) AS v FROM caps),
         t AS MATERIALIZED (SELECT qid, caption_tsquery(query) AS t FROM queries)
    SELECT t.qid, count(v.id) AS n FROM t LEFT JOIN v ON v.v @@ t.t GROUP BY t.qid;
  counts_differ := (SELECT count(*) FROM counts_index i JOIN counts_seq s USING (qid) WHERE i.n <> s.n)
    + (SELECT count(*) FROM queries) - (SELECT count(*) FROM counts_index i JOIN counts_seq s USING (qid));
  RETURN NEXT;
END $$;

CREATE INDEX caps_idx ON caps USING caption (caption);
SET enable_seqscan = off;
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) SELECT q.qid, c.id FROM queries q, LATERAL (SELECT id FROM caps WHERE caption @@@ q.query) c;
RESET enable_seqscan;
RESET enable_indexscan;
SELECT count(*) AS queries FROM queries;
SELECT * FROM pg_temp.compare();


-- the planner's estimate of a query's rows comes from the words'
-- document frequencies in the index: a word's is its count
CREATE FUNCTION pg_temp.estimate(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE format('EXPLAIN (FORMAT JSON) SELECT * FROM caps WHERE caption @@@ %L', q) INTO plan;
  RETURN (plan->0->'Plan'->>'Plan Rows')::bigint;
END $$;
ANALYZE caps;
SELECT q, pg_temp.estimate(q) = n AS exact
FROM (VALUES ('dragon'), ('greg'), ('w17'), ('x5'), ('mcdonald')) AS v (q),
     LATERAL (SELECT count(*) AS n FROM caps WHERE pg_temp.row_matches(caption, q)) c;
SELECT pg_temp.estimate('nothingatall') AS nothing, pg_temp.estimate('"greg rutkowski"') <= (SELECT count(*) FROM caps WHERE pg_temp.row_matches(caption, 'greg')) AS phrase_at_most_its_words;

-- caption_matches(caption, q) is served by the caption index too (its
-- support function writes it caption @@@ q when the column has a caption
-- index), and so are
-- its counts and top k
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM caps WHERE caption_matches(caption, 'greg rutkowski');
EXPLAIN (COSTS OFF) SELECT count(*) FROM caps WHERE caption_matches(caption, 'greg rutkowski');
EXPLAIN (COSTS OFF) SELECT id FROM caps WHERE caption_matches(caption, 'greg rutkowski')
ORDER BY caption_rank(caption, 'greg rutkowski') DESC LIMIT 5;
RESET enable_seqscan;
SELECT (SELECT count(*) FROM caps WHERE caption_matches(caption, q)) AS via_index,
       (SELECT count(*) FROM caps WHERE pg_temp.row_matches(caption, q)) AS row_by_row
FROM (VALUES ('greg rutkowski'), ('"alfons mucha"'), ('北'), ('-dragon')) v (q);

-- two keys in one scan
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM caps WHERE caption @@@ 'dragon' AND caption @@@ '"of the"';
SELECT count(*) FROM caps WHERE caption @@@ 'dragon' AND caption @@@ '"of the"';
RESET enable_seqscan;
SELECT count(*) FROM caps WHERE pg_temp.row_matches(caption, 'dragon') AND pg_temp.row_matches(caption, '"of the"');

-- count(*) is a count scan of the index, which reads the table only for
-- matches on pages the visibility map does not mark all visible: after
-- VACUUM, none
VACUUM caps;
EXPLAIN (COSTS OFF) SELECT count(*) FROM caps WHERE caption @@@ 'dragon';
EXPLAIN (COSTS OFF) SELECT count(*) FROM caps WHERE caption @@@ 'dragon' AND caption @@@ '-castle';
EXPLAIN (COSTS OFF) SELECT q.query, (SELECT count(*) FROM caps WHERE caption @@@ q.query) FROM queries q;
SELECT counts_differ, heap_fetches FROM pg_temp.compare_counts();
-- not for other aggregates, other quals or other targets
EXPLAIN (COSTS OFF) SELECT count(*) + 1 FROM caps WHERE caption @@@ 'dragon';
EXPLAIN (COSTS OFF) SELECT count(*) FROM caps WHERE caption @@@ 'dragon' AND id > 5;
EXPLAIN (COSTS OFF) SELECT count(id) FROM caps WHERE caption @@@ 'dragon';
EXPLAIN (COSTS OFF) SELECT count(*) FROM caps WHERE caption @@@ 'dragon' GROUP BY id % 2;
-- in a transaction that deletes and inserts rows: its own snapshot
BEGIN;
DELETE FROM caps WHERE id % 3 = 0;
INSERT INTO caps VALUES (300001, 'greg rutkowski dragon'), (300002, 'a dragon');
SELECT counts_differ, heap_fetches > 0 AS heap_read FROM pg_temp.compare_counts();
ROLLBACK;
SELECT counts_differ, heap_fetches > 0 AS heap_read FROM pg_temp.compare_counts();

-- ORDER BY caption_rank(caption, q) DESC is a top-k scan of the index:
-- it bounds each match's rank from the index's positions and lengths and
-- fetches rows by decreasing bound, so with LIMIT k it reads about k rows.
-- Each query's ranks in order, through it and by sorting every match
-- (ties may come in any order, so the ranks are compared, not the ids),
-- for LIMIT 20 and for all matches
CREATE FUNCTION pg_temp.compare_topk(k int) RETURNS TABLE (queries_differ bigint, queries_with_rows bigint)
LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  SET LOCAL enable_bitmapscan = off;
  SET LOCAL enable_seqscan = off;
  SET LOCAL enable_sort = off;
  EXECUTE format('EXPLAIN (FORMAT JSON) SELECT q.qid, (SELECT array_agg(r) FROM (SELECT caption_rank(caption, q.query) AS r FROM caps WHERE caption @@@ q.query ORDER BY caption_rank(caption, q.query) DESC LIMIT %s) s) FROM queries q', k) INTO plan;
  IF plan::text NOT LIKE '%CaptionTopK%' THEN
    RAISE EXCEPTION 'no top-k scan: %', plan;
  END IF;
  EXECUTE format('CREATE TEMP TABLE topk_index ON COMMIT DROP AS SELECT q.qid, (SELECT array_agg(r) FROM (SELECT caption_rank(caption, q.query) AS r FROM caps WHERE caption @@@ q.query ORDER BY caption_rank(caption, q.query) DESC LIMIT %s) s) AS ranks FROM queries q', k);
  SET LOCAL enable_bitmapscan = on;
  SET LOCAL enable_sort = on;
  SET LOCAL imgsearch.enable_caption_topk = off;
  -- (the index's matches are checked against caption_matches above)
  EXECUTE format('CREATE TEMP TABLE topk_sort ON COMMIT DROP AS SELECT q.qid, (SELECT array_agg(r) FROM (SELECT caption_rank(caption, q.query) AS r FROM caps WHERE caption @@@ q.query ORDER BY 1 DESC LIMIT %s) s) AS ranks FROM queries q', k);
  queries_differ := (SELECT count(*) FROM topk_index i JOIN topk_sort s USING (qid) WHERE i.ranks IS DISTINCT FROM s.ranks);
  queries_with_rows := (SELECT count(*) FROM topk_sort WHERE ranks IS NOT NULL);
  RETURN NEXT;
END $$;
SELECT * FROM pg_temp.compare_topk(20);
SELECT * FROM pg_temp.compare_topk(100000);
EXPLAIN (COSTS OFF) SELECT id FROM caps WHERE caption @@@ 'dragon' ORDER BY caption_rank(caption, 'dragon') DESC LIMIT 10;
CREATE FUNCTION pg_temp.topk_plan(q text, k int) RETURNS json LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE format('EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) SELECT id FROM caps WHERE caption @@@ %L ORDER BY caption_rank(caption, %L) DESC LIMIT %s', q, q, k) INTO plan;
  RETURN jsonb_path_query_first(plan::jsonb, 'strict $.**?(@."Custom Plan Provider" == "CaptionTopK")');
END $$;
-- how much of the table it read for the 10 best of a common word's matches
SELECT (p->>'Matches')::int > 1000 AS many_matches, (p->>'Heap Fetches')::int < 100 AS few_rows_read
FROM pg_temp.topk_plan('dragon', 10) p;
-- another ranking query than the search's, another qual, no LIMIT
BEGIN;
SET LOCAL enable_sort = off;
EXPLAIN (COSTS OFF) SELECT id FROM caps WHERE caption @@@ 'dragon' AND id % 3 = 1 ORDER BY caption_rank(caption, 'castle greg') DESC;
SELECT array_agg(r) = (SELECT array_agg(r) FROM (SELECT caption_rank(caption, 'castle greg') r FROM caps
                        WHERE pg_temp.row_matches(caption, 'dragon') AND id % 3 = 1 ORDER BY 1 DESC) s) AS same_ranks
FROM (SELECT caption_rank(caption, 'castle greg') r FROM caps WHERE caption @@@ 'dragon' AND id % 3 = 1
      ORDER BY caption_rank(caption, 'castle greg') DESC) s;
COMMIT;

-- inserts go to the pending list, read by every scan: copies of a third
-- of the rows, and captions whose entries span several pages
INSERT INTO caps SELECT id + 100000, caption FROM caps WHERE id % 3 = 1;
INSERT INTO caps VALUES (200000, repeat('dragon castle greg rutkowski ', 2000)),
                        (200001, repeat('葛飾北斎', 3000)), (200002, NULL), (200003, '');
SELECT * FROM pg_temp.compare();
SELECT counts_differ FROM pg_temp.compare_counts();
SELECT * FROM pg_temp.compare_topk(20);

-- VACUUM marks the removed rows dead in the index: the index scan then
-- returns exactly the live rows (EXPLAIN ANALYZE's rows of the index scan
-- against a count by sequential scan)
CREATE FUNCTION pg_temp.index_rows(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  SET LOCAL enable_seqscan = off;
  SET LOCAL enable_indexscan = off;
  EXECUTE format('EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) SELECT id FROM caps WHERE caption @@@ %L', q) INTO plan;
  RETURN (plan->0->'Plan'->'Plans'->0->>'Actual Rows')::bigint;
END $$;
DELETE FROM caps WHERE id % 7 = 0;
SELECT pg_temp.index_rows('dragon') > count(*) AS dead_rows_returned FROM caps WHERE pg_temp.row_matches(caption, 'dragon');
VACUUM caps;
SELECT pg_temp.index_rows('dragon') = count(*) AS only_live_rows FROM caps WHERE pg_temp.row_matches(caption, 'dragon');
SELECT pg_temp.index_rows('greg') = count(*) AS only_live_rows FROM caps WHERE pg_temp.row_matches(caption, 'greg');
SELECT * FROM pg_temp.compare();
SELECT counts_differ FROM pg_temp.compare_counts();
SELECT * FROM pg_temp.compare_topk(20);

-- REINDEX writes the pending list into the segment; in 1MB of
-- maintenance_work_mem the build's sort spills to temporary files
SET maintenance_work_mem = '1MB';
REINDEX INDEX caps_idx;
RESET maintenance_work_mem;
SELECT * FROM pg_temp.compare();

-- CREATE INDEX CONCURRENTLY: built, then the rows it missed inserted
DROP INDEX caps_idx;
CREATE INDEX CONCURRENTLY caps_idx ON caps USING caption (caption);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'caps_idx'::regclass;
SELECT * FROM pg_temp.compare();

-- past pending_list_limit (64 kB here) the pending list is written as a
-- segment, as often as it fills, and the newest segments merged while
-- they add up to half the one before: some thirteen flushes leave few
-- segments
ALTER INDEX caps_idx SET (pending_list_limit = 64);
SELECT segments, pending_entries FROM caption_index_stats('caps_idx');
INSERT INTO caps SELECT id + 300000, caption FROM caps WHERE id <= 8000;
SELECT pending_entries < 8000 AS flushed, segments <= 5 AS merged, pending_pages <= 8 AS within_the_limit,
       documents + pending_entries = (SELECT count(*) FROM caps WHERE caption IS NOT NULL) + dead_documents AS every_row
FROM caption_index_stats('caps_idx');
SELECT * FROM pg_temp.compare();

-- deletes, then VACUUM: it writes the pending list as one more segment,
-- marks the removed rows dead, merges the segments into one without them
-- (a fifth of the rows are dead, over a tenth) and hands the pages of the
-- lists and segments dropped (once no snapshot can read them: a
-- transaction id taken after the drops) to the free space map; the next
-- flushes reuse them
DELETE FROM caps WHERE id % 5 = 0;
SELECT txid_current() > 0 AS new_xid;
VACUUM caps;
SELECT segments, pending_entries, dead_documents,
       documents = (SELECT count(*) FROM caps WHERE caption IS NOT NULL) AS only_live_documents
FROM caption_index_stats('caps_idx');
SELECT * FROM pg_temp.compare();
CREATE EXTENSION IF NOT EXISTS pg_freespacemap;
SELECT count(*) AS free_before FROM pg_freespace('caps_idx') WHERE avail > 0 \gset
SELECT :free_before > 20 AS pages_freed;
SELECT pages AS pages_before FROM caption_index_stats('caps_idx') \gset
INSERT INTO caps SELECT id + 400000, caption FROM caps WHERE id <= 400;
SELECT count(*) AS free_after FROM pg_freespace('caps_idx') WHERE avail > 0 \gset
SELECT pages = :pages_before AS index_did_not_grow, :free_after < :free_before AS freed_pages_taken
FROM caption_index_stats('caps_idx');
SELECT * FROM pg_temp.compare();
SELECT counts_differ FROM pg_temp.compare_counts();
SELECT * FROM pg_temp.compare_topk(20);

-- TRUNCATE, then an unlogged table
TRUNCATE caps;
INSERT INTO caps VALUES (1, 'Greg Rutkowski'), (2, 'greg');
SET enable_seqscan = off;
SELECT id FROM caps WHERE caption @@@ '"greg rutkowski"';
RESET enable_seqscan;
CREATE UNLOGGED TABLE caps_unlogged AS SELECT 1 AS id, 'a dragon by Loish'::text AS caption;
CREATE INDEX ON caps_unlogged USING caption (caption);
SET enable_seqscan = off;
SELECT id FROM caps_unlogged WHERE caption @@@ 'loish dragon';
RESET enable_seqscan;

-- a word repeated over 256 times keeps its first 256 positions, so the
-- index cannot see a phrase only its later copies make, which
-- caption_matches finds through the word pair 'a b': such rows are
-- rechecked on the caption (pending list, then segment; bitmap, count and
-- top-k scans; -phrase too)
INSERT INTO caps VALUES (3, repeat('a ', 300) || 'b'), (4, repeat('a ', 300) || 'c b'),
                        (5, 'a b');
SELECT pending_entries > 0 AS in_pending_list FROM caption_index_stats('caps_idx');
CREATE FUNCTION pg_temp.truncation_cases() RETURNS TABLE (query text, bitmap text, count bigint, topk text, seq text)
LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL enable_seqscan = off;
  FOR query IN VALUES ('"a b"'), ('-"a b"'), ('"a a b"'), ('"c b"') LOOP
    SET LOCAL imgsearch.enable_caption_count = off;
    SET LOCAL imgsearch.enable_caption_topk = off;
    bitmap := (SELECT string_agg(id::text, ',' ORDER BY id) FROM caps WHERE caption @@@ query);
    SET LOCAL imgsearch.enable_caption_count = on;
    SET LOCAL imgsearch.enable_caption_topk = on;
    count := (SELECT count(*) FROM caps WHERE caption @@@ query);
    topk := (SELECT string_agg(id::text, ',' ORDER BY id) FROM
             (SELECT id FROM caps WHERE caption @@@ query ORDER BY caption_rank(caption, query) DESC LIMIT 10) s);
    seq := (SELECT string_agg(id::text, ',' ORDER BY id) FROM caps WHERE pg_temp.row_matches(caption, query));
    RETURN NEXT;
  END LOOP;
END $$;
SELECT * FROM pg_temp.truncation_cases();
VACUUM caps;
SELECT pending_entries AS in_pending_list FROM caption_index_stats('caps_idx');
SELECT * FROM pg_temp.truncation_cases();

-- a NULL query matches nothing
SET enable_seqscan = off;
SELECT count(*) FROM caps WHERE caption @@@ (SELECT NULL::text);
RESET enable_seqscan;

-- errors
CREATE INDEX ON caps USING caption (caption) WITH (pending_list_limit = 10);
CREATE INDEX ON caps USING caption (caption) WITH (substrings = 4);
SELECT * FROM caption_index_stats('caps_pkey');
CREATE INDEX ON caps USING caption (id);
CREATE INDEX ON caps USING caption (caption, caption);
SELECT amvalidate(oid) FROM pg_opclass WHERE opcname = 'caption_ops';

DROP TABLE caps, queries, pair_captions, caps_unlogged, caption_pairs;
