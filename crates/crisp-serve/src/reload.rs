//! The model being served, and replacing it without dropping a request: a new model is loaded
//! and checked on a blocking thread while the old one serves, then swapped in; requests that
//! started before the swap finish with the model they started with (each holds an `Arc` of it).
//! A model that fails to load leaves the old one serving, and the reason is logged and returned.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crisp_core::Result;

use crate::metrics::Metrics;
use crate::model::{LoadedModel, Located, ModelSpec};

/// The served model and where it comes from.
#[derive(Debug)]
pub struct ModelSlot {
    spec: ModelSpec,
    current: RwLock<Arc<LoadedModel>>,
    /// One reload at a time.
    reloading: tokio::sync::Mutex<()>,
    /// The last file that failed to load, so that the poller does not retry it every time.
    last_failure: Mutex<Option<Located>>,
}

/// What a reload did.
#[derive(Debug, Clone)]
pub struct Reloaded {
    /// The hash of the model served before.
    pub previous_hash: String,
    /// The hash of the model served now.
    pub hash: String,
}

impl ModelSlot {
    /// Load the model of `spec` (on the calling thread): an error when it cannot be served.
    pub fn load(spec: ModelSpec) -> Result<ModelSlot> {
        let model = spec.load()?;
        Ok(ModelSlot {
            spec,
            current: RwLock::new(Arc::new(model)),
            reloading: tokio::sync::Mutex::new(()),
            last_failure: Mutex::new(None),
        })
    }

    /// The model serving now.
    pub fn current(&self) -> Arc<LoadedModel> {
        let current = self
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(&current)
    }

    /// What the model comes from.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Load the model again (the alias may point elsewhere now, the file may be new) and serve
    /// it if it loads and passes every check; otherwise keep the old one and return why.
    /// `reason` says what asked for the reload, in the log.
    pub async fn reload(&self, reason: &str, metrics: &Metrics) -> Result<Reloaded> {
        let _one_at_a_time = self.reloading.lock().await;
        let spec = self.spec.clone();
        let loaded = tokio::task::spawn_blocking(move || spec.load())
            .await
            .unwrap_or_else(|e| {
                Err(crisp_core::Error::artifact(format!(
                    "loading the model panicked: {e}"
                )))
            });
        let previous = self.current();
        match loaded {
            Ok(model) => {
                let reloaded = Reloaded {
                    previous_hash: previous.hash.clone(),
                    hash: model.hash.clone(),
                };
                tracing::info!(
                    reason,
                    file = %model.located.file.display(),
                    artifact_hash = %model.hash,
                    previous_hash = %previous.hash,
                    "reloaded the model"
                );
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(model);
                *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = None;
                metrics.reload(true);
                Ok(reloaded)
            }
            Err(e) => {
                tracing::error!(
                    reason,
                    error = %e,
                    serving = %previous.located.file.display(),
                    artifact_hash = %previous.hash,
                    "could not reload the model; the previous one keeps serving"
                );
                if let Ok(located) = self.spec.locate() {
                    *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(located);
                }
                metrics.reload(false);
                Err(e)
            }
        }
    }

    /// Reload when the spec resolves to another file than the one serving (a `registry:`
    /// alias moved) or the file changed (its size or modification time), unless that same
    /// file already failed to load.
    pub async fn reload_if_moved(&self, metrics: &Metrics) {
        let spec = self.spec.clone();
        let located = match tokio::task::spawn_blocking(move || spec.locate()).await {
            Ok(Ok(located)) => located,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cannot resolve the model to check whether it moved");
                return;
            }
            Err(_) => return,
        };
        let serving = self.current().located.clone();
        let failed = self
            .last_failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if located != serving && failed.as_ref() != Some(&located) {
            let reason = if located.file == serving.file {
                "the artifact file changed"
            } else {
                "the model moved to another file (a registry alias moved)"
            };
            let _ = self.reload(reason, metrics).await;
        }
    }

    /// Check every `every` whether the model moved, and reload it when it did; runs until the
    /// runtime stops.
    pub async fn poll(self: Arc<Self>, every: Duration, metrics: Arc<Metrics>) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await; // the first tick is now
        loop {
            ticks.tick().await;
            self.reload_if_moved(&metrics).await;
        }
    }
}
