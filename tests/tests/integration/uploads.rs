//! Uploads end to end: `POST /v1/uploads` signs a form, the file goes straight to storage (the
//! local server's upload URL, or a presigned POST to S3 on moto), and the optimize stage,
//! triggered as S3 triggers it, turns the asset ready with its widths or failed with a reason.

use axum::http::{Method, StatusCode};
use image::ImageEncoder;
use serde_json::{Value, json};
use visions_tests::TestApp;

/// A real JPEG, as a phone would send.
fn photo() -> Vec<u8> {
    let art = visions_imaging::art::paint("a storefront at dusk", &[[120, 60, 30]], 1400, 1000);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(
            &art.data,
            art.width,
            art.height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

async fn sign(app: &TestApp, sub: &str, body: Value) -> visions_tests::Reply {
    app.call(Method::POST, "/v1/uploads", Some(sub), Some(body), &[])
        .await
}

/// The form as a browser posts it: the signed fields, then the file.
fn form(upload: &Value, file: Vec<u8>, content_type: &str) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in upload["fields"].as_object().unwrap() {
        form = form.text(name.clone(), value.as_str().unwrap().to_owned());
    }
    form.part(
        "file",
        reqwest::multipart::Part::bytes(file)
            .file_name("upload.bin")
            .mime_str(content_type)
            .unwrap(),
    )
}

/// Serves the local app on a loopback port so a real HTTP client can post the form.
async fn serve(app: &TestApp) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    (
        base,
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() }),
    )
}

#[tokio::test]
async fn a_local_upload_becomes_a_ready_asset_and_the_original_stays_private() {
    let app = TestApp::sqlite().await;
    let (base, _server) = serve(&app).await;
    let file = photo();
    let signed = sign(
        &app,
        "alice",
        json!({"filename": "storefront.jpg", "content_type": "image/jpeg", "bytes": file.len()}),
    )
    .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    assert_eq!(signed.body["asset"]["status"], "pending");
    assert_eq!(signed.body["asset"]["origin"], "upload");
    let upload = &signed.body["upload"];
    let key = upload["fields"]["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("originals/"));
    let client = reqwest::Client::new();
    let sent = client
        .post(format!("{base}{}", upload["url"].as_str().unwrap()))
        .multipart(form(upload, file, "image/jpeg"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 204, "{}", sent.text().await.unwrap());
    let asset = app.get("alice", signed.header("location")).await;
    assert_eq!(asset.body["status"], "ready", "{}", asset.body);
    assert_eq!(asset.body["filename"], "storefront.jpg");
    let widths: Vec<u64> = asset.body["picture"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["width"].as_u64().unwrap())
        .collect();
    assert_eq!(widths, [1400, 1024, 640, 320]);
    // The original is never served; only the optimized widths are public.
    let original = app
        .call(Method::GET, &format!("/assets/{key}"), None, None, &[])
        .await;
    assert_eq!(original.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hostile_uploads_are_refused_or_fail_their_asset_with_a_reason() {
    let app = TestApp::sqlite().await;
    let (base, _server) = serve(&app).await;
    let client = reqwest::Client::new();
    for (body, status) in [
        (
            json!({"filename": "a.svg", "content_type": "image/svg+xml", "bytes": 10}),
            400,
        ),
        (
            json!({"filename": "../../etc/passwd", "content_type": "image/png", "bytes": 10}),
            422,
        ),
        (
            json!({"filename": "a.png", "content_type": "image/png", "bytes": 0}),
            422,
        ),
        (
            json!({"filename": "a.png", "content_type": "image/png", "bytes": 40_000_001u64}),
            422,
        ),
    ] {
        assert_eq!(
            sign(&app, "alice", body.clone()).await.status.as_u16(),
            status,
            "{body}"
        );
    }
    let post = |upload: Value, file: Vec<u8>, ct: &'static str| {
        let client = client.clone();
        let url = format!("{base}{}", upload["url"].as_str().unwrap());
        async move {
            client
                .post(url)
                .multipart(form(&upload, file, ct))
                .send()
                .await
                .unwrap()
        }
    };

    // A ZIP (or HTML) named .png is stored, sniffed, and its asset fails with the reason.
    let zip = b"PK\x03\x04\x14\0\0\0\x08\0pretend archive".to_vec();
    let signed = sign(
        &app,
        "alice",
        json!({"filename": "photo.png", "content_type": "image/png", "bytes": zip.len()}),
    )
    .await;
    let sent = post(signed.body["upload"].clone(), zip, "image/png").await;
    assert_eq!(sent.status(), 204);
    let asset = app.get("alice", signed.header("location")).await;
    assert_eq!(asset.body["status"], "failed");
    assert!(
        asset.body["failure"].as_str().unwrap().contains("ZIP"),
        "{}",
        asset.body
    );

    // More than declared, a forged grant, another key: refused before anything is stored.
    let file = photo();
    let signed = sign(
        &app,
        "alice",
        json!({"filename": "small.jpg", "content_type": "image/jpeg", "bytes": 1000}),
    )
    .await;
    let upload = signed.body["upload"].clone();
    assert_eq!(
        post(upload.clone(), file.clone(), "image/jpeg")
            .await
            .status(),
        413
    );
    let mut forged = upload.clone();
    let url = forged["url"].as_str().unwrap().replace(".", "x.");
    forged["url"] = json!(url);
    assert_eq!(post(forged, file.clone(), "image/jpeg").await.status(), 403);
    let mut other_key = upload.clone();
    other_key["fields"]["key"] = json!("originals/626f62/0193a5b7c1d27e8f9a0b1c2d3e4f5a6b");
    assert_eq!(
        post(other_key, vec![1, 2, 3], "image/jpeg").await.status(),
        403
    );
    assert_eq!(
        app.get("alice", signed.header("location")).await.body["status"],
        "pending"
    );
    // Someone else cannot read the asset.
    assert_eq!(
        app.get("bob", signed.header("location")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_optimize_function_takes_a_real_s3_notification_in_an_sqs_event() {
    use aws_lambda_events::event::sqs::SqsEvent;
    use visions_domain::asset::{Asset, AssetOrigin, AssetStatus, original_key};
    let app = TestApp::sqlite().await;
    let ports = app.stack.optimize_ports();
    let asset = Asset::new(AssetOrigin::Upload, None, time::OffsetDateTime::now_utc());
    let owner = "auth0|user 1";
    ports.assets.insert(owner, &asset).await.unwrap();
    let key = original_key(owner, asset.id);
    ports
        .originals
        .put(&key, photo(), "image/jpeg")
        .await
        .unwrap();
    // S3 URL-encodes the key in its notification.
    let encoded: String = key
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/sqs/s3-upload.json"
    ))
    .unwrap()
    .replace("ORIGINAL_KEY", &encoded);
    let event: SqsEvent = serde_json::from_str(&raw).unwrap();
    let response = visions_optimize::handle_batch(&ports, event.clone()).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "the test event and the upload both succeed"
    );
    let stored = ports.assets.get(owner, asset.id).await.unwrap().unwrap();
    assert_eq!(stored.status, AssetStatus::Ready);
    // Delivered again: nothing changes.
    let again = visions_optimize::handle_batch(&ports, event).await;
    assert!(again.batch_item_failures.is_empty());
    assert_eq!(
        ports.assets.get(owner, asset.id).await.unwrap().unwrap(),
        stored
    );
}

#[tokio::test]
async fn on_aws_a_presigned_post_to_s3_notifies_optimize_through_sqs() {
    use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
    let app = TestApp::dynamo().await;
    let settings = app.aws.clone().unwrap();
    let file = photo();
    let signed = sign(
        &app,
        "alice",
        json!({"filename": "storefront.jpg", "content_type": "image/jpeg", "bytes": file.len()}),
    )
    .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
    let upload = signed.body["upload"].clone();
    for field in [
        "policy",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-algorithm",
    ] {
        assert!(upload["fields"][field].is_string(), "{field} in {upload}");
    }
    let sent = reqwest::Client::new()
        .post(upload["url"].as_str().unwrap())
        .multipart(form(&upload, file, "image/jpeg"))
        .send()
        .await
        .unwrap();
    assert!(
        sent.status().is_success(),
        "{}: {}",
        sent.status(),
        sent.text().await.unwrap()
    );

    // S3 notified the queue the uploads bucket names; hand its messages to the function as
    // Lambda would.
    let s3 = visions_aws::s3_client(&visions_tests::moto::sdk_config().await);
    let notified = s3
        .get_bucket_notification_configuration()
        .bucket(settings.uploads_bucket.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    let queue_arn = notified.queue_configurations()[0].queue_arn();
    let sqs = aws_sdk_sqs::Client::new(&visions_tests::moto::sdk_config().await);
    let queue = sqs
        .get_queue_url()
        .queue_name(queue_arn.rsplit(':').next().unwrap())
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let mut records = Vec::new();
    for _ in 0..10 {
        let received = sqs
            .receive_message()
            .queue_url(&queue)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for message in received.messages.unwrap_or_default() {
            let mut record = SqsMessage::default();
            record.message_id = message.message_id.clone();
            record.body = message.body.clone();
            records.push(record);
        }
        if records.iter().any(|r| {
            r.body
                .as_deref()
                .is_some_and(|b| b.contains("ObjectCreated"))
        }) {
            break;
        }
    }
    let mut event = SqsEvent::default();
    event.records = records;
    let response = visions_optimize::handle_batch(&app.stack.optimize_ports(), event).await;
    assert!(response.batch_item_failures.is_empty());
    let asset = app.get("alice", signed.header("location")).await;
    assert_eq!(asset.body["status"], "ready", "{}", asset.body);
    let first = asset.body["picture"]["sources"][0]["url"].as_str().unwrap();
    // The bucket is private (CloudFront reads it with origin access control): read it as S3.
    let key = first
        .split_once(&format!("{}/", settings.assets_bucket))
        .map(|(_, k)| k)
        .unwrap();
    let object = s3
        .get_object()
        .bucket(&settings.assets_bucket)
        .key(key)
        .send()
        .await
        .unwrap();
    assert_eq!(object.content_type(), Some("image/webp"));
    assert!(object.cache_control().unwrap_or("").contains("immutable"));
}

#[tokio::test]
async fn an_uploaded_image_goes_into_any_slot_as_a_new_version() {
    let app = TestApp::sqlite().await;
    let (base, _server) = serve(&app).await;
    let project = app.create_project("alice", "Rosa's Bakery").await;
    let started = app
        .start_generation(
            "alice",
            &project,
            json!({"prompt": "Rosa's Bakery, a sourdough bakery in Portland"}),
            "g",
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED);
    app.drain().await;
    let v1 = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    let slot = v1.body["page"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            let props = &s["props"];
            let mut ids: Vec<String> = props["images"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect();
            ids.extend(props["image"]["id"].as_str().map(str::to_owned));
            ids
        })
        .next()
        .expect("the page has an image slot");

    let file = photo();
    let signed = sign(
        &app,
        "alice",
        json!({"filename": "shop.jpg", "content_type": "image/jpeg", "bytes": file.len()}),
    )
    .await;
    let asset_id = signed.body["asset"]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/projects/{project}/versions/1/images");
    // Not ready yet: nothing was uploaded.
    let early = app
        .call(
            Method::POST,
            &path,
            Some("alice"),
            Some(json!({"slot_id": slot, "asset_id": asset_id})),
            &[],
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    let upload = signed.body["upload"].clone();
    let sent = reqwest::Client::new()
        .post(format!("{base}{}", upload["url"].as_str().unwrap()))
        .multipart(form(&upload, file, "image/jpeg"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 204);

    let placed = app
        .call(
            Method::POST,
            &path,
            Some("alice"),
            Some(json!({"slot_id": slot, "asset_id": asset_id})),
            &[],
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    assert_eq!(placed.body["number"], 2);
    let v2 = app
        .get("alice", &format!("/v1/projects/{project}/versions/2"))
        .await;
    let asset = app.get("alice", &format!("/v1/assets/{asset_id}")).await;
    let first_url = asset.body["picture"]["sources"][0]["url"].as_str().unwrap();
    let html = app
        .call(
            Method::GET,
            v2.body["html_url"].as_str().unwrap(),
            None,
            None,
            &[],
        )
        .await;
    assert!(
        html.body.as_str().unwrap().contains(first_url),
        "the page shows the uploaded picture"
    );
    assert_eq!(
        v1.body["html_url"],
        app.get("alice", &format!("/v1/projects/{project}/versions/1"))
            .await
            .body["html_url"],
        "version 1 is unchanged"
    );

    for (body, sub, status) in [
        (
            json!({"slot_id": "no-such-slot", "asset_id": asset_id}),
            "alice",
            404,
        ),
        (json!({"slot_id": slot, "asset_id": asset_id}), "bob", 404),
        (
            json!({"slot_id": slot, "asset_id": "0193a5b7-c1d2-7e8f-9a0b-1c2d3e4f5a6b"}),
            "alice",
            404,
        ),
    ] {
        let reply = app
            .call(Method::POST, &path, Some(sub), Some(body.clone()), &[])
            .await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{body} as {sub}: {}",
            reply.body
        );
    }
}
