//! Jobs and idempotency keys in SQLite; leases are `lease_owner` + `lease_until` (ms).

use std::time::Duration;

use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

use visions_domain::clock::now_millis;

use super::{SqliteDb, backend};
use visions_domain::job::Job;
use visions_domain::ports::{Claim, Created, Idempotency, JobStore, StoreError};

#[derive(Clone)]
pub struct SqliteJobStore {
    db: SqliteDb,
}

impl SqliteJobStore {
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

/// A job row: the job and who holds its lease until when.
struct Row {
    job: Job,
    lease_owner: Option<String>,
    lease_until: Option<i64>,
}

fn read(tx: &Transaction<'_>, owner: &str, id: &str) -> Result<Option<Row>, StoreError> {
    tx.query_row(
        "SELECT doc, lease_owner, lease_until FROM jobs WHERE owner = ?1 AND id = ?2",
        params![owner, id],
        |row| Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?)),
    )
    .optional()
    .map_err(backend)?
    .map(|(doc, lease_owner, lease_until)| {
        Ok(Row {
            job: serde_json::from_str(&doc).map_err(backend)?,
            lease_owner,
            lease_until,
        })
    })
    .transpose()
}

fn write(
    tx: &Transaction<'_>,
    owner: &str,
    job: &Job,
    lease: Option<(&str, i64)>,
) -> Result<(), StoreError> {
    let doc = serde_json::to_string(job).map_err(backend)?;
    tx.execute(
        "INSERT INTO jobs (owner, id, doc, lease_owner, lease_until) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (owner, id) DO UPDATE SET doc = excluded.doc, lease_owner = excluded.lease_owner, lease_until = excluded.lease_until",
        params![owner, job.id.to_string(), doc, lease.map(|l| l.0), lease.map(|l| l.1)],
    )
    .map_err(backend)?;
    Ok(())
}

#[async_trait::async_trait]
impl JobStore for SqliteJobStore {
    async fn create(
        &self,
        owner: &str,
        job: &Job,
        idempotency: &Idempotency,
    ) -> Result<Created, StoreError> {
        let (owner, job, idempotency) = (owner.to_owned(), job.clone(), idempotency.clone());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let now = now_millis();
                let earlier: Option<(String, String)> = tx
                    .query_row(
                        "SELECT fingerprint, job_id FROM idempotency WHERE owner = ?1 AND key = ?2 AND expires_at > ?3",
                        params![owner, idempotency.key, now],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()
                    .map_err(backend)?;
                if let Some((fingerprint, job_id)) = earlier {
                    if fingerprint != idempotency.fingerprint {
                        return Ok(Created::KeyReused);
                    }
                    let row = read(&tx, &owner, &job_id)?.ok_or(StoreError::NotFound)?;
                    return Ok(Created::Existing(row.job));
                }
                if let Some(hold) = job.hold() {
                    super::credits::hold_in(&tx, &owner, &hold)?;
                }
                write(&tx, &owner, &job, None)?;
                tx.execute(
                    "INSERT INTO idempotency (owner, key, fingerprint, job_id, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint, job_id = excluded.job_id, expires_at = excluded.expires_at",
                    params![owner, idempotency.key, idempotency.fingerprint, job.id.to_string(), now + idempotency.ttl.as_millis() as i64],
                )
                .map_err(backend)?;
                tx.commit().map_err(backend)?;
                Ok(Created::New(job))
            })
            .await
    }

    async fn get_with_lease(
        &self,
        owner: &str,
        id: Uuid,
    ) -> Result<Option<(Job, Option<i64>)>, StoreError> {
        let (owner, id) = (owner.to_owned(), id.to_string());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                Ok(read(&tx, &owner, &id)?.map(|row| (row.job, row.lease_until)))
            })
            .await
    }

    async fn claim(
        &self,
        owner: &str,
        id: Uuid,
        worker: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let (owner, id, worker) = (owner.to_owned(), id.to_string(), worker.to_owned());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let Some(Row {
                    job, lease_until, ..
                }) = read(&tx, &owner, &id)?
                else {
                    return Ok(Claim::Missing);
                };
                let now = now_millis();
                let job = match job.take(lease_until, now) {
                    Claim::Claimed(job) => job,
                    other => return Ok(other),
                };
                write(
                    &tx,
                    &owner,
                    &job,
                    Some((&worker, now + lease.as_millis() as i64)),
                )?;
                tx.commit().map_err(backend)?;
                Ok(Claim::Claimed(job))
            })
            .await
    }

    async fn save(
        &self,
        owner: &str,
        job: &Job,
        worker: &str,
        lease: Duration,
    ) -> Result<(), StoreError> {
        let (owner, job, worker) = (owner.to_owned(), job.clone(), worker.to_owned());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let Some(Row { lease_owner, .. }) = read(&tx, &owner, &job.id.to_string())? else {
                    return Err(StoreError::NotFound);
                };
                if lease_owner.as_deref() != Some(worker.as_str()) {
                    return Err(StoreError::VersionConflict);
                }
                let lease = (!job.status.is_final())
                    .then(|| (worker.as_str(), now_millis() + lease.as_millis() as i64));
                write(&tx, &owner, &job, lease)?;
                tx.commit().map_err(backend)
            })
            .await
    }

    async fn release(&self, owner: &str, id: Uuid, worker: &str) -> Result<(), StoreError> {
        let (owner, id, worker) = (owner.to_owned(), id.to_string(), worker.to_owned());
        self.db
            .with_conn(move |conn| {
                conn.execute(
                    "UPDATE jobs SET lease_until = 0 WHERE owner = ?1 AND id = ?2 AND lease_owner = ?3",
                    params![owner, id, worker],
                )
                .map_err(backend)?;
                Ok(())
            })
            .await
    }

    async fn delete_project(&self, owner: &str, project_id: Uuid) -> Result<(), StoreError> {
        let (owner, project) = (owner.to_owned(), project_id.to_string());
        self.db
            .with_conn(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                tx.execute(
                    "DELETE FROM idempotency WHERE owner = ?1 AND job_id IN
                       (SELECT id FROM jobs WHERE owner = ?1 AND json_extract(doc, '$.project_id') = ?2)",
                    params![owner, project],
                )
                .map_err(backend)?;
                tx.execute(
                    "DELETE FROM jobs WHERE owner = ?1 AND json_extract(doc, '$.project_id') = ?2",
                    params![owner, project],
                )
                .map_err(backend)?;
                tx.commit().map_err(backend)
            })
            .await
    }
}
