#!/usr/bin/env bash
# The cluster test (issue #15): tarjama as a Slurm array job over an object
# store, on this one machine. It starts, in a temporary folder, munged, a
# single-node Slurm (slurmctld + slurmd on localhost, Debian's slurm-wlm)
# and SeaweedFS's S3 gateway on loopback ports (scripts/cluster-tools.sh
# installs them), then
#
#   full:  generates CLUSTER_ARTICLES articles into s3://tarjama/in/, runs
#          `sbatch --array=0-2` of `tarjama run … --shard auto`, SIGKILLs
#          shard 1 mid-run (scancel --signal=KILL), checks that a merge
#          then exits non-zero naming shard 1, requeues it, runs
#          `tarjama merge` as a dependent job, then one `tarjama run` over
#          the same input into s3://tarjama/ref/ and checks that every object
#          outside shards/ is byte-identical; then the Kubernetes manifests'
#          command for each index (tests/k8s_manifest.rs) against the same
#          bucket, compared the same way.
#   smoke: the same Slurm choreography with a job that only writes objects
#          with curl (proves Slurm, munge, S3, kill, requeue, dependency).
#   auto:  full when the tarjama binary has `run --shard` and `merge`,
#          smoke otherwise (the default).
#
# Usage: scripts/cluster-test.sh [--full|--smoke|--auto]
# Environment:
#   TARJAMA           the tarjama binary (default: cargo build --release)
#   CLUSTER_ARTICLES  how many articles (default 600; each shard must still
#                     be running a second after its lease appears)
#   CLUSTER_KILL_DELAY seconds between that and the SIGKILL (default 1)
#   CLUSTER_VENV      the venv holding weed (default /tmp/venv-cluster)
#   CLUSTER_KEEP=1    keep the temporary folder (logs, configs, data)
# Prints PASS/FAIL lines; exits 0 on success, 1 on failure, 2 on bad usage.
# Everything it started is stopped on any exit. Each wait has a timeout.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
repo=$(cd "$(dirname "$0")/.." && pwd)

mode=auto
for arg in "$@"; do
    case $arg in
        --full) mode=full ;;
        --smoke) mode=smoke ;;
        --auto) mode=auto ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "cluster-test: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

articles=${CLUSTER_ARTICLES:-600}
weed=${CLUSTER_VENV:-/tmp/venv-cluster}/bin/weed
bucket=tarjama
model_flags=(--model-dir "$repo/tests/fixtures/marian/tiny-base" --summarizer extractive)

say() { echo "cluster-test: $*" >&2; }
die() { echo "FAIL: $*" >&2; exit 1; }

for tool in slurmctld slurmd sbatch scontrol scancel squeue munged mungekey curl; do
    command -v "$tool" >/dev/null || die "$tool not found (run scripts/cluster-tools.sh)"
done
[ -x "$weed" ] || die "$weed not found (run scripts/cluster-tools.sh)"

# --- the binary and the mode ------------------------------------------------
tarjama=${TARJAMA:-}
if [ "$mode" != smoke ] && [ -z "$tarjama" ]; then
    say "building tarjama (cargo build --release; TARJAMA=path skips this)"
    (cd "$repo" && timeout 1200 cargo build --release --locked --quiet) || die "cargo build --release failed"
    tarjama="${CARGO_TARGET_DIR:-$repo/target}/release/tarjama"
fi
if [ -n "$tarjama" ]; then
    tarjama=$(realpath "$tarjama")
    [ -x "$tarjama" ] || die "TARJAMA=$tarjama is not an executable"
fi
if [ "$mode" = auto ]; then
    # Captured first: grep -q closing the pipe early would fail it (pipefail).
    run_help=$("$tarjama" run --help 2>/dev/null || true)
    if grep -q -- '--shard' <<<"$run_help" && "$tarjama" merge --help >/dev/null 2>&1; then
        mode=full
    else
        mode=smoke
        say "NOTE: $tarjama has no \`run --shard\`/\`merge\` yet: running the smoke test (Slurm, munge, S3, kill, requeue, dependency) without tarjama"
    fi
fi
say "mode: $mode"

# --- temporary folder, cleanup ----------------------------------------------
work=$(mktemp -d /tmp/tarjama-cluster.XXXXXX)
chmod 755 "$work"
mkdir -p "$work"/{log,munge,state,spool,weed,jobs,dl}
chmod 700 "$work/munge"
slurm_pids=() munged_pid= weed_pid=

show_logs() { # the jobs' output whole, the daemons' last lines
    local f n
    for f in "$work"/log/*; do
        [ -f "$f" ] || continue
        case ${f##*/} in slurm*.log | munged.log | weed.log) n=15 ;; *) n=200 ;; esac
        echo "----- ${f#"$work"/} (last $n lines) -----" >&2
        tail -n "$n" "$f" >&2
    done
}

stop_pid() { # PID SECONDS: SIGTERM, then SIGKILL after SECONDS
    local pid=$1 i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < $2 * 5; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? i
    set +e
    trap - EXIT INT TERM
    # Jobs first, while slurmctld answers (under `timeout` the whole process
    # group, daemons included, may already have had the signal).
    if [ ${#slurm_pids[@]} -gt 0 ] && kill -0 "${slurm_pids[-1]}" 2>/dev/null; then
        scancel --quiet --user=root 2>/dev/null
        for ((i = 0; i < 100; i++)); do
            [ -z "$(squeue -h -t RUNNING,COMPLETING 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    for pid in "${slurm_pids[@]}"; do stop_pid "$pid" 10; done
    stop_pid "$weed_pid" 20
    # weed puts its gRPC sockets in /tmp whatever TMPDIR says; ours by port.
    for p in ${port_master_grpc:-} ${port_volume_grpc:-} ${port_filer_grpc:-} ${port_s3_grpc:-}; do
        rm -f /tmp/seaweedfs-{master,volume,filer,s3}-grpc-"$p".sock
    done
    stop_pid "$munged_pid" 5
    if [ "$rc" -ne 0 ]; then
        show_logs
        echo "FAIL: cluster test ($mode); logs above${CLUSTER_KEEP:+, kept in $work}" >&2
    fi
    if [ "${CLUSTER_KEEP:-}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
    local limit=$1 what=$2 start=$SECONDS
    shift 2
    until "$@"; do
        ((SECONDS - start < limit)) || die "timed out after ${limit}s waiting for $what"
        sleep 0.5
    done
}

used_ports=" "
free_port() { # VAR: a loopback port nobody listens on (nor was handed out)
    local p i
    for ((i = 0; i < 500; i++)); do
        p=$((20000 + RANDOM % 25000))
        case $used_ports in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            used_ports+="$p "
            printf -v "$1" %s "$p"
            return
        fi
    done
    die "no free loopback port"
}

# --- munge ------------------------------------------------------------------
mungekey -c -b 1024 -k "$work/munge/munge.key"
munged --foreground --force --socket="$work/munge/munge.sock" --key-file="$work/munge/munge.key" \
    --log-file="$work/log/munged.log" --pid-file="$work/munge/munged.pid" \
    --seed-file="$work/munge/munged.seed" 2>>"$work/log/munged.log" &
munged_pid=$!
wait_for 20 munged test -S "$work/munge/munge.sock"

# --- Slurm ------------------------------------------------------------------
free_port ctld_port
free_port slurmd_port
cpus=$(nproc)
mem=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<EOF
# A single node on localhost for scripts/cluster-test.sh: no cgroups, no
# accounting, everything in $work.
ClusterName=tarjamatest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SwitchType=switch/none
JobRequeue=1
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=30 State=UP
EOF
# cgroup.conf is read only by cgroup plugins; this one says so for a reader.
echo "# No cgroup plugin is configured (proctrack/linuxproc, task/none)." >"$work/cgroup.conf"

# -D: in the foreground, so that $! is the daemon; it logs to its log file.
slurmctld -D -i -f "$SLURM_CONF" 2>/dev/null &
slurm_pids+=($!)
ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
wait_for 30 slurmctld ctld_up
slurmd -D -N localhost -f "$SLURM_CONF" 2>/dev/null &
slurm_pids=($! "${slurm_pids[@]}") # stopped first
node_idle() { [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ]; }
wait_for 30 "the node to be idle" node_idle
say "Slurm $(sinfo --version | awk '{print $2}'): node localhost idle ($cpus CPUs), slurmctld port $ctld_port"

# --- SeaweedFS S3 -----------------------------------------------------------
for p in master volume filer s3 master_grpc volume_grpc filer_grpc s3_grpc; do free_port "port_$p"; done
access_key="tarjama$RANDOM$RANDOM"
secret_key=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
cat >"$work/s3.json" <<EOF
{"identities": [{"name": "tarjama", "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
chmod 600 "$work/s3.json"
# Its unix sockets (-*.localSocket, and the gRPC ones under Go's TMPDIR)
# would otherwise be left in /tmp.
mkdir -p "$work/weed-tmp"
TMPDIR="$work/weed-tmp" "$weed" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$work/weed" \
    -master.port="$port_master" -master.port.grpc="$port_master_grpc" -master.volumeSizeLimitMB=64 \
    -volume.port="$port_volume" -volume.port.grpc="$port_volume_grpc" -volume.max=0 -volume.preStopSeconds=1 \
    -filer -filer.port="$port_filer" -filer.port.grpc="$port_filer_grpc" -filer.localSocket="$work/weed-tmp/filer.sock" \
    -s3 -s3.port="$port_s3" -s3.port.grpc="$port_s3_grpc" -s3.config="$work/s3.json" -s3.localSocket="$work/weed-tmp/s3.sock" \
    -s3.port.iceberg=0 -s3.port.lance=0 >"$work/log/weed.log" 2>&1 &
weed_pid=$!
endpoint="http://127.0.0.1:$port_s3"
# curl signs with SigV4 from a config file, so the keys are never on a
# command line. curl 7.88 signs the query string as written: parameters must
# be sorted and '/' written %2F, or the server answers SignatureDoesNotMatch.
cat >"$work/curl.cfg" <<EOF
aws-sigv4 = "aws:amz:us-east-1:s3"
user = "$access_key:$secret_key"
silent
show-error
fail
EOF
chmod 600 "$work/curl.cfg"
s3() { curl -K "$work/curl.cfg" "$@"; }
bucket_made() { s3 -o /dev/null -X PUT "$endpoint/$bucket" 2>/dev/null; }
wait_for 90 "SeaweedFS's S3 gateway" bucket_made
say "SeaweedFS $("$weed" version 2>/dev/null | awk '{print $3}'): S3 at $endpoint, bucket $bucket"

export AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key AWS_ENDPOINT=$endpoint \
    AWS_REGION=us-east-1 AWS_ALLOW_HTTP=true

urlenc() { # ASCII only
    local s=$1 out= c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in [A-Za-z0-9._~-]) out+=$c ;; *) printf -v c '%%%02X' "'$c"; out+=$c ;; esac
    done
    printf %s "$out"
}

s3_list() { # PREFIX: every key under PREFIX, one a line (ListObjectsV2, paged)
    local prefix=$1 token= page query
    while :; do
        query="list-type=2&prefix=$(urlenc "$prefix")"
        [ -z "$token" ] || query="continuation-token=$(urlenc "$token")&$query"
        page=$(s3 "$endpoint/$bucket?$query") || die "cannot list s3://$bucket/$prefix"
        grep -o '<Key>[^<]*</Key>' <<<"$page" | sed 's/<Key>\(.*\)<\/Key>/\1/; s/&amp;/\&/g' || true
        grep -q '<IsTruncated>true</IsTruncated>' <<<"$page" || break
        token=$(grep -o '<NextContinuationToken>[^<]*' <<<"$page" | sed 's/.*>//')
        [ -n "$token" ] || die "truncated listing without a continuation token"
    done
}

s3_exists() { s3 -o /dev/null -I "$endpoint/$bucket/$1" 2>/dev/null; }

s3_download() { # PREFIX DIR: every object under PREFIX into DIR (parallel)
    local prefix=$1 dir=$2 key cfg="$work/dl.$RANDOM.cfg"
    mkdir -p "$dir"
    s3_list "$prefix" >"$cfg.keys"
    : >"$cfg"
    while IFS= read -r key; do
        printf 'url = "%s/%s/%s"\noutput = "%s/%s"\n' "$endpoint" "$bucket" "$key" "$dir" "${key#"$prefix"}" >>"$cfg"
    done <"$cfg.keys"
    [ -s "$cfg" ] || return 0
    timeout 300 curl -K "$work/curl.cfg" -K "$cfg" --parallel --parallel-max 8 --no-progress-meter --create-dirs ||
        die "cannot download s3://$bucket/$prefix"
}

s3_upload_dir() { # DIR PREFIX: every file of DIR to PREFIX (parallel)
    local dir=$1 prefix=$2 f cfg="$work/ul.cfg"
    : >"$cfg"
    for f in "$dir"/*; do
        printf 'upload-file = "%s"\nurl = "%s/%s/%s%s"\n' "$f" "$endpoint" "$bucket" "$prefix" "${f##*/}" >>"$cfg"
    done
    timeout 300 curl -K "$work/curl.cfg" -K "$cfg" --parallel --parallel-max 8 --no-progress-meter -o /dev/null ||
        die "cannot upload $dir to s3://$bucket/$prefix"
}

same_objects() { # PREFIX_A PREFIX_B: every object outside shards/ byte-identical
    local a=$1 b=$2 da="$work/dl/${1//\//_}" db="$work/dl/${2//\//_}"
    s3_download "$a" "$da"
    s3_download "$b" "$db"
    rm -rf "$da/shards" "$db/shards"
    local na nb
    na=$(find "$da" -type f | wc -l)
    nb=$(find "$db" -type f | wc -l)
    [ "$na" -gt 0 ] || die "s3://$bucket/$a holds nothing outside shards/"
    if ! diff -r -q "$da" "$db" >"$work/log/diff-${a//\//_}-${b//\//_}.txt" 2>&1; then
        head -n 20 "$work/log/diff-${a//\//_}-${b//\//_}.txt" >&2
        die "s3://$bucket/$a and s3://$bucket/$b differ ($na and $nb objects outside shards/)"
    fi
    echo "PASS: s3://$bucket/$a = s3://$bucket/$b, $na objects outside shards/ byte for byte"
}

# --- Slurm helpers ----------------------------------------------------------
job_field() { # JOB FIELD: FIELD=… of `scontrol show job -o`
    scontrol show job -o "$1" 2>/dev/null | grep -o "\b$2=[^ ]*" | head -n 1 | cut -d= -f2-
}
job_state() { job_field "$1" JobState; }
job_ended() { case $(job_state "$1") in COMPLETED | FAILED | CANCELLED | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL | BOOT_FAIL | DEADLINE | PREEMPTED) return 0 ;; *) return 1 ;; esac; }
job_running() { [ "$(job_state "$1")" = RUNNING ]; }

# Kills array task TASK of job ARRAY with SIGKILL mid-run (then runs the
# command WHILE_DEAD, if given), requeues it, and
# re-points the dependent job MERGE at the array's tasks. Slurm 22.05 marks
# an afterok dependency failed ("DependencyNeverSatisfied") within seconds of
# the kill and never re-evaluates it by itself, even once the requeued task
# succeeds; a dependency on the whole array (afterok:ARRAY) stays failed even
# when reset, one on its tasks (afterok:ARRAY_0:ARRAY_1:…) does not.
kill_and_requeue() {
    local array=$1 task=$2 merge=$3 tasks=$4 while_dead=${5:-}
    job_running "${array}_$task" || die "task ${array}_$task is $(job_state "${array}_$task"), not running, when it should be killed: raise CLUSTER_ARTICLES"
    scancel --signal=KILL "${array}_$task"
    wait_for 30 "task ${array}_$task to end after SIGKILL" job_ended "${array}_$task"
    say "task ${array}_$task: $(job_state "${array}_$task") after SIGKILL (exit $(job_field "${array}_$task" ExitCode)); requeueing"
    [ -z "$while_dead" ] || "$while_dead"
    scontrol requeue "${array}_$task"
    # A requeued job becomes eligible only two minutes later (EligibleTime).
    scontrol update JobId="${array}_$task" StartTime=now
    scontrol update JobId="$merge" Dependency="$tasks"
}

check_array() { # ARRAY COUNT KILLED: every task completed with 0, KILLED restarted once
    local array=$1 count=$2 killed=$3 t
    for ((t = 0; t < count; t++)); do
        [ "$(job_state "${array}_$t")" = COMPLETED ] && [ "$(job_field "${array}_$t" ExitCode)" = 0:0 ] ||
            die "task ${array}_$t: $(job_state "${array}_$t"), exit $(job_field "${array}_$t" ExitCode)"
    done
    [ "$(job_field "${array}_$killed" Restarts)" = 1 ] || die "task ${array}_$killed was not restarted once"
}

submit_array_and_merge() { # TASK_SCRIPT MERGE_SCRIPT: sets $array and $merge
    array=$(sbatch --parsable --array=0-2 --requeue --open-mode=append --job-name=shards \
        -o "$work/log/shard-%A_%a.out" "$1") || die "sbatch --array failed"
    tasks="afterok:${array}_0:${array}_1:${array}_2"
    merge=$(sbatch --parsable --dependency="$tasks" --kill-on-invalid-dep=no --job-name=merge \
        -o "$work/log/merge-%j.out" "$2") || die "sbatch of the merge job failed"
    say "submitted array job $array (tasks 0-2) and merge job $merge ($tasks)"
}

wait_merge() {
    wait_for 600 "merge job $merge (after the shards)" job_ended "$merge"
    [ "$(job_state "$merge")" = COMPLETED ] && [ "$(job_field "$merge" ExitCode)" = 0:0 ] ||
        die "merge job $merge: $(job_state "$merge"), exit $(job_field "$merge" ExitCode), reason $(job_field "$merge" Reason)"
}

# Shell-quoted copies for the job scripts, which run under slurmd's
# environment plus the one sbatch exports (AWS_* included).
q() { printf '%q ' "$@"; }

if [ "$mode" = smoke ]; then
    # --- smoke: the choreography with curl instead of tarjama ---------------
    cat >"$work/jobs/task.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
i=\$SLURM_ARRAY_TASK_ID n=\$((SLURM_ARRAY_TASK_COUNT)) min=\$SLURM_ARRAY_TASK_MIN
echo "task \$i (min \$min, count \$n, restart \${SLURM_RESTART_COUNT:-0}) starts" >&2
put() { curl -K $(q "$work/curl.cfg") -T - "$endpoint/$bucket/smoke/\$1"; }
echo "restart=\${SLURM_RESTART_COUNT:-0}" | put "start-\$((i - min))-of-\$n"
sleep 8
echo "part \$((i - min)) of \$n" | put "part-\$((i - min))-of-\$n"
echo "task \$i done" >&2
EOF
    cat >"$work/jobs/merge.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
for i in 0 1 2; do
    curl -K $(q "$work/curl.cfg") -o /dev/null "$endpoint/$bucket/smoke/part-\$i-of-3" ||
        { echo "merge: part \$i of 3 is missing" >&2; exit 1; }
done
echo merged | curl -K $(q "$work/curl.cfg") -T - "$endpoint/$bucket/smoke/merged"
echo "merge done" >&2
EOF
    chmod +x "$work"/jobs/*.sh
    submit_array_and_merge "$work/jobs/task.sh" "$work/jobs/merge.sh"
    wait_for 60 "task 1 to start writing" s3_exists smoke/start-1-of-3
    kill_and_requeue "$array" 1 "$merge" "$tasks"
    wait_merge
    check_array "$array" 3 1
    [ "$(s3 "$endpoint/$bucket/smoke/start-1-of-3")" = restart=1 ] || die "the requeued task did not see SLURM_RESTART_COUNT=1"
    s3_exists smoke/merged || die "the merge job wrote nothing"
    echo "PASS: smoke: sbatch --array=0-2, task 1 SIGKILLed and requeued, merge ran after all three (afterok per task); Slurm $(sinfo --version | awk '{print $2}'), SeaweedFS $("$weed" version 2>/dev/null | awk '{print $3}')"
    exit 0
fi

# --- full: tarjama's shards, merge and a one-machine reference ---------------
gen="$work/articles"
"$repo/scripts/gen-articles.sh" "$gen" "$articles"
s3_upload_dir "$gen" in/
say "uploaded $articles articles to s3://$bucket/in/"

cat >"$work/jobs/shard.sh" <<EOF
#!/usr/bin/env bash
echo "shard task \$SLURM_ARRAY_TASK_ID starts (restart \${SLURM_RESTART_COUNT:-0})" >&2
exec $(q "$tarjama" run "s3://$bucket/in" --out "s3://$bucket/out" --shard auto "${model_flags[@]}" --jobs 1 --no-brief)
EOF
cat >"$work/jobs/merge.sh" <<EOF
#!/usr/bin/env bash
exec $(q "$tarjama" merge "s3://$bucket/out" "${model_flags[@]}")
EOF
chmod +x "$work"/jobs/*.sh
# Once shards 0 and 2 are done, with shard 1 lying killed, a merge must fail
# and say which shard is missing.
others_done() { job_ended "${array}_0" && job_ended "${array}_2"; }
merge_names_shard1() {
    local rc=0
    wait_for 600 "shards 0 and 2" others_done
    timeout 300 "$tarjama" merge "s3://$bucket/out" "${model_flags[@]}" 2>"$work/log/early-merge.log" || rc=$?
    [ "$rc" -ne 0 ] || die "tarjama merge exited 0 with shard 1 of 3 killed (shards 0 and 2 $(job_state "${array}_0"), $(job_state "${array}_2"))"
    grep -Eiq '(shard|part|lease)[^0-9]{0,12}1([^0-9]|$)|1( of |/|-of-)3' "$work/log/early-merge.log" ||
        die "tarjama merge exited $rc with shard 1 of 3 killed but did not name it (log/early-merge.log)"
    echo "PASS: tarjama merge with shard 1 killed exits $rc naming it: $(grep -Ei -m1 'shard|part|lease' "$work/log/early-merge.log")"
}
submit_array_and_merge "$work/jobs/shard.sh" "$work/jobs/merge.sh"
shard1_started() { s3_list out/shards/ | grep -q -- '-1-of-3'; }
wait_for 120 "shard 1 to write to s3://$bucket/out/shards/" shard1_started
sleep "${CLUSTER_KILL_DELAY:-1}"
kill_and_requeue "$array" 1 "$merge" "$tasks" merge_names_shard1
wait_merge
check_array "$array" 3 1
echo "PASS: sbatch --array=0-2 of tarjama run --shard auto, shard 1 SIGKILLed and requeued, merge after all three"

say "one-machine run into s3://$bucket/ref/"
timeout 600 "$tarjama" run "s3://$bucket/in" --out "s3://$bucket/ref" "${model_flags[@]}" 2>"$work/log/reference.log" ||
    die "the one-machine run failed (exit $?)"
same_objects out/ ref/

# The Kubernetes manifests' command, each index in turn (tests/k8s_manifest.rs).
say "deploy/k8s: the Indexed Job's command for indexes 0-2, then the merge Job's"
(cd "$repo" && TARJAMA_BIN="$tarjama" TARJAMA_K8S_ENDPOINT="$endpoint" TARJAMA_K8S_BUCKET="$bucket" \
    TARJAMA_K8S_PREFIX=k8s/ TARJAMA_K8S_MODEL_DIR="$repo/tests/fixtures/marian/tiny-base" \
    timeout 900 cargo test --locked --quiet --test k8s_manifest -- --ignored) >"$work/log/k8s-test.log" 2>&1 ||
    { cat "$work/log/k8s-test.log" >&2; die "tests/k8s_manifest.rs against the bucket"; }
same_objects k8s/out/ ref/
echo "PASS: cluster test (Slurm array + merge, Kubernetes indexed command) byte-identical to one machine"
