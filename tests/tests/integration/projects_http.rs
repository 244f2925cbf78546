//! The projects API as a client sees it: status codes, headers and problem bodies.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use visions_tests::{Reply, TestApp};

async fn create(app: &TestApp, sub: &str, name: &str) -> Reply {
    let reply = app
        .call(
            Method::POST,
            "/v1/projects",
            Some(sub),
            Some(json!({"name": name})),
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply
}

fn is_problem(reply: &Reply, status: StatusCode, slug: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), "application/problem+json");
    assert_eq!(reply.problem(), slug, "{}", reply.body);
    assert_eq!(reply.body["status"], status.as_u16());
}

async fn crud_round_trip(app: TestApp) {
    let created = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("alice"),
            Some(json!({
                "name": "Acme Coffee Roasters",
                "description": "Small-batch roastery in Portland",
                "brand": {"colors": {"primary": "#6B3E26", "accent": "#F2C14E"}, "fonts": {"heading": "Fraunces", "body": "Inter"}, "tone": "warm, confident", "logo_url": "https://cdn.example.com/acme/logo.png"}
            })),
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location"), format!("/v1/projects/{id}"));
    assert_eq!(created.header("etag"), "\"1\"");
    assert_eq!(created.body["version"], 1);
    assert_eq!(created.body["brand"]["fonts"]["heading"], "Fraunces");

    let uri = format!("/v1/projects/{id}");
    let fetched = app.call(Method::GET, &uri, Some("alice"), None, &[]).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, created.body);

    let patched = app
        .call(
            Method::PATCH,
            &uri,
            Some("alice"),
            Some(json!({"name": "Acme Coffee"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.header("etag"), "\"2\"");
    assert_eq!(
        (
            patched.body["name"].as_str(),
            patched.body["description"].as_str()
        ),
        (
            Some("Acme Coffee"),
            Some("Small-batch roastery in Portland")
        )
    );

    let stale = app
        .call(
            Method::PATCH,
            &uri,
            Some("alice"),
            Some(json!({"name": "Lost update"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    is_problem(
        &stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
    );
    let unconditional = app
        .call(
            Method::PATCH,
            &uri,
            Some("alice"),
            Some(json!({"name": "Blind write"})),
            &[],
        )
        .await;
    is_problem(
        &unconditional,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition-required",
    );
    assert_eq!(
        app.call(Method::GET, &uri, Some("alice"), None, &[])
            .await
            .body["name"],
        "Acme Coffee"
    );

    let stale_delete = app
        .call(
            Method::DELETE,
            &uri,
            Some("alice"),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    is_problem(
        &stale_delete,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
    );
    let deleted = app
        .call(Method::DELETE, &uri, Some("alice"), None, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    is_problem(
        &app.call(Method::GET, &uri, Some("alice"), None, &[]).await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
    is_problem(
        &app.call(Method::DELETE, &uri, Some("alice"), None, &[])
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
}

#[tokio::test]
async fn crud_round_trip_on_sqlite() {
    crud_round_trip(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn crud_round_trip_on_dynamodb() {
    crud_round_trip(TestApp::dynamo().await).await;
}

#[tokio::test]
async fn another_users_project_is_not_found() {
    let app = TestApp::sqlite().await;
    let id = create(&app, "alice", "Alice's page").await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let uri = format!("/v1/projects/{id}");
    is_problem(
        &app.call(Method::GET, &uri, Some("mallory"), None, &[])
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
    let patch = app
        .call(
            Method::PATCH,
            &uri,
            Some("mallory"),
            Some(json!({"name": "pwned"})),
            &[("if-match", "*")],
        )
        .await;
    is_problem(&patch, StatusCode::NOT_FOUND, "not-found");
    is_problem(
        &app.call(Method::DELETE, &uri, Some("mallory"), None, &[])
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
    let list = app.get("mallory", "/v1/projects").await;
    assert_eq!(list.body["items"], json!([]));
    // Alice's project is untouched.
    assert_eq!(
        app.call(Method::GET, &uri, Some("alice"), None, &[])
            .await
            .body["name"],
        "Alice's page"
    );
}

#[tokio::test]
async fn pagination_walks_every_project_once() {
    let app = TestApp::sqlite().await;
    let mut names = Vec::new();
    for n in 0..5 {
        names.push(format!("Project {n}"));
        create(&app, "alice", &names[n]).await;
    }
    create(&app, "bob", "Bob's").await;
    let mut seen = Vec::new();
    let mut uri = "/v1/projects?limit=2".to_owned();
    loop {
        let page = app.call(Method::GET, &uri, Some("alice"), None, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|p| p["name"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/v1/projects?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    names.reverse();
    assert_eq!(seen, names);
}

#[tokio::test]
async fn limits_are_clamped_and_validated() {
    let app = TestApp::sqlite().await;
    for n in 0..3 {
        create(&app, "alice", &format!("P{n}")).await;
    }
    let big = app.get("alice", "/v1/projects?limit=100000").await;
    assert_eq!(big.status, StatusCode::OK);
    assert_eq!(big.body["items"].as_array().unwrap().len(), 3);
    // The document says `minimum: 1`, an int64: what it calls invalid is refused.
    for bad in [
        "limit=0",
        "limit=",
        "limit=+5",
        "limit=9223372036854775808",
        "limit=abc",
        "limit=-1",
        "limit=1.5",
    ] {
        let reply = app.get("alice", &format!("/v1/projects?{bad}")).await;
        is_problem(&reply, StatusCode::BAD_REQUEST, "invalid-query");
    }
}

#[tokio::test]
async fn cursors_are_bound_to_their_user_and_tamper_proof() {
    let app = TestApp::sqlite().await;
    for n in 0..3 {
        create(&app, "alice", &format!("P{n}")).await;
    }
    let first = app.get("alice", "/v1/projects?limit=1").await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let replayed = app
        .get("bob", &format!("/v1/projects?cursor={cursor}"))
        .await;
    is_problem(&replayed, StatusCode::BAD_REQUEST, "invalid-cursor");
    let mut tampered = cursor.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let reply = app
        .get("alice", &format!("/v1/projects?cursor={tampered}"))
        .await;
    is_problem(&reply, StatusCode::BAD_REQUEST, "invalid-cursor");
    for garbage in ["x", "%00", "a.b"] {
        let reply = app
            .get("alice", &format!("/v1/projects?cursor={garbage}"))
            .await;
        is_problem(&reply, StatusCode::BAD_REQUEST, "invalid-cursor");
    }
    let ok = app
        .get("alice", &format!("/v1/projects?cursor={cursor}"))
        .await;
    assert_eq!(ok.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bodies_that_are_too_large_are_413() {
    let app = TestApp::sqlite().await;
    let huge = json!({"name": "x", "description": "y".repeat(70 * 1024)});
    let reply = app
        .call(Method::POST, "/v1/projects", Some("alice"), Some(huge), &[])
        .await;
    is_problem(&reply, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    // A lying Content-Length is refused before reading.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/v1/projects")
        .header("authorization", format!("Bearer {}", app.token("alice")))
        .header("content-type", "application/json")
        .header("content-length", "10000000")
        .body(Body::from("{}"))
        .unwrap();
    is_problem(
        &app.send(request).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
    );
    let list = app.get("alice", "/v1/projects").await;
    assert_eq!(list.body["items"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn malformed_and_unexpected_bodies_are_refused() {
    let app = TestApp::sqlite().await;
    let request = |body: &str, content_type: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/v1/projects")
            .header("authorization", format!("Bearer {}", app.token("alice")))
            .header("content-type", content_type)
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    for malformed in [
        "{\"name\": \"x\",",
        "not json",
        "",
        "{\"name\": \"x\"} trailing",
    ] {
        is_problem(
            &app.send(request(malformed, "application/json")).await,
            StatusCode::BAD_REQUEST,
            "malformed-json",
        );
    }
    is_problem(
        &app.send(request("{\"name\": \"x\"}", "text/plain")).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
    );
    for field in ["owner", "id", "version", "credits", "tier", "created_at"] {
        let body = json!({"name": "x", field: "alice"}).to_string();
        let reply = app.send(request(&body, "application/json")).await;
        is_problem(&reply, StatusCode::BAD_REQUEST, "invalid-body");
        assert!(reply.body["detail"].as_str().unwrap().contains(field));
    }
    let nested =
        json!({"name": "x", "brand": {"colors": {"primary": "#000", "evil": "#fff"}}}).to_string();
    is_problem(
        &app.send(request(&nested, "application/json")).await,
        StatusCode::BAD_REQUEST,
        "invalid-body",
    );
    is_problem(
        &app.send(request("{\"name\": 42}", "application/json"))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid-body",
    );

    let invalid = json!({"name": " ", "brand": {"colors": {"primary": "red"}, "logo_url": "http://plain.example.com/x.png"}}).to_string();
    let reply = app.send(request(&invalid, "application/json")).await;
    is_problem(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    );
    let fields: Vec<_> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "brand.colors.primary", "brand.logo_url"]);
    assert_eq!(
        app.get("alice", "/v1/projects").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn unknown_routes_methods_and_ids_are_problems() {
    let app = TestApp::sqlite().await;
    is_problem(
        &app.get("alice", "/v1/nothing-here").await,
        StatusCode::NOT_FOUND,
        "not-found",
    );
    is_problem(
        &app.call(Method::PUT, "/v1/projects", Some("alice"), None, &[])
            .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
    );
    for id in [
        "not-a-uuid",
        "..%2F..%2Fetc%2Fpasswd",
        "0190c5a0-0000-7000-8000-000000000001",
    ] {
        is_problem(
            &app.get("alice", &format!("/v1/projects/{id}")).await,
            StatusCode::NOT_FOUND,
            "not-found",
        );
    }
}

#[tokio::test]
async fn health_is_public_and_requests_are_traced() {
    let app = TestApp::sqlite().await;
    let health = app.call(Method::GET, "/healthz", None, None, &[]).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    assert_eq!(
        health.header("x-request-id").len(),
        36,
        "a generated request id"
    );
    let echoed = app
        .call(
            Method::GET,
            "/healthz",
            None,
            None,
            &[("x-request-id", "req-123")],
        )
        .await;
    assert_eq!(echoed.header("x-request-id"), "req-123");
    let unauthenticated = app.call(Method::GET, "/v1/projects", None, None, &[]).await;
    is_problem(&unauthenticated, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(
        unauthenticated
            .header("www-authenticate")
            .starts_with("Bearer")
    );
}

#[tokio::test]
async fn backend_failures_leak_nothing() {
    // A table that does not exist: DynamoDB answers ResourceNotFoundException with the ARN.
    let mut settings = visions_ai::emulator::bootstrap(
        &visions_tests::moto::sdk_config().await,
        &visions_tests::moto::unique("leak"),
    )
    .await
    .unwrap();
    settings.table = "no-such-table-xyz".into();
    let app = TestApp::aws(settings, &[]).await;
    let reply = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("alice"),
            Some(json!({"name": "x"})),
            &[],
        )
        .await;
    is_problem(&reply, StatusCode::INTERNAL_SERVER_ERROR, "internal");
    let text = reply.body.to_string();
    for secret in [
        "no-such-table",
        "arn:",
        "ResourceNotFound",
        "dynamodb",
        "123456789012",
    ] {
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} leaked: {text}"
        );
    }
}

/// A struct written as the array of its fields, which serde's derive would read, is not what
/// the document allows: bodies and their nested objects are JSON objects only.
#[tokio::test]
async fn bodies_and_their_parts_are_objects_only() {
    let app = TestApp::sqlite().await;
    for body in [
        json!(["Acme"]),
        json!({"name": "Acme", "brand": [{}, {}]}),
        json!({"name": "Acme", "brand": {"fonts": [null, null]}}),
        json!({"name": "Acme", "brand": {"colors": ["#000"]}}),
    ] {
        let reply = app
            .call(
                Method::POST,
                "/v1/projects",
                Some("alice"),
                Some(body.clone()),
                &[],
            )
            .await;
        is_problem(&reply, StatusCode::BAD_REQUEST, "invalid-body");
    }
}

/// An `If-Match` sent empty names no version: 428, never a delete or an update.
#[tokio::test]
async fn an_empty_if_match_is_a_precondition_still_required() {
    let app = TestApp::sqlite().await;
    let created = create(&app, "alice", "Kept").await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    for method in [Method::DELETE, Method::PATCH] {
        let reply = app
            .call(
                method.clone(),
                &format!("/v1/projects/{id}"),
                Some("alice"),
                (method == Method::PATCH).then(|| json!({"name": "Changed"})),
                &[("if-match", "")],
            )
            .await;
        is_problem(
            &reply,
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
        );
    }
    let kept = app.get("alice", &format!("/v1/projects/{id}")).await;
    assert_eq!(kept.body["name"], "Kept");
}
