//! Test support: a moto server per test process, per-test AWS resources, token minting and a
//! client for the router.

pub mod moto;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use visions_shared::auth::{JwtVerifier, Tier, TokenRequest, issue_hs256};
use visions_shared::config::{Config, JwtSettings};
use visions_shared::http::{AppState, app};
use visions_shared::secrets::{SecretName, Secrets};
use visions_shared::store::{DynamoProjectStore, ProjectStore, SqliteProjectStore};

/// A response as a client sees it.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: serde_json::Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The problem `type` slug, e.g. `not-found`.
    pub fn problem(&self) -> &str {
        self.body["type"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("https://visions.ai/problems/")
    }
}

pub async fn reply(response: axum::response::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// The router over a given store, with local secrets in a temporary folder.
pub struct TestApp {
    pub router: axum::Router,
    pub jwt: JwtSettings,
    jwt_key: Arc<str>,
    _data: tempfile::TempDir,
}

impl TestApp {
    pub async fn sqlite() -> Self {
        let data = tempfile::tempdir().unwrap();
        let store = SqliteProjectStore::open(&data.path().join("visions.db")).unwrap();
        Self::with_store(Arc::new(store), data).await
    }

    pub async fn dynamo() -> Self {
        let store = DynamoProjectStore::new(moto::dynamo_client().await, moto::table().await);
        Self::with_store(Arc::new(store), tempfile::tempdir().unwrap()).await
    }

    pub async fn with_store(projects: Arc<dyn ProjectStore>, data: tempfile::TempDir) -> Self {
        Self::with_config(projects, data, Config::from_lookup(|_| None).unwrap()).await
    }

    /// `data` may hold a prepared `secrets/jwt-key` (e.g. an Ed25519 public key).
    pub async fn with_config(
        projects: Arc<dyn ProjectStore>,
        data: tempfile::TempDir,
        config: Config,
    ) -> Self {
        let secrets = Arc::new(Secrets::local(data.path()));
        let jwt_key = secrets.get(SecretName::JwtKey).await.unwrap();
        let verifier = Arc::new(JwtVerifier::new(config.jwt.clone(), secrets.clone()));
        let router = app(AppState {
            projects,
            verifier,
            secrets,
        });
        Self {
            router,
            jwt: config.jwt,
            jwt_key,
            _data: data,
        }
    }

    pub fn token(&self, sub: &str) -> String {
        self.token_with(sub, Tier::Free, 3600)
    }

    pub fn token_with(&self, sub: &str, tier: Tier, ttl_secs: i64) -> String {
        issue_hs256(
            &self.jwt,
            &self.jwt_key,
            &TokenRequest {
                sub,
                tier,
                admin: false,
                ttl_secs,
            },
        )
        .unwrap()
    }

    pub fn jwt_key(&self) -> &str {
        &self.jwt_key
    }

    /// A request carrying exactly this `Authorization` value.
    pub async fn get_with_authorization(&self, uri: &str, authorization: &str) -> Reply {
        let request = Request::builder()
            .uri(uri)
            .header("authorization", authorization)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        reply(self.router.clone().oneshot(request).await.unwrap()).await
    }

    /// A JSON request as `sub`, with optional extra headers.
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        sub: Option<&str>,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(sub) = sub {
            builder = builder.header("authorization", format!("Bearer {}", self.token(sub)));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let body = match body {
            Some(json) => {
                builder = builder.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }
}
