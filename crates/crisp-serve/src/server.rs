//! The router, the layer that counts, logs and catches panics around every request, and
//! serving until a shutdown signal with the requests in flight finished.

use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use axum::extract::{Request, State as Shared};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::FutureExt;

use crate::error::{ApiError, ErrorKind};
use crate::handlers::{self, RowCount};
use crate::state::State;

/// The endpoints over `state`, with the counting and logging layer. Serve it with connect info
/// (`into_make_service_with_connect_info::<SocketAddr>()`, as [`serve`] does) so that
/// `/admin/reload` can check that its peer is loopback.
pub fn router(state: State) -> Router {
    Router::new()
        .route("/predict", post(handlers::predict))
        .route("/health", get(handlers::health))
        .route("/metadata", get(handlers::metadata))
        .route("/metrics", get(handlers::metrics))
        .route("/admin/reload", post(handlers::reload))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Serve `router` on `listener` until `shutdown` completes; then stop accepting connections,
/// finish the requests in flight, and return.
///
/// # Errors
/// An I/O error of the listener.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Decrements the in-flight gauge when the request ends, however it ends (a client that goes
/// away drops the request's future).
struct InFlight<'a>(&'a crate::metrics::Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight(false);
    }
}

/// Around every request: count it by endpoint and status (and its error's kind), log one line
/// with its latency and rows, and turn a panic into a 500 answer so that no request can stop
/// the server.
async fn observe(Shared(state): Shared<State>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    state.metrics.in_flight(true);
    let _in_flight = InFlight(&state.metrics);
    let response = match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            ErrorKind::Internal,
            "answering this request panicked (a bug in crisp: please report it with the request)",
        )
        .into_response(),
    };
    let status = response.status().as_u16();
    state.metrics.request(endpoint(&path), status);
    let kind = response.extensions().get::<ErrorKind>().copied();
    if let Some(kind) = kind {
        state.metrics.error(kind);
    }
    let rows = response.extensions().get::<RowCount>().map(|r| r.0);
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    tracing::info!(
        target: "crisp_serve::request",
        method = %method,
        path = %path,
        status,
        rows,
        latency_us,
        error = kind.map(ErrorKind::name),
        "request"
    );
    response
}

/// The metrics label of a path: the endpoint, or `other`.
fn endpoint(path: &str) -> &'static str {
    match path {
        "/predict" => "/predict",
        "/health" => "/health",
        "/metadata" => "/metadata",
        "/metrics" => "/metrics",
        "/admin/reload" => "/admin/reload",
        _ => "other",
    }
}
