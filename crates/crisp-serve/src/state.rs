//! What every handler shares: the model slot, the prediction workers, the counters and the
//! limits.

use std::sync::Arc;
use std::time::Duration;

use crisp_core::Result;
use tokio::sync::Semaphore;

use crate::metrics::Metrics;
use crate::model::ModelSpec;
use crate::predict::Batcher;
use crate::reload::{ModelSlot, Reloaded};

/// Limits on requests. Each protects the server from one kind of request that would take
/// more than its share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body, in bytes (413 above).
    pub max_body_bytes: usize,
    /// The most rows in one request (413 above).
    pub max_rows: usize,
    /// The longest a `/predict` request may take, body reading included (504 after).
    pub timeout: Duration,
    /// The most `/predict` requests answered at once; more are refused at once with 503 and
    /// `Retry-After: 1` rather than queued without bound. `/health` and `/metrics` always answer.
    pub max_concurrent: usize,
    /// Threads that predict.
    pub workers: usize,
}

impl Default for Limits {
    /// 16 MiB bodies, 100,000 rows, 30 s, 256 requests at once, one prediction thread per core.
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 << 20,
            max_rows: 100_000,
            timeout: Duration::from_secs(30),
            max_concurrent: 256,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// The server's state; cheap to clone (everything is shared).
#[derive(Clone)]
pub struct State {
    pub(crate) slot: Arc<ModelSlot>,
    pub(crate) batcher: Batcher,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) limits: Limits,
    pub(crate) permits: Arc<Semaphore>,
}

impl State {
    /// Load the model of `spec` and start the prediction workers. Fails, with the reason,
    /// when the model cannot be served.
    pub fn load(spec: ModelSpec, limits: Limits) -> Result<State> {
        let slot = ModelSlot::load(spec)?;
        Ok(State {
            slot: Arc::new(slot),
            batcher: Batcher::start(limits.workers),
            metrics: Arc::new(Metrics::default()),
            permits: Arc::new(Semaphore::new(limits.max_concurrent.max(1))),
            limits,
        })
    }

    /// The model slot (the model serving now, and reloading it).
    pub fn slot(&self) -> &Arc<ModelSlot> {
        &self.slot
    }

    /// The server's counters.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Reload the model (see [`ModelSlot::reload`]); `reason` is logged.
    pub async fn reload(&self, reason: &str) -> Result<Reloaded> {
        self.slot.reload(reason, &self.metrics).await
    }

    /// Check every `every` whether the model moved (a `registry:` alias, a replaced file) and
    /// reload it then; runs until the runtime stops, so spawn it.
    pub async fn poll(self, every: Duration) {
        Arc::clone(&self.slot)
            .poll(every, Arc::clone(&self.metrics))
            .await;
    }
}
