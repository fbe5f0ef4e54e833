#!/usr/bin/env bash
# make demo: imgsearch's main job in one command, on a fresh Debian 12 machine.
#
#  1. installs the Debian packages it needs when missing (as root; otherwise
#     says which to install): the build's, openclipart-png and -svg, Pillow;
#  2. builds and installs the extension and img2pgsql (make, make install);
#  3. starts the private cluster in demo/data/ (see lib.sh), or reuses it;
#  4. turns the OpenClipart sample set into webdataset shards in demo/work/
#     (make_shards.py) and loads them with img2pgsql, with the metadata in
#     a side table; images already loaded are not loaded again;
#  5. makes altered copies of a few images (make_query_images.py) and runs
#     the example searches (searches.sql), printing results and timings;
#  6. writes the results page demo/out/results.html (results_page.py).
#
# Environment: LIMIT=N loads only the first N images (0 or empty: all);
# ARTIST (default "Nicu Buculei") is the name searched for and whose images
# become the query images.  make demo-stop stops the cluster.
set -euo pipefail
umask 022       # the server (another user when we are root) reads the query images

source "$(dirname "$0")/lib.sh"
LIMIT=${LIMIT:-0}
ARTIST=${ARTIST:-Nicu Buculei}
RADIUS=8        # Hamming radius of the searches (phash: near copies differ by a few bits)
[[ $LIMIT =~ ^[0-9]+$ ]] || die "LIMIT must be a number, not '$LIMIT'"
started=$(now)

# --- 1. packages ------------------------------------------------------------
PACKAGES=(make gcc pkg-config postgresql-15 postgresql-server-dev-15
	libjpeg62-turbo-dev libpng-dev libpq-dev libarchive-dev libjansson-dev libssl-dev
	openclipart-png openclipart-svg python3 python3-pil)
missing=()
for pkg in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || die "missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}"
	log "installing ${missing[*]}"
	step=$(now)
	export DEBIAN_FRONTEND=noninteractive
	# postgresql-15 would create and start a system cluster: ask
	# postgresql-common not to (first install only); the demo runs its own
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		mkdir -p /etc/postgresql-common/createcluster.d
		echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/imgsearch-demo.conf
	fi
	apt_log=$(mktemp /tmp/imgsearch-demo-apt.XXXXXX)
	{ apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
		>"$apt_log" 2>&1 || { tail -20 "$apt_log" >&2; die "apt-get install failed (log: $apt_log)"; }
	rm -f "$apt_log"
	echo "installed in $(elapsed "$step")"
	find_postgres
fi

# --- 2. build and install ---------------------------------------------------
log "building and installing the extension and img2pgsql"
step=$(now)
make -s -C "$SRC_DIR" PG_CONFIG="$PG_CONFIG"
installed_is_current() {
	local pkglib share f
	pkglib=$("$PG_CONFIG" --pkglibdir)
	share=$("$PG_CONFIG" --sharedir)/extension
	cmp -s "$SRC_DIR/imgsearch.so" "$pkglib/imgsearch.so" &&
		cmp -s "$SRC_DIR/tools/img2pgsql/img2pgsql" "$PG_BINDIR/img2pgsql" &&
		cmp -s "$SRC_DIR/imgsearch.control" "$share/imgsearch.control" || return 1
	for f in "$SRC_DIR"/imgsearch--*.sql; do
		cmp -s "$f" "$share/$(basename "$f")" || return 1
	done
}
if [ "$(id -u)" -ne 0 ] && installed_is_current; then
	echo "already installed"
else
	make -s -C "$SRC_DIR" PG_CONFIG="$PG_CONFIG" install >/dev/null ||
		die "'make install' failed: run 'sudo make install' once, then make demo again"
fi
echo "done in $(elapsed "$step")"

# --- 3. the private cluster -------------------------------------------------
use_shared_dirs_if_needed		# postgres may exist only now
log "starting the demo cluster in $DATA_DIR"
step=$(now)
socket="$DATA_DIR/.s.PGSQL.$DEMO_PORT"
[ ${#socket} -le 107 ] || die "the socket path $socket is too long for Unix sockets (107 bytes): move the project to a shorter path"
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
fi
mkdir -p "$DATA_DIR"
[ "$(stat -c %U "$DATA_DIR")" = "$owner" ] || {
	[ "$(id -u)" -eq 0 ] || die "$DATA_DIR belongs to $(stat -c %U "$DATA_DIR"), not to $owner: run make demo as that user"
	chown "$owner": "$DATA_DIR"
}
chmod 0700 "$DATA_DIR"
if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
	as_owner "$PG_BINDIR/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust \
		--no-locale -E UTF8 >/dev/null
	echo "include_if_exists = 'demo.conf'" | as_owner tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
	echo "created a cluster"
fi
if cluster_running; then
	echo "already running"
else
	# written at each start, so that a moved project still finds its socket
	as_owner tee "$PGDATA_DIR/demo.conf" >/dev/null <<-EOF
		# written by demo/run_demo.sh at each start: Unix socket only, in demo/data
		listen_addresses = ''
		port = $DEMO_PORT
		unix_socket_directories = '${DATA_DIR//\'/\'\'}'
		unix_socket_permissions = 0700
	EOF
	as_owner "$PG_BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$SERVER_LOG" -w -t 60 start >/dev/null ||
		{ tail -20 "$SERVER_LOG" >&2; die "the server did not start (log: $SERVER_LOG)"; }
	echo "started"
fi
if [ -z "$("${PSQL[@]}" -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DEMO_DB'")" ]; then
	"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DEMO_DB"
fi
"${PSQL[@]}" -f "$DEMO_DIR/schema.sql"
echo "ready in $(elapsed "$step")"

# --- 4. the sample set ------------------------------------------------------
log "preparing the OpenClipart sample set$([ "$LIMIT" -gt 0 ] && echo " (the first $LIMIT images)")"
step=$(now)
mkdir -p "$WORK_DIR"
"$PYTHON" "$DEMO_DIR/make_shards.py" --limit "$LIMIT" --out "$WORK_DIR"
# the metadata side table; and how many of these images are neither loaded nor known to fail
missing_rows=$("${PSQL[@]}" -At \
	-c "CREATE TEMP TABLE meta_in (LIKE image_meta)" \
	-c "\\copy meta_in FROM pstdin WITH (FORMAT csv, HEADER)" \
	-c "INSERT INTO image_meta SELECT * FROM meta_in ON CONFLICT (key) DO NOTHING" \
	-c "SELECT count(*) FROM meta_in m
		WHERE NOT EXISTS (SELECT FROM images i WHERE i.key = m.key)
		  AND NOT EXISTS (SELECT FROM load_failures f WHERE f.key = m.key)" \
	< "$WORK_DIR/meta.csv")
echo "done in $(elapsed "$step")"

log "loading with img2pgsql"
if [ "$missing_rows" -eq 0 ]; then
	echo "already loaded"
else
	step=$(now)
	echo "$missing_rows images to load (img2pgsql skips the keys already in the table)"
	status=0
	"$PG_BINDIR/img2pgsql" -d "$(conninfo_string)" -t images \
		-C key,url,caption,width,height,phash "$WORK_DIR/shards" \
		2> "$WORK_DIR/img2pgsql.log" || status=$?
	# its summary, and the first few images it refused (all are in load_failures)
	grep -v ': [0-9]\{9\}: ' "$WORK_DIR/img2pgsql.log" || true
	refused=$(grep -c ': [0-9]\{9\}: ' "$WORK_DIR/img2pgsql.log" || true)
	if [ "$refused" -gt 0 ]; then
		echo "refused:"
		grep ': [0-9]\{9\}: ' "$WORK_DIR/img2pgsql.log" | head -3 | sed 's/^img2pgsql: .*\/shards\//  /'
		[ "$refused" -le 3 ] || echo "  ... and $((refused - 3)) more"
	fi
	[ $status -le 1 ] || die "img2pgsql failed (exit status $status)"
	# "img2pgsql: INPUT: KEY: reason" for each image it refused
	sed -nE 's/^img2pgsql: .*: ([0-9]{9}): (.*)$/\1\t\2/p' "$WORK_DIR/img2pgsql.log" |
		"${PSQL[@]}" -c "CREATE TEMP TABLE failures_in (LIKE load_failures)" \
			-c "\\copy failures_in FROM pstdin" \
			-c "INSERT INTO load_failures SELECT * FROM failures_in ON CONFLICT (key) DO UPDATE SET reason = excluded.reason" \
			-c "DELETE FROM load_failures f USING images i WHERE f.key = i.key"
	echo "loaded in $(elapsed "$step")"
fi
step=$(now)
"${PSQL[@]}" -f "$DEMO_DIR/indexes.sql"
"${PSQL[@]}" -At -c "SELECT format('the table holds %s images', count(*)) FROM images" \
	-c "SELECT format('(%s refused by img2pgsql: SELECT * FROM load_failures)', count(*))
		FROM load_failures HAVING count(*) > 0"
echo "indexed in $(elapsed "$step")"

# --- 5. the example searches ------------------------------------------------
log "making altered copies of some of $ARTIST's images"
step=$(now)
rm -rf "$WORK_DIR/queries"
mkdir -p "$WORK_DIR/queries"
# candidates: forty images of the artist (others if the set holds too few),
# large enough to resize, and with a proper phash: 32 bits set.  (A line
# drawing in black on transparent black is a flat black picture to a hash
# that ignores alpha, as ImageHash's does: its phash is 0000000000000000.)
"${PSQL[@]}" -At -F $'\t' -c "
	SELECT key, file, title, artist = '$(printf %s "$ARTIST" | sed "s/'/''/g")' AS mine
	FROM clipart
	WHERE least(width, height) >= 100 AND bit_count(phash::bit(64)) = 32
	ORDER BY mine DESC NULLS LAST, key
	LIMIT 40" |
	"$PYTHON" "$DEMO_DIR/make_query_images.py" --out "$WORK_DIR/queries"
echo "done in $(elapsed "$step")"

log "the example searches"
step=$(now)
"${PSQL[@]}" -v artist="$ARTIST" -v radius="$RADIUS" \
	-v query_image="$WORK_DIR/queries/search.jpg" \
	-v mirrored_image="$WORK_DIR/queries/mirrored.png" \
	-v turned_image="$WORK_DIR/queries/turned.jpg" \
	-f "$DEMO_DIR/searches.sql" < "$WORK_DIR/queries/portfolio.csv"
echo
echo "searches done in $(elapsed "$step")"

# --- 6. the results page ----------------------------------------------------
log "writing the results page"
step=$(now)
mkdir -p "$OUT_DIR"
"${PSQL[@]}" -At -v artist="$ARTIST" -v radius="$RADIUS" \
	-v query_image="$WORK_DIR/queries/search.jpg" \
	-f "$DEMO_DIR/results_page.sql" > "$WORK_DIR/results.json"
"$PYTHON" "$DEMO_DIR/results_page.py" --results "$WORK_DIR/results.json" \
	--queries "$WORK_DIR/queries" --out "$OUT_DIR/results.html"
echo "written in $(elapsed "$step")"

cat <<EOF

The results page: $OUT_DIR/results.html
The demo took $(elapsed "$started").  The cluster keeps running:
  open psql on it:  demo/psql.sh          (or: psql -h $DATA_DIR -U postgres $DEMO_DB)
  check the page:   make demo-test
  stop it:          make demo-stop
EOF
