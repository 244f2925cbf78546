//! Real API Gateway REST proxy events (events/apigw) through `lambda_http`'s adapter and the
//! app each function's Lambda serves (not the local server's merged one), asserting on the
//! proxy response API Gateway would turn into HTTP.

use lambda_http::request::LambdaRequest;
use lambda_http::tower::ServiceExt;
use lambda_http::{Adapter, Context, LambdaEvent};
use serde_json::Value;
use visions_tests::TestApp;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../events/apigw");
const PLACEHOLDER_ID: &str = "0190c5a0-0000-7000-8000-000000000001";

const PLACEHOLDER_JOB: &str = "0190c5a0-0000-7000-8000-00000000000a";

/// Loads an event, puts a real token and project id in place of the placeholders.
fn event(name: &str, token: &str, id: &str) -> LambdaRequest {
    event_with_job(name, token, id, PLACEHOLDER_JOB)
}

fn event_with_job(name: &str, token: &str, id: &str, job: &str) -> LambdaRequest {
    let raw = std::fs::read_to_string(format!("{EVENTS}/{name}.json")).unwrap();
    let raw = raw
        .replace("TEST_TOKEN", token)
        .replace(PLACEHOLDER_ID, id)
        .replace(PLACEHOLDER_JOB, job);
    serde_json::from_str(&raw)
        .unwrap_or_else(|err| panic!("{name}.json is not a REST proxy event: {err}"))
}

/// Invokes a function's app as the Lambda runtime would; returns the proxy response as JSON.
async fn invoke(app: &axum::Router, payload: LambdaRequest, request_id: &str) -> Value {
    let mut context = Context::default();
    context.request_id = request_id.to_owned();
    let adapter = Adapter::from(app.clone());
    let response = adapter
        .oneshot(LambdaEvent::new(payload, context))
        .await
        .unwrap();
    serde_json::to_value(response).unwrap()
}

fn status(response: &Value) -> u64 {
    response["statusCode"].as_u64().unwrap()
}

fn header<'a>(response: &'a Value, name: &str) -> &'a str {
    response["multiValueHeaders"][name][0]
        .as_str()
        .or(response["headers"][name].as_str())
        .unwrap_or("")
}

fn body(response: &Value) -> Value {
    serde_json::from_str(response["body"].as_str().unwrap_or("null")).unwrap()
}

async fn every_route_through_lambda(test: TestApp) {
    let token = test.token("alice");
    let app = visions_projects::app(test.stack.projects_ports(), &test.stack.cors);
    let generate = visions_generate::app(test.stack.generate_ports(), &test.stack.cors);

    let health = invoke(&app, event("healthz", "", PLACEHOLDER_ID), "lambda-req-1").await;
    assert_eq!(status(&health), 200, "{health}");
    assert_eq!(
        header(&health, "x-request-id"),
        "lambda-req-1",
        "the Lambda request id is the request id"
    );

    let spec = invoke(&app, event("openapi", &token, PLACEHOLDER_ID), "r2").await;
    assert_eq!(status(&spec), 200);
    assert!(body(&spec)["openapi"].as_str().unwrap().starts_with("3."));

    let created = invoke(&app, event("projects-create", &token, PLACEHOLDER_ID), "r3").await;
    assert_eq!(status(&created), 201, "{created}");
    let project = body(&created);
    assert_eq!(project["name"], "Acme Coffee Roasters");
    let id = project["id"].as_str().unwrap().to_owned();

    let listed = invoke(&app, event("projects-list", &token, &id), "r4").await;
    assert_eq!(status(&listed), 200);
    assert_eq!(body(&listed)["items"][0]["id"], id.as_str());

    let fetched = invoke(&app, event("projects-get", &token, &id), "r5").await;
    assert_eq!((status(&fetched), header(&fetched, "etag")), (200, "\"1\""));

    let patched = invoke(&app, event("projects-patch", &token, &id), "r6").await;
    assert_eq!(status(&patched), 200, "{patched}");
    assert_eq!(body(&patched)["name"], "Acme Coffee");
    let stale = invoke(&app, event("projects-patch", &token, &id), "r7").await;
    assert_eq!(
        status(&stale),
        412,
        "the same If-Match a second time is stale"
    );

    let other_user = invoke(
        &app,
        event("projects-get", &test.token("mallory"), &id),
        "r8",
    )
    .await;
    assert_eq!(status(&other_user), 404);

    let deleted = invoke(&app, event("projects-delete", &token, &id), "r9").await;
    assert_eq!(status(&deleted), 204);
    assert_eq!(
        status(&invoke(&app, event("projects-get", &token, &id), "r10").await),
        404
    );

    let malformed = invoke(
        &app,
        event("projects-create-malformed", &token, PLACEHOLDER_ID),
        "r11",
    )
    .await;
    assert_eq!(status(&malformed), 400);
    assert_eq!(
        header(&malformed, "content-type"),
        "application/problem+json"
    );
    assert_eq!(
        body(&malformed)["type"],
        "https://visions.ai/problems/malformed-json"
    );

    let forged = invoke(
        &app,
        event("projects-list", "eyJhbGciOiJub25lIn0.e30.", &id),
        "r12",
    )
    .await;
    assert_eq!(status(&forged), 401);

    // The generation function: a job is accepted and can be followed.
    let created = invoke(&app, event("projects-create", &token, PLACEHOLDER_ID), "g1").await;
    let id = body(&created)["id"].as_str().unwrap().to_owned();
    let accepted = invoke(&generate, event("generate", &token, &id), "g2").await;
    assert_eq!(status(&accepted), 202, "{accepted}");
    let job = body(&accepted)["id"].as_str().unwrap().to_owned();
    assert!(
        body(&accepted).get("attempts").is_none(),
        "internal fields stay inside"
    );
    let followed = invoke(
        &generate,
        event_with_job("jobs-get", &token, &id, &job),
        "g3",
    )
    .await;
    assert_eq!(status(&followed), 200, "{followed}");
    assert_eq!(body(&followed)["id"], job.as_str());

    // The meter function: the caller's credits, on the key API Gateway checked; the job above
    // holds some of them.
    let meter = visions_meter::app(test.stack.meter_ports(), &test.stack.cors);
    let credits = invoke(&meter, event("credits-get", &token, &id), "m1").await;
    assert_eq!(status(&credits), 200, "{credits}");
    assert_eq!(body(&credits)["holds"][0]["reference"], job.as_str());
    let elsewhere = invoke(&meter, event("generate", &token, &id), "m2").await;
    assert_eq!(status(&elsewhere), 404);

    // Each function serves its own routes only (API Gateway sends it nothing else).
    let elsewhere = invoke(&generate, event("projects-list", &token, &id), "g4").await;
    assert_eq!(status(&elsewhere), 404);
    let elsewhere = invoke(&app, event("generate", &token, &id), "g5").await;
    assert_eq!(status(&elsewhere), 404);
}

#[tokio::test]
async fn every_route_through_lambda_on_sqlite() {
    every_route_through_lambda(TestApp::sqlite().await).await;
}

/// API Gateway routes a browser's preflight (OPTIONS) to the function, which answers it for the
/// configured origins with the same layer as the local server.
#[tokio::test]
async fn preflight_through_lambda() {
    let test = TestApp::local(
        &[("VISIONS_CORS_ORIGINS", "https://app.example.com")],
        |_| {},
    )
    .await;
    let app = visions_projects::app(test.stack.projects_ports(), &test.stack.cors);
    let answer = invoke(&app, event("projects-preflight", "", PLACEHOLDER_ID), "p1").await;
    assert_eq!(status(&answer), 200, "{answer}");
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        "https://app.example.com"
    );
    assert!(header(&answer, "access-control-allow-headers").contains("authorization"));
    assert_eq!(header(&answer, "access-control-allow-credentials"), "");
}

#[tokio::test]
async fn every_route_through_lambda_on_dynamodb() {
    every_route_through_lambda(TestApp::dynamo().await).await;
}

#[test]
fn template_keeps_rest_stage_out_of_paths() {
    // lambda_http prefixes REST paths with the stage unless this is set; tests run with it via
    // .cargo/config.toml, so the template must set it too.
    let template =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    assert!(template.contains("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH: \"true\""));
    assert_eq!(
        std::env::var("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH").as_deref(),
        Ok("true")
    );
}
