#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (not part of CI: it needs a
# nightly toolchain and cargo-fuzz, and minutes per target).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    default: 60 s, all
#
# Needs `cargo +nightly` and `cargo install cargo-fuzz`. The corpora grow in
# fuzz/corpus/<target>/ (git-ignored), seeded on first use from committed
# inputs; a crash is saved under fuzz/artifacts/<target>/ and makes this
# script fail. Turn every crash into a regression test before fixing it.
# JOBS (default 1) runs that many fuzzing processes per target; RSS_LIMIT_MB
# (default 2048) is the memory that counts as a crash: the readers must turn
# absurd lengths into errors, not allocations.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(decode segment sentencepiece gguf)
fi
jobs=${JOBS:-1}
rss_limit=${RSS_LIMIT_MB:-2048}

seed() {
    local target=$1
    local dir=fuzz/corpus/$target
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir")" ] && return 0
    case $target in
    decode | segment)
        cp seeds/*.txt "$dir"/
        ;;
    sentencepiece)
        for m in tests/fixtures/marian/*/; do
            cp "$m/source.spm" "$dir/$(basename "$m")-source.spm"
            cp "$m/target.spm" "$dir/$(basename "$m")-target.spm"
        done
        ;;
    gguf)
        cp fuzz/seeds/gguf/*.gguf tests/fixtures/gguf/*.gguf "$dir"/
        ;;
    esac
}

failed=()
for target in "${targets[@]}"; do
    seed "$target"
    extra=()
    [ -f "fuzz/$target.dict" ] && extra+=(-dict="$target.dict")
    # -jobs=N writes each process's output to fuzz-N.log; one job runs in
    # the foreground instead.
    [ "$jobs" -gt 1 ] && extra+=(-jobs="$jobs" -workers="$jobs")
    echo "== $target: ${seconds}s"
    if ! (cd fuzz && cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb="$rss_limit" -malloc_limit_mb="$rss_limit" \
        -timeout=10 -print_final_stats=1 "${extra[@]}"); then
        failed+=("$target")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]} (see fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: no crashes in ${targets[*]} (${seconds}s each)"
