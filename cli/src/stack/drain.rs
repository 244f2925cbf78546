//! Drains the embedded SQLite queue in-process, like the SQS trigger does on AWS: a message
//! is hidden while handled, deleted when done, and comes back after the delay the worker asks
//! for. The loops are supervised: one that stops on a panic is started again.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use visions_domain::ports::Redelivery;
use visions_local::SqliteJobQueue;
use visions_pipeline::worker::{self, MAX_RECEIVES, Outcome, RETRY_DELAY, Worker};

const IDLE_POLL: Duration = Duration::from_millis(500);
/// Pause before a crashed drain loop is started again.
const RESTART_DELAY: Duration = Duration::from_secs(1);

/// How long a received message stays hidden: past the worker's lease, so a message whose
/// process died comes back only once the job's lease has expired and the job can be taken
/// over (a shorter visibility would spend receives on a job nobody may claim yet).
pub fn visibility(worker: &Worker) -> Duration {
    worker.lease.saturating_add(worker.lease / 10)
}

/// Runs `concurrency` supervised drain loops until `shutdown` is cancelled.
pub async fn drain(
    queue: SqliteJobQueue,
    worker: Arc<Worker>,
    concurrency: usize,
    shutdown: CancellationToken,
) {
    let loops: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (queue, worker, shutdown) = (queue.clone(), worker.clone(), shutdown.clone());
            tokio::spawn(supervise(queue, worker, shutdown))
        })
        .collect();
    for handle in loops {
        let _ = handle.await;
    }
}

/// Keeps one drain loop running: a loop that ends by a panic is logged and started again.
async fn supervise(queue: SqliteJobQueue, worker: Arc<Worker>, shutdown: CancellationToken) {
    loop {
        let run = tokio::spawn(drain_loop(queue.clone(), worker.clone(), shutdown.clone()));
        match run.await {
            Ok(()) => return,
            Err(err) if err.is_panic() => {
                tracing::error!("a job drain loop panicked; starting it again");
            }
            Err(err) => {
                tracing::error!(error = %err, "a job drain loop stopped; starting it again");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(RESTART_DELAY) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

async fn drain_loop(queue: SqliteJobQueue, worker: Arc<Worker>, shutdown: CancellationToken) {
    let visibility = visibility(&worker);
    loop {
        if shutdown.is_cancelled() {
            return;
        }
        match queue.receive(visibility, MAX_RECEIVES).await {
            Ok(Some(delivery)) => {
                let outcome = match &delivery.message {
                    Ok(message) => {
                        worker
                            .handle_delivery(worker::Delivery {
                                message,
                                receive_count: delivery.receive_count,
                            })
                            .await
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "unreadable queue message; it will go to the dead letters");
                        Outcome::Retry(RETRY_DELAY)
                    }
                };
                let result = match outcome {
                    Outcome::Done => queue.delete(delivery.id).await,
                    Outcome::Retry(delay) => {
                        queue.redeliver_after(&delivery.id.to_string(), delay).await
                    }
                };
                if let Err(err) = result {
                    tracing::error!(error = %err, "updating the local queue failed");
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = queue.wait_for_message(IDLE_POLL) => {}
                    _ = shutdown.cancelled() => return,
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "reading the local queue failed");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}
