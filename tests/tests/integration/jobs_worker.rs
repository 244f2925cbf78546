//! Job delivery semantics: a redelivered message never runs a job twice, a crashed worker's
//! job is taken over once its lease expires, a permanent failure is recorded with its reason,
//! and the SQS trigger reports only the messages to deliver again.

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use axum::http::{Method, StatusCode};
use serde_json::json;
use visions_domain::job::JobMessage;
use visions_domain::ports::Claim;
use visions_domain::ports::Redelivery;
use visions_pipeline::batch::handle_batch;
use visions_pipeline::worker::Outcome;
use visions_tests::TestApp;

const PROMPT: &str = "A page for Harbor Yoga, a small studio in Brighton for beginners.";

async fn queued_job(app: &TestApp) -> (String, JobMessage) {
    let project = app.create_project("alice", "Harbor").await;
    let accepted = app
        .start_generation("alice", &project, json!({"prompt": PROMPT}), "k")
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    let job_id = accepted.body["id"].as_str().unwrap();
    (
        project,
        JobMessage {
            owner: "alice".into(),
            job_id: job_id.parse().unwrap(),
        },
    )
}

async fn versions(app: &TestApp, project: &str) -> usize {
    let reply = app
        .get("alice", &format!("/v1/projects/{project}/versions"))
        .await;
    reply.body["items"].as_array().unwrap().len()
}

async fn redelivery_runs_a_job_once(app: TestApp) {
    let (project, message) = queued_job(&app).await;
    assert_eq!(app.stack.worker.handle(&message).await, Outcome::Done);
    assert_eq!(
        app.stack.worker.handle(&message).await,
        Outcome::Done,
        "a duplicate is acknowledged"
    );
    let job = app
        .stack
        .adapters
        .jobs
        .get("alice", message.job_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.attempts, 1, "the duplicate did not run the job again");
    assert_eq!(versions(&app, &project).await, 1);
}

#[tokio::test]
async fn redelivery_runs_a_job_once_on_sqlite() {
    redelivery_runs_a_job_once(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn redelivery_runs_a_job_once_on_dynamodb() {
    redelivery_runs_a_job_once(TestApp::dynamo().await).await;
}

async fn a_crashed_workers_job_is_taken_over(app: TestApp) {
    let (project, message) = queued_job(&app).await;
    let jobs = &app.stack.adapters.jobs;
    // Another worker claims the job with a short lease and dies without a word.
    let claim = jobs
        .claim(
            "alice",
            message.job_id,
            "worker-that-crashes",
            Duration::from_millis(300),
        )
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Claimed(_)));
    assert!(
        matches!(app.stack.worker.handle(&message).await, Outcome::Retry(_)),
        "a live lease is respected"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(app.stack.worker.handle(&message).await, Outcome::Done);
    let job = jobs.get("alice", message.job_id).await.unwrap().unwrap();
    assert_eq!(
        (format!("{:?}", job.status), job.attempts),
        ("Succeeded".to_owned(), 2)
    );
    // The crashed worker, should it wake up, can no longer write.
    let stale = jobs
        .save(
            "alice",
            &job,
            "worker-that-crashes",
            Duration::from_secs(60),
        )
        .await;
    assert!(stale.is_err(), "a lost lease cannot overwrite the outcome");
    assert_eq!(versions(&app, &project).await, 1);
}

#[tokio::test]
async fn a_crashed_workers_job_is_taken_over_on_sqlite() {
    a_crashed_workers_job_is_taken_over(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn a_crashed_workers_job_is_taken_over_on_dynamodb() {
    a_crashed_workers_job_is_taken_over(TestApp::dynamo().await).await;
}

#[tokio::test]
async fn two_workers_racing_for_one_job_run_it_once() {
    let app = TestApp::dynamo().await;
    let (_, message) = queued_job(&app).await;
    let jobs = &app.stack.adapters.jobs;
    let (a, b) = tokio::join!(
        jobs.claim("alice", message.job_id, "worker-a", Duration::from_secs(60)),
        jobs.claim("alice", message.job_id, "worker-b", Duration::from_secs(60)),
    );
    let claimed = [a.unwrap(), b.unwrap()]
        .into_iter()
        .filter(|c| matches!(c, Claim::Claimed(_)))
        .count();
    assert_eq!(claimed, 1, "exactly one claim wins");
}

/// A queued job goes with its deleted project: its message is acknowledged, nothing runs, and
/// the job is no longer readable.
#[tokio::test]
async fn a_deleted_project_takes_its_queued_job_along() {
    let app = TestApp::sqlite().await;
    let (project, message) = queued_job(&app).await;
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
    assert_eq!(
        app.stack.worker.handle(&message).await,
        Outcome::Done,
        "the message is acknowledged, not retried"
    );
    let job = app
        .get("alice", &format!("/v1/jobs/{}", message.job_id))
        .await;
    assert_eq!(job.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_sqs_trigger_reports_only_failed_messages() {
    let app = TestApp::sqlite().await;
    let (_, message) = queued_job(&app).await;
    // The real event shape, with the fixture's job id replaced by a live one.
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/sqs/job-message.json"
    ))
    .unwrap();
    let raw = raw.replace(
        "0190c5a0-0000-7000-8000-00000000000a",
        &message.job_id.to_string(),
    );
    let event: SqsEvent = serde_json::from_str(&raw).unwrap();
    let poison_id = event.records[1].message_id.clone().unwrap();
    let response = handle_batch(&app.stack.worker, event, None).await;
    let failed: Vec<String> = response
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect();
    assert_eq!(
        failed,
        [poison_id],
        "only the unreadable message goes back (and on to the DLQ)"
    );
    let job = app
        .stack
        .adapters
        .jobs
        .get("alice", message.job_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.version, Some(1));
}

#[tokio::test]
async fn the_local_queue_sets_poison_messages_aside() {
    let app = TestApp::sqlite().await;
    let queue = app.local_queue();
    let worker = app.stack.worker.clone();
    use visions_domain::ports::JobQueue;
    queue
        .enqueue(&JobMessage {
            owner: "alice".into(),
            job_id: uuid::Uuid::now_v7(),
        })
        .await
        .unwrap();
    // A message for a job that does not exist is acknowledged, not retried forever.
    let delivery = queue
        .receive(Duration::from_secs(30), 5)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        worker.handle(delivery.message.as_ref().unwrap()).await,
        Outcome::Done
    );
    queue.delete(delivery.id).await.unwrap();
    // A message that keeps failing is set aside after five receives.
    queue
        .enqueue(&JobMessage {
            owner: "alice".into(),
            job_id: uuid::Uuid::now_v7(),
        })
        .await
        .unwrap();
    for _ in 0..5 {
        let delivery = queue.receive(Duration::ZERO, 5).await.unwrap().unwrap();
        queue
            .redeliver_after(&delivery.id.to_string(), Duration::ZERO)
            .await
            .unwrap();
    }
    assert!(queue.receive(Duration::ZERO, 5).await.unwrap().is_none());
    assert_eq!(queue.dead_letters().await.unwrap().len(), 1);
}
