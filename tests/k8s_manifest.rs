//! The Kubernetes manifests in deploy/k8s/: they parse, the Indexed Job and
//! its `--shard-count` agree, every `$(VAR)` their commands use comes from
//! the ConfigMap or the Secret, and the shard and merge Jobs pass the same
//! model flags. `indexed_job_runs_locally` then runs the containers'
//! command lines here, one process per completion index, against a real
//! S3 endpoint: scripts/cluster-test.sh runs it (with `--ignored`) against
//! its SeaweedFS and compares what they wrote with a one-machine run.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn k8s_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/k8s")
}

fn manifest(name: &str) -> Value {
    let path = k8s_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer}"))
}

fn u64_at(value: &Value, pointer: &str) -> u64 {
    value
        .pointer(pointer)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("no number at {pointer}"))
}

/// The one container of a Job's pod template.
fn container(job: &Value) -> &Value {
    let containers = job
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .expect("containers");
    assert_eq!(containers.len(), 1, "one container per pod");
    &containers[0]
}

/// `command` followed by `args`, as the container runs them.
fn command_line(job: &Value) -> Vec<String> {
    let container = container(job);
    ["command", "args"]
        .iter()
        .flat_map(|key| container[key].as_array().cloned().unwrap_or_default())
        .map(|word| {
            word.as_str()
                .expect("command words are strings")
                .to_string()
        })
        .collect()
}

/// The key/value pairs of a ConfigMap's `data` or a Secret's `stringData`.
fn pairs(object: &Value, field: &str) -> BTreeMap<String, String> {
    object[field]
        .as_object()
        .unwrap_or_else(|| panic!("no {field}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string values").to_string()))
        .collect()
}

/// Kubernetes' expansion of a command word: `$(NAME)` becomes NAME's value
/// when NAME is defined and stays as it is otherwise; `$$` is a `$`.
fn expand(word: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$$") {
            out.push('$');
            rest = after;
        } else if let Some(name) = tail.strip_prefix("$(").and_then(|t| t.split_once(')')) {
            match env.get(name.0) {
                Some(value) => out.push_str(value),
                None => out.push_str(&tail[..name.0.len() + 3]),
            }
            rest = name.1;
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out + rest
}

/// The names `$(NAME)` in a command line.
fn references(line: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    for word in line {
        let mut rest = word.as_str();
        while let Some(at) = rest.find("$(") {
            let (name, after) = rest[at + 2..].split_once(')').expect("closed $(…)");
            names.push(name.to_string());
            rest = after;
        }
    }
    names
}

/// The flags after `--model-dir`: the model flags both Jobs must share.
fn model_flags(line: &[String]) -> Vec<String> {
    let start = line
        .iter()
        .position(|w| w == "--model-dir")
        .expect("--model-dir");
    line[start..]
        .iter()
        .filter(|w| *w != "--no-brief")
        .cloned()
        .collect()
}

/// The names of the ConfigMap and the Secret a container takes its
/// environment from.
fn env_from(job: &Value) -> (String, String) {
    let sources = container(job)["envFrom"].as_array().expect("envFrom");
    let name = |kind: &str| {
        sources
            .iter()
            .find_map(|s| s.pointer(&format!("/{kind}/name")).and_then(Value::as_str))
            .unwrap_or_else(|| panic!("no {kind}"))
            .to_string()
    };
    (name("configMapRef"), name("secretRef"))
}

#[test]
fn manifests_parse_and_agree() {
    let job = manifest("job.yaml");
    let merge = manifest("merge-job.yaml");
    let config = manifest("configmap.yaml");
    let secret = manifest("secret.example.yaml");

    for (doc, kind) in [
        (&job, "Job"),
        (&merge, "Job"),
        (&config, "ConfigMap"),
        (&secret, "Secret"),
    ] {
        assert_eq!(str_at(doc, "/kind"), kind);
    }
    assert_eq!(str_at(&job, "/apiVersion"), "batch/v1");
    assert_eq!(str_at(&job, "/spec/completionMode"), "Indexed");
    let completions = u64_at(&job, "/spec/completions");
    assert_eq!(u64_at(&job, "/spec/parallelism"), completions);
    // Per-index retries in a new pod (podFailurePolicy reads exit codes).
    assert_eq!(str_at(&job, "/spec/template/spec/restartPolicy"), "Never");
    assert!(u64_at(&job, "/spec/backoffLimitPerIndex") >= 1);

    let line = command_line(&job);
    let flag = |name: &str| {
        let at = line
            .iter()
            .position(|w| w == name)
            .unwrap_or_else(|| panic!("no {name} in {line:?}"));
        line[at + 1].clone()
    };
    assert_eq!(line[..2], ["tarjama", "run"]);
    assert_eq!(flag("--shard"), "auto");
    assert_eq!(
        flag("--shard-count"),
        completions.to_string(),
        "--shard-count = completions"
    );
    assert_eq!(flag("--out"), "$(TARJAMA_OUTPUT)");

    let merge_line = command_line(&merge);
    assert_eq!(merge_line[..3], ["tarjama", "merge", "$(TARJAMA_OUTPUT)"]);
    assert_eq!(
        model_flags(&merge_line),
        model_flags(&line),
        "same model flags"
    );
    assert_eq!(str_at(&merge, "/spec/template/spec/restartPolicy"), "Never");

    let config_name = str_at(&config, "/metadata/name");
    let secret_name = str_at(&secret, "/metadata/name");
    for doc in [&job, &merge] {
        assert_eq!(
            env_from(doc),
            (config_name.to_string(), secret_name.to_string())
        );
        assert_eq!(
            container(doc)["image"],
            container(&job)["image"],
            "one image"
        );
    }
    let data = pairs(&config, "data");
    let secrets = pairs(&secret, "stringData");
    for name in references(&line).into_iter().chain(references(&merge_line)) {
        assert!(
            data.contains_key(&name),
            "$({name}) is not in the ConfigMap"
        );
    }
    for key in [
        "AWS_ENDPOINT",
        "AWS_REGION",
        "TARJAMA_INPUT",
        "TARJAMA_OUTPUT",
    ] {
        assert!(data.contains_key(key), "ConfigMap lacks {key}");
    }
    for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        assert!(
            secrets[key].starts_with("REPLACE-"),
            "the example Secret holds a placeholder for {key}"
        );
        assert!(!data.contains_key(key), "{key} belongs in the Secret");
    }
}

#[test]
fn expansion_follows_kubernetes() {
    let env = BTreeMap::from([("A".to_string(), "x".to_string())]);
    assert_eq!(expand("$(A)/$(B)/$$(A)/$", &env), "x/$(B)/$(A)/$");
}

/// `s3://BUCKET/KEY` with BUCKET replaced and `prefix` put before KEY.
fn rebase(url: &str, bucket: &str, prefix: &str) -> String {
    let path = url.strip_prefix("s3://").expect("an s3:// URL");
    let key = path.split_once('/').map_or("", |(_, key)| key);
    format!("s3://{bucket}/{prefix}{key}")
}

fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: this test runs from scripts/cluster-test.sh, which starts SeaweedFS")
    })
}

#[test]
#[ignore = "needs an S3 endpoint: scripts/cluster-test.sh runs it against SeaweedFS (TARJAMA_K8S_ENDPOINT)"]
fn indexed_job_runs_locally() {
    let endpoint = required("TARJAMA_K8S_ENDPOINT");
    let bucket = required("TARJAMA_K8S_BUCKET");
    let prefix = std::env::var("TARJAMA_K8S_PREFIX").unwrap_or_else(|_| "k8s/".into());
    let binary =
        std::env::var("TARJAMA_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_tarjama").into());
    let model_dir = std::env::var("TARJAMA_K8S_MODEL_DIR").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/marian/tiny-base")
            .display()
            .to_string()
    });

    // The pod's environment: the ConfigMap's data and the Secret's, with the
    // endpoint, the keys, the bucket and the model replaced by this
    // machine's. Nothing else of the test's environment reaches the command.
    let mut env = pairs(&manifest("configmap.yaml"), "data");
    env.extend(pairs(&manifest("secret.example.yaml"), "stringData"));
    env.insert("AWS_ENDPOINT".into(), endpoint);
    env.insert("AWS_ACCESS_KEY_ID".into(), required("AWS_ACCESS_KEY_ID"));
    env.insert(
        "AWS_SECRET_ACCESS_KEY".into(),
        required("AWS_SECRET_ACCESS_KEY"),
    );
    env.insert(
        "TARJAMA_INPUT".into(),
        rebase(&env["TARJAMA_INPUT"], &bucket, ""),
    );
    env.insert(
        "TARJAMA_OUTPUT".into(),
        rebase(&env["TARJAMA_OUTPUT"], &bucket, &prefix),
    );
    env.insert("TARJAMA_MODEL_DIR".into(), model_dir);

    let command = |job: &Value, index: Option<u64>| {
        let line: Vec<String> = command_line(job).iter().map(|w| expand(w, &env)).collect();
        assert_eq!(line[0], "tarjama");
        let mut command = Command::new(&binary);
        command
            .args(&line[1..])
            .env_clear()
            .envs(&env)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HF_HUB_OFFLINE", "1")
            .stdin(Stdio::null());
        if let Some(index) = index {
            command.env("JOB_COMPLETION_INDEX", index.to_string());
        }
        command
    };

    // One process per index, all at once, as parallelism = completions.
    let job = manifest("job.yaml");
    let pods: Vec<_> = (0..u64_at(&job, "/spec/completions"))
        .map(|index| {
            let pod = command(&job, Some(index))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the command starts");
            (index, pod)
        })
        .collect();
    for (index, pod) in pods {
        let output = pod.wait_with_output().expect("the command ends");
        assert!(
            output.status.success(),
            "index {index}: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = command(&manifest("merge-job.yaml"), None)
        .output()
        .expect("merge starts");
    assert!(
        output.status.success(),
        "merge: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}
