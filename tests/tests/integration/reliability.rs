//! Reliability: no input stops the worker, no job is stuck, deletes are whole. Each test is a
//! regression test for a defect found by trying the product as an attacker would.

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use axum::http::{Method, StatusCode};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;
use visions_ai::stack::drain;
use visions_domain::job::{Job, JobMessage};
use visions_domain::ports::{Claim, Created, Idempotency, JobStore, StoreError};
use visions_pipeline::batch::handle_batch;
use visions_pipeline::worker::JOB_LEASE;
use visions_pipeline::worker::{MAX_JOB_ATTEMPTS, MAX_RECEIVES, Outcome, Worker};
use visions_tests::{Reply, TestApp};

/// A job store that panics whenever it saves progress for one poisoned job, standing in for
/// any bug that panics while a job runs.
struct PanickingJobs {
    inner: Arc<dyn JobStore>,
    poisoned: std::sync::Mutex<Option<Uuid>>,
}

#[async_trait::async_trait]
impl JobStore for PanickingJobs {
    async fn create(&self, o: &str, j: &Job, i: &Idempotency) -> Result<Created, StoreError> {
        self.inner.create(o, j, i).await
    }
    async fn get_with_lease(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<Option<(Job, Option<i64>)>, StoreError> {
        self.inner.get_with_lease(owner, id).await
    }
    async fn claim(&self, o: &str, id: Uuid, w: &str, l: Duration) -> Result<Claim, StoreError> {
        self.inner.claim(o, id, w, l).await
    }
    async fn save(&self, o: &str, job: &Job, w: &str, l: Duration) -> Result<(), StoreError> {
        let poisoned = *self.poisoned.lock().unwrap();
        if poisoned == Some(job.id) && !job.status.is_final() {
            panic!("injected panic while job {} runs", job.id);
        }
        self.inner.save(o, job, w, l).await
    }
    async fn release(&self, owner: &str, id: Uuid, worker: &str) -> Result<(), StoreError> {
        self.inner.release(owner, id, worker).await
    }
    async fn delete_project(&self, owner: &str, project: Uuid) -> Result<(), StoreError> {
        self.inner.delete_project(owner, project).await
    }
}

async fn job_id(app: &TestApp, project: &str, prompt: &str, key: &str) -> String {
    let accepted = app
        .start_generation("alice", project, json!({"prompt": prompt}), key)
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    accepted.body["id"].as_str().unwrap().to_owned()
}

/// Polls `GET /v1/jobs/{id}` until the job is final.
async fn finished(app: &TestApp, job: &str, within: Duration) -> Reply {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let reply = app.get("alice", &format!("/v1/jobs/{job}")).await;
        let status = reply.body["status"].as_str().unwrap_or("").to_owned();
        if status == "succeeded" || status == "failed" {
            return reply;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job {job} still {status} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The prompts that panicked the composer (`İ` lower-cases to 3 bytes) run to a page, and the
/// server's single drain loop goes on to the next job.
#[tokio::test]
async fn prompts_that_panicked_the_composer_make_pages() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Unicode").await;
    let shutdown = CancellationToken::new();
    let drain = tokio::spawn(drain::drain(
        app.local_queue(),
        app.stack.worker.clone(),
        1,
        shutdown.clone(),
    ));
    let prompts = [
        "A bakery for İİİİİİİİİİ de x.",
        "Bakery İİİİİİİİİİ and x",
        "Rosa's Bakery, a sourdough bakery in Portland for neighbours.",
    ];
    let mut jobs = Vec::new();
    for (i, prompt) in prompts.iter().enumerate() {
        jobs.push(job_id(&app, &project, prompt, &format!("k{i}")).await);
    }
    for job in &jobs {
        let reply = finished(&app, job, Duration::from_secs(60)).await;
        assert_eq!(reply.body["status"], "succeeded", "{}", reply.body);
    }
    shutdown.cancel();
    drain.await.unwrap();
}

/// A panic while one job runs fails that job only: with one drain loop, the next job still
/// runs, and the panicking one ends `failed` with a reason after its attempts.
#[tokio::test]
async fn a_panicking_job_fails_only_itself_on_the_local_queue() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Panics").await;
    let jobs = Arc::new(PanickingJobs {
        inner: app.stack.adapters.jobs.clone(),
        poisoned: Default::default(),
    });
    let worker = Arc::new(Worker::new(
        jobs.clone(),
        app.stack.worker.pipeline.clone(),
        app.stack.worker.usage.clone(),
        JOB_LEASE,
    ));
    let poison = job_id(&app, &project, "Harbor Yoga, a studio in Brighton.", "p").await;
    *jobs.poisoned.lock().unwrap() = Some(poison.parse().unwrap());
    let normal = job_id(&app, &project, "Acme Coffee, a roastery in Portland.", "n").await;
    let shutdown = CancellationToken::new();
    let drain = tokio::spawn(drain::drain(app.local_queue(), worker, 1, shutdown.clone()));
    let reply = finished(&app, &normal, Duration::from_secs(30)).await;
    assert_eq!(reply.body["status"], "succeeded", "{}", reply.body);
    // Each attempt panics and is retried after the worker's retry delay (5 s).
    let reply = finished(&app, &poison, Duration::from_secs(60)).await;
    assert_eq!(reply.body["status"], "failed");
    let reason = reply.body["error"].as_str().unwrap();
    assert!(reason.contains(&MAX_JOB_ATTEMPTS.to_string()), "{reason}");
    assert!(
        !reason.contains("injected"),
        "no internals reach the user: {reason}"
    );
    shutdown.cancel();
    drain.await.unwrap();
}

/// On Lambda a panic fails one record of the batch, not the batch.
#[tokio::test]
async fn a_panicking_job_fails_only_its_record_in_an_sqs_batch() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Batch").await;
    let jobs = Arc::new(PanickingJobs {
        inner: app.stack.adapters.jobs.clone(),
        poisoned: Default::default(),
    });
    let worker = Worker::new(
        jobs.clone(),
        app.stack.worker.pipeline.clone(),
        app.stack.worker.usage.clone(),
        JOB_LEASE,
    );
    let poison = job_id(&app, &project, "Harbor Yoga, a studio in Brighton.", "p").await;
    *jobs.poisoned.lock().unwrap() = Some(poison.parse().unwrap());
    let normal = job_id(&app, &project, "Acme Coffee, a roastery in Portland.", "n").await;
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/sqs/job-message.json"
    ))
    .unwrap();
    let mut event: SqsEvent = serde_json::from_str(&raw).unwrap();
    let template = event.records[0].clone();
    event.records = [&poison, &normal]
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let mut record = template.clone();
            record.message_id = Some(format!("message-{i}"));
            record.body = Some(json!({"owner": "alice", "job_id": job}).to_string());
            record
        })
        .collect();
    let response = handle_batch(&worker, event, None).await;
    let failed: Vec<String> = response
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect();
    assert_eq!(failed, ["message-0"]);
    let reply = app.get("alice", &format!("/v1/jobs/{normal}")).await;
    assert_eq!(reply.body["status"], "succeeded");
}

/// A worker that dies mid-job: with the real proportions of lease, visibility and receive
/// limit (scaled down in time), its job is reported waiting, then taken over and finished.
#[tokio::test]
async fn a_job_whose_worker_died_is_taken_over_after_its_lease() {
    // The real settings first: a message comes back only after the lease it may need to wait
    // out, and a job fails with a reason before its message could be dead-lettered.
    let real = &app_worker().await;
    assert!(drain::visibility(real) > real.lease);
    assert_eq!(real.lease, JOB_LEASE);
    const { assert!(MAX_JOB_ATTEMPTS < MAX_RECEIVES) };

    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Crash").await;
    let job = job_id(&app, &project, "Harbor Yoga, a studio in Brighton.", "c").await;
    let lease = Duration::from_millis(600);
    let worker = Arc::new(Worker::new(
        app.stack.adapters.jobs.clone(),
        app.stack.worker.pipeline.clone(),
        app.stack.worker.usage.clone(),
        lease,
    ));
    // The dead worker received the message and claimed the job, then vanished.
    let queue = app.local_queue();
    let delivery = queue
        .receive(drain::visibility(&worker), MAX_RECEIVES)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivery.receive_count, 1);
    let claim = app
        .stack
        .adapters
        .jobs
        .claim("alice", job.parse().unwrap(), "dead-worker", lease)
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Claimed(_)));
    assert_eq!(
        app.get("alice", &format!("/v1/jobs/{job}")).await.body["status"],
        "running"
    );
    tokio::time::sleep(lease + Duration::from_millis(50)).await;
    assert_eq!(
        app.get("alice", &format!("/v1/jobs/{job}")).await.body["status"],
        "queued",
        "a job under an expired lease is not reported running"
    );
    let shutdown = CancellationToken::new();
    let drain = tokio::spawn(drain::drain(queue, worker, 1, shutdown.clone()));
    let reply = finished(&app, &job, Duration::from_secs(30)).await;
    assert_eq!(reply.body["status"], "succeeded", "{}", reply.body);
    let stored = app
        .stack
        .adapters
        .jobs
        .get("alice", job.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attempts, 2, "the second worker took the job over");
    // The hold the job was accepted with is settled once, by the worker that finished it.
    let credits = app.get("alice", "/v1/credits").await.body;
    assert_eq!(
        (
            credits["held"].as_u64(),
            credits["holds"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0)),
        "{credits}"
    );
    let ledger = app.get("alice", "/v1/usage").await.body;
    let settled = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "settle" && e["reference"] == job.as_str())
        .count();
    assert_eq!(settled, 1, "{ledger}");
    let sum: i64 = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(
        credits["balance"].as_i64(),
        Some(sum),
        "the balance is the ledger's sum"
    );
    assert!(
        stored
            .credits_charged
            .is_some_and(|c| c <= stored.credits_held)
    );
    shutdown.cancel();
    drain.await.unwrap();
}

async fn app_worker() -> Arc<Worker> {
    TestApp::sqlite().await.stack.worker.clone()
}

/// On the queue's last delivery, a job another worker holds under a live lease is left to that
/// worker (the message is acknowledged), and one whose lease expired is run.
#[tokio::test]
async fn the_last_delivery_respects_a_live_lease_and_takes_an_expired_one() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Last").await;
    let job = job_id(&app, &project, "Harbor Yoga, a studio in Brighton.", "l").await;
    let message = JobMessage {
        owner: "alice".into(),
        job_id: job.parse().unwrap(),
    };
    let last = visions_pipeline::worker::Delivery {
        message: &message,
        receive_count: MAX_RECEIVES,
    };
    let jobs = &app.stack.adapters.jobs;
    let lease = Duration::from_millis(400);
    jobs.claim("alice", message.job_id, "other", lease)
        .await
        .unwrap();
    assert_eq!(app.stack.worker.handle_delivery(last).await, Outcome::Done);
    let reply = app.get("alice", &format!("/v1/jobs/{job}")).await;
    assert_eq!(reply.body["status"], "running", "left to its live holder");
    tokio::time::sleep(lease + Duration::from_millis(50)).await;
    assert_eq!(app.stack.worker.handle_delivery(last).await, Outcome::Done);
    let reply = app.get("alice", &format!("/v1/jobs/{job}")).await;
    assert_eq!(reply.body["status"], "succeeded", "{}", reply.body);
}

async fn deleting_a_project_removes_its_versions_jobs_and_pages(app: TestApp) {
    let project = app.create_project("alice", "Doomed").await;
    let job = job_id(&app, &project, "Acme Coffee, a roastery in Portland.", "d").await;
    app.drain().await;
    let version = app
        .get("alice", &format!("/v1/projects/{project}/versions/1"))
        .await;
    assert_eq!(version.status, StatusCode::OK);
    let html_url = version.body["html_url"].as_str().unwrap().to_owned();
    let key = html_url
        .split_once("pages/")
        .map(|(_, rest)| format!("pages/{rest}"))
        .unwrap();
    assert!(app.stack.adapters.blobs.get(&key).await.unwrap().is_some());
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
    for uri in [
        format!("/v1/projects/{project}/versions/1"),
        format!("/v1/projects/{project}/versions"),
        format!("/v1/jobs/{job}"),
    ] {
        assert_eq!(
            app.get("alice", &uri).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
    assert_eq!(app.stack.adapters.blobs.get(&key).await.unwrap(), None);
    if html_url.starts_with('/') {
        // The local server's public URL of the page.
        let page = app.get("alice", &html_url).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
    }
    let stored = app
        .stack
        .adapters
        .versions
        .get("alice", project.parse().unwrap(), 1);
    assert_eq!(stored.await.unwrap(), None);
    let stored_job = app.stack.adapters.jobs.get("alice", job.parse().unwrap());
    assert_eq!(stored_job.await.unwrap(), None);
    // The idempotency key went with the job: the same key on a new project is a new job.
    let again = app.create_project("alice", "Again").await;
    let replay = job_id(&app, &again, "Acme Coffee, a roastery in Portland.", "d").await;
    assert_ne!(replay, job);
}

#[tokio::test]
async fn deleting_a_project_removes_everything_on_sqlite() {
    deleting_a_project_removes_its_versions_jobs_and_pages(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn deleting_a_project_removes_everything_on_dynamodb() {
    deleting_a_project_removes_its_versions_jobs_and_pages(TestApp::dynamo().await).await;
}

async fn a_stale_if_match_never_deletes(app: TestApp) {
    let created = app
        .call(
            Method::POST,
            "/v1/projects",
            Some("alice"),
            Some(json!({"name": "Kept"})),
            &[],
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let etag = created.header("etag").to_owned();
    let patched = app
        .call(
            Method::PATCH,
            &format!("/v1/projects/{id}"),
            Some("alice"),
            Some(json!({"name": "Changed"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/v1/projects/{id}"),
            Some("alice"),
            None,
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::PRECONDITION_FAILED);
    let kept = app.get("alice", &format!("/v1/projects/{id}")).await;
    assert_eq!(kept.body["name"], "Changed");
}

#[tokio::test]
async fn a_stale_if_match_never_deletes_on_sqlite() {
    a_stale_if_match_never_deletes(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn a_stale_if_match_never_deletes_on_dynamodb() {
    a_stale_if_match_never_deletes(TestApp::dynamo().await).await;
}

/// Many requests with one `Idempotency-Key` at once: one job, and every answer is that job
/// (DynamoDB cancels concurrent transactions on one key with `TransactionConflict`). On the
/// emulator that answers one request at a time: moto's threaded server runs transactions
/// without isolation, so two could both take the key there, which DynamoDB never allows.
#[tokio::test]
async fn concurrent_requests_with_one_key_make_one_job_on_dynamodb() {
    let app = Arc::new(TestApp::dynamo_serial().await);
    let project = app.create_project("alice", "Race").await;
    let replies = futures::future::join_all((0..16).map(|_| {
        let (app, project) = (app.clone(), project.clone());
        async move {
            app.start_generation("alice", &project, json!({"prompt": "Acme Coffee"}), "same")
                .await
        }
    }))
    .await;
    let ids: std::collections::BTreeSet<String> = replies
        .iter()
        .map(|reply| {
            assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
            reply.body["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
}

/// `ollama:*` is a model only where an Ollama server is configured.
#[tokio::test]
async fn an_unconfigured_provider_is_refused_before_any_job() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Models").await;
    let reply = app
        .start_generation(
            "alice",
            &project,
            json!({"prompt": "Acme Coffee", "model": "ollama:llama3.1"}),
            "o",
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["field"], "model", "{}", reply.body);
    assert_eq!(app.drain().await, 0, "nothing was queued");
}

#[tokio::test]
async fn an_asset_folder_is_a_404_not_a_500() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Assets").await;
    job_id(&app, &project, "Acme Coffee, a roastery in Portland.", "a").await;
    app.drain().await;
    for uri in [
        "/assets/pages",
        "/assets/pages/",
        "/assets/x/..",
        "/assets/",
    ] {
        let reply = app.get("alice", uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}: {}", reply.body);
    }
}

#[tokio::test]
async fn authenticated_answers_are_never_cached() {
    let app = TestApp::sqlite().await;
    let project = app.create_project("alice", "Private").await;
    for uri in [
        "/v1/projects".to_owned(),
        format!("/v1/projects/{project}"),
        format!("/v1/projects/{}", Uuid::now_v7()),
    ] {
        let reply = app.get("alice", &uri).await;
        assert_eq!(reply.header("cache-control"), "no-store", "{uri}");
    }
    let anonymous = app.get_with_authorization("/v1/projects", "Bearer x").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.header("cache-control"), "no-store");
}

/// AWS asks for an SQS event source's visibility timeout to be at least six times the
/// function's timeout; it must also outlast the job lease.
#[test]
fn the_jobs_queue_outlasts_its_worker() {
    let template =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    let worker_timeout = resource_number(&template, "GenerateWorkerFunction", "Timeout");
    let visibility = resource_number(&template, "JobsQueue", "VisibilityTimeout");
    assert!(
        visibility >= 6 * worker_timeout,
        "{visibility} < 6 × {worker_timeout}"
    );
    assert!(visibility > JOB_LEASE.as_secs());
    let receives = resource_number(&template, "JobsQueue", "maxReceiveCount");
    assert_eq!(receives, u64::from(MAX_RECEIVES));
}

/// The number after `key:` inside the top-level resource `name` of a SAM template.
fn resource_number(template: &str, name: &str, key: &str) -> u64 {
    let start = template
        .find(&format!("\n  {name}:\n"))
        .unwrap_or_else(|| panic!("no resource {name}"));
    template[start + 1..]
        .lines()
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with("   ") || line.starts_with("  #"))
        .find_map(|line| {
            line.trim()
                .strip_prefix(&format!("{key}:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no {key} in {name}"))
}
