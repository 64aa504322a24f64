#!/usr/bin/env bash
# One command for the whole benchmark: venv, checkpoints, release build, measurements.
#
#   bench/run.sh                       # every cell, 5 rounds, the three language models at 128/512/2048
#   bench/run.sh --quick               # the regression guard: one round of the cells that decide (a few minutes)
#   bench/run.sh --rounds 3 --engines ct2-float32,ct2-int8      # arguments go to run.py
#
# Environment:
#   BENCH_VENV   Python venv to create/use (default /tmp/venv-bench)
#   BENCH_LLAMA  1 (default) to install llama-cpp-python too (compiles llama.cpp, ~7.5 min once)
#   BENCH_LLAMA_CMAKE  llama.cpp's CMake flags (default: AVX-512 with VNNI/VBMI/BF16 named
#                explicitly, AMX off; -DGGML_NATIVE=ON died with "Illegal instruction" on one
#                of our machines)
#   BENCH_BUILD  1 (default) to run `cargo build --release` in the repo root first
#
# Steps: create the venv and install bench/requirements.txt (+ requirements-llama.txt, built
# with BENCH_LLAMA_CMAKE), write bench/work with bench/setup.py (skipped when present), build
# tarjama, fetch the demo GGUF (scripts/fetch-demo-model.sh), then run bench/run.py.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${BENCH_VENV:-/tmp/venv-bench}"
PY="$VENV/bin/python"
cd "$ROOT"

log() { echo "run.sh: $*" >&2; }

if [[ ! -x "$PY" ]]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
fi
if ! "$PY" -c "import ctranslate2, transformers, torch, sentencepiece, safetensors" 2>/dev/null; then
    log "installing bench/requirements.txt (torch from PyPI, ~1-5 min)"
    "$VENV/bin/pip" install --disable-pip-version-check -q -r bench/requirements.txt
fi
if [[ "${BENCH_LLAMA:-1}" == 1 ]] && ! "$PY" -c "import llama_cpp" 2>/dev/null; then
    flags="${BENCH_LLAMA_CMAKE:--DGGML_NATIVE=OFF -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_BF16=ON -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF}"
    log "installing llama-cpp-python (compiles llama.cpp with $flags, ~7.5 min)"
    CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="$flags -DLLAVA_BUILD=OFF -DLLAMA_CURL=OFF" \
        "$VENV/bin/pip" install --disable-pip-version-check -q --no-cache-dir -r bench/requirements-llama.txt
fi

log "checkpoints and inputs (bench/setup.py; skips what exists)"
"$PY" bench/setup.py --out bench/work

if [[ "${BENCH_BUILD:-1}" == 1 ]]; then
    log "cargo build --release"
    cargo build --release
fi

llm_args=()
if [[ "${BENCH_LLAMA:-1}" == 1 ]]; then
    # One path per line: Gemma 3 270M, Qwen2.5-Coder-1.5B-Instruct, SmolLM2-135M-Instruct.
    mapfile -t models < <(scripts/fetch-demo-model.sh)
    llm_args=(--llm)
    for model in "${models[@]}"; do
        llm_args+=(--llm-model "$model")
    done
fi

if [[ "${1:-}" == --quick ]]; then
    # Batch 64 of both shapes, greedy and beam 4, f32 and int8 against CTranslate2's float32 and
    # int8; each language model at a 128-token prompt.
    shift
    set -- --rounds 1 --batches 64 --engines tarjama-f32,tarjama-int8,ct2-float32,ct2-int8 --prompt-tokens 128 "$@"
elif [[ $# -eq 0 ]]; then
    set -- --rounds 5 --prompt-tokens 128,512,2048
fi
exec "$PY" bench/run.py --tarjama "$ROOT/target/release/tarjama" "${llm_args[@]}" "$@"
