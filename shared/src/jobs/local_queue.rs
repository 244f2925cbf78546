//! Drains the embedded SQLite queue in-process, like the SQS trigger does on AWS: a message
//! is hidden while handled, deleted when done, and comes back after a pause when asked to retry.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::worker::{Outcome, Worker};
use crate::store::SqliteJobQueue;

/// How long a received message stays hidden; a crashed handler's message comes back after it.
pub const VISIBILITY: Duration = Duration::from_secs(300);
/// Receives before a message is set aside as dead (the DLQ's `maxReceiveCount`).
pub const MAX_RECEIVES: u32 = 5;
/// Pause before a message the worker asked to retry is visible again.
pub const RETRY_DELAY: Duration = Duration::from_secs(5);
const IDLE_POLL: Duration = Duration::from_millis(500);

/// Runs `concurrency` drain loops until `shutdown` is cancelled.
pub async fn drain(
    queue: SqliteJobQueue,
    worker: Arc<Worker>,
    concurrency: usize,
    shutdown: CancellationToken,
) {
    let loops: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (queue, worker, shutdown) = (queue.clone(), worker.clone(), shutdown.clone());
            tokio::spawn(async move { drain_loop(queue, worker, shutdown).await })
        })
        .collect();
    for handle in loops {
        let _ = handle.await;
    }
}

async fn drain_loop(queue: SqliteJobQueue, worker: Arc<Worker>, shutdown: CancellationToken) {
    loop {
        if shutdown.is_cancelled() {
            return;
        }
        match queue.receive(VISIBILITY, MAX_RECEIVES).await {
            Ok(Some(delivery)) => {
                let outcome = match &delivery.message {
                    Ok(message) => worker.handle(message).await,
                    Err(err) => {
                        tracing::error!(error = %err, "unreadable queue message; it will go to the dead letters");
                        Outcome::Retry
                    }
                };
                let result = match outcome {
                    Outcome::Done => queue.delete(delivery.id).await,
                    Outcome::Retry => queue.retry_after(delivery.id, RETRY_DELAY).await,
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
