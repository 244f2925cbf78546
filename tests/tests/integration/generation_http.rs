//! Generation through the API as a client sees it: 202 with a job, the job's progress and
//! outcome, immutable versions with served HTML, one-section regeneration, idempotency, and
//! bad input refused before anything is stored or queued.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use visions_tests::{Reply, TestApp, page_text};

const PROMPT: &str = "Landing page for Acme Coffee Roasters, a small-batch roastery in Portland selling single-origin beans by subscription to home baristas. Warm, confident tone.";

async fn project(app: &TestApp, sub: &str) -> String {
    app.create_project(sub, "Acme Coffee").await
}

async fn generate(app: &TestApp, sub: &str, project: &str, body: Value, key: &str) -> Reply {
    app.start_generation(sub, project, body, key).await
}

async fn job(app: &TestApp, sub: &str, id: &str) -> Value {
    let reply = app.get(sub, &format!("/v1/jobs/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

fn is_problem(reply: &Reply, status: StatusCode, slug: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.problem(), slug, "{}", reply.body);
}

async fn generate_and_read_back(app: TestApp) {
    let project = project(&app, "alice").await;
    let accepted = generate(
        &app,
        "alice",
        &project,
        json!({"prompt": PROMPT, "locale": "en"}),
        "key-1",
    )
    .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    let job_id = accepted.body["id"].as_str().unwrap().to_owned();
    assert_eq!(accepted.header("location"), format!("/v1/jobs/{job_id}"));
    assert_eq!(
        (
            accepted.body["status"].as_str(),
            accepted.body["stage"].as_str()
        ),
        (Some("queued"), Some("queued"))
    );

    assert_eq!(app.drain().await, 1);
    let done = job(&app, "alice", &job_id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        (done["stage"].as_str(), done["progress"].as_u64()),
        (Some("done"), Some(100))
    );
    assert_eq!(done["version"], 1);
    let agents: Vec<&str> = done["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["agent"].as_str().unwrap())
        .collect();
    assert!(
        agents.contains(&"layout") && agents.contains(&"copy"),
        "usage is recorded per call: {agents:?}"
    );

    let versions = app
        .get("alice", &format!("/v1/projects/{project}/versions"))
        .await;
    assert_eq!(versions.status, StatusCode::OK);
    assert_eq!(versions.body["items"].as_array().unwrap().len(), 1);
    let version = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    assert_eq!(version.status, StatusCode::OK, "{}", version.body);
    let page = &version.body["page"];
    assert_eq!(page["schema_version"], 1);
    assert_eq!(
        page["provenance"]["design_ids"].as_array().unwrap().len(),
        3,
        "the top 3 designs are recorded"
    );
    assert!(
        page["provenance"]["models"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "layout=local:composer")
    );
    let words = page_text(page);
    for expected in ["Acme Coffee Roasters", "Portland"] {
        assert!(
            words.contains(expected),
            "the page names {expected}: {words}"
        );
    }

    // The HTML is where the version says, as a browser would fetch it.
    let html_url = version.body["html_url"].as_str().unwrap().to_owned();
    if let Some(path) = html_url.strip_prefix("/assets/") {
        let html = app
            .call(Method::GET, &format!("/assets/{path}"), None, None, &[])
            .await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(html.header("content-type").starts_with("text/html"));
        assert!(
            html.header("content-security-policy")
                .contains("default-src 'none'")
        );
        assert!(html.body.as_str().unwrap().contains("Acme Coffee Roasters"));
    } else {
        let bucket = &app.aws.as_ref().expect("the AWS backend").assets_bucket;
        let key = html_url
            .split_once(&format!("{bucket}/"))
            .map(|(_, k)| k)
            .expect("an S3 URL");
        let s3 = visions_aws::s3_client(&visions_tests::moto::sdk_config().await);
        let object = s3
            .get_object()
            .bucket(&app.aws.as_ref().unwrap().assets_bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        assert_eq!(object.content_type(), Some("text/html; charset=utf-8"));
        let html = String::from_utf8(object.body.collect().await.unwrap().to_vec()).unwrap();
        assert!(html.contains("Acme Coffee Roasters"));
    }

    // Regenerate one section: a new version where only that section changed.
    let hero_before = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "hero")
        .unwrap()
        .clone();
    let others_before: Vec<Value> = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["type"] != "hero")
        .cloned()
        .collect();
    let regenerate = app
        .call(
            Method::POST,
            &format!(
                "/v1/projects/{project}/sections/{}/regenerate",
                hero_before["id"].as_str().unwrap()
            ),
            Some("alice"),
            Some(json!({"prompt": "Make it punchier and mention the free first bag"})),
            &[("idempotency-key", "regen-1")],
        )
        .await;
    assert_eq!(
        regenerate.status,
        StatusCode::ACCEPTED,
        "{}",
        regenerate.body
    );
    assert_eq!(regenerate.body["kind"], "regenerate_section");
    app.drain().await;
    let regenerated = job(&app, "alice", regenerate.body["id"].as_str().unwrap()).await;
    assert_eq!(
        (
            regenerated["status"].as_str(),
            regenerated["version"].as_u64()
        ),
        (Some("succeeded"), Some(2)),
        "{regenerated}"
    );
    let v2 = app
        .get("alice", &format!("/v1/projects/{project}/versions/2"))
        .await;
    let others_after: Vec<Value> = v2.body["page"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["type"] != "hero")
        .cloned()
        .collect();
    assert_eq!(others_after, others_before, "every other section is kept");
    let v1_again = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    assert_eq!(v1_again.body["page"], *page, "version 1 is immutable");
    let listed = app
        .get("alice", &format!("/v1/projects/{project}/versions?limit=1"))
        .await;
    assert_eq!(listed.body["items"][0]["number"], 2, "newest first");
    let cursor = listed.body["next_cursor"].as_str().unwrap();
    let next = app
        .get(
            "alice",
            &format!("/v1/projects/{project}/versions?limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(next.body["items"][0]["number"], 1);
    assert!(next.body["next_cursor"].is_null());
}

#[tokio::test]
async fn generate_and_read_back_on_sqlite() {
    generate_and_read_back(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn generate_and_read_back_on_dynamodb_sqs_and_s3() {
    generate_and_read_back(TestApp::dynamo().await).await;
}

#[tokio::test]
async fn idempotency_keys_return_the_same_job_and_refuse_reuse() {
    let app = TestApp::sqlite().await;
    let project = project(&app, "alice").await;
    let body = json!({"prompt": PROMPT});
    let first = generate(&app, "alice", &project, body.clone(), "same-key").await;
    let again = generate(&app, "alice", &project, body.clone(), "same-key").await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(
        again.body["id"], first.body["id"],
        "a retry gets the same job"
    );
    let reused = generate(
        &app,
        "alice",
        &project,
        json!({"prompt": "Something else entirely"}),
        "same-key",
    )
    .await;
    is_problem(
        &reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    );
    // Keys belong to their user: bob's identical key is his own.
    let bobs_project = self::project(&app, "bob").await;
    let bob = generate(&app, "bob", &bobs_project, body.clone(), "same-key").await;
    assert_eq!(bob.status, StatusCode::ACCEPTED);
    assert_ne!(bob.body["id"], first.body["id"]);
    // Two messages for alice's job (first + replay) and one for bob's: alice's runs once.
    assert_eq!(app.drain().await, 3);
    let id = first.body["id"].as_str().unwrap();
    let done = job(&app, "alice", id).await;
    assert_eq!(
        (done["status"].as_str(), done["version"].as_u64()),
        (Some("succeeded"), Some(1))
    );
    assert!(
        done.get("attempts").is_none(),
        "internal fields stay inside"
    );
    // The attempt count is the worker's, kept in the store.
    let stored = app
        .stack
        .adapters
        .jobs
        .get("alice", id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attempts, 1);
    let versions = app
        .get("alice", &format!("/v1/projects/{project}/versions"))
        .await;
    assert_eq!(
        versions.body["items"].as_array().unwrap().len(),
        1,
        "the duplicate delivery made no second version"
    );
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_queued() {
    let app = TestApp::sqlite().await;
    let project = project(&app, "alice").await;
    let uri = format!("/v1/projects/{project}/generate");
    let missing_key = app
        .call(
            Method::POST,
            &uri,
            Some("alice"),
            Some(json!({"prompt": PROMPT})),
            &[],
        )
        .await;
    is_problem(
        &missing_key,
        StatusCode::BAD_REQUEST,
        "idempotency-key-required",
    );
    let cases = [
        (json!({"prompt": ""}), "prompt"),
        (json!({"prompt": "x".repeat(4001)}), "prompt"),
        (json!({"prompt": PROMPT, "model": "not a model"}), "model"),
        (json!({"prompt": PROMPT, "model": "openai:gpt-4o"}), "model"),
        (
            json!({"prompt": PROMPT, "locale": "english please"}),
            "locale",
        ),
        (
            json!({"prompt": PROMPT, "brand": {"colors": {"primary": "red"}}}),
            "brand.colors.primary",
        ),
    ];
    for (i, (body, field)) in cases.into_iter().enumerate() {
        let reply = generate(&app, "alice", &project, body, &format!("k{i}")).await;
        is_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        );
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
    }
    let unknown = generate(
        &app,
        "alice",
        &project,
        json!({"prompt": PROMPT, "credits": 1000}),
        "k-unknown",
    )
    .await;
    is_problem(&unknown, StatusCode::BAD_REQUEST, "invalid-body");
    let other_user = generate(
        &app,
        "mallory",
        &project,
        json!({"prompt": PROMPT}),
        "k-mallory",
    )
    .await;
    is_problem(&other_user, StatusCode::NOT_FOUND, "not-found");
    let no_such = generate(
        &app,
        "alice",
        "0190c5a0-0000-7000-8000-000000000001",
        json!({"prompt": PROMPT}),
        "k-none",
    )
    .await;
    is_problem(&no_such, StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.drain().await, 0, "nothing was queued");
}

#[tokio::test]
async fn jobs_versions_and_sections_of_others_are_not_found() {
    let app = TestApp::sqlite().await;
    let project = project(&app, "alice").await;
    let accepted = generate(&app, "alice", &project, json!({"prompt": PROMPT}), "k").await;
    app.drain().await;
    let job_id = accepted.body["id"].as_str().unwrap();
    for uri in [
        format!("/v1/jobs/{job_id}"),
        format!("/v1/projects/{project}/versions"),
        format!("/v1/projects/{project}/versions/1"),
        "/v1/jobs/not-a-uuid".to_owned(),
        format!("/v1/projects/{project}/versions/abc"),
    ] {
        let reply = app
            .call(Method::GET, &uri, Some("mallory"), None, &[])
            .await;
        is_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    }
    let regenerate = app
        .call(
            Method::POST,
            &format!("/v1/projects/{project}/sections/no-such-section/regenerate"),
            Some("alice"),
            Some(json!({"prompt": "Shorter"})),
            &[("idempotency-key", "r")],
        )
        .await;
    is_problem(&regenerate, StatusCode::NOT_FOUND, "not-found");
    let foreign_cursor = app
        .get(
            "alice",
            &format!("/v1/projects/{project}/versions?cursor=abc.def"),
        )
        .await;
    is_problem(&foreign_cursor, StatusCode::BAD_REQUEST, "invalid-cursor");
}

#[tokio::test]
async fn the_local_server_serves_only_existing_assets() {
    let app = TestApp::sqlite().await;
    for path in [
        "/assets/pages/nothing/index.html",
        "/assets/..%2F..%2Fvisions.db",
        "/assets/secrets/jwt-key",
    ] {
        let reply = app.call(Method::GET, path, None, None, &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
}

/// A project that says where its page is published gets that address as the page's canonical
/// URL; anything but an https URL is refused.
#[tokio::test]
async fn the_site_url_is_the_canonical_url() {
    let app = TestApp::sqlite().await;
    let bad = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("alice"),
            Some(json!({"name": "Rosa's", "site_url": "javascript:alert(1)"})),
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let created = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("alice"),
            Some(json!({"name": "Rosa's", "site_url": "https://rosas.example/spring"})),
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["site_url"], "https://rosas.example/spring");
    let project = created.body["id"].as_str().unwrap();
    let accepted = app
        .start_generation(
            "alice",
            project,
            json!({"prompt": "Rosa's Bakery in Portland"}),
            "canon",
        )
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    app.drain().await;
    let version = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    assert_eq!(
        version.body["page"]["seo"]["canonical_url"],
        "https://rosas.example/spring"
    );
    let html = app
        .call(
            Method::GET,
            version.body["html_url"].as_str().unwrap(),
            None,
            None,
            &[],
        )
        .await;
    let html = html.body.as_str().unwrap();
    assert!(
        html.contains(r#"<link rel="canonical" href="https://rosas.example/spring">"#),
        "{html}"
    );
    assert!(html.contains(r#"<meta property="og:url" content="https://rosas.example/spring">"#));
}

/// A restore adds a version equal to the restored one; versions themselves never change.
#[tokio::test]
async fn restoring_a_version_makes_a_new_equal_one() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Rosa's").await;
    for (n, prompt) in [
        "Rosa's Bakery, sourdough in Portland",
        "Rosa's Bakery, now with pastries, in Portland",
    ]
    .iter()
    .enumerate()
    {
        let accepted = app
            .start_generation(
                "alice",
                &project,
                json!({"prompt": prompt}),
                &format!("v{n}"),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::ACCEPTED);
        app.drain().await;
    }
    let restore = |n: &str, sub: &'static str| {
        let uri = format!("/v1/projects/{project}/versions/{n}/restore");
        let app = &app;
        async move { app.call(Method::POST, &uri, Some(sub), None, &[]).await }
    };
    let restored = restore("1", "alice").await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.body);
    assert_eq!(
        restored.header("location"),
        format!("/v1/projects/{project}/versions/3")
    );
    assert_eq!(restored.body["number"], 3);
    assert_eq!(restored.body["restored_from"], 1);
    let first = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    assert_eq!(restored.body["page"], first.body["page"]);
    assert_eq!(restored.body["html_url"], first.body["html_url"]);
    let listed = app
        .get("alice", &format!("/v1/projects/{project}/versions"))
        .await;
    assert_eq!(
        listed.body["items"][0]["number"], 3,
        "the newest is the restored one"
    );
    assert_eq!(restore("9", "alice").await.status, StatusCode::NOT_FOUND);
    assert_eq!(restore("x", "alice").await.status, StatusCode::NOT_FOUND);
    assert_eq!(restore("1", "mallory").await.status, StatusCode::NOT_FOUND);
}

/// `variants: 3` makes three distinct pages (their own plans and headlines) as three versions
/// of one job; out of range is refused before any job exists.
#[tokio::test]
async fn variants_are_distinct_versions_of_one_job() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Harbor Yoga").await;
    for bad in [0, 4] {
        let refused = app
            .start_generation(
                "alice",
                &project,
                json!({"prompt": "Harbor Yoga in Halifax", "variants": bad}),
                &format!("bad-{bad}"),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            refused.body
        );
    }
    let accepted = app
        .start_generation(
            "alice",
            &project,
            json!({"prompt": "Harbor Yoga, a yoga studio in Halifax with classes for beginners. Book at harboryoga.ca/book.", "variants": 3}),
            "three",
        )
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    assert_eq!(accepted.body["input"]["variants"], 3);
    app.drain().await;
    let job = app
        .get(
            "alice",
            &format!("/v1/jobs/{}", accepted.body["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(job.body["status"], "succeeded", "{}", job.body);
    assert_eq!(job.body["versions"], json!([1, 2, 3]));
    assert_eq!(job.body["version"], 1);
    let mut headlines = std::collections::HashSet::new();
    let mut plans = std::collections::HashSet::new();
    for n in 1..=3 {
        let version = app
            .get("alice", &format!("/v1/projects/{project}/versions/{n}"))
            .await;
        let page = &version.body["page"];
        headlines.insert(page["sections"][0]["props"]["headline"].to_string());
        let plan: Vec<String> = page["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["type"].to_string())
            .collect();
        plans.insert(plan);
        assert_eq!(
            version.body["quality"]["publishable"], true,
            "{}",
            version.body["quality"]
        );
    }
    assert_eq!(headlines.len(), 3, "three headlines: {headlines:?}");
    assert!(plans.len() >= 2, "the variants' plans differ: {plans:?}");
}
