#!/bin/bash
#
# bench_robust.sh -- robust reverse search: recall, false matches and speed
#
# Usage: test/bench/bench_robust.sh [--rows N] [--queries Q] [--exact K] [--keep]
#   --rows N      random rows added for the speed part (default 10M; k/M suffixes)
#   --queries Q   originals timed at N rows (default 100)
#   --exact K     of those, searched by sequential scan too (default 3)
#   --keep        keep the cluster and its folder at the end
# Environment: EVALSET (default /var/tmp/imgsearch-evalset): the evaluation
# set, made by test/bench/robust/make_evalset.py when it is not there.
#
# What it does:
#   1. recall per edit family and false-match rates of today's plain search
#      (phash within 8 bits) and of robust search on a phash-only and on a
#      phash+dhash table, from phash_variants()'s and phash()'s own C code
#      (test/bench/robust/report.py; one table per family); then the
#      trade-off against other ways to search (tradeoff.py);
#   1b. what the variants cannot reach (test/bench/robust/limits.py): a
#      query that is a crop of the dataset's picture, and a dataset copy
#      cropped deeper than a fifth a side;
#   1c. the median time of phash_variants()'s C core on 50 originals
#      scaled to 512 px as JPEG, three runs;
#   2. on a private cluster, loads every file's phash and dhash into
#      images(id, url, hash, dhash), runs the documented robust query for
#      every original and checks that SQL finds exactly what step 1 says;
#   3. adds N rows of random hashes, builds the mih index, and times, per
#      original (server side: clock_timestamp() around EXECUTE of prepared
#      statements in a PL/pgSQL loop), the plain radius-8 search, the
#      documented robust query (phash+dhash and phash only), the same with
#      every ball in one union scan (hash <@ ANY(array of balls)) joined
#      back to the variants, the balls alone both ways, and
#      phash_variants() alone; medians, and the ratio to the plain search;
#   4. for K originals, the robust query with index scans off (sequential
#      scan), and the number of answers of the join and of the union scan
#      that differ from it.
set -euo pipefail

BENCH_NAME=bench_robust
PG_CONFIG=${PG_CONFIG:-pg_config}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=test/bench/bench_lib.sh
. "$ROOT/test/bench/bench_lib.sh"

ROWS=10000000
QUERIES=100
EXACT=3
EVALSET=${EVALSET:-/var/tmp/imgsearch-evalset}
while [ $# -gt 0 ]; do
	case "$1" in
		--rows) ROWS=$2; shift 2 ;;
		--queries) QUERIES=$2; shift 2 ;;
		--exact) EXACT=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		*) die "unknown argument $1 (see the header of $0)" ;;
	esac
done
ROWS=$(bench_count "$ROWS")

bench_find_postgres
bench_need_python
bench_pg_user
PYTHON=/usr/bin/python3

if [ ! -f "$EVALSET/manifest.tsv" ]; then
	log "making the evaluation set in $EVALSET"
	"$PYTHON" "$ROOT/test/bench/robust/make_evalset.py" "$EVALSET" >&2
fi
chmod -R a+rX "$EVALSET"

echo "== 1. recall and false matches ($EVALSET)"
"$PYTHON" "$ROOT/test/bench/robust/report.py" "$EVALSET"

echo
echo "trade-off: recall, false matches and index lookups of other ways to search"
"$PYTHON" "$ROOT/test/bench/robust/tradeoff.py" "$EVALSET"

echo
echo "== 1b. beyond the variants: a query smaller than the dataset's picture, a deeper crop"
"$PYTHON" "$ROOT/test/bench/robust/limits.py" "$EVALSET"

bench_work_dir
chmod 755 "$WORK_DIR"

echo
echo "== 1c. phash_variants() of a 512-pixel JPEG (the C core, one core)"
# every 11th original, its longer side scaled to 512 px, JPEG quality 90
mkdir -p "$WORK_DIR/jpeg512"
"$PYTHON" - "$EVALSET" "$WORK_DIR/jpeg512" <<'PYEOF'
import glob, os, sys
from PIL import Image
for f in sorted(glob.glob(os.path.join(sys.argv[1], 'orig', '*')))[::11][:50]:
    im = Image.open(f).convert('RGB')
    s = 512 / max(im.size)
    im = im.resize((round(im.size[0] * s), round(im.size[1] * s)), Image.LANCZOS)
    im.save(os.path.join(sys.argv[2], os.path.basename(f).rsplit('.', 1)[0] + '.jpg'), quality=90)
PYEOF
make -s -C "$ROOT" test/tools/variants_cli
for run in 1 2 3; do
	"$ROOT/test/tools/variants_cli" --time "$WORK_DIR"/jpeg512/*.jpg 2>&1 >/dev/null | tail -n 1
done
chown "$PG_SUPERUSER" "$WORK_DIR" 2>/dev/null || true
PG_PORT=55437
bench_initdb
bench_start_cluster -c shared_buffers=4GB -c max_parallel_workers_per_gather=0 \
	-c autovacuum=off -c max_wal_size=16GB -c maintenance_work_mem=2GB

sql -c "CREATE EXTENSION imgsearch; CREATE EXTENSION IF NOT EXISTS pg_prewarm;" >/dev/null

# the evaluation set's files, their hashes as imghash_cli (phash()'s code) gave them
awk -v dir="$EVALSET/" 'NR == FNR { h[$NF] = $1 "\t" $2; next }
	FNR > 1 { print $1 "\t" h[dir $1] }' "$EVALSET/hashes.tsv" "$EVALSET/manifest.tsv" \
	> "$WORK_DIR/files.tsv"
awk -F'\t' -v dir="$EVALSET/" '$3 == "original" { print $2 "\t" dir $1 }' \
	"$EVALSET/manifest.tsv" > "$WORK_DIR/originals.tsv"
sql <<EOF
CREATE TABLE images (id bigserial PRIMARY KEY, url text, hash phash, dhash phash);
\copy images (url, hash, dhash) FROM '$WORK_DIR/files.tsv'
CREATE TABLE originals (qid serial PRIMARY KEY, name text, path text, img bytea);
\copy originals (name, path) FROM '$WORK_DIR/originals.tsv'
UPDATE originals SET img = pg_read_binary_file(path);
CREATE INDEX images_mih ON images USING mih (hash);
VACUUM ANALYZE images;
VACUUM ANALYZE originals;
EOF

echo
echo "== 2. the documented query in SQL, every original against the evaluation set"
sql -F $'\t' > "$WORK_DIR/found.tsv" <<'EOF'
SELECT o.name, r.url
FROM originals o CROSS JOIN LATERAL (
  SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
  FROM phash_variants(o.img) v
  JOIN images i ON i.hash <@ v.ball AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
  ORDER BY i.id, distance) r;
EOF
"$PYTHON" "$ROOT/test/bench/robust/report.py" "$EVALSET" --found-sql "$WORK_DIR/found.tsv" |
	tail -n 1

echo
echo "== 3. speed at $ROWS more rows"
log "adding $ROWS random rows"
t0=$(now)
sql <<EOF
DROP INDEX images_mih;
INSERT INTO images (url, hash, dhash)
  SELECT 'random/' || i, hashint8extended(i, 7)::bit(64)::phash,
         hashint8extended(i, 8)::bit(64)::phash
  FROM generate_series(1, $ROWS) AS i;
EOF
t1=$(now)
sql -c "CREATE INDEX images_mih ON images USING mih (hash)" >/dev/null
t2=$(now)
sql -c "VACUUM (FREEZE, ANALYZE) images" >/dev/null
sql -c "SELECT pg_prewarm('images'), pg_prewarm('images_mih')" >/dev/null
printf 'rows %s; load %.0f s, mih build %.0f s, index %s\n' "$(sql -c 'SELECT count(*) FROM images')" \
	"$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" \
	"$(sql -c "SELECT pg_size_pretty(pg_relation_size('images_mih'))")"

sql <<'EOF'
CREATE TABLE timings (method text, qid int, ms float8, nrows bigint);
CREATE FUNCTION time_stmt(p_method text, p_stmt text, p_n int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  q record;
  t0 timestamptz;
  n bigint;
BEGIN
  FOR q IN SELECT qid FROM originals ORDER BY qid LIMIT p_n LOOP
    t0 := clock_timestamp();
    EXECUTE format('EXECUTE %I(%s)', p_stmt, q.qid) INTO n;
    INSERT INTO timings VALUES (p_method, q.qid,
      1000 * extract(epoch FROM clock_timestamp() - t0), n);
  END LOOP;
END $$;
EOF

# each statement: PREPARE, one untimed pass, one timed pass, in one session;
# \$1 in the statement is the query picture (the bytes of original \$1)
time_method() {
	local method=$1 body=${2//\$1/(SELECT img FROM originals WHERE qid = \$1)}
	sql >/dev/null <<EOF
SET enable_seqscan = off;
PREPARE s(int) AS $body;
SELECT time_stmt('warm', 's', $QUERIES);
DELETE FROM timings WHERE method = 'warm';
SELECT time_stmt('$method', 's', $QUERIES);
EOF
}
ROBUST_PD="SELECT count(*) FROM (SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
  FROM phash_variants(\$1) v
  JOIN images i ON i.hash <@ v.ball AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
  ORDER BY i.id, distance) r"
ROBUST_P="SELECT count(*) FROM (SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
  FROM phash_variants(\$1) v JOIN images i ON i.hash <@ v.ball
  ORDER BY i.id, distance) r"
# the same with every ball searched in one union scan of the index
ROBUST_UNION_PD="SELECT count(*) FROM (WITH v AS MATERIALIZED (SELECT * FROM phash_variants(\$1))
  SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
  FROM images i JOIN v ON i.hash <@ v.ball AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
  WHERE i.hash <@ ANY (ARRAY(SELECT ball FROM v))
  ORDER BY i.id, distance) r"
ROBUST_UNION_P="SELECT count(*) FROM (WITH v AS MATERIALIZED (SELECT * FROM phash_variants(\$1))
  SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
  FROM images i JOIN v ON i.hash <@ v.ball
  WHERE i.hash <@ ANY (ARRAY(SELECT ball FROM v))
  ORDER BY i.id, distance) r"
log "timing $QUERIES queries per method"
time_method plain_r8 "SELECT count(*) FROM (SELECT id, url FROM images WHERE hash <@ hamming_ball(phash(\$1), 8)) r"
time_method phash_only "SELECT count(*) FROM (SELECT phash(\$1) AS h) r WHERE h IS NOT NULL"
time_method variants_only "SELECT count(*) FROM phash_variants(\$1)"
time_method robust_pd "$ROBUST_PD"
time_method robust_p "$ROBUST_P"
time_method robust_union_pd "$ROBUST_UNION_PD"
time_method robust_union_p "$ROBUST_UNION_P"
time_method balls_union "SELECT count(*) FROM images
  WHERE hash <@ ANY ((SELECT array_agg(ball) FROM phash_variants(\$1))::hamming_ball[])"
time_method balls_one_by_one "SELECT count(*) FROM phash_variants(\$1) v JOIN images i ON i.hash <@ v.ball"

echo
sql -F $'\t' <<'EOF' | column -t -s $'\t'
SELECT 'method', 'queries', 'median ms', 'p90 ms', 'x plain r8', 'rows (mean)'
UNION ALL
SELECT method, count(*)::text,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3)::text,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ms)::numeric, 3)::text,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) /
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM timings
               WHERE method = 'plain_r8'))::numeric, 1)::text,
       round(avg(nrows), 1)::text
FROM timings GROUP BY method;
EOF
echo
echo "plan of the documented query (one original):"
sql <<'EOF' | sed 's/^/  /'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
FROM phash_variants((SELECT img FROM originals WHERE qid = 1)) v
JOIN images i ON i.hash <@ v.ball AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
ORDER BY i.id, distance;
EOF

echo
echo "plan of the union query (one original):"
sql <<'EOF' | sed 's/^/  /'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
WITH v AS MATERIALIZED (SELECT * FROM phash_variants((SELECT img FROM originals WHERE qid = 1)))
SELECT DISTINCT ON (i.id) i.id, i.url, v.variant, i.hash <~> v.hash AS distance
FROM images i JOIN v ON i.hash <@ v.ball AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
WHERE i.hash <@ ANY (ARRAY(SELECT ball FROM v))
ORDER BY i.id, distance;
EOF

echo
echo "== 4. exactness: $EXACT originals, index against sequential scan"
sql <<EOF
CREATE TABLE answers (how text, qid int, id bigint, distance int);
CREATE FUNCTION robust_answers(p_how text) RETURNS void LANGUAGE sql AS \$\$
  INSERT INTO answers
  SELECT p_how, o.qid, r.id, r.distance FROM originals o CROSS JOIN LATERAL (
    SELECT DISTINCT ON (i.id) i.id, i.hash <~> v.hash AS distance
    FROM phash_variants(o.img) v
    JOIN images i ON i.hash <@ v.ball AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
    ORDER BY i.id, distance) r
  WHERE o.qid <= $EXACT
\$\$;
CREATE FUNCTION union_answers(p_how text) RETURNS void LANGUAGE sql AS \$\$
  INSERT INTO answers
  SELECT p_how, o.qid, r.id, r.distance FROM originals o CROSS JOIN LATERAL (
    WITH v AS MATERIALIZED (SELECT * FROM phash_variants(o.img))
    SELECT DISTINCT ON (i.id) i.id, i.hash <~> v.hash AS distance
    FROM images i JOIN v ON i.hash <@ v.ball AND (v.dhash_ball IS NULL OR i.dhash <@ v.dhash_ball)
    WHERE i.hash <@ ANY (ARRAY(SELECT ball FROM v))
    ORDER BY i.id, distance) r
  WHERE o.qid <= $EXACT
\$\$;
SELECT robust_answers('index');
SELECT union_answers('union');
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT robust_answers('seqscan');
EOF
sql <<'EOF'
SELECT format('answers: %s by %s rows, by sequential scan %s rows, differing %s', how,
  (SELECT count(*) FROM answers WHERE how = h.how),
  (SELECT count(*) FROM answers WHERE how = 'seqscan'),
  (SELECT count(*) FROM (
     (SELECT qid, id, distance FROM answers WHERE how = h.how
      EXCEPT ALL SELECT qid, id, distance FROM answers WHERE how = 'seqscan')
     UNION ALL
     (SELECT qid, id, distance FROM answers WHERE how = 'seqscan'
      EXCEPT ALL SELECT qid, id, distance FROM answers WHERE how = h.how)) d))
FROM (VALUES ('index'), ('union')) h(how);
EOF
