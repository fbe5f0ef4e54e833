#!/bin/bash
#
# bench_loader.sh -- throughput of the img2pgsql loader against Python ImageHash
#
# What it does (run from anywhere; `make bench` runs it):
#   1. generates, deterministically (fixed seed) into a temporary directory,
#      300 JPEGs (512 px on the long side, quality 85, 4:2:0, one in five
#      progressive) with test/bench/bench_hash_helper.py, and packs them
#      into 3 webdataset shards as img2dataset writes them (KEY.jpg, KEY.txt
#      caption, KEY.json with key, url and caption);
#   2. times, in process and pinned to one core, Pillow's decode alone and
#      Python ImageHash's phash recipe over the same JPEGs (median of 3
#      passes; the images are read into memory first, so Python is not
#      charged for reading files or tar shards, the loader is);
#   3. times img2pgsql over the shards, COPY text to /dev/null, with -j 1
#      pinned to the same core and with -j 2, exact and --fast (median of
#      5 runs each, wall clock of the whole command);
#   4. loads the shards once into a private temporary PostgreSQL cluster
#      (unix socket in the temp directory, no TCP) through libpq COPY;
#   5. checks that every exact phash equals Python's, and measures the
#      Hamming distance between --fast and exact phash over all images;
#   6. prints a labelled report on stdout (progress goes to stderr).
#
# Targets (DESIGN.md): exact >= 2x the Python recipe per core; --fast >= 5x
# per core, within 4 bits of the exact phash on 99% of images.
#
# Run as root (the cluster then runs as the postgres system user, since
# initdb refuses root) or as any user, with imgsearch installed
# (make && make install).  Needs Debian's python3-pil and python3-scipy for
# /usr/bin/python3 (installed with apt-get when missing and run as root).
#
# Environment: BENCH_CPU (core to pin the one-core runs to, default 0),
# IMG2PGSQL (the loader; default tools/img2pgsql/img2pgsql, built with make
# when missing, else img2pgsql in PostgreSQL's bindir), PG_CONFIG.
#
# test/bench/bench_loader.sh

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT"

BENCH_CPU=${BENCH_CPU:-0}
IMAGE_SEED=20240611         # the same images as bench_hash.sh
N_JPEG=300
N_SHARDS=3
PYTHON_PASSES=3             # Python: passes over the files, median taken
LOADER_RUNS=5               # loader: timed runs per configuration, median taken
PG_PORT=54330               # only names the socket file; TCP is off

PYTHON=/usr/bin/python3
PG_CONFIG=${PG_CONFIG:-pg_config}
HELPER="$REPO_ROOT/test/bench/bench_hash_helper.py"

BENCH_NAME=bench_loader
# shellcheck source=test/bench/bench_lib.sh
. "$REPO_ROOT/test/bench/bench_lib.sh"

# ---------------------------------------------------------------- prerequisites

command -v taskset >/dev/null || die "taskset (util-linux) is required"
bench_find_postgres

bench_need_python

LOADER=${IMG2PGSQL:-}
if [ -z "$LOADER" ]; then
	LOADER="$REPO_ROOT/tools/img2pgsql/img2pgsql"
	if [ ! -x "$LOADER" ]; then
		log "building the loader (make)"
		make -s >&2 || true
	fi
	[ -x "$LOADER" ] || LOADER="$PG_BINDIR/img2pgsql"
fi
[ -x "$LOADER" ] || die "img2pgsql not found: run make (or set IMG2PGSQL)"
LOADER_VERSION=$("$LOADER" --version 2>/dev/null || echo unknown)

bench_pg_user

# ---------------------------------------------------------------- temp dir, cleanup

bench_work_dir
IMAGE_DIR="$WORK_DIR/images"
SHARD_DIR="$WORK_DIR/shards"


declare -A RESULT           # key -> "median_seconds min_seconds max_seconds n_images"

# ---------------------------------------------------------------- 1. images and shards

log "generating $N_JPEG JPEGs (seed $IMAGE_SEED)"
"$PYTHON" "$HELPER" generate "$IMAGE_DIR" "$IMAGE_SEED" "$N_JPEG" 0
JPEG_FILES=("$IMAGE_DIR"/*.jpg)
[ ${#JPEG_FILES[@]} -eq "$N_JPEG" ] || die "expected $N_JPEG JPEGs, found ${#JPEG_FILES[@]}"
JPEG_MB=$(du -cm "${JPEG_FILES[@]}" | tail -1 | cut -f1)

# Shards as img2dataset writes them: members KEY.jpg, KEY.json, KEY.txt
# (the members of one sample adjacent), KEY = shard number * 10000 + index,
# nine digits; keys.txt maps each KEY to its image file.
log "packing them into $N_SHARDS webdataset shards"
mkdir -p "$SHARD_DIR"
"$PYTHON" - "$IMAGE_DIR" "$SHARD_DIR" "$N_SHARDS" >"$WORK_DIR/keys.txt" <<'EOF'
import io, json, os, sys, tarfile
image_dir, shard_dir, n_shards = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(f for f in os.listdir(image_dir) if f.endswith(".jpg"))
per_shard = -(-len(files) // n_shards)
for shard in range(n_shards):
    path = os.path.join(shard_dir, f"{shard:05d}.tar")
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
            tar.addfile(info, io.BytesIO(data))
        for index, name in enumerate(files[shard * per_shard:(shard + 1) * per_shard]):
            key = f"{shard:05d}{index:04d}"
            caption = f"synthetic picture {name[:-4]}: shapes and gradients, blurred, with noise"
            meta = {"key": key, "url": f"https://example.com/bench/{name}", "caption": caption,
                    "status": "success", "error_message": None, "width": None, "height": None}
            with open(os.path.join(image_dir, name), "rb") as fh:
                add(f"{key}.jpg", fh.read())
            add(f"{key}.json", json.dumps(meta).encode())
            add(f"{key}.txt", caption.encode())
            print(key, name)
EOF
SHARDS=("$SHARD_DIR"/*.tar)
SHARD_MB=$(du -cm "${SHARDS[@]}" | tail -1 | cut -f1)

if [ "$(id -u)" -eq 0 ]; then
	chown -R postgres: "$WORK_DIR"
fi
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- 2. Python reference

bench_python_times

# ---------------------------------------------------------------- 3. the loader, COPY text to /dev/null

# time_loader CPUS FLAGS...: LOADER_RUNS runs of the loader over the shards
# (after one warm-up run), pinned to CPUS ("all": not pinned); sets TIMED
# to "median min max n_images"
time_loader() {
	local cpus=$1
	shift
	local pin=() times=() run start end
	[ "$cpus" = all ] || pin=(taskset -c "$cpus")
	"${pin[@]}" "$LOADER" -q "$@" "${SHARDS[@]}" >/dev/null ||
		die "img2pgsql $* failed (exit status $?)"
	for ((run = 0; run < LOADER_RUNS; run++)); do
		start=$(now)
		"${pin[@]}" "$LOADER" -q "$@" "${SHARDS[@]}" >/dev/null ||
			die "img2pgsql $* failed (exit status $?)"
		end=$(now)
		times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')")
	done
	TIMED="$(printf '%s\n' "${times[@]}" | median_min_max) $N_JPEG"
}

NCPU=$(nproc)
log "timing img2pgsql ($LOADER_RUNS runs per configuration)"
# process startup and exit alone (an empty folder), part of every run's time
mkdir -p "$WORK_DIR/empty"
STARTUP_MS=$(for ((run = 0; run < LOADER_RUNS; run++)); do
	start=$(now)
	taskset -c "$BENCH_CPU" "$LOADER" -q -j 1 "$WORK_DIR/empty" >/dev/null
	end=$(now)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", (b - a) * 1000 }'
done | median_min_max | cut -d' ' -f1)
time_loader "$BENCH_CPU" -j 1
RESULT[j1_exact]=$TIMED
time_loader all -j 2
RESULT[j2_exact]=$TIMED
time_loader "$BENCH_CPU" -j 1 --fast
RESULT[j1_fast]=$TIMED
time_loader all -j 2 --fast
RESULT[j2_fast]=$TIMED

# ---------------------------------------------------------------- 4. once into a table

log "starting a temporary cluster in $PG_DATA"
bench_initdb
bench_start_cluster -c shared_buffers=256MB

PG_VERSION=$(sql -c 'SHOW server_version')
sql -c 'CREATE EXTENSION imgsearch'
CONNINFO="host=$WORK_DIR port=$PG_PORT user=$PG_SUPERUSER dbname=postgres"

log "loading the shards into a table (-j $NCPU)"
start=$(now)
"$LOADER" -q -j "$NCPU" -d "$CONNINFO" -t images --create "${SHARDS[@]}" ||
	die "img2pgsql into the table failed (exit status $?)"
end=$(now)
TABLE_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
TABLE_ROWS=$(sql -c 'SELECT count(*) FROM images')
start=$(now)
"$LOADER" -q -j "$NCPU" -d "$CONNINFO" -t images "${SHARDS[@]}" ||
	die "img2pgsql re-run into the table failed (exit status $?)"
end=$(now)
RERUN_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
RERUN_ROWS=$(sql -c 'SELECT count(*) FROM images')
sql -c "SELECT key, phash FROM images" >"$WORK_DIR/table_phash.txt"

as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null

# ---------------------------------------------------------------- 5. agreement and --fast distances

log "comparing hashes"
"$LOADER" -q --columns key,phash "${SHARDS[@]}" >"$WORK_DIR/exact.tsv"
"$LOADER" -q --fast --columns key,phash "${SHARDS[@]}" >"$WORK_DIR/fast.tsv"

# "file phash" listings for the helper's compare: sample key -> image file
to_files() { awk 'NR == FNR { file[$1] = $2; next } { print file[$1], $2 }' "$WORK_DIR/keys.txt" "$1"; }
to_files "$WORK_DIR/exact.tsv" >"$WORK_DIR/exact_phash.txt"
to_files "$WORK_DIR/table_phash.txt" >"$WORK_DIR/table_files_phash.txt"
read -r EXACT_AGREE EXACT_TOTAL < <("$PYTHON" "$HELPER" compare "$WORK_DIR/py_phash.txt" "$WORK_DIR/exact_phash.txt")
read -r TABLE_AGREE TABLE_TOTAL < <("$PYTHON" "$HELPER" compare "$WORK_DIR/py_phash.txt" "$WORK_DIR/table_files_phash.txt")

# share of images within 0, 2 and 4 bits, 99th percentile (nearest rank), max, mean
read -r FAST_N FAST_0 FAST_2 FAST_4 FAST_P99 FAST_MAX FAST_MEAN < <(
	"$PYTHON" - "$WORK_DIR/exact.tsv" "$WORK_DIR/fast.tsv" <<'EOF'
import math, sys
def load(path):
    with open(path) as fh:
        return dict(line.rstrip("\n").split("\t")[:2] for line in fh if line.strip())
exact, fast = load(sys.argv[1]), load(sys.argv[2])
d = sorted(bin(int(exact[k], 16) ^ int(fast[k], 16)).count("1") for k in exact if k in fast)
n = len(d)
if n == 0:
    print(0, 0, 0, 0, 0, 0, 0)
    sys.exit()
share = lambda r: 100.0 * sum(1 for x in d if x <= r) / n
p99 = d[max(0, math.ceil(0.99 * n) - 1)]
print(n, f"{share(0):.1f}", f"{share(2):.1f}", f"{share(4):.1f}", p99, d[-1], f"{sum(d) / n:.2f}")
EOF
)

# ---------------------------------------------------------------- 6. report

# images/s of a result: "median (slowest-fastest)"
rate() {
	local median min max count
	read -r median min max count <<<"${RESULT[$1]}"
	awk -v m="$median" -v lo="$min" -v hi="$max" -v n="$count" \
		'BEGIN { printf "%6.0f (%.0f-%.0f)", n / m, n / hi, n / lo }'
}
# ratio of the median images/s of two results, divided by CORES (default 1)
ratio() {
	local m1 n1 m2 n2 rest
	read -r m1 rest rest n1 <<<"${RESULT[$1]}"
	read -r m2 rest rest n2 <<<"${RESULT[$2]}"
	awk -v a="$m1" -v na="$n1" -v b="$m2" -v nb="$n2" -v c="${3:-1}" \
		'BEGIN { printf "%6.2fx", (na / a) / (nb / b) / c }'
}
# "ok" or "BELOW TARGET" for a ratio against a target
verdict() {
	awk -v r="${1%x}" -v t="$2" 'BEGIN { print (r + 0 >= t) ? "ok" : "BELOW TARGET" }'
}

N_PROGRESSIVE=$((N_JPEG / 5))
echo "== img2pgsql loader benchmark =="
echo "$LOADER_VERSION: $LOADER"
echo "images: $N_JPEG JPEG (512 px long side, q85, 4:2:0, $N_PROGRESSIVE progressive; $JPEG_MB MB); seed $IMAGE_SEED"
echo "        in $N_SHARDS webdataset shards (.jpg .json .txt; $SHARD_MB MB), COPY text to /dev/null"
echo "cores: $NCPU; Python and -j 1 pinned to cpu $BENCH_CPU, -j 2 not pinned; load average at start: $LOAD_AT_START"
echo
printf '%-46s %-23s\n' "images/s: median (slowest-fastest run)" "JPEG"
row() { printf '  %-44s %-23s\n' "$1" "$(rate "$2")"; }
row "Python: Pillow decode only (floor)" py_decode_jpeg
row "Python: ImageHash phash recipe" py_phash_jpeg
row "img2pgsql -j 1, exact" j1_exact
row "img2pgsql -j 2, exact" j2_exact
row "img2pgsql -j 1, --fast" j1_fast
row "img2pgsql -j 2, --fast" j2_fast
echo "  (Python: median of $PYTHON_PASSES passes, images in memory; img2pgsql: $LOADER_RUNS runs of the"
printf '   whole command over the shards, after a warm-up run, including %.1f ms of process\n' "$STARTUP_MS"
echo "   startup and exit, measured on an empty folder)"
echo
printf '%-58s %-10s\n' "ratios of median images/s" "JPEG"
ratio_row() {
	local r
	r=$(ratio "$2" "$3" "${4:-1}")
	if [ -n "${5:-}" ]; then
		printf '  %-56s %-10s %s\n' "$1" "$r" "$(verdict "$r" "$5")"
	else
		printf '  %-56s %-10s\n' "$1" "$r"
	fi
}
ratio_row "-j 1 exact / Python phash, one core   (target >= 2x)" j1_exact py_phash_jpeg 1 2
ratio_row "-j 1 --fast / Python phash, one core  (target >= 5x)" j1_fast py_phash_jpeg 1 5
ratio_row "-j 2 exact / Python phash, per core" j2_exact py_phash_jpeg 2
ratio_row "-j 2 --fast / Python phash, per core" j2_fast py_phash_jpeg 2
ratio_row "-j 1 exact / Pillow decode alone" j1_exact py_decode_jpeg
ratio_row "-j 2 / -j 1, exact" j2_exact j1_exact
ratio_row "-j 2 / -j 1, --fast" j2_fast j1_fast
ratio_row "--fast / exact, -j 1" j1_fast j1_exact
echo
awk -v n="$N_JPEG" -v s="$TABLE_SECONDS" -v r="$RERUN_SECONDS" -v cpus="$NCPU" -v v="$PG_VERSION" \
	'BEGIN { printf "into a table (PostgreSQL %s, libpq COPY, -j %d, one run): %.0f images/s; re-run (all skipped): %.0f images/s\n", v, cpus, n / s, n / r }'
echo "  rows in the table: $TABLE_ROWS after the load, $RERUN_ROWS after the re-run (expected $N_JPEG both)"
echo
echo "exact phash equal to the Python recipe: COPY text $EXACT_AGREE/$EXACT_TOTAL, table $TABLE_AGREE/$TABLE_TOTAL"
FAST_OK=$(awk -v s="$FAST_4" 'BEGIN { print (s + 0 >= 99) ? "ok" : "BELOW TARGET" }')
echo "--fast against exact phash, Hamming distance over $FAST_N JPEGs (target: <= 4 bits on 99%):"
echo "  0 bits: $FAST_0%   <= 2 bits: $FAST_2%   <= 4 bits: $FAST_4% ($FAST_OK)"
echo "  99th percentile: $FAST_P99 bits; max: $FAST_MAX bits; mean: $FAST_MEAN bits"
exit 0
