//! Cross-origin access for browser clients on other origins (`VISIONS_CORS_ORIGINS`).
//!
//! The API authenticates with `Authorization: Bearer` and `x-api-key` headers, never cookies, so
//! a browser needs no credentialed requests and `Access-Control-Allow-Credentials` is never sent.
//! Origins are listed exactly (`scheme://host[:port]`); `*` lets any origin call the API, which is
//! safe only because no ambient credential (cookie) is ever honoured. With no setting, the API
//! sends no CORS headers and browsers keep other origins out.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};
use visions_domain::config::ConfigError;

use crate::REQUEST_ID_HEADER;

const VARIABLE: &str = "VISIONS_CORS_ORIGINS";

/// Which origins may call the API from a browser.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Cors {
    /// No CORS headers: same-origin browsers and non-browser clients only.
    #[default]
    Off,
    /// Any origin (`*`); requests stay uncredentialed.
    AnyOrigin,
    /// Exactly these origins, each echoed back with `Vary: Origin`.
    Origins(Vec<HeaderValue>),
}

impl Cors {
    /// Reads `VISIONS_CORS_ORIGINS`: a comma-separated list of origins such as
    /// `https://app.example.com,http://localhost:5173`, or `*`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let Some(raw) = lookup(VARIABLE) else {
            return Ok(Self::Off);
        };
        let items: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items == ["*"] {
            return Ok(Self::AnyOrigin);
        }
        let invalid = |reason| ConfigError::Invalid {
            name: VARIABLE,
            value: raw.clone(),
            reason,
        };
        if items.is_empty() {
            return Ok(Self::Off);
        }
        let mut origins = Vec::with_capacity(items.len());
        for item in items {
            if item == "*" {
                return Err(invalid("`*` cannot be combined with listed origins"));
            }
            // Browsers send scheme and host in lower case.
            let item = item.to_ascii_lowercase();
            if !is_origin(&item) {
                return Err(invalid(
                    "each origin is scheme://host[:port] (http or https), with no path or trailing slash",
                ));
            }
            let value = HeaderValue::from_str(&item).map_err(|_| invalid("origins are ASCII"))?;
            origins.push(value);
        }
        Ok(Self::Origins(origins))
    }

    /// The layer answering preflights and marking responses; `None` when CORS is off.
    pub fn layer(&self) -> Option<CorsLayer> {
        let allow_origin = match self {
            Self::Off => return None,
            Self::AnyOrigin => AllowOrigin::any(),
            Self::Origins(origins) => AllowOrigin::list(origins.iter().cloned()),
        };
        Some(
            CorsLayer::new()
                .allow_origin(allow_origin)
                .allow_methods([
                    Method::GET,
                    Method::POST,
                    Method::PATCH,
                    Method::PUT,
                    Method::DELETE,
                ])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    header::IF_MATCH,
                    HeaderName::from_static("idempotency-key"),
                    HeaderName::from_static("x-api-key"),
                    HeaderName::from_static(REQUEST_ID_HEADER),
                ])
                .expose_headers([
                    header::ETAG,
                    header::LOCATION,
                    header::RETRY_AFTER,
                    HeaderName::from_static(REQUEST_ID_HEADER),
                ])
                .max_age(Duration::from_secs(600)),
        )
    }
}

/// `http(s)://host[:port]` exactly as a browser sends it in `Origin`: no user, path or query.
fn is_origin(text: &str) -> bool {
    let Ok(uri) = text.parse::<axum::http::Uri>() else {
        return false;
    };
    let (Some(scheme @ ("http" | "https")), Some(authority)) = (uri.scheme_str(), uri.authority())
    else {
        return false;
    };
    // `Authority::port` hides a port that is not a u16; look for the colon after an IPv6 host.
    let after_host = authority
        .as_str()
        .rsplit_once(']')
        .map_or(authority.as_str(), |(_, tail)| tail);
    let port_ok = !after_host.contains(':') || authority.port_u16().is_some();
    !authority.host().is_empty()
        && !authority.as_str().contains('@')
        && port_ok
        && format!("{scheme}://{authority}") == text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cors(value: &str) -> Result<Cors, ConfigError> {
        Cors::from_lookup(|_| Some(value.to_string()))
    }

    #[test]
    fn unset_means_no_cors() {
        assert_eq!(Cors::from_lookup(|_| None).unwrap(), Cors::Off);
        assert!(Cors::Off.layer().is_none());
    }

    #[test]
    fn lists_exact_origins() {
        let parsed = cors(" https://app.example.com , http://127.0.0.1:5173").unwrap();
        assert_eq!(
            parsed,
            Cors::Origins(vec![
                HeaderValue::from_static("https://app.example.com"),
                HeaderValue::from_static("http://127.0.0.1:5173"),
            ])
        );
        assert!(cors("HTTP://[::1]:8080").is_ok());
        assert_eq!(cors("*").unwrap(), Cors::AnyOrigin);
    }

    #[test]
    fn refuses_what_is_not_an_origin() {
        for bad in [
            "app.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "ftp://example.com",
            "https://example.com:99999",
            "https://",
            "https://example.com,*",
            "https://exa mple.com",
            "https://user@example.com",
        ] {
            assert!(cors(bad).is_err(), "{bad} was accepted");
        }
    }
}
