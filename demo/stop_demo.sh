#!/usr/bin/env bash
# make demo-stop: stop the demo's private cluster (its data stays in demo/data;
# make demo starts it again; delete demo/data, demo/work and demo/out to start over).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if cluster_running; then
	as_owner "$PG_BINDIR/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
	echo "demo cluster stopped"
else
	echo "demo cluster not running"
fi
