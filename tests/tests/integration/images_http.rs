//! `POST /v1/images` and `GET /v1/assets/{id}` as a client calls them: the local server, and
//! the image function's own app under a real API Gateway event.

use axum::http::{Method, StatusCode};
use serde_json::json;
use visions_tests::TestApp;
use visions_tests::fake_images::{FakeImageProvider, ImageReply, ImageWire};

async fn post(app: &TestApp, sub: &str, body: &str) -> visions_tests::Reply {
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/v1/images")
        .header("authorization", format!("Bearer {}", app.token(sub)))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn an_image_is_drawn_optimized_and_served_and_only_its_owner_reads_it() {
    let app = TestApp::sqlite().await;
    let created = post(&app, "alice", r#"{"prompt": "Sourdough loaves on linen, morning light", "size": "wide", "style": "natural"}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let asset = &created.body;
    assert_eq!(asset["status"], "ready");
    assert_eq!(asset["model"], "local:art");
    assert_eq!(
        created.header("location"),
        format!("/v1/assets/{}", asset["id"].as_str().unwrap())
    );
    let picture = &asset["picture"];
    assert_eq!(
        (picture["width"].as_u64(), picture["height"].as_u64()),
        (Some(1920), Some(1080))
    );
    let widths: Vec<u64> = picture["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["width"].as_u64().unwrap())
        .collect();
    assert_eq!(
        widths,
        [1920, 1600, 1024, 640, 320],
        "never above the source"
    );
    for source in picture["sources"].as_array().unwrap() {
        let file = app
            .call(
                Method::GET,
                source["url"].as_str().unwrap(),
                None,
                None,
                &[],
            )
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.header("content-type"), "image/webp");
    }
    let path = created.header("location").to_owned();
    let read = app.get("alice", &path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(&read.body, asset);
    assert_eq!(
        app.get("bob", &path).await.status,
        StatusCode::NOT_FOUND,
        "another user's asset is not found"
    );
    assert_eq!(
        app.get("alice", "/v1/assets/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    let anonymous = app.call(Method::GET, &path, None, None, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_requests_get_a_clear_problem_and_make_nothing() {
    let app = TestApp::sqlite().await;
    let bob_project = app.create_project("bob", "Bob's").await;
    let long = "x".repeat(2001);
    for (body, status, kind) in [
        ("{\"prompt\": ", 400, "malformed-json"),
        (
            r#"{"prompt": "a", "size": "wide", "seed": 1}"#,
            400,
            "invalid-body",
        ),
        (r#"{"prompt": "a", "size": "huge"}"#, 400, "invalid-body"),
        (
            r#"{"prompt": "   ", "size": "wide"}"#,
            422,
            "validation-failed",
        ),
        (
            &format!(r#"{{"prompt": "{long}", "size": "wide"}}"#),
            422,
            "validation-failed",
        ),
        (
            r#"{"prompt": "a cat", "size": "wide", "model": "nonsense"}"#,
            422,
            "validation-failed",
        ),
        (
            r#"{"prompt": "a cat", "size": "wide", "model": "openai:dall-e-3"}"#,
            422,
            "validation-failed",
        ),
        (
            r#"{"prompt": "a cat", "size": "wide", "style": "<script>"}"#,
            422,
            "validation-failed",
        ),
        (
            &format!(r#"{{"prompt": "a cat", "size": "wide", "project_id": "{bob_project}"}}"#),
            404,
            "not-found",
        ),
    ] {
        let reply = post(&app, "alice", body).await;
        assert_eq!(reply.status.as_u16(), status, "{body}: {}", reply.body);
        assert_eq!(reply.problem(), kind, "{body}");
    }
}

#[tokio::test]
async fn a_refused_prompt_is_a_422_and_the_failed_asset_keeps_the_reason() {
    let fake =
        FakeImageProvider::start(ImageWire::OpenAi, |_| ImageReply::openai_content_policy()).await;
    let base = fake.openai_base_url();
    let app = TestApp::local(
        &[
            ("OPENAI_BASE_URL", base.as_str()),
            ("OPENAI_API_KEY", "sk-test"),
        ],
        |_| {},
    )
    .await;
    let reply = post(&app, "alice", r#"{"prompt": "something the policy refuses", "size": "square", "model": "openai:gpt-image-1"}"#).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.problem(), "image-refused");
    let detail = reply.body["detail"].as_str().unwrap();
    let id = detail
        .split("asset ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap();
    let asset = app.get("alice", &format!("/v1/assets/{id}")).await;
    assert_eq!(asset.body["status"], "failed");
    assert!(
        asset.body["failure"]
            .as_str()
            .unwrap()
            .contains("safety system"),
        "{}",
        asset.body
    );
    assert!(asset.body["picture"].is_null());
    assert_eq!(fake.calls()[0].json["size"], "1024x1024");
    // The hold placed before the call is given back whole.
    let credits = app.get("alice", "/v1/credits").await.body;
    assert_eq!(
        (credits["balance"].as_u64(), credits["held"].as_u64()),
        (Some(500), Some(0)),
        "{credits}"
    );
    let ledger = app.get("alice", "/v1/usage").await.body;
    assert_eq!(ledger["items"][0]["kind"], "release");
    assert_eq!(ledger["items"][0]["reference"], id);
}

#[tokio::test]
async fn a_provider_image_is_charged_its_price_and_a_free_user_keeps_to_offline_art() {
    let art = visions_imaging::png(&visions_imaging::art::paint(
        "provider art",
        &[[40, 80, 200]],
        1024,
        1024,
    ))
    .unwrap();
    let fake =
        FakeImageProvider::start(ImageWire::OpenAi, move |_| ImageReply::Base64(art.clone())).await;
    let base = fake.openai_base_url();
    let mut app = TestApp::local(
        &[
            ("OPENAI_BASE_URL", base.as_str()),
            ("OPENAI_API_KEY", "sk-test"),
        ],
        |_| {},
    )
    .await;
    let body =
        r#"{"prompt": "A blue ceramic bowl", "size": "square", "model": "openai:gpt-image-1"}"#;
    let made = post(&app, "alice", body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    // gpt-image-1 is a premium image model: 3 credits, said in the answer.
    assert_eq!(made.header("visions-credits"), "3");
    let credits = app.get("alice", "/v1/credits").await.body;
    assert_eq!(
        (credits["balance"].as_u64(), credits["held"].as_u64()),
        (Some(497), Some(0)),
        "{credits}"
    );
    let settled = &app.get("alice", "/v1/usage").await.body["items"][0];
    assert_eq!(
        (settled["kind"].as_str(), settled["charged"].as_u64()),
        (Some("settle"), Some(3))
    );

    // A free user may not call the provider: 403 naming pro, no call, no charge; the
    // offline generator stays theirs, free of charge.
    app.tier = visions_api::auth::Tier::Free;
    let refused = post(&app, "fay", body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(
        (refused.problem(), refused.body["tier"].as_str()),
        ("tier-required", Some("pro"))
    );
    assert_eq!(fake.calls().len(), 1);
    let offline = post(
        &app,
        "fay",
        r#"{"prompt": "A blue ceramic bowl", "size": "square"}"#,
    )
    .await;
    assert_eq!(offline.status, StatusCode::CREATED, "{}", offline.body);
    assert_eq!(offline.header("visions-credits"), "0");
    assert_eq!(app.get("fay", "/v1/credits").await.body["balance"], 25);
}

#[tokio::test]
async fn the_image_function_answers_a_real_api_gateway_event() {
    use lambda_http::request::LambdaRequest;
    use lambda_http::tower::ServiceExt;
    use lambda_http::{Adapter, Context, LambdaEvent};
    let app = TestApp::sqlite().await;
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/apigw/images-create.json"
    ))
    .unwrap()
    .replace("TEST_TOKEN", &app.token("alice"));
    let event: LambdaRequest = serde_json::from_str(&raw).unwrap();
    let function = visions_image::app(app.stack.image_ports(), &app.stack.cors);
    let response = Adapter::from(function)
        .oneshot(LambdaEvent::new(event, Context::default()))
        .await
        .unwrap();
    let response = serde_json::to_value(response).unwrap();
    assert_eq!(response["statusCode"], 201, "{response}");
    let body: serde_json::Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(
        body["prompt"],
        json!("Sourdough loaves cooling on a linen cloth, morning light")
    );
}
