//! The model registry (issue 14): `crisp registry push / list / show / alias / rollback`,
//! `registry:` model paths in predict, validate and inspect, the blessing gate on aliases,
//! concurrent pushes, leftovers of killed pushes, and a store of the schema before the registry.

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{dataset, Dir};

/// Train a decision tree on iris into `out` in `dir`.
fn train(dir: &Dir, out: &str) {
    dir.train(
        dataset("iris.csv"),
        "species",
        &["--model", "decision_tree", "--out", out],
    )
    .ok();
}

/// Bless `artifact` with `crisp validate --bless` on iris.
fn bless(dir: &Dir, artifact: &str) {
    dir.crisp([
        "validate".as_ref(),
        "--model".as_ref(),
        artifact.as_ref(),
        "--data".as_ref(),
        dataset("iris.csv").as_os_str(),
        "--threshold".as_ref(),
        "accuracy>=0.8".as_ref(),
        "--bless".as_ref(),
    ])
    .ok();
}

fn push(dir: &Dir, artifact: &str, name: &str) -> Value {
    let out = dir
        .crisp(["registry", "push", artifact, "--name", name, "--json"])
        .ok();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("push --json is not JSON ({e}):\n{out}"))
}

fn show(dir: &Dir, what: &str) -> Value {
    let out = dir.crisp(["registry", "show", what, "--json"]).ok();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("show --json is not JSON ({e}):\n{out}"))
}

fn fingerprint(dir: &Dir, name: &str) -> String {
    crisp_core::fingerprint(&std::fs::read(dir.path(name)).unwrap())
}

#[test]
fn push_numbers_versions_and_list_and_show_read_them_back() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    let v1 = push(&dir, "m.crisp", "iris");
    bless(&dir, "m.crisp");
    let v2 = push(&dir, "m.crisp", "iris");
    assert_eq!(
        (v1["version"].as_u64(), v2["version"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(v1["blessed"], false);
    assert_eq!(v2["blessed"], true);
    assert_eq!(v2["hash"], fingerprint(&dir, "m.crisp"));
    assert_eq!(v1["run"], 1, "the training run");
    assert_eq!(v2["pushed_by"], crisp_track::who().as_str());
    for (v, file) in [(&v1, "1.crisp"), (&v2, "2.crisp")] {
        let path = dir.path("crisp.db.registry/iris").join(file);
        assert_eq!(v["path"].as_str(), path.canonicalize().unwrap().to_str());
        assert_eq!(
            crisp_core::fingerprint(&std::fs::read(&path).unwrap()),
            v["hash"].as_str().unwrap()
        );
    }

    let list: Value =
        serde_json::from_str(&dir.crisp(["registry", "list", "--json"]).ok()).unwrap();
    assert_eq!(list[0]["name"], "iris");
    assert_eq!(list[0]["versions"], 2);
    assert_eq!(list[0]["latest"], 2);
    let text = dir.crisp(["registry", "list"]).ok();
    assert!(
        text.lines()
            .any(|l| l.starts_with("iris") && l.contains(" 2 ")),
        "{text}"
    );

    let model = show(&dir, "iris");
    assert_eq!(model["versions"].as_array().unwrap().len(), 2);
    assert_eq!(show(&dir, "iris@1")["blessed"], false);
    let text = dir.crisp(["registry", "show", "iris"]).ok();
    assert!(
        text.contains("not blessed run 1") && text.contains("blessed     run 1"),
        "{text}"
    );
    let text = dir.crisp(["registry", "show", "iris@2"]).ok();
    assert!(text.contains("blessed    yes"), "{text}");

    dir.crisp(["registry", "show", "iris@7"])
        .error(&["model 'iris' has no version 7", "1 to 2"]);
    dir.crisp(["registry", "show", "wine"])
        .error(&["no model 'wine'", "registered: iris"]);
    dir.crisp(["registry", "push", "m.crisp", "--name", "../x"])
        .error(&["'../x' is not a valid model name"]);
    dir.create("data.csv", "a,b\n1,2\n");
    dir.crisp(["registry", "push", "data.csv", "--name", "iris"])
        .error(&["data.csv"]);
    assert_eq!(show(&dir, "iris")["versions"].as_array().unwrap().len(), 2);
}

#[test]
fn aliases_need_a_blessing_or_a_recorded_override() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    push(&dir, "m.crisp", "iris");
    dir.crisp(["registry", "alias", "iris@1", "production"])
        .error(&["iris@1 is not blessed", "--force --reason"]);
    assert!(show(&dir, "iris")["aliases"]
        .as_object()
        .unwrap()
        .is_empty());
    // --force alone is a usage error.
    dir.crisp(["registry", "alias", "iris@1", "production", "--force"])
        .code(2);
    dir.crisp([
        "registry",
        "alias",
        "iris@1",
        "production",
        "--force",
        "--reason",
        "hotfix for #12",
    ])
    .ok();
    let model = show(&dir, "iris");
    assert_eq!(model["aliases"]["production"], 1);
    let moved = &model["history"][0];
    assert_eq!(moved["forced"], true);
    assert_eq!(moved["reason"], "hotfix for #12");
    assert_eq!(moved["moved_by"], crisp_track::who().as_str());
    assert!(moved["moved_at"].as_str().unwrap().starts_with("20"));

    bless(&dir, "m.crisp");
    push(&dir, "m.crisp", "iris");
    dir.crisp(["registry", "alias", "iris@2", "production"])
        .ok();
    let model = show(&dir, "iris");
    assert_eq!(model["aliases"]["production"], 2);
    assert_eq!(model["history"][1]["forced"], false);
    dir.crisp(["registry", "alias", "iris@9", "production"])
        .error(&["no version 9"]);
    dir.crisp(["registry", "alias", "iris@production", "staging"])
        .error(&["NAME@VERSION"]);
}

#[test]
fn registry_paths_work_in_predict_validate_and_inspect() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    bless(&dir, "m.crisp");
    push(&dir, "m.crisp", "iris");
    push(&dir, "m.crisp", "iris");
    dir.crisp(["registry", "alias", "iris@1", "production"])
        .ok();
    let iris = dataset("iris.csv");
    let iris = iris.to_str().unwrap();

    let direct = dir
        .crisp(["predict", "--model", "m.crisp", "--data", iris])
        .ok();
    for model in ["registry:iris@production", "registry:iris@2"] {
        let got = dir
            .crisp(["predict", "--model", model, "--data", iris])
            .ok();
        assert_eq!(got, direct, "{model}");
        dir.crisp([
            "validate",
            "--model",
            model,
            "--data",
            iris,
            "--threshold",
            "accuracy>=0.8",
            "--baseline",
            "registry:iris@1",
            "--threshold",
            "accuracy>=baseline-0.01",
        ])
        .ok();
        let header: Value =
            serde_json::from_str(&dir.crisp(["inspect", model, "--json"]).ok()).unwrap();
        assert_eq!(header["target"], "species");
        assert!(header["blessing"]["passed"].as_bool().unwrap());
    }
    // Through CRISP_STORE from another directory.
    let other = Dir::new();
    let store = dir.path("crisp.db");
    other
        .crisp_env(
            ["inspect", "registry:iris@2"],
            &[("CRISP_STORE", store.to_str().unwrap())],
        )
        .ok();

    dir.crisp([
        "predict",
        "--model",
        "registry:iris@staging",
        "--data",
        iris,
    ])
    .error(&["no alias 'staging'", "production -> 1"]);
    dir.crisp(["inspect", "registry:wine@1"])
        .error(&["no model 'wine'", "registered: iris"]);
    dir.crisp(["inspect", "registry:iris@3"])
        .error(&["no version 3", "1 to 2"]);
    dir.crisp([
        "validate",
        "--model",
        "registry:iris@1",
        "--data",
        iris,
        "--threshold",
        "accuracy>=0.8",
        "--bless",
    ])
    .error(&["--bless", "registry push"]);
    other
        .crisp(["inspect", "registry:iris@1"])
        .error(&["no run store at"]);
}

#[test]
fn rollback_moves_an_alias_back_one_step() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    bless(&dir, "m.crisp");
    for _ in 0..3 {
        push(&dir, "m.crisp", "iris");
    }
    dir.crisp(["registry", "alias", "iris@1", "production"])
        .ok();
    dir.crisp(["registry", "rollback", "iris", "production"])
        .error(&["no earlier version to roll back to"]);
    dir.crisp(["registry", "alias", "iris@2", "production"])
        .ok();
    dir.crisp(["registry", "alias", "iris@3", "production"])
        .ok();
    let out = dir
        .crisp(["registry", "rollback", "iris", "production"])
        .ok();
    assert!(out.contains("version 2"), "{out}");
    assert_eq!(show(&dir, "iris")["aliases"]["production"], 2);
    let header: Value = serde_json::from_str(
        &dir.crisp(["registry", "show", "iris@production", "--json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(header["version"], 2);
    dir.crisp(["registry", "rollback", "iris", "production"])
        .ok();
    assert_eq!(show(&dir, "iris")["aliases"]["production"], 1);
    dir.crisp(["registry", "rollback", "iris", "production"])
        .error(&["no earlier version"]);
    dir.crisp(["registry", "rollback", "iris", "staging"])
        .error(&["no alias 'staging'"]);
    let history = show(&dir, "iris")["history"].as_array().unwrap().clone();
    let kinds: Vec<&str> = history
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["move", "move", "move", "rollback", "rollback"]);
}

#[test]
fn eight_concurrent_pushes_get_versions_one_to_eight() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_crisp"))
                .current_dir(dir.path(""))
                .env_remove("RUST_LOG")
                .args(["registry", "push", "m.crisp", "--name", "iris", "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start crisp")
        })
        .collect();
    let mut versions = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.is_empty(), "{stderr}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        versions.push(v["version"].as_u64().unwrap());
    }
    versions.sort_unstable();
    assert_eq!(versions, (1..=8).collect::<Vec<u64>>());
    let rows = show(&dir, "iris")["versions"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 8);
    let mut files: Vec<String> = std::fs::read_dir(dir.path("crisp.db.registry/iris"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut expected: Vec<String> = (1..=8).map(|v| format!("{v}.crisp")).collect();
    expected.sort();
    assert_eq!(files, expected, "no temporary file is left");
    let hash = fingerprint(&dir, "m.crisp");
    for row in &rows {
        assert_eq!(row["hash"], hash.as_str());
    }
}

#[test]
fn leftovers_of_a_killed_push_are_never_read_and_cleaned_up() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    push(&dir, "m.crisp", "iris");
    let model_dir = dir.path("crisp.db.registry/iris");
    // A push killed after its rename and before its commit leaves 2.crisp with no row; one
    // killed before the rename, a temporary file (an old one, here).
    std::fs::write(model_dir.join("2.crisp"), b"half an artifact").unwrap();
    let temp = model_dir.join(".tmp-99999-1");
    std::fs::write(&temp, b"half").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&temp)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let fresh = model_dir.join(".tmp-99999-2");
    std::fs::write(&fresh, b"in flight").unwrap();

    // Nothing reads the file without a row.
    dir.crisp(["inspect", "registry:iris@2"])
        .error(&["no version 2"]);
    assert_eq!(show(&dir, "iris")["versions"].as_array().unwrap().len(), 1);

    let v2 = push(&dir, "m.crisp", "iris");
    assert_eq!(v2["version"], 2);
    assert_eq!(
        crisp_core::fingerprint(&std::fs::read(model_dir.join("2.crisp")).unwrap()),
        fingerprint(&dir, "m.crisp")
    );
    dir.crisp(["inspect", "registry:iris@2"]).ok();
    assert!(!temp.exists(), "a stale temporary file is removed");
    assert!(
        fresh.exists(),
        "a recent one may belong to a push in flight"
    );
}

#[test]
fn a_push_killed_at_its_worst_moments_leaves_nothing_that_is_read() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    push(&dir, "m.crisp", "iris");
    let model_dir = dir.path("crisp.db.registry/iris");
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(&model_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    for point in ["after-copy", "before-commit"] {
        let run = dir.crisp_env(
            ["registry", "push", "m.crisp", "--name", "iris"],
            &[("CRISP_TEST_ABORT_AT", point)],
        );
        assert!(run.killed(), "{point}: the push was not killed");
        // The store has no row of the killed push, so nothing resolves to its file.
        assert_eq!(
            show(&dir, "iris")["versions"].as_array().unwrap().len(),
            1,
            "{point}"
        );
        dir.crisp(["inspect", "registry:iris@2"])
            .error(&["no version 2"]);
        let left = files();
        match point {
            // Its copy, under a temporary name that no version reads.
            "after-copy" => assert!(left.iter().any(|f| f.starts_with(".tmp-")), "{left:?}"),
            // Its file renamed into place, without a row.
            _ => assert!(left.contains(&"2.crisp".to_string()), "{left:?}"),
        }
    }
    // The next push takes version 2 and replaces the file without a row.
    let v2 = push(&dir, "m.crisp", "iris");
    assert_eq!(v2["version"], 2);
    dir.crisp(["inspect", "registry:iris@2"]).ok();
    let versions: Vec<String> = files()
        .into_iter()
        .filter(|f| !f.starts_with(".tmp-"))
        .collect();
    assert_eq!(versions, vec!["1.crisp", "2.crisp"]);
    assert_eq!(
        crisp_core::fingerprint(&std::fs::read(model_dir.join("2.crisp")).unwrap()),
        fingerprint(&dir, "m.crisp")
    );
}

#[test]
fn a_store_of_the_schema_before_the_registry_opens_and_migrates() {
    let dir = Dir::new();
    crisp_track::Store::create_at_schema(dir.path("old.db"), crisp_track::SCHEMA_VERSION - 1)
        .unwrap();
    train(&dir, "m.crisp");
    dir.crisp(["--store", "old.db", "registry", "list"]).ok();
    let out = dir
        .crisp([
            "--store", "old.db", "registry", "push", "m.crisp", "--name", "iris",
        ])
        .ok();
    assert!(out.contains("iris@1"), "{out}");
    let store = crisp_track::Store::open_existing(dir.path("old.db")).unwrap();
    assert_eq!(store.schema_version().unwrap(), crisp_track::SCHEMA_VERSION);
    assert!(dir.path("old.db.registry/iris/1.crisp").is_file());
}

#[test]
fn signatures_verify_and_refuse_modified_files_other_keys_and_missing_signatures() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    bless(&dir, "m.crisp");
    let iris = dataset("iris.csv");
    let iris = iris.to_str().unwrap();
    dir.crisp(["keygen", "--out", "key"]).ok();
    dir.crisp(["keygen", "--out", "other"]).ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path("key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let public = dir.read("key.pub");
    dir.crisp(["keygen", "--out", "key"])
        .error(&["key already exists", "--force"]);
    assert_eq!(dir.read("key.pub"), public, "not overwritten");

    // No signature yet.
    dir.crisp([
        "predict",
        "--model",
        "m.crisp",
        "--data",
        iris,
        "--verify-key",
        "key.pub",
    ])
    .error(&["m.crisp has no signature", "crisp sign"]);
    dir.crisp(["sign", "--key", "key", "m.crisp"]).ok();
    assert!(dir
        .read("m.crisp.sig")
        .starts_with("crisp-ed25519-signature\n"));
    dir.crisp([
        "predict",
        "--model",
        "m.crisp",
        "--data",
        iris,
        "--verify-key",
        "key.pub",
    ])
    .ok();
    dir.crisp([
        "validate",
        "--model",
        "m.crisp",
        "--data",
        iris,
        "--threshold",
        "accuracy>=0.8",
        "--verify-key",
        "key.pub",
    ])
    .ok();
    // The baseline is checked with its own key: signed by key, refused under other.
    let validate_with_baseline = |baseline_key: &str| {
        dir.crisp([
            "validate",
            "--model",
            "m.crisp",
            "--data",
            iris,
            "--threshold",
            "accuracy>=baseline-0.05",
            "--baseline",
            "m.crisp",
            "--baseline-verify-key",
            baseline_key,
        ])
    };
    validate_with_baseline("key.pub").ok();
    validate_with_baseline("other.pub").error(&["m.crisp.sig does not verify with other.pub"]);
    dir.crisp([
        "predict",
        "--model",
        "m.crisp",
        "--data",
        iris,
        "--verify-key",
        "other.pub",
    ])
    .error(&["m.crisp.sig does not verify with other.pub", "another key"]);

    // Through the registry: the signature is pushed with the artifact.
    push(&dir, "m.crisp", "iris");
    assert!(dir.path("crisp.db.registry/iris/1.crisp.sig").is_file());
    dir.crisp([
        "registry",
        "alias",
        "iris@1",
        "production",
        "--verify-key",
        "other.pub",
    ])
    .error(&["does not verify with other.pub"]);
    assert!(show(&dir, "iris")["aliases"]
        .as_object()
        .unwrap()
        .is_empty());
    dir.crisp([
        "registry",
        "alias",
        "iris@1",
        "production",
        "--verify-key",
        "key.pub",
    ])
    .ok();
    dir.crisp([
        "predict",
        "--model",
        "registry:iris@production",
        "--data",
        iris,
        "--verify-key",
        "key.pub",
    ])
    .ok();

    // One modified byte (in the body, past the header) and the signature fails.
    let mut bytes = std::fs::read(dir.path("m.crisp")).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 1;
    std::fs::write(dir.path("m.crisp"), &bytes).unwrap();
    dir.crisp([
        "predict",
        "--model",
        "m.crisp",
        "--data",
        iris,
        "--verify-key",
        "key.pub",
    ])
    .error(&["does not verify with key.pub", "m.crisp was modified"]);
    dir.crisp([
        "validate",
        "--model",
        "m.crisp",
        "--data",
        iris,
        "--threshold",
        "accuracy>=0.8",
        "--verify-key",
        "key.pub",
    ])
    .error(&["m.crisp was modified"]);
    // A registered copy modified in place is refused by alias --verify-key too.
    let copy = dir.path("crisp.db.registry/iris/1.crisp");
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes[at] ^= 1;
    std::fs::write(&copy, &bytes).unwrap();
    dir.crisp([
        "registry",
        "alias",
        "iris@1",
        "staging",
        "--verify-key",
        "key.pub",
    ])
    .error(&["1.crisp.sig does not verify with key.pub"]);
}

#[test]
fn malformed_keys_and_signatures_are_refused_with_a_sentence() {
    let dir = Dir::new();
    train(&dir, "m.crisp");
    let iris = dataset("iris.csv");
    let iris = iris.to_str().unwrap();
    dir.crisp(["keygen", "--out", "key"]).ok();
    dir.crisp(["sign", "--key", "key", "m.crisp"]).ok();
    let predict = |key: &str| {
        dir.crisp([
            "predict",
            "--model",
            "m.crisp",
            "--data",
            iris,
            "--verify-key",
            key,
        ])
    };
    // The secret key where a public key belongs, and the other way round.
    predict("key").error(&["key is not a crisp public key file", "first line"]);
    dir.crisp(["sign", "--key", "key.pub", "m.crisp"])
        .error(&["key.pub is not a crisp secret key file"]);
    dir.create("short.pub", "crisp-ed25519-public-key\nabcd\n");
    predict("short.pub").error(&["short.pub", "64 hex digits"]);
    dir.create(
        "hex.pub",
        format!("crisp-ed25519-public-key\n{}\n", "zz".repeat(32)),
    );
    predict("hex.pub").error(&["hex.pub", "64 hex digits"]);
    dir.create("empty.pub", "");
    predict("empty.pub").error(&["empty.pub", "first line"]);
    predict("missing.pub").error(&["missing.pub: no such file"]);
    dir.create("m.crisp.sig", "crisp-ed25519-signature\n00\n");
    dir.crisp(["keygen", "--out", "key", "--force"]).ok();
    predict("key.pub").error(&["m.crisp.sig", "128 hex digits"]);
    dir.create("notes.txt", "not an artifact");
    dir.crisp(["sign", "--key", "key", "notes.txt"])
        .error(&["notes.txt"]);
    assert!(!dir.path("notes.txt.sig").exists());
}
