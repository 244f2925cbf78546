//! Browser clients on other origins (`VISIONS_CORS_ORIGINS`): a listed origin's preflight is
//! answered and its responses, errors included, are readable; any other origin gets no CORS
//! header, so the browser refuses to hand it the answer. Credentials are never allowed.

use axum::http::{Method, StatusCode};
use visions_tests::{Reply, TestApp};

const ALLOWED: &str = "http://127.0.0.1:5173";
const OTHER: &str = "https://evil.example";

async fn app() -> TestApp {
    TestApp::local(
        &[(
            "VISIONS_CORS_ORIGINS",
            "http://127.0.0.1:5173, https://app.example.com",
        )],
        |_| {},
    )
    .await
}

async fn preflight(app: &TestApp, origin: &str, method: &str, headers: &str) -> Reply {
    app.call(
        Method::OPTIONS,
        "/v1/projects",
        None,
        None,
        &[
            ("origin", origin),
            ("access-control-request-method", method),
            ("access-control-request-headers", headers),
        ],
    )
    .await
}

#[tokio::test]
async fn allowed_origin_preflight_is_answered_without_credentials() {
    let app = app().await;
    let reply = preflight(
        &app,
        ALLOWED,
        "POST",
        "authorization,content-type,idempotency-key",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("access-control-allow-origin"), ALLOWED);
    let methods = reply.header("access-control-allow-methods");
    assert!(
        methods.contains("POST") && methods.contains("PATCH"),
        "{methods}"
    );
    let headers = reply.header("access-control-allow-headers");
    for needed in [
        "authorization",
        "content-type",
        "idempotency-key",
        "x-api-key",
        "if-match",
    ] {
        assert!(headers.contains(needed), "{needed} missing from {headers}");
    }
    assert_eq!(reply.header("access-control-allow-credentials"), "");
    assert!(
        reply.header("vary").contains("origin"),
        "{:?}",
        reply.headers
    );
}

#[tokio::test]
async fn other_origins_get_no_cors_headers() {
    let app = app().await;
    for origin in [OTHER, "http://127.0.0.1:5174", "null"] {
        let reply = preflight(&app, origin, "GET", "authorization").await;
        assert_eq!(reply.header("access-control-allow-origin"), "", "{origin}");
        let listed = app
            .call(
                Method::GET,
                "/v1/projects",
                Some("alice"),
                None,
                &[("origin", origin)],
            )
            .await;
        assert_eq!(listed.header("access-control-allow-origin"), "", "{origin}");
    }
}

#[tokio::test]
async fn allowed_origin_reads_answers_and_errors() {
    let app = app().await;
    app.create_project("alice", "Cross-origin").await;
    let listed = app
        .call(
            Method::GET,
            "/v1/projects",
            Some("alice"),
            None,
            &[("origin", ALLOWED)],
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.header("access-control-allow-origin"), ALLOWED);
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
    let exposed = listed.header("access-control-expose-headers");
    assert!(
        exposed.contains("etag") && exposed.contains("location"),
        "{exposed}"
    );

    // A browser client must be able to read why it was refused.
    let refused = app
        .call(
            Method::GET,
            "/v1/projects",
            None,
            None,
            &[("origin", ALLOWED)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.header("access-control-allow-origin"), ALLOWED);
}

#[tokio::test]
async fn no_setting_means_no_cors() {
    let app = TestApp::sqlite().await;
    let reply = preflight(&app, ALLOWED, "GET", "authorization").await;
    assert_eq!(reply.header("access-control-allow-origin"), "");
}
