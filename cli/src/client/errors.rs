//! What goes wrong talking to the API, as a message that says what to do next and an exit
//! code a script can branch on (the table is in the README).

use axum::http::StatusCode;
use serde_json::Value;

/// The process's exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Anything else: a job that failed, a file that could not be written.
    Failure = 1,
    /// A command line the CLI cannot run (clap uses 2 as well).
    Usage = 2,
    /// Missing, expired or refused credentials (401, or a 403 on the API key).
    Auth = 3,
    /// No such project, version, job or key (404).
    NotFound = 4,
    /// Not enough credits (402).
    Credits = 5,
    /// The feature needs another tier (403 `tier-required`).
    Tier = 6,
    /// Throttled or over the daily quota (429).
    RateLimited = 7,
    /// The API refused the request as invalid (400, 409, 413, 415, 422).
    Invalid = 8,
    /// The API could not be reached or failed (network, 5xx).
    Unavailable = 9,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub exit: Exit,
    pub message: String,
    /// The problem+json the API answered, for `--json`.
    pub problem: Option<Value>,
}

impl ApiError {
    fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            problem: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn local(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    pub fn network(target: &str, err: &reqwest::Error) -> Self {
        let what = if err.is_timeout() {
            "timed out"
        } else if err.is_connect() {
            "could not connect"
        } else {
            "failed"
        };
        Self::new(
            Exit::Unavailable,
            format!(
                "the request to {target} {what} ({err}). Check the address (`visions-ai login --api URL`) and that the API is up (`visions-ai serve` locally)."
            ),
        )
    }

    pub fn download(status: StatusCode, url: &str) -> Self {
        let exit = if status == StatusCode::NOT_FOUND {
            Exit::NotFound
        } else {
            Exit::Unavailable
        };
        Self::new(exit, format!("downloading {url} failed with {status}"))
    }

    /// A problem+json answer, with what to do about it.
    pub fn from_problem(status: StatusCode, body: &Value, target: &str) -> Self {
        let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default();
        let kind = text("type").rsplit('/').next().unwrap_or_default();
        let detail = match (text("detail"), text("title")) {
            ("", "") => status.to_string(),
            ("", title) => title.to_owned(),
            (detail, _) => detail.to_owned(),
        };
        let fields: Vec<String> = body
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.get("field").and_then(Value::as_str).unwrap_or("?"),
                    e.get("message").and_then(Value::as_str).unwrap_or("?")
                )
            })
            .collect();
        let (exit, message) = match status.as_u16() {
            401 => (
                Exit::Auth,
                format!(
                    "{target} refused the credentials: {detail}. Log in again: `visions-ai login --api URL --token TOKEN [--api-key KEY]`."
                ),
            ),
            402 => (
                Exit::Credits,
                format!(
                    "not enough credits: {detail}. See your balance with `visions-ai credits`."
                ),
            ),
            403 if kind == "tier-required" => (
                Exit::Tier,
                format!(
                    "{detail}. It needs the {} tier.",
                    body.get("tier").and_then(Value::as_str).unwrap_or("pro")
                ),
            ),
            403 => (
                Exit::Auth,
                format!(
                    "{target} refused the request: {detail}. Check your API key (`visions-ai keys list`, `visions-ai login --api-key KEY`)."
                ),
            ),
            404 => (
                Exit::NotFound,
                format!("not found: {detail}. `visions-ai projects list` shows your projects."),
            ),
            429 => (
                Exit::RateLimited,
                format!("{detail}. Wait a moment and try again."),
            ),
            400 | 409 | 413 | 415 | 422 => {
                let fields = if fields.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", fields.join("; "))
                };
                (Exit::Invalid, format!("{detail}{fields}"))
            }
            _ => (
                Exit::Unavailable,
                format!("{target} failed: {detail} ({status}). Try again shortly."),
            ),
        };
        Self {
            exit,
            message,
            problem: Some(body.clone()),
        }
    }
}
