//! What a failed request gets back: a status code and a JSON body
//! `{"error": {"kind": ..., "message": ..., "column": ..., "row": ..., "value": ...}}`, the
//! location fields present when known.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why a request failed. Each kind has one status code and is counted in the
/// `crisp_errors_total{kind=...}` metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// The body is not JSON, or not the JSON shape asked for (400).
    MalformedJson,
    /// The CSV body cannot be read (400).
    MalformedCsv,
    /// The body is empty (400).
    EmptyBody,
    /// The body could not be received (400).
    UnreadableBody,
    /// A query parameter that is unknown or has a bad value (400).
    BadQuery,
    /// The Content-Type is neither JSON nor CSV (415).
    UnsupportedMediaType,
    /// The body is larger than the limit (413).
    BodyTooLarge,
    /// More rows than the limit (413).
    TooManyRows,
    /// Rows that the model cannot take: a missing column, a wrong type, an unseen category (422).
    InvalidInput,
    /// What was asked of the model does not fit it: probabilities of a regression (400).
    Unsupported,
    /// The new model could not be loaded; the old one keeps serving (422).
    ReloadFailed,
    /// An admin endpoint asked from another host than loopback (403).
    Forbidden,
    /// No such endpoint (404).
    NotFound,
    /// The endpoint does not take this method (405).
    MethodNotAllowed,
    /// Too many requests in flight (503).
    Overloaded,
    /// The prediction took longer than the request timeout (504).
    Timeout,
    /// A bug: a panic caught while answering (500).
    Internal,
}

impl ErrorKind {
    /// The name in the JSON body and the metrics.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::MalformedJson => "malformed_json",
            ErrorKind::MalformedCsv => "malformed_csv",
            ErrorKind::EmptyBody => "empty_body",
            ErrorKind::UnreadableBody => "unreadable_body",
            ErrorKind::BadQuery => "bad_query",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::BodyTooLarge => "body_too_large",
            ErrorKind::TooManyRows => "too_many_rows",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::ReloadFailed => "reload_failed",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Overloaded => "overloaded",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::MalformedJson
            | ErrorKind::MalformedCsv
            | ErrorKind::EmptyBody
            | ErrorKind::UnreadableBody
            | ErrorKind::BadQuery
            | ErrorKind::Unsupported => StatusCode::BAD_REQUEST,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::BodyTooLarge | ErrorKind::TooManyRows => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::InvalidInput | ErrorKind::ReloadFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A failed request: its kind, one sentence, and where in the rows, when known.
#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    /// Why (`kind` in the body).
    #[serde(serialize_with = "kind_name")]
    pub kind: ErrorKind,
    /// One sentence naming the column, row and value at fault.
    pub message: String,
    /// The column at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The row at fault, counted from 1: `rows[0]` of a JSON body, or the first data line of a
    /// CSV body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The value at fault, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

fn kind_name<S: serde::Serializer>(kind: &ErrorKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.name())
}

impl ApiError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
            column: None,
            row: None,
            value: None,
        }
    }

    /// A crisp error raised by the model's schema checks or pipeline, as `kind`, with the
    /// column, row and value it names.
    pub fn from_crisp(kind: ErrorKind, error: &crisp_core::Error) -> Self {
        let at = error.location();
        ApiError {
            kind,
            message: error.to_string(),
            column: at.column,
            row: at.row,
            value: at.value,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a ApiError,
        }
        serde_json::to_string(&Body { error: self })
            .unwrap_or_else(|_| String::from(r#"{"error":{"kind":"internal"}}"#))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.kind.status(), self.body()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if self.kind == ErrorKind::Overloaded {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        // The metrics layer counts errors by kind from this.
        response.extensions_mut().insert(self.kind);
        response
    }
}
