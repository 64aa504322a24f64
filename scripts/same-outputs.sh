#!/usr/bin/env bash
# Do two tarjama binaries give the same outputs? For refactorings that must
# not change anything a user can see.
#
# Usage: scripts/same-outputs.sh OLD_BINARY NEW_BINARY [--tiny | --demo]
#
# Both binaries run the same commands over the seeds, from the repository
# root, in the same scratch folder and under the same file name (records
# and messages name paths, so anything else would differ for no reason):
# every subcommand's --help, the error lines and exit codes of bad command
# lines, `models list`, the two tiny committed checkpoints through run,
# rerun, verify, translate, translate --json and brief, a folder of bad
# inputs, q8 weights with two beams, no summarizer; with --tiny also the
# tiny profile (Gemma 3 270M) over the seeds, and with --demo the tiny and
# the demo profile (Qwen2.5-Coder-1.5B); both need
# scripts/fetch-demo-model.sh and take minutes.
#
# Every file written (.json, .md, .html, .jsonl) and every captured stdout
# and exit code must be byte-identical; stderr must be identical once the
# measured parts of the final line (seconds, rates, peak memory) are masked.
# Prints each difference and ends with a count; exits 1 if any differ.
#
# Environment: TARJAMA_SAME_DIR, the scratch folder (default
# /tmp/tarjama-same-outputs; emptied first).

set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 OLD_BINARY NEW_BINARY [--tiny | --demo]" >&2; exit 2; }
old_bin=$(realpath "$1")
new_bin=$(realpath "$2")
models=${3:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${TARJAMA_SAME_DIR:-/tmp/tarjama-same-outputs}

rm -rf "$work"
mkdir -p "$work"

# One snapshot: everything a user can see from these commands, under $work/snap.
snapshot() {
    local bin=$work/bin/tarjama snap=$work/snap
    mkdir -p "$work/bin" "$snap"
    cp "$1" "$bin"
    cd "$repo"
    local n=0
    # step NAME ARGS...: runs the binary, keeps stdout, stderr and the exit code.
    step() {
        local name=$1
        shift
        n=$((n + 1))
        local base
        base=$snap/$(printf '%02d' "$n")-$name
        set +e
        HF_HUB_OFFLINE=1 HF_HOME="$work/no-hf-home" "$bin" "$@" >"$base.stdout" 2>"$base.stderr"
        echo $? >"$base.rc"
        set -e
    }
    step help --help
    for c in run translate verify brief models bench bench-llm; do step "help-$c" "$c" --help; done
    step models-list models list
    step no-args
    step bad-flag run --no-such-flag
    step missing-file translate "$work/no-such-file.txt"
    step bad-profile run --profile no-such-profile --out "$snap/o-bad"
    step bad-model-dir run --model-dir "$work/no-such-model" --out "$snap/o-bad"
    step bad-summarizer run --summarizer no-such-model --out "$snap/o-bad"
    step verify-missing verify "$work/no-such-folder"

    local tiny
    for tiny in tiny-base tiny-big; do
        local dir=tests/fixtures/marian/$tiny out=$snap/out-$tiny
        step "$tiny-run" run seeds --model-dir "$dir" --out "$out"
        step "$tiny-rerun" run seeds --model-dir "$dir" --out "$out"
        step "$tiny-verify" verify "$out"
        step "$tiny-translate" translate seeds/003_96083f8a8e168996.txt --model-dir "$dir"
        step "$tiny-translate-json" translate seeds/001_d0c9e97734a90cd3.txt --model-dir "$dir" --json
        step "$tiny-brief" brief "$out"
        step "$tiny-stdin" translate - --model-dir "$dir" <seeds/002_a4337a132dd5787c.txt
    done

    local bad=$work/bad-inputs
    if [[ ! -d $bad ]]; then
        mkdir -p "$bad"
        cp seeds/000_fe7b7ba883e9e990.txt "$bad/good.txt"
        : >"$bad/empty.txt"
        printf '\xff\xfe\x00bad bytes\x80\n' >"$bad/not-utf8.txt"
        printf '   \n\n\t\n' >"$bad/blank.txt"
        printf 'An English paragraph, left as it is.\n' >"$bad/english.txt"
    fi
    step bad-inputs run "$bad" --model-dir tests/fixtures/marian/tiny-base --out "$snap/out-bad"
    step q8-beams2 run seeds --model-dir tests/fixtures/marian/tiny-base --precision q8 --beams 2 --out "$snap/out-q8"
    step no-summarizer run seeds --model-dir tests/fixtures/marian/tiny-base --summarizer none --out "$snap/out-none"
    if [[ $models == --tiny || $models == --demo ]]; then
        step tiny run seeds --profile tiny --out "$snap/out-tiny"
    fi
    if [[ $models == --demo ]]; then
        step demo run seeds --profile demo --out "$snap/out-demo"
    fi
}

# Masks what a run measures rather than computes.
mask_measurements() {
    sed -E 's/ in [0-9.]+ s;/ in T s;/; s/\([0-9.]+\/s\)/(R\/s)/g; s/peak memory [0-9.]+ [KMG]iB/peak memory M/; s/pid [0-9]+/pid P/g' "$1"
}

snapshot "$old_bin"
mv "$work/snap" "$work/old"
snapshot "$new_bin"
mv "$work/snap" "$work/new"

compared=0 differ=0
while IFS= read -r rel; do
    compared=$((compared + 1))
    a=$work/old/$rel b=$work/new/$rel
    if [[ ! -e $b ]]; then
        echo "only in OLD: $rel"
        differ=$((differ + 1))
    elif [[ $rel == *.stderr ]]; then
        if ! cmp -s <(mask_measurements "$a") <(mask_measurements "$b"); then
            echo "differs (stderr, measurements masked): $rel"
            diff <(mask_measurements "$a") <(mask_measurements "$b") | head -10 || true
            differ=$((differ + 1))
        fi
    elif ! cmp -s "$a" "$b"; then
        echo "differs: $rel"
        cmp "$a" "$b" || true
        differ=$((differ + 1))
    fi
done < <(cd "$work/old" && find . -type f ! -name '.tarjama.lock' | sort)
while IFS= read -r rel; do
    [[ -e $work/old/$rel ]] || { echo "only in NEW: $rel"; differ=$((differ + 1)); }
done < <(cd "$work/new" && find . -type f ! -name '.tarjama.lock' | sort)

echo "$compared files compared (stdout, stderr, exit codes and every output file), $differ differ"
[[ $differ -eq 0 ]]
