//! A `tracing` layer that draws crisp's progress spans (crisp_core::progress) as one
//! indicatif bar on stderr.
//!
//! One bar at a time: the outermost long work owns it (the candidates of a search, the folds
//! of a cross-validation), and the work nested in it (the boosting rounds of each candidate,
//! often on other threads) draws nothing. When that work ends the bar is cleared, and the next
//! work (the final fit) gets a new one.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The bar on screen and the span that owns it; shared with the log writer, which prints
/// above the bar instead of through it.
#[derive(Clone, Default)]
pub struct ActiveBar(Arc<Mutex<Option<(Id, ProgressBar)>>>);

impl ActiveBar {
    fn lock(&self) -> MutexGuard<'_, Option<(Id, ProgressBar)>> {
        // A panic while holding the lock leaves nothing half-updated worth refusing.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `write` with the bar hidden, so that a log line does not tear it.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        let bar = self.lock().as_ref().map(|(_, bar)| bar.clone());
        match bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

/// The layer: create a bar for a progress span when none is shown, advance it on its
/// events, clear it when the span closes.
pub struct ProgressLayer {
    active: ActiveBar,
}

impl ProgressLayer {
    /// A layer drawing on `active`.
    pub fn new(active: ActiveBar) -> Self {
        ProgressLayer { active }
    }
}

/// The fields of a progress span or event.
#[derive(Default)]
struct Fields {
    work: Option<String>,
    unit: Option<String>,
    total: Option<u64>,
    advance: Option<u64>,
    position: Option<u64>,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "total" => self.total = Some(value),
            "advance" => self.advance = Some(value),
            "position" => self.position = Some(value),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(v) = u64::try_from(value) {
            self.record_u64(field, v);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "work" => self.work = Some(value.to_string()),
            "unit" => self.unit = Some(value.to_string()),
            _ => {}
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn Debug) {}
}

fn bar(total: u64, work: &str, unit: &str) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed}, eta {eta})",
    )
    .expect("a valid template")
    .progress_chars("=> ");
    // Styled before the first draw, so that no frame shows without its words.
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(8))
        .with_style(style)
        .with_prefix(work.to_string())
        .with_message(unit.to_string());
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

impl<S> Layer<S> for ProgressLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut active = self.active.lock();
        if active.is_some() {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(total) = fields.total.filter(|&t| t > 0) {
            let work = fields.work.as_deref().unwrap_or("working");
            let unit = fields.unit.as_deref().unwrap_or("");
            *active = Some((id.clone(), bar(total, work, unit)));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(parent) = event
            .parent()
            .cloned()
            .or_else(|| ctx.current_span().id().cloned())
        else {
            return;
        };
        let active = self.active.lock();
        let Some((id, bar)) = active.as_ref() else {
            return;
        };
        if *id != parent {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        if let Some(n) = fields.advance {
            bar.inc(n);
        }
        if let Some(p) = fields.position {
            bar.set_position(p);
        }
    }

    fn on_close(&self, id: Id, _ctx: Context<'_, S>) {
        let mut active = self.active.lock();
        if active.as_ref().is_some_and(|(owner, _)| *owner == id) {
            if let Some((_, bar)) = active.take() {
                bar.finish_and_clear();
            }
        }
    }
}
