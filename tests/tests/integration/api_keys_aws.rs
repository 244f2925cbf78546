//! API keys on AWS: each is an API Gateway key on its tier's usage plan (moto), owned in the
//! table, moved between plans with its owner's tier, and deleted when revoked.

use axum::http::{Method, StatusCode};
use serde_json::json;
use visions_api::auth::Tier;
use visions_tests::{TestApp, moto};

async fn plan_keys(gateway: &aws_sdk_apigateway::Client, plan: &str) -> Vec<String> {
    let plans = gateway.get_usage_plans().send().await.unwrap();
    let id = plans
        .items()
        .iter()
        .find(|p| p.name() == Some(plan))
        .and_then(|p| p.id())
        .unwrap()
        .to_owned();
    gateway
        .get_usage_plan_keys()
        .usage_plan_id(id)
        .send()
        .await
        .unwrap()
        .items()
        .iter()
        .filter_map(|k| k.id().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn keys_live_on_their_tiers_usage_plan_and_go_when_revoked() {
    let mut app = TestApp::dynamo().await;
    app.tier = Tier::Free;
    let plans = app.aws.as_ref().unwrap().usage_plans.clone().unwrap();
    let gateway = aws_sdk_apigateway::Client::new(&moto::sdk_config().await);

    let created = app
        .call(
            Method::POST,
            "/v1/keys",
            Some("ana"),
            Some(json!({"name": "ci"})),
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let value = created.body["value"].as_str().unwrap();
    let key = gateway
        .get_api_key()
        .api_key(&id)
        .include_value(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        key.value(),
        Some(value),
        "the gateway checks the value shown"
    );
    assert_eq!(key.customer_id(), Some("ana"));
    assert!(key.enabled());
    assert!(plan_keys(&gateway, &plans.free).await.contains(&id));
    assert!(!plan_keys(&gateway, &plans.pro).await.contains(&id));

    // A tier change moves the key to the pro plan.
    let pro = app
        .call_with(
            Method::PUT,
            "/v1/admin/users/ana/tier",
            Some(&app.admin_token("root")),
            Some(json!({"tier": "pro"})),
            &[],
        )
        .await;
    assert_eq!(pro.status, StatusCode::OK, "{}", pro.body);
    assert!(plan_keys(&gateway, &plans.pro).await.contains(&id));
    assert!(!plan_keys(&gateway, &plans.free).await.contains(&id));
    let listed = app.get("ana", "/v1/keys").await;
    assert_eq!(listed.body["items"][0]["tier"], "pro");
    assert!(!listed.body.to_string().contains(value));

    // Only its owner revokes it; then the gateway no longer knows it.
    let foreign = app
        .call(
            Method::DELETE,
            &format!("/v1/keys/{id}"),
            Some("bo"),
            None,
            &[],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert!(gateway.get_api_key().api_key(&id).send().await.is_ok());
    let revoked = app
        .call(
            Method::DELETE,
            &format!("/v1/keys/{id}"),
            Some("ana"),
            None,
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert!(gateway.get_api_key().api_key(&id).send().await.is_err());
    assert_eq!(app.get("ana", "/v1/keys").await.body["items"], json!([]));
}
