#!/bin/bash
#
# run_fuzz.sh [SECONDS] [TARGET]
#
# Build the libFuzzer harnesses (make fuzz), replay a target's seed corpus
# and every crash ever found, then fuzz for SECONDS (default 60) from a
# temporary copy of both, so the committed corpus never grows.  Exit
# non-zero on any crash, leak, timeout or out-of-memory, with the tail of
# libFuzzer's log; print a one-line summary either way.  Works from any
# directory, offline.  TARGET is
#   imghash (default)  the image hashing core: fuzz_imghash, corpus/,
#                      crashes/, imghash.dict
#   url                URL normalisation: fuzz_url, url_corpus/, url_crashes/

set -u

SECONDS_TO_FUZZ=${1:-60}
TARGET=${2:-imghash}
case $SECONDS_TO_FUZZ in
	'' | *[!0-9]*)
		echo "usage: $0 [SECONDS] [imghash|url]" >&2
		exit 2
		;;
esac

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$FUZZ_DIR/../.." && pwd)
case $TARGET in
	imghash)
		CORPUS_DIR=$FUZZ_DIR/corpus
		CRASH_DIR=$FUZZ_DIR/crashes
		DICT_ARGS=("-dict=$FUZZ_DIR/imghash.dict")
		MAX_LEN=65536
		;;
	url)
		CORPUS_DIR=$FUZZ_DIR/url_corpus
		CRASH_DIR=$FUZZ_DIR/url_crashes
		DICT_ARGS=()
		MAX_LEN=4096
		;;
	*)
		echo "usage: $0 [SECONDS] [imghash|url]" >&2
		exit 2
		;;
esac
NAME=fuzz_$TARGET
BIN=$FUZZ_DIR/$NAME
WORK=$(mktemp -d "${TMPDIR:-/tmp}/${NAME}.XXXXXX")
KEEP_WORK=0

cleanup()
{
	if [ "$KEEP_WORK" = 0 ]; then
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# Print the end of a log and fail; keep the work directory for the artifacts
fail()
{
	local what=$1 log=$2

	KEEP_WORK=1
	echo "---- last lines of $log" >&2
	tail -n 30 "$log" >&2
	echo "----" >&2
	if ls "$WORK"/artifacts/* > /dev/null 2>&1; then
		echo "reproducer(s): $(ls "$WORK"/artifacts/*)" >&2
		echo "minimise with: $BIN -minimize_crash=1 -runs=10000 FILE," \
			"then add it to $CRASH_DIR/ (see README.md)" >&2
	fi
	echo "$NAME: FAILED: $what (log and artifacts in $WORK)"
	exit 1
}

mkdir -p "$WORK/artifacts" "$WORK/corpus" "$CRASH_DIR"

# libFuzzer options: memory and time per input bounded, artifacts kept
# out of the tree (LeakSanitizer is on by default: -detect_leaks=1)
LIMITS=(-rss_limit_mb=2048 -timeout=10 "-artifact_prefix=$WORK/artifacts/")
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# 1. build
if ! make -C "$ROOT" fuzz > "$WORK/build.log" 2>&1; then
	fail "make fuzz" "$WORK/build.log"
fi

# 2. replay the seeds and the regression cases, each input once.  They run
# as corpus directories with -runs=0, not as named files: libFuzzer enforces
# -timeout only in that mode.  Each runs in well under a second, so a
# tighter timeout applies here (checked every timeout/2 + 1 seconds, so it
# catches units over about twice that).  No -max_len, so nothing is cut.
REPLAY=(-rss_limit_mb=2048 -timeout=5 "-artifact_prefix=$WORK/artifacts/")
crash_files=()
while IFS= read -r -d '' f; do
	crash_files+=("$f")
done < <(find "$CRASH_DIR" -type f ! -name '.*' ! -name '*.md' -print0 | sort -z)
n_seeds=$(find "$CORPUS_DIR" -type f | wc -l)
n_crashes=${#crash_files[@]}
if ! "$BIN" "${REPLAY[@]}" -runs=0 "$CORPUS_DIR" \
	> "$WORK/replay.log" 2>&1; then
	fail "a seed of $CORPUS_DIR fails" "$WORK/replay.log"
fi
# one directory per regression case, to name every one that fails
failed=()
for f in "${crash_files[@]}"; do
	name=$(basename "$f")
	mkdir -p "$WORK/regress/$name"
	cp "$f" "$WORK/regress/$name/"
	if ! "$BIN" "${REPLAY[@]}" -runs=0 "$WORK/regress/$name" \
		> "$WORK/regress/$name.log" 2>&1; then
		failed+=("$name")
		echo "regression case fails again: $name:" \
			"$(grep -m 1 -E '^SUMMARY|ERROR: libFuzzer' "$WORK/regress/$name.log")" >&2
	fi
done
if [ "${#failed[@]}" -gt 0 ]; then
	fail "${#failed[@]} of $n_crashes regression cases in $CRASH_DIR fail again" \
		"$WORK/regress/${failed[0]}.log"
fi
seed_cov=$(grep -o 'INITED cov: [0-9]* ft: [0-9]*' "$WORK/replay.log" | tail -n 1)

# 3. fuzz from a throw-away copy of seeds and regression cases
cp "$CORPUS_DIR"/* "$WORK/corpus/"
if [ "$n_crashes" -gt 0 ]; then
	cp "${crash_files[@]}" "$WORK/corpus/"
fi
if [ "$SECONDS_TO_FUZZ" -gt 0 ]; then
	if ! "$BIN" "${LIMITS[@]}" -max_len="$MAX_LEN" "${DICT_ARGS[@]}" \
		-max_total_time="$SECONDS_TO_FUZZ" -print_final_stats=1 \
		"$WORK/corpus" > "$WORK/fuzz.log" 2>&1; then
		fail "fuzzing found a crash, leak, timeout or OOM" "$WORK/fuzz.log"
	fi
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$WORK/fuzz.log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/fuzz.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/fuzz.log")
	cov=$(echo "$done_line" | grep -o 'cov: [0-9]* ft: [0-9]* corp: [^ ]*')
	echo "$NAME: OK: replayed $n_seeds seeds ($seed_cov) and" \
		"$n_crashes regression cases; fuzzed ${SECONDS_TO_FUZZ}s," \
		"${execs:-?} execs (${rate:-?}/s), $cov"
else
	echo "$NAME: OK: replayed $n_seeds seeds ($seed_cov) and" \
		"$n_crashes regression cases"
fi
