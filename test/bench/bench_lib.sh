# test/bench/bench_lib.sh: what the benchmark scripts share (sourced, not
# run).  Set BENCH_NAME (the script's name, for messages and the temporary
# folder) and PG_CONFIG before sourcing.
#
# Gives: log, die, now, bench_count, median_min_max; bench_find_postgres (PG_BINDIR,
# PG_SHAREDIR, and a check that imgsearch is installed); bench_need_python
# (Debian's Pillow, numpy and scipy for /usr/bin/python3, installed as root
# when missing); bench_install (Debian packages, as root); bench_pg_user
# (PG_SUPERUSER and as_pg, which runs a command as the cluster's owner: the
# postgres system user when we are root, since initdb refuses root); bench_work_dir (WORK_DIR and PG_DATA, removed
# with the cluster on exit unless KEEP=1); bench_initdb (a trust-only
# cluster in PG_DATA); bench_start_cluster (its server, socket only);
# sql (psql on it); bench_python_times (the Python reference recipe's
# speed, for the image benchmarks).

log() { echo "$BENCH_NAME: $*" >&2; }
die() { echo "$BENCH_NAME: error: $*" >&2; exit 1; }
now() { date +%s.%N; }

# a count written with a k or M suffix (100k, 10M) as a plain number;
# anything else but digits is an error
bench_count() {
	local n
	n=$(echo "$1" | sed -e 's/[kK]$/000/' -e 's/M$/000000/')
	case $n in
		'' | *[!0-9]*) die "not a count: $1 (digits, with k or M)" ;;
	esac
	echo "$n"
}

# median, min and max of the numbers on stdin, one a line: "median min max"
median_min_max() {
	sort -g | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%.6f %.6f %.6f\n", m, v[1], v[NR] }'
}

bench_find_postgres() {
	PG_BINDIR=$("$PG_CONFIG" --bindir) || die "pg_config not found (set PG_CONFIG)"
	PG_SHAREDIR=$("$PG_CONFIG" --sharedir)
	[ -f "$PG_SHAREDIR/extension/imgsearch.control" ] ||
		die "imgsearch is not installed in $PG_SHAREDIR: run make && make install"
}

# bench_install WHY PACKAGE...: install Debian packages (as root), or say
# which to install
bench_install() {
	local why=$1
	shift
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		log "installing $* ($why)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 || die "apt-get install $* failed"
	else
		die "$why needs: apt-get install $*"
	fi
}

bench_need_python() {
	/usr/bin/python3 -c 'import PIL, numpy, scipy.fftpack' 2>/dev/null ||
		bench_install "Pillow, numpy and scipy for /usr/bin/python3" python3-pil python3-numpy python3-scipy
}

bench_pg_user() {
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "running as root needs the postgres system user"
		PG_SUPERUSER=postgres
		as_pg() { runuser -u postgres -- "$@"; }
	else
		PG_SUPERUSER=$(id -un)
		as_pg() { "$@"; }
	fi
}

# shellcheck disable=SC2317  # run by the trap
bench_cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "$BENCH_NAME: kept $WORK_DIR; psql -h $WORK_DIR -p $PG_PORT -U $PG_SUPERUSER postgres;" \
			"stop with: pg_ctl -D $PG_DATA stop" >&2
		return
	fi
	if [ -f "$PG_DATA/postmaster.pid" ]; then
		as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK_DIR"
}

bench_work_dir() {
	WORK_DIR=$(mktemp -d "/tmp/$BENCH_NAME.XXXXXX")
	PG_DATA="$WORK_DIR/pgdata"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_initdb() {
	as_pg "$PG_BINDIR/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" -A trust -E UTF8 \
		--locale=C --no-sync --no-instructions >"$WORK_DIR/initdb.log" 2>&1 ||
		{ cat "$WORK_DIR/initdb.log" >&2; die "initdb failed"; }
}

# Start the cluster in PG_DATA on a Unix socket in WORK_DIR (no TCP), with
# fsync and jit off plus the given "-c name=value" settings; a command
# prefix in BENCH_PIN (e.g. "taskset -c 0") pins the server to CPUs.
bench_start_cluster() {
	# shellcheck disable=SC2086  # BENCH_PIN is words on purpose
	as_pg ${BENCH_PIN:-} "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$WORK_DIR/server.log" -w \
		-o "-c listen_addresses='' -k $WORK_DIR -p $PG_PORT -c fsync=off -c jit=off $*" \
		start >/dev/null || { cat "$WORK_DIR/server.log" >&2; die "the server did not start"; }
}

# psql on the benchmark cluster: unaligned, space-separated, stop on error
sql() {
	"$PG_BINDIR/psql" -X -q -At -F ' ' -v ON_ERROR_STOP=1 -h "$WORK_DIR" -p "$PG_PORT" \
		-U "$PG_SUPERUSER" -d postgres "$@"
}

# Time the Python reference recipe on one CPU over the images in IMAGE_DIR
# (PYTHON_PASSES passes, median) into the RESULT array; its hashes go to
# WORK_DIR/py_phash.txt
bench_python_times() {
	local key median min max count
	log "timing the Python reference on cpu $BENCH_CPU ($PYTHON_PASSES passes)"
	while read -r key median min max count; do
		RESULT[$key]="$median $min $max $count"
	done < <(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
		NUMEXPR_NUM_THREADS=1 taskset -c "$BENCH_CPU" \
		"$PYTHON" "$HELPER" python-times "$IMAGE_DIR" "$PYTHON_PASSES" "$WORK_DIR/py_phash.txt")
}
