use crate::util::Dir;

const DATA: &str = "x,y,kind,label\n1,2.5,p,a\n2,3.5,q,b\n3,1.0,p,a\n4,0.5,q,b\n5,2.0,p,a\n6,1.5,q,b\n7,2.2,p,a\n8,3.1,q,b\n";

fn trained(dir: &Dir) -> Vec<u8> {
    dir.create("d.csv", DATA);
    dir.train(
        "d.csv",
        "label",
        &[
            "--out",
            "m.crisp",
            "--seed",
            "9",
            "--test-fraction",
            "0.25",
            "--model",
            "linfa_decision_tree",
        ],
    )
    .ok();
    std::fs::read(dir.path("m.crisp")).unwrap()
}

#[test]
fn inspect_shows_what_the_artifact_holds() {
    let dir = Dir::new();
    trained(&dir);
    let out = dir.crisp(["inspect", "m.crisp"]).ok();
    let version = format!("format version  {}", crisp_artifact::FORMAT_VERSION);
    for expected in [
        version.as_str(),
        "task            classification",
        "target          label",
        "classes         a, b",
        "model           linfa_decision_tree",
        "seed            9",
        "training data   d.csv (8 rows, xxh3-128 ",
        "  x                        integer",
        "  kind                     text",
        "one_hot",
        "kind: [p, q]",
        "standard_scale",
        "accuracy",
        "blessing        not validated",
    ] {
        assert!(out.contains(expected), "inspect lacks {expected:?}:\n{out}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&dir.crisp(["inspect", "m.crisp", "--json"]).ok()).unwrap();
    assert_eq!(json["format_version"], crisp_artifact::FORMAT_VERSION);
    assert_eq!(json["target"], "label");
    assert_eq!(json["data"]["fingerprint"].as_str().unwrap().len(), 32);
}

#[test]
fn the_data_fingerprint_follows_the_bytes() {
    let dir = Dir::new();
    trained(&dir);
    let a: serde_json::Value =
        serde_json::from_str(&dir.crisp(["inspect", "m.crisp", "--json"]).ok()).unwrap();
    dir.create("d.csv", DATA.replace("3.1", "3.2"));
    dir.train(
        "d.csv",
        "label",
        &["--out", "m2.crisp", "--test-fraction", "0.25"],
    )
    .ok();
    let b: serde_json::Value =
        serde_json::from_str(&dir.crisp(["inspect", "m2.crisp", "--json"]).ok()).unwrap();
    assert_ne!(a["data"]["fingerprint"], b["data"]["fingerprint"]);
}

#[test]
fn corrupted_truncated_and_foreign_files_are_refused() {
    let dir = Dir::new();
    let bytes = trained(&dir);
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    dir.create("flipped.crisp", &flipped);
    dir.crisp(["inspect", "flipped.crisp"])
        .error(&["flipped.crisp: checksum mismatch: the file is corrupted"]);
    dir.create("new.csv", "x,y,kind\n1,2,p\n");
    dir.crisp(["predict", "--model", "flipped.crisp", "--data", "new.csv"])
        .error(&["checksum mismatch"]);

    dir.create("short.crisp", &bytes[..bytes.len() - 20]);
    dir.crisp(["predict", "--model", "short.crisp", "--data", "new.csv"])
        .error(&["short.crisp: truncated or corrupted"]);

    // A hostile length prefix must not allocate: it claims 2^62 bytes.
    let mut hostile = bytes[..12].to_vec();
    hostile.extend_from_slice(&(1u64 << 62).to_le_bytes());
    hostile.extend_from_slice(&[0; 64]);
    dir.create("hostile.crisp", &hostile);
    dir.crisp(["inspect", "hostile.crisp"])
        .error(&["the header claims"]);

    dir.create("foreign.crisp", "x,y\n1,2\n");
    dir.crisp(["inspect", "foreign.crisp"])
        .error(&["foreign.crisp: not a crisp artifact"]);
    dir.crisp(["inspect", "absent.crisp"])
        .error(&["absent.crisp: no such file"]);
}

#[test]
fn an_artifact_from_a_newer_format_is_refused() {
    let dir = Dir::new();
    let mut bytes = trained(&dir);
    let future = crisp_artifact::FORMAT_VERSION + 1;
    bytes[8..12].copy_from_slice(&future.to_le_bytes());
    dir.create("future.crisp", &bytes);
    dir.create("new.csv", "x,y,kind\n1,2,p\n");
    dir.crisp(["predict", "--model", "future.crisp", "--data", "new.csv"])
        .error(&[
            &format!("future.crisp: written in artifact format {future}"),
            &format!(
                "reads formats up to {}; upgrade crisp",
                crisp_artifact::FORMAT_VERSION
            ),
        ]);
}

#[test]
fn writes_leave_no_temporary_files_and_fail_cleanly() {
    let dir = Dir::new();
    trained(&dir);
    let names: Vec<String> = std::fs::read_dir(dir.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    dir.train(
        "d.csv",
        "label",
        &["--out", "no/such/dir/m.crisp", "--test-fraction", "0.25"],
    )
    .error(&["cannot write no/such/dir/m.crisp"]);
}

#[test]
fn predictions_keep_input_order_and_columns_on_request() {
    let dir = Dir::new();
    trained(&dir);
    dir.create("new.csv", "label,kind,y,x\n?,q,3.5,2\n?,p,2.5,1\n?,r,,9\n");
    dir.crisp([
        "predict",
        "--model",
        "m.crisp",
        "--data",
        "new.csv",
        "--keep-columns",
        "--out",
        "p.csv",
    ])
    .ok();
    let out = dir.read("p.csv");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "label,kind,y,x,prediction");
    assert_eq!(lines.len(), 4);
    assert!(lines[1].starts_with("?,q,3.5,2,"));
    assert!(
        lines[3].starts_with("?,r,,9,"),
        "unseen category and a missing value still predict: {out}"
    );
}
