//! Generation latency against its critical path.
//!
//! A fake OpenAI-protocol provider answers every call after a fixed delay D. A generation's
//! critical path is the layout call, then the copy calls (all in parallel, the image-brief call
//! beside them): 2 × D. This measures whole jobs (claim, retrieval, every agent call, validation,
//! rendering, storing the version and the HTML) on the embedded backend and reports how far
//! above 2 × D they land.
//!
//! Run: `cargo bench -p visions-tests --bench generation_latency [-- DELAY_MS RUNS]`

use std::time::{Duration, Instant};

use serde_json::json;
use visions_domain::job::JobMessage;
use visions_pipeline::worker::Outcome;
use visions_tests::TestApp;
use visions_tests::canned;
use visions_tests::fake_llm::{FakeProvider, FakeReply, Protocol};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let delay = Duration::from_millis(args.first().and_then(|a| a.parse().ok()).unwrap_or(250));
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);

    let fake = FakeProvider::start(Protocol::OpenAi, move |request| {
        FakeReply::success(
            Protocol::OpenAi,
            &canned::answer(request.schema_name().unwrap_or("")),
            100,
            40,
        )
        .with_delay(delay)
    })
    .await;
    let base_url = fake.openai_base_url();
    let vars = [
        ("VISIONS_MODELS", "openai:bench"),
        ("OPENAI_BASE_URL", base_url.as_str()),
        ("OPENAI_API_KEY", "sk-bench"),
    ];
    let remote = TestApp::local(&vars, |_| {}).await;
    let offline = TestApp::sqlite().await;

    let critical_path = 2 * delay;
    let remote_times = measure(&remote, runs).await;
    let offline_times = measure(&offline, runs).await;
    let calls_per_job = fake.calls() / runs;

    let stats = |times: &[Duration]| {
        let mut sorted = times.to_vec();
        sorted.sort();
        let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        (pick(0.5), pick(0.95), *sorted.last().unwrap())
    };
    let (p50, p95, max) = stats(&remote_times);
    let over = |t: Duration| t.saturating_sub(critical_path).as_secs_f64() * 1000.0;
    println!(
        "fake provider delay D = {} ms, {runs} jobs, {calls_per_job} model calls per job",
        delay.as_millis()
    );
    println!(
        "critical path (layout, then parallel copy) = 2 x D = {} ms",
        critical_path.as_millis()
    );
    println!(
        "remote-model job:  p50 {:.1} ms  p95 {:.1} ms  max {:.1} ms  -> over critical path: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (ratio p50 {:.3})",
        ms(p50),
        ms(p95),
        ms(max),
        over(p50),
        over(p95),
        over(max),
        p50.as_secs_f64() / critical_path.as_secs_f64()
    );
    let (p50, p95, max) = stats(&offline_times);
    println!(
        "offline composer job: p50 {:.1} ms  p95 {:.1} ms  max {:.1} ms",
        ms(p50),
        ms(p95),
        ms(max)
    );
    let verdict = if over(max) <= 100.0 { "within" } else { "OVER" };
    println!("every remote-model job {verdict} critical path + 100 ms");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Whole jobs, one after another, each from a fresh project through the worker.
async fn measure(app: &TestApp, runs: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let project = app
            .call(
                axum::http::Method::POST,
                "/v1/projects",
                Some("bench"),
                Some(json!({"name": "Acme"})),
                &[],
            )
            .await;
        let project = project.body["id"].as_str().unwrap().to_owned();
        let prompt = format!(
            "Landing page for Acme Coffee Roasters in Portland, run {i}: single-origin beans by subscription."
        );
        let accepted = app
            .call(
                axum::http::Method::POST,
                &format!("/v1/projects/{project}/generate"),
                Some("bench"),
                Some(json!({"prompt": prompt})),
                &[("idempotency-key", &format!("bench-{i}"))],
            )
            .await;
        let message = JobMessage {
            owner: "bench".into(),
            job_id: accepted.body["id"].as_str().unwrap().parse().unwrap(),
        };
        let started = Instant::now();
        let outcome = app.stack.worker.handle(&message).await;
        times.push(started.elapsed());
        assert_eq!(outcome, Outcome::Done);
    }
    times
}
