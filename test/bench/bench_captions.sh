#!/bin/bash
#
# bench_captions.sh -- caption search: imgsearch against PostgreSQL's built-in
# full-text search, RUM and SQLite FTS5, on the same synthetic LAION-like
# captions
#
# Usage: test/bench/bench_captions.sh [1M|10M]      (default 1M)
#
# What it does:
#   1. generates N captions (fixed seed) with test/bench/bench_captions_helper.py
#      as a COPY-ready TSV: 5-30 words from a Zipf vocabulary of ~50,000 words
#      (punctuation, URLs, @handles, snake_case, camelCase), the rare name
#      "Zdzislaw Beksinski" planted in 10 rows per million and the common name
#      "Greg Rutkowski" in 1% of rows (70% as written, 10% each greg_rutkowski,
#      GregRutkowski, Greg Rutkowski's);
#   2. loads them into captions(id bigint, caption text) in a private temporary
#      cluster (unix socket in the temp directory, no TCP; shared_buffers 25% of
#      RAM capped at 4GB; maintenance_work_mem 1GB; work_mem 64MB; no parallel
#      query; jit off)
#      and times the GIN index on caption_tsvector(caption), the caption
#      index (USING caption, queried with caption @@@ q) and the built-in
#      GIN index on to_tsvector('simple', caption); later, with that GIN index
#      dropped, a RUM index (Debian's postgresql-15-rum, installed as root
#      when missing) on the same to_tsvector('simple', caption), which keeps
#      positions and ranks from the index (ORDER BY <=>);
#   3. builds an SQLite FTS5 table on the same captions (Python's sqlite3,
#      one transaction) and times its queries in Python (time.perf_counter);
#   4. times, for the rare and the common name as quoted phrases, the top 100
#      by rank and count(*) on each engine (the caption index, imgsearch's GIN path, built-in GIN, RUM, FTS5): one warm-up then 11 runs, median.
#      PostgreSQL is timed client-side with psql's \timing over the unix socket
#      (PREPARE once, EXECUTE 12 times in one session, plan_cache_mode default),
#      next to the floor of that method (a prepared SELECT $1, which reads
#      nothing), and server-side (planning + execution from EXPLAIN ANALYZE
#      with TIMING OFF);
#   5. inserts 100,000 captions into the caption index alone (the other
#      indexes dropped) and reports the rate, then times the rare-name count
#      while another session inserts 100,000 more;
#   6. prints a labelled report on stdout, with EXPLAIN ANALYZE of the
#      common-name top 100 (progress goes to stderr).
#
# Run as root (the cluster then runs as the postgres system user) or as any
# user, with imgsearch installed (make && make install).  Environment:
# PG_CONFIG, KEEP=1 (keep the cluster and the files).
#
# test/bench/bench_captions.sh

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"

SIZE=${1:-1M}
case "$SIZE" in
1M) N_ROWS=1000000 ;;
10M) N_ROWS=10000000 ;;
*) echo "usage: $0 [1M|10M]" >&2; exit 2 ;;
esac

CAPTION_SEED=20240612
RUNS=11                     # timed runs per query (after one warm-up), median taken
PG_PORT=54331               # only names the socket file; TCP is off
# A bitmap of N matches on distinct pages needs about 80 bytes per page of
# work_mem, or it turns lossy and every row of those pages is rechecked:
# 100,000 matches at 10M need about 8MB, over the default 4MB
WORK_MEM=64MB
RARE="Zdzislaw Beksinski"
COMMON="Greg Rutkowski"

PYTHON=/usr/bin/python3
PG_CONFIG=${PG_CONFIG:-pg_config}
HELPER="$REPO_ROOT/test/bench/bench_captions_helper.py"

BENCH_NAME=bench_captions
# shellcheck source=test/bench/bench_lib.sh
. "$REPO_ROOT/test/bench/bench_lib.sh"

bench_find_postgres
PG_MAJOR=$("$PG_CONFIG" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
[ -f "$PG_SHAREDIR/extension/rum.control" ] || bench_install "the RUM anchor" "postgresql-$PG_MAJOR-rum"
"$PYTHON" -c 'import numpy, sqlite3; sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")' ||
	die "/usr/bin/python3 needs numpy (python3-numpy) and sqlite3 with FTS5"
bench_pg_user
bench_work_dir

TSV="$WORK_DIR/captions.tsv"
SQLITE_DB="$WORK_DIR/captions.sqlite"
T_START=$(now)
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- 1. captions

log "generating $N_ROWS captions (seed $CAPTION_SEED)"
start=$(now)
read -r N_RARE N_COMMON N_COMMON_EXACT < <("$PYTHON" "$HELPER" generate "$TSV" "$N_ROWS" "$CAPTION_SEED")
GEN_S=$(elapsed "$start" "$(now)")
TSV_MB=$(du -m "$TSV" | cut -f1)
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$WORK_DIR"

# ---------------------------------------------------------------- 2. PostgreSQL

RAM_MB=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
SB_MB=$((RAM_MB / 4))
[ "$SB_MB" -gt 4096 ] && SB_MB=4096

log "starting a temporary cluster in $PG_DATA (shared_buffers ${SB_MB}MB)"
bench_initdb
bench_start_cluster -c shared_buffers=${SB_MB}MB -c max_parallel_workers_per_gather=0 \
	-c max_parallel_maintenance_workers=0 -c maintenance_work_mem=1GB -c max_wal_size=8GB \
	-c work_mem=$WORK_MEM

PG_VERSION=$(sql -c 'SHOW server_version')
sql -c 'CREATE EXTENSION imgsearch'
sql -c 'CREATE TABLE captions (id bigint, caption text)'

log "loading the captions (COPY)"
start=$(now)
sql -c 'COPY captions FROM STDIN' <"$TSV"
LOAD_S=$(elapsed "$start" "$(now)")
sql -c 'VACUUM ANALYZE captions'
TABLE_MB=$(sql -c "SELECT round(pg_table_size('captions') / 1048576.0)")

build_index() {     # name expression [method] -> "seconds size_mb"
	local s e
	s=$(now)
	sql -c "CREATE INDEX $1 ON captions USING ${3:-gin} ($2)"
	e=$(now)
	echo "$(elapsed "$s" "$e") $(sql -c "SELECT round(pg_relation_size('$1') / 1048576.0)")"
}
log "building the imgsearch GIN index on caption_tsvector(caption)"
read -r IMG_BUILD_S IMG_MB < <(build_index captions_img_idx 'caption_tsvector(caption)')
log "building the caption index (USING caption) on caption"
read -r CAP_BUILD_S CAP_MB < <(build_index captions_cap_idx caption caption)
log "building the built-in GIN index on to_tsvector('simple', caption)"
read -r PG_BUILD_S PG_MB < <(build_index captions_fts_idx "to_tsvector('simple', caption)")
sql -c 'ANALYZE captions'
# write the index builds out now, not while queries are timed
sql -c 'CHECKPOINT'

# the GIN path, as caption_matches is written for GIN (with a caption index
# on the column, caption_matches itself would use that)
IMG_TOP="SELECT id FROM captions WHERE caption_tsvector(caption) @@ caption_tsquery(\$1) ORDER BY caption_rank(caption, \$1) DESC LIMIT 100"
IMG_COUNT="SELECT count(*) FROM captions WHERE caption_tsvector(caption) @@ caption_tsquery(\$1)"
# the caption index: caption @@@ query (a bitmap scan; no top-k or count path yet)
CAP_TOP="SELECT id FROM captions WHERE caption @@@ \$1 ORDER BY caption_rank(caption, \$1) DESC LIMIT 100"
CAP_COUNT="SELECT count(*) FROM captions WHERE caption @@@ \$1"
FTS_TOP="SELECT id FROM captions WHERE to_tsvector('simple', caption) @@ phraseto_tsquery('simple', \$1) ORDER BY ts_rank_cd(to_tsvector('simple', caption), phraseto_tsquery('simple', \$1)) DESC LIMIT 100"
FTS_COUNT="SELECT count(*) FROM captions WHERE to_tsvector('simple', caption) @@ phraseto_tsquery('simple', \$1)"
# RUM ranks from the positions in its index: ORDER BY its distance operator
RUM_TOP="SELECT id FROM captions WHERE to_tsvector('simple', caption) @@ phraseto_tsquery('simple', \$1) ORDER BY to_tsvector('simple', caption) <=> phraseto_tsquery('simple', \$1) LIMIT 100"
RUM_COUNT=$FTS_COUNT

declare -A MS ROWS SMS

# pg_time KEY QUERY PARAM: rows returned (count for count queries) and the
# median of RUNS psql \timing figures after one warm-up, in one session
pg_time() {
	local key=$1 query=$2 param=$3 out times n i
	param=${param//\'/\'\'}
	out=$({
		echo "PREPARE q(text) AS $query;"
		echo "\\o /dev/null"
		echo "EXECUTE q('$param');"          # warm-up
		echo "\\timing on"
		for ((i = 0; i < RUNS; i++)); do echo "EXECUTE q('$param');"; done
		echo "\\timing off"
		echo "\\o"
		echo "CREATE TEMP TABLE r AS EXECUTE q('$param');"
		if [[ $query == *count* ]]; then echo "SELECT * FROM r;"; else echo "SELECT count(*) FROM r;"; fi
	} | sql 2>&1) || die "query $key failed: $out"
	times=$(grep '^Time:' <<<"$out" | awk '{ print $2 }')
	[ "$(wc -l <<<"$times")" -eq "$RUNS" ] || die "query $key: expected $RUNS timings: $out"
	MS[$key]=$(median_min_max <<<"$times" | awk '{ printf "%.3f", $1 }')
	n=$(grep -v '^Time:' <<<"$out" | tail -1)
	ROWS[$key]=$n
}

# pg_server_time KEY QUERY PARAM: the median of RUNS server-side times
# (planning + execution from EXPLAIN ANALYZE with TIMING OFF), after one
# warm-up, in one session: what the query costs the server, without the
# client and the round trip
pg_server_time() {
	local key=$1 query=$2 param=$3 out times i
	param=${param//\'/\'\'}
	out=$({
		echo "PREPARE q(text) AS $query;"
		echo "EXECUTE q('$param');"          # warm-up
		for ((i = 0; i < RUNS; i++)); do
			echo "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) EXECUTE q('$param');"
		done
	} | sql 2>&1) || die "query $key failed: $out"
	times=$(awk '/Planning Time:/ { p = $3 } /Execution Time:/ { print p + $3; p = 0 }' <<<"$out")
	[ "$(wc -l <<<"$times")" -eq "$RUNS" ] || die "query $key: expected $RUNS server times: $out"
	SMS[$key]=$(median_min_max <<<"$times" | awk '{ printf "%.3f", $1 }')
}

log "timing PostgreSQL queries ($RUNS runs each after a warm-up)"
# the floor of any query timed this way: a prepared statement that reads
# nothing, over the same socket, through the same psql
pg_time floor "SELECT \$1" "x"
pg_time cap_rare_top "$CAP_TOP" "\"$RARE\""
pg_time cap_rare_count "$CAP_COUNT" "\"$RARE\""
pg_time cap_common_top "$CAP_TOP" "\"$COMMON\""
pg_time cap_common_count "$CAP_COUNT" "\"$COMMON\""
pg_time img_rare_top "$IMG_TOP" "\"$RARE\""
pg_time img_rare_count "$IMG_COUNT" "\"$RARE\""
pg_time img_common_top "$IMG_TOP" "\"$COMMON\""
pg_time img_common_count "$IMG_COUNT" "\"$COMMON\""
pg_time fts_rare_top "$FTS_TOP" "$RARE"
pg_time fts_rare_count "$FTS_COUNT" "$RARE"
pg_time fts_common_top "$FTS_TOP" "$COMMON"
pg_time fts_common_count "$FTS_COUNT" "$COMMON"
log "timing the same queries server side"
pg_server_time cap_rare_top "$CAP_TOP" "\"$RARE\""
pg_server_time cap_rare_count "$CAP_COUNT" "\"$RARE\""
pg_server_time cap_common_top "$CAP_TOP" "\"$COMMON\""
pg_server_time cap_common_count "$CAP_COUNT" "\"$COMMON\""
pg_server_time img_rare_top "$IMG_TOP" "\"$RARE\""
pg_server_time img_rare_count "$IMG_COUNT" "\"$RARE\""
pg_server_time img_common_top "$IMG_TOP" "\"$COMMON\""
pg_server_time img_common_count "$IMG_COUNT" "\"$COMMON\""
pg_server_time fts_rare_top "$FTS_TOP" "$RARE"
pg_server_time fts_rare_count "$FTS_COUNT" "$RARE"
pg_server_time fts_common_top "$FTS_TOP" "$COMMON"
pg_server_time fts_common_count "$FTS_COUNT" "$COMMON"

EXPLAIN_FTS=$(sql -c "PREPARE q(text) AS $FTS_TOP; EXPLAIN (ANALYZE, BUFFERS) EXECUTE q('$COMMON');")
log "dropping the built-in GIN index; building RUM on to_tsvector('simple', caption)"
sql -c 'DROP INDEX captions_fts_idx'
sql -c 'CREATE EXTENSION rum'
RUM_VERSION=$(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'rum'")
read -r RUM_BUILD_S RUM_MB < <(build_index captions_rum_idx "to_tsvector('simple', caption) rum_tsvector_ops" rum)
sql -c 'ANALYZE captions'
sql -c 'CHECKPOINT'
log "timing RUM queries, client and server side"
pg_time rum_rare_top "$RUM_TOP" "$RARE"
pg_time rum_rare_count "$RUM_COUNT" "$RARE"
pg_time rum_common_top "$RUM_TOP" "$COMMON"
pg_time rum_common_count "$RUM_COUNT" "$COMMON"
pg_server_time rum_rare_top "$RUM_TOP" "$RARE"
pg_server_time rum_rare_count "$RUM_COUNT" "$RARE"
pg_server_time rum_common_top "$RUM_TOP" "$COMMON"
pg_server_time rum_common_count "$RUM_COUNT" "$COMMON"

log "EXPLAIN ANALYZE of the common-name top 100"
EXPLAIN_CAP=$(sql -c "PREPARE q(text) AS $CAP_COUNT; EXPLAIN (ANALYZE, BUFFERS) EXECUTE q('\"$COMMON\"');")
EXPLAIN_IMG=$(sql -c "PREPARE q(text) AS $IMG_TOP; EXPLAIN (ANALYZE, BUFFERS, VERBOSE) EXECUTE q('\"$COMMON\"');")
EXPLAIN_RUM=$(sql -c "PREPARE q(text) AS $RUM_TOP; EXPLAIN (ANALYZE, BUFFERS) EXECUTE q('$COMMON');")
# the per-row cost of the pieces of caption_rank, over the common name's matches
PIECES=$(sql <<EOF
\\timing on
\\o /dev/null
SELECT count(*) FROM captions WHERE caption_tsvector(caption) @@ caption_tsquery('"$COMMON"');
SELECT sum(length(caption_tsvector(caption))) FROM captions WHERE caption_tsvector(caption) @@ caption_tsquery('"$COMMON"');
SELECT sum(caption_rank(caption, '"$COMMON"')) FROM captions WHERE caption_tsvector(caption) @@ caption_tsquery('"$COMMON"');
EOF
)
read -r T_MATCH T_TSV T_RANK < <(grep '^Time:' <<<"$PIECES" | awk '{ printf "%s ", $2 } END { print "" }')

# Inserts into the caption index alone (the other indexes dropped): 100,000
# copies of existing captions (the same mix of words) in batches of 1,000,
# each its own transaction, through the pending list and its flushes and
# merges; then the same again while the rare-name count is timed in
# another session, against its median at rest
log "inserting 100,000 captions into the caption index, then searching while inserting"
sql -c 'DROP INDEX captions_img_idx'
sql -c 'DROP INDEX captions_rum_idx'
sql -c 'VACUUM captions'
# the captions to insert, read from a small table with a key (not a scan
# of the whole table per batch)
sql -c 'CREATE TABLE insert_source AS SELECT id, caption FROM captions WHERE id <= 100000'
sql -c 'CREATE INDEX ON insert_source (id)'
INSERT_SQL=$(for ((b = 0; b < 100; b++)); do
	echo "INSERT INTO captions SELECT id + $N_ROWS + $((b * 1000)), caption FROM insert_source WHERE id BETWEEN $((b * 1000 + 1)) AND $((b * 1000 + 1000));"
done)
start=$(now)
sql <<<"$INSERT_SQL" >/dev/null
INSERT_S=$(elapsed "$start" "$(now)")
INSERT_RATE=$(awk -v s="$INSERT_S" 'BEGIN { printf "%.0f", 100000 / s }')
INDEX_STATS=$(sql -c "SELECT format('%s segments, %s documents, %s pending', segments, documents, pending_entries) FROM caption_index_stats('captions_cap_idx')")
pg_server_time cap_rest_count "$CAP_COUNT" "\"$RARE\""
INSERT_SQL2=$(for ((b = 0; b < 100; b++)); do
	echo "INSERT INTO captions SELECT id + 2 * $N_ROWS + $((b * 1000)), caption FROM insert_source WHERE id BETWEEN $((b * 1000 + 1)) AND $((b * 1000 + 1000));"
done)
start=$(now)
sql <<<"$INSERT_SQL2" >/dev/null &
INSERTER=$!
pg_server_time cap_busy_count "$CAP_COUNT" "\"$RARE\""
wait "$INSERTER"
INSERT2_S=$(elapsed "$start" "$(now)")

as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null

# ---------------------------------------------------------------- 3. SQLite FTS5

log "building SQLite FTS5 $(  "$PYTHON" -c 'import sqlite3; print(sqlite3.sqlite_version)') and timing its queries"
SQLITE_VERSION=$("$PYTHON" -c 'import sqlite3; print(sqlite3.sqlite_version)')
while read -r key value; do
	case "$key" in
	build_s) LITE_BUILD_S=$value ;;
	db_bytes) LITE_MB=$((value / 1048576)) ;;
	*_ms) MS[lite_${key%_ms}]=$value ;;
	*_rows) ROWS[lite_${key%_rows}]=$value ;;
	esac
done < <("$PYTHON" "$HELPER" sqlite "$TSV" "$SQLITE_DB" "$RUNS" "$RARE" "$COMMON")

TOTAL_S=$(elapsed "$T_START" "$(now)")

# ---------------------------------------------------------------- 4. report

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
faster() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
# label key: the caption index, imgsearch's GIN path, built-in, RUM, FTS5,
# and the caption index over the faster of RUM and FTS5 (issue 15's
# target: at most 1.0x)
row() {
	printf '%-18s %11s %10s %10s %10s %10s %14s\n' "$1" "${MS[cap_$2]}" "${MS[img_$2]}" "${MS[fts_$2]}" "${MS[rum_$2]}" \
		"${MS[lite_$2]}" "$(ratio "${MS[cap_$2]}" "$(faster "${MS[rum_$2]}" "${MS[lite_$2]}")")"
}
srow() {
	printf '%-18s %11s %10s %10s %10s %10s %14s\n' "$1" "${SMS[cap_$2]}" "${SMS[img_$2]}" "${SMS[fts_$2]}" "${SMS[rum_$2]}" \
		"${MS[lite_$2]}" "$(ratio "${SMS[cap_$2]}" "$(faster "${SMS[rum_$2]}" "${MS[lite_$2]}")")"
}
rows() {
	printf '%-18s %11s %10s %10s %10s %10s\n' "$1" "${ROWS[cap_$2]}" "${ROWS[img_$2]}" "${ROWS[fts_$2]}" "${ROWS[rum_$2]}" "${ROWS[lite_$2]}"
}
header() { printf '%-18s %11s %10s %10s %10s %10s %14s' query "caption AM" "imgsrch GIN" built-in RUM "SQLite FTS5" "cap/faster(RUM,FTS5)"; }

cat <<EOF
bench_captions: caption search at $SIZE captions ($N_ROWS rows)
  host: $(nproc) cores, ${RAM_MB} MB RAM, load average at start $LOAD_AT_START
  PostgreSQL $PG_VERSION (shared_buffers ${SB_MB}MB, maintenance_work_mem 1GB, work_mem $WORK_MEM, no parallel workers, jit off),
  RUM $RUM_VERSION (rum_tsvector_ops), SQLite $SQLITE_VERSION (Python sqlite3, default pragmas)
  captions: seed $CAPTION_SEED, ${TSV_MB} MB of text, generated in ${GEN_S} s, COPY in ${LOAD_S} s, table ${TABLE_MB} MB
  planted: "$RARE" in $N_RARE rows; "$COMMON" in $N_COMMON rows
           ($N_COMMON_EXACT as "Greg Rutkowski", the rest ~evenly greg_rutkowski / GregRutkowski / Greg Rutkowski's)

Index build                      time (s)    size (MB)
  caption index (USING caption)  $(printf '%9s %12s' "$CAP_BUILD_S" "$CAP_MB")
  imgsearch GIN caption_tsvector $(printf '%9s %12s' "$IMG_BUILD_S" "$IMG_MB")
  built-in GIN to_tsvector simple $(printf '%8s %12s' "$PG_BUILD_S" "$PG_MB")
  RUM to_tsvector simple         $(printf '%9s %12s' "$RUM_BUILD_S" "$RUM_MB")
  SQLite FTS5 (whole db)         $(printf '%9s %12s' "$LITE_BUILD_S" "$LITE_MB")

Query latency, median of $RUNS after a warm-up (ms); PostgreSQL: psql \\timing, client side,
prepared statements over the unix socket; SQLite: time.perf_counter around execute+fetchall
$(header)
$(row "rare top 100" rare_top)
$(row "rare count(*)" rare_count)
$(row "common top 100" common_top)
$(row "common count(*)" common_count)

  (a prepared "SELECT \$1" timed the same way, which reads nothing: ${MS[floor]} ms: the client
   and the round trip, which the in-process SQLite calls do not pay)

Server side, median of $RUNS after a warm-up (ms): planning + execution from EXPLAIN (ANALYZE, TIMING OFF)
$(header)
$(srow "rare top 100" rare_top)
$(srow "rare count(*)" rare_count)
$(srow "common top 100" common_top)
$(srow "common count(*)" common_count)

Inserts into the caption index alone: 100,000 captions in 100 transactions of 1,000 rows
  in ${INSERT_S} s: ${INSERT_RATE} rows/s (then: ${INDEX_STATS})
  the rare-name count, server side: ${SMS[cap_rest_count]} ms at rest, ${SMS[cap_busy_count]} ms while
  another session inserts 100,000 more (which took ${INSERT2_S} s)

Rows returned (top: rows, up to 100; count: the count)
$(printf '%-18s %11s %10s %10s %10s %10s' query "caption AM" "imgsrch GIN" built-in RUM "SQLite FTS5")
$(rows "rare top 100" rare_top)
$(rows "rare count(*)" rare_count)
$(rows "common top 100" common_top)
$(rows "common count(*)" common_count)
  (counts differ by normalisation: imgsearch splits GregRutkowski and greg_rutkowski and drops 's;
   'simple' and FTS5 unicode61 split greg_rutkowski and Rutkowski's but not GregRutkowski)

Where imgsearch's time goes on the common name ($N_COMMON planted rows), psql \\timing, one run each:
  count(*) through the GIN index (a two-word phrase: no recheck):      ${T_MATCH} ms
  + caption_tsvector(caption) computed on every match:                ${T_TSV} ms
  + caption_rank(caption, query) computed on every match:             ${T_RANK} ms

EXPLAIN (ANALYZE, BUFFERS) caption index common count:
$EXPLAIN_CAP

EXPLAIN (ANALYZE, BUFFERS, VERBOSE) imgsearch common top 100:
$EXPLAIN_IMG

EXPLAIN (ANALYZE, BUFFERS) built-in common top 100:
$EXPLAIN_FTS

EXPLAIN (ANALYZE, BUFFERS) RUM common top 100:
$EXPLAIN_RUM

total wall time ${TOTAL_S} s
EOF
exit 0
