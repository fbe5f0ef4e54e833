#!/usr/bin/env bash
# demo/psql.sh: open psql on the demo cluster's database (started by make demo).
# Arguments go to psql: demo/psql.sh -c "SELECT count(*) FROM images"
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cluster_running || die "the demo cluster is not running: start it with make demo"
exec "$PG_BINDIR/psql" -h "$DATA_DIR" -p "$DEMO_PORT" -U postgres -d "$DEMO_DB" "$@"
