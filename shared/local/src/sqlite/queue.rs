//! A durable job queue in SQLite with SQS semantics: a received message is invisible for a
//! while, comes back if not deleted, and is set aside as dead after too many receives.

use std::time::Duration;

use rusqlite::{OptionalExtension, params};

use visions_domain::clock::now_millis;

use super::{SqliteDb, backend};
use visions_domain::job::JobMessage;
use visions_domain::ports::{JobQueue, Redelivery, StoreError};

#[derive(Clone)]
pub struct SqliteJobQueue {
    db: SqliteDb,
    /// Wakes idle drain loops the moment a message is enqueued in this process.
    arrived: std::sync::Arc<tokio::sync::Notify>,
}

/// A received message; delete it once handled.
#[derive(Debug)]
pub struct Delivery {
    pub id: i64,
    pub message: Result<JobMessage, String>,
    pub receive_count: u32,
}

impl SqliteJobQueue {
    pub fn new(db: SqliteDb) -> Self {
        Self {
            db,
            arrived: Default::default(),
        }
    }

    /// Returns when a message is enqueued here, or after `timeout` (another process may have).
    pub async fn wait_for_message(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.arrived.notified()).await;
    }

    /// The oldest visible message, hidden for `visibility`; `None` when the queue is idle.
    /// After `max_receives` receives a message goes to the dead-letter state instead.
    pub async fn receive(
        &self,
        visibility: Duration,
        max_receives: u32,
    ) -> Result<Option<Delivery>, StoreError> {
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let now = now_millis();
                let dead = tx.execute(
                    "UPDATE queue SET dead = 1 WHERE dead = 0 AND visible_at <= ?1 AND receive_count >= ?2",
                    params![now, max_receives],
                )
                .map_err(backend)?;
                if dead > 0 {
                    // The log-based metric an operator alarms on, as the DLQ alarm on AWS.
                    tracing::error!(dead_lettered_jobs = dead, "queue messages set aside as dead letters");
                }
                let row: Option<(i64, String, u32)> = tx
                    .query_row(
                        "SELECT id, body, receive_count FROM queue WHERE dead = 0 AND visible_at <= ?1 ORDER BY visible_at, id LIMIT 1",
                        params![now],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )
                    .optional()
                    .map_err(backend)?;
                let Some((id, body, count)) = row else {
                    tx.commit().map_err(backend)?;
                    return Ok(None);
                };
                tx.execute(
                    "UPDATE queue SET visible_at = ?1, receive_count = receive_count + 1 WHERE id = ?2",
                    params![now.saturating_add(millis(visibility)), id],
                )
                .map_err(backend)?;
                tx.commit().map_err(backend)?;
                Ok(Some(Delivery { id, message: serde_json::from_str(&body).map_err(|e| e.to_string()), receive_count: count + 1 }))
            })
            .await
    }

    pub async fn delete(&self, id: i64) -> Result<(), StoreError> {
        self.db
            .with_conn(move |conn| {
                conn.execute("DELETE FROM queue WHERE id = ?1", params![id])
                    .map_err(backend)?;
                Ok(())
            })
            .await
    }

    /// Messages set aside after too many receives.
    pub async fn dead_letters(&self) -> Result<Vec<String>, StoreError> {
        self.db
            .with_conn(|conn| {
                let mut statement = conn
                    .prepare("SELECT body FROM queue WHERE dead = 1 ORDER BY id")
                    .map_err(backend)?;
                let bodies = statement.query_map([], |row| row.get(0)).map_err(backend)?;
                bodies.collect::<Result<Vec<String>, _>>().map_err(backend)
            })
            .await
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[async_trait::async_trait]
impl JobQueue for SqliteJobQueue {
    async fn enqueue(&self, message: &JobMessage) -> Result<(), StoreError> {
        let body = serde_json::to_string(message).map_err(backend)?;
        self.db
            .with_conn(move |conn| {
                conn.execute(
                    "INSERT INTO queue (body, visible_at) VALUES (?1, ?2)",
                    params![body, now_millis()],
                )
                .map_err(backend)?;
                Ok(())
            })
            .await?;
        self.arrived.notify_one();
        Ok(())
    }
}

/// The receipt of a local message is its id ([`Delivery::id`]).
#[async_trait::async_trait]
impl Redelivery for SqliteJobQueue {
    async fn redeliver_after(&self, receipt: &str, delay: Duration) -> Result<(), StoreError> {
        let id: i64 = receipt.parse().map_err(|_| {
            StoreError::Backend(anyhow::anyhow!("not a local receipt: {receipt:?}"))
        })?;
        self.db
            .with_conn(move |conn| {
                conn.execute(
                    "UPDATE queue SET visible_at = ?1 WHERE id = ?2",
                    params![now_millis().saturating_add(millis(delay)), id],
                )
                .map_err(backend)?;
                Ok(())
            })
            .await
    }
}
