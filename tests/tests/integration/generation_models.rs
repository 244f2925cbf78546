//! The pipeline on real provider protocols (fake servers on loopback): which model wrote what,
//! token usage, the repair round-trip, fallback chains, and a requested model never swapped.

use axum::http::Method;
use axum::http::StatusCode;
use serde_json::{Value, json};
use visions_domain::job::JobMessage;
use visions_pipeline::worker::Outcome;
use visions_tests::TestApp;
use visions_tests::canned;
use visions_tests::fake_llm::{FakeProvider, FakeReply, Protocol};

const PROMPT: &str = "Landing page for Acme Coffee Roasters, a small-batch roastery in Portland selling single-origin beans by subscription to home baristas.";

fn canned_reply(protocol: Protocol, schema: &str) -> FakeReply {
    FakeReply::success(protocol, &canned::answer(schema), 100, 40)
}

async fn openai(
    responder: impl Fn(&str, usize) -> FakeReply + Send + Sync + 'static,
) -> FakeProvider {
    let calls = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::<
        String,
        usize,
    >::new()));
    FakeProvider::start(Protocol::OpenAi, move |request| {
        let schema = request.schema_name().unwrap_or("").to_owned();
        let n = {
            let mut calls = calls.lock().unwrap();
            let n = calls.entry(schema.clone()).or_default();
            *n += 1;
            *n
        };
        responder(&schema, n)
    })
    .await
}

async fn app_with(fake_vars: &[(&str, String)]) -> TestApp {
    let vars: Vec<(&str, &str)> = fake_vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::local(&vars, |_| {}).await
}

fn openai_vars(fake: &FakeProvider, models: &str) -> Vec<(&'static str, String)> {
    vec![
        ("VISIONS_MODELS", models.to_owned()),
        ("OPENAI_BASE_URL", fake.openai_base_url()),
        ("OPENAI_API_KEY", "sk-test-key".to_owned()),
        ("VISIONS_MODEL_MAX_ATTEMPTS", "2".to_owned()),
    ]
}

/// Creates a project, starts a generation; returns (project id, job id).
async fn start(app: &TestApp, body: Value) -> (String, String) {
    let project = app.create_project("alice", "Acme").await;
    let accepted = app.start_generation("alice", &project, body, "k").await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    (project, accepted.body["id"].as_str().unwrap().to_owned())
}

async fn job(app: &TestApp, id: &str) -> Value {
    app.get("alice", &format!("/v1/jobs/{id}")).await.body
}

#[tokio::test]
async fn a_remote_model_writes_the_page_and_its_usage_is_recorded() {
    let fake = openai(|schema, _| canned_reply(Protocol::OpenAi, schema)).await;
    let app = app_with(&openai_vars(&fake, "openai:gpt-test")).await;
    let (project, job_id) = start(&app, json!({"prompt": PROMPT})).await;
    app.drain().await;
    let done = job(&app, &job_id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    // Each picture is recorded too (agent `images`: what the job is charged for).
    let (pictures, usage): (Vec<&Value>, Vec<&Value>) = done["usage"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|u| u["agent"] == "images");
    assert!(!pictures.is_empty() && pictures.iter().all(|u| u["model"] == "local:art"));
    assert_eq!(
        usage.len(),
        canned::CALLS_PER_PAGE,
        "one layout call, one copy call per section, one for the image briefs"
    );
    assert!(usage.iter().all(|u| u["model"] == "openai:gpt-test"
        && u["input_tokens"] == 100
        && u["output_tokens"] == 40));

    let version = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    let page = &version.body["page"];
    assert_eq!(
        page["provenance"]["models"],
        json!([
            "layout=openai:gpt-test",
            "copy=openai:gpt-test",
            "image_prompts=openai:gpt-test",
            "images=local:art"
        ])
    );
    assert_eq!(
        page["sections"][0]["props"]["headline"],
        "Fresh single-origin beans, by subscription"
    );
    let brief = page["sections"][0]["props"]["image"]["brief"]
        .as_str()
        .unwrap();
    assert!(
        brief.contains("coffee beans"),
        "the image brief is kept on the page: {brief}"
    );

    let requests = fake.requests();
    let layout = requests
        .iter()
        .find(|r| r.schema_name() == Some("layout_plan"))
        .unwrap();
    assert_eq!(layout.header("authorization"), Some("Bearer sk-test-key"));
    assert_eq!(layout.body["response_format"]["type"], "json_schema");
    // The top 3 retrieved designs are in the layout agent's system prompt.
    let system = layout.system().unwrap();
    for id in page["provenance"]["design_ids"].as_array().unwrap() {
        assert!(
            system.contains(id.as_str().unwrap()),
            "design {id} is in the prompt"
        );
    }
    assert!(
        layout
            .last_user_text()
            .unwrap()
            .contains("Acme Coffee Roasters")
    );
}

#[tokio::test]
async fn schema_invalid_output_gets_one_repair_round_trip() {
    let fake = openai(|schema, n| {
        if schema == "hero_props" && n == 1 {
            // A hero without a headline, and a link a page must never carry.
            return FakeReply::success(Protocol::OpenAi, &json!({"eyebrow": "x", "subheadline": "y", "primary_cta": {"label": "Go", "href": "javascript:alert(1)"}, "secondary_cta": null, "image": null}), 10, 10);
        }
        canned_reply(Protocol::OpenAi, schema)
    })
    .await;
    let app = app_with(&openai_vars(&fake, "openai:gpt-test")).await;
    let (_, job_id) = start(&app, json!({"prompt": PROMPT})).await;
    app.drain().await;
    assert_eq!(job(&app, &job_id).await["status"], "succeeded");
    let hero_calls: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.schema_name() == Some("hero_props"))
        .collect();
    assert_eq!(hero_calls.len(), 2, "one repair");
    let repair = hero_calls[1].last_user_text().unwrap();
    assert!(
        repair.contains("missing field `headline`"),
        "the model is told what was wrong: {repair}"
    );
    let messages = hero_calls[1].body["messages"].as_array().unwrap();
    assert_eq!(
        messages[messages.len() - 2]["role"],
        "assistant",
        "its own answer is in the conversation"
    );
}

/// A section whose copy is still invalid after the repair is written by the offline composer
/// instead, and the page says so in its provenance: the user gets a whole page, never a
/// broken section.
#[tokio::test]
async fn output_that_stays_invalid_is_replaced_by_the_composer() {
    let fake = openai(|schema, _| {
        if schema == "cta_props" {
            return FakeReply::success(Protocol::OpenAi, &json!({"heading": "Now", "body": "", "cta": {"label": "Click here", "href": "#cta"}}), 10, 10);
        }
        canned_reply(Protocol::OpenAi, schema)
    })
    .await;
    let app = app_with(&openai_vars(&fake, "openai:gpt-test")).await;
    let (project, job_id) = start(&app, json!({"prompt": PROMPT})).await;
    app.drain().await;
    let done = job(&app, &job_id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let cta_calls = fake
        .requests()
        .into_iter()
        .filter(|r| r.schema_name() == Some("cta_props"))
        .count();
    assert_eq!(cta_calls, 2, "the model had its repair round-trip");
    let page = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await
        .body["page"]
        .clone();
    let cta = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "cta")
        .unwrap();
    assert_ne!(
        cta["props"]["body"], "",
        "the composer's copy, not the invalid answer"
    );
    assert_ne!(cta["props"]["cta"]["label"], "Click here");
    let models = page["provenance"]["models"].as_array().unwrap();
    assert!(models.contains(&json!("copy=local:composer")), "{models:?}");
    assert!(
        models.contains(&json!("copy=openai:gpt-test")),
        "{models:?}"
    );
}

/// A model that invents a price, a testimonial and a client list: after the repair round-trip
/// the published page contains none of them.
#[tokio::test]
async fn invented_prices_and_testimonials_never_reach_the_page() {
    let fake = openai(|schema, _| match schema {
        "layout_plan" => {
            let mut plan = canned::answer("layout_plan");
            let sections = plan["sections"].as_array_mut().unwrap();
            for (id, kind, variant) in [("pricing", "pricing", "tiers"), ("testimonials", "testimonials", "cards"), ("logos", "logos", "row")] {
                sections.insert(2, json!({"id": id, "type": kind, "variant": variant, "purpose": "Sell"}));
            }
            FakeReply::success(Protocol::OpenAi, &plan, 10, 10)
        }
        "hero_props" => {
            let mut hero = canned::answer("hero_props");
            hero["subheadline"] = json!("Plans from $19 a month, loved by 12,000 baristas.");
            FakeReply::success(Protocol::OpenAi, &hero, 10, 10)
        }
        "pricing_props" => FakeReply::success(Protocol::OpenAi, &json!({"heading": "Plans", "intro": "Pick one.", "plans": [{"name": "Starter", "price": "$19", "period": "per month", "features": ["One bag"], "cta": {"label": "Choose Starter", "href": "#contact"}, "highlighted": false}]}), 10, 10),
        "testimonials_props" => FakeReply::success(Protocol::OpenAi, &json!({"heading": "Loved", "items": [{"quote": "Best coffee I have ever had.", "name": "Jane D.", "role": "Verified customer"}]}), 10, 10),
        "logos_props" => FakeReply::success(Protocol::OpenAi, &json!({"heading": "As seen in", "names": ["The Times", "Forbes", "Wired"]}), 10, 10),
        other => canned_reply(Protocol::OpenAi, other),
    })
    .await;
    let app = app_with(&openai_vars(&fake, "openai:gpt-test")).await;
    let (project, job_id) = start(&app, json!({"prompt": PROMPT})).await;
    app.drain().await;
    assert_eq!(job(&app, &job_id).await["status"], "succeeded");
    let version = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    let page = &version.body["page"];
    let text = visions_tests::page_text(page);
    for invented in [
        "19",
        "12,000",
        "Best coffee",
        "Jane",
        "Verified",
        "Forbes",
        "Starter",
    ] {
        assert!(
            !text.contains(invented),
            "{invented:?} reached the page:\n{text}"
        );
    }
    let kinds: Vec<&str> = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["type"].as_str())
        .collect();
    for dropped in ["pricing", "testimonials", "logos"] {
        assert!(
            !kinds.contains(&dropped),
            "{dropped} without facts: {kinds:?}"
        );
    }
    // The hero's invented figures got the repair round-trip and the composer's copy after it.
    let hero_calls = fake
        .requests()
        .into_iter()
        .filter(|r| r.schema_name() == Some("hero_props"))
        .collect::<Vec<_>>();
    assert_eq!(hero_calls.len(), 2);
    assert!(
        hero_calls[1]
            .last_user_text()
            .unwrap()
            .contains("a number the brief does not give")
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
    let html = html.body.as_str().unwrap_or_default();
    assert!(html.contains("Acme Coffee Roasters"));
    assert!(!html.contains("$19") && !html.contains("12,000"));
}

#[tokio::test]
async fn a_failing_model_falls_back_along_the_chain() {
    let anthropic = FakeProvider::start(Protocol::Anthropic, |_| {
        FakeReply::error(Protocol::Anthropic, 529, "overloaded")
    })
    .await;
    let fake = openai(|schema, _| canned_reply(Protocol::OpenAi, schema)).await;
    let mut vars = openai_vars(&fake, "anthropic:claude-test,openai:gpt-test");
    vars.push(("ANTHROPIC_BASE_URL", anthropic.url()));
    vars.push(("ANTHROPIC_API_KEY", "ak-test".into()));
    let app = app_with(&vars).await;
    let (project, job_id) = start(&app, json!({"prompt": PROMPT})).await;
    app.drain().await;
    assert_eq!(job(&app, &job_id).await["status"], "succeeded");
    let version = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    assert_eq!(
        version.body["page"]["provenance"]["models"],
        json!([
            "layout=openai:gpt-test",
            "copy=openai:gpt-test",
            "image_prompts=openai:gpt-test",
            "images=local:art"
        ]),
        "the page says who wrote it"
    );
    assert_eq!(
        anthropic.calls(),
        2 * canned::CALLS_PER_PAGE,
        "each call tried the first model twice"
    );
}

#[tokio::test]
async fn a_requested_model_is_never_swapped_for_the_composer() {
    let fake = openai(|_, _| FakeReply::error(Protocol::OpenAi, 400, "model not found")).await;
    // The configured chain is the composer; the request names OpenAI.
    let app = app_with(&openai_vars(&fake, "local:composer")).await;
    let (project, job_id) =
        start(&app, json!({"prompt": PROMPT, "model": "openai:gpt-test"})).await;
    app.drain().await;
    let failed = job(&app, &job_id).await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("openai:gpt-test"),
        "{failed}"
    );
    let versions = app
        .get("alice", &format!("/v1/projects/{project}/versions"))
        .await;
    assert_eq!(versions.body["items"], json!([]));
}

#[tokio::test]
async fn an_outage_is_retried_then_fails_clearly() {
    let fake = openai(|_, _| FakeReply::error(Protocol::OpenAi, 503, "down")).await;
    let app = app_with(&openai_vars(&fake, "openai:gpt-test")).await;
    let (_, job_id) = start(&app, json!({"prompt": PROMPT})).await;
    let message = JobMessage {
        owner: "alice".into(),
        job_id: job_id.parse().unwrap(),
    };
    // Transient: the message goes back to the queue; the job, its lease given up, is reported
    // as waiting for another try.
    assert!(matches!(
        app.stack.worker.handle(&message).await,
        Outcome::Retry(_)
    ));
    assert_eq!(job(&app, &job_id).await["status"], "queued");
    assert!(matches!(
        app.stack.worker.handle(&message).await,
        Outcome::Retry(_)
    ));
    // The last allowed attempt fails the job with the reason.
    assert_eq!(app.stack.worker.handle(&message).await, Outcome::Done);
    let failed = job(&app, &job_id).await;
    assert_eq!(failed["status"].as_str(), Some("failed"));
    let stored = app
        .stack
        .adapters
        .jobs
        .get("alice", job_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attempts, 3);
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("every model failed: openai:gpt-test"),
        "{failed}"
    );
}

/// A transient failure on the queue's last delivery fails the job with a reason: it is never
/// left queued behind a dead-lettered message.
#[tokio::test]
async fn a_transient_failure_on_the_last_delivery_fails_the_job() {
    use visions_pipeline::worker::{Delivery, MAX_RECEIVES};
    let fake = openai(|_, _| FakeReply::error(Protocol::OpenAi, 503, "down")).await;
    let app = app_with(&openai_vars(&fake, "openai:gpt-test")).await;
    let (_, job_id) = start(&app, json!({"prompt": PROMPT})).await;
    let message = JobMessage {
        owner: "alice".into(),
        job_id: job_id.parse().unwrap(),
    };
    let outcome = app
        .stack
        .worker
        .handle_delivery(Delivery {
            message: &message,
            receive_count: MAX_RECEIVES,
        })
        .await;
    assert_eq!(outcome, Outcome::Done);
    let failed = job(&app, &job_id).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains(&format!("after {MAX_RECEIVES} deliveries")),
        "{failed}"
    );
}

/// The job's budget bounds the main model calls too, not only the repair: a provider that
/// answers after the deadline cannot hold the worker past it (on Lambda, past its timeout).
#[tokio::test]
async fn a_provider_slower_than_the_job_budget_cannot_outlast_it() {
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use visions_pipeline::pipeline::Pipeline;
    use visions_pipeline::worker::Worker;
    let fake = openai(|schema, _| {
        canned_reply(Protocol::OpenAi, schema).with_delay(Duration::from_secs(5))
    })
    .await;
    let app = app_with(&openai_vars(&fake, "openai:gpt-test")).await;
    let (_, job_id) = start(&app, json!({"prompt": PROMPT})).await;
    let current = &app.stack.worker.pipeline;
    let budget = Duration::from_millis(800);
    let pipeline = Arc::new(Pipeline {
        projects: current.projects.clone(),
        versions: current.versions.clone(),
        blobs: current.blobs.clone(),
        registry: current.registry.clone(),
        routing: current.routing.clone(),
        designs: current.designs.clone(),
        copy_concurrency: current.copy_concurrency,
        budget,
        secrets: current.secrets.clone(),
        public_api_url: String::new(),
        studio: current.studio.clone(),
        image_model: current.image_model.clone(),
        metering: current.metering.clone(),
        image_concurrency: current.image_concurrency,
    });
    let worker = Worker::new(
        app.stack.adapters.jobs.clone(),
        pipeline,
        app.stack.worker.usage.clone(),
        Duration::from_secs(60),
    );
    let message = JobMessage {
        owner: "alice".into(),
        job_id: job_id.parse().unwrap(),
    };
    let started = Instant::now();
    worker.handle(&message).await;
    let took = started.elapsed();
    assert!(
        took < budget + Duration::from_millis(1500),
        "the job ran {took:?} with a budget of {budget:?} against a 5 s provider"
    );
    assert_ne!(job(&app, &job_id).await["status"], "succeeded");
}
