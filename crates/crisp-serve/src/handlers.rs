//! The endpoints: `POST /predict`, `GET /health`, `GET /metadata`, `GET /metrics`,
//! `POST /admin/reload`, and JSON answers for unknown paths and methods.

use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State as Shared};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::error::{ApiError, ErrorKind};
use crate::rows::{self, Rows};
use crate::state::State;

/// Rows a request predicted, for the request log.
#[derive(Debug, Clone, Copy)]
pub struct RowCount(pub usize);

/// Bodies larger than this are parsed on a blocking thread, not on the reactor.
const PARSE_INLINE_BYTES: usize = 64 << 10;

/// `POST /predict[?proba=true]` with `{"rows": [...]}` (application/json) or CSV (text/csv).
pub async fn predict(Shared(state): Shared<State>, request: Request) -> Response {
    let started = Instant::now();
    let response = match state.permits.clone().try_acquire_owned() {
        Err(_) => ApiError::new(
            ErrorKind::Overloaded,
            format!(
                "{} requests are being answered, the most at once; retry shortly",
                state.limits.max_concurrent
            ),
        )
        .into_response(),
        Ok(_permit) => {
            match tokio::time::timeout(state.limits.timeout, answer(&state, request)).await {
                Ok(Ok((body, rows))) => {
                    state.metrics.rows(rows);
                    let mut response = json(StatusCode::OK, body);
                    response.extensions_mut().insert(RowCount(rows));
                    response
                }
                Ok(Err(e)) => e.into_response(),
                Err(_) => ApiError::new(
                    ErrorKind::Timeout,
                    format!(
                        "the request took longer than the limit of {:.3} s",
                        state.limits.timeout.as_secs_f64()
                    ),
                )
                .into_response(),
            }
        }
    };
    state.metrics.predict_latency(started.elapsed());
    response
}

/// The body of a `/predict` answer and the number of rows predicted.
async fn answer(state: &State, request: Request) -> Result<(String, usize), ApiError> {
    let (parts, body) = request.into_parts();
    let proba = proba_param(parts.uri.query())?;
    let format = body_format(&parts.headers)?;
    let bytes = read_body(body, &parts.headers, state.limits.max_body_bytes).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            ErrorKind::EmptyBody,
            "the request body is empty; send {\"rows\": [...]} as application/json or a CSV header and rows as text/csv",
        ));
    }
    let model = state.slot.current();
    if proba && model.artifact.model.task() == crisp_validate::Task::Regression {
        return Err(ApiError::new(
            ErrorKind::Unsupported,
            "proba=true: a regression model has no class probabilities",
        ));
    }
    let max_rows = state.limits.max_rows;
    let parse = {
        let model = std::sync::Arc::clone(&model);
        move || match format {
            BodyFormat::Json => {
                rows::parse_json(&bytes, &model.artifact.model.pipeline.input, max_rows)
                    .map(Rows::Records)
            }
            BodyFormat::Csv => rows::parse_csv(&bytes, max_rows).map(Rows::Frame),
        }
    };
    let rows = if parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|n| n <= PARSE_INLINE_BYTES)
    {
        parse()?
    } else {
        tokio::task::spawn_blocking(parse)
            .await
            .map_err(|_| ApiError::new(ErrorKind::Internal, "reading the body panicked"))??
    };
    let n = rows.len();
    if n == 0 {
        return Ok((String::from(r#"{"predictions":[]}"#), 0));
    }
    let body = state
        .batcher
        .submit(model, rows, proba)
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorKind::Internal,
                "the prediction was lost (a worker stopped)",
            )
        })??;
    Ok((body, n))
}

#[derive(Debug, Clone, Copy)]
enum BodyFormat {
    Json,
    Csv,
}

fn body_format(headers: &HeaderMap) -> Result<BodyFormat, ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            "the request has no Content-Type; send application/json ({\"rows\": [...]}) or text/csv",
        ));
    };
    let text = value.to_str().unwrap_or_default();
    let mime = text.split(';').next().unwrap_or_default().trim();
    if mime.eq_ignore_ascii_case("application/json") {
        Ok(BodyFormat::Json)
    } else if mime.eq_ignore_ascii_case("text/csv") {
        Ok(BodyFormat::Csv)
    } else {
        Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            format!(
                "Content-Type '{}' is not accepted; send application/json ({{\"rows\": [...]}}) or text/csv",
                text.escape_debug()
            ),
        ))
    }
}

/// `proba=true|false|1|0`, the only query parameter.
fn proba_param(query: Option<&str>) -> Result<bool, ApiError> {
    let mut proba = false;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, "true"));
        if name != "proba" {
            return Err(ApiError::new(
                ErrorKind::BadQuery,
                format!("unknown query parameter '{name}'; the only one is proba=true"),
            ));
        }
        proba = match value {
            "true" | "1" => true,
            "false" | "0" => false,
            other => {
                return Err(ApiError::new(
                    ErrorKind::BadQuery,
                    format!("proba='{other}': give true or false"),
                ))
            }
        };
    }
    Ok(proba)
}

/// The body, refused as soon as it is known to be larger than `limit` bytes (by its
/// Content-Length, or while it streams in).
async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = |size: String| {
        ApiError::new(
            ErrorKind::BodyTooLarge,
            format!("the request body has {size} bytes, more than the limit of {limit}"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if let Some(n) = declared.filter(|&n| n > limit) {
        return Err(too_large(n.to_string()));
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0));
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorKind::UnreadableBody,
                format!("the request body could not be read: {e}"),
            )
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large(format!(
                "more than {}",
                bytes.len() + chunk.len() - 1
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// `GET /health`: the process is up and a model is loaded (it always is once serving, since
/// the server starts only with a model that loads), so liveness and readiness are one answer.
pub async fn health(Shared(state): Shared<State>) -> Response {
    let model = state.slot.current();
    let body = serde_json::json!({
        "status": "ok",
        "artifact_hash": model.hash,
        "model": model.located.file.display().to_string(),
    });
    json(StatusCode::OK, body.to_string())
}

/// `GET /metadata`: what the model reads and what it is (see `model::metadata`).
pub async fn metadata(Shared(state): Shared<State>) -> Response {
    json(StatusCode::OK, state.slot.current().metadata.clone())
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(Shared(state): Shared<State>) -> Response {
    let text = state.metrics.render(&state.slot.current().hash);
    let mut response = (StatusCode::OK, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// `POST /admin/reload`: reload the model now; only from the machine itself (a loopback peer).
pub async fn reload(Shared(state): Shared<State>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Err(e) = admit_to_admin(peer) {
        return e.into_response();
    }
    match state.reload("POST /admin/reload").await {
        Ok(r) => {
            let body = serde_json::json!({
                "reloaded": true,
                "artifact_hash": r.hash,
                "previous_hash": r.previous_hash,
            });
            json(StatusCode::OK, body.to_string())
        }
        Err(e) => {
            let mut error = ApiError::from_crisp(ErrorKind::ReloadFailed, &e);
            error.message = format!("{}; the previous model keeps serving", error.message);
            error.into_response()
        }
    }
}

/// Admin endpoints answer only loopback peers (the machine itself); a peer whose address is
/// unknown (a router served without connect info) is refused too.
fn admit_to_admin(peer: Option<SocketAddr>) -> Result<(), ApiError> {
    match peer {
        Some(peer) if peer.ip().is_loopback() => Ok(()),
        Some(peer) => Err(ApiError::new(
            ErrorKind::Forbidden,
            format!(
                "/admin/reload is only answered to loopback peers, not {}",
                peer.ip()
            ),
        )),
        None => Err(ApiError::new(
            ErrorKind::Forbidden,
            "/admin/reload is only answered to loopback peers, and this peer's address is unknown (serve with connect info)",
        )),
    }
}

/// Unknown paths.
pub async fn not_found(request: Request) -> Response {
    ApiError::new(
        ErrorKind::NotFound,
        format!(
            "no endpoint {}; there are POST /predict, GET /health, GET /metadata, GET /metrics and POST /admin/reload",
            request.uri().path()
        ),
    )
    .into_response()
}

/// A known path with another method.
pub async fn method_not_allowed(request: Request) -> Response {
    ApiError::new(
        ErrorKind::MethodNotAllowed,
        format!(
            "{} does not take {}",
            request.uri().path(),
            request.method()
        ),
    )
    .into_response()
}

fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_peers_are_admitted_to_admin_endpoints() {
        for peer in ["127.0.0.1:5000", "[::1]:5000", "127.8.9.10:1"] {
            assert!(
                admit_to_admin(Some(peer.parse().unwrap())).is_ok(),
                "{peer}"
            );
        }
        for peer in [
            "192.0.2.7:5000",
            "10.0.0.1:80",
            "[2001:db8::1]:443",
            "0.0.0.0:1",
        ] {
            let e = admit_to_admin(Some(peer.parse().unwrap())).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Forbidden, "{peer}");
            assert_eq!(e.kind.status(), StatusCode::FORBIDDEN);
        }
        assert_eq!(admit_to_admin(None).unwrap_err().kind, ErrorKind::Forbidden);
    }

    #[test]
    fn proba_is_the_only_query_parameter() {
        assert!(!proba_param(None).unwrap());
        assert!(proba_param(Some("proba=true")).unwrap());
        assert!(proba_param(Some("proba")).unwrap());
        assert!(!proba_param(Some("proba=0")).unwrap());
        assert_eq!(
            proba_param(Some("proba=yes")).unwrap_err().kind,
            ErrorKind::BadQuery
        );
        assert_eq!(
            proba_param(Some("limit=3")).unwrap_err().kind,
            ErrorKind::BadQuery
        );
    }
}
