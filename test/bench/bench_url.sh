#!/bin/bash
#
# bench_url.sh -- the speed of the URL functions
#
# Usage: test/bench/bench_url.sh [--urls N] [--runs R] [--keep]
#   --urls N   messy URLs generated (default 1M; k/M suffixes)
#   --runs R   timed runs of each measurement (default 5)
#   --keep     keep the cluster and its folder at the end
#
# What it does: generates N URLs as scraped datasets hold them
# (test/tools/make_url_cases.py, seed 2), then, R times each, on one core:
#   1. the C core alone (test/tools/url_cli --time: url_normalize()'s code
#      on every URL, read into memory first);
#   2. on a private cluster, a table of the N URLs scanned three ways:
#      count(length(url)) (the scan alone, the baseline), then
#      count(url_normalize(url)) and count(url_domain(url)); the function's
#      own rate is N over the time beyond the baseline.
# Prints medians, with min and max.
set -euo pipefail

BENCH_NAME=bench_url
PG_CONFIG=${PG_CONFIG:-pg_config}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=test/bench/bench_lib.sh
. "$ROOT/test/bench/bench_lib.sh"

URLS=1000000
RUNS=5
while [ $# -gt 0 ]; do
	case "$1" in
		--urls) URLS=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		*) die "unknown argument $1 (see the header of $0)" ;;
	esac
done
URLS=$(bench_count "$URLS")

bench_find_postgres
bench_pg_user
bench_work_dir
chmod 755 "$WORK_DIR"
chown "$PG_SUPERUSER" "$WORK_DIR" 2>/dev/null || true
make -s -C "$ROOT" test/tools/url_cli

log "generating $URLS URLs"
/usr/bin/python3 "$ROOT/test/tools/make_url_cases.py" "$URLS" --seed 2 > "$WORK_DIR/urls.txt"

echo "== 1. the C core (url_cli --time), $RUNS runs"
for run in $(seq "$RUNS"); do
	"$ROOT/test/tools/url_cli" --time < "$WORK_DIR/urls.txt" 2>&1 >/dev/null |
		sed -n 's/.* \([0-9]*\) URLs a second$/\1/p'
done | median_min_max | awk '{ printf "URLs a second: median %.0f (min %.0f, max %.0f)\n", $1, $2, $3 }'
"$ROOT/test/tools/url_cli" --time < "$WORK_DIR/urls.txt" 2>&1 >/dev/null | sed 's/^url_cli: /  one run: /'

echo
echo "== 2. in SQL, one core (no parallel workers)"
PG_PORT=55439
bench_initdb
bench_start_cluster -c shared_buffers=1GB -c max_parallel_workers_per_gather=0 -c jit=off
# one URL a line, read whole (URLs may hold tabs and backslashes)
sql >/dev/null <<EOF
CREATE EXTENSION imgsearch;
CREATE TABLE urls AS
  SELECT url FROM string_to_table(rtrim(pg_read_file('$WORK_DIR/urls.txt'), E'\n'), E'\n') AS url;
VACUUM ANALYZE urls;
EOF
printf 'table: %s URLs, %s valid\n' "$(sql -c 'SELECT count(*) FROM urls')" \
	"$(sql -c 'SELECT count(url_normalize(url)) FROM urls')"
time_query() {
	local label=$1 query=$2
	for run in $(seq "$RUNS"); do
		sql -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $query" |
			sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p'
	done | median_min_max | awk -v l="$label" '{ printf "%-30s %9.1f ms (min %.1f, max %.1f)\n", l, $1, $2, $3 }'
}
{
	time_query "count(length(url))" "SELECT count(length(url)) FROM urls"
	time_query "count(url_normalize(url))" "SELECT count(url_normalize(url)) FROM urls"
	time_query "count(url_domain(url))" "SELECT count(url_domain(url)) FROM urls"
} | tee "$WORK_DIR/times.txt"
awk -v n="$URLS" 'NR == 1 { base = $(NF - 5) } NR > 1 {
	printf "%s: %.0f URLs a second beyond the scan\n", $1, n / (($(NF - 5) - base) / 1000) }' \
	"$WORK_DIR/times.txt"
