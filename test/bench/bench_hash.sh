#!/bin/bash
#
# bench_hash.sh -- hashing throughput of imgsearch against Python ImageHash
#
# What it does (run from anywhere; `make bench` runs it):
#   1. generates, deterministically (fixed seed) into a temporary directory,
#      300 JPEGs (512 px on the long side, quality 85, 4:2:0, one in five
#      progressive; gradients, shapes, blur and noise) and 100 RGB PNGs (512x384);
#   2. times, in process and pinned to one core, Pillow's decode alone (the
#      floor for exact hashes), Python ImageHash's phash recipe, and the
#      phash+dhash+average_hash recipe (median of 3 passes over the files);
#   3. starts a private temporary PostgreSQL cluster (unix socket in the temp
#      directory, no TCP, pinned to the same core, no parallel workers), loads
#      the files into a bytea table and times phash(img) and image_hashes(img)
#      over it (median of 5 runs, server side); also times the C core through
#      test/tools/imghash_cli, and checks that every phash equals Python's;
#   4. profiles the C core on a few files (callgrind instruction counts, and
#      perf time samples: cycles when the hardware counters work, else the
#      cpu-clock timer) and groups the cost by stage: libjpeg Huffman decode,
#      IDCT, upsampling, colour conversion; gray conversion, resampling
#      (horizontal, vertical, weights), DCT, median;
#   5. prints a labelled report on stdout (progress goes to stderr).
#
# Run as root (the cluster then runs as the postgres system user, since
# initdb refuses root) or as any user, with imgsearch installed
# (make && make install).  Needs Debian's python3-pil and python3-scipy for
# /usr/bin/python3 (installed with apt-get when missing and run as root);
# valgrind or linux-perf for the profile (skipped without either).
#
# Environment: BENCH_CPU (core to pin to, default 0), BENCH_PROFILER
# (auto: every one available; callgrind, perf or none), PG_CONFIG.
#
# test/bench/bench_hash.sh

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"

BENCH_CPU=${BENCH_CPU:-0}
BENCH_PROFILER=${BENCH_PROFILER:-auto}
IMAGE_SEED=20240611
N_JPEG=300
N_PNG=100
PYTHON_PASSES=3             # Python: passes over the files, median taken
SQL_RUNS=5                  # SQL: timed runs per query (after one warm-up run)
CLI_RUNS=3                  # CLI: timed invocations, median taken
CLI_REPEAT=3                # CLI: each file hashed this many times per invocation
PG_PORT=54329               # only names the socket file; TCP is off

PYTHON=/usr/bin/python3
PG_CONFIG=${PG_CONFIG:-pg_config}
HELPER="$REPO_ROOT/test/bench/bench_hash_helper.py"
CLI="$REPO_ROOT/test/tools/imghash_cli"

BENCH_NAME=bench_hash
# shellcheck source=test/bench/bench_lib.sh
. "$REPO_ROOT/test/bench/bench_lib.sh"

# ---------------------------------------------------------------- prerequisites

command -v taskset >/dev/null || die "taskset (util-linux) is required"
bench_find_postgres

bench_need_python

log "building $CLI"
make -s test/tools/imghash_cli >&2 || die "cannot build test/tools/imghash_cli"

bench_pg_user

# ---------------------------------------------------------------- temp dir, cleanup

bench_work_dir
IMAGE_DIR="$WORK_DIR/images"


declare -A RESULT           # key -> "median_seconds min_seconds max_seconds n_images"

# ---------------------------------------------------------------- 1. images

log "generating $N_JPEG JPEGs and $N_PNG PNGs (seed $IMAGE_SEED)"
"$PYTHON" "$HELPER" generate "$IMAGE_DIR" "$IMAGE_SEED" "$N_JPEG" "$N_PNG"
JPEG_FILES=("$IMAGE_DIR"/*.jpg)
PNG_FILES=("$IMAGE_DIR"/*.png)
JPEG_MB=$(du -cm "${JPEG_FILES[@]}" | tail -1 | cut -f1)
PNG_MB=$(du -cm "${PNG_FILES[@]}" | tail -1 | cut -f1)
if [ "$(id -u)" -eq 0 ]; then
	chown -R postgres: "$WORK_DIR"
fi
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- 2. Python reference

bench_python_times

# ---------------------------------------------------------------- 3a. C core through the CLI

# time_cli KEY FLAGS FILES...: CLI_RUNS invocations hashing each file CLI_REPEAT times
time_cli() {
	local key=$1 flags=$2
	shift 2
	local run start end
	for ((run = 0; run < CLI_RUNS; run++)); do
		start=$(now)
		# shellcheck disable=SC2086
		taskset -c "$BENCH_CPU" "$CLI" --repeat "$CLI_REPEAT" $flags "$@" >/dev/null
		end=$(now)
		awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }'
	done | median_min_max | { read -r m lo hi; echo "$m $lo $hi $(($# * CLI_REPEAT))"; }
}

log "timing the C core (test/tools/imghash_cli) on cpu $BENCH_CPU"
RESULT[cli_phash_jpeg]=$(time_cli cli_phash_jpeg --phash "${JPEG_FILES[@]}")
RESULT[cli_phash_png]=$(time_cli cli_phash_png --phash "${PNG_FILES[@]}")
RESULT[cli_all3_jpeg]=$(time_cli cli_all3_jpeg "" "${JPEG_FILES[@]}")
RESULT[cli_all3_png]=$(time_cli cli_all3_png "" "${PNG_FILES[@]}")
"$CLI" --phash "${JPEG_FILES[@]}" "${PNG_FILES[@]}" | awk '{ print $NF, $1 }' >"$WORK_DIR/cli_phash.txt" || true
read -r CLI_AGREE CLI_TOTAL < <("$PYTHON" "$HELPER" compare "$WORK_DIR/py_phash.txt" "$WORK_DIR/cli_phash.txt")

# ---------------------------------------------------------------- 3b. SQL in a private cluster

log "starting a temporary cluster in $PG_DATA"
bench_initdb
BENCH_PIN="taskset -c $BENCH_CPU" bench_start_cluster \
	-c max_parallel_workers_per_gather=0 -c shared_buffers=256MB

PG_VERSION=$(sql -c 'SHOW server_version')

log "loading the images into a table"
sql <<EOF
CREATE EXTENSION imgsearch;
CREATE TABLE images (name text PRIMARY KEY, format text NOT NULL, img bytea NOT NULL);
INSERT INTO images
	SELECT f, CASE WHEN f LIKE '%.jpg' THEN 'jpeg' ELSE 'png' END,
		   pg_read_binary_file('$IMAGE_DIR/' || f)
	FROM pg_ls_dir('$IMAGE_DIR') AS f
	WHERE f ~ '\.(jpg|png)$';
VACUUM ANALYZE images;
-- run a query once to warm up, then RUNS times; return each run's seconds
CREATE FUNCTION bench_runs(query text, runs int) RETURNS SETOF float8
LANGUAGE plpgsql AS \$\$
DECLARE
	started timestamptz;
BEGIN
	EXECUTE query;
	FOR i IN 1..runs LOOP
		started := clock_timestamp();
		EXECUTE query;
		RETURN NEXT extract(epoch FROM clock_timestamp() - started);
	END LOOP;
END
\$\$;
EOF

# time_sql FORMAT QUERY: "median min max n" over SQL_RUNS runs; QUERY uses :fmt
time_sql() {
	local format=$1 literal="'$1'"
	local query=${2//:fmt/$literal}
	sql -c "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), min(s), max(s),
		(SELECT count(*) FROM images WHERE format = '$format')
		FROM bench_runs(\$q\$ $query \$q\$, $SQL_RUNS) AS s"
}

QUERY_DETOAST="SELECT bit_xor(get_byte(img, 0)) FROM images WHERE format = :fmt"
QUERY_PHASH="SELECT bit_xor(phash(img)::bigint) FROM images WHERE format = :fmt"
QUERY_ALL3="SELECT bit_xor(h.phash::bigint # h.dhash::bigint # h.ahash::bigint)
	FROM images, LATERAL image_hashes(img) AS h WHERE format = :fmt"

log "timing SQL on cpu $BENCH_CPU ($SQL_RUNS runs per query)"
for format in jpeg png; do
	RESULT[sql_detoast_$format]=$(time_sql "$format" "$QUERY_DETOAST")
	RESULT[sql_phash_$format]=$(time_sql "$format" "$QUERY_PHASH")
	RESULT[sql_all3_$format]=$(time_sql "$format" "$QUERY_ALL3")
done
sql -c "SELECT name, phash(img) FROM images" >"$WORK_DIR/sql_phash.txt"
read -r SQL_AGREE SQL_TOTAL < <("$PYTHON" "$HELPER" compare "$WORK_DIR/py_phash.txt" "$WORK_DIR/sql_phash.txt")

as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null

# ---------------------------------------------------------------- 4. profile

# Which profilers: callgrind counts instructions (deterministic, any machine
# with valgrind); perf samples time (cycles when the hardware counters work,
# as `perf stat -e instructions` tells, else the cpu-clock timer).  auto runs
# every one available; the report shows one column per profiler and format.
perf_counters_work() {
	perf stat -x, -e instructions true 2>&1 >/dev/null | grep -q '^[0-9]'
}
PROFILERS=()
case "$BENCH_PROFILER" in
	auto)
		if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
			PROFILERS+=(callgrind)
		fi
		if command -v perf >/dev/null && perf record -q -e cpu-clock -o "$WORK_DIR/perf.check" true >/dev/null 2>&1; then
			PROFILERS+=(perf)
		fi ;;
	callgrind | perf) PROFILERS=("$BENCH_PROFILER") ;;
	none) ;;
	*) die "BENCH_PROFILER must be auto, callgrind, perf or none" ;;
esac
PERF_EVENT=cpu-clock
if perf_counters_work 2>/dev/null; then
	PERF_EVENT=cycles
fi

declare -A PROFILE          # "group|profiler|format" -> percent
declare -A PROFILE_TOTAL    # format -> million instructions per image (callgrind)
PROFILE_GROUPS=()
PROFILE_JPEG=("${JPEG_FILES[@]:0:10}")     # 8 baseline and 2 progressive JPEGs
PROFILE_PNG=("${PNG_FILES[@]:0:4}")
if [ ${#PROFILERS[@]} -gt 0 ]; then
	# A profiling build of the CLI: same optimisation, debug info, libjpeg
	# linked statically so its internal functions have names, and no
	# inlining of non-inline functions so that the stages stay apart.
	PROF_DIR="$WORK_DIR/prof"
	mkdir -p "$PROF_DIR"
	# shellcheck disable=SC2016  # $(CORE_SRCS) is for make
	CORE_SRCS=$(make -s --no-print-directory -f Makefile \
		-f <(printf 'bench-print-core-srcs:\n\t@echo $(CORE_SRCS)\n') bench-print-core-srcs)
	PNG_CFLAGS=$(pkg-config --cflags libpng 2>/dev/null || true)
	PNG_LIBS=$(pkg-config --libs libpng 2>/dev/null || echo -lpng16)
	LIBJPEG_STATIC=$(${CC:-cc} -print-file-name=libjpeg.a)
	case "$LIBJPEG_STATIC" in
		/*) [ -f "$LIBJPEG_STATIC" ] || LIBJPEG_STATIC=-ljpeg ;;
		*) LIBJPEG_STATIC=-ljpeg ;;
	esac
	PROF_CFLAGS="-O2 -g -ffp-contract=off -fno-inline-functions -fno-inline-small-functions -fno-inline-functions-called-once -I src $PNG_CFLAGS"
	PROF_OBJS=()
	for source in $CORE_SRCS test/tools/imghash_cli.c; do
		object="$PROF_DIR/$(basename "${source%.c}").o"
		# shellcheck disable=SC2086
		${CC:-cc} $PROF_CFLAGS -c -o "$object" "$source"
		PROF_OBJS+=("$object")
	done
	PROF_CLI="$PROF_DIR/imghash_cli_prof"
	# shellcheck disable=SC2086
	${CC:-cc} -o "$PROF_CLI" "${PROF_OBJS[@]}" $LIBJPEG_STATIC $PNG_LIBS -lm
	nm --defined-only "${PROF_OBJS[@]}" 2>/dev/null | awk 'NF == 3 { print $3 }' >"$PROF_DIR/our_symbols.txt"

	for profiler in "${PROFILERS[@]}"; do
		for format in jpeg png; do
			if [ "$format" = jpeg ]; then files=("${PROFILE_JPEG[@]}"); else files=("${PROFILE_PNG[@]}"); fi
			log "profiling $format with $profiler"
			profile="$PROF_DIR/$profiler.$format"
			if [ "$profiler" = callgrind ]; then
				profile_repeat=2
				valgrind --tool=callgrind --toggle-collect=ImgJobRun --callgrind-out-file="$profile.out" \
					"$PROF_CLI" --repeat "$profile_repeat" --phash "${files[@]}" >/dev/null 2>"$profile.log"
				callgrind_annotate --inclusive=no --threshold=100 --auto=no "$profile.out" >"$profile.txt"
			else
				profile_repeat=50
				taskset -c "$BENCH_CPU" perf record -q -e "$PERF_EVENT" -o "$profile.out" -- \
					"$PROF_CLI" --repeat "$profile_repeat" --phash "${files[@]}" >/dev/null 2>"$profile.log"
				perf report -i "$profile.out" --stdio --no-children --sort dso,sym -q \
					--percent-limit 0 >"$profile.txt" 2>/dev/null
			fi
			while IFS=$'\t' read -r value group; do
				if [ "$group" = total ]; then
					PROFILE_TOTAL[$format]=$(awk -v v="$value" -v n="$((${#files[@]} * profile_repeat))" \
						'BEGIN { printf "%.1f", v / n / 1e6 }')
					continue
				fi
				PROFILE["$group|$profiler|$format"]=$value
				if [ "$profiler" = "${PROFILERS[0]}" ] && [ "$format" = jpeg ]; then
					PROFILE_GROUPS+=("$group")
				fi
			done < <("$PYTHON" "$HELPER" profile-groups "$profiler" "$profile.txt" \
				"$PROF_DIR/our_symbols.txt")
		done
	done
fi

# ---------------------------------------------------------------- 5. report

# images/s of a result: "median (fastest-slowest)"
rate() {
	local median min max count
	read -r median min max count <<<"${RESULT[$1]}"
	awk -v m="$median" -v lo="$min" -v hi="$max" -v n="$count" \
		'BEGIN { printf "%6.0f (%.0f-%.0f)", n / m, n / hi, n / lo }'
}
# ratio of the median images/s of two results
ratio() {
	local m1 n1 m2 n2 rest
	read -r m1 rest rest n1 <<<"${RESULT[$1]}"
	read -r m2 rest rest n2 <<<"${RESULT[$2]}"
	awk -v a="$m1" -v na="$n1" -v b="$m2" -v nb="$n2" 'BEGIN { printf "%6.2fx", (na / a) / (nb / b) }'
}

N_PROGRESSIVE=$((N_JPEG / 5))
echo "== imgsearch hashing benchmark =="
echo "images: $N_JPEG JPEG (512 px long side, q85, 4:2:0, $N_PROGRESSIVE progressive; $JPEG_MB MB),"
echo "        $N_PNG PNG (RGB 512x384 / 384x512; $PNG_MB MB); seed $IMAGE_SEED"
echo "one core: everything pinned to cpu $BENCH_CPU of $(nproc); load average at start: $LOAD_AT_START"
echo "PostgreSQL $PG_VERSION, max_parallel_workers_per_gather = 0"
echo
printf '%-46s %-23s %-23s\n' "images/s: median (slowest-fastest run)" "JPEG" "PNG"
row() { printf '  %-44s %-23s %-23s\n' "$1" "$(rate "$2_jpeg")" "$(rate "$2_png")"; }
row "Python: Pillow decode only (floor)" py_decode
row "Python: ImageHash phash recipe" py_phash
row "Python: phash+dhash+ahash recipe" py_all3
row "C core CLI: phash (x$CLI_REPEAT per file)" cli_phash
row "C core CLI: all three hashes" cli_all3
row "SQL: scan + detoast only" sql_detoast
row "SQL: phash(img)" sql_phash
row "SQL: image_hashes(img)" sql_all3
echo "  (Python: median of $PYTHON_PASSES passes; CLI: $CLI_RUNS runs; SQL: $SQL_RUNS runs after a warm-up)"
echo
printf '%-46s %-10s %-10s\n' "ratios of median images/s" "JPEG" "PNG"
ratio_row() { printf '  %-44s %-10s %-10s\n' "$1" "$(ratio "$2_jpeg" "$3_jpeg")" "$(ratio "$2_png" "$3_png")"; }
ratio_row "SQL phash / Python phash  (target >= 2x)" sql_phash py_phash
ratio_row "SQL image_hashes / Python three-hash recipe" sql_all3 py_all3
ratio_row "SQL phash / Pillow decode alone" sql_phash py_decode
ratio_row "SQL phash / C core CLI phash" sql_phash cli_phash
echo
echo "phash equal to the Python recipe: SQL $SQL_AGREE/$SQL_TOTAL, CLI $CLI_AGREE/$CLI_TOTAL"
echo
if [ ${#PROFILERS[@]} -eq 0 ]; then
	echo "where the time goes: skipped (neither valgrind nor a working perf)"
else
	echo "where the time goes, phash only, % of the total, self cost per function, grouped"
	echo "  (${#PROFILE_JPEG[@]} JPEGs incl. 2 progressive, ${#PROFILE_PNG[@]} PNGs; profiling build of the CLI:"
	echo "  -O2 -g, static libjpeg, no automatic inlining so stages stay apart)"
	for profiler in "${PROFILERS[@]}"; do
		case $profiler in
			callgrind) echo "  Ir = instructions executed inside ImgJobRun (callgrind; SIMD code looks cheaper than in time)" ;;
			perf) echo "  time = perf record -e $PERF_EVENT samples, files hashed 50 times each" ;;
		esac
	done
	header=""
	for format in JPEG PNG; do
		for profiler in "${PROFILERS[@]}"; do
			case $profiler in callgrind) header+=$(printf ' %9s' "$format Ir") ;; perf) header+=$(printf ' %9s' "$format time") ;; esac
		done
	done
	printf '  %-42s%s\n' "" "$header"
	for group in "${PROFILE_GROUPS[@]}"; do
		line=""
		nonzero=0
		for format in jpeg png; do
			for profiler in "${PROFILERS[@]}"; do
				value=${PROFILE["$group|$profiler|$format"]:--}
				[ "$value" = 0.0 ] || [ "$value" = - ] || nonzero=1
				line+=$(printf ' %9s' "$value")
			done
		done
		# the helper lists every group; leave out those empty everywhere
		if [ "$nonzero" = 1 ]; then
			printf '  %-42s%s\n' "$group" "$line"
		fi
	done
	if [ -n "${PROFILE_TOTAL[jpeg]-}" ]; then
		echo "  million instructions per image (callgrind): JPEG ${PROFILE_TOTAL[jpeg]}, PNG ${PROFILE_TOTAL[png]}"
	fi
fi
exit 0
