//! Counters for `GET /metrics`, in Prometheus' text format (version 0.0.4): requests by
//! endpoint and status, a latency histogram of predictions, rows predicted, errors by kind,
//! requests in flight and model reloads.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::error::ErrorKind;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The server's counters. Cheap to update from many threads.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    errors: Mutex<BTreeMap<ErrorKind, u64>>,
    latency: Histogram,
    rows: AtomicU64,
    in_flight: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Observations at most `BUCKETS[i]` (not cumulative; summed when written).
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// The sum of observations, in nanoseconds.
    sum_nanos: AtomicU64,
}

impl Metrics {
    /// A request to `endpoint` answered with `status`.
    pub fn request(&self, endpoint: &'static str, status: u16) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((endpoint, status)).or_default() += 1;
        }
    }

    /// A request that failed for `kind`.
    pub fn error(&self, kind: ErrorKind) {
        if let Ok(mut errors) = self.errors.lock() {
            *errors.entry(kind).or_default() += 1;
        }
    }

    /// The time a `/predict` request took, from its arrival to its answer.
    pub fn predict_latency(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            self.latency.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.latency.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.latency.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Rows predicted.
    pub fn rows(&self, rows: usize) {
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
    }

    /// A request started (`true`) or finished (`false`).
    pub fn in_flight(&self, started: bool) {
        if started {
            self.in_flight.fetch_add(1, Ordering::Relaxed);
        } else {
            self.in_flight.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// A reload that replaced the model (`true`) or left the old one serving (`false`).
    pub fn reload(&self, ok: bool) {
        let counter = if ok {
            &self.reloads_ok
        } else {
            &self.reloads_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Everything, in Prometheus' text format; `model_hash` labels the model being served.
    pub fn render(&self, model_hash: &str) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().map(|r| r.clone()).unwrap_or_default();
        family(
            &mut out,
            "crisp_requests_total",
            "counter",
            "HTTP requests answered, by endpoint and status code.",
        );
        for ((endpoint, status), n) in requests {
            let _ = writeln!(
                out,
                "crisp_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}"
            );
        }
        family(
            &mut out,
            "crisp_errors_total",
            "counter",
            "Requests that failed, by kind (the kind of the error body).",
        );
        let errors = self.errors.lock().map(|e| e.clone()).unwrap_or_default();
        for (kind, n) in errors {
            let _ = writeln!(out, "crisp_errors_total{{kind=\"{}\"}} {n}", kind.name());
        }
        family(
            &mut out,
            "crisp_predict_duration_seconds",
            "histogram",
            "Time from the arrival of a /predict request to its answer.",
        );
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.latency.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "crisp_predict_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = self.latency.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "crisp_predict_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "crisp_predict_duration_seconds_sum {sum}");
        let _ = writeln!(out, "crisp_predict_duration_seconds_count {count}");
        family(
            &mut out,
            "crisp_rows_predicted_total",
            "counter",
            "Rows predicted.",
        );
        let _ = writeln!(
            out,
            "crisp_rows_predicted_total {}",
            self.rows.load(Ordering::Relaxed)
        );
        family(
            &mut out,
            "crisp_requests_in_flight",
            "gauge",
            "Requests being answered now.",
        );
        let _ = writeln!(
            out,
            "crisp_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        family(
            &mut out,
            "crisp_model_reloads_total",
            "counter",
            "Model reloads, by result (a failed reload leaves the old model serving).",
        );
        let _ = writeln!(
            out,
            "crisp_model_reloads_total{{result=\"ok\"}} {}",
            self.reloads_ok.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "crisp_model_reloads_total{{result=\"failed\"}} {}",
            self.reloads_failed.load(Ordering::Relaxed)
        );
        family(
            &mut out,
            "crisp_model_info",
            "gauge",
            "The model being served, by the hash of its artifact.",
        );
        let _ = writeln!(out, "crisp_model_info{{artifact_hash=\"{model_hash}\"}} 1");
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_counts_every_observation() {
        let m = Metrics::default();
        m.predict_latency(Duration::from_micros(200));
        m.predict_latency(Duration::from_millis(3));
        m.predict_latency(Duration::from_secs(60));
        let text = m.render("h");
        assert!(
            text.contains("crisp_predict_duration_seconds_bucket{le=\"0.0005\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("crisp_predict_duration_seconds_bucket{le=\"0.005\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("crisp_predict_duration_seconds_bucket{le=\"10\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("crisp_predict_duration_seconds_bucket{le=\"+Inf\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("crisp_predict_duration_seconds_count 3\n"),
            "{text}"
        );
        assert!(
            text.contains("crisp_predict_duration_seconds_sum 60.0032\n"),
            "{text}"
        );
    }

    #[test]
    fn requests_and_errors_are_counted_by_label() {
        let m = Metrics::default();
        m.request("/predict", 200);
        m.request("/predict", 200);
        m.request("/predict", 422);
        m.error(ErrorKind::InvalidInput);
        let text = m.render("h");
        assert!(
            text.contains("crisp_requests_total{endpoint=\"/predict\",status=\"200\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("crisp_requests_total{endpoint=\"/predict\",status=\"422\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("crisp_errors_total{kind=\"invalid_input\"} 1\n"),
            "{text}"
        );
    }
}
