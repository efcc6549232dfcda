#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30), from the committed seeds (fuzz/seeds/<target>) plus the
# corpus grown by earlier runs (fuzz/corpus/<target>, not committed). Needs the nightly toolchain and cargo-fuzz.
# A crash stops the run with the failing input under fuzz/artifacts/<target>/ (see docs/RELIABILITY.md).
# Usage: fuzz/run.sh [SECONDS] [TARGETS...]; FUZZ_TARGET_DIR moves the build (default fuzz/target), FUZZ_BUILD
# adds cargo-fuzz build options (CI: `--dev -s none`, a debug build without AddressSanitizer, quicker to compile).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(api_reply spot_responses market_frame dex_frame user_data_push sign_payload pem_keys)
fi
target_dir="${FUZZ_TARGET_DIR:-fuzz/target}"
mkdir -p "$target_dir"
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    log="$target_dir/fuzz-$t.log"
    echo "== fuzz $t for ${seconds}s (full output: $log)"
    set +e
    # shellcheck disable=SC2086 # FUZZ_BUILD is a list of options
    cargo +nightly fuzz run ${FUZZ_BUILD:-} --target-dir "$target_dir" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- -max_total_time="$seconds" -print_final_stats=1 \
        >"$log" 2>&1
    status=$?
    set -e
    # libFuzzer's summary lines (executions, coverage, corpus) and any failure report.
    grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::new_units_added|SUMMARY|thread '|Failing input|==[0-9]+==|Test unit written|error)" "$log" || true
    if [ "$status" -ne 0 ]; then
        echo "FUZZ FAILURE in $t (exit $status): the input is in fuzz/artifacts/$t/, the report in $log"
        exit 1
    fi
done
