#!/bin/bash
#
# bench_optout.sh -- the opt-out registry's checks at dataset scale
#
# Usage: test/bench/bench_optout.sh [--rows N] [--runs R] [--keep]
#   --rows N   dataset rows (default 1M; the issue's figure is 10M); the
#              registry gets N/10 URLs, N/100 domains and N/100 pictures
#   --runs R   timed runs of the batch check (default 7)
#   --keep     keep the cluster and its folder at the end
#
# What it does:
#   1. generates the data with the answer known by construction
#      (test/bench/optout_data.py: every dataset URL a messy spelling of its
#      own link, registry URLs other spellings of a tenth of them, domains
#      half on the dataset's sites, pictures a tenth near rows' phashes);
#   2. loads it into a private cluster with the README's commands (\copy
#      into the registry's tables), builds the mih index on the dataset;
#   3. times a batch of 10,000 dataset URLs through optout_check_urls()
#      (server side, EXPLAIN ANALYZE's execution time, median of R: in one
#      connection, and in a new connection each) and, as the baseline,
#      through the same check written as one SQL query;
#      compares the two answers row by row and checks them against the
#      construction;
#   4. runs the README's whole-dataset query once (timed), prints its plan,
#      and counts the (row, reason) pairs it finds that were not planted and
#      those planted that it misses.
set -euo pipefail

BENCH_NAME=bench_optout
PG_CONFIG=${PG_CONFIG:-pg_config}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=test/bench/bench_lib.sh
. "$ROOT/test/bench/bench_lib.sh"

ROWS=1000000
RUNS=7
while [ $# -gt 0 ]; do
	case "$1" in
		--rows) ROWS=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		*) die "unknown argument $1 (see the header of $0)" ;;
	esac
done
ROWS=$(bench_count "$ROWS")

bench_find_postgres
bench_pg_user
bench_work_dir
chmod 755 "$WORK_DIR"
chown "$PG_SUPERUSER" "$WORK_DIR" 2>/dev/null || true

echo "== 1. data: $ROWS rows"
t0=$(now)
/usr/bin/python3 "$ROOT/test/bench/optout_data.py" "$WORK_DIR/data" --rows "$ROWS" 2>&1
printf 'generated in %.0f s\n' "$(echo "$(now) - $t0" | bc)"
chmod -R a+rX "$WORK_DIR/data"

echo
echo "== 2. load"
PG_PORT=55441
bench_initdb
bench_start_cluster -c shared_buffers=4GB -c max_parallel_workers_per_gather=0 \
	-c work_mem=256MB -c maintenance_work_mem=2GB -c max_wal_size=16GB -c autovacuum=off
D=$WORK_DIR/data
t0=$(now)
sql <<SQL
CREATE EXTENSION imgsearch;
CREATE TABLE images (id bigint PRIMARY KEY, url text, hash phash);
\copy images FROM '$D/dataset.csv' (FORMAT csv)
CREATE INDEX images_hash ON images USING mih (hash);
\copy optout_url (url, source) FROM '$D/optout_url.csv' (FORMAT csv)
\copy optout_domain (domain, subdomains, source) FROM '$D/optout_domain.csv' (FORMAT csv)
\copy optout_image (hash, radius, label) FROM '$D/optout_image.csv' (FORMAT csv)
CREATE TABLE expected (id bigint, reason text);
\copy expected FROM '$D/expected.csv' (FORMAT csv)
CREATE TABLE batch_rows (id bigint, url text);
\copy batch_rows FROM '$D/batch.csv' (FORMAT csv)
CREATE TABLE batch AS SELECT array_agg(url ORDER BY id) AS urls, array_agg(id ORDER BY id) AS ids FROM batch_rows;
VACUUM (FREEZE, ANALYZE);
SQL
printf 'loaded in %.0f s: %s dataset rows; registry %s URLs, %s domains, %s pictures\n' \
	"$(echo "$(now) - $t0" | bc)" "$(sql -c 'SELECT count(*) FROM images')" \
	"$(sql -c 'SELECT count(*) FROM optout_url')" "$(sql -c 'SELECT count(*) FROM optout_domain')" \
	"$(sql -c 'SELECT count(*) FROM optout_image')"

echo
echo "== 3. a batch of 10,000 URLs, $RUNS runs"
# the baseline: the same check as one SQL query over the registry's
# indexes (normal forms and hosts looked up with "= ANY", then joined back)
BATCH_SQL="WITH u AS MATERIALIZED (
    SELECT t.ord, t.url, url_normalize(t.url) AS normal, url_host_domains(t.url) AS domains
    FROM batch, unnest(batch.urls) WITH ORDINALITY AS t(url, ord)),
  url_hits AS MATERIALIZED (
    SELECT DISTINCT ON (o.url_normal) o.url_normal, o.id
    FROM optout_url o
    WHERE o.url_normal = ANY (ARRAY(SELECT u.normal FROM u WHERE u.normal IS NOT NULL))
    ORDER BY o.url_normal, o.id),
  domain_hits AS MATERIALIZED (
    SELECT d.domain_normal, d.subdomains, d.id
    FROM optout_domain d
    WHERE d.domain_normal = ANY (ARRAY(SELECT DISTINCT x FROM u, unnest(u.domains) AS x))),
  by_domain AS (
    SELECT DISTINCT ON (u.ord) u.ord, dh.id
    FROM u CROSS JOIN LATERAL unnest(u.domains) WITH ORDINALITY AS h(domain, level)
      JOIN domain_hits dh ON dh.domain_normal = h.domain AND (dh.subdomains OR h.level = 1)
    ORDER BY u.ord, dh.id)
  SELECT u.ord, u.normal, (uh.id IS NOT NULL OR bd.id IS NOT NULL) AS opted_out,
    CASE WHEN uh.id IS NOT NULL THEN 'url' WHEN bd.id IS NOT NULL THEN 'domain' END AS reason,
    coalesce(uh.id, bd.id) AS entry_id
  FROM u LEFT JOIN url_hits uh ON uh.url_normal = u.normal LEFT JOIN by_domain bd ON bd.ord = u.ord"
# EXPLAIN ANALYZE's execution times of a query, "median min max" of R
# runs: each in a new connection (the first call of a backend, which also
# loads the library and the Public Suffix List, fills its catalog caches
# and maps the shared buffers it reads), or all in one connection after a
# first call (a backend that keeps its connection, as a pool does)
batch_times_new() {
	for run in $(seq "$RUNS"); do
		sql -c "SET enable_seqscan = off" -c "EXPLAIN (ANALYZE, TIMING OFF) $1" |
			sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p'
	done | median_min_max
}
batch_times_kept() {
	for run in $(seq 0 "$RUNS"); do
		echo "EXPLAIN (ANALYZE, TIMING OFF) $1;"
	done | sql -c "SET enable_seqscan = off" -f - | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' |
		tail -n +2 | median_min_max
}
CHECK="SELECT * FROM optout_check_urls((SELECT urls FROM batch))"
read -r c_med c_min c_max < <(batch_times_kept "$CHECK")
read -r q_med q_min q_max < <(batch_times_kept "$BATCH_SQL")
read -r n_med n_min n_max < <(batch_times_new "$CHECK")
read -r m_med m_min m_max < <(batch_times_new "$BATCH_SQL")
printf 'optout_check_urls(), server side, one connection: median %.1f ms (min %.1f, max %.1f); target <= 50 ms\n' \
	"$c_med" "$c_min" "$c_max"
printf '  baseline, the same check as one SQL query: median %.1f ms (min %.1f, max %.1f); %.1fx the function\n' \
	"$q_med" "$q_min" "$q_max" "$(echo "$q_med / $c_med" | bc -l)"
printf 'optout_check_urls(), server side, a new connection each: median %.1f ms (min %.1f, max %.1f)\n' \
	"$n_med" "$n_min" "$n_max"
printf '  baseline, the same check as one SQL query: median %.1f ms (min %.1f, max %.1f); %.1fx the function\n' \
	"$m_med" "$m_min" "$m_max" "$(echo "$m_med / $n_med" | bc -l)"
printf 'rows where the function and the query differ: %s\n' "$(sql -c "SELECT count(*) FROM (
  (SELECT ord, normal, opted_out, reason, entry_id FROM optout_check_urls((SELECT urls FROM batch))
   EXCEPT ALL SELECT * FROM ($BATCH_SQL) q)
  UNION ALL
  (SELECT * FROM ($BATCH_SQL) q EXCEPT ALL
   SELECT ord, normal, opted_out, reason, entry_id FROM optout_check_urls((SELECT urls FROM batch)))) d")"
sql <<'SQL'
SELECT format('batch: %s URLs, %s opted out; planted among them %s; flagged but not planted %s, planted but not flagged %s',
  count(*), count(*) FILTER (WHERE c.opted_out),
  count(*) FILTER (WHERE e.id IS NOT NULL),
  count(*) FILTER (WHERE c.opted_out AND e.id IS NULL),
  count(*) FILTER (WHERE NOT c.opted_out AND e.id IS NOT NULL))
FROM batch b, optout_check_urls(b.urls) c
  LEFT JOIN (SELECT DISTINCT id FROM expected WHERE reason IN ('url', 'domain')) e
    ON e.id = (SELECT ids[c.ord] FROM batch);
SQL

echo
echo "== 4. the whole dataset against the whole registry (README's query)"
WHOLE="SELECT i.id, 'url' AS reason, o.id AS entry_id
  FROM images i JOIN optout_url o ON o.url_normal = url_normalize(i.url)
  UNION ALL
  SELECT i.id, 'domain', d.id
  FROM images i
    CROSS JOIN LATERAL unnest(url_host_domains(i.url)) WITH ORDINALITY AS h(domain, level)
    JOIN optout_domain d ON d.domain_normal = h.domain AND (d.subdomains OR h.level = 1)
  UNION ALL
  SELECT i.id, 'image', o.id
  FROM optout_image o JOIN images i ON i.hash <@ hamming_ball(o.hash, o.radius)"
t0=$(now)
sql -c "CREATE TABLE removed AS $WHOLE"
printf 'whole dataset checked in %.1f s: %s (row, reason) pairs\n' "$(echo "$(now) - $t0" | bc)" \
	"$(sql -c 'SELECT count(*) FROM removed')"
sql <<'SQL'
SELECT format('against the construction: %s pairs planted, %s found, %s found but not planted, %s planted but missed',
  (SELECT count(*) FROM expected),
  (SELECT count(*) FROM (SELECT DISTINCT id, reason FROM removed) r),
  (SELECT count(*) FROM (SELECT DISTINCT id, reason FROM removed EXCEPT SELECT id, reason FROM expected) x),
  (SELECT count(*) FROM (SELECT id, reason FROM expected EXCEPT SELECT DISTINCT id, reason FROM removed) y));
SQL
echo "plan:"
sql -c "EXPLAIN (COSTS OFF) $WHOLE" | sed 's/^/  /'
