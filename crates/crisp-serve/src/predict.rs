//! Predicting off the reactor, in batches. Requests put their rows on a queue; a few worker
//! threads (one per core by default) take what is queued, append the JSON records of the same
//! model into one frame, and predict them in one call of `FittedModel::predict`, the call that
//! `crisp predict` makes. A single-row request thus costs one pipeline run only when no other
//! request is waiting, and a busy server spreads the frame and pipeline set-up over many rows
//! (adaptive batching, as TF Serving and BentoML do, but with no waiting window: a batch is
//! whatever queued while the workers were busy). If a batch fails, its requests are predicted
//! one by one, so that each error names its own request's row.

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use crisp_train::Predictions;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use tokio::sync::oneshot;

use crate::error::{ApiError, ErrorKind};
use crate::model::LoadedModel;
use crate::rows::{Records, Rows, SOURCE};

/// Requests of at most this many rows are batched with others, up to this many rows a batch.
pub const MAX_BATCH_ROWS: usize = 512;

/// The answer to one request: the JSON body and its row count.
pub type Answer = Result<String, ApiError>;

/// One request's rows, waiting for a worker.
struct Job {
    model: Arc<LoadedModel>,
    rows: Rows,
    proba: bool,
    reply: oneshot::Sender<Answer>,
}

/// The queue and its worker threads. Dropping it (and every clone of the sender) stops them.
#[derive(Clone)]
pub struct Batcher {
    queue: Sender<Job>,
}

impl Batcher {
    /// Start `workers` threads (at least one).
    pub fn start(workers: usize) -> Batcher {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..workers.max(1) {
            let jobs = Arc::clone(&jobs);
            std::thread::Builder::new()
                .name(format!("crisp-predict-{i}"))
                .spawn(move || work(&jobs))
                .expect("the operating system refused a thread for predicting");
        }
        Batcher { queue }
    }

    /// Predict `rows` with `model` on a worker; the answer comes back on the receiver (which
    /// the caller may drop when it stops waiting: the job is then skipped if not started).
    pub fn submit(
        &self,
        model: Arc<LoadedModel>,
        rows: Rows,
        proba: bool,
    ) -> oneshot::Receiver<Answer> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            model,
            rows,
            proba,
            reply,
        };
        if let Err(mpsc::SendError(job)) = self.queue.send(job) {
            let _ = job.reply.send(Err(ApiError::new(
                ErrorKind::Internal,
                "the prediction workers have stopped",
            )));
        }
        answer
    }
}

/// A worker: take the first job waiting and every batchable job queued behind it, predict.
fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let batch = {
            let Ok(jobs) = jobs.lock() else { return };
            let Ok(first) = jobs.recv() else { return };
            let mut batch = vec![first];
            let mut rows = batch[0].rows.len();
            while rows < MAX_BATCH_ROWS {
                match jobs.try_recv() {
                    Ok(job) => {
                        rows += job.rows.len();
                        batch.push(job);
                    }
                    Err(_) => break,
                }
            }
            batch
        };
        for group in groups(batch) {
            run_group(group);
        }
    }
}

/// Jobs that can share one frame: JSON records of the same model with columns of the same
/// kinds, small enough; every other job alone.
fn groups(batch: Vec<Job>) -> Vec<Vec<Job>> {
    let mut groups: Vec<Vec<Job>> = Vec::new();
    for job in batch {
        if job.reply.is_closed() {
            continue; // its request timed out or went away
        }
        let joins = groups.iter_mut().find(|g| {
            let head = &g[0];
            let rows: usize = g.iter().map(|j| j.rows.len()).sum();
            match (&head.rows, &job.rows) {
                (Rows::Records(a), Rows::Records(b)) => {
                    Arc::ptr_eq(&head.model, &job.model)
                        && rows + b.rows() <= MAX_BATCH_ROWS
                        && a.can_append(b)
                }
                _ => false,
            }
        });
        match joins {
            Some(group) => group.push(job),
            None => groups.push(vec![job]),
        }
    }
    groups
}

fn run_group(group: Vec<Job>) {
    if group.len() == 1 {
        let job = group.into_iter().next().expect("a group of one");
        let answer = predict_one(&job.model, &job.rows, job.proba);
        let _ = job.reply.send(answer);
        return;
    }
    let mut merged: Option<Records> = None;
    for job in &group {
        if let Rows::Records(r) = &job.rows {
            match &mut merged {
                Some(m) => m.append(r),
                None => merged = Some(r.clone()),
            }
        }
    }
    let model = Arc::clone(&group[0].model);
    let rows = Rows::Records(merged.expect("a group of records"));
    match predict_rows(&model, &rows) {
        Ok(predictions) => {
            let mut start = 0;
            for job in group {
                let end = start + job.rows.len();
                let answer = render(&model, &predictions, start..end, job.proba);
                let _ = job.reply.send(answer);
                start = end;
            }
        }
        // One request's bad rows fail the batch: answer each on its own rows.
        Err(_) => {
            for job in group {
                let answer = predict_one(&job.model, &job.rows, job.proba);
                let _ = job.reply.send(answer);
            }
        }
    }
}

fn predict_one(model: &LoadedModel, rows: &Rows, proba: bool) -> Answer {
    let predictions = predict_rows(model, rows)?;
    render(model, &predictions, 0..rows.len(), proba)
}

/// `FittedModel::predict` on the rows, a panic caught as an internal error.
fn predict_rows(model: &LoadedModel, rows: &Rows) -> Result<Predictions, ApiError> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let frame = rows.to_frame()?;
        model.artifact.model.predict(&frame, SOURCE)
    }));
    match outcome {
        Ok(Ok(predictions)) => Ok(predictions),
        Ok(Err(e)) => {
            let kind = match e {
                crisp_core::Error::Data { .. }
                | crisp_core::Error::ColumnNotFound { .. }
                | crisp_core::Error::Polars(_) => ErrorKind::InvalidInput,
                _ => ErrorKind::Internal,
            };
            Err(ApiError::from_crisp(kind, &e))
        }
        Err(_) => Err(ApiError::new(
            ErrorKind::Internal,
            "predicting these rows panicked (a bug in crisp: please report it with the request)",
        )),
    }
}

/// The JSON body for rows `range` of `predictions`: `{"predictions": [...]}`, with
/// `"probabilities": [{class: p, ...}, ...]` when `proba`.
fn render(
    model: &LoadedModel,
    predictions: &Predictions,
    range: Range<usize>,
    proba: bool,
) -> Answer {
    let fitted = &model.artifact.model;
    let classes = &fitted.target.classes;
    let body = match predictions {
        Predictions::Classes {
            labels,
            proba: p,
            n_classes,
        } => {
            let labels: Vec<&str> = labels[range.clone()]
                .iter()
                .map(|&i| classes[i].as_str())
                .collect();
            let probabilities = match (proba, p) {
                (false, _) => None,
                (true, Some(p)) => Some(
                    p[range.start * n_classes..range.end * n_classes]
                        .chunks(*n_classes)
                        .map(|p| ClassProbabilities { classes, p })
                        .collect::<Vec<_>>(),
                ),
                (true, None) => {
                    return Err(ApiError::new(
                        ErrorKind::Unsupported,
                        format!(
                            "model '{}' does not give class probabilities; ask without proba=true",
                            fitted.model_name
                        ),
                    ))
                }
            };
            serde_json::to_string(&Body {
                predictions: labels,
                probabilities,
            })
        }
        Predictions::Values(values) => serde_json::to_string(&Body::<&[f64]> {
            predictions: &values[range],
            probabilities: None,
        }),
    };
    body.map_err(|e| ApiError::new(ErrorKind::Internal, format!("cannot write the answer: {e}")))
}

#[derive(Serialize)]
struct Body<'a, P: Serialize> {
    predictions: P,
    #[serde(skip_serializing_if = "Option::is_none")]
    probabilities: Option<Vec<ClassProbabilities<'a>>>,
}

/// One row's probabilities as `{class: p, ...}`, in the model's class order.
struct ClassProbabilities<'a> {
    classes: &'a [String],
    p: &'a [f64],
}

impl Serialize for ClassProbabilities<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.p.len()))?;
        for (class, p) in self.classes.iter().zip(self.p) {
            map.serialize_entry(class, p)?;
        }
        map.end()
    }
}
