#!/usr/bin/env bash
# make demo-test: check that the demo's results page shows every picture.
#
# Renders demo/out/results.html (or the page given as argument) in headless
# Chromium (Debian's chromium, installed when missing as root) and reads
# back the DOM: the page's own script writes, once the page has loaded,
# how many of its <img> elements decoded (naturalWidth > 0) into
# #image-check, with data-status="ok" when all did.  Exits non-zero when
# the page is missing, shows no picture, or any picture failed to load.
# SCREENSHOT=FILE also saves a screenshot of the page there.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
PAGE=$(realpath "${1:-$OUT_DIR/results.html}")
[ -f "$PAGE" ] || die "no results page at $PAGE: run make demo first"
PROFILE=$(mktemp -d /tmp/imgsearch-chromium.XXXXXX)     # a fresh profile, and logs
trap 'rm -rf "$PROFILE"' EXIT

if ! command -v chromium >/dev/null 2>&1; then
	[ "$(id -u)" -eq 0 ] || die "chromium is missing; install it with: sudo apt-get install -y chromium"
	echo "installing chromium"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -q && apt-get install -y -q chromium; } >"$PROFILE/apt.log" 2>&1 ||
		{ tail -20 "$PROFILE/apt.log" >&2; die "apt-get install chromium failed"; }
fi

CHROMIUM=(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage
	--disable-background-networking --disable-component-update --disable-sync
	--no-first-run --user-data-dir="$PROFILE" --virtual-time-budget=10000)

dom=$(timeout 120 "${CHROMIUM[@]}" --dump-dom "file://${PAGE// /%20}" 2>"$PROFILE/stderr.log") || {
	tail -20 "$PROFILE/stderr.log" >&2
	die "chromium failed to render $PAGE"
}
if [ -n "${SCREENSHOT:-}" ]; then
	timeout 120 "${CHROMIUM[@]}" --hide-scrollbars --window-size=1280,4000 \
		--screenshot="$(realpath "$SCREENSHOT")" "file://${PAGE// /%20}" 2>>"$PROFILE/stderr.log" >/dev/null ||
		die "chromium failed to take a screenshot"
	echo "screenshot: $SCREENSHOT"
fi

check=$(grep -o '<p id="image-check"[^>]*>[^<]*' <<<"$dom" || true)
echo "results page: $PAGE"
echo "image check: ${check#*>}"
grep -q 'data-status="ok"' <<<"$check" || die "not every image of the results page loaded"
echo "ok"
