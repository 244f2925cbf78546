//! HTTP plumbing every provider adapter shares: one client, a per-call timeout, a response-size
//! cap, status mapping, `Retry-After`, and error messages that never carry a key.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use super::ModelError;
use visions_domain::ports::SecretStore;

/// Error bodies are only read for a short message; no need to hold more of them.
const MAX_ERROR_BODY_BYTES: usize = 16 * 1024;
/// Provider messages are cut to this many characters before they reach an error.
const MAX_MESSAGE_CHARS: usize = 200;

/// Where a provider's API key comes from. `Debug` never shows the key.
#[derive(Clone)]
pub enum ApiKey {
    /// The server needs no key (a local Ollama or vLLM).
    None,
    Value(Arc<str>),
    /// A Secrets Manager ARN, read at first use; `Secrets` caches it with its TTL, so a rotated
    /// key is picked up without a restart.
    Arn {
        arn: String,
        /// The variable that named the ARN, for error messages.
        env_var: String,
        secrets: Arc<dyn SecretStore>,
    },
}

impl ApiKey {
    pub fn value(key: impl Into<Arc<str>>) -> Self {
        Self::Value(key.into())
    }

    /// The key a provider's settings name: a value, an ARN read through `secrets`, or none.
    pub fn from_setting(
        key: &visions_model_config::KeySetting,
        secrets: &Arc<dyn SecretStore>,
    ) -> Self {
        use visions_model_config::KeySetting;
        match key {
            KeySetting::Value(key) => Self::value(key.as_str()),
            KeySetting::Arn { arn, env_var } => Self::Arn {
                arn: arn.clone(),
                env_var: env_var.clone(),
                secrets: secrets.clone(),
            },
            KeySetting::Absent => Self::None,
        }
    }

    pub(crate) async fn resolve(&self) -> Result<Option<Arc<str>>, ModelError> {
        match self {
            Self::None => Ok(None),
            Self::Value(key) => Ok(Some(key.clone())),
            Self::Arn {
                arn,
                env_var,
                secrets,
            } => match secrets.get_by_reference(arn).await {
                Ok(key) => Ok(Some(key)),
                Err(err) => {
                    // The detail (which may name the ARN) goes to the log, not into the error.
                    tracing::warn!(env_var = %env_var, error = %err, "model API key unavailable");
                    // Retryable: Secrets Manager throttling or a network blip passes.
                    Err(ModelError::Transport(format!(
                        "the API key named by {env_var} could not be read from Secrets Manager"
                    )))
                }
            },
        }
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("ApiKey::None"),
            Self::Value(_) => f.write_str("ApiKey::Value([redacted])"),
            Self::Arn { env_var, .. } => write!(f, "ApiKey::Arn({env_var})"),
        }
    }
}

/// TLS for model providers: Mozilla's root store, compiled in (webpki-roots), so building the
/// client reads and parses no system store at every cold start; a private CA (a self-hosted
/// OpenAI-compatible server) is added with `SSL_CERT_FILE`, the usual variable.
fn tls_config() -> Result<rustls::ClientConfig, ModelError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
        use rustls_pki_types::pem::PemObject;
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(&file)
            .map_err(|err| ModelError::Transport(format!("SSL_CERT_FILE: {err}")))?;
        for cert in certs {
            let cert =
                cert.map_err(|err| ModelError::Transport(format!("SSL_CERT_FILE: {err}")))?;
            roots
                .add(cert)
                .map_err(|err| ModelError::Transport(format!("SSL_CERT_FILE: {err}")))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| ModelError::Transport(format!("TLS: {err}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// One HTTP client for every model call (connection pools are shared), with the call limits.
#[derive(Clone, Debug)]
pub struct ModelHttp {
    client: reqwest::Client,
    timeout: Duration,
    max_response_bytes: usize,
}

impl ModelHttp {
    /// `timeout` bounds a whole call: connect, send, wait and read the body.
    pub fn new(timeout: Duration, max_response_bytes: usize) -> Result<Self, ModelError> {
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls_config()?)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // A POST that is redirected would be replayed as a GET; an API never needs that.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("visions-ai/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| ModelError::Transport(format!("HTTP client: {}", chain(&err))))?;
        Ok(Self {
            client,
            timeout,
            max_response_bytes,
        })
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    /// POSTs `body` as JSON and returns the 2xx response body. `headers` carry the credential
    /// (marked sensitive); `key` is only used to scrub it out of any error message.
    pub(crate) async fn post_json(
        &self,
        url: &str,
        headers: HeaderMap,
        key: Option<&str>,
        body: &serde_json::Value,
    ) -> Result<Vec<u8>, ModelError> {
        self.post_json_capped(url, headers, key, body, self.max_response_bytes)
            .await
    }

    /// [`Self::post_json`] with its own response cap (image answers are larger than text).
    pub(crate) async fn post_json_capped(
        &self,
        url: &str,
        headers: HeaderMap,
        key: Option<&str>,
        body: &serde_json::Value,
        cap: usize,
    ) -> Result<Vec<u8>, ModelError> {
        let request = self
            .client
            .post(url)
            .headers(headers)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(body);
        self.send(request, key, cap).await
    }

    /// POSTs text fields as `multipart/form-data` (Stability's API takes nothing else).
    pub(crate) async fn post_multipart(
        &self,
        url: &str,
        headers: HeaderMap,
        key: Option<&str>,
        fields: Vec<(&'static str, String)>,
        cap: usize,
    ) -> Result<Vec<u8>, ModelError> {
        let form = fields
            .into_iter()
            .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                form.text(name, value)
            });
        let request = self.client.post(url).headers(headers).multipart(form);
        self.send(request, key, cap).await
    }

    /// GETs a file a provider pointed to (an image URL in its answer), capped at `cap` bytes.
    pub(crate) async fn get_bytes(&self, url: &str, cap: usize) -> Result<Vec<u8>, ModelError> {
        self.send(self.client.get(url), None, cap).await
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        key: Option<&str>,
        cap: usize,
    ) -> Result<Vec<u8>, ModelError> {
        let call = async {
            let response = request
                .send()
                .await
                .map_err(|err| self.request_error(err))?;
            let status = response.status().as_u16();
            if (200..300).contains(&status) {
                return self.read_capped(response, cap).await;
            }
            let retry_after = retry_after(response.headers(), SystemTime::now());
            let body = self
                .read_capped(response, MAX_ERROR_BODY_BYTES)
                .await
                .unwrap_or_default();
            Err(status_error(status, retry_after, &body, key))
        };
        tokio::time::timeout(self.timeout, call)
            .await
            .unwrap_or(Err(ModelError::Timeout(self.timeout)))
    }

    /// Reads the body up to `cap` bytes; a body that announces or streams more is refused
    /// without reading the rest (the connection is dropped).
    async fn read_capped(
        &self,
        mut response: reqwest::Response,
        cap: usize,
    ) -> Result<Vec<u8>, ModelError> {
        let announced = response.content_length();
        if announced.is_some_and(|len| len > cap as u64) {
            return Err(ModelError::TooLarge(cap));
        }
        let mut body = Vec::with_capacity(announced.map_or(8 * 1024, |len| len as usize));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| self.request_error(err))?
        {
            if body.len() + chunk.len() > cap {
                return Err(ModelError::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn request_error(&self, err: reqwest::Error) -> ModelError {
        if err.is_timeout() {
            ModelError::Timeout(self.timeout)
        } else {
            // Without the URL: a base URL may carry credentials of its own.
            ModelError::Transport(chain(&err.without_url()))
        }
    }
}

/// Header map with the credential marked sensitive (hidden from `Debug` and HTTP/2 indexing).
pub(crate) fn headers(
    pairs: &[(&'static str, &str)],
    secret: Option<(&'static str, String)>,
) -> Result<HeaderMap, ModelError> {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let value = HeaderValue::from_str(value).map_err(|_| {
            ModelError::NotConfigured(format!("header {name} has an invalid value"))
        })?;
        map.insert(HeaderName::from_static(name), value);
    }
    if let Some((name, value)) = secret {
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            ModelError::NotConfigured("the API key has characters a header cannot carry".into())
        })?;
        value.set_sensitive(true);
        map.insert(HeaderName::from_static(name), value);
    }
    Ok(map)
}

/// 429 → rate limited; 5xx, 529 (Anthropic "overloaded") and 408 → server (retryable); other
/// statuses → rejected with a short, key-free message from the provider's error body.
pub fn status_error(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    key: Option<&str>,
) -> ModelError {
    let retry_after = retry_after.or_else(|| body_retry_delay(body));
    match status {
        429 => ModelError::RateLimited { retry_after },
        408 | 500..=599 => ModelError::Server {
            status,
            retry_after,
        },
        _ => ModelError::Rejected {
            status,
            message: error_message(body, key),
        },
    }
}

/// `retry-after-ms` (OpenAI) or `Retry-After` as delta-seconds or an HTTP-date.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    // Values are the provider's, so untrusted: a negative, NaN or astronomically large number
    // is ignored rather than converted (`from_secs_f64` would panic on it).
    if let Some(wait) = header("retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
    {
        return Some(wait);
    }
    let value = header("retry-after")?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    // A date in the past means "now".
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Gemini puts the delay in the body: `error.details[].retryDelay: "34s"` (google.rpc.RetryInfo).
fn body_retry_delay(body: &[u8]) -> Option<Duration> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value
        .pointer("/error/details")?
        .as_array()?
        .iter()
        .find_map(|detail| {
            let secs = detail
                .get("retryDelay")?
                .as_str()?
                .strip_suffix('s')?
                .parse::<f64>()
                .ok()?;
            Duration::try_from_secs_f64(secs).ok()
        })
}

/// The provider's own words, shortened and scrubbed: OpenAI, Anthropic and Gemini all answer
/// `{"error": {"message": …, "type"|"status": …}}`.
fn error_message(body: &[u8], key: Option<&str>) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().map(|v| &v["error"]);
    let message = error.and_then(|e| e["message"].as_str().or_else(|| e.as_str()));
    let kind = error.and_then(|e| e["type"].as_str().or_else(|| e["status"].as_str()));
    let text = match (kind, message) {
        (Some(kind), Some(message)) => format!("{kind}: {message}"),
        (None, Some(message)) => message.to_owned(),
        (Some(kind), None) => kind.to_owned(),
        (None, None) if body.is_empty() => "no details".to_owned(),
        (None, None) => String::from_utf8_lossy(body).into_owned(),
    };
    redact(&text, key)
}

/// Removes the key itself and anything that looks like a credential (providers echo masked keys
/// such as `sk-ab***yz`), then shortens the text.
pub(crate) fn redact(text: &str, key: Option<&str>) -> String {
    let text = match key.filter(|k| k.len() >= 4) {
        Some(key) => text.replace(key, "[redacted]"),
        None => text.to_owned(),
    };
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|word| {
            if looks_like_credential(word) {
                "[redacted]"
            } else {
                word
            }
        })
        .collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", joined.get(..cut).unwrap_or(&joined)),
        None => joined,
    }
}

fn looks_like_credential(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || "*-_".contains(c)));
    let tokenish = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "*-_.".contains(c));
    let mixed =
        word.chars().any(|c| c.is_ascii_digit()) && word.chars().any(|c| c.is_ascii_alphabetic());
    ["sk-", "sk_", "gsk_", "AIza"].iter().any(|p| word.starts_with(p))
        || word.contains("***")
        // Long enough not to catch model names or request ids, short enough for most keys.
        || (tokenish && mixed && word.len() >= 32)
}

/// An error and its sources, e.g. `error sending request: client error (Connect): …refused`.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Parses a provider's response envelope.
pub(crate) fn parse_envelope<T: DeserializeOwned>(body: &[u8]) -> Result<T, ModelError> {
    serde_json::from_slice(body).map_err(|err| {
        ModelError::Malformed(format!("response body is not the expected JSON: {err}"))
    })
}

/// Parses the model's answer text as JSON. Tolerates a Markdown code fence around it, which
/// OpenAI-compatible servers without schema enforcement sometimes add.
pub fn parse_answer(text: &str) -> Result<serde_json::Value, ModelError> {
    let trimmed = text.trim();
    let unfenced = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .unwrap_or(trimmed);
    serde_json::from_str(unfenced.trim())
        .map_err(|err| ModelError::Malformed(format!("the answer is not JSON: {err}")))
}

/// The answer was cut off at the output-token limit.
pub(crate) fn truncated() -> ModelError {
    ModelError::Malformed("truncated: the answer reached max_output_tokens".into())
}

/// A short excerpt of model-written text for an error (never a key; still bounded).
pub(crate) fn excerpt(text: &str) -> String {
    redact(text, None)
}

/// `base` without trailing slashes, so `{base}/path` never has `//`.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Percent-encodes everything but unreserved characters, so a model name stays one segment.
pub(crate) fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_client_trusts_the_public_roots_without_reading_the_system_store() {
        let config = tls_config().unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(ModelHttp::new(Duration::from_secs(5), 1024).is_ok());
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 100);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(12));
        headers.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(12)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(12));
        headers.insert("retry-after", HeaderValue::from_str(&earlier).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
        headers.insert("retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(
            retry_after(&headers, now),
            Some(Duration::from_millis(1500))
        );
    }

    #[test]
    fn hostile_retry_after_values_are_ignored_not_panics() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for value in ["1e30", "-5", "NaN", "inf", "-inf", "1e308", "-0.5"] {
            let mut headers = HeaderMap::new();
            headers.insert("retry-after-ms", HeaderValue::from_str(value).unwrap());
            headers.insert("retry-after", HeaderValue::from_str(value).unwrap());
            assert_eq!(retry_after(&headers, now), None, "{value}");
            let body = format!(r#"{{"error":{{"details":[{{"retryDelay":"{value}s"}}]}}}}"#);
            assert_eq!(
                status_error(429, None, body.as_bytes(), None).retry_after(),
                None,
                "{value}"
            );
        }
    }

    #[test]
    fn statuses_map_to_errors() {
        assert_eq!(
            status_error(429, Some(Duration::from_secs(1)), b"", None),
            ModelError::RateLimited {
                retry_after: Some(Duration::from_secs(1))
            }
        );
        assert!(status_error(529, None, b"", None).is_retryable());
        assert!(status_error(503, None, b"", None).is_retryable());
        assert!(!status_error(400, None, b"", None).is_retryable());
        let gemini = br#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3s"}]}}"#;
        assert_eq!(
            status_error(429, None, gemini, None).retry_after(),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn messages_never_carry_keys() {
        let body = br#"{"error":{"message":"Incorrect API key provided: sk-proj-abc***wxyz. You can find your API key at https://platform.openai.com.","type":"invalid_request_error"}}"#;
        let ModelError::Rejected { message, .. } =
            status_error(401, None, body, Some("sk-proj-abcdefwxyz"))
        else {
            panic!("401 is a rejection");
        };
        assert!(message.starts_with("invalid_request_error: Incorrect API key provided"));
        assert!(!message.contains("sk-"), "{message}");
        let echoed = redact(
            "key was AIzaSyA-secretsecretsecret1234 and secret-key-value",
            Some("secret-key-value"),
        );
        assert!(
            !echoed.contains("AIza") && !echoed.contains("secret-key-value"),
            "{echoed}"
        );
        assert!(redact(&"x".repeat(1000), None).chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn answers_may_be_fenced() {
        assert_eq!(
            parse_answer("```json\n{\"a\":1}\n```").unwrap(),
            serde_json::json!({"a": 1})
        );
        assert!(matches!(
            parse_answer("Sure! {\"a\":1}"),
            Err(ModelError::Malformed(_))
        ));
    }
}
