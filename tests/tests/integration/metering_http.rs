//! Metering over HTTP, as a user and an administrator meet it: signup credits, holds and
//! settlements, 402 and 403 problems, the ledger, API keys and the local gateway's checks.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use visions_api::auth::Tier;
use visions_tests::{Reply, TestApp};

const PROMPT: &str = "Harbor Yoga, a small yoga studio in Brighton offering beginner classes";

/// The app, minting free-tier tokens.
fn free(mut app: TestApp) -> TestApp {
    app.tier = Tier::Free;
    app
}

async fn credits(app: &TestApp, sub: &str) -> Value {
    let reply = app.get(sub, "/v1/credits").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn usage(app: &TestApp, sub: &str) -> Value {
    let reply = app.get(sub, "/v1/usage").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// The balance equals the sum of the ledger's amounts, and `held` the sum of the holds.
async fn assert_balanced(app: &TestApp, sub: &str) {
    let account = credits(app, sub).await;
    let mut sum = 0i64;
    let mut cursor: Option<String> = None;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/v1/usage?limit=100&cursor={c}"),
            None => "/v1/usage?limit=100".to_owned(),
        };
        let page = app.get(sub, &uri).await.body;
        sum += page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["amount"].as_i64().unwrap())
            .sum::<i64>();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(account["balance"].as_i64().unwrap(), sum, "{account}");
    let held: u64 = account["holds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["amount"].as_u64().unwrap())
        .sum();
    assert_eq!(account["held"].as_u64().unwrap(), held);
}

async fn grant(app: &TestApp, user: &str, amount: i64, key: &str) -> Reply {
    app.call_with(
        Method::POST,
        "/v1/admin/credits",
        Some(&app.admin_token("root")),
        Some(json!({"user": user, "amount": amount, "reason": "test"})),
        &[("idempotency-key", key)],
    )
    .await
}

#[tokio::test]
async fn a_free_generation_holds_then_settles_to_what_ran() {
    let app = free(TestApp::sqlite().await);
    let opened = credits(&app, "fay").await;
    assert_eq!(opened["tier"], "free");
    assert_eq!(opened["balance"], 25);
    let project = app.create_project("fay", "Harbor Yoga").await;
    let started = app
        .start_generation("fay", &project, json!({"prompt": PROMPT}), "g1")
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    // Free is held at the standard class (2) until the job says what ran.
    assert_eq!(started.header("visions-credits"), "2");
    assert_eq!(started.body["credits_held"], 2);
    let during = credits(&app, "fay").await;
    assert_eq!(
        (during["balance"].as_u64(), during["held"].as_u64()),
        (Some(23), Some(2))
    );
    assert_eq!(during["holds"][0]["reference"], started.body["id"]);

    assert_eq!(app.drain().await, 1);
    let job = app.get("fay", started.header("location")).await.body;
    assert_eq!(job["status"], "succeeded", "{job}");
    // The offline composer and offline art: one page at the local class.
    assert_eq!(job["credits_charged"], 1);
    let after = credits(&app, "fay").await;
    assert_eq!(
        (after["balance"].as_u64(), after["held"].as_u64()),
        (Some(24), Some(0))
    );
    let ledger = usage(&app, "fay").await;
    let kinds: Vec<&str> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["signup", "hold", "settle"]);
    assert_eq!(ledger["items"][0]["charged"], 1);
    assert_eq!(ledger["days"][0]["charged"], 1);
    assert_eq!(ledger["days"][0]["granted"], 25);
    assert_balanced(&app, "fay").await;

    // Another user's ledger is their own.
    let other = usage(&app, "gus").await;
    assert_eq!(other["items"].as_array().unwrap().len(), 1, "{other}");
}

#[tokio::test]
async fn free_users_are_refused_pro_features_with_no_charge() {
    // OpenAI is configured, so its models are offered (to the tiers that include them); the
    // refusals come before any call.
    let app = free(TestApp::local(&[("OPENAI_API_KEY", "sk-test")], |_| {}).await);
    let project = app.create_project("fay", "Harbor Yoga").await;
    for (body, what) in [
        (
            json!({"prompt": PROMPT, "model": "openai:gpt-4o"}),
            "openai:gpt-4o",
        ),
        (json!({"prompt": PROMPT, "variants": 2}), "2 variants"),
    ] {
        let key = what.replace(' ', "-");
        let refused = app.start_generation("fay", &project, body, &key).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.problem(), "tier-required");
        assert_eq!(refused.body["tier"], "pro");
        assert!(
            refused.body["detail"].as_str().unwrap().contains(what),
            "{}",
            refused.body
        );
    }
    // A pro image model is refused the same way by the image function.
    let image = app
        .call(
            Method::POST,
            "/v1/images",
            Some("fay"),
            Some(json!({"prompt": "A quiet yoga room", "size": "wide", "model": "openai:gpt-image-1"})),
            &[],
        )
        .await;
    assert_eq!(image.status, StatusCode::FORBIDDEN, "{}", image.body);
    assert_eq!(image.body["tier"], "pro");
    let after = credits(&app, "fay").await;
    assert_eq!(
        (after["balance"].as_u64(), after["held"].as_u64()),
        (Some(25), Some(0))
    );
    assert_eq!(
        usage(&app, "fay").await["items"].as_array().unwrap().len(),
        1
    );
    assert_eq!(app.drain().await, 0, "nothing was queued");

    // The free plan keeps 3 projects.
    for name in ["Two", "Three"] {
        app.create_project("fay", name).await;
    }
    let fourth = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("fay"),
            Some(json!({"name": "Four"})),
            &[],
        )
        .await;
    assert_eq!(fourth.status, StatusCode::FORBIDDEN, "{}", fourth.body);
    assert_eq!(fourth.problem(), "tier-required");
}

#[tokio::test]
async fn a_short_balance_is_a_402_and_nothing_is_queued() {
    let app = free(TestApp::sqlite().await);
    let project = app.create_project("ivy", "Harbor Yoga").await;
    // 25 signup credits, 24 taken away: one left, a free generation holds 2.
    let taken = grant(&app, "ivy", -24, "take-24").await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(taken.body["balance"], 1);
    let refused = app
        .start_generation("ivy", &project, json!({"prompt": PROMPT}), "short")
        .await;
    assert_eq!(
        refused.status,
        StatusCode::PAYMENT_REQUIRED,
        "{}",
        refused.body
    );
    assert_eq!(refused.problem(), "insufficient-credits");
    assert_eq!(
        (
            refused.body["balance"].as_u64(),
            refused.body["cost"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(app.drain().await, 0);
    // Naming the offline composer holds only what it costs (1): accepted.
    let composer = app
        .start_generation(
            "ivy",
            &project,
            json!({"prompt": PROMPT, "model": "local:composer"}),
            "composer",
        )
        .await;
    assert_eq!(composer.status, StatusCode::ACCEPTED, "{}", composer.body);
    assert_eq!(app.drain().await, 1);
    assert_eq!(credits(&app, "ivy").await["balance"], 0);
    assert_balanced(&app, "ivy").await;
}

async fn fifty_on_ten(app: TestApp) {
    let project = app.create_project("kim", "Harbor Yoga").await;
    assert_eq!(grant(&app, "kim", -15, "to-ten").await.body["balance"], 10);
    let requests = (0..50).map(|i| {
        let (app, project) = (&app, &project);
        async move {
            app.start_generation(
                "kim",
                project,
                json!({"prompt": PROMPT, "model": "local:composer"}),
                &format!("burst-{i}"),
            )
            .await
            .status
        }
    });
    let statuses = futures::future::join_all(requests).await;
    let accepted = statuses
        .iter()
        .filter(|s| **s == StatusCode::ACCEPTED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::PAYMENT_REQUIRED)
        .count();
    assert_eq!((accepted, refused), (10, 40), "{statuses:?}");
    let account = credits(&app, "kim").await;
    assert_eq!(
        (account["balance"].as_u64(), account["held"].as_u64()),
        (Some(0), Some(10))
    );
    assert_balanced(&app, "kim").await;
}

#[tokio::test]
async fn fifty_concurrent_requests_on_a_balance_of_ten_accept_exactly_ten_on_sqlite() {
    fifty_on_ten(free(TestApp::sqlite().await)).await;
}

/// On DynamoDB through the API, on the emulator that serializes requests as DynamoDB
/// serializes transactions (see `moto::serial_endpoint`).
#[tokio::test]
async fn fifty_concurrent_requests_on_a_balance_of_ten_accept_exactly_ten_on_dynamodb() {
    fifty_on_ten(free(TestApp::dynamo_serial().await)).await;
}

#[tokio::test]
async fn administrators_grant_once_and_change_tiers() {
    let app = free(TestApp::sqlite().await);
    // Everyone else is refused both routes.
    let user = app.token("lee");
    for (method, uri, body) in [
        (
            Method::POST,
            "/v1/admin/credits",
            json!({"user": "lee", "amount": 100, "reason": "x"}),
        ),
        (
            Method::PUT,
            "/v1/admin/users/lee/tier",
            json!({"tier": "pro"}),
        ),
    ] {
        let refused = app
            .call_with(
                method,
                uri,
                Some(&user),
                Some(body),
                &[("idempotency-key", "k")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.problem(), "forbidden");
    }
    credits(&app, "lee").await;
    let first = grant(&app, "lee", 100, "promo-1").await;
    assert_eq!(
        (
            first.body["balance"].as_u64(),
            first.body["applied"].as_bool()
        ),
        (Some(125), Some(true))
    );
    let retried = grant(&app, "lee", 100, "promo-1").await;
    assert_eq!(
        (
            retried.body["balance"].as_u64(),
            retried.body["applied"].as_bool()
        ),
        (Some(125), Some(false))
    );
    let invalid = grant(&app, "lee", 0, "zero").await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing_key = app
        .call_with(
            Method::POST,
            "/v1/admin/credits",
            Some(&app.admin_token("root")),
            Some(json!({"user": "lee", "amount": 1, "reason": "x"})),
            &[],
        )
        .await;
    assert_eq!(missing_key.status, StatusCode::BAD_REQUEST);

    let key = app
        .call(
            Method::POST,
            "/v1/keys",
            Some("lee"),
            Some(json!({"name": "ci"})),
            &[],
        )
        .await;
    assert_eq!(key.body["tier"], "free");
    let pro = app
        .call_with(
            Method::PUT,
            "/v1/admin/users/lee/tier",
            Some(&app.admin_token("root")),
            Some(json!({"tier": "pro"})),
            &[],
        )
        .await;
    assert_eq!(pro.status, StatusCode::OK, "{}", pro.body);
    assert_eq!(pro.body["tier"], "pro");
    // The stored tier counts, whatever the token says; the key moved to the pro plan.
    assert_eq!(credits(&app, "lee").await["tier"], "pro");
    let keys = app.get("lee", "/v1/keys").await;
    assert_eq!(keys.body["items"][0]["tier"], "pro");
    let project = app.create_project("lee", "Harbor Yoga").await;
    let variants = app
        .start_generation(
            "lee",
            &project,
            json!({"prompt": PROMPT, "variants": 2}),
            "v2",
        )
        .await;
    assert_eq!(variants.status, StatusCode::ACCEPTED, "{}", variants.body);
    assert_eq!(app.drain().await, 1);
    assert_balanced(&app, "lee").await;
}

#[tokio::test]
async fn keys_are_shown_once_listed_without_values_and_revoked_by_their_owner() {
    let app = free(TestApp::sqlite().await);
    let created = app
        .call(
            Method::POST,
            "/v1/keys",
            Some("mo"),
            Some(json!({"name": "server"})),
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let value = created.body["value"].as_str().unwrap().to_owned();
    assert!(value.starts_with("vk_") && value.len() >= 40);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let listed = app.get("mo", "/v1/keys").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(
        !listed.body.to_string().contains(&value),
        "the value is never listed"
    );
    assert!(value.starts_with(listed.body["items"][0]["prefix"].as_str().unwrap()));

    // Another user can neither see nor revoke it.
    assert_eq!(app.get("nia", "/v1/keys").await.body["items"], json!([]));
    let foreign = app
        .call(
            Method::DELETE,
            &format!("/v1/keys/{id}"),
            Some("nia"),
            None,
            &[],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    for (name, problem) in [
        ("", "validation-failed"),
        ("\u{7}bell", "validation-failed"),
    ] {
        let bad = app
            .call(
                Method::POST,
                "/v1/keys",
                Some("mo"),
                Some(json!({"name": name})),
                &[],
            )
            .await;
        assert_eq!(bad.problem(), problem, "{name:?}");
    }

    // The key works until it is revoked; then it is refused, as an unknown key is.
    let app = &app;
    let with_key = |key: String| async move {
        app.call(
            Method::GET,
            "/v1/credits",
            Some("mo"),
            None,
            &[("x-api-key", &key)],
        )
        .await
    };
    assert_eq!(with_key(value.clone()).await.status, StatusCode::OK);
    let revoked = app
        .call(
            Method::DELETE,
            &format!("/v1/keys/{id}"),
            Some("mo"),
            None,
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let again = app
        .call(
            Method::DELETE,
            &format!("/v1/keys/{id}"),
            Some("mo"),
            None,
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let refused = with_key(value).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body["detail"].as_str().unwrap().contains("revoked"));
    let unknown = with_key("vk_not-a-key".into()).await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("mo", "/v1/keys").await.body["items"], json!([]));
}

#[tokio::test]
async fn a_required_key_guards_every_protected_route_and_its_plan_throttles_bursts() {
    let app = free(TestApp::sqlite().await).requiring_api_keys();
    // Open routes need no key: health, the document, and the key routes themselves.
    assert_eq!(app.get("ola", "/healthz").await.status, StatusCode::OK);
    assert_eq!(
        app.get("ola", "/v1/openapi.json").await.status,
        StatusCode::OK
    );
    let created = app
        .call(
            Method::POST,
            "/v1/keys",
            Some("ola"),
            Some(json!({"name": "burst"})),
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let value = created.body["value"].as_str().unwrap().to_owned();
    let without = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("ola"),
            Some(json!({"name": "P"})),
            &[],
        )
        .await;
    assert_eq!(without.status, StatusCode::FORBIDDEN, "{}", without.body);
    assert!(
        without.body["detail"]
            .as_str()
            .unwrap()
            .contains("x-api-key")
    );
    let project = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("ola"),
            Some(json!({"name": "Harbor Yoga"})),
            &[("x-api-key", &value)],
        )
        .await;
    assert_eq!(project.status, StatusCode::CREATED, "{}", project.body);
    let project = project.body["id"].as_str().unwrap().to_owned();

    // The free plan: bursts of 5 at 2 a second. Ten at once: the first ones pass, the rest
    // are told when to retry; the passed ones are held exactly once each.
    let requests = (0..10).map(|i| {
        let (app, project, value) = (&app, &project, &value);
        async move {
            app.call(
                Method::POST,
                &format!("/v1/projects/{project}/generate"),
                Some("ola"),
                Some(json!({"prompt": PROMPT, "model": "local:composer"})),
                &[("x-api-key", value), ("idempotency-key", &format!("b{i}"))],
            )
            .await
        }
    });
    let replies = futures::future::join_all(requests).await;
    let accepted = replies
        .iter()
        .filter(|r| r.status == StatusCode::ACCEPTED)
        .count();
    let limited: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(accepted + limited.len(), 10);
    assert!(
        (1..=4).contains(&accepted),
        "one token went to the project; {accepted}"
    );
    for reply in &limited {
        assert_eq!(reply.problem(), "rate-limited");
        assert!(reply.header("retry-after").parse::<u64>().unwrap() >= 1);
    }
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
    let account = app
        .call(
            Method::GET,
            "/v1/credits",
            Some("ola"),
            None,
            &[("x-api-key", &value)],
        )
        .await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert_eq!(account.body["holds"].as_array().unwrap().len(), accepted);
    assert_eq!(
        account.body["balance"].as_u64().unwrap(),
        25 - accepted as u64
    );
    assert_eq!(app.drain().await, accepted);
}

#[tokio::test]
async fn usage_ranges_are_checked_and_pages_chain() {
    let app = free(TestApp::sqlite().await);
    let token = app.token_with("pat", Tier::Pro, 3600);
    for (query, status) in [
        ("from=2026-12-02&to=2026-12-01", StatusCode::BAD_REQUEST),
        ("from=yesterday", StatusCode::BAD_REQUEST),
        ("from=2020-01-01&to=2026-01-01", StatusCode::BAD_REQUEST),
        ("limit=0", StatusCode::BAD_REQUEST),
        ("cursor=forged", StatusCode::BAD_REQUEST),
        ("from=2026-01-01T00:00:00Z", StatusCode::OK),
    ] {
        let reply = app
            .call_with(
                Method::GET,
                &format!("/v1/usage?{query}"),
                Some(&token),
                None,
                &[],
            )
            .await;
        assert_eq!(reply.status, status, "{query}: {}", reply.body);
    }
    for i in 0..3 {
        let reply = grant(&app, "pat", 1, &format!("g{i}")).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let first = app
        .call_with(Method::GET, "/v1/usage?limit=2", Some(&token), None, &[])
        .await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app
        .call_with(
            Method::GET,
            &format!("/v1/usage?limit=2&cursor={cursor}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 2);
    assert!(second.body["next_cursor"].is_null());
    // A cursor is bound to its user.
    let stolen = app
        .get("other", &format!("/v1/usage?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST);
    assert_eq!(first.body["days"][0]["granted"], 503);
}

/// A request that crashed between its hold and its settlement leaves a hold with an expiry:
/// it comes back when its owner reads their credits, and before any refusal for credits.
#[tokio::test]
async fn a_crashed_requests_hold_comes_back_after_it_expires() {
    use visions_domain::credits::Hold;
    let app = free(TestApp::sqlite().await);
    credits(&app, "uma").await;
    let credits_store = app.stack.adapters.credits.clone();
    let mut stale = Hold::new("crashed-image", 20, "image by openai:gpt-image-1");
    stale.expires_at = Some(stale.created_at - time::Duration::minutes(1));
    credits_store.hold("uma", &stale).await.unwrap();
    let mut live = Hold::new("live-upload", 2, "upload optimized");
    live.expires_at = Some(live.created_at + time::Duration::hours(1));
    credits_store.hold("uma", &live).await.unwrap();
    // Reading credits gives the stale hold back; the live one stays.
    let account = credits(&app, "uma").await;
    assert_eq!(
        (account["balance"].as_u64(), account["held"].as_u64()),
        (Some(23), Some(2)),
        "{account}"
    );
    assert_eq!(account["holds"][0]["reference"], "live-upload");
    let ledger = usage(&app, "uma").await;
    assert_eq!(ledger["items"][0]["kind"], "release");
    assert_eq!(ledger["items"][0]["reference"], "crashed-image");
    assert_balanced(&app, "uma").await;

    // The same, found by a generation that the stale hold would leave short of credits.
    let mut stale = Hold::new("crashed-again", 23, "image by openai:gpt-image-1");
    stale.expires_at = Some(stale.created_at - time::Duration::minutes(1));
    credits_store.hold("uma", &stale).await.unwrap();
    let project = app.create_project("uma", "Harbor Yoga").await;
    let started = app
        .start_generation("uma", &project, json!({"prompt": PROMPT}), "after-crash")
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    assert_balanced(&app, "uma").await;
}
