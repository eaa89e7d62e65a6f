//! `crisp serve` (issue 16): the real binary on a loopback port, driven by a small HTTP/1.1
//! client over std's TcpStream. Predictions over HTTP equal `crisp predict` on the same rows;
//! bad requests get their own 4xx with the column and row; reloads under load drop nothing; a
//! corrupt artifact leaves the old model serving; SIGTERM lets requests in flight finish.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use polars::prelude::{AnyValue, DataFrame};
use serde_json::{json, Value};

use crate::util::{sample, Dir};

/// A `crisp serve` process; killed when dropped if still running.
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// `crisp serve --addr 127.0.0.1:0` plus `args`, in `dir`; waits for the address line.
    fn start(dir: &Dir, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crisp"))
            .current_dir(dir.path("."))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start crisp serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (found, address) = std::sync::mpsc::channel();
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let log = Arc::clone(&stderr);
        // Read stderr to its end (request logs go there: a full pipe would block the server).
        std::thread::spawn(move || {
            let mut line = String::new();
            while lines.read_line(&mut line).is_ok_and(|n| n > 0) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap().parse().unwrap();
                    let _ = found.send(addr);
                }
                log.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let addr = match address.recv_timeout(Duration::from_secs(120)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("crisp serve did not start:\n{}", stderr.lock().unwrap());
            }
        };
        Server {
            child,
            addr,
            stderr,
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// One request on a new connection.
    fn request(&self, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(t) = content_type {
            head.push_str(&format!("Content-Type: {t}\r\n"));
        }
        head.push_str("\r\n");
        // The server may answer (413) before reading a large body, so write errors are ignored:
        // the answer is what is checked.
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
        read_reply(&mut stream)
    }

    fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None, b"")
    }

    fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.request(
            "POST",
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on the pid of a child this test started and has not waited for.
        let r = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(r, 0, "kill");
    }

    /// Wait for the process to end (at most 60 s).
    fn wait(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "crisp serve did not stop:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// Assert the status and that the body is a JSON error of `kind`; return the error object.
    fn error(&self, status: u16, kind: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type, "application/json", "{}", self.body);
        let error = self.json()["error"].clone();
        assert_eq!(error["kind"], kind, "{}", self.body);
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        error
    }
}

fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 65536];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buffer[..n]),
            // A server that answered before reading the whole body may reset the connection
            // after its answer.
            Err(_) if !raw.is_empty() => break,
            Err(e) => panic!("read the answer: {e}"),
        }
    }
    let text = String::from_utf8(raw).expect("UTF-8 answer");
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {head}"));
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default();
    Reply {
        status,
        content_type,
        body: body.to_string(),
    }
}

/// A gbdt trained on every 4th row of adult, written to `out` in `dir`.
fn train_adult(dir: &Dir, out: &str, more: &[&str]) {
    let data = sample(dir, "adult.csv", "adult_train.csv", 4, false);
    let mut args = vec!["--model", "gbdt", "--test-fraction", "0.2", "--out", out];
    args.extend_from_slice(more);
    dir.train(data, "income", &args).ok();
}

/// The rows of a frame as JSON records (numbers, text, booleans, null), as a client sends them.
fn records(frame: &DataFrame) -> Vec<Value> {
    (0..frame.height())
        .map(|i| {
            let mut row = serde_json::Map::new();
            for column in frame.columns() {
                let value = match column.get(i).unwrap() {
                    AnyValue::Null => Value::Null,
                    AnyValue::Boolean(b) => json!(b),
                    AnyValue::String(s) => json!(s),
                    AnyValue::StringOwned(s) => json!(s.as_str()),
                    AnyValue::Float64(x) if x.is_nan() => Value::Null,
                    AnyValue::Float64(x) => json!(x),
                    AnyValue::Int64(x) => json!(x),
                    other => panic!("no JSON for {other:?}"),
                };
                row.insert(column.name().to_string(), value);
            }
            Value::Object(row)
        })
        .collect()
}

/// `crisp predict --proba` on `data`: per row, the prediction and the probability of each class.
///
/// The CSV's numbers are parsed by serde_json, as the server's answers are: serde_json's
/// default float parsing can be off by one unit in the last place, so both sides of the
/// comparison go through the same parser, and equal text gives equal numbers.
fn crisp_predict(dir: &Dir, model: &str, data: &str) -> Predicted {
    dir.crisp([
        "predict",
        "--model",
        model,
        "--data",
        data,
        "--proba",
        "--out",
        "predicted.csv",
    ])
    .ok();
    let text = dir.read("predicted.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "prediction");
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let p = header[1..]
                .iter()
                .zip(&fields[1..])
                .map(|(name, value)| {
                    let class = name.strip_prefix("proba_").unwrap().to_string();
                    (class, serde_json::from_str::<f64>(value).unwrap())
                })
                .collect();
            (fields[0].to_string(), p)
        })
        .collect()
}

type Predicted = Vec<(String, Vec<(String, f64)>)>;

/// Assert that two lists of predictions are equal, showing the first row that differs.
fn assert_same(got: &Predicted, want: &Predicted) {
    assert_eq!(got.len(), want.len(), "rows");
    if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
        panic!(
            "row {i}: got {:?}, crisp predict gave {:?}",
            got[i], want[i]
        );
    }
}

/// An answer of `/predict?proba=true` in the form of [`crisp_predict`].
fn answered(reply: &Reply) -> Vec<(String, Vec<(String, f64)>)> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    let labels = body["predictions"].as_array().unwrap();
    let proba = body["probabilities"].as_array().unwrap();
    assert_eq!(labels.len(), proba.len());
    labels
        .iter()
        .zip(proba)
        .map(|(l, p)| {
            let p = p
                .as_object()
                .unwrap()
                .iter()
                .map(|(c, v)| (c.clone(), v.as_f64().unwrap()))
                .collect();
            (l.as_str().unwrap().to_string(), p)
        })
        .collect()
}

#[test]
fn predictions_over_http_equal_crisp_predict_for_json_csv_and_concurrent_single_rows() {
    let dir = Dir::new();
    train_adult(&dir, "adult.crisp", &[]);
    sample(&dir, "adult_test.csv", "rows.csv", 40, false);
    let expected = crisp_predict(&dir, "adult.crisp", "rows.csv");
    assert!(expected.len() > 300, "{} rows", expected.len());
    let frame = dir.frame("rows.csv");
    let rows = records(&frame);
    let server = Server::start(&dir, &["--model", "adult.crisp"]);

    // All rows in one JSON request, and the same rows as CSV.
    let reply = server.post_json("/predict?proba=true", &json!({ "rows": rows }));
    assert_same(&answered(&reply), &expected);
    let csv = dir.read("rows.csv");
    let reply = server.request(
        "POST",
        "/predict?proba=true",
        Some("text/csv"),
        csv.as_bytes(),
    );
    assert_same(&answered(&reply), &expected);
    // Without proba: the labels only.
    let reply = server.post_json("/predict", &json!({ "rows": rows[..3] }));
    let body = reply.json();
    assert!(body.get("probabilities").is_none(), "{body}");
    let labels: Vec<&str> = expected[..3].iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(body["predictions"], json!(labels));

    // One row per request from 8 threads at once (the server batches them): each answer is
    // that row's prediction.
    let server = &server;
    std::thread::scope(|s| {
        for t in 0..8 {
            let (rows, expected) = (&rows, &expected);
            s.spawn(move || {
                for i in (t..rows.len()).step_by(8) {
                    let reply =
                        server.post_json("/predict?proba=true", &json!({ "rows": [rows[i]] }));
                    assert_same(&answered(&reply), &expected[i..=i].to_vec());
                }
            });
        }
    });
    let metrics = server.get("/metrics").body;
    let total = 2 * rows.len() + 3 + rows.len();
    assert!(
        metrics.contains(&format!("crisp_rows_predicted_total {total}\n")),
        "{metrics}"
    );
    // One log line per request, with its latency and rows (stderr is read by another thread,
    // so the last lines may take a moment).
    let request_lines = |log: &str| {
        log.lines()
            .filter(|l| l.contains("crisp_serve::request"))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while request_lines(&server.stderr()) < 3 + rows.len() + 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = server.stderr();
    assert_eq!(request_lines(&log), 3 + rows.len() + 1, "{log}");
    assert!(log.contains(&format!("rows={}", rows.len())), "{log}");
    assert!(log.contains("latency_us="), "{log}");
}

#[test]
fn bad_requests_get_their_own_4xx_naming_the_column_and_row() {
    let dir = Dir::new();
    dir.create(
        "strict.toml",
        "[[features.steps]]\nkind = \"ordinal\"\ncolumns = [\"workclass\", \"race\"]\nhandle_unknown = \"error\"\n\n\
         [[features.steps]]\nkind = \"ordinal\"\ncolumns = [\"education\", \"marital-status\", \"occupation\", \"relationship\", \"sex\", \"native-country\"]\n",
    );
    train_adult(&dir, "adult.crisp", &["--config", "strict.toml"]);
    let server = Server::start(
        &dir,
        &[
            "--model",
            "adult.crisp",
            "--max-body-bytes",
            "20000",
            "--max-rows",
            "5",
        ],
    );
    let good = json!({"age": 39, "workclass": "State-gov", "fnlwgt": 77516, "education": "Bachelors",
        "education-num": 13, "marital-status": "Never-married", "occupation": "Adm-clerical",
        "relationship": "Not-in-family", "race": "White", "sex": "Male", "capital-gain": 2174,
        "capital-loss": 0, "hours-per-week": 40, "native-country": "United-States"});
    let with = |column: &str, value: Value| {
        let mut row = good.clone();
        row[column] = value;
        row
    };
    let predict = |rows: Vec<Value>| server.post_json("/predict", &json!({ "rows": rows }));

    assert_eq!(predict(vec![good.clone()]).status, 200);
    // A wrong type on the second row: the schema check's sentence, with the column, row and value.
    let e = predict(vec![good.clone(), with("age", json!("old"))]).error(422, "invalid_input");
    assert_eq!(
        (&e["column"], &e["row"], &e["value"]),
        (&json!("age"), &json!(2), &json!("old"))
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("was integer in training but data row 2 holds 'old'"),
        "{e}"
    );
    // A missing column.
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("occupation");
    let e = predict(vec![good.clone(), good.clone(), missing]).error(422, "invalid_input");
    assert_eq!((&e["column"], &e["row"]), (&json!("occupation"), &json!(3)));
    // An unseen category, with handle_unknown = "error".
    let e = predict(vec![with("race", json!("Martian"))]).error(422, "invalid_input");
    assert_eq!(
        (&e["column"], &e["row"], &e["value"]),
        (&json!("race"), &json!(1), &json!("Martian"))
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("not seen in training"),
        "{e}"
    );
    // The same in a CSV body.
    let csv = "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country\n\
               39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,United-States\n\
               39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,Martian,Male,2174,0,40,United-States\n";
    let e = server
        .request("POST", "/predict", Some("text/csv"), csv.as_bytes())
        .error(422, "invalid_input");
    assert_eq!((&e["column"], &e["row"]), (&json!("race"), &json!(2)));
    let e = server
        .request(
            "POST",
            "/predict",
            Some("text/csv"),
            b"age,workclass\n1,2,3\n",
        )
        .error(400, "malformed_csv");
    assert!(
        e["message"].as_str().unwrap().starts_with("request body: "),
        "{e}"
    );

    // The body itself.
    let e = server
        .request(
            "POST",
            "/predict",
            Some("application/json"),
            b"{\"rows\": [",
        )
        .error(400, "malformed_json");
    assert!(
        e["message"].as_str().unwrap().contains("not valid JSON"),
        "{e}"
    );
    server
        .request(
            "POST",
            "/predict",
            Some("application/json"),
            b"{\"instances\": []}",
        )
        .error(400, "malformed_json");
    server
        .request("POST", "/predict", Some("application/json"), b"")
        .error(400, "empty_body");
    server
        .request("POST", "/predict", Some("text/plain"), b"{}")
        .error(415, "unsupported_media_type");
    server
        .request("POST", "/predict", None, b"{}")
        .error(415, "unsupported_media_type");
    let big = json!({ "rows": vec![good.clone(); 5], "padding": "x".repeat(30_000) });
    let e = server
        .post_json("/predict", &big)
        .error(413, "body_too_large");
    assert!(
        e["message"].as_str().unwrap().contains("limit of 20000"),
        "{e}"
    );
    server
        .post_json("/predict", &json!({ "rows": vec![good.clone(); 6] }))
        .error(413, "too_many_rows");
    server
        .post_json("/predict?probability=1", &json!({ "rows": [good] }))
        .error(400, "bad_query");
    server.get("/predict").error(405, "method_not_allowed");
    server.get("/nowhere").error(404, "not_found");

    // Still serving, and every error counted by kind.
    assert_eq!(
        predict(vec![good.clone(); 5]).json()["predictions"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let metrics = server.get("/metrics").body;
    for (kind, n) in [
        ("invalid_input", 4),
        ("malformed_json", 2),
        ("unsupported_media_type", 2),
        ("empty_body", 1),
    ] {
        assert!(
            metrics.contains(&format!("crisp_errors_total{{kind=\"{kind}\"}} {n}\n")),
            "{kind}: {metrics}"
        );
    }
    assert!(
        metrics.contains("crisp_requests_total{endpoint=\"/predict\",status=\"422\"} 4\n"),
        "{metrics}"
    );
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

#[test]
fn health_and_metadata_describe_the_model_and_json_logs_are_json() {
    let dir = Dir::new();
    train_adult(&dir, "adult.crisp", &[]);
    let hash = crisp_core::fingerprint(&std::fs::read(dir.path("adult.crisp")).unwrap());
    let server = Server::start(&dir, &["--model", "adult.crisp", "--log-format", "json"]);
    let health = server.get("/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["artifact_hash"], json!(hash));
    let meta = server.get("/metadata").json();
    assert_eq!(meta["model"]["artifact_hash"], json!(hash));
    assert_eq!(meta["task"], json!("classification"));
    assert_eq!(meta["target"], json!("income"));
    assert_eq!(meta["classes"], json!(["<=50K", ">50K"]));
    let inputs: Vec<&str> = meta["input_schema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(inputs.len(), 14, "{inputs:?}");
    assert!(!inputs.contains(&"income"));
    assert_eq!(
        meta["input_schema"][0],
        json!({"name": "age", "type": "integer"})
    );
    assert!(
        meta["metrics"]["accuracy"].as_f64().unwrap() > 0.8,
        "{meta}"
    );
    assert!(meta["evaluated_rows"].as_u64().unwrap() > 1000, "{meta}");
    assert_eq!(meta["gate"], Value::Null, "not blessed");
    server.get("/nowhere");
    // The request line is logged as the response goes out, and read from the pipe by another
    // thread: on a loaded machine it can come after the reply.
    let started = std::time::Instant::now();
    let mut log = server.stderr();
    while !log.contains("/nowhere") && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
        log = server.stderr();
    }
    let line = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .find(|l| l["fields"]["path"] == "/nowhere")
        .unwrap_or_else(|| panic!("no JSON request line:\n{log}"));
    assert_eq!(line["fields"]["status"], json!(404));
    assert!(line["fields"]["latency_us"].as_u64().is_some(), "{line}");
    assert_eq!(line["target"], json!("crisp_serve::request"));
}

/// Replace `to` by `from` atomically, as crisp writes artifacts.
fn swap_in(dir: &Dir, from: &str, to: &str) {
    let temp = dir.path("swap.tmp");
    std::fs::copy(dir.path(from), &temp).unwrap();
    std::fs::rename(&temp, dir.path(to)).unwrap();
}

#[test]
fn reloading_while_requests_are_in_flight_fails_none_of_them() {
    let dir = Dir::new();
    train_adult(&dir, "a.crisp", &["--seed", "1", "--param", "n_rounds=20"]);
    train_adult(&dir, "b.crisp", &["--seed", "2", "--param", "n_rounds=40"]);
    sample(&dir, "adult_test.csv", "rows.csv", 200, false);
    let expected_b = crisp_predict(&dir, "b.crisp", "rows.csv");
    let rows = records(&dir.frame("rows.csv"));
    std::fs::copy(dir.path("a.crisp"), dir.path("served.crisp")).unwrap();
    let server = Server::start(&dir, &["--model", "served.crisp", "--poll-interval", "0"]);
    let hash = |name: &str| crisp_core::fingerprint(&std::fs::read(dir.path(name)).unwrap());
    let stop = AtomicBool::new(false);
    let count = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..4 {
            let (server, rows, stop, count) = (&server, &rows, &stop, &count);
            s.spawn(move || {
                let mut i = t;
                while !stop.load(Ordering::Relaxed) {
                    let reply =
                        server.post_json("/predict", &json!({ "rows": [rows[i % rows.len()]] }));
                    assert_eq!(reply.status, 200, "{}", reply.body);
                    count.fetch_add(1, Ordering::Relaxed);
                    i += 4;
                }
            });
        }
        // Swap models back and forth under the requests, by POST /admin/reload and by SIGHUP.
        for round in 0..7 {
            let next = if round % 2 == 0 { "b.crisp" } else { "a.crisp" };
            swap_in(&dir, next, "served.crisp");
            if round % 3 == 2 {
                server.signal(libc::SIGHUP);
                let deadline = Instant::now() + Duration::from_secs(30);
                while server.get("/health").json()["artifact_hash"] != json!(hash(next)) {
                    assert!(Instant::now() < deadline, "SIGHUP did not reload");
                    std::thread::sleep(Duration::from_millis(20));
                }
            } else {
                let reply = server.post_json("/admin/reload", &json!({}));
                assert_eq!(reply.status, 200, "{}", reply.body);
                assert_eq!(reply.json()["artifact_hash"], json!(hash(next)));
            }
            std::thread::sleep(Duration::from_millis(150));
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert!(
        count.load(Ordering::Relaxed) > 50,
        "too few requests to tell"
    );
    // The last swap (the seventh) put b back: its predictions are served.
    assert_eq!(
        server.get("/health").json()["artifact_hash"],
        json!(hash("b.crisp"))
    );
    let reply = server.post_json("/predict?proba=true", &json!({ "rows": rows }));
    assert_same(&answered(&reply), &expected_b);
    let metrics = server.get("/metrics").body;
    assert!(
        metrics.contains("crisp_model_reloads_total{result=\"ok\"} 7\n"),
        "{metrics}"
    );
}

#[test]
fn a_corrupt_artifact_is_refused_and_the_old_model_keeps_serving() {
    let dir = Dir::new();
    train_adult(&dir, "adult.crisp", &[]);
    sample(&dir, "adult_test.csv", "rows.csv", 200, false);
    let expected = crisp_predict(&dir, "adult.crisp", "rows.csv");
    let rows = records(&dir.frame("rows.csv"));
    let server = Server::start(&dir, &["--model", "adult.crisp"]);
    let mut bytes = std::fs::read(dir.path("adult.crisp")).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    dir.create("corrupt.crisp", &bytes);
    swap_in(&dir, "corrupt.crisp", "adult.crisp");
    let e = server
        .post_json("/admin/reload", &json!({}))
        .error(422, "reload_failed");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("adult.crisp"), "{message}");
    assert!(message.contains("checksum"), "{message}");
    assert!(
        message.ends_with("the previous model keeps serving"),
        "{message}"
    );
    let reply = server.post_json("/predict?proba=true", &json!({ "rows": rows }));
    assert_same(&answered(&reply), &expected);
    // A file that is not an artifact at all, by SIGHUP: logged, and still serving.
    dir.create("adult.crisp", "age,income\n1,2\n");
    server.signal(libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server
        .get("/metrics")
        .body
        .contains("crisp_model_reloads_total{result=\"failed\"} 2\n")
    {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        server.stderr().contains("could not reload the model"),
        "{}",
        server.stderr()
    );
    let reply = server.post_json("/predict?proba=true", &json!({ "rows": rows }));
    assert_same(&answered(&reply), &expected);
}

#[test]
fn a_moved_registry_alias_is_followed_and_an_unblessed_model_is_refused() {
    let dir = Dir::new();
    train_adult(&dir, "a.crisp", &["--seed", "1", "--param", "n_rounds=20"]);
    train_adult(&dir, "b.crisp", &["--seed", "2", "--param", "n_rounds=40"]);
    for m in ["a.crisp", "b.crisp"] {
        dir.crisp(["registry", "push", m, "--name", "adult"]).ok();
    }
    dir.crisp([
        "registry",
        "alias",
        "adult@1",
        "production",
        "--force",
        "--reason",
        "test",
    ])
    .ok();
    dir.crisp([
        "serve",
        "--model",
        "registry:adult@production",
        "--require-blessed",
    ])
    .error(&["not blessed"]);
    let hash = |name: &str| crisp_core::fingerprint(&std::fs::read(dir.path(name)).unwrap());
    let server = Server::start(
        &dir,
        &[
            "--model",
            "registry:adult@production",
            "--poll-interval",
            "100ms",
        ],
    );
    assert_eq!(
        server.get("/health").json()["artifact_hash"],
        json!(hash("a.crisp"))
    );
    dir.crisp([
        "registry",
        "alias",
        "adult@2",
        "production",
        "--force",
        "--reason",
        "test",
    ])
    .ok();
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.get("/health").json()["artifact_hash"] != json!(hash("b.crisp")) {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        server.stderr().contains("a registry alias moved"),
        "{}",
        server.stderr()
    );
}

/// Connect and send a request's head and the first half of its body; the request is then in
/// flight until the rest is sent.
fn half_sent(server: &Server, body: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let head = format!(
        "POST /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..body.len() / 2]).unwrap();
    stream.flush().unwrap();
    stream
}

#[test]
fn sigterm_lets_requests_in_flight_finish_then_exits_0() {
    let dir = Dir::new();
    train_adult(&dir, "adult.crisp", &[]);
    sample(&dir, "adult_test.csv", "rows.csv", 2, false);
    let csv = std::fs::read(dir.path("rows.csv")).unwrap();
    let mut server = Server::start(&dir, &["--model", "adult.crisp"]);
    let mut in_flight: Vec<TcpStream> = (0..3).map(|_| half_sent(&server, &csv)).collect();
    // Every request has started (the server counts them) before the signal.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server
        .get("/metrics")
        .body
        .contains("crisp_requests_in_flight 4\n")
    {
        assert!(Instant::now() < deadline, "{}", server.get("/metrics").body);
        std::thread::sleep(Duration::from_millis(20));
    }
    server.signal(libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    // New connections are refused once it stops listening.
    assert!(TcpStream::connect(server.addr).is_err(), "still accepting");
    for stream in &mut in_flight {
        stream.write_all(&csv[csv.len() / 2..]).unwrap();
        let reply = read_reply(stream);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let n = reply.json()["predictions"].as_array().unwrap().len();
        assert!(n > 8000, "{n} predictions");
    }
    let status = server.wait();
    assert_eq!(status.code(), Some(0), "{}", server.stderr());
    assert!(
        server
            .stderr()
            .contains("every request in flight was answered"),
        "{}",
        server.stderr()
    );
}

#[test]
fn limits_on_concurrency_and_time_answer_503_and_504() {
    let dir = Dir::new();
    train_adult(&dir, "adult.crisp", &[]);
    sample(&dir, "adult_test.csv", "rows.csv", 1, false);
    let csv = std::fs::read(dir.path("rows.csv")).unwrap();
    let server = Server::start(&dir, &["--model", "adult.crisp", "--max-concurrent", "1"]);
    let mut held = half_sent(&server, &csv);
    // The held request has its permit once it is in flight (with the /metrics request asking).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server
        .get("/metrics")
        .body
        .contains("crisp_requests_in_flight 2\n")
    {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    server
        .request("POST", "/predict", Some("text/csv"), &csv[..200])
        .error(503, "overloaded");
    assert_eq!(
        server.get("/health").status,
        200,
        "health answers when predict is full"
    );
    held.write_all(&csv[csv.len() / 2..]).unwrap();
    assert_eq!(read_reply(&mut held).status, 200);
    drop(server);

    let server = Server::start(&dir, &["--model", "adult.crisp", "--timeout", "1ms"]);
    let e = server
        .request("POST", "/predict", Some("text/csv"), &csv)
        .error(504, "timeout");
    assert!(e["message"].as_str().unwrap().contains("0.001 s"), "{e}");
    assert_eq!(server.get("/health").status, 200);
}

#[test]
fn serve_refuses_what_it_cannot_serve_with_exit_2() {
    let dir = Dir::new();
    dir.crisp(["serve", "--model", "missing.crisp"])
        .error(&["missing.crisp", "no such file"]);
    dir.create("junk.crisp", "not an artifact");
    dir.crisp(["serve", "--model", "junk.crisp"])
        .error(&["junk.crisp"]);
    train_adult(&dir, "adult.crisp", &[]);
    dir.crisp(["serve", "--model", "adult.crisp", "--require-blessed"])
        .error(&["adult.crisp", "not blessed"]);
    dir.crisp(["serve", "--model", "adult.crisp", "--timeout", "soon"])
        .error(&["--timeout", "soon"]);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    dir.crisp(["serve", "--model", "adult.crisp", "--addr", &addr])
        .error(&["cannot listen on", &addr]);
}
