#!/usr/bin/env bash
# make test: every test of imgsearch, from a fresh Debian 12 machine.
#
#  1. installs the Debian packages the build and the tests need, if missing
#     (as root; otherwise says which to install);
#  2. builds and installs the extension (make && make install);
#  3. runs the pg_regress suite on a temporary cluster (--temp-instance);
#  4. runs the TAP tests in test/t (PostgreSQL::Test::Cluster);
#  5. checks the caption index's posting codec against a Python reading
#     of its format (test/tools/postings_reference.py, the codec built with
#     AddressSanitizer), then runs the fuzz smoke tests
#     (test/fuzz/run_fuzz.sh: the image core for a minute, URL
#     normalisation for 20 s);
#  6. runs the demo on a subset (make demo LIMIT=300) and checks its results
#     page in headless Chromium (make demo-test), then stops the demo
#     cluster (its data stays in demo/data, reused by the next make demo);
#
# and exits non-zero if anything failed.  PostgreSQL refuses to run its
# servers as root, so when run as root the test suites run as the
# "postgres" system user (created by Debian's postgresql-15 package) on a
# copy of the test files in a temporary folder.  No system service is used
# or touched: every server is private, on a Unix socket in a temp folder.
#
# Environment: FUZZ_SECONDS (default 60), URL_FUZZ_SECONDS (20), KEEP_TEST_DIR=1 to keep the work
# folder, IMGSEARCH_SHARED_FIXTURES (default ../shared/fixtures/imagehash).
set -uo pipefail

cd "$(dirname "$0")/.."
SRC_DIR=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
URL_FUZZ_SECONDS=${URL_FUZZ_SECONDS:-20}
SHARED_FIXTURES=${IMGSEARCH_SHARED_FIXTURES:-$SRC_DIR/../shared/fixtures/imagehash}

PACKAGES=(make gcc pkg-config postgresql-15 postgresql-server-dev-15
          libjpeg62-turbo-dev libpng-dev libpq-dev libarchive-dev
          libjansson-dev libssl-dev libipc-run-perl
          clang libclang-rt-14-dev
          libidn2-dev libpsl-dev publicsuffix)

log() { printf '\n==> %s\n' "$*"; }

missing=()
for pkg in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "make test: missing Debian packages: ${missing[*]}" >&2
		echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Debian's postgresql-15 would create and start a system cluster: the
	# tests start their own, so ask postgresql-common not to (first install only)
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		mkdir -p /etc/postgresql-common/createcluster.d
		echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/imgsearch-tests.conf
	fi
	apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null || {
		echo "make test: apt-get install failed" >&2; exit 1; }
fi

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
[ -x "$PG_CONFIG" ] || PG_CONFIG=pg_config
BINDIR=$("$PG_CONFIG" --bindir)
PGXS_DIR=$(dirname "$("$PG_CONFIG" --pgxs)")/../..

log "building and installing"
make -s PG_CONFIG="$PG_CONFIG" || exit 1
if ! make -s PG_CONFIG="$PG_CONFIG" install; then
	echo "make test: 'make install' failed (run make test as root, or install first with sudo make install)" >&2
	exit 1
fi

# Run the test suites as an unprivileged user when we are root
WORK=$(mktemp -d /tmp/imgsearch-test.XXXXXX)
cp -r sql expected test "$WORK"/
if [ -d "$SHARED_FIXTURES" ]; then
	mkdir -p "$WORK/shared-fixtures"
	cp "$SHARED_FIXTURES"/* "$WORK/shared-fixtures"/
	SHARED_FOR_TESTS="$WORK/shared-fixtures"
else
	SHARED_FOR_TESTS="$WORK/no-shared-fixtures"
fi
if [ "$(id -u)" -eq 0 ]; then
	chown -R postgres: "$WORK"
	as_tester() { runuser -u postgres -- "$@"; }
else
	as_tester() { "$@"; }
fi
cleanup() {
	if [ "${KEEP_TEST_DIR:-0}" = 1 ]; then echo "test files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

passed=0
failed=0
failures=()
record() {
	if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$2"); fi
}

log "regression tests (pg_regress on a temporary cluster)"
REGRESS=$(make -s --no-print-directory PG_CONFIG="$PG_CONFIG" print-regress)
(cd "$WORK" && as_tester "$PGXS_DIR/src/test/regress/pg_regress" \
	--temp-instance="$WORK/tmp_check" --bindir="$BINDIR" \
	--inputdir="$WORK" --outputdir="$WORK" \
	--dbname=contrib_regression $REGRESS)
status=$?
if [ $status -ne 0 ] && [ -f "$WORK/regression.diffs" ]; then
	head -200 "$WORK/regression.diffs"
fi
record $status "regression tests"

log "TAP tests (test/t)"
(cd "$WORK" && as_tester env PATH="$BINDIR:$PATH" TESTDIR="$WORK" \
	PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
	IMGSEARCH_SHARED_FIXTURES="$SHARED_FOR_TESTS" \
	IMGSEARCH_SRC_DIR="$WORK" \
	prove -I "$PGXS_DIR/src/test/perl" test/t/*.pl)
status=$?
if [ $status -ne 0 ]; then
	for f in "$WORK"/tmp_check/log/regress_log_*; do
		[ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }
	done
fi
record $status "TAP tests"

log "caption index posting codec against its reference (test/tools/postings_reference.py)"
make -s test/tools/postings_cli && /usr/bin/python3 test/tools/postings_reference.py test/tools/postings_cli
record $? "posting codec"

log "fuzz smoke test (${FUZZ_SECONDS}s)"
bash test/fuzz/run_fuzz.sh "$FUZZ_SECONDS"
record $? "fuzz smoke test"
log "URL fuzz smoke test (${URL_FUZZ_SECONDS}s)"
bash test/fuzz/run_fuzz.sh "$URL_FUZZ_SECONDS" url
record $? "URL fuzz smoke test"

log "demo on a subset (make demo LIMIT=300) and its results page (make demo-test)"
make -s demo LIMIT=300 >"$WORK/demo.log" 2>&1 && make -s demo-test
status=$?
[ $status -eq 0 ] || tail -40 "$WORK/demo.log"
make -s demo-stop >/dev/null 2>&1
record $status "demo"

echo
if [ $failed -ne 0 ]; then
	echo "make test: failed: ${failures[*]}"
fi
echo "summary: $passed passed, $failed failed"
[ $failed -eq 0 ]
