# demo/lib.sh: what the demo scripts share (sourced, not run).
#
# The demo's private PostgreSQL cluster lives in demo/data/: the data
# folder demo/data/pgdata, its Unix socket in demo/data itself (no TCP:
# listen_addresses is empty), its log in demo/data/server.log.  Local
# connections are trusted, so the socket is the lock: its folder is mode
# 0700 and owned by the cluster's owner, who is the user running the demo,
# or the "postgres" system user when that is root (initdb refuses to run as
# root; root still connects, as root may open any socket).  Every client
# connects as the cluster superuser "postgres" to the database
# imgsearch_demo.

DEMO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(dirname "$DEMO_DIR")
DATA_DIR=$DEMO_DIR/data
PGDATA_DIR=$DATA_DIR/pgdata
SERVER_LOG=$DATA_DIR/server.log
WORK_DIR=$DEMO_DIR/work
OUT_DIR=$DEMO_DIR/out
DEMO_DB=imgsearch_demo
DEMO_PORT=5432                  # names the socket file only: no TCP
PYTHON=/usr/bin/python3         # Debian's, where python3-pil is

# Find PostgreSQL's programs (again after installing it): PG_CONFIG, PG_BINDIR,
# and PSQL, the psql command line that reaches the demo database
find_postgres() {
	if [ -z "${PG_CONFIG:-}" ] || ! command -v "$PG_CONFIG" >/dev/null 2>&1; then
		PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
		[ -x "$PG_CONFIG" ] || PG_CONFIG=pg_config
	fi
	PG_BINDIR=$("$PG_CONFIG" --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
	PSQL=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off
		-h "$DATA_DIR" -p "$DEMO_PORT" -U postgres -d "$DEMO_DB")
}
find_postgres

# The libpq connection string of the demo database, for img2pgsql
conninfo_string() {
	local dir=${DATA_DIR//\\/\\\\}
	printf "host='%s' port=%s user=postgres dbname=%s" "${dir//\'/\\\'}" "$DEMO_PORT" "$DEMO_DB"
}

log() { printf '\n==> %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

# Run a command as the cluster's owner
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Whether the demo cluster's server is running
cluster_running() {
	[ -f "$PGDATA_DIR/PG_VERSION" ] && as_owner "$PG_BINDIR/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

# As root, the cluster runs as "postgres", which must enter the data folder
# and read the query images the demo makes.  When it cannot enter the
# project (a checkout under /root, say), keep the data and work folders in
# /var/tmp instead (the results page stays in demo/out).
use_shared_dirs_if_needed() {
	local base
	if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 &&
		! runuser -u postgres -- test -x "$DEMO_DIR" 2>/dev/null; then
		base=/var/tmp/imgsearch-demo-$(printf '%s' "$DEMO_DIR" | md5sum | cut -c1-8)
		DATA_DIR=$base/data
		PGDATA_DIR=$DATA_DIR/pgdata
		SERVER_LOG=$DATA_DIR/server.log
		WORK_DIR=$base/work
		mkdir -p "$base"
		chmod 0755 "$base"
		find_postgres
	fi
}
use_shared_dirs_if_needed

# Seconds since the epoch, with fractions, for timing the steps
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
