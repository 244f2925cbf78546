//! Contact forms of published pages, as a visitor and the page's owner meet them: the page's
//! form posts to a signed address; a message comes back to the owner only; forged addresses,
//! bots, bad fields, huge bodies and other media types are refused without storing anything.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use visions_tests::{Reply, TestApp};

/// A generated page for `sub`; returns (project id, the form's address on the page).
async fn published(app: &TestApp, sub: &str) -> (String, String) {
    let project = app.create_project(sub, "Rosa's Bakery").await;
    let accepted = app
        .start_generation(
            sub,
            &project,
            json!({"prompt": "Rosa's Bakery, a sourdough bakery in Portland. Warm tone."}),
            &format!("form-{sub}"),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    app.drain().await;
    let version = app
        .get(sub, &format!("/v1/projects/{project}/versions/1"))
        .await;
    let contact = version.body["page"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "contact")
        .cloned()
        .expect("every page has a contact section");
    let action = contact["props"]["form"]["action"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(action.starts_with("/v1/forms/"), "{action}");
    // The published HTML (served here on the local stack) posts there too, and confirms at
    // #message-sent.
    let html_url = version.body["html_url"].as_str().unwrap();
    if html_url.starts_with("/assets/") {
        let html = app.call(Method::GET, html_url, None, None, &[]).await;
        let html = html.body.as_str().unwrap().to_owned();
        assert!(
            html.contains(&format!("action=\"{action}\"")),
            "the form posts to {action}"
        );
        assert!(html.contains("id=\"message-sent\""));
    }
    (project, action)
}

async fn post(
    app: &TestApp,
    uri: &str,
    content_type: &str,
    body: &str,
    referer: Option<&str>,
) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header("content-type", content_type);
    if let Some(referer) = referer {
        request = request.header("referer", referer);
    }
    app.send(request.body(Body::from(body.to_owned())).unwrap())
        .await
}

async fn messages(app: &TestApp, sub: &str, project: &str) -> Reply {
    app.get(sub, &format!("/v1/projects/{project}/submissions"))
        .await
}

const FORM: &str =
    "name=Maria+Lopez&email=maria%40example.com&message=Do+you+bake+gluten-free+loaves%3F&website=";

async fn a_visitor_writes_and_the_owner_reads(app: TestApp) {
    let (project, action) = published(&app, "alice").await;
    let page = "https://cdn.example.com/pages/abc/index.html";
    let sent = post(
        &app,
        &action,
        "application/x-www-form-urlencoded",
        FORM,
        Some(page),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.header("location"), format!("{page}#message-sent"));
    let json = post(
        &app,
        &action,
        "application/json",
        &json!({"name": "Ken", "email": "ken@example.org", "message": "Open on Mondays?"})
            .to_string(),
        None,
    )
    .await;
    assert_eq!(json.status, StatusCode::ACCEPTED);
    assert_eq!(json.body["status"], "received");
    let plain = post(
        &app,
        &action,
        "application/x-www-form-urlencoded",
        FORM,
        None,
    )
    .await;
    assert_eq!(
        plain.status,
        StatusCode::OK,
        "no referring page: a thank-you page"
    );

    let listed = messages(&app, "alice", &project).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1]["name"], "Ken", "newest first");
    assert_eq!(items[2]["email"], "maria@example.com");
    assert_eq!(items[2]["message"], "Do you bake gluten-free loaves?");

    // Pages of one.
    let first = app
        .get(
            "alice",
            &format!("/v1/projects/{project}/submissions?limit=1"),
        )
        .await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(
            "alice",
            &format!("/v1/projects/{project}/submissions?limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(second.body["items"][0]["name"], "Ken");

    // Nobody else reads them; a deleted project takes them along.
    assert_eq!(
        messages(&app, "mallory", &project).await.status,
        StatusCode::NOT_FOUND
    );
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/v1/projects/{project}"),
            Some("alice"),
            None,
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let id = uuid::Uuid::parse_str(&project).unwrap();
    let left = app
        .stack
        .adapters
        .submissions
        .list(id, 10, None)
        .await
        .unwrap();
    assert!(left.is_empty(), "messages outlived their project");
    let after = post(
        &app,
        &action,
        "application/x-www-form-urlencoded",
        FORM,
        None,
    )
    .await;
    assert_eq!(
        after.status,
        StatusCode::OK,
        "the address still answers; nothing is kept for a gone project"
    );
}

#[tokio::test]
async fn a_visitor_writes_and_the_owner_reads_on_sqlite() {
    a_visitor_writes_and_the_owner_reads(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn a_visitor_writes_and_the_owner_reads_on_dynamodb() {
    a_visitor_writes_and_the_owner_reads(TestApp::dynamo().await).await;
}

#[tokio::test]
async fn forged_addresses_bots_and_bad_input_store_nothing() {
    let app = TestApp::sqlite().await;
    let (project, action) = published(&app, "alice").await;
    let token = action.trim_start_matches("/v1/forms/");
    let (id_part, tag) = token.split_once('.').unwrap();
    let other = uuid::Uuid::now_v7();
    use base64::Engine;
    let forged_id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(other.as_bytes());
    for forged in [
        format!("/v1/forms/{forged_id}.{tag}"),
        format!("/v1/forms/{id_part}.{}", "A".repeat(tag.len())),
        format!("/v1/forms/{id_part}"),
        "/v1/forms/not-a-token".to_owned(),
        format!("/v1/forms/{}", "x".repeat(5000)),
    ] {
        let reply = post(
            &app,
            &forged,
            "application/x-www-form-urlencoded",
            FORM,
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{forged}");
        assert_eq!(reply.header("content-type"), "application/problem+json");
    }
    let bot = post(
        &app,
        &action,
        "application/x-www-form-urlencoded",
        &format!("{FORM}http%3A%2F%2Fspam.example"),
        Some("https://cdn.example.com/p/index.html"),
    )
    .await;
    assert_eq!(
        bot.status,
        StatusCode::SEE_OTHER,
        "bots get the answer people get"
    );
    let invalid = post(
        &app,
        &action,
        "application/x-www-form-urlencoded",
        "name=&email=nope&message=",
        None,
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = invalid.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "email", "message"]);
    let huge = format!("name=a&email=a%40b.co&message={}", "x".repeat(20_000));
    let too_big = post(
        &app,
        &action,
        "application/x-www-form-urlencoded",
        &huge,
        None,
    )
    .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    let xml = post(&app, &action, "text/xml", "<x/>", None).await;
    assert_eq!(xml.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let malformed = post(&app, &action, "application/json", "{\"name\":", None).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let hostile_referer = post(
        &app,
        &action,
        "application/x-www-form-urlencoded",
        FORM,
        Some("javascript:alert(1)"),
    )
    .await;
    assert_eq!(
        hostile_referer.status,
        StatusCode::OK,
        "never redirected to a script"
    );
    let listed = messages(&app, "alice", &project).await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "only the last, valid message was kept"
    );
}
